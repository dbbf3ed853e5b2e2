//! Pure mapping from Nutanix Prism Central v3 entities to CloudForet records.
//!
//! Everything CloudForet receives from the Nutanix plugins is decided here, without I/O:
//!
//! - [`record`] / [`resource`]: the inventory `ResourceInfo` records (`CloudServiceType`,
//!   `CloudService`, `Region`, `ErrorResource`) with explicit `SUCCESS`/`FAILURE` state and the
//!   inventory's match rules, serialised as canonical JSON (sorted keys, byte-identical for
//!   identical input);
//! - [`mapping`]: Prism `Vm`, `Cluster`, `Host`, `Image`, `Subnet`, `VolumeGroup` → records
//!   (provider `nutanix`; groups `Compute`, `Storage`, `Networking`, `Cluster`; see [`catalog`]);
//! - [`data`]: the typed `data` of VirtualMachine and Disk records (plain structs with sorted
//!   keys, so a record serialises straight into canonical JSON or a protobuf `Struct` without an
//!   intermediate `serde_json::Value`);
//! - [`views`]: the console layouts (table, search, widgets, detail tabs), built once;
//! - [`plan`]: the collection plan, a pure `Stream` transformation from per-kind entity
//!   streams to records in CloudForet's order (types, resources, regions);
//! - [`cost`]: the price book, exact money and daily cost records per VM;
//! - [`metrics`]: the VM metric catalogue and Prism `/groups` time series → `Metric.get_data`.
//!
//! The crate depends on `nutanix-prism` models only (no client), serde, `time`, `futures`
//! combinators and `thiserror`; no runtime, no network. Clocks are inputs (`as_of`).
//!
//! # Example
//!
//! ```
//! use collector_core::context::PrismCentral;
//! use collector_core::plan::CollectionPlan;
//! use futures::{StreamExt, stream};
//! use nutanix_prism::model::{Cluster, Vm};
//!
//! let vm: Vm = serde_json::from_str(r#"{
//!   "metadata": {"uuid": "b1", "creation_time": "2025-06-07T18:23:52Z"},
//!   "status": {"name": "web", "cluster_reference": {"kind": "cluster", "uuid": "c1"},
//!              "resources": {"num_sockets": 2, "num_vcpus_per_socket": 2, "memory_size_mib": 16384,
//!                            "power_state": "ON"}}}"#).unwrap();
//! let cluster: Cluster = serde_json::from_str(r#"{"metadata": {"uuid": "c1"},
//!   "status": {"name": "pe-1", "resources": {"config": {"service_list": ["AOS"]}}}}"#).unwrap();
//!
//! let plan = CollectionPlan::new(PrismCentral::new("pc.example.com"))
//!     .clusters(stream::iter([Ok::<_, String>(cluster)]))
//!     .vms(stream::iter([Ok::<_, String>(vm)]));
//! let records: Vec<_> = futures::executor::block_on(plan.into_stream().collect());
//!
//! let vm = records.iter().map(|r| r.to_json().unwrap())
//!     .find(|r| r["resource"]["cloud_service_type"] == "VirtualMachine").unwrap();
//! assert_eq!(vm["state"], "SUCCESS");
//! assert_eq!(vm["resource"]["instance_type"], "4vCPU-16GiB");
//! assert_eq!(vm["resource"]["data"]["cluster"]["name"], "pe-1");
//! assert_eq!(records.last().unwrap().to_json().unwrap()["resource_type"], "inventory.Region");
//! ```
//!
//! # Errors
//!
//! One [`Error`] type: records that CloudForet would mis-match are refused
//! ([`Error::MissingResourceId`]); plugin options are validated with messages naming the key
//! ([`Error::InvalidOption`]); metric requests are validated ([`Error::UnknownMetric`],
//! [`Error::UnknownStat`], [`Error::InvalidRange`]). Inside the collection plan, failures become
//! `FAILURE` records instead of errors.
//!
//! Rules and tables: `docs/mapping.md` and `docs/cost-model.md` in the repository.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod catalog;
pub mod context;
pub mod cost;
pub mod data;
mod error;
pub mod json;
pub mod mapping;
pub mod metrics;
pub mod plan;
pub mod record;
pub mod resource;
mod text;
pub mod views;

pub use error::{Error, Result};
