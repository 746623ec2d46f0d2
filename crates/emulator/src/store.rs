//! Durable state in SQLite: stacks, webhooks, executions, attempts and the
//! delivery queue, plus an in-memory copy of the webhooks for fast reads.
//!
//! Every write is one transaction committed before the caller answers, so a
//! restart (kill -9 included) loses nothing that was acknowledged. The
//! webhook cache is updated while the database lock is held, so it never
//! disagrees with the order of commits.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use cs_webhooks_model::{RetryPolicy, Unhealthy, Webhook};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::delivery::schedule::{Attempt, AttemptResult, Decision, WebhookState};

/// A database failure. The message names the operation, never stored values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error while {context}: {source}")]
    Sqlite {
        /// What the store was doing.
        context: &'static str,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A group of writes failed together (the cause is described).
    #[error("a batch of writes failed: {message}")]
    Batch {
        /// The failure, as text (shared by every write of the batch).
        message: String,
    },
    /// A stored document does not decode (the file was edited or is from another version).
    #[error("stored {what} does not decode: {message}")]
    Corrupt {
        /// Which kind of record.
        what: &'static str,
        /// The decoder's message.
        message: String,
    },
}

trait Context<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite { context, source })
    }
}

/// Why a webhook write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    /// No webhook with this uid.
    #[error("webhook not found")]
    NotFound,
    /// Another webhook of the stack has this name.
    #[error("name already taken")]
    DuplicateName,
    /// The caller's check refused the change.
    #[error("rejected")]
    Rejected(E),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stack as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRow {
    /// The stack's API key.
    pub api_key: String,
    /// Its management token (also accepted as OAuth bearer token and authtoken).
    pub token: cs_webhooks_model::Secret,
    /// Its organization uid.
    pub org_uid: String,
    /// The uid recorded as `created_by`/`updated_by`.
    pub user_uid: String,
    /// The HMAC signing secret, if configured.
    pub hmac_secret: Option<cs_webhooks_model::Secret>,
    /// Whether the emulator made it up (no `--stack` given).
    pub demo: bool,
    /// Its branches, `main` first.
    pub branches: Vec<String>,
}

/// A webhook as stored: the API document with secrets in clear, plus state.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWebhook {
    /// The stack it belongs to.
    pub api_key: String,
    /// Creation order, for stable sorting.
    pub seq: i64,
    /// Consecutive failed attempts (the circuit breaker's counter).
    pub failures: u32,
    /// The document, secrets in clear.
    pub webhook: Webhook,
}

/// An execution to create: one event delivered to one destination of a webhook.
#[derive(Debug, Clone)]
pub struct NewExecution {
    /// The execution's uid.
    pub uid: String,
    /// The stack.
    pub api_key: String,
    /// The webhook fired.
    pub webhook_uid: String,
    /// Index of the destination in the webhook when the event fired.
    pub destination: usize,
    /// The destination's identity (see `delivery::identity`), which later
    /// attempts look it up by.
    pub destination_key: String,
    /// Creation time (ms since the epoch).
    pub created_ms: i64,
    /// The matched channels, JSON array.
    pub channels_json: String,
    /// The exact body to deliver.
    pub body: Arc<[u8]>,
    /// Its RSA-PSS signature header value.
    pub signature: Arc<str>,
}

/// A queued attempt handed to the delivery worker.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// The execution.
    pub execution_uid: String,
    /// Which attempt (0 = first).
    pub retry_number: u32,
    /// Whether an operator asked for it (no automatic follow-up).
    pub manual: bool,
    /// The stack.
    pub api_key: String,
    /// The webhook.
    pub webhook_uid: String,
    /// Index of the destination when the event fired (what executions
    /// stored before identities existed are found by).
    pub destination: usize,
    /// The destination's identity, when stored.
    pub destination_key: Option<String>,
    /// The exact body.
    pub body: Arc<[u8]>,
    /// Its signature header value.
    pub signature: String,
}

/// The result of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// The attempt's `_id`.
    pub id: String,
    /// The execution.
    pub execution_uid: String,
    /// The webhook.
    pub webhook_uid: String,
    /// Which attempt.
    pub retry_number: u32,
    /// Whether it was a manual retry.
    pub manual: bool,
    /// When it was made (ms).
    pub created_ms: i64,
    /// The HTTP status, or `None` for a network error.
    pub status: Option<u16>,
    /// How it ended.
    pub result: AttemptResult,
    /// The `RequestDetail` document without `request.body`, JSON.
    pub detail_json: String,
    /// The headers sent, JSON object.
    pub headers_json: String,
}

impl AttemptRecord {
    /// The facts the retry policy and the circuit breaker decide on.
    pub fn facts(&self) -> Attempt {
        Attempt {
            result: self.result,
            retry_number: self.retry_number,
            manual: self.manual,
            at_ms: self.created_ms,
        }
    }
}

/// An execution as stored, with its attempts.
#[derive(Debug, Clone)]
pub struct ExecutionRow {
    /// Its uid.
    pub uid: String,
    /// The stack.
    pub api_key: String,
    /// The webhook.
    pub webhook_uid: String,
    /// Creation time (ms).
    pub created_ms: i64,
    /// Last change (ms).
    pub updated_ms: i64,
    /// Last attempt's status.
    pub status: Option<u16>,
    /// Matched channels, JSON array.
    pub channels_json: String,
    /// The exact body delivered.
    pub body: Vec<u8>,
    /// Headers of the last attempt, JSON object.
    pub event_headers_json: Option<String>,
    /// `RequestDetail` documents (without `request.body`), first to last.
    pub details_json: Vec<String>,
}

/// Bounds for listing executions.
#[derive(Debug, Clone, Copy)]
pub struct ExecutionWindow {
    /// Oldest creation time (ms) included.
    pub from_ms: i64,
    /// Newest creation time (ms) included.
    pub to_ms: i64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stacks (
    api_key TEXT PRIMARY KEY, token TEXT NOT NULL, org_uid TEXT NOT NULL,
    user_uid TEXT NOT NULL, hmac_secret TEXT, demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS branches (
    api_key TEXT NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (api_key, uid));
CREATE TABLE IF NOT EXISTS webhooks (
    uid TEXT PRIMARY KEY, api_key TEXT NOT NULL, name TEXT NOT NULL,
    seq INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL,
    UNIQUE (api_key, name));
CREATE TABLE IF NOT EXISTS executions (
    uid TEXT PRIMARY KEY, api_key TEXT NOT NULL, webhook_uid TEXT NOT NULL,
    destination INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
    status INTEGER, channels TEXT NOT NULL, body BLOB NOT NULL, signature TEXT NOT NULL,
    event_headers TEXT, destination_key TEXT);
CREATE INDEX IF NOT EXISTS executions_by_webhook ON executions (webhook_uid, created_ms);
CREATE TABLE IF NOT EXISTS attempts (
    id TEXT PRIMARY KEY, execution_uid TEXT NOT NULL, retry_number INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, detail TEXT NOT NULL, UNIQUE (execution_uid, retry_number));
CREATE TABLE IF NOT EXISTS jobs (
    execution_uid TEXT PRIMARY KEY, retry_number INTEGER NOT NULL, due_ms INTEGER NOT NULL,
    manual INTEGER NOT NULL DEFAULT 0, claimed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (claimed, due_ms);
";

/// The database and the webhook cache.
pub struct Store {
    db: Mutex<Connection>,
    webhooks: RwLock<HashMap<String, Arc<StoredWebhook>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one.
    ///
    /// A file database is opened in WAL mode with an exclusive lock, so a
    /// second emulator on the same file fails to start instead of delivering
    /// the same queue twice.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path).ctx("opening the data file")?;
                conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
                    .ctx("locking the data file")?;
                // Read back: journal_mode answers with the mode in effect.
                let _mode: String = conn
                    .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                    .ctx("enabling WAL")?;
                // NORMAL in WAL mode survives a killed process; only a power
                // loss can drop the last commits.
                conn.pragma_update(None, "synchronous", "NORMAL")
                    .ctx("setting synchronous")?;
                // The queue's pages are rewritten by every delivery: folded
                // into the database less often, each page is copied once for
                // many commits (the log grows to about 80 MB between folds;
                // 20,000 pages gave 3 % more deliveries a second than 8,000).
                conn.pragma_update(None, "wal_autocheckpoint", 20000)
                    .ctx("setting the checkpoint interval")?;
                // The page cache stays at SQLite's default (2 MB) on purpose:
                // a B-tree rebalance parks a page under the pending-byte page
                // number, so every commit that split a page truncates the cache
                // by scanning its whole hash table. 64 MB made each such commit
                // walk 16k pages and cost 5 % of delivery throughput.
                conn
            }
            None => open_in_memory()?,
        };
        conn.execute_batch(SCHEMA).ctx("creating the schema")?;
        add_destination_key(&conn)?;
        let store = Store {
            db: Mutex::new(conn),
            webhooks: RwLock::new(HashMap::new()),
        };
        store.load_webhooks()?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done transaction
        // behind (rusqlite rolls back on drop), so the connection stays usable.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cache_write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<StoredWebhook>>> {
        self.webhooks
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cache_read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<StoredWebhook>>> {
        self.webhooks.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn load_webhooks(&self) -> Result<(), StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT api_key, seq, failures, doc FROM webhooks")
            .ctx("loading webhooks")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .ctx("loading webhooks")?;
        let mut cache = self.cache_write();
        for row in rows {
            let (api_key, seq, failures, doc) = row.ctx("loading webhooks")?;
            let webhook: Webhook = decode("webhook", &doc)?;
            cache.insert(
                webhook.uid.clone(),
                Arc::new(StoredWebhook {
                    api_key,
                    seq,
                    failures,
                    webhook,
                }),
            );
        }
        Ok(())
    }

    // ----- meta -----

    /// Reads a metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ctx("reading metadata")
    }

    /// Writes a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .ctx("writing metadata")?;
        Ok(())
    }

    // ----- stacks -----

    /// Every stored stack with its branches.
    pub fn stacks(&self) -> Result<Vec<StackRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT api_key, token, org_uid, user_uid, hmac_secret, demo FROM stacks ORDER BY rowid",
            )
            .ctx("loading stacks")?;
        let mut stacks = stmt
            .query_map([], |r| {
                Ok(StackRow {
                    api_key: r.get(0)?,
                    token: cs_webhooks_model::Secret::new(r.get::<_, String>(1)?),
                    org_uid: r.get(2)?,
                    user_uid: r.get(3)?,
                    hmac_secret: r
                        .get::<_, Option<String>>(4)?
                        .map(cs_webhooks_model::Secret::new),
                    demo: r.get(5)?,
                    branches: Vec::new(),
                })
            })
            .ctx("loading stacks")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("loading stacks")?;
        let mut branches = conn
            .prepare("SELECT uid FROM branches WHERE api_key = ?1 ORDER BY rowid")
            .ctx("loading branches")?;
        for stack in &mut stacks {
            stack.branches = branches
                .query_map([&stack.api_key], |r| r.get(0))
                .ctx("loading branches")?
                .collect::<Result<Vec<String>, _>>()
                .ctx("loading branches")?;
        }
        Ok(stacks)
    }

    /// Creates or replaces a stack and adds its branches.
    pub fn save_stack(&self, stack: &StackRow) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("saving a stack")?;
        tx.execute(
            "INSERT INTO stacks (api_key, token, org_uid, user_uid, hmac_secret, demo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (api_key) DO UPDATE SET token = excluded.token,
                 hmac_secret = excluded.hmac_secret, demo = excluded.demo",
            params![
                stack.api_key,
                stack.token.expose(),
                stack.org_uid,
                stack.user_uid,
                stack.hmac_secret.as_ref().map(|s| s.expose()),
                stack.demo,
            ],
        )
        .ctx("saving a stack")?;
        for branch in &stack.branches {
            tx.execute(
                "INSERT OR IGNORE INTO branches (api_key, uid) VALUES (?1, ?2)",
                [&stack.api_key, branch],
            )
            .ctx("saving a branch")?;
        }
        tx.commit().ctx("saving a stack")
    }

    // ----- webhooks -----

    /// The webhook with this uid, from the cache.
    pub fn webhook(&self, uid: &str) -> Option<Arc<StoredWebhook>> {
        self.cache_read().get(uid).cloned()
    }

    /// Every webhook of a stack, in creation order.
    pub fn webhooks_of(&self, api_key: &str) -> Vec<Arc<StoredWebhook>> {
        let mut list: Vec<Arc<StoredWebhook>> = self
            .cache_read()
            .values()
            .filter(|w| w.api_key == api_key)
            .cloned()
            .collect();
        list.sort_by_key(|w| w.seq);
        list
    }

    /// Stores a new webhook; its name must be free in its stack.
    pub fn insert_webhook(
        &self,
        mut webhook: StoredWebhook,
    ) -> Result<Arc<StoredWebhook>, WriteError<std::convert::Infallible>> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("creating a webhook")?;
        webhook.seq = tx
            .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM webhooks", [], |r| {
                r.get(0)
            })
            .ctx("creating a webhook")?;
        let doc = encode(&webhook.webhook)?;
        let inserted = tx.execute(
            "INSERT INTO webhooks (uid, api_key, name, seq, failures, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                webhook.webhook.uid,
                webhook.api_key,
                webhook.webhook.name,
                webhook.seq,
                webhook.failures,
                doc
            ],
        );
        check_unique(inserted, "creating a webhook")?;
        tx.commit().ctx("creating a webhook")?;
        let webhook = Arc::new(webhook);
        self.cache_write()
            .insert(webhook.webhook.uid.clone(), Arc::clone(&webhook));
        Ok(webhook)
    }

    /// Replaces a webhook with what `change` makes of the current one, atomically.
    pub fn modify_webhook<E>(
        &self,
        uid: &str,
        change: impl FnOnce(&StoredWebhook) -> Result<StoredWebhook, E>,
    ) -> Result<Arc<StoredWebhook>, WriteError<E>> {
        let mut conn = self.lock();
        let current = self.webhook(uid).ok_or(WriteError::NotFound)?;
        let next = change(&current).map_err(WriteError::Rejected)?;
        let tx = conn.transaction().ctx("updating a webhook")?;
        let doc = encode(&next.webhook)?;
        let updated = tx.execute(
            "UPDATE webhooks SET name = ?2, failures = ?3, doc = ?4 WHERE uid = ?1",
            params![uid, next.webhook.name, next.failures, doc],
        );
        check_unique(updated, "updating a webhook")?;
        if next.webhook.disabled == Some(true) {
            // A disabled webhook delivers nothing: drop what is still queued.
            delete_pending_jobs(&tx, uid)?;
        }
        tx.commit().ctx("updating a webhook")?;
        let next = Arc::new(next);
        self.cache_write().insert(uid.to_owned(), Arc::clone(&next));
        Ok(next)
    }

    /// Deletes a webhook with its executions, attempts and queued jobs.
    pub fn delete_webhook(&self, uid: &str) -> Result<bool, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("deleting a webhook")?;
        let deleted = tx
            .execute("DELETE FROM webhooks WHERE uid = ?1", [uid])
            .ctx("deleting a webhook")?;
        tx.execute(
            "DELETE FROM jobs WHERE execution_uid IN (SELECT uid FROM executions WHERE webhook_uid = ?1)",
            [uid],
        )
        .ctx("deleting a webhook's jobs")?;
        tx.execute(
            "DELETE FROM attempts WHERE execution_uid IN (SELECT uid FROM executions WHERE webhook_uid = ?1)",
            [uid],
        )
        .ctx("deleting a webhook's attempts")?;
        tx.execute("DELETE FROM executions WHERE webhook_uid = ?1", [uid])
            .ctx("deleting a webhook's executions")?;
        tx.commit().ctx("deleting a webhook")?;
        self.cache_write().remove(uid);
        Ok(deleted > 0)
    }

    // ----- executions and the queue -----

    /// Creates executions and queues their first attempts, in one transaction.
    pub fn enqueue(&self, executions: &[NewExecution]) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("queueing deliveries")?;
        {
            let mut insert_execution = tx
                .prepare_cached(
                    "INSERT INTO executions (uid, api_key, webhook_uid, destination, created_ms,
                        updated_ms, status, channels, body, signature, destination_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, NULL, ?6, ?7, ?8, ?9)",
                )
                .ctx("queueing deliveries")?;
            let mut insert_job = tx
                .prepare_cached(
                    "INSERT INTO jobs (execution_uid, retry_number, due_ms) VALUES (?1, 0, ?2)",
                )
                .ctx("queueing deliveries")?;
            for e in executions {
                insert_execution
                    .execute(params![
                        e.uid,
                        e.api_key,
                        e.webhook_uid,
                        i64::try_from(e.destination).unwrap_or(i64::MAX),
                        e.created_ms,
                        e.channels_json,
                        &e.body[..],
                        &*e.signature,
                        e.destination_key,
                    ])
                    .ctx("queueing deliveries")?;
                insert_job
                    .execute(params![e.uid, e.created_ms])
                    .ctx("queueing deliveries")?;
            }
        }
        tx.commit().ctx("queueing deliveries")
    }

    /// Marks up to `limit` due jobs as claimed and returns them, oldest due first.
    ///
    /// The claim is committed before anything is sent: after a crash a claimed
    /// job is known to have been (perhaps) attempted and is never run again.
    pub fn claim_due(&self, now_ms: i64, limit: usize) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("claiming jobs")?;
        let jobs = select_jobs(
            &tx,
            "WHERE j.claimed = 0 AND j.due_ms <= ?1 ORDER BY j.due_ms, j.rowid LIMIT ?2",
            params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
        )?;
        {
            let mut claim = tx
                .prepare_cached("UPDATE jobs SET claimed = 1 WHERE execution_uid = ?1")
                .ctx("claiming jobs")?;
            for job in &jobs {
                claim.execute([&job.execution_uid]).ctx("claiming jobs")?;
            }
        }
        tx.commit().ctx("claiming jobs")?;
        Ok(jobs)
    }

    /// Jobs claimed by an earlier run that never recorded their attempt.
    pub fn interrupted_jobs(&self) -> Result<Vec<ClaimedJob>, StoreError> {
        let conn = self.lock();
        select_jobs(&conn, "WHERE j.claimed = 1 ORDER BY j.due_ms", [])
    }

    /// When the earliest unclaimed job is due (ms), if any.
    pub fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.lock()
            .query_row("SELECT MIN(due_ms) FROM jobs WHERE claimed = 0", [], |r| {
                r.get(0)
            })
            .ctx("reading the queue")
    }

    /// How many jobs are queued or in flight.
    pub fn pending_jobs(&self) -> Result<u64, StoreError> {
        self.lock()
            .query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get::<_, i64>(0))
            .ctx("reading the queue")
            .map(|n| n.unsigned_abs())
    }

    /// Removes a job without recording an attempt (its webhook is gone or disabled).
    pub fn drop_job(&self, execution_uid: &str) -> Result<(), StoreError> {
        self.lock()
            .execute("DELETE FROM jobs WHERE execution_uid = ?1", [execution_uid])
            .ctx("dropping a job")?;
        Ok(())
    }

    /// Records attempts in order, all in one transaction (group commit: one
    /// write of the log for many attempts), and stores what `decide` makes
    /// of each (the retry to queue, the breaker's count and state). `decide`
    /// sees the webhook as the attempts before in the same batch left it.
    ///
    /// An attempt whose execution or webhook is gone is recorded as far as
    /// possible and gets no decision (`None`).
    pub fn record_attempts(
        &self,
        attempts: &[AttemptRecord],
        decide: impl Fn(Attempt, WebhookState) -> Decision,
    ) -> Result<Vec<Option<Decision>>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("recording attempts")?;
        let mut changed: HashMap<String, StoredWebhook> = HashMap::new();
        let mut outcomes = Vec::with_capacity(attempts.len());
        for attempt in attempts {
            outcomes.push(self.record_one(&tx, attempt, &decide, &mut changed)?);
        }
        tx.commit().ctx("recording attempts")?;
        if !changed.is_empty() {
            let mut cache = self.cache_write();
            for (uid, webhook) in changed {
                cache.insert(uid, Arc::new(webhook));
            }
        }
        Ok(outcomes)
    }

    /// One attempt inside [`record_attempts`](Self::record_attempts); webhook
    /// changes collect in `changed` (they reach the cache after the commit).
    fn record_one(
        &self,
        tx: &Transaction<'_>,
        attempt: &AttemptRecord,
        decide: &impl Fn(Attempt, WebhookState) -> Decision,
        changed: &mut HashMap<String, StoredWebhook>,
    ) -> Result<Option<Decision>, StoreError> {
        let exists = tx
            .prepare_cached(
                "UPDATE executions SET status = ?2, updated_ms = ?3, event_headers = ?4 WHERE uid = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    attempt.execution_uid,
                    attempt.status,
                    attempt.created_ms,
                    attempt.headers_json
                ])
            })
            .ctx("recording an attempt")?
            > 0;
        if exists {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO attempts (id, execution_uid, retry_number, created_ms, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    attempt.id,
                    attempt.execution_uid,
                    attempt.retry_number,
                    attempt.created_ms,
                    attempt.detail_json
                ])
            })
            .ctx("recording an attempt")?;
        }
        tx.prepare_cached("DELETE FROM jobs WHERE execution_uid = ?1")
            .and_then(|mut s| s.execute([&attempt.execution_uid]))
            .ctx("recording an attempt")?;

        // The webhook as earlier attempts of this batch left it; cloned only
        // when this attempt changes it (most attempts change nothing).
        let cached;
        let current: &StoredWebhook = match changed.get(&attempt.webhook_uid) {
            Some(w) => w,
            None => match self.webhook(&attempt.webhook_uid) {
                Some(w) => {
                    cached = w;
                    &cached
                }
                None => return Ok(None),
            },
        };
        if !exists {
            return Ok(None);
        }
        let decision = decide(
            attempt.facts(),
            WebhookState {
                failures: current.failures,
                disabled: current.webhook.disabled == Some(true),
                automatic: current.webhook.retry_policy == Some(RetryPolicy::Automatic),
            },
        );
        let trips = decision.trip_breaker
            && (current.webhook.disabled != Some(true)
                || current.webhook.unhealthy != Some(Unhealthy { state: Some(true) }));
        let next = (decision.failures != current.failures || trips).then(|| {
            let mut next = current.clone();
            next.failures = decision.failures;
            if decision.trip_breaker {
                next.webhook.disabled = Some(true);
                next.webhook.unhealthy = Some(Unhealthy { state: Some(true) });
            }
            next
        });
        if decision.trip_breaker {
            delete_pending_jobs(tx, &attempt.webhook_uid)?;
        }
        if let Some(due) = decision.retry_due_ms {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO jobs (execution_uid, retry_number, due_ms) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    attempt.execution_uid,
                    attempt.retry_number.saturating_add(1),
                    due
                ])
            })
            .ctx("scheduling a retry")?;
        }
        if let Some(next) = next {
            let doc = encode(&next.webhook)?;
            tx.prepare_cached("UPDATE webhooks SET failures = ?2, doc = ?3 WHERE uid = ?1")
                .and_then(|mut s| s.execute(params![attempt.webhook_uid, next.failures, doc]))
                .ctx("updating the circuit breaker")?;
            changed.insert(attempt.webhook_uid.clone(), next);
        }
        Ok(Some(decision))
    }

    /// Queues a manual attempt of an execution. Returns `false` when one is
    /// already queued (the request is then a no-op).
    pub fn schedule_manual_retry(
        &self,
        execution_uid: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().ctx("scheduling a retry")?;
        let next: u32 = tx
            .query_row(
                "SELECT COALESCE(MAX(retry_number) + 1, 0) FROM attempts WHERE execution_uid = ?1",
                [execution_uid],
                |r| r.get(0),
            )
            .ctx("scheduling a retry")?;
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO jobs (execution_uid, retry_number, due_ms, manual) VALUES (?1, ?2, ?3, 1)",
                params![execution_uid, next, now_ms],
            )
            .ctx("scheduling a retry")?;
        tx.commit().ctx("scheduling a retry")?;
        Ok(inserted > 0)
    }

    /// One execution of a stack, with its attempts.
    pub fn execution(&self, api_key: &str, uid: &str) -> Result<Option<ExecutionRow>, StoreError> {
        let conn = self.lock();
        let Some(mut row) = conn
            .query_row(
                "SELECT uid, api_key, webhook_uid, created_ms, updated_ms, status, channels, body,
                        event_headers
                 FROM executions WHERE uid = ?1 AND api_key = ?2",
                [uid, api_key],
                execution_row,
            )
            .optional()
            .ctx("reading an execution")?
        else {
            return Ok(None);
        };
        row.details_json = attempt_details(&conn, &row.uid)?;
        Ok(Some(row))
    }

    /// The uids and statuses of a webhook's executions in `window`, newest first.
    pub fn execution_index(
        &self,
        webhook_uid: &str,
        window: ExecutionWindow,
    ) -> Result<Vec<(String, Option<u16>)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT uid, status FROM executions
                 WHERE webhook_uid = ?1 AND created_ms >= ?2 AND created_ms <= ?3
                 ORDER BY created_ms DESC, rowid DESC",
            )
            .ctx("listing executions")?;
        stmt.query_map(params![webhook_uid, window.from_ms, window.to_ms], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ctx("listing executions")?
        .collect::<Result<Vec<_>, _>>()
        .ctx("listing executions")
    }

    /// Full rows for `uids`, in that order.
    pub fn executions(&self, uids: &[String]) -> Result<Vec<ExecutionRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT uid, api_key, webhook_uid, created_ms, updated_ms, status, channels, body,
                        event_headers
                 FROM executions WHERE uid = ?1",
            )
            .ctx("reading executions")?;
        let mut rows = Vec::with_capacity(uids.len());
        for uid in uids {
            if let Some(mut row) = stmt
                .query_row([uid], execution_row)
                .optional()
                .ctx("reading executions")?
            {
                row.details_json = attempt_details(&conn, uid)?;
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// How many executions and attempts are stored (for tests and benchmarks).
    pub fn counts(&self) -> Result<(u64, u64), StoreError> {
        let conn = self.lock();
        let executions = conn
            .query_row("SELECT COUNT(*) FROM executions", [], |r| {
                r.get::<_, i64>(0)
            })
            .ctx("counting executions")?
            .unsigned_abs();
        let attempts = conn
            .query_row("SELECT COUNT(*) FROM attempts", [], |r| r.get::<_, i64>(0))
            .ctx("counting attempts")?
            .unsigned_abs();
        Ok((executions, attempts))
    }
}

fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExecutionRow> {
    Ok(ExecutionRow {
        uid: r.get(0)?,
        api_key: r.get(1)?,
        webhook_uid: r.get(2)?,
        created_ms: r.get(3)?,
        updated_ms: r.get(4)?,
        status: r.get(5)?,
        channels_json: r.get(6)?,
        body: r.get(7)?,
        event_headers_json: r.get(8)?,
        details_json: Vec::new(),
    })
}

fn attempt_details(conn: &Connection, execution_uid: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT detail FROM attempts WHERE execution_uid = ?1 ORDER BY retry_number",
        )
        .ctx("reading attempts")?;
    stmt.query_map([execution_uid], |r| r.get(0))
        .ctx("reading attempts")?
        .collect::<Result<Vec<String>, _>>()
        .ctx("reading attempts")
}

fn select_jobs(
    conn: &Connection,
    tail: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ClaimedJob>, StoreError> {
    let sql = format!(
        "SELECT j.execution_uid, j.retry_number, j.manual, e.api_key, e.webhook_uid, e.destination,
                e.body, e.signature, e.destination_key
         FROM jobs j JOIN executions e ON e.uid = j.execution_uid {tail}"
    );
    let mut stmt = conn.prepare_cached(&sql).ctx("reading jobs")?;
    stmt.query_map(params, |r| {
        Ok(ClaimedJob {
            execution_uid: r.get(0)?,
            retry_number: r.get(1)?,
            manual: r.get(2)?,
            api_key: r.get(3)?,
            webhook_uid: r.get(4)?,
            destination: usize::try_from(r.get::<_, i64>(5)?).unwrap_or(usize::MAX),
            body: Arc::from(r.get::<_, Vec<u8>>(6)?),
            signature: r.get(7)?,
            destination_key: r.get(8)?,
        })
    })
    .ctx("reading jobs")?
    .collect::<Result<Vec<_>, _>>()
    .ctx("reading jobs")
}

/// Data files written before executions kept their destination's identity
/// get the column (empty: those executions fall back to the position).
fn add_destination_key(conn: &Connection) -> Result<(), StoreError> {
    let has_column = conn
        .prepare("SELECT 1 FROM pragma_table_info('executions') WHERE name = 'destination_key'")
        .and_then(|mut s| s.exists([]))
        .ctx("reading the schema")?;
    if !has_column {
        conn.execute_batch("ALTER TABLE executions ADD COLUMN destination_key TEXT")
            .ctx("upgrading the schema")?;
    }
    Ok(())
}

fn delete_pending_jobs(tx: &Transaction<'_>, webhook_uid: &str) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM jobs WHERE claimed = 0 AND execution_uid IN
            (SELECT uid FROM executions WHERE webhook_uid = ?1)",
        [webhook_uid],
    )
    .ctx("dropping queued jobs")?;
    Ok(())
}

fn check_unique<E>(
    result: rusqlite::Result<usize>,
    context: &'static str,
) -> Result<usize, WriteError<E>> {
    match result {
        Ok(n) => Ok(n),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(WriteError::DuplicateName)
        }
        Err(source) => Err(WriteError::Store(StoreError::Sqlite { context, source })),
    }
}

fn encode(webhook: &Webhook) -> Result<String, StoreError> {
    serde_json::to_string(webhook).map_err(|e| StoreError::Corrupt {
        what: "webhook",
        message: e.to_string(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, doc: &str) -> Result<T, StoreError> {
    cs_webhooks_model::from_json_slice(doc.as_bytes()).map_err(|e| StoreError::Corrupt {
        what,
        message: e.to_string(),
    })
}

/// An in-memory database on SQLite's `memdb` file system, private to this
/// connection. Unlike `:memory:`, whose pages all live in the page cache,
/// which a commit walks whole whenever a B-tree page was split (a cost that
/// grows with the data; see the cache note in [`Store::open`]), `memdb` keeps
/// the pages in a buffer and the cache at its usual bounded size.
/// (`memdb` caps a database at 1 GiB by default: far beyond what an
/// emulator session stores.) A name without a leading `/` is private to its
/// connection; the counter makes every name distinct besides.
fn open_in_memory() -> Result<Connection, StoreError> {
    use rusqlite::OpenFlags;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "file:cs-webhooks-emulator-{}?vfs=memdb",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    Connection::open_with_flags(
        &name,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ctx("opening the in-memory database")
}
