//! Verify and parse in one step, from a body and headers or from an
//! `http::Request`: the entry point for any web framework.

use chrono::{DateTime, Utc};
use http::{HeaderMap, Request, StatusCode};

use crate::error::VerifyError;
use crate::event::{Event, EventError};
use crate::verify::{Verified, Verifier};

/// A delivery whose signature passed, parsed into an [`Event`].
///
/// With the `axum` feature it is also an extractor: a handler taking a
/// `VerifiedEvent` runs only for verified deliveries (see the crate docs).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedEvent {
    /// The event.
    pub event: Event,
    /// What was verified.
    pub verified: Verified,
}

/// Why a delivery was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    /// Verification failed.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The signature passed but the body is not an event.
    #[error(transparent)]
    Event(#[from] EventError),
}

impl ReceiveError {
    /// The status to answer with: 401 for a signature problem, 400 for a
    /// malformed body, 503 when no key is available yet (so the sender retries).
    pub fn status(&self) -> StatusCode {
        match self {
            ReceiveError::Verify(e) if e.is_malformed_body() => StatusCode::BAD_REQUEST,
            ReceiveError::Verify(e) if e.is_key_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            ReceiveError::Verify(_) => StatusCode::UNAUTHORIZED,
            ReceiveError::Event(_) => StatusCode::BAD_REQUEST,
        }
    }
}

impl Verifier {
    /// Verifies and parses a delivery at time `now`.
    pub fn receive_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<VerifiedEvent, ReceiveError> {
        let verified = self.verify_at(body, headers, now)?;
        Ok(VerifiedEvent {
            event: Event::from_slice(body)?,
            verified,
        })
    }

    /// Verifies and parses a delivery at time `now`, awaiting an async key fetch if needed.
    pub async fn receive_async_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<VerifiedEvent, ReceiveError> {
        let verified = self.verify_async_at(body, headers, now).await?;
        Ok(VerifiedEvent {
            event: Event::from_slice(body)?,
            verified,
        })
    }

    /// Verifies and parses an `http::Request` at the system clock's time;
    /// for any framework that gives one (hyper, tower services, ...).
    pub fn receive_request<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
    ) -> Result<VerifiedEvent, ReceiveError> {
        self.receive_at(request.body().as_ref(), request.headers(), Utc::now())
    }

    /// Like [`receive_request`](Verifier::receive_request), awaiting an async key fetch if needed.
    pub async fn receive_request_async<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
    ) -> Result<VerifiedEvent, ReceiveError> {
        self.receive_async_at(request.body().as_ref(), request.headers(), Utc::now())
            .await
    }
}
