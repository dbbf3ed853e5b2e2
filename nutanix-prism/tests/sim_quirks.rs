//! Prism's HTTP behaviour as the simulator reproduces it, checked with plain reqwest.
#![cfg(all(feature = "sim", feature = "client"))]

use nutanix_prism::model::{ErrorResponse, ListResponse};
use nutanix_prism::sim::{RunningSimulator, SESSION_COOKIE, Simulator};
use serde_json::{Value, json};

async fn start() -> RunningSimulator {
    Simulator::builder()
        .seed(3)
        .clusters(2)
        .hosts_per_cluster(60)
        .vms(1234)
        .api_key("sim-key-1")
        .start()
        .await
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(sim: &RunningSimulator, path: &str, body: &str) -> reqwest::Response {
    client()
        .post(format!("{}{path}", sim.api_url()))
        .basic_auth("admin", Some("nutanix/4u"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn get(sim: &RunningSimulator, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", sim.api_url()))
        .basic_auth("admin", Some("nutanix/4u"))
        .send()
        .await
        .unwrap()
}

async fn page(sim: &RunningSimulator, path: &str, body: Value) -> ListResponse<Value> {
    let response = post(sim, path, &body.to_string()).await;
    assert_eq!(response.status(), 200, "{path} {body}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn default_page_is_20_and_large_pages_are_clamped_to_500() {
    let sim = start().await;
    let p = page(&sim, "/vms/list", json!({"kind": "vm"})).await;
    assert_eq!(p.entities.len(), 20, "no length: 20");
    assert_eq!(p.metadata.length, Some(20));
    assert_eq!(p.metadata.total_matches, Some(1234));
    let p = page(&sim, "/vms/list", json!({})).await;
    assert_eq!(p.entities.len(), 20, "empty body: 20");
    let p = page(&sim, "/vms/list", json!({"kind": "vm", "length": 2000})).await;
    assert_eq!(p.entities.len(), 500, "silently clamped");
    assert_eq!(p.metadata.length, Some(500));
    let p = page(
        &sim,
        "/vms/list",
        json!({"kind": "vm", "offset": 1200, "length": 500}),
    )
    .await;
    assert_eq!(p.entities.len(), 34, "last page is short");
    assert_eq!(p.metadata.offset, Some(1200));
    let p = page(
        &sim,
        "/vms/list",
        json!({"kind": "vm", "offset": 5000, "length": 500}),
    )
    .await;
    assert!(p.entities.is_empty(), "past the end: empty page");
    let p = page(&sim, "/subnets/list", json!({"kind": "subnet"})).await;
    assert_eq!(
        p.metadata.total_matches,
        Some(sim.expected_counts().subnets as i64)
    );
    assert_eq!(p.entities.len(), 7.min(sim.expected_counts().subnets));
}

#[tokio::test]
async fn hosts_ignore_paging_and_clusters_omit_offset_and_length() {
    let sim = start().await;
    // 2 clusters x 60 hosts: more than 100 hosts, the size that broke paged host listing.
    let p = page(
        &sim,
        "/hosts/list",
        json!({"kind": "host", "offset": 10, "length": 5}),
    )
    .await;
    assert_eq!(p.entities.len(), 120, "hosts/list returns every host");
    assert_eq!(p.metadata.total_matches, Some(120));

    let response = post(&sim, "/clusters/list", "{}").await;
    assert_eq!(response.status(), 200);
    let raw: Value = response.json().await.unwrap();
    let metadata = raw["metadata"].as_object().unwrap();
    assert!(
        !metadata.contains_key("length") && !metadata.contains_key("offset"),
        "{metadata:?}"
    );
    assert_eq!(metadata["total_matches"], 3);
    let entities = raw["entities"].as_array().unwrap();
    let pcs: Vec<_> = entities
        .iter()
        .filter(|e| e["status"]["resources"]["config"]["service_list"] == json!(["PRISM_CENTRAL"]))
        .collect();
    assert_eq!(pcs.len(), 1, "the PC is listed among the clusters");
    assert_eq!(
        pcs[0]["status"]["resources"]["config"]["build"]["version"],
        "pc"
    );
    assert!(
        pcs[0]["status"]["resources"].get("nodes").is_none(),
        "the PC entry has no nodes"
    );

    // Filters are ignored on clusters and hosts.
    let p = page(&sim, "/clusters/list", json!({"filter": "name==nothing"})).await;
    assert_eq!(p.entities.len(), 3);
    let p = page(&sim, "/hosts/list", json!({"filter": "name==nothing"})).await;
    assert_eq!(p.entities.len(), 120);
}

#[tokio::test]
async fn filters_select_vms() {
    let sim = start().await;
    let on = page(
        &sim,
        "/vms/list",
        json!({"filter": "power_state==on", "length": 1}),
    )
    .await;
    let off = page(
        &sim,
        "/vms/list",
        json!({"filter": "power_state==OFF", "length": 1}),
    )
    .await;
    let paused = page(
        &sim,
        "/vms/list",
        json!({"filter": "power_state==paused", "length": 1}),
    )
    .await;
    let counts = [on, off, paused].map(|p| p.metadata.total_matches.unwrap());
    assert_eq!(counts.iter().sum::<i64>(), 1234, "{counts:?}");
    assert!(counts.iter().all(|&c| c > 0), "{counts:?}");

    let all = page(&sim, "/vms/list", json!({"length": 500})).await;
    let name = all.entities[77]["status"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = page(
        &sim,
        "/vms/list",
        json!({"filter": format!("vm_name=={name}")}),
    )
    .await;
    assert_eq!(one.entities.len(), 1);
    assert_eq!(one.entities[0]["status"]["name"], name.as_str());
    assert_eq!(
        one.metadata.filter.as_deref(),
        Some(format!("vm_name=={name}").as_str())
    );

    let cluster = all.entities[0]["status"]["cluster_reference"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let both = page(
        &sim,
        "/vms/list",
        json!({"filter": format!("cluster_name=={cluster};power_state==on"), "length": 500}),
    )
    .await;
    assert!(both.metadata.total_matches.unwrap() > 0);
    for vm in &both.entities {
        assert_eq!(vm["status"]["cluster_reference"]["name"], cluster.as_str());
        assert_eq!(vm["status"]["resources"]["power_state"], "ON");
    }
    let wildcard = page(
        &sim,
        "/vms/list",
        json!({"filter": "vm_name==.*-prod-.*", "length": 500}),
    )
    .await;
    assert!(wildcard.metadata.total_matches.unwrap() > 100);
    assert!(
        wildcard
            .entities
            .iter()
            .all(|v| v["status"]["name"].as_str().unwrap().contains("-prod-"))
    );

    let response = post(&sim, "/vms/list", r#"{"filter":"memory_size_mib=gt=4"}"#).await;
    assert_eq!(
        response.status(),
        422,
        "unsupported filters are refused, not ignored"
    );
}

#[tokio::test]
async fn sort_by_name_on_small_kinds() {
    let sim = start().await;
    let asc = page(
        &sim,
        "/subnets/list",
        json!({"sort_attribute": "name", "sort_order": "ASCENDING", "length": 500}),
    )
    .await;
    let names: Vec<&str> = asc
        .entities
        .iter()
        .map(|e| e["status"]["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let desc = page(
        &sim,
        "/subnets/list",
        json!({"sort_attribute": "name", "sort_order": "DESCENDING", "length": 500}),
    )
    .await;
    let rev: Vec<&str> = desc
        .entities
        .iter()
        .map(|e| e["status"]["name"].as_str().unwrap())
        .collect();
    sorted.reverse();
    assert_eq!(rev, sorted);
}

#[tokio::test]
async fn unauthenticated_requests_get_a_non_json_401() {
    let sim = start().await;
    let url = format!("{}/vms/list", sim.api_url());
    for request in [
        client().post(&url).body("{}"),
        client()
            .post(&url)
            .basic_auth("admin", Some("wrong"))
            .body("{}"),
        client()
            .post(&url)
            .basic_auth("nobody", Some("nutanix/4u"))
            .body("{}"),
        client()
            .post(&url)
            .header("X-ntnx-api-key", "wrong-key")
            .body("{}"),
        client()
            .post(&url)
            .header("cookie", format!("{SESSION_COOKIE}=forged.1.2"))
            .body("{}"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(response.headers().get("set-cookie").is_none());
        let body = response.text().await.unwrap();
        assert!(
            serde_json::from_str::<Value>(&body).is_err(),
            "401 body is not JSON: {body}"
        );
    }
    assert_eq!(sim.counters().get("POST /vms/list", 401), 5);
}

#[tokio::test]
async fn api_key_and_session_cookie_authenticate() {
    let sim = start().await;
    let url = format!("{}/vms/list", sim.api_url());
    let response = client()
        .post(&url)
        .header("X-Ntnx-Api-Key", "sim-key-1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "API key header (any case)");
    assert_eq!(response.headers()["x-ntnx-product"], "pc.2024.3.0.1");

    let login = client()
        .get(format!("{}/users/me", sim.api_url()))
        .basic_auth("admin", Some("nutanix/4u"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let set_cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.starts_with(&format!("{SESSION_COOKIE}=")),
        "{set_cookie}"
    );
    for attribute in ["Path=/", "Secure", "HttpOnly"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let with_cookie = client()
        .post(&url)
        .header("cookie", &cookie)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_cookie.status(),
        200,
        "the session cookie replaces Basic"
    );
    assert!(
        with_cookie.headers().get("set-cookie").is_none(),
        "no new session for a cookie call"
    );

    // A cookie jar client (what the Prism client uses) picks the cookie up by itself.
    let jar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let first = jar
        .get(format!("{}/users/me", sim.api_url()))
        .basic_auth("admin", Some("nutanix/4u"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = jar.post(&url).body("{}").send().await.unwrap();
    assert_eq!(second.status(), 200);
}

#[tokio::test]
async fn errors_have_v3_bodies() {
    let sim = start().await;
    for path in [
        "/vms/00000000-0000-4000-8000-000000000000".to_owned(),
        "/vms/not-a-uuid".to_owned(),
        "/clusters/00000000-0000-4000-8000-000000000000".to_owned(),
        "/images/00000000-0000-4000-8000-000000000000".to_owned(),
    ] {
        let response = get(&sim, &path).await;
        assert_eq!(response.status(), 404, "{path}");
        let error: ErrorResponse = response.json().await.unwrap();
        assert!(error.is_error());
        assert_eq!(
            error.message_list[0]
                .reason
                .as_ref()
                .map(|r| r.to_string())
                .as_deref(),
            Some("ENTITY_NOT_FOUND")
        );
    }
    let response = get(&sim, "/categories/Environment/NoSuchValue").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["message_list"][0]["reason"],
        "CATEGORY_NAME_VALUE_MISMATCH"
    );
    let response = get(&sim, "/categories/Environment/Production").await;
    assert_eq!(response.status(), 200);

    let response = post(&sim, "/vms/list", "{not json").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message_list"][0]["reason"], "INVALID_REQUEST");
    assert_eq!(body["state"], "ERROR");
    for bad in [
        r#"{"length":0}"#,
        r#"{"offset":-1}"#,
        r#"{"length":"ten"}"#,
        "[1,2]",
        r#"{"sort_order":"UP"}"#,
    ] {
        let response = post(&sim, "/vms/list", bad).await;
        assert_eq!(response.status(), 422, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["message_list"][0]["reason"], "INVALID_REQUEST",
            "{bad}"
        );
    }
    let response = post(&sim, "/groups", "{}").await;
    assert_eq!(response.status(), 422, "groups needs entity_type");
}

#[tokio::test]
async fn get_by_uuid_finds_listed_vms_and_groups_has_metrics() {
    let sim = start().await;
    let listed = page(&sim, "/vms/list", json!({"offset": 1000, "length": 3})).await;
    for vm in &listed.entities {
        let uuid = vm["metadata"]["uuid"].as_str().unwrap();
        let response = client()
            .get(format!("{}/vms/{}", sim.api_url(), uuid.to_uppercase()))
            .basic_auth("admin", Some("nutanix/4u"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let one: Value = response.json().await.unwrap();
        assert_eq!(one["api_version"], "3.1");
        assert_eq!(&one["metadata"], &vm["metadata"]);
        assert_eq!(&one["spec"], &vm["spec"]);
    }

    let uuid = listed.entities[0]["metadata"]["uuid"].as_str().unwrap();
    let body = json!({
        "entity_type": "mh_vm", "entity_ids": [uuid],
        "group_member_attributes": [{"attribute": "memory_usage_ppm"}, {"attribute": "controller_num_read_io"}, {"attribute": "vm_name"}],
        "interval_start_ms": 1_700_000_000_000i64, "interval_end_ms": 1_700_000_600_000i64, "downsampling_interval": 30
    });
    let response = post(&sim, "/groups", &body.to_string()).await;
    assert_eq!(response.status(), 200);
    let groups: Value = response.json().await.unwrap();
    let data = &groups["group_results"][0]["entity_results"][0]["data"];
    assert_eq!(
        data[2]["values"][0]["values"][0],
        listed.entities[0]["status"]["name"]
    );
    let power = listed.entities[0]["status"]["resources"]["power_state"]
        .as_str()
        .unwrap();
    let samples = data[0]["values"].as_array().unwrap();
    if power == "OFF" {
        assert!(samples.is_empty(), "powered-off VMs have no samples");
    } else {
        assert_eq!(
            samples.len(),
            21,
            "every 30 s over 10 minutes, both ends included"
        );
        for s in samples {
            let time = s["time"].as_i64().unwrap();
            assert!(time > 1_000_000_000_000_000, "microseconds");
            let v: i64 = s["values"][0].as_str().unwrap().parse().unwrap();
            assert!((0..=1_000_000).contains(&v));
        }
    }
    let empty = post(
        &sim,
        "/groups",
        r#"{"entity_type":"vm","entity_ids":["00000000-0000-4000-8000-000000000000"]}"#,
    )
    .await;
    let empty: Value = empty.json().await.unwrap();
    assert_eq!(empty["group_results"], json!([]));
}

#[tokio::test]
async fn vms_sort_by_name_with_filters_and_paging() {
    let sim = start().await;
    let mut names = Vec::new();
    for offset in [0, 500, 1000] {
        let p = page(
            &sim,
            "/vms/list",
            json!({"sort_attribute": "vm_name", "sort_order": "ASCENDING", "offset": offset, "length": 500}),
        )
        .await;
        names.extend(p.entities.iter().map(|e| {
            let on = e["status"]["resources"]["power_state"] == "ON";
            (e["status"]["name"].as_str().unwrap().to_owned(), on)
        }));
    }
    assert_eq!(names.len(), 1234);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "pages follow the name order");
    let desc = page(
        &sim,
        "/vms/list",
        json!({"sort_attribute": "name", "sort_order": "DESCENDING", "filter": "power_state==on", "length": 50}),
    )
    .await;
    let got: Vec<&str> = desc
        .entities
        .iter()
        .map(|e| e["status"]["name"].as_str().unwrap())
        .collect();
    let mut expected = got.clone();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(got, expected);
    assert!(
        desc.entities
            .iter()
            .all(|e| e["status"]["resources"]["power_state"] == "ON")
    );
    let on_desc: Vec<&str> = sorted
        .iter()
        .rev()
        .filter(|(_, on)| *on)
        .take(50)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(got, on_desc, "the 50 last powered-on names, descending");
}
