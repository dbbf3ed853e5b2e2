//! Minimal JSON text writing for the hot path (VM pages), without building a value tree.

use std::fmt::Write as _;

/// Appends `s` as a JSON string literal (with quotes), escaping as required by RFC 8259.
pub(crate) fn string(out: &mut String, s: &str) {
    // Fast path: nothing to escape (every generated name).
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends `"key":` (keys are trusted ASCII identifiers).
pub(crate) fn key(out: &mut String, k: &str) {
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

/// Appends `"key":"value",` with the value escaped.
pub(crate) fn field_str(out: &mut String, k: &str, v: &str) {
    key(out, k);
    string(out, v);
    out.push(',');
}

/// Appends `"key":<integer>,`.
pub(crate) fn field_int(out: &mut String, k: &str, v: impl std::fmt::Display) {
    key(out, k);
    let _ = write!(out, "{v}");
    out.push(',');
}

/// Appends `"key":true,` or `"key":false,`.
pub(crate) fn field_bool(out: &mut String, k: &str, v: bool) {
    key(out, k);
    out.push_str(if v { "true," } else { "false," });
}

/// Replaces a trailing comma by `close` (or appends `close` when there is none).
pub(crate) fn close(out: &mut String, close: char) {
    if out.ends_with(',') {
        out.pop();
    }
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip_through_serde_json() {
        for s in ["plain", "quote\"back\\slash", "ctrl\u{1}\n\t", "ünïcødé ☃"] {
            let mut out = String::new();
            string(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn fields_make_an_object() {
        let mut out = String::from("{");
        field_str(&mut out, "a", "x");
        field_int(&mut out, "b", 3);
        field_bool(&mut out, "c", true);
        close(&mut out, '}');
        assert_eq!(out, r#"{"a":"x","b":3,"c":true}"#);
        let mut empty = String::from("{");
        close(&mut empty, '}');
        assert_eq!(empty, "{}");
    }
}
