//! Per-kind methods, `verify()`, `/groups` and metric series, served from the shared real
//! Prism bodies (`PRISM_FIXTURES_DIR`) and hand-made JSON.

mod client_support;

use client_support::{builder, client, offset_length, page_body};
use futures::TryStreamExt;
use nutanix_prism::client::MetricQuery;
use nutanix_prism::model::{Cluster, GroupsRequest, Host, ListRequest, Subnet, Vm};
use nutanix_prism::{Error, ListOptions};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let dir = std::env::var("PRISM_FIXTURES_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/prism").to_owned()
    });
    let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Serves `first` at offset 0 (or for unpaged requests) and an empty page elsewhere.
fn first_page_only(first: Value) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync {
    move |req: &Request| {
        let (offset, _) = offset_length(req);
        if offset == 0 {
            ResponseTemplate::new(200).set_body_json(first.clone())
        } else {
            ResponseTemplate::new(200).set_body_json(page_body(Vec::new(), None, offset as i64))
        }
    }
}

#[tokio::test]
async fn vms_stream_decodes_the_recorded_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .and(body_json(json!({"kind": "vm", "offset": 0, "length": 500})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("pgc_vms_list_response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let vms: Vec<Vm> = client(&server).vms().try_collect().await.unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0].name(), Some("test-vm"));
}

#[tokio::test]
async fn clusters_with_trimmed_total_are_listed_without_looping() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/clusters/list"))
        .respond_with(first_page_only(fixture("pgc_clusters_list_response.json")))
        .mount(&server)
        .await;
    let clusters: Vec<Cluster> = client(&server).clusters().try_collect().await.unwrap();
    assert_eq!(clusters.len(), 2, "total_matches says 5, the body holds 2");
    assert_eq!(clusters.iter().filter(|c| c.is_prism_central()).count(), 1);
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests.len() <= 4,
        "bounded probing, got {} requests",
        requests.len()
    );
}

#[tokio::test]
async fn subnets_page_and_filter_passthrough() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/subnets/list"))
        .and(body_partial_json(
            json!({"kind": "subnet", "filter": "subnet_type==VLAN", "length": 100}),
        ))
        .respond_with(first_page_only(fixture("pgc_subnets_list_response.json")))
        .mount(&server)
        .await;
    let c = client(&server);
    let opts = ListOptions::new()
        .filter("subnet_type==VLAN")
        .page_size(100)
        .concurrency(1);
    let subnets: Vec<Subnet> = c.list_all::<Subnet>(opts).try_collect().await.unwrap();
    assert_eq!(subnets.len(), 3);
    let page = c
        .list_subnets(
            ListRequest::default()
                .filter("subnet_type==VLAN")
                .length(100),
        )
        .await
        .unwrap();
    assert_eq!(page.metadata.total_matches, Some(15));
}

#[tokio::test]
async fn hosts_use_the_unpaged_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/hosts/list"))
        .and(body_json(json!({"kind": "host"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("ansible_hosts_list_doc_sample_SANITIZED.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    // The sample says total_matches 6 with one entity: the fallback pages from offset 1.
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/hosts/list"))
        .and(body_partial_json(json!({"kind": "host", "offset": 1})))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(Vec::new(), Some(6), 1)))
        .expect(1)
        .mount(&server)
        .await;
    let hosts: Vec<Host> = client(&server).hosts().try_collect().await.unwrap();
    assert_eq!(hosts.len(), 1);
}

#[tokio::test]
async fn get_by_uuid_and_category_paths_are_encoded() {
    let server = MockServer::start().await;
    let uuid = "0005b0f1-8f43-a0f2-02b7-3cecef193712";
    Mock::given(method("GET"))
        .and(path(format!("/api/nutanix/v3/clusters/{uuid}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("pgc_cluster_get_response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/categories/App%20Type/list"))
        .and(body_partial_json(json!({"kind": "category", "offset": 0, "length": 500})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "metadata": {"kind": "category", "total_matches": 2},
            "entities": [{"name": "App Type", "value": "web"}, {"name": "App Type", "value": "db"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/categories/App%20Type/web%2F1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"name": "App Type", "value": "web/1"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let cluster = c.get_cluster(uuid).await.unwrap();
    assert_eq!(cluster.name(), Some("ganon"));
    let values: Vec<_> = c.category_values("App Type").try_collect().await.unwrap();
    assert_eq!(values.len(), 2);
    let value = c.get_category_value("App Type", "web/1").await.unwrap();
    assert_eq!(value.value.as_deref(), Some("web/1"));
}

#[tokio::test]
async fn verify_accepts_a_prism_central() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/users/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": {"name": "admin"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/prism_central"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("pgc_prism_central_get_response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let v = client(&server).verify().await.unwrap();
    assert_eq!(v.user.username(), Some("admin"));
    assert_eq!(v.prism_central.version(), Some("pc.2024.1.0.1"));
}

#[tokio::test]
async fn verify_rejects_a_prism_element() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/users/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": {"name": "admin"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/prism_central"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"state": "ERROR",
            "message_list": [{"reason": "ENTITY_READ_ERROR", "message": "not supported"}]})),
        )
        .mount(&server)
        .await;
    // A 500 is not proof of a PE: it is reported as a server error after retries.
    let err = client(&server).verify().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/users/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": {"name": "admin"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/prism_central"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"state": "ERROR",
            "message_list": [{"reason": "ENTITY_NOT_FOUND", "message": "no such endpoint"}]})),
        )
        .mount(&server)
        .await;
    let err = client(&server).verify().await.unwrap_err();
    assert!(matches!(err, Error::NotPrismCentral { .. }), "{err:?}");
    assert!(err.to_string().contains("404 (ENTITY_NOT_FOUND)"), "{err}");
}

#[tokio::test]
async fn verify_reports_bad_credentials_first() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/users/me"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .basic_auth("admin", "wrong".to_owned())
        .build()
        .unwrap();
    assert!(c.verify().await.unwrap_err().is_unauthorized());
}

#[tokio::test]
async fn groups_passes_the_request_through() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/groups"))
        .and(body_partial_json(
            json!({"entity_type": "remote_syslog_server"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("groups_empty_response_aos681.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let resp = client(&server)
        .groups(&GroupsRequest::new("remote_syslog_server"))
        .await
        .unwrap();
    assert!(resp.metric_series().is_empty());
}

#[tokio::test]
async fn vm_metric_series_parses_strings_and_converts_microseconds() {
    let server = MockServer::start().await;
    let body = json!({
        "entity_type": "vm",
        "group_results": [{"entity_results": [{
            "entity_id": "vm-1",
            "data": [{"name": "hypervisor_cpu_usage_ppm", "values": [
                {"time": 1_700_000_300_000_000_i64, "values": ["250000"]},
                {"time": 1_700_000_000_000_000_i64, "values": ["125000"]},
                {"time": 1_700_000_600_000_000_i64, "values": ["-1"]}
            ]}]
        }]}]
    });
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/groups"))
        .and(body_partial_json(json!({
            "entity_type": "vm",
            "entity_ids": ["vm-1"],
            "group_member_attributes": [{"attribute": "hypervisor_cpu_usage_ppm"}],
            "interval_start_ms": 1_700_000_000_000_i64,
            "interval_end_ms": 1_700_000_900_000_i64,
            "downsampling_interval": 300,
            "group_member_count": 1
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let series = client(&server)
        .vm_metric_series(
            ["vm-1"],
            ["hypervisor_cpu_usage_ppm"],
            1_700_000_000_000,
            1_700_000_900_000,
            300,
        )
        .await
        .unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].entity_id, "vm-1");
    assert_eq!(
        series[0].points,
        vec![
            (1_700_000_000_000, 125_000.0),
            (1_700_000_300_000, 250_000.0)
        ]
    );
}

#[tokio::test]
async fn metric_queries_are_chunked_and_validated() {
    let server = MockServer::start().await;
    let empty = fixture("groups_empty_response_aos681.json");
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .expect(3)
        .mount(&server)
        .await;
    let ids: Vec<String> = (0..250).map(|i| format!("vm-{i}")).collect();
    let c = client(&server);
    let q = MetricQuery::vm(ids, ["memory_usage_ppm"], 1_000, 2_000, 60);
    assert!(c.metric_series(&q).await.unwrap().is_empty());
    let counts: Vec<u64> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["group_member_count"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(counts, vec![100, 100, 50]);
    let micros = MetricQuery::vm(
        ["a"],
        ["cpu"],
        1_700_000_000_000_000,
        1_700_000_100_000_000,
        60,
    );
    assert!(c.metric_series(&micros).await.unwrap_err().is_config());
}
