//! Shared glue for the example binaries.

pub mod collect_cli;
pub mod connect;
pub mod connector;
pub mod cost;
pub mod inventory;
pub mod monitoring;
pub mod options;
pub mod plugin_cli;
pub mod secret;
pub mod telemetry;
