//! `cs-webhooks recover`: re-sends every execution in a window whose latest
//! attempt failed and that never succeeded, one retry per execution even
//! across interrupted runs, held to `--rate` retries a second.
//!
//! Exactly once: before a retry is sent, "sending" and the execution's
//! attempt count go to the state file (flushed to disk); "accepted" or
//! "refused" follow its answer. A rerun skips what was accepted, and settles
//! a "sending" left by an interruption by the attempt count: more attempts
//! than recorded mean the retry arrived, the same count means it did not
//! (it is then sent).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use cs_webhooks_blocking::model::{Execution, ExecutionFilter};
use serde::{Deserialize, Serialize};

use crate::bulk::{self, RateFlags};
use crate::connection::ConnectionFlags;
use crate::executions::{parse_status, parse_when};
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::transport::CliClient;

/// What `recover --help` adds after the flags.
pub const HELP: &str = "\
One retry per execution, never two: each retry is written to the state file
before it is sent and its answer after, so a rerun (after Ctrl-C or a network
error) skips what was retried; a retry cut off in flight is settled by the
execution's attempt count. A 429 is waited out. Progress is drawn on a
terminal only; the summary (retried, skipped as already succeeded, skipped as
retried before, failed with reasons) ends the run.

Exit codes: 0 all retried, 1 an API or network error, 2 a usage error, 3 some
executions could not be retried (each is named with the API's reason).";

/// `recover` flags.
#[derive(Debug, clap::Args)]
pub struct RecoverArgs {
    /// The webhooks whose executions to recover (repeatable).
    #[arg(long = "webhook", value_name = "UID", num_args = 1.., required_unless_present = "all", conflicts_with = "all")]
    pub webhooks: Vec<String>,
    /// Every webhook of the stack.
    #[arg(long)]
    pub all: bool,
    /// The window's start: an age (30m, 2h, 7d) or a date (2026-12-01, RFC 3339).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: DateTime<Utc>,
    /// The window's end (same forms; default now).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<DateTime<Utc>>,
    /// Only executions whose latest status is this one or in this range, e.g.
    /// 500..599 (default: every failure, 400..599 and network errors).
    #[arg(long, value_name = "CODE|FROM..TO", value_parser = parse_status)]
    pub status: Option<ExecutionFilter>,
    /// List what would be retried; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The state file that makes reruns retry nothing twice.
    #[arg(long, value_name = "FILE", default_value = "cs-webhooks-recover.state")]
    pub state: PathBuf,
    #[command(flatten)]
    pub rate: RateFlags,
}

/// What the state file says about one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mark {
    Sending,
    Accepted,
    Refused,
}

/// One line of the state file.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    execution: String,
    state: Mark,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempts: Option<usize>,
}

/// The state file: read whole at start, appended to a line at a time.
struct Journal {
    path: PathBuf,
    latest: BTreeMap<String, Entry>,
}

impl Journal {
    fn open(path: &Path) -> Result<Journal, Failure> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Failure::Usage(format!("reading {}: {e}", path.display()))),
        };
        let mut latest = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry: Entry = serde_json::from_str(line).map_err(|e| {
                Failure::Usage(format!(
                    "{}:{}: not a recover state line: {e}",
                    path.display(),
                    number + 1
                ))
            })?;
            latest.insert(entry.execution.clone(), entry);
        }
        Ok(Journal {
            path: path.to_owned(),
            latest,
        })
    }

    fn mark(
        &mut self,
        execution: &str,
        state: Mark,
        attempts: Option<usize>,
    ) -> Result<(), Failure> {
        let entry = Entry {
            execution: execution.to_owned(),
            state,
            attempts,
        };
        let failed =
            |e: std::io::Error| Failure::Other(format!("writing {}: {e}", self.path.display()));
        let mut line = serde_json::to_string(&entry)
            .map_err(|e| Failure::Other(format!("encoding the state: {e}")))?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(failed)?;
        file.write_all(line.as_bytes()).map_err(failed)?;
        // On disk before the retry is sent: that is what makes it once only.
        file.sync_data().map_err(failed)?;
        self.latest.insert(entry.execution.clone(), entry);
        Ok(())
    }
}

/// What was done, for the summary.
#[derive(Debug, Default, Serialize)]
struct Summary {
    candidates: usize,
    retried: Vec<String>,
    skipped_already_succeeded: usize,
    skipped_retried_before: usize,
    failed: Vec<Refusal>,
    writes: usize,
    seconds: f64,
    writes_per_second: f64,
    rate_limit: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Refusal {
    execution: String,
    webhook: String,
    reason: String,
}

/// An execution to retry.
struct Candidate {
    webhook: String,
    execution: Execution,
}

/// Runs `recover`.
pub fn run(args: &RecoverArgs, flags: &ConnectionFlags, format: Format) -> Result<(), Failure> {
    let limited = args.rate.rate > 0.0;
    // Reads keep to the API's 10 a second; `--rate` is for the retries.
    let reader = bulk::client(flags, if limited { 10.0 } else { 0.0 })?;
    let writer = bulk::client(flags, args.rate.rate)?;
    let mut journal = Journal::open(&args.state)?;
    let mut summary = Summary {
        rate_limit: limited.then_some(args.rate.rate),
        ..Summary::default()
    };
    let candidates = find(args, &reader, &mut summary)?;
    summary.candidates = candidates.len();
    if args.dry_run {
        return print_dry_run(&candidates, &journal, format);
    }
    let progress = output::progress(candidates.len());
    let mut first_send: Option<Instant> = None;
    let mut last_answer = None;
    for candidate in &candidates {
        let uid = candidate.execution.uid.as_str();
        let attempts = attempts(&candidate.execution);
        match journal.latest.get(uid).map(|e| (e.state, e.attempts)) {
            Some((Mark::Accepted, _)) => {
                summary.skipped_retried_before += 1;
                progress.inc(1);
                continue;
            }
            Some((Mark::Sending, Some(before))) if attempts > before => {
                // Sent just before an interruption, and it arrived.
                journal.mark(uid, Mark::Accepted, Some(before))?;
                summary.skipped_retried_before += 1;
                progress.inc(1);
                continue;
            }
            _ => {}
        }
        journal.mark(uid, Mark::Sending, Some(attempts))?;
        first_send.get_or_insert_with(Instant::now);
        let answer = writer.retry_execution(uid).send();
        last_answer = Some(Instant::now());
        summary.writes += 1;
        match answer {
            Ok(_) => {
                journal.mark(uid, Mark::Accepted, Some(attempts))?;
                summary.retried.push(uid.to_owned());
            }
            Err(error) => {
                journal.mark(uid, Mark::Refused, Some(attempts))?;
                summary.failed.push(Refusal {
                    execution: uid.to_owned(),
                    webhook: candidate.webhook.clone(),
                    reason: reason(&error),
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if let (Some(first), Some(last)) = (first_send, last_answer) {
        summary.seconds = last.duration_since(first).as_secs_f64();
        // The n-th send starts at least (n-1)/rate after the first.
        if summary.writes > 1 && summary.seconds > 0.0 {
            summary.writes_per_second = (summary.writes - 1) as f64 / summary.seconds;
        }
    }
    print_summary(&summary, format)?;
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Partial(format!(
            "{} of {} executions could not be retried",
            summary.failed.len(),
            summary.candidates
        )))
    }
}

/// The executions to retry, listed for every webhook; counts the ones that
/// already succeeded.
fn find(
    args: &RecoverArgs,
    reader: &CliClient,
    summary: &mut Summary,
) -> Result<Vec<Candidate>, Failure> {
    let webhooks = if args.all {
        reader
            .list_webhooks()
            .items()
            .map(|w| w.map(|w| w.uid))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::api("listing webhooks", e))?
    } else {
        args.webhooks.clone()
    };
    let progress = output::spinner("listing executions");
    let mut found = Vec::new();
    for webhook in webhooks {
        let mut call = reader.list_executions(&webhook).from(args.since);
        if let Some(until) = args.until {
            call = call.to(until);
        }
        if let Some(filter) = args.status {
            call = call.query(filter);
        }
        for execution in call.items() {
            let execution = execution
                .map_err(|e| Failure::api(format!("listing executions of {webhook}"), e))?;
            progress.inc(1);
            let succeeded = ever_succeeded(&execution);
            let failed = match args.status {
                Some(filter) => filter.matches(execution.status),
                None => execution.status.is_none_or(|s| s >= 400),
            };
            if succeeded {
                if !execution.request_details.is_empty() && attempts(&execution) > 1 {
                    summary.skipped_already_succeeded += 1;
                }
            } else if failed && !execution.request_details.is_empty() {
                found.push(Candidate {
                    webhook: webhook.clone(),
                    execution,
                });
            }
        }
    }
    progress.finish_and_clear();
    Ok(found)
}

fn ever_succeeded(execution: &Execution) -> bool {
    let ok = |s: Option<u16>| s.is_some_and(|s| (200..300).contains(&s));
    ok(execution.status)
        || execution
            .request_details
            .iter()
            .any(|d| ok(d.response.as_ref().and_then(|r| r.status_code)))
}

fn attempts(execution: &Execution) -> usize {
    execution.request_details.len().max(
        usize::try_from(execution.retry_count.unwrap_or(0))
            .unwrap_or(usize::MAX)
            .saturating_add(1),
    )
}

/// Why a retry was refused, in one line (no credentials are in it).
fn reason(error: &cs_webhooks_blocking::Error) -> String {
    let Some(api) = error.api_error() else {
        return error.to_string();
    };
    let mut text = api.status.to_string();
    if let Some(message) = &api.error_message {
        text.push_str(&format!(": {message}"));
    }
    for (field, messages) in &api.errors {
        text.push_str(&format!("; {field} {}", messages.join(" ")));
    }
    text
}

fn print_dry_run(
    candidates: &[Candidate],
    journal: &Journal,
    format: Format,
) -> Result<(), Failure> {
    let rows: Vec<Vec<String>> = candidates
        .iter()
        .map(|c| {
            let before = journal
                .latest
                .get(&c.execution.uid)
                .is_some_and(|e| e.state == Mark::Accepted);
            vec![
                c.execution.uid.clone(),
                c.webhook.clone(),
                c.execution
                    .status
                    .map_or_else(|| "network error".to_owned(), |s| s.to_string()),
                attempts(&c.execution).to_string(),
                if before {
                    "skip (retried before)"
                } else {
                    "retry"
                }
                .to_owned(),
            ]
        })
        .collect();
    match format {
        Format::Table => {
            output::table(
                &["EXECUTION", "WEBHOOK", "STATUS", "ATTEMPTS", "ACTION"],
                &rows,
            )?;
            output::note("dry run: nothing was sent");
            Ok(())
        }
        Format::Json | Format::Jsonl => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({"execution": r[0], "webhook": r[1], "status": r[2],
                        "attempts": r[3], "action": r[4]})
                })
                .collect();
            output::json(&list)
        }
    }
}

fn print_summary(summary: &Summary, format: Format) -> Result<(), Failure> {
    for refusal in &summary.failed {
        output::note(&format!(
            "could not retry {} (webhook {}): {}",
            refusal.execution, refusal.webhook, refusal.reason
        ));
    }
    match format {
        Format::Json | Format::Jsonl => output::json(summary),
        Format::Table => {
            let limit = summary
                .rate_limit
                .map_or_else(|| "no limit".to_owned(), |r| format!("limit {r}/s"));
            output::table(
                &["RESULT", "EXECUTIONS"],
                &[
                    vec!["retried".into(), summary.retried.len().to_string()],
                    vec![
                        "skipped, already succeeded".into(),
                        summary.skipped_already_succeeded.to_string(),
                    ],
                    vec![
                        "skipped, retried by an earlier run".into(),
                        summary.skipped_retried_before.to_string(),
                    ],
                    vec!["failed to retry".into(), summary.failed.len().to_string()],
                ],
            )?;
            output::note(&format!(
                "{} retries sent in {:.1} s: {:.1}/s ({limit})",
                summary.writes, summary.seconds, summary.writes_per_second
            ));
            Ok(())
        }
    }
}
