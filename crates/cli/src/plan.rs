//! `cs-webhooks plan -f PATH` and `apply -f PATH`: the webhooks of a stack
//! as files, keyed by name. The plan compares every managed field (secrets
//! by their fingerprints in the state file, since the API masks them) and
//! prints `+` create, `~` update with the fields, `-` delete (`--prune`).
//! Apply carries it out; a rerun after an interruption plans only what is
//! left.

use std::collections::BTreeMap;
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;

use cs_webhooks_blocking::model::Webhook;
use serde::Serialize;
use serde_json::Value;

use crate::bulk::{self, RateFlags};
use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::fingerprints::Fingerprints;
use crate::manifest::{self, Loaded};
use crate::output::{self, Format};
use crate::transport::CliClient;

/// What `plan --help` and `apply --help` add after the flags.
pub const HELP: &str = "\
Fields left out of a file: `disabled` and `concise_payload` mean false and
`notifiers` none; `branches` and `retry_policy` are then not managed.

Secrets are written ${env:NAME} (a clear value works, with a warning);
\"********\" keeps whatever the stack has. The API never returns secrets, so a
secret counts as changed when its fingerprint (HMAC-SHA-256 with the state
file's random salt) differs from the one recorded at the last apply or import;
the state file holds no secret. --rotate-secrets sends them all.

Exit codes: 0 done (plan: no changes, or changes without --detailed-exitcode),
1 an API or network error, 2 a usage error or a malformed file (nothing sent;
with --detailed-exitcode: changes, and every error is 1), 3 some changes failed
(apply again to finish).";

/// Flags of both `plan` and `apply`.
#[derive(Debug, clap::Args)]
pub struct PlanFlags {
    /// Webhook files (JSON or YAML; one webhook, a list, or {webhooks: [...]})
    /// or directories of them (what `export --all` writes).
    #[arg(short = 'f', long = "file", value_name = "PATH", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// Also delete the webhooks of the stack that no file has.
    #[arg(long)]
    pub prune: bool,
    /// Send every secret of the files again, changed or not.
    #[arg(long)]
    pub rotate_secrets: bool,
    /// The state file of secret fingerprints (default: .cs-webhooks.state.json
    /// in the directory given, or beside the file).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub rate: RateFlags,
}

/// `plan` flags.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub plan: PlanFlags,
    /// Exit 2 when there are changes, 0 when none, 1 on any error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// `apply` flags.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanFlags,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(long)]
    pub auto_approve: bool,
}

/// What happens to one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Create,
    Update,
    Delete,
}

/// One field that changes; a secret's values are never shown.
#[derive(Debug, Serialize)]
struct FieldChange {
    field: String,
    before: Option<Value>,
    after: Option<Value>,
    sensitive: bool,
}

/// One webhook that changes.
#[derive(Debug, Serialize)]
struct Change {
    action: Action,
    name: String,
    uid: Option<String>,
    fields: Vec<FieldChange>,
    #[serde(skip)]
    source: Option<usize>,
}

/// The whole plan.
#[derive(Debug, Serialize)]
struct Plan {
    changes: Vec<Change>,
    /// Webhooks of the stack in no file (deleted only with `--prune`).
    unmanaged: Vec<String>,
    add: usize,
    change: usize,
    destroy: usize,
}

/// Everything a plan needs, read before anything is sent.
struct Setup {
    loaded: Vec<Loaded>,
    client: CliClient,
    state: Fingerprints,
    stack: String,
    plan: Plan,
}

fn prepare(flags: &PlanFlags, connection: &ConnectionFlags) -> Result<Setup, Failure> {
    let loaded = manifest::load(&flags.paths)?;
    manifest::warn_clear_secrets(&loaded);
    let api_key = connection.resolve()?.api_key.unwrap_or_default();
    let client = bulk::client(connection, flags.rate.rate)?;
    let state = Fingerprints::load(&Fingerprints::locate(flags.state.as_ref(), &flags.paths))?;
    let stack = state.stack_key(&api_key);
    let current: Vec<Webhook> = client
        .list_webhooks()
        .items()
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::api("listing webhooks", e))?;
    let plan = compute(&loaded, &current, &state, &stack, flags)?;
    Ok(Setup {
        loaded,
        client,
        state,
        stack,
        plan,
    })
}

fn compute(
    loaded: &[Loaded],
    current: &[Webhook],
    state: &Fingerprints,
    stack: &str,
    flags: &PlanFlags,
) -> Result<Plan, Failure> {
    let by_name: BTreeMap<&str, &Webhook> = current.iter().map(|w| (w.name.as_str(), w)).collect();
    let mut changes = Vec::new();
    for (index, item) in loaded.iter().enumerate() {
        let desired = &item.webhook;
        let wanted = desired.fields();
        let secrets: Vec<FieldChange> = desired
            .secrets()
            .into_iter()
            .filter_map(|(path, secret)| {
                let clear = secret.clear()?;
                let same = state.matches(stack, &desired.name, &path, clear);
                (flags.rotate_secrets || !same).then_some(FieldChange {
                    field: path,
                    before: None,
                    after: None,
                    sensitive: true,
                })
            })
            .collect();
        match by_name.get(desired.name.as_str()) {
            None => {
                let masked = desired.masked_secrets();
                if !masked.is_empty() {
                    return Err(Failure::Usage(format!(
                        "{}: {:?} must be created but {} only hold the mask \"********\": \
                         write ${{env:NAME}} there and set NAME (nothing was sent)",
                        item.file.display(),
                        desired.name,
                        masked.join(", ")
                    )));
                }
                let mut fields: Vec<FieldChange> = wanted
                    .into_iter()
                    .map(|(field, after)| FieldChange {
                        field,
                        before: None,
                        after: Some(after),
                        sensitive: false,
                    })
                    .collect();
                fields.extend(secrets);
                changes.push(Change {
                    action: Action::Create,
                    name: desired.name.clone(),
                    uid: None,
                    fields,
                    source: Some(index),
                });
            }
            Some(webhook) => {
                let have = manifest::stored_fields(webhook);
                let mut fields = diff(&have, &wanted);
                fields.extend(secrets);
                if !fields.is_empty() {
                    changes.push(Change {
                        action: Action::Update,
                        name: desired.name.clone(),
                        uid: Some(webhook.uid.clone()),
                        fields,
                        source: Some(index),
                    });
                }
            }
        }
    }
    let wanted_names: Vec<&str> = loaded.iter().map(|l| l.webhook.name.as_str()).collect();
    let mut unmanaged = Vec::new();
    for webhook in current {
        if wanted_names.contains(&webhook.name.as_str()) {
            continue;
        }
        if flags.prune {
            changes.push(Change {
                action: Action::Delete,
                name: webhook.name.clone(),
                uid: Some(webhook.uid.clone()),
                fields: Vec::new(),
                source: None,
            });
        } else {
            unmanaged.push(webhook.name.clone());
        }
    }
    let count = |action| changes.iter().filter(|c| c.action == action).count();
    Ok(Plan {
        add: count(Action::Create),
        change: count(Action::Update),
        destroy: count(Action::Delete),
        changes,
        unmanaged,
    })
}

fn diff(have: &manifest::Fields, want: &manifest::Fields) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = have.keys().chain(want.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| have.get(*k) != want.get(*k))
        // Fields the files leave unmanaged are absent on the wanted side only
        // when the stack has them and the file does not manage them.
        .filter(|k| want.contains_key(*k) || !unmanaged_field(k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: have.get(k).cloned(),
            after: want.get(k).cloned(),
            sensitive: false,
        })
        .collect()
}

fn unmanaged_field(key: &str) -> bool {
    matches!(key, "branches" | "retry_policy")
}

fn print_plan(plan: &Plan, format: Format) -> Result<(), Failure> {
    if format != Format::Table {
        return output::json(plan);
    }
    if plan.changes.is_empty() {
        output::line("No changes. The stack matches the files.")?;
    } else {
        output::line("cs-webhooks will perform these actions:")?;
        for change in &plan.changes {
            let (sign, verb) = match change.action {
                Action::Create => ('+', "create"),
                Action::Update => ('~', "update"),
                Action::Delete => ('-', "delete"),
            };
            let uid = change
                .uid
                .as_ref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            output::line("")?;
            output::line(&format!("  {sign} {verb} {:?}{uid}", change.name))?;
            for field in &change.fields {
                output::line(&format!("      {}", field_line(field)))?;
            }
        }
        output::line("")?;
        output::line(&format!(
            "Plan: {} to add, {} to change, {} to destroy.",
            plan.add, plan.change, plan.destroy
        ))?;
    }
    if !plan.unmanaged.is_empty() {
        output::note(&format!(
            "{} webhooks of the stack are in no file (--prune deletes them): {}",
            plan.unmanaged.len(),
            plan.unmanaged.join(", ")
        ));
    }
    Ok(())
}

fn field_line(field: &FieldChange) -> String {
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map_or_else(|| "null".to_owned(), Value::to_string)
    };
    if field.sensitive {
        return format!("~ {}: (sensitive value)", field.field);
    }
    match (&field.before, &field.after) {
        (None, _) => format!("+ {}: {}", field.field, show(&field.after)),
        (_, None) => format!("- {}: {}", field.field, show(&field.before)),
        _ => format!(
            "~ {}: {} -> {}",
            field.field,
            show(&field.before),
            show(&field.after)
        ),
    }
}

/// Runs `plan`; `Ok(true)` when there are changes.
pub fn plan(
    args: &PlanArgs,
    connection: &ConnectionFlags,
    format: Format,
) -> Result<bool, Failure> {
    let setup = prepare(&args.plan, connection)?;
    print_plan(&setup.plan, format)?;
    Ok(!setup.plan.changes.is_empty())
}

/// Runs `apply`: the plan, a confirmation, the changes, a summary.
pub fn apply(
    args: &ApplyArgs,
    connection: &ConnectionFlags,
    format: Format,
) -> Result<(), Failure> {
    let Setup {
        loaded,
        client,
        mut state,
        stack,
        plan,
    } = prepare(&args.plan, connection)?;
    print_plan(&plan, format)?;
    if plan.changes.is_empty() {
        return Ok(());
    }
    if !args.auto_approve && !confirm()? {
        return Err(Failure::Usage("apply cancelled; nothing was sent".into()));
    }
    let progress = output::progress(plan.changes.len());
    let mut failed = 0;
    let mut done = [0usize; 3];
    for change in &plan.changes {
        let result = progress.suspend(|| carry_out(&client, change, &loaded));
        match result {
            Ok(()) => {
                match (change.action, change.source.and_then(|i| loaded.get(i))) {
                    (Action::Delete, _) => state.forget(&stack, &change.name),
                    (_, Some(item)) => {
                        state.record_all(&stack, &item.webhook);
                    }
                    _ => {}
                }
                state.save()?;
                done[change.action as usize] += 1;
            }
            Err(failure) => {
                failure.report();
                failed += 1;
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let [added, changed, destroyed] = done;
    let summary =
        format!("Apply complete: {added} added, {changed} changed, {destroyed} destroyed.");
    match format {
        Format::Table => output::line(&summary)?,
        _ => output::note(&summary),
    }
    if failed > 0 {
        return Err(Failure::Partial(format!(
            "{failed} of {} changes failed; run apply again to finish",
            plan.changes.len()
        )));
    }
    Ok(())
}

fn carry_out(client: &CliClient, change: &Change, loaded: &[Loaded]) -> Result<(), Failure> {
    let name = &change.name;
    let source = change.source.and_then(|i| loaded.get(i));
    match (change.action, &change.uid, source) {
        (Action::Create, _, Some(item)) => {
            let created = client
                .create_webhook(item.webhook.input())
                .send()
                .map_err(|e| Failure::api(format!("creating {name:?}"), e))?;
            output::note(&format!("created {name:?} ({})", created.webhook.uid));
        }
        (Action::Update, Some(uid), Some(item)) => {
            client
                .update_webhook(uid, item.webhook.input())
                .send()
                .map_err(|e| Failure::api(format!("updating {name:?} ({uid})"), e))?;
            output::note(&format!("updated {name:?} ({uid})"));
        }
        (Action::Delete, Some(uid), _) => {
            client
                .delete_webhook(uid)
                .send()
                .map_err(|e| Failure::api(format!("deleting {name:?} ({uid})"), e))?;
            output::note(&format!("deleted {name:?} ({uid})"));
        }
        _ => return Err(Failure::Other(format!("{name:?}: an incomplete change"))),
    }
    Ok(())
}

/// Asks on the terminal; without one, refuses (scripts pass `--auto-approve`).
fn confirm() -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "stdin is not a terminal: pass --auto-approve to apply".into(),
        ));
    }
    eprint!("Apply these changes? Only 'yes' is accepted: ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::Usage(format!("reading the answer: {e}")))?;
    Ok(answer.trim() == "yes")
}
