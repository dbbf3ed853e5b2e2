//! [`ServerError`]: why a plugin server could not be built or stopped serving.

use std::net::SocketAddr;

/// Why a plugin server could not be set up, bound or run.
///
/// These are errors of the server itself; errors a plugin returns to CloudForet from a call are
/// [`PluginError`](super::PluginError)s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No plugin service was added.
    #[error(
        "the plugin server has no plugin service; add one with \
         `PluginServer::builder().add_service(...)`, e.g. a generated `CollectorServer`"
    )]
    NoServices,

    /// The same service was added twice.
    #[error("service `{name}` was added twice; add each service once")]
    DuplicateService {
        /// Full name of the service.
        name: String,
    },

    /// Two services share a short name (CloudForet dispatches by short name, so one would
    /// shadow the other).
    #[error(
        "services `{first}` and `{second}` share the short name `{short}`; CloudForet addresses \
         plugin services by short name, so serve each plugin type (inventory, cost, monitoring) \
         from its own server"
    )]
    DuplicateShortName {
        /// The shared short name (e.g. `Job`).
        short: String,
        /// The service added first.
        first: String,
        /// The service added second.
        second: String,
    },

    /// A service the kit provides itself (health, ServerInfo, reflection) was added.
    #[error(
        "service `{name}` is provided by the plugin server kit itself; do not add it \
         (use `.version(...)` to set the ServerInfo version)"
    )]
    ReservedService {
        /// Full name of the service.
        name: String,
    },

    /// A service has no descriptor in any registered file descriptor set, so reflection could not
    /// resolve it and CloudForet would refuse the whole plugin.
    #[error(
        "service `{name}` is not described by any registered file descriptor set; register its \
         encoded FileDescriptorSet with `.register_file_descriptor_set(...)`"
    )]
    UnresolvableService {
        /// Full name of the service.
        name: String,
    },

    /// A proto file imports a file that no registered descriptor set contains.
    #[error(
        "proto file `{file}` imports `{import}`, which no registered file descriptor set \
         contains; build the descriptor set with its imports included"
    )]
    MissingImport {
        /// The importing file.
        file: String,
        /// The missing import.
        import: String,
    },

    /// A registered file descriptor set could not be decoded.
    #[error("a registered file descriptor set is not a valid encoded FileDescriptorSet: {0}")]
    InvalidDescriptorSet(#[source] prost::DecodeError),

    /// The reflection service could not be built from the descriptor sets.
    #[error("building the gRPC reflection service failed: {0}")]
    Reflection(#[source] tonic_reflection::server::Error),

    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}; is the port already in use?")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },

    /// The server failed while serving.
    #[error("the plugin server failed while serving: {0}")]
    Serve(#[source] tonic::transport::Error),
}
