//! `cs-webhooks export --all --out DIR`: every webhook of the stack, one file
//! each (the API's export object, secrets masked), paging automatically.

use std::path::PathBuf;

use crate::bulk::{self, RateFlags};
use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::output::{self, Format};

/// The file format of exported webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FileFormat {
    /// JSON, as `GET /webhooks/{uid}/export` returns it.
    #[default]
    Json,
    /// YAML (easier to review in git).
    Yaml,
}

/// `export` flags.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Export every webhook of the stack (one webhook: `webhooks export UID`).
    #[arg(long, required = true)]
    pub all: bool,
    /// The directory to write to (created if missing); a file is named after
    /// the webhook's name, made safe, and its uid.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The files' format.
    #[arg(long, value_enum, default_value_t)]
    pub format: FileFormat,
    #[command(flatten)]
    pub rate: RateFlags,
}

/// Runs `export`: the files written on stdout, a count on stderr.
pub fn run(args: &ExportArgs, flags: &ConnectionFlags, format: Format) -> Result<(), Failure> {
    let client = bulk::client(flags, args.rate.rate)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Failure::Usage(format!("creating {}: {e}", args.out.display())))?;
    let extension = match args.format {
        FileFormat::Json => "json",
        FileFormat::Yaml => "yaml",
    };
    let progress = output::spinner("exporting");
    let mut written = Vec::new();
    for webhook in client.list_webhooks().items() {
        let webhook = webhook.map_err(|e| Failure::api("listing webhooks", e))?;
        let value = output::to_value(&webhook)?;
        let text = match args.format {
            FileFormat::Json => serde_json::to_string_pretty(&value)
                .map(|t| t + "\n")
                .map_err(|e| e.to_string()),
            FileFormat::Yaml => serde_yaml::to_string(&value).map_err(|e| e.to_string()),
        }
        .map_err(|e| Failure::Other(format!("encoding webhook {}: {e}", webhook.uid)))?;
        let path = args.out.join(format!(
            "{}.{extension}",
            bulk::file_stem(&webhook.name, &webhook.uid)
        ));
        bulk::write_atomically(&path, text.as_bytes())?;
        progress.inc(1);
        written.push(serde_json::json!({
            "uid": webhook.uid,
            "name": webhook.name,
            "file": path.display().to_string(),
        }));
    }
    progress.finish_and_clear();
    warn_stale_files(&args.out, &written);
    output::note(&format!(
        "exported {} webhooks to {} (secrets are masked; see `cs-webhooks import --help`)",
        written.len(),
        args.out.display()
    ));
    match format {
        Format::Table => {
            for entry in &written {
                output::line(entry["file"].as_str().unwrap_or_default())?;
            }
            Ok(())
        }
        Format::Json => output::json(&written),
        Format::Jsonl => written
            .iter()
            .try_for_each(|e| output::line(&e.to_string())),
    }
}

/// Files of an earlier export whose webhooks are gone would be read back by
/// `plan -f DIR` and `import DIR`: say so (they are left alone).
fn warn_stale_files(dir: &std::path::Path, written: &[serde_json::Value]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let fresh: Vec<&str> = written.iter().filter_map(|e| e["file"].as_str()).collect();
    let stale: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| crate::manifest::is_webhook_file(p))
        .map(|p| p.display().to_string())
        .filter(|p| !fresh.contains(&p.as_str()))
        .collect();
    if !stale.is_empty() {
        output::note(&format!(
            "warning: {} other webhook files in {} were not written by this export \
             (webhooks since deleted or renamed?); `plan -f` and `import` would read them: {}",
            stale.len(),
            dir.display(),
            stale.join(", ")
        ));
    }
}
