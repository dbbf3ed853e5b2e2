//! Rust code generated from the CloudForet protos in `proto/` (prost messages, tonic clients
//! with the `client` feature, tonic servers with the `server` feature).
//!
//! Modules mirror the proto packages:
//!
//! | module | proto package | services |
//! |---|---|---|
//! | [`spaceone::api::inventory::plugin`] | `spaceone.api.inventory.plugin` | `Collector`, `Job` (served by inventory collector plugins) |
//! | [`spaceone::api::cost_analysis::plugin`] | `spaceone.api.cost_analysis.plugin` | `DataSource`, `Job`, `Cost` (served by cost plugins) |
//! | [`spaceone::api::monitoring::plugin`] | `spaceone.api.monitoring.plugin` | `DataSource`, `Metric`, `Log`, `Webhook`, `Event` (served by monitoring plugins) |
//! | [`spaceone::api::core::v1`] | `spaceone.api.core.v1` | `ServerInfo` |
//! | [`spaceone::api::core::v2`] | `spaceone.api.core.v2` | query types (`Query`, `Filter`, `Page`, ...) |
//! | [`spaceone::api::identity::v2`] | `spaceone.api.identity.v2` | `Token`, `Domain`, `App` (client subset) |
//! | [`spaceone::api::inventory::v1`] | `spaceone.api.inventory.v1` | `CloudService`, `CloudServiceType`, `Region`, `Collector`, `Job` (client subset) |
//! | [`spaceone::api::secret::v1`] | `spaceone.api.secret.v1` | `Secret` (client subset) |
//! | [`spaceone::api::repository::v1`] | `spaceone.api.repository.v1` | `Plugin` (client subset) |
//!
//! `google.protobuf.Struct`, `Value` and `ListValue` are [`prost_types`] types and
//! `google.protobuf.Empty` is `()`.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    rustdoc::broken_intra_doc_links,
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags,
    unreachable_pub,
    nonstandard_style
)]

include!(concat!(env!("OUT_DIR"), "/_includes.rs"));

/// Encoded `google.protobuf.FileDescriptorSet` of every proto file of this crate plus every file
/// they import (the well-known `google/protobuf/struct.proto` and `empty.proto`), under their
/// canonical names (`spaceone/api/...`). The plugin server kit serves it over gRPC reflection;
/// decode it with [`prost_types::FileDescriptorSet`] to inspect it.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/cloudforet_descriptor_set.bin"));
