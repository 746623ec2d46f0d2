//! The retry decision: a pure function of the policy, the method, the attempt
//! number and what happened. The clients' loops only carry it out.

use std::time::{Duration, SystemTime};

use crate::RetryConfig;
use crate::error::{RateLimit, Sent};

/// What an attempt ended with, as the retry decision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A response with this status; `retry_after` from its headers.
    Response {
        /// The status.
        status: http::StatusCode,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// The transport failed or timed out; `sent` says whether the request may
    /// have reached the server.
    Failed {
        /// Whether the request may have been sent.
        sent: Sent,
    },
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Done: return this outcome to the caller.
    Stop,
    /// Wait this long, then try again.
    RetryAfter(Duration),
}

/// Whether a method may be repeated without changing the result.
pub fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::PUT
            | http::Method::DELETE
            | http::Method::OPTIONS
    )
}

/// Decides what follows attempt number `attempt` (1-based).
///
/// - 429: retried for every method (the server refused it, so it did not act
///   on it), after `Retry-After` when given (never less than the shortest
///   backoff, so a date in the past does not mean "at once"), else after the
///   backoff.
/// - 5xx and transport failures: retried for idempotent methods (GET, PUT,
///   DELETE); a POST only when it was provably not sent (connect failure).
/// - Anything else (2xx, 4xx): stop.
///
/// `jitter` is a sample in `[0, 1)`; tests pass fixed values.
pub fn decide(
    policy: &RetryConfig,
    method: &http::Method,
    attempt: u32,
    outcome: AttemptOutcome,
    jitter: f64,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let backoff = policy.backoff(attempt, jitter);
    match outcome {
        AttemptOutcome::Response {
            status,
            retry_after,
        } if status == http::StatusCode::TOO_MANY_REQUESTS => match retry_after {
            Some(wait) if wait > policy.max_retry_after => Decision::Stop,
            // `Retry-After` is a minimum; one in the past (or 0) would mean
            // "now", so the shortest backoff is the floor.
            Some(wait) => Decision::RetryAfter(wait.max(policy.backoff(attempt, 0.0))),
            None => Decision::RetryAfter(backoff),
        },
        AttemptOutcome::Response { status, .. } if status.is_server_error() => {
            if is_idempotent(method) {
                Decision::RetryAfter(backoff)
            } else {
                Decision::Stop
            }
        }
        AttemptOutcome::Response { .. } => Decision::Stop,
        AttemptOutcome::Failed { sent } => {
            if is_idempotent(method) || sent == Sent::No {
                Decision::RetryAfter(backoff)
            } else {
                Decision::Stop
            }
        }
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Reads the rate-limit headers of a response.
pub fn rate_limit_headers(headers: &http::HeaderMap, now: SystemTime) -> RateLimit {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    RateLimit {
        limit: number("x-ratelimit-limit"),
        remaining: number("x-ratelimit-remaining"),
        retry_after: headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{Method, StatusCode};

    fn response(status: u16, retry_after: Option<u64>) -> AttemptOutcome {
        AttemptOutcome::Response {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn success_and_client_errors_stop() {
        let p = RetryConfig::default();
        for status in [200, 201, 400, 401, 404, 412, 422] {
            assert_eq!(
                decide(&p, &Method::GET, 1, response(status, None), 0.5),
                Decision::Stop
            );
        }
    }

    #[test]
    fn too_many_requests_honours_retry_after_for_every_method() {
        let p = RetryConfig::default();
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            assert_eq!(
                decide(&p, &method, 1, response(429, Some(3)), 0.5),
                Decision::RetryAfter(Duration::from_secs(3))
            );
        }
    }

    #[test]
    fn too_many_requests_without_retry_after_backs_off() {
        let p = RetryConfig::default();
        assert_eq!(
            decide(&p, &Method::POST, 1, response(429, None), 1.0),
            Decision::RetryAfter(Duration::from_millis(500))
        );
    }

    #[test]
    fn a_retry_after_in_the_past_waits_the_backoff_floor() {
        let p = RetryConfig::default();
        for attempt in 1..4 {
            assert_eq!(
                decide(&p, &Method::GET, attempt, response(429, Some(0)), 0.9),
                Decision::RetryAfter(p.backoff(attempt, 0.0))
            );
        }
        assert_eq!(
            decide(&p, &Method::GET, 1, response(429, Some(0)), 0.9),
            Decision::RetryAfter(Duration::from_millis(250))
        );
    }

    #[test]
    fn a_retry_after_beyond_the_cap_stops() {
        let p = RetryConfig::default();
        assert_eq!(
            decide(&p, &Method::GET, 1, response(429, Some(3600)), 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn server_errors_retry_idempotent_methods_only() {
        let p = RetryConfig::default();
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            assert!(matches!(
                decide(&p, &method, 1, response(503, None), 0.0),
                Decision::RetryAfter(_)
            ));
        }
        assert_eq!(
            decide(&p, &Method::POST, 1, response(503, None), 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn a_post_is_retried_only_when_provably_not_sent() {
        let p = RetryConfig::default();
        let not_sent = AttemptOutcome::Failed { sent: Sent::No };
        let maybe = AttemptOutcome::Failed { sent: Sent::Maybe };
        assert!(matches!(
            decide(&p, &Method::POST, 1, not_sent, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(decide(&p, &Method::POST, 1, maybe, 0.0), Decision::Stop);
        assert!(matches!(
            decide(&p, &Method::GET, 1, maybe, 0.0),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn attempts_are_capped() {
        let p = RetryConfig::default();
        assert!(matches!(
            decide(&p, &Method::GET, 3, response(500, None), 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(&p, &Method::GET, 4, response(500, None), 0.0),
            Decision::Stop
        );
        assert_eq!(
            decide(
                &RetryConfig::never(),
                &Method::GET,
                1,
                response(500, None),
                0.0
            ),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter_and_a_cap() {
        let p = RetryConfig::default();
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(2000));
        assert_eq!(p.backoff(3, 0.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(20, 1.0), Duration::from_secs(30));
        assert_eq!(p.backoff(u32::MAX, 1.0), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(12))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(12));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn rate_limit_headers_are_read() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-ratelimit-limit", "10".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
        headers.insert("retry-after", "2".parse().unwrap());
        let limits = rate_limit_headers(&headers, SystemTime::now());
        assert_eq!(limits.limit, Some(10));
        assert_eq!(limits.remaining, Some(0));
        assert_eq!(limits.retry_after, Some(Duration::from_secs(2)));
    }
}
