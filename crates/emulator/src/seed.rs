//! `--seed FILE`: webhooks in the export format (one, or an array of them)
//! loaded into a stack at start, as if imported.
//!
//! The whole file is checked before anything is stored, so a bad file stores
//! nothing; a webhook whose name the stack already has is left as it is (so
//! seeding a persistent data file again changes nothing).

use std::path::Path;

use serde_json::Value;

use crate::api::auth::MAIN_BRANCH;
use crate::api::webhooks::unwrap_export;
use crate::error::Error;
use crate::shapes::Shapes;
use crate::store::{StackRow, Store, StoredWebhook, WriteError};
use crate::validate::{self, Envelope, Rules};
use crate::webhook_doc::{self, Stamp};

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seeded {
    /// Webhooks stored.
    pub imported: usize,
    /// Webhooks skipped because their name was taken.
    pub kept: usize,
}

/// Reads, checks and stores the webhooks of `file` in `stack`.
pub fn load(
    file: &Path,
    stack: &StackRow,
    shapes: &Shapes,
    store: &Store,
    allow_unknown_channels: bool,
) -> Result<Seeded, Error> {
    let fail = |message: String| Error::Seed {
        file: file.to_owned(),
        message,
    };
    let text = std::fs::read(file).map_err(|e| fail(format!("cannot be read: {e}")))?;
    let doc: Value =
        serde_json::from_slice(&text).map_err(|e| fail(format!("is not JSON: {e}")))?;
    let docs = match doc {
        Value::Array(list) => list,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(fail(
                "must hold an exported webhook or an array of them".into(),
            ));
        }
    };
    let now = crate::ids::now();
    let mut webhooks: Vec<StoredWebhook> = Vec::with_capacity(docs.len());
    for (index, doc) in docs.into_iter().enumerate() {
        let rules = Rules {
            shapes,
            branches: &stack.branches,
            existing: None,
            allow_unknown_channels,
        };
        let input = validate::webhook_input(unwrap_export(doc), Envelope::Bare, rules)
            .map_err(|errors| fail(format!("webhook [{index}]: {}", errors.describe())))?;
        let stamp = Stamp {
            stack,
            branch: MAIN_BRANCH,
            now,
        };
        let mut stored = webhook_doc::create(input, stamp);
        webhook_doc::mark_imported(&mut stored);
        webhooks.push(stored);
    }
    let mut seeded = Seeded::default();
    for webhook in webhooks {
        let name = webhook.webhook.name.clone();
        match store.insert_webhook(webhook) {
            Ok(_) => seeded.imported += 1,
            Err(WriteError::DuplicateName) => {
                tracing::info!(%name, "seed: a webhook of this name exists; kept it");
                seeded.kept += 1;
            }
            Err(WriteError::Store(e)) => return Err(Error::Store(e)),
            Err(WriteError::NotFound | WriteError::Rejected(_)) => {
                return Err(fail(format!("webhook {name:?} could not be stored")));
            }
        }
    }
    Ok(seeded)
}
