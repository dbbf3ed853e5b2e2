//! Every call runs in a `grpc_call` span naming the method, and a request logged through
//! `masked(...)` carries no secret. Own test binary: it installs a global subscriber.
#![cfg(all(feature = "server", feature = "client"))]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use cloudforet_client::proto::spaceone::api::monitoring::plugin::{
    MetricDataInfo, MetricDataRequest, MetricRequest, MetricsInfo,
    metric_client::MetricClient,
    metric_server::{Metric, MetricServer},
};
use cloudforet_client::server::{PluginServer, masked};
use prost_types::value::Kind;
use prost_types::{Struct, Value};
use tonic::{Request, Response, Status};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// Records span openings and events as text lines.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut f = Fields(format!("span {}", attrs.metadata().name()));
        attrs.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let scope: Vec<String> = ctx
            .event_scope(event)
            .map(|s| s.from_root().map(|sp| sp.name().to_owned()).collect())
            .unwrap_or_default();
        let mut f = Fields(format!("event in {scope:?}"));
        event.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }
}

struct LoggingMetric;

#[tonic::async_trait]
impl Metric for LoggingMetric {
    async fn list(&self, req: Request<MetricRequest>) -> Result<Response<MetricsInfo>, Status> {
        tracing::info!(request = ?masked(req.get_ref()), "Metric.list");
        Ok(Response::new(MetricsInfo::default()))
    }

    async fn get_data(
        &self,
        _: Request<MetricDataRequest>,
    ) -> Result<Response<MetricDataInfo>, Status> {
        Ok(Response::new(MetricDataInfo::default()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_get_spans_and_masked_requests_hide_secrets() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(capture.clone()))
        .unwrap();

    let bound = PluginServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .add_service(MetricServer::new(LoggingMetric))
        .bind()
        .await
        .unwrap();
    let url = format!("http://{}", bound.local_addr());
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.serve_with_shutdown(async {
        let _ = rx.await;
    }));

    let mut secret = Struct::default();
    secret.fields.insert(
        "password".into(),
        Value {
            kind: Some(Kind::StringValue("s3cr3t-pw".into())),
        },
    );
    let mut client = MetricClient::connect(url).await.unwrap();
    client
        .list(MetricRequest {
            secret_data: Some(secret),
            schema: "nutanix".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let _ = stop.send(());
    server.await.unwrap().unwrap();

    let lines = capture.0.lock().unwrap().clone();
    let text = lines.join("\n");
    assert!(
        lines.iter().any(|l| l.starts_with("span grpc_call")
            && l.contains("rpc.method=/spaceone.api.monitoring.plugin.Metric/list")
            && l.contains("rpc.call=Metric.list")),
        "{text}"
    );
    let logged = lines
        .iter()
        .find(|l| l.contains("Metric.list") && l.starts_with("event"))
        .unwrap_or_else(|| panic!("request not logged:\n{text}"));
    assert!(
        logged.contains("grpc_call"),
        "event outside the call span: {logged}"
    );
    assert!(logged.contains("password"), "{logged}");
    assert!(logged.contains("nutanix"), "{logged}");
    assert!(!text.contains("s3cr3t-pw"), "secret leaked:\n{text}");
}
