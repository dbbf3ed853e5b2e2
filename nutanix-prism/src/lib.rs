//! Typed async client for the Nutanix Prism Central v3 REST API.

pub mod model;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
