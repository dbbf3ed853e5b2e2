//! A token-bucket request limiter, like Prism Central's per-PC requests/s limit.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Outcome of asking the limiter for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Whether the request may proceed.
    pub(crate) allowed: bool,
    /// `X-Ratelimit-Limit`: requests per second.
    pub(crate) limit: u32,
    /// `X-Ratelimit-Remaining`: whole tokens left.
    pub(crate) remaining: u32,
    /// `X-Ratelimit-Reset`: whole seconds until a token is available (at least 1 when refused).
    pub(crate) reset_secs: u64,
}

/// Bucket of `rps` tokens refilled at `rps` per second: a client that never exceeds `rps`
/// requests in any one second (with bursts of at most `rps`) is never refused.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rps: u32,
    state: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub(crate) fn new(rps: u32) -> Self {
        Self {
            rps,
            state: Mutex::new((f64::from(rps), Instant::now())),
        }
    }

    /// Takes one token if available.
    pub(crate) fn check(&self, now: Instant) -> Decision {
        let rate = f64::from(self.rps);
        let Ok(mut state) = self.state.lock() else {
            return Decision {
                allowed: true,
                limit: self.rps,
                remaining: 0,
                reset_secs: 0,
            };
        };
        let (tokens, last) = &mut *state;
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * rate).min(rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Decision {
                allowed: true,
                limit: self.rps,
                remaining: *tokens as u32,
                reset_secs: 0,
            }
        } else {
            let wait = Duration::from_secs_f64((1.0 - *tokens) / rate);
            Decision {
                allowed: false,
                limit: self.rps,
                remaining: 0,
                reset_secs: wait.as_secs().max(1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_then_refill() {
        let limiter = RateLimiter::new(5);
        let t0 = Instant::now();
        for i in 0..5 {
            let d = limiter.check(t0);
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 4 - i);
        }
        let refused = limiter.check(t0);
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 1);
        assert_eq!(refused.limit, 5);
        assert!(
            limiter.check(t0 + Duration::from_millis(200)).allowed,
            "one token refilled after 1/5 s"
        );
        assert!(!limiter.check(t0 + Duration::from_millis(200)).allowed);
    }

    #[test]
    fn steady_rate_below_limit_is_never_refused() {
        let limiter = RateLimiter::new(10);
        let t0 = Instant::now();
        for i in 0..1000u64 {
            assert!(
                limiter.check(t0 + Duration::from_millis(i * 101)).allowed,
                "request {i}"
            );
        }
    }
}
