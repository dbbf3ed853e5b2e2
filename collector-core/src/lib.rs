//! Pure mapping from Nutanix Prism Central v3 entities to CloudForet records.
//!
//! WIP header; replaced below.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod catalog;
pub mod context;
pub mod cost;
mod error;
pub mod json;
pub mod mapping;
pub mod metrics;
pub mod plan;
pub mod record;
pub mod resource;
pub mod views;

pub use error::{Error, Result};
