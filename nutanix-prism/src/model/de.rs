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

/// Any JSON scalar, or a marker for a value of another shape (already consumed).
enum Scalar {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Other,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// Largest float that still converts to `i64` without saturating.
const I64_FLOAT_LIMIT: f64 = 9.2e18;

fn float_to_i64(v: f64) -> Option<i64> {
    // Truncation towards zero is the documented rule for integral fields sent as floats.
    #[allow(clippy::cast_possible_truncation)]
    (v.is_finite() && v.abs() < I64_FLOAT_LIMIT).then(|| v.trunc() as i64)
}

impl Scalar {
    fn into_i64(self) -> Option<i64> {
        match self {
            Self::I64(v) => Some(v),
            Self::U64(v) => i64::try_from(v).ok(),
            Self::F64(v) => float_to_i64(v),
            Self::Str(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().and_then(float_to_i64))
            }
            Self::Null | Self::Bool(_) | Self::Other => None,
        }
    }

    fn into_f64(self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        let v = match self {
            Self::I64(v) => v as f64,
            Self::U64(v) => v as f64,
            Self::F64(v) => v,
            Self::Str(s) => s.trim().parse::<f64>().ok()?,
            Self::Null | Self::Bool(_) | Self::Other => return None,
        };
        v.is_finite().then_some(v)
    }

    fn into_bool(self) -> Option<bool> {
        match self {
            Self::Bool(v) => Some(v),
            Self::I64(v) => Some(v != 0),
            Self::U64(v) => Some(v != 0),
            Self::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Some(true),
                "false" | "no" | "0" => Some(false),
                _ => None,
            },
            Self::Null | Self::F64(_) | Self::Other => None,
        }
    }

    fn into_text(self) -> Option<String> {
        match self {
            Self::Str(s) => Some(s),
            Self::Bool(v) => Some(v.to_string()),
            Self::I64(v) => Some(v.to_string()),
            Self::U64(v) => Some(v.to_string()),
            Self::F64(v) => Some(v.to_string()),
            Self::Null | Self::Other => None,
        }
    }
}

/// `Option<i64>`: numbers, numeric strings (`"42"`, `"4.0"`), floats truncated towards zero;
/// `null`, `""`, booleans and non-scalars decode to `None`.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Scalar::deserialize(d).map(Scalar::into_i64)
}

/// `Option<f64>`: numbers and numeric strings; non-finite values and other shapes are `None`.
pub(crate) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Scalar::deserialize(d).map(Scalar::into_f64)
}

/// `Option<bool>`: booleans, `"true"`/`"false"` (any case), `0`/`1`; other shapes are `None`.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Scalar::deserialize(d).map(Scalar::into_bool)
}

/// `Option<String>`: strings as sent (empty strings kept), numbers and booleans as their text;
/// `null` and non-scalars are `None`.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Scalar::deserialize(d).map(Scalar::into_text)
}

/// `Option<E>` for a `string_enum!` type: any scalar goes through its text; other shapes are `None`.
pub(crate) fn enumeration<'de, D, E>(d: D) -> Result<Option<E>, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    Ok(text(d)?.map(|s| E::from(s.as_str())))
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

/// `Vec<T>` of objects: an array keeps its object elements (others are dropped); `null` and
/// any other shape are an empty list.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ListVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON array of objects")
        }

        scalars_give!(Vec::new());

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(Elem(item)) = seq.next_element::<Elem<T>>()? {
                out.extend(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
    }

    d.deserialize_any(ListVisitor(PhantomData))
}

/// `Vec<String>`: an array keeps its scalar elements as text (`null` and nested elements are
/// dropped); a lone scalar is a one-element list; `null` and objects are an empty list.
pub(crate) fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct TextListVisitor;

    impl<'de> Visitor<'de> for TextListVisitor {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON array of scalars")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<Scalar>()? {
                out.extend(item.into_text());
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
            Ok(vec![v.to_string()])
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }
    }

    d.deserialize_any(TextListVisitor)
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
    Ok(text_list(d)?.iter().map(|s| E::from(s.as_str())).collect())
}

/// `BTreeMap<String, T>`: an object keeps its entries whose value is an object; `null` and any
/// other shape are an empty map.
pub(crate) fn map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let entries: BTreeMap<String, Elem<T>> = object_or_default(d)?;
    Ok(entries
        .into_iter()
        .filter_map(|(k, Elem(v))| Some((k, v?)))
        .collect())
}

/// `BTreeMap<String, String>` (single-valued categories): scalar values are kept as text,
/// entries with `null` or non-scalar values are dropped; not an object is an empty map.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let entries: BTreeMap<String, Scalar> = object_or_default(d)?;
    Ok(entries
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.into_text()?)))
        .collect())
}

/// `BTreeMap<String, Vec<String>>` (multi-valued categories): each value follows
/// [`text_list`] (a lone scalar is a one-element list); not an object is an empty map.
pub(crate) fn text_list_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let entries: BTreeMap<String, TextList> = object_or_default(d)?;
    Ok(entries.into_iter().map(|(k, TextList(v))| (k, v)).collect())
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
