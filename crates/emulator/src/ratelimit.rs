//! Contentstack's request budget: a number of read and of write requests per
//! organization per second. Stacks of one organization share its budget.
//!
//! Each organization and kind has a one-second window that opens with its
//! first request; the window's requests count down `remaining`, and once it
//! is spent the rest of the window is refused with the time until it closes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one budget lasts.
const WINDOW: Duration = Duration::from_secs(1);

/// Requests allowed per organization per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// `GET` requests per second.
    pub reads: u32,
    /// Other requests (`POST`, `PUT`, `DELETE`) per second.
    pub writes: u32,
}

impl RateLimit {
    /// Contentstack's limit: 10 reads and 10 writes a second per organization.
    pub const CONTENTSTACK: RateLimit = RateLimit {
        reads: 10,
        writes: 10,
    };

    /// `reads` reads and `writes` writes a second.
    pub const fn new(reads: u32, writes: u32) -> RateLimit {
        RateLimit { reads, writes }
    }
}

/// Which budget a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A `GET` (or `HEAD`).
    Read,
    /// Anything else.
    Write,
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The budget of this kind per window (`X-RateLimit-Limit`).
    pub limit: u32,
    /// What is left of it after this request (`X-RateLimit-Remaining`).
    pub remaining: u32,
    /// `Some(wait until the window closes)` when the request is refused.
    pub refused_for: Option<Duration>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Instant,
    used: u32,
}

/// The windows of every organization.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    windows: Mutex<HashMap<(String, Kind), Window>>,
}

impl RateLimiter {
    /// A limiter enforcing `limit`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `kind` by `org` made at `now`.
    pub fn check(&self, org: &str, kind: Kind, now: Instant) -> Verdict {
        let limit = match kind {
            Kind::Read => self.limit.reads,
            Kind::Write => self.limit.writes,
        };
        // A panic elsewhere while holding the lock leaves the counts usable.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = windows.entry((org.to_owned(), kind)).or_insert(Window {
            opened: now,
            used: 0,
        });
        if now.saturating_duration_since(window.opened) >= WINDOW {
            *window = Window {
                opened: now,
                used: 0,
            };
        }
        if window.used < limit {
            window.used += 1;
            Verdict {
                limit,
                remaining: limit - window.used,
                refused_for: None,
            }
        } else {
            let closes = window.opened + WINDOW;
            Verdict {
                limit,
                remaining: 0,
                refused_for: Some(closes.saturating_duration_since(now)),
            }
        }
    }
}

/// `Retry-After` in whole seconds, rounded up, at least 1 (0 would invite an
/// immediate retry that is refused again).
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_counts_down_then_refuses_until_the_window_closes() {
        let limiter = RateLimiter::new(RateLimit::new(3, 1));
        let t0 = Instant::now();
        let remaining: Vec<u32> = (0..3)
            .map(|_| limiter.check("org", Kind::Read, t0).remaining)
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check("org", Kind::Read, t0 + Duration::from_millis(400));
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.refused_for, Some(Duration::from_millis(600)));
        let next = limiter.check("org", Kind::Read, t0 + WINDOW);
        assert_eq!((next.remaining, next.refused_for), (2, None));
    }

    #[test]
    fn reads_writes_and_organizations_have_separate_budgets() {
        let limiter = RateLimiter::new(RateLimit::new(1, 1));
        let t0 = Instant::now();
        assert!(limiter.check("a", Kind::Read, t0).refused_for.is_none());
        assert!(limiter.check("a", Kind::Write, t0).refused_for.is_none());
        assert!(limiter.check("b", Kind::Read, t0).refused_for.is_none());
        assert!(limiter.check("a", Kind::Read, t0).refused_for.is_some());
        assert!(limiter.check("a", Kind::Write, t0).refused_for.is_some());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
    }
}
