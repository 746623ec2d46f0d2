//! Receive Contentstack webhooks: verify the signatures, reject replays,
//! parse the payload into typed events.
//!
//! Contentstack signs every delivery with its platform key
//! (`X-Contentstack-Request-Signature: v1=<base64 RSA-PSS-SHA256>`) and, when
//! the webhook opts in, with the organization's HMAC secret
//! (`x-contentstack-hmac-signature: t=<unix>,v1=<hex>`). A [`Verifier`] checks
//! either or both ([`Policy`]) from the body bytes, the headers and a time;
//! verification does no I/O and reads no clock of its own
//! ([`Verifier::verify_at`] takes the time). [`Event`] types the payload, and
//! [`Event::channels`] lists the channels it matches, in the strings webhooks
//! subscribe with.
//!
//! # RSA (default signing)
//!
//! The public key comes from `https://<app host>/.well-known/public-keys.json`
//! (per region: [`Region::public_keys_url`](cs_webhooks_model::Region::public_keys_url)).
//! [`PublicKeys`] caches it, fetching through a function you give it, or
//! takes a PEM directly:
//!
//! ```
//! use cs_webhooks_receiver::{PublicKeys, SignedForm, Verifier, VerifyError};
//! # use cs_webhooks_receiver::testing::TestSigner;
//! # let signer = TestSigner::new();
//! # let pem = signer.public_key_pem();
//! # let now = chrono::Utc::now();
//! # let body = signer.event_body("entry", "update", now, serde_json::json!({
//! #     "entry": {"uid": "blt1", "title": "Hello"}, "content_type": {"uid": "blog"}}));
//! # let headers = signer.headers(&body);
//!
//! // `pem` is Contentstack's `signing-key` (or fetch it:
//! // PublicKeys::fetch_with(Region::Eu.public_keys_url(), |url| my_http_get(url))).
//! let verifier = Verifier::builder()
//!     .public_keys(PublicKeys::from_pem(pem)?)
//!     .build()?;
//!
//! let verified = verifier.verify_at(&body, &headers, now)?;
//! assert_eq!(verified.rsa.unwrap().form, SignedForm::Raw);
//!
//! // One changed byte, and it fails.
//! let mut tampered = body.clone();
//! tampered[10] ^= 1;
//! assert!(matches!(
//!     verifier.verify_at(&tampered, &headers, now),
//!     Err(VerifyError::InvalidSignature { .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The raw body is verified first. Contentstack's Node sample verifies the
//! compact re-serialisation of the parsed body instead; if the raw bytes
//! fail, that form is tried once ([`SignedForm::Compact`] says it matched).
//! The replay check reads `triggered_at` from the body; see
//! [`DEFAULT_RSA_TOLERANCE`] for why it defaults to fifteen minutes.
//!
//! # HMAC
//!
//! ```
//! use cs_webhooks_receiver::{Policy, Verifier, VerifyError};
//! use chrono::{TimeZone, Utc};
//! # use cs_webhooks_receiver::testing::hmac_signature;
//! # let body = br#"{"module":"asset","event":"create","data":{}}"#;
//! # let t = 1_700_000_000;
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert("x-contentstack-hmac-signature", hmac_signature("new-secret", t, body).parse()?);
//!
//! // During a rotation, accept the old and the new secret.
//! let verifier = Verifier::builder()
//!     .policy(Policy::Hmac)
//!     .hmac_secret("old-secret")
//!     .hmac_secret("new-secret")
//!     .build()?;
//!
//! let now = Utc.timestamp_opt(t + 60, 0).unwrap();
//! let verified = verifier.verify_at(body, &headers, now)?;
//! assert_eq!(verified.hmac.unwrap().secret_index, 1);
//!
//! // Ten minutes later it is a replay.
//! let later = Utc.timestamp_opt(t + 600, 0).unwrap();
//! assert!(matches!(
//!     verifier.verify_at(body, &headers, later),
//!     Err(VerifyError::TooOld { .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Frameworks
//!
//! - `axum` feature: [`VerifiedEvent`] is an extractor; a handler taking it
//!   runs only for verified deliveries, others get 401 (signature), 400
//!   (malformed body) or 503 (no key yet) with a one-line message. See
//!   `examples/axum_receiver.rs`.
//! - Anything else: [`Verifier::receive_request`] takes an
//!   `http::Request<impl AsRef<[u8]>>`, [`Verifier::receive_at`] a body and headers.
//!
//! # Features
//!
//! `axum` (the extractor), `blocking` and `async` (fetch the key with the
//! project's ureq or reqwest transport), `test-util` ([`testing`]: sign bodies
//! as Contentstack does, with a test key or an HMAC secret).
//!
//! The legacy `X-Contentstack-Signature` header (40 hex digits, algorithm
//! undocumented) is reported in [`Verified::legacy`] and never counted as verified.

#![warn(missing_docs)]

#[cfg(feature = "axum")]
mod axum;
mod compact;
mod error;
mod event;
mod header;
mod hmac;
mod key;
mod keys;
mod receive;
#[cfg(feature = "test-util")]
pub mod testing;
#[cfg(any(feature = "blocking", feature = "async"))]
mod transport;
mod verify;

#[cfg(feature = "axum")]
pub use crate::axum::VerifiedEventRejection;
pub use error::{ConfigError, FetchError, HeaderPart, KeyError, Scheme, VerifyError};
pub use event::{
    Asset, AssetData, Branch, BranchData, CommentData, ContentType, ContentTypeData, Entry,
    EntryData, Environment, Event, EventData, EventError, EventKind, GlobalFieldData, Item, Module,
    Publishing, Release, ReleaseData, TaxonomyData, VariantData, WorkflowData,
};
pub use header::{HMAC_SIGNATURE_HEADER, LEGACY_SIGNATURE_HEADER, RSA_SIGNATURE_HEADER};
pub use key::RsaPublicKey;
pub use keys::{DEFAULT_REFRESH_INTERVAL, PublicKeys};
pub use receive::{ReceiveError, VerifiedEvent};
pub use verify::{
    DEFAULT_HMAC_TOLERANCE, DEFAULT_RSA_TOLERANCE, HmacVerified, LegacySignature, Policy,
    RsaVerified, SignedForm, Verified, Verifier, VerifierBuilder,
};
