//! Errors the API answers with, in Contentstack's shape
//! `{"error_message": ..., "error_code": ..., "errors": {field: [..]}}`.
//!
//! Error codes follow the spec's examples where it gives one (105, 109, 141,
//! 344); the others are the emulator's choice and listed in [`code`].

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cs_webhooks_model::ErrorBody;

/// The `error_code` values the emulator answers with.
pub mod code {
    /// 401: missing or wrong credentials.
    pub const UNAUTHORIZED: i64 = 105;
    /// 412: missing or unknown `api_key`.
    pub const API_KEY: i64 = 109;
    /// 404: no webhook or execution with this uid.
    pub const NOT_FOUND: i64 = 141;
    /// 422: create failed validation.
    pub const CREATE_FAILED: i64 = 344;
    /// 422: update failed validation.
    pub const UPDATE_FAILED: i64 = 345;
    /// 422: import failed (bad file or validation).
    pub const IMPORT_FAILED: i64 = 346;
    /// 422: a retry that cannot be scheduled.
    pub const RETRY_FAILED: i64 = 347;
    /// 422: the event could not be fired (emulator route).
    pub const EVENT_FAILED: i64 = 348;
    /// 422: a query parameter or header is not valid.
    pub const BAD_PARAMETER: i64 = 422;
    /// 422: the `branch` header names no branch of the stack.
    pub const BRANCH: i64 = 903;
    /// 404: no such route.
    pub const NO_ROUTE: i64 = 404;
    /// 405: the route exists, the method does not.
    pub const METHOD: i64 = 405;
    /// 413: the body is larger than the emulator accepts.
    pub const TOO_LARGE: i64 = 413;
    /// 429: over the organization's request budget (the HTTP status, as Contentstack answers).
    pub const RATE_LIMITED: i64 = 429;
    /// 500: the emulator failed.
    pub const INTERNAL: i64 = 500;
}

/// An error answer: status, Contentstack error code, message and per-field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: i64,
    message: Cow<'static, str>,
    errors: HashMap<String, Vec<String>>,
}

impl ApiError {
    /// An error with no per-field messages.
    pub fn new(status: StatusCode, code: i64, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: HashMap::new(),
        }
    }

    /// Adds a message for `field`.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors
            .entry(field.into())
            .or_default()
            .push(message.into());
        self
    }

    /// Adds every message of `errors`.
    #[must_use]
    pub fn fields(mut self, errors: FieldErrors) -> Self {
        for (field, message) in errors.0 {
            self = self.field(field, message);
        }
        self
    }

    /// 412 for a missing or unknown `api_key`.
    pub fn api_key() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            code::API_KEY,
            "Api key is not valid.",
        )
        .field("api_key", "is not valid.")
    }

    /// 401 for missing or wrong credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            code::UNAUTHORIZED,
            "You're not allowed in here unless you're logged in.",
        )
        .field("authorization", "is not valid.")
    }

    /// 422 for an unknown branch.
    pub fn branch() -> Self {
        Self::branch_because("is not valid.")
    }

    /// 422 for a `branch` that names no branch, saying why.
    pub fn branch_because(message: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::BRANCH,
            "Branch was not found.",
        )
        .field("branch", message)
    }

    /// 404 for an unknown webhook uid.
    pub fn webhook_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            "Webhook was not found.",
        )
        .field("uid", "is not valid.")
    }

    /// 404 for an unknown execution uid.
    pub fn execution_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            "Webhook execution was not found.",
        )
        .field("execution_uid", "is not valid.")
    }

    /// 422 for a bad query parameter.
    pub fn parameter(name: &str, message: impl Into<String>) -> Self {
        Self::parameters(FieldErrors::default()).field(name, message)
    }

    /// 422 for query parameters, with a message for each.
    pub fn parameters(errors: FieldErrors) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::BAD_PARAMETER,
            "The request parameters are not valid.",
        )
        .fields(errors)
    }

    /// 413 for an oversized body.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::TOO_LARGE,
            "The request body is too large.",
        )
    }

    /// 404 for an unknown route.
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NO_ROUTE,
            "The requested URL was not found.",
        )
    }

    /// 405 for a known route with another method.
    pub fn method() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            code::METHOD,
            "This method is not allowed on this URL.",
        )
    }

    /// 500; the cause is logged by the caller, never sent.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            "Something went wrong. Please try again.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: Some(self.code),
            error_message: Some(self.message.into_owned()),
            errors: self.errors,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Per-field validation messages, collected in order, before they become an [`ApiError`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// Records `message` for `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` has a message.
    #[cfg(test)]
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// Every message as `field: message`, joined with `; `.
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The first message for `field`.
    #[cfg(test)]
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}
