//! Fixed benchmark inputs: the exact bytes an in-process simulator with a fixed seed serves.
//!
//! The simulator's fleet is a pure function of its seed and shape, so every run of the
//! benchmarks decodes, maps and encodes the same VMs (same names, disks, NICs, categories).

use std::time::Duration;

use anyhow::{Context, Result, bail};
use collector_core::mapping::ClusterNames;
use collector_core::metrics::{CATALOGUE, MetricDef, Window, groups_request};
use nutanix_prism::model::{Cluster, ListResponse};
use nutanix_prism::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME, RunningSimulator, Simulator};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// The seed of every benchmark fleet.
pub const SEED: u64 = 20_240_601;
/// Clusters of the benchmark fleet.
pub const CLUSTERS: u32 = 4;
/// Entities per list page (Prism's maximum).
pub const PAGE: u32 = 500;

/// Raw simulator answers for the benchmarks.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `POST /vms/list` response bodies, [`PAGE`] VMs each (the last may be shorter).
    pub vm_pages: Vec<Vec<u8>>,
    /// Cluster UUID to name, as the collection plan learns it from `clusters/list`.
    pub cluster_names: ClusterNames,
    /// The `POST /groups` response body for [`Fixture::groups_vms`] VMs over one day.
    pub groups: Vec<u8>,
    /// The metric of [`Fixture::groups`].
    pub metric: &'static MetricDef,
    /// The window of [`Fixture::groups`].
    pub window: Window,
    /// VM UUIDs in [`Fixture::groups`].
    pub groups_vms: Vec<String>,
}

impl Fixture {
    /// Total bytes of the VM pages.
    pub fn vm_page_bytes(&self) -> usize {
        self.vm_pages.iter().map(Vec::len).sum()
    }
}

/// Starts a simulator with `vms` VMs and reads every VM page, the cluster names and one
/// `/groups` answer (one day of the first catalogue metric for up to 100 VMs), then stops it.
///
/// # Errors
/// When the simulator cannot start or answers unexpectedly.
pub async fn fixture(vms: u32) -> Result<Fixture> {
    let sim = Simulator::builder()
        .clusters(CLUSTERS)
        .vms(vms)
        .seed(SEED)
        .start()
        .await
        .context("starting the simulator")?;
    let out = read_fixture(&sim, vms).await;
    sim.shutdown().await;
    out
}

async fn post(
    http: &reqwest::Client,
    sim: &RunningSimulator,
    path: &str,
    body: &Value,
) -> Result<Vec<u8>> {
    let resp = http
        .post(format!("{}/{path}", sim.api_url()))
        .basic_auth(DEFAULT_USERNAME, Some(DEFAULT_PASSWORD))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body)?)
        .send()
        .await
        .with_context(|| format!("POST {path}"))?;
    let status = resp.status();
    let bytes = resp.bytes().await?.to_vec();
    if !status.is_success() {
        bail!("POST {path}: {status}: {}", String::from_utf8_lossy(&bytes));
    }
    Ok(bytes)
}

async fn read_fixture(sim: &RunningSimulator, vms: u32) -> Result<Fixture> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut vm_pages = Vec::new();
    let mut offset = 0;
    while offset < vms {
        let body = json!({"kind": "vm", "offset": offset, "length": PAGE});
        vm_pages.push(post(&http, sim, "vms/list", &body).await?);
        offset += PAGE;
    }
    let clusters: ListResponse<Cluster> = serde_json::from_slice(
        &post(&http, sim, "clusters/list", &json!({"kind": "cluster"})).await?,
    )?;
    let cluster_names: ClusterNames = clusters
        .entities
        .iter()
        .filter_map(|c| Some((c.uuid()?.to_owned(), c.name()?.to_owned())))
        .collect();
    let first: ListResponse<nutanix_prism::model::Vm> =
        serde_json::from_slice(vm_pages.first().context("no VM page")?)?;
    let groups_vms: Vec<String> = first
        .entities
        .iter()
        .filter_map(|v| v.uuid().map(str::to_owned))
        .take(nutanix_prism::client::METRIC_IDS_PER_REQUEST)
        .collect();
    let metric = CATALOGUE.first().context("empty metric catalogue")?;
    let end = OffsetDateTime::from_unix_timestamp(1_717_200_000)?;
    let window = Window::new(end - time::Duration::days(1), end, None)?;
    let ids: Vec<&str> = groups_vms.iter().map(String::as_str).collect();
    let groups = post(&http, sim, "groups", &groups_request(metric, &ids, &window)).await?;
    Ok(Fixture {
        vm_pages,
        cluster_names,
        groups,
        metric,
        window,
        groups_vms,
    })
}
