//! Conversion between JSON (`serde_json`) and `google.protobuf.Struct` / `Value` (`prost_types`).
//!
//! CloudForet carries every free-form payload (`options`, `secret_data`, `data`, `metadata`,
//! `tags`, resource records, ...) as `google.protobuf.Struct`. This module converts in both
//! directions, and straight between your own `serde` types and `Struct`:
//!
//! | from | to | function |
//! |---|---|---|
//! | `serde_json::Value` | `prost_types::Value` | [`json_to_value`] (consuming), [`json_ref_to_value`] |
//! | `prost_types::Value` | `serde_json::Value` | [`value_to_json`] (consuming), [`value_ref_to_json`] |
//! | JSON object | `Struct` | [`json_to_struct`] (errors on non-objects), [`map_to_struct`] |
//! | `Struct` | JSON object | [`struct_to_json`], [`struct_to_map`], [`struct_ref_to_json`] |
//! | JSON array | `ListValue` | [`json_to_list`] / [`list_to_json`] |
//! | `T: Serialize` | `Struct` / `Value` | [`to_struct`] / [`to_value`] (no intermediate JSON) |
//! | `Struct` | `T: DeserializeOwned` | [`from_struct`] (borrowing, no intermediate JSON), [`from_struct_owned`] |
//! | `T: Serialize` | protobuf bytes of `Struct` / `Value` | [`encode_struct`], [`encode_struct_field`] / [`encode_value`] (no intermediate `Struct`; see [`wire`]) |
//!
//! # Number policy
//!
//! A protobuf `Struct` has only one number type, a 64-bit IEEE double, and CloudForet's Python side
//! (`MessageToDict`) reads every Struct number back as a `float` (`3` arrives as `3.0`). So:
//!
//! * **JSON → Struct.** An integer with `|n| <= 2^53` ([`MAX_EXACT_INTEGER`]) becomes the exact
//!   double. A larger integer cannot be represented exactly and becomes a **decimal string**
//!   (`18446744073709551615` → `"18446744073709551615"`), so nothing is silently rounded.
//!   Floats stay floats.
//! * **Struct → JSON.** A finite double without a fractional part and within `±2^53` becomes a
//!   JSON integer (`3.0` → `3`, `-0.0` → `0`); any other finite double stays a JSON float. NaN and
//!   ±infinity have no JSON representation and become `null`. A `Value` whose `kind` is unset is
//!   read as `null`. Strings stay strings: a big integer encoded as a string comes back as a string
//!   from [`struct_to_json`], but [`from_struct`] parses it back into an integer field (see below).
//! * **Consequence for round trips.** `json → Struct → json` returns the input exactly for JSON
//!   whose integers lie within `±2^53` and whose floats are not integral; an integral float such
//!   as `5.0` comes back as the integer `5` (equal in value, and how Python would see it anyway).
//!   `Struct → json → Struct` returns the input exactly for finite numbers.
//!
//! # Typed conversion
//!
//! [`to_struct`] (and [`to_value`]) serialise straight into protobuf values, without an
//! intermediate JSON tree, producing exactly what `json_to_struct(serde_json::to_value(x)?)`
//! would: `#[serde(...)]` attributes behave as with `serde_json`, map keys that are numbers or
//! booleans become strings, NaN and infinities become `null`, and the number policy applies
//! (`u128`/`i128` values beyond 64 bits, which `serde_json` rejects, become strings too).
//!
//! [`from_struct`] deserialises straight from the `Struct`, borrowing its strings, and:
//!
//! * integer fields (`u64`, `i64`, `u32`, ...) accept the decimal strings produced for large
//!   integers, so `from_struct(&to_struct(&x)?)` returns `x` for any integer width;
//! * integral doubles are offered to the visitor as integers, so `3.0` decodes into a `u32`;
//! * float fields keep NaN and infinity (only the JSON conversion turns them into `null`);
//! * errors name the JSON path of the offending field (`"spec.resources.num_sockets"`) and never
//!   contain the offending value, since payloads such as `secret_data` hold credentials.
//!
//! ```
//! use cloudforet_client::value::{from_struct, json_to_struct, struct_to_json, to_struct};
//! use serde_json::json;
//!
//! let s = json_to_struct(json!({"cpu": 4, "huge": 18446744073709551615u64, "ok": true}))?;
//! assert_eq!(
//!     struct_to_json(s),
//!     json!({"cpu": 4, "huge": "18446744073709551615", "ok": true})
//! );
//!
//! #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
//! struct Options { cpu: u32, huge: u64 }
//! let opts = Options { cpu: 4, huge: u64::MAX };
//! assert_eq!(from_struct::<Options>(&to_struct(&opts)?)?, opts);
//! # Ok::<(), cloudforet_client::Error>(())
//! ```

mod de;
mod ser;
pub mod wire;

pub use wire::{encode_struct, encode_struct_field, encode_value};

use prost_types::value::Kind;
use prost_types::{ListValue, NullValue, Struct, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value as Json};

use crate::error::{Error, Result};

/// The largest magnitude (2^53) up to which every integer is exactly representable as a double;
/// integers beyond it are encoded as decimal strings (see the [module docs](self)).
pub const MAX_EXACT_INTEGER: u64 = 1 << 53;

const MAX_EXACT_F64: f64 = MAX_EXACT_INTEGER as f64;

// ---------------------------------------------------------------------------------------------
// JSON -> protobuf
// ---------------------------------------------------------------------------------------------

/// Converts a JSON value into a protobuf `Value`, consuming it (strings and maps are moved, not
/// copied). Integers beyond ±2^53 become decimal strings (see the [module docs](self)).
pub fn json_to_value(json: Json) -> Value {
    let kind = match json {
        Json::Null => Kind::NullValue(NullValue::NullValue as i32),
        Json::Bool(b) => Kind::BoolValue(b),
        Json::Number(n) => number_to_kind(&n),
        Json::String(s) => Kind::StringValue(s),
        Json::Array(items) => Kind::ListValue(json_to_list(items)),
        Json::Object(map) => Kind::StructValue(map_to_struct(map)),
    };
    Value { kind: Some(kind) }
}

/// Converts a borrowed JSON value into a protobuf `Value` (copies strings; prefer
/// [`json_to_value`] when the JSON is no longer needed).
pub fn json_ref_to_value(json: &Json) -> Value {
    let kind = match json {
        Json::Null => Kind::NullValue(NullValue::NullValue as i32),
        Json::Bool(b) => Kind::BoolValue(*b),
        Json::Number(n) => number_to_kind(n),
        Json::String(s) => Kind::StringValue(s.clone()),
        Json::Array(items) => Kind::ListValue(ListValue {
            values: items.iter().map(json_ref_to_value).collect(),
        }),
        Json::Object(map) => Kind::StructValue(Struct {
            fields: map
                .iter()
                .map(|(k, v)| (k.clone(), json_ref_to_value(v)))
                .collect(),
        }),
    };
    Value { kind: Some(kind) }
}

/// Converts a JSON object into a `Struct`, consuming it.
///
/// # Errors
///
/// [`Error::NotAnObject`] when `json` is not an object (`Struct` is always a map).
pub fn json_to_struct(json: Json) -> Result<Struct> {
    match json {
        Json::Object(map) => Ok(map_to_struct(map)),
        other => Err(Error::NotAnObject {
            found: json_kind(&other),
        }),
    }
}

/// Converts a JSON map into a `Struct`, consuming it. Infallible counterpart of
/// [`json_to_struct`] for callers that already hold a map.
pub fn map_to_struct(map: Map<String, Json>) -> Struct {
    Struct {
        fields: map
            .into_iter()
            .map(|(k, v)| (k, json_to_value(v)))
            .collect(),
    }
}

/// Converts a JSON array into a `ListValue` (e.g. for `labels` fields), consuming it.
pub fn json_to_list(items: Vec<Json>) -> ListValue {
    ListValue {
        values: items.into_iter().map(json_to_value).collect(),
    }
}

fn number_to_kind(n: &Number) -> Kind {
    if let Some(u) = n.as_u64() {
        return u64_kind(u);
    }
    if let Some(i) = n.as_i64() {
        return i64_kind(i);
    }
    match n.as_f64() {
        Some(f) if f.is_finite() => Kind::NumberValue(f),
        // Only reachable with serde_json's `arbitrary_precision` feature (e.g. integers beyond
        // 64 bits or exponents out of range): keep the exact text rather than rounding.
        _ => Kind::StringValue(n.to_string()),
    }
}

/// An unsigned integer under the number policy: exact double up to 2^53, else a string.
fn u64_kind(u: u64) -> Kind {
    if u <= MAX_EXACT_INTEGER {
        // Exact: every integer up to 2^53 is a double.
        #[allow(clippy::cast_precision_loss)]
        return Kind::NumberValue(u as f64);
    }
    Kind::StringValue(u.to_string())
}

/// A signed integer under the number policy: exact double within ±2^53, else a string.
fn i64_kind(i: i64) -> Kind {
    if i.unsigned_abs() <= MAX_EXACT_INTEGER {
        #[allow(clippy::cast_precision_loss)]
        return Kind::NumberValue(i as f64);
    }
    Kind::StringValue(i.to_string())
}

// ---------------------------------------------------------------------------------------------
// protobuf -> JSON
// ---------------------------------------------------------------------------------------------

/// Converts a protobuf `Value` into JSON, consuming it. Integral doubles within ±2^53 become JSON
/// integers, NaN/±inf and an unset `kind` become `null` (see the [module docs](self)).
pub fn value_to_json(value: Value) -> Json {
    match value.kind {
        None | Some(Kind::NullValue(_)) => Json::Null,
        Some(Kind::BoolValue(b)) => Json::Bool(b),
        Some(Kind::NumberValue(f)) => f64_to_json(f),
        Some(Kind::StringValue(s)) => Json::String(s),
        Some(Kind::ListValue(list)) => Json::Array(list_to_json(list)),
        Some(Kind::StructValue(s)) => Json::Object(struct_to_map(s)),
    }
}

/// Converts a borrowed protobuf `Value` into JSON (copies strings; prefer [`value_to_json`] when
/// the `Value` is no longer needed).
pub fn value_ref_to_json(value: &Value) -> Json {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Json::Null,
        Some(Kind::BoolValue(b)) => Json::Bool(*b),
        Some(Kind::NumberValue(f)) => f64_to_json(*f),
        Some(Kind::StringValue(s)) => Json::String(s.clone()),
        Some(Kind::ListValue(list)) => {
            Json::Array(list.values.iter().map(value_ref_to_json).collect())
        }
        Some(Kind::StructValue(s)) => struct_ref_to_json(s),
    }
}

/// Converts a `Struct` into a JSON object, consuming it.
pub fn struct_to_json(s: Struct) -> Json {
    Json::Object(struct_to_map(s))
}

/// Converts a `Struct` into a JSON map, consuming it.
pub fn struct_to_map(s: Struct) -> Map<String, Json> {
    s.fields
        .into_iter()
        .map(|(k, v)| (k, value_to_json(v)))
        .collect()
}

/// Converts a borrowed `Struct` into a JSON object (copies strings).
pub fn struct_ref_to_json(s: &Struct) -> Json {
    Json::Object(
        s.fields
            .iter()
            .map(|(k, v)| (k.clone(), value_ref_to_json(v)))
            .collect(),
    )
}

/// Converts a `ListValue` into a JSON array, consuming it.
pub fn list_to_json(list: ListValue) -> Vec<Json> {
    list.values.into_iter().map(value_to_json).collect()
}

fn f64_to_json(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() <= MAX_EXACT_F64 {
        // Exact: |f| <= 2^53 and integral, so the cast loses nothing (and -0.0 becomes 0).
        #[allow(clippy::cast_possible_truncation)]
        return Json::Number(Number::from(f as i64));
    }
    // `from_f64` is `None` exactly for NaN and infinities (fract() of those is NaN).
    Number::from_f64(f).map_or(Json::Null, Json::Number)
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// Typed conversion
// ---------------------------------------------------------------------------------------------

/// Serialises any `T: Serialize` into a `Struct`, applying the number policy.
///
/// # Errors
///
/// [`Error::Encode`] when `T`'s `Serialize` implementation fails (e.g. a map with non-string
/// keys), [`Error::NotAnObject`] when `T` does not serialise to a JSON object.
pub fn to_struct<T: Serialize + ?Sized>(value: &T) -> Result<Struct> {
    let encoded = value
        .serialize(ser::ValueSer)
        .map_err(|source| Error::Encode {
            type_name: std::any::type_name::<T>(),
            source,
        })?;
    match encoded.kind {
        Some(Kind::StructValue(s)) => Ok(s),
        other => Err(Error::NotAnObject {
            found: kind_name(other.as_ref()),
        }),
    }
}

/// Serialises any `T: Serialize` into a protobuf `Value` under the number policy, without an
/// intermediate JSON tree.
///
/// # Errors
///
/// [`Error::Encode`] when `T`'s `Serialize` implementation fails (e.g. a map with keys that are
/// neither strings, numbers, booleans nor unit variants).
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    value
        .serialize(ser::ValueSer)
        .map_err(|source| Error::Encode {
            type_name: std::any::type_name::<T>(),
            source,
        })
}

fn kind_name(kind: Option<&Kind>) -> &'static str {
    match kind {
        None | Some(Kind::NullValue(_)) => "null",
        Some(Kind::BoolValue(_)) => "a boolean",
        Some(Kind::NumberValue(_)) => "a number",
        Some(Kind::StringValue(_)) => "a string",
        Some(Kind::ListValue(_)) => "an array",
        Some(Kind::StructValue(_)) => "an object",
    }
}

/// Deserialises a `T` straight from a borrowed `Struct` (no intermediate JSON).
///
/// # Errors
///
/// [`Error::Decode`] naming the path of the first field that does not fit `T`; the message never
/// includes the offending value.
pub fn from_struct<T: DeserializeOwned>(s: &Struct) -> Result<T> {
    serde_path_to_error::deserialize(de::StructDe(s)).map_err(|e| Error::Decode {
        type_name: std::any::type_name::<T>(),
        path: e.path().to_string(),
        reason: e.into_inner().0,
    })
}

/// Deserialises a `T` from an owned `Struct`; same rules as [`from_struct`].
///
/// # Errors
///
/// As [`from_struct`].
pub fn from_struct_owned<T: DeserializeOwned>(s: Struct) -> Result<T> {
    from_struct(&s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    fn num(f: f64) -> Value {
        Value {
            kind: Some(Kind::NumberValue(f)),
        }
    }

    #[test]
    fn integers_within_2_pow_53_are_exact_doubles() {
        let cases: &[(Json, f64)] = &[
            (json!(0), 0.0),
            (json!(-1), -1.0),
            (json!(9_007_199_254_740_992u64), 9_007_199_254_740_992.0),
            (json!(-9_007_199_254_740_992i64), -9_007_199_254_740_992.0),
        ];
        for (input, expected) in cases {
            assert_eq!(json_ref_to_value(input), num(*expected), "input {input}");
            assert_eq!(
                json_to_value(input.clone()),
                num(*expected),
                "input {input}"
            );
        }
    }

    #[test]
    fn integers_beyond_2_pow_53_become_strings() {
        let cases: &[(Json, &str)] = &[
            (json!(9_007_199_254_740_993u64), "9007199254740993"),
            (json!(-9_007_199_254_740_993i64), "-9007199254740993"),
            (json!(u64::MAX), "18446744073709551615"),
            (json!(i64::MIN), "-9223372036854775808"),
        ];
        for (input, expected) in cases {
            let want = Value {
                kind: Some(Kind::StringValue((*expected).to_owned())),
            };
            assert_eq!(json_ref_to_value(input), want, "input {input}");
            assert_eq!(json_to_value(input.clone()), want, "input {input}");
        }
    }

    #[test]
    fn doubles_back_to_json() {
        let cases: &[(f64, Json)] = &[
            (3.0, json!(3)),
            (-0.0, json!(0)),
            (-7.0, json!(-7)),
            (0.5, json!(0.5)),
            (MAX_EXACT_F64, json!(9_007_199_254_740_992u64)),
            (-MAX_EXACT_F64, json!(-9_007_199_254_740_992i64)),
            (MAX_EXACT_F64 * 2.0, json!(18_014_398_509_481_984.0)),
            (1e300, json!(1e300)),
            (f64::NAN, Json::Null),
            (f64::INFINITY, Json::Null),
            (f64::NEG_INFINITY, Json::Null),
        ];
        for (input, expected) in cases {
            assert_eq!(&value_to_json(num(*input)), expected, "input {input}");
            assert_eq!(&value_ref_to_json(&num(*input)), expected, "input {input}");
        }
        assert_eq!(value_to_json(Value { kind: None }), Json::Null);
    }

    #[test]
    fn json_to_struct_rejects_non_objects() {
        for (input, found) in [
            (json!(null), "null"),
            (json!([1]), "an array"),
            (json!("s"), "a string"),
            (json!(1), "a number"),
            (json!(true), "a boolean"),
        ] {
            match json_to_struct(input) {
                Err(Error::NotAnObject { found: f }) => assert_eq!(f, found),
                other => panic!("expected NotAnObject, got {other:?}"),
            }
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Creds {
        username: String,
        port: u16,
    }

    #[test]
    fn decode_errors_name_the_path_and_hide_the_value() {
        let s = json_to_struct(json!({"username": "admin", "port": "hunter2-secret"})).unwrap();
        let err = from_struct::<Creds>(&s).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("port"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "port"),
            other => panic!("expected Decode, got {other:?}"),
        }
    }

    #[test]
    fn root_newtype_and_option_wrappers_decode() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Wrapper(Creds);
        let s = json_to_struct(json!({"username": "u", "port": 1})).unwrap();
        let want = Creds {
            username: "u".into(),
            port: 1,
        };
        assert_eq!(from_struct::<Option<Creds>>(&s).unwrap(), Some(want));
        assert_eq!(from_struct::<Wrapper>(&s).unwrap().0.port, 1);
        from_struct::<serde::de::IgnoredAny>(&s).unwrap();
    }

    #[test]
    fn integral_double_decodes_into_integer_field() {
        let s = Struct {
            fields: [
                (
                    "username".to_owned(),
                    Value {
                        kind: Some(Kind::StringValue("u".into())),
                    },
                ),
                ("port".to_owned(), num(9440.0)),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(
            from_struct::<Creds>(&s).unwrap(),
            Creds {
                username: "u".into(),
                port: 9440
            }
        );
    }
}
