//! One collection through the inventory plugin's pipeline against an in-process simulator.
//!
//! [`Mode::InProcess`] drives [`examples::inventory::collect_records`] (Prism client →
//! collector-core plan → records) and [`examples::inventory::to_resource_info`] through a
//! bounded channel of [`DEFAULT_CHANNEL_CAPACITY`] messages, and protobuf-encodes every
//! `ResourceInfo`, as the plugin's `collect` does before tonic writes it. [`Mode::Grpc`]
//! serves the real [`InventoryPlugin`] on loopback and calls `Collector.collect` from a tonic
//! client (with `token: NO_TOKEN`, as CloudForet core does).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cloudforet_client::proto::spaceone::api::inventory::plugin::CollectRequest;
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::json_to_struct;
use collector_core::record::{Resource, ResourceRecord};
use examples::inventory::encode::ResourceInfoEncoder;
use examples::inventory::service::DEFAULT_CHANNEL_CAPACITY;
use examples::inventory::{InventoryPlugin, collect_records};
use examples::options::PluginOptions;
use examples::secret::SecretData;
use futures::StreamExt;
use nutanix_prism::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME};
use prost::bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::bound::bound;
use crate::cpu::own_cpu_s;
use crate::rss::{current_rss_kib, peak_rss_kib};
use crate::sim::{Sim, SimPlacement};

/// How the records are consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The plugin's record pipeline in this process, messages protobuf-encoded.
    InProcess,
    /// The plugin served on loopback, `Collector.collect` called from a tonic client.
    Grpc,
}

/// The simulated Prism Central and the client settings of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    /// VMs in the simulated fleet.
    pub vms: u32,
    /// Prism Element clusters.
    pub clusters: u32,
    /// Latency the simulator adds to every request.
    pub latency_ms: u64,
    /// Requests per second the simulator accepts and the client is configured for (`0`: none).
    pub rate_limit: u32,
    /// Entities per list page.
    pub page_size: u32,
    /// List pages in flight (`None`: the client's default).
    pub concurrency: Option<usize>,
    /// Fleet seed.
    pub seed: u64,
    /// How the records are consumed.
    pub mode: Mode,
    /// Where the simulator runs.
    #[serde(default)]
    pub sim: SimPlacement,
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// The run's settings.
    pub config: RunConfig,
    /// The list concurrency actually in effect.
    pub concurrency: usize,
    /// VM records received.
    pub vms: u64,
    /// Records received (all types, regions and type records included).
    pub records: u64,
    /// `FAILURE` records received.
    pub failures: u64,
    /// Protobuf bytes of the `ResourceInfo` messages (in process only; 0 over gRPC, whose
    /// client reads only a few fields of each message).
    pub encoded_bytes: u64,
    /// Requests the simulator answered (every kind, login and `429`s included).
    pub requests: u64,
    /// `POST /vms/list` requests the simulator answered.
    pub vm_pages: u64,
    /// Requests answered `429 Too Many Requests`.
    pub rate_limited: u64,
    /// Wall time of the collection (first request to last record).
    pub wall_s: f64,
    /// Requests per second.
    pub pages_per_s: f64,
    /// VM records per second.
    pub vms_per_s: f64,
    /// Records per second.
    pub records_per_s: f64,
    /// [`bound`] of this run's requests.
    pub bound_s: f64,
    /// `wall_s / bound_s`.
    pub bound_ratio: f64,
    /// Peak resident memory of the measuring process, MiB (the simulator's included when it
    /// runs in process).
    pub peak_rss_mib: f64,
    /// Resident set size just before the collection started, MiB: the process, its runtime
    /// and its allocator before any page (0 where unknown).
    #[serde(default)]
    pub base_rss_mib: f64,
    /// CPU seconds (user + system) of the measuring process during the collection.
    #[serde(default)]
    pub cpu_s: f64,
    /// CPU seconds of the simulator process during the run (`None`: it ran in process).
    #[serde(default)]
    pub sim_cpu_s: Option<f64>,
}

/// What the consumer side counts.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    records: u64,
    vms: u64,
    failures: u64,
    bytes: u64,
}

impl Tally {
    /// Counts a record on the producer side (the in-process run never decodes messages).
    fn count_record(&mut self, record: &ResourceRecord) {
        self.records += 1;
        match &record.resource {
            Resource::CloudService(s) if &*s.cloud_service_type == "VirtualMachine" => {
                self.vms += 1;
            }
            Resource::Error(_) => self.failures += 1,
            _ => {}
        }
    }

    fn add(&mut self, info: &ResourceInfoHead) {
        self.records += 1;
        if info.state == 5 {
            self.failures += 1;
        }
        let is_vm = info.resource.as_ref().is_some_and(|r| {
            r.fields.iter().any(|f| {
                f.key == "cloud_service_type"
                    && f.value
                        .as_ref()
                        .is_some_and(|v| v.string_value.as_deref() == Some("VirtualMachine"))
            })
        });
        if is_vm && info.resource_type == "inventory.CloudService" {
            self.vms += 1;
        }
    }
}

/// What the gRPC client of [`Mode::Grpc`] decodes of each `ResourceInfo`: `state` (1),
/// `resource_type` (3) and the top-level string values of `resource` (6), with the same field
/// numbers. Everything else (`match_rules`, the nested `data` Struct) is skipped as unknown
/// fields, so the measuring client spends little CPU on the shared cores; CloudForet decodes
/// the messages on its own machines. The plugin still encodes every field in full.
#[derive(Clone, PartialEq, prost::Message)]
struct ResourceInfoHead {
    /// `ResourceInfo.state`.
    #[prost(int32, tag = "1")]
    state: i32,
    /// `ResourceInfo.resource_type`.
    #[prost(string, tag = "3")]
    resource_type: String,
    /// `ResourceInfo.resource`, top level only.
    #[prost(message, optional, tag = "6")]
    resource: Option<StructHead>,
}

/// A `google.protobuf.Struct` read as its map entries (`fields` = 1).
#[derive(Clone, PartialEq, prost::Message)]
struct StructHead {
    /// The entries (`key` = 1, `value` = 2).
    #[prost(message, repeated, tag = "1")]
    fields: Vec<FieldHead>,
}

/// One entry of a `Struct`'s map.
#[derive(Clone, PartialEq, prost::Message)]
struct FieldHead {
    /// The key.
    #[prost(string, tag = "1")]
    key: String,
    /// The value; only a string value is read.
    #[prost(message, optional, tag = "2")]
    value: Option<ValueHead>,
}

/// A `google.protobuf.Value` of which only `string_value` (3) is read.
#[derive(Clone, PartialEq, prost::Message)]
struct ValueHead {
    /// `string_value`, when the value is a string.
    #[prost(string, optional, tag = "3")]
    string_value: Option<String>,
}

/// The list concurrency the plugin uses when the options leave it unset.
pub fn default_concurrency() -> usize {
    nutanix_prism::client::DEFAULT_LIST_CONCURRENCY
}

fn secret_json(sim: &Sim) -> Value {
    json!({"host": sim.base_url(), "username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD})
}

fn options_json(config: &RunConfig) -> Value {
    let mut o = json!({"page_size": config.page_size});
    if let Some(c) = config.concurrency {
        o["concurrency"] = json!(c);
    }
    // Rate limit 0 means none on the simulator's side. The plugin's option has no "unlimited"
    // value (default 20 req/s), so the client gets the highest it accepts.
    o["rate_limit"] = if config.rate_limit > 0 {
        json!(config.rate_limit)
    } else {
        json!(UNLIMITED_RATE)
    };
    o
}

/// The client rate limit of a run without one: the plugin's maximum, requests per second.
const UNLIMITED_RATE: u32 = 1_000;

async fn in_process(secret: &Value, options: &Value) -> Result<Tally> {
    let secret = SecretData::from_json(secret).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let options =
        PluginOptions::from_json(options).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let pc = secret
        .prism_centrals
        .first()
        .context("no Prism Central in the secret")?
        .clone();
    // As the plugin's `collect`: the producer task maps and encodes each record to its
    // `ResourceInfo` bytes; the consumer (tonic's side in the plugin) only takes the bytes.
    let (tx, mut rx) = mpsc::channel::<Bytes>(DEFAULT_CHANNEL_CAPACITY);
    let producer = tokio::spawn(async move {
        let mut records = collect_records(&pc, &options, "bench", None);
        let mut encoder = ResourceInfoEncoder::new();
        let mut seen = Tally::default();
        while let Some(record) = records.next().await {
            seen.count_record(&record);
            let bytes = encoder
                .encode(&record)
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            if tx.send(bytes).await.is_err() {
                break;
            }
        }
        anyhow::Ok(seen)
    });
    // The consumer drains what is ready, as tonic's encoder does (it polls the stream until it
    // is pending or its buffer is full), rather than waking once per message.
    let mut records = 0;
    let mut bytes = 0;
    let mut batch = Vec::with_capacity(DEFAULT_CHANNEL_CAPACITY);
    while rx.recv_many(&mut batch, DEFAULT_CHANNEL_CAPACITY).await > 0 {
        records += batch.len() as u64;
        bytes += batch.iter().map(|m| m.len() as u64).sum::<u64>();
        batch.clear();
    }
    let mut tally = producer.await??;
    anyhow::ensure!(
        tally.records == records,
        "the consumer received {records} messages of {} records",
        tally.records
    );
    tally.bytes = bytes;
    Ok(tally)
}

async fn serve_plugin() -> Result<SocketAddr> {
    let bound = InventoryPlugin::new()
        .add_to(PluginServer::builder().listen("127.0.0.1:0".parse()?))
        .bind()
        .await
        .context("binding the plugin")?;
    let addr = bound.local_addr();
    tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
    Ok(addr)
}

/// The collector service of the published API, and its `collect` method's path.
const COLLECTOR_SERVICE: &str = "spaceone.api.inventory.plugin.Collector";
const COLLECT_PATH: &str = "/spaceone.api.inventory.plugin.Collector/collect";

async fn over_grpc(addr: SocketAddr, secret: Value, options: Value) -> Result<Tally> {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut request = tonic::Request::new(CollectRequest {
        options: Some(json_to_struct(options)?),
        secret_data: Some(json_to_struct(secret)?),
        filter: Some(json_to_struct(json!({}))?),
        task_options: None,
    });
    request.metadata_mut().insert("token", "NO_TOKEN".parse()?);
    request
        .extensions_mut()
        .insert(tonic::GrpcMethod::new(COLLECTOR_SERVICE, "collect"));
    let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(64 * 1024 * 1024);
    grpc.ready().await?;
    let path = http::uri::PathAndQuery::from_static(COLLECT_PATH);
    let codec = tonic_prost::ProstCodec::<CollectRequest, ResourceInfoHead>::default();
    let mut stream = grpc
        .server_streaming(request, path, codec)
        .await?
        .into_inner();
    let mut tally = Tally::default();
    while let Some(info) = stream.message().await? {
        tally.add(&info);
    }
    Ok(tally)
}

/// Runs one collection and measures it.
///
/// # Errors
/// When the simulator or the plugin cannot start, or the collection fails as a whole.
pub async fn run(config: RunConfig) -> Result<RunReport> {
    let sim = Sim::start(&config).await?;
    let secret = secret_json(&sim);
    let options = options_json(&config);
    let grpc_addr = match config.mode {
        Mode::Grpc => Some(serve_plugin().await?),
        Mode::InProcess => None,
    };
    let before = sim.counts().await?;
    let base_rss_mib = current_rss_kib().map_or(0.0, |k| k as f64 / 1024.0);
    let cpu_before = own_cpu_s().unwrap_or(0.0);
    // The simulator's fleet is built before this point; only its serving is counted.
    let sim_cpu_before = sim.cpu_s();
    let started = Instant::now();
    // On a runtime worker, as the plugin's tasks are (not on the thread blocked in `main`).
    let tally = tokio::spawn(async move {
        match grpc_addr {
            Some(addr) => over_grpc(addr, secret, options).await,
            None => in_process(&secret, &options).await,
        }
    })
    .await??;
    let wall = started.elapsed();
    let cpu_s = own_cpu_s().unwrap_or(0.0) - cpu_before;
    let counts = sim.counts().await?.since(before);
    let sim_cpu_s = sim.cpu_s().zip(sim_cpu_before).map(|(a, b)| a - b);
    let expected_vms = sim.vms(&config);
    sim.stop().await;
    if tally.vms != expected_vms {
        bail!(
            "collected {} VM records but the simulator serves {expected_vms} VMs ({} FAILURE records)",
            tally.vms,
            tally.failures
        );
    }
    let (requests, vm_pages, rate_limited) = (counts.total, counts.vm_pages, counts.rate_limited);
    let concurrency = config.concurrency.unwrap_or_else(default_concurrency);
    let bound_d = bound(
        requests - rate_limited,
        f64::from(config.rate_limit),
        concurrency as u64,
        Duration::from_millis(config.latency_ms),
    );
    let wall_s = wall.as_secs_f64();
    let bound_s = bound_d.as_secs_f64();
    Ok(RunReport {
        concurrency,
        vms: tally.vms,
        records: tally.records,
        failures: tally.failures,
        encoded_bytes: tally.bytes,
        requests,
        vm_pages,
        rate_limited,
        wall_s,
        pages_per_s: requests as f64 / wall_s,
        vms_per_s: tally.vms as f64 / wall_s,
        records_per_s: tally.records as f64 / wall_s,
        bound_s,
        bound_ratio: if bound_s > 0.0 { wall_s / bound_s } else { 0.0 },
        peak_rss_mib: peak_rss_kib().map_or(0.0, |k| k as f64 / 1024.0),
        base_rss_mib,
        cpu_s,
        sim_cpu_s,
        config,
    })
}
