//! Where the RSA public key comes from: given directly, or fetched from
//! Contentstack's `/.well-known/public-keys.json` and cached.
//!
//! Contentstack does not document key rotation, so a cached key is kept until
//! a signature fails to verify with it; then the document is fetched again,
//! at most once per refresh interval, before the delivery is rejected.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt as _;
use futures_util::future::Shared;
use serde::Deserialize;

use crate::error::{FetchError, KeyError};
use crate::key::RsaPublicKey;

/// Default minimum time between two fetches of the key document.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

type BlockingFetch = dyn Fn(&str) -> Result<Vec<u8>, FetchError> + Send + Sync;
type AsyncFetchFuture = Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send>>;
type AsyncFetch = dyn Fn(String) -> AsyncFetchFuture + Send + Sync;

/// How the key document is fetched.
enum Fetcher {
    /// A blocking function (called inline).
    Blocking(Arc<BlockingFetch>),
    /// An async function.
    Async(Arc<AsyncFetch>),
}

/// The source of the RSA public key, with its cache.
///
/// - [`PublicKeys::from_pem`]: a key given directly; nothing is ever fetched.
/// - [`PublicKeys::fetch_with`] / [`PublicKeys::fetch_with_async`]: the key
///   document is fetched from a URL (see
///   [`Region::public_keys_url`](cs_webhooks_model::Region::public_keys_url))
///   through your function, on first use and again when a signature fails to
///   verify, at most once per [`refresh_interval`](PublicKeys::refresh_interval).
/// - With the `blocking` or `async` features, the project's ureq or reqwest
///   transports do the fetching (`PublicKeys::fetch_blocking`, `PublicKeys::fetch_async`).
///
/// The rate limit uses the `now` given to the verifier, so a test controls it.
pub struct PublicKeys {
    source: Option<(String, Fetcher)>,
    refresh_interval: Duration,
    state: RwLock<State>,
    /// Held during a blocking fetch, so concurrent callers wait for it.
    fetch_lock: Mutex<()>,
}

#[derive(Default)]
struct State {
    key: Option<Arc<RsaPublicKey>>,
    last_fetch: Option<DateTime<Utc>>,
    /// The async fetch under way, shared by every caller waiting for a key.
    in_flight: Option<Shared<AsyncFetchFuture>>,
}

impl PublicKeys {
    /// A fixed key from its PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        RsaPublicKey::from_pkcs1_pem(pem).map(Self::from_key)
    }

    /// A fixed key.
    pub fn from_key(key: RsaPublicKey) -> Self {
        PublicKeys {
            source: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            state: RwLock::new(State {
                key: Some(Arc::new(key)),
                ..State::default()
            }),
            fetch_lock: Mutex::new(()),
        }
    }

    /// Fetches the document at `url` with a blocking function returning its
    /// body, e.g. `Region::Eu.public_keys_url()`.
    pub fn fetch_with<F, E>(url: impl Into<String>, fetch: F) -> Self
    where
        F: Fn(&str) -> Result<Vec<u8>, E> + Send + Sync + 'static,
        E: fmt::Display,
    {
        let fetch: Arc<BlockingFetch> = Arc::new(move |url| fetch(url).map_err(FetchError::new));
        Self::fetching(url.into(), Fetcher::Blocking(fetch))
    }

    /// Fetches the document at `url` with an async function returning its body.
    pub fn fetch_with_async<F, Fut, E>(url: impl Into<String>, fetch: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<u8>, E>> + Send + 'static,
        E: fmt::Display,
    {
        let fetch: Arc<AsyncFetch> = Arc::new(move |url: String| {
            let fetching = fetch(url);
            Box::pin(async move { fetching.await.map_err(FetchError::new) })
        });
        Self::fetching(url.into(), Fetcher::Async(fetch))
    }

    fn fetching(url: String, fetcher: Fetcher) -> Self {
        PublicKeys {
            source: Some((url, fetcher)),
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            state: RwLock::new(State::default()),
            fetch_lock: Mutex::new(()),
        }
    }

    /// Sets the minimum time between two fetches (default one minute). A
    /// failed fetch counts too, so a key host that is down is not hammered.
    #[must_use]
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// The URL fetched from, if any.
    pub fn url(&self) -> Option<&str> {
        self.source.as_ref().map(|(url, _)| url.as_str())
    }

    /// The cached key, if one is loaded.
    pub fn current(&self) -> Option<Arc<RsaPublicKey>> {
        self.read().key.clone()
    }

    /// Loads a key document (`{"signing-key": "<PKCS#1 PEM>"}`) you fetched
    /// yourself, replacing the cached key.
    pub fn load_document(&self, document: &[u8]) -> Result<Arc<RsaPublicKey>, KeyError> {
        let key = Arc::new(parse_document(document)?);
        self.write().key = Some(Arc::clone(&key));
        Ok(key)
    }

    /// Fetches the document now with a blocking fetcher, ignoring the rate
    /// limit (e.g. at start-up, to fail early). Does nothing for a fixed key.
    pub fn refresh_now(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        match &self.source {
            None => Ok(()),
            Some((_, Fetcher::Async(_))) => Err(KeyError::Fetch(FetchError::new(
                "this key source fetches asynchronously; use refresh_now_async",
            ))),
            Some(_) => self
                .refresh_blocking(now, None, true)
                .map_or(Ok(()), |fetched| fetched.map(drop)),
        }
    }

    /// Fetches the document now, awaiting an async fetcher (a blocking one is
    /// called inline), ignoring the rate limit. Does nothing for a fixed key.
    pub async fn refresh_now_async(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        self.refresh_async(now, None, true)
            .await
            .map_or(Ok(()), |fetched| fetched.map(drop))
    }

    /// After a verification failed with `used` (or with no key): the key to
    /// try next, if any. That is a key another caller installed meanwhile,
    /// or the result of a fetch, when one is due (or `force`d). Concurrent
    /// callers wait for the fetch in flight instead of starting their own.
    /// `None` when there is nothing new to try, or the fetcher is async.
    pub(crate) fn refresh_blocking(
        &self,
        now: DateTime<Utc>,
        used: Option<&Arc<RsaPublicKey>>,
        force: bool,
    ) -> Option<Result<Arc<RsaPublicKey>, KeyError>> {
        let fetch = match &self.source {
            Some((_, Fetcher::Blocking(fetch))) => fetch,
            _ => return self.newer_than(used, force).map(Ok),
        };
        // Held for the whole fetch: other callers queue here, then find its key.
        let _fetching = self.fetch_lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(newer) = self.newer_than(used, force) {
            return Some(Ok(newer));
        }
        if !self.claim(now, force) {
            return None;
        }
        Some(
            fetch(self.url_or_empty())
                .map_err(KeyError::from)
                .and_then(|doc| self.load_document(&doc)),
        )
    }

    /// [`refresh_blocking`](Self::refresh_blocking) for async callers: the
    /// fetch in flight is shared, so concurrent callers await the same one.
    /// A blocking fetcher is called inline.
    pub(crate) async fn refresh_async(
        &self,
        now: DateTime<Utc>,
        used: Option<&Arc<RsaPublicKey>>,
        force: bool,
    ) -> Option<Result<Arc<RsaPublicKey>, KeyError>> {
        let fetch = match &self.source {
            Some((_, Fetcher::Async(fetch))) => fetch,
            _ => return self.refresh_blocking(now, used, force),
        };
        let in_flight = {
            let mut state = self.write();
            if let Some(newer) = newer(&state, used, force) {
                return Some(Ok(newer));
            }
            match &state.in_flight {
                Some(in_flight) => in_flight.clone(),
                None => {
                    if !due(&state, now, self.refresh_interval, force) {
                        return None;
                    }
                    state.last_fetch = Some(now);
                    let started = fetch(self.url_or_empty().to_owned()).shared();
                    state.in_flight = Some(started.clone());
                    started
                }
            }
        };
        let document = in_flight.clone().await;
        {
            // Whoever finishes first clears it; a caller dropped mid-fetch
            // leaves it for the next one to poll to the end.
            let mut state = self.write();
            if state
                .in_flight
                .as_ref()
                .is_some_and(|f| f.ptr_eq(&in_flight))
            {
                state.in_flight = None;
            }
        }
        Some(
            document
                .map_err(KeyError::from)
                .and_then(|doc| self.load_document(&doc)),
        )
    }

    /// The cached key when it is not the one a failed check `used`.
    fn newer_than(
        &self,
        used: Option<&Arc<RsaPublicKey>>,
        force: bool,
    ) -> Option<Arc<RsaPublicKey>> {
        newer(&self.read(), used, force)
    }

    /// Records a fetch at `now` when one is due (or `force`d).
    fn claim(&self, now: DateTime<Utc>, force: bool) -> bool {
        let mut state = self.write();
        if !due(&state, now, self.refresh_interval, force) {
            return false;
        }
        state.last_fetch = Some(now);
        true
    }

    fn url_or_empty(&self) -> &str {
        self.url().unwrap_or_default()
    }

    // A poisoned lock only means a panic elsewhere while holding it; the state
    // (an optional key and a time) is valid at every step, so keep using it.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The cached key, unless it is the one that just failed (`used`); with
/// `force`, never (a forced refresh always fetches).
fn newer(
    state: &State,
    used: Option<&Arc<RsaPublicKey>>,
    force: bool,
) -> Option<Arc<RsaPublicKey>> {
    if force {
        return None;
    }
    state
        .key
        .clone()
        .filter(|key| used.is_none_or(|used| !Arc::ptr_eq(key, used)))
}

/// Whether the refresh interval has passed since the last fetch (measured
/// both ways, so a clock stepping back does not block refreshes).
fn due(state: &State, now: DateTime<Utc>, interval: Duration, force: bool) -> bool {
    force
        || state.last_fetch.is_none_or(|last| {
            let since = now.signed_duration_since(last).abs();
            since.to_std().unwrap_or(Duration::MAX) >= interval
        })
}

/// `{"signing-key": "<PKCS#1 PEM>"}` to a key.
pub(crate) fn parse_document(document: &[u8]) -> Result<RsaPublicKey, KeyError> {
    #[derive(Deserialize)]
    struct Document {
        #[serde(rename = "signing-key")]
        signing_key: String,
    }
    let doc: Document =
        serde_json::from_slice(document).map_err(|e| KeyError::Document(e.to_string()))?;
    RsaPublicKey::from_pkcs1_pem(&doc.signing_key)
}

impl fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.read();
        f.debug_struct("PublicKeys")
            .field("url", &self.url())
            .field("key", &state.key)
            .field("last_fetch", &state.last_fetch)
            .field("refresh_interval", &self.refresh_interval)
            .finish()
    }
}
