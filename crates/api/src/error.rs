//! The one error type of every call.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use cs_webhooks_model::ErrorBody;

/// Whether a failed request may have reached the server. Decides whether a
/// non-idempotent request (POST) may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sent {
    /// Provably not sent (e.g. the connection could not be made).
    No,
    /// It may have been sent, fully or in part.
    Maybe,
}

/// A failure of the transport (the HTTP library), before any response.
/// Made with [`connect`](Self::connect), [`after_send`](Self::after_send) or
/// [`timeout`](Self::timeout).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("{message}")]
pub struct TransportError {
    /// What went wrong, as the HTTP library put it, after the method and
    /// URL of the request (the clients prefix them, so the message names the
    /// address it could not reach). Never holds credentials: transports
    /// report the URL, not its headers, and the API takes none in the query.
    pub message: String,
    /// Whether the request may have reached the server.
    pub sent: Sent,
    /// Whether this was a timeout.
    pub timed_out: bool,
    /// Set when the response body exceeded this many bytes (the configured
    /// limit); such a response is never retried as is.
    pub too_large: Option<u64>,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A failure to connect: the request was not sent.
    pub fn connect(message: impl Into<String>) -> Self {
        TransportError {
            message: message.into(),
            sent: Sent::No,
            timed_out: false,
            too_large: None,
            source: None,
        }
    }

    /// A failure after the request may have been sent (reset, broken pipe, bad response).
    pub fn after_send(message: impl Into<String>) -> Self {
        TransportError {
            message: message.into(),
            sent: Sent::Maybe,
            timed_out: false,
            too_large: None,
            source: None,
        }
    }

    /// A timeout; `sent` says whether it struck after connecting.
    pub fn timeout(message: impl Into<String>, sent: Sent) -> Self {
        TransportError {
            message: message.into(),
            sent,
            timed_out: true,
            too_large: None,
            source: None,
        }
    }

    /// A response whose body exceeds `limit` bytes: the transport stopped
    /// reading it at the limit.
    pub fn too_large(limit: u64) -> Self {
        TransportError {
            message: format!("the response body exceeds the limit of {limit} bytes"),
            sent: Sent::Maybe,
            timed_out: false,
            too_large: Some(limit),
            source: None,
        }
    }

    /// Names the request that failed before the message (the clients do
    /// this for every transport).
    pub fn with_request(mut self, request: &RequestLine) -> Self {
        self.message = format!("{request}: {}", self.message);
        self
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

/// The method and URL of a request, named in errors. Never holds headers,
/// so never credentials (the API takes none in the query).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLine {
    /// The method.
    pub method: http::Method,
    /// The full URL, query included.
    pub url: String,
}

impl RequestLine {
    /// The request line of `request`.
    pub fn of<B>(request: &http::Request<B>) -> Self {
        RequestLine {
            method: request.method().clone(),
            url: request.uri().to_string(),
        }
    }
}

impl fmt::Display for RequestLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)
    }
}

/// What the client knew about the request a response answers, carried in the
/// response's extensions so the pure decoders can name it in errors.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    pub(crate) request: RequestLine,
    pub(crate) credential: Option<&'static str>,
}

/// Rate-limit headers of a response (`X-RateLimit-*`, `Retry-After`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `Retry-After`, as a wait from when the response arrived.
    pub retry_after: Option<Duration>,
}

/// An error answer of the API (a non-2xx status).
///
/// `Debug` shows the body as text (lossy UTF-8, cut at
/// [`DEBUG_BODY_CHARS`](Self::DEBUG_BODY_CHARS)); the exact bytes are
/// [`body_bytes`](Self::body_bytes).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: http::StatusCode,
    /// Contentstack's `error_code`, when the body had one.
    pub error_code: Option<i64>,
    /// Contentstack's `error_message`, when the body had one.
    pub error_message: Option<String>,
    /// Per-field messages (`errors`), e.g. `name: ["is already taken."]`.
    pub errors: BTreeMap<String, Vec<String>>,
    /// Rate-limit headers.
    pub rate_limit: RateLimit,
    /// The request this answers (method and URL), when a client sent it.
    pub request: Option<RequestLine>,
    /// The kind of credential the request carried (`management token`,
    /// `authtoken`, `OAuth token`), when a client sent it.
    pub credential: Option<&'static str>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl ApiError {
    /// How many characters of the body `Debug` shows.
    pub const DEBUG_BODY_CHARS: usize = 512;

    pub(crate) fn from_response(response: &http::Response<Vec<u8>>) -> Self {
        let body = response.body().clone();
        let parsed = parse_error_body(&body);
        let (error_code, error_message, errors) = match parsed {
            Some(parsed) => (
                parsed.error_code,
                parsed.error_message,
                parsed.errors.into_iter().collect(),
            ),
            None => (None, None, BTreeMap::new()),
        };
        let context = response.extensions().get::<RequestContext>();
        ApiError {
            status: response.status(),
            error_code,
            error_message,
            errors,
            rate_limit: crate::retry::rate_limit_headers(
                response.headers(),
                std::time::SystemTime::now(),
            ),
            request: context.map(|c| c.request.clone()),
            credential: context.and_then(|c| c.credential),
            body,
        }
    }

    /// The body exactly as received.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (bytes that are not UTF-8 replaced).
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("error_message", &self.error_message)
            .field("errors", &self.errors)
            .field("rate_limit", &self.rate_limit)
            .field("request", &self.request.as_ref().map(ToString::to_string))
            .field("credential", &self.credential)
            .field("body", &BodyPreview(&self.body))
            .finish()
    }
}

/// A response body in `Debug` output: its text (lossy UTF-8) as a quoted
/// string, cut at [`ApiError::DEBUG_BODY_CHARS`] characters, rather than a
/// list of decimal bytes.
struct BodyPreview<'a>(&'a [u8]);

impl fmt::Debug for BodyPreview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(self.0);
        let shown: String = text.chars().take(ApiError::DEBUG_BODY_CHARS).collect();
        fmt::Debug::fmt(&shown, f)?;
        if shown.len() < text.len() {
            write!(f, "… ({} bytes in all)", self.0.len())?;
        }
        Ok(())
    }
}

/// Reads an error body; bytes that are not UTF-8 are replaced, so the
/// readable `error_code` and `error_message` around them still count.
fn parse_error_body(body: &[u8]) -> Option<ErrorBody> {
    match serde_json::from_slice(body) {
        Ok(parsed) => Some(parsed),
        Err(_) if std::str::from_utf8(body).is_err() => {
            serde_json::from_str(&String::from_utf8_lossy(body)).ok()
        }
        Err(_) => None,
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered {}", self.status)?;
        // A 404 of the path itself (not of a webhook) usually means a wrong
        // base URL: name the URL so the user can see it.
        if self.status == http::StatusCode::NOT_FOUND
            && let Some(request) = &self.request
        {
            write!(f, " to {request}")?;
        }
        if let Some(code) = self.error_code {
            write!(f, " (error_code {code})")?;
        }
        if let Some(message) = &self.error_message {
            write!(f, ": {message}")?;
        }
        for (field, messages) in &self.errors {
            write!(f, "; {field}: {}", messages.join(", "))?;
        }
        if self.status == http::StatusCode::NOT_FOUND
            && let Some(request) = &self.request
            && !request.url.contains("/v3/")
        {
            write!(
                f,
                " (the API's paths begin with /v3: does the base URL end in /v3?)"
            )?;
        }
        if self.status == http::StatusCode::UNAUTHORIZED
            && let Some(credential) = self.credential
        {
            write!(
                f,
                " (authenticated with the client's {credential} and api_key: check that the {credential} is valid for this stack)"
            )?;
        }
        Ok(())
    }
}

/// Why a call failed. `Debug` shows response bodies as text, like
/// [`ApiError`]'s.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (bad parameter, unreadable import file).
    /// Nothing was sent.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// The transport failed before a response arrived.
    #[error("transport error ({}): {source}", match source.sent { Sent::No => "not sent", Sent::Maybe => "may have been sent" })]
    Transport {
        /// The transport's error; `source.sent` says whether the request may have been sent.
        #[source]
        source: TransportError,
        /// How many attempts were made.
        attempts: u32,
    },
    /// An attempt or the whole operation ran out of time.
    #[error("timed out after {attempts} attempt(s): {message}")]
    Timeout {
        /// Which timeout struck.
        message: String,
        /// Whether the request may have been sent.
        sent: Sent,
        /// How many attempts were made.
        attempts: u32,
        /// The transport's timeout error, when an attempt timed out (none
        /// when the total timeout left no room for another attempt).
        #[source]
        source: Option<TransportError>,
    },
    /// The response body exceeded the configured limit
    /// ([`ConfigBuilder::max_response_bytes`](crate::ConfigBuilder::max_response_bytes)).
    /// Never retried as is; the paging helpers ask for smaller pages instead.
    #[error("the response body exceeds the limit of {limit} bytes (after {attempts} attempt(s))")]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A list walk got the same page twice in a row: the server ignores
    /// `skip`, and walking on would never end.
    #[error("the server returned the same page again at skip {skip}; stopped walking the list")]
    RepeatedPage {
        /// The `skip` of the repeated page.
        skip: u32,
    },
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The API answered 2xx but the body does not match the spec.
    #[error("undecodable {status} response at `{path}`: {message}")]
    Decode {
        /// The HTTP status.
        status: http::StatusCode,
        /// The failing field's path (`webhooks[0].destinations`), empty for the whole document.
        path: String,
        /// What was wrong.
        message: String,
        /// The body, kept so nothing is lost.
        body: Vec<u8>,
    },
}

impl Error {
    /// An [`Error::InvalidRequest`].
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's error, when the API answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether trying the same request again later could succeed (429, 5xx,
    /// transport failures, timeouts). Whether it is *safe* to retry a POST is
    /// [`may_have_been_sent`](Self::may_have_been_sent)'s question.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => {
                api.status == http::StatusCode::TOO_MANY_REQUESTS || api.status.is_server_error()
            }
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::InvalidRequest { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::RepeatedPage { .. } => false,
        }
    }

    /// Whether the request may have reached the server.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::InvalidRequest { .. } => false,
            Error::Transport { source, .. } => source.sent == Sent::Maybe,
            Error::Timeout { sent, .. } => *sent == Sent::Maybe,
            Error::Api(_)
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::RepeatedPage { .. } => true,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { message } => f
                .debug_struct("InvalidRequest")
                .field("message", message)
                .finish(),
            Error::Transport { source, attempts } => f
                .debug_struct("Transport")
                .field("source", source)
                .field("attempts", attempts)
                .finish(),
            Error::Timeout {
                message,
                sent,
                attempts,
                source,
            } => f
                .debug_struct("Timeout")
                .field("message", message)
                .field("sent", sent)
                .field("attempts", attempts)
                .field("source", source)
                .finish(),
            Error::ResponseTooLarge { limit, attempts } => f
                .debug_struct("ResponseTooLarge")
                .field("limit", limit)
                .field("attempts", attempts)
                .finish(),
            Error::RepeatedPage { skip } => {
                f.debug_struct("RepeatedPage").field("skip", skip).finish()
            }
            Error::Api(api) => f.debug_tuple("Api").field(api).finish(),
            Error::Decode {
                status,
                path,
                message,
                body,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("path", path)
                .field("message", message)
                .field("body", &BodyPreview(body))
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_bodies_as_text_cut_at_the_limit() {
        let long = format!(r#"{{"error_message":"{}"}}"#, "x".repeat(2000));
        let response = http::Response::builder()
            .status(500)
            .body(long.clone().into_bytes())
            .unwrap();
        let api = ApiError::from_response(&response);
        let debug = format!("{:?}", Error::Api(Box::new(api.clone())));
        assert!(
            debug.contains(r#"body: "{\"error_message\":\"xxx"#),
            "{debug}"
        );
        assert!(
            debug.contains(&format!("… ({} bytes in all)", long.len())),
            "{debug}"
        );
        let body = debug.split("body: ").nth(1).unwrap_or_default();
        assert!(
            body.len() < ApiError::DEBUG_BODY_CHARS + 100,
            "{}",
            body.len()
        );
        assert_eq!(api.body_bytes(), long.as_bytes());

        let decode = Error::Decode {
            status: http::StatusCode::OK,
            path: String::new(),
            message: "not JSON".into(),
            body: b"\xffplain".to_vec(),
        };
        let debug = format!("{decode:?}");
        assert!(debug.contains("body: \"\u{fffd}plain\""), "{debug}");
    }
}
