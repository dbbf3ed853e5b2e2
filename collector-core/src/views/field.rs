//! Builders for view fields and layouts (the CloudForet view vocabulary).

use serde_json::{Map, Value, json};

/// Layout types this crate emits (all from the CloudForet vocabulary).
pub const LAYOUT_TYPES: &[&str] = &["item", "table", "query-search-table", "simple-table"];
/// Field types this crate emits (all from the CloudForet vocabulary).
pub const FIELD_TYPES: &[&str] = &["text", "enum", "badge", "datetime", "size", "list", "dict"];

/// A view field: `{type, name, key, options?}`.
#[derive(Debug, Clone)]
pub struct Field {
    kind: &'static str,
    name: &'static str,
    key: &'static str,
    options: Map<String, Value>,
}

impl Field {
    fn new(kind: &'static str, name: &'static str, key: &'static str) -> Self {
        Self {
            kind,
            name,
            key,
            options: Map::new(),
        }
    }

    /// A `text` field.
    pub fn text(name: &'static str, key: &'static str) -> Self {
        Self::new("text", name, key)
    }

    /// A `datetime` field for RFC 3339 text.
    pub fn datetime(name: &'static str, key: &'static str) -> Self {
        Self::new("datetime", name, key).opt("source_type", json!("iso8601"))
    }

    /// A `size` field whose source is bytes.
    pub fn bytes(name: &'static str, key: &'static str) -> Self {
        Self::new("size", name, key).opt("source_unit", json!("BYTES"))
    }

    /// A `list` field rendering each item as a badge, `sub_key` optional.
    pub fn list(name: &'static str, key: &'static str, sub_key: Option<&'static str>) -> Self {
        let mut f = Self::new("list", name, key).opt("delimiter", json!(", "));
        if let Some(sub) = sub_key {
            f = f.opt("sub_key", json!(sub));
        }
        f
    }

    /// A `dict` field.
    pub fn dict(name: &'static str, key: &'static str) -> Self {
        Self::new("dict", name, key)
    }

    /// A `badge` field.
    pub fn badge(name: &'static str, key: &'static str) -> Self {
        Self::new("badge", name, key)
    }

    /// An `enum` field mapping values to coloured badges (`(value, colour)` pairs).
    pub fn enum_badges(name: &'static str, key: &'static str, colours: &[(&str, &str)]) -> Self {
        let mut f = Self::new("enum", name, key);
        for (value, colour) in colours {
            f.options.insert(
                (*value).to_owned(),
                json!({"type": "badge", "options": {"background_color": colour}}),
            );
        }
        f
    }

    /// Marks the field optional in tables (hidden until the user adds it).
    #[must_use]
    pub fn optional(self) -> Self {
        self.opt("is_optional", json!(true))
    }

    fn opt(mut self, key: &str, value: Value) -> Self {
        self.options.insert(key.to_owned(), value);
        self
    }

    /// The field as JSON.
    pub fn to_value(&self) -> Value {
        let mut v = json!({"type": self.kind, "name": self.name, "key": self.key});
        if !self.options.is_empty() {
            v["options"] = Value::Object(self.options.clone());
        }
        v
    }
}

pub(crate) fn fields(list: &[Field]) -> Value {
    Value::Array(list.iter().map(Field::to_value).collect())
}

/// An `item` layout (key/value detail tab).
pub(crate) fn item(name: &str, list: &[Field]) -> Value {
    json!({"name": name, "type": "item", "options": {"fields": fields(list)}})
}

/// A `table` layout over the array at `root_path`.
pub(crate) fn table(name: &str, root_path: &str, list: &[Field]) -> Value {
    json!({"name": name, "type": "table", "options": {"root_path": root_path, "fields": fields(list)}})
}

/// A `simple-table` layout over the array at `root_path`.
pub(crate) fn simple_table(name: &str, root_path: &str, list: &[Field]) -> Value {
    json!({"name": name, "type": "simple-table", "options": {"root_path": root_path, "fields": fields(list)}})
}

/// The `query-search-table` layout of a type's list page.
pub(crate) fn query_search_table(list: &[Field], sort_key: &str) -> Value {
    json!({"layout": {"name": "", "type": "query-search-table",
        "options": {"default_sort": {"key": sort_key, "desc": false}, "fields": fields(list)}}})
}

/// A search entry `{name, key, data_type?}`.
pub(crate) fn search(name: &str, key: &str, data_type: Option<&str>) -> Value {
    let mut v = json!({"name": name, "key": key});
    if let Some(t) = data_type {
        v["data_type"] = json!(t);
    }
    v
}

/// A search entry with enumerated values.
pub(crate) fn search_enum(name: &str, key: &str, values: &[&str]) -> Value {
    let enums: Map<String, Value> = values
        .iter()
        .map(|v| ((*v).to_owned(), json!({"label": v})))
        .collect();
    json!({"name": name, "key": key, "enums": enums})
}

/// A card widget counting resources.
pub(crate) fn card_count(name: &str) -> Value {
    json!({"name": name, "type": "card",
        "query": {"aggregate": [{"count": {"name": "value"}}], "filter": []},
        "options": {"value_options": {"key": "value", "type": "text", "options": {"default": 0}}}})
}

/// A card widget summing a numeric key; `size` renders bytes.
pub(crate) fn card_sum(name: &str, key: &str, bytes: bool) -> Value {
    let value_options = if bytes {
        json!({"key": "value", "type": "size", "options": {"default": 0, "source_unit": "BYTES"}})
    } else {
        json!({"key": "value", "type": "text", "options": {"default": 0}})
    };
    json!({"name": name, "type": "card",
        "query": {"aggregate": [{"group": {"fields": [{"name": "value", "key": key, "operator": "sum"}]}}],
                  "filter": []},
        "options": {"value_options": value_options}})
}

/// A chart widget counting resources grouped by `key`.
pub(crate) fn chart_count_by(name: &str, key: &str, chart_type: &str) -> Value {
    json!({"name": name, "type": "chart",
        "query": {"aggregate": [{"group": {"keys": [{"name": "name", "key": key}],
                                           "fields": [{"name": "value", "operator": "count"}]}}],
                  "filter": []},
        "options": {"chart_type": chart_type, "name_options": {"key": "name", "type": "text"},
                    "value_options": {"key": "value", "type": "text", "options": {"default": 0}}}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_shapes() {
        assert_eq!(
            Field::text("Name", "name").to_value(),
            json!({"type": "text", "name": "Name", "key": "name"})
        );
        assert_eq!(
            Field::bytes("Size", "data.size").optional().to_value(),
            json!({"type": "size", "name": "Size", "key": "data.size",
                   "options": {"source_unit": "BYTES", "is_optional": true}})
        );
        assert_eq!(
            Field::enum_badges("S", "k", &[("ON", "green.500")]).to_value()["options"]["ON"],
            json!({"type": "badge", "options": {"background_color": "green.500"}})
        );
    }
}
