//! Any well-formed target URL is accepted when a webhook is written, as
//! Contentstack does; without `--allow-remote-targets` a delivery to a
//! non-loopback host is refused before any DNS query or connection and
//! recorded as a failed execution that says which flag allows it.

mod common;

use common::{Api, start, webhook};
use serde_json::{Value, json};

const REMOTE: &str = "https://hooks.example.com/x";
/// TEST-NET-1: never routed, so a connection attempt could only time out.
const REMOTE_IP: &str = "http://192.0.2.1/x";
const FLAG: &str = "--allow-remote-targets";

/// The response part of an execution's latest log.
async fn logged_response(api: &Api, execution_uid: &str) -> Value {
    let log = api.get(&format!("/webhooks/{execution_uid}/logs")).await;
    assert_eq!(log.status, 200, "{}", log.body);
    log.body["webhook"]["request_details"]["response"].clone()
}

#[tokio::test]
async fn remote_targets_are_accepted_on_write_and_refused_at_delivery() {
    let emulator = start().await;
    let api = Api::new(&emulator);

    // Create, update and import all accept production URLs unchanged.
    let by_name = api
        .create(webhook("Production", REMOTE, &["assets.create"]))
        .await;
    let mut updated = webhook("Production", REMOTE, &["assets.create"]);
    updated["destinations"][0]["target_url"] = json!(format!("{REMOTE}?v=2"));
    let a = api
        .put_json(
            &format!("/webhooks/{by_name}"),
            &json!({ "webhook": updated }),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let exported = json!({
        "name": "Imported production", "channels": ["assets.create"], "retry_policy": "manual",
        "destinations": [{"target_url": REMOTE_IP, "http_basic_auth": "", "http_basic_password": ""}],
        "uid": "cs402507db-7085-428d-82f4-03005500626c", "org_uid": "blt0000000000000009",
    });
    let a = api.import("/webhooks/import", &exported).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let by_ip = a.body["webhook"]["uid"].as_str().unwrap().to_owned();
    let a = api
        .import(&format!("/webhooks/{by_ip}/import"), &exported)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    // A token endpoint elsewhere is refused the same way, before any request.
    let oauth = api
        .create(json!({
            "name": "Remote token", "channels": ["assets.create"],
            "destinations": [{"target_url": "http://127.0.0.1:9/", "authentication_type": "OAuth2",
                "access_token_url": "https://auth.example.com/token", "client_id": "id",
                "client_secret": "secret"}],
        }))
        .await;

    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    common::settle(&emulator).await;

    for uid in [&by_name, &by_ip] {
        let executions = api.executions(uid).await;
        assert_eq!(executions.len(), 1, "{executions:?}");
        let e = &executions[0];
        assert_eq!(e["status"], Value::Null, "a failed execution: {e}");
        let response = logged_response(&api, e["uid"].as_str().unwrap()).await;
        // Refused, not looked up (ENOTFOUND) nor connected to (ETIMEDOUT,
        // ECONNREFUSED, ...): the check comes before both.
        assert_eq!(response["code"], "EBLOCKED", "{response}");
        let message = response["message"].as_str().unwrap();
        assert!(message.contains("loopback"), "{message}");
        assert!(message.contains(FLAG), "{message}");
    }
    let e = &api.executions(&oauth).await[0];
    let response = logged_response(&api, e["uid"].as_str().unwrap()).await;
    assert_eq!(response["code"], "EOAUTH2", "{response}");
    assert!(
        response["message"].as_str().unwrap().contains(FLAG),
        "{response}"
    );
    emulator.shutdown().await.unwrap();
}
