//! Canonical JSON: object keys sorted at every level, whatever serde_json's map features are.

use serde_json::{Map, Value};

/// Returns `value` with the keys of every object sorted (byte order).
///
/// serde_json keeps insertion order when another crate in the build enables its
/// `preserve_order` feature; re-inserting keys in sorted order makes the output identical
/// under both feature sets, so the same input always gives byte-identical JSON.
pub fn canonicalize(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, canonicalize(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonicalize).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_are_sorted() {
        let v = serde_json::json!({"b": {"z": 1, "a": [ {"y": 1, "x": 2} ]}, "a": 0});
        let s = serde_json::to_string(&canonicalize(v)).unwrap();
        assert_eq!(s, r#"{"a":0,"b":{"a":[{"x":2,"y":1}],"z":1}}"#);
    }
}
