//! Conformance against CloudForet's own published Python stubs (`spaceone-api` on PyPI).
//!
//! Starts one test plugin server per plugin type (inventory Collector+Job; cost
//! DataSource+Job+Cost; monitoring DataSource+Metric+Log) on 127.0.0.1:0 with the plugin server
//! kit, and runs `tests/conformance/check_plugin.py` against each: it connects the way CloudForet
//! core does (reflection v1alpha, `token: NO_TOKEN`, requests built from the reflected
//! descriptors), compares every served file with the published descriptors, and calls every
//! method. A last test checks that the trimmed core-service client protos are a subset of the
//! published ones.
//!
//! The Python venv comes from `CLOUDFORET_CONFORMANCE_VENV` or `<workspace>/target/conformance-venv`;
//! `scripts/python-venv.sh` is run first (idempotent: it installs only when the pins changed), so
//! the test never skips silently: without Python or PyPI it fails and says why.
#![cfg(feature = "server")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cloudforet_client::proto::spaceone::api::{cost_analysis, inventory, monitoring};
use cloudforet_client::server::{BoundPluginServer, PluginError, PluginServer};
use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};
use tokio::sync::oneshot;
use tonic::{Request, Response, Status};

// ------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------

fn s(v: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(v.to_owned())),
    }
}

fn n(v: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(v)),
    }
}

fn list(values: Vec<Value>) -> Value {
    Value {
        kind: Some(Kind::ListValue(ListValue { values })),
    }
}

fn obj(pairs: Vec<(&str, Value)>) -> Struct {
    Struct {
        fields: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

fn val(st: Struct) -> Value {
    Value {
        kind: Some(Kind::StructValue(st)),
    }
}

/// The `token` metadata of a call (what CloudForet sends: `NO_TOKEN`).
fn token<T>(req: &Request<T>) -> String {
    req.metadata()
        .get("token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<missing>")
        .to_owned()
}

/// Fails the call unless `secret_data` arrived (the core always sends it for these calls).
fn require_secret(secret: Option<&Struct>) -> Result<(), Status> {
    match secret {
        Some(s) if !s.fields.is_empty() => Ok(()),
        _ => Err(PluginError::required_parameter("secret_data").into()),
    }
}

// ------------------------------------------------------------------------------------------
// Inventory plugin
// ------------------------------------------------------------------------------------------

struct TestCollector;

#[tonic::async_trait]
impl inventory::plugin::collector_server::Collector for TestCollector {
    async fn init(
        &self,
        req: Request<inventory::plugin::InitRequest>,
    ) -> Result<Response<inventory::plugin::PluginInfo>, Status> {
        Ok(Response::new(inventory::plugin::PluginInfo {
            metadata: Some(obj(vec![
                ("token", s(&token(&req))),
                (
                    "supported_resource_type",
                    list(vec![s("inventory.CloudService"), s("inventory.Region")]),
                ),
            ])),
        }))
    }

    async fn verify(
        &self,
        req: Request<inventory::plugin::VerifyRequest>,
    ) -> Result<Response<()>, Status> {
        require_secret(req.get_ref().secret_data.as_ref())?;
        Ok(Response::new(()))
    }

    type collectStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<inventory::plugin::ResourceInfo, Status>>>;

    async fn collect(
        &self,
        req: Request<inventory::plugin::CollectRequest>,
    ) -> Result<Response<Self::collectStream>, Status> {
        require_secret(req.get_ref().secret_data.as_ref())?;
        let record = |id: &str| inventory::plugin::ResourceInfo {
            state: inventory::plugin::resource_info::State::Success as i32,
            message: String::new(),
            resource_type: "inventory.CloudService".into(),
            match_rules: Some(obj(vec![("1", list(vec![s("reference.resource_id")]))])),
            resource: Some(obj(vec![
                ("name", s(id)),
                ("reference", val(obj(vec![("resource_id", s(id))]))),
                ("token", s(&token(&req))),
            ])),
            options: None,
        };
        Ok(Response::new(tokio_stream::iter(vec![
            Ok(record("vm-1")),
            Ok(record("vm-2")),
        ])))
    }
}

struct TestInventoryJob;

#[tonic::async_trait]
impl inventory::plugin::job_server::Job for TestInventoryJob {
    async fn get_tasks(
        &self,
        req: Request<inventory::plugin::GetTaskRequest>,
    ) -> Result<Response<inventory::plugin::TasksInfo>, Status> {
        let tok = token(&req);
        Ok(Response::new(inventory::plugin::TasksInfo {
            tasks: vec![inventory::plugin::TaskInfo {
                task_options: Some(obj(vec![("cluster", s("c1")), ("token", s(&tok))])),
            }],
        }))
    }
}

// ------------------------------------------------------------------------------------------
// Cost plugin
// ------------------------------------------------------------------------------------------

struct TestCostDataSource;

#[tonic::async_trait]
impl cost_analysis::plugin::data_source_server::DataSource for TestCostDataSource {
    async fn init(
        &self,
        req: Request<cost_analysis::plugin::InitRequest>,
    ) -> Result<Response<cost_analysis::plugin::PluginInfo>, Status> {
        Ok(Response::new(cost_analysis::plugin::PluginInfo {
            metadata: Some(obj(vec![
                ("currency", s("USD")),
                ("token", s(&token(&req))),
                ("domain_id", s(&req.get_ref().domain_id)),
            ])),
        }))
    }

    async fn verify(
        &self,
        req: Request<cost_analysis::plugin::PluginVerifyRequest>,
    ) -> Result<Response<()>, Status> {
        require_secret(req.get_ref().secret_data.as_ref())?;
        Ok(Response::new(()))
    }
}

struct TestCostJob;

#[tonic::async_trait]
impl cost_analysis::plugin::job_server::Job for TestCostJob {
    async fn get_tasks(
        &self,
        req: Request<cost_analysis::plugin::GetTasksRequest>,
    ) -> Result<Response<cost_analysis::plugin::TasksInfo>, Status> {
        let r = req.get_ref();
        let changed = cost_analysis::plugin::ChangedInfo {
            start: r.start.clone(),
            end: String::new(),
            filter: None,
        };
        Ok(Response::new(cost_analysis::plugin::TasksInfo {
            tasks: vec![cost_analysis::plugin::TaskInfo {
                task_options: Some(obj(vec![
                    ("start", s(&r.start)),
                    ("linked_accounts", n(r.linked_accounts.len() as f64)),
                    ("token", s(&token(&req))),
                ])),
                task_changed: Some(changed.clone()),
            }],
            changed: vec![changed],
            synced_accounts: vec![cost_analysis::plugin::SyncedAccountInfo {
                account_id: "acc-1".into(),
                name: "Account 1".into(),
            }],
        }))
    }
}

struct TestCost;

#[tonic::async_trait]
impl cost_analysis::plugin::cost_server::Cost for TestCost {
    async fn get_linked_accounts(
        &self,
        _req: Request<cost_analysis::plugin::GetLinkedAccountsRequest>,
    ) -> Result<Response<cost_analysis::plugin::AccountsInfo>, Status> {
        Ok(Response::new(cost_analysis::plugin::AccountsInfo {
            results: vec![cost_analysis::plugin::AccountInfo {
                account_id: "acc-1".into(),
                name: "Account 1".into(),
            }],
        }))
    }

    type get_dataStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<cost_analysis::plugin::CostsInfo, Status>>>;

    async fn get_data(
        &self,
        req: Request<cost_analysis::plugin::GetDataRequest>,
    ) -> Result<Response<Self::get_dataStream>, Status> {
        require_secret(req.get_ref().secret_data.as_ref())?;
        let cost = cost_analysis::plugin::CostInfo {
            cost: 1.25,
            usage_quantity: 24.0,
            usage_unit: "vCPU-Hours".into(),
            provider: "nutanix".into(),
            region_code: "cluster-1".into(),
            product: "VM".into(),
            usage_type: "vcpu-hours".into(),
            resource: "vm-1".into(),
            tags: None,
            additional_info: Some(obj(vec![("Cluster", s("cluster-1"))])),
            data: Some(obj(vec![("vcpu_hours", n(24.0))])),
            billed_date: "2025-01-31".into(),
        };
        Ok(Response::new(tokio_stream::iter(vec![
            Ok(cost_analysis::plugin::CostsInfo {
                results: vec![cost],
            }),
            Ok(cost_analysis::plugin::CostsInfo { results: vec![] }),
        ])))
    }
}

// ------------------------------------------------------------------------------------------
// Monitoring plugin
// ------------------------------------------------------------------------------------------

struct TestMonDataSource;

#[tonic::async_trait]
impl monitoring::plugin::data_source_server::DataSource for TestMonDataSource {
    async fn init(
        &self,
        req: Request<monitoring::plugin::InitRequest>,
    ) -> Result<Response<monitoring::plugin::PluginInfo>, Status> {
        Ok(Response::new(monitoring::plugin::PluginInfo {
            metadata: Some(obj(vec![
                ("required_keys", list(vec![s("data.nutanix")])),
                ("supported_stat", list(vec![s("AVERAGE"), s("MAX")])),
                ("token", s(&token(&req))),
            ])),
        }))
    }

    async fn verify(
        &self,
        req: Request<monitoring::plugin::PluginVerifyRequest>,
    ) -> Result<Response<()>, Status> {
        require_secret(req.get_ref().secret_data.as_ref())?;
        Ok(Response::new(()))
    }
}

struct TestMetric;

#[tonic::async_trait]
impl monitoring::plugin::metric_server::Metric for TestMetric {
    async fn list(
        &self,
        _req: Request<monitoring::plugin::MetricRequest>,
    ) -> Result<Response<monitoring::plugin::MetricsInfo>, Status> {
        Ok(Response::new(monitoring::plugin::MetricsInfo {
            metrics: vec![monitoring::plugin::MetricInfo {
                key: "cpu.utilization".into(),
                name: "CPU utilization".into(),
                group: "VM".into(),
                unit: Some(obj(vec![("x", s("Timestamp")), ("y", s("Percent"))])),
                metric_query: Some(obj(vec![("vm_uuid", s("u-1"))])),
            }],
        }))
    }

    async fn get_data(
        &self,
        req: Request<monitoring::plugin::MetricDataRequest>,
    ) -> Result<Response<monitoring::plugin::MetricDataInfo>, Status> {
        let ids: Vec<String> = req
            .get_ref()
            .metric_query
            .as_ref()
            .map(|q| q.fields.keys().cloned().collect())
            .unwrap_or_default();
        let values = ids
            .iter()
            .map(|id| (id.as_str(), list(vec![n(1.0), n(2.0)])))
            .collect();
        Ok(Response::new(monitoring::plugin::MetricDataInfo {
            labels: Some(ListValue {
                values: vec![s("2025-01-01T00:00:00.000Z"), s("2025-01-01T00:01:00.000Z")],
            }),
            values: Some(obj(values)),
        }))
    }
}

struct TestLog;

#[tonic::async_trait]
impl monitoring::plugin::log_server::Log for TestLog {
    type listStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<monitoring::plugin::LogsDataInfo, Status>>>;

    async fn list(
        &self,
        req: Request<monitoring::plugin::LogRequest>,
    ) -> Result<Response<Self::listStream>, Status> {
        let limit = req.get_ref().limit;
        Ok(Response::new(tokio_stream::iter(vec![Ok(
            monitoring::plugin::LogsDataInfo {
                results: vec![obj(vec![
                    ("message", s("hello")),
                    ("limit", n(f64::from(limit))),
                ])],
            },
        )])))
    }
}

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate sits inside the workspace")
        .to_path_buf()
}

/// The venv's python, creating/updating the venv once per test process.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = workspace_root();
        // A relative CLOUDFORET_CONFORMANCE_VENV is taken relative to the workspace root (tests
        // run with the crate directory as working directory).
        let venv = std::env::var_os("CLOUDFORET_CONFORMANCE_VENV")
            .filter(|v| !v.is_empty())
            .map(|v| root.join(v))
            .unwrap_or_else(|| root.join("target").join("conformance-venv"));
        let out = std::process::Command::new("bash")
            .arg(root.join("scripts").join("python-venv.sh"))
            .arg(&venv)
            .output()
            .expect("cannot run bash scripts/python-venv.sh");
        assert!(
            out.status.success(),
            "scripts/python-venv.sh {} failed (needs python3 with venv and access to PyPI):\n{}\n{}",
            venv.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        venv.join("bin").join("python")
    })
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/check_plugin.py")
}

/// Runs the checker; returns the parsed `RESULT` JSON, failing with its whole output otherwise.
async fn run_checker(args: &[String]) -> serde_json::Value {
    let python = python();
    let out = tokio::process::Command::new(python)
        .arg(script())
        .args(args)
        .output()
        .await
        .expect("cannot run the conformance script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "conformance check failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    let line = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line in:\n{stdout}\n{stderr}"));
    serde_json::from_str(line).expect("RESULT is JSON")
}

async fn start(bound: BoundPluginServer) -> (String, oneshot::Sender<()>) {
    let addr = bound.local_addr().to_string();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        bound
            .serve_with_shutdown(async {
                let _ = rx.await;
            })
            .await
            .expect("plugin server failed");
    });
    (addr, tx)
}

fn loopback() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

const KIT: [&str; 4] = [
    "grpc.health.v1.Health",
    "spaceone.api.core.v1.ServerInfo",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
];

fn plugin_args(addr: &str, services: &[&str], unary: &[&str], stream: &[&str]) -> Vec<String> {
    let mut args = vec!["plugin".to_owned(), "--target".to_owned(), addr.to_owned()];
    args.push("--expect".to_owned());
    args.extend(services.iter().chain(KIT.iter()).map(|s| (*s).to_owned()));
    for u in unary {
        args.push("--unary".to_owned());
        args.push((*u).to_owned());
    }
    for st in stream {
        args.push("--stream".to_owned());
        args.push((*st).to_owned());
    }
    args
}

/// Every plugin file, plus the files every kit server serves, was compared with its published
/// reference (not merely resolved).
fn assert_compared(result: &serde_json::Value, plugin_files: &[&str]) {
    let compared = result["compared"].as_object().expect("compared map");
    let always = [
        "spaceone/api/core/v1/server_info.proto",
        "google/protobuf/empty.proto",
        "google/protobuf/struct.proto",
    ];
    for file in plugin_files.iter().chain(always.iter()) {
        let reference = compared.get(*file).and_then(|v| v.as_str());
        assert_eq!(reference, Some(*file), "{file} not compared: {compared:?}");
    }
    // Health and reflection v1alpha are compared with grpcio's own descriptors.
    let health = compared
        .iter()
        .find(|(name, _)| name.ends_with("health.proto"))
        .map(|(_, v)| v.as_str().unwrap_or_default());
    assert_eq!(health, Some("grpc_health/v1/health.proto"), "{compared:?}");
    assert!(
        compared
            .values()
            .any(|v| v == "grpc_reflection/v1alpha/reflection.proto"),
        "{compared:?}"
    );
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_collector_plugin_conforms() {
    let bound = PluginServer::builder()
        .listen(loopback())
        .version("9.9.9-test")
        .add_service(inventory::plugin::collector_server::CollectorServer::new(
            TestCollector,
        ))
        .add_service(inventory::plugin::job_server::JobServer::new(
            TestInventoryJob,
        ))
        .bind()
        .await
        .unwrap();
    let (addr, stop) = start(bound).await;
    let result = run_checker(&plugin_args(
        &addr,
        &[
            "spaceone.api.inventory.plugin.Collector",
            "spaceone.api.inventory.plugin.Job",
        ],
        &[
            r#"Collector.init={"options": {}}"#,
            r#"Collector.verify={"options": {}, "secret_data": {"username": "admin", "password": "pw"}}"#,
            r#"Job.get_tasks={"options": {}, "secret_data": {"username": "admin"}}"#,
            r#"ServerInfo.get_version={}"#,
        ],
        &[
            r#"Collector.collect={"options": {}, "secret_data": {"username": "admin"}, "filter": {}, "task_options": {"cluster": "c1"}}"#,
        ],
    ))
    .await;
    assert_compared(
        &result,
        &[
            "spaceone/api/inventory/plugin/collector.proto",
            "spaceone/api/inventory/plugin/job.proto",
        ],
    );
    let calls = &result["calls"];
    assert_eq!(calls["Collector.init"]["metadata"]["token"], "NO_TOKEN");
    assert_eq!(calls["Collector.verify"], serde_json::json!({}));
    assert_eq!(
        calls["Job.get_tasks"]["tasks"][0]["task_options"]["cluster"],
        "c1"
    );
    assert_eq!(calls["ServerInfo.get_version"]["version"], "9.9.9-test");
    let records = calls["Collector.collect"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["state"], "SUCCESS");
    assert_eq!(records[1]["resource"]["reference"]["resource_id"], "vm-2");
    assert_eq!(records[0]["resource"]["token"], "NO_TOKEN");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cost_data_source_plugin_conforms() {
    let bound = PluginServer::builder()
        .listen(loopback())
        .add_service(
            cost_analysis::plugin::data_source_server::DataSourceServer::new(TestCostDataSource),
        )
        .add_service(cost_analysis::plugin::job_server::JobServer::new(
            TestCostJob,
        ))
        .add_service(cost_analysis::plugin::cost_server::CostServer::new(
            TestCost,
        ))
        .bind()
        .await
        .unwrap();
    let (addr, stop) = start(bound).await;
    let result = run_checker(&plugin_args(
        &addr,
        &[
            "spaceone.api.cost_analysis.plugin.DataSource",
            "spaceone.api.cost_analysis.plugin.Job",
            "spaceone.api.cost_analysis.plugin.Cost",
        ],
        &[
            r#"DataSource.init={"options": {}, "domain_id": "domain-1"}"#,
            r#"DataSource.verify={"options": {}, "secret_data": {"k": "v"}, "schema": "", "domain_id": "domain-1"}"#,
            r#"Job.get_tasks={"options": {"secret_type": "MANUAL"}, "secret_data": {"k": "v"}, "schema": "", "start": "2025-01", "last_synchronized_at": "", "domain_id": "domain-1", "linked_accounts": [{"account_id": "acc-1"}, {"account_id": "acc-2"}]}"#,
            r#"Cost.get_linked_accounts={"options": {}, "schema": "", "secret_data": {"k": "v"}, "domain_id": "domain-1"}"#,
        ],
        &[
            r#"Cost.get_data={"options": {}, "secret_data": {"k": "v"}, "schema": "", "task_options": {"start": "2025-01"}, "domain_id": "domain-1"}"#,
        ],
    ))
    .await;
    assert_compared(
        &result,
        &[
            "spaceone/api/cost_analysis/plugin/data_source.proto",
            "spaceone/api/cost_analysis/plugin/job.proto",
            "spaceone/api/cost_analysis/plugin/cost.proto",
        ],
    );
    let calls = &result["calls"];
    assert_eq!(calls["DataSource.init"]["metadata"]["currency"], "USD");
    assert_eq!(calls["DataSource.init"]["metadata"]["token"], "NO_TOKEN");
    assert_eq!(
        calls["DataSource.init"]["metadata"]["domain_id"],
        "domain-1"
    );
    let task = &calls["Job.get_tasks"]["tasks"][0];
    assert_eq!(task["task_options"]["start"], "2025-01");
    assert_eq!(task["task_options"]["linked_accounts"], 2.0);
    assert_eq!(task["task_changed"]["start"], "2025-01");
    assert_eq!(
        calls["Job.get_tasks"]["synced_accounts"][0]["account_id"],
        "acc-1"
    );
    assert_eq!(
        calls["Cost.get_linked_accounts"]["results"][0]["account_id"],
        "acc-1"
    );
    let pages = calls["Cost.get_data"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    let cost = &pages[0]["results"][0];
    assert_eq!(cost["cost"], 1.25);
    assert_eq!(cost["billed_date"], "2025-01-31");
    assert_eq!(cost["data"]["vcpu_hours"], 24.0);
    assert_eq!(pages[1], serde_json::json!({}));
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_data_source_plugin_conforms() {
    let bound = PluginServer::builder()
        .listen(loopback())
        .add_service(
            monitoring::plugin::data_source_server::DataSourceServer::new(TestMonDataSource),
        )
        .add_service(monitoring::plugin::metric_server::MetricServer::new(
            TestMetric,
        ))
        .add_service(monitoring::plugin::log_server::LogServer::new(TestLog))
        .bind()
        .await
        .unwrap();
    let (addr, stop) = start(bound).await;
    let result = run_checker(&plugin_args(
        &addr,
        &[
            "spaceone.api.monitoring.plugin.DataSource",
            "spaceone.api.monitoring.plugin.Metric",
            "spaceone.api.monitoring.plugin.Log",
        ],
        &[
            r#"DataSource.init={"options": {}}"#,
            r#"DataSource.verify={"options": {}, "secret_data": {"k": "v"}}"#,
            r#"Metric.list={"options": {}, "secret_data": {"k": "v"}, "query": {"vm_uuid": "u-1"}}"#,
            r#"Metric.get_data={"options": {}, "secret_data": {"k": "v"}, "metric_query": {"cs-1": {"vm_uuid": "u-1", "region_name": "r"}}, "metric": "cpu.utilization", "start": "2025-01-01T00:00:00.000Z", "end": "2025-01-01T01:00:00.000Z", "period": 60, "stat": "AVERAGE"}"#,
        ],
        &[
            r#"Log.list={"options": {}, "secret_data": {"k": "v"}, "query": {}, "keyword": "", "start": "2025-01-01T00:00:00Z", "end": "2025-01-02T00:00:00Z", "sort": {"key": "t", "desc": true}, "limit": 10}"#,
        ],
    ))
    .await;
    assert_compared(
        &result,
        &[
            "spaceone/api/monitoring/plugin/data_source.proto",
            "spaceone/api/monitoring/plugin/metric.proto",
            "spaceone/api/monitoring/plugin/log.proto",
        ],
    );
    let calls = &result["calls"];
    assert_eq!(calls["DataSource.init"]["metadata"]["token"], "NO_TOKEN");
    assert_eq!(
        calls["DataSource.init"]["metadata"]["required_keys"],
        serde_json::json!(["data.nutanix"])
    );
    assert_eq!(calls["Metric.list"]["metrics"][0]["key"], "cpu.utilization");
    let data = &calls["Metric.get_data"];
    assert_eq!(data["labels"].as_array().unwrap().len(), 2);
    assert_eq!(data["values"]["cs-1"], serde_json::json!([1.0, 2.0]));
    assert_eq!(calls["Log.list"][0]["results"][0]["limit"], 10.0);
    let _ = stop.send(());
}

/// Plugin-side and shared core files are served verbatim, so they must be identical upstream;
/// the trimmed core-service client files must be subsets.
fn subset_args(path: &Path) -> Vec<String> {
    let mut args = vec![
        "subset".to_owned(),
        "--fds".to_owned(),
        path.to_string_lossy().into_owned(),
    ];
    for prefix in [
        "spaceone/api/inventory/plugin/",
        "spaceone/api/cost_analysis/plugin/",
        "spaceone/api/monitoring/plugin/",
        "spaceone/api/core/",
    ] {
        args.push("--exact-prefix".to_owned());
        args.push(prefix.to_owned());
    }
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_protos_match_upstream_plugin_files_exactly_client_files_as_subsets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cloudforet_descriptor_set.bin");
    std::fs::write(&path, cloudforet_client::FILE_DESCRIPTOR_SET).unwrap();
    let result = run_checker(&subset_args(&path)).await;
    assert_eq!(result["differences"], serde_json::json!([]));
}

fn message_mut<'a>(
    set: &'a mut prost_types::FileDescriptorSet,
    file: &str,
    message: &str,
) -> &'a mut prost_types::DescriptorProto {
    let name = format!("spaceone/api/{file}.proto");
    set.file
        .iter_mut()
        .find(|f| f.name() == name)
        .and_then(|f| f.message_type.iter_mut().find(|m| m.name() == message))
        .unwrap_or_else(|| panic!("{message} not in {name}"))
}

fn field_mut<'a>(
    set: &'a mut prost_types::FileDescriptorSet,
    file: &str,
    message: &str,
    field: &str,
) -> &'a mut prost_types::FieldDescriptorProto {
    message_mut(set, file, message)
        .field
        .iter_mut()
        .find(|f| f.name() == field)
        .unwrap_or_else(|| panic!("{message}.{field} not found"))
}

/// The checker itself must catch wire differences (so the tests above can fail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checker_reports_mutated_descriptors() {
    use prost::Message as _;
    use prost_types::field_descriptor_proto::Type;

    let mut set =
        prost_types::FileDescriptorSet::decode(cloudforet_client::FILE_DESCRIPTOR_SET).unwrap();
    // 1. cost CostInfo.cost: double -> float (the pre-2024 type).
    field_mut(&mut set, "cost_analysis/plugin/cost", "CostInfo", "cost").set_type(Type::Float);
    // 2. inventory GetTaskRequest.options renumbered; CollectRequest.task_options dropped.
    field_mut(
        &mut set,
        "inventory/plugin/job",
        "GetTaskRequest",
        "options",
    )
    .number = Some(1);
    message_mut(&mut set, "inventory/plugin/collector", "CollectRequest")
        .field
        .retain(|f| f.name() != "task_options");
    // 3. core.v2 Page.start: uint32 -> int32 (core file, exact); client file: a field invented.
    field_mut(&mut set, "core/v2/query", "Page", "start").set_type(Type::Int32);
    message_mut(&mut set, "secret/v1/secret", "SecretInfo")
        .field
        .push(prost_types::FieldDescriptorProto {
            name: Some("invented".into()),
            number: Some(99),
            r#type: Some(Type::String as i32),
            ..Default::default()
        });

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.bin");
    std::fs::write(&path, set.encode_to_vec()).unwrap();
    let out = tokio::process::Command::new(python())
        .arg(script())
        .args(subset_args(&path))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "checker accepted mutations:\n{stdout}"
    );
    for expected in [
        "spaceone.api.cost_analysis.plugin.CostInfo.cost: type is 'TYPE_FLOAT', upstream 'TYPE_DOUBLE'",
        "spaceone.api.inventory.plugin.GetTaskRequest.options: number is 1, upstream 2",
        "spaceone.api.inventory.plugin.CollectRequest: missing field `task_options` (#4)",
        "spaceone.api.core.v2.Page.start: type is 'TYPE_INT32', upstream 'TYPE_UINT32'",
        "spaceone.api.secret.v1.SecretInfo: field `invented` (#99) does not exist upstream",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(stdout.contains("5 difference(s)"), "{stdout}");
}
