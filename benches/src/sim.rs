//! The simulated Prism Central of a harness run: in this process, or in a child process so
//! that the collector's peak memory and CPU time are measured without the simulator's.
//!
//! A real Prism Central runs on other machines; its fleet, its page rendering and its HTTP
//! server cost the collector nothing. [`SimPlacement::Process`] runs the simulator as
//! `collect-bench --serve-sim` (this executable re-executed), reads its base URL from the
//! child's first stdout line and its request counters from `GET /sim/counters`. The child
//! still shares the machine's cores with the collector.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::cpu::process_cpu_s;
use crate::run::RunConfig;

/// Where the simulator runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimPlacement {
    /// In the measuring process (its memory and CPU are counted with the collector's).
    #[default]
    InProcess,
    /// In a child process (`collect-bench --serve-sim`).
    Process,
}

/// What the simulator answered during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimCounts {
    /// Requests answered, every endpoint and status.
    pub total: u64,
    /// `POST /vms/list` requests answered.
    pub vm_pages: u64,
    /// Requests answered `429 Too Many Requests`.
    pub rate_limited: u64,
}

impl SimCounts {
    /// Counts from the `GET /sim/counters` JSON document.
    ///
    /// # Errors
    /// When the document does not have the simulator's shape.
    pub fn from_json(doc: &Value) -> Result<Self> {
        let requests = doc["requests"]
            .as_array()
            .context("no `requests` array in the simulator's counters")?;
        let mut counts = Self {
            rate_limited: doc["rate_limited"]
                .as_u64()
                .context("no `rate_limited` in the simulator's counters")?,
            ..Self::default()
        };
        for r in requests {
            let n = r["count"].as_u64().context("a counter without `count`")?;
            counts.total += n;
            if r["endpoint"] == "POST /vms/list" {
                counts.vm_pages += n;
            }
        }
        Ok(counts)
    }

    /// `self - before`, counter by counter.
    pub fn since(self, before: Self) -> Self {
        Self {
            total: self.total - before.total,
            vm_pages: self.vm_pages - before.vm_pages,
            rate_limited: self.rate_limited - before.rate_limited,
        }
    }
}

/// A running simulator, wherever it runs.
#[derive(Debug)]
pub enum Sim {
    /// In this process.
    Local(RunningSimulator),
    /// In a child process.
    Remote {
        /// The child; killed when dropped.
        child: Child,
        /// Its base URL (`http://127.0.0.1:port`).
        base_url: String,
        /// Client of `GET /sim/counters`.
        http: reqwest::Client,
    },
}

/// The builder of the run's fleet (shared by both placements, so both serve the same bytes).
pub fn builder(config: &RunConfig) -> nutanix_prism::sim::SimulatorBuilder {
    let mut b = Simulator::builder()
        .clusters(config.clusters)
        .vms(config.vms)
        .seed(config.seed)
        .latency(Duration::from_millis(config.latency_ms));
    if config.rate_limit > 0 {
        b = b.rate_limit(config.rate_limit);
    }
    b
}

impl Sim {
    /// Starts the simulator of `config` where `config.sim` says.
    ///
    /// # Errors
    /// When it cannot start, or the child does not report its URL.
    pub async fn start(config: &RunConfig) -> Result<Self> {
        match config.sim {
            SimPlacement::InProcess => Ok(Self::Local(
                builder(config)
                    .start()
                    .await
                    .context("starting the simulator")?,
            )),
            SimPlacement::Process => Self::spawn(config).await,
        }
    }

    async fn spawn(config: &RunConfig) -> Result<Self> {
        let exe = std::env::current_exe().context("locating collect-bench")?;
        let mut child = Command::new(exe)
            .args([
                "--serve-sim".to_owned(),
                format!("--vms={}", config.vms),
                format!("--clusters={}", config.clusters),
                format!("--seed={}", config.seed),
                format!("--latency-ms={}", config.latency_ms),
                format!("--rate-limit={}", config.rate_limit),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting the simulator process")?;
        let stdout = child.stdout.take().context("no stdout of the simulator")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .context("reading the simulator's URL")?;
        let base_url = line.trim().to_owned();
        if !base_url.starts_with("http://") {
            bail!("the simulator process printed {line:?} instead of its URL");
        }
        Ok(Self::Remote {
            child,
            base_url,
            http: reqwest::Client::new(),
        })
    }

    /// The base URL (`http://127.0.0.1:port`).
    pub fn base_url(&self) -> &str {
        match self {
            Self::Local(sim) => sim.base_url(),
            Self::Remote { base_url, .. } => base_url,
        }
    }

    /// The request counters now.
    ///
    /// # Errors
    /// When the child's counters cannot be read.
    pub async fn counts(&self) -> Result<SimCounts> {
        match self {
            Self::Local(sim) => {
                let c = sim.counters();
                Ok(SimCounts {
                    total: c.total(),
                    vm_pages: c.endpoint("POST /vms/list"),
                    rate_limited: c.rate_limited(),
                })
            }
            Self::Remote { base_url, http, .. } => {
                let doc: Value = http
                    .get(format!("{base_url}/sim/counters"))
                    .send()
                    .await
                    .context("reading the simulator's counters")?
                    .error_for_status()?
                    .json()
                    .await?;
                SimCounts::from_json(&doc)
            }
        }
    }

    /// The number of VMs the simulator serves.
    pub fn vms(&self, config: &RunConfig) -> u64 {
        match self {
            Self::Local(sim) => sim.expected_counts().vms as u64,
            // Without churn the fleet keeps exactly the VMs it was built with.
            Self::Remote { .. } => u64::from(config.vms),
        }
    }

    /// CPU seconds the simulator process has used so far (`None` when it runs in process).
    pub fn cpu_s(&self) -> Option<f64> {
        match self {
            Self::Local(_) => None,
            Self::Remote { child, .. } => child.id().and_then(process_cpu_s),
        }
    }

    /// Stops the simulator.
    pub async fn stop(self) {
        match self {
            Self::Local(sim) => sim.shutdown().await,
            Self::Remote { mut child, .. } => {
                // Closing stdin asks the child to stop; kill it if it does not.
                drop(child.stdin.take());
                if tokio::time::timeout(Duration::from_secs(5), child.wait())
                    .await
                    .is_err()
                {
                    let _ = child.kill().await;
                }
            }
        }
    }
}

/// `collect-bench --serve-sim`: serves the fleet of `config`, prints the base URL on the first
/// stdout line, and stops when stdin closes.
///
/// # Errors
/// When the simulator cannot start.
pub async fn serve(config: &RunConfig) -> Result<()> {
    use std::io::Write as _;
    use tokio::io::AsyncReadExt as _;
    let sim = builder(config)
        .start()
        .await
        .context("starting the simulator")?;
    let mut out = std::io::stdout();
    writeln!(out, "{}", sim.base_url())?;
    out.flush()?;
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    sim.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_from_the_counters_document() {
        let doc = json!({
            "requests": [
                {"endpoint": "POST /vms/list", "status": 200, "count": 5},
                {"endpoint": "POST /vms/list", "status": 429, "count": 2},
                {"endpoint": "POST /clusters/list", "status": 200, "count": 1}
            ],
            "faults": {},
            "rate_limited": 2
        });
        let c = SimCounts::from_json(&doc).unwrap();
        assert_eq!(
            c,
            SimCounts {
                total: 8,
                vm_pages: 7,
                rate_limited: 2
            }
        );
        let before = SimCounts {
            total: 1,
            vm_pages: 0,
            rate_limited: 0,
        };
        assert_eq!(c.since(before).total, 7);
        assert!(SimCounts::from_json(&json!({"rate_limited": 0})).is_err());
    }
}
