//! Structured JSON from fuzzer bytes: objects whose keys come mostly from the vocabulary of the
//! parser under test (so the fuzzer reaches deep branches without having to spell
//! `"nutanix_password"` first) and whose values are any JSON type, including the edge values
//! the parsers special-case (numeric strings, `"true"`, huge numbers, whitespace, long text).
//!
//! Shared by the `secret_parse` and `options_parse` targets through `#[path]`.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

/// Deepest nesting generated (the parsers look at most three levels deep).
const MAX_DEPTH: u32 = 4;
/// Most members per generated object or array.
const MAX_MEMBERS: usize = 12;

/// Strings the parsers compare against or give meaning to.
const INTERESTING_STRINGS: &[&str] = &[
    "",
    " ",
    "\t\n",
    "pc.example.com",
    "pc.example.com:9440",
    "https://pc.example.com:9440/",
    "http://127.0.0.1:8080",
    "HTTP://[fd00::1]:9440/x?y#z",
    "[fd00::1]",
    "[fd00::1]:0",
    "https://",
    "://",
    "a b",
    "9440",
    "0",
    "65535",
    "65536",
    "-1",
    "1.5",
    "1e3",
    "NaN",
    "inf",
    "18446744073709551616",
    "true",
    "false",
    "TRUE",
    "yes",
    "no",
    "1",
    "maybe",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "vms",
    "VM",
    "volume-groups",
    "clusters,hosts",
    ",,",
    "USD",
    "krw",
    "EUR",
    "0.000001",
    "0.0000000000001",
    "999999999999",
];

/// A string: an interesting one, a long one, or arbitrary text.
pub fn string(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0u8..=9)? {
        0..=4 => (*u.choose(INTERESTING_STRINGS)?).to_owned(),
        5 => {
            // Long text: a repeated fragment, so huge values cost few input bytes.
            let fragment: String = u.arbitrary()?;
            let fragment = if fragment.is_empty() {
                "x".to_owned()
            } else {
                fragment
            };
            let times = usize::from(u.arbitrary::<u16>()?) % 4096 + 1;
            fragment.repeat(times).chars().take(70_000).collect()
        }
        _ => u.arbitrary()?,
    })
}

/// A number, biased to boundaries.
pub fn number(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0u8..=7)? {
        0 => Value::from(*u.choose(&[0u64, 1, 5, 16, 17, 36, 37, 500, 501, 9440, 65535, 65536])?),
        1 => Value::from(u.arbitrary::<u64>()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::from(u.int_in_range(0u64..=70_000)?),
        4 => Number::from_f64(*u.choose(&[0.5, -0.0, 1e-13, 1e300, -1e300, 1000.0, 1000.5])?)
            .map_or(Value::Null, Value::Number),
        _ => Number::from_f64(u.arbitrary::<f64>()?).map_or(Value::Null, Value::Number),
    })
}

/// Any JSON value; objects take keys from `keys` most of the time.
pub fn value(u: &mut Unstructured<'_>, keys: &[&str], depth: u32) -> Result<Value> {
    let leaf_only = depth >= MAX_DEPTH;
    let pick = if leaf_only {
        u.int_in_range(0u8..=4)?
    } else {
        u.int_in_range(0u8..=7)?
    };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3 | 4 => Value::String(string(u)?),
        5 => {
            let len = u.int_in_range(0..=MAX_MEMBERS)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(value(u, keys, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => Value::Object(object(u, keys, depth + 1)?),
    })
}

/// An object with up to [`MAX_MEMBERS`] members, keys mostly from `keys`.
pub fn object(u: &mut Unstructured<'_>, keys: &[&str], depth: u32) -> Result<Map<String, Value>> {
    let len = u.int_in_range(0..=MAX_MEMBERS)?;
    let mut map = Map::new();
    for _ in 0..len {
        let key = if u.ratio(7u8, 8u8)? {
            (*u.choose(keys)?).to_owned()
        } else {
            string(u)?
        };
        let v = value(u, keys, depth)?;
        map.insert(key, v);
    }
    Ok(map)
}
