//! Where the RSA public key comes from: given directly, or fetched from
//! Contentstack's `/.well-known/public-keys.json` and cached.
//!
//! Contentstack does not document key rotation, so a cached key is kept until
//! a signature fails to verify with it; then the document is fetched again,
//! at most once per refresh interval, before the delivery is rejected.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::{FetchError, KeyError};
use crate::key::RsaPublicKey;

/// Default minimum time between two fetches of the key document.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

type BlockingFetch = dyn Fn(&str) -> Result<Vec<u8>, FetchError> + Send + Sync;
type AsyncFetchFuture = Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send>>;
type AsyncFetch = dyn Fn(String) -> AsyncFetchFuture + Send + Sync;

/// How the key document is fetched.
#[derive(Clone)]
pub(crate) enum Fetcher {
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
}

#[derive(Default)]
struct State {
    key: Option<Arc<RsaPublicKey>>,
    last_fetch: Option<DateTime<Utc>>,
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
                last_fetch: None,
            }),
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
        let fetch = Arc::new(fetch);
        let fetch: Arc<AsyncFetch> = Arc::new(move |url: String| {
            let fetch = Arc::clone(&fetch);
            Box::pin(async move { fetch(url).await.map_err(FetchError::new) })
        });
        Self::fetching(url.into(), Fetcher::Async(fetch))
    }

    fn fetching(url: String, fetcher: Fetcher) -> Self {
        PublicKeys {
            source: Some((url, fetcher)),
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            state: RwLock::new(State::default()),
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
        if self.source.is_some() && !self.fetches_blocking() {
            return Err(KeyError::Fetch(FetchError::new(
                "this key source fetches asynchronously; use refresh_now_async",
            )));
        }
        self.claim(now, true)
            .map_or(Ok(()), |fetcher| self.run_blocking(&fetcher).map(drop))
    }

    /// Fetches the document now, awaiting an async fetcher (a blocking one is
    /// called inline), ignoring the rate limit. Does nothing for a fixed key.
    pub async fn refresh_now_async(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        match self.claim(now, true) {
            Some(fetcher) => self.run(fetcher).await.map(drop),
            None => Ok(()),
        }
    }

    /// Claims the right to fetch: returns the fetcher when fetching is
    /// possible and due (or `force`), and records `now` as the last fetch so
    /// concurrent failures fetch once.
    pub(crate) fn claim(&self, now: DateTime<Utc>, force: bool) -> Option<Fetcher> {
        let (_, fetcher) = self.source.as_ref()?;
        let mut state = self.write();
        let due = state.last_fetch.is_none_or(|last| {
            // Measured both ways, so a clock stepping back does not block refreshes.
            let since = now.signed_duration_since(last).abs();
            since.to_std().unwrap_or(Duration::MAX) >= self.refresh_interval
        });
        if !due && !force {
            return None;
        }
        state.last_fetch = Some(now);
        Some(fetcher.clone())
    }

    /// Runs a claimed fetch (blocking ones inline) and installs the result.
    pub(crate) async fn run(&self, fetcher: Fetcher) -> Result<Arc<RsaPublicKey>, KeyError> {
        let body = match fetcher {
            Fetcher::Blocking(fetch) => fetch(self.url_or_empty()),
            Fetcher::Async(fetch) => fetch(self.url_or_empty().to_owned()).await,
        };
        self.finish(body)
    }

    /// Whether a blocking caller can fetch (the fetcher is not async).
    pub(crate) fn fetches_blocking(&self) -> bool {
        matches!(self.source, Some((_, Fetcher::Blocking(_))))
    }

    /// Runs a claimed blocking fetch (callers check [`fetches_blocking`](Self::fetches_blocking)).
    pub(crate) fn run_blocking(&self, fetcher: &Fetcher) -> Result<Arc<RsaPublicKey>, KeyError> {
        match fetcher {
            Fetcher::Blocking(fetch) => self.finish(fetch(self.url_or_empty())),
            Fetcher::Async(_) => Err(KeyError::Fetch(FetchError::new(
                "an async key fetcher cannot run from a blocking call",
            ))),
        }
    }

    fn finish(&self, body: Result<Vec<u8>, FetchError>) -> Result<Arc<RsaPublicKey>, KeyError> {
        self.load_document(&body?)
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
