//! Errors of starting and running the emulator (not API answers).

use std::net::SocketAddr;

use crate::delivery::signing::KeyError;
use crate::store::StoreError;

/// Why the emulator could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is not usable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The OpenAPI document built into the emulator cannot be used.
    #[error("the built-in Webhooks API spec is not usable: {0}")]
    Spec(String),
    /// A seed file could not be loaded; nothing of it was stored.
    #[error("seed file {}: {message}", file.display())]
    Seed {
        /// The file.
        file: std::path::PathBuf,
        /// What is wrong, naming the webhook and field.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The signing key could not be made or read.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A background task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}
