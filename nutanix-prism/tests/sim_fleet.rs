//! The simulated fleet: every kind decodes with `nutanix_prism::model`, has the shape of the
//! real recorded bodies, a realistic spread, and is byte-for-byte deterministic per seed.
#![cfg(all(feature = "sim", feature = "client"))]

use std::collections::{BTreeSet, HashMap, HashSet};

use nutanix_prism::model::{
    CategoryKey, CategoryValue, Cluster, GroupsResponse, Host, Image, ListResponse,
    PrismCentralInfo, Project, Subnet, UserInfo, Vm, VolumeGroup,
};
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const USER: &str = "admin";
const PASSWORD: &str = "nutanix/4u";

async fn start(seed: u64, vms: u32) -> RunningSimulator {
    Simulator::builder()
        .seed(seed)
        .clusters(3)
        .hosts_per_cluster(4)
        .vms(vms)
        .start()
        .await
        .unwrap()
}

async fn post_raw(sim: &RunningSimulator, path: &str, body: Value) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sim.api_url()))
        .basic_auth(USER, Some(PASSWORD))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get_raw(sim: &RunningSimulator, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sim.api_url()))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn list<T: DeserializeOwned>(
    sim: &RunningSimulator,
    path: &str,
    body: Value,
) -> ListResponse<T> {
    let (status, text) = post_raw(sim, path, body).await;
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} does not decode: {e}"))
}

/// Every JSON key path (`.a.b[].c`) in a value.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{prefix}.{k}");
                out.insert(p.clone());
                paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn fixture(name: &str) -> Value {
    let dir = std::env::var("PRISM_FIXTURES_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/prism").to_owned()
    });
    let text = std::fs::read_to_string(format!("{dir}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Key paths of the fixture's entities that none of the simulated entities has.
fn missing_paths(fixture_body: &Value, simulated: &Value) -> BTreeSet<String> {
    let mut real = BTreeSet::new();
    for e in fixture_body["entities"].as_array().unwrap() {
        paths(e, "", &mut real);
    }
    let mut ours = BTreeSet::new();
    for e in simulated["entities"].as_array().unwrap() {
        paths(e, "", &mut ours);
    }
    real.difference(&ours).cloned().collect()
}

#[tokio::test]
async fn entities_have_the_shape_of_recorded_bodies() {
    let sim = start(11, 500).await;
    let vms: Value = serde_json::from_str(
        &post_raw(&sim, "/vms/list", json!({"kind": "vm", "length": 500}))
            .await
            .1,
    )
    .unwrap();
    assert_eq!(
        missing_paths(&fixture("pgc_vms_list_response.json"), &vms),
        BTreeSet::new(),
        "VM fields"
    );
    let clusters: Value =
        serde_json::from_str(&post_raw(&sim, "/clusters/list", json!({})).await.1).unwrap();
    let missing = missing_paths(&fixture("pgc_clusters_list_response.json"), &clusters);
    // SSH keys of the recorded cluster are deliberately not simulated.
    assert!(
        missing
            .iter()
            .all(|p| p.contains("authorized_public_key_list")),
        "cluster fields: {missing:?}"
    );
    let subnets: Value = serde_json::from_str(
        &post_raw(&sim, "/subnets/list", json!({"length": 500}))
            .await
            .1,
    )
    .unwrap();
    assert_eq!(
        missing_paths(&fixture("pgc_subnets_list_response.json"), &subnets),
        BTreeSet::new(),
        "subnet fields"
    );
    let hosts: Value =
        serde_json::from_str(&post_raw(&sim, "/hosts/list", json!({})).await.1).unwrap();
    assert_eq!(
        missing_paths(
            &fixture("ansible_hosts_list_doc_sample_SANITIZED.json"),
            &hosts
        ),
        BTreeSet::new(),
        "host fields"
    );

    let (_, pc) = get_raw(&sim, "/prism_central").await;
    let pc: Value = serde_json::from_str(&pc).unwrap();
    let real_pc = fixture("pgc_prism_central_get_response.json");
    let (mut real, mut ours) = (BTreeSet::new(), BTreeSet::new());
    paths(&real_pc, "", &mut real);
    paths(&pc, "", &mut ours);
    let missing: Vec<_> = real
        .difference(&ours)
        .filter(|p| !p.contains("cmsp"))
        .collect();
    assert!(missing.is_empty(), "prism_central fields: {missing:?}");
}

#[tokio::test]
async fn every_kind_decodes_with_the_models() {
    let sim = start(5, 300).await;
    let counts = sim.expected_counts();

    let vms: ListResponse<Vm> = list(&sim, "/vms/list", json!({"kind": "vm", "length": 500})).await;
    assert_eq!(vms.entities.len(), 300);
    assert_eq!(vms.metadata.total_matches, Some(300));

    let clusters: ListResponse<Cluster> =
        list(&sim, "/clusters/list", json!({"kind": "cluster"})).await;
    assert_eq!(clusters.entities.len(), 4);
    assert_eq!(
        clusters
            .entities
            .iter()
            .filter(|c| c.is_prism_central())
            .count(),
        1,
        "exactly one PC entry"
    );
    for pe in clusters.entities.iter().filter(|c| !c.is_prism_central()) {
        assert!(pe.name().is_some() && pe.uuid().is_some() && pe.external_ip().is_some());
        assert_eq!(pe.node_count(), Some(4), "placeholder server skipped");
        let raw = serde_json::to_string(pe).unwrap();
        assert!(
            raw.contains("127.0.0.1"),
            "real PEs list a placeholder hypervisor server too"
        );
    }

    let hosts: ListResponse<Host> = list(&sim, "/hosts/list", json!({"kind": "host"})).await;
    assert_eq!(hosts.entities.len(), counts.hosts);
    assert_eq!(counts.hosts, 12);

    let subnets: ListResponse<Subnet> = list(
        &sim,
        "/subnets/list",
        json!({"kind": "subnet", "length": 500}),
    )
    .await;
    assert_eq!(subnets.entities.len(), counts.subnets);
    let text = serde_json::to_string(&subnets.entities).unwrap();
    assert!(text.contains("\"VLAN\"") && text.contains("\"OVERLAY\""));

    let images: ListResponse<Image> = list(
        &sim,
        "/images/list",
        json!({"kind": "image", "length": 500}),
    )
    .await;
    assert_eq!(images.entities.len(), counts.images);
    let vgs: ListResponse<VolumeGroup> =
        list(&sim, "/volume_groups/list", json!({"length": 500})).await;
    assert_eq!(vgs.entities.len(), counts.volume_groups);
    let projects: ListResponse<Project> =
        list(&sim, "/projects/list", json!({"length": 500})).await;
    assert_eq!(projects.entities.len(), counts.projects);
    let keys: ListResponse<CategoryKey> = list(
        &sim,
        "/categories/list",
        json!({"kind": "category", "length": 500}),
    )
    .await;
    assert_eq!(keys.entities.len(), counts.category_keys);
    let mut values = 0;
    for key in &keys.entities {
        let name = key.name.clone().unwrap();
        let page: ListResponse<CategoryValue> = list(
            &sim,
            &format!("/categories/{name}/list"),
            json!({"kind": "category", "length": 500}),
        )
        .await;
        assert!(!page.entities.is_empty(), "{name} has values");
        values += page.entities.len();
    }
    assert_eq!(values, counts.category_values);

    // GET by UUID answers the same entity, with api_version.
    let first = &vms.entities[0];
    let uuid = first
        .metadata
        .as_ref()
        .and_then(|m| m.uuid.clone())
        .unwrap();
    let (status, text) = get_raw(&sim, &format!("/vms/{uuid}")).await;
    assert_eq!(status, 200);
    let one: Vm = serde_json::from_str(&text).unwrap();
    assert_eq!(one.name(), first.name());
    for (path, uuid) in [
        ("clusters", clusters.entities[0].uuid().unwrap().to_owned()),
        (
            "hosts",
            hosts.entities[0]
                .metadata
                .as_ref()
                .and_then(|m| m.uuid.clone())
                .unwrap(),
        ),
        (
            "subnets",
            subnets.entities[0]
                .metadata
                .as_ref()
                .and_then(|m| m.uuid.clone())
                .unwrap(),
        ),
        (
            "images",
            images.entities[0]
                .metadata
                .as_ref()
                .and_then(|m| m.uuid.clone())
                .unwrap(),
        ),
        (
            "volume_groups",
            vgs.entities[0]
                .metadata
                .as_ref()
                .and_then(|m| m.uuid.clone())
                .unwrap(),
        ),
        (
            "projects",
            projects.entities[0]
                .metadata
                .as_ref()
                .and_then(|m| m.uuid.clone())
                .unwrap(),
        ),
    ] {
        let (status, text) = get_raw(&sim, &format!("/{path}/{uuid}")).await;
        assert_eq!(status, 200, "{path}/{uuid}: {text}");
        assert!(text.starts_with(r#"{"api_version":"3.1","#), "{path}");
    }

    let (status, text) = get_raw(&sim, "/prism_central").await;
    assert_eq!(status, 200);
    let pc: PrismCentralInfo = serde_json::from_str(&text).unwrap();
    assert_eq!(
        pc.resources.as_ref().and_then(|r| r.version.as_deref()),
        Some("pc.2024.3.0.1")
    );
    let (status, text) = get_raw(&sim, "/users/me").await;
    assert_eq!(status, 200);
    let me: UserInfo = serde_json::from_str(&text).unwrap();
    assert_eq!(
        me.status.as_ref().and_then(|s| s.name.as_deref()),
        Some("admin")
    );

    let (status, text) = post_raw(
        &sim,
        "/groups",
        json!({"entity_type": "vm", "entity_ids": [uuid],
               "group_member_attributes": [{"attribute": "hypervisor_cpu_usage_ppm"}, {"attribute": "memory_usage_ppm"}],
               "interval_start_ms": 1_700_000_000_000i64, "interval_end_ms": 1_700_086_400_000i64,
               "downsampling_interval": 3600}),
    )
    .await;
    assert_eq!(status, 200);
    let groups: GroupsResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(groups.entities().count(), 1);
}

#[tokio::test]
async fn vms_have_a_realistic_spread() {
    let sim = start(21, 2000).await;
    let mut all = Vec::new();
    for offset in (0..2000).step_by(500) {
        let page: ListResponse<Vm> = list(
            &sim,
            "/vms/list",
            json!({"kind": "vm", "offset": offset, "length": 500}),
        )
        .await;
        all.extend(page.entities);
    }
    assert_eq!(all.len(), 2000);
    let uuids: HashSet<_> = all
        .iter()
        .map(|v| v.metadata.as_ref().unwrap().uuid.clone().unwrap())
        .collect();
    assert_eq!(uuids.len(), 2000, "unique UUIDs");
    let mut power: HashMap<String, usize> = HashMap::new();
    let (mut cdroms, mut gpus, mut multi_disk, mut with_ip, mut overlay, mut categorized, mut ngt) =
        (0, 0, 0, 0, 0, 0, 0);
    let mut containers = HashSet::new();
    let mut years = HashSet::new();
    let mut projects = HashSet::new();
    let mut owners = HashSet::new();
    for vm in &all {
        let vcpus = vm.vcpus().unwrap();
        assert!((1..=32).contains(&vcpus), "vcpus {vcpus}");
        let memory = vm.memory_bytes().unwrap();
        assert!(
            ((1u64 << 30)..=(256u64 << 30)).contains(&memory),
            "memory {memory}"
        );
        *power
            .entry(vm.power_state().unwrap().to_string())
            .or_default() += 1;
        let text = serde_json::to_string(vm).unwrap();
        cdroms +=
            usize::from(text.contains("\"CDROM\",") || text.contains("\"device_type\":\"CDROM\""));
        gpus += usize::from(vm.gpu_count() > 0);
        assert!(!vm.disks().is_empty(), "at least one disk");
        multi_disk += usize::from(vm.disks().len() > 1);
        with_ip += usize::from(!vm.ip_addresses().is_empty());
        overlay += usize::from(text.contains("-overlay\""));
        categorized += usize::from(!vm.categories().is_empty());
        ngt += usize::from(vm.guest_os().is_some());
        for c in text.split("\"storage_container_reference\":").skip(1) {
            containers.insert(
                c.split("\"uuid\":\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned(),
            );
        }
        years.insert(vm.creation_time().unwrap()[..4].to_owned());
        projects.insert(vm.project_reference().and_then(|r| r.name.clone()).unwrap());
        owners.insert(vm.owner_reference().and_then(|r| r.name.clone()).unwrap());
    }
    let on = power["ON"];
    assert!(
        on > 1400 && power["OFF"] > 150 && power["PAUSED"] > 10,
        "{power:?}"
    );
    assert!(cdroms > 200, "cdroms {cdroms}");
    assert!(gpus > 0 && gpus < 100, "gpus {gpus}");
    assert!(multi_disk > 600, "multi-disk {multi_disk}");
    assert!(with_ip > 1500, "with IP {with_ip}");
    assert!(overlay > 50, "on overlay subnets {overlay}");
    assert!(categorized > 1600, "categorized {categorized}");
    assert!(ngt > 1000, "guest tools {ngt}");
    assert!(containers.len() >= 6, "containers {}", containers.len());
    assert!(years.len() >= 5, "creation years {years:?}");
    assert!(
        projects.len() >= 5 && owners.len() >= 5,
        "{projects:?} {owners:?}"
    );
}

#[tokio::test]
async fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = start(99, 1200).await;
    let b = start(99, 1200).await;
    let c = start(100, 1200).await;
    let requests = [
        (
            "/vms/list",
            json!({"kind": "vm", "offset": 700, "length": 500}),
        ),
        (
            "/vms/list",
            json!({"kind": "vm", "filter": "power_state==off", "length": 50}),
        ),
        ("/clusters/list", json!({})),
        ("/hosts/list", json!({})),
        ("/subnets/list", json!({"length": 100})),
        ("/images/list", json!({})),
        ("/volume_groups/list", json!({"length": 100})),
        ("/projects/list", json!({})),
        ("/categories/list", json!({})),
        ("/categories/Environment/list", json!({})),
        (
            "/groups",
            json!({"entity_type": "vm", "group_member_count": 20,
                   "group_member_attributes": [{"attribute": "hypervisor_cpu_usage_ppm"}, {"attribute": "hypervisor_num_received_bytes"}],
                   "interval_start_ms": 1_700_000_000_000i64, "interval_end_ms": 1_700_003_600_000i64, "downsampling_interval": 60}),
        ),
    ];
    for (path, body) in requests {
        let (sa, ta) = post_raw(&a, path, body.clone()).await;
        let (sb, tb) = post_raw(&b, path, body.clone()).await;
        let (_, tc) = post_raw(&c, path, body).await;
        assert_eq!((sa, sb), (200, 200), "{path}");
        assert!(ta == tb, "{path}: same seed must give the same bytes");
        // Category keys and values are a fixed vocabulary, the same for every seed.
        if !path.starts_with("/categories") {
            assert!(ta != tc, "{path}: another seed must give other bytes");
        }
    }
    let uuid = a.live_vm_uuids()[321].clone();
    assert_eq!(
        get_raw(&a, &format!("/vms/{uuid}")).await,
        get_raw(&b, &format!("/vms/{uuid}")).await
    );
}
