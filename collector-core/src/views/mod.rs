//! Console views: the `metadata.view` of cloud service types and services.
//!
//! Style B is used: each CloudServiceType carries the table layout, search, widgets and the detail
//! tabs of its services (`view.sub_data.layouts`); each CloudService carries only
//! `view.sub_data.reference` to its type, which keeps every record small. Every view is built once per
//! process ([`std::sync::LazyLock`]) and shared by reference, so mapping 10,000 VMs does not
//! rebuild or clone them. Only the layout and field types of the CloudForet view vocabulary are
//! used (`item`, `table`, `query-search-table`, `simple-table`; fields `text`, `enum`, `badge`,
//! `datetime`, `size`, `list`, `dict`).

mod field;
mod types;

pub use field::{FIELD_TYPES, Field, LAYOUT_TYPES};
pub use types::{service_metadata, type_metadata};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ServiceKind;
    use serde_json::Value;

    /// Collects every `type` of layouts and fields (not enum sub-options) in a view tree.
    fn walk(v: &Value, layouts: &mut Vec<String>, fields: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let (Some(Value::String(t)), Some(_)) = (o.get("type"), o.get("name")) {
                    if o.contains_key("key") {
                        fields.push(t.clone());
                    } else if o.contains_key("options") || t == "query-search-table" {
                        layouts.push(t.clone());
                    }
                }
                for (k, child) in o {
                    // enum options map values to badge specs; widgets have their own vocabulary
                    if k != "widget"
                        && !(o.get("type") == Some(&Value::String("enum".into())) && k == "options")
                    {
                        walk(child, layouts, fields);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, layouts, fields)),
            _ => {}
        }
    }

    #[test]
    fn only_vocabulary_types_are_used_and_every_type_has_views() {
        for kind in ServiceKind::ALL {
            let (mut layouts, mut fields) = (Vec::new(), Vec::new());
            walk(type_metadata(kind), &mut layouts, &mut fields);
            assert!(
                layouts.contains(&"query-search-table".to_owned()),
                "{kind:?}"
            );
            assert!(!fields.is_empty(), "{kind:?}");
            for l in &layouts {
                assert!(LAYOUT_TYPES.contains(&l.as_str()), "{kind:?}: layout {l}");
            }
            for f in &fields {
                assert!(FIELD_TYPES.contains(&f.as_str()), "{kind:?}: field {f}");
            }
            let v = type_metadata(kind);
            assert!(
                v["view"]["search"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
            );
            assert!(
                v["view"]["widget"]
                    .as_array()
                    .is_some_and(|w| !w.is_empty())
            );
            assert!(
                v["view"]["sub_data"]["layouts"]
                    .as_array()
                    .is_some_and(|l| !l.is_empty())
            );
            // style B: the service points at its type and carries no layouts
            let r = &service_metadata(kind)["view"]["sub_data"];
            assert!(r.get("layouts").is_none(), "{kind:?}");
            assert_eq!(
                r["reference"]["resource_type"], "inventory.CloudServiceType",
                "{kind:?}"
            );
            let t = kind.cloud_service_type();
            assert_eq!(
                r["reference"]["options"]["provider"], *t.provider,
                "{kind:?}"
            );
            assert_eq!(
                r["reference"]["options"]["cloud_service_group"], *t.group,
                "{kind:?}"
            );
            assert_eq!(
                r["reference"]["options"]["cloud_service_type"], *t.name,
                "{kind:?}"
            );
            // built once: the same allocation every call
            assert!(std::ptr::eq(type_metadata(kind), type_metadata(kind)));
        }
    }
}
