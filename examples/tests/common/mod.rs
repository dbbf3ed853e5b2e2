//! Helpers shared by the `reliability_*` tests: an in-process inventory plugin on loopback,
//! tonic calls with CloudForet's `token: NO_TOKEN` metadata, and record inspection.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    CollectRequest, ResourceInfo, VerifyRequest, collector_client::CollectorClient,
};
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use examples::inventory::InventoryPlugin;
use nutanix_prism::sim::RunningSimulator;
use serde_json::{Value, json};
use tonic::transport::Channel;

/// The simulator's default password.
pub const PASSWORD: &str = "nutanix/4u";

/// SUCCESS and FAILURE as sent in `ResourceInfo.state`.
pub const SUCCESS: i32 = 4;
/// See [`SUCCESS`].
pub const FAILURE: i32 = 5;

/// An environment variable as a number, or `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// An inventory plugin server on `127.0.0.1:0`, serving in the background.
pub async fn inventory_plugin() -> SocketAddr {
    let bound = InventoryPlugin::new()
        .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
        .bind()
        .await
        .unwrap();
    let addr = bound.local_addr();
    tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
    addr
}

/// A connected channel to a plugin.
pub async fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// A JSON value as a request Struct.
pub fn st(v: Value) -> Option<prost_types::Struct> {
    Some(json_to_struct(v).unwrap())
}

/// A request with CloudForet's call metadata.
pub fn req<T>(msg: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("token", "NO_TOKEN".parse().unwrap());
    r
}

/// The single-Prism-Central secret of a simulator.
pub fn secret(sim: &RunningSimulator) -> Value {
    json!({"host": sim.base_url(), "username": "admin", "password": PASSWORD})
}

/// A loopback port nothing listens on (bound, read, closed).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `Collector.verify`.
pub async fn verify(addr: SocketAddr, secret: Value, options: Value) -> Result<(), tonic::Status> {
    CollectorClient::new(channel(addr).await)
        .verify(req(VerifyRequest {
            options: st(options),
            secret_data: st(secret),
        }))
        .await
        .map(|_| ())
}

/// `Collector.collect`, drained.
pub async fn collect(
    addr: SocketAddr,
    secret: Value,
    options: Value,
) -> Result<Vec<ResourceInfo>, tonic::Status> {
    let mut stream = CollectorClient::new(channel(addr).await)
        .collect(req(CollectRequest {
            options: st(options),
            secret_data: st(secret),
            filter: st(json!({})),
            task_options: None,
        }))
        .await?
        .into_inner();
    let mut out = Vec::new();
    while let Some(item) = stream.message().await? {
        out.push(item);
    }
    Ok(out)
}

/// The resource of a record as JSON.
pub fn resource(r: &ResourceInfo) -> Value {
    r.resource
        .as_ref()
        .map(struct_ref_to_json)
        .unwrap_or(Value::Null)
}

/// `cloud_service_type` of a SUCCESS CloudService record.
pub fn service_type(r: &ResourceInfo) -> Option<String> {
    (r.state == SUCCESS && r.resource_type == "inventory.CloudService")
        .then(|| {
            resource(r)["cloud_service_type"]
                .as_str()
                .map(str::to_owned)
        })
        .flatten()
}

/// The `reference.resource_id`s of the SUCCESS records of one cloud service type, with
/// multiplicity (a duplicate shows as a count above 1).
pub fn ids_of(records: &[ResourceInfo], kind: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in records {
        if service_type(r).as_deref() == Some(kind) {
            let id = resource(r)["reference"]["resource_id"]
                .as_str()
                .unwrap()
                .to_owned();
            *out.entry(id).or_default() += 1;
        }
    }
    out
}

/// Counts of SUCCESS CloudService records per cloud service type.
pub fn service_counts(records: &[ResourceInfo]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in records {
        if let Some(t) = service_type(r) {
            *out.entry(t).or_default() += 1;
        }
    }
    out
}

/// The FAILURE records' messages.
pub fn failures(records: &[ResourceInfo]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.state == FAILURE)
        .map(|r| r.message.clone())
        .collect()
}

/// Every VM UUID in a set.
pub fn uuid_set(uuids: Vec<String>) -> BTreeSet<String> {
    uuids.into_iter().collect()
}

/// Asserts that no record or message contains `needle` (a password).
pub fn assert_not_leaked(records: &[ResourceInfo], needle: &str) {
    for r in records {
        assert!(!r.message.contains(needle), "secret in {:?}", r.message);
        assert!(
            !resource(r).to_string().contains(needle),
            "secret in a resource"
        );
    }
}

/// The FAILURE records as `(cloud_service_type, message)`; the type is absent for a failure of
/// a whole Prism Central.
pub fn failure_kinds(records: &[ResourceInfo]) -> Vec<(Option<String>, String)> {
    records
        .iter()
        .filter(|r| r.state == FAILURE)
        .map(|r| {
            (
                resource(r)["cloud_service_type"]
                    .as_str()
                    .map(str::to_owned),
                r.message.clone(),
            )
        })
        .collect()
}
