//! Typed async client for the Nutanix Prism Central v3 REST API.
//!
//! `nutanix-prism` lists and reads Prism Central inventory (VMs, clusters, hosts, subnets, images,
//! volume groups, projects, categories) and metrics (`/groups`) with the quirks of real Prism
//! Centrals handled: the default page of 20, the silent page-size clamp, unpaged hosts, wrong
//! `total_matches`, non-JSON 401 and 5xx bodies, polymorphic error `details`, rate limiting.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use nutanix_prism::{ListOptions, PrismClient};
//! use nutanix_prism::model::{Entity, Vm};
//!
//! # async fn demo() -> nutanix_prism::Result<()> {
//! let client = PrismClient::builder("pc.example.com") // https, port 9440 by default
//!     .session_auth("admin", std::env::var("PRISM_PASSWORD").unwrap_or_default())
//!     .add_root_certificate_pem(&std::fs::read("pc-ca.pem").unwrap_or_default()) // CA bundle (PEM)
//!     .build()?;
//!
//! // Every VM: explicit page length, offset by entities received, de-duplicated by UUID,
//! // up to 4 page requests on the wire under a 20 requests/s client-side limit.
//! let mut vms = client.list_all::<Vm>(ListOptions::new().filter("power_state==on"));
//! while let Some(vm) = vms.try_next().await? {
//!     let _uuid = vm.key();
//! }
//!
//! // One entity; a 404 is a typed error.
//! match client.get::<Vm>("0b4a1a4c-0000-4000-8000-000000000000").await {
//!     Err(e) if e.is_not_found() => {}
//!     other => { let _vm = other?; }
//! }
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! * `client` (default): the async client [`PrismClient`] (reqwest with rustls, tokio, tracing).
//!   Without it (`default-features = false`) the crate is the serde models in [`model`] only,
//!   with no I/O dependencies.
//! * `sim`: an in-process Prism Central simulator for tests and benchmarks.
//!
//! # Errors
//!
//! Every fallible call returns [`Result`] with the single [`Error`] enum. Errors are classified by
//! HTTP status first and body second ([`Error::Unauthorized`], [`Error::NotFound`],
//! [`Error::RateLimited`], [`Error::Api`] with the v3 `reason`/`message`/`details`,
//! [`Error::Server`] with a body excerpt, [`Error::Decode`] with the JSON path, ...).
//! [`Error::is_retryable`] says whether a later retry may help; the client already retries
//! idempotent calls according to its [`RetryPolicy`] and wraps the final failure in
//! [`Error::RetriesExhausted`]. Messages name the method and URL and what to check, and never
//! contain a credential.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod error;
pub mod model;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{
    ListOptions, PrismClient, PrismClientBuilder, RequestEvent, RequestOutcome, RetryPolicy,
};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use error::{Error, Result};

/// Compiles the README's example as a doctest.
#[cfg(all(doctest, feature = "client"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
