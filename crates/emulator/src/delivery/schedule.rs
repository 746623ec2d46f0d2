//! What follows a delivery attempt: the retry policy and the circuit breaker
//! as one pure decision, so that the store only stores its result.
//!
//! `retry_policy: automatic` makes 4 more attempts after a failure, 5, 25,
//! 125 and 625 s after the one before (scaled by the emulator's time scale);
//! `manual` makes none, and neither does an attempt an operator asked for.
//! After [`BREAKER_THRESHOLD`](crate::BREAKER_THRESHOLD) consecutive failures
//! the webhook is disabled and marked unhealthy; a delivered attempt resets
//! the count. An interrupted attempt (the emulator stopped while it was in
//! flight) says nothing about the destination: the breaker ignores it, the
//! retry policy treats it as a failure. An attempt whose destination was
//! removed from the webhook is neither counted nor retried.

use crate::config::RETRY_SCHEDULE;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    /// The destination answered 2xx.
    Delivered,
    /// Any other answer, a network error, or a refused target.
    Failed,
    /// The emulator stopped before the attempt finished.
    Interrupted,
    /// The destination the execution was made for is no longer one of the
    /// webhook's: nothing was sent, and nothing can be.
    DestinationRemoved,
}

/// The facts about one finished attempt the decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// How it ended.
    pub result: AttemptResult,
    /// Which attempt of its execution it was (0 = the first).
    pub retry_number: u32,
    /// Whether an operator asked for it (a manual retry).
    pub manual: bool,
    /// When it was made (ms since the epoch); retries are due after it.
    pub at_ms: i64,
}

/// The webhook's state before the attempt is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookState {
    /// Consecutive failed attempts so far.
    pub failures: u32,
    /// Whether the webhook is disabled.
    pub disabled: bool,
    /// Whether its retry policy is `automatic`.
    pub automatic: bool,
}

/// The retry schedule and breaker threshold in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryRules {
    /// Delays before the automatic retries, in ms (already time-scaled).
    pub schedule_ms: Vec<i64>,
    /// Consecutive failures that disable a webhook.
    pub breaker_threshold: u32,
}

impl RetryRules {
    /// The standard schedule multiplied by `time_scale`, and `breaker_threshold`.
    pub fn scaled(time_scale: f64, breaker_threshold: u32) -> RetryRules {
        let schedule_ms = RETRY_SCHEDULE
            .iter()
            .map(|d| {
                let ms = d.as_secs_f64() * 1000.0 * time_scale;
                // Saturating float-to-int conversion; the scale is checked finite at start.
                ms.round().clamp(0.0, i64::MAX as f64) as i64
            })
            .collect();
        RetryRules {
            schedule_ms,
            breaker_threshold,
        }
    }
}

/// What to store after the attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Consecutive failures after this attempt.
    pub failures: u32,
    /// Whether this attempt tripped the breaker: disable the webhook, mark
    /// it unhealthy and drop its queued deliveries.
    pub trip_breaker: bool,
    /// When the next automatic attempt is due (ms), if one follows.
    pub retry_due_ms: Option<i64>,
}

/// Decides what follows `attempt` for a webhook in `state` under `rules`.
pub fn decide(attempt: Attempt, state: WebhookState, rules: &RetryRules) -> Decision {
    let failures = match attempt.result {
        AttemptResult::Delivered => 0,
        AttemptResult::Failed => state.failures.saturating_add(1),
        AttemptResult::Interrupted | AttemptResult::DestinationRemoved => state.failures,
    };
    let trip_breaker = attempt.result == AttemptResult::Failed
        && !state.disabled
        && failures >= rules.breaker_threshold;
    let retries = matches!(
        attempt.result,
        AttemptResult::Failed | AttemptResult::Interrupted
    ) && !attempt.manual
        && state.automatic
        && !state.disabled
        && !trip_breaker;
    let retry_due_ms = usize::try_from(attempt.retry_number)
        .ok()
        .and_then(|n| rules.schedule_ms.get(n))
        .filter(|_| retries)
        .map(|delay| attempt.at_ms.saturating_add(*delay));
    Decision {
        failures,
        trip_breaker,
        retry_due_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BREAKER_THRESHOLD;

    const AT: i64 = 1_000_000;

    fn attempt(result: AttemptResult, retry_number: u32, manual: bool) -> Attempt {
        Attempt {
            result,
            retry_number,
            manual,
            at_ms: AT,
        }
    }

    fn state(failures: u32, disabled: bool, automatic: bool) -> WebhookState {
        WebhookState {
            failures,
            disabled,
            automatic,
        }
    }

    fn decision(failures: u32, trip_breaker: bool, retry_in_ms: Option<i64>) -> Decision {
        Decision {
            failures,
            trip_breaker,
            retry_due_ms: retry_in_ms.map(|d| AT + d),
        }
    }

    #[test]
    fn schedule_is_scaled() {
        assert_eq!(
            RetryRules::scaled(1.0, 10).schedule_ms,
            [5_000, 25_000, 125_000, 625_000]
        );
        assert_eq!(RetryRules::scaled(0.001, 10).schedule_ms, [5, 25, 125, 625]);
        assert_eq!(RetryRules::scaled(0.0, 10).schedule_ms, [0, 0, 0, 0]);
    }

    #[test]
    fn decision_table() {
        use AttemptResult::{Delivered, DestinationRemoved, Failed, Interrupted};
        let scale = 0.01;
        let rules = RetryRules::scaled(scale, BREAKER_THRESHOLD);
        let step = |secs: i64| Some((secs as f64 * 1000.0 * scale) as i64);
        let auto = |failures| state(failures, false, true);
        let manual_policy = |failures| state(failures, false, false);
        #[rustfmt::skip]
        let table: Vec<(&str, Attempt, WebhookState, Decision)> = vec![
            ("success", attempt(Delivered, 0, false), auto(0), decision(0, false, None)),
            ("success resets the failure count", attempt(Delivered, 2, false), auto(9), decision(0, false, None)),
            ("first failure: retry after 5 s", attempt(Failed, 0, false), auto(0), decision(1, false, step(5))),
            ("second failure: retry after 25 s", attempt(Failed, 1, false), auto(1), decision(2, false, step(25))),
            ("third failure: retry after 125 s", attempt(Failed, 2, false), auto(2), decision(3, false, step(125))),
            ("fourth failure: retry after 625 s", attempt(Failed, 3, false), auto(3), decision(4, false, step(625))),
            ("last attempt exhausted", attempt(Failed, 4, false), auto(4), decision(5, false, None)),
            ("manual-retry webhook: no automatic retry", attempt(Failed, 0, false), manual_policy(0), decision(1, false, None)),
            ("an operator's retry is not followed up", attempt(Failed, 1, true), auto(1), decision(2, false, None)),
            ("a delivered manual retry resets the count", attempt(Delivered, 5, true), manual_policy(7), decision(0, false, None)),
            ("ninth consecutive failure does not trip", attempt(Failed, 0, false), manual_policy(8), decision(9, false, None)),
            ("tenth consecutive failure trips the breaker", attempt(Failed, 0, false), manual_policy(9), decision(10, true, None)),
            ("tripping stops automatic retries", attempt(Failed, 1, false), auto(9), decision(10, true, None)),
            ("an already disabled webhook does not trip again", attempt(Failed, 0, false), state(10, true, true), decision(11, false, None)),
            ("interrupted: not counted, still retried", attempt(Interrupted, 0, false), auto(9), decision(9, false, step(5))),
            ("interrupted last attempt: nothing follows", attempt(Interrupted, 4, false), auto(3), decision(3, false, None)),
            ("destination removed: not counted, not retried", attempt(DestinationRemoved, 0, false), auto(9), decision(9, false, None)),
        ];
        for (case, attempt, state, expected) in table {
            assert_eq!(decide(attempt, state, &rules), expected, "{case}");
        }
    }

    #[test]
    fn ten_consecutive_failures_disable_the_webhook() {
        let rules = RetryRules::scaled(1.0, BREAKER_THRESHOLD);
        let mut failures = 0;
        let mut tripped_at = None;
        for n in 1..=BREAKER_THRESHOLD {
            let d = decide(
                attempt(AttemptResult::Failed, 0, false),
                state(failures, false, false),
                &rules,
            );
            failures = d.failures;
            if d.trip_breaker {
                tripped_at.get_or_insert(n);
            }
        }
        assert_eq!(tripped_at, Some(BREAKER_THRESHOLD));
    }
}
