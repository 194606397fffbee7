//! When to retry, and how long to wait first. Pure: time and randomness are passed in.

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttemptOutcome {
    /// An HTTP response with this status; `retry_after_ms` is the server-given delay.
    Status { status: u16, retry_after_ms: Option<f64> },
    /// No complete response: refused, reset, DNS...
    Network,
    /// This attempt hit the per-attempt timeout (not the overall deadline).
    AttemptTimeout,
    /// A 2xx whose body did not decode (truncated JSON): transient on a flaky link.
    Decode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub limit: u32,
    /// First backoff step; doubles each retry.
    pub base_delay_ms: f64,
    /// Cap of a computed (not server-given) backoff.
    pub max_delay_ms: f64,
    /// A server asking for a longer wait than this is not retried: the error (with its
    /// `retryAfter`) goes to the caller, who can decide; waiting less than asked would
    /// only earn another 429.
    pub max_retry_after_ms: f64,
    /// Statuses worth retrying.
    pub statuses: Vec<u16>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            limit: 3,
            base_delay_ms: 500.0,
            max_delay_ms: 30_000.0,
            max_retry_after_ms: 120_000.0,
            statuses: vec![408, 429, 500, 502, 503, 504],
        }
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryDecision {
    /// Wait this long, then try again. `server_given` delays carry no jitter.
    Retry { delay_ms: f64, server_given: bool },
    GiveUp,
}

impl RetryPolicy {
    pub fn is_retryable_status(&self, status: u16) -> bool {
        self.statuses.contains(&status)
    }

    /// `attempts` = attempts made so far (≥ 1). `method_retryable` = idempotent method or the
    /// caller opted in. `random` is uniform in [0, 1).
    pub fn decide(&self, attempts: u32, method_retryable: bool, outcome: AttemptOutcome, random: f64) -> RetryDecision {
        if !method_retryable || attempts > self.limit {
            return RetryDecision::GiveUp;
        }
        let server_delay = match outcome {
            AttemptOutcome::Status { status, retry_after_ms } => {
                if !self.is_retryable_status(status) {
                    return RetryDecision::GiveUp;
                }
                retry_after_ms
            }
            AttemptOutcome::Network | AttemptOutcome::AttemptTimeout | AttemptOutcome::Decode => None,
        };
        if let Some(ms) = server_delay {
            if ms > self.max_retry_after_ms {
                return RetryDecision::GiveUp;
            }
            return RetryDecision::Retry { delay_ms: ms, server_given: true };
        }
        RetryDecision::Retry { delay_ms: self.backoff_ms(attempts, random), server_given: false }
    }

    /// "Equal jitter": half the exponential step is fixed, half random, so delays still grow
    /// while concurrent clients spread out.
    pub fn backoff_ms(&self, attempts: u32, random: f64) -> f64 {
        let exp = attempts.saturating_sub(1).min(30) as i32;
        let step = (self.base_delay_ms * 2f64.powi(exp)).min(self.max_delay_ms);
        let r = random.clamp(0.0, 1.0);
        step / 2.0 + r * step / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: u16) -> AttemptOutcome {
        AttemptOutcome::Status { status: s, retry_after_ms: None }
    }

    #[test]
    fn retries_only_retryable_statuses_and_methods() {
        let p = RetryPolicy::default();
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(p.decide(1, true, status(s), 0.5), RetryDecision::Retry { .. }), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 422, 501] {
            assert_eq!(p.decide(1, true, status(s), 0.5), RetryDecision::GiveUp, "{s}");
        }
        assert_eq!(p.decide(1, false, status(503), 0.5), RetryDecision::GiveUp);
        assert!(matches!(p.decide(1, true, AttemptOutcome::Network, 0.5), RetryDecision::Retry { .. }));
        assert!(matches!(p.decide(1, true, AttemptOutcome::Decode, 0.5), RetryDecision::Retry { .. }));
        assert!(matches!(p.decide(1, true, AttemptOutcome::AttemptTimeout, 0.5), RetryDecision::Retry { .. }));
    }

    #[test]
    fn limit_counts_retries_after_the_first_attempt() {
        let p = RetryPolicy { limit: 2, ..Default::default() };
        assert!(matches!(p.decide(1, true, status(503), 0.0), RetryDecision::Retry { .. }));
        assert!(matches!(p.decide(2, true, status(503), 0.0), RetryDecision::Retry { .. }));
        assert_eq!(p.decide(3, true, status(503), 0.0), RetryDecision::GiveUp);
        let none = RetryPolicy { limit: 0, ..Default::default() };
        assert_eq!(none.decide(1, true, status(503), 0.0), RetryDecision::GiveUp);
    }

    #[test]
    fn server_delay_is_exact_and_capped() {
        let p = RetryPolicy { max_retry_after_ms: 10_000.0, ..Default::default() };
        let o = AttemptOutcome::Status { status: 429, retry_after_ms: Some(1234.0) };
        assert_eq!(p.decide(1, true, o, 0.99), RetryDecision::Retry { delay_ms: 1234.0, server_given: true });
        let too_long = AttemptOutcome::Status { status: 429, retry_after_ms: Some(60_000.0) };
        assert_eq!(p.decide(1, true, too_long, 0.5), RetryDecision::GiveUp);
    }

    #[test]
    fn backoff_grows_with_bounded_jitter() {
        let p = RetryPolicy { base_delay_ms: 100.0, max_delay_ms: 1000.0, ..Default::default() };
        assert_eq!(p.backoff_ms(1, 0.0), 50.0);
        assert_eq!(p.backoff_ms(1, 1.0), 100.0);
        assert_eq!(p.backoff_ms(2, 0.0), 100.0);
        assert_eq!(p.backoff_ms(3, 0.0), 200.0);
        assert_eq!(p.backoff_ms(50, 1.0), 1000.0);
        for r in [0.0, 0.3, 0.99] {
            let d = p.backoff_ms(2, r);
            assert!((100.0..=200.0).contains(&d));
        }
    }
}
