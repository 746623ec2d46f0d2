//! `listen` as a real process: a real delivery from the emulator is printed
//! as verified and forwarded; the same delivery with one byte changed gets
//! 401 and is printed as rejected; a port in use is a clear error.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Destination, HMAC_SECRET, emulator, ok, stderr};
use serde_json::json;

/// The child is killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's pipe, read on a thread.
fn lines(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next_line(rx: &mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("no line for {what}: {e}"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// POSTs `body` with `headers` to 127.0.0.1:`port`; the status code.
fn post(port: u16, headers: &[(String, String)], body: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut request =
        format!("POST /hook HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n");
    for (name, value) in headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    request.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line")
}

#[test]
fn a_real_delivery_verifies_and_an_altered_replay_is_rejected() {
    let app = Destination::start(200);
    let port = free_port();
    let keys = format!(
        "{}/.well-known/public-keys.json",
        emulator().handle.root_url()
    );
    let mut child = common::cli()
        .args(["listen", "--port", &port.to_string(), "--public-key", &keys])
        .args(["--hmac-secret", HMAC_SECRET, "--forward-to", &app.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("listen starts");
    let out = lines(child.stdout.take().expect("stdout"));
    let err = lines(child.stderr.take().expect("stderr"));
    let _running = Running(child);
    let ready = next_line(&err, "the ready line");
    assert!(ready.contains("ready on http://127.0.0.1:"), "{ready}");

    let file = std::env::temp_dir().join(format!("cs-webhooks-listen-{}.json", std::process::id()));
    std::fs::write(
        &file,
        json!({"name": "To listen", "channels": ["assets.create"],
               "destinations": [{"target_url": format!("http://127.0.0.1:{port}/hook")}]})
        .to_string(),
    )
    .expect("file");
    ok(&[
        "webhooks",
        "create",
        "--from-file",
        file.to_str().expect("path"),
    ]);
    ok(&["trigger", "asset.create"]);

    let line = next_line(&out, "the delivery");
    assert!(line.contains("asset.create"), "{line}");
    assert!(line.contains("verified=rsa,hmac"), "{line}");
    assert!(line.contains("→ forwarded 200"), "{line}");
    let forwarded = app.received();
    assert_eq!(forwarded.len(), 1);
    let original = &forwarded[0];
    assert!(
        original
            .headers
            .iter()
            .any(|(k, _)| k == "x-contentstack-request-signature")
    );

    let mut altered = original.body.clone();
    let at = altered.len() / 2;
    altered[at] = if altered[at] == b'a' { b'b' } else { b'a' };
    assert_eq!(post(port, &original.headers, &altered), 401);
    let line = next_line(&out, "the rejection");
    assert!(
        line.contains("rejected") && line.ends_with("→ 401"),
        "{line}"
    );
    assert_eq!(
        app.received().len(),
        1,
        "a rejected delivery is not forwarded"
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let output = common::cli()
        .args(["listen", "--port", &port, "--hmac-secret", "s"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot listen on 127.0.0.1:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn listen_without_a_key_or_secret_is_a_usage_error() {
    let output = common::cli()
        .args(["listen", "--port", "1"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--public-key"),
        "{}",
        stderr(&output)
    );
}
