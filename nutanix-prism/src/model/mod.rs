//! Prism Central v3 wire models: tolerant serde types, no I/O.
//!
//! Decoding follows one rule everywhere: every field is optional, unknown fields are ignored,
//! enums keep unknown values as `Unknown(String)`, sizes are 64-bit. Accessors on the models
//! encode domain rules (for example [`Vm::vcpus`] = sockets × vCPUs per socket).

mod macros;

mod common;
mod entity;
mod list;

pub use common::{Metadata, Reference};
pub use entity::Entity;
pub use list::{ListMetadata, ListRequest, ListResponse, SortOrder};
