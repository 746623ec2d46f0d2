//! The axum extractor: read the body, verify, parse, in one step.

use axum_core::extract::{FromRef, FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;

use crate::receive::{ReceiveError, VerifiedEvent};
use crate::verify::Verifier;

/// Why the extractor refused a request: the body could not be read (axum's
/// own rejection, e.g. 413 over the body limit), or the delivery failed
/// (401 signature, 400 malformed, 503 no key yet) with a one-line message.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerifiedEventRejection {
    /// Reading the body failed.
    Body(axum_core::extract::rejection::BytesRejection),
    /// Verifying or parsing failed.
    Receive(ReceiveError),
}

impl IntoResponse for VerifiedEventRejection {
    fn into_response(self) -> Response {
        match self {
            VerifiedEventRejection::Body(rejection) => rejection.into_response(),
            VerifiedEventRejection::Receive(error) => {
                (error.status(), error.to_string()).into_response()
            }
        }
    }
}

/// Needs a [`Verifier`] in the router's state (`FromRef`), e.g.
/// `Router::new().route("/hook", post(handler)).with_state(verifier)`.
impl<S> FromRequest<S> for VerifiedEvent
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = VerifiedEventRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(VerifiedEventRejection::Body)?;
        verifier
            .receive_async_at(&body, &headers, Utc::now())
            .await
            .map_err(VerifiedEventRejection::Receive)
    }
}
