//! Group commit: items handed in while a transaction is being written share
//! the next one, so the log is written once for many callers instead of once
//! each. Every caller still waits until its own item is committed.

use std::fmt;

use tokio::sync::{mpsc, oneshot};

use crate::error::Error;
use crate::store::StoreError;

/// The most items one transaction writes.
const MAX_BATCH: usize = 256;

type Reply<O> = oneshot::Sender<Result<O, StoreError>>;

/// Hands items to a writer thread and waits for their commit.
pub struct GroupCommit<I, O> {
    queue: mpsc::UnboundedSender<(I, Reply<O>)>,
    name: &'static str,
}

impl<I: Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// Starts the writer thread `name`; it ends when this is dropped. `write`
    /// commits a batch in one transaction and returns one output per item, in
    /// order; on error the whole batch rolled back.
    pub fn start<F>(name: &'static str, mut write: F) -> Result<Self, Error>
    where
        F: FnMut(Vec<I>) -> Result<Vec<O>, StoreError> + Send + 'static,
    {
        let (queue, mut rx) = mpsc::unbounded_channel::<(I, Reply<O>)>();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(item) => batch.push(item),
                            Err(_) => break,
                        }
                    }
                    let (items, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                    match write(items) {
                        Ok(outputs) => {
                            for (reply, output) in replies.into_iter().zip(outputs) {
                                let _ = reply.send(Ok(output));
                            }
                        }
                        Err(e) => {
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
            .map_err(|e| Error::Task(format!("cannot start the {name} thread: {e}")))?;
        Ok(GroupCommit { queue, name })
    }

    /// Queues `item` and returns its output once its transaction committed.
    pub async fn submit(&self, item: I) -> Result<O, Error> {
        let stopped = || Error::Task(format!("the {} thread has stopped", self.name));
        let (reply, answer) = oneshot::channel();
        self.queue.send((item, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?.map_err(Error::Store)
    }
}

impl<I, O> fmt::Debug for GroupCommit<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupCommit")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
