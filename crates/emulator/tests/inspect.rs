//! The emulator's inspection routes: the circuit breaker's e-mail in the
//! mailbox, and the deliveries with their exact bytes and headers.

mod common;

use common::{Api, Receiver, assert_error, entry_update, settle, start, webhook};
use serde_json::{Value, json};

#[tokio::test]
async fn the_breaker_mails_the_notifiers_and_re_enabling_resets_it() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    receiver.default_status(503);
    let mut hook = webhook("Orders feed", &receiver.url("/x"), &["assets.create"]);
    hook["notifiers"] = json!("ops@example.com, dev@example.com");
    let uid = api.create(hook).await;
    let event = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    assert!(api.get("/_emulator/mailbox").await.body["mails"] == json!([]));
    for _ in 0..10 {
        api.fire(event.clone()).await;
        settle(&emulator).await;
    }
    let mailbox = api.get("/_emulator/mailbox").await;
    assert_eq!(mailbox.status, 200);
    let mails = mailbox.body["mails"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(mails.len(), 1, "{}", mailbox.body);
    let mail = &mails[0];
    assert_eq!(mail["to"], json!(["ops@example.com", "dev@example.com"]));
    assert_eq!(mail["webhook_uid"], uid.as_str());
    assert!(
        mail["subject"]
            .as_str()
            .is_some_and(|s| s.contains("Orders feed"))
    );
    let body = mail["body"].as_str().unwrap_or_default();
    assert!(body.contains(&uid) && body.contains("HTTP 503"), "{body}");
    let to_dev = api.get("/_emulator/mailbox?to=dev@example.com").await;
    assert_eq!(to_dev.body["mails"].as_array().map(Vec::len), Some(1));
    let to_other = api.get("/_emulator/mailbox?to=someone@example.com").await;
    assert_eq!(to_other.body["mails"], json!([]));
    assert_error(&api.get("/_emulator/mailbox?too=x").await, 422, 422, "too");

    // Re-enabled, the count starts again: nine more failures do not trip it.
    let mut enabled = api.get(&format!("/webhooks/{uid}")).await.body["webhook"].clone();
    enabled["disabled"] = json!(false);
    let put = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": enabled}))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    for _ in 0..9 {
        api.fire(event.clone()).await;
        settle(&emulator).await;
    }
    let w = api.get(&format!("/webhooks/{uid}")).await.body["webhook"].clone();
    assert_eq!(w["disabled"], false);
    assert_eq!(
        api.get("/_emulator/mailbox").await.body["mails"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    api.fire(event.clone()).await;
    settle(&emulator).await;
    let w = api.get(&format!("/webhooks/{uid}")).await.body["webhook"].clone();
    assert_eq!(
        w["disabled"], true,
        "the tenth failure after re-enabling trips it again"
    );
    assert_eq!(
        api.get("/_emulator/mailbox").await.body["mails"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    emulator.shutdown().await.expect("stops");
}

#[tokio::test]
async fn deliveries_show_the_exact_bytes_and_headers_sent() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let uid = api
        .create(webhook(
            "Blog",
            &receiver.url("/in"),
            &["content_types.blog.entries.update"],
        ))
        .await;
    api.fire(entry_update("blog", "e1")).await;
    settle(&emulator).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1);

    let answer = api
        .get(&format!("/_emulator/deliveries?webhook_uid={uid}"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let deliveries = answer.body["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(deliveries.len(), 1);
    let d = &deliveries[0];
    assert_eq!(d["webhook_uid"], uid.as_str());
    assert_eq!(d["delivered"], true);
    assert_eq!(d["status"], 200);
    assert_eq!(d["attempts"], 1);
    assert_eq!(
        d["body"].as_str().map(str::as_bytes),
        Some(got[0].body.as_ref())
    );
    let signature = got[0].header("x-contentstack-request-signature");
    assert!(signature.is_some());
    let headers = &d["headers"];
    let shown = headers
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-contentstack-request-signature"))
        })
        .map(|(_, v)| v.clone());
    assert_eq!(
        shown,
        signature.map(|s| Value::String(s.to_owned())),
        "{headers}"
    );

    assert_error(
        &api.get("/_emulator/deliveries").await,
        422,
        422,
        "webhook_uid",
    );
    assert_error(
        &api.get("/_emulator/deliveries?webhook_uid=bltnope").await,
        404,
        141,
        "uid",
    );
    emulator.shutdown().await.expect("stops");
}
