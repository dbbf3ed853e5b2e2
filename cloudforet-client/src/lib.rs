//! CloudForet (SpaceONE) for Rust: wire-compatible protos, a plugin server kit and
//! core-service clients.
//!
//! (Crate documentation is being written; see the README.)
//!
//! ## Core-service client (`client` feature)
//!
//! `client::CloudForetClient` calls CloudForet's identity, inventory, secret and repository
//! services with a `token` (marked sensitive), optional `x_domain_id` / `x_workspace_id`,
//! deadlines, retries of idempotent calls on `UNAVAILABLE`, and listing as lazy page streams
//! (see the `client` module for an example). Errors are one [`Error`] enum; a rejected call is
//! [`Error::Status`] with the CloudForet error code parsed from `"ERROR_CODE: message"`.
//! Free-form payloads (`data`, `options`, `secret_data`, ...) convert with [`value`] (JSON and
//! `serde` types to and from `google.protobuf.Struct`).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod error_code;
pub mod proto;
pub mod value;

mod error;
pub use error::{BoxError, Error, Result, StatusError};

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

pub use proto::FILE_DESCRIPTOR_SET;
