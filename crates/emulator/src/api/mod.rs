//! The HTTP surface: the Webhooks API under `/v3`, the emulator's own routes,
//! and Contentstack-shaped answers for every kind of bad request.

pub mod auth;
pub mod error;
mod events;
mod executions;
#[cfg(test)]
mod fuzz_tests;
mod inspect;
pub mod limit;
mod params;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::shapes::WEBHOOKS_SPEC;
use crate::state::Shared;
use error::ApiError;

/// The emulator's own routes, served at `/openapi/emulator.yaml`.
const EMULATOR_SPEC: &str = include_str!("../../openapi/emulator.yaml");

/// Every route, with the body limit and the fallbacks.
pub fn router(state: Shared) -> Router {
    let limit = state.settings.max_body_bytes;
    let rate_limited = middleware::from_fn_with_state(Arc::clone(&state), limit::enforce);
    let api = Router::new()
        .route("/v3/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/v3/webhooks/import", post(webhooks::import_new))
        .route(
            "/v3/webhooks/{uid}",
            get(webhooks::get_one)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        .route("/v3/webhooks/{uid}/export", get(webhooks::export))
        .route("/v3/webhooks/{uid}/import", post(webhooks::import_existing))
        .route("/v3/webhooks/{uid}/executions", get(executions::list))
        .route("/v3/webhooks/{uid}/retry", post(executions::retry))
        .route("/v3/webhooks/{uid}/logs", get(executions::logs))
        .route_layer(rate_limited);
    Router::new()
        .merge(api)
        .route("/_emulator/events", post(events::fire))
        .route("/_emulator/trigger", post(events::trigger))
        .route("/_emulator/mailbox", get(inspect::mailbox))
        .route("/_emulator/deliveries", get(inspect::deliveries))
        .route("/.well-known/public-keys.json", get(events::public_keys))
        .route(
            "/openapi/webhooks.yaml",
            get(|| async { yaml(WEBHOOKS_SPEC) }),
        )
        .route(
            "/openapi/emulator.yaml",
            get(|| async { yaml(EMULATOR_SPEC) }),
        )
        .route("/", get(events::index))
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method() })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

fn yaml(text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/yaml")], text).into_response()
}

/// The uid from the path; a path that does not decode is an unknown route.
fn path_uid(path: Result<axum::extract::Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|p| p.0).map_err(|_| ApiError::no_route())
}

/// What a failed JSON body becomes for one operation.
#[derive(Debug, Clone, Copy)]
struct BodyErrors {
    code: i64,
    message: &'static str,
}

impl BodyErrors {
    fn error(self, field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, self.code, self.message)
            .field(field, message)
    }

    fn error_fields(self, fields: error::FieldErrors) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, self.code, self.message).fields(fields)
    }
}

/// Reads a JSON body: 413 when too large, 422 when the content type is not
/// JSON or the body does not parse.
fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    errors: BodyErrors,
) -> Result<Value, ApiError> {
    let body = json_bytes(headers, body, errors)?;
    serde_json::from_slice(&body)
        .map_err(|e| errors.error("body", format!("is not valid JSON: {e}.")))
}

/// [`json_body`] keeping every number exactly as written (event data; see
/// `exact_numbers`).
fn exact_json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    errors: BodyErrors,
) -> Result<Value, ApiError> {
    let body = json_bytes(headers, body, errors)?;
    crate::exact_numbers::parse(&body)
        .map_err(|e| errors.error("body", format!("is not valid JSON: {e}.")))
}

/// The bytes of a body that says it is JSON.
fn json_bytes(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    errors: BodyErrors,
) -> Result<Bytes, ApiError> {
    let body = read_body(body)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(errors.error("content-type", "must be application/json."));
    }
    Ok(body)
}

/// The body bytes, or 413 / 422 for a body that could not be read.
fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large()
        } else {
            ApiError::parameter("body", "could not be read.")
        }
    })
}
