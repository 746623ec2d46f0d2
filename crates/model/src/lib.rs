//! Domain types of the Contentstack Webhooks API.

#![warn(missing_docs)]

// Types generated from `openapi/webhooks.yaml` (see `cargo xtask codegen`),
// re-exported at the crate root so each has one path.
#[allow(clippy::all, unused_imports)]
mod types {
    include!(concat!(env!("OUT_DIR"), "/types.rs"));
}
pub use types::*;

mod channel;
mod dollar_keys;
mod execution_filter;
mod region;
mod secret;
mod webhook_secrets;
pub use channel::{
    Action, Channel, ChannelError, ChannelKind, EventScope, FiredEvent, ItemAction, PublishAction,
};
pub use dollar_keys::{DOLLAR_KEY_PREFIX, escape_dollar_keys, unescape_dollar_keys};
pub use execution_filter::{ExecutionFilter, FilterError};
pub use region::{Region, UnknownRegion};
pub use secret::Secret;
pub mod decode;
pub use decode::{DecodeError, from_json_slice, from_json_value};

impl From<WebhookInput> for WebhookRequest {
    /// Wraps a webhook definition in the `{"webhook": ...}` body of create and update.
    fn from(webhook: WebhookInput) -> Self {
        WebhookRequest { webhook }
    }
}
