//! [`ClientBuilder`]: endpoints, credentials, timeouts, retries.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use secrecy::SecretString;
use tonic::transport::Endpoint;

use super::endpoint::ServiceEndpoint;
use super::retry::RetryPolicy;
use super::{Auth, CloudForetClient, LazyChannel, Service, ServiceChannel, Shared};
use crate::error::{Error, Result};

/// Default time allowed to open a connection (CloudForet's own client waits 3 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default deadline of one unary call attempt (CloudForet's own client uses 180 s).
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(180);
/// Default number of records requested per page by the listing streams.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Builds a [`CloudForetClient`]; see [`CloudForetClient::builder`].
///
/// Endpoints are validated by [`build`](Self::build), which does no I/O: connections are
/// opened on first use.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    default_endpoint: Option<String>,
    endpoints: HashMap<Service, String>,
    token: Option<SecretString>,
    domain_id: Option<String>,
    workspace_id: Option<String>,
    connect_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    page_size: Option<u32>,
    #[cfg(feature = "rustls")]
    ca_certificate_pem: Option<Vec<u8>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("default_endpoint", &self.default_endpoint)
            .field("endpoints", &self.endpoints)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("x_domain_id", &self.domain_id)
            .field("x_workspace_id", &self.workspace_id)
            .field("connect_timeout", &self.connect_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses one endpoint (`grpc://host:port` or `grpc+ssl://host:port`) for every service not
    /// given its own with [`service_endpoint`](Self::service_endpoint), as behind a CloudForet
    /// gRPC ingress.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.default_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the endpoint of one service (e.g. `grpc://inventory:50051` inside the cluster).
    #[must_use]
    pub fn service_endpoint(mut self, service: Service, endpoint: impl Into<String>) -> Self {
        self.endpoints.insert(service, endpoint.into());
        self
    }

    /// Sends `token` as the `token` metadata of every call: a user or workspace token, or an
    /// app's client secret used directly.
    #[must_use]
    pub fn token(mut self, token: SecretString) -> Self {
        self.token = Some(token);
        self
    }

    /// Sends `x_domain_id` metadata (read by core services for SYSTEM tokens).
    #[must_use]
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = Some(domain_id.into());
        self
    }

    /// Sends `x_workspace_id` metadata.
    #[must_use]
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = Some(workspace_id.into());
        self
    }

    /// Time allowed to open a connection ([`DEFAULT_CONNECT_TIMEOUT`] by default).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Deadline of each call attempt ([`DEFAULT_CALL_TIMEOUT`] by default); it is also sent to
    /// the server as the gRPC deadline.
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// Retry policy for idempotent calls ([`RetryPolicy::default`] by default).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Records requested per page by the listing streams ([`DEFAULT_PAGE_SIZE`] by default).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Trusts this PEM CA certificate (in addition to the system and webpki roots) for
    /// `grpc+ssl://` endpoints.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_certificate_pem = Some(pem.into());
        self
    }

    /// Validates the configuration and creates the client. No connection is opened and no
    /// runtime is needed: each connection opens on first use (inside a Tokio runtime).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when no endpoint is set, the page size is zero, a timeout is zero or a
    /// metadata value contains characters gRPC metadata cannot carry;
    /// [`Error::InvalidEndpoint`] for a malformed endpoint; [`Error::Config`] for a
    /// `grpc+ssl://` endpoint without the `rustls` feature; [`Error::Tls`] when the CA
    /// certificate is unusable.
    pub fn build(self) -> Result<CloudForetClient> {
        if self.default_endpoint.is_none() && self.endpoints.is_empty() {
            return Err(Error::Config(
                "no endpoint configured; call `endpoint(\"grpc://host:50051\")` or \
                 `service_endpoint(...)`"
                    .to_owned(),
            ));
        }
        let page_size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 {
            return Err(Error::Config("page_size must be at least 1".to_owned()));
        }
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let call_timeout = self.call_timeout.unwrap_or(DEFAULT_CALL_TIMEOUT);
        if connect_timeout.is_zero() || call_timeout.is_zero() {
            return Err(Error::Config(
                "timeouts must be greater than zero".to_owned(),
            ));
        }

        let auth = Auth::new(
            self.token.clone(),
            self.domain_id.clone(),
            self.workspace_id.clone(),
        )?;

        // One channel per distinct endpoint, shared by the services using it.
        let mut by_endpoint: HashMap<ServiceEndpoint, Arc<LazyChannel>> = HashMap::new();
        let mut channels: [Option<ServiceChannel>; Service::COUNT] = Default::default();
        for service in Service::ALL {
            let Some(raw) = self
                .endpoints
                .get(&service)
                .or(self.default_endpoint.as_ref())
            else {
                continue;
            };
            let endpoint = ServiceEndpoint::parse(raw)?;
            let lazy = match by_endpoint.get(&endpoint) {
                Some(lazy) => Arc::clone(lazy),
                None => {
                    let lazy = Arc::new(LazyChannel {
                        endpoint: self.configure(&endpoint, connect_timeout)?,
                        channel: OnceLock::new(),
                    });
                    by_endpoint.insert(endpoint.clone(), Arc::clone(&lazy));
                    lazy
                }
            };
            channels[service.index()] = Some(ServiceChannel { endpoint, lazy });
        }

        Ok(CloudForetClient {
            shared: Arc::new(Shared {
                channels,
                call_timeout,
                retry: self.retry.unwrap_or_default(),
                page_size,
            }),
            auth: Arc::new(auth),
        })
    }

    /// Validates and configures the tonic endpoint (TLS included); no I/O, no runtime needed.
    fn configure(&self, endpoint: &ServiceEndpoint, connect_timeout: Duration) -> Result<Endpoint> {
        let builder = Endpoint::from_shared(endpoint.uri())
            .map_err(|e| Error::InvalidEndpoint {
                endpoint: endpoint.to_string(),
                reason: e.to_string(),
            })?
            .connect_timeout(connect_timeout)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true);
        if endpoint.tls {
            self.with_tls(builder, endpoint)
        } else {
            Ok(builder)
        }
    }

    #[cfg(feature = "rustls")]
    fn with_tls(&self, builder: Endpoint, endpoint: &ServiceEndpoint) -> Result<Endpoint> {
        use tonic::transport::{Certificate, ClientTlsConfig};
        let mut tls = ClientTlsConfig::new()
            .domain_name(endpoint.host.clone())
            .with_native_roots()
            .with_webpki_roots();
        if let Some(pem) = &self.ca_certificate_pem {
            tls = tls.ca_certificate(Certificate::from_pem(pem));
        }
        builder.tls_config(tls).map_err(|e| Error::Tls {
            endpoint: endpoint.to_string(),
            source: Box::new(e),
        })
    }

    #[cfg(not(feature = "rustls"))]
    fn with_tls(&self, _builder: Endpoint, endpoint: &ServiceEndpoint) -> Result<Endpoint> {
        Err(Error::Config(format!(
            "endpoint `{endpoint}` needs TLS: enable the `rustls` feature of cloudforet-client"
        )))
    }
}
