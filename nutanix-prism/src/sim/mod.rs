//! # Simulator
//!
//! An in-process Prism Central (v3 REST) for tests, demos and benchmarks: a deterministic,
//! realistic fleet generated from a seed, served on loopback with Prism's real quirks, and
//! knobs to make it slow, rate-limited, faulty or changing under the client's feet.
//!
//! Enable the `sim` feature (typically as a dev-dependency):
//!
//! ```toml
//! [dev-dependencies]
//! nutanix-prism = { version = "0.1", features = ["sim"] }
//! ```
//!
//! ```no_run
//! use std::time::Duration;
//! use nutanix_prism::sim::{FaultConfig, Simulator};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::builder()
//!     .clusters(3)
//!     .vms(2_000)
//!     .seed(42)
//!     .latency(Duration::from_millis(5))
//!     .faults("500=0.02,reset=0.01".parse::<FaultConfig>()?)
//!     .start()
//!     .await?;
//! // `http://127.0.0.1:<port>`; the API lives under `/api/nutanix/v3`.
//! let base = sim.base_url();
//! // ... point the client under test at `base` with user `admin`, password `nutanix/4u` ...
//! let counts = sim.expected_counts();
//! assert_eq!(counts.vms, 2_000);
//! let served = sim.counters();
//! println!("{} list requests", served.endpoint("POST /vms/list"));
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## What it serves
//!
//! Under `/api/nutanix/v3`: `POST /{vms,clusters,hosts,subnets,images,volume_groups,projects,categories}/list`,
//! `POST /categories/{name}/list`, `GET /{kind}/{uuid}`, `GET /categories/{name}[/{value}]`,
//! `GET /users/me`, `GET /prism_central` and `POST /groups` (VM metric time series). Outside
//! the API, `GET /sim/counters` returns [`Counters`] as JSON without authentication.
//!
//! Quirks reproduced (see `docs/simulator.md` for the full list): a default page of 20 when
//! `length` is absent, a silent clamp at 500, `hosts/list` ignoring paging, `clusters/list`
//! metadata without `offset`/`length`, filters ignored on clusters and hosts, the Prism Central
//! listed among the clusters, v3 error bodies for 400/404/422, an HTML (non-JSON) 401, session
//! cookies (`NTNX_IAM_SESSION`) issued on every Basic or API-key call and accepted instead, and
//! `X-Ntnx-Product` on every answer.
//!
//! ## Determinism
//!
//! Every entity is a pure function of the seed: two simulators with the same seed and shape
//! answer the same request with the same bytes. VMs are never stored; VM number `i` is
//! regenerated from `(seed, i)` when a page needs it, so fleets of hundreds of thousands of VMs
//! cost no memory. Faults are drawn from `(seed, request number)`.
//!
//! ## Churn
//!
//! With [`SimulatorBuilder::churn`], every [`ChurnConfig::every_requests`]-th `POST /vms/list`
//! (counted over all clients, after its page is computed) deletes [`ChurnConfig::remove`]
//! randomly chosen live VMs (later VMs shift towards offset 0, like rows in a table) and appends
//! [`ChurnConfig::add`] new VMs at the end. Deleted VMs never come back (`GET` answers 404),
//! new VMs get new UUIDs. A VM present when a collection starts and still present when it ends
//! was present throughout: [`RunningSimulator::live_vm_uuids`] taken before and after gives
//! that set.

mod auth;
mod body;
mod churn;
mod counters;
mod error;
mod faults;
mod filter;
mod fleet;
mod groups;
mod handler;
mod json;
mod ratelimit;
mod rng;
mod routes;
mod server;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use auth::SESSION_COOKIE;
pub use churn::ChurnConfig;
pub use counters::{Counters, STATUS_DROPPED};
pub use error::{Result, SimError};
pub use faults::{FaultConfig, FaultKind};

use fleet::{Fleet, FleetConfig};
use handler::State;

/// Default user name (Prism's factory default).
pub const DEFAULT_USERNAME: &str = "admin";
/// Default password (Prism's factory default).
pub const DEFAULT_PASSWORD: &str = "nutanix/4u";
/// Default listen address of the `prism-sim` binary (Prism Central's port).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9440";

/// Entry point: [`Simulator::builder`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Simulator;

impl Simulator {
    /// A builder with a small default fleet (3 clusters of 4 hosts, 1,000 VMs, seed 1), no
    /// latency, no limit, no faults, `admin` / `nutanix/4u`, plain HTTP on `127.0.0.1:0`.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

/// Configures and starts a simulator.
#[derive(Clone)]
pub struct SimulatorBuilder {
    fleet: FleetConfig,
    latency: Duration,
    jitter: Duration,
    rate_limit: u32,
    faults: FaultConfig,
    churn: Option<ChurnConfig>,
    username: String,
    password: String,
    api_key: Option<String>,
    tls: bool,
    cert_out: Option<PathBuf>,
    listen: SocketAddr,
    max_page: u32,
    slow_body: Duration,
}

impl std::fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("fleet", &self.fleet)
            .field("latency", &self.latency)
            .field("jitter", &self.jitter)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults.to_string())
            .field("churn", &self.churn)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            fleet: FleetConfig::default(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rate_limit: 0,
            faults: FaultConfig::none(),
            churn: None,
            username: DEFAULT_USERNAME.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            api_key: None,
            tls: false,
            cert_out: None,
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            max_page: 500,
            slow_body: Duration::from_secs(1),
        }
    }
}

impl SimulatorBuilder {
    /// Number of Prism Element clusters (1 to 1,000; the Prism Central entry comes on top).
    #[must_use]
    pub fn clusters(mut self, n: u32) -> Self {
        self.fleet.clusters = n;
        self
    }

    /// Hosts per cluster (1 to 64; default 4).
    #[must_use]
    pub fn hosts_per_cluster(mut self, n: u32) -> Self {
        self.fleet.hosts_per_cluster = n;
        self
    }

    /// VMs at start (0 to 50,000,000; default 1,000).
    #[must_use]
    pub fn vms(mut self, n: u32) -> Self {
        self.fleet.vms = n;
        self
    }

    /// Seed of the fleet, the faults and the jitter (default 1).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.fleet.seed = seed;
        self
    }

    /// VLAN subnets per cluster (1 to 64; default 2).
    #[must_use]
    pub fn vlans_per_cluster(mut self, n: u32) -> Self {
        self.fleet.vlans_per_cluster = n;
        self
    }

    /// Overlay (VPC) subnets (default 2).
    #[must_use]
    pub fn overlay_subnets(mut self, n: u32) -> Self {
        self.fleet.overlay_subnets = n;
        self
    }

    /// Images (default 12).
    #[must_use]
    pub fn images(mut self, n: u32) -> Self {
        self.fleet.images = n;
        self
    }

    /// Projects besides the default `_internal` project (default 6).
    #[must_use]
    pub fn projects(mut self, n: u32) -> Self {
        self.fleet.projects = n;
        self
    }

    /// Volume groups (default: one per 100 VMs, between 2 and 5,000); two thirds are attached
    /// to a VM.
    #[must_use]
    pub fn volume_groups(mut self, n: u32) -> Self {
        self.fleet.volume_groups = Some(n);
        self
    }

    /// Fixed delay before every answer (default none).
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Extra random delay, uniform in `0..jitter`, added to [`SimulatorBuilder::latency`].
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Requests per second before answering 429 with `X-Ratelimit-*` headers (0 = no limit).
    ///
    /// A token bucket of `rps` tokens refilled at `rps` per second, shared by all clients.
    #[must_use]
    pub fn rate_limit(mut self, rps: u32) -> Self {
        self.rate_limit = rps;
        self
    }

    /// Fault injection rates.
    #[must_use]
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Total duration of a `slow` fault's body (default 1 s, spread over 10 chunks).
    #[must_use]
    pub fn slow_body_duration(mut self, total: Duration) -> Self {
        self.slow_body = total;
        self
    }

    /// Turns churn on with [`ChurnConfig::default`] (or off).
    #[must_use]
    pub fn churn(mut self, on: bool) -> Self {
        self.churn = on.then(ChurnConfig::default);
        self
    }

    /// Turns churn on with the given settings.
    #[must_use]
    pub fn churn_config(mut self, config: ChurnConfig) -> Self {
        self.churn = Some(config);
        self
    }

    /// Credentials accepted with HTTP Basic (default `admin` / `nutanix/4u`).
    #[must_use]
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = username.into();
        self.password = password.into();
        self
    }

    /// Also accept this key in the `X-ntnx-api-key` header.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Serve HTTPS with a freshly generated self-signed certificate
    /// ([`RunningSimulator::tls_certificate_pem`]).
    #[must_use]
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// With TLS, also write the certificate PEM to this file.
    #[must_use]
    pub fn cert_out(mut self, path: impl Into<PathBuf>) -> Self {
        self.cert_out = Some(path.into());
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Largest page served; longer requests are clamped silently (default 500, like Prism).
    #[must_use]
    pub fn max_page_size(mut self, n: u32) -> Self {
        self.max_page = n;
        self
    }

    fn validate(&self) -> Result<()> {
        let invalid = |setting: &'static str, reason: String| {
            Err(SimError::InvalidConfig { setting, reason })
        };
        let f = &self.fleet;
        if !(1..=1000).contains(&f.clusters) {
            return invalid("clusters", format!("{} is outside 1..=1000", f.clusters));
        }
        if !(1..=64).contains(&f.hosts_per_cluster) {
            return invalid(
                "hosts_per_cluster",
                format!("{} is outside 1..=64", f.hosts_per_cluster),
            );
        }
        if f.vms > 50_000_000 {
            return invalid("vms", format!("{} is more than 50,000,000", f.vms));
        }
        if !(1..=64).contains(&f.vlans_per_cluster) {
            return invalid(
                "vlans_per_cluster",
                format!("{} is outside 1..=64", f.vlans_per_cluster),
            );
        }
        if f.overlay_subnets > 10_000 || f.images > 10_000 || f.projects > 10_000 {
            return invalid(
                "overlay_subnets/images/projects",
                "at most 10,000 each".to_owned(),
            );
        }
        if f.volume_groups.is_some_and(|n| n > 100_000) {
            return invalid("volume_groups", "at most 100,000".to_owned());
        }
        if self.max_page == 0 {
            return invalid("max_page_size", "must be at least 1".to_owned());
        }
        if self.username.is_empty() || self.username.contains(':') {
            return invalid(
                "basic_auth",
                "the user name must be non-empty and must not contain ':'".to_owned(),
            );
        }
        if self.faults.total() > 1.0 + 1e-9 {
            return invalid(
                "faults",
                format!("rates sum to {}, more than 1", self.faults.total()),
            );
        }
        if self.api_key.as_deref().is_some_and(str::is_empty) {
            return invalid("api_key", "must not be empty".to_owned());
        }
        Ok(())
    }

    /// Builds the fleet, binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// [`SimError::InvalidConfig`] for out-of-range settings, [`SimError::Bind`] when the
    /// address is taken, [`SimError::Tls`] / [`SimError::CertificateWrite`] for TLS set-up.
    pub async fn start(self) -> Result<RunningSimulator> {
        self.validate()?;
        let listener = server::bind(self.listen).await?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: self.listen,
            source,
        })?;
        let tls = if self.tls {
            Some(server::self_signed(addr.ip())?)
        } else {
            None
        };
        if let (Some(tls), Some(path)) = (&tls, &self.cert_out) {
            std::fs::write(path, &tls.cert_pem).map_err(|source| SimError::CertificateWrite {
                path: path.clone(),
                source,
            })?;
        }
        let seed = self.fleet.seed;
        let fleet = Fleet::new(self.fleet.clone());
        let vms = fleet.config.vms;
        let secret = rng::hash3(seed, u64::from(addr.port()), std::process::id().into())
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
        let state = Arc::new(State {
            fleet,
            live: Mutex::new(churn::LiveSet::new(vms)),
            churn: self.churn,
            auth: auth::Authenticator::new(self.username, self.password, self.api_key, secret),
            limiter: (self.rate_limit > 0).then(|| ratelimit::RateLimiter::new(self.rate_limit)),
            faults: self.faults,
            latency: self.latency,
            jitter: self.jitter,
            slow_body: self.slow_body,
            max_page: self.max_page as usize,
            counters: counters::CounterSet::default(),
            seq: AtomicU64::new(0),
            vm_order: Mutex::new(None),
        });
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(
            listener,
            tls.as_ref().map(|t| t.acceptor.clone()),
            state.clone(),
            rx,
        ));
        let host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = match host {
            IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", addr.port()),
            IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", addr.port()),
        };
        tracing::info!(%base_url, vms, seed, "Prism Central simulator listening");
        Ok(RunningSimulator {
            addr,
            base_url,
            cert_pem: tls.map(|t| t.cert_pem),
            state,
            shutdown,
            task: Some(task),
        })
    }
}

/// How many entities of each kind the fleet holds (what a complete listing must return).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetCounts {
    /// Entries of `clusters/list`: the Prism Element clusters plus the Prism Central.
    pub clusters: usize,
    /// Hosts.
    pub hosts: usize,
    /// VMs currently live (changes with churn).
    pub vms: usize,
    /// Subnets (VLAN and overlay).
    pub subnets: usize,
    /// Images.
    pub images: usize,
    /// Volume groups.
    pub volume_groups: usize,
    /// Projects, `_internal` included.
    pub projects: usize,
    /// Category keys.
    pub category_keys: usize,
    /// Category values over all keys.
    pub category_values: usize,
}

/// A simulator serving in the background; stops when dropped or on [`RunningSimulator::shutdown`].
pub struct RunningSimulator {
    addr: SocketAddr,
    base_url: String,
    cert_pem: Option<String>,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSimulator {
    /// `http://127.0.0.1:PORT` (or `https://…`); the API is under `/api/nutanix/v3`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `base_url()` + `/api/nutanix/v3`.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.base_url, routes::API_PREFIX)
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The self-signed certificate (PEM) when serving TLS.
    pub fn tls_certificate_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// A snapshot of the requests served so far.
    pub fn counters(&self) -> Counters {
        self.state.counters.snapshot()
    }

    /// Entity counts of the fleet right now.
    pub fn expected_counts(&self) -> FleetCounts {
        let c = &self.state.fleet.catalogs;
        FleetCounts {
            clusters: c.clusters.items.len(),
            hosts: c.hosts.items.len(),
            vms: self.vm_count(),
            subnets: c.subnets.items.len(),
            images: c.images.items.len(),
            volume_groups: c.volume_groups.items.len(),
            projects: c.projects.items.len(),
            category_keys: c.category_keys.items.len(),
            category_values: c.category_values.values().map(|v| v.items.len()).sum(),
        }
    }

    /// Number of live VMs.
    pub fn vm_count(&self) -> usize {
        self.state.live.lock().map(|l| l.len()).unwrap_or(0)
    }

    /// UUIDs of the live VMs, in list order.
    pub fn live_vm_uuids(&self) -> Vec<String> {
        let Ok(live) = self.state.live.lock() else {
            return Vec::new();
        };
        live.iter()
            .map(|i| self.state.fleet.vm_uuid(i).to_string())
            .collect()
    }

    /// Applies one churn step now (with the configured [`ChurnConfig`], or the default one).
    pub fn churn_step(&self) {
        let config = self.state.churn.unwrap_or_default();
        if let Ok(mut live) = self.state.live.lock() {
            live.step(self.state.fleet.config.seed, &config);
        }
    }

    /// `(steps, VMs removed, VMs added)` by churn so far.
    pub fn churn_stats(&self) -> (u64, u64, u64) {
        self.state
            .live
            .lock()
            .map(|l| l.stats())
            .unwrap_or_default()
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s), and waits for the server.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
