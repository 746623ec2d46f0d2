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
//! // Answered with 400..=599; `.unsuccessful_items()` also finds the
//! // deliveries that got no answer at all.
//! let failures: Vec<_> = client
//!     .list_executions("cs2642bec9-c336-4da1-8aad-fded56c7d50e")
//!     .query(ExecutionFilter::http_error())
//!     .items()
//!     .try_collect()
//!     .await?;
//! println!("{} failed deliveries", failures.len());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::sync::{Arc, OnceLock};
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
    max_body: u64,
    origin: Arc<OriginCache>,
}

/// The parsed `scheme://authority` of the first request, from which later
/// requests to the same origin get their `Url` by setting the path and
/// query: parsing the host (IDNA mapping, IP address checks) is most of what
/// parsing a whole URL costs, and a client talks to one origin.
#[derive(Debug, Default)]
struct OriginCache {
    first: OnceLock<(String, reqwest::Url)>,
}

impl OriginCache {
    /// The URL of `uri`, as `Url::parse` of its text would give it.
    fn url(&self, uri: &http::Uri) -> Result<reqwest::Url, TransportError> {
        let scheme = uri.scheme_str().unwrap_or("");
        let authority = uri.authority().map_or("", |a| a.as_str());
        let path = uri.path();
        if let Some((origin, base)) = self.first.get()
            && same_origin(origin, scheme, authority)
        {
            let mut url = base.clone();
            url.set_path(path);
            url.set_query(uri.query());
            return Ok(url);
        }
        let mut text = String::with_capacity(scheme.len() + 3 + authority.len());
        text.push_str(scheme);
        text.push_str("://");
        text.push_str(authority);
        let origin_len = text.len();
        text.push_str(uri.path_and_query().map_or("/", |p| p.as_str()));
        let url = reqwest::Url::parse(&text).map_err(|e| {
            TransportError::connect(format!("invalid request URL `{text}`: {e}")).with_source(e)
        })?;
        if self.first.get().is_none() && !url.cannot_be_a_base() {
            text.truncate(origin_len);
            let _ = self.first.set((text, url.clone()));
        }
        Ok(url)
    }
}

/// Whether `origin` is `scheme://authority`.
fn same_origin(origin: &str, scheme: &str, authority: &str) -> bool {
    origin.len() == scheme.len() + 3 + authority.len()
        && origin.starts_with(scheme)
        && origin[scheme.len()..].starts_with("://")
        && origin.ends_with(authority)
}

impl ReqwestTransport {
    /// A transport with reqwest configured from `config` (connect timeout,
    /// response-size limit, keep-alive pool, no redirects).
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
        Ok(ReqwestTransport {
            client,
            max_body: config.max_response_bytes(),
            origin: Arc::default(),
        })
    }

    /// A transport on a reqwest client you configured (with the default
    /// response-size limit).
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            max_body: cs_webhooks_api::DEFAULT_MAX_RESPONSE_BYTES,
            origin: Arc::default(),
        }
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

/// Reads a body chunk by chunk, stopping as soon as it exceeds `limit`, so
/// an oversized answer never sits whole in memory.
async fn read_body(
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, TransportError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(TransportError::too_large(limit));
    }
    let mut body: Option<Vec<u8>> = None;
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        let read = body.as_ref().map_or(0, Vec::len);
        if (read + chunk.len()) as u64 > limit {
            return Err(TransportError::too_large(limit));
        }
        match &mut body {
            Some(body) => body.extend_from_slice(&chunk),
            // The usual one-chunk body: no copy when the buffer is not shared.
            None => body = Some(Vec::from(chunk)),
        }
    }
    Ok(body.unwrap_or_default())
}

/// The same request for reqwest, its URL from the transport's origin cache.
fn into_reqwest(
    request: http::Request<Vec<u8>>,
    origin: &OriginCache,
) -> Result<reqwest::Request, TransportError> {
    let (parts, body) = request.into_parts();
    let url = origin.url(&parts.uri)?;
    let mut out = reqwest::Request::new(parts.method, url);
    *out.headers_mut() = parts.headers;
    *out.version_mut() = parts.version;
    *out.body_mut() = Some(reqwest::Body::from(body));
    Ok(out)
}

impl AsyncTransport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = into_reqwest(request, &self.origin)?;
        *request.timeout_mut() = timeout;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(&mut response, self.max_body).await?;
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.version_mut() = version;
        *out.headers_mut() = headers;
        Ok(out)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }

    /// reqwest ends the request, body included, at `timeout`.
    fn enforces_timeout(&self) -> bool {
        true
    }
}

impl TransportFromConfig for ReqwestTransport {
    fn from_config(config: &Config) -> Result<Self, Error> {
        ReqwestTransport::new(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_from_the_origin_cache_is_the_url_parsed_whole() {
        let cache = OriginCache::default();
        let uris = [
            "http://127.0.0.1:4010/v3/webhooks",
            "http://127.0.0.1:4010/v3/webhooks/abc%20d?skip=10&limit=5",
            "http://127.0.0.1:4010/v3/webhooks/a/../b/./c?q=%7B%22a%22:1%7D",
            "http://127.0.0.1:4010/v3/webhooks/{uid}?x=a%2Fb&y=",
            "http://127.0.0.1:4010/",
            "http://127.0.0.1:4010/v3/x?",
            "http://user:pw@127.0.0.1:4010/v3/x",
            "https://EU-API.contentstack.com/v3/webhooks?include_count=true",
            "https://eu-api.contentstack.com:443/v3/webhooks/%E2%9C%93",
        ];
        for _ in 0..2 {
            for text in uris {
                let uri: http::Uri = text.parse().unwrap();
                let expected = reqwest::Url::parse(text).unwrap();
                assert_eq!(cache.url(&uri).unwrap(), expected, "{text}");
                assert_eq!(cache.url(&uri).unwrap().as_str(), expected.as_str());
            }
        }
        assert!(cache.first.get().is_some());
    }
}
