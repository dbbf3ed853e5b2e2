//! Plugin server kit: serve generated CloudForet plugin services the way CloudForet expects.
//!
//! CloudForet's core services call plugins without compiled stubs: they wait at most 3 s for the
//! channel, list the services over gRPC reflection **v1alpha**, resolve every advertised service
//! (with all its imports), and build requests from the plugin's own descriptors, always with the
//! metadata `token: NO_TOKEN`. [`PluginServer`] takes care of all of that:
//!
//! - reflection v1alpha and v1 advertising exactly your services plus Health, ServerInfo and
//!   reflection, every one resolvable (checked before serving);
//! - `grpc.health.v1.Health` (`SERVING`) and `spaceone.api.core.v1.ServerInfo/get_version`;
//! - listening on `[::]:50051` by default (CloudForet's Service `targetPort` is always 50051);
//! - graceful shutdown on SIGTERM and Ctrl-C;
//! - a `grpc_call` tracing span per call ([`CallSpanLayer`]);
//! - refusing services that would clash in CloudForet's dispatch by short name (one plugin type
//!   per server).
//!
//! Implement the generated service traits (e.g.
//! [`Collector`](crate::proto::spaceone::api::inventory::plugin::collector_server::Collector)),
//! return [`PluginError`]s (converted to `ERROR_CODE: message` statuses with `?`), and log
//! requests through [`masked`] so `secret_data` never reaches the logs.
//!
//! ```no_run
//! use cloudforet_client::proto::spaceone::api::inventory::plugin::{
//!     collector_server::{Collector, CollectorServer},
//!     CollectRequest, InitRequest, PluginInfo, ResourceInfo, VerifyRequest,
//! };
//! use cloudforet_client::server::{PluginError, PluginServer, masked};
//! use tonic::{Request, Response, Status};
//!
//! struct MyCollector;
//!
//! #[tonic::async_trait]
//! impl Collector for MyCollector {
//!     async fn init(&self, _: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
//!         Ok(Response::new(PluginInfo { metadata: None }))
//!     }
//!     async fn verify(&self, req: Request<VerifyRequest>) -> Result<Response<()>, Status> {
//!         tracing::debug!(request = ?masked(req.get_ref()), "verify");
//!         Err(PluginError::authenticate_failure("Prism Central rejected the credentials"))?
//!     }
//!     type collectStream = tokio_stream::Iter<std::vec::IntoIter<Result<ResourceInfo, Status>>>;
//!     async fn collect(
//!         &self,
//!         _: Request<CollectRequest>,
//!     ) -> Result<Response<Self::collectStream>, Status> {
//!         Ok(Response::new(tokio_stream::iter(Vec::new())))
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! PluginServer::builder()
//!     .version(env!("CARGO_PKG_VERSION"))
//!     .add_service(CollectorServer::new(MyCollector))
//!     .serve() // [::]:50051 until SIGTERM / Ctrl-C
//!     .await?;
//! # Ok(())
//! # }
//! ```

mod builder;
mod error;
mod mask;
mod plugin_error;
pub mod raw;
mod server_info;
mod shutdown;
mod trace;

pub use builder::{
    BoundPluginServer, DEFAULT_PORT, HEALTH_SERVICE, PluginServer, PluginServerBuilder,
    REFLECTION_V1_SERVICE, REFLECTION_V1ALPHA_SERVICE, SERVER_INFO_SERVICE,
};
pub use error::ServerError;
pub use mask::{MASK, Masked, SecretMasked, mask_secret_data, masked};
pub use plugin_error::PluginError;
pub use server_info::VersionService;
pub use shutdown::shutdown_signal;
pub use trace::{CallSpan, CallSpanLayer};

/// Re-export of `tonic_health`'s reporter, returned by [`BoundPluginServer::health_reporter`].
pub use tonic_health::ServingStatus;
/// Re-export of `tonic_health`'s reporter type.
pub use tonic_health::server::HealthReporter;

/// The largest message CloudForet's Python gRPC client sends or receives (256 MiB). Use it as
/// `max_decoding_message_size`/`max_encoding_message_size` on clients that talk to CloudForet.
pub const CLOUDFORET_MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;
