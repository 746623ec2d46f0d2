//! Identifiers and timestamps in the formats the Contentstack API uses.

use chrono::{DateTime, SubsecRound, Utc};
use rand::RngCore;

/// A uid in the API's format for webhooks and executions: `cs` followed by a
/// random (version 4) UUID, e.g. `cs2642bec9-c336-4da1-8aad-fded56c7d50e`.
pub(crate) fn cs_uid() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    // RFC 4122 version 4, variant 1: receivers that parse the UUID part accept it.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "cs{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A uid in the `blt` + 16 hex digits format of stacks, users and organizations.
pub(crate) fn blt_uid() -> String {
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    format!("blt{}", hex(&b))
}

/// A random token of `bytes` random bytes, hex-encoded, with a prefix.
pub(crate) fn token(prefix: &str, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    format!("{prefix}{}", hex(&b))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The current time at millisecond precision, as the API records times.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Milliseconds since the Unix epoch (the form times take in the database).
pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`to_ms`]; out-of-range values become the epoch.
pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cs_uid_has_the_documented_shape() {
        let uid = cs_uid();
        assert_eq!(uid.len(), 38, "{uid}");
        assert!(uid.starts_with("cs"));
        let parts: Vec<&str> = uid[2..].split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert_eq!(&parts[2][..1], "4");
        assert_ne!(cs_uid(), uid);
    }

    #[test]
    fn blt_and_ms_round_trip() {
        let b = blt_uid();
        assert_eq!(b.len(), 19);
        assert!(b.starts_with("blt"));
        let t = now();
        assert_eq!(from_ms(to_ms(t)), t);
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
    }
}
