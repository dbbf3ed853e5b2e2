//! Retry policy for idempotent calls.

use std::time::Duration;

/// How idempotent calls (`get`, `list`, `get_data`, `get_auth_info`) are retried when a core
/// service answers `UNAVAILABLE` (or cannot be reached). Calls that change state (`create`,
/// `collect`, `issue`, `grant`, `register`) are never retried.
///
/// The delay before retry *n* is `initial_backoff * 2^(n-1)`, capped at `max_backoff`.
/// The default makes 3 attempts (2 retries, like CloudForet's own Python client) starting at
/// 200 ms and capped at 2 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// A policy making at most `max_attempts` attempts in total (values below 1 count as 1),
    /// with the default backoff.
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        Self::new(1)
    }

    /// Sets the first delay and the cap on delays (the cap is raised to `initial` if lower).
    #[must_use]
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Total attempts allowed, including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry number `retry` (1 for the first retry).
    pub fn backoff(&self, retry: u32) -> Duration {
        let shift = retry.saturating_sub(1).min(20);
        self.initial_backoff
            .saturating_mul(1 << shift)
            .min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::new(10)
            .with_backoff(Duration::from_millis(100), Duration::from_millis(500));
        let got: Vec<_> = (1..=5).map(|n| p.backoff(n).as_millis()).collect();
        assert_eq!(got, [100, 200, 400, 500, 500]);
        assert_eq!(p.backoff(u32::MAX), Duration::from_millis(500));
    }

    #[test]
    fn attempts_are_at_least_one() {
        assert_eq!(RetryPolicy::new(0).max_attempts(), 1);
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(), 3);
    }
}
