//! Firing events through the emulator's event route, as the tests that
//! need a delivery do.

use cs_webhooks_emulator::EmulatorHandle;
use serde_json::json;

/// Fires an update of entry `entry_uid` (content type `blog`) on the stack
/// `api_key`, authenticated with `token`; panics unless it is accepted.
pub async fn fire_entry_update(
    emulator: &EmulatorHandle,
    api_key: &str,
    token: &str,
    entry_uid: &str,
) {
    let event = json!({
        "module": "entry",
        "event": "update",
        "data": {
            "entry": {"uid": entry_uid, "title": "Hello", "locale": "en-us", "_version": 2},
            "content_type": {"uid": "blog", "title": "Blog"}
        }
    });
    let response = reqwest::Client::new()
        .post(emulator.events_url())
        .header("api_key", api_key)
        .header("authorization", token)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&event).expect("json"))
        .send()
        .await
        .expect("the event is accepted");
    assert!(response.status().is_success(), "{}", response.status());
}
