//! 32 concurrent `get_webhook` calls on one async client.
//!
//! Each iteration spawns 32 tasks on a multi-thread tokio runtime (one worker
//! per core), each making one `get_webhook` call through one shared
//! `cs_webhooks_async::Client`, against a keep-alive HTTP/1.1 server on
//! 127.0.0.1; a plain `reqwest::Client` doing the same is the baseline.
//! Reports calls/s (criterion's throughput, in elements = calls) and how many
//! TCP connections the server accepted: with keep-alive reuse that is at most
//! 32 for any number of calls, not one per call.
//!
//! `cargo bench -p cs-webhooks-async --bench concurrency`

// Not every helper is used here: this bench runs unpinned, on both cores.
#[allow(dead_code)]
#[path = "../../blocking/benches/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use cs_webhooks_async::Client;
use cs_webhooks_async::model::WebhookResponse;
use support::{API_KEY, LocalServer, TOKEN, UID};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// In flight at once.
const CONCURRENCY: usize = 32;

fn ours_client(server: &LocalServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .unwrap()
}

fn raw_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// 32 concurrent calls through our client.
async fn burst_ours(client: &Client) {
    let mut tasks = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        tasks.spawn(async move { client.get_webhook(UID).send().await.unwrap() });
    }
    while let Some(done) = tasks.join_next().await {
        black_box(done.unwrap());
    }
}

/// 32 concurrent hand-written reqwest calls, decoded with serde_json.
async fn burst_raw(http: &reqwest::Client, url: &str) {
    let mut tasks = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let http = http.clone();
        let url = url.to_string();
        tasks.spawn(async move {
            let bytes = http
                .get(&url)
                .header("api_key", API_KEY)
                .header("authorization", TOKEN)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            serde_json::from_slice::<WebhookResponse>(&bytes).unwrap()
        });
    }
    while let Some(done) = tasks.join_next().await {
        black_box(done.unwrap());
    }
}

/// A fresh server and client, `bursts` bursts: calls/s and connections accepted.
fn reuse_run(rt: &Runtime, body: &[u8], bursts: usize, raw: bool) -> (f64, usize, usize) {
    let server = LocalServer::start(body);
    let start = Instant::now();
    if raw {
        let http = raw_client();
        let url = server.get_webhook_url();
        rt.block_on(async {
            for _ in 0..bursts {
                burst_raw(&http, &url).await;
            }
        });
    } else {
        let client = ours_client(&server);
        rt.block_on(async {
            for _ in 0..bursts {
                burst_ours(&client).await;
            }
        });
    }
    let elapsed = start.elapsed().as_secs_f64();
    let calls = bursts * CONCURRENCY;
    (calls as f64 / elapsed, server.served(), server.accepted())
}

fn main() {
    let body = serde_json::to_vec(&support::response_example("get_webhook", "200")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let server = LocalServer::start(&body);
    let client = ours_client(&server);
    let raw_server = LocalServer::start(&body);
    let http = raw_client();
    let raw_url = raw_server.get_webhook_url();

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args();
    let mut group = criterion.benchmark_group("async_32_concurrent_get_webhook");
    group.throughput(Throughput::Elements(CONCURRENCY as u64));
    group.bench_function("ours", |b| b.iter(|| rt.block_on(burst_ours(&client))));
    group.bench_function("raw_reqwest_typed", |b| {
        b.iter(|| rt.block_on(burst_raw(&http, &raw_url)))
    });
    group.finish();
    criterion.final_summary();
    println!(
        "criterion run, ours: {} requests on {} TCP connections; raw reqwest: {} requests on {} TCP connections",
        server.served(),
        server.accepted(),
        raw_server.served(),
        raw_server.accepted()
    );

    let bursts = if support::is_bench_run() { 200 } else { 2 };
    for (name, raw) in [("ours", false), ("raw reqwest", true)] {
        let (rate, served, accepted) = reuse_run(&rt, &body, bursts, raw);
        println!(
            "fresh server and client, {name}: {bursts} bursts of {CONCURRENCY}: {rate:.0} calls/s, {served} requests on {accepted} TCP connections"
        );
    }

    if support::is_bench_run() {
        let ab = support::interleaved(
            21,
            20,
            || rt.block_on(burst_ours(&client)),
            || rt.block_on(burst_raw(&http, &raw_url)),
        );
        println!(
            "interleaved, one iteration = one burst of 32 concurrent calls, A = ours, B = raw reqwest + serde_json: {ab}"
        );
    }
}
