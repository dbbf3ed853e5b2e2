//! Exact money: prices in pico-units, amounts in micro-units, integer arithmetic only.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};

/// Fractional digits kept for prices (1 pico-unit = 10⁻¹² of the currency).
pub const PRICE_SCALE_DIGITS: u32 = 12;
/// Largest accepted price per unit and period (one million currency units).
pub const MAX_PRICE_UNITS: u64 = 1_000_000;
const PICO: u128 = 1_000_000_000_000;

/// A currency CloudForet's cost analysis converts (`SUPPORTED_CURRENCIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Currency {
    /// US dollar.
    #[serde(rename = "USD")]
    Usd,
    /// Korean won.
    #[serde(rename = "KRW")]
    Krw,
    /// Japanese yen.
    #[serde(rename = "JPY")]
    Jpy,
}

impl Currency {
    /// ISO 4217 code, as the cost data source's `init` metadata `currency` needs it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Krw => "KRW",
            Self::Jpy => "JPY",
        }
    }

    /// Parses `USD`, `KRW` or `JPY` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "USD" => Some(Self::Usd),
            "KRW" => Some(Self::Krw),
            "JPY" => Some(Self::Jpy),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A non-negative price, exact to 12 decimal places, stored as pico-units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price {
    pico: u64,
}

impl Price {
    /// A price from pico-units (10⁻¹² of the currency).
    pub const fn from_pico(pico: u64) -> Self {
        Self { pico }
    }

    /// The price in pico-units.
    pub const fn pico(self) -> u64 {
        self.pico
    }

    /// Parses a decimal text such as `0.031611`, `4e-2` or `12`. At most 12 decimal places,
    /// non-negative, at most one million.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `key`.
    pub fn parse_decimal(text: &str, key: &str) -> Result<Self> {
        let bad = || Error::option(key, "must be a non-negative number");
        let text = text.trim();
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().map_err(|_| bad())?),
            None => (text, 0),
        };
        let mantissa = mantissa.strip_prefix('+').unwrap_or(mantissa);
        if let Some(magnitude) = mantissa.strip_prefix('-') {
            // "-0" is still zero; anything else negative is refused.
            if !magnitude.is_empty() && magnitude.chars().all(|c| c == '0' || c == '.') {
                return Ok(Self::default());
            }
            return Err(bad());
        }
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        // value = digits × 10^(exp - frac_len); pico = digits × 10^(exp - frac_len + 12)
        let digits = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        let shift = i64::from(exp) - frac_part.len() as i64 + i64::from(PRICE_SCALE_DIGITS);
        let too_big = || Error::option(key, format!("must be at most {MAX_PRICE_UNITS}"));
        if digits.is_empty() {
            return Ok(Self::default());
        }
        if digits.len() > 38 {
            return Err(too_big());
        }
        let mut value: u128 = digits.parse().map_err(|_| bad())?;
        if shift >= 0 {
            for _ in 0..shift {
                value = value.checked_mul(10).ok_or_else(too_big)?;
                if value > u128::from(MAX_PRICE_UNITS) * PICO {
                    return Err(too_big());
                }
            }
        } else {
            for _ in 0..(-shift) {
                if !value.is_multiple_of(10) {
                    return Err(Error::option(
                        key,
                        format!("must have at most {PRICE_SCALE_DIGITS} decimal places"),
                    ));
                }
                value /= 10;
            }
        }
        if value > u128::from(MAX_PRICE_UNITS) * PICO {
            return Err(too_big());
        }
        u64::try_from(value)
            .map(Self::from_pico)
            .map_err(|_| too_big())
    }

    /// Parses a JSON number or numeric string.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `key` for anything else.
    pub fn from_json(value: &Value, key: &str) -> Result<Self> {
        match value {
            Value::Number(n) => Self::parse_decimal(&n.to_string(), key),
            Value::String(s) => Self::parse_decimal(s, key),
            _ => Err(Error::option(key, "must be a non-negative number")),
        }
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.pico / PICO as u64;
        let frac = self.pico % PICO as u64;
        if frac == 0 {
            return write!(f, "{int}");
        }
        let frac = format!("{frac:012}");
        write!(f, "{int}.{}", frac.trim_end_matches('0'))
    }
}

/// A non-negative amount in micro-units (10⁻⁶) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    micros: u64,
}

impl Money {
    /// An amount from micro-units.
    pub const fn from_micros(micros: u64) -> Self {
        Self { micros }
    }

    /// The amount in micro-units.
    pub const fn micros(self) -> u64 {
        self.micros
    }

    /// The amount as the nearest `f64` (what `CostInfo.cost`, a double, carries). For amounts
    /// below 2⁵³ micro-units the decimal text of the double equals the exact amount.
    pub fn as_f64(self) -> f64 {
        self.micros as f64 / 1e6
    }

    /// Adds two amounts (saturating at the maximum; unreachable in practice).
    #[must_use]
    pub fn saturating_add(self, other: Self) -> Self {
        Self {
            micros: self.micros.saturating_add(other.micros),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:06}",
            self.micros / 1_000_000,
            self.micros % 1_000_000
        )
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

/// `round_half_up(a × b / d)` exactly, for `d` and `b` small enough that `(d - 1) × b` fits in
/// `u128` (true for every call in this crate: `d < 2⁸⁰`, `b < 2⁴⁰`).
///
/// Uses `a × b / d = (a / d) × b + ((a mod d) × b) / d`, so `a` may be any `u128`. Returns
/// `None` on overflow of the result or `d == 0`.
pub(crate) fn mul_div_round(a: u128, b: u128, d: u128) -> Option<u128> {
    if d == 0 {
        return None;
    }
    let q = a / d;
    let r = a % d;
    let rb = r.checked_mul(b)?;
    let whole = q.checked_mul(b)?.checked_add(rb / d)?;
    let rem = rb % d;
    // half-up: rem / d >= 1/2  <=>  2 rem >= d
    if rem.checked_mul(2)? >= d {
        whole.checked_add(1)
    } else {
        Some(whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_parsing_is_exact() {
        let cases = [
            ("0.031611", 31_611_000_000),
            ("0.004237", 4_237_000_000),
            ("0.04", 40_000_000_000),
            ("0.95", 950_000_000_000),
            ("1e-5", 10_000_000),
            ("4E-2", 40_000_000_000),
            ("12", 12_000_000_000_000),
            ("0.00005479452", 54_794_520),
            ("-0", 0),
            ("0", 0),
            (".5", 500_000_000_000),
            ("1000000", 1_000_000 * 1_000_000_000_000),
        ];
        for (text, pico) in cases {
            assert_eq!(
                Price::parse_decimal(text, "k").unwrap().pico(),
                pico,
                "{text}"
            );
        }
    }

    #[test]
    fn bad_prices_name_the_key() {
        for text in [
            "-1",
            "abc",
            "",
            "1.2.3",
            "0.0000000000001",
            "1000000.01",
            "1e400",
            "--1",
        ] {
            let err = Price::parse_decimal(text, "price_book.vcpu_hour").unwrap_err();
            assert!(
                err.to_string().starts_with("price_book.vcpu_hour "),
                "{text}: {err}"
            );
        }
        let err = Price::from_json(&serde_json::json!(true), "price_book.gpu_hour").unwrap_err();
        assert_eq!(
            err.to_string(),
            "price_book.gpu_hour must be a non-negative number"
        );
    }

    #[test]
    fn json_numbers_round_trip_through_shortest_text() {
        let p = Price::from_json(&serde_json::json!(0.031611), "k").unwrap();
        assert_eq!(p.to_string(), "0.031611");
        assert_eq!(
            Price::from_json(&serde_json::json!("0.95"), "k")
                .unwrap()
                .to_string(),
            "0.95"
        );
        assert_eq!(
            Price::from_json(&serde_json::json!(3), "k")
                .unwrap()
                .to_string(),
            "3"
        );
    }

    #[test]
    fn money_formats_exactly() {
        let m = Money::from_micros(1_234_567);
        assert_eq!(m.to_string(), "1.234567");
        assert_eq!(serde_json::to_string(&m).unwrap(), "1.234567");
        assert_eq!(
            serde_json::to_string(&Money::from_micros(0)).unwrap(),
            "0.0"
        );
    }

    #[test]
    fn mul_div_round_matches_naive_math() {
        assert_eq!(mul_div_round(7, 3, 2), Some(11)); // 10.5 -> 11
        assert_eq!(mul_div_round(5, 1, 4), Some(1)); // 1.25 -> 1
        assert_eq!(mul_div_round(0, 10, 3), Some(0));
        assert_eq!(mul_div_round(1, 1, 0), None);
        // a × b overflows u128 but the result does not
        let a = u128::MAX / 3;
        assert_eq!(mul_div_round(a, 6, 6), Some(a));
    }
}
