//! Fuzzing with proptest: every response decoder gets arbitrary bytes and
//! damaged versions of documents the spec allows, and the import operations'
//! multipart encoder gets arbitrary files, names and uids. Nothing panics;
//! every failure is a typed error.
//!
//! `CS_FUZZ_CASES` sets the number of cases per target (default 100 000 for
//! the byte-level targets; the spec-document target, about ten times dearer
//! a case, runs a tenth of it).

use cs_webhooks_api::operations::{
    CreateWebhook, DeleteWebhook, ExportWebhook, GetExecutionLog, GetWebhook,
    ImportExistingWebhook, ImportWebhook, ListExecutions, ListWebhooks, RetryExecution,
    UpdateWebhook,
};
use cs_webhooks_api::{Config, Error, Operation, UploadFile};
use proptest::prelude::*;
use proptest::test_runner::{Config as Cases, FileFailurePersistence};

fn cases(divisor: u32) -> Cases {
    let cases = std::env::var("CS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(100_000);
    Cases {
        cases: (cases / divisor).max(1),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Cases::default()
    }
}

/// Decodes a response with `O`'s decoder: an error must be one a response
/// can cause.
fn decode<O: Operation>(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let mut response = http::Response::new(body.to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
    match O::decode(response) {
        Ok(_) => Ok(()),
        Err(Error::Api(api)) => {
            prop_assert!(!api.status.is_success());
            prop_assert_eq!(&api.body[..], body, "the raw body is kept");
            Ok(())
        }
        Err(Error::Decode { body: kept, .. }) => {
            prop_assert_eq!(&kept[..], body, "the raw body is kept");
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("untyped failure: {other:?}"))),
    }
}

fn every_decoder(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    decode::<ListWebhooks>(status, body)?;
    decode::<CreateWebhook>(status, body)?;
    decode::<ImportWebhook>(status, body)?;
    decode::<GetWebhook>(status, body)?;
    decode::<UpdateWebhook>(status, body)?;
    decode::<DeleteWebhook>(status, body)?;
    decode::<ExportWebhook>(status, body)?;
    decode::<ImportExistingWebhook>(status, body)?;
    decode::<ListExecutions>(status, body)?;
    decode::<RetryExecution>(status, body)?;
    decode::<GetExecutionLog>(status, body)
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => Just(201u16),
        1 => prop::sample::select(vec![400u16, 401, 404, 412, 422, 429, 500, 503]),
    ]
}

/// Bytes near JSON: raw bytes, JSON punctuation soup, and text with stray
/// invalid UTF-8.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "[\\[\\]{}\":,0-9a-z_ \\\\-]{0,64}".prop_map(String::into_bytes),
        (
            r#"\{"(webhooks|webhook|error_code|error_message|errors|notice|uid|count)":[ -~]{0,40}\}"#,
            any::<prop::sample::Index>(),
            128u8..=255
        )
            .prop_map(|(text, at, byte)| {
                let mut bytes = text.into_bytes();
                let at = at.index(bytes.len().max(1)).min(bytes.len());
                bytes.insert(at, byte);
                bytes
            }),
    ]
}

fn spec() -> &'static cs_webhooks_schema::Spec {
    static SPEC: std::sync::OnceLock<cs_webhooks_schema::Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        cs_webhooks_schema::Spec::from_yaml(include_str!("../openapi/webhooks.yaml"))
            .unwrap_or_else(|e| panic!("the spec loads: {e}"))
    })
}

/// A document of a response schema the spec allows, serialized, then cut
/// short or with one byte replaced.
fn damaged_document() -> impl Strategy<Value = Vec<u8>> {
    let documents = prop_oneof![
        spec().valid("WebhookList"),
        spec().valid("WebhookResponse"),
        spec().valid("Webhook"),
        spec().valid("ExecutionList"),
        spec().valid("ExecutionLogResponse"),
        spec().valid("Notice"),
        spec().valid("ErrorBody"),
    ];
    (
        documents,
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(|(document, at, byte, cut)| {
            let mut bytes = serde_json::to_vec(&document).unwrap_or_default();
            if bytes.is_empty() {
                return bytes;
            }
            let at = at.index(bytes.len());
            if cut {
                bytes.truncate(at);
            } else {
                bytes[at] = byte;
            }
            bytes
        })
}

proptest! {
    #![proptest_config(cases(1))]

    #[test]
    fn every_decoder_takes_arbitrary_bytes(status in status(), body in body_bytes()) {
        every_decoder(status, &body)?;
    }

    #[test]
    fn the_multipart_encoder_takes_any_file_name_and_uid(
        file in prop::collection::vec(any::<u8>(), 0..64),
        name in "\\PC{0,16}",
        uid in "\\PC{0,16}",
    ) {
        let config = Config::builder().api_key("k").build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let upload = UploadFile::from_bytes(file.clone()).with_file_name(name);
        for request in [
            ImportWebhook::new(upload.clone()).build(&config),
            ImportExistingWebhook::new(uid, upload).build(&config),
        ] {
            match request {
                Ok(request) => {
                    let body = request.body();
                    prop_assert!(body.windows(file.len().max(1)).any(|w| w == &file[..]) || file.is_empty());
                }
                Err(Error::InvalidRequest { .. }) => {}
                Err(other) => return Err(TestCaseError::fail(format!("untyped failure: {other:?}"))),
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(10))]

    #[test]
    fn every_decoder_takes_damaged_spec_documents(status in status(), body in damaged_document()) {
        every_decoder(status, &body)?;
    }
}
