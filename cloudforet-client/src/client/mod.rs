//! Client for CloudForet core services (identity, inventory, secret, repository).
//!
//! ```no_run
//! use cloudforet_client::client::CloudForetClient;
//! use futures::TryStreamExt;
//! use secrecy::SecretString;
//!
//! # async fn run() -> cloudforet_client::Result<()> {
//! // An app client secret is used directly as the token.
//! let client = CloudForetClient::builder()
//!     .endpoint("grpc://cloudforet.example.com:50051")
//!     .token(SecretString::from("<app client secret>"))
//!     .build()?;
//!
//! let services = client.cloud_services(Default::default());
//! futures::pin_mut!(services);
//! while let Some(cs) = services.try_next().await? {
//!     println!("{} {}", cs.cloud_service_id, cs.name);
//! }
//!
//! let job = client.collect("collector-123", None).await?;
//! let done = client
//!     .wait_for_job(&job.job_id, std::time::Duration::from_secs(5), std::time::Duration::from_secs(3600))
//!     .await?;
//! println!("{} tasks succeeded", done.success_tasks);
//! # Ok(()) }
//! ```
//!
//! * **Endpoints**: one for all services ([`ClientBuilder::endpoint`]) or one per service
//!   ([`ClientBuilder::service_endpoint`]); `grpc://` is plaintext HTTP/2, `grpc+ssl://` is TLS
//!   (needs the `rustls` feature).
//! * **Authentication**: the `token` metadata, marked sensitive so it never appears in logs or
//!   `Debug` output; [`CloudForetClient::issue_token`] / [`grant_token`](CloudForetClient::grant_token)
//!   obtain one from user credentials, [`CloudForetClient::with_token`] switches tokens.
//!   Optional `x_domain_id` / `x_workspace_id` metadata.
//! * **Timeouts and retries**: a connect timeout, a deadline per call attempt, and retries of
//!   idempotent calls on `UNAVAILABLE` ([`RetryPolicy`]).
//! * **Listing** returns lazy streams over `core.v2.Query` pages (1-based `start`, stops at
//!   `total_count`); a `*_page` method gives one page for callers who want control.

mod builder;
mod call;
mod endpoint;
mod identity;
mod inventory;
mod paging;
pub mod query;
mod repository;
mod retry;
mod secret;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tonic::metadata::AsciiMetadataValue;
use tonic::transport::Channel;

pub use builder::{
    ClientBuilder, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PAGE_SIZE,
};
pub use identity::{GrantedToken, IssuedToken, RoleType, Scope};
pub use inventory::JobStatus;
pub use retry::RetryPolicy;

use crate::error::{Error, Result};
use endpoint::ServiceEndpoint;

/// Largest message sent or accepted (CloudForet's limit: 256 MiB).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// A CloudForet core service, for per-service endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// `spaceone.api.identity.v2` (Domain, Token).
    Identity,
    /// `spaceone.api.inventory.v1` (CloudService, Region, Collector, Job).
    Inventory,
    /// `spaceone.api.secret.v1` (Secret).
    Secret,
    /// `spaceone.api.repository.v1` (Plugin).
    Repository,
}

impl Service {
    const COUNT: usize = 4;
    const ALL: [Self; Self::COUNT] = [
        Self::Identity,
        Self::Inventory,
        Self::Secret,
        Self::Repository,
    ];

    fn index(self) -> usize {
        match self {
            Self::Identity => 0,
            Self::Inventory => 1,
            Self::Secret => 2,
            Self::Repository => 3,
        }
    }

    /// The service's name as used in CloudForet configuration (`identity`, `inventory`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Inventory => "inventory",
            Self::Secret => "secret",
            Self::Repository => "repository",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Client for CloudForet core services. Cheap to clone (shared connections).
///
/// Build one with [`CloudForetClient::builder`]. `Debug` output never shows the token.
#[derive(Clone)]
pub struct CloudForetClient {
    shared: Arc<Shared>,
    auth: Arc<Auth>,
}

struct Shared {
    channels: [Option<ServiceChannel>; Service::COUNT],
    call_timeout: Duration,
    retry: RetryPolicy,
    page_size: u32,
}

struct ServiceChannel {
    endpoint: ServiceEndpoint,
    lazy: Arc<LazyChannel>,
}

impl ServiceChannel {
    /// The channel, created on first use: tonic spawns its connection worker on the current
    /// Tokio runtime, so creating it in `build()` would tie `build()` to a runtime.
    fn channel(&self) -> Channel {
        self.lazy
            .channel
            .get_or_init(|| self.lazy.endpoint.connect_lazy())
            .clone()
    }
}

/// A configured endpoint and the channel opened from it on first use (shared by every
/// service using the same endpoint).
struct LazyChannel {
    endpoint: tonic::transport::Endpoint,
    channel: std::sync::OnceLock<Channel>,
}

/// Call metadata, validated once.
struct Auth {
    token: Option<(SecretString, AsciiMetadataValue)>,
    domain_id: Option<(String, AsciiMetadataValue)>,
    workspace_id: Option<(String, AsciiMetadataValue)>,
}

impl Auth {
    fn new(
        token: Option<SecretString>,
        domain_id: Option<String>,
        workspace_id: Option<String>,
    ) -> Result<Self> {
        let token = token
            .map(|t| {
                let mut value = AsciiMetadataValue::try_from(t.expose_secret()).map_err(|_| {
                    Error::Config(
                        "the token contains characters gRPC metadata cannot carry".to_owned(),
                    )
                })?;
                value.set_sensitive(true);
                Ok::<_, Error>((t, value))
            })
            .transpose()?;
        Ok(Self {
            token,
            domain_id: domain_id
                .map(|d| plain_metadata("x_domain_id", d))
                .transpose()?,
            workspace_id: workspace_id
                .map(|w| plain_metadata("x_workspace_id", w))
                .transpose()?,
        })
    }

    fn apply<T>(&self, request: &mut tonic::Request<T>) {
        let metadata = request.metadata_mut();
        if let Some((_, value)) = &self.token {
            metadata.insert("token", value.clone());
        }
        if let Some((_, value)) = &self.domain_id {
            metadata.insert("x_domain_id", value.clone());
        }
        if let Some((_, value)) = &self.workspace_id {
            metadata.insert("x_workspace_id", value.clone());
        }
    }
}

fn plain_metadata(key: &str, value: String) -> Result<(String, AsciiMetadataValue)> {
    let md = AsciiMetadataValue::try_from(value.as_str()).map_err(|_| {
        Error::Config(format!(
            "`{key}` contains characters gRPC metadata cannot carry"
        ))
    })?;
    Ok((value, md))
}

impl fmt::Debug for CloudForetClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoints: Vec<String> = Service::ALL
            .iter()
            .filter_map(|s| {
                self.shared.channels[s.index()]
                    .as_ref()
                    .map(|c| format!("{s}={}", c.endpoint))
            })
            .collect();
        f.debug_struct("CloudForetClient")
            .field("endpoints", &endpoints)
            .field("token", &self.auth.token.as_ref().map(|_| "<redacted>"))
            .field("x_domain_id", &self.auth.domain_id.as_ref().map(|(d, _)| d))
            .field(
                "x_workspace_id",
                &self.auth.workspace_id.as_ref().map(|(w, _)| w),
            )
            .field("call_timeout", &self.shared.call_timeout)
            .field("retry", &self.shared.retry)
            .field("page_size", &self.shared.page_size)
            .finish()
    }
}

impl CloudForetClient {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client sharing this one's connections but sending `token` (e.g. a granted workspace
    /// token or an app client secret).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the token contains characters gRPC metadata cannot carry.
    pub fn with_token(&self, token: SecretString) -> Result<Self> {
        self.with_auth(
            Some(token),
            self.domain_id().map(str::to_owned),
            self.workspace_id().map(str::to_owned),
        )
    }

    /// A client sharing this one's connections but sending `x_domain_id: domain_id`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the id contains characters gRPC metadata cannot carry.
    pub fn with_domain_id(&self, domain_id: impl Into<String>) -> Result<Self> {
        self.with_auth(
            self.auth.token.as_ref().map(|(t, _)| t.clone()),
            Some(domain_id.into()),
            self.workspace_id().map(str::to_owned),
        )
    }

    /// A client sharing this one's connections but sending `x_workspace_id: workspace_id`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the id contains characters gRPC metadata cannot carry.
    pub fn with_workspace_id(&self, workspace_id: impl Into<String>) -> Result<Self> {
        self.with_auth(
            self.auth.token.as_ref().map(|(t, _)| t.clone()),
            self.domain_id().map(str::to_owned),
            Some(workspace_id.into()),
        )
    }

    fn with_auth(
        &self,
        token: Option<SecretString>,
        domain_id: Option<String>,
        workspace_id: Option<String>,
    ) -> Result<Self> {
        Ok(Self {
            shared: Arc::clone(&self.shared),
            auth: Arc::new(Auth::new(token, domain_id, workspace_id)?),
        })
    }

    /// The token sent with every call, if any.
    pub fn token(&self) -> Option<&SecretString> {
        self.auth.token.as_ref().map(|(t, _)| t)
    }

    /// The `x_domain_id` sent with every call, if any.
    pub fn domain_id(&self) -> Option<&str> {
        self.auth.domain_id.as_ref().map(|(d, _)| d.as_str())
    }

    /// The `x_workspace_id` sent with every call, if any.
    pub fn workspace_id(&self) -> Option<&str> {
        self.auth.workspace_id.as_ref().map(|(w, _)| w.as_str())
    }

    /// Records requested per page by the listing streams.
    pub fn page_size(&self) -> u32 {
        self.shared.page_size
    }
}
