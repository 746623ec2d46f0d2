//! The blocking client of the Contentstack Webhooks API, on ureq.
//!
//! No async runtime is involved: this crate's dependency tree has no tokio,
//! hyper or reqwest. Every operation of the API is a method of [`Client`];
//! optional parameters are set on the returned call, then `.send()`.
//!
//! ```no_run
//! use cs_webhooks_blocking::Client;
//! use cs_webhooks_blocking::model::Region;
//!
//! let client = Client::builder()
//!     .region(Region::Eu)
//!     .api_key("blt0123456789")
//!     .management_token("cs-management-token")
//!     .build()?;
//! for webhook in client.list_webhooks().items() {
//!     println!("{}", webhook?.name);
//! }
//! # Ok::<(), cs_webhooks_blocking::Error>(())
//! ```

#![warn(missing_docs)]

use std::io::Read as _;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{Connector as _, DefaultConnector};

pub use cs_webhooks_api::{
    ApiError, Auth, BlockingClient, BlockingTransport, Call, Config, ConfigBuilder, Error, Items,
    Operation, Paginated, RateLimit, Raw, RetryConfig, Sent, Timeouts, TransportError,
    TransportFromConfig, UploadFile, model, operations,
};

/// The blocking client on ureq: [`BlockingClient`] with its ready transport.
/// Every operation of the API is one of its methods.
///
/// Make one with [`Client::builder()`](BlockingClient::builder); a client for
/// another transport (a closure, in tests) comes from
/// [`BlockingClient::with_transport`].
pub type Client = BlockingClient<UreqTransport>;

mod wire;

/// The ureq transport. Credentials are handed to ureq masked and put back
/// only at the socket (ureq traces raw requests through `log`), and every
/// read and write is held to the attempt's deadline.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    vault: wire::Vault,
    max_body: u64,
}

impl UreqTransport {
    /// A transport with ureq configured from `config`'s connect timeout and
    /// response-size limit; 4xx/5xx are answers (their bodies are kept), not
    /// errors; redirects are never followed.
    pub fn new(config: &Config) -> Self {
        let vault = wire::Vault::default();
        let connector = DefaultConnector::new().chain(wire::Guard {
            vault: vault.clone(),
        });
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(config.timeouts().connect)
            .user_agent(config.user_agent())
            .max_redirects(0)
            .build();
        let agent = ureq::Agent::with_parts(
            agent_config,
            connector,
            ureq::unversioned::resolver::DefaultResolver::default(),
        );
        UreqTransport {
            agent,
            vault,
            max_body: config.max_response_bytes(),
        }
    }

    /// A transport on an agent you configured. Keep `http_status_as_error(false)`,
    /// or error bodies are lost. Such an agent has neither the credential
    /// masking nor the deadline layer: ureq then logs credentials at `Trace`,
    /// and each phase of an attempt gets the whole attempt timeout.
    pub fn from_agent(agent: ureq::Agent) -> Self {
        UreqTransport {
            agent,
            vault: wire::Vault::default(),
            max_body: cs_webhooks_api::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

fn transport_error(error: ureq::Error) -> TransportError {
    let message = error.to_string();
    let mapped = match &error {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            TransportError::timeout(message, Sent::No)
        }
        ureq::Error::Timeout(_) => TransportError::timeout(message, Sent::Maybe),
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) => {
            TransportError::connect(message)
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportError::connect(message)
        }
        _ => TransportError::after_send(message),
    };
    mapped.with_source(error)
}

impl BlockingTransport for UreqTransport {
    fn send(
        &self,
        mut request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let _deadline = wire::DeadlineScope::enter(timeout.map(|t| Instant::now() + t));
        for value in request.headers_mut().values_mut() {
            if value.is_sensitive()
                && let Some(masked) = self.vault.mask(value.as_bytes())
            {
                *value = masked;
            }
        }
        // No per-request ureq timeouts: the deadline layer already caps every
        // read and write at the time left, and a per-request setting copies
        // ureq's whole config into the request on every call. (ureq's
        // whole-call timeout would also resolve the host on a new thread per
        // call, ~55 µs here, see BENCHMARKS.md.)
        // A GET or HEAD without a body goes without one: ureq would otherwise
        // add `content-length: 0` to every read.
        let bodiless = request.body().is_empty()
            && matches!(*request.method(), http::Method::GET | http::Method::HEAD);
        let response = if bodiless {
            let (parts, _) = request.into_parts();
            self.agent.run(http::Request::from_parts(parts, ()))
        } else {
            self.agent.run(request)
        }
        .map_err(transport_error)?;
        let (parts, body) = response.into_parts();
        // Sized once from `content-length` (within the limit), not grown.
        let expected = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .map_or(0, |length| length.min(self.max_body).min(1 << 20));
        let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        body.into_reader()
            .take(self.max_body.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| {
                let timed_out = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                    .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)));
                let message = format!("reading the response body: {e}");
                if timed_out {
                    TransportError::timeout(message, Sent::Maybe).with_source(e)
                } else {
                    TransportError::after_send(message).with_source(e)
                }
            })?;
        if bytes.len() as u64 > self.max_body {
            return Err(TransportError::too_large(self.max_body));
        }
        Ok(http::Response::from_parts(parts, bytes))
    }
}

impl TransportFromConfig for UreqTransport {
    fn from_config(config: &Config) -> Result<Self, Error> {
        Ok(UreqTransport::new(config))
    }
}
