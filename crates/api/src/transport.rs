//! The two transport traits: one `send` of an `http::Request<Vec<u8>>`.
//! Transport crates implement them on reqwest and ureq; closures implement
//! them too, which is what tests use for fakes.
//!
//! # What a transport does, and what the core does for it
//!
//! A transport sends one request and reads the whole response; it never
//! retries, never follows redirects and treats every status (4xx and 5xx
//! included) as a response. It receives `timeout`, the time left for this
//! attempt (the smaller of the attempt timeout and what remains of the
//! operation's total timeout), and must return within it, connecting,
//! sending, waiting and reading included: a deadline for the whole attempt,
//! not a limit per phase or per read. When it cannot, it returns a
//! [`TransportError::timeout`] saying whether the request may have been sent.
//! It should stop reading a body beyond the configured
//! [`Config::max_response_bytes`] and return [`TransportError::too_large`],
//! so memory stays bounded.
//!
//! The core builds the request (headers, credentials, body), decides about
//! retries, waits between attempts, applies the rate limit, and decodes the
//! response. It starts no attempt, and no wait, that the total timeout does
//! not leave room for: once it has passed, the call ends with
//! [`Error::Timeout`](crate::Error::Timeout). It also holds every transport
//! to the contract as far as it can from outside: the async client races
//! `send` against [`AsyncTransport::sleep`] for `timeout`; the blocking
//! client cannot interrupt a call, so an answer returned after `timeout` is a
//! timeout; a body over the size limit is an
//! [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge), never retried.

use std::future::Future;
use std::time::Duration;

use crate::Config;
use crate::Error;
use crate::error::TransportError;

/// A transport that can be set up from a [`Config`] (its connect timeout,
/// user agent): what `Client::builder().build()` of the transport crates uses.
pub trait TransportFromConfig: Sized {
    /// Sets up the transport.
    fn from_config(config: &Config) -> Result<Self, Error>;
}

/// Sends one request and reads the whole response, blocking the thread.
pub trait BlockingTransport {
    /// Sends `request` and reads the whole response within `timeout` (the
    /// time left for this attempt; `None`: no limit). A non-2xx status is a
    /// response, not an error. See the [module docs](self) for the contract.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;
}

impl<F> BlockingTransport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError>,
{
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        _timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self(request)
    }
}

/// Sends one request and reads the whole response, asynchronously. Also
/// provides the runtime's timer, so this crate depends on no runtime.
pub trait AsyncTransport: Send + Sync {
    /// Sends `request` and reads the whole response within `timeout` (the
    /// time left for this attempt; `None`: no limit). A non-2xx status is a
    /// response, not an error. See the [module docs](self) for the contract.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send;

    /// Waits `duration` (between retries, for the rate limiter).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// Whether [`send`](Self::send) itself ends within its `timeout`, with a
    /// [`TransportError`] of the timeout kind when the time runs out. Then the
    /// client does not race it against a timer of its own (one timer per
    /// attempt instead of two). The default, `false`, is always safe.
    fn enforces_timeout(&self) -> bool {
        false
    }
}

/// An [`AsyncTransport`] made of two closures: one that sends, one that sleeps.
/// For tests and for plugging in another HTTP library.
#[derive(Clone)]
pub struct FnAsyncTransport<S, Z> {
    send: S,
    sleep: Z,
}

impl<S, Z> FnAsyncTransport<S, Z> {
    /// Wraps a send closure and a sleep closure.
    pub fn new(send: S, sleep: Z) -> Self {
        FnAsyncTransport { send, sleep }
    }
}

impl<S, SF, Z, ZF> AsyncTransport for FnAsyncTransport<S, Z>
where
    S: Fn(http::Request<Vec<u8>>) -> SF + Send + Sync,
    SF: Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send,
    Z: Fn(Duration) -> ZF + Send + Sync,
    ZF: Future<Output = ()> + Send,
{
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        _timeout: Option<Duration>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send {
        (self.send)(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (self.sleep)(duration)
    }
}
