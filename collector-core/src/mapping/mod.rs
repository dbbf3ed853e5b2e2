//! Prism entity → CloudForet record mapping, one function per kind.
//!
//! Every function is pure and deterministic: the same entity gives byte-identical JSON. The
//! table of every Prism field used and its CloudForet key is in `docs/mapping.md`.

mod common;
mod infra;
mod other;
mod vm;

pub use common::{ClusterNames, categories_to_tags};
pub use infra::{cluster_record, cluster_region, host_record};
pub use other::{image_record, subnet_record, volume_group_record};
pub use vm::{instance_type, vm_monitoring_query, vm_records, vm_usage};
