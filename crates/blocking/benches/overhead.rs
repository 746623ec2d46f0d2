//! Per-call overhead of the blocking client against a real local server.
//!
//! `get_webhook` through `cs_webhooks_blocking::Client` vs the same request
//! hand-written on a plain `ureq::Agent` (same URL, same `api_key` and
//! `authorization` headers, same body, decoded into the same
//! `WebhookResponse` with plain `serde_json`), in the same run, against a
//! keep-alive HTTP/1.1 server on 127.0.0.1. Target: ours / raw ≤ 1.10×.
//!
//! `cargo bench -p cs-webhooks-blocking --bench overhead`
//!
//! The bench pins itself (client, runtime and server threads) to one CPU,
//! so a call's wall time is the CPU work of both ends; see
//! `support::pin_to_one_cpu`.
//!
//! Besides criterion's figures it prints interleaved A/B ratios (the two
//! sides alternate in short rounds, so load drifts on a shared machine hit
//! both alike; in wall and in process CPU time) and the connections the
//! server accepted. The `diagnosis` group isolates where our time goes.

mod support;

use std::hint::black_box;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use cs_webhooks_blocking::model::WebhookResponse;
use cs_webhooks_blocking::operations::GetWebhook;
use cs_webhooks_blocking::{BlockingClient, Client, Operation, UreqTransport};
use support::{API_KEY, LocalServer, TOKEN, UID};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// ureq's resolver, except that an IP-literal host is used as is. ureq 3.5
/// resolves the host on every call (pooled connection or not), and whenever
/// a timeout covers the call it does so on a newly spawned thread; this one
/// skips both for `127.0.0.1`. A sketch of a fix, for the `diagnosis` group.
#[derive(Debug, Default)]
struct IpLiteralResolver(DefaultResolver);

impl Resolver for IpLiteralResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(authority) = uri.authority() {
            let host = authority
                .host()
                .trim_start_matches('[')
                .trim_end_matches(']');
            if let Ok(ip) = host.parse::<IpAddr>() {
                let https = uri.scheme_str() == Some("https");
                let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
                let mut addrs = self.0.empty();
                addrs.push(SocketAddr::new(ip, port));
                return Ok(addrs);
            }
        }
        self.0.resolve(uri, config, timeout)
    }
}

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

    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .unwrap();
    let ours = || client.get_webhook(UID).send().unwrap();

    // What a user would write by hand: one shared agent, the two headers,
    // the body read whole, decoded with serde_json.
    let agent = ureq::Agent::new_with_defaults();
    let raw_bytes = || {
        agent
            .get(&url)
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap()
    };
    let raw_typed = || serde_json::from_slice::<WebhookResponse>(&raw_bytes()).unwrap();

    // Diagnosis 1: the raw call with the per-request timeout our transport sets.
    let raw_typed_timeout = || {
        let bytes = agent
            .get(&url)
            .config()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap();
        serde_json::from_slice::<WebhookResponse>(&bytes).unwrap()
    };
    // Diagnosis 2: our client with no attempt or total timeout (so no
    // per-request ureq timeout).
    let untimed = Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .attempt_timeout(None)
        .total_timeout(None)
        .build()
        .unwrap();
    let ours_untimed = || untimed.get_webhook(UID).send().unwrap();
    // Diagnosis 3: our client, default timeouts, on an agent configured like
    // `UreqTransport::new` but with the IP-literal resolver.
    let config = client.config().clone();
    let agent_config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(config.timeouts().connect)
        .user_agent(config.user_agent())
        .max_redirects(0)
        .build();
    let fixed = BlockingClient::with_transport(
        config.clone(),
        UreqTransport::from_agent(ureq::Agent::with_parts(
            agent_config,
            DefaultConnector::new(),
            IpLiteralResolver::default(),
        )),
    );
    let ours_fixed = || fixed.get_webhook(UID).send().unwrap();

    // Every variant reaches the same endpoint and gets the same answer.
    let expected = raw_typed();
    for got in [ours(), raw_typed_timeout(), ours_untimed(), ours_fixed()] {
        assert_eq!(got, expected);
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args();

    let mut group = criterion.benchmark_group("blocking_get_webhook");
    group.bench_function("ours", |b| b.iter(|| black_box(ours())));
    group.bench_function("raw_ureq_typed", |b| b.iter(|| black_box(raw_typed())));
    group.bench_function("raw_ureq_bytes", |b| b.iter(|| black_box(raw_bytes())));
    group.finish();

    let mut group = criterion.benchmark_group("blocking_diagnosis");
    group.bench_function("raw_ureq_typed_timeout_global", |b| {
        b.iter(|| black_box(raw_typed_timeout()))
    });
    group.bench_function("ours_no_attempt_timeout", |b| {
        b.iter(|| black_box(ours_untimed()))
    });
    group.bench_function("ours_ip_literal_resolver", |b| {
        b.iter(|| black_box(ours_fixed()))
    });
    group.finish();

    // Where our time goes without I/O: the core's pure request building and
    // response decoding (with field paths) vs plain serde_json.
    let mut group = criterion.benchmark_group("core_no_io");
    group.bench_function("build_request", |b| {
        b.iter(|| black_box(GetWebhook::new(UID).build(&config).unwrap()))
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
            ("A = ours, B = raw ureq + serde_json", &ours, &raw_typed),
            (
                "A = raw ureq + timeout_global(30 s), B = raw ureq",
                &raw_typed_timeout,
                &raw_typed,
            ),
            (
                "A = ours on the IP-literal resolver, B = raw ureq + serde_json",
                &ours_fixed,
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
            "interleaved, one iteration = one get_webhook call, A = ours, B = raw ureq bytes only: {ab}"
        );
    }
    println!(
        "server: {} requests on {} TCP connections",
        server.served(),
        server.accepted()
    );
}
