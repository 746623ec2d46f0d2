//! HMAC verification and the policies: rotation, tampering, replay windows,
//! malformed headers, which schemes are required.

mod support;

use std::time::Duration;

use chrono::TimeDelta;
use cs_webhooks_receiver::testing::{TestSigner, hmac_signature};
use cs_webhooks_receiver::{
    ConfigError, HMAC_SIGNATURE_HEADER, HeaderPart, Policy, RSA_SIGNATURE_HEADER, Scheme, Verifier,
    VerifyError,
};
use http::HeaderMap;
use support::{entry_body, now, set};

fn hmac_only(secrets: &[&str]) -> Verifier {
    let mut builder = Verifier::builder().policy(Policy::Hmac);
    for secret in secrets {
        builder = builder.hmac_secret(secret);
    }
    builder.build().unwrap()
}

fn with_hmac(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    set(&mut headers, HMAC_SIGNATURE_HEADER, value);
    headers
}

#[test]
fn round_trip() {
    let body = entry_body(now());
    let t = now().timestamp();
    let headers = with_hmac(&hmac_signature("org-secret", t, &body));
    let verified = hmac_only(&["org-secret"])
        .verify_at(&body, &headers, now())
        .unwrap();
    let hmac = verified.hmac.unwrap();
    assert_eq!((hmac.timestamp, hmac.secret_index), (t, 0));
    assert_eq!(verified.rsa, None);
}

#[test]
fn rotation_old_and_new_secret_and_several_v1() {
    let body = entry_body(now());
    let t = now().timestamp();
    let sig = |secret: &str| {
        hmac_signature(secret, t, &body)
            .split_once(",v1=")
            .unwrap()
            .1
            .to_owned()
    };
    // Contentstack sends one v1 per active secret during its rotation.
    let both = format!("t={t},v1={},v1={}", sig("old"), sig("new"));
    for (secrets, index) in [
        (&["old"][..], 0),
        (&["new"][..], 0),
        (&["new", "old"][..], 0),
        (&["unrelated", "new"][..], 1),
    ] {
        let verified = hmac_only(secrets)
            .verify_at(&body, &with_hmac(&both), now())
            .unwrap();
        assert_eq!(verified.hmac.unwrap().secret_index, index, "{secrets:?}");
    }
    // A receiver holding old and new accepts either single signature.
    let receiver = hmac_only(&["old", "new"]);
    for secret in ["old", "new"] {
        let single = with_hmac(&format!("t={t},v1={}", sig(secret)));
        assert!(
            receiver.verify_at(&body, &single, now()).is_ok(),
            "{secret}"
        );
    }
    // The last v1 matching is enough (a verifier keeping only the first would fail).
    let order = format!("t={t},v1={},v1={}", sig("zzz"), sig("new"));
    assert!(
        hmac_only(&["new"])
            .verify_at(&body, &with_hmac(&order), now())
            .is_ok()
    );
    assert_eq!(
        hmac_only(&["other"]).verify_at(&body, &with_hmac(&both), now()),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Hmac
        })
    );
}

#[test]
fn tampered_body_or_timestamp_fails() {
    let body = entry_body(now());
    let t = now().timestamp();
    let value = hmac_signature("s", t, &body);
    let v = hmac_only(&["s"]);
    let mut tampered = body.clone();
    tampered[3] ^= 0x20;
    let invalid = Err(VerifyError::InvalidSignature {
        scheme: Scheme::Hmac,
    });
    assert_eq!(v.verify_at(&tampered, &with_hmac(&value), now()), invalid);
    // Moving t re-dates the signed string: the signature no longer matches.
    let moved = value.replacen(&format!("t={t}"), &format!("t={}", t + 1), 1);
    assert_eq!(v.verify_at(&body, &with_hmac(&moved), now()), invalid);
    // Leading zeros are part of the signed string too.
    let padded = value.replacen(&format!("t={t}"), &format!("t=0{t}"), 1);
    assert_eq!(v.verify_at(&body, &with_hmac(&padded), now()), invalid);
}

#[test]
fn stale_and_future_timestamps_fail() {
    let body = entry_body(now());
    let v = hmac_only(&["s"]);
    let at = |offset_secs: i64| {
        let t = now().timestamp() + offset_secs;
        with_hmac(&hmac_signature("s", t, &body))
    };
    // `now` has 861 ms past the second; t is whole seconds.
    assert!(v.verify_at(&body, &at(-299), now()).is_ok());
    assert!(v.verify_at(&body, &at(300), now()).is_ok());
    assert!(matches!(
        v.verify_at(&body, &at(-301), now()),
        Err(VerifyError::TooOld { scheme: Scheme::Hmac, age, tolerance })
            if age == Duration::from_millis(301_861) && tolerance == Duration::from_secs(300)
    ));
    assert!(matches!(
        v.verify_at(&body, &at(302), now()),
        Err(VerifyError::InFuture { scheme: Scheme::Hmac, ahead, .. })
            if ahead == Duration::from_millis(301_139)
    ));
    let wide = Verifier::builder()
        .policy(Policy::Hmac)
        .hmac_secret("s")
        .hmac_tolerance(Duration::from_secs(3600))
        .build()
        .unwrap();
    assert!(wide.verify_at(&body, &at(-3000), now()).is_ok());
    let later = now() + TimeDelta::try_hours(2).unwrap();
    assert!(matches!(
        wide.verify_at(&body, &at(0), later),
        Err(VerifyError::TooOld { .. })
    ));
}

#[test]
fn every_malformed_header_shape_is_reported() {
    let body = entry_body(now());
    let good = hmac_signature("s", now().timestamp(), &body);
    let hex = good.split_once(",v1=").unwrap().1;
    let t = now().timestamp();
    let cases: Vec<(String, HeaderPart)> = vec![
        (String::new(), HeaderPart::Element),
        (hex.to_owned(), HeaderPart::Element),
        (format!("v1={hex}"), HeaderPart::Timestamp),
        (format!("t=abc,v1={hex}"), HeaderPart::Timestamp),
        (format!("t=-5,v1={hex}"), HeaderPart::Timestamp),
        (format!("t={t},t={t},v1={hex}"), HeaderPart::Timestamp),
        (format!("t={t}"), HeaderPart::Signature),
        (format!("t={t},v1="), HeaderPart::Signature),
        (format!("t={t},v1={}", &hex[..40]), HeaderPart::Signature),
        (format!("t={t},v1={}zz", &hex[..62]), HeaderPart::Signature),
        (format!("t={t};v1={hex}"), HeaderPart::Timestamp),
        (format!("t={t},v1={hex},garbage"), HeaderPart::Element),
        (
            format!("t={t}{}", format!(",v1={hex}").repeat(9)),
            HeaderPart::TooMany,
        ),
    ];
    let v = hmac_only(&["s"]);
    for (value, part) in cases {
        match v.verify_at(&body, &with_hmac(&value), now()) {
            Err(VerifyError::MalformedHeader {
                header, part: got, ..
            }) => {
                assert_eq!(header, HMAC_SIGNATURE_HEADER);
                assert_eq!(got, part, "{value:?}");
            }
            other => panic!("{value:?}: {other:?}"),
        }
    }
    // Unknown schemes next to v1 are ignored, so a future v2 does not break receivers.
    let extended = format!("{good},v2=whatever");
    assert!(v.verify_at(&body, &with_hmac(&extended), now()).is_ok());
    assert_eq!(
        v.verify_at(&body, &HeaderMap::new(), now()),
        Err(VerifyError::MissingHeader {
            header: HMAC_SIGNATURE_HEADER
        })
    );
}

#[test]
fn errors_and_debug_never_show_secrets() {
    let v = hmac_only(&["hunter2-secret"]);
    let printed = format!("{v:?}");
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("redacted"), "{printed}");
    let body = b"{}";
    let headers = with_hmac(&hmac_signature("hunter2-secret", 1, body));
    let err = v.verify_at(body, &headers, now()).unwrap_err();
    assert!(!err.to_string().contains("hunter2"));
}

fn both_headers(body: &[u8], secret: &str) -> HeaderMap {
    let mut headers = TestSigner::new().headers(body);
    set(
        &mut headers,
        HMAC_SIGNATURE_HEADER,
        &hmac_signature(secret, now().timestamp(), body),
    );
    headers
}

fn policy(policy: Policy) -> Verifier {
    Verifier::builder()
        .policy(policy)
        .public_keys(TestSigner::new().public_keys())
        .hmac_secret("s")
        .build()
        .unwrap()
}

#[test]
fn policies_decide_what_is_required() {
    let body = entry_body(now());
    let good = both_headers(&body, "s");
    let bad_hmac = both_headers(&body, "wrong");
    let mut rsa_only = good.clone();
    rsa_only.remove(HMAC_SIGNATURE_HEADER);
    let mut hmac_only_headers = good.clone();
    hmac_only_headers.remove(RSA_SIGNATURE_HEADER);

    let both = policy(Policy::Both).verify_at(&body, &good, now()).unwrap();
    assert!(both.rsa.is_some() && both.hmac.is_some());
    assert!(matches!(
        policy(Policy::Both).verify_at(&body, &rsa_only, now()),
        Err(VerifyError::MissingHeader {
            header: HMAC_SIGNATURE_HEADER
        })
    ));
    assert!(matches!(
        policy(Policy::Both).verify_at(&body, &bad_hmac, now()),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Hmac
        })
    ));

    let rsa = policy(Policy::Rsa)
        .verify_at(&body, &bad_hmac, now())
        .unwrap();
    assert!(
        rsa.rsa.is_some() && rsa.hmac.is_none(),
        "HMAC is not looked at"
    );
    assert!(
        policy(Policy::Hmac)
            .verify_at(&body, &hmac_only_headers, now())
            .is_ok()
    );

    let either = policy(Policy::Either);
    let by_hmac = either.verify_at(&body, &good, now()).unwrap();
    assert!(
        by_hmac.hmac.is_some() && by_hmac.rsa.is_none(),
        "HMAC first"
    );
    let by_rsa = either.verify_at(&body, &bad_hmac, now()).unwrap();
    assert!(by_rsa.rsa.is_some());
    assert!(either.verify_at(&body, &rsa_only, now()).is_ok());
    assert!(either.verify_at(&body, &hmac_only_headers, now()).is_ok());
    assert!(matches!(
        either.verify_at(&body, &HeaderMap::new(), now()),
        Err(VerifyError::MissingHeader { .. })
    ));
    let mut tampered = body.clone();
    tampered[5] ^= 1;
    assert!(matches!(
        either.verify_at(&tampered, &good, now()),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Hmac
        })
    ));
}

#[test]
fn configurations_that_cannot_work_are_refused() {
    assert_eq!(
        Verifier::builder().build().unwrap_err(),
        ConfigError::MissingPublicKeys
    );
    assert_eq!(
        Verifier::builder()
            .policy(Policy::Hmac)
            .build()
            .unwrap_err(),
        ConfigError::MissingHmacSecret
    );
    assert_eq!(
        Verifier::builder()
            .policy(Policy::Both)
            .hmac_secret("s")
            .build()
            .unwrap_err(),
        ConfigError::MissingPublicKeys
    );
    assert_eq!(
        Verifier::builder()
            .policy(Policy::Hmac)
            .hmac_secret("")
            .build()
            .unwrap_err(),
        ConfigError::EmptyHmacSecret
    );
    assert_eq!(
        Verifier::builder()
            .policy(Policy::Either)
            .build()
            .unwrap_err(),
        ConfigError::MissingPublicKeys
    );
    assert!(
        Verifier::builder()
            .policy(Policy::Either)
            .hmac_secret("s")
            .build()
            .is_ok()
    );
}
