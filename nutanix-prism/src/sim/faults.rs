//! Seeded fault injection: which request gets which failure.

use std::fmt;
use std::str::FromStr;

use super::error::SimError;
use super::rng::{Rng, stream};

/// One kind of injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// `500 Internal Server Error` with a plain-text body.
    InternalError,
    /// `503 Service Unavailable` with envoy's plain-text body.
    Unavailable,
    /// `429 Too Many Requests` with `X-Ratelimit-*` headers (independent of the real limiter).
    TooManyRequests,
    /// `200` with a `Content-Length` for the whole body, then the connection is cut midway.
    Truncate,
    /// The connection is closed without any response.
    Reset,
    /// The response body is streamed slowly, in small chunks.
    Slow,
}

impl FaultKind {
    /// Every kind, in the order rates are drawn.
    pub const ALL: [FaultKind; 6] = [
        Self::InternalError,
        Self::Unavailable,
        Self::TooManyRequests,
        Self::Truncate,
        Self::Reset,
        Self::Slow,
    ];

    /// The key used in fault specifications (`500`, `503`, `429`, `truncate`, `reset`, `slow`).
    pub fn key(self) -> &'static str {
        match self {
            Self::InternalError => "500",
            Self::Unavailable => "503",
            Self::TooManyRequests => "429",
            Self::Truncate => "truncate",
            Self::Reset => "reset",
            Self::Slow => "slow",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.key().eq_ignore_ascii_case(key))
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Probabilities of each fault per request (each in `0..=1`, summing to at most 1).
///
/// Parsed from `500=0.05,503=0.03,429=0.02,truncate=0.02,reset=0.01,slow=0.01`; keys may be
/// omitted (rate 0) but not repeated. Whether request number `n` fails, and how, is a pure
/// function of the simulator's seed and `n`, so a sequential client sees the same faults on
/// every run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultConfig {
    rates: [f64; 6],
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Sets the rate of one fault kind (clamped to `0..=1`; validated against the sum on start).
    #[must_use]
    pub fn with(mut self, kind: FaultKind, rate: f64) -> Self {
        let rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.rates[Self::slot(kind)] = rate;
        self
    }

    /// The rate of one fault kind.
    pub fn rate(&self, kind: FaultKind) -> f64 {
        self.rates[Self::slot(kind)]
    }

    /// Sum of all rates.
    pub fn total(&self) -> f64 {
        self.rates.iter().sum()
    }

    /// Whether every rate is zero.
    pub fn is_none(&self) -> bool {
        self.total() == 0.0
    }

    fn slot(kind: FaultKind) -> usize {
        FaultKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }

    /// The fault for request number `seq`, if any.
    pub(crate) fn draw(&self, seed: u64, seq: u64) -> Option<FaultKind> {
        if self.is_none() {
            return None;
        }
        let mut roll = Rng::new(seed, stream::FAULT, seq).unit();
        for (kind, rate) in FaultKind::ALL.into_iter().zip(self.rates) {
            if roll < rate {
                return Some(kind);
            }
            roll -= rate;
        }
        None
    }
}

impl FromStr for FaultConfig {
    type Err = SimError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| SimError::InvalidFaults {
            input: input.to_owned(),
            reason,
        };
        let mut config = Self::none();
        let mut seen = [false; 6];
        for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| err(format!("`{part}` is not `kind=rate`")))?;
            let kind = FaultKind::from_key(key.trim()).ok_or_else(|| {
                err(format!(
                    "unknown fault `{}`; known: 500, 503, 429, truncate, reset, slow",
                    key.trim()
                ))
            })?;
            let rate: f64 = value.trim().parse().map_err(|_| {
                err(format!(
                    "rate `{}` of `{kind}` is not a number",
                    value.trim()
                ))
            })?;
            if !(0.0..=1.0).contains(&rate) {
                return Err(err(format!("rate {rate} of `{kind}` is outside 0..=1")));
            }
            let slot = Self::slot(kind);
            if seen[slot] {
                return Err(err(format!("`{kind}` is given twice")));
            }
            seen[slot] = true;
            config.rates[slot] = rate;
        }
        if config.total() > 1.0 + 1e-9 {
            return Err(err(format!(
                "rates sum to {:.4}, more than 1",
                config.total()
            )));
        }
        Ok(config)
    }
}

impl fmt::Display for FaultConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (kind, rate) in FaultKind::ALL.into_iter().zip(self.rates) {
            if rate > 0.0 {
                if !first {
                    f.write_str(",")?;
                }
                write!(f, "{kind}={rate}")?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let c: FaultConfig = "500=0.05,503=0.03,429=0.02,truncate=0.02,reset=0.01,slow=0.01"
            .parse()
            .unwrap();
        assert_eq!(c.rate(FaultKind::InternalError), 0.05);
        assert_eq!(c.rate(FaultKind::Slow), 0.01);
        assert!((c.total() - 0.14).abs() < 1e-12);
        assert_eq!(c.to_string().parse::<FaultConfig>().unwrap(), c);
    }

    #[test]
    fn empty_is_none() {
        assert!("".parse::<FaultConfig>().unwrap().is_none());
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        let cases = [
            ("500", "is not `kind=rate`"),
            ("404=0.1", "unknown fault `404`"),
            ("500=abc", "is not a number"),
            ("500=1.5", "outside 0..=1"),
            ("500=-0.1", "outside 0..=1"),
            ("500=0.1,500=0.2", "given twice"),
            ("500=0.6,503=0.6", "more than 1"),
        ];
        for (input, expected) in cases {
            let e = input.parse::<FaultConfig>().unwrap_err().to_string();
            assert!(e.contains(expected), "{input}: {e}");
        }
    }

    #[test]
    fn draws_follow_rates_and_seed() {
        let c = FaultConfig::none()
            .with(FaultKind::InternalError, 0.1)
            .with(FaultKind::Reset, 0.05);
        let n = 20_000;
        let draws: Vec<_> = (0..n).map(|s| c.draw(7, s)).collect();
        let errors = draws
            .iter()
            .filter(|d| **d == Some(FaultKind::InternalError))
            .count();
        let resets = draws
            .iter()
            .filter(|d| **d == Some(FaultKind::Reset))
            .count();
        assert!((1_600..2_400).contains(&errors), "{errors}");
        assert!((700..1_300).contains(&resets), "{resets}");
        assert_eq!(draws, (0..n).map(|s| c.draw(7, s)).collect::<Vec<_>>());
        assert_eq!(FaultConfig::none().draw(7, 1), None);
    }
}
