//! The set of entity keys a list stream has yielded, stored compactly.
//!
//! Prism keys are UUIDs in canonical text form (36 characters, lowercase hex, hyphens at 8, 13,
//! 18 and 23). Such a key is stored as the `u128` it spells: 16 bytes instead of a `String` of
//! about 80 bytes with its allocation, so the set of a 100,000-VM listing takes about 2 MB
//! instead of about 10 MB. The mapping is exact (every canonical text is one `u128` and back),
//! never a hash: two different keys can never be merged, which would silently drop an entity.
//!
//! Any other key (category `name/value` identities, uppercase or brace-wrapped UUIDs, empty
//! hyphen positions, ...) is kept verbatim in a second, `String` set. Keys are compared as the
//! exact text Prism sent, as before: `ABC...` and `abc...` stay two keys. Prism always sends
//! lowercase UUIDs, and whether another spelling names the same entity is not ours to decide.

use std::collections::HashSet;

/// Keys seen so far: canonical UUIDs as `u128`, anything else as text.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    uuids: HashSet<u128>,
    other: HashSet<String>,
}

impl KeySet {
    /// Adds `key`; `true` when it was not present.
    pub(crate) fn insert(&mut self, key: &str) -> bool {
        match canonical_uuid(key) {
            Some(id) => self.uuids.insert(id),
            None => {
                if self.other.contains(key) {
                    false
                } else {
                    self.other.insert(key.to_owned())
                }
            }
        }
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.uuids.len() + self.other.len()
    }
}

/// The value of a canonical lowercase hyphenated UUID (`8-4-4-4-12` lowercase hex digits);
/// `None` for any other text.
fn canonical_uuid(key: &str) -> Option<u128> {
    let bytes = key.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let digit = match b {
            b'-' if matches!(i, 8 | 13 | 18 | 23) => continue,
            b'0'..=b'9' if !matches!(i, 8 | 13 | 18 | 23) => b - b'0',
            b'a'..=b'f' if !matches!(i, 8 | 13 | 18 | 23) => b - b'a' + 10,
            _ => return None,
        };
        value = (value << 4) | u128::from(digit);
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "00069d25-a15d-40e0-8b65-902dd208c85d";

    #[test]
    fn canonical_uuids_parse_exactly() {
        assert_eq!(
            canonical_uuid(UUID),
            Some(0x0006_9d25_a15d_40e0_8b65_902d_d208_c85d)
        );
        assert_eq!(
            canonical_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"),
            Some(u128::MAX)
        );
        assert_eq!(
            canonical_uuid("00000000-0000-0000-0000-000000000000"),
            Some(0)
        );
    }

    #[test]
    fn other_spellings_are_not_canonical() {
        for key in [
            "00069D25-A15D-40E0-8B65-902DD208C85D",   // uppercase
            "00069d25a15d40e08b65902dd208c85d",       // no hyphens
            "{00069d25-a15d-40e0-8b65-902dd208c85d}", // braces
            "00069d25-a15d-40e0-8b65-902dd208c85",    // short
            "00069d25-a15d-40e0-8b65-902dd208c85dd",  // long
            "00069d25-a15d-40e08-b65-902dd208c85d",   // hyphen moved
            "00069d25-a15d-40e0-8b65-902dd208c85g",   // not hex
            "0006+d25-a15d-40e0-8b65-902dd208c85d",   // sign inside
            "00069d25-a15d-40e0-8b65-902dd208c8-d",   // hyphen as a digit
            "AppType/Kubernetes",
            "",
        ] {
            assert_eq!(canonical_uuid(key), None, "{key:?}");
        }
    }

    #[test]
    fn uuids_and_other_keys_dedupe_separately_and_exactly() {
        let mut set = KeySet::default();
        assert!(set.insert(UUID));
        assert!(!set.insert(UUID), "the same UUID twice");
        // Other spellings are other keys: kept as text, never merged with the canonical one.
        let upper = UUID.to_ascii_uppercase();
        assert!(set.insert(&upper));
        assert!(!set.insert(&upper));
        assert!(set.insert(&UUID.replace('-', "")));
        // Non-UUID identities (category values).
        assert!(set.insert("AppType/Kubernetes"));
        assert!(!set.insert("AppType/Kubernetes"));
        assert!(set.insert("AppType/kubernetes"));
        // Neighbouring UUIDs stay distinct.
        assert!(set.insert("00069d25-a15d-40e0-8b65-902dd208c85e"));
        assert_eq!(set.len(), 6);
        assert_eq!(set.uuids.len(), 2);
        assert_eq!(set.other.len(), 4);
    }
}
