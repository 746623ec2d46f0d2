//! A local emulator of the Contentstack Webhooks Content Management API that
//! really delivers signed webhooks.
//!
//! It serves every operation of `openapi/webhooks.yaml` under `/v3` with
//! Contentstack's semantics and error bodies, checking request bodies and
//! query parameters against that spec's schemas, fires events through the
//! emulator-only routes `POST /_emulator/events` and `POST /_emulator/trigger`
//! (realistic fixtures for every documented module and event; see
//! `openapi/emulator.yaml`), optionally enforces Contentstack's rate limits
//! ([`EmulatorBuilder::rate_limit`]), can be seeded with exported webhooks
//! ([`EmulatorBuilder::seed`]). It delivers events to loopback receivers:
//! signed with RSA-PSS (public key at `/.well-known/public-keys.json`) and
//! optionally HMAC, with the
//! destination's authentication and custom headers, automatic retries, a
//! circuit breaker, and a durable SQLite queue. Webhooks may name any target
//! URL; deliveries to other hosts are refused and logged as failed unless
//! [`EmulatorBuilder::allow_remote_targets`] is set. When the circuit breaker
//! disables a webhook, its notifiers' e-mail is kept at `GET /_emulator/mailbox`;
//! `GET /_emulator/deliveries` shows what was delivered.
//!
//! Deliveries are at least once: an attempt in flight when the process dies
//! may have arrived, and is recorded at the next start as failed
//! (`EINTERRUPTED`), then attempted again under `retry_policy: automatic` or
//! left for an operator's retry under `manual`. Receivers deduplicate: every
//! attempt of one execution sends the same body and the same
//! `X-Contentstack-Request-Signature`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cs_webhooks_emulator::Error> {
//! use cs_webhooks_emulator::Emulator;
//!
//! let emulator = Emulator::builder()
//!     .stack("blt_example_key", "example-management-token")
//!     .time_scale(0.001) // retries after 5 ms, 25 ms, ... instead of 5 s, 25 s, ...
//!     .start()
//!     .await?;
//! println!("API at {}", emulator.base_url());
//! emulator.shutdown().await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod api;
pub mod command_line;
mod config;
mod connections;
mod delivery;
mod error;
mod events;
mod exact_numbers;
mod fixtures;
mod ids;
mod mailbox;
mod ratelimit;
mod seed;
mod server;
mod shapes;
mod state;
mod store;
mod url_password;
mod validate;
mod webhook_doc;

pub use config::{BREAKER_THRESHOLD, DEFAULT_LISTEN, Emulator, EmulatorBuilder, RETRY_SCHEDULE};
pub use delivery::signing::{HMAC_HEADER, KeyError, SIGNATURE_HEADER, SigningKey, hmac_header};
pub use error::Error;
pub use ratelimit::RateLimit;
pub use server::{EmulatorHandle, StackCredentials};
pub use store::StoreError;
