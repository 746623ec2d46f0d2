//! The clients against the emulator: the whole lifecycle of a webhook on both
//! clients, with a real delivery to a local receiver. The two sides are built
//! from the same spec by different code (generated client, hand-written
//! server), so this checks that they agree.

use std::time::{Duration, Instant};

use cs_webhooks_api::model::{Action, Channel, Destination, RetryPolicy, WebhookInput};
use cs_webhooks_api::{Error, UploadFile};
use cs_webhooks_emulator::{Emulator, EmulatorHandle};
use cs_webhooks_tests::server::{Reply, TestServer};
use serde_json::json;

const API_KEY: &str = "blt00000000000000e2e";
const TOKEN: &str = "cs-e2e-management-token";

fn start_emulator(runtime: &tokio::runtime::Runtime) -> EmulatorHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime
        .block_on(
            Emulator::builder()
                .stack(API_KEY, TOKEN)
                .time_scale(0.001)
                .start(),
        )
        .expect("the emulator starts")
}

fn input(name: &str, receiver: &TestServer) -> WebhookInput {
    let destination = Destination::builder()
        .target_url(format!("{}/hook", receiver.url()))
        .authentication_type(cs_webhooks_api::model::AuthenticationType::None);
    WebhookInput::builder()
        .name(name)
        .destinations(vec![destination.try_into().expect("destination")])
        .channels(vec![
            Channel::entries_of("blog", Action::Update).expect("channel"),
        ])
        .retry_policy(RetryPolicy::Automatic)
        .try_into()
        .expect("webhook input")
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_blocking_client_runs_the_whole_lifecycle_against_the_emulator() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = start_emulator(&runtime);
    let receiver = TestServer::always(Reply::json(200, &json!({"ok": true})));
    let client = cs_webhooks_blocking::Client::builder()
        .base_url(emulator.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .expect("client");

    let created = client
        .create_webhook(input("Blog updates", &receiver))
        .send()
        .expect("create");
    let uid = created.webhook.uid.clone();
    assert_eq!(
        client.get_webhook(&uid).send().expect("get").webhook.name,
        "Blog updates"
    );
    let listed: Vec<_> = client
        .list_webhooks()
        .items()
        .collect::<Result<_, _>>()
        .expect("list");
    assert!(listed.iter().any(|w| w.uid == uid));

    let updated = client
        .update_webhook(&uid, input("Blog updates v2", &receiver))
        .send()
        .expect("update");
    assert_eq!(updated.webhook.name, "Blog updates v2");

    let exported = client.export_webhook(&uid).send().expect("export");
    assert_eq!(exported.value.uid, uid);
    let again = client
        .import_existing_webhook(&uid, &exported)
        .send()
        .expect("import existing");
    assert_eq!(again.webhook.uid, uid);
    let mut copy: serde_json::Value = serde_json::from_slice(&exported.bytes).expect("json");
    copy["name"] = json!("Blog updates (imported)");
    let imported = client
        .import_webhook(UploadFile::from_json(&copy).expect("file"))
        .send()
        .expect("import new");
    assert_ne!(imported.webhook.uid, uid);

    runtime.block_on(fire_entry_update(&emulator, "blt1"));
    wait_for("the delivery", || receiver.requests().len() >= 2);
    let deliveries = receiver.requests();
    assert!(
        deliveries
            .iter()
            .all(|d| d.header("x-contentstack-request-signature").is_some())
    );

    let mut executions = Vec::new();
    wait_for("the execution record", || {
        executions = client
            .list_executions(&uid)
            .items()
            .collect::<Result<_, _>>()
            .expect("executions");
        executions.iter().any(|e| e.status == Some(200))
    });
    let execution = &executions[0];
    let channels: Vec<_> = execution
        .channel
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    assert_eq!(
        channels,
        [
            "content_types.entries.update",
            "content_types.blog.entries.update",
            "content_types.blog.entries.blt1.update"
        ]
    );
    let log = client
        .get_execution_log(&execution.uid)
        .send()
        .expect("log");
    assert_eq!(log.webhook.uid, execution.uid);

    let before = receiver.requests().len();
    let notice = client
        .retry_execution(&execution.uid)
        .send()
        .expect("retry");
    assert_eq!(notice.notice, "Webhook retry scheduled");
    wait_for("the retried delivery", || {
        receiver.requests().len() > before
    });

    client.delete_webhook(&uid).send().expect("delete");
    let gone = client.get_webhook(&uid).send().unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404), "{gone}");

    let wrong_token = cs_webhooks_blocking::Client::builder()
        .base_url(emulator.base_url())
        .api_key(API_KEY)
        .management_token("wrong")
        .build()
        .expect("client");
    let denied = wrong_token.list_webhooks().send().unwrap_err();
    assert_eq!(denied.status().map(|s| s.as_u16()), Some(401));
    assert!(matches!(denied, Error::Api(_)));

    runtime.block_on(emulator.shutdown()).expect("shutdown");
}

#[test]
fn the_async_client_runs_the_lifecycle_against_the_emulator() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = start_emulator(&runtime);
    let receiver = TestServer::always(Reply::json(200, &json!({"ok": true})));
    let client = cs_webhooks_async::Client::builder()
        .base_url(emulator.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .expect("client");
    runtime.block_on(async {
        use futures_util::TryStreamExt as _;
        let created = client
            .create_webhook(input("Async hook", &receiver))
            .send()
            .await
            .expect("create");
        let uid = created.webhook.uid;
        let duplicate = client
            .create_webhook(input("Async hook", &receiver))
            .send()
            .await
            .unwrap_err();
        let api = duplicate.api_error().expect("an API error");
        assert_eq!(api.status.as_u16(), 422);
        assert!(api.errors.contains_key("name"), "{api}");

        fire_entry_update(&emulator, "blt2").await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let executions: Vec<_> = client
                .list_executions(&uid)
                .items()
                .try_collect()
                .await
                .expect("executions");
            if executions.iter().any(|e| e.status == Some(200)) {
                break;
            }
            assert!(Instant::now() < deadline, "no successful execution");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        client.delete_webhook(&uid).send().await.expect("delete");
    });
    assert!(!receiver.requests().is_empty());
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}

/// Fires an entry update of `entry_uid` (content type `blog`) through the
/// emulator's event route.
async fn fire_entry_update(emulator: &EmulatorHandle, entry_uid: &str) {
    cs_webhooks_tests::events::fire_entry_update(emulator, API_KEY, TOKEN, entry_uid).await;
}
