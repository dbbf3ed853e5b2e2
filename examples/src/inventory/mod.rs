//! The inventory collector plugin (`spaceone.api.inventory.plugin` `Collector` and `Job`).
//!
//! - [`encode`]: the fast path of `collect`, a record straight to its `ResourceInfo` bytes;
//! - [`metadata`]: the `init` metadata CloudForet stores (`supported_resource_type`, ...);
//! - [`pipeline`]: one Prism Central (optionally one cluster of it) to a stream of
//!   [`ResourceRecord`](collector_core::record::ResourceRecord)s, and the conversion to
//!   `ResourceInfo`; reused by the `nutanix-collect` CLI;
//! - [`tasks`]: `Job.get_tasks` (one task per Prism Central, or per cluster) and the
//!   `task_options` it hands to `collect`;
//! - [`service`]: the tonic services.

pub mod encode;
pub mod metadata;
pub mod pipeline;
pub mod service;
pub mod tasks;

pub use encode::{ResourceInfoEncoder, encode_resource_info};
pub use pipeline::{ClusterScope, collect_records, to_resource_info};
pub use service::InventoryPlugin;

/// The `plugin` label of this plugin's metrics.
pub const PLUGIN_NAME: &str = "inventory";
