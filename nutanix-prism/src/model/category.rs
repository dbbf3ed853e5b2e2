//! Category keys (`POST /categories/list`) and values (`POST /categories/{name}/list`).
//!
//! Neither carries `metadata` or a UUID: keys are identified by `name`, values by
//! `name` + `value`.

use serde::{Deserialize, Serialize};

use super::de;
use super::{Entity, Metadata};

/// A category key, e.g. `AppType` (`POST /categories/list`, `GET /categories/{name}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CategoryKey {
    /// API version (single GET only).
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Key name (≤ 64 characters); the identity of the key.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Whether the key is defined by the system.
    #[serde(deserialize_with = "de::boolean")]
    pub system_defined: Option<bool>,
    /// Capabilities (e.g. `{"cardinality": 64}`), kept as raw JSON.
    pub capabilities: Option<serde_json::Value>,
}

impl Entity for CategoryKey {
    const KIND: &'static str = "category";
    const PATH: &'static str = "categories";

    /// Always `None`: category keys carry no metadata.
    fn metadata(&self) -> Option<&Metadata> {
        None
    }

    /// The key's `name` (an empty name counts as absent).
    fn key(&self) -> Option<&str> {
        self.name.as_deref().filter(|n| !n.is_empty())
    }
}

/// The wire shape of a category value (private: [`CategoryValue`] adds its identity key).
#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryValueWire {
    #[serde(deserialize_with = "de::text")]
    api_version: Option<String>,
    #[serde(deserialize_with = "de::text")]
    name: Option<String>,
    #[serde(deserialize_with = "de::text")]
    value: Option<String>,
    #[serde(deserialize_with = "de::text")]
    description: Option<String>,
    #[serde(deserialize_with = "de::boolean")]
    system_defined: Option<bool>,
}

/// A category value, e.g. `AppType: Kubernetes` (`POST /categories/{name}/list`,
/// `GET /categories/{name}/{value}`).
///
/// [`Entity::key`] is `"name/value"` (just the value when `name` is absent or empty; `None`
/// when `value` is absent or empty), computed when the
/// value is decoded or built with [`CategoryValue::new`]; it is not updated if the public fields
/// are changed afterwards.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "CategoryValueWire")]
#[non_exhaustive]
pub struct CategoryValue {
    /// API version (single GET only).
    pub api_version: Option<String>,
    /// Name of the category key this value belongs to.
    pub name: Option<String>,
    /// The value (≤ 64 characters).
    pub value: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether the value is defined by the system.
    pub system_defined: Option<bool>,
    #[serde(skip)]
    identity: Option<String>,
}

impl From<CategoryValueWire> for CategoryValue {
    fn from(w: CategoryValueWire) -> Self {
        let mut v = Self {
            api_version: w.api_version,
            name: w.name,
            value: w.value,
            description: w.description,
            system_defined: w.system_defined,
            identity: None,
        };
        v.identity = v.compute_identity();
        v
    }
}

impl CategoryValue {
    /// A value `value` of key `name` (used by tests and the simulator).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        CategoryValueWire {
            name: Some(name.into()),
            value: Some(value.into()),
            ..CategoryValueWire::default()
        }
        .into()
    }

    fn compute_identity(&self) -> Option<String> {
        let value = self.value.as_deref().filter(|v| !v.is_empty())?;
        Some(match self.name.as_deref() {
            Some(name) if !name.is_empty() => format!("{name}/{value}"),
            _ => value.to_owned(),
        })
    }
}

impl Entity for CategoryValue {
    const KIND: &'static str = "category";
    /// Informative only: values are listed with `POST /categories/{name}/list`, so the client
    /// builds that path itself from the key name.
    const PATH: &'static str = "categories";

    /// Always `None`: category values carry no metadata.
    fn metadata(&self) -> Option<&Metadata> {
        None
    }

    /// `"name/value"` (see the type docs).
    fn key(&self) -> Option<&str> {
        self.identity.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_identify_by_name_and_values_by_name_and_value() {
        let k: CategoryKey =
            serde_json::from_str(r#"{"name":"AppType","system_defined":true}"#).unwrap();
        assert_eq!(k.key(), Some("AppType"));
        let v: CategoryValue =
            serde_json::from_str(r#"{"name":"AppType","value":"Kubernetes"}"#).unwrap();
        assert_eq!(v.key(), Some("AppType/Kubernetes"));
        assert_eq!(v, CategoryValue::new("AppType", "Kubernetes"));
        let bare: CategoryValue = serde_json::from_str(r#"{"value":"x"}"#).unwrap();
        assert_eq!(bare.key(), Some("x"));
        let none: CategoryValue = serde_json::from_str(r#"{"name":"k"}"#).unwrap();
        assert_eq!(none.key(), None);
    }

    #[test]
    fn value_round_trips_without_the_identity() {
        let v = CategoryValue::new("Env", "prod");
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json, serde_json::json!({"name":"Env","value":"prod"}));
        let back: CategoryValue = serde_json::from_value(json).unwrap();
        assert_eq!(back, v);
    }
}
