//! CloudForet (SpaceONE) for Rust: wire-compatible protos, a plugin server kit and
//! core-service clients.
//!
//! [CloudForet](https://cloudforet.io) is an open-source multi-cloud management platform whose
//! services talk gRPC. Its core services *pull* from plugins: the inventory service calls a
//! collector plugin, cost analysis calls a cost data source plugin, monitoring calls a monitoring
//! data source plugin. They use no compiled stubs: they discover a plugin over gRPC reflection
//! v1alpha and build every request by field name from the plugin's own descriptors, so one
//! renamed field or one unresolvable service makes CloudForet refuse the plugin. This crate
//! gives Rust:
//!
//! | module | what |
//! |---|---|
//! | [`proto`] | the CloudForet protos (written for this crate, identical on the wire to CloudForet's published API) compiled with prost/tonic, and [`FILE_DESCRIPTOR_SET`] |
//! | [`server`] (`server` feature) | the plugin server kit: reflection v1alpha + v1, health, ServerInfo, port 50051, graceful shutdown, call spans, [`server::PluginError`] |
//! | [`client`] (`client` feature) | clients for the identity, inventory, secret and repository core services |
//! | [`value`] | `serde_json` and `serde` types to and from `google.protobuf.Struct` |
//! | [`error_code`] | CloudForet error codes (`ERROR_NOT_FOUND`, ...) and the `"ERROR_CODE: message"` status text |
//!
//! Conformance is tested against CloudForet's own published Python stubs (`spaceone-api` on
//! PyPI), connecting through reflection v1alpha exactly as CloudForet core does.
//!
//! # A minimal plugin
//!
//! An inventory collector: implement the generated trait, hand it to [`server::PluginServer`].
//!
#![cfg_attr(feature = "server", doc = "```no_run")]
#![cfg_attr(not(feature = "server"), doc = "```text")]
//! use cloudforet_client::proto::spaceone::api::inventory::plugin::*;
//! use cloudforet_client::proto::spaceone::api::inventory::plugin::collector_server::*;
//! use cloudforet_client::server::{PluginError, PluginServer};
//! use tonic::{Request, Response, Status};
//!
//! struct MyCollector;
//!
//! #[tonic::async_trait]
//! impl Collector for MyCollector {
//!     async fn init(&self, _: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
//!         Ok(Response::new(PluginInfo::default()))
//!     }
//!     async fn verify(&self, r: Request<VerifyRequest>) -> Result<Response<()>, Status> {
//!         r.get_ref().secret_data.as_ref().ok_or(PluginError::required_parameter("secret_data"))?;
//!         Ok(Response::new(()))
//!     }
//!     type collectStream = tokio_stream::Empty<Result<ResourceInfo, Status>>;
//!     async fn collect(&self, _: Request<CollectRequest>) -> Result<Response<Self::collectStream>, Status> {
//!         Ok(Response::new(tokio_stream::empty()))
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     PluginServer::builder() // listens on [::]:50051, stops on SIGTERM / Ctrl-C
//!         .version(env!("CARGO_PKG_VERSION"))
//!         .add_service(CollectorServer::new(MyCollector))
//!         .serve()
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! # A minimal client call
//!
#![cfg_attr(feature = "client", doc = "```no_run")]
#![cfg_attr(not(feature = "client"), doc = "```text")]
//! use cloudforet_client::client::CloudForetClient;
//! use secrecy::SecretString;
//!
//! # async fn run() -> cloudforet_client::Result<()> {
//! let client = CloudForetClient::builder()
//!     .endpoint("grpc://cloudforet.example.com:50051")
//!     .token(SecretString::from("<app client secret>"))
//!     .build()?;
//! let vm = client.get_cloud_service("cloud-svc-0123456789ab").await?;
//! println!("{} in {}", vm.name, vm.region_code);
//! # Ok(()) }
//! ```
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
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `client` | yes | generated gRPC clients and [`client`] |
//! | `server` | no | generated gRPC servers and [`server`] (tonic-reflection, tonic-health, tokio signals) |
//! | `rustls` | no | TLS for `grpc+ssl://` endpoints (rustls with aws-lc-rs, native and webpki roots) |
//!
//! Message types, [`value`] and [`error_code`] are always available. No system `protoc` is
//! needed: `build.rs` compiles the protos with protox.
//!
//! # Errors
//!
//! CloudForet reports every error as a gRPC status whose text reads `"ERROR_CODE: message"`
//! ([`error_code`]).
//! - **Plugins** return [`server::PluginError`] (`PluginError::required_parameter("options.x")`,
//!   `PluginError::authenticate_failure(...)`, ...); its single conversion into
//!   [`tonic::Status`] picks the gRPC code and formats the text, so `?` in a service method does
//!   the right thing.
//! - **Clients** get [`Error`]; a rejected call is [`Error::Status`] carrying the parsed
//!   [`error_code::ErrorCode`] and message.
//! - **Server setup** failures (clashing services, a taken port) are [`server::ServerError`].
//!
//! No error message, log line or `Debug` output of this crate contains a token or secret data;
//! log plugin requests through [`server::masked`].
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
