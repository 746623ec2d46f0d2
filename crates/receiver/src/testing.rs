//! Signing as Contentstack does, to test webhook handlers without a network
//! (feature `test-util`).
//!
//! [`TestSigner`] signs bodies with RSA-PSS-SHA256 (MGF1-SHA256, salt 32) and
//! a built-in 2048-bit **test** key, or a PKCS#8 key you give it;
//! [`hmac_signature`] makes the HMAC header.
//!
//! ```
//! use cs_webhooks_receiver::testing::{TestSigner, hmac_signature};
//! use cs_webhooks_receiver::{Policy, Verifier};
//!
//! let signer = TestSigner::new();
//! let body = signer.event_body("asset", "create", chrono::Utc::now(), serde_json::json!({
//!     "asset": {"uid": "blt1"}
//! }));
//! let mut headers = signer.headers(&body);
//! let now = chrono::Utc::now();
//! headers.insert(
//!     "x-contentstack-hmac-signature",
//!     hmac_signature("org-secret", now.timestamp(), &body).parse()?,
//! );
//! let verifier = Verifier::builder()
//!     .policy(Policy::Both)
//!     .public_keys(signer.public_keys())
//!     .hmac_secret("org-secret")
//!     .build()?;
//! assert!(verifier.verify_at(&body, &headers, now).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use http::{HeaderMap, HeaderValue};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PSS_SHA256, RsaKeyPair};
use serde_json::{Value, json};

use crate::error::KeyError;
use crate::header::RSA_SIGNATURE_HEADER;
use crate::key::RsaPublicKey;
use crate::keys::PublicKeys;

/// A 2048-bit RSA key for tests only: it is public, in this crate's source.
const TEST_KEY_PKCS8_PEM: &str = include_str!("testing/test_key.pem");

/// Signs delivery bodies as Contentstack does. Cheap to clone. `Debug`
/// shows only the public key's fingerprint.
#[derive(Clone)]
pub struct TestSigner {
    inner: Arc<Inner>,
}

struct Inner {
    key_pair: RsaKeyPair,
    public_key: RsaPublicKey,
    public_pem: String,
}

impl TestSigner {
    /// The signer with the built-in test key (parsed once per process).
    pub fn new() -> TestSigner {
        static BUILTIN: OnceLock<Result<TestSigner, KeyError>> = OnceLock::new();
        match BUILTIN.get_or_init(|| TestSigner::from_pkcs8_pem(TEST_KEY_PKCS8_PEM)) {
            Ok(signer) => signer.clone(),
            // The built-in key is a constant checked by this crate's tests.
            Err(e) => unreachable!("the built-in test key is valid: {e}"),
        }
    }

    /// A signer with your PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<TestSigner, KeyError> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|e| KeyError::Pem(e.to_string()))?;
        if label != "PRIVATE KEY" {
            return Err(KeyError::Label(label.to_owned()));
        }
        let key_pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| KeyError::Der(format!("not a PKCS#8 RSA private key: {e}")))?;
        let public_der = key_pair.public().as_ref().to_vec();
        let public_key = RsaPublicKey::from_pkcs1_der(&public_der)?;
        let public_pem =
            pem_rfc7468::encode_string("RSA PUBLIC KEY", pem_rfc7468::LineEnding::LF, &public_der)
                .map_err(|e| KeyError::Pem(e.to_string()))?;
        Ok(TestSigner {
            inner: Arc::new(Inner {
                key_pair,
                public_key,
                public_pem,
            }),
        })
    }

    /// The public key as PKCS#1 PEM, as `/.well-known/public-keys.json` publishes it.
    pub fn public_key_pem(&self) -> &str {
        &self.inner.public_pem
    }

    /// The public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.inner.public_key
    }

    /// A fixed [`PublicKeys`] with this signer's public key.
    pub fn public_keys(&self) -> PublicKeys {
        PublicKeys::from_key(self.inner.public_key.clone())
    }

    /// The key document `{"signing-key": "<PEM>"}`, for a fake key server.
    pub fn public_keys_document(&self) -> Vec<u8> {
        json!({ "signing-key": self.public_key_pem() })
            .to_string()
            .into_bytes()
    }

    /// The signature of `body` as raw bytes; empty if the system random
    /// source fails (then it verifies nowhere, which a test will notice).
    pub fn signature(&self, body: &[u8]) -> Vec<u8> {
        let key_pair = &self.inner.key_pair;
        let mut signature = vec![0u8; key_pair.public().modulus_len()];
        match key_pair.sign(&RSA_PSS_SHA256, &SystemRandom::new(), body, &mut signature) {
            Ok(()) => signature,
            Err(_) => Vec::new(),
        }
    }

    /// The `X-Contentstack-Request-Signature` value for `body`: `v1=<base64>`.
    pub fn sign(&self, body: &[u8]) -> String {
        format!(
            "v1={}",
            base64::engine::general_purpose::STANDARD.encode(self.signature(body))
        )
    }

    /// The headers of a delivery of `body`: content type, user agent and the RSA signature.
    pub fn headers(&self, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_static("Contentstack"),
        );
        // Base64 is always a valid header value.
        if let Ok(value) = HeaderValue::from_str(&self.sign(body)) {
            headers.insert(RSA_SIGNATURE_HEADER, value);
        }
        headers
    }

    /// A delivery body as Contentstack writes it (compact JSON) for `module`,
    /// `event` and `data`, triggered at `at`, with a test API key.
    pub fn event_body(&self, module: &str, event: &str, at: DateTime<Utc>, data: Value) -> Vec<u8> {
        json!({
            "module": module,
            "api_key": "blt0000000000000test",
            "data": data,
            "event": event,
            "triggered_at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        })
        .to_string()
        .into_bytes()
    }
}

impl Default for TestSigner {
    fn default() -> Self {
        TestSigner::new()
    }
}

impl fmt::Debug for TestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestSigner")
            .field("public_key", &self.inner.public_key)
            .finish_non_exhaustive()
    }
}

/// The `x-contentstack-hmac-signature` value for `body` signed at unix time
/// `t` with `secret`: `t=<t>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`.
pub fn hmac_signature(secret: impl AsRef<[u8]>, t: i64, body: &[u8]) -> String {
    crate::hmac::header_value(secret.as_ref(), t, body)
}
