//! The async and the blocking client: a config, a transport, and the retry
//! loop around `send`. The generated code adds one method per operation to
//! each; both run the same [`Attempts`] bookkeeping, so they behave the same.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::Instrument as _;

use crate::error::{RequestContext, RequestLine, Sent, TransportError};
use crate::random::unit_sample;
use crate::retry::{AttemptOutcome, Decision, decide, rate_limit_headers};
use crate::transport::TransportFromConfig;
use crate::{AsyncTransport, BlockingTransport, Config, ConfigBuilder, Error, Operation};

/// Spaces requests `1 / rate` seconds apart (off unless configured).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(per_second: f64) -> Self {
        RateLimiter {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next_slot: Mutex::new(None),
        }
    }

    /// Reserves the next slot; returns how long to wait for it.
    pub(crate) fn reserve(&self, now: Instant) -> Duration {
        let mut next = match self.next_slot.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let slot = match *next {
            Some(slot) if slot > now => slot,
            _ => now,
        };
        *next = Some(slot + self.interval);
        slot - now
    }
}

/// What the loop does next.
pub(crate) enum Step {
    /// Return this to the caller.
    Done(Result<http::Response<Vec<u8>>, Error>),
    /// Sleep, then attempt again.
    Retry(Duration),
}

/// The bookkeeping of one operation's attempts: timeouts, the retry decision,
/// tracing. Transport-agnostic; the two loops only sleep and send.
pub(crate) struct Attempts<'c, O> {
    config: &'c Config,
    /// Built again only to name the request in an error or a non-2xx answer:
    /// formatting the request line on every call is a cost the successful
    /// calls would pay for nothing.
    operation: &'c O,
    method: http::Method,
    start: Instant,
    attempt: u32,
    sent: Sent,
    /// When the current attempt began, and the time it was given.
    attempt_start: Instant,
    attempt_timeout: Option<Duration>,
}

impl<'c, O: Operation> Attempts<'c, O> {
    pub(crate) fn new(config: &'c Config, operation: &'c O) -> Self {
        // One clock read: on a VM each costs as much as a header.
        let now = Instant::now();
        Attempts {
            config,
            operation,
            method: operation.method(),
            start: now,
            attempt: 0,
            sent: Sent::No,
            attempt_start: now,
            attempt_timeout: None,
        }
    }

    /// Before an attempt: the attempt's timeout, or a timeout error when the
    /// operation's time is up.
    pub(crate) fn begin(&mut self) -> Result<Option<Duration>, Error> {
        let timeouts = self.config.timeouts();
        // The first attempt starts when the operation did: no second clock read.
        let now = if self.attempt == 0 {
            self.start
        } else {
            Instant::now()
        };
        let remaining = timeouts
            .total
            .map(|total| total.saturating_sub(now.saturating_duration_since(self.start)));
        if remaining == Some(Duration::ZERO) {
            return Err(Error::Timeout {
                message: format!(
                    "{}: the operation's total timeout elapsed",
                    self.request_line()
                ),
                sent: self.sent,
                attempts: self.attempt,
                source: None,
            });
        }
        self.attempt += 1;
        self.attempt_start = now;
        self.attempt_timeout = match (timeouts.attempt, remaining) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        };
        Ok(self.attempt_timeout)
    }

    /// The request this operation sends (its first attempt's build).
    pub(crate) fn first_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        self.operation.build(self.config)
    }

    /// The request an attempt sends: `first` (the first attempt's, moved in
    /// without a copy), else built again, since a retry is rare and a build
    /// is pure.
    pub(crate) fn request(
        &self,
        first: &mut Option<http::Request<Vec<u8>>>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        match first.take() {
            Some(request) => Ok(request),
            None => self.first_request(),
        }
    }

    /// The method and URL, for errors.
    fn request_line(&self) -> RequestLine {
        match self.operation.build(self.config) {
            Ok(request) => RequestLine::of(&request),
            // Unreachable after a first build succeeded (builds are pure).
            Err(_) => RequestLine {
                method: self.method.clone(),
                url: String::new(),
            },
        }
    }

    /// What the core checks for every transport, closures included: a body
    /// over the size limit, and an answer that came after the attempt's time.
    fn enforce(
        &self,
        result: Result<http::Response<Vec<u8>>, TransportError>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let limit = self.config.max_response_bytes();
        match result {
            Ok(response) if response.body().len() as u64 > limit => {
                Err(TransportError::too_large(limit))
            }
            Ok(_)
                if self
                    .attempt_timeout
                    .is_some_and(|timeout| self.attempt_start.elapsed() > timeout) =>
            {
                Err(late_answer())
            }
            other => other,
        }
    }

    /// After an attempt: stop with the response or error, or retry after a wait.
    pub(crate) fn end(&mut self, result: Result<http::Response<Vec<u8>>, TransportError>) -> Step {
        let result = self.enforce(result).map(|mut response| {
            // Only the decoders' API errors name the request.
            if !response.status().is_success() {
                response.extensions_mut().insert(RequestContext {
                    request: self.request_line(),
                    credential: self.config.credential_kind(),
                });
            }
            response
        });
        let result = result.map_err(|error| error.with_request(&self.request_line()));
        if let Err(TransportError {
            too_large: Some(limit),
            ..
        }) = &result
        {
            // The same request would get the same answer: never retried.
            tracing::debug!(attempt = self.attempt, limit, "response too large");
            return Step::Done(Err(Error::ResponseTooLarge {
                limit: *limit,
                attempts: self.attempt,
            }));
        }
        let outcome = match &result {
            Ok(response) => {
                self.sent = Sent::Maybe;
                // Only a 429 waits for `Retry-After`: skip the parsing on success.
                let retry_after = (response.status() == http::StatusCode::TOO_MANY_REQUESTS)
                    .then(|| {
                        rate_limit_headers(response.headers(), std::time::SystemTime::now())
                            .retry_after
                    })
                    .flatten();
                tracing::debug!(
                    attempt = self.attempt,
                    status = response.status().as_u16(),
                    "response"
                );
                AttemptOutcome::Response {
                    status: response.status(),
                    retry_after,
                }
            }
            Err(error) => {
                if error.sent == Sent::Maybe {
                    self.sent = Sent::Maybe;
                }
                tracing::debug!(attempt = self.attempt, error = %error.message, "transport failure");
                AttemptOutcome::Failed { sent: error.sent }
            }
        };
        let decision = decide(
            self.config.retry(),
            &self.method,
            self.attempt,
            outcome,
            unit_sample(),
        );
        if let Decision::RetryAfter(wait) = decision {
            let within_total = match self.config.timeouts().total {
                Some(total) => self.start.elapsed() + wait < total,
                None => true,
            };
            if within_total {
                tracing::debug!(
                    attempt = self.attempt,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                return Step::Retry(wait);
            }
        }
        Step::Done(result.map_err(|source| {
            if source.timed_out {
                Error::Timeout {
                    message: source.to_string(),
                    sent: source.sent,
                    attempts: self.attempt,
                    source: Some(source),
                }
            } else {
                Error::Transport {
                    source,
                    attempts: self.attempt,
                }
            }
        }))
    }
}

/// The timeout of an attempt whose transport did not return in time.
fn late_answer() -> TransportError {
    TransportError::timeout(
        "the attempt's time ran out before the transport returned",
        Sent::Maybe,
    )
}

fn limiter(config: &Config) -> Option<Arc<RateLimiter>> {
    config
        .rate_limit()
        .map(|rate| Arc::new(RateLimiter::new(rate)))
}

fn span<O: Operation>(operation: &O) -> tracing::Span {
    tracing::debug_span!("cs_webhooks", operation = operation.id(), method = %operation.method())
}

/// The async client, generic over its transport. Every operation of the API
/// is a method (generated from the spec). `cs_webhooks_async::Client` is this
/// client on reqwest; [`with_transport`](Self::with_transport) takes any other.
#[derive(Debug, Clone)]
pub struct AsyncClient<T> {
    config: Arc<Config>,
    transport: T,
    limiter: Option<Arc<RateLimiter>>,
}

impl<T: AsyncTransport + TransportFromConfig> AsyncClient<T> {
    /// Starts configuring a client on this transport (NA region, no
    /// credentials); `build()` sets up the transport from the settings.
    pub fn builder() -> ConfigBuilder<Self> {
        ConfigBuilder::default()
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// A client sending through `transport`, which you set up (a closure is
    /// a transport too). [`builder`](Self::builder) is the common way.
    pub fn with_transport(config: Config, transport: T) -> Self {
        AsyncClient {
            limiter: limiter(&config),
            config: Arc::new(config),
            transport,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Runs an operation: builds it, sends it with retries, decodes the answer.
    pub(crate) async fn execute<O: Operation>(&self, operation: &O) -> Result<O::Output, Error> {
        O::decode(self.respond(operation).await?)
    }

    /// Builds an operation and sends it with retries: the final response.
    pub(crate) async fn respond<O: Operation>(
        &self,
        operation: &O,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let span = span(operation);
        let work = async {
            let mut attempts = Attempts::new(&self.config, operation);
            let mut first = Some(attempts.first_request()?);
            loop {
                if let Some(limiter) = &self.limiter {
                    let wait = limiter.reserve(Instant::now());
                    if !wait.is_zero() {
                        self.transport.sleep(wait).await;
                    }
                }
                let timeout = attempts.begin()?;
                let request = attempts.request(&mut first)?;
                let result = self.send_within(request, timeout).await;
                match attempts.end(result) {
                    Step::Done(response) => return response,
                    Step::Retry(wait) => self.transport.sleep(wait).await,
                }
            }
        };
        // Entering a span on every poll costs even when nothing listens.
        if span.is_disabled() {
            work.await
        } else {
            work.instrument(span).await
        }
    }

    /// Sends through the transport, racing it against the attempt's time, so
    /// a transport that ignores `timeout` (a closure) cannot overrun it;
    /// one that enforces it (reqwest) is trusted to.
    async fn send_within(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let send = self.transport.send(request, timeout);
        let Some(timeout) = timeout.filter(|_| !self.transport.enforces_timeout()) else {
            return send.await;
        };
        let send = std::pin::pin!(send);
        let expiry = std::pin::pin!(self.transport.sleep(timeout));
        match futures_util::future::select(send, expiry).await {
            futures_util::future::Either::Left((result, _)) => result,
            futures_util::future::Either::Right(((), _)) => Err(late_answer()),
        }
    }
}

/// The blocking client, generic over its transport. Every operation of the
/// API is a method (generated from the spec). `cs_webhooks_blocking::Client`
/// is this client on ureq; [`with_transport`](Self::with_transport) takes any
/// other, a closure included.
#[derive(Debug, Clone)]
pub struct BlockingClient<T> {
    config: Arc<Config>,
    transport: T,
    limiter: Option<Arc<RateLimiter>>,
}

impl<T: BlockingTransport + TransportFromConfig> BlockingClient<T> {
    /// Starts configuring a client on this transport (NA region, no
    /// credentials); `build()` sets up the transport from the settings.
    pub fn builder() -> ConfigBuilder<Self> {
        ConfigBuilder::default()
    }
}

impl<T: BlockingTransport> BlockingClient<T> {
    /// A client sending through `transport`, which you set up (a closure is
    /// a transport too). [`builder`](Self::builder) is the common way.
    pub fn with_transport(config: Config, transport: T) -> Self {
        BlockingClient {
            limiter: limiter(&config),
            config: Arc::new(config),
            transport,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Runs an operation: builds it, sends it with retries, decodes the answer.
    pub(crate) fn execute<O: Operation>(&self, operation: &O) -> Result<O::Output, Error> {
        O::decode(self.respond(operation)?)
    }

    /// Builds an operation and sends it with retries: the final response.
    /// A blocking transport cannot be interrupted: one that overruns its
    /// `timeout` (a closure) is caught when it returns.
    pub(crate) fn respond<O: Operation>(
        &self,
        operation: &O,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let _span = span(operation).entered();
        let mut attempts = Attempts::new(&self.config, operation);
        let mut first = Some(attempts.first_request()?);
        loop {
            if let Some(limiter) = &self.limiter {
                let wait = limiter.reserve(Instant::now());
                if !wait.is_zero() {
                    std::thread::sleep(wait);
                }
            }
            let timeout = attempts.begin()?;
            let request = attempts.request(&mut first)?;
            let result = self.transport.send(request, timeout);
            match attempts.end(result) {
                Step::Done(response) => return response,
                Step::Retry(wait) => std::thread::sleep(wait),
            }
        }
    }
}

/// A call of one operation on one client: set optional parameters with the
/// generated setters, then `.send()` (awaited on the async client). A list
/// operation's call also has `.items()`, every record of every page.
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until sent"]
pub struct Call<'c, C, O> {
    pub(crate) client: &'c C,
    pub(crate) operation: O,
}

impl<'c, C, O> Call<'c, C, O> {
    /// A call of `operation` on `client`.
    pub fn new(client: &'c C, operation: O) -> Self {
        Call { client, operation }
    }

    /// The operation with its parameters.
    pub fn operation(&self) -> &O {
        &self.operation
    }

    /// The operation, to send later or elsewhere.
    pub fn into_operation(self) -> O {
        self.operation
    }
}

impl<'c, T: AsyncTransport, O: Operation + Sync> Call<'c, AsyncClient<T>, O> {
    /// Sends the call.
    pub async fn send(self) -> Result<O::Output, Error> {
        self.client.execute(&self.operation).await
    }
}

impl<'c, T: BlockingTransport, O: Operation> Call<'c, BlockingClient<T>, O> {
    /// Sends the call.
    pub fn send(self) -> Result<O::Output, Error> {
        self.client.execute(&self.operation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limiter_spaces_requests() {
        let limiter = RateLimiter::new(10.0);
        let now = Instant::now();
        assert_eq!(limiter.reserve(now), Duration::ZERO);
        assert_eq!(limiter.reserve(now), Duration::from_millis(100));
        assert_eq!(limiter.reserve(now), Duration::from_millis(200));
        // After a quiet period there is no backlog.
        let later = now + Duration::from_secs(5);
        assert_eq!(limiter.reserve(later), Duration::ZERO);
    }
}
