//! The serializer of a bare `google.protobuf.Struct` (the top level of
//! [`super::encode_struct`]): maps, structs and variants that serialise as single-key maps are
//! written as `Struct` entries; anything else is refused, named as
//! [`to_struct`](crate::value::to_struct) names it.

use serde::Serialize;
use serde::ser;

use super::ser::{MapSer, Open, SeqSer, SerError, SerResult, ValueSer, open_variant, tag};
use super::writer::Writer;
use crate::value::MAX_EXACT_INTEGER;

/// Writes the content of a bare `google.protobuf.Struct` message; refuses anything that
/// [`super::super::to_struct`] refuses, naming it the same way.
pub(crate) struct StructSer<'a> {
    w: &'a mut Writer,
}

impl<'a> StructSer<'a> {
    pub(crate) fn new(w: &'a mut Writer) -> Self {
        Self { w }
    }
}

fn not_an_object<T>(found: &'static str) -> SerResult<T> {
    Err(SerError::NotAnObject(found))
}

/// What a number becomes under the number policy, for `NotAnObject`.
fn u64_kind_name(v: u64) -> &'static str {
    if v <= MAX_EXACT_INTEGER {
        "a number"
    } else {
        "a string"
    }
}

fn i64_kind_name(v: i64) -> &'static str {
    u64_kind_name(v.unsigned_abs())
}

fn f64_kind_name(v: f64) -> &'static str {
    if v.is_finite() { "a number" } else { "null" }
}

impl<'a> ser::Serializer for StructSer<'a> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = SeqSer<'a>;
    type SerializeTupleStruct = SeqSer<'a>;
    type SerializeTupleVariant = SeqSer<'a>;
    type SerializeMap = MapSer<'a>;
    type SerializeStruct = MapSer<'a>;
    type SerializeStructVariant = MapSer<'a>;

    fn serialize_bool(self, _v: bool) -> SerResult {
        not_an_object("a boolean")
    }

    fn serialize_i8(self, _v: i8) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_i16(self, _v: i16) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_i32(self, _v: i32) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_i64(self, v: i64) -> SerResult {
        not_an_object(i64_kind_name(v))
    }

    fn serialize_i128(self, v: i128) -> SerResult {
        not_an_object(i64::try_from(v).map_or("a string", i64_kind_name))
    }

    fn serialize_u8(self, _v: u8) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_u16(self, _v: u16) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_u32(self, _v: u32) -> SerResult {
        not_an_object("a number")
    }

    fn serialize_u64(self, v: u64) -> SerResult {
        not_an_object(u64_kind_name(v))
    }

    fn serialize_u128(self, v: u128) -> SerResult {
        not_an_object(u64::try_from(v).map_or("a string", u64_kind_name))
    }

    fn serialize_f32(self, v: f32) -> SerResult {
        not_an_object(f64_kind_name(v.into()))
    }

    fn serialize_f64(self, v: f64) -> SerResult {
        not_an_object(f64_kind_name(v))
    }

    fn serialize_char(self, _v: char) -> SerResult {
        not_an_object("a string")
    }

    fn serialize_str(self, _v: &str) -> SerResult {
        not_an_object("a string")
    }

    fn serialize_bytes(self, _v: &[u8]) -> SerResult {
        not_an_object("an array")
    }

    fn serialize_none(self) -> SerResult {
        not_an_object("null")
    }

    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> SerResult {
        v.serialize(self)
    }

    fn serialize_unit(self) -> SerResult {
        not_an_object("null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        not_an_object("null")
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> SerResult {
        not_an_object("a string")
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        v: &T,
    ) -> SerResult {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> SerResult {
        let mut open = Open::default();
        open_variant(self.w, variant, &mut open);
        v.serialize(ValueSer::new(self.w))?;
        open.close_all(self.w)
    }

    fn serialize_seq(self, _len: Option<usize>) -> SerResult<SeqSer<'a>> {
        not_an_object("an array")
    }

    fn serialize_tuple(self, _len: usize) -> SerResult<SeqSer<'a>> {
        not_an_object("an array")
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> SerResult<SeqSer<'a>> {
        not_an_object("an array")
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SerResult<SeqSer<'a>> {
        let mut open = Open::default();
        open_variant(self.w, variant, &mut open);
        open.push(self.w.open(tag::LIST));
        Ok(SeqSer { w: self.w, open })
    }

    fn serialize_map(self, _len: Option<usize>) -> SerResult<MapSer<'a>> {
        Ok(MapSer::new(self.w, Open::default()))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> SerResult<MapSer<'a>> {
        Ok(MapSer::new(self.w, Open::default()))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SerResult<MapSer<'a>> {
        let mut open = Open::default();
        open_variant(self.w, variant, &mut open);
        open.push(self.w.open(tag::STRUCT));
        Ok(MapSer::new(self.w, open))
    }
}
