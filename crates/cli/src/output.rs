//! How data is written to stdout: a table, one JSON document, or JSON lines.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde_json::Value;

use crate::failure::Failure;

/// The `--output` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, for people.
    #[default]
    Table,
    /// One JSON document (lists as arrays).
    Json,
    /// One JSON object a line, written while pages arrive.
    Jsonl,
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: informational messages are dropped (errors still go to stderr).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// An informational message on stderr, unless `--quiet`.
pub fn note(message: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        eprintln!("{message}");
    }
}

/// A progress bar for `steps` steps, drawn on stderr only when it is a
/// terminal (and not `--quiet`): nothing extra when piped.
pub fn progress(steps: usize) -> indicatif::ProgressBar {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(u64::try_from(steps).unwrap_or(u64::MAX))
}

/// A counter for work of unknown length, on a terminal only (like [`progress`]).
pub fn spinner(what: &str) -> indicatif::ProgressBar {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new_spinner().with_message(what.to_owned())
}

/// Writes one line to stdout; a reader that went away ends the command quietly.
pub fn line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Other(format!("writing to stdout: {e}")))
}

/// Serialises a record for JSON output (fields in the order the API's type declares).
pub fn to_value(record: &impl Serialize) -> Result<Value, Failure> {
    serde_json::to_value(record).map_err(|e| Failure::Other(format!("encoding JSON: {e}")))
}

/// Pretty JSON of one document.
pub fn json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Other(format!("encoding JSON: {e}")))?;
    line(&text)
}

/// A list of records in any format.
pub struct List<'a, T> {
    format: Format,
    headers: &'a [&'a str],
    rows: Vec<Vec<String>>,
    records: Vec<T>,
}

impl<'a, T: Serialize> List<'a, T> {
    /// An empty list with these table columns.
    pub fn new(format: Format, headers: &'a [&'a str]) -> Self {
        List {
            format,
            headers,
            rows: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Adds one record and its table cells (JSON lines are written at once).
    pub fn push(&mut self, record: T, cells: Vec<String>) -> Result<(), Failure> {
        match self.format {
            Format::Jsonl => {
                let text = serde_json::to_string(&record)
                    .map_err(|e| Failure::Other(format!("encoding JSON: {e}")))?;
                line(&text)
            }
            Format::Json => {
                self.records.push(record);
                Ok(())
            }
            Format::Table => {
                self.rows.push(cells);
                Ok(())
            }
        }
    }

    /// Writes what was held back (the table or the JSON array).
    pub fn finish(self) -> Result<(), Failure> {
        match self.format {
            Format::Jsonl => Ok(()),
            Format::Json => json(&self.records),
            Format::Table => table(self.headers, &self.rows),
        }
    }
}
/// Aligned columns with a header line.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> Result<(), Failure> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let width = widths.get(i).copied().unwrap_or(0);
            text.push_str(&format!("{cell:<width$}"));
        }
        text.trim_end().to_owned()
    };
    line(&render(&mut headers.iter().copied()))?;
    for row in rows {
        line(&render(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}
