//! What every request handler and the delivery worker share.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::api::error::ApiError;
use crate::config::Settings;
use crate::delivery::enqueuer::Enqueuer;
use crate::delivery::signing::SigningKey;
use crate::mailbox::Mailbox;
use crate::ratelimit::RateLimiter;
use crate::shapes::Shapes;
use crate::store::{StackRow, Store};

/// Shared state: the store, the stacks (fixed after start), settings and the key.
#[derive(Debug)]
pub struct AppState {
    /// The database and webhook cache.
    pub store: Arc<Store>,
    /// The stacks by API key.
    pub stacks: HashMap<String, StackRow>,
    /// Runtime settings.
    pub settings: Settings,
    /// The delivery signing key.
    pub key: SigningKey,
    /// The spec's request shapes.
    pub shapes: &'static Shapes,
    /// The request budget, when rate limiting is on.
    pub limiter: Option<RateLimiter>,
    /// The e-mails the circuit breaker sent.
    pub mailbox: Mailbox,
    /// Wakes the delivery worker when jobs are queued or finish.
    pub wake: Arc<Notify>,
    /// Writes the executions of fired events, grouped into shared transactions.
    pub enqueuer: Enqueuer,
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// Runs a database call on the blocking pool; a panic there becomes a 500.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Store) -> T + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "database task failed");
                ApiError::internal()
            })
    }
}
