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
//! | `T: Serialize` | `Struct` | [`to_struct`] |
//! | `Struct` | `T: DeserializeOwned` | [`from_struct`] (borrowing, no intermediate JSON), [`from_struct_owned`] |
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
//! [`to_struct`] serialises through `serde_json` (so `#[serde(...)]` attributes behave as usual)
//! and applies the number policy. [`from_struct`] deserialises straight from the `Struct`,
//! borrowing its strings, and:
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

use std::fmt;

use prost_types::value::Kind;
use prost_types::{ListValue, NullValue, Struct, Value};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde::{Deserializer, Serialize};
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
        if u <= MAX_EXACT_INTEGER {
            // Exact: every integer up to 2^53 is a double.
            #[allow(clippy::cast_precision_loss)]
            return Kind::NumberValue(u as f64);
        }
        return Kind::StringValue(u.to_string());
    }
    if let Some(i) = n.as_i64() {
        // Only negative values reach this branch (non-negative ones are u64 above).
        if i.unsigned_abs() <= MAX_EXACT_INTEGER {
            #[allow(clippy::cast_precision_loss)]
            return Kind::NumberValue(i as f64);
        }
        return Kind::StringValue(i.to_string());
    }
    match n.as_f64() {
        Some(f) if f.is_finite() => Kind::NumberValue(f),
        // Only reachable with serde_json's `arbitrary_precision` feature (e.g. integers beyond
        // 64 bits or exponents out of range): keep the exact text rather than rounding.
        _ => Kind::StringValue(n.to_string()),
    }
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
    let json = serde_json::to_value(value).map_err(|source| Error::Encode {
        type_name: std::any::type_name::<T>(),
        source,
    })?;
    json_to_struct(json)
}

/// Deserialises a `T` straight from a borrowed `Struct` (no intermediate JSON).
///
/// # Errors
///
/// [`Error::Decode`] naming the path of the first field that does not fit `T`; the message never
/// includes the offending value.
pub fn from_struct<T: DeserializeOwned>(s: &Struct) -> Result<T> {
    serde_path_to_error::deserialize(StructDe(s)).map_err(|e| Error::Decode {
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

/// Decoding error: a message that never contains the decoded value.
#[derive(Debug)]
struct DecodeError(String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Self(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self(format!(
            "invalid type: {}, expected {exp}",
            unexpected_kind(&unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self(format!(
            "invalid value: {}, expected {exp}",
            unexpected_kind(&unexp)
        ))
    }
}

/// Names the kind of an unexpected value without its content (it may be a secret).
fn unexpected_kind(unexp: &Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a floating point number",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a newtype struct",
        Unexpected::Seq => "a list",
        Unexpected::Map => "a map",
        Unexpected::Enum => "an enum",
        Unexpected::UnitVariant => "a unit variant",
        Unexpected::NewtypeVariant => "a newtype variant",
        Unexpected::TupleVariant => "a tuple variant",
        Unexpected::StructVariant => "a struct variant",
        Unexpected::Other(_) => "an unexpected value",
    }
}

type DeResult<T> = std::result::Result<T, DecodeError>;

/// Deserializer over a whole `Struct` (a map).
struct StructDe<'de>(&'de Struct);

impl<'de> Deserializer<'de> for StructDe<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        visit_struct(self.0, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> DeResult<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier
    }
}

/// Deserializer over one `Value`.
struct ValueDe<'de>(&'de Value);

/// Integer hints: a string holding a decimal integer is accepted (the big-integer encoding).
macro_rules! integer_hints {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
            match &self.0.kind {
                Some(Kind::StringValue(s)) => visit_integer_str(s, visitor),
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDe<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        match &self.0.kind {
            None | Some(Kind::NullValue(_)) => visitor.visit_unit(),
            Some(Kind::BoolValue(b)) => visitor.visit_bool(*b),
            Some(Kind::NumberValue(f)) => visit_number(*f, visitor),
            Some(Kind::StringValue(s)) => visitor.visit_borrowed_str(s),
            Some(Kind::ListValue(list)) => {
                let mut seq = SeqDe(list.values.iter());
                let out = visitor.visit_seq(&mut seq)?;
                match seq.0.len() {
                    0 => Ok(out),
                    rest => Err(de::Error::invalid_length(
                        list.values.len(),
                        &format!("{} elements", list.values.len() - rest).as_str(),
                    )),
                }
            }
            Some(Kind::StructValue(s)) => visit_struct(s, visitor),
        }
    }

    integer_hints! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        match &self.0.kind {
            None | Some(Kind::NullValue(_)) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> DeResult<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> DeResult<V::Value> {
        match &self.0.kind {
            Some(Kind::StringValue(s)) => {
                visitor.visit_enum(BorrowedStrDeserializer::<DecodeError>::new(s))
            }
            Some(Kind::StructValue(s)) if s.fields.len() == 1 => {
                let Some((variant, value)) = s.fields.iter().next() else {
                    return Err(de::Error::invalid_length(0, &"a map with one key"));
                };
                visitor.visit_enum(EnumDe { variant, value })
            }
            _ => Err(de::Error::invalid_type(
                unexpected(self.0),
                &"a string or a map with one key",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier
    }
}

fn visit_struct<'de, V: Visitor<'de>>(s: &'de Struct, visitor: V) -> DeResult<V::Value> {
    let mut map = MapDe {
        iter: s.fields.iter(),
        value: None,
    };
    let out = visitor.visit_map(&mut map)?;
    match map.iter.len() {
        0 => Ok(out),
        rest => Err(de::Error::invalid_length(
            s.fields.len(),
            &format!("{} entries", s.fields.len() - rest).as_str(),
        )),
    }
}

fn visit_number<'de, V: Visitor<'de>>(f: f64, visitor: V) -> DeResult<V::Value> {
    if f.fract() == 0.0 && f.abs() <= MAX_EXACT_F64 {
        // Exact casts: integral and within ±2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        if f < 0.0 {
            return visitor.visit_i64(f as i64);
        } else {
            return visitor.visit_u64(f as u64);
        }
    }
    visitor.visit_f64(f)
}

fn visit_integer_str<'de, V: Visitor<'de>>(s: &'de str, visitor: V) -> DeResult<V::Value> {
    if let Ok(u) = s.parse::<u64>() {
        visitor.visit_u64(u)
    } else if let Ok(i) = s.parse::<i64>() {
        visitor.visit_i64(i)
    } else if let Ok(u) = s.parse::<u128>() {
        visitor.visit_u128(u)
    } else if let Ok(i) = s.parse::<i128>() {
        visitor.visit_i128(i)
    } else {
        visitor.visit_borrowed_str(s)
    }
}

fn unexpected(value: &Value) -> Unexpected<'static> {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Unexpected::Unit,
        Some(Kind::BoolValue(_)) => Unexpected::Bool(false),
        Some(Kind::NumberValue(_)) => Unexpected::Float(0.0),
        Some(Kind::StringValue(_)) => Unexpected::Str(""),
        Some(Kind::ListValue(_)) => Unexpected::Seq,
        Some(Kind::StructValue(_)) => Unexpected::Map,
    }
}

struct SeqDe<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> DeResult<Option<T::Value>> {
        self.0
            .next()
            .map(|v| seed.deserialize(ValueDe(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapDe<'de> {
    iter: std::collections::btree_map::Iter<'de, String, Value>,
    value: Option<&'de Value>,
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> DeResult<Option<K::Value>> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(KeyDe(k)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> DeResult<T::Value> {
        match self.value.take() {
            Some(v) => seed.deserialize(ValueDe(v)),
            None => Err(de::Error::custom("map value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Deserializer for map keys: strings, also read as integers when an integer key is asked for
/// (as `serde_json` does for `HashMap<u32, _>`).
struct KeyDe<'de>(&'de String);

macro_rules! key_integer_hints {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
            visit_integer_str(self.0, visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> DeResult<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    key_integer_hints! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> DeResult<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> DeResult<V::Value> {
        visitor.visit_enum(BorrowedStrDeserializer::<DecodeError>::new(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// Externally tagged enum: `{"Variant": value}`.
struct EnumDe<'de> {
    variant: &'de String,
    value: &'de Value,
}

impl<'de> EnumAccess<'de> for EnumDe<'de> {
    type Error = DecodeError;
    type Variant = ValueDe<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> DeResult<(V::Value, ValueDe<'de>)> {
        let variant =
            seed.deserialize(BorrowedStrDeserializer::<DecodeError>::new(self.variant))?;
        Ok((variant, ValueDe(self.value)))
    }
}

impl<'de> VariantAccess<'de> for ValueDe<'de> {
    type Error = DecodeError;

    fn unit_variant(self) -> DeResult<()> {
        match &self.0.kind {
            None | Some(Kind::NullValue(_)) => Ok(()),
            _ => Err(de::Error::invalid_type(unexpected(self.0), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> DeResult<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> DeResult<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> DeResult<V::Value> {
        self.deserialize_map(visitor)
    }
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
