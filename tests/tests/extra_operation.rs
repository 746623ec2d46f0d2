//! Adding an operation to the spec makes it callable from both clients with
//! no hand-written Rust: copies of `crates/model` and `crates/api` are built
//! from the spec plus an extra operation and one operation per construct of
//! the codegen's construct table (inline schemas, composed schemas, several
//! 2xx, text and bytes bodies, parameters of every kind), and a crate calling
//! each on both clients compiles. Everything is one build, the slowest test
//! of the suite, so new constructs go in the table, not in a new build.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../crates/codegen/tests/support/constructs.rs"]
#[allow(dead_code)]
mod constructs;

const EXTRA_OPERATION: &str = r##"
  /webhooks/{webhook_uid}/ping:
    parameters:
      - $ref: "#/components/parameters/webhook_uid"
    post:
      operationId: ping_webhook
      summary: Ping a webhook
      description: A made-up operation, added only by this test.
      parameters:
        - name: loud
          in: query
          schema:
            type: boolean
        - name: times
          in: query
          schema:
            type: integer
            format: uint32
            minimum: 1
            maximum: 5
      responses:
        "200":
          description: Pinged.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
              example: {"notice": "pong"}
"##;

const CALLER: &str = r#"
use cs_webhooks_api::{AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, Error, Operation};
use cs_webhooks_api::model::Notice;
#[allow(unused_imports)]
use cs_webhooks_api::model;

pub fn blocking<T: BlockingTransport>(client: &BlockingClient<T>) -> Result<Notice, Error> {
    client.ping_webhook("cs-uid").loud(true).times(3).send()
}

pub async fn asynchronous<T: AsyncTransport>(client: &AsyncClient<T>) -> Result<Notice, Error> {
    client.ping_webhook("cs-uid").loud(true).times(3).send().await
}

pub const ID: &str = cs_webhooks_api::operations::PingWebhook::ID;
"#;

/// One function per construct call and client: it compiles only if the
/// operation is generated with the expected inputs and output type.
fn construct_callers() -> String {
    let mut out = String::new();
    for (i, construct) in constructs::CONSTRUCTS.iter().enumerate() {
        for (j, (call, output)) in construct.calls.iter().enumerate() {
            let name = format!("{}_{i}_{j}", construct.name);
            out.push_str(&format!(
                "\npub fn blocking_{name}<T: BlockingTransport>(client: &BlockingClient<T>) -> Result<{output}, Error> {{\n    {call}.send()\n}}\n\
                 \npub async fn async_{name}<T: AsyncTransport>(client: &AsyncClient<T>) -> Result<{output}, Error> {{\n    {call}.send().await\n}}\n"
            ));
        }
    }
    out
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            // fs::copy follows the spec symlink; the spec is replaced below anyway.
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn the_original_spec_has_no_ping_operation() {
    let spec = workspace_root().join("openapi/webhooks.yaml");
    let generated = cs_webhooks_codegen::generate_operations_file(&spec).expect("generates");
    assert!(!generated.contains("ping_webhook"));
}

/// `OPERATIONS` is what `DynamicOperation` and the CLI's `api` command read,
/// so an operation in the table is reachable from the command line.
#[test]
fn an_operation_added_to_the_spec_joins_the_operation_table() {
    let spec =
        std::fs::read_to_string(workspace_root().join("openapi/webhooks.yaml")).expect("spec");
    let spec = spec.replacen("\npaths:\n", &format!("\npaths:{EXTRA_OPERATION}"), 1);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("extra-operation-table");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("webhooks.yaml");
    std::fs::write(&path, spec).expect("spec");
    let generated = cs_webhooks_codegen::generate_operations_file(&path).expect("generates");
    let table = &generated[generated.find("pub const OPERATIONS").expect("a table")..];
    assert!(table.contains("id: \"ping_webhook\""), "{table}");
    assert!(table.contains("name: \"times\""), "{table}");
    assert!(table.contains("maximum: Some(5)"), "{table}");

    // The entry carries all that `cs-webhooks api ping_webhook --param
    // webhook_uid=... --param loud=true` needs: method, path, where each
    // parameter goes, its type, and that there is no body.
    let start = table.find("id: \"ping_webhook\"").expect("the entry");
    let entry = &table[start..];
    let entry = &entry[..entry.find("OperationInfo {").unwrap_or(entry.len())];
    for expected in [
        "method: \"POST\"",
        "path: \"/webhooks/{webhook_uid}/ping\"",
        "name: \"webhook_uid\",\n                location: ParamLocation::Path,\n                required: true",
        "name: \"loud\",\n                location: ParamLocation::Query,\n                required: false,\n                kind: ParamKind::Boolean",
        "body: BodyInfo::None",
    ] {
        assert!(
            entry.contains(expected),
            "{expected:?} missing from:\n{entry}"
        );
    }
}

#[test]
fn an_operation_added_to_the_spec_is_callable_from_both_clients() {
    let root = workspace_root().canonicalize().expect("root");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("extra-operation");
    let _ = std::fs::remove_dir_all(scratch.join("api"));
    let _ = std::fs::remove_dir_all(scratch.join("caller"));

    let _ = std::fs::remove_dir_all(scratch.join("model"));
    let spec = std::fs::read_to_string(root.join("openapi/webhooks.yaml")).expect("spec");
    let spec = spec.replacen("\npaths:\n", &format!("\npaths:{EXTRA_OPERATION}"), 1);
    let spec = match constructs::with_all_constructs(&spec) {
        Ok(spec) => spec,
        Err(message) => panic!("the constructs do not merge into the spec: {message}"),
    };
    // The model and api crates, as they are, with that spec.
    for (krate, extra) in [("model", &["benches"][..]), ("api", &[][..])] {
        let from = root.join("crates").join(krate);
        let to = scratch.join(krate);
        copy_dir(&from.join("src"), &to.join("src"));
        for dir in extra {
            copy_dir(&from.join(dir), &to.join(dir));
        }
        std::fs::copy(from.join("build.rs"), to.join("build.rs")).expect("build.rs");
        // Its path dependencies (test support) still point at our crates.
        let manifest = std::fs::read_to_string(from.join("Cargo.toml"))
            .expect("manifest")
            .replace(
                "path = \"../",
                &format!("path = \"{}/crates/", root.display()),
            );
        std::fs::write(to.join("Cargo.toml"), manifest).expect("manifest");
        std::fs::create_dir_all(to.join("openapi")).expect("mkdir");
        std::fs::write(to.join("openapi/webhooks.yaml"), &spec).expect("spec");
    }

    // A crate that calls the new operation on both clients.
    std::fs::create_dir_all(scratch.join("caller/src")).expect("mkdir");
    std::fs::write(
        scratch.join("caller/Cargo.toml"),
        "[package]\nname = \"caller\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ncs-webhooks-api.workspace = true\n",
    )
    .expect("manifest");
    std::fs::write(
        scratch.join("caller/src/lib.rs"),
        format!("{CALLER}{}", construct_callers()),
    )
    .expect("caller");

    // A workspace like ours, whose api is the copy.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("manifest");
    let root_path = root.display().to_string();
    let manifest: String = manifest
        .lines()
        .map(|line| {
            if line.starts_with("members = ") {
                "members = [\"model\", \"api\", \"caller\"]".to_string()
            } else if line.starts_with("cs-webhooks-api = ")
                || line.starts_with("cs-webhooks-model = ")
            {
                // The copies, whatever the version.
                line.replace("path = \"crates/", "path = \"")
            } else {
                line.replace("path = \"crates/", &format!("path = \"{root_path}/crates/"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(scratch.join("Cargo.toml"), manifest).expect("workspace");
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).expect("lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "-p", "caller"])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the caller does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
