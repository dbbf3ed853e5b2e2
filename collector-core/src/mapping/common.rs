//! Helpers shared by the per-kind mappings.

use std::borrow::Cow;
use std::collections::BTreeMap;

use nutanix_prism::model::{Metadata, Reference};
use serde_json::{Map, Value};

use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::data::{CategoryRow, EntityRef, ServiceData, Text};
use crate::resource::{CloudService, CloudServiceReference, PROVIDER};

/// Cluster UUID → cluster name, filled from `clusters/list` so that records of other kinds can
/// name their cluster when Prism's reference omits the name.
pub type ClusterNames = BTreeMap<String, String>;

/// A JSON object builder that skips `None`, empty strings, empty arrays and empty objects, so
/// that no record carries an empty value.
#[derive(Debug, Default)]
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn put(mut self, key: &str, value: impl Into<Option<Value>>) -> Self {
        if let Some(v) = value.into().filter(|v| !is_empty(v)) {
            self.0.insert(key.to_owned(), v);
        }
        self
    }

    pub(crate) fn text(self, key: &str, value: Option<&str>) -> Self {
        self.put(key, value.map(|s| Value::String(s.to_owned())))
    }

    pub(crate) fn int(self, key: &str, value: Option<i64>) -> Self {
        self.put(key, value.map(Value::from))
    }

    pub(crate) fn uint(self, key: &str, value: Option<u64>) -> Self {
        self.put(key, value.map(Value::from))
    }

    pub(crate) fn boolean(self, key: &str, value: Option<bool>) -> Self {
        self.put(key, value.map(Value::Bool))
    }

    pub(crate) fn texts<'a>(self, key: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        let list: Vec<Value> = values
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect();
        self.put(key, Some(Value::Array(list)))
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `{uuid, name}` of a reference; the name falls back to `names[uuid]`.
pub(crate) fn reference(r: Option<&Reference>, names: Option<&ClusterNames>) -> Option<Value> {
    let r = r?;
    let uuid = r.uuid.as_deref().filter(|s| !s.is_empty());
    let name = r
        .name
        .as_deref()
        .filter(|s| !s.is_empty())
        .or_else(|| uuid.and_then(|u| names.and_then(|n| n.get(u)).map(String::as_str)));
    let v = Obj::new().text("uuid", uuid).text("name", name).build();
    (!is_empty(&v)).then_some(v)
}

/// [`reference`] as a typed [`EntityRef`] (same rules, same JSON).
pub(crate) fn entity_ref(r: Option<&Reference>, names: Option<&ClusterNames>) -> Option<EntityRef> {
    let r = r?;
    let uuid = r.uuid.as_deref().filter(|s| !s.is_empty());
    let name = r
        .name
        .as_deref()
        .filter(|s| !s.is_empty())
        .or_else(|| uuid.and_then(|u| names.and_then(|n| n.get(u)).map(String::as_str)));
    EntityRef::new(uuid, name)
}

/// Non-empty UUID of a reference.
pub(crate) fn ref_uuid(r: Option<&Reference>) -> Option<&str> {
    r.and_then(|r| r.uuid.as_deref()).filter(|s| !s.is_empty())
}

/// Name of a cluster reference, falling back to the known cluster names.
pub(crate) fn cluster_name<'a>(
    r: Option<&'a Reference>,
    names: &'a ClusterNames,
) -> Option<&'a str> {
    let r = r?;
    r.name.as_deref().filter(|s| !s.is_empty()).or_else(|| {
        r.uuid
            .as_deref()
            .and_then(|u| names.get(u))
            .map(String::as_str)
    })
}

/// Categories as tags: one tag per category key; multiple values are sorted, de-duplicated and
/// joined with `,`. Empty keys and values are dropped.
pub fn categories_to_tags(categories: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for (key, values) in categories {
        if key.is_empty() {
            continue;
        }
        let mut vals: Vec<&str> = values
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        vals.sort_unstable();
        vals.dedup();
        if !vals.is_empty() {
            tags.insert(key.clone(), vals.join(","));
        }
    }
    tags
}

/// Categories as table rows `[{key, value}]` (one row per value, sorted) for the detail tab.
pub(crate) fn categories_rows(categories: &BTreeMap<String, Vec<String>>) -> Value {
    let mut rows = Vec::new();
    for (key, values) in categories {
        let mut vals: Vec<&str> = values
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        vals.sort_unstable();
        vals.dedup();
        for v in vals {
            rows.push(
                Obj::new()
                    .text("key", Some(key))
                    .text("value", Some(v))
                    .build(),
            );
        }
    }
    Value::Array(rows)
}

/// The categories of `meta`, borrowed: calls `f(key, values)` per key in key order, with the
/// non-empty values sorted and de-duplicated (possibly none).
///
/// Same rule as [`Metadata::categories`] (`categories_mapping` preferred, else the
/// single-valued `categories`) without copying the maps.
pub(crate) fn each_category<'a>(
    meta: Option<&'a Metadata>,
    mut f: impl FnMut(&'a str, &[&'a str]),
) {
    let Some(m) = meta else { return };
    let mut vals: Vec<&'a str> = Vec::new();
    if m.categories_mapping.is_empty() {
        for (key, value) in &m.categories_single {
            vals.clear();
            if !value.is_empty() {
                vals.push(value);
            }
            f(key, &vals);
        }
    } else {
        for (key, values) in &m.categories_mapping {
            vals.clear();
            vals.extend(values.iter().map(String::as_str).filter(|v| !v.is_empty()));
            vals.sort_unstable();
            vals.dedup();
            f(key, &vals);
        }
    }
}

/// Tags and table rows of the categories of `meta`: the rules of [`categories_to_tags`] and
/// [`categories_rows`] in one pass, without copying the maps first.
pub(crate) fn category_tags_rows(
    meta: Option<&Metadata>,
) -> (BTreeMap<String, String>, Vec<CategoryRow>) {
    let mut tags = BTreeMap::new();
    let mut rows = Vec::new();
    each_category(meta, |key, vals| {
        if vals.is_empty() {
            return;
        }
        let shared_key = Text::new(key);
        for v in vals {
            rows.push(CategoryRow {
                key: shared_key.clone(),
                value: Text::new(v),
            });
        }
        if !key.is_empty() {
            tags.insert(key.to_owned(), vals.join(","));
        }
    });
    (tags, rows)
}

/// Tags of the categories of `meta` ([`categories_to_tags`] without copying the maps).
pub(crate) fn category_tags(meta: Option<&Metadata>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    each_category(meta, |key, vals| {
        if !key.is_empty() && !vals.is_empty() {
            tags.insert(key.to_owned(), vals.join(","));
        }
    });
    tags
}

/// A CloudService skeleton for `kind`: provider, group, type, account, reference with console
/// link, shared view metadata; the name falls back to the UUID.
pub(crate) fn service(
    kind: ServiceKind,
    pc: &PrismCentral,
    uuid: Option<&str>,
    name: Option<&str>,
) -> CloudService {
    let uuid = uuid.map(str::trim).unwrap_or_default();
    let link = pc.entity_link(kind.console_plural(), kind.prism_kind(), uuid);
    let name = name.filter(|n| !n.trim().is_empty()).map(Text::new);
    linked_service(kind, pc, uuid, name, link.map(Text::from))
}

/// [`service`] with a given console link (Disk records link to their VM) and an owned name
/// (ignored when blank; the name then falls back to the UUID).
pub(crate) fn linked_service(
    kind: ServiceKind,
    pc: &PrismCentral,
    uuid: &str,
    name: Option<Text>,
    external_link: Option<Text>,
) -> CloudService {
    let uuid = uuid.trim();
    let resource_id = Text::new(uuid);
    let name = name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| (!uuid.is_empty()).then(|| resource_id.clone()));
    CloudService {
        name,
        provider: Cow::Borrowed(PROVIDER),
        cloud_service_group: Cow::Borrowed(kind.group()),
        cloud_service_type: Cow::Borrowed(kind.type_name()),
        account: pc.account().map(Text::new),
        instance_type: None,
        instance_size: None,
        ip_addresses: Vec::new(),
        region_code: None,
        reference: CloudServiceReference {
            resource_id,
            external_link,
        },
        tags: BTreeMap::new(),
        data: ServiceData::empty(),
        metadata: Some(Cow::Borrowed(crate::views::service_metadata(kind))),
    }
}

/// Sorted, de-duplicated, non-empty IP addresses.
pub(crate) fn sorted_ips<'a>(ips: impl IntoIterator<Item = &'a str>) -> Vec<Text> {
    let mut v: Vec<&str> = ips
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(Text::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_join_multi_values_deterministically() {
        let cats = BTreeMap::from([
            (
                "Env".to_owned(),
                vec!["prod".to_owned(), "dr".to_owned(), "prod".to_owned()],
            ),
            ("Empty".to_owned(), vec![String::new()]),
            (String::new(), vec!["x".to_owned()]),
            ("App".to_owned(), vec!["web".to_owned()]),
        ]);
        let tags = categories_to_tags(&cats);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags["Env"], "dr,prod");
        assert_eq!(tags["App"], "web");
        assert_eq!(categories_rows(&cats).as_array().unwrap().len(), 4);
    }

    #[test]
    fn obj_skips_empty_values() {
        let v = Obj::new()
            .text("a", Some(""))
            .text("b", None)
            .texts("c", ["", ""])
            .put("d", Some(serde_json::json!({})))
            .int("e", Some(0))
            .build();
        assert_eq!(v, serde_json::json!({"e": 0}));
    }

    #[test]
    fn reference_name_falls_back_to_known_clusters() {
        let names = ClusterNames::from([("c1".to_owned(), "pe-1".to_owned())]);
        let r = Reference::new("cluster", "c1", None);
        assert_eq!(
            reference(Some(&r), Some(&names)),
            Some(serde_json::json!({"uuid": "c1", "name": "pe-1"}))
        );
        assert_eq!(cluster_name(Some(&r), &names), Some("pe-1"));
        assert_eq!(reference(Some(&Reference::default()), None), None);
    }
}
