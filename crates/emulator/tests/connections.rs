//! Client connections: a slow client is closed by the header read timeout,
//! connections over the cap are closed at once, and normal requests are
//! answered throughout. Outcomes are asserted, never durations: the waits
//! only bound a broken run.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Slow clients opened at once: a few hundred, sized for a small machine.
const SLOW_CLIENTS: usize = 300;
/// How long a broken run may hang before the test fails.
const GUARD: Duration = Duration::from_secs(60);

/// Sends a request head one header line at a time, never finishing it,
/// until the server closes the connection. Returns whether it did.
async fn trickle(mut stream: TcpStream) -> bool {
    if stream
        .write_all(b"GET / HTTP/1.1\r\nHost: emulator\r\n")
        .await
        .is_err()
    {
        return true;
    }
    let mut buf = [0u8; 1024];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                // A 408 or nothing, then the close.
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            },
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if stream.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    return true;
                }
            }
        }
    }
}

/// Whether the server closes `stream` without being sent anything.
async fn closed_unprompted(mut stream: TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(GUARD, stream.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

/// Sends `GET /` on a kept-alive connection and reads the answer's status line.
async fn get_index(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: emulator\r\n\r\n")
        .await
        .expect("the request is sent");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // The index answer is small JSON: read until its closing brace.
    while !answer.ends_with(b"}") {
        let n = tokio::time::timeout(GUARD, stream.read(&mut buf))
            .await
            .expect("an answer")
            .expect("readable");
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn slow_clients_are_closed_by_the_header_read_timeout_while_requests_are_answered() {
    let emulator = common::builder()
        .header_read_timeout(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let addr = emulator.local_addr();
    let mut slow = tokio::task::JoinSet::new();
    for _ in 0..SLOW_CLIENTS {
        let stream = TcpStream::connect(addr).await.expect("connect");
        slow.spawn(trickle(stream));
    }
    // While they trickle, a normal client is answered.
    let api = common::Api::new(&emulator);
    for _ in 0..5 {
        assert_eq!(api.get("/webhooks").await.status, 200);
    }
    let mut closed = 0;
    let all = tokio::time::timeout(GUARD, async {
        while let Some(done) = slow.join_next().await {
            if done.expect("the slow client task") {
                closed += 1;
            }
        }
    })
    .await;
    assert!(
        all.is_ok(),
        "slow clients still open: {closed} of {SLOW_CLIENTS} closed"
    );
    assert_eq!(closed, SLOW_CLIENTS);
    assert_eq!(api.get("/webhooks").await.status, 200);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once_and_open_ones_keep_being_served() {
    const CAP: usize = 8;
    let emulator = common::builder()
        .max_connections(CAP)
        .start()
        .await
        .unwrap();
    let addr = emulator.local_addr();
    let mut held = Vec::new();
    for _ in 0..CAP {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        // Answered, so the server has accepted it and counts it.
        assert!(get_index(&mut stream).await.contains("200"));
        held.push(stream);
    }
    let mut over = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let stream = TcpStream::connect(addr).await.expect("connect");
        over.spawn(closed_unprompted(stream));
    }
    while let Some(closed) = over.join_next().await {
        assert!(
            closed.expect("task"),
            "a connection over the cap was served"
        );
    }
    for stream in &mut held {
        assert!(
            get_index(stream).await.contains("200"),
            "an open connection is still served"
        );
    }
    // Freed slots serve new clients again.
    held.truncate(CAP - 2);
    let api = common::Api::new(&emulator);
    common::wait_for("a new connection to be served", GUARD, || async {
        api.req(reqwest::Method::GET, "/webhooks")
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    drop(held);
    emulator.shutdown().await.unwrap();
}
