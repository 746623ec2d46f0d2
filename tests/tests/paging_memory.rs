//! Walking 10,000 executions with `list_executions(..).items()` keeps at most
//! two pages in memory, on both clients.
//!
//! A counting global allocator tracks the bytes live in the whole process
//! (client, runtime and server threads) and their peak. The server on
//! 127.0.0.1 renders all its pages before the walk starts, so during the walk
//! it only allocates a few bytes per request. One page's worth is measured,
//! not assumed: the peak while one page of 100 is fetched and decoded. The
//! walk's peak above its starting point must stay within two of those; a
//! walk that kept every record would need about a hundred.
//!
//! `cargo test -p cs-webhooks-tests --test paging_memory -- --nocapture`
//! prints the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cs_webhooks_tests::clients::{API_KEY, TOKEN, async_at, blocking_at};
use cs_webhooks_tests::response_example;
use futures_util::TryStreamExt as _;
use serde_json::Value;

/// Counts the bytes live and their peak since the last [`reset_peak`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards every call unchanged to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Starts a peak measurement: returns the bytes live now.
fn reset_peak() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// The peak since `reset_peak` returned `start`, above `start`.
fn peak_above(start: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(start)
}

const TOTAL: usize = 10_000;
const PAGE: usize = 100;
const WEBHOOK: &str = "cs2642bec9-c336-4da1-8aad-fded56c7d50e";

/// Serves `GET …/executions?skip=S&limit=100` from pages rendered up front
/// (an empty page past the end), on keep-alive connections.
struct PageServer {
    addr: SocketAddr,
    page_body_bytes: usize,
}

impl PageServer {
    fn start() -> Self {
        let example = response_example("list_executions", "200");
        let sample = example["webhooks"][0].clone();
        let pages: Vec<Vec<u8>> = (0..=TOTAL / PAGE)
            .map(|page| {
                let records: Vec<Value> = (page * PAGE..TOTAL.min((page + 1) * PAGE))
                    .map(|i| {
                        let mut record = sample.clone();
                        record["uid"] = Value::from(format!("execution-{i:05}"));
                        record
                    })
                    .collect();
                let body = serde_json::to_vec(&serde_json::json!({ "webhooks": records }))
                    .expect("render a page");
                let mut response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                response.extend_from_slice(&body);
                response
            })
            .collect();
        let page_body_bytes = pages[0].len();
        let pages = Arc::new(pages);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let pages = pages.clone();
                std::thread::spawn(move || serve(stream, &pages));
            }
        });
        PageServer {
            addr,
            page_body_bytes,
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}/v3", self.addr)
    }
}

/// The page a request target asks for: `skip` a multiple of the page size
/// and `limit` the page size, or None.
fn page_index(target: &str) -> Option<usize> {
    let (path, query) = target.split_once('?')?;
    if path != format!("/v3/webhooks/{WEBHOOK}/executions") {
        return None;
    }
    let mut skip = None;
    let mut limit = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("skip", v)) => skip = v.parse::<usize>().ok(),
            Some(("limit", v)) => limit = v.parse::<usize>().ok(),
            _ => {}
        }
    }
    let skip = skip.unwrap_or(0);
    (limit == Some(PAGE) && skip.is_multiple_of(PAGE)).then_some(skip / PAGE)
}

fn serve(stream: TcpStream, pages: &[Vec<u8>]) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_string();
        // The headers, up to the blank line (a GET has no body).
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) if header.trim_end().is_empty() => break,
                Ok(_) => {}
            }
        }
        let written = match page_index(&target).and_then(|i| pages.get(i)) {
            Some(page) => writer.write_all(page),
            None => writer.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
        };
        if written.is_err() {
            return;
        }
    }
}

/// Checks a walk's records: all of them, in order.
struct Tally {
    seen: usize,
}

impl Tally {
    fn record(&mut self, uid: &str) {
        assert_eq!(uid, format!("execution-{:05}", self.seen));
        self.seen += 1;
    }
}

#[test]
fn a_walk_over_10000_executions_keeps_at_most_two_pages_in_memory() {
    let server = PageServer::start();
    let blocking = blocking_at(&server.base_url(), API_KEY, TOKEN);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let asynchronous = async_at(&server.base_url(), API_KEY, TOKEN);
    // Connections, pools and lazily made statics exist before measuring.
    blocking
        .list_executions(WEBHOOK)
        .limit(PAGE as u32)
        .send()
        .expect("warm-up page");
    rt.block_on(
        asynchronous
            .list_executions(WEBHOOK)
            .limit(PAGE as u32)
            .send(),
    )
    .expect("warm-up page");

    let start = reset_peak();
    let page = blocking
        .list_executions(WEBHOOK)
        .limit(PAGE as u32)
        .send()
        .expect("one page");
    let one_page = peak_above(start);
    assert_eq!(page.webhooks.len(), PAGE);
    drop(page);

    let start = reset_peak();
    let mut tally = Tally { seen: 0 };
    for execution in blocking.list_executions(WEBHOOK).items() {
        tally.record(&execution.expect("an execution").uid);
    }
    let blocking_peak = peak_above(start);
    assert_eq!(tally.seen, TOTAL);

    let start = reset_peak();
    let mut tally = Tally { seen: 0 };
    rt.block_on(async {
        let items = asynchronous.list_executions(WEBHOOK).items();
        futures_util::pin_mut!(items);
        while let Some(execution) = items.try_next().await.expect("an execution") {
            tally.record(&execution.uid);
        }
    });
    let async_peak = peak_above(start);
    assert_eq!(tally.seen, TOTAL);

    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "one page of {PAGE}: {:.2} MiB on the wire, {:.2} MiB peak to fetch and decode; \
         walk of {TOTAL}: blocking peak {:.2} MiB, async peak {:.2} MiB",
        mib(server.page_body_bytes),
        mib(one_page),
        mib(blocking_peak),
        mib(async_peak)
    );
    for (client, peak) in [("blocking", blocking_peak), ("async", async_peak)] {
        assert!(
            peak <= 2 * one_page,
            "the {client} walk peaked at {peak} bytes above its start, over two pages' worth ({one_page} each)"
        );
    }
}
