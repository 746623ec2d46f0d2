//! The two transport traits: one `send` of an `http::Request<Vec<u8>>`.
//! Transport crates implement them on reqwest and ureq; closures implement
//! them too, which is what tests use for fakes.

use std::future::Future;
use std::time::Duration;

use crate::error::TransportError;

/// Sends one request and reads the whole response, blocking the thread.
pub trait BlockingTransport {
    /// Sends `request`; `timeout` bounds the whole attempt (None: no limit).
    /// A non-2xx status is a response, not an error.
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
    /// Sends `request`; `timeout` bounds the whole attempt (None: no limit).
    /// A non-2xx status is a response, not an error.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send;

    /// Waits `duration` (between retries, for the rate limiter).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
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
