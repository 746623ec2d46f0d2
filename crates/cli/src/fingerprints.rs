//! The state file of `plan` and `apply`: for every stack and webhook, a
//! fingerprint of each secret last applied, so a changed secret in the files
//! is seen although the API only ever returns the mask.
//!
//! A fingerprint is HMAC-SHA-256 keyed with a random salt of this state file:
//! it tells "same secret or not" and nothing more, and the same secret has
//! unrelated fingerprints in two state files. Stacks are keyed the same way,
//! so no API key is written either. The file holds no secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cs_webhooks_blocking::model::Secret;
use hmac::{Hmac, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::failure::Failure;
use crate::manifest::FileWebhook;

/// Field path → fingerprint, for one webhook.
type Fields = BTreeMap<String, String>;

/// The state file's contents.
#[derive(Debug, Serialize, Deserialize)]
pub struct Fingerprints {
    salt: String,
    /// Stack fingerprint → webhook name → field path → secret fingerprint.
    stacks: BTreeMap<String, BTreeMap<String, Fields>>,
    #[serde(skip)]
    path: PathBuf,
}

impl Fingerprints {
    /// The state file: `explicit`, else inside the first directory of webhook
    /// files (a dot file, which the loader skips), else beside the first file.
    pub fn locate(explicit: Option<&PathBuf>, paths: &[PathBuf]) -> PathBuf {
        const NAME: &str = ".cs-webhooks.state.json";
        if let Some(path) = explicit {
            return path.clone();
        }
        let Some(first) = paths.first() else {
            return PathBuf::from(NAME);
        };
        if first.is_dir() {
            return first.join(NAME);
        }
        match first.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(NAME),
            _ => PathBuf::from(NAME),
        }
    }

    /// Reads the state file; a missing one is a new state with a fresh salt.
    pub fn load(path: &Path) -> Result<Fingerprints, Failure> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut state: Fingerprints = serde_json::from_slice(&bytes).map_err(|e| {
                    Failure::Usage(format!(
                        "{} is not a cs-webhooks state file: {e}",
                        path.display()
                    ))
                })?;
                state.path = path.to_owned();
                Ok(state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let salt: [u8; 16] = rand::random();
                Ok(Fingerprints {
                    salt: hex(&salt),
                    stacks: BTreeMap::new(),
                    path: path.to_owned(),
                })
            }
            Err(e) => Err(Failure::Usage(format!("reading {}: {e}", path.display()))),
        }
    }

    /// Writes the state file (whole, or not at all).
    pub fn save(&self) -> Result<(), Failure> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Failure::Other(format!("encoding the state: {e}")))?;
        crate::bulk::write_atomically(&self.path, &text)
    }

    fn fingerprint(&self, kind: &str, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.salt.as_bytes()) else {
            // HMAC takes a key of any length; this branch cannot be reached.
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The key of a stack (a fingerprint of its API key).
    pub fn stack_key(&self, api_key: &str) -> String {
        self.fingerprint("stack", api_key)
    }

    /// Whether `secret` is what was last applied to `field` of `webhook`.
    pub fn matches(&self, stack: &str, webhook: &str, field: &str, secret: &Secret) -> bool {
        let expected = self.fingerprint("secret", secret.expose());
        self.stacks
            .get(stack)
            .and_then(|w| w.get(webhook))
            .and_then(|f| f.get(field))
            .is_some_and(|recorded| *recorded == expected)
    }

    /// Records that `secret` was applied to `field` of `webhook`.
    pub fn record(&mut self, stack: &str, webhook: &str, field: &str, secret: &Secret) {
        let fingerprint = self.fingerprint("secret", secret.expose());
        self.stacks
            .entry(stack.to_owned())
            .or_default()
            .entry(webhook.to_owned())
            .or_default()
            .insert(field.to_owned(), fingerprint);
    }

    /// Records every clear secret of `webhook` as applied; whether there was one.
    pub fn record_all(&mut self, stack: &str, webhook: &FileWebhook) -> bool {
        let mut any = false;
        for (path, secret) in webhook.secrets() {
            if let Some(clear) = secret.clear() {
                self.record(stack, &webhook.name, &path, clear);
                any = true;
            }
        }
        any
    }

    /// Forgets a deleted webhook.
    pub fn forget(&mut self, stack: &str, webhook: &str) {
        if let Some(webhooks) = self.stacks.get_mut(stack) {
            webhooks.remove(webhook);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_matches_its_secret_only_and_holds_no_secret() {
        let path = std::env::temp_dir().join(format!("cs-webhooks-fp-{}.json", std::process::id()));
        let mut state = Fingerprints::load(&path).unwrap_or_else(|f| panic!("{}", f.describe()));
        let stack = state.stack_key("blt-key");
        let secret = Secret::new("hunter2-password");
        state.record(&stack, "Orders", "destinations[0].bearer_token", &secret);
        assert!(state.matches(&stack, "Orders", "destinations[0].bearer_token", &secret));
        assert!(!state.matches(
            &stack,
            "Orders",
            "destinations[0].bearer_token",
            &Secret::new("other")
        ));
        let text = serde_json::to_string(&state).unwrap_or_default();
        assert!(
            !text.contains("hunter2") && !text.contains("blt-key"),
            "{text}"
        );
        let other = Fingerprints::load(&path.with_extension("other"))
            .unwrap_or_else(|f| panic!("{}", f.describe()));
        assert_ne!(
            other.stack_key("blt-key"),
            stack,
            "salts differ between state files"
        );
    }
}
