//! Group commit of attempt records: attempts that finish while a transaction
//! is being written share the next one, so the log is written once for many
//! deliveries instead of once each.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::schedule::{self, Decision, RetryRules};
use crate::error::Error;
use crate::store::{AttemptRecord, Store, StoreError};

/// The most attempts one transaction records.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<Option<Decision>, StoreError>>;

/// Hands attempt records to a writer thread and waits for their commit.
#[derive(Debug)]
pub struct Recorder {
    queue: mpsc::UnboundedSender<(AttemptRecord, Reply)>,
}

impl Recorder {
    /// Starts the writer thread; it ends when the recorder is dropped.
    pub fn start(store: Arc<Store>, rules: RetryRules) -> Result<Recorder, Error> {
        let (queue, mut rx) = mpsc::unbounded_channel::<(AttemptRecord, Reply)>();
        std::thread::Builder::new()
            .name("cs-emulator-recorder".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(item) => batch.push(item),
                            Err(_) => break,
                        }
                    }
                    let (records, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                    let decide = |attempt, state| schedule::decide(attempt, state, &rules);
                    match store.record_attempts(&records, decide) {
                        Ok(outcomes) => {
                            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                                let _ = reply.send(Ok(outcome));
                            }
                        }
                        Err(e) => {
                            // The whole transaction rolled back: every attempt
                            // stays claimed and is reported as interrupted on the
                            // next start.
                            let message = e.to_string();
                            for reply in replies {
                                let _ = reply.send(Err(StoreError::Batch {
                                    message: message.clone(),
                                }));
                            }
                        }
                    }
                }
            })
            .map_err(|e| Error::Task(format!("cannot start the recorder thread: {e}")))?;
        Ok(Recorder { queue })
    }

    /// Records `attempt` and returns what the retry policy and breaker
    /// decided (`None` when its execution or webhook is gone).
    pub async fn record(&self, attempt: AttemptRecord) -> Result<Option<Decision>, Error> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((attempt, reply))
            .map_err(|_| Error::Task("the recorder thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Task("the recorder thread has stopped".into()))?
            .map_err(Error::Store)
    }
}
