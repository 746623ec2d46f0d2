//! Property tests: arbitrary header values and bodies never panic and never
//! verify. 100,000 cases for the cheap paths (headers, HMAC, event parsing)
//! by default, fewer through RSA; `RECEIVER_PROPTEST_CASES` sets the main
//! count (the RSA test runs a fiftieth of it).

mod support;

use cs_webhooks_receiver::testing::TestSigner;
use cs_webhooks_receiver::{
    Event, HMAC_SIGNATURE_HEADER, LEGACY_SIGNATURE_HEADER, Policy, RSA_SIGNATURE_HEADER, Verifier,
    VerifyError,
};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use support::now;

fn cases() -> u32 {
    std::env::var("RECEIVER_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Header values shaped like the real ones, with junk mixed in, plus raw bytes.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let element = prop_oneof![
        "t=[0-9]{0,21}",
        "v1=[0-9a-fA-F]{0,70}",
        "v1=[A-Za-z0-9+/=]{0,400}",
        "[ a-z0-9]{0,3}=?[ -~]{0,12}",
        Just(String::new()),
    ];
    prop_oneof![
        prop::collection::vec(element, 0..6).prop_map(|parts| parts.join(",").into_bytes()),
        prop::collection::vec(any::<u8>(), 0..80),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "\\{\"triggered_at\":\"[0-9T:.Z-]{0,30}\"\\}".prop_map(String::into_bytes),
        "[{}\\[\\]\",:0-9a-z$ ]{0,60}".prop_map(String::into_bytes),
    ]
}

fn headers(rsa: Option<Vec<u8>>, hmac: Option<Vec<u8>>, legacy: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [(RSA_SIGNATURE_HEADER, rsa), (HMAC_SIGNATURE_HEADER, hmac)] {
        if let Some(Ok(value)) = value.as_deref().map(HeaderValue::from_bytes) {
            headers.append(name, value);
        }
    }
    if legacy {
        headers.insert(LEGACY_SIGNATURE_HEADER, HeaderValue::from_static("abc"));
    }
    headers
}

#[test]
fn arbitrary_hmac_headers_and_bodies_never_panic_nor_verify() {
    let verifier = Verifier::builder()
        .policy(Policy::Hmac)
        .hmac_secret("s1")
        .hmac_secret("s2")
        .build()
        .unwrap();
    proptest!(config(cases()), |(
        hmac in prop::option::of(header_value()),
        body in body(),
        legacy in any::<bool>(),
    )| {
        let headers = headers(None, hmac, legacy);
        let result = verifier.verify_at(&body, &headers, now());
        prop_assert!(result.is_err(), "{:?}", result);
        if let Err(e) = result {
            // Display and Debug work and stay one line.
            prop_assert!(!e.to_string().contains('\n'));
            let _ = format!("{e:?}");
        }
    });
}

#[test]
fn arbitrary_bodies_never_panic_the_event_parser() {
    proptest!(config(cases()), |(body in body())| {
        let _ = Event::from_slice(&body);
    });
}

#[test]
fn structured_json_bodies_never_panic_the_event_parser() {
    let module = prop_oneof![
        Just("entry"),
        Just("asset"),
        Just("content_type"),
        Just("global_field"),
        Just("release"),
        Just("comment"),
        Just("discussion"),
        Just("taxonomy"),
        Just("term"),
        Just("variant"),
        Just("branch"),
        Just("workflow"),
        Just("other"),
    ];
    let event = prop_oneof![
        Just("create"),
        Just("update"),
        Just("delete"),
        Just("publish"),
        Just("unpublish.fail"),
        Just("deploy"),
        Just("resolve"),
        Just("localize"),
        Just("x"),
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-z.$]{0,6}".prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("uid".to_owned()),
                    Just("entry".to_owned()),
                    Just("asset".to_owned()),
                    Just("content_type".to_owned()),
                    Just("environment".to_owned()),
                    Just("release".to_owned()),
                    Just("taxonomy".to_owned()),
                    Just("cs$x".to_owned()),
                    "[a-z_]{1,5}",
                ],
                inner,
                0..4,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    proptest!(config(cases() / 5), |(module in module, event in event, data in value)| {
        let body = serde_json::json!({"module": module, "event": event, "data": data});
        if let Ok(parsed) = Event::from_slice(body.to_string().as_bytes()) {
            let _ = parsed.channels();
        }
    });
}

#[test]
fn arbitrary_rsa_headers_never_panic_nor_verify() {
    let signer = TestSigner::new();
    let verifier = Verifier::builder()
        .policy(Policy::Either)
        .public_keys(signer.public_keys())
        .hmac_secret("s")
        .build()
        .unwrap();
    // Well-formed 256-byte signatures reach the RSA arithmetic; the rest stop at parsing.
    let rsa = prop_oneof![
        header_value(),
        prop::collection::vec(any::<u8>(), 256).prop_map(|sig| {
            use base64::Engine as _;
            format!(
                "v1={}",
                base64::engine::general_purpose::STANDARD.encode(sig)
            )
            .into_bytes()
        }),
    ];
    proptest!(config((cases() / 50).max(1)), |(
        rsa in prop::option::of(rsa),
        hmac in prop::option::of(header_value()),
        body in body(),
    )| {
        let headers = headers(rsa, hmac, false);
        match verifier.verify_at(&body, &headers, now()) {
            Ok(v) => prop_assert!(false, "verified junk: {:?}", v),
            Err(VerifyError::MissingHeader { .. }) => {
                prop_assert!(!headers.contains_key(RSA_SIGNATURE_HEADER)
                    && !headers.contains_key(HMAC_SIGNATURE_HEADER));
            }
            Err(_) => {}
        }
    });
}
