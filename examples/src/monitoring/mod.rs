//! The monitoring data source plugin (`spaceone.api.monitoring.plugin`: `DataSource`,
//! `Metric`): VM metrics from Prism's `/groups` time series through collector-core's
//! catalogue.
//!
//! `Log` is not served: Prism Central v3 has no per-VM log API that could answer
//! `Log.list` honestly, and an advertised service that always fails would mislead.
//!
//! - [`metadata`] - `DataSource.init` metadata and `Metric.list`;
//! - [`metric_data`] - `Metric.get_data`;
//! - [`service`] - the tonic services over a [`crate::connector::Connector`].

/// The `plugin` label of this plugin's Prometheus series and API-call counters.
pub const PLUGIN_NAME: &str = "monitoring";

pub mod metadata;
pub mod metric_data;
pub mod service;
