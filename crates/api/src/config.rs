//! Client configuration: where to send requests, how to authenticate, timeouts,
//! retries and rate limiting. Built once, shared by every call.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use cs_webhooks_model::{Region, Secret};

use crate::transport::TransportFromConfig;
use crate::{AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, Error};

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("cs-webhooks/", env!("CARGO_PKG_VERSION"));

/// How calls authenticate (besides the stack's `api_key`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// A stack management token, sent as `authorization: <token>`.
    ManagementToken(Secret),
    /// An OAuth access token, sent as `authorization: Bearer <token>`.
    OAuthToken(Secret),
    /// A user session token, sent as `authtoken: <token>`.
    AuthToken(Secret),
}

impl Auth {
    /// The header name and value this credential is sent as.
    pub fn header(&self) -> (&'static str, String) {
        match self {
            Auth::ManagementToken(token) => ("authorization", token.expose().to_string()),
            Auth::OAuthToken(token) => ("authorization", format!("Bearer {}", token.expose())),
            Auth::AuthToken(token) => ("authtoken", token.expose().to_string()),
        }
    }
}

impl Auth {
    /// What kind of credential this is, in words (`management token`,
    /// `OAuth token`, `authtoken`): what a 401 names so the user knows which
    /// one to check.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::ManagementToken(_) => "management token",
            Auth::OAuthToken(_) => "OAuth token",
            Auth::AuthToken(_) => "authtoken",
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Auth::ManagementToken(_) => "ManagementToken",
            Auth::OAuthToken(_) => "OAuthToken",
            Auth::AuthToken(_) => "AuthToken",
        };
        write!(f, "{kind}(\"{}\")", Secret::MASK)
    }
}

/// Timeouts. `None` means no limit.
///
/// Both are deadlines: the attempt timeout bounds one attempt from the first
/// byte sent to the last byte of the response body read; the total timeout
/// bounds the whole operation, retries and their waits included. Every
/// transport is given the time left (the smaller of the two) for each attempt.
///
/// ```
/// use std::time::Duration;
/// use cs_webhooks_api::Timeouts;
///
/// let timeouts = Timeouts::default()
///     .with_attempt(Duration::from_secs(5))
///     .with_total(None); // no limit on the whole operation
/// assert_eq!(timeouts.total, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a connection. Default 10 s.
    pub connect: Option<Duration>,
    /// One attempt, from sending to the end of the response body. Default 30 s
    /// (what Contentstack's own SDKs use).
    pub attempt: Option<Duration>,
    /// A whole operation, retries and their waits included. Default 2 minutes.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(Duration::from_secs(10)),
            attempt: Some(Duration::from_secs(30)),
            total: Some(Duration::from_secs(120)),
        }
    }
}

impl Timeouts {
    /// No timeouts at all.
    pub fn none() -> Self {
        Timeouts {
            connect: None,
            attempt: None,
            total: None,
        }
    }

    /// Sets the connect timeout (`None`: no limit).
    #[must_use]
    pub fn with_connect(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect = timeout.into();
        self
    }

    /// Sets the timeout of one attempt (`None`: no limit).
    #[must_use]
    pub fn with_attempt(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt = timeout.into();
        self
    }

    /// Sets the timeout of a whole operation (`None`: no limit).
    #[must_use]
    pub fn with_total(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.total = timeout.into();
        self
    }
}

/// When and how often to retry (the client's settings; not to be confused
/// with a webhook's own `retry_policy` field, which is Contentstack's).
///
/// Defaults: 4 attempts in all; waits of 500 ms × 2ⁿ capped at 30 s, with
/// full jitter in the upper half (a wait is between 50% and 100% of the
/// backoff); a `Retry-After` from the server is honoured up to 60 s.
///
/// ```
/// use std::time::Duration;
/// use cs_webhooks_api::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .with_max_attempts(6)
///     .with_max_delay(Duration::from_secs(10));
/// assert_eq!(retry.max_attempts, 6);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryConfig {
    /// Settings that never retry.
    pub fn never() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Sets how many attempts are made in all (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff.
    #[must_use]
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest backoff.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest `Retry-After` honoured.
    #[must_use]
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The backoff before attempt `attempt + 1`, given a jitter sample in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let jitter = jitter.clamp(0.0, 1.0);
        full.mul_f64(0.5 + 0.5 * jitter)
    }
}

/// Everything a request needs besides its own parameters.
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) api_key: Option<Secret>,
    pub(crate) auth: Option<Auth>,
    pub(crate) branch: Option<String>,
    pub(crate) user_agent: String,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryConfig,
    pub(crate) rate_limit: Option<f64>,
    pub(crate) max_response_bytes: u64,
    /// The headers of every request, made once (None when a value is not a
    /// valid header: each build then reports it).
    pub(crate) common_headers: Option<http::HeaderMap>,
    /// The base URL's scheme and authority, parsed once, and the length of
    /// their text (`scheme://authority`), so a request's `Uri` is made by
    /// parsing only its path and query.
    pub(crate) origin: Option<Origin>,
}

/// The parsed start of the base URL.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) scheme: http::uri::Scheme,
    pub(crate) authority: http::uri::Authority,
    pub(crate) text_len: usize,
}

impl Origin {
    /// The origin of `base_url`, parsed as `uri`, when its text starts with
    /// exactly `scheme://authority` as parsed (always, for a URL that parsed).
    pub(crate) fn of(base_url: &str, uri: &http::Uri) -> Option<Origin> {
        let scheme = uri.scheme()?.clone();
        let authority = uri.authority()?.clone();
        let text_len = scheme.as_str().len() + 3 + authority.as_str().len();
        let expected = base_url.get(..text_len)?;
        let matches = expected
            .strip_prefix(scheme.as_str())?
            .strip_prefix("://")?
            == authority.as_str();
        matches.then_some(Origin {
            scheme,
            authority,
            text_len,
        })
    }
}

/// The default limit on a response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("auth", &self.auth)
            .field("branch", &self.branch)
            .field("user_agent", &self.user_agent)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl Config {
    /// Starts a configuration (NA region, no credentials).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The base URL, without a trailing slash (e.g. `https://api.contentstack.io/v3`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The default branch, sent as the `branch` header unless a call sets its own.
    pub fn branch(&self) -> Option<&str> {
        self.branch.as_deref()
    }

    /// The kind of credential calls carry (see [`Auth::kind`]).
    pub fn credential_kind(&self) -> Option<&'static str> {
        self.auth.as_ref().map(Auth::kind)
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The retry settings.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// The client-side rate limit in requests per second, if any.
    pub fn rate_limit(&self) -> Option<f64> {
        self.rate_limit
    }

    /// The largest response body read, in bytes; a larger one is an
    /// [`Error::ResponseTooLarge`].
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// Adds the headers every request carries: `api_key`, the credential,
    /// `User-Agent`. Written once here so both clients send the same.
    /// The headers of every request (credentials, user agent): a copy of the
    /// prepared map, whose values share their bytes, rather than every value
    /// encoded again per call.
    pub(crate) fn common_headers(&self) -> Result<http::HeaderMap, Error> {
        if let Some(headers) = &self.common_headers {
            return Ok(headers.clone());
        }
        let mut headers = http::HeaderMap::new();
        self.apply_common_headers(&mut headers)?;
        Ok(headers)
    }

    fn apply_common_headers(&self, headers: &mut http::HeaderMap) -> Result<(), Error> {
        if let Some(api_key) = &self.api_key {
            insert_header(headers, "api_key", api_key.expose(), true)?;
        }
        if let Some(auth) = &self.auth {
            let (name, value) = auth.header();
            insert_header(headers, name, &value, true)?;
        }
        insert_header(headers, "user-agent", &self.user_agent, false)?;
        // Every answer of the API is JSON (an export too).
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(())
    }
}

/// Inserts a header; a value that is not a valid header value is an invalid
/// request. Sensitive values are marked so (hyper/ureq keep them out of debug
/// output) and never echoed in the error.
pub(crate) fn insert_header(
    headers: &mut http::HeaderMap,
    name: &'static str,
    value: &str,
    sensitive: bool,
) -> Result<(), Error> {
    let mut value = http::HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_request(if sensitive {
            format!("the `{name}` credential contains characters not allowed in a header")
        } else {
            format!("the `{name}` header value contains characters not allowed in a header")
        })
    })?;
    value.set_sensitive(sensitive);
    headers.insert(http::HeaderName::from_static(name), value);
    Ok(())
}

/// Builds a [`Config`] (`Config::builder()`), or a client directly
/// (`Client::builder()` of the transport crates): every setting is declared
/// here once, and `build()` checks them and makes the `Out`.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build()`"]
pub struct ConfigBuilder<Out = Config> {
    base_url: Option<String>,
    region: Region,
    api_key: Option<Secret>,
    auth: Option<Auth>,
    branch: Option<String>,
    user_agent: Option<String>,
    timeouts: Timeouts,
    retry: RetryConfig,
    rate_limit: Option<f64>,
    max_response_bytes: u64,
    out: PhantomData<fn() -> Out>,
}

impl<Out> Default for ConfigBuilder<Out> {
    fn default() -> Self {
        ConfigBuilder {
            base_url: None,
            region: Region::default(),
            api_key: None,
            auth: None,
            branch: None,
            user_agent: None,
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            rate_limit: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            out: PhantomData,
        }
    }
}

impl<Out> ConfigBuilder<Out> {
    /// The Contentstack region (default NA). Ignored when [`base_url`](Self::base_url) is set.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Any other base URL, e.g. the emulator's `http://127.0.0.1:4010/v3` or a proxy.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The stack's API key (the `api_key` header).
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Authenticate with a management token (`authorization: <token>`).
    pub fn management_token(mut self, token: impl Into<Secret>) -> Self {
        self.auth = Some(Auth::ManagementToken(token.into()));
        self
    }

    /// Authenticate with an OAuth access token (`authorization: Bearer <token>`).
    pub fn oauth_token(mut self, token: impl Into<Secret>) -> Self {
        self.auth = Some(Auth::OAuthToken(token.into()));
        self
    }

    /// Authenticate with a user session token (`authtoken: <token>`).
    pub fn authtoken(mut self, token: impl Into<Secret>) -> Self {
        self.auth = Some(Auth::AuthToken(token.into()));
        self
    }

    /// The default branch for every call (the `branch` header).
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// The `User-Agent` header (default `cs-webhooks/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The connect timeout (default 10 s; `None`: no limit).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeouts.connect = timeout.into();
        self
    }

    /// The timeout of one attempt (default 30 s; `None`: no limit).
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeouts.attempt = timeout.into();
        self
    }

    /// The timeout of a whole operation, retries included (default 2 min;
    /// `None`: no limit).
    pub fn total_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeouts.total = timeout.into();
        self
    }

    /// All timeouts at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The retry settings (default: [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Limit this client to `per_second` requests a second (off by default).
    /// Useful for bulk jobs: Contentstack allows 10 reads and 10 writes a second
    /// per organization.
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// The largest response body read, in bytes (default 64 MiB). A larger
    /// one ends the call with [`Error::ResponseTooLarge`] without reading
    /// the rest; the paging helpers then ask for smaller pages.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// A client needs the stack's api_key and a credential: without them
    /// every call fails with the API's "Api key is not valid", so say what is
    /// missing before anything is sent. (A bare [`Config`] may lack them: it
    /// also sets up transports for other requests, e.g. fetching public keys.)
    fn require_credentials(&self) -> Result<(), Error> {
        match (&self.api_key, &self.auth) {
            (None, None) => Err(Error::invalid_request(
                "no api_key and no credential: set `.api_key(..)` (the stack's API key) and one of `.management_token(..)`, `.authtoken(..)` or `.oauth_token(..)`",
            )),
            (None, Some(_)) => Err(Error::invalid_request(
                "no api_key: set `.api_key(..)` to the stack's API key",
            )),
            (Some(_), None) => Err(Error::invalid_request(
                "no credential: set one of `.management_token(..)`, `.authtoken(..)` or `.oauth_token(..)`",
            )),
            (Some(_), Some(_)) => Ok(()),
        }
    }

    /// Checks the settings and returns the configuration.
    fn build_config(self) -> Result<Config, Error> {
        let base_url = match self.base_url {
            Some(url) => url,
            None => self.region.base_url().to_string(),
        };
        let base_url = base_url.trim_end_matches('/').to_string();
        let valid_scheme = base_url.starts_with("http://") || base_url.starts_with("https://");
        let parsed = base_url.parse::<http::Uri>().ok().filter(|_| valid_scheme);
        let Some(uri) = parsed else {
            return Err(Error::invalid_request(format!(
                "base URL `{base_url}` is not an http(s) URL"
            )));
        };
        let origin = Origin::of(&base_url, &uri);
        if let Some(rate) = self.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::invalid_request(format!(
                "rate limit must be a positive number of requests a second, not {rate}"
            )));
        }
        let mut config = Config {
            base_url,
            api_key: self.api_key,
            auth: self.auth,
            branch: self.branch,
            user_agent: self
                .user_agent
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
            timeouts: self.timeouts,
            retry: self.retry,
            rate_limit: self.rate_limit,
            max_response_bytes: self.max_response_bytes,
            common_headers: None,
            origin,
        };
        config.common_headers = config.common_headers().ok();
        Ok(config)
    }
}

impl ConfigBuilder<Config> {
    /// Checks the settings and returns the configuration.
    pub fn build(self) -> Result<Config, Error> {
        self.build_config()
    }
}

impl<T: BlockingTransport + TransportFromConfig> ConfigBuilder<BlockingClient<T>> {
    /// Checks the settings and builds the client and its transport. Fails,
    /// naming what is missing, without an `api_key` or a credential.
    pub fn build(self) -> Result<BlockingClient<T>, Error> {
        self.require_credentials()?;
        let config = self.build_config()?;
        let transport = T::from_config(&config)?;
        Ok(BlockingClient::with_transport(config, transport))
    }
}

impl<T: AsyncTransport + TransportFromConfig> ConfigBuilder<AsyncClient<T>> {
    /// Checks the settings and builds the client and its transport. Fails,
    /// naming what is missing, without an `api_key` or a credential.
    pub fn build(self) -> Result<AsyncClient<T>, Error> {
        self.require_credentials()?;
        let config = self.build_config()?;
        let transport = T::from_config(&config)?;
        Ok(AsyncClient::with_transport(config, transport))
    }
}
