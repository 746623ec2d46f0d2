#![warn(missing_docs)]
//! The I/O-free core of the cs-webhooks clients.
//!
//! Every operation of `openapi/webhooks.yaml` is generated here as a request
//! type with a pure `build(&Config) -> http::Request<Vec<u8>>` and a pure
//! `decode(http::Response<Vec<u8>>)`, plus one method on [`AsyncClient`] and
//! one on [`BlockingClient`]. The clients add retries, timeouts, rate limiting
//! and pagination around a transport: `cs-webhooks-async` (reqwest) and
//! `cs-webhooks-blocking` (ureq) provide ready ones; any closure is one too.
//!
//! ```
//! use cs_webhooks_api::{BlockingClient, Config, TransportError};
//!
//! // A transport is anything that turns a request into a response: here a
//! // closure answering like the API would.
//! let transport = |request: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, TransportError> {
//!     assert_eq!(request.uri(), "https://eu-api.contentstack.com/v3/webhooks/cs1");
//!     assert_eq!(request.headers()["api_key"], "blt123");
//!     Ok(http::Response::new(
//!         br#"{"webhook":{"uid":"cs1","name":"n","destinations":[],"channels":[]}}"#.to_vec(),
//!     ))
//! };
//! let config = Config::builder()
//!     .region(cs_webhooks_model::Region::Eu)
//!     .api_key("blt123")
//!     .management_token("cs-token")
//!     .build()?;
//! let client = BlockingClient::with_transport(config, transport);
//! let found = client.get_webhook("cs1").send()?;
//! assert_eq!(found.webhook.name, "n");
//! # Ok::<(), cs_webhooks_api::Error>(())
//! ```

mod client;
mod config;
mod dynamic;
mod encode;
mod error;
mod multipart;
mod operation;
mod paging;
mod random;
pub mod retry;
mod transport;
mod unsuccessful;

pub use client::{AsyncClient, BlockingClient, Call};
pub use config::{
    Auth, Config, ConfigBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_USER_AGENT, RetryConfig,
    Timeouts,
};
pub use dynamic::{BodyInfo, DynamicOperation, OperationInfo, ParamInfo, ParamKind, ParamLocation};
pub use error::{ApiError, Error, RateLimit, RequestLine, Sent, TransportError};
pub use multipart::UploadFile;
pub use operation::{Operation, Paginated, Raw};
pub use paging::{Items, PageWalker};
pub use transport::{AsyncTransport, BlockingTransport, FnAsyncTransport, TransportFromConfig};

// What the generated operations build requests and decode responses with.
use encode::RequestParts;
// Generated code names it for list and enum parameters (none in today's spec).
#[allow(unused_imports)]
use encode::ToParam;
use operation::{decode_json, decode_raw};

/// The model types (re-exported, so one dependency is enough).
pub use cs_webhooks_model as model;

/// The operations, generated from `openapi/webhooks.yaml` (see `cargo xtask codegen`).
pub mod operations {
    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}
