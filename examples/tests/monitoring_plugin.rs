//! The monitoring data source plugin on loopback against the simulator, driven by the generated
//! tonic clients with `token: NO_TOKEN`, as CloudForet's monitoring service calls it.

use std::net::SocketAddr;

use cloudforet_client::proto::spaceone::api::monitoring::plugin::{
    InitRequest, MetricDataRequest, MetricRequest, PluginVerifyRequest,
    data_source_client::DataSourceClient, metric_client::MetricClient,
};
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::{json_to_struct, list_to_json, struct_ref_to_json};
use collector_core::metrics::CATALOGUE;
use examples::connect::SecretConnector;
use examples::monitoring::service::MonitoringPlugin;
use futures::TryStreamExt;
use nutanix_prism::PrismClient;
use nutanix_prism::model::{PowerState, Vm};
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tonic::transport::Channel;

struct Fixture {
    sim: RunningSimulator,
    addr: SocketAddr,
}

impl Fixture {
    async fn start() -> Self {
        let sim = Simulator::builder()
            .clusters(1)
            .hosts_per_cluster(2)
            .vms(30)
            .seed(5)
            .start()
            .await
            .unwrap();
        let bound = MonitoringPlugin::new(SecretConnector::new("test"))
            .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
            .bind()
            .await
            .unwrap();
        let addr = bound.local_addr();
        tokio::spawn(bound.serve());
        Self { sim, addr }
    }

    fn secret(&self) -> Value {
        json!({"host": self.sim.base_url(), "username": "admin", "password": "nutanix/4u"})
    }

    fn prism(&self) -> PrismClient {
        PrismClient::builder(self.sim.base_url())
            .basic_auth("admin", "nutanix/4u")
            .allow_http(true)
            .build()
            .unwrap()
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }
}

fn st(v: Value) -> Option<prost_types::Struct> {
    Some(json_to_struct(v).unwrap())
}

/// A request with CloudForet's call metadata.
fn req<T>(msg: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("token", "NO_TOKEN".parse().unwrap());
    r
}

fn assert_status(status: &tonic::Status, code: tonic::Code, needles: &[&str]) {
    assert_eq!(status.code(), code, "{status:?}");
    for n in needles {
        assert!(
            status.message().contains(n),
            "{n:?} not in {:?}",
            status.message()
        );
    }
}

fn iso(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[tokio::test]
async fn init_verify_and_list() {
    let f = Fixture::start().await;
    let mut ds = DataSourceClient::new(f.channel().await);
    let info = ds
        .init(req(InitRequest {
            options: st(json!({})),
        }))
        .await
        .unwrap()
        .into_inner();
    let meta = struct_ref_to_json(info.metadata.as_ref().unwrap());
    assert_eq!(meta["required_keys"], json!(["data.nutanix"]));
    assert_eq!(
        meta["supported_stat"],
        json!(["AVERAGE", "MAX", "MIN", "SUM"])
    );
    assert_eq!(meta["supported_providers"], json!(["nutanix"]));

    ds.verify(req(PluginVerifyRequest {
        options: st(json!({})),
        secret_data: st(f.secret()),
        schema: String::new(),
    }))
    .await
    .unwrap();
    let mut wrong = f.secret();
    wrong["password"] = json!("guess");
    let err = ds
        .verify(req(PluginVerifyRequest {
            options: st(json!({})),
            secret_data: st(wrong),
            schema: String::new(),
        }))
        .await
        .unwrap_err();
    assert_status(
        &err,
        tonic::Code::Unauthenticated,
        &["ERROR_AUTHENTICATE_FAILURE"],
    );

    let mut metric = MetricClient::new(f.channel().await);
    let query = json!({"vm_uuid": "0b4a1a4c-0000-4000-8000-000000000000", "cluster_uuid": "c",
                       "prism_central": "pc"});
    let list = metric
        .list(req(MetricRequest {
            options: st(json!({})),
            secret_data: st(f.secret()),
            query: st(query),
            schema: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let keys: Vec<&str> = list.metrics.iter().map(|m| m.key.as_str()).collect();
    let want: Vec<&str> = CATALOGUE.iter().map(|m| m.key).collect();
    assert_eq!(keys, want);
    for m in &list.metrics {
        let q = struct_ref_to_json(m.metric_query.as_ref().unwrap());
        assert_eq!(q["entity_id"], "0b4a1a4c-0000-4000-8000-000000000000");
    }
    let err = metric
        .list(req(MetricRequest {
            options: st(json!({})),
            secret_data: st(f.secret()),
            query: st(json!({"cluster_uuid": "c"})),
            schema: String::new(),
        }))
        .await
        .unwrap_err();
    assert_status(
        &err,
        tonic::Code::InvalidArgument,
        &["ERROR_REQUIRED_PARAMETER", "query.vm_uuid"],
    );
}

fn data_request(
    secret: Value,
    metric: &str,
    query: Value,
    start: &str,
    end: &str,
    period: i32,
    stat: &str,
) -> MetricDataRequest {
    MetricDataRequest {
        options: st(json!({})),
        secret_data: st(secret),
        metric_query: st(query),
        metric: metric.into(),
        start: start.into(),
        end: end.into(),
        period,
        stat: stat.into(),
        schema: String::new(),
    }
}

/// metric, metric_query, start, end, period, stat, expected message parts.
type ErrorCase<'a> = (
    &'a str,
    Value,
    &'a str,
    &'a str,
    i32,
    &'a str,
    &'a [&'a str],
);

#[tokio::test]
async fn get_data_matches_the_prism_series() {
    let f = Fixture::start().await;
    let vms: Vec<Vm> = f.prism().vms().try_collect().await.unwrap();
    let on: Vec<&Vm> = vms
        .iter()
        .filter(|v| v.power_state() == Some(&PowerState::On))
        .take(2)
        .collect();
    let off = vms
        .iter()
        .find(|v| v.power_state() == Some(&PowerState::Off))
        .expect("the fleet has a powered-off VM");
    assert_eq!(on.len(), 2);
    let unknown = "0b4a1a4c-0000-4000-8000-00000000dead";

    // 30 minutes ending 5 minutes ago, on 300 s boundaries: 6 periods.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let end = now - now.rem_euclid(300) - 300;
    let start = end - 1800;
    let (start_t, end_t) = (
        OffsetDateTime::from_unix_timestamp(start).unwrap(),
        OffsetDateTime::from_unix_timestamp(end).unwrap(),
    );
    let mut query = serde_json::Map::new();
    for (i, vm) in on.iter().enumerate() {
        query.insert(format!("cloud-svc-on-{i}"), json!({"entity_type": "vm", "entity_id": vm.uuid().unwrap(), "attribute": "hypervisor_cpu_usage_ppm", "region_name": "r"}));
    }
    query.insert(
        "cloud-svc-off".into(),
        json!({"entity_id": off.uuid().unwrap()}),
    );
    query.insert("cloud-svc-gone".into(), json!({"entity_id": unknown}));

    let mut metric = MetricClient::new(f.channel().await);
    let answer = metric
        .get_data(req(data_request(
            f.secret(),
            "cpu.utilization",
            Value::Object(query),
            &iso(start_t),
            &iso(end_t),
            300,
            "AVERAGE",
        )))
        .await
        .unwrap()
        .into_inner();
    let labels = list_to_json(answer.labels.clone().unwrap());
    let values = struct_ref_to_json(answer.values.as_ref().unwrap());
    let want_labels: Vec<Value> = (0..6)
        .map(|k| {
            json!(iso(
                OffsetDateTime::from_unix_timestamp(start + k * 300).unwrap()
            ))
        })
        .collect();
    assert_eq!(labels, want_labels);
    assert_eq!(values.as_object().unwrap().len(), 4);

    // Expected: the raw series from Prism (30 s samples), averaged per period, ppm → %.
    let raw = f
        .prism()
        .vm_metric_series(
            on.iter().map(|v| v.uuid().unwrap().to_owned()),
            ["hypervisor_cpu_usage_ppm"],
            start * 1000,
            end * 1000,
            30,
        )
        .await
        .unwrap();
    for (i, vm) in on.iter().enumerate() {
        let series = raw
            .iter()
            .find(|s| Some(s.entity_id.as_str()) == vm.uuid())
            .unwrap();
        let got = values[format!("cloud-svc-on-{i}")].as_array().unwrap();
        assert_eq!(got.len(), 6, "aligned with labels");
        for (k, v) in got.iter().enumerate() {
            let lo = (start + k as i64 * 300) * 1000;
            let pts: Vec<f64> = series
                .points
                .iter()
                .filter(|(t, _)| *t >= lo && *t < lo + 300_000)
                .map(|(_, v)| v / 10_000.0)
                .collect();
            assert!(!pts.is_empty(), "period {k} has samples");
            let want = pts.iter().sum::<f64>() / pts.len() as f64;
            let v = v.as_f64().unwrap();
            assert!((v - want).abs() < 1e-9, "period {k}: {v} vs {want}");
            assert!(v > 0.0 && v <= 100.0);
        }
    }
    assert_eq!(
        values["cloud-svc-off"],
        json!([0, 0, 0, 0, 0, 0]),
        "powered off: zeros"
    );
    assert_eq!(
        values["cloud-svc-gone"],
        json!([]),
        "unknown VM: empty series"
    );

    // MAX ≥ AVERAGE, period by period.
    let one = json!({"a": {"entity_id": on[0].uuid().unwrap()}});
    let max = metric
        .get_data(req(data_request(
            f.secret(),
            "cpu.utilization",
            one.clone(),
            &iso(start_t),
            &iso(end_t),
            300,
            "MAX",
        )))
        .await
        .unwrap()
        .into_inner();
    let max = struct_ref_to_json(max.values.as_ref().unwrap())["a"].clone();
    for (m, a) in max
        .as_array()
        .unwrap()
        .iter()
        .zip(values["cloud-svc-on-0"].as_array().unwrap())
    {
        assert!(m.as_f64().unwrap() >= a.as_f64().unwrap());
    }

    // Error table.
    let s = iso(start_t);
    let e = iso(end_t);
    let cases: Vec<ErrorCase<'_>> = vec![
        (
            "cpu.nope",
            one.clone(),
            &s,
            &e,
            300,
            "",
            &["ERROR_INVALID_PARAMETER", "cpu.nope"],
        ),
        (
            "",
            one.clone(),
            &s,
            &e,
            300,
            "",
            &["ERROR_REQUIRED_PARAMETER", "key = metric"],
        ),
        (
            "cpu.utilization",
            one.clone(),
            &e,
            &s,
            300,
            "",
            &["key = end"],
        ),
        (
            "cpu.utilization",
            one.clone(),
            "",
            &e,
            300,
            "",
            &["key = start"],
        ),
        (
            "cpu.utilization",
            one.clone(),
            &s,
            &e,
            -1,
            "",
            &["key = period"],
        ),
        (
            "cpu.utilization",
            one.clone(),
            &s,
            &e,
            300,
            "MEDIAN",
            &["key = stat"],
        ),
        (
            "cpu.utilization",
            json!({"a": {"region_name": "r"}}),
            &s,
            &e,
            300,
            "",
            &["key = metric_query"],
        ),
    ];
    for (m, q, s, e, p, stat, needles) in cases {
        let err = metric
            .get_data(req(data_request(f.secret(), m, q, s, e, p, stat)))
            .await
            .unwrap_err();
        assert_status(&err, tonic::Code::InvalidArgument, needles);
    }
}
