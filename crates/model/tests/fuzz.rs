//! Fuzzing with proptest: `Channel` parsing and `ExecutionFilter` parsing
//! get arbitrary bytes and near-valid text. Nothing panics; every failure is
//! the parser's typed error, and what parses prints back the same.
//!
//! `CS_FUZZ_CASES` sets the number of cases per target (default 100 000).

use cs_webhooks_model::{Channel, ExecutionFilter};
use proptest::prelude::*;
use proptest::test_runner::{Config as Cases, FileFailurePersistence};

fn cases() -> Cases {
    let cases = std::env::var("CS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(100_000);
    Cases {
        cases: cases.max(1),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Cases::default()
    }
}

/// Arbitrary bytes read as text, channel-like text, and channel-like text
/// with one stray character.
fn channel_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..32)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[a-z_.$ -]{0,24}",
        (
            "[a-z_]{1,8}(\\.[a-z_]{1,8}){0,4}",
            any::<prop::sample::Index>(),
            any::<char>()
        )
            .prop_map(|(text, at, stray)| {
                let mut chars: Vec<char> = text.chars().collect();
                chars.insert(at.index(chars.len() + 1), stray);
                chars.into_iter().collect()
            }),
    ]
}

/// Arbitrary bytes read as text, and filter-shaped JSON with odd operators
/// and operands.
fn filter_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..48)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        (
            prop::sample::select(vec![
                "$gte", "$lte", "$gt", "$lt", "$eq", "$in", "$x", "", "gte"
            ]),
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                any::<f64>().prop_map(|n| format!("{n:?}")),
                "\"[0-9a-z]{0,4}\"",
                Just("null".to_owned()),
                Just("[200,201]".to_owned()),
                Just("{}".to_owned()),
            ],
            "[ -~]{0,8}",
        )
            .prop_map(|(op, operand, tail)| format!(r#"{{"status":{{"{op}":{operand}}}}}{tail}"#)),
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn channel_parsing_takes_any_text(text in channel_text()) {
        match Channel::custom(&text) {
            Ok(channel) => prop_assert_eq!(channel.as_str(), text.as_str()),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
        let as_json = serde_json::to_string(&text).unwrap_or_default();
        let parsed = serde_json::from_str::<Channel>(&as_json);
        prop_assert_eq!(parsed.is_ok(), Channel::custom(&text).is_ok());
    }

    #[test]
    fn execution_filter_parsing_takes_any_text(text in filter_text()) {
        if let Ok(filter) = ExecutionFilter::from_json(&text) {
            prop_assert_eq!(ExecutionFilter::from_json(&filter.to_json()).ok(), Some(filter));
        }
    }
}
