//! Shared glue for the example binaries.
