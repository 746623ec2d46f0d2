//! Helpers shared by the receiver's integration tests.

#![allow(dead_code)] // each test file uses a different part

use chrono::{DateTime, TimeZone, Utc};
use cs_webhooks_receiver::testing::TestSigner;
use http::{HeaderMap, HeaderValue};
use serde_json::json;

/// A fixed "now" so tests never depend on the clock.
pub fn now() -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_721_897_326_861).unwrap()
}

/// A signer with a second key, unrelated to the built-in one.
pub fn other_signer() -> TestSigner {
    TestSigner::from_pkcs8_pem(include_str!("../fixtures/other_key.pem")).unwrap()
}

/// An entry update body triggered at `at`.
pub fn entry_body(at: DateTime<Utc>) -> Vec<u8> {
    TestSigner::new().event_body(
        "entry",
        "update",
        at,
        json!({
            "entry": {"uid": "blt1", "title": "Hello", "locale": "en-us", "_version": 2},
            "content_type": {"uid": "blog", "title": "Blog"},
            "branch": {"uid": "main", "source": "", "alias": []}
        }),
    )
}

/// Sets a header from a string.
pub fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    headers.insert(name, HeaderValue::from_str(value).unwrap());
}
