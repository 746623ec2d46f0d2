//! Fetching the key document with the project's client transports
//! (features `blocking` and `async`): a GET through the transport traits,
//! adapted to the fetch functions [`PublicKeys`] takes.

use std::time::Duration;

use crate::error::FetchError;
use crate::keys::PublicKeys;

/// How long one key fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The key document is a few hundred bytes; anything far larger is not it.
const MAX_DOCUMENT: usize = 64 * 1024;

fn get(url: &str) -> Result<http::Request<Vec<u8>>, FetchError> {
    http::Request::get(url)
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| FetchError::new(format!("invalid key URL: {e}")))
}

fn body(response: http::Response<Vec<u8>>) -> Result<Vec<u8>, FetchError> {
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::new(format!("the key URL answered {status}")));
    }
    let body = response.into_body();
    if body.len() > MAX_DOCUMENT {
        return Err(FetchError::new(format!(
            "the key document has {} bytes (more than {MAX_DOCUMENT})",
            body.len()
        )));
    }
    Ok(body)
}

#[cfg(any(feature = "blocking", feature = "async"))]
fn setup_error(e: impl std::fmt::Display) -> crate::KeyError {
    crate::KeyError::Fetch(FetchError::new(format!(
        "cannot set up the HTTP client: {e}"
    )))
}

#[cfg(feature = "blocking")]
impl PublicKeys {
    /// Fetches the document at `url` through a blocking transport of the
    /// project's client (`cs_webhooks_blocking::UreqTransport`, or any
    /// `BlockingTransport`).
    pub fn fetch_with_transport<T>(url: impl Into<String>, transport: T) -> Self
    where
        T: cs_webhooks_blocking::BlockingTransport + Send + Sync + 'static,
    {
        PublicKeys::fetch_with(url, move |url: &str| {
            let response = transport
                .send(get(url)?, Some(FETCH_TIMEOUT))
                .map_err(FetchError::new)?;
            body(response)
        })
    }

    /// Fetches the document at `url` with ureq (the blocking client's
    /// transport, default timeouts).
    pub fn fetch_blocking(url: impl Into<String>) -> Result<Self, crate::KeyError> {
        let config = cs_webhooks_blocking::Config::builder()
            .build()
            .map_err(setup_error)?;
        let transport = cs_webhooks_blocking::UreqTransport::new(&config);
        Ok(Self::fetch_with_transport(url, transport))
    }
}

#[cfg(feature = "async")]
impl PublicKeys {
    /// Fetches the document at `url` through an async transport of the
    /// project's client (`cs_webhooks_async::ReqwestTransport`, or any
    /// `AsyncTransport`).
    pub fn fetch_with_async_transport<T>(url: impl Into<String>, transport: T) -> Self
    where
        T: cs_webhooks_async::AsyncTransport + 'static,
    {
        let transport = std::sync::Arc::new(transport);
        PublicKeys::fetch_with_async(url, move |url: String| {
            let transport = std::sync::Arc::clone(&transport);
            async move {
                let response = transport
                    .send(get(&url)?, Some(FETCH_TIMEOUT))
                    .await
                    .map_err(FetchError::new)?;
                body(response)
            }
        })
    }

    /// Fetches the document at `url` with reqwest (the async client's
    /// transport). Fails only if the HTTP client cannot be set up.
    pub fn fetch_async(url: impl Into<String>) -> Result<Self, crate::KeyError> {
        let config = cs_webhooks_async::Config::builder()
            .build()
            .map_err(setup_error)?;
        let transport = cs_webhooks_async::ReqwestTransport::new(&config).map_err(setup_error)?;
        Ok(Self::fetch_with_async_transport(url, transport))
    }
}
