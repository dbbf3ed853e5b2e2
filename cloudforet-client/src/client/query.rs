//! Helpers to build `core.v2.Query` filters from JSON values.

use serde_json::Value as Json;

use crate::proto::spaceone::api::core::v2 as core_v2;
use crate::value::json_to_value;

/// One filter condition `{k, v, o}` (CloudForet operators: `eq`, `not`, `in`, `not_in`,
/// `contain`, `not_contain`, `gt`, `gte`, `lt`, `lte`, `exists`, `regex`, ...). `value` follows
/// the [number policy](crate::value).
///
/// ```
/// use cloudforet_client::client::query::{filter, query};
/// use serde_json::json;
///
/// let q = query([
///     filter("provider", "eq", json!("nutanix")),
///     filter("cloud_service_type", "in", json!(["VirtualMachine", "Host"])),
/// ]);
/// assert_eq!(q.filter.len(), 2);
/// ```
pub fn filter(key: impl Into<String>, operator: impl Into<String>, value: Json) -> core_v2::Filter {
    core_v2::Filter {
        key_alias: Some(core_v2::filter::KeyAlias::K(key.into())),
        value_alias: Some(core_v2::filter::ValueAlias::V(json_to_value(value))),
        operator_alias: Some(core_v2::filter::OperatorAlias::O(operator.into())),
    }
}

/// A query whose conditions must all hold (`filter`); paging is left to the listing streams.
pub fn query(filters: impl IntoIterator<Item = core_v2::Filter>) -> core_v2::Query {
    core_v2::Query {
        filter: filters.into_iter().collect(),
        ..Default::default()
    }
}
