//! Shared by the benches: a tiny keep-alive HTTP/1.1 server on 127.0.0.1 that
//! answers every request with one fixed JSON body, the spec's samples, and an
//! interleaved A/B timer (robust to the load of a shared machine).
//!
//! One file: the async crate's benches include it by path
//! (`#[path = "../../blocking/benches/support/mod.rs"]`).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The webhook uid every bench asks for (plain: no escaping needed).
pub const UID: &str = "cs2642bec9-c336-4da1-8aad-fded56c7d50e";
/// The `api_key` header.
pub const API_KEY: &str = "blt0123456789abcdef";
/// The management token (`authorization` header).
pub const TOKEN: &str = "cs0123456789abcdef0123456789abcdef";

/// A keep-alive HTTP/1.1 server on 127.0.0.1: one thread per connection,
/// every request answered `200` with the same body. It lives as long as the
/// bench process; it counts the connections it accepted and the requests it served.
pub struct LocalServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
}

impl LocalServer {
    /// Binds 127.0.0.1 on a free port and starts answering with `body`.
    pub fn start(body: &[u8]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(body);
        let response: Arc<[u8]> = response.into();
        let accepted = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        {
            let accepted = accepted.clone();
            let served = served.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let response = response.clone();
                    let served = served.clone();
                    std::thread::spawn(move || serve(stream, &response, &served));
                }
            });
        }
        LocalServer {
            addr,
            accepted,
            served,
        }
    }

    /// The API base URL on this server (`http://127.0.0.1:PORT/v3`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v3", self.addr)
    }

    /// The URL `get_webhook(UID)` requests.
    pub fn get_webhook_url(&self) -> String {
        format!("{}/webhooks/{UID}", self.base_url())
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Requests answered so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

/// Answers requests on one connection until the client closes it.
fn serve(stream: TcpStream, response: &[u8], served: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        // The request line and headers, up to the blank line.
        let mut content_length = 0u64;
        let mut seen_any = false;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line.trim_end().is_empty() {
                if seen_any {
                    break;
                }
                continue;
            }
            seen_any = true;
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        // Skip a request body, if any.
        if std::io::copy(
            &mut (&mut reader).take(content_length),
            &mut std::io::sink(),
        )
        .is_err()
        {
            return;
        }
        if writer.write_all(response).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::SeqCst);
    }
}

/// The spec (`openapi/webhooks.yaml` at the workspace root) as JSON.
pub fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/webhooks.yaml");
    let text = std::fs::read_to_string(path).expect("read openapi/webhooks.yaml");
    serde_yaml::from_str(&text).expect("parse openapi/webhooks.yaml")
}

/// The JSON example of `operation_id`'s `status` response in the spec.
pub fn response_example(operation_id: &str, status: &str) -> Value {
    let spec = spec();
    let paths = spec["paths"].as_object().expect("paths");
    for item in paths.values() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for operation in item.values() {
            if operation["operationId"] == operation_id {
                let example =
                    &operation["responses"][status]["content"]["application/json"]["example"];
                assert!(!example.is_null(), "{operation_id} {status} has no example");
                return example.clone();
            }
        }
    }
    panic!("no operation {operation_id} in the spec")
}

/// Whether this is a measuring run (`cargo bench`), not a `--test` smoke
/// run, a `--list` or a `--profile-time` run.
pub fn is_bench_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// Pins the calling thread, and so every thread it starts afterwards, to the
/// last CPU it may run on; returns that CPU. Call first thing in `main`.
///
/// With client and server threads on one CPU a call's wall time is the CPU
/// work of both sides. Unpinned, the scheduler puts each connection's
/// server thread on the client's CPU or on the other one, and a cross-CPU
/// wake-up on this VM costs so much (a call takes ~25 µs or ~100 µs
/// depending on placement, for the same code) that it hides the client's
/// own cost and makes two connections incomparable.
pub fn pin_to_one_cpu() -> Option<usize> {
    // SAFETY: plain libc calls on zero-initialised, correctly sized cpu_set_t
    // values owned by this function.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return None;
        }
        let cpu = (0..libc::CPU_SETSIZE as usize)
            .rev()
            .find(|&cpu| libc::CPU_ISSET(cpu, &allowed))?;
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut one);
        (libc::sched_setaffinity(0, size, &one) == 0).then_some(cpu)
    }
}

/// The CPU time of the whole process so far (every thread, the server's and
/// exited ones included): unlike wall time, it does not grow while other
/// work on a shared machine holds the cores.
pub fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// One side's medians in an interleaved A/B measurement.
pub struct Side {
    /// Median wall time per iteration.
    pub wall: Duration,
    /// Median process CPU time per iteration (client, runtime and server threads).
    pub cpu: Duration,
}

/// The result of an interleaved A/B measurement.
pub struct AbResult {
    /// Side A.
    pub a: Side,
    /// Side B.
    pub b: Side,
    /// Median of the per-round wall-time ratios A / B.
    pub wall_ratio: f64,
    /// Median of the per-round CPU-time ratios A / B.
    pub cpu_ratio: f64,
    /// Rounds run.
    pub rounds: usize,
    /// Iterations of each side per round.
    pub calls: usize,
}

impl std::fmt::Display for AbResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        write!(
            f,
            "wall: A {:.1} µs, B {:.1} µs, A/B = {:.3}×; CPU: A {:.1} µs, B {:.1} µs, A/B = {:.3}× \
             (per iteration; medians of {} rounds of {} iterations each, order alternating)",
            us(self.a.wall),
            us(self.b.wall),
            self.wall_ratio,
            us(self.a.cpu),
            us(self.b.cpu),
            self.cpu_ratio,
            self.rounds,
            self.calls
        )
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Times `calls` iterations of `a` then of `b` (then `b` before `a` in the next
/// round, and so on) for `rounds` rounds, in wall and in process CPU time:
/// drifts in the machine's load hit both sides alike, which one long run
/// after the other does not guarantee.
pub fn interleaved(
    rounds: usize,
    calls: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> AbResult {
    let time = |f: &mut dyn FnMut()| {
        let (wall, cpu) = (Instant::now(), process_cpu_time());
        for _ in 0..calls {
            f();
        }
        let cpu = process_cpu_time().saturating_sub(cpu);
        (
            wall.elapsed().as_secs_f64() / calls as f64,
            cpu.as_secs_f64() / calls as f64,
        )
    };
    let mut samples: [Vec<f64>; 6] = Default::default();
    for round in 0..rounds {
        let (ta, tb) = if round.is_multiple_of(2) {
            let ta = time(&mut a);
            (ta, time(&mut b))
        } else {
            let tb = time(&mut b);
            (time(&mut a), tb)
        };
        for (i, value) in [ta.0, tb.0, ta.0 / tb.0, ta.1, tb.1, ta.1 / tb.1]
            .into_iter()
            .enumerate()
        {
            samples[i].push(value);
        }
    }
    let [a_wall, b_wall, wall_ratio, a_cpu, b_cpu, cpu_ratio] = samples.map(|mut v| median(&mut v));
    AbResult {
        a: Side {
            wall: Duration::from_secs_f64(a_wall),
            cpu: Duration::from_secs_f64(a_cpu),
        },
        b: Side {
            wall: Duration::from_secs_f64(b_wall),
            cpu: Duration::from_secs_f64(b_cpu),
        },
        wall_ratio,
        cpu_ratio,
        rounds,
        calls,
    }
}
