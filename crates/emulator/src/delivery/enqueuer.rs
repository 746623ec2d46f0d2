//! Group commit of fired events: the executions of events fired while a
//! transaction is being written share the next one, so a burst of events
//! costs one log write instead of one each. An event's answer still waits
//! for the commit of its own executions, so nothing acknowledged is lost.

use std::sync::Arc;

use super::group_commit::GroupCommit;
use crate::error::Error;
use crate::store::{NewExecution, Store};

/// Hands the executions of fired events to a writer thread and waits for their commit.
#[derive(Debug)]
pub struct Enqueuer {
    writer: GroupCommit<Vec<NewExecution>, ()>,
}

impl Enqueuer {
    /// Starts the writer thread; it ends when the enqueuer is dropped.
    pub fn start(store: Arc<Store>) -> Result<Enqueuer, Error> {
        let writer = GroupCommit::start("cs-emulator-enqueuer", move |events| {
            let count = events.len();
            let all: Vec<NewExecution> = events.into_iter().flatten().collect();
            store.enqueue(&all)?;
            Ok(vec![(); count])
        })?;
        Ok(Enqueuer { writer })
    }

    /// Creates `executions` and queues their first attempts; returns once committed.
    pub async fn enqueue(&self, executions: Vec<NewExecution>) -> Result<(), Error> {
        self.writer.submit(executions).await
    }
}
