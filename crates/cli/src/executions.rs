//! `cs-webhooks executions ...`: what deliveries did, their logs, retries.

use chrono::{DateTime, NaiveDate, Utc};
use cs_webhooks_blocking::model::{Execution, ExecutionFilter};

use crate::failure::Failure;
use crate::output::{self, Format, List};
use crate::transport::CliClient;

/// What to do with executions.
#[derive(Debug, clap::Subcommand)]
pub enum ExecutionsCommand {
    /// List a webhook's executions (pages automatically), newest first.
    List(ListArgs),
    /// Show the latest record of one execution, with its last attempt.
    Log {
        /// The execution's uid.
        execution_uid: String,
    },
    /// Retry executions (the webhook must be enabled); exit 3 if only some were accepted.
    Retry {
        /// The executions' uids.
        #[arg(required = true)]
        execution_uids: Vec<String>,
    },
}

/// `executions list` flags.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The webhook's uid.
    pub webhook_uid: String,
    /// Only deliveries that did not succeed: an error status or no answer at all (filtered here, as the API's query cannot select the latter).
    #[arg(long, conflicts_with_all = ["succeeded", "status"])]
    pub failed: bool,
    /// Only successes (status 200..399).
    #[arg(long, conflicts_with = "status")]
    pub succeeded: bool,
    /// Only this status, or a range like 500..599.
    #[arg(long, value_name = "CODE|FROM..TO", value_parser = parse_status)]
    pub status: Option<ExecutionFilter>,
    /// Only executions since a time: an age (30m, 2h, 7d) or a date (2026-12-01, RFC 3339).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: Option<DateTime<Utc>>,
    /// Only executions until a time (same forms as --since).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<DateTime<Utc>>,
    /// Leave out the attempts' request details.
    #[arg(long)]
    pub only_events: bool,
    /// Stop after N executions.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// Runs an executions command.
pub fn run(command: &ExecutionsCommand, client: &CliClient, format: Format) -> Result<(), Failure> {
    match command {
        ExecutionsCommand::List(args) => list(args, client, format),
        ExecutionsCommand::Log { execution_uid } => {
            let log = client
                .get_execution_log(execution_uid)
                .send()
                .map_err(|e| Failure::api(format!("reading the log of {execution_uid}"), e))?
                .webhook;
            match format {
                Format::Json | Format::Jsonl => output::json(&log),
                Format::Table => {
                    let response = log
                        .request_details
                        .as_ref()
                        .and_then(|d| d.response.as_ref());
                    let rows = vec![vec![
                        log.uid.clone(),
                        status_text(log.status),
                        log.retry_count.unwrap_or(0).to_string(),
                        response
                            .and_then(|r| r.message.clone().or_else(|| r.code.clone()))
                            .unwrap_or_else(|| "-".into()),
                    ]];
                    output::table(&["UID", "STATUS", "RETRIES", "LAST ANSWER"], &rows)
                }
            }
        }
        ExecutionsCommand::Retry { execution_uids } => {
            let mut failed = 0;
            let progress = output::progress(execution_uids.len());
            for uid in execution_uids {
                let answer = client.retry_execution(uid).send();
                progress.suspend(|| match answer {
                    Ok(notice) => output::line(&format!("{uid}  {}", notice.notice)),
                    Err(e) => {
                        failed += 1;
                        Failure::api(format!("retrying {uid}"), e).report();
                        Ok(())
                    }
                })?;
                progress.inc(1);
            }
            progress.finish_and_clear();
            match failed {
                0 => Ok(()),
                n if n == execution_uids.len() => {
                    Err(Failure::Other("no retry was accepted".into()))
                }
                n => Err(Failure::Partial(format!(
                    "{n} of {} retries were refused",
                    execution_uids.len()
                ))),
            }
        }
    }
}

fn list(args: &ListArgs, client: &CliClient, format: Format) -> Result<(), Failure> {
    // `--failed` is every delivery that did not succeed, those without any
    // status included: filtered on our side, so no query.
    let filter = if args.failed {
        None
    } else if args.succeeded {
        Some(ExecutionFilter::success())
    } else {
        args.status
    };
    let mut call = client.list_executions(&args.webhook_uid);
    if let Some(filter) = filter {
        call = call.query(filter);
    }
    if let Some(since) = args.since {
        call = call.from(since);
    }
    if let Some(until) = args.until {
        call = call.to(until);
    }
    if args.only_events {
        call = call.only_events(true);
    }
    let mut list = List::new(format, &["UID", "STATUS", "RETRIES", "CREATED", "CHANNEL"]);
    let limit = args.limit.unwrap_or(usize::MAX);
    let executions: Box<dyn Iterator<Item = Result<Execution, _>>> = if args.failed {
        Box::new(call.unsuccessful_items())
    } else {
        Box::new(call.items())
    };
    for execution in executions.take(limit) {
        let execution = execution
            .map_err(|e| Failure::api(format!("listing executions of {}", args.webhook_uid), e))?;
        let cells = row(&execution);
        list.push(execution, cells)?;
    }
    list.finish()
}

fn row(execution: &Execution) -> Vec<String> {
    vec![
        execution.uid.clone(),
        status_text(execution.status),
        execution.retry_count.unwrap_or(0).to_string(),
        execution
            .created_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "-".into()),
        execution
            .channel
            .last()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
    ]
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "network error".to_owned(), |s| s.to_string())
}

/// `500` or `500..599`.
pub(crate) fn parse_status(text: &str) -> Result<ExecutionFilter, String> {
    let code = |s: &str| {
        s.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=599).contains(c))
            .ok_or_else(|| format!("{s:?} is not an HTTP status (100..599)"))
    };
    match text.split_once("..") {
        Some((from, to)) => {
            let (from, to) = (code(from)?, code(to)?);
            if from > to {
                return Err(format!("{from}..{to} is an empty range"));
            }
            Ok(ExecutionFilter::status_range(from..=to))
        }
        None => Ok(ExecutionFilter::status(code(text)?)),
    }
}

/// An age before now (`30m`, `2h`, `7d`) or a date or date-time.
pub(crate) fn parse_when(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return day
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| format!("{text:?} is not a date"));
    }
    let unit_at = text.char_indices().last().map_or(0, |(at, _)| at);
    let (number, unit) = text.split_at(unit_at);
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    number
        .parse::<i64>()
        .ok()
        .filter(|_| seconds > 0)
        .and_then(|n| n.checked_mul(seconds))
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .ok_or_else(|| format!("{text:?} is neither an age (30m, 2h, 7d) nor a date (2026-12-01)"))
}
