//! What the bulk commands share: a client held to a request rate (the API
//! allows 10 reads and 10 writes a second per organization) that waits out
//! 429s rather than failing, and the names of files they write.

use std::time::Duration;

use cs_webhooks_blocking::RetryConfig;

use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::transport::CliClient;

/// `--rate`: requests a second, 0 for no limit.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct RateFlags {
    /// At most N requests a second (recover: N retries a second); 0 turns
    /// the limiter off. A 429 from the server is waited out either way.
    #[arg(long, value_name = "N", default_value_t = 10.0, value_parser = parse_rate)]
    pub rate: f64,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r >= 0.0)
        .ok_or_else(|| {
            format!("{text:?} is not a rate (a number of requests a second, 0 = no limit)")
        })
}

/// Retries patient enough to wait out the API's rate limit: a 429 means
/// "not done", never a failure of the bulk job.
fn patient() -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(12)
        .with_max_delay(Duration::from_secs(10))
        .with_max_retry_after(Duration::from_secs(120))
}

/// A client for bulk work: patient with 429s, limited to `rate` a second
/// (no limit at 0).
pub fn client(flags: &ConnectionFlags, rate: f64) -> Result<CliClient, Failure> {
    let mut builder = flags.builder()?.retry(patient());
    if rate > 0.0 {
        builder = builder.rate_limit(rate);
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(format!("the client settings: {e}")))
}

/// A file name from a webhook's name: lower case letters, digits and `-`,
/// at most 60 characters, then its uid, so two names never collide.
pub fn file_stem(name: &str, uid: &str) -> String {
    let mut safe = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            safe.push(c);
        } else if !safe.ends_with('-') {
            safe.push('-');
        }
    }
    let safe: String = safe.trim_matches('-').chars().take(60).collect();
    let safe = safe.trim_end_matches('-');
    let uid: String = uid
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    match (safe.is_empty(), uid.is_empty()) {
        (true, true) => "webhook".to_owned(),
        (true, false) => uid,
        (false, true) => safe.to_owned(),
        (false, false) => format!("{safe}.{uid}"),
    }
}

/// Writes `bytes` to `path` whole or not at all (a temporary file renamed),
/// so an interrupted run never leaves half a file behind.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let failed = |e: std::io::Error| Failure::Other(format!("writing {}: {e}", path.display()));
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    std::fs::write(&temporary, bytes).map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_unique_by_uid() {
        assert_eq!(
            file_stem("Orders → ERP (prod)", "blt1"),
            "orders-erp-prod.blt1"
        );
        assert_eq!(file_stem("../../etc/passwd", "blt2"), "etc-passwd.blt2");
        assert_eq!(file_stem("", "blt3"), "blt3");
        assert_eq!(file_stem("***", "../x"), "x");
    }
}
