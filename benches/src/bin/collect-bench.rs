//! `collect-bench`: the end-to-end collection harness.
//!
//! Starts the simulator with the given fleet, latency and rate limit, runs the inventory
//! plugin's real pipeline against it with concurrency 1 (the sequential baseline) and with the
//! default settings, each in its own process so that peak RSS (`VmHWM`) and CPU time are per
//! run, and prints both with the speedup. The last line is one JSON object.
//!
//! The simulator runs in a child process of each measurement (`--serve-sim`), as Prism
//! Central runs on other machines: the figures are the collector's own. `--sim-in-process`
//! puts it back in the measuring process (session 1 and 2 figures were taken that way).
//!
//! ```text
//! cargo run --release -p benches --bin collect-bench -- --vms 100000 --latency-ms 100 --rate-limit 80
//! cargo run --release -p benches --bin collect-bench -- --vms 100000 --latency-ms 0 --rate-limit 0 --grpc
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::Stdio;

use anyhow::{Context, Result, bail};
use benches::run::{Mode, RunConfig, RunReport, default_concurrency, run};
use benches::sim::{SimPlacement, serve};
use clap::Parser;
use serde_json::json;

/// mimalloc instead of the system allocator: the record path allocates many small strings,
/// and glibc malloc/free was a quarter of its CPU time (docs/performance.md). The
/// `system-allocator` feature keeps glibc malloc, for the A/B comparison in that document.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Measures a collection against an in-process simulated Prism Central.
#[derive(Debug, Clone, Parser)]
#[command(name = "collect-bench", version)]
struct Args {
    /// VMs in the simulated fleet.
    #[arg(long, default_value_t = 100_000)]
    vms: u32,
    /// Latency added to every simulated request, milliseconds.
    #[arg(long, default_value_t = 100)]
    latency_ms: u64,
    /// Requests per second the simulator accepts, also the client's rate limit (0: none).
    #[arg(long, default_value_t = 80)]
    rate_limit: u32,
    /// Entities per list page.
    #[arg(long, default_value_t = 500)]
    page_size: u32,
    /// Prism Element clusters.
    #[arg(long, default_value_t = 4)]
    clusters: u32,
    /// List pages in flight for the measured run (default: the plugin's default).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Fleet seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Drive the plugin over gRPC on loopback (one run, reports records/s).
    #[arg(long)]
    grpc: bool,
    /// Skip the sequential baseline (the measured run only).
    #[arg(long)]
    no_baseline: bool,
    /// Run the simulator inside the measuring process (default: a child process).
    #[arg(long)]
    sim_in_process: bool,
    /// Serve the simulated fleet, print its URL, stop when stdin closes (used internally).
    #[arg(long, hide = true)]
    serve_sim: bool,
    /// Run once in this process and print the report as one JSON line (used internally).
    #[arg(long, hide = true)]
    single: bool,
}

impl Args {
    fn config(&self) -> RunConfig {
        RunConfig {
            vms: self.vms,
            clusters: self.clusters,
            latency_ms: self.latency_ms,
            rate_limit: self.rate_limit,
            page_size: self.page_size,
            concurrency: self.concurrency,
            seed: self.seed,
            mode: if self.grpc {
                Mode::Grpc
            } else {
                Mode::InProcess
            },
            sim: if self.sim_in_process {
                SimPlacement::InProcess
            } else {
                SimPlacement::Process
            },
        }
    }

    /// The arguments of a child process running one measurement.
    fn child_args(&self, concurrency: Option<usize>) -> Vec<String> {
        let mut a = vec![
            "--single".to_owned(),
            format!("--vms={}", self.vms),
            format!("--latency-ms={}", self.latency_ms),
            format!("--rate-limit={}", self.rate_limit),
            format!("--page-size={}", self.page_size),
            format!("--clusters={}", self.clusters),
            format!("--seed={}", self.seed),
        ];
        if let Some(c) = concurrency {
            a.push(format!("--concurrency={c}"));
        }
        if self.grpc {
            a.push("--grpc".to_owned());
        }
        if self.sim_in_process {
            a.push("--sim-in-process".to_owned());
        }
        a
    }
}

async fn child(args: &Args, concurrency: Option<usize>) -> Result<RunReport> {
    let exe = std::env::current_exe().context("locating collect-bench")?;
    // Not `output()`: tokio's pipes stderr there whatever was set, which hid the child's
    // errors and logs.
    let out = tokio::process::Command::new(exe)
        .args(args.child_args(concurrency))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting a measurement")?
        .wait_with_output()
        .await
        .context("running a measurement")?;
    if !out.status.success() {
        bail!("measurement failed ({})", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .context("no report from the measurement")?;
    serde_json::from_str(line).context("reading the measurement's report")
}

fn print_report(label: &str, r: &RunReport) {
    let sim_cpu = r
        .sim_cpu_s
        .map_or_else(|| "in process".to_owned(), |s| format!("{s:.2} s"));
    println!(
        "{label:<10} concurrency {:>2}  wall {:>8.3} s  requests {:>6} ({} x 429)  {:>7.1} req/s  {:>9.0} VMs/s  {:>9.0} records/s  bound {:>7.3} s  ratio {:>5.2}  peak RSS {:>6.1} MiB (before the collection {:.1})  CPU {:.2} s (simulator {sim_cpu})",
        r.concurrency,
        r.wall_s,
        r.requests,
        r.rate_limited,
        r.pages_per_s,
        r.vms_per_s,
        r.records_per_s,
        r.bound_s,
        r.bound_ratio,
        r.peak_rss_mib,
        r.base_rss_mib,
        r.cpu_s
    );
}

/// Logs to stderr when `RUST_LOG` is set (e.g. `RUST_LOG=nutanix_prism=debug` gives every
/// Prism request with its timing); silent otherwise, so that logging costs nothing measured.
fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    init_tracing();
    if args.serve_sim {
        return serve(&args.config()).await;
    }
    if args.single {
        let report = run(args.config()).await?;
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    println!(
        "fleet {} VMs in {} clusters, page {}, latency {} ms, rate limit {} req/s, mode {:?}, simulator {:?}",
        args.vms,
        args.clusters,
        args.page_size,
        args.latency_ms,
        args.rate_limit,
        args.config().mode,
        args.config().sim
    );
    let measured = child(&args, args.concurrency).await?;
    if args.no_baseline {
        print_report("measured", &measured);
        println!(
            "{}",
            json!({
                "mode": measured.config.mode,
                "vms": measured.vms,
                "records": measured.records,
                "concurrency": measured.concurrency,
                "wall_s": measured.wall_s,
                "records_per_s": measured.records_per_s,
                "vms_per_s": measured.vms_per_s,
                "requests": measured.requests,
                "bound_s": measured.bound_s,
                "bound_ratio": measured.bound_ratio,
                "peak_rss_mib": measured.peak_rss_mib,
                "base_rss_mib": measured.base_rss_mib,
                "cpu_s": measured.cpu_s,
                "sim_cpu_s": measured.sim_cpu_s,
                "sim": measured.config.sim,
            })
        );
        return Ok(());
    }
    let baseline = child(&args, Some(1)).await?;
    print_report("baseline", &baseline);
    print_report("default", &measured);
    let speedup = baseline.wall_s / measured.wall_s;
    println!(
        "speedup {speedup:.2}x over concurrency 1 (default concurrency {}); {:.2}x the bound",
        default_concurrency(),
        measured.bound_ratio
    );
    println!(
        "{}",
        json!({
            "mode": measured.config.mode,
            "vms": measured.vms,
            "records": measured.records,
            "requests": measured.requests,
            "concurrency": measured.concurrency,
            "wall_s": measured.wall_s,
            "baseline_wall_s": baseline.wall_s,
            "speedup": speedup,
            "pages_per_s": measured.pages_per_s,
            "vms_per_s": measured.vms_per_s,
            "records_per_s": measured.records_per_s,
            "bound_s": measured.bound_s,
            "bound_ratio": measured.bound_ratio,
            "baseline_bound_s": baseline.bound_s,
            "baseline_bound_ratio": baseline.bound_ratio,
            "peak_rss_mib": measured.peak_rss_mib,
            "baseline_peak_rss_mib": baseline.peak_rss_mib,
            "base_rss_mib": measured.base_rss_mib,
            "cpu_s": measured.cpu_s,
            "sim_cpu_s": measured.sim_cpu_s,
            "baseline_cpu_s": baseline.cpu_s,
            "sim": measured.config.sim,
        })
    );
    Ok(())
}
