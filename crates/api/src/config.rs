//! Client configuration: where to send requests, how to authenticate, timeouts,
//! retries and rate limiting. Built once, shared by every call.

use std::fmt;
use std::time::Duration;

use cs_webhooks_model::{Region, Secret};

use crate::Error;
use crate::retry::RetryPolicy;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection. Default 10 s.
    pub connect: Option<Duration>,
    /// One attempt, from sending to the end of the response body. Default 30 s
    /// (what Contentstack's own SDKs use). The ureq transport applies it to
    /// each phase of the attempt (send, wait, read) instead.
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

/// Everything a request needs besides its own parameters.
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) api_key: Option<Secret>,
    pub(crate) auth: Option<Auth>,
    pub(crate) branch: Option<String>,
    pub(crate) user_agent: String,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<f64>,
}

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

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The client-side rate limit in requests per second, if any.
    pub fn rate_limit(&self) -> Option<f64> {
        self.rate_limit
    }

    /// Adds the headers every request carries: `api_key`, the credential,
    /// `User-Agent`. Written once here so both clients send the same.
    pub(crate) fn apply_common_headers(&self, headers: &mut http::HeaderMap) -> Result<(), Error> {
        if let Some(api_key) = &self.api_key {
            insert_header(headers, "api_key", api_key.expose(), true)?;
        }
        if let Some(auth) = &self.auth {
            let (name, value) = auth.header();
            insert_header(headers, name, &value, true)?;
        }
        insert_header(headers, "user-agent", &self.user_agent, false)?;
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

/// Builds a [`Config`]. Transport crates wrap it in their `Client::builder()`.
#[derive(Debug, Clone, Default)]
pub struct ConfigBuilder {
    base_url: Option<String>,
    region: Region,
    api_key: Option<Secret>,
    auth: Option<Auth>,
    branch: Option<String>,
    user_agent: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
}

impl ConfigBuilder {
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

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = Some(timeout);
        self
    }

    /// The timeout of one attempt (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.attempt = Some(timeout);
        self
    }

    /// The timeout of a whole operation, retries included (default 2 min).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.total = Some(timeout);
        self
    }

    /// All timeouts at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
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

    /// Checks and returns the configuration.
    pub fn build(self) -> Result<Config, Error> {
        let base_url = match self.base_url {
            Some(url) => url,
            None => self.region.base_url().to_string(),
        };
        let base_url = base_url.trim_end_matches('/').to_string();
        let valid_scheme = base_url.starts_with("http://") || base_url.starts_with("https://");
        if !valid_scheme || base_url.parse::<http::Uri>().is_err() {
            return Err(Error::invalid_request(format!(
                "base URL `{base_url}` is not an http(s) URL"
            )));
        }
        if let Some(rate) = self.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::invalid_request(format!(
                "rate limit must be a positive number of requests a second, not {rate}"
            )));
        }
        Ok(Config {
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
        })
    }
}

/// A client that can be built from a [`Config`]: what a transport crate's
/// `Client` implements so that [`ClientBuilder`] can finish it.
pub trait FromConfig: Sized {
    /// Builds the client (its transport, from the config's timeouts).
    fn from_config(config: Config) -> Result<Self, Error>;
}

/// Configures a client of a transport crate (`cs_webhooks_blocking::Client::builder()`,
/// `cs_webhooks_async::Client::builder()`): every [`ConfigBuilder`] setting, then
/// [`build`](Self::build).
#[derive(Debug, Clone)]
pub struct ClientBuilder<C> {
    config: ConfigBuilder,
    client: std::marker::PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            config: ConfigBuilder::default(),
            client: std::marker::PhantomData,
        }
    }
}

impl<C: FromConfig> ClientBuilder<C> {
    /// Starts with the defaults (NA region, no credentials).
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies any [`ConfigBuilder`] setting.
    pub fn with(mut self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        self.config = f(self.config);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, Error> {
        C::from_config(self.config.build()?)
    }

    /// The Contentstack region (default NA). Ignored when `base_url` is set.
    pub fn region(self, region: Region) -> Self {
        self.with(|c| c.region(region))
    }
    /// Any other base URL, e.g. the emulator's `http://127.0.0.1:4010/v3`.
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        self.with(|c| c.base_url(base_url))
    }
    /// The stack's API key (the `api_key` header).
    pub fn api_key(self, api_key: impl Into<Secret>) -> Self {
        self.with(|c| c.api_key(api_key))
    }
    /// Authenticate with a management token (`authorization: <token>`).
    pub fn management_token(self, token: impl Into<Secret>) -> Self {
        self.with(|c| c.management_token(token))
    }
    /// Authenticate with an OAuth access token (`authorization: Bearer <token>`).
    pub fn oauth_token(self, token: impl Into<Secret>) -> Self {
        self.with(|c| c.oauth_token(token))
    }
    /// Authenticate with a user session token (`authtoken: <token>`).
    pub fn authtoken(self, token: impl Into<Secret>) -> Self {
        self.with(|c| c.authtoken(token))
    }
    /// The default branch for every call (the `branch` header).
    pub fn branch(self, branch: impl Into<String>) -> Self {
        self.with(|c| c.branch(branch))
    }
    /// The `User-Agent` header.
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        self.with(|c| c.user_agent(user_agent))
    }
    /// The connect timeout (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.connect_timeout(timeout))
    }
    /// The timeout of one attempt (default 30 s).
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.attempt_timeout(timeout))
    }
    /// The timeout of a whole operation, retries included (default 2 min).
    pub fn total_timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.total_timeout(timeout))
    }
    /// The retry policy.
    pub fn retry_policy(self, retry: RetryPolicy) -> Self {
        self.with(|c| c.retry_policy(retry))
    }
    /// Limit the client to `per_second` requests a second (off by default).
    pub fn rate_limit(self, per_second: f64) -> Self {
        self.with(|c| c.rate_limit(per_second))
    }
}
