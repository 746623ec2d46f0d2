//! Durability: state in the data file survives restarts, a scheduled retry
//! survives `kill -9` and runs once, and a burst interrupted by `kill -9` is
//! neither lost nor delivered twice without a retry; with retries (automatic,
//! or an operator's for `manual`) every event arrives at least once, with no
//! more duplicates than attempts the kill interrupted.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{API_KEY, Api, Receiver, TOKEN, entry_update, settle, wait_for, webhook};
use cs_webhooks_emulator::{Emulator, Error};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_restart_keeps_webhooks_executions_stacks_and_key() {
    let dir = common::TempDir::new();
    let data = dir.join("state.db");
    let receiver = Receiver::start().await;
    let first = common::builder().data_file(&data).start().await.unwrap();
    let key = first.signing_key().public_key_pem().to_owned();
    let api = Api::new(&first);
    let uid = api
        .create(webhook("Kept", &receiver.url("/"), &["assets.create"]))
        .await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&first).await;
    first.shutdown().await.unwrap();

    // No stack and no key given: both come from the file.
    common::install_crypto();
    let second = Emulator::builder().data_file(&data).start().await.unwrap();
    assert_eq!(second.signing_key().public_key_pem(), key);
    let stacks = second.stacks();
    assert_eq!(stacks.len(), 1);
    assert_eq!(stacks[0].api_key, API_KEY);
    assert_eq!(stacks[0].token.expose(), TOKEN);
    assert_eq!(stacks[0].branches, ["main", "dev"]);
    let api = Api::new(&second);
    assert_eq!(api.get(&format!("/webhooks/{uid}")).await.status, 200);
    let executions = api.executions(&uid).await;
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0]["status"], 200);
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_second_emulator_cannot_open_the_same_data_file() {
    let dir = common::TempDir::new();
    let data = dir.join("locked.db");
    let first = common::builder().data_file(&data).start().await.unwrap();
    let second = common::builder().data_file(&data).start().await;
    assert!(matches!(second, Err(Error::Store(_))), "{second:?}");
    first.shutdown().await.unwrap();
}

/// The emulator binary, killed with SIGKILL when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    fn start(data: &std::path::Path, time_scale: &str) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cs-webhooks-emulator"))
            .args(["--listen", "127.0.0.1:0", "--stack"])
            .arg(format!("{API_KEY}={TOKEN}"))
            .arg("--data")
            .arg(data)
            .args(["--time-scale", time_scale])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("the ready line");
        // Keep reading so the emulator never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = line
            .split("API base URL ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("no base URL in {line:?}"))
            .to_owned();
        Process { child, base }
    }

    /// `kill -9`: no chance to finish anything.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    fn api(&self) -> Api {
        let root = self.base.trim_end_matches("/v3").to_owned();
        Api {
            base: self.base.clone(),
            root,
            http: common::client(),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_scheduled_retry_survives_kill_9_and_runs_once() {
    let dir = common::TempDir::new();
    let data = dir.join("kill.db");
    let receiver = Receiver::start().await;
    receiver.script(&[(500, "first attempt fails")]);
    // Scale 0.6: the first retry is due 3 s after the failure, time enough
    // to kill the emulator before it runs.
    let process = Process::start(&data, "0.6");
    let api = process.api();
    let mut w = webhook("Retry me", &receiver.url("/hook"), &["assets.create"]);
    w["retry_policy"] = json!("automatic");
    let uid = api.create(w).await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    wait_for("the failed first attempt to be recorded", WAIT, || async {
        api.executions(&uid)
            .await
            .first()
            .is_some_and(|e| e["status"] == 500)
    })
    .await;
    process.kill();
    assert_eq!(receiver.count(), 1);

    let process = Process::start(&data, "0.6");
    let api = process.api();
    wait_for("the retry after the restart", WAIT, || async {
        api.executions(&uid)
            .await
            .first()
            .is_some_and(|e| e["status"] == 200)
    })
    .await;
    // Give a duplicate every chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.count(), 2, "delivered once after the restart");
    let e = &api.executions(&uid).await[0];
    assert_eq!(e["retry_count"], 1);
    let numbers: Vec<i64> = e["request_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["retry_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [0, 1]);
    drop(process);
}

/// A burst of entry updates cut short by `kill -9` while the receiver is
/// slow to answer, and the emulator restarted on the same data file.
struct Burst {
    _dir: common::TempDir,
    /// The restarted emulator, killed when the burst is dropped.
    _process: Process,
    api: Api,
    receiver: Receiver,
    uid: String,
    /// Deliveries the receiver had seen when the emulator was killed.
    before: usize,
}

const EVENTS: usize = 150;

impl Burst {
    async fn run(retry_policy: &str) -> Burst {
        let dir = common::TempDir::new();
        let data = dir.join("burst.db");
        let receiver = Receiver::start().await;
        // Slow answers keep deliveries queued and in flight when the kill comes.
        receiver.delay(Duration::from_secs(1));
        let process = Process::start(&data, "0.001");
        let api = process.api();
        let mut w = webhook(
            "Burst",
            &receiver.url("/burst"),
            &["content_types.entries.update"],
        );
        w["retry_policy"] = json!(retry_policy);
        let uid = api.create(w).await;
        for i in 0..EVENTS {
            api.fire(entry_update("blog", &format!("e{i}"))).await;
        }
        process.kill();
        let before = receiver.count();
        assert!(
            before < EVENTS,
            "the kill came before the burst was delivered ({before} of {EVENTS})"
        );
        receiver.delay(Duration::ZERO);
        let process = Process::start(&data, "0.001");
        let api = process.api();
        Burst {
            _dir: dir,
            _process: process,
            api,
            receiver,
            uid,
            before,
        }
    }

    async fn executions(&self) -> Vec<Value> {
        let mut all = Vec::new();
        for skip in (0..EVENTS).step_by(100) {
            let page = self
                .api
                .get(&format!(
                    "/webhooks/{}/executions?skip={skip}&limit=100",
                    self.uid
                ))
                .await;
            all.extend(
                page.body["webhooks"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        all
    }

    /// Waits until every execution satisfies `done`, then a little longer
    /// so that a late duplicate would be seen.
    async fn wait_until(&self, what: &str, done: impl Fn(&Value) -> bool) {
        wait_for(what, WAIT, || async {
            let all = self.executions().await;
            all.len() == EVENTS && all.iter().all(&done)
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// How many times the receiver got each entry.
    fn received(&self) -> HashMap<String, usize> {
        let mut received: HashMap<String, usize> = HashMap::new();
        for got in self.receiver.got() {
            let uid = got.json()["data"]["entry"]["uid"]
                .as_str()
                .unwrap()
                .to_owned();
            *received.entry(uid).or_default() += 1;
        }
        received
    }

    /// Asserts the at-least-once contract: every event arrived, and the
    /// deliveries beyond one per event are no more than the attempts the
    /// kill interrupted (each may or may not have arrived before it).
    fn assert_at_least_once(&self, interrupted: usize) {
        let received = self.received();
        let missing: Vec<_> = (0..EVENTS)
            .map(|i| format!("e{i}"))
            .filter(|e| !received.contains_key(e))
            .collect();
        assert!(missing.is_empty(), "never delivered: {missing:?}");
        let duplicates: usize = received.values().map(|n| n - 1).sum();
        eprintln!(
            "at-least-once: {EVENTS} events, {} delivered before the kill, {interrupted} \
             interrupted attempts, {duplicates} duplicate deliveries",
            self.before
        );
        assert!(
            duplicates <= interrupted,
            "{duplicates} duplicates for {interrupted} interrupted attempts"
        );
    }
}

fn has_attempt(e: &Value) -> bool {
    !e["request_details"].as_array().is_none_or(Vec::is_empty)
}

fn code_of(detail: &Value) -> Option<&str> {
    detail["response"]["code"].as_str()
}

#[tokio::test]
async fn a_burst_interrupted_by_kill_9_is_neither_lost_nor_doubled() {
    let burst = Burst::run("manual").await;
    burst
        .wait_until("every execution to have its attempt", has_attempt)
        .await;

    let received = burst.received();
    let doubled: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "delivered twice: {doubled:?}");
    let mut delivered = 0;
    let mut interrupted = Vec::new();
    for e in burst.executions().await {
        let details = e["request_details"].as_array().unwrap();
        assert_eq!(details.len(), 1, "manual policy: one attempt each: {e}");
        let entry = e["event_data"]["data"]["entry"]["uid"].as_str().unwrap();
        match code_of(&details[0]) {
            None => {
                assert_eq!(e["status"], 200);
                assert_eq!(
                    received.get(entry),
                    Some(&1),
                    "{entry} recorded as delivered"
                );
                delivered += 1;
            }
            Some("EINTERRUPTED") => {
                assert_eq!(e["status"], Value::Null);
                interrupted.push(e["uid"].as_str().unwrap().to_owned());
            }
            Some(other) => panic!("unexpected outcome {other}: {e}"),
        }
    }
    assert_eq!(delivered + interrupted.len(), EVENTS);
    burst
        .assert_at_least_once_after_manual_retries(&interrupted)
        .await;
}

impl Burst {
    /// Manual policy: an interrupted attempt is failed and retryable; an
    /// operator's retry delivers it.
    async fn assert_at_least_once_after_manual_retries(&self, interrupted: &[String]) {
        for uid in interrupted {
            let rb = self
                .api
                .req(reqwest::Method::POST, &format!("/webhooks/{uid}/retry"));
            let answer = self.api.send(rb).await;
            assert_eq!(answer.status, 200, "retry {uid}: {}", answer.body);
        }
        self.wait_until("every execution to be delivered", |e| e["status"] == 200)
            .await;
        self.assert_at_least_once(interrupted.len());
    }
}

#[tokio::test]
async fn kill_9_during_automatic_deliveries_delivers_every_event_at_least_once() {
    let burst = Burst::run("automatic").await;
    burst
        .wait_until("every execution to be delivered", |e| e["status"] == 200)
        .await;
    let mut interrupted = 0;
    for e in burst.executions().await {
        let details = e["request_details"].as_array().unwrap();
        let codes: Vec<_> = details.iter().map(code_of).collect();
        let (last, earlier) = codes.split_last().unwrap();
        assert_eq!(*last, None, "the last attempt delivered: {e}");
        assert!(
            earlier.iter().all(|c| *c == Some("EINTERRUPTED")),
            "only interrupted attempts are retried here: {e}"
        );
        interrupted += earlier.len();
    }
    assert!(interrupted > 0, "the kill interrupted attempts in flight");
    burst.assert_at_least_once(interrupted);
}

#[test]
fn the_binary_explains_its_flags_and_stops_cleanly_on_sigterm() {
    let bin = env!("CARGO_BIN_EXE_cs-webhooks-emulator");
    let help = Command::new(bin).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--stack",
        "--hmac-secret",
        "--data",
        "--time-scale",
        "--allow-remote-targets",
        "--header-read-timeout",
        "--max-connections",
    ] {
        assert!(text.contains(flag), "{flag} in --help");
    }
    let bad = Command::new(bin)
        .arg("--stack")
        .arg("no-equals")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("API_KEY=VALUE"));

    // No stack given: a demo stack is made and printed.
    let mut child = Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("CONTENTSTACK_MANAGEMENT_TOKEN=") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
    }
    assert!(
        printed.contains("API base URL http://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("api_key=blt") && printed.contains("authorization=cs"),
        "{printed}"
    );
    // The credentials, pasteable into a shell.
    assert!(
        printed.contains("  export CONTENTSTACK_BASE_URL=http://127.0.0.1:")
            && printed.contains("/v3 CONTENTSTACK_API_KEY=blt")
            && printed.contains(" CONTENTSTACK_MANAGEMENT_TOKEN=cs"),
        "{printed}"
    );
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean exit on SIGTERM: {status:?}");
}
