//! Client-side token bucket shared by every clone of a client.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A token bucket: `rate` tokens per second, burst of `max(1, rate)` tokens.
///
/// Waiters take turns through an async mutex, so a burst of callers is paced fairly. Time comes
/// from `tokio::time`, so tests with paused time run instantly.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Option<Instant>,
}

impl RateLimiter {
    /// A limiter of `per_second` requests per second (must be > 0).
    pub(crate) fn new(per_second: f64) -> Self {
        let burst = per_second.max(1.0);
        Self {
            rate: per_second,
            burst,
            state: Mutex::new(Bucket {
                tokens: burst,
                last: None,
            }),
        }
    }

    /// Waits until a request may be sent.
    pub(crate) async fn acquire(&self) {
        let mut bucket = self.state.lock().await;
        let now = Instant::now();
        let last = bucket.last.unwrap_or(now);
        bucket.tokens = (bucket.tokens
            + now.saturating_duration_since(last).as_secs_f64() * self.rate)
            .min(self.burst);
        bucket.last = Some(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return;
        }
        let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate);
        // Keep the lock while sleeping so later callers queue behind this one.
        tokio::time::sleep(wait).await;
        bucket.tokens = 0.0;
        bucket.last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paces_requests_after_the_burst() {
        let limiter = RateLimiter::new(2.0);
        let start = Instant::now();
        for _ in 0..6 {
            limiter.acquire().await;
        }
        // 2 from the burst, then 4 more at 2/s = 2 s of virtual time.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(1990), "{elapsed:?}");
        assert!(elapsed <= Duration::from_millis(2100), "{elapsed:?}");
    }
}
