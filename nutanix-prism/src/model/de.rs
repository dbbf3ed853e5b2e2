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

use serde::Deserialize;
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

/// `Vec<String>`: `null` is empty; scalar elements are kept as text, `null` and nested elements
/// are dropped.
pub(crate) fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items: Option<Vec<Scalar>> = Option::deserialize(d)?;
    Ok(items
        .unwrap_or_default()
        .into_iter()
        .filter_map(Scalar::into_text)
        .collect())
}

/// `Vec<E>` of a `string_enum!` type, with the rules of [`text_list`].
pub(crate) fn enum_list<'de, D, E>(d: D) -> Result<Vec<E>, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    Ok(text_list(d)?.iter().map(|s| E::from(s.as_str())).collect())
}

/// `Vec<T>` of objects: `null` is empty and `null` elements are dropped.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items: Option<Vec<Option<T>>> = Option::deserialize(d)?;
    Ok(items.unwrap_or_default().into_iter().flatten().collect())
}

/// `BTreeMap<String, T>`: `null` is empty and entries with a `null` value are dropped.
pub(crate) fn map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let entries: Option<BTreeMap<String, Option<T>>> = Option::deserialize(d)?;
    Ok(entries
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect())
}

/// `BTreeMap<String, String>` (single-valued categories): `null` is empty, scalar values are
/// kept as text, entries with `null` or non-scalar values are dropped.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let entries: Option<BTreeMap<String, Scalar>> = Option::deserialize(d)?;
    Ok(entries
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.into_text()?)))
        .collect())
}

/// `BTreeMap<String, Vec<String>>` (multi-valued categories): `null` is empty; each value is a
/// list with the rules of [`text_list`], or a single scalar taken as a one-element list.
pub(crate) fn text_list_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(#[serde(deserialize_with = "text_list")] Vec<String>),
        One(Scalar),
    }
    let entries: Option<BTreeMap<String, OneOrMany>> = Option::deserialize(d)?;
    Ok(entries
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let values = match v {
                OneOrMany::Many(list) => list,
                OneOrMany::One(s) => s.into_text().into_iter().collect(),
            };
            (k, values)
        })
        .collect())
}

/// Any `T: Default` (lists, maps, objects): `null` decodes to `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

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
        #[serde(deserialize_with = "super::null_default")]
        m: std::collections::BTreeMap<String, String>,
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
