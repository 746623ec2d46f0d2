//! `cargo xtask api-diff`: the spec at a git revision against the working
//! tree's, reported by what the change does to callers of the generated API.
//! The comparison itself is the generator's (`cs_webhooks_codegen::api_diff`);
//! this module only fetches the two sides. Nothing is written.

use std::path::Path;
use std::process::Command;

use cs_webhooks_codegen::{ApiDiff, api_diff, parse_spec};

/// The spec, relative to the workspace root.
pub const SPEC: &str = "openapi/webhooks.yaml";

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For a person.
    Text,
    /// `{"base": .., "breaking": [..], "additive": [..], "internal": [..]}`.
    Json,
}

/// The options of `cargo xtask api-diff`.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// The git revision to compare with.
    pub base: String,
    /// The report format.
    pub format: Format,
}

impl Options {
    /// Reads `[--base GIT_REF] [--format text|json]`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            base: "HEAD".into(),
            format: Format::Text,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (arg.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match name {
                "--base" => options.base = value()?,
                "--format" => {
                    options.format = match value()?.as_str() {
                        "text" => Format::Text,
                        "json" => Format::Json,
                        other => return Err(format!("--format {other}: use text or json")),
                    }
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(options)
    }
}

/// The report for `options`, comparing the spec at `options.base` with the
/// working tree's under `root`.
pub fn report(root: &Path, options: &Options) -> Result<String, String> {
    let text = spec_at(root, &options.base)?;
    let diff = diff_against(root, &options.base, &text)?;
    Ok(render(&diff, &options.base, options.format))
}

/// Prints a diff in `format`.
pub fn render(diff: &ApiDiff, base: &str, format: Format) -> String {
    match format {
        Format::Text => diff.to_text(base),
        Format::Json => {
            let json = diff.to_json(base);
            // A `Value` always serializes; the fallback keeps this total.
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string()) + "\n"
        }
    }
}

/// Compares `base_text` (the spec at `base_name`) with the working tree's.
pub fn diff_against(root: &Path, base_name: &str, base_text: &str) -> Result<ApiDiff, String> {
    let base = parse_spec(base_text).map_err(|e| format!("base `{base_name}` ({SPEC}): {e}"))?;
    let head_path = root.join(SPEC);
    let head_text = std::fs::read_to_string(&head_path)
        .map_err(|e| format!("working tree: cannot read {SPEC}: {e}"))?;
    let head = parse_spec(&head_text).map_err(|e| format!("working tree ({SPEC}): {e}"))?;
    api_diff(&base, &head).map_err(|e| {
        let message = e.to_string();
        match message.strip_prefix("head: ") {
            Some(rest) => format!("working tree ({SPEC}): {rest}"),
            None => match message.strip_prefix("base: ") {
                Some(rest) => format!("base `{base_name}` ({SPEC}): {rest}"),
                None => format!("cannot compare the specs: {message}"),
            },
        }
    })
}

/// The spec's text at git revision `base`.
pub fn spec_at(root: &Path, base: &str) -> Result<String, String> {
    if base.starts_with('-') {
        return Err(format!("base `{base}`: not a git revision"));
    }
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ],
    )
    .map_err(|e| format!("base `{base}`: no such git revision ({e})"))?;
    git(root, &["show", &format!("{}:{SPEC}", commit.trim())])
        .map_err(|e| format!("base `{base}`: {SPEC} is not in that revision ({e})"))
}

/// Runs git in `root` and returns its standard output.
pub fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        String::from_utf8(output.stdout).map_err(|_| "git printed non-UTF-8 text".to_string())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        Err(if stderr.is_empty() {
            format!("git {} failed ({})", args.join(" "), output.status)
        } else {
            stderr
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh git repository with `spec` committed as `openapi/webhooks.yaml`.
    pub(crate) fn repo(name: &str, spec: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("openapi")).expect("mkdir");
        std::fs::write(dir.join(SPEC), spec).expect("spec");
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@localhost",
                "commit",
                "-qm",
                "spec",
            ],
        ] {
            git(&dir, args).expect("git");
        }
        dir
    }

    pub(crate) fn workspace_spec() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        std::fs::read_to_string(root.join(SPEC)).expect("the workspace spec")
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("openapi"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn options_default_to_head_and_text() {
        assert_eq!(
            Options::parse(&[]),
            Ok(Options {
                base: "HEAD".into(),
                format: Format::Text
            })
        );
        let args: Vec<String> = ["--base", "v0.1.0", "--format=json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            Options::parse(&args),
            Ok(Options {
                base: "v0.1.0".into(),
                format: Format::Json
            })
        );
        let bad: Vec<String> = vec!["--format".into(), "yaml".into()];
        assert!(Options::parse(&bad).unwrap_err().contains("text or json"));
    }

    #[test]
    fn a_working_tree_change_is_reported_against_head() {
        let dir = repo("head", &workspace_spec());
        let edited =
            workspace_spec().replacen("      enum: [manual, automatic]", "      enum: [manual]", 1);
        std::fs::write(dir.join(SPEC), edited).expect("edit");
        let options = Options {
            base: "HEAD".into(),
            format: Format::Json,
        };
        let report = report(&dir, &options).expect("a report");
        let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
        assert_eq!(json["base"], "HEAD");
        assert_eq!(json["breaking"][0]["rust"], "RetryPolicy::Automatic");
    }

    #[test]
    fn a_missing_base_ref_is_named_and_nothing_is_written() {
        let dir = repo("badref", &workspace_spec());
        let before = listing(&dir);
        let options = Options {
            base: "no-such-ref".into(),
            format: Format::Text,
        };
        let error = report(&dir, &options).expect_err("no such ref");
        assert!(
            error.starts_with("base `no-such-ref`: no such git revision"),
            "{error}"
        );
        assert_eq!(listing(&dir), before);
    }

    #[test]
    fn a_base_spec_that_does_not_parse_is_named() {
        let dir = repo("badbase", "openapi: [unclosed\n");
        std::fs::write(dir.join(SPEC), workspace_spec()).expect("fix the working tree");
        let options = Options {
            base: "HEAD".into(),
            format: Format::Text,
        };
        let error = report(&dir, &options).expect_err("the base does not parse");
        assert!(
            error.starts_with("base `HEAD` (openapi/webhooks.yaml):"),
            "{error}"
        );
        assert!(error.contains("not a valid OpenAPI document"), "{error}");
    }

    #[test]
    fn a_working_tree_spec_that_does_not_parse_is_named() {
        let dir = repo("badhead", &workspace_spec());
        std::fs::write(dir.join(SPEC), "openapi: [unclosed\n").expect("break it");
        let options = Options {
            base: "HEAD".into(),
            format: Format::Text,
        };
        let error = report(&dir, &options).expect_err("the working tree does not parse");
        assert!(
            error.starts_with("working tree (openapi/webhooks.yaml):"),
            "{error}"
        );
    }
}
