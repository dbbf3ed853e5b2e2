//! The lower bound of a collection's wall time imposed by Prism Central itself.

use std::time::Duration;

/// The fastest a client can issue `requests` requests to a Prism Central that answers each
/// after `latency` and accepts at most `rate_limit` requests per second, with at most
/// `concurrency` requests in flight: `max(requests / rate_limit, ceil(requests / concurrency)
/// × latency)`.
///
/// A `rate_limit` of zero or less means "no rate limit" (only the latency term counts); a
/// `concurrency` of zero counts as one.
pub fn bound(requests: u64, rate_limit: f64, concurrency: u64, latency: Duration) -> Duration {
    let rate_term = if rate_limit > 0.0 {
        requests as f64 / rate_limit
    } else {
        0.0
    };
    let waves = requests.div_ceil(concurrency.max(1));
    let latency_term = waves as f64 * latency.as_secs_f64();
    Duration::from_secs_f64(rate_term.max(latency_term))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_larger_term_wins() {
        let ms = Duration::from_millis;
        // 206 requests, 80/s: 2.575 s; 4 in flight: 52 waves x 100 ms = 5.2 s.
        assert_eq!(bound(206, 80.0, 4, ms(100)), ms(5200));
        // 16 in flight: 13 waves x 100 ms = 1.3 s < 2.575 s.
        assert_eq!(bound(206, 80.0, 16, ms(100)), ms(2575));
        // Sequential.
        assert_eq!(bound(10, 80.0, 1, ms(100)), ms(1000));
        // No rate limit, zero concurrency treated as one.
        assert_eq!(bound(3, 0.0, 0, ms(10)), ms(30));
    }
}
