//! Delivery: the worker that takes due attempts from the durable queue, sends
//! them, and records each outcome with what the retry policy and the circuit
//! breaker decide after it (see `schedule`).
//!
//! Guarantees: a queued or scheduled attempt survives a restart and runs after
//! it; no attempt runs twice. An attempt is claimed (committed) before it is
//! sent; one that was claimed but never recorded, because the process died, is
//! recorded on the next start as failed with code `EINTERRUPTED` (it may or may
//! not have reached the destination); the retry policy decides what follows
//! (`automatic`: attempted again; `manual`: failed, and an operator's retry
//! sends it again), and the circuit breaker does not count it (it says nothing
//! about the destination). Delivery is therefore at least once: an execution
//! can reach its destination once more per attempt a crash interrupted.
//! Every attempt goes to the destination its execution was made for, found by
//! identity (see `identity`); when the webhook no longer has it, the attempt is
//! recorded as failed with code `EDESTINATIONREMOVED` and nothing is sent.
//! Finished attempts are written in groups (see `recorder`), one transaction for
//! all the attempts that finish while the previous one is being written.

pub mod attempt;
pub mod enqueuer;
mod group_commit;
pub mod identity;
pub mod oauth;
mod recorder;
pub mod schedule;
pub mod signing;
pub mod targets;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::error::Error;
use crate::ids;
use crate::mailbox::Tripped;
use crate::state::Shared;
use crate::store::{AttemptRecord, ClaimedJob};
use attempt::{Outcome, Request, Sender};
use schedule::{AttemptResult, RetryRules};

/// The longest the worker sleeps without looking at the queue.
const MAX_IDLE: Duration = Duration::from_secs(60);
/// How long shutdown waits for attempts in flight.
const DRAIN: Duration = Duration::from_secs(5);
/// How long the dispatcher waits for more free slots when few are free.
const CLAIM_COALESCE: Duration = Duration::from_millis(1);

/// The worker's shared parts.
#[derive(Debug)]
pub struct Deliverer {
    state: Shared,
    sender: Sender,
    recorder: recorder::Recorder,
}

impl Deliverer {
    /// Builds the HTTP client for deliveries.
    pub fn new(state: Shared) -> Result<Deliverer, Error> {
        let settings = &state.settings;
        let allow_remote = settings.allow_remote_targets;
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if let Err(e) = targets::check_parsed(attempt.url(), allow_remote) {
                attempt.error(e)
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(settings.delivery_timeout)
            .connect_timeout(settings.delivery_timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(settings.delivery_concurrency)
            .redirect(redirect);
        // Loopback names never reach DNS; other names only with remote targets allowed.
        builder = builder.dns_resolver(targets::DeliveryResolver { allow_remote });
        if !allow_remote {
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let rules = RetryRules::scaled(settings.time_scale, settings.breaker_threshold);
        let timeout = settings.delivery_timeout;
        let recorder = recorder::Recorder::start(Arc::clone(&state.store), rules)?;
        Ok(Deliverer {
            recorder,
            state,
            sender: Sender {
                client,
                tokens: oauth::TokenCache::default(),
                allow_remote,
                timeout,
            },
        })
    }

    /// Records attempts that an earlier run claimed but never finished.
    pub async fn recover(self: &Arc<Self>) -> Result<usize, Error> {
        let store = Arc::clone(&self.state.store);
        let jobs = tokio::task::spawn_blocking(move || store.interrupted_jobs())
            .await
            .map_err(|e| Error::Task(e.to_string()))??;
        let count = jobs.len();
        for job in jobs {
            let webhook = self.state.store.webhook(&job.webhook_uid);
            let dest = webhook
                .as_ref()
                .and_then(|w| destination_of(&job, &w.webhook.destinations));
            let outcome = attempt::interrupted(dest, job.retry_number, self.sender.timeout);
            tracing::warn!(execution = %job.execution_uid, attempt = job.retry_number,
                "an attempt was interrupted by the last shutdown; recorded as failed");
            self.record(&job, outcome, Some(AttemptResult::Interrupted))
                .await?;
        }
        Ok(count)
    }

    /// Runs the worker until `shutdown` turns true, then waits for attempts in flight.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let permits = Arc::new(Semaphore::new(self.state.settings.delivery_concurrency));
        let mut tasks = JoinSet::new();
        let wake = Arc::clone(&self.state.wake);
        loop {
            if *shutdown.borrow() {
                break;
            }
            while tasks.try_join_next().is_some() {}
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let mut free = permits.available_permits();
            let concurrency = self.state.settings.delivery_concurrency;
            if free > 0 && free < concurrency / 4 {
                // Deliveries end one by one; a claim is a transaction. Waiting
                // a moment for more of them to end lets one claim start many.
                tokio::select! {
                    () = tokio::time::sleep(CLAIM_COALESCE) => {}
                    _ = shutdown.changed() => {}
                }
                free = permits.available_permits();
            }
            let mut claimed = 0;
            if free > 0 {
                let store = Arc::clone(&self.state.store);
                let now = ids::to_ms(ids::now());
                let jobs = tokio::task::spawn_blocking(move || store.claim_due(now, free)).await;
                match jobs {
                    Ok(Ok(jobs)) => {
                        claimed = jobs.len();
                        for job in jobs {
                            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                                break;
                            };
                            let me = Arc::clone(&self);
                            tasks.spawn(async move {
                                me.deliver(job).await;
                                drop(permit);
                                me.state.wake.notify_one();
                            });
                        }
                    }
                    Ok(Err(e)) => tracing::error!(error = %e, "cannot read the delivery queue"),
                    Err(e) => tracing::error!(error = %e, "queue task failed"),
                }
            }
            if claimed > 0 && claimed == free {
                continue;
            }
            let sleep_for = if free == 0 {
                MAX_IDLE
            } else {
                self.until_next_due().await
            };
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep(sleep_for) => {}
                _ = shutdown.changed() => {}
            }
        }
        let drained =
            tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!(
                "stopped with deliveries still in flight; they will be recorded as interrupted"
            );
        }
    }

    async fn until_next_due(&self) -> Duration {
        let store = Arc::clone(&self.state.store);
        let next = tokio::task::spawn_blocking(move || store.next_due_ms()).await;
        match next {
            Ok(Ok(Some(due))) => {
                let wait = due.saturating_sub(ids::to_ms(ids::now()));
                Duration::from_millis(u64::try_from(wait).unwrap_or(0)).min(MAX_IDLE)
            }
            _ => MAX_IDLE,
        }
    }

    /// Makes one claimed attempt and records it.
    async fn deliver(&self, job: ClaimedJob) {
        let webhook = self
            .state
            .store
            .webhook(&job.webhook_uid)
            .filter(|w| w.webhook.disabled != Some(true));
        let Some(webhook) = webhook else {
            // Deleted or disabled: nothing to send, and nothing to record.
            let store = Arc::clone(&self.state.store);
            let uid = job.execution_uid.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.drop_job(&uid)).await {
                tracing::error!(error = %e, "cannot drop a job");
            }
            return;
        };
        let Some(dest) = destination_of(&job, &webhook.webhook.destinations) else {
            // Never another destination in its place: the execution records why nothing was sent.
            let outcome = attempt::destination_removed(job.retry_number, self.sender.timeout);
            let result = Some(AttemptResult::DestinationRemoved);
            if let Err(e) = self.record(&job, outcome, result).await {
                tracing::error!(error = %e, execution = %job.execution_uid, "cannot record an attempt");
            }
            return;
        };
        let hmac = self
            .state
            .stacks
            .get(&job.api_key)
            .and_then(|s| s.hmac_secret.as_ref());
        let outcome = self
            .sender
            .attempt(Request {
                dest,
                body: &job.body,
                signature: &job.signature,
                hmac,
                retry_number: job.retry_number,
            })
            .await;
        tracing::debug!(execution = %job.execution_uid, attempt = job.retry_number,
            status = ?outcome.status, "delivery attempt");
        if let Err(e) = self.record(&job, outcome, None).await {
            tracing::error!(error = %e, execution = %job.execution_uid, "cannot record an attempt");
        }
    }

    /// Records `outcome`; `result` overrides what its status says (an attempt
    /// that was not made, or not finished).
    async fn record(
        &self,
        job: &ClaimedJob,
        outcome: Outcome,
        result: Option<AttemptResult>,
    ) -> Result<(), Error> {
        let record = AttemptRecord {
            id: outcome.id,
            execution_uid: job.execution_uid.clone(),
            webhook_uid: job.webhook_uid.clone(),
            retry_number: job.retry_number,
            manual: job.manual,
            created_ms: outcome.created_ms,
            status: outcome.status,
            result: result.unwrap_or(if outcome.success {
                AttemptResult::Delivered
            } else {
                AttemptResult::Failed
            }),
            detail_json: outcome.detail_json,
            headers_json: serde_json::Value::Object(outcome.headers).to_string(),
        };
        let decision = self.recorder.record(record).await?;
        if let Some(decision) = decision.filter(|d| d.trip_breaker) {
            tracing::warn!(webhook = %job.webhook_uid,
                "circuit breaker: webhook disabled after repeated failures");
            if let Some(stored) = self.state.store.webhook(&job.webhook_uid) {
                let tripped = Tripped {
                    api_key: &stored.api_key,
                    webhook_uid: &stored.webhook.uid,
                    name: &stored.webhook.name,
                    notifiers: &stored.webhook.notifiers,
                    failures: decision.failures,
                    last_error: outcome.error.as_deref().unwrap_or("the delivery failed"),
                };
                self.state
                    .mailbox
                    .breaker_tripped(tripped, ids::cs_uid(), ids::now());
            }
        }
        Ok(())
    }
}

/// The destination `job` was made for, found by its identity: never another
/// destination that took its place. Jobs stored before identities were kept
/// fall back to the position.
fn destination_of<'a>(
    job: &ClaimedJob,
    destinations: &'a [cs_webhooks_model::Destination],
) -> Option<&'a cs_webhooks_model::Destination> {
    match job.destination_key.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => identity::find(destinations, key),
        None => destinations.get(job.destination),
    }
}
