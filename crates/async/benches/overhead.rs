//! Per-call overhead of the async client against a real local server.
//!
//! `get_webhook` through `cs_webhooks_async::Client` vs the same request
//! hand-written on a plain `reqwest::Client` (same URL, same `api_key` and
//! `authorization` headers, same body, decoded into the same
//! `WebhookResponse` with plain `serde_json`), in the same run, against a
//! keep-alive HTTP/1.1 server on 127.0.0.1. Each call is one `block_on` on a
//! current-thread tokio runtime (the same for both sides). Target: ours / raw ≤ 1.10×.
//!
//! `cargo bench -p cs-webhooks-async --bench overhead`
//!
//! The bench pins itself (client, runtime and server threads) to one CPU,
//! so a call's wall time is the CPU work of both ends; see
//! `support::pin_to_one_cpu`.
//!
//! Besides criterion's figures it prints an interleaved A/B ratio (the two
//! sides alternate in short rounds, so load drifts on a shared machine hit
//! both alike; in wall and in process CPU time) and the connections the
//! server accepted. The `async_diagnosis` group isolates the per-request timeout.

#[path = "../../blocking/benches/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use cs_webhooks_async::model::WebhookResponse;
use cs_webhooks_async::operations::GetWebhook;
use cs_webhooks_async::{Client, Operation};
use support::{API_KEY, LocalServer, TOKEN, UID};

/// One way of making the call.
type Variant<'a> = &'a dyn Fn() -> WebhookResponse;

fn main() {
    // One CPU for client and server threads: see `support::pin_to_one_cpu`.
    match support::pin_to_one_cpu() {
        Some(cpu) => println!("pinned to CPU {cpu}"),
        None => println!("could not pin to one CPU; figures will be noisier"),
    }
    let body = serde_json::to_vec(&support::response_example("get_webhook", "200")).unwrap();
    let server = LocalServer::start(&body);
    let url = server.get_webhook_url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .unwrap();
    let ours = || rt.block_on(client.get_webhook(UID).send()).unwrap();

    // What a user would write by hand: one shared reqwest client (the same
    // ring provider as ours), the two headers, the body read whole, decoded
    // with serde_json.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let raw_bytes = || {
        rt.block_on(async {
            http.get(&url)
                .header("api_key", API_KEY)
                .header("authorization", TOKEN)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        })
    };
    let raw_typed = || serde_json::from_slice::<WebhookResponse>(&raw_bytes()).unwrap();

    // Diagnosis 1: the raw call with the per-request timeout our transport sets.
    let raw_typed_timeout = || {
        let bytes = rt.block_on(async {
            http.get(&url)
                .header("api_key", API_KEY)
                .header("authorization", TOKEN)
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        });
        serde_json::from_slice::<WebhookResponse>(&bytes).unwrap()
    };
    // Diagnosis 2: our client with no attempt or total timeout.
    let untimed = Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .attempt_timeout(None)
        .total_timeout(None)
        .build()
        .unwrap();
    let ours_untimed = || rt.block_on(untimed.get_webhook(UID).send()).unwrap();

    // Every variant reaches the same endpoint and gets the same answer.
    let expected = raw_typed();
    for got in [ours(), raw_typed_timeout(), ours_untimed()] {
        assert_eq!(got, expected);
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args();

    let mut group = criterion.benchmark_group("async_get_webhook");
    group.bench_function("ours", |b| b.iter(|| black_box(ours())));
    group.bench_function("raw_reqwest_typed", |b| b.iter(|| black_box(raw_typed())));
    group.bench_function("raw_reqwest_bytes", |b| b.iter(|| black_box(raw_bytes())));
    group.finish();

    let mut group = criterion.benchmark_group("async_diagnosis");
    group.bench_function("raw_reqwest_typed_timeout", |b| {
        b.iter(|| black_box(raw_typed_timeout()))
    });
    group.bench_function("ours_no_attempt_timeout", |b| {
        b.iter(|| black_box(ours_untimed()))
    });
    group.finish();

    // Where our time goes without I/O: the core's pure request building and
    // response decoding (with field paths) vs plain serde_json.
    let config = client.config().clone();
    let mut group = criterion.benchmark_group("async_core_no_io");
    group.bench_function("build_request", |b| {
        b.iter(|| black_box(GetWebhook::new(UID).build(&config).unwrap()))
    });
    group.bench_function("build_request_into_reqwest", |b| {
        b.iter(|| {
            let request = GetWebhook::new(UID).build(&config).unwrap();
            black_box(reqwest::Request::try_from(request).unwrap())
        })
    });
    group.bench_function("decode_response", |b| {
        b.iter_batched(
            || http::Response::new(body.clone()),
            |response| black_box(GetWebhook::decode(response).unwrap()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("serde_json_from_slice", |b| {
        b.iter(|| black_box(serde_json::from_slice::<WebhookResponse>(&body).unwrap()))
    });
    group.finish();
    criterion.final_summary();

    if support::is_bench_run() {
        let (rounds, calls) = (31, 200);
        let pairs: [(&str, Variant, Variant); 3] = [
            ("A = ours, B = raw reqwest + serde_json", &ours, &raw_typed),
            (
                "A = raw reqwest + timeout(30 s), B = raw reqwest",
                &raw_typed_timeout,
                &raw_typed,
            ),
            (
                "A = ours without attempt/total timeouts, B = raw reqwest + serde_json",
                &ours_untimed,
                &raw_typed,
            ),
        ];
        for (name, a, b) in pairs {
            let ab = support::interleaved(
                rounds,
                calls,
                || {
                    black_box(a());
                },
                || {
                    black_box(b());
                },
            );
            println!("interleaved, one iteration = one get_webhook call, {name}: {ab}");
        }
        let ab = support::interleaved(
            rounds,
            calls,
            || {
                black_box(ours());
            },
            || {
                black_box(raw_bytes());
            },
        );
        println!(
            "interleaved, one iteration = one get_webhook call, A = ours, B = raw reqwest bytes only: {ab}"
        );
    }
    println!(
        "server: {} requests on {} TCP connections",
        server.served(),
        server.accepted()
    );
}
