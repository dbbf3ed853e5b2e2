//! CloudForet (SpaceONE) for Rust: wire-compatible protos, a plugin server kit and
//! core-service clients.
//!
//! (Crate documentation is being written; see the README.)
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod error_code;
pub mod proto;
pub mod value;

mod error;
pub use error::{Error, Result};

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

pub use proto::FILE_DESCRIPTOR_SET;
