//! Workspace integration tests, and the helpers they share: the spec, parsed
//! once, and accessors for its operations and examples.

pub mod capture;
pub mod clients;
pub mod events;
pub mod server;

use std::sync::OnceLock;

use openapiv3::{OpenAPI, Operation, ReferenceOr, Response};
use serde_json::Value;

/// The spec's text, as committed.
pub const SPEC_TEXT: &str = include_str!("../../openapi/webhooks.yaml");

/// The spec, parsed with openapiv3.
pub fn spec() -> &'static OpenAPI {
    static SPEC: OnceLock<OpenAPI> = OnceLock::new();
    SPEC.get_or_init(|| match serde_yaml::from_str(SPEC_TEXT) {
        Ok(spec) => spec,
        Err(e) => panic!("openapi/webhooks.yaml does not parse: {e}"),
    })
}

/// The spec, loaded for validation and generation.
pub fn schema_spec() -> &'static cs_webhooks_schema::Spec {
    static SPEC: OnceLock<cs_webhooks_schema::Spec> = OnceLock::new();
    SPEC.get_or_init(|| match cs_webhooks_schema::Spec::from_yaml(SPEC_TEXT) {
        Ok(spec) => spec,
        Err(e) => panic!("openapi/webhooks.yaml does not load: {e}"),
    })
}

/// An operation of the spec: its path, method and definition.
pub struct Op {
    /// The path template, e.g. `/webhooks/{webhook_uid}`.
    pub path: &'static str,
    /// The lower-case method.
    pub method: &'static str,
    /// The operation.
    pub operation: &'static Operation,
}

/// Every operation in the spec.
pub fn operations() -> Vec<Op> {
    spec()
        .paths
        .iter()
        .filter_map(|(path, item)| item.as_item().map(|item| (path, item)))
        .flat_map(|(path, item)| {
            item.iter().map(move |(method, operation)| Op {
                path: path.as_str(),
                method,
                operation,
            })
        })
        .collect()
}

/// The operation with this operationId.
pub fn operation(id: &str) -> Op {
    operations()
        .into_iter()
        .find(|op| op.operation.operation_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no operation `{id}` in the spec"))
}

/// Follows a `#/components/responses/X` reference.
pub fn resolve_response(response: &'static ReferenceOr<Response>) -> &'static Response {
    match response {
        ReferenceOr::Item(response) => response,
        ReferenceOr::Reference { reference } => {
            let name = reference.trim_start_matches("#/components/responses/");
            match spec()
                .components
                .as_ref()
                .and_then(|c| c.responses.get(name))
            {
                Some(ReferenceOr::Item(response)) => response,
                _ => panic!("response reference {reference} does not resolve"),
            }
        }
    }
}

/// The response of `operation_id` for `status` (e.g. "200", "401", "5XX").
pub fn response(operation_id: &str, status: &str) -> &'static Response {
    let op = operation(operation_id);
    let code = match status.parse::<u16>() {
        Ok(n) => openapiv3::StatusCode::Code(n),
        Err(_) => openapiv3::StatusCode::Range(status.as_bytes()[0].saturating_sub(b'0') as u16),
    };
    let response = op
        .operation
        .responses
        .responses
        .get(&code)
        .unwrap_or_else(|| panic!("{operation_id} has no {status} response"));
    resolve_response(response)
}

/// The JSON example of a response.
pub fn response_example(operation_id: &str, status: &str) -> Value {
    let media = response(operation_id, status)
        .content
        .get("application/json")
        .unwrap_or_else(|| panic!("{operation_id} {status} has no JSON content"));
    media
        .example
        .clone()
        .unwrap_or_else(|| panic!("{operation_id} {status} has no example"))
}

/// The JSON example of a request body.
pub fn request_example(operation_id: &str) -> Value {
    let op = operation(operation_id);
    let body = match &op.operation.request_body {
        Some(ReferenceOr::Item(body)) => body,
        _ => panic!("{operation_id} has no inline request body"),
    };
    body.content
        .get("application/json")
        .and_then(|m| m.example.clone())
        .unwrap_or_else(|| panic!("{operation_id} has no JSON request example"))
}
