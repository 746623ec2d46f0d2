//! Generated documents: valid ones validate, invalid ones are rejected at the
//! place the generator says.

mod common;

use std::collections::BTreeSet;

use cs_webhooks_schema::{Invalidity, InvalidityKind, Spec};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const CASES: u32 = 256;

/// A runner that tolerates few filter rejections, so that a generator that
/// often produces wrong values (and relies on filtering) fails the test.
fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        max_local_rejects: CASES / 4,
        failure_persistence: None,
        ..Config::default()
    })
}

fn sample<T: std::fmt::Debug>(s: &impl Strategy<Value = T>, n: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| match s.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(e) => panic!("cannot generate: {e}"),
        })
        .collect()
}

fn names(spec: &Spec) -> Vec<String> {
    spec.schema_names().map(str::to_string).collect()
}

#[test]
fn valid_documents_validate() {
    let spec = common::spec();
    for name in names(&spec) {
        let strategy = spec.valid(&name);
        let result = runner().run(&strategy, |value| {
            if let Err(violations) = spec.validate(&name, &value) {
                let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
                panic!("{name}: generated {value} but: {}", listed.join("; "));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn valid_documents_with_unknown_fields_validate() {
    let spec = common::spec();
    for name in names(&spec) {
        let strategy = spec.valid_with_unknown_fields(&name);
        let result = runner().run(&strategy, |value| {
            if let Err(violations) = spec.validate(&name, &value) {
                let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
                panic!("{name}: generated {value} but: {}", listed.join("; "));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

fn check_invalid(spec: &Spec, name: &str, value: &Value, invalidity: &Invalidity) {
    let violations = match spec.validate(name, value) {
        Ok(()) => panic!("{name}: {value} was generated as invalid ({invalidity}) but validates"),
        Err(v) => v,
    };
    assert!(
        violations.iter().any(|v| v.path == invalidity.path),
        "{name}: {value}: expected a violation at {:?}, got {violations:?}",
        invalidity.path
    );
    // Random map keys may contain `.` or `[`, which makes the path
    // ambiguous to parse back; only check plain paths below.
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.[]".contains(c))
    };
    if !plain(&invalidity.path)
        || !plain(&invalidity.field)
        || invalidity.field.contains(['.', '[', ']'])
    {
        return;
    }
    let last_key = invalidity
        .path
        .split('.')
        .next_back()
        .map(|s| s.split('[').next().unwrap_or(""))
        .unwrap_or("");
    assert_eq!(invalidity.field, last_key, "{invalidity:?}");
    let at_fault = lookup(value, &invalidity.path);
    match invalidity.kind {
        InvalidityKind::MissingRequired => assert!(
            at_fault.is_none(),
            "{name}: {value}: {} should be missing",
            invalidity.path
        ),
        InvalidityKind::WrongType => assert!(
            at_fault.is_some(),
            "{name}: {value}: {} should be present",
            invalidity.path
        ),
    }
}

/// The value at a path like `a.b[2].c` (keys in these tests have no dots).
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(value);
    }
    let mut current = value;
    for part in path.split('.') {
        let mut pieces = part.split('[');
        let key = pieces.next().unwrap_or("");
        if !key.is_empty() {
            current = current.get(key)?;
        }
        for index in pieces {
            let i: usize = index.trim_end_matches(']').parse().ok()?;
            current = current.get(i)?;
        }
    }
    Some(current)
}

#[test]
fn invalid_documents_are_rejected_where_generated() {
    let spec = common::spec();
    for name in names(&spec) {
        let strategy = spec.invalid(&name);
        let result = runner().run(&strategy, |(value, invalidity)| {
            check_invalid(&spec, &name, &value, &invalidity);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn invalid_documents_cover_both_kinds_and_deep_fields() {
    let spec = common::spec();
    let samples = sample(&spec.invalid("WebhookRequest"), 2000);
    let kinds: BTreeSet<String> = samples
        .iter()
        .map(|(_, i)| format!("{:?}", i.kind))
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let paths: BTreeSet<&str> = samples.iter().map(|(_, i)| i.path.as_str()).collect();
    for expected in [
        "",
        "webhook",
        "webhook.uid",
        "webhook.created_at",
        "webhook.destinations",
        "webhook.destinations[0]",
        "webhook.destinations[0].authentication_type",
        "webhook.destinations[0].target_url",
    ] {
        assert!(
            paths.contains(expected),
            "no fault generated at {expected:?}: {paths:?}"
        );
    }
    // Faults inside untagged unions are reported at the union.
    assert!(paths.contains("webhook.untagged"), "{paths:?}");
    assert!(paths.contains("webhook.filter"), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("webhook.untagged.") || p.starts_with("webhook.filter.")),
        "{paths:?}"
    );
    assert!(
        samples
            .iter()
            .any(|(v, i)| i.path == "webhook.untagged" && v["webhook"]["untagged"].is_object()),
        "no structural fault inside the untagged union"
    );
    assert!(
        paths.iter().any(|p| p.starts_with("webhook.metadata.")),
        "no invalid additionalProperties value: {paths:?}"
    );
    // Null is never offered as a fault for an optional, non-nullable field
    // (most bindings decode it as "absent").
    for (value, invalidity) in &samples {
        if invalidity.path == "webhook.retries" {
            assert!(!lookup(value, "webhook.retries").is_some_and(Value::is_null));
        }
    }
    // Null is a fault for a required, non-nullable field.
    assert!(samples.iter().any(|(v, i)| i.path == "webhook.name"
        && i.kind == InvalidityKind::WrongType
        && lookup(v, "webhook.name").is_some_and(Value::is_null)));
}

fn walk<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    out.push(value);
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
        Value::Object(map) => map.values().for_each(|v| walk(v, out)),
        _ => {}
    }
}

#[test]
fn valid_documents_are_varied() {
    let spec = common::spec();
    let samples = sample(&spec.valid("Webhook"), 600);
    let get = |v: &Value, k: &str| v.get(k).cloned();
    // Optional properties are sometimes present, sometimes absent.
    assert!(samples.iter().any(|v| get(v, "retry_policy").is_some()));
    assert!(samples.iter().any(|v| get(v, "retry_policy").is_none()));
    // Nullable fields are sometimes null.
    assert!(
        samples
            .iter()
            .any(|v| get(v, "concise_payload") == Some(Value::Null))
    );
    assert!(
        samples
            .iter()
            .any(|v| get(v, "updated_at") == Some(Value::Null))
    );
    assert!(
        samples
            .iter()
            .any(|v| get(v, "maybe_owner") == Some(Value::Null))
    );
    // Both discriminated destinations appear.
    let tags: BTreeSet<String> = samples
        .iter()
        .flat_map(|v| v["destinations"].as_array().cloned().unwrap_or_default())
        .filter_map(|d| d["authentication_type"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from(["basic".to_string(), "email".to_string()])
    );
    // Every untagged branch appears.
    let kinds: BTreeSet<&str> = samples
        .iter()
        .filter_map(|v| v.get("untagged"))
        .map(|u| match u {
            Value::String(_) => "string",
            Value::Number(_) => "integer",
            _ => "object",
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    // Strings are varied: empty, non-ASCII, with quotes.
    let mut strings = Vec::new();
    for v in &samples {
        let mut all = Vec::new();
        walk(v, &mut all);
        strings.extend(
            all.into_iter()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
    }
    assert!(strings.iter().any(String::is_empty));
    assert!(strings.iter().any(|s| !s.is_ascii()));
    assert!(strings.iter().any(|s| s.contains('"')));
    // Formats.
    let date_time = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").unwrap();
    let uuid =
        regex::Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .unwrap();
    for v in &samples {
        assert!(
            date_time.is_match(v["created_at"].as_str().unwrap_or("")),
            "{}",
            v["created_at"]
        );
        if let Some(id) = v.get("request_id") {
            assert!(uuid.is_match(id.as_str().unwrap_or("")), "{id}");
        }
        let uid = v["uid"].as_str().unwrap_or("");
        assert!((8..=20).contains(&uid.len()), "{uid}");
        if let Some(status) = v.get("status").filter(|s| !s.is_null()) {
            assert!(status.as_u64().is_some_and(|s| s <= 65535), "{status}");
        }
        if let Some(count) = v.get("count") {
            assert!(count.as_u64().is_some(), "{count}");
        }
        // Arrays stay small.
        assert!(v["destinations"].as_array().map_or(0, Vec::len) <= 5);
        if let Some(tags) = v.get("tags") {
            assert!(tags.as_array().map_or(0, Vec::len) <= 3);
        }
    }
    // additionalProperties: a schema or true gets extra keys sometimes.
    assert!(samples.iter().any(|v| {
        v.get("metadata")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    }));
    assert!(samples.iter().any(|v| {
        v.get("extra")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    }));
    // `{}` takes any kind of value.
    let anything: BTreeSet<&str> = samples
        .iter()
        .filter_map(|v| v.get("anything"))
        .map(|a| match a {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        })
        .collect();
    assert!(anything.len() >= 5, "{anything:?}");
}

const DECLARED: &[&str] = &[
    "uid",
    "name",
    "destinations",
    "channels",
    "retry_policy",
    "disabled",
    "concise_payload",
    "created_at",
    "updated_at",
    "published_on",
    "request_id",
    "notify_email",
    "homepage",
    "retries",
    "version",
    "status",
    "count",
    "score",
    "ratio",
    "metadata",
    "extra",
    "anything",
    "tree",
    "owner",
    "maybe_owner",
    "filter",
    "untagged",
    "closed",
    "tags",
    "not_a_string",
];

#[test]
fn unknown_fields_only_on_request() {
    let spec = common::spec();
    for v in sample(&spec.valid("Webhook"), 300) {
        for key in v
            .as_object()
            .map(|m| m.keys().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            assert!(DECLARED.contains(&key.as_str()), "undeclared key {key:?}");
        }
        if let Some(closed) = v.get("closed").and_then(Value::as_object) {
            assert!(closed.keys().all(|k| k == "a" || k == "b"));
        }
    }
    let with_unknown = sample(&spec.valid_with_unknown_fields("Webhook"), 300);
    assert!(with_unknown.iter().all(|v| {
        v.as_object()
            .is_some_and(|m| m.keys().any(|k| !DECLARED.contains(&k.as_str())))
    }));
    for v in &with_unknown {
        if let Some(closed) = v.get("closed").and_then(Value::as_object) {
            assert!(closed.keys().all(|k| k == "a" || k == "b"), "{closed:?}");
        }
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn recursion_is_bounded() {
    let spec = common::spec();
    let samples = sample(&spec.valid("Node"), 300);
    // Node may nest inside itself twice: at most 3 Node levels, each at most
    // 2 JSON levels (`children` array + item).
    assert!(samples.iter().all(|v| depth(v) <= 6), "too deep");
    assert!(samples.iter().any(|v| depth(v) >= 3), "never recursed");
}

#[test]
fn inline_schemas_generate() {
    let spec = common::spec();
    let example = spec
        .examples()
        .into_iter()
        .find(|e| e.status == "201")
        .expect("a 201 example");
    let schema = example.schema;
    let strategy = spec
        .valid_schema(&schema, &Default::default())
        .expect("strategy");
    for v in sample(&strategy, 100) {
        assert!(spec.validate_schema(&schema, &v).is_ok(), "{v}");
    }
}
