//! The `Collector.init` metadata.

use serde_json::{Value, json};

use crate::options::options_schema;

/// The resource types this plugin sends.
pub const SUPPORTED_RESOURCE_TYPES: [&str; 4] = [
    "inventory.CloudService",
    "inventory.CloudServiceType",
    "inventory.Region",
    "inventory.ErrorResource",
];

/// The metadata returned by `Collector.init`: `supported_resource_type`, `supported_features`
/// (`garbage_collection`), `supported_schedules` (`hours`), `options_schema` and an empty
/// `filter_format`.
pub fn plugin_metadata() -> Value {
    json!({
        "supported_resource_type": SUPPORTED_RESOURCE_TYPES,
        "supported_features": ["garbage_collection"],
        "supported_schedules": ["hours"],
        "options_schema": options_schema(),
        "filter_format": [],
    })
}
