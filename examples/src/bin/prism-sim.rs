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

/// mimalloc instead of the system allocator, as in the plugins (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Measure the simulator's own throughput instead of serving: fetch this many `vms/list`
    /// pages over loopback (keep-alive HTTP/1.1), print pages/s on stdout, and exit.
    #[arg(long, value_name = "PAGES")]
    bench_pages: Option<u64>,
    /// With --bench-pages: concurrent connections.
    #[arg(long, default_value_t = 2)]
    bench_concurrency: usize,
    /// With --bench-pages: VMs per page.
    #[arg(long, default_value_t = 500)]
    bench_page_size: u32,
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

/// Ctrl-C and SIGTERM handlers, registered before the base URL is printed so that a signal sent
/// right after reading it is never lost.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
            terminate: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> anyhow::Result<Self> {
        Ok(Self)
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging(args.log_json);
    let signals = Signals::install()?;
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .clusters(args.clusters)
        .hosts_per_cluster(args.hosts_per_cluster)
        .vms(args.vms)
        .seed(args.seed)
        .basic_auth(args.username.clone(), args.password.clone())
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
    let credentials = format!("{}:{}", args.username, args.password);
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
    if let Some(pages) = args.bench_pages {
        anyhow::ensure!(!args.tls, "--bench-pages measures plain HTTP; drop --tls");
        let report = bench::run(
            sim.local_addr(),
            &credentials,
            pages,
            args.bench_concurrency.max(1),
            args.bench_page_size,
            args.vms,
        )
        .await?;
        println!("{report}");
        sim.shutdown().await;
        return Ok(());
    }
    signals.wait().await;
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

/// A minimal keep-alive HTTP/1.1 load generator, so the measurement needs no external tool.
mod bench {
    use std::net::SocketAddr;

    use std::time::Instant;

    use anyhow::{Context as _, bail};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpStream;

    /// Standard base64 (for the Basic header).
    pub(crate) fn base64(input: &[u8]) -> String {
        const TABLE: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Sends one request and reads the whole response; returns (status, body length).
    async fn exchange(
        stream: &mut TcpStream,
        request: &[u8],
        buf: &mut Vec<u8>,
    ) -> anyhow::Result<(u16, usize)> {
        stream.write_all(request).await?;
        buf.clear();
        let mut chunk = vec![0u8; 64 * 1024];
        let header_end = loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed before the response headers");
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
        };
        let head = std::str::from_utf8(&buf[..header_end]).context("non-UTF-8 headers")?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("no status")?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                if k.eq_ignore_ascii_case("content-length") {
                    v.trim().parse().ok()
                } else {
                    None
                }
            })
            .context("no content-length")?;
        let mut remaining = length.saturating_sub(buf.len() - header_end);
        while remaining > 0 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed mid-body");
            }
            remaining = remaining.saturating_sub(n);
        }
        Ok((status, length))
    }

    /// Fetches `pages` pages with `concurrency` connections; returns a one-line report.
    pub(crate) async fn run(
        addr: SocketAddr,
        credentials: &str,
        pages: u64,
        concurrency: usize,
        page_size: u32,
        vms: u32,
    ) -> anyhow::Result<String> {
        let auth = base64(credentials.as_bytes());
        let started = Instant::now();
        let mut workers = Vec::new();
        for worker in 0..concurrency as u64 {
            let auth = auth.clone();
            workers.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                let mut buf = Vec::new();
                let (mut bytes, mut done) = (0u64, 0u64);
                let mut k = worker;
                while k < pages {
                    let offset = (k * u64::from(page_size)) % u64::from(vms.max(1));
                    let body = format!(r#"{{"kind":"vm","offset":{offset},"length":{page_size}}}"#);
                    let request = format!(
                        "POST /api/nutanix/v3/vms/list HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let (status, length) = exchange(&mut stream, request.as_bytes(), &mut buf).await?;
                    if status != 200 {
                        bail!("page at offset {offset} answered {status}");
                    }
                    bytes += length as u64;
                    done += 1;
                    k += concurrency as u64;
                }
                anyhow::Ok((done, bytes))
            }));
        }
        let (mut done, mut bytes) = (0u64, 0u64);
        for worker in workers {
            let (d, b) = worker.await.context("bench worker panicked")??;
            done += d;
            bytes += b;
        }
        let secs = started.elapsed().as_secs_f64();
        Ok(format!(
            "bench: {done} pages of {page_size} VMs in {secs:.2} s with {concurrency} connections: {:.1} pages/s, {:.0} VMs/s, {:.1} MB/s, {:.0} bytes/VM",
            done as f64 / secs,
            done as f64 * f64::from(page_size) / secs,
            bytes as f64 / secs / 1e6,
            bytes as f64 / (done as f64 * f64::from(page_size)).max(1.0),
        ))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn base64_matches_known_values() {
            assert_eq!(
                super::base64(b"admin:nutanix/4u"),
                "YWRtaW46bnV0YW5peC80dQ=="
            );
            assert_eq!(super::base64(b"a"), "YQ==");
            assert_eq!(super::base64(b"ab"), "YWI=");
        }
    }
}
