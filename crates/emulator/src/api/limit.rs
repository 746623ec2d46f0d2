//! Rate limiting of the Webhooks API (when configured): every answer under
//! `/v3` carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`; a request
//! over its organization's budget gets 429 in Contentstack's error shape with
//! `Retry-After`.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, code};
use crate::ratelimit::{Kind, Verdict, retry_after_secs};
use crate::state::Shared;

/// `X-RateLimit-Limit`.
pub const LIMIT_HEADER: &str = "x-ratelimit-limit";
/// `X-RateLimit-Remaining`.
pub const REMAINING_HEADER: &str = "x-ratelimit-remaining";

/// Counts the request against its organization's budget. A request with no
/// known `api_key` has no organization and is not counted (it gets 412).
pub async fn enforce(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let Some(limiter) = state.limiter.as_ref() else {
        return next.run(request).await;
    };
    let org = request
        .headers()
        .get("api_key")
        .and_then(|v| v.to_str().ok())
        .and_then(|key| state.stacks.get(key.trim()))
        .map(|stack| stack.org_uid.clone());
    let Some(org) = org else {
        return next.run(request).await;
    };
    let kind = if matches!(*request.method(), Method::GET | Method::HEAD) {
        Kind::Read
    } else {
        Kind::Write
    };
    let verdict = limiter.check(&org, kind, Instant::now());
    let mut response = match verdict.refused_for {
        None => next.run(request).await,
        Some(wait) => {
            let mut refused = too_many_requests().into_response();
            refused.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(wait)),
            );
            refused
        }
    };
    add_headers(&mut response, verdict);
    response
}

fn add_headers(response: &mut Response, verdict: Verdict) {
    let headers = response.headers_mut();
    headers.insert(LIMIT_HEADER, HeaderValue::from(verdict.limit));
    headers.insert(REMAINING_HEADER, HeaderValue::from(verdict.remaining));
}

/// 429 as Contentstack answers it.
fn too_many_requests() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        code::RATE_LIMITED,
        "You have exceeded the rate limit. Please try again later.",
    )
}
