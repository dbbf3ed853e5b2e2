//! Typed async client for the Nutanix Prism Central v3 REST API.

pub mod model;
