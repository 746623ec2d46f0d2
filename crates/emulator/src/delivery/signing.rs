//! Signatures on delivered requests, as Contentstack signs them:
//! `X-Contentstack-Request-Signature: v1=<base64>`, an RSA-PSS signature
//! (SHA-256, MGF1-SHA-256, salt length 32) over the exact body bytes with a
//! 2048-bit key, here the emulator's own, whose public half is published as
//! PKCS#1 PEM at `/.well-known/public-keys.json`; and the optional per-stack
//! HMAC header `x-contentstack-hmac-signature: t=<unix seconds>,v1=<hex>`,
//! an HMAC-SHA256 with the secret over `"{t}.{body}"`.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PSS_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cs_webhooks_model::Secret;
use hmac::{Hmac, Mac};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::pss::BlindedSigningKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Header carrying the RSA-PSS signature.
pub const SIGNATURE_HEADER: &str = "X-Contentstack-Request-Signature";
/// Header carrying the HMAC signature.
pub const HMAC_HEADER: &str = "x-contentstack-hmac-signature";
/// Size of the signing key, as Contentstack's.
pub const KEY_BITS: usize = 2048;

/// Why a signing key cannot be made or read. Never carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Generating a key failed.
    #[error("cannot generate an RSA key: {0}")]
    Generate(String),
    /// The PEM text is not a PKCS#8 RSA private key.
    #[error("not a PKCS#8 PEM RSA private key: {0}")]
    Decode(String),
    /// The key has another size than 2048 bits.
    #[error("the signing key must have {KEY_BITS} bits, this one has {0}")]
    Size(usize),
    /// Encoding a key as PEM failed.
    #[error("cannot encode the key as PEM: {0}")]
    Encode(String),
}

/// The emulator's RSA signing key (2048 bits, RSA-PSS with SHA-256, MGF1-SHA-256,
/// salt length 32).
///
/// `Debug` shows only a fingerprint of the public key. Generating a key is slow in
/// unoptimised builds, so the emulator persists its key in its database, and tests
/// make one per process and pass it to every emulator they start.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

struct Inner {
    private: RsaPrivateKey,
    /// Signs every delivery: AWS-LC is about 7x the `rsa` crate's speed and 1.8x
    /// `ring`'s on this project's machines (it uses AVX-512 IFMA where present).
    fast: RsaKeyPair,
    rng: SystemRandom,
    /// Used only if AWS-LC reports a failure (its RNG), so no delivery goes unsigned.
    fallback: BlindedSigningKey<Sha256>,
    public_pem: String,
}

impl SigningKey {
    /// Generates a new random 2048-bit key.
    pub fn generate() -> Result<Self, KeyError> {
        let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::from_private(private)
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        // The decoder's error names the structure at fault, never key bytes.
        let private =
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Decode(e.to_string()))?;
        Self::from_private(private)
    }

    fn from_private(private: RsaPrivateKey) -> Result<Self, KeyError> {
        let bits = rsa::traits::PublicKeyParts::size(&private) * 8;
        if bits != KEY_BITS {
            return Err(KeyError::Size(bits));
        }
        let public_pem = RsaPublicKey::from(&private)
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        // AWS-LC is given PKCS#8 DER; the conversion happens once per key.
        let der = private
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let fast =
            RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| KeyError::Decode(e.to_string()))?;
        let fallback = BlindedSigningKey::<Sha256>::new(private.clone());
        Ok(SigningKey {
            inner: Arc::new(Inner {
                private,
                fast,
                rng: SystemRandom::new(),
                fallback,
                public_pem,
            }),
        })
    }

    /// The private key as PKCS#8 PEM, for persisting. Treat the result as a secret.
    pub fn to_pkcs8_pem(&self) -> Result<Secret, KeyError> {
        let pem = self
            .inner
            .private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        Ok(Secret::new(pem.as_str()))
    }

    /// The public key as PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`), as
    /// `/.well-known/public-keys.json` publishes it.
    pub fn public_key_pem(&self) -> &str {
        &self.inner.public_pem
    }

    /// Signs `body` and returns the header value `v1=<base64>`.
    pub fn sign(&self, body: &[u8]) -> String {
        let inner = &self.inner;
        let mut signature = vec![0; inner.fast.public_modulus_len()];
        if inner
            .fast
            .sign(&RSA_PSS_SHA256, &inner.rng, body, &mut signature)
            .is_ok()
        {
            return format!("v1={}", STANDARD.encode(&signature));
        }
        let signature = inner.fallback.sign_with_rng(&mut rand::rngs::OsRng, body);
        format!("v1={}", STANDARD.encode(signature.to_bytes()))
    }

    /// A short fingerprint of the public key (hex of the first bytes of its SHA-256).
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.inner.public_pem.as_bytes());
        crate::ids::hex(digest.get(..8).unwrap_or_default())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("public_key_sha256", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// The HMAC header value for `body` signed at unix time `t` with `secret`:
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`.
pub fn hmac_header(secret: &Secret, t: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here;
    // an empty header is still better than a panic if that ever changes.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", crate::ids::hex(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_a_known_vector() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
        let h = hmac_header(&Secret::new("s3cret"), 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            h,
            "t=1700000000,v1=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
        );
    }
}
