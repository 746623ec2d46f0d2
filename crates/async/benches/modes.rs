//! Throughput of both clients in six modes, each against the same call
//! written by hand on the same transport (same ureq / reqwest versions: the
//! workspace's lock file), in the same run, against one keep-alive HTTP/1.1
//! server on 127.0.0.1 answering `GET /v3/webhooks/{uid}` with the spec's
//! example webhook.
//!
//! `cargo bench -p cs-webhooks-async --bench modes`
//! (`MODES_ROUNDS=N` rounds, default 45: the medians move by about 0.01
//! between runs at 45, 0.02 at 15; `MODES_CALLS=N` calls per batch;
//! `MODES_ONLY=text` runs only the modes whose name contains it;
//! `MODES_PROFILE=ours` or `raw` runs one side alone, for a profiler;
//! `MODES_TIMEOUTS=none` takes the deadlines off our async client, which
//! the raw calls do not have, to show what they cost.)
//!
//! Modes: blocking sequential; blocking, 16 threads sharing one client;
//! current_thread runtime sequential and 16 tasks; multi_thread runtime with
//! one worker, sequential and 16 tasks. In each mode a batch of calls by our
//! client and a batch by the raw one alternate (order swapped every round);
//! the figure is the median of the per-round ratios, printed as throughput
//! ours ÷ raw (so > 1 is faster). A counting allocator reports allocations
//! per call of each side. The bench pins itself to one CPU so a batch's wall
//! time is the CPU work of client and server (see `support::pin_to_one_cpu`).

// Not every helper is used here.
#[allow(dead_code)]
#[path = "../../blocking/benches/support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cs_webhooks_async::model::WebhookResponse;
use support::{API_KEY, LocalServer, TOKEN, UID};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// Counts every allocation, to report allocations per call.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Threads or tasks in the concurrent modes.
const FANOUT: usize = 16;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Both sides of one transport, ready to call.
struct Blocking {
    ours: cs_webhooks_blocking::Client,
    raw: ureq::Agent,
    url: String,
}

impl Blocking {
    fn ours(&self) -> WebhookResponse {
        self.ours.get_webhook(UID).send().unwrap()
    }

    /// What a user would write by hand: one shared agent, the two headers,
    /// the body read whole, decoded with serde_json.
    fn raw(&self) -> WebhookResponse {
        let bytes = self
            .raw
            .get(&self.url)
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// Both sides on reqwest.
#[derive(Clone)]
struct Async {
    ours: cs_webhooks_async::Client,
    raw: reqwest::Client,
    url: Arc<str>,
}

/// Our client's deadlines: the defaults, or none with `MODES_TIMEOUTS=none`.
fn our_timeouts() -> cs_webhooks_async::Timeouts {
    match std::env::var("MODES_TIMEOUTS").as_deref() {
        Ok("none") => cs_webhooks_async::Timeouts::none(),
        _ => cs_webhooks_async::Timeouts::default(),
    }
}

impl Async {
    fn new(server: &LocalServer) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Async {
            ours: cs_webhooks_async::Client::builder()
                .base_url(server.base_url())
                .api_key(API_KEY)
                .management_token(TOKEN)
                .timeouts(our_timeouts())
                .build()
                .unwrap(),
            raw: reqwest::Client::new(),
            url: server.get_webhook_url().into(),
        }
    }

    async fn ours(&self) -> WebhookResponse {
        self.ours.get_webhook(UID).send().await.unwrap()
    }

    async fn raw(&self) -> WebhookResponse {
        let bytes = self
            .raw
            .get(&*self.url)
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn call(&self, raw: bool) -> WebhookResponse {
        if raw {
            self.raw().await
        } else {
            self.ours().await
        }
    }

    /// `calls` calls one after the other.
    async fn sequential(&self, raw: bool, calls: usize) {
        for _ in 0..calls {
            black_box(self.call(raw).await);
        }
    }

    /// `calls` calls spread over `FANOUT` tasks spawned on the current runtime.
    async fn fanout(&self, raw: bool, calls: usize) {
        let mut tasks = JoinSet::new();
        for _ in 0..FANOUT {
            let sides = self.clone();
            tasks.spawn(async move { sides.sequential(raw, calls / FANOUT).await });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    }
}

/// The two async shapes of a mode.
#[derive(Clone, Copy)]
enum Shape {
    Sequential,
    Fanout,
}

/// Runs one batch on `rt`. The batch runs in a spawned task, as in a
/// service, not in `block_on`'s own future (which on a multi-thread runtime
/// would be polled off the worker).
fn run_async(rt: &Runtime, sides: &Async, shape: Shape, raw: bool, calls: usize) {
    let sides = sides.clone();
    rt.block_on(async move {
        tokio::spawn(async move {
            match shape {
                Shape::Sequential => sides.sequential(raw, calls).await,
                Shape::Fanout => sides.fanout(raw, calls).await,
            }
        })
        .await
        .unwrap()
    });
}

fn blocking_fanout(sides: &Blocking, raw: bool, calls: usize) {
    std::thread::scope(|scope| {
        for _ in 0..FANOUT {
            scope.spawn(|| {
                for _ in 0..calls / FANOUT {
                    black_box(if raw { sides.raw() } else { sides.ours() });
                }
            });
        }
    });
}

/// Allocations per call of `batch` run with `calls` calls.
fn allocations_per_call(calls: usize, batch: impl FnOnce()) -> f64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    batch();
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / calls as f64
}

fn main() {
    match support::pin_to_one_cpu() {
        Some(cpu) => println!("pinned to CPU {cpu}"),
        None => println!("could not pin to one CPU; figures will be noisier"),
    }
    let measuring = support::is_bench_run();
    let rounds = env_usize("MODES_ROUNDS", if measuring { 45 } else { 1 });
    let calls = env_usize("MODES_CALLS", if measuring { 512 } else { FANOUT });
    let verbose = std::env::var_os("MODES_VERBOSE").is_some();

    let body = serde_json::to_vec(&support::response_example("get_webhook", "200")).unwrap();
    println!("response body: {} bytes", body.len());
    let server = LocalServer::start(&body);

    let blocking = Blocking {
        ours: cs_webhooks_blocking::Client::builder()
            .base_url(server.base_url())
            .api_key(API_KEY)
            .management_token(TOKEN)
            .build()
            .unwrap(),
        raw: ureq::Agent::new_with_defaults(),
        url: server.get_webhook_url(),
    };
    // One pair of clients per runtime: a reqwest client's pooled connections
    // are driven by the runtime that opened them.
    let sides = Async::new(&server);
    let multi_sides = Async::new(&server);
    // Both sides reach the same endpoint and get the same answer.
    assert_eq!(blocking.ours(), blocking.raw());

    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(
        current.block_on(sides.ours()),
        current.block_on(sides.raw())
    );

    type Batch<'a> = Box<dyn Fn(bool) + 'a>;
    let modes: Vec<(&str, Batch)> = vec![
        (
            "blocking (ureq), sequential",
            Box::new(|raw| {
                for _ in 0..calls {
                    black_box(if raw { blocking.raw() } else { blocking.ours() });
                }
            }),
        ),
        (
            "blocking, 16 threads sharing one client",
            Box::new(|raw| blocking_fanout(&blocking, raw, calls)),
        ),
        (
            "async (reqwest), current_thread, sequential",
            Box::new(|raw| run_async(&current, &sides, Shape::Sequential, raw, calls)),
        ),
        (
            "async, current_thread, 16 tasks",
            Box::new(|raw| run_async(&current, &sides, Shape::Fanout, raw, calls)),
        ),
        (
            "async, multi_thread 1 worker, sequential",
            Box::new(|raw| run_async(&multi, &multi_sides, Shape::Sequential, raw, calls)),
        ),
        (
            "async, multi_thread 1 worker, 16 tasks",
            Box::new(|raw| run_async(&multi, &multi_sides, Shape::Fanout, raw, calls)),
        ),
    ];

    println!(
        "{rounds} rounds of {calls} calls per side per mode, order alternating; \
         throughput ours ÷ raw = median of per-round (raw time / our time)"
    );
    println!(
        "| mode | ours ÷ raw (wall) | ours ÷ raw (CPU) | allocs/call ours | allocs/call raw |"
    );
    println!("|---|---|---|---|---|");
    // `MODES_ONLY=blocking` runs the modes whose name contains it (for a profile).
    let only = std::env::var("MODES_ONLY").unwrap_or_default();
    // `MODES_PROFILE=ours` (or `raw`) runs that side alone, for a profile of
    // one side: no ratio is printed.
    let profile = std::env::var("MODES_PROFILE").ok();
    for (name, batch) in modes.iter().filter(|(name, _)| name.contains(&only)) {
        if let Some(side) = &profile {
            let raw = side == "raw";
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                batch(raw);
            }
            let per_call = start.elapsed() / (rounds * calls) as u32;
            println!("{name}: {side} alone, {per_call:?} per call");
            continue;
        }
        // Warm up both sides: connections opened, pools filled.
        batch(false);
        batch(true);
        let ours_allocs = allocations_per_call(calls, || batch(false));
        let raw_allocs = allocations_per_call(calls, || batch(true));
        let ab = support::interleaved(rounds, 1, || batch(false), || batch(true));
        println!(
            "| {name} | {:.3}× | {:.3}× | {ours_allocs:.1} | {raw_allocs:.1} |",
            1.0 / ab.wall_ratio,
            1.0 / ab.cpu_ratio
        );
        if verbose {
            println!(
                "  {name}: one iteration = one batch of {calls} calls, A = ours, B = raw: {ab}"
            );
        }
    }
    println!(
        "server: {} requests on {} TCP connections",
        server.served(),
        server.accepted()
    );
}
