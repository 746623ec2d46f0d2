//! What every generated operation is: a pure request builder and a pure
//! response decoder.

use serde::de::DeserializeOwned;

use crate::{ApiError, Config, Error};

/// One API operation, generated from the spec.
pub trait Operation {
    /// The decoded success value.
    type Output;
    /// The spec's operationId.
    const ID: &'static str;

    /// The operationId of this value (differs from [`ID`](Self::ID) only for
    /// operations chosen at run time).
    fn id(&self) -> &'static str {
        Self::ID
    }

    /// The HTTP method (decides retry safety).
    fn method(&self) -> http::Method;

    /// Builds the request. Pure: no I/O.
    fn build(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error>;

    /// Decodes a response. Pure: no I/O.
    fn decode(response: http::Response<Vec<u8>>) -> Result<Self::Output, Error>;
}

/// A list operation the clients can walk page by page (`skip`/`limit`).
pub trait Paginated: Operation + Clone {
    /// One record of a page.
    type Item;
    /// The largest page the API returns (the spec's `maximum` of `limit`).
    const MAX_PAGE_SIZE: u32;

    /// The `skip` in use.
    fn skip(&self) -> Option<u32>;
    /// Sets `skip`.
    fn set_skip(&mut self, skip: u32);
    /// The `limit` in use.
    fn limit(&self) -> Option<u32>;
    /// Sets `limit`.
    fn set_limit(&mut self, limit: u32);
    /// The records of one page (one response).
    fn page_items(output: Self::Output) -> Vec<Self::Item>;
    /// How many records the whole list has, when the page says so (the
    /// API's `count`); the walk then stops there. Unknown by default.
    fn total_count(_output: &Self::Output) -> Option<u64> {
        None
    }
}

/// A decoded value together with the exact bytes it came from (e.g. an
/// exported webhook, to save as a file and import later).
#[derive(Debug, Clone, PartialEq)]
pub struct Raw<T> {
    /// The decoded value.
    pub value: T,
    /// The response body as received.
    pub bytes: Vec<u8>,
}

impl<T> Raw<T> {
    /// Writes the raw bytes to `path`.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        std::fs::write(path, &self.bytes)
    }
}

/// Decodes a response: a 2xx body into `T`, anything else into [`Error::Api`].
pub fn decode_json<T: DeserializeOwned>(response: http::Response<Vec<u8>>) -> Result<T, Error> {
    if !response.status().is_success() {
        return Err(Error::Api(Box::new(ApiError::from_response(&response))));
    }
    let status = response.status();
    let body = response.into_body();
    cs_webhooks_model::from_json_slice(&body).map_err(|e| Error::Decode {
        status,
        path: e.path,
        message: e.message,
        body,
    })
}

/// Decodes a response and keeps the raw bytes.
pub fn decode_raw<T: DeserializeOwned>(response: http::Response<Vec<u8>>) -> Result<Raw<T>, Error> {
    if !response.status().is_success() {
        return Err(Error::Api(Box::new(ApiError::from_response(&response))));
    }
    let status = response.status();
    let bytes = response.into_body();
    let value = cs_webhooks_model::from_json_slice(&bytes).map_err(|e| Error::Decode {
        status,
        path: e.path,
        message: e.message,
        body: bytes.clone(),
    })?;
    Ok(Raw { value, bytes })
}
