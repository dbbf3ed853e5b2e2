//! The async Prism Central v3 client (`client` feature).
//!
//! Build a [`PrismClient`] with [`PrismClient::builder`]; it is cheap to clone (an `Arc` inside)
//! and clones share the connection pool, the session and the rate limiter.

mod auth;
mod builder;
mod decode_pool;
mod dedupe;
mod endpoint;
mod groups;
mod kinds;
mod observe;
mod paging;
mod rate_limit;
mod retry;
mod transport;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use builder::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_LIST_CONCURRENCY, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_PAGE_SIZE, DEFAULT_READ_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_REQUESTS_PER_SECOND,
    PrismClientBuilder,
};
pub use endpoint::DEFAULT_PORT;
pub use groups::{METRIC_IDS_PER_REQUEST, MetricQuery};
pub use kinds::Verification;
pub use observe::{RequestEvent, RequestObserver, RequestOutcome};
pub use paging::ListOptions;
pub use retry::RetryPolicy;

use crate::error::Result;
use crate::model::Entity;
use paging::ListDefaults;
use transport::{Call, Inner};

/// An async client for one Prism Central's v3 REST API.
///
/// ```no_run
/// # async fn demo() -> nutanix_prism::Result<()> {
/// use nutanix_prism::PrismClient;
///
/// let client = PrismClient::builder("pc.example.com")
///     .basic_auth("admin", "secret".to_owned())
///     .build()?;
/// assert_eq!(client.base_url().as_str(), "https://pc.example.com:9440/api/nutanix/v3/");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PrismClient {
    pub(crate) inner: Arc<Inner>,
    settings: Arc<ClientSettings>,
    pub(crate) list: ListDefaults,
}

/// Effective settings, for `Debug` and diagnostics.
#[derive(Debug)]
pub(crate) struct ClientSettings {
    pub(crate) base: Url,
    pub(crate) user_agent: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) requests_per_second: Option<f64>,
    pub(crate) max_response_bytes: u64,
    pub(crate) accept_invalid_certs: bool,
}

impl fmt::Debug for PrismClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrismClient")
            .field("base_url", &self.settings.base.as_str())
            .field("auth", &self.inner.auth)
            .field("user_agent", &self.settings.user_agent)
            .field("connect_timeout", &self.settings.connect_timeout)
            .field("read_timeout", &self.settings.read_timeout)
            .field("request_timeout", &self.settings.request_timeout)
            .field("requests_per_second", &self.settings.requests_per_second)
            .field("max_response_bytes", &self.settings.max_response_bytes)
            .field("accept_invalid_certs", &self.settings.accept_invalid_certs)
            .field("retry", &self.inner.retry)
            .field("page_size", &self.list.page_size)
            .field("list_concurrency", &self.list.concurrency)
            .finish_non_exhaustive()
    }
}

impl PrismClient {
    /// Starts building a client for `endpoint`: `pc.example.com`, `pc.example.com:9440`,
    /// `https://pc.example.com:9440/`, an IPv4 literal or a bracketed IPv6 literal. The scheme
    /// defaults to `https` and the port to 9440.
    pub fn builder(endpoint: impl Into<String>) -> PrismClientBuilder {
        PrismClientBuilder::new(endpoint)
    }

    /// The normalised v3 base URL, e.g. `https://pc.example.com:9440/api/nutanix/v3/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// `GET /{T::PATH}/{uuid}`: one entity by UUID.
    pub async fn get<T: Entity>(&self, uuid: &str) -> Result<T> {
        let call = Call::get(
            vec![T::PATH.to_owned(), uuid.to_owned()],
            format!("{}/get", T::PATH),
        );
        self.inner.execute(&call).await
    }

    /// `GET` of any path below `/api/nutanix/v3/` (segments are percent-encoded), decoded as `R`.
    ///
    /// For endpoints this crate does not wrap; e.g. `get_json(&["tasks", uuid])`. `R` is any owned
    /// type (`serde_json::Value` for untyped access).
    pub async fn get_json<R: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
    ) -> Result<R> {
        let segments: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
        let operation = segments.first().cloned().unwrap_or_default();
        self.inner
            .execute(&Call::get(segments, format!("{operation}/get")))
            .await
    }
}
