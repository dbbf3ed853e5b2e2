//! Shared glue for the example binaries.

pub mod collect_cli;
pub mod connector;
pub mod cost;
pub mod monitoring;
