//! The tonic services: [`InventoryPlugin`] implements `Collector` and `Job`.
//!
//! `Collector.collect` has two implementations that send the same messages: the typed one of the
//! generated trait (`ResourceInfo` built by [`to_resource_info`], encoded by tonic) and the
//! fast one, [`InventoryPlugin::collect_encoded`], which writes each message's protobuf bytes
//! straight from the record ([`super::encode`]). [`InventoryPlugin::add_to`] serves the fast one
//! (through [`EncodedStreamingServer`]); [`InventoryPlugin::add_typed_to`] the typed one.

use std::collections::HashSet;
use std::time::Instant;

use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    CollectRequest, GetTaskRequest, InitRequest, PluginInfo, ResourceInfo, TaskInfo, TasksInfo,
    VerifyRequest, collector_server::Collector, collector_server::CollectorServer, job_server::Job,
    job_server::JobServer,
};
use cloudforet_client::server::raw::EncodedStreamingServer;
use cloudforet_client::server::{PluginError, PluginServerBuilder, masked};
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use collector_core::record::{Resource, ResourceRecord, State};
use futures::StreamExt;
use prost::bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};
use tracing::Instrument;

use super::PLUGIN_NAME;
use super::encode::ResourceInfoEncoder;
use super::metadata::plugin_metadata;
use super::pipeline::{ClusterScope, collect_records, to_resource_info, type_records};
use super::tasks::{parse_task_options, task_options};
use crate::connect::verify_all;
use crate::options::PluginOptions;
use crate::secret::SecretData;
use crate::telemetry::metrics;

/// Records buffered between the Prism streams and the gRPC response: the only inventory
/// memory the plugin holds besides cluster names and region codes.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 64;

/// The inventory collector plugin: `Collector.init/verify/collect` and `Job.get_tasks`.
#[derive(Debug, Clone)]
pub struct InventoryPlugin {
    capacity: usize,
}

impl Default for InventoryPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl InventoryPlugin {
    /// A plugin with the default channel capacity.
    pub fn new() -> Self {
        Self {
            capacity: DEFAULT_CHANNEL_CAPACITY,
        }
    }

    /// Sets how many records may wait between Prism and the gRPC stream (at least 1).
    #[must_use]
    pub fn channel_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Adds the `Collector` and `Job` services to a plugin server builder, with `collect`
    /// answered by [`collect_encoded`](Self::collect_encoded) (pre-encoded messages).
    pub fn add_to(self, builder: PluginServerBuilder) -> PluginServerBuilder {
        let plugin = self.clone();
        let collector = EncodedStreamingServer::new(
            CollectorServer::new(self.clone()),
            "collect",
            move |request: Request<CollectRequest>| {
                let plugin = plugin.clone();
                async move { plugin.collect_encoded(request).await }
            },
        );
        builder
            .add_service(collector)
            .add_service(JobServer::new(self))
    }

    /// Adds the `Collector` and `Job` services with the generated server's typed `collect`
    /// (`ResourceInfo` messages encoded by tonic). Same messages as [`add_to`](Self::add_to),
    /// slower; kept as the reference the fast path is compared with.
    pub fn add_typed_to(self, builder: PluginServerBuilder) -> PluginServerBuilder {
        builder
            .add_service(CollectorServer::new(self.clone()))
            .add_service(JobServer::new(self))
    }

    /// `Collector.collect` with pre-encoded messages: each item is the protobuf encoding of one
    /// `ResourceInfo` ([`encode_resource_info`](super::encode::encode_resource_info)), the same
    /// messages in the same order as the typed `collect`. Dropping the stream stops the
    /// collection and its Prism traffic.
    ///
    /// # Errors
    /// As the typed `collect`: `ERROR_INVALID_ARGUMENT`-style statuses for a bad secret, bad
    /// options or bad task options, before any message.
    pub async fn collect_encoded(
        &self,
        request: Request<CollectRequest>,
    ) -> Result<Response<BoxStream<Bytes>>, Status> {
        let mut encoder = ResourceInfoEncoder::new();
        let rx = self.start_collect(request, move |record| encoder.encode(record))?;
        Ok(Response::new(Box::pin(rx)))
    }

    /// Parses a `collect` request and spawns the producer; messages are `encode`d records.
    fn start_collect<M, E>(
        &self,
        request: Request<CollectRequest>,
        encode: E,
    ) -> Result<ReceiverStream<Result<M, Status>>, Status>
    where
        M: Send + 'static,
        E: FnMut(&ResourceRecord) -> Result<M, PluginError> + Send + 'static,
    {
        tracing::debug!(request = ?masked(request.get_ref()), "Collector.collect");
        let req = request.into_inner();
        let secret = SecretData::from_struct(req.secret_data.as_ref())?;
        let options = PluginOptions::from_struct(req.options.as_ref())?;
        let task = parse_task_options(&json_of(req.task_options.as_ref()), &secret)?;
        let selection: Vec<(usize, Option<ClusterScope>)> = match task.prism_central {
            Some(i) => vec![(i, task.scope)],
            None => (0..secret.prism_centrals.len())
                .map(|i| (i, task.scope.clone()))
                .collect(),
        };
        let (tx, rx) = mpsc::channel(self.capacity);
        tokio::spawn(produce(secret, options, selection, tx, encode).in_current_span());
        Ok(ReceiverStream::new(rx))
    }
}

fn json_of(s: Option<&prost_types::Struct>) -> Value {
    s.map(struct_ref_to_json).unwrap_or(Value::Null)
}

/// Streams the records of the selected Prism Centrals into `tx`, in CloudForet's order across
/// all of them: type records once, resources as they arrive, regions last; each record is
/// mapped to its message by `encode` here, in the producer task. Stops as soon as the receiver
/// is gone (the caller cancelled), dropping the Prism streams.
async fn produce<M, E>(
    secret: SecretData,
    options: PluginOptions,
    selection: Vec<(usize, Option<ClusterScope>)>,
    tx: mpsc::Sender<Result<M, Status>>,
    mut encode: E,
) where
    M: Send + 'static,
    E: FnMut(&ResourceRecord) -> Result<M, PluginError> + Send + 'static,
{
    let mut seen_types: HashSet<String> = HashSet::new();
    let mut regions: Vec<(String, ResourceRecord)> = Vec::new();
    let mut send = |record: &ResourceRecord| encode(record).map_err(Status::from);
    for record in type_records(&options) {
        if let Resource::CloudServiceType(t) = &record.resource {
            seen_types.insert(format!("{}/{}", t.group, t.name));
        }
        if tx.send(send(&record)).await.is_err() {
            return;
        }
    }
    for (index, scope) in selection {
        let Some(pc) = secret.prism_centrals.get(index) else {
            continue;
        };
        let address = pc.address();
        let started = Instant::now();
        let span = tracing::info_span!("collect_pc", prism_central = %address, scope = ?scope);
        let mut records = collect_records(pc, &options, PLUGIN_NAME, scope);
        let mut sent = 0u64;
        let mut failures = 0u64;
        let cancelled = async {
            loop {
                let record = tokio::select! {
                    biased;
                    () = tx.closed() => return true,
                    next = records.next() => match next {
                        Some(r) => r,
                        None => return false,
                    },
                };
                match &record.resource {
                    Resource::CloudServiceType(t)
                        if !seen_types.insert(format!("{}/{}", t.group, t.name)) =>
                    {
                        continue;
                    }
                    Resource::Region(_) => {
                        regions.push((address.clone(), record));
                        continue;
                    }
                    _ => {}
                }
                if record.state == State::Failure {
                    failures += 1;
                    metrics().inc_errors(PLUGIN_NAME, &address);
                    tracing::warn!(
                        message = record.message.as_deref().unwrap_or(""),
                        "FAILURE record"
                    );
                }
                if tx.send(send(&record)).await.is_err() {
                    return true;
                }
                if record.state == State::Success {
                    sent += 1;
                }
            }
        }
        .instrument(span.clone())
        .await;
        drop(records);
        metrics().add_resources(PLUGIN_NAME, &address, sent);
        metrics().observe_collection(PLUGIN_NAME, &address, started.elapsed());
        span.in_scope(|| {
            tracing::info!(
                records = sent,
                failures,
                cancelled,
                elapsed_s = started.elapsed().as_secs_f64(),
                "collected Prism Central"
            );
        });
        if cancelled {
            tracing::info!("collect cancelled by the caller; stopped fetching");
            return;
        }
    }
    for (address, region) in regions {
        if tx.send(send(&region)).await.is_err() {
            return;
        }
        metrics().add_resources(PLUGIN_NAME, &address, 1);
    }
}

#[tonic::async_trait]
impl Collector for InventoryPlugin {
    async fn init(&self, request: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
        tracing::debug!(request = ?request.get_ref(), "Collector.init");
        PluginOptions::from_struct(request.get_ref().options.as_ref())?;
        let metadata = json_to_struct(plugin_metadata())
            .map_err(|e| PluginError::unknown(format!("cannot encode metadata: {e}")))?;
        Ok(Response::new(PluginInfo {
            metadata: Some(metadata),
        }))
    }

    async fn verify(&self, request: Request<VerifyRequest>) -> Result<Response<()>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Collector.verify");
        let req = request.get_ref();
        verify_all(
            &json_of(req.secret_data.as_ref()),
            &json_of(req.options.as_ref()),
            PLUGIN_NAME,
        )
        .await?;
        Ok(Response::new(()))
    }

    type collectStream = ReceiverStream<Result<ResourceInfo, Status>>;

    async fn collect(
        &self,
        request: Request<CollectRequest>,
    ) -> Result<Response<Self::collectStream>, Status> {
        Ok(Response::new(
            self.start_collect(request, to_resource_info)?,
        ))
    }
}

#[tonic::async_trait]
impl Job for InventoryPlugin {
    async fn get_tasks(
        &self,
        request: Request<GetTaskRequest>,
    ) -> Result<Response<TasksInfo>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Job.get_tasks");
        let req = request.get_ref();
        let secret = SecretData::from_struct(req.secret_data.as_ref())?;
        let options = PluginOptions::from_struct(req.options.as_ref())?;
        let tasks = task_options(&secret, &options, PLUGIN_NAME)
            .await
            .into_iter()
            .map(|t| {
                json_to_struct(t)
                    .map(|s| TaskInfo {
                        task_options: Some(s),
                    })
                    .map_err(|e| PluginError::unknown(format!("cannot encode task_options: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        tracing::info!(tasks = tasks.len(), "Job.get_tasks");
        Ok(Response::new(TasksInfo { tasks }))
    }
}
