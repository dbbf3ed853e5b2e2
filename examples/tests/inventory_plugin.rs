//! The inventory collector plugin on loopback against the simulator, driven by the generated
//! tonic clients with `token: NO_TOKEN`, as CloudForet's inventory service calls it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;

use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    CollectRequest, GetTaskRequest, InitRequest, ResourceInfo, VerifyRequest,
    collector_client::CollectorClient, job_client::JobClient,
};
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use examples::inventory::InventoryPlugin;
use futures::TryStreamExt;
use nutanix_prism::PrismClient;
use nutanix_prism::model::Vm;
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

const PASSWORD: &str = "nutanix/4u";
const CLUSTERS: u32 = 2;

async fn sim(vms: u32) -> RunningSimulator {
    Simulator::builder()
        .clusters(CLUSTERS)
        .hosts_per_cluster(2)
        .vms(vms)
        .images(3)
        .volume_groups(2)
        .seed(7)
        .start()
        .await
        .unwrap()
}

async fn plugin(capacity: usize) -> SocketAddr {
    let bound = InventoryPlugin::new()
        .channel_capacity(capacity)
        .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
        .bind()
        .await
        .unwrap();
    let addr = bound.local_addr();
    tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
    addr
}

async fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn secret(sim: &RunningSimulator) -> Value {
    json!({"host": sim.base_url(), "username": "admin", "password": PASSWORD})
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

fn assert_status(status: &tonic::Status, code: tonic::Code, prefix: &str, needles: &[&str]) {
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().starts_with(prefix),
        "{prefix} not the start of {:?}",
        status.message()
    );
    for n in needles {
        assert!(
            status.message().contains(n),
            "{n:?} not in {:?}",
            status.message()
        );
    }
    assert!(
        !status.message().contains(PASSWORD),
        "password echoed: {status:?}"
    );
}

async fn verify(addr: SocketAddr, secret: Value, options: Value) -> Result<(), tonic::Status> {
    CollectorClient::new(channel(addr).await)
        .verify(req(VerifyRequest {
            options: st(options),
            secret_data: st(secret),
        }))
        .await
        .map(|_| ())
}

async fn collect(
    addr: SocketAddr,
    secret: Value,
    options: Value,
    task_options: Option<Value>,
) -> Result<Vec<ResourceInfo>, tonic::Status> {
    let mut stream = CollectorClient::new(channel(addr).await)
        .collect(req(CollectRequest {
            options: st(options),
            secret_data: st(secret),
            filter: st(json!({})),
            task_options: task_options.and_then(st),
        }))
        .await?
        .into_inner();
    let mut out = Vec::new();
    while let Some(item) = stream.message().await? {
        out.push(item);
    }
    Ok(out)
}

async fn tasks(addr: SocketAddr, secret: Value, options: Value) -> Vec<Value> {
    JobClient::new(channel(addr).await)
        .get_tasks(req(GetTaskRequest {
            secret_data: st(secret),
            options: st(options),
            task_filter: None,
        }))
        .await
        .unwrap()
        .into_inner()
        .tasks
        .iter()
        .map(|t| struct_ref_to_json(t.task_options.as_ref().unwrap()))
        .collect()
}

/// A record as JSON: `{state, message, resource_type, match_rules, resource}`.
fn as_json(r: &ResourceInfo) -> Value {
    json!({
        "state": r.state,
        "message": r.message,
        "resource_type": r.resource_type,
        "match_rules": r.match_rules.as_ref().map(struct_ref_to_json),
        "resource": r.resource.as_ref().map(struct_ref_to_json),
    })
}

/// Counts of SUCCESS CloudService records per cloud_service_type.
fn counts(records: &[ResourceInfo]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in records.iter().map(as_json) {
        let key = match r["resource_type"].as_str().unwrap() {
            "inventory.CloudService" => r["resource"]["cloud_service_type"]
                .as_str()
                .unwrap()
                .to_owned(),
            other => other.to_owned(),
        };
        if r["state"] == 4 {
            *out.entry(key).or_default() += 1;
        } else {
            *out.entry(format!("FAILURE {key}")).or_default() += 1;
        }
    }
    out
}

/// Expected counts, computed from the simulator and the Prism API independently of the plugin.
async fn expected(sim: &RunningSimulator) -> BTreeMap<String, usize> {
    let client = PrismClient::builder(sim.base_url())
        .basic_auth("admin", PASSWORD)
        .allow_http(true)
        .build()
        .unwrap();
    let vms: Vec<Vm> = client.vms().try_collect().await.unwrap();
    let disks: usize = vms.iter().map(|v| v.disks().len()).sum();
    let c = sim.expected_counts();
    let clusters = CLUSTERS as usize;
    BTreeMap::from([
        ("inventory.CloudServiceType".to_owned(), 7),
        ("VirtualMachine".to_owned(), vms.len()),
        ("Disk".to_owned(), disks),
        ("Host".to_owned(), c.hosts),
        ("Cluster".to_owned(), clusters),
        ("Subnet".to_owned(), c.subnets),
        ("Image".to_owned(), c.images),
        ("VolumeGroup".to_owned(), c.volume_groups),
        ("inventory.Region".to_owned(), clusters),
    ])
}

/// CloudForet's rules for one collect stream: state set, match rules present, non-empty
/// resource ids, types first and regions last, a type for every resource's type and a region
/// for every region code.
fn check_rules(records: &[ResourceInfo]) {
    let json: Vec<Value> = records.iter().map(as_json).collect();
    let mut types = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut region_codes = BTreeSet::new();
    let mut phase = 0; // 0 types, 1 resources, 2 regions
    for r in &json {
        let state = r["state"].as_i64().unwrap();
        assert!(state == 4 || state == 5, "state not set: {r}");
        let rules = r["match_rules"].as_object().expect("match_rules");
        assert!(!rules.is_empty(), "empty match rules: {r}");
        let rt = r["resource_type"].as_str().unwrap();
        let res = &r["resource"];
        let p = match rt {
            "inventory.CloudServiceType" => 0,
            "inventory.Region" => 2,
            _ => 1,
        };
        assert!(p >= phase, "out of order: {rt} after phase {phase}");
        phase = p;
        match rt {
            "inventory.CloudServiceType" => {
                types.insert(format!(
                    "{}/{}",
                    res["group"].as_str().unwrap(),
                    res["name"].as_str().unwrap()
                ));
            }
            "inventory.CloudService" => {
                let id = res["reference"]["resource_id"].as_str().unwrap_or("");
                assert!(!id.trim().is_empty(), "empty resource_id: {r}");
                assert_eq!(res["provider"], "nutanix");
                let t = format!(
                    "{}/{}",
                    res["cloud_service_group"].as_str().unwrap(),
                    res["cloud_service_type"].as_str().unwrap()
                );
                assert!(types.contains(&t), "no type record before {t}");
                if let Some(code) = res["region_code"].as_str() {
                    region_codes.insert(code.to_owned());
                }
            }
            "inventory.Region" => {
                regions.insert(res["region_code"].as_str().unwrap().to_owned());
            }
            "inventory.ErrorResource" => {
                assert_eq!(state, 5);
                assert!(!r["message"].as_str().unwrap().is_empty());
            }
            other => panic!("unexpected resource_type {other}"),
        }
    }
    assert!(
        region_codes.is_subset(&regions),
        "region codes without region: {:?}",
        region_codes.difference(&regions).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn init_returns_the_metadata_cloudforet_reads() {
    let addr = plugin(8).await;
    let info = CollectorClient::new(channel(addr).await)
        .init(req(InitRequest {
            options: st(json!({"kinds": ["vms"]})),
        }))
        .await
        .unwrap()
        .into_inner();
    let m = struct_ref_to_json(info.metadata.as_ref().unwrap());
    assert_eq!(
        m["supported_resource_type"],
        json!([
            "inventory.CloudService",
            "inventory.CloudServiceType",
            "inventory.Region",
            "inventory.ErrorResource"
        ])
    );
    assert_eq!(m["supported_features"], json!(["garbage_collection"]));
    assert_eq!(m["supported_schedules"], json!(["hours"]));
    assert_eq!(m["filter_format"], json!([]));
    assert_eq!(m["options_schema"]["type"], "object");
    assert!(m["options_schema"]["properties"]["page_size"].is_object());

    let bad = CollectorClient::new(channel(addr).await)
        .init(req(InitRequest {
            options: st(json!({"page_size": "lots"})),
        }))
        .await
        .unwrap_err();
    assert_status(
        &bad,
        tonic::Code::InvalidArgument,
        "ERROR_INVALID_ARGUMENT",
        &["page_size"],
    );
}

/// Answers `GET /users/me` like Prism and 404 everywhere else: a Prism Element, not a Central.
async fn prism_element() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                loop {
                    let mut buf = vec![0u8; 8192];
                    let mut len = 0;
                    while !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut buf[len..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => len += n,
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..len]).to_string();
                    let (status, body) = if head.contains("/users/me") {
                        (
                            "200 OK",
                            r#"{"status":{"name":"admin","resources":{"username":"admin"}},"metadata":{"uuid":"u1","kind":"user"}}"#,
                        )
                    } else {
                        (
                            "404 Not Found",
                            r#"{"state":"ERROR","code":404,"message_list":[{"reason":"ENTITY_NOT_FOUND","message":"not found"}]}"#,
                        )
                    };
                    let resp = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn verify_reports_which_prism_central_failed_and_why() {
    let sim = sim(4).await;
    let addr = plugin(8).await;
    verify(addr, secret(&sim), json!({})).await.unwrap();

    // Bad password.
    let s = json!({"host": sim.base_url(), "username": "admin", "password": "wrong-pass"});
    let e = verify(addr, s, json!({})).await.unwrap_err();
    assert_status(
        &e,
        tonic::Code::Unauthenticated,
        "ERROR_AUTHENTICATE_FAILURE",
        &["Prism Central #0", "rejected the credentials"],
    );
    assert!(!e.message().contains("wrong-pass"));

    // Unreachable port: bind, read the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = json!({"host": format!("http://127.0.0.1:{port}"), "username": "admin", "password": PASSWORD});
    let e = verify(addr, s, json!({})).await.unwrap_err();
    assert_status(
        &e,
        tonic::Code::InvalidArgument,
        "ERROR_INVALID_ARGUMENT",
        &["key = host", "unreachable", &port.to_string()],
    );

    // Not a Prism Central.
    let pe = prism_element().await;
    let s = json!({"host": format!("http://{pe}"), "username": "admin", "password": PASSWORD});
    let e = verify(addr, s, json!({})).await.unwrap_err();
    assert_status(
        &e,
        tonic::Code::InvalidArgument,
        "ERROR_INVALID_ARGUMENT",
        &["key = host", "not a Prism Central"],
    );

    // Several Prism Centrals: the second one fails and is named.
    let s = json!({"prism_centrals": [
        secret(&sim),
        {"host": sim.base_url(), "username": "admin", "password": "nope-nope"},
    ]});
    let e = verify(addr, s, json!({})).await.unwrap_err();
    assert_status(
        &e,
        tonic::Code::Unauthenticated,
        "ERROR_AUTHENTICATE_FAILURE",
        &["Prism Central #1", "prism_centrals[1].password"],
    );
}

#[tokio::test]
async fn secret_and_option_errors_name_the_key_and_never_echo_secrets() {
    let sim = sim(2).await;
    let addr = plugin(8).await;
    let base = sim.base_url().to_owned();
    let cases: Vec<(Value, Value, tonic::Code, &str, &str)> = vec![
        (
            json!({"username": "admin", "password": PASSWORD}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER",
            "key = host",
        ),
        (
            json!({"host": base, "username": "admin"}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER",
            "key = password",
        ),
        (
            json!({"host": 42, "username": "admin", "password": PASSWORD}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = host",
        ),
        (
            json!({"host": base, "port": "x", "username": "admin", "password": PASSWORD}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = port",
        ),
        (
            json!({"host": base, "username": "admin", "password": PASSWORD, "api_key": "k"}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = api_key",
        ),
        (
            json!({"host": base, "username": "admin", "password": PASSWORD, "verify_ssl": 3}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = verify_ssl",
        ),
        (
            json!({"prism_centrals": [{"host": base}]}),
            json!({}),
            tonic::Code::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER",
            "key = prism_centrals[0].password",
        ),
        (
            json!({"host": base, "username": "admin", "password": PASSWORD}),
            json!({"page_size": "big"}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = page_size",
        ),
        (
            json!({"host": base, "username": "admin", "password": PASSWORD}),
            json!({"kinds": ["vms", "nodes"]}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = kinds[1]",
        ),
        (
            json!({"host": base, "username": "admin", "password": PASSWORD}),
            json!({"price_book": {"vcpu_hour": "free"}}),
            tonic::Code::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            "key = price_book.vcpu_hour",
        ),
    ];
    for (s, o, code, prefix, needle) in cases {
        let e = verify(addr, s.clone(), o.clone()).await.unwrap_err();
        assert_status(&e, code, prefix, &[needle]);
        let e = collect(addr, s.clone(), o.clone(), None).await.unwrap_err();
        assert_status(&e, code, prefix, &[needle]);
    }
    // Unknown option keys are tolerated.
    verify(addr, secret(&sim), json!({"something_new": {"x": 1}}))
        .await
        .unwrap();
}

#[tokio::test]
async fn get_tasks_per_prism_central_and_per_cluster() {
    let sim = sim(4).await;
    let addr = plugin(8).await;
    assert_eq!(
        tasks(addr, secret(&sim), json!({})).await,
        vec![json!({"prism_central": 0})]
    );
    let two = json!({"prism_centrals": [secret(&sim), secret(&sim)]});
    assert_eq!(
        tasks(addr, two, json!({})).await,
        vec![json!({"prism_central": 0}), json!({"prism_central": 1})]
    );
    let split = tasks(addr, secret(&sim), json!({"split_by_cluster": true})).await;
    assert_eq!(split.len(), CLUSTERS as usize + 1, "{split:?}");
    let clusters: BTreeSet<&str> = split
        .iter()
        .filter_map(|t| t["cluster_uuid"].as_str())
        .collect();
    assert_eq!(clusters.len(), CLUSTERS as usize);
    assert!(split.iter().all(|t| t["prism_central"] == 0));
    assert_eq!(split.last().unwrap()["unclustered"], true);
}

#[tokio::test]
async fn collect_streams_the_whole_fleet_exactly_and_by_the_rules() {
    let sim = sim(25).await;
    let addr = plugin(4).await;
    let records = collect(
        addr,
        secret(&sim),
        json!({"page_size": 7}),
        Some(json!({"prism_central": 0})),
    )
    .await
    .unwrap();
    check_rules(&records);
    assert_eq!(counts(&records), expected(&sim).await);

    // Only some kinds.
    let vms_only = collect(addr, secret(&sim), json!({"kinds": ["vms"]}), None)
        .await
        .unwrap();
    check_rules(&vms_only);
    let c = counts(&vms_only);
    assert_eq!(c["VirtualMachine"], 25);
    assert!(
        !c.contains_key("Host") && !c.contains_key("Cluster"),
        "{c:?}"
    );
    assert_eq!(c["inventory.CloudServiceType"], 2, "{c:?}");
}

#[tokio::test]
async fn per_cluster_tasks_partition_the_fleet() {
    let sim = sim(20).await;
    let addr = plugin(8).await;
    let options = json!({"split_by_cluster": true});
    let mut total: BTreeMap<String, usize> = BTreeMap::new();
    let task_list = tasks(addr, secret(&sim), options.clone()).await;
    for t in &task_list {
        let records = collect(addr, secret(&sim), options.clone(), Some(t.clone()))
            .await
            .unwrap();
        check_rules(&records);
        if let Some(uuid) = t["cluster_uuid"].as_str() {
            for r in records.iter().map(as_json) {
                if let Some(code) = r["resource"]["region_code"].as_str() {
                    assert_eq!(code, uuid);
                }
            }
        }
        for (k, v) in counts(&records) {
            if k != "inventory.CloudServiceType" {
                *total.entry(k).or_default() += v;
            }
        }
    }
    let mut want = expected(&sim).await;
    want.remove("inventory.CloudServiceType");
    assert_eq!(total, want);
}

#[tokio::test]
async fn several_prism_centrals_failures_are_isolated() {
    let sim = sim(6).await;
    let addr = plugin(8).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = json!({"prism_centrals": [
        {"host": format!("http://127.0.0.1:{port}"), "username": "admin", "password": PASSWORD},
        secret(&sim),
    ]});
    let records = collect(addr, s, json!({}), None).await.unwrap();
    check_rules(&records);
    let mut c = counts(&records);
    let failures: usize = c
        .iter()
        .filter(|(k, _)| k.starts_with("FAILURE"))
        .map(|(_, v)| v)
        .sum();
    c.retain(|k, _| !k.starts_with("FAILURE"));
    assert_eq!(c, expected(&sim).await);
    // One FAILURE for the unreachable Prism Central, naming it and the cause.
    assert_eq!(failures, 1, "{records:?}");
    let failure = records.iter().find(|r| r.state == 5).unwrap();
    assert!(
        failure.message.contains("Prism Central #0"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("unreachable"),
        "{}",
        failure.message
    );
    assert!(!failure.message.contains(PASSWORD));
    let resource = struct_ref_to_json(failure.resource.as_ref().unwrap());
    assert_eq!(resource["provider"], "nutanix", "{resource}");
}

#[tokio::test]
async fn cancelling_the_stream_stops_fetching() {
    // Many small pages, slow answers: a full collection needs far more requests than the
    // few served before the caller goes away.
    let sim = Simulator::builder()
        .clusters(1)
        .hosts_per_cluster(1)
        .vms(400)
        .seed(3)
        .latency(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let addr = plugin(2).await;
    let mut stream = CollectorClient::new(channel(addr).await)
        .collect(req(CollectRequest {
            options: st(json!({"page_size": 5, "concurrency": 1, "kinds": ["vms"]})),
            secret_data: st(secret(&sim)),
            filter: st(json!({})),
            task_options: None,
        }))
        .await
        .unwrap()
        .into_inner();
    for _ in 0..5 {
        stream.message().await.unwrap().unwrap();
    }
    drop(stream);

    // Wait until requests stop arriving (requests in flight at the cancel may still land).
    let mut last = sim.counters().endpoint("POST /vms/list");
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = sim.counters().endpoint("POST /vms/list");
        if now == last {
            break;
        }
        last = now;
    }
    // 400 VMs in pages of 5 need 80 list requests; cancelled after a few records.
    assert!(last < 20, "{last} vms/list requests after cancel");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sim.counters().endpoint("POST /vms/list"),
        last,
        "fetching went on after cancel"
    );
}
