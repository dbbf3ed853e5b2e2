//! A `serde` deserializer reading straight from `prost_types` values (see [`super::from_struct`]).

use std::fmt;

use prost_types::value::Kind;
use prost_types::{Struct, Value};
use serde::Deserializer;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected, VariantAccess,
    Visitor,
};

use super::MAX_EXACT_F64;

/// Decoding error: a message that never contains the decoded value.
#[derive(Debug)]
pub(super) struct DecodeError(pub(super) String);

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
pub(super) struct StructDe<'de>(pub(super) &'de Struct);

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
