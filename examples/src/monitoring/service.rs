//! The tonic services of the monitoring data source: [`MonitoringPlugin`] implements
//! `DataSource` and `Metric`; [`MonitoringPlugin::add_to`] registers both on a plugin server.

use std::sync::Arc;
use std::time::Instant;

use cloudforet_client::proto::spaceone::api::monitoring::plugin::{
    InitRequest, MetricDataInfo, MetricDataRequest, MetricRequest, MetricsInfo, PluginInfo,
    PluginVerifyRequest,
    data_source_server::{DataSource, DataSourceServer},
    metric_server::{Metric, MetricServer},
};
use cloudforet_client::server::{PluginError, PluginServerBuilder, masked};
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use prost_types::Struct;
use serde_json::Value;
use tonic::{Request, Response, Status};

use super::PLUGIN_NAME;
use super::metadata::{init_metadata, list_metrics};
use super::metric_data::{MetricQuery, metric_data};
use crate::connector::Connector;
use crate::telemetry::metrics;

/// The monitoring data source plugin over a [`Connector`].
pub struct MonitoringPlugin<C> {
    connector: Arc<C>,
}

impl<C> Clone for MonitoringPlugin<C> {
    fn clone(&self) -> Self {
        Self {
            connector: Arc::clone(&self.connector),
        }
    }
}

impl<C> std::fmt::Debug for MonitoringPlugin<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitoringPlugin").finish_non_exhaustive()
    }
}

impl<C: Connector> MonitoringPlugin<C> {
    /// A plugin using `connector` for secrets and options.
    pub fn new(connector: C) -> Self {
        Self {
            connector: Arc::new(connector),
        }
    }

    /// Adds `DataSource` and `Metric` to a plugin server builder (no `Log`: see the module
    /// docs of [`crate::monitoring`]).
    pub fn add_to(self, builder: PluginServerBuilder) -> PluginServerBuilder {
        builder
            .add_service(DataSourceServer::new(self.clone()))
            .add_service(MetricServer::new(self))
    }
}

fn json(s: Option<&Struct>) -> Value {
    s.map_or(Value::Null, struct_ref_to_json)
}

#[tonic::async_trait]
impl<C: Connector> DataSource for MonitoringPlugin<C> {
    async fn init(&self, _request: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
        let metadata = json_to_struct(init_metadata(self.connector.options_schema()))
            .map_err(|e| PluginError::unknown(format!("cannot encode metadata: {e}")))?;
        Ok(Response::new(PluginInfo {
            metadata: Some(metadata),
        }))
    }

    async fn verify(&self, request: Request<PluginVerifyRequest>) -> Result<Response<()>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "DataSource.verify");
        let req = request.get_ref();
        self.connector
            .verify(&json(req.secret_data.as_ref()), &json(req.options.as_ref()))
            .await?;
        Ok(Response::new(()))
    }
}

#[tonic::async_trait]
impl<C: Connector> Metric for MonitoringPlugin<C> {
    async fn list(&self, request: Request<MetricRequest>) -> Result<Response<MetricsInfo>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Metric.list");
        Ok(Response::new(list_metrics(&json(
            request.get_ref().query.as_ref(),
        ))?))
    }

    async fn get_data(
        &self,
        request: Request<MetricDataRequest>,
    ) -> Result<Response<MetricDataInfo>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Metric.get_data");
        let req = request.get_ref();
        let query = MetricQuery::parse(
            &req.metric,
            &req.start,
            &req.end,
            req.period,
            &req.stat,
            &json(req.metric_query.as_ref()),
        )?;
        let targets = self
            .connector
            .targets(&json(req.secret_data.as_ref()), &json(req.options.as_ref()))?;
        // The Prometheus label: the Prism Central's address, or "multiple" when the secret
        // holds several (one answer merges all of them).
        let label = match targets.as_slice() {
            [one] => one.key.clone(),
            _ => "multiple".to_owned(),
        };
        let targets: Vec<_> = targets
            .into_iter()
            .map(|t| (t.client, t.prism_central))
            .collect();
        let started = Instant::now();
        let answer = metric_data(&targets, &query).await;
        metrics().observe_collection(PLUGIN_NAME, &label, started.elapsed());
        match &answer {
            Ok(info) => {
                let series = info.values.as_ref().map_or(0, |v| v.fields.len());
                metrics().add_resources(PLUGIN_NAME, &label, series as u64);
            }
            Err(_) => metrics().inc_errors(PLUGIN_NAME, &label),
        }
        Ok(Response::new(answer?))
    }
}
