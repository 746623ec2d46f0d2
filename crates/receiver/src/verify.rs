//! The verifier: signatures and replay windows, from the body bytes, the
//! headers and a time.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::Deserialize;

use crate::compact::js_compact;
use crate::error::{ConfigError, HeaderPart, Scheme, VerifyError};
use crate::header::{self, HMAC_SIGNATURE_HEADER, LEGACY_SIGNATURE_HEADER, RSA_SIGNATURE_HEADER};
use crate::hmac::HmacSecrets;
use crate::key::RsaPublicKey;
use crate::keys::PublicKeys;

/// Default replay tolerance for HMAC's `t=`: five minutes, as Stripe and Svix use.
pub const DEFAULT_HMAC_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Default replay tolerance for RSA's `triggered_at`: fifteen minutes.
///
/// Contentstack retries automatically 5, 25, 125 and 625 seconds after a
/// failure, so the last automatic retry arrives about 13 minutes after the
/// first attempt. Whether a retry refreshes `triggered_at` is not documented
/// (an execution log shows a refreshed one), so fifteen minutes accepts every
/// automatic retry either way, with two minutes for clock skew. Manual retries
/// can come days later: a receiver that wants those sets a longer tolerance,
/// or none, and deduplicates by content instead.
pub const DEFAULT_RSA_TOLERANCE: Duration = Duration::from_secs(15 * 60);

/// Which signatures a delivery must carry and pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// The RSA-PSS signature (every delivery has one). The default.
    #[default]
    Rsa,
    /// The HMAC signature (webhooks with HMAC signing enabled).
    Hmac,
    /// Both must be present and pass.
    Both,
    /// At least one present scheme must pass (HMAC is tried first: it is cheaper).
    Either,
}

impl Policy {
    fn needs_rsa(self) -> bool {
        matches!(self, Policy::Rsa | Policy::Both)
    }

    fn needs_hmac(self) -> bool {
        matches!(self, Policy::Hmac | Policy::Both)
    }
}

/// Which bytes an RSA signature matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignedForm {
    /// The body exactly as received.
    Raw,
    /// The body re-serialised compactly with key order kept (what
    /// Contentstack's Node sample verifies): the raw bytes were reformatted
    /// on the way.
    Compact,
}

/// A passed RSA check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaVerified {
    /// Which form of the body the signature matched.
    pub form: SignedForm,
    /// The body's `triggered_at`, when the replay check read it.
    pub triggered_at: Option<DateTime<Utc>>,
}

/// A passed HMAC check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HmacVerified {
    /// The signed timestamp `t`, unix seconds.
    pub timestamp: i64,
    /// Which configured secret matched (0 = the first given), so a rotation
    /// can tell when the old secret stops being used.
    pub secret_index: usize,
}

/// The legacy `X-Contentstack-Signature` header: its algorithm is not
/// documented, so it is only reported, never verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegacySignature {
    /// Not sent.
    Absent,
    /// Sent, and not verified.
    PresentUnverified,
}

/// What passed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The RSA check, when it ran and passed.
    pub rsa: Option<RsaVerified>,
    /// The HMAC check, when it ran and passed.
    pub hmac: Option<HmacVerified>,
    /// Whether the legacy header came along (never counted as verified).
    pub legacy: LegacySignature,
}

/// Verifies deliveries. Cheap to clone (shared inside); build one with
/// [`Verifier::builder`].
///
/// Verification itself does no I/O and reads no clock:
/// [`verify_at`](Verifier::verify_at) takes the time, and
/// [`verify`](Verifier::verify) passes the system clock's. The only I/O is the
/// key fetch function you give [`PublicKeys`], called when no key is cached or
/// a signature fails with the cached one (at most once per refresh interval).
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    policy: Policy,
    keys: Option<PublicKeys>,
    secrets: HmacSecrets,
    hmac_tolerance: Duration,
    rsa_tolerance: Option<Duration>,
    compact_fallback: bool,
}

/// Configures a [`Verifier`].
#[must_use]
pub struct VerifierBuilder {
    policy: Policy,
    keys: Option<PublicKeys>,
    secrets: HmacSecrets,
    empty_secret: bool,
    hmac_tolerance: Duration,
    rsa_tolerance: Option<Duration>,
    compact_fallback: bool,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            policy: Policy::default(),
            keys: None,
            secrets: HmacSecrets::default(),
            empty_secret: false,
            hmac_tolerance: DEFAULT_HMAC_TOLERANCE,
            rsa_tolerance: Some(DEFAULT_RSA_TOLERANCE),
            compact_fallback: true,
        }
    }
}

impl VerifierBuilder {
    /// Which schemes are required (default [`Policy::Rsa`]).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Where the RSA public key comes from.
    pub fn public_keys(mut self, keys: PublicKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Adds an accepted HMAC secret (the organization's, as UTF-8). Call it
    /// again for the next secret during a rotation: any of them passes.
    pub fn hmac_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        let secret = secret.as_ref();
        self.empty_secret |= secret.is_empty();
        self.secrets.push(secret);
        self
    }

    /// How far `t=` may be from now, either way (default five minutes).
    pub fn hmac_tolerance(mut self, tolerance: Duration) -> Self {
        self.hmac_tolerance = tolerance;
        self
    }

    /// How far `triggered_at` may be from now, either way; `None` turns the
    /// RSA replay check off (default [`DEFAULT_RSA_TOLERANCE`]).
    pub fn rsa_tolerance(mut self, tolerance: Option<Duration>) -> Self {
        self.rsa_tolerance = tolerance;
        self
    }

    /// Whether a failed RSA check is retried once over the compact
    /// re-serialisation of the body (default on; costs a second RSA
    /// verification only for bodies that are not already compact).
    pub fn compact_fallback(mut self, enabled: bool) -> Self {
        self.compact_fallback = enabled;
        self
    }

    /// Checks that the policy has what it needs.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.empty_secret {
            return Err(ConfigError::EmptyHmacSecret);
        }
        if self.policy.needs_rsa() && self.keys.is_none() {
            return Err(ConfigError::MissingPublicKeys);
        }
        if self.policy.needs_hmac() && self.secrets.is_empty() {
            return Err(ConfigError::MissingHmacSecret);
        }
        if self.policy == Policy::Either && self.keys.is_none() && self.secrets.is_empty() {
            return Err(ConfigError::MissingPublicKeys);
        }
        Ok(Verifier {
            inner: Arc::new(Inner {
                policy: self.policy,
                keys: self.keys,
                secrets: self.secrets,
                hmac_tolerance: self.hmac_tolerance,
                rsa_tolerance: self.rsa_tolerance,
                compact_fallback: self.compact_fallback,
            }),
        })
    }
}

/// The result of one pass over a delivery, plus whether the RSA key may be stale.
struct Outcome {
    result: Result<Verified, VerifyError>,
    /// The RSA check failed for want of a key or with a signature that a newer key might verify.
    key_suspect: bool,
}

impl Verifier {
    /// Starts a configuration: RSA required, default tolerances.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.inner.policy
    }

    /// The public key source, if any.
    pub fn public_keys(&self) -> Option<&PublicKeys> {
        self.inner.keys.as_ref()
    }

    /// Verifies a delivery at the system clock's time.
    pub fn verify(&self, body: &[u8], headers: &HeaderMap) -> Result<Verified, VerifyError> {
        self.verify_at(body, headers, Utc::now())
    }

    /// Verifies a delivery at time `now` (for tests and replays).
    ///
    /// With a [`PublicKeys`] that fetches through a blocking function, that
    /// function may be called here (no key yet, or a failed signature and
    /// the refresh interval has passed). An async fetcher is not called:
    /// use [`verify_async_at`](Verifier::verify_async_at).
    pub fn verify_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        let keys = self.inner.keys.as_ref();
        let current = keys.and_then(PublicKeys::current);
        let first = self.check(body, headers, now, current.as_deref());
        let Some(keys) = keys.filter(|_| first.key_suspect) else {
            return first.result;
        };
        match keys.refresh_blocking(now, current.as_ref(), false) {
            Some(fetched) => self.after_refresh(first, fetched, body, headers, now),
            None => first.result,
        }
    }

    /// Verifies a delivery at the system clock's time, awaiting an async key fetch if one is needed.
    pub async fn verify_async(
        &self,
        body: &[u8],
        headers: &HeaderMap,
    ) -> Result<Verified, VerifyError> {
        self.verify_async_at(body, headers, Utc::now()).await
    }

    /// Verifies a delivery at time `now`, awaiting an async key fetch if one
    /// is needed (a blocking fetch function is called inline).
    pub async fn verify_async_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        let keys = self.inner.keys.as_ref();
        let current = keys.and_then(PublicKeys::current);
        let first = self.check(body, headers, now, current.as_deref());
        let Some(keys) = keys.filter(|_| first.key_suspect) else {
            return first.result;
        };
        match keys.refresh_async(now, current.as_ref(), false).await {
            Some(fetched) => self.after_refresh(first, fetched, body, headers, now),
            None => first.result,
        }
    }

    /// After a refresh: verify again with the new key, or explain why there is none.
    fn after_refresh(
        &self,
        first: Outcome,
        fetched: Result<Arc<RsaPublicKey>, crate::KeyError>,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        match fetched {
            Ok(key) => self.check(body, headers, now, Some(&key)).result,
            Err(e) => match first.result {
                // Without any key the fetch failure is the real story.
                Err(VerifyError::NoKey {
                    scheme: Scheme::Rsa,
                }) => Err(VerifyError::KeyUnavailable(e)),
                other => other,
            },
        }
    }

    /// One pure pass with the key at hand.
    fn check(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
        key: Option<&RsaPublicKey>,
    ) -> Outcome {
        let legacy = if header::is_present(headers, LEGACY_SIGNATURE_HEADER) {
            LegacySignature::PresentUnverified
        } else {
            LegacySignature::Absent
        };
        let mut verified = Verified {
            rsa: None,
            hmac: None,
            legacy,
        };
        let mut key_suspect = false;
        let mut rsa = |verified: &mut Verified| -> Result<(), VerifyError> {
            let r = self.check_rsa(body, headers, now, key);
            key_suspect = matches!(
                r,
                Err(VerifyError::NoKey { .. } | VerifyError::InvalidSignature { .. })
            );
            verified.rsa = Some(r?);
            Ok(())
        };
        let result = match self.inner.policy {
            Policy::Rsa => rsa(&mut verified),
            Policy::Hmac => self.check_hmac(body, headers, now).map(|h| {
                verified.hmac = Some(h);
            }),
            Policy::Both => self
                .check_hmac(body, headers, now)
                .map(|h| verified.hmac = Some(h))
                .and_then(|()| rsa(&mut verified)),
            Policy::Either => self.check_either(body, headers, now, &mut verified, &mut rsa),
        };
        Outcome {
            result: result.map(|()| verified),
            key_suspect,
        }
    }

    fn check_either(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
        verified: &mut Verified,
        rsa: &mut dyn FnMut(&mut Verified) -> Result<(), VerifyError>,
    ) -> Result<(), VerifyError> {
        let has_hmac =
            !self.inner.secrets.is_empty() && header::is_present(headers, HMAC_SIGNATURE_HEADER);
        let has_rsa =
            self.inner.keys.is_some() && header::is_present(headers, RSA_SIGNATURE_HEADER);
        let mut first_error = None;
        if has_hmac {
            match self.check_hmac(body, headers, now) {
                Ok(h) => {
                    verified.hmac = Some(h);
                    return Ok(());
                }
                Err(e) => first_error = Some(e),
            }
        }
        if has_rsa {
            match rsa(verified) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(VerifyError::MissingHeader {
            header: "x-contentstack-request-signature or x-contentstack-hmac-signature",
        }))
    }

    fn check_rsa(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
        key: Option<&RsaPublicKey>,
    ) -> Result<RsaVerified, VerifyError> {
        let signature = header::rsa_signature(headers)?.ok_or(VerifyError::MissingHeader {
            header: RSA_SIGNATURE_HEADER,
        })?;
        let key = key.ok_or(VerifyError::NoKey {
            scheme: Scheme::Rsa,
        })?;
        if signature.len() != key.signature_len() {
            return Err(VerifyError::malformed(
                RSA_SIGNATURE_HEADER,
                HeaderPart::Length,
                format!(
                    "the signature has {} bytes; the key's signatures have {}",
                    signature.len(),
                    key.signature_len()
                ),
            ));
        }
        let form = if key.verify(body, &signature) {
            SignedForm::Raw
        } else if self.inner.compact_fallback
            && js_compact(body).is_some_and(|c| c != body && key.verify(&c, &signature))
        {
            SignedForm::Compact
        } else {
            return Err(VerifyError::InvalidSignature {
                scheme: Scheme::Rsa,
            });
        };
        let triggered_at = match self.inner.rsa_tolerance {
            Some(tolerance) => {
                let at = triggered_at(body)?;
                let at_ms = at.timestamp_millis();
                within(Scheme::Rsa, at_ms, now.timestamp_millis(), tolerance)?;
                Some(at)
            }
            None => None,
        };
        Ok(RsaVerified { form, triggered_at })
    }

    fn check_hmac(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<HmacVerified, VerifyError> {
        let parsed = header::hmac_header(headers)?.ok_or(VerifyError::MissingHeader {
            header: HMAC_SIGNATURE_HEADER,
        })?;
        if self.inner.secrets.is_empty() {
            return Err(VerifyError::NoKey {
                scheme: Scheme::Hmac,
            });
        }
        let secret_index = self
            .inner
            .secrets
            .find(parsed.t_text, body, &parsed.signatures)
            .ok_or(VerifyError::InvalidSignature {
                scheme: Scheme::Hmac,
            })?;
        within(
            Scheme::Hmac,
            parsed.t.saturating_mul(1000),
            now.timestamp_millis(),
            self.inner.hmac_tolerance,
        )?;
        Ok(HmacVerified {
            timestamp: parsed.t,
            secret_index,
        })
    }
}

/// Checks `at_ms` against `now_ms` (both unix milliseconds) within `tolerance`.
fn within(scheme: Scheme, at_ms: i64, now_ms: i64, tolerance: Duration) -> Result<(), VerifyError> {
    let to_duration = |ms: i128| Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX));
    let diff = i128::from(now_ms) - i128::from(at_ms);
    let limit = i128::try_from(tolerance.as_millis()).unwrap_or(i128::MAX);
    if diff > limit {
        Err(VerifyError::TooOld {
            scheme,
            age: to_duration(diff),
            tolerance,
        })
    } else if -diff > limit {
        Err(VerifyError::InFuture {
            scheme,
            ahead: to_duration(-diff),
            tolerance,
        })
    } else {
        Ok(())
    }
}

/// The body's `triggered_at`, reading nothing else.
fn triggered_at(body: &[u8]) -> Result<DateTime<Utc>, VerifyError> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow, default)]
        triggered_at: Option<Cow<'a, str>>,
    }
    let envelope: Envelope<'_> =
        serde_json::from_slice(body).map_err(|e| VerifyError::BodyNotJson {
            detail: e.to_string(),
        })?;
    let text = envelope.triggered_at.ok_or(VerifyError::MissingTimestamp {
        detail: "no `triggered_at` string in the body",
    })?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| VerifyError::MissingTimestamp {
            detail: "`triggered_at` is not an RFC 3339 date-time",
        })
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Verifier")
            .field("policy", &inner.policy)
            .field("public_keys", &inner.keys)
            .field("hmac_secrets", &inner.secrets)
            .field("hmac_tolerance", &inner.hmac_tolerance)
            .field("rsa_tolerance", &inner.rsa_tolerance)
            .field("compact_fallback", &inner.compact_fallback)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let tol = Duration::from_secs(300);
        assert!(within(Scheme::Hmac, 1_000_000, 1_000_000, tol).is_ok());
        assert!(within(Scheme::Hmac, 700_000, 1_000_000, tol).is_ok());
        assert!(within(Scheme::Hmac, 1_300_000, 1_000_000, tol).is_ok());
        assert_eq!(
            within(Scheme::Hmac, 699_000, 1_000_000, tol),
            Err(VerifyError::TooOld {
                scheme: Scheme::Hmac,
                age: Duration::from_millis(301_000),
                tolerance: tol
            })
        );
        assert_eq!(
            within(Scheme::Rsa, 1_300_001, 1_000_000, tol),
            Err(VerifyError::InFuture {
                scheme: Scheme::Rsa,
                ahead: Duration::from_millis(300_001),
                tolerance: tol
            })
        );
        // Extremes do not overflow.
        assert!(within(Scheme::Hmac, i64::MAX, i64::MIN, tol).is_err());
        assert!(within(Scheme::Hmac, i64::MIN, i64::MAX, Duration::MAX).is_ok());
    }

    #[test]
    fn triggered_at_is_read_alone() {
        let at = triggered_at(br#"{"data":{"x":[1,2]},"triggered_at":"2024-07-25T08:48:46.861Z"}"#)
            .unwrap();
        assert_eq!(at.timestamp_millis(), 1_721_897_326_861);
        assert!(matches!(
            triggered_at(b"nope"),
            Err(VerifyError::BodyNotJson { .. })
        ));
        assert!(matches!(
            triggered_at(b"[1]"),
            Err(VerifyError::BodyNotJson { .. })
        ));
        assert!(matches!(
            triggered_at(b"{}"),
            Err(VerifyError::MissingTimestamp { .. })
        ));
        assert!(matches!(
            triggered_at(br#"{"triggered_at":"yesterday"}"#),
            Err(VerifyError::MissingTimestamp { .. })
        ));
        assert!(matches!(
            triggered_at(br#"{"triggered_at":5}"#),
            Err(VerifyError::BodyNotJson { .. })
        ));
    }
}
