//! A `serde` serializer writing straight into `prost_types` values (see [`super::to_struct`]).
//!
//! Mirrors `serde_json::to_value` shape for shape (unit variants as strings, other variants as
//! single-key maps, bytes as arrays of numbers, non-finite floats as `null`, number and boolean
//! map keys as strings) and then applies the number policy, so the result equals
//! `json_to_value(serde_json::to_value(x)?)` without building the JSON tree. Integers beyond
//! 64 bits, which `serde_json` rejects, become decimal strings like every other integer beyond
//! ±2^53.

use std::collections::BTreeMap;

use prost_types::value::Kind;
use prost_types::{ListValue, NullValue, Struct, Value};
use serde::Serialize;
use serde::ser::{self, Error as _, Impossible};

use super::{i64_kind, u64_kind};

type SerResult<T> = Result<T, serde_json::Error>;

fn value(kind: Kind) -> Value {
    Value { kind: Some(kind) }
}

fn null() -> Value {
    value(Kind::NullValue(NullValue::NullValue as i32))
}

fn f64_value(f: f64) -> Value {
    if f.is_finite() {
        value(Kind::NumberValue(f))
    } else {
        null()
    }
}

fn u128_value(u: u128) -> Value {
    match u64::try_from(u) {
        Ok(u) => value(u64_kind(u)),
        Err(_) => value(Kind::StringValue(u.to_string())),
    }
}

fn i128_value(i: i128) -> Value {
    match i64::try_from(i) {
        Ok(i) => value(i64_kind(i)),
        Err(_) => value(Kind::StringValue(i.to_string())),
    }
}

/// `{variant: inner}`, the externally tagged form.
fn tagged(variant: &'static str, inner: Value) -> Value {
    let mut fields = BTreeMap::new();
    fields.insert(variant.to_owned(), inner);
    value(Kind::StructValue(Struct { fields }))
}

/// Serializes one value.
pub(super) struct ValueSer;

impl ser::Serializer for ValueSer {
    type Ok = Value;
    type Error = serde_json::Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = SeqSer;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = MapSer;

    fn serialize_bool(self, v: bool) -> SerResult<Value> {
        Ok(value(Kind::BoolValue(v)))
    }

    fn serialize_i8(self, v: i8) -> SerResult<Value> {
        Ok(value(i64_kind(v.into())))
    }

    fn serialize_i16(self, v: i16) -> SerResult<Value> {
        Ok(value(i64_kind(v.into())))
    }

    fn serialize_i32(self, v: i32) -> SerResult<Value> {
        Ok(value(i64_kind(v.into())))
    }

    fn serialize_i64(self, v: i64) -> SerResult<Value> {
        Ok(value(i64_kind(v)))
    }

    fn serialize_i128(self, v: i128) -> SerResult<Value> {
        Ok(i128_value(v))
    }

    fn serialize_u8(self, v: u8) -> SerResult<Value> {
        Ok(value(u64_kind(v.into())))
    }

    fn serialize_u16(self, v: u16) -> SerResult<Value> {
        Ok(value(u64_kind(v.into())))
    }

    fn serialize_u32(self, v: u32) -> SerResult<Value> {
        Ok(value(u64_kind(v.into())))
    }

    fn serialize_u64(self, v: u64) -> SerResult<Value> {
        Ok(value(u64_kind(v)))
    }

    fn serialize_u128(self, v: u128) -> SerResult<Value> {
        Ok(u128_value(v))
    }

    fn serialize_f32(self, v: f32) -> SerResult<Value> {
        Ok(f64_value(v.into()))
    }

    fn serialize_f64(self, v: f64) -> SerResult<Value> {
        Ok(f64_value(v))
    }

    fn serialize_char(self, v: char) -> SerResult<Value> {
        Ok(value(Kind::StringValue(v.to_string())))
    }

    fn serialize_str(self, v: &str) -> SerResult<Value> {
        Ok(value(Kind::StringValue(v.to_owned())))
    }

    fn serialize_bytes(self, v: &[u8]) -> SerResult<Value> {
        Ok(value(Kind::ListValue(ListValue {
            values: v.iter().map(|b| value(u64_kind((*b).into()))).collect(),
        })))
    }

    fn serialize_none(self) -> SerResult<Value> {
        Ok(null())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> SerResult<Value> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> SerResult<Value> {
        Ok(null())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SerResult<Value> {
        Ok(null())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult<Value> {
        Ok(value(Kind::StringValue(variant.to_owned())))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        v: &T,
    ) -> SerResult<Value> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> SerResult<Value> {
        Ok(tagged(variant, v.serialize(ValueSer)?))
    }

    fn serialize_seq(self, len: Option<usize>) -> SerResult<SeqSer> {
        Ok(SeqSer {
            values: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
        })
    }

    fn serialize_tuple(self, len: usize) -> SerResult<SeqSer> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> SerResult<SeqSer> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> SerResult<SeqSer> {
        Ok(SeqSer {
            values: Vec::with_capacity(len),
            variant: Some(variant),
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> SerResult<MapSer> {
        Ok(MapSer::new(None))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> SerResult<MapSer> {
        Ok(MapSer::new(None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SerResult<MapSer> {
        Ok(MapSer::new(Some(variant)))
    }
}

/// Sequences, tuples and tuple variants.
pub(super) struct SeqSer {
    values: Vec<Value>,
    variant: Option<&'static str>,
}

impl SeqSer {
    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        self.values.push(v.serialize(ValueSer)?);
        Ok(())
    }

    fn finish(self) -> Value {
        let list = value(Kind::ListValue(ListValue {
            values: self.values,
        }));
        match self.variant {
            Some(variant) => tagged(variant, list),
            None => list,
        }
    }
}

impl ser::SerializeSeq for SeqSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        self.push(v)
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        self.push(v)
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        self.push(v)
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for SeqSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        self.push(v)
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

/// Maps, structs and struct variants.
pub(super) struct MapSer {
    fields: BTreeMap<String, Value>,
    next_key: Option<String>,
    variant: Option<&'static str>,
}

impl MapSer {
    fn new(variant: Option<&'static str>) -> Self {
        Self {
            fields: BTreeMap::new(),
            next_key: None,
            variant,
        }
    }

    fn finish(self) -> Value {
        let map = value(Kind::StructValue(Struct {
            fields: self.fields,
        }));
        match self.variant {
            Some(variant) => tagged(variant, map),
            None => map,
        }
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> SerResult<()> {
        self.next_key = Some(key.serialize(KeySer)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult<()> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| serde_json::Error::custom("map value serialized before its key"))?;
        self.fields.insert(key, v.serialize(ValueSer)?);
        Ok(())
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> SerResult<()> {
        self.fields.insert(key.to_owned(), v.serialize(ValueSer)?);
        Ok(())
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for MapSer {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> SerResult<()> {
        self.fields.insert(key.to_owned(), v.serialize(ValueSer)?);
        Ok(())
    }

    fn end(self) -> SerResult<Value> {
        Ok(self.finish())
    }
}

/// Map keys: strings, and numbers, booleans, chars and unit variants written as strings
/// (as `serde_json` does).
struct KeySer;

fn key_must_be_a_string() -> serde_json::Error {
    serde_json::Error::custom("key must be a string")
}

impl ser::Serializer for KeySer {
    type Ok = String;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<String, serde_json::Error>;
    type SerializeTuple = Impossible<String, serde_json::Error>;
    type SerializeTupleStruct = Impossible<String, serde_json::Error>;
    type SerializeTupleVariant = Impossible<String, serde_json::Error>;
    type SerializeMap = Impossible<String, serde_json::Error>;
    type SerializeStruct = Impossible<String, serde_json::Error>;
    type SerializeStructVariant = Impossible<String, serde_json::Error>;

    fn serialize_bool(self, v: bool) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_i8(self, v: i8) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_i16(self, v: i16) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_i32(self, v: i32) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_i64(self, v: i64) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_i128(self, v: i128) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_u8(self, v: u8) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_u16(self, v: u16) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_u32(self, v: u32) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_u64(self, v: u64) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_u128(self, v: u128) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_f32(self, v: f32) -> SerResult<String> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> SerResult<String> {
        if v.is_finite() {
            Ok(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))
        } else {
            Err(serde_json::Error::custom("float key must be finite"))
        }
    }

    fn serialize_char(self, v: char) -> SerResult<String> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> SerResult<String> {
        Ok(v.to_owned())
    }

    fn serialize_bytes(self, _v: &[u8]) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _v: &T) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit(self) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult<String> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        v: &T,
    ) -> SerResult<String> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _v: &T,
    ) -> SerResult<String> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _len: Option<usize>) -> SerResult<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _len: usize) -> SerResult<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> SerResult<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}
