//! Deterministic randomness, identifiers and timestamps for the simulated fleet.
//!
//! Everything in the fleet is a pure function of `(seed, stream, index)`: no state, no storage,
//! so any entity can be regenerated on demand, byte for byte.

use std::fmt::Write as _;

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hash of a `(seed, stream, index)` triple.
pub(crate) const fn hash3(seed: u64, stream: u64, index: u64) -> u64 {
    mix64(
        seed ^ mix64(
            stream.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ mix64(index.wrapping_add(0x632b_e59b_d9b4_e019)),
        ),
    )
}

/// Streams: one per entity kind or purpose, so that their sequences never correlate.
pub(crate) mod stream {
    pub(crate) const VM: u64 = 1;
    pub(crate) const VM_UUID: u64 = 2;
    pub(crate) const CLUSTER: u64 = 3;
    pub(crate) const HOST: u64 = 4;
    pub(crate) const SUBNET: u64 = 5;
    pub(crate) const IMAGE: u64 = 6;
    pub(crate) const VOLUME_GROUP: u64 = 7;
    pub(crate) const PROJECT: u64 = 8;
    pub(crate) const USER: u64 = 9;
    pub(crate) const CONTAINER: u64 = 10;
    pub(crate) const CHURN: u64 = 11;
    pub(crate) const FAULT: u64 = 12;
    pub(crate) const METRIC: u64 = 13;
    pub(crate) const NIC: u64 = 14;
    pub(crate) const DISK: u64 = 15;
    pub(crate) const TASK: u64 = 16;
    pub(crate) const VPC: u64 = 17;
    pub(crate) const JITTER: u64 = 18;
}

/// A small counter-based generator (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for one `(seed, stream, index)` triple.
    pub(crate) const fn new(seed: u64, stream: u64, index: u64) -> Self {
        Self(hash3(seed, stream, index))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `0.0..1.0`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given integer weights (non-empty, positive sum).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut roll = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if roll < u64::from(w) {
                return i;
            }
            roll -= u64::from(w);
        }
        weights.len() - 1
    }
}

/// Modular inverse of an odd number modulo 2^32 (Newton iteration).
const fn inverse_u32(a: u32) -> u32 {
    let mut x = a;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

const M1: u32 = 0x9e37_79b1;
const M2: u32 = 0x85eb_ca6b;
const M1_INV: u32 = inverse_u32(M1);
const M2_INV: u32 = inverse_u32(M2);

/// A keyed bijection on `u32`: VM indexes are hidden in their UUIDs and recovered by
/// [`unpermute32`], so `GET /vms/{uuid}` needs no lookup table.
pub(crate) const fn permute32(key: u32, x: u32) -> u32 {
    let mut x = x ^ key;
    x = x.wrapping_mul(M1);
    x ^= x >> 16;
    x = x.wrapping_mul(M2);
    x ^= x >> 13;
    x.wrapping_add(key.rotate_left(7))
}

/// Inverse of [`permute32`].
pub(crate) const fn unpermute32(key: u32, y: u32) -> u32 {
    let mut x = y.wrapping_sub(key.rotate_left(7));
    x ^= (x >> 13) ^ (x >> 26);
    x = x.wrapping_mul(M2_INV);
    x ^= x >> 16;
    x = x.wrapping_mul(M1_INV);
    x ^ key
}

/// A 128-bit identifier rendered as a lowercase UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Uuid(pub(crate) u64, pub(crate) u64);

impl Uuid {
    /// A random-looking version 4 UUID from a `(seed, stream, index)` triple.
    pub(crate) const fn v4(seed: u64, stream: u64, index: u64) -> Self {
        let hi = hash3(seed, stream, index);
        let lo = hash3(seed, stream ^ 0x5555_5555, index);
        Self::with_v4_bits(hi, lo)
    }

    /// Sets the version (4) and variant (RFC 4122) bits.
    pub(crate) const fn with_v4_bits(hi: u64, lo: u64) -> Self {
        let hi = (hi & !0xf000) | 0x4000;
        let lo = (lo & !(0b11 << 62)) | (0b10 << 62);
        Self(hi, lo)
    }

    /// Writes the canonical 36-character form.
    pub(crate) fn write_to(self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 36];
        let mut pos = 0;
        let bytes = {
            let mut b = [0u8; 16];
            let hi = self.0.to_be_bytes();
            let lo = self.1.to_be_bytes();
            let mut i = 0;
            while i < 8 {
                b[i] = hi[i];
                b[8 + i] = lo[i];
                i += 1;
            }
            b
        };
        for (i, byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                buf[pos] = b'-';
                pos += 1;
            }
            buf[pos] = HEX[usize::from(byte >> 4)];
            buf[pos + 1] = HEX[usize::from(byte & 0xf)];
            pos += 2;
        }
        // Only ASCII hex digits and dashes were written.
        out.push_str(std::str::from_utf8(&buf).unwrap_or_default());
    }

    /// Parses the canonical 36-character form (case-insensitive).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut value: u128 = 0;
        for (i, &c) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return None;
                }
                continue;
            }
            let digit = (c as char).to_digit(16)?;
            value = (value << 4) | u128::from(digit);
        }
        Some(Self((value >> 64) as u64, value as u64))
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::with_capacity(36);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

/// Seconds since the Unix epoch of 2019-01-01T00:00:00Z: the oldest simulated entity.
pub(crate) const FLEET_EPOCH: i64 = 1_546_300_800;
/// Seconds since the Unix epoch of 2025-06-01T00:00:00Z: the fleet's "now" for creation times.
pub(crate) const FLEET_NOW: i64 = 1_748_736_000;

/// Writes a Unix time as RFC 3339 UTC with second precision (`2025-06-07T18:23:52Z`).
pub(crate) fn write_rfc3339(out: &mut String, unix: i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    );
}

/// RFC 3339 text of a Unix time.
pub(crate) fn rfc3339(unix: i64) -> String {
    let mut s = String::with_capacity(20);
    write_rfc3339(&mut s, unix);
    s
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_round_trips() {
        for key in [0u32, 1, 0xdead_beef, u32::MAX] {
            for x in [0u32, 1, 2, 199_999, 1 << 31, u32::MAX] {
                assert_eq!(unpermute32(key, permute32(key, x)), x, "key {key} x {x}");
            }
        }
    }

    #[test]
    fn permutation_is_not_identity() {
        assert_ne!(permute32(7, 1), 1);
        assert_ne!(permute32(7, 1), permute32(7, 2));
    }

    #[test]
    fn uuid_formats_and_parses() {
        let u = Uuid::v4(42, stream::VM_UUID, 7);
        let text = u.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(Uuid::parse(&text), Some(u));
        assert_eq!(Uuid::parse(&text.to_uppercase()), Some(u));
        assert_eq!(Uuid::parse("not-a-uuid"), None);
    }

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(FLEET_EPOCH), "2019-01-01T00:00:00Z");
        assert_eq!(rfc3339(FLEET_NOW), "2025-06-01T00:00:00Z");
        assert_eq!(rfc3339(1_749_320_632), "2025-06-07T18:23:52Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut rng = Rng::new(1, 2, 3);
        for _ in 0..1000 {
            assert_ne!(rng.weighted(&[5, 0, 5]), 1);
        }
    }
}
