//! What can go wrong when verifying a delivery or loading the signing key.
//!
//! No error carries a secret, a key or a signature: messages name the header
//! and the part at fault, never the value.

use std::fmt;
use std::time::Duration;

/// A signing scheme Contentstack uses on deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// RSA-PSS-SHA256 with Contentstack's platform key
    /// (`X-Contentstack-Request-Signature`), sent on every delivery.
    Rsa,
    /// HMAC-SHA256 with the organization's secret
    /// (`x-contentstack-hmac-signature`), sent when the webhook opts in.
    Hmac,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Rsa => "RSA-PSS",
            Scheme::Hmac => "HMAC",
        })
    }
}

/// The part of a signature header that is malformed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderPart {
    /// The value has bytes outside visible ASCII.
    Encoding,
    /// The header appears more than once.
    Repeated,
    /// The scheme prefix: `v1=` is missing or another version is given.
    Version,
    /// The RSA signature is not base64.
    Base64,
    /// The signature has the wrong length.
    Length,
    /// The HMAC timestamp `t=` is missing, repeated or not unix seconds.
    Timestamp,
    /// An HMAC `v1=` value is missing or not 64 hex digits.
    Signature,
    /// A comma-separated element is not `key=value`.
    Element,
    /// More `v1=` values than a delivery ever carries.
    TooMany,
}

impl fmt::Display for HeaderPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderPart::Encoding => "encoding",
            HeaderPart::Repeated => "repeated header",
            HeaderPart::Version => "version prefix",
            HeaderPart::Base64 => "base64 signature",
            HeaderPart::Length => "signature length",
            HeaderPart::Timestamp => "timestamp",
            HeaderPart::Signature => "v1 signature",
            HeaderPart::Element => "element",
            HeaderPart::TooMany => "number of signatures",
        })
    }
}

/// Why a delivery was not accepted.
///
/// [`is_malformed_body`](VerifyError::is_malformed_body) tells a bad request
/// (the body is not a JSON event) from a failed authentication, and
/// [`is_key_unavailable`](VerifyError::is_key_unavailable) a receiver that
/// cannot verify right now (no key yet) from either.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required signature header is absent.
    #[error("the {header} header is missing")]
    MissingHeader {
        /// The header (or, for the `Either` policy, both headers).
        header: &'static str,
    },
    /// A signature header is present but cannot be read.
    #[error("the {header} header is malformed ({part}): {detail}")]
    MalformedHeader {
        /// The header.
        header: &'static str,
        /// The part at fault.
        part: HeaderPart,
        /// What is wrong, without the value.
        detail: String,
    },
    /// The signature does not match the body (tampered body, wrong key or secret).
    #[error("the {scheme} signature does not match the body")]
    InvalidSignature {
        /// The scheme whose signature failed.
        scheme: Scheme,
    },
    /// The signed timestamp is older than the tolerance: a replay or a very late retry.
    #[error(
        "the {scheme} timestamp is {age:?} old, more than the {tolerance:?} tolerated (a replay, or a late retry)"
    )]
    TooOld {
        /// The scheme whose timestamp is checked (`t=` for HMAC, `triggered_at` for RSA).
        scheme: Scheme,
        /// How old it is.
        age: Duration,
        /// The configured tolerance.
        tolerance: Duration,
    },
    /// The signed timestamp lies further in the future than the tolerance (clock skew or forgery).
    #[error(
        "the {scheme} timestamp is {ahead:?} in the future, more than the {tolerance:?} tolerated"
    )]
    InFuture {
        /// The scheme whose timestamp is checked.
        scheme: Scheme,
        /// How far ahead of `now` it is.
        ahead: Duration,
        /// The configured tolerance.
        tolerance: Duration,
    },
    /// No key to verify with: no public key loaded (and none could be fetched
    /// yet), or no HMAC secret configured.
    #[error("no {scheme} key to verify with{}", if *.scheme == Scheme::Rsa { " (the public key is not loaded yet)" } else { " (no HMAC secret configured)" })]
    NoKey {
        /// The scheme that lacks a key.
        scheme: Scheme,
    },
    /// Fetching the public key failed, and no key was cached.
    #[error("cannot get the signing public key: {0}")]
    KeyUnavailable(#[source] KeyError),
    /// The body is not JSON, or not a JSON object (the RSA replay check reads
    /// `triggered_at` from it).
    #[error("the body is not a JSON object: {detail}")]
    BodyNotJson {
        /// The parser's message.
        detail: String,
    },
    /// The body has no usable `triggered_at`, which the RSA replay check needs.
    #[error("the body has no valid `triggered_at`: {detail}")]
    MissingTimestamp {
        /// What is wrong.
        detail: &'static str,
    },
}

impl VerifyError {
    /// True when the body itself is malformed (answer 400), not the signature (answer 401).
    pub fn is_malformed_body(&self) -> bool {
        matches!(
            self,
            VerifyError::BodyNotJson { .. } | VerifyError::MissingTimestamp { .. }
        )
    }

    /// True when the receiver has no key to verify with (answer 503, so the sender retries later).
    pub fn is_key_unavailable(&self) -> bool {
        matches!(
            self,
            VerifyError::NoKey { .. } | VerifyError::KeyUnavailable(_)
        )
    }

    pub(crate) fn malformed(
        header: &'static str,
        part: HeaderPart,
        detail: impl Into<String>,
    ) -> Self {
        VerifyError::MalformedHeader {
            header,
            part,
            detail: detail.into(),
        }
    }
}

/// Why a public key could not be loaded.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is not PEM.
    #[error("not a PEM document: {0}")]
    Pem(String),
    /// The PEM label is not `RSA PUBLIC KEY` (PKCS#1).
    #[error("expected a PKCS#1 `RSA PUBLIC KEY` PEM, found label {0:?}")]
    Label(String),
    /// The DER inside is not a PKCS#1 RSA public key.
    #[error("not a PKCS#1 RSA public key: {0}")]
    Der(String),
    /// The key has an unsupported size or exponent.
    #[error("unsupported RSA key: {0}")]
    Unsupported(String),
    /// The key document is not `{"signing-key": "<PEM>"}`.
    #[error("the public keys document is not {{\"signing-key\": \"<PEM>\"}}: {0}")]
    Document(String),
    /// The fetch function failed.
    #[error("fetching the public keys document failed: {0}")]
    Fetch(#[from] FetchError),
}

/// A failure reported by a key fetch function; its message is the function's
/// error, converted with `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    message: String,
}

impl FetchError {
    /// Wraps a message.
    pub fn new(message: impl fmt::Display) -> Self {
        FetchError {
            message: message.to_string(),
        }
    }
}

/// A verifier configuration that cannot work.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The policy needs RSA but no public key source was given.
    #[error("the policy requires RSA signatures but no public key (PublicKeys) was given")]
    MissingPublicKeys,
    /// The policy needs HMAC but no secret was given.
    #[error("the policy requires HMAC signatures but no HMAC secret was given")]
    MissingHmacSecret,
    /// An HMAC secret is empty.
    #[error("an HMAC secret is empty")]
    EmptyHmacSecret,
}
