//! Canonical JSON: object keys sorted at every level, whatever serde_json's map features are.

use serde_json::Value;

/// Returns `value` with the keys of every object sorted (byte order).
///
/// serde_json keeps insertion order when another crate in the build enables its
/// `preserve_order` feature; re-inserting keys in sorted order makes the output identical
/// under both feature sets, so the same input always gives byte-identical JSON.
///
/// Objects whose keys are already sorted (always the case without `preserve_order`) are kept
/// and only walked, so the common case allocates nothing.
pub fn canonicalize(mut value: Value) -> Value {
    canonicalize_in_place(&mut value);
    value
}

/// Sorts the keys of every object in `value`, rebuilding only the objects that are out of order.
fn canonicalize_in_place(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if !map.keys().is_sorted() {
                let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                map.extend(entries);
            }
            map.values_mut().for_each(canonicalize_in_place);
        }
        Value::Array(items) => items.iter_mut().for_each(canonicalize_in_place),
        _ => {}
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
