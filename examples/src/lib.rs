//! Shared glue for the example binaries.

pub mod connector;
pub mod cost;
pub mod monitoring;
