//! Blocks shared by every entity: `metadata` and references.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A reference to another entity: `{kind, uuid, name?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reference {
    /// Kind of the referenced entity (`"cluster"`, `"host"`, `"project"`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub kind: Option<String>,
    /// UUID of the referenced entity.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub uuid: Option<String>,
    /// Display name; real bodies sometimes omit it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub name: Option<String>,
    /// Link to the referenced entity, carried by some references.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub url: Option<String>,
}

impl Reference {
    /// Builds a reference (used by tests and the simulator).
    pub fn new(kind: impl Into<String>, uuid: impl Into<String>, name: Option<String>) -> Self {
        Self {
            kind: Some(kind.into()),
            uuid: Some(uuid.into()),
            name,
            url: None,
        }
    }
}

/// The `metadata` block of an entity (all kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metadata {
    /// Primary key.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub uuid: Option<String>,
    /// Entity kind.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub kind: Option<String>,
    /// Optional name (some kinds carry their name here rather than in `spec`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub name: Option<String>,
    /// Creation time, RFC 3339 text as sent by Prism (`"2025-06-07T18:23:52Z"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub creation_time: Option<String>,
    /// Last update time, RFC 3339 text as sent by Prism.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub last_update_time: Option<String>,
    /// Version of the spec, incremented on each update (numeric strings are accepted).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub spec_version: Option<i64>,
    /// Hash of the spec (often 50 zeros).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub spec_hash: Option<String>,
    /// Entity version; a string on the wire (`"1"`), numbers are accepted too.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub entity_version: Option<String>,
    /// Single-valued categories (old view). Prefer [`Metadata::categories`].
    #[serde(
        default,
        rename = "categories",
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "super::de::text_map"
    )]
    pub categories_single: BTreeMap<String, String>,
    /// Multi-valued categories (new view), preferred when present.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "super::de::text_list_map"
    )]
    pub categories_mapping: BTreeMap<String, Vec<String>>,
    /// Project the entity belongs to (`kind: "project"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::object"
    )]
    pub project_reference: Option<Reference>,
    /// Owner of the entity (`kind: "user"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::object"
    )]
    pub owner_reference: Option<Reference>,
}

impl Metadata {
    /// Categories as `key -> values`, sorted by key.
    ///
    /// Rule: `categories_mapping` (multi-valued) is preferred; when it is empty, the single-valued
    /// `categories` map is used, each value becoming a one-element list.
    pub fn categories(&self) -> BTreeMap<String, Vec<String>> {
        if !self.categories_mapping.is_empty() {
            return self.categories_mapping.clone();
        }
        self.categories_single
            .iter()
            .map(|(k, v)| (k.clone(), vec![v.clone()]))
            .collect()
    }

    /// Name of the owning project, when referenced.
    pub fn project_name(&self) -> Option<&str> {
        self.project_reference
            .as_ref()
            .and_then(|r| r.name.as_deref())
    }

    /// Name of the owner, when referenced.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner_reference
            .as_ref()
            .and_then(|r| r.name.as_deref())
    }
}

/// `status.execution_context`: the task(s) that produced the current state.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ExecutionContext {
    /// Task UUID(s), kept as sent: a **list** in GET/list bodies, a **string** in the 202 reply
    /// of a create. Read it with [`ExecutionContext::task_uuids`].
    pub task_uuid: Option<serde_json::Value>,
}

impl ExecutionContext {
    /// Task UUIDs whatever the wire shape: a string gives one element, a list gives its string
    /// elements (non-strings skipped), anything else gives none.
    pub fn task_uuids(&self) -> Vec<&str> {
        match &self.task_uuid {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_mapping_is_preferred() {
        let m: Metadata = serde_json::from_value(serde_json::json!({
            "categories": {"Env": "prod"},
            "categories_mapping": {"Env": ["prod", "dr"]}
        }))
        .unwrap();
        assert_eq!(m.categories()["Env"], vec!["prod", "dr"]);
    }

    #[test]
    fn single_categories_are_the_fallback() {
        let m: Metadata = serde_json::from_value(
            serde_json::json!({"categories": {"Env": "prod"}, "categories_mapping": null}),
        )
        .unwrap();
        assert_eq!(m.categories()["Env"], vec!["prod"]);
    }

    #[test]
    fn entity_version_accepts_string_or_number() {
        let a: Metadata = serde_json::from_str(r#"{"entity_version":"3"}"#).unwrap();
        let b: Metadata = serde_json::from_str(r#"{"entity_version":3}"#).unwrap();
        assert_eq!(a.entity_version.as_deref(), Some("3"));
        assert_eq!(b.entity_version.as_deref(), Some("3"));
    }
}
