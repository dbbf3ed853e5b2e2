//! [`PluginServer`] builder: one tonic server with the plugin services, reflection, health and
//! ServerInfo.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use prost::Message as _;
use prost_types::FileDescriptorSet;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tower::Service;

use super::error::ServerError;
use super::server_info::VersionService;
use super::trace::CallSpanLayer;
use crate::proto::FILE_DESCRIPTOR_SET;

/// The port CloudForet connects to: its supervisor hard-codes the Kubernetes Service
/// `targetPort` to 50051.
pub const DEFAULT_PORT: u16 = 50051;

/// Full name of the gRPC health service.
pub const HEALTH_SERVICE: &str = "grpc.health.v1.Health";
/// Full name of CloudForet's ServerInfo service.
pub const SERVER_INFO_SERVICE: &str = "spaceone.api.core.v1.ServerInfo";
/// Full name of the v1alpha reflection service (the one CloudForet uses).
pub const REFLECTION_V1ALPHA_SERVICE: &str = "grpc.reflection.v1alpha.ServerReflection";
/// Full name of the v1 reflection service.
pub const REFLECTION_V1_SERVICE: &str = "grpc.reflection.v1.ServerReflection";

const KIT_SERVICES: [&str; 4] = [
    HEALTH_SERVICE,
    SERVER_INFO_SERVICE,
    REFLECTION_V1ALPHA_SERVICE,
    REFLECTION_V1_SERVICE,
];

/// Entry point of the plugin server kit; see [`PluginServer::builder`].
#[derive(Debug, Clone, Copy)]
pub struct PluginServer;

impl PluginServer {
    /// Starts building a plugin server.
    pub fn builder() -> PluginServerBuilder {
        PluginServerBuilder::new()
    }
}

/// Builder of a plugin server: add the generated plugin services, then [`serve`](Self::serve)
/// (or [`bind`](Self::bind) to learn the address first).
///
/// Besides the added services the server always serves:
/// - gRPC reflection `grpc.reflection.v1alpha.ServerReflection` (what CloudForet uses) and
///   `grpc.reflection.v1.ServerReflection`, advertising exactly the added services plus the
///   three below, each resolvable together with all its imports;
/// - `grpc.health.v1.Health`, answering `SERVING` for the server (`""`) and for every advertised
///   service until shutdown begins, then `NOT_SERVING`;
/// - `spaceone.api.core.v1.ServerInfo/get_version`, answering [`version`](Self::version).
///
/// Every call runs in a `grpc_call` tracing span ([`CallSpanLayer`]).
///
/// **Message sizes.** The added services keep the limits they were built with; tonic's defaults
/// (decode 4 MiB, encode unlimited) match CloudForet's Python plugins (gRPC's default 4 MiB
/// request limit) and are what CloudForet expects. CloudForet's client accepts responses up to
/// 256 MiB ([`CLOUDFORET_MAX_MESSAGE_SIZE`](super::CLOUDFORET_MAX_MESSAGE_SIZE)), so keep each
/// streamed message well below that (pages of about 1000 records). To change a limit, call
/// `max_decoding_message_size` / `max_encoding_message_size` on the generated server
/// (e.g. `CollectorServer::new(x).max_decoding_message_size(n)`) before adding it.
pub struct PluginServerBuilder {
    addr: Option<SocketAddr>,
    version: String,
    routes: Routes,
    services: Vec<&'static str>,
    descriptor_sets: Vec<&'static [u8]>,
    error: Option<ServerError>,
}

impl fmt::Debug for PluginServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginServerBuilder")
            .field("addr", &self.addr)
            .field("version", &self.version)
            .field("services", &self.services)
            .field("descriptor_sets", &self.descriptor_sets.len())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Default for PluginServerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PluginServerBuilder {
    /// A builder with the default address, this crate's version as ServerInfo version, and no
    /// services.
    pub fn new() -> Self {
        Self {
            addr: None,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            routes: Routes::default(),
            services: Vec::new(),
            descriptor_sets: vec![
                FILE_DESCRIPTOR_SET,
                tonic_health::pb::FILE_DESCRIPTOR_SET,
                tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
                tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            ],
            error: None,
        }
    }

    /// The address to listen on. Default: `[::]:50051` (all interfaces, IPv6 and, on dual-stack
    /// hosts, IPv4), falling back to `0.0.0.0:50051` where IPv6 is unavailable. Use
    /// `127.0.0.1:0` in tests and read the port from [`BoundPluginServer::local_addr`].
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The version `ServerInfo.get_version` returns; usually your plugin's
    /// `env!("CARGO_PKG_VERSION")`. Default: this crate's version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Adds a generated plugin service, e.g. `CollectorServer::new(my_collector)`.
    ///
    /// Refused (reported by [`bind`](Self::bind)/[`serve`](Self::serve)): a service added twice,
    /// a service sharing its short name with another one (CloudForet dispatches by short name:
    /// `cost_analysis.plugin.Job` and `inventory.plugin.Job` cannot share a server), a service the
    /// kit provides itself, and a service without a registered descriptor.
    pub fn add_service<S>(mut self, service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        if self.error.is_some() {
            return self;
        }
        if let Err(err) = check_new_service(&self.services, S::NAME) {
            self.error = Some(err);
            return self;
        }
        self.services.push(S::NAME);
        self.routes = std::mem::take(&mut self.routes).add_service(service);
        self
    }

    /// Registers an extra encoded `FileDescriptorSet` (with its imports) for services that are not
    /// generated by this crate, so that reflection can resolve them. The set of this crate
    /// ([`FILE_DESCRIPTOR_SET`]) is always registered.
    pub fn register_file_descriptor_set(mut self, encoded: &'static [u8]) -> Self {
        self.descriptor_sets.push(encoded);
        self
    }

    /// The full names the server will advertise over reflection, in order: the added services,
    /// then Health, ServerInfo and the two reflection services.
    pub fn advertised_services(&self) -> Vec<&'static str> {
        self.services.iter().copied().chain(KIT_SERVICES).collect()
    }

    /// Checks the configuration, builds reflection and health, and binds the listen address,
    /// without serving yet.
    pub async fn bind(self) -> Result<BoundPluginServer, ServerError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        if self.services.is_empty() {
            return Err(ServerError::NoServices);
        }
        let advertised: Vec<&'static str> =
            self.services.iter().copied().chain(KIT_SERVICES).collect();
        check_descriptors(&self.descriptor_sets, &advertised)?;

        // Both reflection versions advertise the same names; each has every descriptor set
        // (including both reflection protos) so that every advertised name resolves on either.
        let reflection = || {
            let mut builder = tonic_reflection::server::Builder::configure();
            for set in &self.descriptor_sets {
                builder = builder.register_encoded_file_descriptor_set(set);
            }
            for name in &advertised {
                builder = builder.with_service_name(*name);
            }
            builder
        };
        let reflection_v1alpha = reflection()
            .build_v1alpha()
            .map_err(ServerError::Reflection)?;
        let reflection_v1 = reflection().build_v1().map_err(ServerError::Reflection)?;

        let (reporter, health) = tonic_health::server::health_reporter();
        for name in &advertised {
            reporter
                .set_service_status(name, ServingStatus::Serving)
                .await;
        }

        let routes = self
            .routes
            .add_service(health)
            .add_service(VersionService::new(self.version.clone()).into_server())
            .add_service(reflection_v1alpha)
            .add_service(reflection_v1);

        let (incoming, local_addr) = bind_listener(self.addr).await?;
        Ok(BoundPluginServer {
            routes,
            incoming,
            local_addr,
            reporter,
            advertised,
            version: self.version,
        })
    }

    /// Binds and serves until Ctrl-C or SIGTERM ([`shutdown_signal`](super::shutdown_signal)),
    /// then drains open calls and returns.
    pub async fn serve(self) -> Result<(), ServerError> {
        self.bind().await?.serve().await
    }

    /// Binds and serves until `signal` completes, then drains open calls and returns.
    pub async fn serve_with_shutdown<F>(self, signal: F) -> Result<(), ServerError>
    where
        F: Future<Output = ()> + Send,
    {
        self.bind().await?.serve_with_shutdown(signal).await
    }
}

/// A plugin server whose address is bound; nothing is served until
/// [`serve`](Self::serve) or [`serve_with_shutdown`](Self::serve_with_shutdown) runs.
pub struct BoundPluginServer {
    routes: Routes,
    incoming: TcpIncoming,
    local_addr: SocketAddr,
    reporter: HealthReporter,
    advertised: Vec<&'static str>,
    version: String,
}

impl fmt::Debug for BoundPluginServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundPluginServer")
            .field("local_addr", &self.local_addr)
            .field("advertised", &self.advertised)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl BoundPluginServer {
    /// The bound address (with the real port when `:0` was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The full service names advertised over reflection.
    pub fn advertised_services(&self) -> &[&'static str] {
        &self.advertised
    }

    /// A handle to change health statuses (e.g. report `NOT_SERVING` while a dependency is
    /// down). The kit sets every advertised service to `SERVING` at start and to `NOT_SERVING`
    /// when shutdown begins.
    pub fn health_reporter(&self) -> HealthReporter {
        self.reporter.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then drains open calls and returns.
    pub async fn serve(self) -> Result<(), ServerError> {
        self.serve_with_shutdown(super::shutdown_signal()).await
    }

    /// Serves until `signal` completes, then drains open calls and returns.
    pub async fn serve_with_shutdown<F>(self, signal: F) -> Result<(), ServerError>
    where
        F: Future<Output = ()> + Send,
    {
        let reporter = self.reporter.clone();
        let advertised = self.advertised.clone();
        let signal = async move {
            signal.await;
            tracing::info!("shutdown requested; reporting NOT_SERVING and draining open calls");
            reporter
                .set_service_status("", ServingStatus::NotServing)
                .await;
            for name in advertised {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
        };
        tracing::info!(
            addr = %self.local_addr,
            version = %self.version,
            services = ?self.advertised,
            "CloudForet plugin server listening"
        );
        let result = tonic::transport::Server::builder()
            .layer(CallSpanLayer)
            .add_routes(self.routes)
            .serve_with_incoming_shutdown(self.incoming, signal)
            .await
            .map_err(ServerError::Serve);
        tracing::info!(addr = %self.local_addr, "CloudForet plugin server stopped");
        result
    }
}

/// The short name of a full service name (`a.b.Collector` -> `Collector`).
fn short_name(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

/// Checks that `name` can join `existing` (plugin services added so far).
fn check_new_service(existing: &[&str], name: &str) -> Result<(), ServerError> {
    if KIT_SERVICES.contains(&name) {
        return Err(ServerError::ReservedService {
            name: name.to_owned(),
        });
    }
    if existing.contains(&name) {
        return Err(ServerError::DuplicateService {
            name: name.to_owned(),
        });
    }
    let short = short_name(name);
    if let Some(first) = existing
        .iter()
        .copied()
        .chain(KIT_SERVICES)
        .find(|other| short_name(other) == short)
    {
        return Err(ServerError::DuplicateShortName {
            short: short.to_owned(),
            first: first.to_owned(),
            second: name.to_owned(),
        });
    }
    Ok(())
}

/// Checks that every advertised service is described and every import of every file is present.
fn check_descriptors(sets: &[&[u8]], advertised: &[&str]) -> Result<(), ServerError> {
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut services: BTreeSet<String> = BTreeSet::new();
    for encoded in sets {
        let set = FileDescriptorSet::decode(*encoded).map_err(ServerError::InvalidDescriptorSet)?;
        for file in set.file {
            let package = file.package();
            for service in &file.service {
                services.insert(if package.is_empty() {
                    service.name().to_owned()
                } else {
                    format!("{package}.{}", service.name())
                });
            }
            deps.entry(file.name().to_owned())
                .or_insert(file.dependency);
        }
    }
    for name in advertised {
        if !services.contains(*name) {
            return Err(ServerError::UnresolvableService {
                name: (*name).to_owned(),
            });
        }
    }
    for (file, imports) in &deps {
        if let Some(missing) = imports.iter().find(|i| !deps.contains_key(*i)) {
            return Err(ServerError::MissingImport {
                file: file.clone(),
                import: missing.clone(),
            });
        }
    }
    Ok(())
}

/// Binds `addr`, or by default `[::]:50051` with a fallback to `0.0.0.0:50051`.
async fn bind_listener(addr: Option<SocketAddr>) -> Result<(TcpIncoming, SocketAddr), ServerError> {
    let listener = match addr {
        Some(addr) => bind_one(addr).await?,
        None => {
            let v6 = SocketAddr::from((Ipv6Addr::UNSPECIFIED, DEFAULT_PORT));
            match bind_one(v6).await {
                Ok(listener) => listener,
                // A taken port or a missing permission would fail on IPv4 too: report it as is.
                Err(ServerError::Bind { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    return Err(ServerError::Bind { addr: v6, source });
                }
                Err(err) => {
                    tracing::debug!(error = %err, "IPv6 listen failed; falling back to IPv4");
                    bind_one(SocketAddr::from((Ipv4Addr::UNSPECIFIED, DEFAULT_PORT))).await?
                }
            }
        }
    };
    let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: addr.unwrap_or_else(|| SocketAddr::from((Ipv4Addr::UNSPECIFIED, DEFAULT_PORT))),
        source,
    })?;
    Ok((
        TcpIncoming::from(listener).with_nodelay(Some(true)),
        local_addr,
    ))
}

async fn bind_one(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServerError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_name_rule() {
        let existing = ["spaceone.api.cost_analysis.plugin.Job"];
        match check_new_service(&existing, "spaceone.api.inventory.plugin.Job") {
            Err(ServerError::DuplicateShortName {
                short,
                first,
                second,
            }) => {
                assert_eq!(short, "Job");
                assert_eq!(first, "spaceone.api.cost_analysis.plugin.Job");
                assert_eq!(second, "spaceone.api.inventory.plugin.Job");
            }
            other => panic!("expected DuplicateShortName, got {other:?}"),
        }
        assert!(matches!(
            check_new_service(&existing, "spaceone.api.cost_analysis.plugin.Job"),
            Err(ServerError::DuplicateService { .. })
        ));
        assert!(matches!(
            check_new_service(&existing, HEALTH_SERVICE),
            Err(ServerError::ReservedService { .. })
        ));
        assert!(matches!(
            check_new_service(&existing, "my.pkg.Health"),
            Err(ServerError::DuplicateShortName { .. })
        ));
        assert!(check_new_service(&existing, "spaceone.api.cost_analysis.plugin.Cost").is_ok());
    }

    #[test]
    fn descriptors_cover_every_plugin_service_and_import() {
        let sets = PluginServerBuilder::new().descriptor_sets;
        let all = [
            "spaceone.api.inventory.plugin.Collector",
            "spaceone.api.inventory.plugin.Job",
            "spaceone.api.cost_analysis.plugin.DataSource",
            "spaceone.api.cost_analysis.plugin.Job",
            "spaceone.api.cost_analysis.plugin.Cost",
            "spaceone.api.monitoring.plugin.DataSource",
            "spaceone.api.monitoring.plugin.Metric",
            "spaceone.api.monitoring.plugin.Log",
            "spaceone.api.monitoring.plugin.Webhook",
            "spaceone.api.monitoring.plugin.Event",
            HEALTH_SERVICE,
            SERVER_INFO_SERVICE,
            REFLECTION_V1ALPHA_SERVICE,
            REFLECTION_V1_SERVICE,
        ];
        check_descriptors(&sets, &all).unwrap();
        assert!(matches!(
            check_descriptors(&sets, &["no.such.Service"]),
            Err(ServerError::UnresolvableService { .. })
        ));
    }

    #[test]
    fn missing_import_is_detected() {
        use prost_types::FileDescriptorProto;
        let set = FileDescriptorSet {
            file: vec![FileDescriptorProto {
                name: Some("a.proto".into()),
                dependency: vec!["google/protobuf/nope.proto".into()],
                ..Default::default()
            }],
        };
        let encoded: &'static [u8] = Box::leak(set.encode_to_vec().into_boxed_slice());
        match check_descriptors(&[encoded], &[]) {
            Err(ServerError::MissingImport { file, import }) => {
                assert_eq!(file, "a.proto");
                assert_eq!(import, "google/protobuf/nope.proto");
            }
            other => panic!("expected MissingImport, got {other:?}"),
        }
    }
}
