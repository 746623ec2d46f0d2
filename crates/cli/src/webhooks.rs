//! `cs-webhooks webhooks ...`: list, read, write, export and import webhooks.

use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

use cs_webhooks_blocking::UploadFile;
use cs_webhooks_blocking::model::{Webhook, WebhookInput};
use serde_json::Value;

use crate::failure::Failure;
use crate::output::{self, Format, List};
use crate::transport::CliClient;

/// What to do with webhooks.
#[derive(Debug, clap::Subcommand)]
pub enum WebhooksCommand {
    /// List every webhook of the stack (pages automatically).
    List,
    /// Show one webhook.
    Get {
        /// The webhook's uid.
        uid: String,
    },
    /// Create a webhook from a JSON or YAML file (`{"webhook": {...}}` or the bare object).
    Create {
        /// The file, or `-` for stdin.
        #[arg(long, value_name = "FILE")]
        from_file: PathBuf,
    },
    /// Replace a webhook's definition with a JSON or YAML file.
    Update {
        /// The webhook's uid.
        uid: String,
        /// The file, or `-` for stdin.
        #[arg(long, value_name = "FILE")]
        from_file: PathBuf,
    },
    /// Enable a webhook (this also resets its circuit breaker).
    Enable {
        /// The webhook's uid.
        uid: String,
    },
    /// Disable a webhook.
    Disable {
        /// The webhook's uid.
        uid: String,
    },
    /// Delete a webhook.
    Delete {
        /// The webhook's uid.
        uid: String,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Export a webhook as the API's JSON file.
    Export {
        /// The webhook's uid.
        uid: String,
        /// Write it here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import an exported webhook: as a new webhook, or into an existing one.
    Import {
        /// The exported JSON file.
        file: PathBuf,
        /// Import into this existing webhook instead of creating one.
        #[arg(long, value_name = "UID")]
        into: Option<String>,
    },
}

/// Runs a webhooks command.
pub fn run(command: &WebhooksCommand, client: &CliClient, format: Format) -> Result<(), Failure> {
    match command {
        WebhooksCommand::List => {
            let mut list = List::new(format, HEADERS);
            for webhook in client.list_webhooks().items() {
                let webhook = webhook.map_err(|e| Failure::api("listing webhooks", e))?;
                let cells = row(&webhook);
                list.push(webhook, cells)?;
            }
            list.finish()
        }
        WebhooksCommand::Get { uid } => {
            let webhook = client
                .get_webhook(uid)
                .send()
                .map_err(|e| Failure::api(format!("getting webhook {uid}"), e))?
                .webhook;
            show(&webhook, format)
        }
        WebhooksCommand::Create { from_file } => {
            let input = read_input(from_file)?;
            let webhook = client
                .create_webhook(input)
                .send()
                .map_err(|e| Failure::api("creating the webhook", e))?
                .webhook;
            show(&webhook, format)
        }
        WebhooksCommand::Update { uid, from_file } => {
            let input = read_input(from_file)?;
            let webhook = client
                .update_webhook(uid, input)
                .send()
                .map_err(|e| Failure::api(format!("updating webhook {uid}"), e))?
                .webhook;
            show(&webhook, format)
        }
        WebhooksCommand::Enable { uid } => set_disabled(client, uid, false, format),
        WebhooksCommand::Disable { uid } => set_disabled(client, uid, true, format),
        WebhooksCommand::Delete { uid, yes } => {
            if !yes && !confirm(&format!("delete webhook {uid}?"))? {
                return Err(Failure::Usage(format!("not deleted: {uid}")));
            }
            let notice = client
                .delete_webhook(uid)
                .send()
                .map_err(|e| Failure::api(format!("deleting webhook {uid}"), e))?;
            match format {
                Format::Table => output::line(&notice.notice),
                Format::Json | Format::Jsonl => output::json(&notice),
            }
        }
        WebhooksCommand::Export { uid, out } => {
            let exported = client
                .export_webhook(uid)
                .send()
                .map_err(|e| Failure::api(format!("exporting webhook {uid}"), e))?;
            match out {
                Some(path) => {
                    std::fs::write(path, &exported.bytes)
                        .map_err(|e| Failure::Other(format!("writing {}: {e}", path.display())))?;
                    output::note(&format!("exported {uid} to {}", path.display()));
                    Ok(())
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(&exported.bytes)
                        .and_then(|()| stdout.write_all(b"\n"))
                        .map_err(|e| Failure::Other(format!("writing to stdout: {e}")))
                }
            }
        }
        WebhooksCommand::Import { file, into } => {
            let upload = read_upload(file)?;
            let imported = match into {
                Some(uid) => client
                    .import_existing_webhook(uid, upload)
                    .send()
                    .map_err(|e| Failure::api(format!("importing into webhook {uid}"), e))?,
                None => client
                    .import_webhook(upload)
                    .send()
                    .map_err(|e| Failure::api("importing the webhook", e))?,
            };
            show(&imported.webhook, format)
        }
    }
}

const HEADERS: &[&str] = &["UID", "NAME", "STATE", "CHANNELS", "DESTINATIONS"];

fn row(webhook: &Webhook) -> Vec<String> {
    let state = if webhook.unhealthy.as_ref().and_then(|u| u.state) == Some(true) {
        "unhealthy"
    } else if webhook.disabled == Some(true) {
        "disabled"
    } else {
        "enabled"
    };
    vec![
        webhook.uid.clone(),
        webhook.name.clone(),
        state.to_owned(),
        webhook
            .channels
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(","),
        webhook
            .destinations
            .iter()
            .map(|d| d.target_url.as_str())
            .collect::<Vec<_>>()
            .join(","),
    ]
}

/// One webhook: a one-row table, or its JSON.
fn show(webhook: &Webhook, format: Format) -> Result<(), Failure> {
    match format {
        Format::Table => output::table(HEADERS, &[row(webhook)]),
        Format::Json | Format::Jsonl => output::json(webhook),
    }
}

/// Reads a file, or stdin for `-`.
pub fn read_source(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("reading stdin: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| Failure::Usage(format!("reading {}: {e}", path.display())))
}

/// A webhook definition from JSON or YAML, wrapped in `{"webhook": ...}` or bare.
fn read_input(path: &Path) -> Result<WebhookInput, Failure> {
    let bytes = read_source(path)?;
    let name = path.display();
    let document: Value = serde_yaml::from_slice(&bytes)
        .map_err(|e| Failure::Usage(format!("{name} is neither JSON nor YAML: {e}")))?;
    let bare = match document {
        Value::Object(mut map) if map.len() == 1 && map.contains_key("webhook") => {
            map.remove("webhook").unwrap_or(Value::Null)
        }
        other => other,
    };
    serde_json::from_value(bare)
        .map_err(|e| Failure::Usage(format!("{name} is not a webhook definition: {e}")))
}

fn read_upload(path: &Path) -> Result<UploadFile, Failure> {
    let bytes = read_source(path)?;
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        return Err(Failure::Usage(format!(
            "{} is not an exported webhook (not JSON): {e}",
            path.display()
        )));
    }
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != "-")
        .unwrap_or("webhook.json");
    Ok(UploadFile::from_bytes(bytes).with_file_name(file_name))
}

/// The writable fields of a stored webhook, with `disabled` set.
fn set_disabled(
    client: &CliClient,
    uid: &str,
    disabled: bool,
    format: Format,
) -> Result<(), Failure> {
    let current = client
        .get_webhook(uid)
        .send()
        .map_err(|e| Failure::api(format!("getting webhook {uid}"), e))?
        .webhook;
    let mut writable = serde_json::Map::new();
    if let Value::Object(fields) = output::to_value(&current)? {
        for (key, value) in fields {
            if WRITABLE.contains(&key.as_str()) {
                writable.insert(key, value);
            }
        }
    }
    writable.insert("disabled".into(), Value::Bool(disabled));
    let input: WebhookInput = serde_json::from_value(Value::Object(writable))
        .map_err(|e| Failure::Other(format!("webhook {uid} cannot be sent back: {e}")))?;
    let webhook = client
        .update_webhook(uid, input)
        .send()
        .map_err(|e| Failure::api(format!("updating webhook {uid}"), e))?
        .webhook;
    show(&webhook, format)
}

/// The fields of a webhook that an update takes.
const WRITABLE: &[&str] = &[
    "name",
    "destinations",
    "channels",
    "notifiers",
    "branches",
    "retry_policy",
    "concise_payload",
];

/// Asks on the terminal; without one, refuses (scripts pass `--yes`).
fn confirm(question: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "stdin is not a terminal: pass --yes to confirm".into(),
        ));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::Usage(format!("reading the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
