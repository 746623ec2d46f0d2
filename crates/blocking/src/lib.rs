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
use std::time::Duration;

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

/// The largest response body read (executions pages with full payloads can
/// be large; anything beyond this is a transport error, not a silent cut).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The ureq transport.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// A transport with ureq configured from `config`'s connect timeout;
    /// 4xx/5xx are answers (their bodies are kept), not errors; redirects
    /// are never followed.
    pub fn new(config: &Config) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(config.timeouts().connect)
            .user_agent(config.user_agent())
            .max_redirects(0)
            .build()
            .new_agent();
        UreqTransport { agent }
    }

    /// A transport on an agent you configured. Keep `http_status_as_error(false)`,
    /// or error bodies are lost.
    pub fn from_agent(agent: ureq::Agent) -> Self {
        UreqTransport { agent }
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
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        // The attempt timeout bounds each phase of the exchange (sending,
        // waiting for the answer, reading it) rather than the whole: under a
        // global timeout ureq 3 resolves the host on a new thread on every
        // call (~55 µs here, see BENCHMARKS.md); without one it resolves inline.
        let request = self
            .agent
            .configure_request(request)
            .timeout_send_request(timeout)
            .timeout_send_body(timeout)
            .timeout_recv_response(timeout)
            .timeout_recv_body(timeout)
            .build();
        let response = self.agent.run(request).map_err(transport_error)?;
        let (parts, body) = response.into_parts();
        let mut bytes = Vec::new();
        body.into_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                TransportError::after_send(format!("reading the response body: {e}")).with_source(e)
            })?;
        if bytes.len() as u64 > MAX_BODY {
            return Err(TransportError::after_send(format!(
                "the response body exceeds {MAX_BODY} bytes"
            )));
        }
        Ok(http::Response::from_parts(parts, bytes))
    }
}

impl TransportFromConfig for UreqTransport {
    fn from_config(config: &Config) -> Result<Self, Error> {
        Ok(UreqTransport::new(config))
    }
}
