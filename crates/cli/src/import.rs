//! `cs-webhooks import PATH…`: exported webhooks into this stack, matched
//! to existing ones by name; a plan first, then the work, then a summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cs_webhooks_blocking::model::Webhook;

use crate::bulk::{self, RateFlags};
use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::fingerprints::Fingerprints;
use crate::manifest::{self, Loaded};
use crate::output::{self, Format};
use crate::transport::CliClient;

/// What to do when a webhook of the same name exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnConflict {
    /// Leave the existing webhook alone (the default).
    Skip,
    /// Replace its definition with the file's.
    Update,
    /// Stop before anything is sent.
    Fail,
}

/// What `import --help` adds after the flags.
pub const HELP: &str = "\
Safe defaults: new webhooks are created disabled (nothing is delivered before
you look; --keep-state keeps the files' `disabled`), existing webhooks of the
same name are skipped, and an updated webhook keeps its current enabled or
disabled state unless --keep-state.

Secrets: the API exports them masked (\"********\"), so they cannot be copied.
Write ${env:NAME} in place of the mask and set NAME; a webhook to be created
with only the mask is skipped with a message (exit 3). An update keeps the
existing secret.";

/// `import` flags.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Exported files (JSON or YAML), or directories of them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Create new webhooks disabled (the default).
    #[arg(long, conflicts_with = "keep_state")]
    pub disabled: bool,
    /// Keep each file's `disabled` instead.
    #[arg(long)]
    pub keep_state: bool,
    /// When a webhook of the same name exists.
    #[arg(long, value_enum, default_value_t = OnConflict::Skip)]
    pub on_conflict: OnConflict,
    /// Print the plan only; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A JSON file recording old uid → new uid; uids in it are skipped, so a
    /// rerun (after an interruption) does nothing twice.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The state file of `plan`/`apply` where fingerprints of the secrets
    /// sent are recorded, so a later plan sees them as applied (default:
    /// .cs-webhooks.state.json in the first directory given, or beside the file).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub rate: RateFlags,
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Create,
    Update(String),
    Skip(String),
    Refuse(String),
}

/// Runs `import`.
pub fn run(args: &ImportArgs, flags: &ConnectionFlags, format: Format) -> Result<(), Failure> {
    let loaded = manifest::load(&args.paths)?;
    manifest::warn_clear_secrets(&loaded);
    let mut map = read_map(args.map.as_ref())?;
    let client = bulk::client(flags, args.rate.rate)?;
    let mut fingerprints =
        Fingerprints::load(&Fingerprints::locate(args.state.as_ref(), &args.paths))?;
    let stack = fingerprints.stack_key(&flags.resolve()?.api_key.unwrap_or_default());
    let existing: BTreeMap<String, Webhook> = client
        .list_webhooks()
        .items()
        .map(|w| w.map(|w| (w.name.clone(), w)))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::api("listing webhooks", e))?;
    let existing_uids: Vec<&str> = existing.values().map(|w| w.uid.as_str()).collect();
    let plan: Vec<(Action, &Loaded)> = loaded
        .iter()
        .map(|item| {
            (
                decide(item, &existing, &existing_uids, &map, args.on_conflict),
                item,
            )
        })
        .collect();
    print_plan(&plan, format)?;
    let conflicts: Vec<&str> = plan
        .iter()
        .filter(|(action, _)| matches!(action, Action::Update(_)))
        .map(|(_, item)| item.webhook.name.as_str())
        .collect();
    if args.on_conflict == OnConflict::Fail && !conflicts.is_empty() {
        return Err(Failure::Other(format!(
            "nothing imported: these names exist in the stack (--on-conflict fail): {}",
            conflicts.join(", ")
        )));
    }
    if args.dry_run {
        output::note("dry run: nothing was sent");
        return Ok(());
    }
    let mut tally = Tally::default();
    let progress = output::progress(plan.len());
    for (action, item) in &plan {
        let done = progress.suspend(|| apply(&client, action, item, args, &existing));
        match done {
            Ok(Some(new_uid)) => {
                if let Some(old) = &item.webhook.uid {
                    map.insert(old.clone(), new_uid);
                    write_map(args.map.as_ref(), &map)?;
                }
                if fingerprints.record_all(&stack, &item.webhook) {
                    fingerprints.save()?;
                }
                if matches!(action, Action::Create) {
                    tally.created += 1;
                } else {
                    tally.updated += 1;
                }
            }
            Ok(None) if matches!(action, Action::Refuse(_)) => tally.refused += 1,
            Ok(None) => tally.skipped += 1,
            Err(failure) => {
                failure.report();
                tally.failed += 1;
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    output::note(&format!(
        "import: {} created, {} updated, {} skipped, {} refused, {} failed",
        tally.created, tally.updated, tally.skipped, tally.refused, tally.failed
    ));
    if tally.refused + tally.failed > 0 {
        return Err(Failure::Partial(format!(
            "{} of {} webhooks were not imported",
            tally.refused + tally.failed,
            plan.len()
        )));
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    created: usize,
    updated: usize,
    skipped: usize,
    refused: usize,
    failed: usize,
}

fn decide(
    item: &Loaded,
    existing: &BTreeMap<String, Webhook>,
    existing_uids: &[&str],
    map: &BTreeMap<String, String>,
    on_conflict: OnConflict,
) -> Action {
    let webhook = &item.webhook;
    if let Some(new_uid) = webhook.uid.as_ref().and_then(|old| map.get(old))
        && existing_uids.contains(&new_uid.as_str())
    {
        return Action::Skip(format!("imported before as {new_uid} (--map)"));
    }
    if let Some(current) = existing.get(&webhook.name) {
        return match on_conflict {
            OnConflict::Skip => Action::Skip(format!(
                "exists as {} (--on-conflict update replaces it)",
                current.uid
            )),
            OnConflict::Update | OnConflict::Fail => Action::Update(current.uid.clone()),
        };
    }
    let masked = webhook.masked_secrets();
    if !masked.is_empty() {
        return Action::Refuse(format!(
            "{} only holds the mask \"********\" in {}: write ${{env:NAME}} there and set NAME",
            masked.join(", "),
            item.file.display()
        ));
    }
    Action::Create
}

fn print_plan(plan: &[(Action, &Loaded)], format: Format) -> Result<(), Failure> {
    let rows: Vec<(String, String, String)> = plan
        .iter()
        .map(|(action, item)| {
            let (verb, detail) = match action {
                Action::Create => ("create", format!("from {}", item.file.display())),
                Action::Update(uid) => ("update", uid.clone()),
                Action::Skip(why) => ("skip", why.clone()),
                Action::Refuse(why) => ("refuse", why.clone()),
            };
            (verb.to_owned(), item.webhook.name.clone(), detail)
        })
        .collect();
    match format {
        Format::Table => output::table(
            &["ACTION", "NAME", "DETAIL"],
            &rows
                .into_iter()
                .map(|(a, n, d)| vec![a, n, d])
                .collect::<Vec<_>>(),
        ),
        Format::Json | Format::Jsonl => {
            let list: Vec<_> = rows
                .into_iter()
                .map(|(action, name, detail)| {
                    serde_json::json!({"action": action, "name": name, "detail": detail})
                })
                .collect();
            match format {
                Format::Json => output::json(&list),
                _ => list.iter().try_for_each(|v| output::line(&v.to_string())),
            }
        }
    }
}

/// Carries out one step; the new or updated webhook's uid when it wrote one.
fn apply(
    client: &CliClient,
    action: &Action,
    item: &Loaded,
    args: &ImportArgs,
    existing: &BTreeMap<String, Webhook>,
) -> Result<Option<String>, Failure> {
    let name = &item.webhook.name;
    let mut input = item.webhook.input();
    match action {
        Action::Create => {
            if !args.keep_state {
                input.disabled = Some(true);
            }
            let created = client
                .create_webhook(input)
                .send()
                .map_err(|e| Failure::api(format!("creating {name:?}"), e))?;
            Ok(Some(created.webhook.uid))
        }
        Action::Update(uid) => {
            if !args.keep_state {
                input.disabled = existing.get(name).and_then(|w| w.disabled);
            }
            client
                .update_webhook(uid, input)
                .send()
                .map_err(|e| Failure::api(format!("updating {name:?} ({uid})"), e))?;
            Ok(Some(uid.clone()))
        }
        Action::Skip(_) => Ok(None),
        Action::Refuse(why) => {
            output::note(&format!("not imported: {name:?}: {why}"));
            Ok(None)
        }
    }
}

fn read_map(path: Option<&PathBuf>) -> Result<BTreeMap<String, String>, Failure> {
    let Some(path) = path else {
        return Ok(BTreeMap::new());
    };
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Usage(format!(
                "{} is not a uid map (a JSON object old uid → new uid): {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(Failure::Usage(format!("reading {}: {e}", path.display()))),
    }
}

fn write_map(path: Option<&PathBuf>, map: &BTreeMap<String, String>) -> Result<(), Failure> {
    let Some(path) = path else {
        return Ok(());
    };
    let text = serde_json::to_vec_pretty(map)
        .map_err(|e| Failure::Other(format!("encoding the uid map: {e}")))?;
    bulk::write_atomically(path, &text)
}
