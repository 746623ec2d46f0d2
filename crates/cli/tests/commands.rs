//! Every API command of the CLI, as a real process against one embedded
//! emulator: exact JSON on stdout, exit codes, and stderr for bad input.

mod common;

use common::{
    API_KEY, Destination, QUIET_API_KEY, QUIET_TOKEN, TOKEN, emulator, ok, run, stderr, wait_for,
};
use serde_json::{Value, json};

fn write_temp(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-webhooks-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("temp file");
    path
}

/// Creates a webhook through the CLI from a `{"webhook": ...}` JSON file.
fn create(name: &str, url: &str, retry_policy: &str) -> Value {
    let file = write_temp(
        &format!("{name}.json"),
        &json!({"webhook": {
            "name": name,
            "destinations": [{"target_url": url, "authentication_type": "None"}],
            "channels": ["content_types.entries.update"],
            "retry_policy": retry_policy
        }})
        .to_string(),
    );
    let out = ok(&[
        "webhooks",
        "create",
        "--from-file",
        path(&file),
        "--output",
        "json",
    ]);
    serde_json::from_str(&out).expect("JSON")
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("json") + "\n"
}

#[test]
fn create_get_and_list_print_exactly_the_apis_json() {
    // On a stack no other test writes to, so the list is stable between calls.
    let on_quiet_stack = |args: &[&str]| {
        let output = common::cli()
            .env("CONTENTSTACK_API_KEY", QUIET_API_KEY)
            .env("CONTENTSTACK_MANAGEMENT_TOKEN", QUIET_TOKEN)
            .args(args)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let client = cs_webhooks_blocking::Client::builder()
        .base_url(emulator().handle.base_url())
        .api_key(QUIET_API_KEY)
        .management_token(QUIET_TOKEN)
        .build()
        .expect("client");
    let destination = Destination::start(200);
    let file = write_temp(
        "exact.json",
        &json!({"webhook": {
            "name": "Exact JSON",
            "destinations": [{"target_url": destination.url, "authentication_type": "None"}],
            "channels": ["content_types.entries.update"]
        }})
        .to_string(),
    );
    let created: Value = serde_json::from_str(&on_quiet_stack(&[
        "webhooks",
        "create",
        "--from-file",
        path(&file),
        "-o",
        "json",
    ]))
    .expect("JSON");
    let uid = created["uid"].as_str().expect("uid");
    let stored = client.get_webhook(uid).send().expect("get").webhook;
    assert_eq!(
        on_quiet_stack(&["webhooks", "get", uid, "--output", "json"]),
        pretty(&stored)
    );

    let listed: Vec<_> = client
        .list_webhooks()
        .items()
        .collect::<Result<_, _>>()
        .expect("list");
    assert_eq!(
        on_quiet_stack(&["webhooks", "list", "-o", "json"]),
        pretty(&listed)
    );
    let lines = on_quiet_stack(&["webhooks", "list", "-o", "jsonl"]);
    assert_eq!(lines, serde_json::to_string(&stored).expect("json") + "\n");
    let table = on_quiet_stack(&["webhooks", "list"]);
    assert!(table.starts_with("UID"), "{table}");
    assert!(table.contains("Exact JSON"), "{table}");
}

#[test]
fn yaml_files_update_and_enable_disable_toggle() {
    let destination = Destination::start(200);
    let created = create("Toggle me", &destination.url, "manual");
    let uid = created["uid"].as_str().expect("uid");
    let yaml = write_temp(
        "update.yaml",
        &format!(
            "name: Toggled\ndestinations:\n  - target_url: {}\n    authentication_type: None\nchannels:\n  - assets.create\n",
            destination.url
        ),
    );
    let updated: Value = serde_json::from_str(&ok(&[
        "webhooks",
        "update",
        uid,
        "--from-file",
        path(&yaml),
        "-o",
        "json",
    ]))
    .expect("JSON");
    assert_eq!(updated["name"], "Toggled");
    assert_eq!(updated["channels"], json!(["assets.create"]));

    let disabled: Value =
        serde_json::from_str(&ok(&["webhooks", "disable", uid, "-o", "json"])).expect("JSON");
    assert_eq!(disabled["disabled"], true);
    let enabled: Value =
        serde_json::from_str(&ok(&["webhooks", "enable", uid, "-o", "json"])).expect("JSON");
    assert_eq!(enabled["disabled"], false);
    assert_eq!(enabled["name"], "Toggled");
}

#[test]
fn export_import_and_delete() {
    let destination = Destination::start(200);
    let created = create("Move me", &destination.url, "manual");
    let uid = created["uid"].as_str().expect("uid");
    let file = std::env::temp_dir().join(format!("cs-webhooks-export-{}.json", std::process::id()));
    let output = run(&["webhooks", "export", uid, "--out", path(&file)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let exported: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("file")).expect("json");
    assert_eq!(exported["uid"], uid);
    let on_stdout = ok(&["webhooks", "export", uid]);
    assert_eq!(
        on_stdout.into_bytes(),
        [std::fs::read(&file).expect("file"), b"\n".to_vec()].concat()
    );

    let mut copy = exported.clone();
    copy["name"] = json!("Move me (copy)");
    let copy_file = write_temp("copy.json", &copy.to_string());
    let imported: Value =
        serde_json::from_str(&ok(&["webhooks", "import", path(&copy_file), "-o", "json"]))
            .expect("JSON");
    assert_ne!(imported["uid"], uid);
    assert_eq!(imported["name"], "Move me (copy)");
    let into: Value = serde_json::from_str(&ok(&[
        "webhooks",
        "import",
        path(&file),
        "--into",
        uid,
        "-o",
        "json",
    ]))
    .expect("JSON");
    assert_eq!(into["uid"], uid);

    let refused = run(&["webhooks", "delete", uid]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    ok(&["webhooks", "delete", uid, "--yes"]);
    let gone = run(&["webhooks", "get", uid]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(stderr(&gone).contains("404"), "{}", stderr(&gone));
}

#[test]
fn bad_input_is_a_usage_error_on_stderr() {
    let unknown = run(&["webhooks", "get", "blt_no_such_webhook"]);
    assert_eq!(unknown.status.code(), Some(1));
    let text = stderr(&unknown);
    assert!(
        text.contains("getting webhook blt_no_such_webhook"),
        "{text}"
    );
    assert!(
        text.contains("404") && text.contains("error_message"),
        "{text}"
    );
    assert!(unknown.stdout.is_empty());

    let malformed = write_temp("malformed.json", "{\"webhook\": {\"name\": ");
    let bad = run(&["webhooks", "create", "--from-file", path(&malformed)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("is neither JSON nor YAML"),
        "{}",
        stderr(&bad)
    );

    let incomplete = write_temp("incomplete.json", "{\"name\": \"no destinations\"}");
    let bad = run(&["webhooks", "create", "--from-file", path(&incomplete)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("is not a webhook definition"),
        "{}",
        stderr(&bad)
    );

    let missing = common::cli()
        .env_remove("CONTENTSTACK_API_KEY")
        .args(["webhooks", "list"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no API key"),
        "{}",
        stderr(&missing)
    );

    let denied = common::cli()
        .env("CONTENTSTACK_MANAGEMENT_TOKEN", "wrong-token")
        .args(["webhooks", "list"])
        .output()
        .expect("runs");
    assert_eq!(denied.status.code(), Some(1));
    let text = stderr(&denied);
    assert!(
        text.contains("401 Unauthorized to GET http://127.0.0.1:")
            && text.contains("hint: the request carried a management token"),
        "{text}"
    );
    assert!(!text.contains("wrong-token"), "the token leaked: {text}");

    // A base URL without /v3: the 404 names the URL and says what to check.
    let base = common::emulator().handle.base_url().to_string();
    let without_v3 = common::cli()
        .env("CONTENTSTACK_BASE_URL", base.trim_end_matches("/v3"))
        .args(["webhooks", "list"])
        .output()
        .expect("runs");
    assert_eq!(without_v3.status.code(), Some(1));
    let text = stderr(&without_v3);
    assert!(
        text.contains("404 Not Found to GET http://127.0.0.1:")
            && text.contains("does the base URL"),
        "{text}"
    );

    let flag = run(&["webhooks", "list", "--no-such-flag"]);
    assert_eq!(flag.status.code(), Some(2));
}

#[test]
fn channels_lists_patterns_and_validates() {
    let listed = ok(&["channels", "-o", "json"]);
    let patterns: Vec<Value> = serde_json::from_str(&listed).expect("JSON");
    assert!(patterns.iter().any(|p| p["family"] == "entry"));
    let checked = ok(&[
        "channels",
        "--validate",
        "content_types.blog.entries.update",
        "-o",
        "json",
    ]);
    assert_eq!(
        serde_json::from_str::<Value>(&checked).expect("JSON"),
        json!([{"channel": "content_types.blog.entries.update", "valid": true, "family": "entry"}])
    );
    let typo = run(&["channels", "--validate", "contnet_types.entries.update"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean \"content_types.entries.update\"?"),
        "{}",
        stderr(&typo)
    );
    let bad = run(&["channels", "--validate", "content_types..update"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("is not a channel"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn executions_list_log_and_retry_after_a_trigger() {
    let destination = Destination::start(500);
    let created = create("Failing destination", &destination.url, "manual");
    let uid = created["uid"].as_str().expect("uid");
    let fired = ok(&[
        "trigger",
        "entry.update",
        "--set",
        "entry.title=From the CLI",
    ]);
    assert!(!fired.is_empty());
    wait_for("the delivery", || !destination.received().is_empty());
    let body: Value = serde_json::from_slice(&destination.received()[0].body).expect("json");
    assert_eq!(body["data"]["entry"]["title"], "From the CLI");

    let mut executions = Vec::new();
    wait_for("the failed execution", || {
        executions = serde_json::from_str::<Vec<Value>>(&ok(&[
            "executions",
            "list",
            uid,
            "--failed",
            "-o",
            "json",
        ]))
        .expect("JSON");
        !executions.is_empty()
    });
    assert_eq!(executions[0]["status"], 500);
    let none: Vec<Value> = serde_json::from_str(&ok(&[
        "executions",
        "list",
        uid,
        "--succeeded",
        "--since",
        "1h",
        "-o",
        "json",
    ]))
    .expect("JSON");
    assert!(none.is_empty());
    let execution = executions[0]["uid"].as_str().expect("uid");
    let log: Value =
        serde_json::from_str(&ok(&["executions", "log", execution, "-o", "json"])).expect("JSON");
    assert_eq!(log["uid"], execution);
    assert_eq!(log["status"], 500);

    let retried = ok(&["executions", "retry", execution]);
    assert!(retried.contains("Webhook retry scheduled"), "{retried}");
    let partial = run(&["executions", "retry", execution, "blt_no_such_execution"]);
    assert_eq!(partial.status.code(), Some(3), "{}", stderr(&partial));
    assert!(stderr(&partial).contains("retrying blt_no_such_execution"));

    let bad_range = run(&["executions", "list", uid, "--status", "599..500"]);
    assert_eq!(bad_range.status.code(), Some(2));
}

#[test]
fn api_reaches_every_operation_by_id() {
    let operations: Vec<Value> = serde_json::from_str(&ok(&["api", "-o", "json"])).expect("JSON");
    let ids: Vec<&str> = operations.iter().filter_map(|o| o["id"].as_str()).collect();
    for id in [
        "list_webhooks",
        "get_webhook",
        "retry_execution",
        "get_execution_log",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let destination = Destination::start(200);
    let created = create("Raw API", &destination.url, "manual");
    let uid = created["uid"].as_str().expect("uid");
    let raw: Value = serde_json::from_str(&ok(&[
        "api",
        "get_webhook",
        "--param",
        &format!("webhook_uid={uid}"),
    ]))
    .expect("JSON");
    assert_eq!(raw["webhook"]["uid"], uid);
    let unknown = run(&["api", "no_such_operation"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no operation `no_such_operation`"));
}

#[test]
fn profiles_are_private_and_never_show_tokens() {
    let config =
        std::env::temp_dir().join(format!("cs-webhooks-profiles-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&config);
    let with_config = |args: &[&str]| {
        common::cli()
            .env("CS_WEBHOOKS_CONFIG", &config)
            .args(args)
            .output()
            .expect("runs")
    };
    assert!(with_config(&["profile", "add", "local"]).status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&config)
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let listed = with_config(&["profile", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("local") && text.contains(API_KEY), "{text}");
    assert!(!text.contains(TOKEN), "the token leaked: {text}");

    // Only the profile gives credentials now.
    let listed = common::cli()
        .env("CS_WEBHOOKS_CONFIG", &config)
        .env_remove("CONTENTSTACK_API_KEY")
        .env_remove("CONTENTSTACK_MANAGEMENT_TOKEN")
        .args(["--profile", "local", "webhooks", "list", "-o", "json"])
        .output()
        .expect("runs");
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(
        with_config(&["profile", "remove", "local"])
            .status
            .success()
    );
    let gone = with_config(&["--profile", "local", "webhooks", "list"]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(stderr(&gone).contains("no profile \"local\""));
}

#[test]
fn help_is_stable() {
    insta::assert_snapshot!("help", ok(&["--help"]));
    insta::assert_snapshot!("webhooks_help", ok(&["webhooks", "--help"]));
    insta::assert_snapshot!(
        "executions_list_help",
        ok(&["executions", "list", "--help"])
    );
}

#[test]
fn completions_and_man_page() {
    assert!(ok(&["completions", "bash"]).contains("cs-webhooks"));
    assert!(ok(&["man"]).contains(".TH cs-webhooks"));
}

#[test]
fn tables_are_stable() {
    insta::assert_snapshot!("channels_table", ok(&["channels"]));
    insta::assert_snapshot!("operations_table", ok(&["api"]));
    insta::assert_snapshot!(
        "validate_table",
        ok(&[
            "channels",
            "--validate",
            "assets.create",
            "content_types.blog.made_up",
            "--allow-unknown"
        ])
    );
}

#[test]
fn the_emulator_command_runs_the_emulators_own_command_line() {
    let help = ok(&["emulator", "--help"]);
    assert!(help.contains("--time-scale F"), "{help}");
    // `--branch` is also one of our flags; it must reach the emulator untouched.
    let bad = run(&["emulator", "--branch", "no-equals-sign"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--branch takes API_KEY=VALUE"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn quiet_drops_notes_but_not_data() {
    let destination = Destination::start(200);
    let created = create("Quiet export", &destination.url, "manual");
    let uid = created["uid"].as_str().expect("uid");
    let file = std::env::temp_dir().join(format!("cs-webhooks-quiet-{}.json", std::process::id()));
    let loud = run(&["webhooks", "export", uid, "--out", path(&file)]);
    assert!(stderr(&loud).contains("exported"), "{}", stderr(&loud));
    let quiet = run(&["--quiet", "webhooks", "export", uid, "--out", path(&file)]);
    assert!(quiet.status.success());
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

#[test]
fn verbose_tells_requests_with_credentials_masked() {
    let output = run(&["--verbose", "webhooks", "list", "-o", "json"]);
    assert!(output.status.success());
    let text = stderr(&output);
    assert!(text.contains("> GET http://127.0.0.1:"), "{text}");
    assert!(text.contains("> api_key: <masked>"), "{text}");
    assert!(text.contains("< 200 OK"), "{text}");
    assert!(
        !text.contains(TOKEN) && !text.contains(API_KEY),
        "a credential leaked: {text}"
    );
}

#[test]
fn trigger_errors_name_the_field() {
    let unknown = run(&["trigger", "entry.no_such_event"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("event:"), "{}", stderr(&unknown));
    let malformed = run(&["trigger", "entry"]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(stderr(&malformed).contains("is not MODULE.EVENT"));
}
