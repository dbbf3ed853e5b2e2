//! `PrismClientBuilder`: validates options and builds a `PrismClient`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::auth::{Auth, SessionJar};
use super::endpoint::parse_endpoint;
use super::observe::{RequestEvent, RequestObserver};
use super::paging::ListDefaults;
use super::rate_limit::RateLimiter;
use super::retry::RetryPolicy;
use super::transport::{Inner, SessionState};
use super::{ClientSettings, PrismClient};
use crate::error::{Error, Result};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default read timeout (longest silence while reading a response).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default total timeout of one HTTP exchange (a 500-VM page is 3+ MB).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(180);
/// Default client-side rate limit, requests per second (Prism Central allows 30 to 80).
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 20.0;
/// Default maximum response body size: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Default page size of list streams (Prism's maximum; it clamps larger pages).
pub const DEFAULT_PAGE_SIZE: u32 = 500;
/// Default number of list page requests on the wire per stream (1 = sequential); one more page
/// may be decoded or waiting for the consumer (one per four requests on the wire).
pub const DEFAULT_LIST_CONCURRENCY: usize = 4;

/// Builder of a [`PrismClient`]; start with [`PrismClient::builder`].
///
/// Nothing is validated until [`PrismClientBuilder::build`], which returns [`Error::Config`]
/// for a bad endpoint, certificate or option. `Debug` never shows a secret.
#[derive(Clone)]
#[must_use]
pub struct PrismClientBuilder {
    endpoint: String,
    allow_http: bool,
    auth: Auth,
    extra_roots_pem: Vec<Vec<u8>>,
    accept_invalid_certs: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    requests_per_second: Option<f64>,
    max_response_bytes: u64,
    retry: RetryPolicy,
    list: ListDefaults,
    observer: Option<RequestObserver>,
}

impl fmt::Debug for PrismClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrismClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("allow_http", &self.allow_http)
            .field("auth", &self.auth)
            .field("extra_root_certificates", &self.extra_roots_pem.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("requests_per_second", &self.requests_per_second)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("list", &self.list)
            .field("observer", &self.observer.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

impl PrismClientBuilder {
    pub(crate) fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            allow_http: false,
            auth: Auth::None,
            extra_roots_pem: Vec::new(),
            accept_invalid_certs: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: concat!("nutanix-prism/", env!("CARGO_PKG_VERSION")).to_owned(),
            requests_per_second: Some(DEFAULT_REQUESTS_PER_SECOND),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            list: ListDefaults::default(),
            observer: None,
        }
    }

    /// HTTP Basic credentials sent on every request.
    pub fn basic_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.auth = Auth::Basic {
            user: user.into(),
            password: password.into(),
        };
        self
    }

    /// An API key sent in the `X-ntnx-api-key` header on every request.
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.auth = Auth::ApiKey(key.into());
        self
    }

    /// Session mode: log in once with Basic (`GET /users/me`), then send the session cookies;
    /// on a 401 forget them, log in again once and replay the request.
    ///
    /// This spares Prism Central one server session per request, which Nutanix recommends.
    pub fn session_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.auth = Auth::Session {
            user: user.into(),
            password: password.into(),
        };
        self
    }

    /// Allows `http://` endpoints (simulators, TLS-terminating proxies). Off by default.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Trusts the CA certificates in `pem` in addition to the system roots (Prism's self-signed
    /// certificate, a corporate CA). `build` fails if the PEM holds no certificate.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.extra_roots_pem.push(pem.to_vec());
        self
    }

    /// **Disables certificate verification** (any certificate and host name are accepted).
    ///
    /// For labs only: it allows a man in the middle to read the credentials. A warning is logged
    /// when the client is built. Prefer [`PrismClientBuilder::add_root_certificate_pem`].
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Timeout of the TCP and TLS connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest silence while waiting for response bytes (default 60 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Total time of one HTTP exchange, body included (default 180 s). Retries get their own.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `nutanix-prism/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Client-side rate limit in requests per second, shared by all clones of the client
    /// (default 20). `None` or `Some(0.0)` disables it.
    pub fn requests_per_second(mut self, rate: Option<f64>) -> Self {
        self.requests_per_second = rate;
        self
    }

    /// Largest accepted response body in bytes (default 64 MiB); larger bodies fail with
    /// [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The retry policy for idempotent calls.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Default page size of list streams (default [`DEFAULT_PAGE_SIZE`]; Prism clamps larger pages).
    pub fn page_size(mut self, size: u32) -> Self {
        self.list.page_size = size;
        self
    }

    /// Default number of page requests list streams keep on the wire at once (default
    /// [`DEFAULT_LIST_CONCURRENCY`]; 1 = sequential). A page frees its slot once its body is
    /// read; at most `concurrency + ceil(concurrency / 4)` pages are requested, decoded or
    /// waiting at a time.
    pub fn list_concurrency(mut self, concurrency: usize) -> Self {
        self.list.concurrency = concurrency;
        self
    }

    /// Sets the default maximum sweeps of a list stream (default 1; see
    /// [`ListOptions::sweeps`](crate::ListOptions::sweeps)): `>= 2` lists a paged collection again
    /// so entities shifted between pages by concurrent deletions are not missed.
    pub fn list_sweeps(mut self, sweeps: u32) -> Self {
        self.list.sweeps = sweeps.max(1);
        self
    }

    /// Upper bound of pages one list stream may request before failing (default 100 000).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.list.max_pages = pages;
        self
    }

    /// Called after every HTTP exchange (for request counters).
    pub fn observer(mut self, observer: impl Fn(&RequestEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Validates the options and builds the client.
    pub fn build(self) -> Result<PrismClient> {
        let base = parse_endpoint(&self.endpoint, self.allow_http)?;
        if let Auth::Basic { user, .. } | Auth::Session { user, .. } = &self.auth
            && (user.is_empty() || user.contains(':'))
        {
            return Err(Error::Config(
                "the username must be non-empty and must not contain ':'".into(),
            ));
        }
        if self.list.page_size == 0 {
            return Err(Error::Config("page_size must be at least 1".into()));
        }
        if self.list.concurrency == 0 {
            return Err(Error::Config("list_concurrency must be at least 1".into()));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::Config(
                "max_response_bytes must be at least 1".into(),
            ));
        }
        let limiter = match self.requests_per_second {
            Some(r) if r.is_nan() || r < 0.0 => {
                return Err(Error::Config(
                    "requests_per_second must be a positive number (or None)".into(),
                ));
            }
            Some(r) if r > 0.0 && r.is_finite() => Some(RateLimiter::new(r)),
            _ => None,
        };

        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .timeout(self.request_timeout)
            .user_agent(self.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none());
        for pem in &self.extra_roots_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::Config(format!("cannot read the PEM root certificates: {e}"))
            })?;
            if certs.is_empty() {
                return Err(Error::Config(
                    "the PEM given to add_root_certificate_pem contains no certificate".into(),
                ));
            }
            http = http.tls_certs_merge(certs);
        }
        if self.accept_invalid_certs {
            tracing::warn!(
                endpoint = %base,
                "TLS certificate verification is DISABLED for this Prism client (danger_accept_invalid_certs); \
                 credentials can be intercepted. Use add_root_certificate_pem instead outside labs."
            );
            http = http.tls_danger_accept_invalid_certs(true);
        }
        let jar = match self.auth {
            Auth::Session { .. } => {
                let jar = Arc::new(SessionJar::default());
                http = http.cookie_provider(Arc::clone(&jar));
                Some(jar)
            }
            _ => None,
        };
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let secrets = self.auth.secrets();
        let settings = ClientSettings {
            base: base.clone(),
            user_agent: self.user_agent,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            request_timeout: self.request_timeout,
            requests_per_second: limiter.as_ref().and(self.requests_per_second),
            max_response_bytes: self.max_response_bytes,
            accept_invalid_certs: self.accept_invalid_certs,
        };
        let inner = Inner {
            http,
            base,
            auth: self.auth,
            jar,
            session: tokio::sync::Mutex::new(SessionState::default()),
            retry: self.retry,
            limiter,
            max_body: self.max_response_bytes,
            secrets,
            observer: self.observer,
        };
        Ok(PrismClient {
            inner: Arc::new(inner),
            settings: Arc::new(settings),
            list: self.list,
        })
    }
}
