//! The `serde` serializers behind [`super::encode_struct`] and [`super::encode_value`].
//!
//! Shape for shape the same as `value::ser` (which builds `prost_types` values), but writing the
//! protobuf bytes of `google.protobuf.Value` / `Struct` / `ListValue` straight into a `Vec<u8>`:
//!
//! ```text
//! Struct    { map<string, Value> fields = 1 }   entry = { string key = 1; Value value = 2 }
//! Value     { oneof kind { NullValue null_value = 1; double number_value = 2;
//!             string string_value = 3; bool bool_value = 4; Struct struct_value = 5;
//!             ListValue list_value = 6 } }
//! ListValue { repeated Value values = 1 }
//! ```
//!
//! Every nested message gets a length placeholder from the [`Writer`], which fills it in when the
//! message ends (see `writer.rs`). Positions of open placeholders are kept on the Rust stack and
//! closed innermost first.

use std::fmt::{self, Display};

use serde::Serialize;
use serde::ser;

use super::key::KeySer;
use super::writer::Writer;
use crate::value::MAX_EXACT_INTEGER;

/// Field tags (field number << 3 | wire type) of the three messages.
pub(super) mod tag {
    /// `Struct.fields` (map entry, length-delimited).
    pub(in crate::value::wire) const STRUCT_ENTRY: u8 = 1 << 3 | 2;
    /// Map entry `key` (string).
    pub(in crate::value::wire) const ENTRY_KEY: u8 = 1 << 3 | 2;
    /// Map entry `value` (message `Value`).
    pub(in crate::value::wire) const ENTRY_VALUE: u8 = 2 << 3 | 2;
    /// `Value.null_value` (enum, varint).
    pub(in crate::value::wire) const NULL: u8 = 1 << 3;
    /// `Value.number_value` (double, 64-bit).
    pub(in crate::value::wire) const NUMBER: u8 = 2 << 3 | 1;
    /// `Value.string_value` (length-delimited).
    pub(in crate::value::wire) const STRING: u8 = 3 << 3 | 2;
    /// `Value.bool_value` (varint).
    pub(in crate::value::wire) const BOOL: u8 = 4 << 3;
    /// `Value.struct_value` (length-delimited).
    pub(in crate::value::wire) const STRUCT: u8 = 5 << 3 | 2;
    /// `Value.list_value` (length-delimited).
    pub(in crate::value::wire) const LIST: u8 = 6 << 3 | 2;
    /// `ListValue.values` (length-delimited).
    pub(in crate::value::wire) const LIST_ELEMENT: u8 = 1 << 3 | 2;
}

/// The largest length a protobuf message may have (2 GiB - 1).
const MAX_LEN: usize = i32::MAX as usize;

/// Why serialisation failed; turned into the crate's `Error` by the public functions.
#[derive(Debug)]
pub(crate) enum SerError {
    /// A `Serialize` implementation (or a map key) failed.
    Custom(String),
    /// A bare `Struct` was asked for and the value is not a map; names what it is.
    NotAnObject(&'static str),
    /// A nested message is longer than [`MAX_LEN`].
    TooLarge,
}

impl Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Custom(msg) => f.write_str(msg),
            Self::NotAnObject(found) => {
                write!(f, "a google.protobuf.Struct needs a map, found {found}")
            }
            Self::TooLarge => f.write_str("a nested message exceeds 2 GiB"),
        }
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }
}

pub(super) type SerResult<T = ()> = Result<T, SerError>;

// ---------------------------------------------------------------------------------------------
// Byte-level writers
// ---------------------------------------------------------------------------------------------

/// Appends a length-delimited field with a one-byte tag: tag, length, bytes (length known up
/// front). Tag and one-byte length go out as one two-byte write.
#[inline(always)]
fn put_tagged_bytes(buf: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    let len = bytes.len();
    if len < 0x80 {
        #[allow(clippy::cast_possible_truncation)]
        buf.extend_from_slice(&[tag, len as u8]);
    } else {
        buf.push(tag);
        super::encode_varint(len as u64, buf);
    }
    buf.extend_from_slice(bytes);
}

/// `Value { null_value: NULL_VALUE }`.
#[inline]
fn put_null(buf: &mut Vec<u8>) {
    buf.extend_from_slice(&[tag::NULL, 0]);
}

#[inline]
fn put_bool(buf: &mut Vec<u8>, v: bool) {
    buf.extend_from_slice(&[tag::BOOL, u8::from(v)]);
}

/// A finite double as `number_value`, anything else as `null_value`.
#[inline]
fn put_f64(buf: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        put_number(buf, v);
    } else {
        put_null(buf);
    }
}

#[inline]
fn put_number(buf: &mut Vec<u8>, v: f64) {
    let b = v.to_le_bytes();
    buf.extend_from_slice(&[tag::NUMBER, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
}

#[inline]
fn put_str(buf: &mut Vec<u8>, v: &str) {
    put_tagged_bytes(buf, tag::STRING, v.as_bytes());
}

/// A value's decimal text as `string_value` (integers beyond ±2^53; at most 40 bytes).
fn put_display(w: &mut Writer, v: impl Display) -> SerResult {
    let at = w.open(tag::STRING);
    write_display(&mut w.buf, v);
    w.close(at)
}

pub(super) fn write_display(buf: &mut Vec<u8>, v: impl Display) {
    use std::io::Write as _;
    // Writing into a Vec<u8> cannot fail.
    let _ = write!(buf, "{v}");
}

/// The number policy for unsigned integers: exact double up to 2^53, decimal string beyond.
#[inline]
fn put_u64(w: &mut Writer, v: u64) -> SerResult {
    if v <= MAX_EXACT_INTEGER {
        // Exact: every integer up to 2^53 is a double.
        #[allow(clippy::cast_precision_loss)]
        put_number(&mut w.buf, v as f64);
        Ok(())
    } else {
        put_display(w, v)
    }
}

/// The number policy for signed integers: exact double within ±2^53, decimal string beyond.
#[inline]
fn put_i64(w: &mut Writer, v: i64) -> SerResult {
    if v.unsigned_abs() <= MAX_EXACT_INTEGER {
        #[allow(clippy::cast_precision_loss)]
        put_number(&mut w.buf, v as f64);
        Ok(())
    } else {
        put_display(w, v)
    }
}

/// A map entry's key field; an empty key is omitted, as prost omits default map keys.
#[inline]
pub(super) fn put_key(buf: &mut Vec<u8>, key: &str) {
    if !key.is_empty() {
        put_tagged_bytes(buf, tag::ENTRY_KEY, key.as_bytes());
    }
}

/// Placeholders still open in a map or sequence serializer, closed innermost first by `end`.
/// At most four: `struct_value`, entry, entry value and inner `struct_value`/`list_value` of a
/// variant written as a `Value`.
#[derive(Default)]
pub(super) struct Open {
    at: [usize; 4],
    n: usize,
}

impl Open {
    #[inline]
    fn one(at: usize) -> Self {
        Self {
            at: [at, 0, 0, 0],
            n: 1,
        }
    }

    #[inline]
    pub(super) fn push(&mut self, at: usize) {
        if let Some(slot) = self.at.get_mut(self.n) {
            *slot = at;
            self.n += 1;
        }
    }

    #[inline]
    pub(super) fn close_all(&self, w: &mut Writer) -> SerResult {
        for &at in self.at[..self.n].iter().rev() {
            w.close(at)?;
        }
        Ok(())
    }
}

/// Opens the single entry `{variant: ...}` of an externally tagged variant, up to and including
/// the placeholder of its `Value`.
#[inline]
pub(super) fn open_variant(w: &mut Writer, variant: &str, open: &mut Open) {
    open.push(w.open(tag::STRUCT_ENTRY));
    put_key(&mut w.buf, variant);
    open.push(w.open(tag::ENTRY_VALUE));
}

// ---------------------------------------------------------------------------------------------
// Value serializer
// ---------------------------------------------------------------------------------------------

/// Writes the content of one `google.protobuf.Value` message (its `kind` field).
pub(crate) struct ValueSer<'a> {
    w: &'a mut Writer,
}

impl<'a> ValueSer<'a> {
    pub(crate) fn new(w: &'a mut Writer) -> Self {
        Self { w }
    }
}

impl<'a> ser::Serializer for ValueSer<'a> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = SeqSer<'a>;
    type SerializeTupleStruct = SeqSer<'a>;
    type SerializeTupleVariant = SeqSer<'a>;
    type SerializeMap = MapSer<'a>;
    type SerializeStruct = MapSer<'a>;
    type SerializeStructVariant = MapSer<'a>;

    fn serialize_bool(self, v: bool) -> SerResult {
        put_bool(&mut self.w.buf, v);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> SerResult {
        put_i64(self.w, v)
    }

    fn serialize_i128(self, v: i128) -> SerResult {
        match i64::try_from(v) {
            Ok(v) => put_i64(self.w, v),
            Err(_) => put_display(self.w, v),
        }
    }

    fn serialize_u8(self, v: u8) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> SerResult {
        put_number(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> SerResult {
        put_u64(self.w, v)
    }

    fn serialize_u128(self, v: u128) -> SerResult {
        match u64::try_from(v) {
            Ok(v) => put_u64(self.w, v),
            Err(_) => put_display(self.w, v),
        }
    }

    fn serialize_f32(self, v: f32) -> SerResult {
        put_f64(&mut self.w.buf, v.into());
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> SerResult {
        put_f64(&mut self.w.buf, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> SerResult {
        put_str(&mut self.w.buf, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> SerResult {
        put_str(&mut self.w.buf, v);
        Ok(())
    }

    /// Bytes are a list of numbers, as `serde_json` writes them; every element has the same
    /// size (tag, length 9, number tag, 8 bytes), so the list length is known up front.
    fn serialize_bytes(self, v: &[u8]) -> SerResult {
        const ELEMENT: usize = 11;
        let len = v.len().checked_mul(ELEMENT).ok_or(SerError::TooLarge)?;
        if len > MAX_LEN {
            return Err(SerError::TooLarge);
        }
        self.w.buf.push(tag::LIST);
        super::encode_varint(len as u64, &mut self.w.buf);
        self.w.buf.reserve(len);
        for &b in v {
            self.w.buf.extend_from_slice(&[tag::LIST_ELEMENT, 9]);
            put_number(&mut self.w.buf, b.into());
        }
        Ok(())
    }

    fn serialize_none(self) -> SerResult {
        put_null(&mut self.w.buf);
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> SerResult {
        v.serialize(self)
    }

    fn serialize_unit(self) -> SerResult {
        put_null(&mut self.w.buf);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SerResult {
        put_null(&mut self.w.buf);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult {
        put_str(&mut self.w.buf, variant);
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
        variant: &'static str,
        v: &T,
    ) -> SerResult {
        let mut open = Open::one(self.w.open(tag::STRUCT));
        open_variant(self.w, variant, &mut open);
        v.serialize(ValueSer::new(self.w))?;
        open.close_all(self.w)
    }

    fn serialize_seq(self, _len: Option<usize>) -> SerResult<SeqSer<'a>> {
        let open = Open::one(self.w.open(tag::LIST));
        Ok(SeqSer { w: self.w, open })
    }

    fn serialize_tuple(self, len: usize) -> SerResult<SeqSer<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> SerResult<SeqSer<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SerResult<SeqSer<'a>> {
        let mut open = Open::one(self.w.open(tag::STRUCT));
        open_variant(self.w, variant, &mut open);
        open.push(self.w.open(tag::LIST));
        Ok(SeqSer { w: self.w, open })
    }

    fn serialize_map(self, _len: Option<usize>) -> SerResult<MapSer<'a>> {
        let open = Open::one(self.w.open(tag::STRUCT));
        Ok(MapSer::new(self.w, open))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> SerResult<MapSer<'a>> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SerResult<MapSer<'a>> {
        let mut open = Open::one(self.w.open(tag::STRUCT));
        open_variant(self.w, variant, &mut open);
        open.push(self.w.open(tag::STRUCT));
        Ok(MapSer::new(self.w, open))
    }
}

// ---------------------------------------------------------------------------------------------
// Sequences
// ---------------------------------------------------------------------------------------------

/// Sequences, tuples and tuple variants: `ListValue` elements.
pub(crate) struct SeqSer<'a> {
    pub(super) w: &'a mut Writer,
    pub(super) open: Open,
}

impl SeqSer<'_> {
    #[inline]
    fn element<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        let at = self.w.open(tag::LIST_ELEMENT);
        v.serialize(ValueSer::new(self.w))?;
        self.w.close(at)
    }
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        self.element(v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

impl ser::SerializeTuple for SeqSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        self.element(v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

impl ser::SerializeTupleStruct for SeqSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        self.element(v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

impl ser::SerializeTupleVariant for SeqSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        self.element(v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

// ---------------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------------

/// Maps, structs and struct variants: `Struct` entries.
pub(crate) struct MapSer<'a> {
    w: &'a mut Writer,
    open: Open,
    /// Placeholder of the entry whose key was written and whose value has not been.
    entry: Option<usize>,
}

impl<'a> MapSer<'a> {
    #[inline]
    pub(super) fn new(w: &'a mut Writer, open: Open) -> Self {
        Self {
            w,
            open,
            entry: None,
        }
    }

    /// Writes the value of the entry opened at `entry` and closes both.
    #[inline]
    fn value<T: ?Sized + Serialize>(&mut self, entry: usize, v: &T) -> SerResult {
        let at = self.w.open(tag::ENTRY_VALUE);
        v.serialize(ValueSer::new(self.w))?;
        self.w.close(at)?;
        self.w.close(entry)
    }

    #[inline]
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, v: &T) -> SerResult {
        let buf = &mut self.w.buf;
        let entry = buf.len() + 1;
        match key.len() {
            // The common case in one four-byte write: entry tag, entry length placeholder, key
            // tag, key length.
            #[allow(clippy::cast_possible_truncation)]
            len @ 1..0x80 => {
                buf.extend_from_slice(&[tag::STRUCT_ENTRY, 0, tag::ENTRY_KEY, len as u8]);
                buf.extend_from_slice(key.as_bytes());
            }
            _ => {
                buf.extend_from_slice(&[tag::STRUCT_ENTRY, 0]);
                put_key(buf, key);
            }
        }
        self.value(entry, v)
    }
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> SerResult {
        self.entry = Some(self.w.open(tag::STRUCT_ENTRY));
        key.serialize(KeySer::new(self.w))
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> SerResult {
        let entry = self
            .entry
            .take()
            .ok_or_else(|| SerError::Custom("map value serialized before its key".to_owned()))?;
        self.value(entry, v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

impl ser::SerializeStruct for MapSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> SerResult {
        self.field(key, v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}

impl ser::SerializeStructVariant for MapSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> SerResult {
        self.field(key, v)
    }

    fn end(self) -> SerResult {
        self.open.close_all(self.w)
    }
}
