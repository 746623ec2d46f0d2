//! Project tasks: `cargo xtask codegen`, `cargo xtask check` and
//! `cargo xtask api-diff`.
//!
//! The generated code itself is built from the spec by build scripts (into
//! OUT_DIR); what lives in the repository is its snapshot. `codegen`
//! regenerates and accepts the snapshots; `check` is what CI runs besides the
//! test suite: the release check, spec lint, snapshot tests, fmt, clippy and
//! packaging. `api-diff` says what a spec change does to callers.

mod api_diff;
mod release;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <codegen|check|api-diff>

  codegen   regenerate the code from openapi/webhooks.yaml, accept the snapshots
            and print what changed for callers (against HEAD)
  check     release check (spec changes vs. version) + spec lint + snapshot tests
            + fmt + clippy -D warnings + cargo package of the generated crates
  api-diff [--base GIT_REF] [--format text|json]
            what the working tree's spec changes for callers of the generated API,
            against the spec at GIT_REF (default HEAD); writes nothing";

/// The test targets that hold the snapshots of generated code: the spec's,
/// each construct of the construct table's, and the API diff reports'.
const SNAPSHOT_TESTS: &[(&str, &str)] = &[
    ("cs-webhooks-codegen", "snapshot"),
    ("cs-webhooks-codegen", "constructs"),
    ("cs-webhooks-codegen", "api_diff"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(),
        Some("check") => check(),
        Some("api-diff") => api_diff::Options::parse(&args[1..])
            .and_then(|options| api_diff::report(&workspace_root(), &options))
            .map(|report| print!("{report}")),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask/ sits directly under the workspace root.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// What `cargo run` sets for the program it runs (besides `CARGO_PKG_*`).
const CARGO_RUN_VARS: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_RUSTC_CURRENT_DIR",
];

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    eprintln!("$ cargo {}", args.join(" "));
    let mut command = Command::new(cargo);
    // `cargo run` set these for the xtask itself; passed on, they change the
    // inner build's environment, and the next plain `cargo build` would then
    // rebuild ring, rustls and reqwest (minutes) for nothing.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if CARGO_RUN_VARS.contains(&name.as_ref()) || name.starts_with("CARGO_PKG_") {
            command.env_remove(name.as_ref());
        }
    }
    let status = command
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Regenerates (the build scripts run again on the current spec) and writes
/// the new snapshots in place, then checks that they now pass.
fn codegen() -> Result<(), String> {
    for (package, test) in SNAPSHOT_TESTS {
        cargo(
            &["test", "-p", package, "--test", test],
            &[("INSTA_UPDATE", "always"), ("INSTA_FORCE_PASS", "1")],
        )?;
    }
    remove_pending_snapshots(&workspace_root())?;
    for (package, test) in SNAPSHOT_TESTS {
        cargo(
            &["test", "-p", package, "--test", test],
            &[("INSTA_UPDATE", "no")],
        )?;
    }
    // The model crate builds from the same spec: make sure it still compiles.
    cargo(&["build", "--workspace", "--all-targets"], &[])?;
    eprintln!("codegen: snapshots are up to date; review `git diff` and commit them.\n");
    // The summary is advice: a repository without history still regenerates.
    let options = api_diff::Options {
        base: "HEAD".into(),
        format: api_diff::Format::Text,
    };
    match api_diff::report(&workspace_root(), &options) {
        Ok(report) => print!("{report}"),
        Err(message) => eprintln!("codegen: no API summary: {message}"),
    }
    Ok(())
}

fn check() -> Result<(), String> {
    eprintln!("{}", release::check(&workspace_root())?);
    cargo(
        &["test", "-p", "cs-webhooks-tests", "--test", "spec_lint"],
        &[],
    )?;
    for (package, test) in SNAPSHOT_TESTS {
        cargo(
            &["test", "-p", package, "--test", test],
            &[("INSTA_UPDATE", "no")],
        )?;
    }
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    // The emulator uses the schema crate without its `proptest` feature; in a
    // workspace build other crates turn the feature on, so check it alone.
    cargo(
        &[
            "clippy",
            "-p",
            "cs-webhooks-schema",
            "--lib",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    // The crates that build from the spec must stay publishable: their build
    // scripts may only read the spec that travels inside the package.
    remove_stale_package_sources()?;
    cargo(
        &[
            "package",
            "--allow-dirty",
            "-p",
            "cs-webhooks-codegen",
            "-p",
            "cs-webhooks-model",
            "-p",
            "cs-webhooks-api",
        ],
        &[],
    )?;
    eprintln!("check: all good");
    Ok(())
}

/// `cargo package` verifies a multi-crate package through a temporary local
/// registry and unpacks our crates under `$CARGO_HOME/registry/src/-<hash>/`.
/// Cargo reuses an unpacked `name-version` directory as is, so with an
/// unchanged version (0.1.0) a later run compiles the sources of an earlier
/// one. Those unnamed registries only ever come from packaging, so removing
/// our crates from them makes every check verify the current sources.
fn remove_stale_package_sources() -> Result<(), String> {
    let cargo_home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".cargo"),
            None => return Ok(()),
        },
    };
    let Ok(registries) = std::fs::read_dir(cargo_home.join("registry").join("src")) else {
        return Ok(());
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for unpacked in crates.flatten() {
            if unpacked
                .file_name()
                .to_string_lossy()
                .starts_with("cs-webhooks-")
            {
                let path = unpacked.path();
                std::fs::remove_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// insta leaves `.snap.new` files for rejected snapshots; after accepting
/// everything they are stale.
fn remove_pending_snapshots(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                remove_pending_snapshots(&path)?;
            }
        } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
