//! `--seed FILE`: production webhooks (exported files) loaded at start; a bad
//! file stops the start with an error naming it and stores nothing.

mod common;

use common::{Api, TempDir, builder, start, webhook};
use serde_json::{Value, json};

async fn names(api: &Api) -> Vec<String> {
    let list = api.get("/webhooks").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let mut names: Vec<String> = list.body["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// A real export from the emulator, and a hand-written one with a remote target.
async fn exported_files() -> (Value, Value) {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let mut hook = webhook("Exported", "http://127.0.0.1:9/in", &["assets.create"]);
    hook["notifiers"] = json!("ops@example.com");
    let uid = api.create(hook).await;
    let export = api.get(&format!("/webhooks/{uid}/export")).await;
    assert_eq!(export.status, 200, "{}", export.body);
    emulator.shutdown().await.expect("stops");
    let remote = json!({"webhook": {
        "name": "Production search index",
        "destinations": [{"target_url": "https://search.example.com/hooks/cs", "authentication_type": "None"}],
        "channels": ["content_types.entries.environments.publish.success"],
        "retry_policy": "automatic",
        "disabled": false
    }});
    (export.body, remote)
}

#[tokio::test]
async fn seeded_webhooks_are_served_and_seeding_again_keeps_them() {
    let (export, remote) = exported_files().await;
    let temp = TempDir::new();
    let seed = temp.join("webhooks.json");
    std::fs::write(
        &seed,
        serde_json::to_vec(&json!([export, remote])).expect("JSON"),
    )
    .expect("write");
    let data = temp.join("state.db");

    let emulator = builder()
        .data_file(&data)
        .seed(&seed)
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emulator);
    assert_eq!(names(&api).await, ["Exported", "Production search index"]);
    let list = api.get("/webhooks").await.body;
    let remote_doc = list["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["name"] == "Production search index")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        remote_doc["destinations"][0]["target_url"],
        "https://search.example.com/hooks/cs"
    );
    emulator.shutdown().await.expect("stops");

    let again = builder()
        .data_file(&data)
        .seed(&seed)
        .start()
        .await
        .expect("starts again");
    assert_eq!(
        names(&Api::new(&again)).await,
        ["Exported", "Production search index"]
    );
    again.shutdown().await.expect("stops");
}

#[tokio::test]
async fn a_bad_seed_file_names_the_file_and_field_and_stores_nothing() {
    let temp = TempDir::new();
    let data = temp.join("state.db");
    let first = builder().data_file(&data).start().await.expect("starts");
    Api::new(&first)
        .create(webhook("Kept", "http://127.0.0.1:9/", &["assets.create"]))
        .await;
    first.shutdown().await.expect("stops");

    let not_json = temp.join("broken.json");
    std::fs::write(&not_json, "[{\"name\": ").expect("write");
    let err = builder()
        .data_file(&data)
        .seed(&not_json)
        .start()
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("broken.json") && message.contains("not JSON"),
        "{message}"
    );

    let invalid = temp.join("invalid.json");
    let good = webhook("Would be stored", "http://127.0.0.1:9/", &["assets.create"]);
    let mut bad = webhook("Bad target", "not a url", &["assets.create"]);
    bad["retry_policy"] = json!("sometimes");
    std::fs::write(
        &invalid,
        serde_json::to_vec(&json!([good, bad])).expect("JSON"),
    )
    .expect("write");
    let err = builder()
        .data_file(&data)
        .seed(&invalid)
        .start()
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("invalid.json")
            && message.contains("webhook [1]")
            && message.contains("retry_policy"),
        "{message}"
    );

    let after = builder().data_file(&data).start().await.expect("starts");
    assert_eq!(names(&Api::new(&after)).await, ["Kept"]);
    after.shutdown().await.expect("stops");
}
