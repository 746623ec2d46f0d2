//! The async client of the Contentstack Webhooks API, on reqwest and tokio.
//!
//! Every operation of the API is a method of [`Client`]; optional parameters
//! are set on the returned call, then `.send().await`.
//!
//! ```no_run
//! use cs_webhooks_async::Client;
//! use cs_webhooks_async::model::{ExecutionFilter, Region};
//! use futures_util::TryStreamExt as _;
//!
//! # async fn run() -> Result<(), cs_webhooks_async::Error> {
//! let client = Client::builder()
//!     .region(Region::Eu)
//!     .api_key("blt0123456789")
//!     .oauth_token("oauth-access-token")
//!     .build()?;
//! let failures: Vec<_> = client
//!     .list_executions("cs2642bec9-c336-4da1-8aad-fded56c7d50e")
//!     .query(ExecutionFilter::failure())
//!     .items()
//!     .try_collect()
//!     .await?;
//! println!("{} failed deliveries", failures.len());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::time::Duration;

pub use cs_webhooks_api::{
    ApiError, AsyncClient, AsyncTransport, Auth, Call, Config, ConfigBuilder, Error,
    FnAsyncTransport, Operation, Paginated, RateLimit, Raw, RetryConfig, Sent, Timeouts,
    TransportError, TransportFromConfig, UploadFile, model, operations,
};

/// The async client on reqwest: [`AsyncClient`] with its ready transport.
/// Every operation of the API is one of its methods. Cheap to clone; clones
/// share the connection pool.
///
/// Make one with [`Client::builder()`](AsyncClient::builder); a client for
/// another transport comes from [`AsyncClient::with_transport`].
pub type Client = AsyncClient<ReqwestTransport>;

/// The reqwest transport.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with reqwest configured from `config` (connect timeout,
    /// keep-alive pool, no redirects).
    pub fn new(config: &Config) -> Result<Self, Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if let Some(connect) = config.timeouts().connect {
            builder = builder.connect_timeout(connect);
        }
        #[cfg(feature = "rustls")]
        {
            // reqwest is built without a crypto provider (aws-lc-rs costs ~24 s
            // of build time here): use ring, unless the process chose one.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = builder
            .build()
            .map_err(|e| Error::invalid_request(format!("cannot set up the HTTP client: {e}")))?;
        Ok(ReqwestTransport { client })
    }

    /// A transport on a reqwest client you configured.
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }
}

fn transport_error(error: reqwest::Error) -> TransportError {
    // reqwest's Display includes the URL (no credentials: those are headers).
    let message = error.to_string();
    let mapped = if error.is_connect() {
        if error.is_timeout() {
            TransportError::timeout(message, Sent::No)
        } else {
            TransportError::connect(message)
        }
    } else if error.is_timeout() {
        TransportError::timeout(message, Sent::Maybe)
    } else if error.is_builder() {
        TransportError::connect(message)
    } else {
        TransportError::after_send(message)
    };
    mapped.with_source(error)
}

impl AsyncTransport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError::connect(format!("invalid request: {e}")).with_source(e))?;
        *request.timeout_mut() = timeout;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(transport_error)?;
        // No copy when the buffer is not shared.
        let mut out = http::Response::new(Vec::from(body));
        *out.status_mut() = status;
        *out.version_mut() = version;
        *out.headers_mut() = headers;
        Ok(out)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }
}

impl TransportFromConfig for ReqwestTransport {
    fn from_config(config: &Config) -> Result<Self, Error> {
        ReqwestTransport::new(config)
    }
}
