//! The operator workflows as a real process against embedded emulators:
//! export → import → plan round trips, drift planned and applied, several
//! stacks from one file, malformed files, and recover (exactly once, even
//! after an interrupted run; held to its rate; 429s waited out).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use common::{Destination, wait_for};
use cs_webhooks_blocking::Client;
use cs_webhooks_blocking::model::{Webhook, WebhookInput};
use cs_webhooks_emulator::{Emulator, EmulatorHandle, RateLimit};
use serde_json::{Value, json};

/// One stack of the test emulators; each test writes to its own.
#[derive(Clone, Copy)]
struct Stack {
    key: &'static str,
    token: &'static str,
}

const SOURCE: Stack = Stack {
    key: "blt0000000000op_source",
    token: "cs-op-source",
};
const TARGET: Stack = Stack {
    key: "blt0000000000op_target",
    token: "cs-op-target",
};
const DEFAULTS: Stack = Stack {
    key: "blt000000000op_default",
    token: "cs-op-default",
};
const DRIFT: Stack = Stack {
    key: "blt00000000000op_drift",
    token: "cs-op-drift",
};
const PROFILE_A: Stack = Stack {
    key: "blt0000000000op_prof_a",
    token: "cs-op-prof-a",
};
const PROFILE_B: Stack = Stack {
    key: "blt0000000000op_prof_b",
    token: "cs-op-prof-b",
};
const MALFORMED: Stack = Stack {
    key: "blt000000000op_badfile",
    token: "cs-op-badfile",
};
const RECOVER: Stack = Stack {
    key: "blt00000000000op_recov",
    token: "cs-op-recover",
};
const RATE: Stack = Stack {
    key: "blt000000000000op_rate",
    token: "cs-op-rate",
};
const INTERRUPTED: Stack = Stack {
    key: "blt00000000op_interrupt",
    token: "cs-op-interrupted",
};
const LIMITED: Stack = Stack {
    key: "blt0000000000op_limits",
    token: "cs-op-limited",
};

struct Running {
    handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
}

fn start(stacks: &[Stack], limit: Option<RateLimit>) -> Running {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut builder = Emulator::builder().time_scale(0.001);
    for stack in stacks {
        builder = builder.stack(stack.key, stack.token);
    }
    if let Some(limit) = limit {
        builder = builder.rate_limit(limit);
    }
    let handle = runtime
        .block_on(builder.start())
        .expect("the emulator starts");
    Running {
        handle,
        _runtime: runtime,
    }
}

/// The emulator of most tests: no rate limit.
fn emulator() -> &'static Running {
    static EMULATOR: OnceLock<Running> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        start(
            &[
                SOURCE,
                TARGET,
                DEFAULTS,
                DRIFT,
                PROFILE_A,
                PROFILE_B,
                MALFORMED,
                RECOVER,
                RATE,
                BENCH_EXPORT,
                BENCH_RECOVER,
                INTERRUPTED,
            ],
            None,
        )
    })
}

/// An emulator allowing only 2 writes a second, to be sure 429s come.
fn limited_emulator() -> &'static Running {
    static EMULATOR: OnceLock<Running> = OnceLock::new();
    EMULATOR.get_or_init(|| start(&[LIMITED], Some(RateLimit::new(100, 2))))
}

fn base_url(stack: Stack) -> String {
    if stack.key == LIMITED.key {
        limited_emulator().handle.base_url()
    } else {
        emulator().handle.base_url()
    }
}

/// The CLI with a clean environment, pointed at `stack`.
fn cli(stack: Stack) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cs-webhooks"));
    for (var, _) in std::env::vars() {
        if var.starts_with("CONTENTSTACK_") || var == "CS_WEBHOOKS_CONFIG" {
            command.env_remove(var);
        }
    }
    command
        .env("CONTENTSTACK_API_KEY", stack.key)
        .env("CONTENTSTACK_MANAGEMENT_TOKEN", stack.token)
        .env("CONTENTSTACK_BASE_URL", base_url(stack))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

fn run(stack: Stack, args: &[&str]) -> Output {
    cli(stack).args(args).output().expect("the CLI runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs and expects exit `code`; stdout.
fn expect(code: i32, output: &Output, what: &str) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn client(stack: Stack) -> Client {
    Client::builder()
        .base_url(base_url(stack))
        .api_key(stack.key)
        .management_token(stack.token)
        .build()
        .expect("client")
}

fn webhooks(stack: Stack) -> Vec<Webhook> {
    client(stack)
        .list_webhooks()
        .items()
        .collect::<Result<_, _>>()
        .expect("list")
}

fn create(stack: Stack, definition: Value) -> Webhook {
    let input: WebhookInput = serde_json::from_value(definition).expect("input");
    client(stack)
        .create_webhook(input)
        .send()
        .expect("create")
        .webhook
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-webhooks-op-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The managed view of a stack's webhooks: what must be equal between two
/// stacks given the same files (uids and dates differ).
fn managed(stack: Stack) -> Vec<Value> {
    let mut list: Vec<Value> = webhooks(stack)
        .into_iter()
        .map(|w| {
            json!({"name": w.name, "destinations": w.destinations, "channels": w.channels,
                   "branches": w.branches, "notifiers": w.notifiers, "disabled": w.disabled,
                   "concise_payload": w.concise_payload, "retry_policy": w.retry_policy})
        })
        .collect();
    list.sort_by_key(|v| v["name"].as_str().unwrap_or_default().to_owned());
    list
}

#[test]
fn export_import_and_plan_round_trip_with_zero_changes() {
    let receiver = Destination::start(200);
    create(
        SOURCE,
        json!({
            "name": "Orders / ERP (prod)",
            "destinations": [{"target_url": receiver.url, "authentication_type": "None",
                "custom_header": [{"header_name": "X-Team", "value": "orders"}]}],
            "channels": ["content_types.entries.update", "assets.create"],
            "branches": ["main"],
            "notifiers": ["ops@example.com"],
            "retry_policy": "automatic",
            "concise_payload": true,
            "disabled": true
        }),
    );
    create(
        SOURCE,
        json!({
            "name": "Search index",
            "destinations": [{"target_url": receiver.url, "authentication_type": "Basic",
                "http_basic_auth": "indexer", "http_basic_password": "s3cret-basic"}],
            "channels": ["content_types.entries.publish"]
        }),
    );
    create(
        SOURCE,
        json!({
            "name": "Audit",
            "destinations": [{"target_url": receiver.url}],
            "channels": ["assets.delete"]
        }),
    );
    let exported = temp_dir("export");
    let out = expect(
        0,
        &run(
            SOURCE,
            &[
                "export",
                "--all",
                "--out",
                path(&exported),
                "--format",
                "yaml",
            ],
        ),
        "export",
    );
    let files: Vec<&str> = out.lines().collect();
    assert_eq!(files.len(), 3, "{out}");
    assert!(
        files.iter().any(|f| f.contains("/orders-erp-prod.cs")),
        "{out}"
    );
    let all_text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("exported file"))
        .collect();
    assert!(
        !all_text.contains("s3cret-basic"),
        "the export holds no secret"
    );

    // Round trip: the export plans to zero changes against its own stack.
    let plan = run(
        SOURCE,
        &["plan", "-f", path(&exported), "--detailed-exitcode"],
    );
    assert!(expect(0, &plan, "plan after export").contains("No changes."));

    // A dry run prints the plan and sends nothing.
    let dry = expect(
        0,
        &run(TARGET, &["import", path(&exported), "--dry-run"]),
        "dry run",
    );
    assert!(
        dry.contains("create") && dry.contains("Search index"),
        "{dry}"
    );
    assert!(webhooks(TARGET).is_empty());

    // The masked secret must be supplied: by ${env:NAME} in the file.
    let editable = temp_dir("import");
    for file in &files {
        let source = Path::new(file);
        let body = std::fs::read_to_string(source)
            .expect("file")
            .replace("'********'", "${env:SEARCH_PASSWORD}")
            .replace("\"********\"", "${env:SEARCH_PASSWORD}");
        std::fs::write(editable.join(source.file_name().expect("name")), body).expect("write");
    }
    let map = temp_dir("map").join("uids.map.json");
    let args = [
        "import",
        path(&editable),
        "--keep-state",
        "--map",
        path(&map),
    ];
    let first = cli(TARGET)
        .args(args)
        .env("SEARCH_PASSWORD", "s3cret-basic")
        .output()
        .expect("runs");
    let printed = expect(0, &first, "import");
    assert!(
        printed.starts_with("ACTION"),
        "the plan comes first: {printed}"
    );
    assert_eq!(webhooks(TARGET).len(), 3);
    let uids: Value = serde_json::from_slice(&std::fs::read(&map).expect("map")).expect("json");
    assert_eq!(uids.as_object().map(|m| m.len()), Some(3), "{uids}");

    // A rerun does nothing twice.
    let again = cli(TARGET)
        .args(args)
        .env("SEARCH_PASSWORD", "s3cret-basic")
        .output()
        .expect("runs");
    let printed = expect(0, &again, "rerun");
    assert_eq!(printed.matches("imported before").count(), 3, "{printed}");
    assert_eq!(webhooks(TARGET).len(), 3);

    // The second stack now plans to zero changes against the export.
    let plan = run(
        TARGET,
        &["plan", "-f", path(&exported), "--detailed-exitcode"],
    );
    assert!(expect(0, &plan, "plan of the copy").contains("No changes."));
    assert_eq!(managed(SOURCE), managed(TARGET));
    // Import recorded the secret it sent, so the edited files plan to zero
    // changes too; another password is a change.
    let plan = |password: &str| {
        cli(TARGET)
            .args(["plan", "-f", path(&editable), "--detailed-exitcode"])
            .env("SEARCH_PASSWORD", password)
            .output()
            .expect("runs")
    };
    assert!(expect(0, &plan("s3cret-basic"), "plan of the edited files").contains("No changes."));
    let changed = expect(2, &plan("another-password"), "a changed secret");
    assert!(
        changed.contains("~ destinations[0].http_basic_password: (sensitive value)"),
        "{changed}"
    );

    // A file of an earlier export that this one did not write is pointed out.
    let stale = exported.join("deleted-since.cs0.yaml");
    std::fs::write(&stale, "name: Gone\n").expect("write");
    let again = run(
        SOURCE,
        &[
            "export",
            "--all",
            "--out",
            path(&exported),
            "--format",
            "yaml",
        ],
    );
    expect(0, &again, "export again");
    assert!(
        text(&again.stderr).contains("1 other webhook files"),
        "{}",
        text(&again.stderr)
    );
    std::fs::remove_file(&stale).expect("remove");

    // Defaults are safe: created disabled, and a masked secret is refused
    // with a message saying how to supply it (exit 3: not all imported).
    let default = run(DEFAULTS, &["import", path(&exported)]);
    expect(3, &default, "import with a masked secret");
    let message = text(&default.stderr);
    assert!(message.contains("${env:NAME}"), "{message}");
    assert!(message.contains("http_basic_password"), "{message}");
    let created = webhooks(DEFAULTS);
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|w| w.disabled == Some(true)));
}

const DESIRED: &str = r#"webhooks:
  - name: Orders
    channels: [content_types.entries.update]
    branches: [main]
    retry_policy: manual
    notifiers: [ops@example.com]
    concise_payload: true
    destinations:
      - target_url: URL
        authentication_type: Bearer
        bearer_token: ${env:ORDERS_TOKEN}
        custom_header:
          - header_name: X-Source
            value: contentstack
  - name: Search
    channels: [assets.create]
    destinations:
      - target_url: URL
"#;

fn desired_file(dir: &Path, url: &str) -> PathBuf {
    let file = dir.join("webhooks.yaml");
    std::fs::write(&file, DESIRED.replace("URL", url)).expect("write");
    file
}

fn with_token(mut command: Command, token: &str) -> Command {
    command.env("ORDERS_TOKEN", token);
    command
}

#[test]
fn drift_made_through_the_api_is_planned_and_applied() {
    let receiver = Destination::start(200);
    let dir = temp_dir("drift");
    let file = desired_file(&dir, &receiver.url);
    let file = path(&file);
    let apply = |token: &str, extra: &[&str]| {
        let mut command = with_token(cli(DRIFT), token);
        command
            .args(["apply", "-f", file, "--auto-approve"])
            .args(extra);
        command.output().expect("runs")
    };
    let plan = |token: &str, extra: &[&str]| {
        let mut command = with_token(cli(DRIFT), token);
        command
            .args(["plan", "-f", file, "--detailed-exitcode"])
            .args(extra);
        command.output().expect("runs")
    };

    let first = expect(0, &apply("token-one", &[]), "first apply");
    assert!(first.contains("+ create \"Orders\""), "{first}");
    assert!(
        first.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{first}"
    );
    assert!(!first.contains("token-one"), "secrets are never shown");
    let state = std::fs::read_to_string(dir.join(".cs-webhooks.state.json")).expect("state");
    assert!(
        !state.contains("token-one") && !state.contains(DRIFT.key),
        "{state}"
    );
    assert!(expect(0, &plan("token-one", &[]), "plan after apply").contains("No changes."));

    // Drift through the API: a field changed, a webhook deleted, one added.
    let stored = webhooks(DRIFT);
    let orders = stored.iter().find(|w| w.name == "Orders").expect("Orders");
    let search = stored.iter().find(|w| w.name == "Search").expect("Search");
    let mut changed: Value = serde_json::to_value(orders).expect("json");
    changed["disabled"] = json!(true);
    changed["destinations"][0]["target_url"] = json!("http://127.0.0.1:9/elsewhere");
    let keep = [
        "name",
        "destinations",
        "channels",
        "disabled",
        "concise_payload",
    ];
    changed
        .as_object_mut()
        .expect("object")
        .retain(|k, _| keep.contains(&k.as_str()));
    let changed: WebhookInput = serde_json::from_value(changed).expect("input");
    client(DRIFT)
        .update_webhook(&orders.uid, changed)
        .send()
        .expect("update");
    client(DRIFT)
        .delete_webhook(&search.uid)
        .send()
        .expect("delete");
    create(
        DRIFT,
        json!({"name": "Stray", "destinations": [{"target_url": receiver.url}],
        "channels": ["assets.delete"]}),
    );

    let planned = plan("token-two", &["-o", "json"]);
    let planned: Value =
        serde_json::from_str(&expect(2, &planned, "plan with drift")).expect("json");
    let changes = planned["changes"].as_array().expect("changes");
    let update = changes
        .iter()
        .find(|c| c["name"] == "Orders")
        .expect("Orders changes");
    assert_eq!(update["action"], "update");
    let fields: Vec<&str> = update["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "destinations[0].target_url",
            "disabled",
            "destinations[0].bearer_token"
        ],
        "{update}"
    );
    let token = &update["fields"][2];
    assert_eq!(
        (token["sensitive"].clone(), token["after"].clone()),
        (json!(true), Value::Null)
    );
    let recreate = changes
        .iter()
        .find(|c| c["name"] == "Search")
        .expect("Search");
    assert_eq!(recreate["action"], "create");
    assert_eq!(planned["unmanaged"], json!(["Stray"]));
    assert_eq!(changes.len(), 2);

    let pruning = expect(2, &plan("token-two", &["--prune"]), "plan --prune");
    assert!(pruning.contains("- delete \"Stray\""), "{pruning}");
    assert!(pruning.contains("~ disabled: true -> false"), "{pruning}");
    assert!(
        pruning.contains("~ destinations[0].bearer_token: (sensitive value)"),
        "{pruning}"
    );
    assert!(
        pruning.contains("Plan: 1 to add, 1 to change, 1 to destroy."),
        "{pruning}"
    );

    // Without a terminal, apply wants --auto-approve and sends nothing.
    let unconfirmed = with_token(cli(DRIFT), "token-two")
        .args(["apply", "-f", file])
        .output()
        .expect("runs");
    expect(2, &unconfirmed, "apply without approval");
    assert!(text(&unconfirmed.stderr).contains("--auto-approve"));

    let applied = expect(0, &apply("token-two", &["--prune"]), "apply --prune");
    assert!(
        applied.contains("Apply complete: 1 added, 1 changed, 1 destroyed."),
        "{applied}"
    );
    assert!(expect(0, &plan("token-two", &["--prune"]), "plan").contains("No changes."));
    let after = webhooks(DRIFT);
    let names: Vec<&str> = after.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"Orders") && names.contains(&"Search"),
        "{names:?}"
    );
    assert!(after.iter().all(|w| w.disabled == Some(false)));

    // --rotate-secrets sends every secret again.
    let rotate = expect(2, &plan("token-two", &["--rotate-secrets"]), "rotate");
    assert!(
        rotate.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{rotate}"
    );
}

#[test]
fn apply_to_two_profiles_gives_the_same_webhooks() {
    let receiver = Destination::start(200);
    let dir = temp_dir("profiles");
    let file = desired_file(&dir, &receiver.url);
    let config = dir.join("profiles.json");
    let profiles = json!({"profiles": {
        "a": {"api_key": PROFILE_A.key, "management_token": PROFILE_A.token, "base_url": base_url(PROFILE_A)},
        "b": {"api_key": PROFILE_B.key, "management_token": PROFILE_B.token, "base_url": base_url(PROFILE_B)}
    }});
    std::fs::write(&config, profiles.to_string()).expect("config");
    for profile in ["a", "b", "a"] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cs-webhooks"));
        for (var, _) in std::env::vars() {
            if var.starts_with("CONTENTSTACK_") {
                command.env_remove(var);
            }
        }
        let output = command
            .env("CS_WEBHOOKS_CONFIG", &config)
            .env("ORDERS_TOKEN", "shared-token")
            .args([
                "apply",
                "-f",
                path(&file),
                "--auto-approve",
                "--profile",
                profile,
            ])
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        expect(0, &output, profile);
    }
    assert_eq!(managed(PROFILE_A).len(), 2);
    assert_eq!(managed(PROFILE_A), managed(PROFILE_B));
}

#[test]
fn malformed_files_name_file_line_and_field_and_send_nothing() {
    let dir = temp_dir("malformed");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: Broken\nchannels: [assets.create]\ndestinations:\n  - authentication_type: None\n    target_url: [1, 2]\n",
    )
    .expect("write");
    let expected = format!("{}:5:", bad.display());
    for args in [
        vec!["plan", "-f", path(&bad)],
        vec!["apply", "-f", path(&bad), "--auto-approve"],
        vec!["import", path(&bad)],
    ] {
        let output = run(MALFORMED, &args);
        expect(2, &output, "a malformed file");
        let message = text(&output.stderr);
        assert!(message.contains(&expected), "{args:?}: {message}");
        assert!(message.contains("destinations[0].target_url"), "{message}");
    }
    let unset = dir.join("unset.json");
    std::fs::write(
        &unset,
        "{\n  \"name\": \"Env\",\n  \"channels\": [\"assets.create\"],\n  \"destinations\": [{\n    \"target_url\": \"http://127.0.0.1:9/x\",\n    \"bearer_token\": \"${env:CS_OP_TEST_UNSET_VARIABLE}\"\n  }]\n}\n",
    )
    .expect("write");
    let output = run(MALFORMED, &["apply", "-f", path(&unset), "--auto-approve"]);
    expect(2, &output, "an unset variable");
    let message = text(&output.stderr);
    assert!(
        message.contains(&format!("{}:6:", unset.display())),
        "{message}"
    );
    assert!(message.contains("CS_OP_TEST_UNSET_VARIABLE"), "{message}");
    assert!(webhooks(MALFORMED).is_empty(), "nothing was sent");
}

/// Starts the CLI, and kills it once `progress` holds: an interruption half
/// way (the rate keeps the run long enough to be caught in the middle).
fn interrupt(stack: Stack, args: &[&str], mut progress: impl FnMut() -> bool) {
    let mut child = cli(stack)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    wait_for("the first run to make progress", &mut progress);
    let _ = child.kill();
    let _ = child.wait();
}

fn names(stack: Stack, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = webhooks(stack)
        .into_iter()
        .map(|w| w.name)
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

#[test]
fn interrupted_import_and_apply_finish_on_rerun_without_doing_anything_twice() {
    let receiver = Destination::start(200);
    let dir = temp_dir("interrupted");
    let exported = dir.join("exported");
    std::fs::create_dir_all(&exported).expect("dir");
    let wanted: Vec<String> = (0..6).map(|i| format!("Imported {i}")).collect();
    for (i, name) in wanted.iter().enumerate() {
        let file = json!({"uid": format!("blt_old_{i}"), "name": name,
            "destinations": [{"target_url": receiver.url}], "channels": ["assets.create"]});
        std::fs::write(exported.join(format!("{i}.json")), file.to_string()).expect("write");
    }
    let map = dir.join("uids.json");
    let args = ["import", path(&exported), "--map", path(&map)];
    interrupt(INTERRUPTED, &[&args[..], &["--rate", "2"]].concat(), || {
        std::fs::read(&map)
            .ok()
            .and_then(|m| serde_json::from_slice::<Value>(&m).ok())
            .and_then(|m| m.as_object().map(|o| o.len() >= 2))
            .unwrap_or(false)
    });
    let rerun = expect(0, &run(INTERRUPTED, &args), "import rerun");
    assert!(rerun.matches("imported before").count() >= 2, "{rerun}");
    assert_eq!(names(INTERRUPTED, "Imported"), wanted);

    let file = dir.join("desired.json");
    let desired: Vec<Value> = (0..6)
        .map(|i| {
            json!({"name": format!("Applied {i}"),
            "destinations": [{"target_url": receiver.url}], "channels": ["assets.create"]})
        })
        .collect();
    std::fs::write(&file, Value::from(desired).to_string()).expect("write");
    let args = ["apply", "-f", path(&file), "--auto-approve"];
    interrupt(INTERRUPTED, &[&args[..], &["--rate", "2"]].concat(), || {
        names(INTERRUPTED, "Applied").len() >= 2
    });
    // A create in flight at the kill may land after it: the rerun plans at
    // most what was missing, and a duplicate name would fail it (exit 3).
    let left = 6 - names(INTERRUPTED, "Applied").len();
    let rerun = expect(0, &run(INTERRUPTED, &args), "apply rerun");
    let planned = (0..=left)
        .find(|k| {
            rerun.contains(&format!("Plan: {k} to add, 0 to change"))
                || (*k == 0 && rerun.contains("No changes."))
        })
        .unwrap_or_else(|| panic!("expected at most {left} to add: {rerun}"));
    assert!(planned <= 4, "{rerun}");
    let applied: Vec<String> = (0..6).map(|i| format!("Applied {i}")).collect();
    assert_eq!(names(INTERRUPTED, "Applied"), applied);
}

/// Fires `count` entry.update events on `stack`.
fn fire(stack: Stack, count: usize) {
    for _ in 0..count {
        expect(0, &run(stack, &["trigger", "entry.update"]), "trigger");
    }
}

/// Waits until each of `webhook`'s `count` executions has `attempts` attempts
/// and its latest status is `status`.
fn settle(stack: Stack, webhook: &str, count: usize, attempts: usize, status: u16) {
    wait_for(
        &format!("{count} executions at {attempts} attempts"),
        || {
            let list: Vec<_> = client(stack)
                .list_executions(webhook)
                .items()
                .collect::<Result<_, _>>()
                .expect("executions");
            list.len() == count
                && list
                    .iter()
                    .all(|e| e.request_details.len() == attempts && e.status == Some(status))
        },
    );
}

fn failing_webhook(stack: Stack, name: &str, url: &str) -> String {
    create(
        stack,
        json!({"name": name, "destinations": [{"target_url": url}],
        "channels": ["content_types.entries.update"], "retry_policy": "manual"}),
    )
    .uid
}

#[test]
fn recover_resends_each_failed_execution_exactly_once_even_after_an_interruption() {
    let receiver = Destination::start(500);
    let first = failing_webhook(RECOVER, "Outage one", &receiver.url);
    let second = failing_webhook(RECOVER, "Outage two", &receiver.url);
    fire(RECOVER, 4);
    settle(RECOVER, &first, 4, 1, 500);
    settle(RECOVER, &second, 4, 1, 500);
    receiver.set_status(200);

    let dir = temp_dir("recover");
    let state = dir.join("recover.state");
    let args = ["recover", "--all", "--since", "1h", "--state", path(&state)];
    // Interrupt the first run (killed) once it has retried some.
    let mut child = cli(RECOVER)
        .args(args)
        .args(["--rate", "4"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    wait_for("two accepted retries", || {
        std::fs::read_to_string(&state)
            .map(|s| s.matches("\"accepted\"").count() >= 2)
            .unwrap_or(false)
    });
    let _ = child.kill();
    let _ = child.wait();

    let rerun = expect(
        0,
        &run(
            RECOVER,
            &[&args[..], &["--rate", "0", "-o", "json"]].concat(),
        ),
        "rerun",
    );
    let summary: Value = serde_json::from_str(&rerun).expect("json");
    // What the killed run sent is skipped: as retried before, or (once its
    // delivery landed) as already succeeded.
    let retried = summary["retried"].as_array().map_or(0, Vec::len) as u64;
    let before = summary["skipped_retried_before"].as_u64().unwrap_or(0)
        + summary["skipped_already_succeeded"].as_u64().unwrap_or(0);
    assert_eq!(retried + before, 8, "{summary}");
    assert!(before >= 2, "{summary}");
    assert_eq!(summary["failed"], json!([]), "{summary}");
    // Every execution got exactly one more attempt, which succeeded.
    settle(RECOVER, &first, 4, 2, 200);
    settle(RECOVER, &second, 4, 2, 200);

    let third = expect(
        0,
        &run(RECOVER, &[&args[..], &["-o", "json"]].concat()),
        "third run",
    );
    let summary: Value = serde_json::from_str(&third).expect("json");
    assert_eq!(summary["retried"], json!([]), "{summary}");
    assert_eq!(summary["skipped_already_succeeded"], 8, "{summary}");
    assert_eq!(receiver.received().len(), 16);
}

#[test]
fn recover_keeps_to_its_rate_and_reports_what_it_could_not_retry() {
    let receiver = Destination::start(503);
    let open = failing_webhook(RATE, "Rate open", &receiver.url);
    let closed = failing_webhook(RATE, "Rate closed", &receiver.url);
    fire(RATE, 3);
    settle(RATE, &open, 3, 1, 503);
    settle(RATE, &closed, 3, 1, 503);
    expect(0, &run(RATE, &["webhooks", "disable", &closed]), "disable");

    let state = temp_dir("rate").join("recover.state");
    let dry = run(
        RATE,
        &[
            "recover",
            "--all",
            "--since",
            "1h",
            "--dry-run",
            "--state",
            path(&state),
        ],
    );
    assert_eq!(expect(0, &dry, "dry run").matches("retry").count(), 6);
    assert!(!state.exists(), "a dry run writes no state");

    let output = run(
        RATE,
        &[
            "recover",
            "--all",
            "--since",
            "1h",
            "--status",
            "500..599",
            "--rate",
            "5",
            "--state",
            path(&state),
            "-o",
            "json",
        ],
    );
    let summary: Value = serde_json::from_str(&expect(3, &output, "recover")).expect("json");
    assert_eq!(
        summary["retried"].as_array().map(Vec::len),
        Some(3),
        "{summary}"
    );
    let failed = summary["failed"].as_array().expect("failed");
    assert_eq!(failed.len(), 3, "{summary}");
    assert!(failed.iter().all(|f| f["webhook"] == closed.as_str()));
    assert!(
        failed[0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("disabled"),
        "{summary}"
    );
    let rate = summary["writes_per_second"].as_f64().expect("rate");
    assert!(
        rate > 0.0 && rate <= 5.0,
        "measured {rate}/s against a limit of 5/s"
    );
}

#[test]
fn recover_waits_out_429s_without_failing() {
    let receiver = Destination::start(502);
    let webhook = failing_webhook(LIMITED, "Limited", &receiver.url);
    fire(LIMITED, 5);
    settle(LIMITED, &webhook, 5, 1, 502);
    let state = temp_dir("limited").join("recover.state");
    // No limiter of our own: the server's 2 writes a second answer 429s.
    let output = run(
        LIMITED,
        &[
            "recover",
            "--webhook",
            &webhook,
            "--since",
            "1h",
            "--rate",
            "0",
            "--state",
            path(&state),
            "-o",
            "json",
        ],
    );
    let summary: Value = serde_json::from_str(&expect(0, &output, "recover")).expect("json");
    assert_eq!(
        summary["retried"].as_array().map(Vec::len),
        Some(5),
        "{summary}"
    );
    assert_eq!(summary["failed"], json!([]));
}

const BENCH_EXPORT: Stack = Stack {
    key: "blt0000000000op_bench_x",
    token: "cs-op-bench-export",
};
const BENCH_RECOVER: Stack = Stack {
    key: "blt0000000000op_bench_r",
    token: "cs-op-bench-recover",
};

/// Wall time of one CLI run, and its stdout.
fn timed(stack: Stack, args: &[&str]) -> (f64, String) {
    let started = std::time::Instant::now();
    let output = run(stack, args);
    let seconds = started.elapsed().as_secs_f64();
    (seconds, expect(0, &output, &format!("{args:?}")))
}

/// The figures of BENCHMARKS.md's operator section: `export --all` of N
/// webhooks and `recover` of N failed executions, limiter off and at 10/s.
/// `cargo test -p cs-webhooks-cli --test operator -- --ignored --nocapture`
/// (N from CS_WEBHOOKS_BENCH_N, default 1000; at 10/s recover takes N/10 s).
#[test]
#[ignore = "a benchmark: minutes long"]
fn benchmark_export_and_recover() {
    let n: usize = std::env::var("CS_WEBHOOKS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let receiver = Destination::start(200);
    for i in 0..n {
        create(
            BENCH_EXPORT,
            json!({"name": format!("Bench {i}"),
            "destinations": [{"target_url": receiver.url}], "channels": ["assets.create"]}),
        );
    }
    let dir = temp_dir("bench-export");
    println!("| run | requests | wall time | measured rate |");
    println!("|---|---|---|---|");
    for rate in ["0", "10"] {
        let started = std::time::Instant::now();
        let output = run(
            BENCH_EXPORT,
            &[
                "export",
                "--all",
                "--out",
                path(&dir),
                "--rate",
                rate,
                "--verbose",
            ],
        );
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(expect(0, &output, "export").lines().count(), n);
        let requests = text(&output.stderr).matches("> GET ").count();
        // Like recover's figure: intervals between requests a second (the
        // first request goes at once).
        println!(
            "| export --all, {n} webhooks, --rate {rate} | {requests} list pages | {seconds:.2} s | {:.1} req/s |",
            requests.saturating_sub(1) as f64 / seconds
        );
    }

    // Failed executions: at most 8 per webhook, below the circuit breaker.
    let per_webhook = 8;
    let webhooks = n.div_ceil(per_webhook);
    let outage = Destination::start(500);
    let uids: Vec<String> = (0..webhooks)
        .map(|i| failing_webhook(BENCH_RECOVER, &format!("Bench outage {i}"), &outage.url))
        .collect();
    for (round, rate) in ["0", "10"].into_iter().enumerate() {
        outage.set_status(500);
        fire(BENCH_RECOVER, per_webhook);
        for uid in &uids {
            settle_failed(BENCH_RECOVER, uid, per_webhook * (round + 1));
        }
        outage.set_status(200);
        let state = dir.join(format!("recover-{rate}.state"));
        let (seconds, out) = timed(
            BENCH_RECOVER,
            &[
                "recover",
                "--all",
                "--since",
                "1h",
                "--rate",
                rate,
                "--state",
                path(&state),
                "-o",
                "json",
            ],
        );
        let summary: Value = serde_json::from_str(&out).expect("json");
        let retried = summary["retried"].as_array().map_or(0, Vec::len);
        assert_eq!(retried, webhooks * per_webhook, "{summary}");
        println!(
            "| recover, {retried} failed executions, --rate {rate} | {retried} retries | {seconds:.2} s | {:.1} retries/s |",
            summary["writes_per_second"].as_f64().unwrap_or(0.0)
        );
        // Let the retries land so the next round starts from success.
        for uid in &uids {
            wait_for("retries delivered", || {
                client(BENCH_RECOVER)
                    .list_executions(uid)
                    .items()
                    .filter_map(Result::ok)
                    .all(|e| e.status == Some(200))
            });
        }
    }
}

/// Waits until `webhook` has `count` executions, every latest attempt done.
fn settle_failed(stack: Stack, webhook: &str, count: usize) {
    wait_for(&format!("{count} executions"), || {
        let list: Vec<_> = client(stack)
            .list_executions(webhook)
            .items()
            .collect::<Result<_, _>>()
            .expect("executions");
        list.len() == count && list.iter().all(|e| !e.request_details.is_empty())
    });
}
