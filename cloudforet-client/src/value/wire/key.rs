//! The serializer of map keys: strings, and numbers, booleans, chars and unit variants as their
//! text, as `serde_json` writes them.

use std::fmt::Display;

use serde::Serialize;
use serde::ser::{self, Impossible};

use super::ser::{SerError, SerResult, put_key, tag, write_display};
use super::writer::Writer;

/// Writes a map entry's key field: strings, and numbers, booleans, chars and unit variants as
/// their text (as `serde_json` does); anything else is an error.
pub(super) struct KeySer<'a> {
    w: &'a mut Writer,
}

impl<'a> KeySer<'a> {
    pub(super) fn new(w: &'a mut Writer) -> Self {
        Self { w }
    }
}

fn key_must_be_a_string<T>() -> SerResult<T> {
    Err(SerError::Custom("key must be a string".to_owned()))
}

impl KeySer<'_> {
    /// A number's text as the key (never empty, at most 40 bytes).
    fn display(self, v: impl Display) -> SerResult {
        let at = self.w.open(tag::ENTRY_KEY);
        write_display(&mut self.w.buf, v);
        self.w.close(at)
    }
}

impl ser::Serializer for KeySer<'_> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_bool(self, v: bool) -> SerResult {
        put_key(&mut self.w.buf, if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> SerResult {
        self.display(v)
    }

    fn serialize_i16(self, v: i16) -> SerResult {
        self.display(v)
    }

    fn serialize_i32(self, v: i32) -> SerResult {
        self.display(v)
    }

    fn serialize_i64(self, v: i64) -> SerResult {
        self.display(v)
    }

    fn serialize_i128(self, v: i128) -> SerResult {
        self.display(v)
    }

    fn serialize_u8(self, v: u8) -> SerResult {
        self.display(v)
    }

    fn serialize_u16(self, v: u16) -> SerResult {
        self.display(v)
    }

    fn serialize_u32(self, v: u32) -> SerResult {
        self.display(v)
    }

    fn serialize_u64(self, v: u64) -> SerResult {
        self.display(v)
    }

    fn serialize_u128(self, v: u128) -> SerResult {
        self.display(v)
    }

    fn serialize_f32(self, v: f32) -> SerResult {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> SerResult {
        if !v.is_finite() {
            return Err(SerError::Custom("float key must be finite".to_owned()));
        }
        // serde_json's own text for the number, as `value::ser` uses.
        match serde_json::Number::from_f64(v) {
            Some(n) => self.display(n),
            None => self.display(v),
        }
    }

    fn serialize_char(self, v: char) -> SerResult {
        put_key(&mut self.w.buf, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> SerResult {
        put_key(&mut self.w.buf, v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_none(self) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _v: &T) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_unit(self) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult {
        put_key(&mut self.w.buf, variant);
        Ok(())
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
        _variant: &'static str,
        _v: &T,
    ) -> SerResult {
        key_must_be_a_string()
    }

    fn serialize_seq(self, _len: Option<usize>) -> SerResult<Self::SerializeSeq> {
        key_must_be_a_string()
    }

    fn serialize_tuple(self, _len: usize) -> SerResult<Self::SerializeTuple> {
        key_must_be_a_string()
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeTupleStruct> {
        key_must_be_a_string()
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeTupleVariant> {
        key_must_be_a_string()
    }

    fn serialize_map(self, _len: Option<usize>) -> SerResult<Self::SerializeMap> {
        key_must_be_a_string()
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeStruct> {
        key_must_be_a_string()
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> SerResult<Self::SerializeStructVariant> {
        key_must_be_a_string()
    }
}
