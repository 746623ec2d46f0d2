//! Configuration: the builder that embedders and the binary use.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use cs_webhooks_model::Secret;

use crate::connections::Limits;
use crate::delivery::signing::SigningKey;
use crate::ratelimit::RateLimit;

/// The default listen address of the binary.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4010";
/// Delays before the automatic retries (`retry_policy: automatic`), before time scaling.
pub const RETRY_SCHEDULE: [Duration; 4] = [
    Duration::from_secs(5),
    Duration::from_secs(25),
    Duration::from_secs(125),
    Duration::from_secs(625),
];
/// Consecutive failed attempts after which a webhook is disabled and marked unhealthy.
pub const BREAKER_THRESHOLD: u32 = 10;

/// The emulator. Start one with [`Emulator::builder`].
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: listen on `127.0.0.1:0` (an ephemeral port),
    /// in-memory state, a demo stack when no stack is given, time scale 1,
    /// loopback targets only, 30 s delivery timeout.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// One `--stack`: a stack's API key and the token that authenticates for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StackSpec {
    pub api_key: String,
    pub token: Secret,
    /// The organization, when given; else the stored or a new one.
    pub org_uid: Option<String>,
}

/// Settings for [`Emulator`]; finish with [`start`](EmulatorBuilder::start).
///
/// `Debug` never shows tokens, secrets or the signing key.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    pub(crate) listen: SocketAddr,
    pub(crate) stacks: Vec<StackSpec>,
    pub(crate) hmac_secrets: Vec<(String, Secret)>,
    pub(crate) branches: Vec<(String, String)>,
    pub(crate) data_file: Option<PathBuf>,
    pub(crate) settings: Settings,
    pub(crate) signing_key: Option<SigningKey>,
    pub(crate) demo_stack: bool,
    pub(crate) seeds: Vec<PathBuf>,
}

/// Runtime settings shared by the API and the delivery worker.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub time_scale: f64,
    pub allow_remote_targets: bool,
    pub allow_unknown_channels: bool,
    pub delivery_timeout: Duration,
    pub log_retention: Duration,
    pub max_body_bytes: usize,
    pub delivery_concurrency: usize,
    pub breaker_threshold: u32,
    pub rate_limit: Option<RateLimit>,
    pub connections: Limits,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            stacks: Vec::new(),
            hmac_secrets: Vec::new(),
            branches: Vec::new(),
            data_file: None,
            settings: Settings {
                time_scale: 1.0,
                allow_remote_targets: false,
                allow_unknown_channels: false,
                delivery_timeout: Duration::from_secs(30),
                log_retention: Duration::from_secs(30 * 24 * 3600),
                max_body_bytes: 4 * 1024 * 1024,
                delivery_concurrency: 64,
                breaker_threshold: BREAKER_THRESHOLD,
                rate_limit: None,
                connections: Limits::default(),
            },
            signing_key: None,
            demo_stack: true,
            seeds: Vec::new(),
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (`127.0.0.1:0` picks a free port).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Adds a stack with its API key and management token. The token is also
    /// accepted as `authorization: Bearer <token>` (OAuth) and as `authtoken`.
    /// Every stack has the branch `main`.
    #[must_use]
    pub fn stack(mut self, api_key: impl Into<String>, token: impl Into<Secret>) -> Self {
        let api_key = api_key.into();
        let token = token.into();
        self.stacks.retain(|s| s.api_key != api_key);
        self.stacks.push(StackSpec {
            api_key,
            token,
            org_uid: None,
        });
        self
    }

    /// Like [`stack`](Self::stack), in the organization `org_uid`: stacks of
    /// one organization share its [`rate_limit`](Self::rate_limit) budget.
    #[must_use]
    pub fn stack_in_org(
        mut self,
        api_key: impl Into<String>,
        token: impl Into<Secret>,
        org_uid: impl Into<String>,
    ) -> Self {
        self = self.stack(api_key, token);
        if let Some(last) = self.stacks.last_mut() {
            last.org_uid = Some(org_uid.into());
        }
        self
    }

    /// Limits every organization to `limit` requests a second under `/v3`
    /// (off by default): answers carry `X-RateLimit-Limit` and
    /// `X-RateLimit-Remaining`, and a request over the budget gets 429 with
    /// `Retry-After`. [`RateLimit::CONTENTSTACK`] is Contentstack's 10 and 10.
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.settings.rate_limit = Some(limit);
        self
    }

    /// Adds a branch to a stack (which must be given with [`stack`](Self::stack)
    /// or be stored in the data file).
    #[must_use]
    pub fn branch(mut self, api_key: impl Into<String>, branch: impl Into<String>) -> Self {
        self.branches.push((api_key.into(), branch.into()));
        self
    }

    /// Signs the stack's deliveries with HMAC too (`x-contentstack-hmac-signature`).
    #[must_use]
    pub fn hmac_secret(mut self, api_key: impl Into<String>, secret: impl Into<Secret>) -> Self {
        let api_key = api_key.into();
        self.hmac_secrets.retain(|(k, _)| *k != api_key);
        self.hmac_secrets.push((api_key, secret.into()));
        self
    }

    /// Keeps state in this SQLite file (created if missing) instead of memory.
    #[must_use]
    pub fn data_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_file = Some(path.into());
        self
    }

    /// Multiplies the retry schedule (5, 25, 125, 625 s); tests use e.g. `0.001`.
    #[must_use]
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.settings.time_scale = scale;
        self
    }

    /// Allows delivery targets other than loopback addresses.
    #[must_use]
    pub fn allow_remote_targets(mut self, allow: bool) -> Self {
        self.settings.allow_remote_targets = allow;
        self
    }

    /// Accepts webhook channels that no documented pattern has (by default
    /// they are answered with a 422 naming the channel and the closest
    /// documented one, as a misspelt channel would never fire).
    #[must_use]
    pub fn allow_unknown_channels(mut self, allow: bool) -> Self {
        self.settings.allow_unknown_channels = allow;
        self
    }

    /// How long a destination has to answer (default 30 s).
    #[must_use]
    pub fn delivery_timeout(mut self, timeout: Duration) -> Self {
        self.settings.delivery_timeout = timeout;
        self
    }

    /// How long executions stay visible (default 30 days, as the API's logs).
    #[must_use]
    pub fn log_retention(mut self, retention: Duration) -> Self {
        self.settings.log_retention = retention;
        self
    }

    /// The largest request body accepted (default 4 MiB); larger ones get 413.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_body_bytes = bytes;
        self
    }

    /// How long a client connection may take to send a request's head,
    /// counted from when it opens and again while idle between requests
    /// (default 30 s); slower connections are closed.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connections.header_read_timeout = timeout;
        self
    }

    /// How many client connections may be open at once (default 512); a
    /// connection over the cap is closed as soon as it is accepted.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.settings.connections.max_connections = n.max(1);
        self
    }

    /// How many deliveries may be in flight at once (default 64).
    #[must_use]
    pub fn delivery_concurrency(mut self, n: usize) -> Self {
        self.settings.delivery_concurrency = n.max(1);
        self
    }

    /// Uses this signing key (and stores it in the data file). Without one, the
    /// key stored in the data file is used, or a new one is generated.
    #[must_use]
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Loads the webhooks of `file` (an exported webhook, or an array of them)
    /// into the first stack given (or the demo stack) at start, as if
    /// imported. The file is checked whole first: a file that does not parse
    /// or holds an invalid webhook stops the start with an error naming the
    /// file, the webhook and the field, and stores nothing. Webhooks whose
    /// name the stack already has are kept as they are.
    #[must_use]
    pub fn seed(mut self, file: impl Into<PathBuf>) -> Self {
        self.seeds.push(file.into());
        self
    }

    /// Whether to make up a demo stack when no stack is configured (default true).
    #[must_use]
    pub fn demo_stack(mut self, demo: bool) -> Self {
        self.demo_stack = demo;
        self
    }
}
