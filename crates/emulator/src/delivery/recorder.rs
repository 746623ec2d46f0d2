//! Group commit of attempt records: attempts that finish while a transaction
//! is being written share the next one, so the log is written once for many
//! deliveries instead of once each.

use std::sync::Arc;

use super::group_commit::GroupCommit;
use super::schedule::{self, Decision, RetryRules};
use crate::error::Error;
use crate::store::{AttemptRecord, Store};

/// Hands attempt records to a writer thread and waits for their commit.
#[derive(Debug)]
pub struct Recorder {
    writer: GroupCommit<AttemptRecord, Option<Decision>>,
}

impl Recorder {
    /// Starts the writer thread; it ends when the recorder is dropped.
    ///
    /// If a transaction fails it rolls back whole: every attempt in it stays
    /// claimed and is reported as interrupted on the next start.
    pub fn start(store: Arc<Store>, rules: RetryRules) -> Result<Recorder, Error> {
        let writer = GroupCommit::start("cs-emulator-recorder", move |records| {
            let decide = |attempt, state| schedule::decide(attempt, state, &rules);
            store.record_attempts(&records, decide)
        })?;
        Ok(Recorder { writer })
    }

    /// Records `attempt` and returns what the retry policy and breaker
    /// decided (`None` when its execution or webhook is gone).
    pub async fn record(&self, attempt: AttemptRecord) -> Result<Option<Decision>, Error> {
        self.writer.submit(attempt).await
    }
}
