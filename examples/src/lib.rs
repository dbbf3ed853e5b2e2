//! Shared glue for the example binaries.

pub mod cost;
pub mod monitoring;
