//! `prism-sim`: a Prism Central (v3 REST) simulator on loopback.
//!
//! Prints its base URL on the first line of stdout, logs to stderr, and stops on Ctrl-C or
//! SIGTERM. Every flag also reads an environment variable (`PRISM_SIM_*`).
//!
//! ```text
//! cargo run -p examples --bin prism-sim -- --vms 100000 --latency-ms 20 --rate-limit 80
//! ```
#![allow(clippy::print_stdout)]

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use nutanix_prism::sim::{
    DEFAULT_LISTEN, DEFAULT_PASSWORD, DEFAULT_USERNAME, FaultConfig, Simulator,
};
use tracing_subscriber::EnvFilter;

/// A deterministic Prism Central simulator for testing Prism v3 clients.
#[derive(Debug, Parser)]
#[command(name = "prism-sim", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "PRISM_SIM_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Prism Element clusters (the Prism Central is listed on top).
    #[arg(long, env = "PRISM_SIM_CLUSTERS", default_value_t = 3)]
    clusters: u32,
    /// Hosts per cluster.
    #[arg(long, env = "PRISM_SIM_HOSTS_PER_CLUSTER", default_value_t = 4)]
    hosts_per_cluster: u32,
    /// VMs at start.
    #[arg(long, env = "PRISM_SIM_VMS", default_value_t = 1000)]
    vms: u32,
    /// Seed of the fleet, faults and jitter (same seed, same answers).
    #[arg(long, env = "PRISM_SIM_SEED", default_value_t = 1)]
    seed: u64,
    /// User name accepted with HTTP Basic.
    #[arg(long, env = "PRISM_SIM_USERNAME", default_value = DEFAULT_USERNAME)]
    username: String,
    /// Password accepted with HTTP Basic.
    #[arg(long, env = "PRISM_SIM_PASSWORD", default_value = DEFAULT_PASSWORD, hide_default_value = true, hide_env_values = true)]
    password: String,
    /// Also accept this key in the `X-ntnx-api-key` header.
    #[arg(long, env = "PRISM_SIM_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Fixed delay before every answer, in milliseconds.
    #[arg(long, env = "PRISM_SIM_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,
    /// Extra random delay per answer, uniform in 0..N milliseconds.
    #[arg(long, env = "PRISM_SIM_JITTER_MS", default_value_t = 0)]
    jitter_ms: u64,
    /// Requests per second before answering 429 (0 = no limit).
    #[arg(long, env = "PRISM_SIM_RATE_LIMIT", default_value_t = 0)]
    rate_limit: u32,
    /// Fault rates, e.g. `500=0.05,503=0.03,429=0.02,truncate=0.02,reset=0.01,slow=0.01`.
    #[arg(long, env = "PRISM_SIM_FAULTS", default_value = "")]
    faults: FaultConfig,
    /// Add and remove VMs while clients page (see docs/simulator.md for the exact model).
    #[arg(long, env = "PRISM_SIM_CHURN")]
    churn: bool,
    /// Serve HTTPS with a generated self-signed certificate.
    #[arg(long, env = "PRISM_SIM_TLS")]
    tls: bool,
    /// With --tls, write the certificate (PEM) to this file.
    #[arg(long, env = "PRISM_SIM_CERT_OUT", requires = "tls")]
    cert_out: Option<PathBuf>,
    /// Log as JSON lines (default: text on a terminal, JSON otherwise).
    #[arg(long, env = "PRISM_SIM_LOG_JSON")]
    log_json: bool,
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json || !std::io::stderr().is_terminal() {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging(args.log_json);
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .clusters(args.clusters)
        .hosts_per_cluster(args.hosts_per_cluster)
        .vms(args.vms)
        .seed(args.seed)
        .basic_auth(args.username, args.password)
        .latency(Duration::from_millis(args.latency_ms))
        .jitter(Duration::from_millis(args.jitter_ms))
        .rate_limit(args.rate_limit)
        .faults(args.faults)
        .churn(args.churn)
        .tls(args.tls);
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }
    if let Some(path) = args.cert_out {
        builder = builder.cert_out(path);
    }
    let sim = builder
        .start()
        .await
        .context("starting the Prism Central simulator")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.base_url()).context("writing the base URL to stdout")?;
        out.flush().context("flushing stdout")?;
    }
    tracing::info!(base_url = sim.base_url(), counts = ?sim.expected_counts(), "ready");
    wait_for_signal().await;
    tracing::info!("shutting down");
    let counters = sim.counters();
    tracing::info!(
        requests = counters.total(),
        rate_limited = counters.rate_limited(),
        "served"
    );
    sim.shutdown().await;
    Ok(())
}
