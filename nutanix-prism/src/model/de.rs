//! Lenient field decoders shared by the models (crate-private).
//!
//! Prism bodies are not always typed the way the spec says: numbers arrive as strings (`"2"`),
//! empty strings stand for "no value" (`"oplog_disk_pct": ""` in host bodies), lists arrive as
//! `null`. The functions here are used with `#[serde(deserialize_with = "...")]` on scalar and
//! list fields and follow one rule: a scalar of the wrong shape becomes `None` (it is not an
//! error), a `null` list or map becomes empty. Nested objects are not covered: an object sent
//! where an object is expected decodes normally, anything else there is a decode error.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

// Performance note: every decoder below reads its value with one `deserialize_any` and converts
// it in the visitor, straight from the borrowed input (`visit_str`): a number sent as text, an
// enum or a boolean word never allocates, and text is copied once into its final `String`.
// Values of the wrong shape are skipped with `IgnoredAny` (serde_json skips them without
// recursion, so a deeply nested value in a tolerated place cannot overflow the stack).

/// How one lenient scalar decoder converts each JSON scalar (`None`: "treat as absent").
trait Lenient {
    /// The decoded value.
    type Out;
    /// What the decoder expects, for serde's messages (never shown: nothing is rejected).
    const EXPECTING: &'static str;

    fn from_bool(v: bool) -> Option<Self::Out>;
    fn from_i64(v: i64) -> Option<Self::Out>;
    fn from_u64(v: u64) -> Option<Self::Out>;
    fn from_f64(v: f64) -> Option<Self::Out>;
    fn from_str(v: &str) -> Option<Self::Out>;
    fn from_string(v: String) -> Option<Self::Out> {
        Self::from_str(&v)
    }
}

/// Visitor of a [`Lenient`] decoder: scalars convert, `null` is `None`, arrays and objects are
/// skipped and give `None`.
struct LenientVisitor<L>(PhantomData<L>);

impl<'de, L: Lenient> Visitor<'de> for LenientVisitor<L> {
    type Value = Option<L::Out>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(L::EXPECTING)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(L::from_bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(L::from_i64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(L::from_u64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(L::from_f64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(L::from_str(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(L::from_string(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

fn lenient<'de, L: Lenient, D: Deserializer<'de>>(d: D) -> Result<Option<L::Out>, D::Error> {
    d.deserialize_any(LenientVisitor::<L>(PhantomData))
}

/// Largest float that still converts to `i64` without saturating.
const I64_FLOAT_LIMIT: f64 = 9.2e18;

fn float_to_i64(v: f64) -> Option<i64> {
    // Truncation towards zero is the documented rule for integral fields sent as floats.
    #[allow(clippy::cast_possible_truncation)]
    (v.is_finite() && v.abs() < I64_FLOAT_LIMIT).then(|| v.trunc() as i64)
}

/// Integers: see [`int`].
struct Int;

impl Lenient for Int {
    type Out = i64;
    const EXPECTING: &'static str = "an integer";

    fn from_bool(_: bool) -> Option<i64> {
        None
    }
    fn from_i64(v: i64) -> Option<i64> {
        Some(v)
    }
    fn from_u64(v: u64) -> Option<i64> {
        i64::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<i64> {
        float_to_i64(v)
    }
    fn from_str(s: &str) -> Option<i64> {
        let s = s.trim();
        s.parse::<i64>()
            .ok()
            .or_else(|| s.parse::<f64>().ok().and_then(float_to_i64))
    }
}

/// Floats: see [`float`].
struct Float;

impl Lenient for Float {
    type Out = f64;
    const EXPECTING: &'static str = "a number";

    fn from_bool(_: bool) -> Option<f64> {
        None
    }
    #[allow(clippy::cast_precision_loss)]
    fn from_i64(v: i64) -> Option<f64> {
        Some(v as f64)
    }
    #[allow(clippy::cast_precision_loss)]
    fn from_u64(v: u64) -> Option<f64> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<f64> {
        v.is_finite().then_some(v)
    }
    fn from_str(s: &str) -> Option<f64> {
        s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

/// Booleans: see [`boolean`].
struct Bool;

impl Lenient for Bool {
    type Out = bool;
    const EXPECTING: &'static str = "a boolean";

    fn from_bool(v: bool) -> Option<bool> {
        Some(v)
    }
    fn from_i64(v: i64) -> Option<bool> {
        Some(v != 0)
    }
    fn from_u64(v: u64) -> Option<bool> {
        Some(v != 0)
    }
    fn from_f64(_: f64) -> Option<bool> {
        None
    }
    fn from_str(s: &str) -> Option<bool> {
        let s = s.trim();
        let is = |word: &str| s.eq_ignore_ascii_case(word);
        if is("true") || is("yes") || s == "1" {
            Some(true)
        } else if is("false") || is("no") || s == "0" {
            Some(false)
        } else {
            None
        }
    }
}

/// Text: see [`text`].
struct Text;

impl Lenient for Text {
    type Out = String;
    const EXPECTING: &'static str = "a string";

    fn from_bool(v: bool) -> Option<String> {
        Some(v.to_string())
    }
    fn from_i64(v: i64) -> Option<String> {
        Some(v.to_string())
    }
    fn from_u64(v: u64) -> Option<String> {
        Some(v.to_string())
    }
    fn from_f64(v: f64) -> Option<String> {
        Some(v.to_string())
    }
    fn from_str(v: &str) -> Option<String> {
        Some(v.to_owned())
    }
    fn from_string(v: String) -> Option<String> {
        Some(v)
    }
}

/// `string_enum!` values: the text of any scalar, converted without an intermediate `String`.
struct Enum<E>(PhantomData<E>);

impl<E: for<'a> From<&'a str>> Lenient for Enum<E> {
    type Out = E;
    const EXPECTING: &'static str = "a string";

    fn from_bool(v: bool) -> Option<E> {
        Some(E::from(if v { "true" } else { "false" }))
    }
    fn from_i64(v: i64) -> Option<E> {
        Some(E::from(v.to_string().as_str()))
    }
    fn from_u64(v: u64) -> Option<E> {
        Some(E::from(v.to_string().as_str()))
    }
    fn from_f64(v: f64) -> Option<E> {
        Some(E::from(v.to_string().as_str()))
    }
    fn from_str(v: &str) -> Option<E> {
        Some(E::from(v))
    }
}

/// `Option<i64>`: numbers, numeric strings (`"42"`, `"4.0"`), floats truncated towards zero;
/// `null`, `""`, booleans and non-scalars decode to `None`.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient::<Int, D>(d)
}

/// `Option<f64>`: numbers and numeric strings; non-finite values and other shapes are `None`.
pub(crate) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    lenient::<Float, D>(d)
}

/// `Option<bool>`: booleans, `"true"`/`"false"` (any case), `0`/`1`; other shapes are `None`.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    lenient::<Bool, D>(d)
}

/// `Option<String>`: strings as sent (empty strings kept), numbers and booleans as their text;
/// `null` and non-scalars are `None`.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    lenient::<Text, D>(d)
}

/// `Option<E>` for a `string_enum!` type: any scalar goes through its text; other shapes are `None`.
pub(crate) fn enumeration<'de, D, E>(d: D) -> Result<Option<E>, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    lenient::<Enum<E>, D>(d)
}

/// Ignores scalar input, producing `$value` (used by the container visitors below).
macro_rules! scalars_give {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// An object decoded as `T`; any other shape is consumed and gives `None`.
struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    scalars_give!(None);

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A list element or map value that is kept only when it is an object.
struct Elem<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Elem<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor(PhantomData)).map(Elem)
    }
}

/// `Option<T>` for a nested object: an object decodes as `T`; `null`, scalars and arrays are
/// `None`.
pub(crate) fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ObjectVisitor(PhantomData))
}

/// A `T: Default` object (such as list metadata): like [`object`], `T::default()` otherwise.
pub(crate) fn object_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(object(d)?.unwrap_or_default())
}

/// The shape a [`list`] field had on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListShape {
    /// A JSON array (its object elements were kept).
    Array,
    /// `null`.
    Null,
    /// A JSON object.
    Object,
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Bool,
}

impl ListShape {
    /// The shape as a phrase for messages ("an object").
    pub(crate) fn phrase(self) -> &'static str {
        match self {
            Self::Array => "an array",
            Self::Null => "null",
            Self::Object => "an object",
            Self::String => "a string",
            Self::Number => "a number",
            Self::Bool => "a boolean",
        }
    }
}

/// Visitor of [`list`] (and of list responses' `entities`): the kept elements and the shape.
pub(crate) struct ListVisitor<T>(PhantomData<T>);

impl<T> ListVisitor<T> {
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = (Vec<T>, ListShape);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Bool))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Number))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Number))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Number))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::String))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Null))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((Vec::new(), ListShape::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while seq.next_element_seed(PushObject(&mut out))?.is_some() {}
        Ok((out, ListShape::Array))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok((Vec::new(), ListShape::Object))
    }
}

/// Decodes one list element straight into the list when it is an object (skips it otherwise),
/// saving the moves of a large `T` through `Option` wrappers.
struct PushObject<'a, T>(&'a mut Vec<T>);

impl<'de, T: Deserialize<'de>> de::DeserializeSeed<'de> for PushObject<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PushObject<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    scalars_give!(());

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0
            .push(T::deserialize(MapAccessDeserializer::new(map))?);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// `Vec<T>` of objects: an array keeps its object elements (others are dropped); `null` and
/// any other shape are an empty list.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(d.deserialize_any(ListVisitor::new())?.0)
}

/// Visitor of [`text_list`] and [`enum_list`]: every element through the [`Lenient`] decoder
/// `L`, a lone scalar as a one-element list.
struct TextListVisitor<L>(PhantomData<L>);

impl<'de, L: Lenient> Visitor<'de> for TextListVisitor<L> {
    type Value = Vec<L::Out>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of scalars")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(LenientValue(item)) = seq.next_element::<LenientValue<L>>()? {
            out.extend(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(L::from_bool(v).into_iter().collect())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(L::from_i64(v).into_iter().collect())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(L::from_u64(v).into_iter().collect())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(L::from_f64(v).into_iter().collect())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(L::from_str(v).into_iter().collect())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(L::from_string(v).into_iter().collect())
    }
}

/// `Vec<String>`: an array keeps its scalar elements as text (`null` and nested elements are
/// dropped); a lone scalar is a one-element list; `null` and objects are an empty list.
pub(crate) fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(TextListVisitor::<Text>(PhantomData))
}

/// A value decoded by a [`Lenient`] decoder (used as a list element or map value).
struct LenientValue<L: Lenient>(Option<L::Out>);

impl<'de, L: Lenient> Deserialize<'de> for LenientValue<L> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::<L, D>(d).map(LenientValue)
    }
}

/// A `Vec<String>` decoded with [`text_list`] (used as a map value).
struct TextList(Vec<String>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text_list(d).map(TextList)
    }
}

/// `Vec<E>` of a `string_enum!` type, with the rules of [`text_list`].
pub(crate) fn enum_list<'de, D, E>(d: D) -> Result<Vec<E>, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    d.deserialize_any(TextListVisitor::<Enum<E>>(PhantomData))
}

/// How a map decoder turns one value into an entry (`None`: drop the entry).
trait MapValue: Sized {
    /// The stored value.
    type Out;
    fn take(self) -> Option<Self::Out>;
}

impl<T> MapValue for Elem<T> {
    type Out = T;
    fn take(self) -> Option<T> {
        self.0
    }
}

impl<L: Lenient> MapValue for LenientValue<L> {
    type Out = L::Out;
    fn take(self) -> Option<L::Out> {
        self.0
    }
}

impl MapValue for TextList {
    type Out = Vec<String>;
    fn take(self) -> Option<Vec<String>> {
        Some(self.0)
    }
}

/// Visitor of the map decoders: an object's entries straight into a `BTreeMap` (a later
/// duplicate key replaces, or with a dropped value removes, the earlier entry); any other
/// shape is an empty map.
struct MapVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de> + MapValue> Visitor<'de> for MapVisitor<V> {
    type Value = BTreeMap<String, V::Out>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    scalars_give!(BTreeMap::new());

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(BTreeMap::new())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, V>()? {
            match value.take() {
                Some(v) => {
                    out.insert(key, v);
                }
                None => {
                    out.remove(&key);
                }
            }
        }
        Ok(out)
    }
}

/// `BTreeMap<String, T>`: an object keeps its entries whose value is an object; `null` and any
/// other shape are an empty map.
pub(crate) fn map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(MapVisitor::<Elem<T>>(PhantomData))
}

/// `BTreeMap<String, String>` (single-valued categories): scalar values are kept as text,
/// entries with `null` or non-scalar values are dropped; not an object is an empty map.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_any(MapVisitor::<LenientValue<Text>>(PhantomData))
}

/// `BTreeMap<String, Vec<String>>` (multi-valued categories): each value follows
/// [`text_list`] (a lone scalar is a one-element list); not an object is an empty map.
pub(crate) fn text_list_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    d.deserialize_any(MapVisitor::<TextList>(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Inner {
        #[serde(deserialize_with = "super::int")]
        n: Option<i64>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Probe {
        #[serde(deserialize_with = "super::int")]
        i: Option<i64>,
        #[serde(deserialize_with = "super::float")]
        f: Option<f64>,
        #[serde(deserialize_with = "super::boolean")]
        b: Option<bool>,
        #[serde(deserialize_with = "super::text")]
        t: Option<String>,
        #[serde(deserialize_with = "super::text_list")]
        l: Vec<String>,
        #[serde(deserialize_with = "super::text_map")]
        m: std::collections::BTreeMap<String, String>,
        #[serde(deserialize_with = "super::text_list_map")]
        lm: std::collections::BTreeMap<String, Vec<String>>,
        #[serde(deserialize_with = "super::object")]
        o: Option<Inner>,
        #[serde(deserialize_with = "super::list")]
        v: Vec<Inner>,
        #[serde(deserialize_with = "super::map")]
        om: std::collections::BTreeMap<String, Inner>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn integers_accept_numbers_and_numeric_strings() {
        let cases = [
            ("7", Some(7)),
            ("\"7\"", Some(7)),
            ("\" 8 \"", Some(8)),
            ("\"4.0\"", Some(4)),
            ("4.9", Some(4)),
            ("-3", Some(-3)),
            ("\"\"", None),
            ("null", None),
            ("true", None),
            ("[1]", None),
            ("{\"a\":1}", None),
            ("18446744073709551615", None),
            ("1e300", None),
        ];
        for (raw, want) in cases {
            assert_eq!(probe(&format!("{{\"i\":{raw}}}")).i, want, "input {raw}");
        }
    }

    #[test]
    fn floats_booleans_and_text_are_lenient() {
        assert_eq!(probe(r#"{"f":"12.5"}"#).f, Some(12.5));
        assert_eq!(probe(r#"{"f":""}"#).f, None);
        assert_eq!(probe(r#"{"f":"NaN"}"#).f, None);
        assert_eq!(probe(r#"{"b":"TRUE"}"#).b, Some(true));
        assert_eq!(probe(r#"{"b":0}"#).b, Some(false));
        assert_eq!(probe(r#"{"b":"maybe"}"#).b, None);
        assert_eq!(probe(r#"{"t":12}"#).t.as_deref(), Some("12"));
        assert_eq!(probe(r#"{"t":""}"#).t.as_deref(), Some(""));
        assert_eq!(probe(r#"{"t":{"x":1}}"#).t, None);
    }

    #[test]
    fn containers_of_the_wrong_shape_are_empty() {
        let inner = |n| Inner { n: Some(n) };
        let p = probe(r#"{"l":"solo","m":[1],"lm":"x","o":"x","v":{"n":1},"om":[]}"#);
        assert_eq!(p.l, vec!["solo"], "a lone scalar is a one-element list");
        assert!(p.m.is_empty() && p.lm.is_empty() && p.v.is_empty() && p.om.is_empty());
        assert_eq!(p.o, None);
        let p = probe(
            r#"{"o":{"n":"4"},"v":[{"n":1},null,3,"x",[{"n":9}],{"n":2}],"om":{"a":{"n":1},"b":null,"c":5}}"#,
        );
        assert_eq!(p.o, Some(inner(4)));
        assert_eq!(
            p.v,
            vec![inner(1), inner(2)],
            "only object elements are kept"
        );
        assert_eq!(p.om.len(), 1);
        assert_eq!(p.om["a"], inner(1));
        let p = probe(
            r#"{"m":{"a":"x","b":2,"c":null,"d":{}},"lm":{"a":["x",null],"b":"y","c":null,"d":{}}}"#,
        );
        assert_eq!(p.m.len(), 2);
        assert_eq!(p.m["b"], "2");
        assert_eq!(p.lm["a"], vec!["x"]);
        assert_eq!(p.lm["b"], vec!["y"]);
        assert!(p.lm["c"].is_empty() && p.lm["d"].is_empty());
    }

    #[test]
    fn a_later_duplicate_key_replaces_or_removes_the_earlier_entry() {
        let p = probe(r#"{"m":{"a":"x","a":"y","b":"z","b":null},"om":{"a":{"n":1},"a":2}}"#);
        assert_eq!(p.m.len(), 1);
        assert_eq!(p.m["a"], "y");
        assert!(p.om.is_empty(), "a dropped later value removes the entry");
        let p = probe(r#"{"lm":{"a":["x"],"a":"y"}}"#);
        assert_eq!(p.lm["a"], vec!["y"]);
    }

    #[test]
    fn enum_lists_keep_unknown_values_and_follow_the_text_list_rules() {
        use crate::model::BootDeviceType;

        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Boot {
            #[serde(deserialize_with = "super::enum_list")]
            order: Vec<BootDeviceType>,
        }
        let boot = |json: &str| serde_json::from_str::<Boot>(json).unwrap().order;
        assert_eq!(
            boot(r#"{"order":["DISK","FLOPPY",null,["CDROM"],7]}"#),
            vec![
                BootDeviceType::Disk,
                BootDeviceType::Unknown("FLOPPY".into()),
                BootDeviceType::Unknown("7".into())
            ]
        );
        assert_eq!(
            boot(r#"{"order":"NETWORK"}"#),
            vec![BootDeviceType::Network]
        );
        assert!(boot(r#"{"order":{"a":"DISK"}}"#).is_empty());
        assert!(boot(r#"{"order":null}"#).is_empty());
    }

    #[test]
    fn escaped_text_and_numbers_as_text_convert_without_loss() {
        assert_eq!(
            probe(r#"{"t":"a\"b\u00e9"}"#).t.as_deref(),
            Some("a\"b\u{e9}")
        );
        assert_eq!(probe(r#"{"t":-1.5}"#).t.as_deref(), Some("-1.5"));
        assert_eq!(probe(r#"{"t":true}"#).t.as_deref(), Some("true"));
        assert_eq!(probe(r#"{"t":[1]}"#).t, None);
        assert_eq!(
            probe(r#"{"i":"\u0034\u0032"}"#).i,
            Some(42),
            "escaped digits"
        );
        assert_eq!(probe(r#"{"b":" Yes "}"#).b, Some(true));
        assert_eq!(probe(r#"{"b":"No"}"#).b, Some(false));
        assert_eq!(probe(r#"{"b":"1"}"#).b, Some(true));
        assert_eq!(probe(r#"{"b":1.0}"#).b, None, "floats are not booleans");
        assert_eq!(probe(r#"{"f":"-Infinity"}"#).f, None);
        assert_eq!(probe(r#"{"f":7}"#).f, Some(7.0));
    }

    #[test]
    fn null_lists_and_maps_become_empty() {
        let p = probe(r#"{"l":null,"m":null}"#);
        assert!(p.l.is_empty());
        assert!(p.m.is_empty());
        assert_eq!(
            probe(r#"{"l":["a",1,null,[2],true]}"#).l,
            vec!["a", "1", "true"]
        );
    }
}
