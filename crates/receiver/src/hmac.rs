//! HMAC-SHA256 over `"{t}.{body}"` with one or more organization secrets.

use std::fmt;

use ring::hmac;
use subtle::ConstantTimeEq as _;

/// The secrets a receiver accepts, in the order given (an old and a new one
/// during rotation). `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub(crate) struct HmacSecrets {
    keys: Vec<hmac::Key>,
}

impl HmacSecrets {
    pub(crate) fn push(&mut self, secret: &[u8]) {
        self.keys.push(hmac::Key::new(hmac::HMAC_SHA256, secret));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The index of the first secret for which any of `signatures` matches.
    /// Every comparison is constant-time; the lengths are fixed by the types.
    pub(crate) fn find(&self, t_text: &str, body: &[u8], signatures: &[[u8; 32]]) -> Option<usize> {
        self.keys.iter().position(|key| {
            let tag = sign(key, t_text, body);
            let mut any = subtle::Choice::from(0);
            for signature in signatures {
                any |= tag.as_ref().ct_eq(signature.as_slice());
            }
            bool::from(any)
        })
    }
}

/// HMAC-SHA256 of `"{t}.{body}"`, fed in pieces so the body is never copied.
fn sign(key: &hmac::Key, t_text: &str, body: &[u8]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(key);
    context.update(t_text.as_bytes());
    context.update(b".");
    context.update(body);
    context.sign()
}

/// The header value Contentstack sends: `t=<t>,v1=<lowercase hex>`.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn header_value(secret: &[u8], t: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let t_text = t.to_string();
    let tag = sign(&key, &t_text, body);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t_text},v1={hex}")
}

impl fmt::Debug for HmacSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacSecrets({} redacted)", self.keys.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
        assert_eq!(
            header_value(b"s3cret", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
        );
    }

    #[test]
    fn finds_the_matching_secret() {
        let mut secrets = HmacSecrets::default();
        secrets.push(b"old");
        secrets.push(b"new");
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"new");
        let tag = sign(&key, "5", b"body");
        let mut good = [0u8; 32];
        good.copy_from_slice(tag.as_ref());
        assert_eq!(secrets.find("5", b"body", &[[0; 32], good]), Some(1));
        assert_eq!(secrets.find("6", b"body", &[good]), None);
        assert_eq!(secrets.find("5", b"body!", &[good]), None);
        assert_eq!(secrets.find("5", b"body", &[]), None);
        assert_eq!(format!("{secrets:?}"), "HmacSecrets(2 redacted)");
    }
}
