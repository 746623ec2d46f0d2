//! Throughput of the emulator, as ratios against baselines measured in the same run.
//!
//! 1. API: `GET /v3/webhooks/{uid}` requests/s vs a minimal axum hello-world,
//!    both loaded by the same raw HTTP/1.1 keep-alive loop on loopback
//!    (same connections, same process, alternating rounds, median reported).
//! 2. Delivery: events fanned out to a local receiver, deliveries/s with zero
//!    loss (every delivery received once, every execution recorded 200), vs a
//!    plain reqwest client POSTing the same bodies to the same receiver.
//!
//! Run: `cargo bench -p cs-webhooks-emulator --bench throughput`
//! Environment: `BENCH_SECS` (seconds per API round, default 5),
//! `BENCH_CONNS` (connections, default 64), `BENCH_EVENTS` (default 2000),
//! `BENCH_FANOUT` (webhooks per event, default 5), `BENCH_ONLY` (`file` or
//! `memory`: one delivery sender alone, e.g. for a profile).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cs_webhooks_emulator::{Emulator, EmulatorHandle, SigningKey};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const API_KEY: &str = "bltbench000000001";
const TOKEN: &str = "bench-token";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs = env_or("BENCH_SECS", 5);
    let conns = env_or("BENCH_CONNS", 64) as usize;
    let events = env_or("BENCH_EVENTS", 2000) as usize;
    let fanout = env_or("BENCH_FANOUT", 5) as usize;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# cs-webhooks-emulator throughput ({cores} cores, release build)\n");

    let key = SigningKey::generate().expect("key");
    let dir = std::env::temp_dir().join(format!("cs-emu-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    // With BENCH_ONLY the run is one delivery sender and nothing else.
    if std::env::var_os("BENCH_ONLY").is_none() {
        api_bench(&key, secs, conns).await;
    }
    delivery_bench(&key, &dir, events, fanout, conns).await;
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- API

async fn api_bench(key: &SigningKey, secs: u64, conns: usize) {
    let emulator = Emulator::builder()
        .stack(API_KEY, TOKEN)
        .signing_key(key.clone())
        .start()
        .await
        .expect("emulator");
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{}/webhooks", emulator.base_url()))
        .header("api_key", API_KEY)
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(
            json!({"webhook": {
                "name": "Bench", "channels": ["content_types.entries.update"],
                "destinations": [{"target_url": "http://127.0.0.1:9/hook", "authentication_type": "Basic",
                    "http_basic_auth": "u", "http_basic_password": "p",
                    "custom_header": [{"header_name": "X-A", "value": "b"}]}],
                "notifiers": "ops@example.com", "retry_policy": "automatic"}})
            .to_string(),
        )
        .send()
        .await
        .expect("create")
        .bytes()
        .await
        .expect("created");
    let created: Value = serde_json::from_slice(&created).expect("JSON");
    let uid = created["webhook"]["uid"].as_str().expect("uid").to_owned();
    let emu_addr = emulator.local_addr();
    let emu_req: Arc<[u8]> = format!(
        "GET /v3/webhooks/{uid} HTTP/1.1\r\nhost: {emu_addr}\r\napi_key: {API_KEY}\r\nauthorization: {TOKEN}\r\n\r\n"
    )
    .into_bytes()
    .into();

    let hello_addr = hello_world().await;
    let hello_req: Arc<[u8]> = format!(
        "GET / HTTP/1.1\r\nhost: {hello_addr}\r\napi_key: {API_KEY}\r\nauthorization: {TOKEN}\r\n\r\n"
    )
    .into_bytes()
    .into();

    // Warm up both, then alternate rounds so drift affects both equally.
    let warm = Duration::from_millis(500);
    load(hello_addr, Arc::clone(&hello_req), conns, warm).await;
    load(emu_addr, Arc::clone(&emu_req), conns, warm).await;
    let round = Duration::from_secs(secs);
    let mut hello = Vec::new();
    let mut emu = Vec::new();
    for _ in 0..3 {
        hello.push(load(hello_addr, Arc::clone(&hello_req), conns, round).await);
        emu.push(load(emu_addr, Arc::clone(&emu_req), conns, round).await);
    }
    let h = median(&mut hello);
    let e = median(&mut emu);
    println!(
        "## API: GET one webhook vs axum hello-world ({conns} keep-alive connections, 3 x {secs} s rounds, median)\n"
    );
    println!("| server | requests/s | rounds |");
    println!("|---|---:|---|");
    println!("| axum hello-world | {h:.0} | {} |", fmt_rounds(&hello));
    println!(
        "| emulator GET /v3/webhooks/{{uid}} | {e:.0} | {} |",
        fmt_rounds(&emu)
    );
    println!("\nratio emulator / hello-world: {:.2}\n", e / h);

    // The same comparison with wrk (a separate process), when it is installed.
    let emu_url = format!("http://{emu_addr}/v3/webhooks/{uid}");
    let hello_url = format!("http://{hello_addr}/");
    let mut wrk_hello = Vec::new();
    let mut wrk_emu = Vec::new();
    for _ in 0..3 {
        let (Some(h), Some(e)) = (
            wrk(&hello_url, conns, secs).await,
            wrk(&emu_url, conns, secs).await,
        ) else {
            println!(
                "(wrk not found: install it, e.g. `apt-get install wrk`, for the wrk figures)\n"
            );
            break;
        };
        wrk_hello.push(h);
        wrk_emu.push(e);
    }
    if !wrk_hello.is_empty() {
        let h = median(&mut wrk_hello);
        let e = median(&mut wrk_emu);
        println!("### The same with wrk (-t2 -c{conns} -d{secs}s, 3 rounds, median)\n");
        println!("| server | requests/s | rounds |");
        println!("|---|---:|---|");
        println!("| axum hello-world | {h:.0} | {} |", fmt_rounds(&wrk_hello));
        println!(
            "| emulator GET /v3/webhooks/{{uid}} | {e:.0} | {} |",
            fmt_rounds(&wrk_emu)
        );
        println!("\nratio emulator / hello-world (wrk): {:.2}\n", e / h);
    }
    emulator.shutdown().await.expect("shutdown");
}

/// Requests/s reported by `wrk`, or `None` when it is not installed or fails.
async fn wrk(url: &str, conns: usize, secs: u64) -> Option<f64> {
    let args = vec![
        "-t2".to_owned(),
        format!("-c{conns}"),
        format!("-d{secs}s"),
        "-H".to_owned(),
        format!("api_key: {API_KEY}"),
        "-H".to_owned(),
        format!("authorization: {TOKEN}"),
        url.to_owned(),
    ];
    let output =
        tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(&args).output())
            .await
            .ok()?
            .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") {
        panic!("wrk saw errors: {text}");
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn fmt_rounds(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn hello_world() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Requests/s over `conns` keep-alive connections for `duration`, each
/// connection sending `request` and reading the whole (Content-Length) answer.
async fn load(addr: SocketAddr, request: Arc<[u8]>, conns: usize, duration: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let request = Arc::clone(&request);
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    return;
                };
                let _ = stream.set_nodelay(true);
                let mut buf = vec![0u8; 16 * 1024];
                while Instant::now() < deadline {
                    if stream.write_all(&request).await.is_err() {
                        return;
                    }
                    match read_response(&mut stream, &mut buf).await {
                        Some(200) => {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(status) => panic!("unexpected status {status}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// Reads one HTTP/1.1 response with a Content-Length; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<u16> {
    let mut filled = 0;
    let header_end = loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = stream.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(pos) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = std::str::from_utf8(&buf[..header_end]).ok()?;
    let status: u16 = head.get(9..12)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut have = filled - header_end;
    while have < length {
        let n = stream.read(&mut buf[..]).await.ok()?;
        if n == 0 {
            return None;
        }
        have += n;
    }
    Some(status)
}

// ---------------------------------------------------------------- delivery

async fn receiver() -> (SocketAddr, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let c = Arc::clone(&count);
    let app = axum::Router::new().route(
        "/hook/{n}",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let c = Arc::clone(&c);
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, count)
}

fn entry_event(i: usize) -> String {
    json!({"module": "entry", "event": "update", "data": {
        "entry": {"uid": format!("blt{i:016}"), "title": "Bench entry", "locale": "en-us", "_version": 3,
                  "tags": ["a", "b"], "body": "Lorem ipsum dolor sit amet, consectetur adipiscing elit."},
        "content_type": {"uid": "blog", "title": "Blog"}}})
    .to_string()
}

async fn delivery_bench(
    key: &SigningKey,
    dir: &std::path::Path,
    events: usize,
    fanout: usize,
    conns: usize,
) {
    println!(
        "## Delivery: {events} events x {fanout} webhooks = {} deliveries to a local receiver\n",
        events * fanout
    );
    println!("| sender | deliveries/s | events/s | loss |");
    println!("|---|---:|---:|---|");
    let mut raw_rate = 0.0;
    for (label, data) in [
        ("emulator, SQLite file (--data)", Some(dir.join("bench.db"))),
        ("emulator, in memory", None),
    ] {
        let only = std::env::var("BENCH_ONLY").unwrap_or_default();
        if !only.is_empty() && !label.contains(only.as_str()) {
            continue;
        }
        let (rate, ev_rate, loss) = emulator_delivery(key, data, events, fanout).await;
        println!("| {label} | {rate:.0} | {ev_rate:.0} | {loss} |");
        if raw_rate == 0.0 && only.is_empty() {
            raw_rate = raw_posts(events * fanout, conns).await;
        }
    }
    if raw_rate > 0.0 {
        println!(
            "| baseline: plain reqwest POST loop, {conns} in flight | {raw_rate:.0} | - | - |"
        );
    }
    println!();
}

/// Fires `events` (8 at a time) and waits until every delivery is received
/// and recorded; returns deliveries/s, events/s and a loss verdict.
async fn emulator_delivery(
    key: &SigningKey,
    data: Option<std::path::PathBuf>,
    events: usize,
    fanout: usize,
) -> (f64, f64, String) {
    let (addr, received) = receiver().await;
    let mut builder = Emulator::builder()
        .stack(API_KEY, TOKEN)
        .signing_key(key.clone());
    if let Some(path) = data {
        let _ = std::fs::remove_file(&path);
        builder = builder.data_file(path);
    }
    let emulator = builder.start().await.expect("emulator");
    let http = reqwest::Client::new();
    for n in 0..fanout {
        let status = http
            .post(format!("{}/webhooks", emulator.base_url()))
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .header("content-type", "application/json")
            .body(
                json!({"webhook": {"name": format!("Fan {n}"), "channels": ["content_types.blog.entries.update"],
                    "destinations": [{"target_url": format!("http://{addr}/hook/{n}")}]}})
                .to_string(),
            )
            .send()
            .await
            .expect("create")
            .status();
        assert_eq!(status.as_u16(), 201);
    }
    let start = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let firers: Vec<_> = (0..8)
        .map(|_| {
            let http = http.clone();
            let next = Arc::clone(&next);
            let url = emulator.events_url();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= events {
                        return;
                    }
                    let status = http
                        .post(&url)
                        .header("api_key", API_KEY)
                        .header("authorization", TOKEN)
                        .header("content-type", "application/json")
                        .body(entry_event(i))
                        .send()
                        .await
                        .expect("fire")
                        .status();
                    assert_eq!(status.as_u16(), 202);
                }
            })
        })
        .collect();
    for f in firers {
        f.await.expect("firer");
    }
    let fired = start.elapsed();
    let total = (events * fanout) as u64;
    wait_idle(&emulator, &received, total).await;
    let elapsed = start.elapsed().as_secs_f64();
    let got = received.load(Ordering::Relaxed);
    let (executions, attempts) = emulator.stored_counts().await.expect("counts");
    let loss = if got == total && executions == total && attempts == total {
        "none (all received once, all recorded)".to_owned()
    } else {
        format!("received {got}, executions {executions}, attempts {attempts} of {total}")
    };
    emulator.shutdown().await.expect("shutdown");
    (
        total as f64 / elapsed,
        events as f64 / fired.as_secs_f64(),
        loss,
    )
}

async fn wait_idle(emulator: &EmulatorHandle, received: &AtomicU64, total: u64) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if received.load(Ordering::Relaxed) >= total
            && emulator.pending_deliveries().await.unwrap_or(1) == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The baseline: the same number of POSTs of a similar body, straight from reqwest.
async fn raw_posts(total: usize, conns: usize) -> f64 {
    let (addr, received) = receiver().await;
    let http = reqwest::Client::new();
    let body = entry_event(0);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let http = http.clone();
            let next = Arc::clone(&next);
            let body = body.clone();
            let url = format!("http://{addr}/hook/0");
            tokio::spawn(async move {
                while (next.fetch_add(1, Ordering::Relaxed) as usize) < total {
                    let _ = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    received.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}
