//! The cost data source plugin (`spaceone.api.cost_analysis.plugin`: `DataSource`, `Job`,
//! `Cost`): daily showback costs of Nutanix VMs from collector-core's cost model.
//!
//! - [`metadata`] - `DataSource.init` metadata (currency, secret types, data source rules);
//! - [`tasks`] - `Job.get_tasks`, monthly tasks per Prism Central with replace windows;
//! - [`data`] - `Cost.get_data`, daily records streamed in pages of at most 1000;
//! - [`month`] - the `YYYY-MM` months and instants of the requests;
//! - [`service`] - the tonic services over a [`crate::connector::Connector`].

/// The `plugin` label of this plugin's Prometheus series and API-call counters.
pub const PLUGIN_NAME: &str = "cost";

pub mod data;
pub mod metadata;
pub mod month;
pub mod service;
pub mod tasks;
