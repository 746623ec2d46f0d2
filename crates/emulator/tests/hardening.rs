//! Hardening: executions keep their destination by identity, `*.localhost`
//! names resolve to loopback without DNS, big numbers in event data stay
//! exact, passwords in target URLs are masked, webhook names are bounded.

mod common;

use std::time::Duration;

use common::{Api, Receiver, settle, start, wait_for, webhook};
use reqwest::Method;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

fn destination(url: &str) -> Value {
    json!({"target_url": url, "authentication_type": "None"})
}

/// The uid of the execution whose first attempt went to `url`.
fn execution_for(executions: &[Value], url: &str) -> String {
    executions
        .iter()
        .find(|e| e["request_details"][0]["request"]["uri"] == url)
        .and_then(|e| e["uid"].as_str())
        .unwrap_or_else(|| panic!("no execution for {url}: {executions:?}"))
        .to_owned()
}

#[tokio::test]
async fn a_retry_reaches_the_original_destination_after_reorder_and_fails_after_removal() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    receiver.default_status(500);
    let (a, b) = (receiver.url("/a"), receiver.url("/b"));
    let mut w = webhook("Two destinations", &a, &["assets.create"]);
    w["destinations"] = json!([destination(&a), destination(&b)]);
    let uid = api.create(w.clone()).await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    let executions = api.executions(&uid).await;
    assert_eq!(executions.len(), 2);
    let for_a = execution_for(&executions, &a);
    assert_eq!(
        (receiver.got_on("/a").len(), receiver.got_on("/b").len()),
        (1, 1)
    );

    // Reordered: index 0 is now /b, but the execution belongs to /a.
    w["destinations"] = json!([destination(&b), destination(&a)]);
    let put = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": w}))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    receiver.default_status(200);
    let retry_path = format!("/webhooks/{for_a}/retry");
    let retry = || api.send(api.req(Method::POST, &retry_path));
    assert_eq!(retry().await.status, 200);
    wait_for("the retry to /a", WAIT, || async {
        receiver.got_on("/a").len() == 2
    })
    .await;
    settle(&emulator).await;
    assert_eq!(receiver.got_on("/b").len(), 1, "the retry never went to /b");
    let log = api.get(&format!("/webhooks/{for_a}/logs")).await;
    assert_eq!(log.body["webhook"]["status"], 200, "{}", log.body);
    assert_eq!(log.body["webhook"]["request_details"]["request"]["uri"], a);

    // Removed: /b took its place at every index, yet nothing is sent.
    w["destinations"] = json!([destination(&b)]);
    let put = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": w}))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(retry().await.status, 200);
    wait_for("the retry to be recorded", WAIT, || async {
        let log = api.get(&format!("/webhooks/{for_a}/logs")).await;
        log.body["webhook"]["retry_count"] == 2
    })
    .await;
    settle(&emulator).await;
    let log = api.get(&format!("/webhooks/{for_a}/logs")).await;
    let last = &log.body["webhook"]["request_details"];
    assert_eq!(last["response"]["code"], "EDESTINATIONREMOVED", "{last}");
    assert_eq!(log.body["webhook"]["status"], Value::Null);
    assert_eq!(
        (receiver.got_on("/a").len(), receiver.got_on("/b").len()),
        (2, 1),
        "nothing was sent for a removed destination"
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn deliveries_to_localhost_names_reach_loopback() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let port = receiver.addr.port();
    let urls = [
        format!("http://hooks.localhost:{port}/sub"),
        format!("http://localhost.:{port}/dot"),
        format!("http://Deep.Name.LOCALHOST.:{port}/deep"),
    ];
    let mut w = webhook("Localhost names", &urls[0], &["assets.create"]);
    w["destinations"] = Value::Array(urls.iter().map(|u| destination(u)).collect());
    let uid = api.create(w).await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    for path in ["/sub", "/dot", "/deep"] {
        assert_eq!(receiver.got_on(path).len(), 1, "{path}");
    }
    for e in api.executions(&uid).await {
        assert_eq!(e["status"], 200, "{e}");
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn event_data_keeps_big_integers_and_long_decimals_exactly() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let uid = api
        .create(webhook(
            "Exact",
            &receiver.url("/exact"),
            &["assets.create"],
        ))
        .await;
    let numbers = [
        "123456789012345678901234567890",
        "-98765432109876543210",
        "0.1234567890123456789012345",
        "1.5e300",
    ];
    let event = format!(
        r#"{{"module": "asset", "event": "create", "data": {{"asset": {{"uid": "a1",
            "size": {}, "delta": {}, "ratio": {}, "huge": {}, "plain": 42}}}}}}"#,
        numbers[0], numbers[1], numbers[2], numbers[3]
    );
    let fired = api
        .send(
            api.req(Method::POST, "/_emulator/events")
                .header("content-type", "application/json")
                .body(event),
        )
        .await;
    assert_eq!(fired.status, 202, "{}", fired.body);
    settle(&emulator).await;
    let delivered = String::from_utf8_lossy(&receiver.got_on("/exact")[0].body).into_owned();
    let executions = api.get(&format!("/webhooks/{uid}/executions")).await;
    let execution = executions.body["webhooks"][0]["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let log = api.get(&format!("/webhooks/{execution}/logs")).await;
    for (what, raw) in [
        ("the fire answer", fired.raw),
        ("the delivery", delivered.into_bytes()),
        ("the executions list", executions.raw),
        ("the execution log", log.raw),
    ] {
        let text = String::from_utf8_lossy(&raw);
        for (key, n) in ["size", "delta", "ratio", "huge"].iter().zip(numbers) {
            let member = format!("\"{key}\":{n}");
            assert!(text.contains(&member), "{what} has {member}: {text}");
        }
        assert!(text.contains("\"plain\":42"), "{what}");
        assert!(!text.contains("exact-number"), "{what} shows no marker");
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_password_in_a_target_url_is_masked_and_kept_on_update() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let port = receiver.addr.port();
    let clear = format!("http://hook-user:s3cret-pw@127.0.0.1:{port}/auth");
    let shown = format!("http://hook-user:********@127.0.0.1:{port}/auth");
    let created = api
        .post_json(
            "/webhooks",
            &json!({"webhook": webhook("Password in URL", &clear, &["assets.create"])}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let uid = created.body["webhook"]["uid"].as_str().unwrap().to_owned();
    let read = api.get(&format!("/webhooks/{uid}")).await;
    for (what, raw) in [("create", &created.raw), ("read", &read.raw)] {
        let text = String::from_utf8_lossy(raw);
        assert!(!text.contains("s3cret-pw"), "{what}: {text}");
    }
    assert_eq!(read.body["webhook"]["destinations"][0]["target_url"], shown);

    // The document as read, sent back: the stored password is kept.
    let mut doc = read.body["webhook"].clone();
    doc["name"] = json!("Password in URL, renamed");
    let updated = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": doc}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    let got = receiver.got_on("/auth");
    assert_eq!(got.len(), 1);
    let basic = got[0]
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "hook-user:s3cret-pw"
        )
    );
    assert_eq!(
        basic, expected,
        "the kept password is the one delivered with"
    );
    let executions = api.get(&format!("/webhooks/{uid}/executions")).await;
    let text = String::from_utf8_lossy(&executions.raw);
    assert!(!text.contains("s3cret-pw"), "execution records: {text}");
    assert!(text.contains(&shown), "{text}");

    // A masked password with none stored to keep is refused.
    let other = api
        .post_json(
            "/webhooks",
            &json!({"webhook": webhook("Masked only", &shown, &["assets.create"])}),
        )
        .await;
    common::assert_error(&other, 422, 344, "destinations[0].target_url");
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_webhook_name_over_255_characters_is_refused_with_a_422_naming_it() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let longest = "é".repeat(255);
    let ok = api
        .post_json(
            "/webhooks",
            &json!({"webhook": webhook(&longest, "http://127.0.0.1:9/", &["assets.create"])}),
        )
        .await;
    assert_eq!(ok.status, 201, "255 characters are fine: {}", ok.body);
    let too_long = format!("{longest}x");
    let refused = api
        .post_json(
            "/webhooks",
            &json!({"webhook": webhook(&too_long, "http://127.0.0.1:9/", &["assets.create"])}),
        )
        .await;
    common::assert_error(&refused, 422, 344, "name");
    let message = refused.body["errors"]["name"][0]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("255"), "{message}");
    emulator.shutdown().await.unwrap();
}
