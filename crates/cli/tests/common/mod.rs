//! Shared by the CLI tests: one embedded emulator per test binary, the CLI
//! run as a real process, and a tiny destination server.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use cs_webhooks_emulator::{Emulator, EmulatorHandle};

pub const API_KEY: &str = "blt00000000000000cli";
pub const TOKEN: &str = "cs-cli-test-management-token";
pub const HMAC_SECRET: &str = "cli-test-org-secret";
/// A stack only one test writes to, so its lists are exact.
pub const QUIET_API_KEY: &str = "blt0000000000000quiet";
pub const QUIET_TOKEN: &str = "cs-cli-test-quiet-stack-token";

/// The emulator shared by every test of one file.
pub struct SharedEmulator {
    pub handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
}

/// Starts the file's emulator on first use.
pub fn emulator() -> &'static SharedEmulator {
    static EMULATOR: OnceLock<SharedEmulator> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let handle = runtime
            .block_on(
                Emulator::builder()
                    .stack(API_KEY, TOKEN)
                    .stack(QUIET_API_KEY, QUIET_TOKEN)
                    .hmac_secret(API_KEY, HMAC_SECRET)
                    .time_scale(0.001)
                    .start(),
            )
            .expect("the emulator starts");
        SharedEmulator {
            handle,
            _runtime: runtime,
        }
    })
}

/// The CLI with a clean environment pointing at the shared emulator.
pub fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cs-webhooks"));
    for var in [
        "CONTENTSTACK_API_KEY",
        "CONTENTSTACK_MANAGEMENT_TOKEN",
        "CONTENTSTACK_AUTHTOKEN",
        "CONTENTSTACK_OAUTH_TOKEN",
        "CONTENTSTACK_REGION",
        "CONTENTSTACK_BRANCH",
        "CONTENTSTACK_BASE_URL",
        "CS_WEBHOOKS_CONFIG",
    ] {
        command.env_remove(var);
    }
    command
        .env("CONTENTSTACK_API_KEY", API_KEY)
        .env("CONTENTSTACK_MANAGEMENT_TOKEN", TOKEN)
        .env("CONTENTSTACK_BASE_URL", emulator().handle.base_url())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// Runs the CLI with `args`.
pub fn run(args: &[&str]) -> Output {
    cli().args(args).output().expect("the CLI runs")
}

/// Runs the CLI and expects success; its stdout.
pub fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The stderr of an output.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One request a [`Destination`] received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A destination on 127.0.0.1 answering every POST with `status` (which
/// [`set_status`](Destination::set_status) changes: an outage, then recovery).
pub struct Destination {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Destination {
    pub fn start(status: u16) -> Destination {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let status = Arc::new(AtomicU16::new(status));
        let answer = Arc::clone(&status);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut headers = Vec::new();
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':') {
                        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                    }
                }
                let length = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                log.lock().expect("log").push(Received { headers, body });
                let mut stream = reader.into_inner();
                let status = answer.load(Ordering::SeqCst);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Destination {
            url,
            received,
            status,
        }
    }

    /// Answers every later POST with `status`.
    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }
}

/// Polls until `done` holds (the emulator delivers in the background).
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
