//! RSA-PSS verification: round trips, the compact fallback, tampering, wrong
//! keys, replay windows, every malformed header shape, and cross-checks with
//! openssl (an implementation that shares no code with this crate).

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use chrono::TimeDelta;
use cs_webhooks_receiver::testing::TestSigner;
use cs_webhooks_receiver::{
    HeaderPart, LegacySignature, PublicKeys, RSA_SIGNATURE_HEADER, Scheme, SignedForm, Verifier,
    VerifyError,
};
use http::HeaderMap;
use support::{entry_body, now, other_signer, set};

fn verifier() -> Verifier {
    Verifier::builder()
        .public_keys(PublicKeys::from_pem(TestSigner::new().public_key_pem()).unwrap())
        .build()
        .unwrap()
}

fn signed(body: &[u8]) -> HeaderMap {
    TestSigner::new().headers(body)
}

#[test]
fn round_trip_with_and_without_padding() {
    let body = entry_body(now());
    let signature = TestSigner::new().signature(&body);
    assert_eq!(signature.len(), 256);
    for encoded in [
        STANDARD.encode(&signature),
        STANDARD_NO_PAD.encode(&signature),
    ] {
        let mut headers = HeaderMap::new();
        set(&mut headers, RSA_SIGNATURE_HEADER, &format!("v1={encoded}"));
        let verified = verifier().verify_at(&body, &headers, now()).unwrap();
        let rsa = verified.rsa.unwrap();
        assert_eq!(rsa.form, SignedForm::Raw);
        assert_eq!(rsa.triggered_at, Some(now()));
        assert_eq!(verified.hmac, None);
        assert_eq!(verified.legacy, LegacySignature::Absent);
    }
}

#[test]
fn tampered_body_fails() {
    let body = entry_body(now());
    let headers = signed(&body);
    for i in [0, body.len() / 2, body.len() - 1] {
        let mut tampered = body.clone();
        tampered[i] ^= 0x01;
        let err = verifier()
            .verify_at(&tampered, &headers, now())
            .unwrap_err();
        assert_eq!(
            err,
            VerifyError::InvalidSignature {
                scheme: Scheme::Rsa
            },
            "byte {i}"
        );
    }
    let mut longer = body.clone();
    longer.push(b' ');
    // Trailing whitespace compacts back to the signed bytes: the fallback accepts it.
    let verified = verifier().verify_at(&longer, &headers, now()).unwrap();
    assert_eq!(verified.rsa.unwrap().form, SignedForm::Compact);
}

#[test]
fn wrong_key_fails() {
    let body = entry_body(now());
    let headers = other_signer().headers(&body);
    assert_eq!(
        verifier().verify_at(&body, &headers, now()),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Rsa
        })
    );
}

#[test]
fn reformatted_body_verifies_through_the_compact_form() {
    // Signed over the compact bytes, delivered pretty-printed (a proxy re-encoded it).
    let compact = entry_body(now());
    let headers = signed(&compact);
    let value: serde_json::Value = serde_json::from_slice(&compact).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_ne!(pretty, compact);
    let verified = verifier().verify_at(&pretty, &headers, now()).unwrap();
    assert_eq!(verified.rsa.unwrap().form, SignedForm::Compact);

    let strict = Verifier::builder()
        .public_keys(TestSigner::new().public_keys())
        .compact_fallback(false)
        .build()
        .unwrap();
    assert_eq!(
        strict.verify_at(&pretty, &headers, now()),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Rsa
        })
    );
    assert!(strict.verify_at(&compact, &headers, now()).is_ok());
}

#[test]
fn stale_and_future_triggered_at_fail() {
    let at = now();
    let body = entry_body(at);
    let headers = signed(&body);
    let v = verifier();
    let minutes = |m: i64| TimeDelta::try_minutes(m).unwrap();
    assert!(v.verify_at(&body, &headers, at + minutes(14)).is_ok());
    assert!(v.verify_at(&body, &headers, at - minutes(14)).is_ok());
    assert_eq!(
        v.verify_at(&body, &headers, at + minutes(16)),
        Err(VerifyError::TooOld {
            scheme: Scheme::Rsa,
            age: Duration::from_secs(16 * 60),
            tolerance: Duration::from_secs(15 * 60),
        })
    );
    assert_eq!(
        v.verify_at(&body, &headers, at - minutes(16)),
        Err(VerifyError::InFuture {
            scheme: Scheme::Rsa,
            ahead: Duration::from_secs(16 * 60),
            tolerance: Duration::from_secs(15 * 60),
        })
    );
    let err = v
        .verify_at(&body, &headers, at + minutes(16))
        .unwrap_err()
        .to_string();
    assert!(err.contains("960s old") && err.contains("900s"), "{err}");

    // A manual retry days later passes with the check off, or a longer window.
    let days = at + TimeDelta::try_days(3).unwrap();
    for tolerance in [None, Some(Duration::from_secs(7 * 24 * 3600))] {
        let lenient = Verifier::builder()
            .public_keys(TestSigner::new().public_keys())
            .rsa_tolerance(tolerance)
            .build()
            .unwrap();
        assert!(lenient.verify_at(&body, &headers, days).is_ok());
    }
}

#[test]
fn replay_check_needs_a_json_body_with_triggered_at() {
    let v = verifier();
    for (body, malformed_body) in [
        (&b"not json"[..], true),
        (b"[1,2]", true),
        (br#"{"module":"entry"}"#, true),
        (br#"{"triggered_at":"last tuesday"}"#, true),
    ] {
        let err = v.verify_at(body, &signed(body), now()).unwrap_err();
        assert_eq!(err.is_malformed_body(), malformed_body, "{err}");
    }
    // The signature is checked before the body is read: a forged body is a 401, not a 400.
    let err = v
        .verify_at(b"not json", &signed(b"other"), now())
        .unwrap_err();
    assert!(!err.is_malformed_body());
}

#[test]
fn every_malformed_header_shape_is_reported() {
    let body = entry_body(now());
    let good = TestSigner::new().sign(&body);
    let b64 = good.strip_prefix("v1=").unwrap();
    let short = STANDARD.encode([1u8; 128]);
    let cases: Vec<(String, HeaderPart)> = vec![
        (
            "75e9068f3ca4e2ef7cdbfbb2480822f5f6473ac5".into(),
            HeaderPart::Version,
        ),
        (format!("v2={b64}"), HeaderPart::Version),
        (b64.to_owned(), HeaderPart::Version),
        ("v1=".into(), HeaderPart::Length),
        (format!("v1={}", "A".repeat(1400)), HeaderPart::Length),
        (format!("v1={short}"), HeaderPart::Length),
        (format!("v1={}!", &b64[..b64.len() - 2]), HeaderPart::Base64),
        (format!("v1=-{}", &b64[1..]), HeaderPart::Base64),
    ];
    for (value, part) in cases {
        let mut headers = HeaderMap::new();
        set(&mut headers, RSA_SIGNATURE_HEADER, &value);
        match verifier().verify_at(&body, &headers, now()) {
            Err(VerifyError::MalformedHeader {
                header, part: got, ..
            }) => {
                assert_eq!(header, RSA_SIGNATURE_HEADER);
                assert_eq!(got, part, "{value}");
            }
            other => panic!("{value}: {other:?}"),
        }
    }
    let mut repeated = HeaderMap::new();
    repeated.append(RSA_SIGNATURE_HEADER, good.parse().unwrap());
    repeated.append(RSA_SIGNATURE_HEADER, good.parse().unwrap());
    assert!(matches!(
        verifier().verify_at(&body, &repeated, now()),
        Err(VerifyError::MalformedHeader {
            part: HeaderPart::Repeated,
            ..
        })
    ));
    let mut binary = HeaderMap::new();
    binary.insert(
        RSA_SIGNATURE_HEADER,
        http::HeaderValue::from_bytes(b"v1=\xc3\xa9").unwrap(),
    );
    assert!(matches!(
        verifier().verify_at(&body, &binary, now()),
        Err(VerifyError::MalformedHeader {
            part: HeaderPart::Encoding,
            ..
        })
    ));
    assert_eq!(
        verifier().verify_at(&body, &HeaderMap::new(), now()),
        Err(VerifyError::MissingHeader {
            header: RSA_SIGNATURE_HEADER
        })
    );
}

#[test]
fn legacy_signature_is_reported_never_verified() {
    let body = entry_body(now());
    let mut headers = signed(&body);
    set(
        &mut headers,
        "X-Contentstack-Signature",
        "75e9068f3ca4e2ef7cdbfbb2480822f5f6473ac5",
    );
    let verified = verifier().verify_at(&body, &headers, now()).unwrap();
    assert_eq!(verified.legacy, LegacySignature::PresentUnverified);
    // Alone, it verifies nothing.
    let mut legacy_only = HeaderMap::new();
    set(
        &mut legacy_only,
        "X-Contentstack-Signature",
        "75e9068f3ca4e2ef7cdbfbb2480822f5f6473ac5",
    );
    assert_eq!(
        verifier().verify_at(&body, &legacy_only, now()),
        Err(VerifyError::MissingHeader {
            header: RSA_SIGNATURE_HEADER
        })
    );
}

#[test]
fn debug_output_has_no_key_material() {
    let signer = TestSigner::new();
    let pem = signer.public_key_pem();
    let key_line = pem.lines().nth(1).unwrap();
    for printed in [
        format!("{:?}", verifier()),
        format!("{signer:?}"),
        format!("{:?}", signer.public_key()),
        format!("{:?}", PublicKeys::from_pem(pem).unwrap()),
    ] {
        assert!(!printed.contains(key_line), "{printed}");
        assert!(printed.contains("fingerprint"), "{printed}");
    }
}

/// Runs openssl if installed; `None` when it is not.
fn openssl(args: &[&str], dir: &std::path::Path) -> Option<std::process::Output> {
    std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
}

#[test]
fn openssl_agrees_both_ways() {
    let dir = std::env::temp_dir().join(format!("cs-receiver-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = entry_body(now());
    std::fs::write(dir.join("body.json"), &body).unwrap();
    std::fs::write(
        dir.join("key.pem"),
        include_str!("../src/testing/test_key.pem"),
    )
    .unwrap();
    let pss = [
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:32",
        "-sigopt",
        "rsa_mgf1_md:sha256",
    ];
    // openssl signs, this crate verifies.
    let mut sign = vec!["dgst", "-sha256", "-sign", "key.pem"];
    sign.extend(pss);
    sign.extend(["-out", "sig.bin", "body.json"]);
    let Some(out) = openssl(&sign, &dir) else {
        eprintln!("openssl is not installed: cross-check skipped");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signature = std::fs::read(dir.join("sig.bin")).unwrap();
    let mut headers = HeaderMap::new();
    set(
        &mut headers,
        RSA_SIGNATURE_HEADER,
        &format!("v1={}", STANDARD.encode(&signature)),
    );
    assert!(verifier().verify_at(&body, &headers, now()).is_ok());

    // This crate signs, openssl verifies.
    std::fs::write(dir.join("mine.bin"), TestSigner::new().signature(&body)).unwrap();
    let out = openssl(
        &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
        &dir,
    )
    .unwrap();
    assert!(out.status.success());
    let mut verify = vec!["dgst", "-sha256", "-verify", "pub.pem"];
    verify.extend(pss);
    verify.extend(["-signature", "mine.bin", "body.json"]);
    let out = openssl(&verify, &dir).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
