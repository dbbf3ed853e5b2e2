//! Retry policy: which failures are retried, how long to wait, when to give up.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use rand::Rng;

/// How the client retries idempotent calls (`GET`, `POST .../list`, `POST /groups`).
///
/// Retried: connect errors, timeouts, truncated bodies, 429, 500, 502, 503, 504. The wait before
/// attempt *n+1* is a random duration in `[0, min(max_delay, initial_delay * 2^(n-1))]` ("full
/// jitter"), or the server's `Retry-After` / `X-Ratelimit-Reset` hint when that is longer. The
/// policy gives up after `max_attempts` attempts, or when the next wait would end past
/// `max_elapsed` since the first attempt.
///
/// ```
/// use std::time::Duration;
/// use nutanix_prism::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(3)
///     .initial_delay(Duration::from_millis(200))
///     .max_elapsed(Duration::from_secs(30));
/// assert_eq!(policy.get_max_attempts(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, 500 ms initial delay, 30 s maximum delay, 120 s in total.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (one attempt).
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (values below 1 count as 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Base of the exponential backoff.
    #[must_use]
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Upper bound of a single wait (server hints are also capped by `max_elapsed`).
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Upper bound of the time from the first attempt until giving up.
    #[must_use]
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Configured attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Configured total time budget.
    pub fn get_max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The wait before the attempt following attempt number `attempt` (1-based), honouring a
    /// server hint; `None` when the policy gives up (attempts used up, or the wait would overrun
    /// the time budget given `elapsed` so far).
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        elapsed: Duration,
        hint: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = self
            .initial_delay
            .checked_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let jittered = if exp.is_zero() {
            Duration::ZERO
        } else {
            let nanos = u64::try_from(exp.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(rand::rng().random_range(0..=nanos))
        };
        let delay = match hint {
            Some(h) => h.max(jittered),
            None => jittered,
        };
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return None;
        }
        Some(delay)
    }
}

/// The server's wait hint: `Retry-After` (delta seconds or HTTP date), else `X-Ratelimit-Reset`
/// (seconds until the window resets; epoch seconds are recognised and converted).
pub(crate) fn retry_hint(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = text("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(secs) = v.parse::<f64>()
            && secs.is_finite()
            && secs >= 0.0
        {
            return Some(Duration::from_secs_f64(secs));
        }
        if let Ok(at) = httpdate::parse_http_date(v) {
            return Some(
                at.duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO),
            );
        }
    }
    for name in ["x-ratelimit-reset", "x-api-ratelimit-reset"] {
        if let Some(v) = text(name)
            && let Ok(secs) = v.parse::<f64>()
            && secs.is_finite()
            && secs >= 0.0
        {
            // Large values are an epoch timestamp rather than a delta.
            if secs > 1_000_000_000.0 {
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default();
                return Some(Duration::from_secs_f64(secs).saturating_sub(now));
            }
            return Some(Duration::from_secs_f64(secs));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn backoff_is_bounded_and_gives_up() {
        let p = RetryPolicy::default()
            .max_attempts(4)
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(250));
        for attempt in 1..4 {
            let d = p.next_delay(attempt, Duration::ZERO, None).unwrap();
            assert!(d <= Duration::from_millis(250), "{d:?}");
        }
        assert_eq!(p.next_delay(4, Duration::ZERO, None), None);
    }

    #[test]
    fn hint_wins_but_respects_total_budget() {
        let p = RetryPolicy::default().max_elapsed(Duration::from_secs(10));
        assert_eq!(
            p.next_delay(1, Duration::ZERO, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            p.next_delay(1, Duration::from_secs(5), Some(Duration::from_secs(7))),
            None
        );
    }

    #[test]
    fn none_policy_never_retries() {
        assert_eq!(
            RetryPolicy::none().next_delay(1, Duration::ZERO, None),
            None
        );
    }

    #[test]
    fn parses_retry_after_and_ratelimit_reset() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_hint(&h), Some(Duration::from_secs(3)));

        let mut h = HeaderMap::new();
        let future = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(future)).unwrap(),
        );
        let d = retry_hint(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );

        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("2"));
        assert_eq!(retry_hint(&h), Some(Duration::from_secs(2)));

        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_hint(&h), None);
    }
}
