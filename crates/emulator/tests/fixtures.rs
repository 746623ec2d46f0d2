//! Every fixture of `POST /_emulator/trigger` is a test: it fires, matches
//! the channels Contentstack's catalogue lists for its module and event, and
//! is delivered, full and concise, with valid signatures and `$` keys escaped.

mod common;

use std::collections::BTreeSet;

use common::{Api, Receiver, assert_error, settle, start, verify_rsa_pss, webhook};
use serde_json::{Value, json};

const CT: &str = "blog_post";
const ENTRY: &str = "blt5d4c0c1a2b3e4f50";
const ASSET: &str = "blt6a7b8c9d0e1f2a3b";
const ENV: &str = "blt7c8d9e0f1a2b3c4d";
const RELEASE: &str = "blt8d9e0f1a2b3c4d5e";
const WORKFLOW: &str = "blt9e0f1a2b3c4d5e6f";
const STAGE: &str = "blt0f1a2b3c4d5e6f70";

/// Each fixture and its channels in the catalogue's notation (`[.x]` is optional).
fn catalogue() -> Vec<(&'static str, Vec<String>)> {
    let entry_item = |a: &str| {
        vec![
            format!("content_types[.{CT}].entries.{a}"),
            format!("content_types.{CT}.entries.{ENTRY}.{a}"),
        ]
    };
    let asset_item = |a: &str| vec![format!("assets.{a}"), format!("assets.{ASSET}.{a}")];
    let entry_env = |a: &str| {
        vec![format!(
            "content_types.entries.environments[.{ENV}].{a}.success"
        )]
    };
    let asset_env = |a: &str| vec![format!("assets.environments[.{ENV}].{a}.success")];
    let top = |c: &str, uid: &str, a: &str| vec![format!("{c}[.{uid}].{a}")];
    let comment =
        |what: &str, a: &str| vec![format!("content_types[.{CT}[.entries.{ENTRY}]].{what}.{a}")];
    vec![
        (
            "entry.create",
            vec![format!("content_types[.{CT}].entries.create")],
        ),
        ("entry.update", entry_item("update")),
        ("entry.delete", entry_item("delete")),
        ("entry.publish", entry_env("publish")),
        ("entry.unpublish", entry_env("unpublish")),
        (
            "entry.publish.fail",
            vec!["content_types.entries.publish.fail".into()],
        ),
        (
            "entry.unpublish.fail",
            vec!["content_types.entries.unpublish.fail".into()],
        ),
        ("asset.create", vec!["assets.create".into()]),
        ("asset.update", asset_item("update")),
        ("asset.delete", asset_item("delete")),
        ("asset.publish", asset_env("publish")),
        ("asset.unpublish", asset_env("unpublish")),
        ("asset.publish.fail", vec!["assets.publish.fail".into()]),
        ("asset.unpublish.fail", vec!["assets.unpublish.fail".into()]),
        ("content_type.create", vec!["content_types.create".into()]),
        ("content_type.update", top("content_types", CT, "update")),
        ("content_type.delete", top("content_types", CT, "delete")),
        ("global_field.create", vec!["global_fields.create".into()]),
        ("global_field.update", top("global_fields", "seo", "update")),
        ("global_field.delete", top("global_fields", "seo", "delete")),
        (
            "release.deploy",
            vec![format!(
                "releases[.{RELEASE}].environments[.{ENV}].deploy[.success]"
            )],
        ),
        (
            "workflow.stage_change",
            vec![
                "content_types.entries.workflows".into(),
                format!("content_types[.{CT}].entries[.{ENTRY}].workflows.{WORKFLOW}[.{STAGE}]"),
            ],
        ),
        ("comment.create", comment("comments", "create")),
        ("comment.update", comment("comments", "update")),
        ("comment.delete", comment("comments", "delete")),
        ("discussion.create", comment("discussions", "create")),
        ("discussion.resolve", comment("discussions", "resolve")),
        ("discussion.reopen", comment("discussions", "reopen")),
        ("branch.create", vec!["branch.create.completed".into()]),
        (
            "branch.delete",
            vec!["branch[.feature_x].delete.completed".into()],
        ),
        (
            "branch_alias.assigned",
            vec!["branch_alias.assigned".into()],
        ),
        (
            "branch_alias.unassigned",
            vec!["branch_alias.unassigned".into()],
        ),
    ]
}

/// Every spelling of a pattern whose `[...]` parts (possibly nested) are optional.
fn expand(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('[') else {
        return vec![pattern.to_owned()];
    };
    let mut depth = 0;
    let close = pattern[open..]
        .char_indices()
        .find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(open + i)
        })
        .expect("balanced brackets");
    let (prefix, inner, rest) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let mut choices = vec![String::new()];
    choices.extend(expand(inner));
    let mut out = Vec::new();
    for choice in &choices {
        for tail in expand(rest) {
            out.push(format!("{prefix}{choice}{tail}"));
        }
    }
    out
}

fn keys_starting_with_dollar(v: &Value, found: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k.starts_with('$') || k.starts_with("cs$") {
                    found.push(k.clone());
                }
                keys_starting_with_dollar(v, found);
            }
        }
        Value::Array(list) => list
            .iter()
            .for_each(|v| keys_starting_with_dollar(v, found)),
        _ => {}
    }
}

/// The fixture names the emulator offers, from its answer to an unknown one.
async fn fixture_names(api: &Api) -> BTreeSet<String> {
    let answer = api
        .post_json("/_emulator/trigger", &json!({"event": "none.none"}))
        .await;
    let message = answer.body["errors"]["event"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let known = message
        .split("known: ")
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches('.');
    known.split(", ").map(str::to_owned).collect()
}

#[tokio::test]
async fn every_fixture_fires_matches_its_channels_and_is_delivered_signed() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let pem = api.get("/.well-known/public-keys.json").await.body["signing-key"]
        .as_str()
        .expect("public key")
        .to_owned();
    let receiver = Receiver::start().await;
    let catalogue = catalogue();
    let fixtures = fixture_names(&api).await;
    let tested: BTreeSet<String> = catalogue.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(fixtures, tested, "every fixture is in the catalogue test");
    // One full and one concise webhook on every channel of every fixture.
    let all: BTreeSet<String> = catalogue
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|p| expand(p)))
        .collect();
    let channels: Vec<&str> = all.iter().map(String::as_str).collect();
    api.create(webhook("Full", &receiver.url("/full"), &channels))
        .await;
    let mut concise = webhook("Concise", &receiver.url("/concise"), &channels);
    concise["concise_payload"] = json!(true);
    api.create(concise).await;

    for (name, patterns) in &catalogue {
        let before = receiver.count();
        let fired = api
            .post_json("/_emulator/trigger", &json!({"event": name}))
            .await;
        assert_eq!(fired.status, 202, "{name}: {}", fired.body);
        assert_eq!(fired.body["fixture"], *name);
        let got: BTreeSet<String> = fired.body["channels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        let expected: BTreeSet<String> = patterns.iter().flat_map(|p| expand(p)).collect();
        assert_eq!(got, expected, "{name}");
        settle(&emulator).await;
        let deliveries = &receiver.got()[before..];
        assert_eq!(deliveries.len(), 2, "{name}: full and concise");
        for d in deliveries {
            let signature = d
                .header("x-contentstack-request-signature")
                .unwrap_or_default();
            assert!(
                verify_rsa_pss(&pem, &d.body, signature),
                "{name} on {}: signature",
                d.path
            );
            let payload = d.json();
            let (module, event) = name.split_once('.').expect("module.event");
            assert_eq!(
                (payload["module"].as_str(), payload["event"].as_str()),
                (Some(module), Some(event))
            );
            let mut dollar = Vec::new();
            keys_starting_with_dollar(&payload, &mut dollar);
            if d.path == "/full" {
                assert!(
                    !dollar.is_empty() && dollar.iter().all(|k| k.starts_with("cs$")),
                    "{name}: {dollar:?}"
                );
            } else {
                assert!(
                    dollar.iter().all(|k| k.starts_with("cs$")),
                    "{name}: {dollar:?}"
                );
            }
            if d.path == "/concise" && module == "entry" {
                let keys: BTreeSet<&str> = payload["data"]["entry"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.as_str())
                    .collect();
                assert_eq!(
                    keys,
                    BTreeSet::from(["uid", "title", "locale", "_version"]),
                    "{name}"
                );
            }
        }
    }
    emulator.shutdown().await.expect("stops");
}

#[tokio::test]
async fn overrides_change_uids_environment_locale_and_branch() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let mut hook = webhook(
        "Dev",
        &receiver.url("/dev"),
        &["content_types.entries.environments.staging.publish.success"],
    );
    hook["branches"] = json!(["dev"]);
    api.create(hook).await;
    let fired = api
        .post_json(
            "/_emulator/trigger",
            &json!({"event": "entry.publish", "overrides": {
                "content_type": "news", "entry": "blt_override", "environment": "staging",
                "locale": "fr-fr", "branch": "dev", "set": {"entry.title": "Bonjour", "entry.reviewed": true}
            }}),
        )
        .await;
    assert_eq!(fired.status, 202, "{}", fired.body);
    settle(&emulator).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let data = &got[0].json()["data"];
    assert_eq!(data["entry"]["uid"], "blt_override");
    assert_eq!(data["entry"]["title"], "Bonjour");
    assert_eq!(data["entry"]["reviewed"], true);
    assert_eq!(data["entry"]["locale"], "fr-fr");
    assert_eq!(data["locale"], "fr-fr");
    assert_eq!(data["content_type"]["uid"], "news");
    assert_eq!(data["environment"]["name"], "staging");
    assert_eq!(data["branch"]["uid"], "dev");
    emulator.shutdown().await.expect("stops");
}

#[tokio::test]
async fn bad_triggers_are_422_naming_the_field_and_fire_nothing() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    api.create(webhook(
        "Any asset",
        &receiver.url("/a"),
        &["assets.create", "content_types.entries.create"],
    ))
    .await;
    let trigger = |body: Value| {
        let api = &api;
        async move { api.post_json("/_emulator/trigger", &body).await }
    };
    let cases = [
        (json!({"event": "entry.explode"}), "event"),
        (
            json!({"event": "asset.create", "overrides": {"entry": "x"}}),
            "overrides.entry",
        ),
        (
            json!({"event": "entry.create", "overrides": {"set": {"entry.title": 5}}}),
            "overrides.set.entry.title",
        ),
        (
            json!({"event": "entry.create", "overrides": {"set": {"entry.title.x": "y"}}}),
            "overrides.set.entry.title.x",
        ),
        (
            json!({"event": "entry.create", "overrides": {"colour": "red"}}),
            "overrides",
        ),
        (
            json!({"event": "entry.create", "overrides": {"content_type": "not a uid"}}),
            "channel",
        ),
    ];
    for (body, field) in cases {
        let answer = trigger(body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.body["error_code"], 348, "{body}");
        let errors = answer.body["errors"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(
            errors.keys().any(|k| k.starts_with(field)),
            "{body}: {}",
            answer.body
        );
    }
    assert_error(&trigger(json!({"overrides": {}})).await, 422, 348, "");
    settle(&emulator).await;
    assert_eq!(receiver.count(), 0);
    emulator.shutdown().await.expect("stops");
}
