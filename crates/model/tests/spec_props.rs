//! Property tests driven by the spec itself: documents are generated from the
//! schemas in openapi/webhooks.yaml (not hand-listed), so a schema change
//! changes what is tested.
//!
//! - every document a schema allows decodes into its model type, and
//!   re-encoding gives an equivalent document that still validates;
//! - unknown fields (the API adds fields) never break decoding;
//! - documents the schema forbids are rejected with an error naming the field.

use std::sync::OnceLock;

use cs_webhooks_model::{from_json_value, *};
use cs_webhooks_schema::Spec;
use proptest::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::from_yaml(include_str!("../openapi/webhooks.yaml")).expect("the spec loads")
    })
}

/// Drops what the encoder may legitimately leave out (null, empty lists and
/// objects) and writes date-times in one canonical form, so that "equivalent"
/// compares meaning, not spelling.
fn normalize(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|v| normalize(v).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(map) => {
            let map: serde_json::Map<_, _> = map
                .iter()
                .filter_map(|(k, v)| normalize(v).map(|v| (k.clone(), v)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Value::String(s) => Some(match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) if s.len() >= 20 => Value::String(t.to_utc().to_rfc3339()),
            _ => value.clone(),
        }),
        other => Some(other.clone()),
    }
}

fn check_round_trip<T>(schema: &str, document: Value) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let decoded: T = from_json_value(document.clone())
        .map_err(|e| TestCaseError::fail(format!("{schema} does not decode: {e}\n{document:#}")))?;
    let reencoded =
        serde_json::to_value(&decoded).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Err(violations) = spec().validate(schema, &reencoded) {
        return Err(TestCaseError::fail(format!(
            "re-encoded {schema} does not validate: {violations:?}\n{reencoded:#}"
        )));
    }
    prop_assert_eq!(
        normalize(&document),
        normalize(&reencoded),
        "{} re-encodes differently",
        schema
    );
    let again: T = from_json_value(reencoded).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(again, decoded);
    Ok(())
}

fn check_unknown_fields<T: DeserializeOwned>(
    schema: &str,
    document: Value,
) -> Result<(), TestCaseError> {
    from_json_value::<T>(document.clone())
        .map(|_| ())
        .map_err(|e| {
            TestCaseError::fail(format!("{schema} with unknown fields: {e}\n{document:#}"))
        })
}

fn check_rejected<T: DeserializeOwned + std::fmt::Debug>(
    schema: &str,
    document: Value,
    invalidity: cs_webhooks_schema::Invalidity,
) -> Result<(), TestCaseError> {
    match from_json_value::<T>(document.clone()) {
        Ok(decoded) => Err(TestCaseError::fail(format!(
            "{schema}: a document with {invalidity:?} decoded as {decoded:?}"
        ))),
        Err(error) if error.path == invalidity.path => Ok(()),
        // serde cannot look inside a oneOf (an untagged enum): the error names
        // the field holding it, which is the closest it can get.
        Err(error)
            if is_path_prefix(&error.path, &invalidity.path)
                && error.message.contains("untagged enum") =>
        {
            Ok(())
        }
        Err(error) => Err(TestCaseError::fail(format!(
            "{schema}: the error `{error}` should name the field at fault, `{}`",
            invalidity.path
        ))),
    }
}

/// Whether `prefix` is `path` or one of its ancestors (`a.b` of `a.b[0].c`).
fn is_path_prefix(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

macro_rules! spec_properties {
    ($($module:ident => $ty:ident),* $(,)?) => {
        /// The schemas covered here; a test checks this is all of them.
        const COVERED: &[&str] = &[$(stringify!($ty)),*];
        $(
            mod $module {
                use super::*;
                proptest! {
                    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]
                    #[test]
                    fn allowed_documents_decode_and_reencode(document in spec().valid(stringify!($ty))) {
                        check_round_trip::<$ty>(stringify!($ty), document)?;
                    }
                    #[test]
                    fn unknown_fields_do_not_break_decoding(document in spec().valid_with_unknown_fields(stringify!($ty))) {
                        check_unknown_fields::<$ty>(stringify!($ty), document)?;
                    }
                    #[test]
                    fn forbidden_documents_are_rejected_naming_the_field((document, invalidity) in spec().invalid(stringify!($ty))) {
                        check_rejected::<$ty>(stringify!($ty), document, invalidity)?;
                    }
                }
            }
        )*
    };
}

spec_properties! {
    attempted_request => AttemptedRequest,
    authentication_type => AuthenticationType,
    channel => Channel,
    custom_header => CustomHeader,
    delivered_request => DeliveredRequest,
    delivery_response => DeliveryResponse,
    destination => Destination,
    error_body => ErrorBody,
    event_payload => EventPayload,
    event_source => EventSource,
    execution => Execution,
    execution_list => ExecutionList,
    execution_log => ExecutionLog,
    execution_log_response => ExecutionLogResponse,
    headers => Headers,
    notice => Notice,
    notifiers => Notifiers,
    request_detail => RequestDetail,
    request_uri => RequestUri,
    retry_policy => RetryPolicy,
    retry_settings => RetrySettings,
    secret => Secret,
    unhealthy => Unhealthy,
    webhook => Webhook,
    webhook_input => WebhookInput,
    webhook_list => WebhookList,
    webhook_request => WebhookRequest,
    webhook_response => WebhookResponse,
}

#[test]
fn every_schema_of_the_spec_is_covered() {
    let mut in_spec: Vec<&str> = spec().schema_names().collect();
    in_spec.sort();
    let mut covered = COVERED.to_vec();
    covered.sort();
    assert_eq!(
        covered, in_spec,
        "add the new schema to spec_properties! above"
    );
}

#[test]
fn unknown_enum_values_decode_and_round_trip() {
    let destination: Destination = from_json_value(serde_json::json!({
        "target_url": "http://127.0.0.1:9/hook",
        "authentication_type": "Digest"
    }))
    .expect("an unknown authentication_type decodes");
    assert_eq!(
        destination.authentication_type,
        Some(AuthenticationType::Unknown("Digest".into()))
    );
    let back = serde_json::to_value(&destination).expect("encodes");
    assert_eq!(back["authentication_type"], "Digest");
    assert_eq!(RetryPolicy::from("automatic"), RetryPolicy::Automatic);
    assert!(!RetryPolicy::from("sometimes").is_known());
}

#[test]
fn secrets_never_print_in_debug() {
    let destination: Destination = from_json_value(serde_json::json!({
        "target_url": "http://127.0.0.1:9/hook",
        "authentication_type": "Bearer",
        "bearer_token": "tok-SENSITIVE",
        "http_basic_password": "pw-SENSITIVE",
        "client_secret": "cs-SENSITIVE"
    }))
    .expect("decodes");
    let printed = format!("{destination:?} {destination:#?}");
    assert!(!printed.contains("SENSITIVE"), "{printed}");
    // ...but they are sent as given.
    let sent = serde_json::to_string(&destination).expect("encodes");
    assert!(sent.contains("tok-SENSITIVE"));
}
