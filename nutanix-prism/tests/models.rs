//! Fixture decoding tests for `nutanix_prism::model`.
//!
//! Two sources: the shared real bodies in `PRISM_FIXTURES_DIR` (default
//! `<crate>/../../shared/fixtures/prism`) and this crate's hand-written bodies in
//! `tests/fixtures/` (see its README). Every file of both directories must be decoded by a test
//! here: [`every_fixture_file_is_covered`] fails when a new file appears without one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nutanix_prism::model::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn shared_dir() -> PathBuf {
    std::env::var_os("PRISM_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures/prism"
            ))
        })
}

fn own_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn read(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Decodes `name` from `dir` into `T` (serde_json errors carry line and column).
fn decode<T: DeserializeOwned>(dir: &Path, name: &str) -> T {
    serde_json::from_str(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn shared<T: DeserializeOwned>(name: &str) -> T {
    decode(&shared_dir(), name)
}

fn own<T: DeserializeOwned>(name: &str) -> T {
    decode(&own_dir(), name)
}

/// Serialise, decode again, and require the same value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(
        &back, value,
        "round trip changed the value; JSON was {json}"
    );
}

/// The files each test decodes, by directory.
const SHARED_FILES: &[&str] = &[
    "pgc_vms_list_response.json",
    "pgc_clusters_list_response.json",
    "pgc_cluster_get_response.json",
    "pgc_subnets_list_response.json",
    "pgc_prism_central_get_response.json",
    "pgc_recorded_exchanges_headers.json",
    "error_400_invalid_request.json",
    "error_404_category_value_mismatch.json",
    "groups_empty_response_aos681.json",
    "ansible_hosts_list_doc_sample_SANITIZED.json",
];

const OWN_FILES: &[&str] = &[
    "hosts_list.json",
    "images_list.json",
    "volume_groups_list.json",
    "projects_list.json",
    "category_keys_list.json",
    "category_values_list.json",
    "groups_time_series.json",
    "vm_odd_shapes.json",
    "error_details_string.json",
    "error_details_map.json",
    "error_details_map_of_lists.json",
    "error_generic_failure.json",
    "users_me.json",
];

fn json_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

#[test]
fn every_fixture_file_is_covered() {
    let listed: BTreeSet<String> = SHARED_FILES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        json_files(&shared_dir()),
        listed,
        "shared fixtures and SHARED_FILES differ"
    );
    let listed: BTreeSet<String> = OWN_FILES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        json_files(&own_dir()),
        listed,
        "own fixtures and OWN_FILES differ"
    );
}

// ---------------------------------------------------------------- shared, real bodies

#[test]
fn shared_vms_list() {
    let page: ListResponse<Vm> = shared("pgc_vms_list_response.json");
    assert_eq!(page.api_version.as_deref(), Some("3.1"));
    assert_eq!(
        (page.metadata.length, page.metadata.total_matches),
        (Some(1), Some(1))
    );
    assert_eq!(page.metadata.filter.as_deref(), Some("vm_name==test-vm"));
    assert_eq!(page.entities.len(), 1);
    let vm = &page.entities[0];
    assert_eq!(vm.key(), Some("bdbbad7a-a401-4f9a-a789-2b8406905b56"));
    assert_eq!(vm.uuid(), vm.key());
    assert_eq!(vm.name(), Some("test-vm"));
    assert_eq!(vm.description(), Some("test-vm-description"));
    assert_eq!(vm.vcpus(), Some(1));
    assert_eq!(vm.memory_bytes(), Some(1024 * 1024 * 1024));
    assert_eq!(vm.power_state(), Some(&PowerState::Off));
    assert_eq!(vm.disks().len(), 1);
    assert_eq!(vm.disks()[0].size_bytes(), Some(8_589_934_592));
    assert_eq!(
        vm.disks()[0]
            .storage_container_reference()
            .and_then(|r| r.name.as_deref()),
        Some("SelfServiceContainer")
    );
    assert_eq!(vm.provisioned_storage_bytes(), 8_589_934_592);
    assert_eq!(vm.nics().len(), 1);
    assert_eq!(vm.nics()[0].subnet_name(), Some("vlan173"));
    assert_eq!(vm.ip_addresses(), ["10.23.129.96"]);
    assert_eq!(
        vm.cluster_reference().and_then(|r| r.name.as_deref()),
        Some("ncn-dev-sandbox")
    );
    assert_eq!(vm.host_reference(), None, "an OFF VM has no host");
    assert_eq!(
        vm.project_reference().and_then(|r| r.name.as_deref()),
        Some("_internal")
    );
    assert_eq!(
        vm.owner_reference().and_then(|r| r.name.as_deref()),
        Some("cswdjlnxgfji")
    );
    assert_eq!(vm.creation_time(), Some("2025-06-07T18:23:52Z"));
    assert_eq!(vm.last_update_time(), Some("2025-06-07T18:23:52Z"));
    assert!(vm.categories().is_empty());
    assert_eq!(vm.gpu_count(), 0);
    assert_eq!(vm.guest_os(), None);
    assert_eq!(vm.hypervisor_type(), Some(&HypervisorType::Ahv));
    assert_eq!(vm.state(), Some("COMPLETE"));
    assert_eq!(vm.task_uuids(), ["e074cb94-1123-4dca-82b0-b842f019a825"]);
    assert_eq!(
        vm.metadata.as_ref().unwrap().entity_version.as_deref(),
        Some("1")
    );
    let res = vm.resources().unwrap();
    assert_eq!(
        res.boot_config.as_ref().unwrap().boot_type,
        Some(BootType::Uefi)
    );
    assert_eq!(res.machine_type, Some(MachineType::Pc));
    assert_eq!(res.protection_type, Some(ProtectionType::Unprotected));
    assert_eq!(
        res.power_state_mechanism.as_ref().unwrap().mechanism,
        Some(PowerMechanism::Hard)
    );
    round_trip(&page);
}

#[test]
fn shared_clusters_list() {
    let page: ListResponse<Cluster> = shared("pgc_clusters_list_response.json");
    assert_eq!(page.entities.len(), 2);
    assert_eq!(
        page.metadata.total_matches,
        Some(5),
        "counts are kept as sent, even when wrong"
    );
    assert_eq!((page.metadata.length, page.metadata.offset), (None, None));
    let pcs: Vec<_> = page
        .entities
        .iter()
        .filter(|c| c.is_prism_central())
        .collect();
    assert_eq!(pcs.len(), 1);
    let pc = pcs[0];
    assert_eq!(pc.name(), Some("ncn-dev-pc"));
    assert_eq!(pc.node_count(), None, "the PC entry has no nodes");
    assert_eq!(pc.version(), Some("2024.1"));
    assert_eq!(pc.external_ip(), Some("10.40.142.17"));
    let pe = page
        .entities
        .iter()
        .find(|c| !c.is_prism_central())
        .unwrap();
    assert_eq!(pe.name(), Some("ganon"));
    assert_eq!(pe.uuid(), Some("0005b0f1-8f43-a0f2-02b7-3cecef193712"));
    assert_eq!(pe.version(), Some("6.5.4.5"));
    assert_eq!(pe.build().and_then(|b| b.is_long_term_support), Some(true));
    assert_eq!(pe.external_ip(), Some("10.40.231.131"));
    assert_eq!(
        pe.node_count(),
        Some(4),
        "the 127.0.0.1 placeholder is not a node"
    );
    assert_eq!(pe.hypervisor_types(), [&HypervisorServerType::Ahv]);
    assert_eq!(pe.timezone(), Some("UTC"));
    assert_eq!(pe.config().unwrap().cluster_arch, Some(ClusterArch::X86_64));
    round_trip(&page);
}

#[test]
fn shared_cluster_get() {
    let c: Cluster = shared("pgc_cluster_get_response.json");
    assert!(!c.is_prism_central());
    assert_eq!(c.api_version.as_deref(), Some("3.1"));
    assert!(c.name().is_some());
    assert!(c.uuid().is_some());
    assert!(c.version().is_some());
    assert_eq!(c.node_count(), Some(4));
    round_trip(&c);
}

#[test]
fn shared_subnets_list() {
    let page: ListResponse<Subnet> = shared("pgc_subnets_list_response.json");
    assert_eq!(page.entities.len(), 3);
    assert_eq!(
        page.metadata.length,
        Some(15),
        "length as reported, not the body's count"
    );
    let vlan = &page.entities[0];
    assert_eq!(vlan.name(), Some("sherlock_net"));
    assert_eq!(vlan.subnet_type(), Some(&SubnetType::Vlan));
    assert_eq!(vlan.vlan_id(), Some(508));
    assert_eq!(vlan.cidr().as_deref(), Some("10.40.142.0/24"));
    assert_eq!(vlan.gateway(), Some("10.40.142.1"));
    assert_eq!(
        vlan.cluster_reference().and_then(|r| r.name.as_deref()),
        Some("ganon")
    );
    assert!(!vlan.is_external());
    let stats = vlan.resources().unwrap().ip_usage_stats.as_ref().unwrap();
    assert_eq!(
        (stats.num_free_ips, stats.num_assigned_ips),
        (Some(216), Some(40))
    );
    let ext = &page.entities[1];
    assert!(ext.is_external());
    assert_eq!(ext.vlan_id(), Some(1409));
    let overlay = &page.entities[2];
    assert_eq!(overlay.subnet_type(), Some(&SubnetType::Overlay));
    assert_eq!(
        overlay.cluster_reference(),
        None,
        "OVERLAY subnets have no cluster"
    );
    assert_eq!(overlay.vlan_id(), None);
    assert!(overlay.vpc_reference().is_some());
    assert_eq!(overlay.cidr().as_deref(), Some("192.168.0.0/24"));
    round_trip(&page);
}

#[test]
fn shared_prism_central_get() {
    let pc: PrismCentralInfo = shared("pgc_prism_central_get_response.json");
    assert_eq!(pc.version(), Some("pc.2024.1.0.1"));
    assert_eq!(pc.pc_size(), Some("kSmall"));
    assert_eq!(pc.vms().len(), 3);
    assert_eq!(pc.vms()[0].memory_size_bytes, Some(70_866_960_384));
    assert_eq!(pc.vms()[0].nic_list[0].ip_list, ["10.40.142.15"]);
    round_trip(&pc);
}

#[test]
fn shared_recorded_request_bodies_decode() {
    let exchanges: Vec<serde_json::Value> = shared("pgc_recorded_exchanges_headers.json");
    assert_eq!(exchanges.len(), 6);
    let mut list_requests = 0;
    for ex in &exchanges {
        let url = ex["request"]["url"].as_str().unwrap();
        let body = ex["request"]["body"].as_str().unwrap();
        if url.ends_with("/list") {
            let req: ListRequest = serde_json::from_str(body).unwrap();
            if url.ends_with("vms/list") {
                assert_eq!(req.sort_order, Some(SortOrder::Ascending));
                assert_eq!(req.length, None, "the recorded vms/list sent no length");
            }
            list_requests += 1;
        } else if url.ends_with("/vms") {
            let vm: Vm = serde_json::from_str(body).unwrap();
            assert_eq!(vm.name(), Some("test-vm"));
            assert_eq!(
                vm.spec
                    .as_ref()
                    .unwrap()
                    .resources
                    .as_ref()
                    .unwrap()
                    .boot_config
                    .as_ref()
                    .unwrap()
                    .boot_type,
                Some(BootType::Uefi)
            );
        } else if url.ends_with("/prism_central") {
            let info: PrismCentralInfo = serde_json::from_str(body).unwrap();
            assert_eq!(info.resources, None, "`resources: null` decodes to None");
        }
        let product = &ex["response"]["headers"]["X-Ntnx-Product"];
        assert!(
            product.as_str().is_some_and(|p| p.starts_with("pc.")),
            "{product}"
        );
    }
    assert_eq!(list_requests, 3);
}

#[test]
fn shared_error_bodies() {
    let e: ErrorResponse = shared("error_400_invalid_request.json");
    assert!(e.is_error());
    assert_eq!(e.code, Some(400));
    assert_eq!(e.kind.as_deref(), Some("vm"));
    assert_eq!(e.first_reason(), Some(&ErrorReason::InvalidRequest));
    assert_eq!(e.first_message(), Some("Request could not be processed."));
    assert_eq!(
        e.summary(),
        "INVALID_REQUEST: Request could not be processed."
    );
    round_trip(&e);

    let e: ErrorResponse = shared("error_404_category_value_mismatch.json");
    assert_eq!(e.code, Some(404));
    assert_eq!(
        e.first_reason(),
        Some(&ErrorReason::CategoryNameValueMismatch)
    );
    assert!(e.first_message().unwrap().contains("KKPCluster"));
    assert!(
        e.summary()
            .starts_with("CATEGORY_NAME_VALUE_MISMATCH: Specified category value")
    );
    round_trip(&e);
}

#[test]
fn shared_groups_empty() {
    let g: GroupsResponse = shared("groups_empty_response_aos681.json");
    assert_eq!(g.entity_type.as_deref(), Some("remote_syslog_server"));
    assert_eq!(g.total_entity_count, Some(0));
    assert!(g.group_results.is_empty());
    assert_eq!(g.samples().count(), 0);
    assert!(g.metric_series().is_empty());
    round_trip(&g);
}

#[test]
fn shared_sanitized_hosts_sample() {
    let page: ListResponse<Host> = shared("ansible_hosts_list_doc_sample_SANITIZED.json");
    assert_eq!(page.metadata.total_matches, Some(6));
    assert_eq!(page.metadata.sort_order.as_deref(), Some(""));
    assert_eq!(page.entities.len(), 1);
    let h = &page.entities[0];
    assert_eq!(h.key(), None, "a blank uuid is no identity");
    assert_eq!(h.uuid(), None);
    assert_eq!(h.host_type(), Some(&HostType::HyperConverged));
    assert_eq!(h.resources().unwrap().host_disks_reference_list.len(), 4);
    let cvm = h.resources().unwrap().controller_vm.as_ref().unwrap();
    let oplog = cvm.oplog_usage.as_ref().unwrap();
    assert_eq!(
        (oplog.oplog_disk_pct, oplog.oplog_disk_size),
        (None, None),
        "blank numbers decode as None"
    );
    assert_eq!(
        h.resources()
            .unwrap()
            .block
            .as_ref()
            .unwrap()
            .block_model
            .as_deref(),
        Some("null")
    );
    assert_eq!(h.memory_bytes(), None);
    round_trip(&page);
}

// ---------------------------------------------------------------- own, hand-written bodies

#[test]
fn own_hosts_list() {
    let page: ListResponse<Host> = own("hosts_list.json");
    assert_eq!(page.entities.len(), 3);
    let h1 = &page.entities[0];
    assert_eq!(h1.key(), Some("4f8e1c52-2a61-4b7e-9d0c-1a2b3c4d5e01"));
    assert_eq!(h1.name(), Some("ahv-node-01"));
    assert_eq!(
        h1.cluster_reference().and_then(|r| r.name.as_deref()),
        Some("ganon")
    );
    assert_eq!((h1.cpu_sockets(), h1.cpu_cores()), (Some(2), Some(64)));
    assert_eq!(h1.cpu_capacity_hz(), Some(128_000_000_000));
    assert_eq!(h1.memory_bytes(), Some(1024 * 1024 * 1024 * 1024));
    assert_eq!(h1.hypervisor_name(), Some("Nutanix 20230302.100173"));
    assert_eq!(h1.hypervisor_ip(), Some("10.10.0.21"));
    assert_eq!(h1.num_vms(), Some(17));
    assert_eq!(h1.controller_vm_ip(), Some("10.10.0.31"));
    assert_eq!(h1.serial_number(), Some("21SM6K450012"));
    assert!(h1.cpu_model().unwrap().contains("Xeon"));
    let h2 = &page.entities[1];
    assert_eq!(
        (h2.cpu_sockets(), h2.cpu_cores()),
        (Some(2), Some(48)),
        "numbers sent as strings"
    );
    assert_eq!(h2.memory_bytes(), Some(768 * 1024 * 1024 * 1024));
    assert_eq!(h2.num_vms(), Some(4));
    assert_eq!(h2.host_type(), Some(&HostType::ComputeOnly));
    assert_eq!(h2.metadata.as_ref().unwrap().spec_version, Some(2));
    let h3 = &page.entities[2];
    assert_eq!(
        h3.host_type(),
        Some(&HostType::Unknown("STORAGE_ONLY_FUTURE".into()))
    );
    assert_eq!(h3.memory_bytes(), None);
    round_trip(&page);
}

#[test]
fn own_images_list() {
    let page: ListResponse<Image> = own("images_list.json");
    assert_eq!(page.entities.len(), 3);
    let ubuntu = &page.entities[0];
    assert_eq!(ubuntu.name(), Some("ubuntu-22.04-cloudimg"));
    assert_eq!(ubuntu.description(), Some("Ubuntu 22.04 LTS"));
    assert_eq!(ubuntu.image_type(), Some(&ImageType::DiskImage));
    assert_eq!(ubuntu.size_bytes(), Some(2_361_393_152));
    assert_eq!(ubuntu.cluster_references().len(), 1);
    let checksum = ubuntu.resources().unwrap().checksum.as_ref().unwrap();
    assert_eq!(checksum.checksum_algorithm, Some(ChecksumAlgorithm::Sha256));
    assert_eq!(
        ubuntu.metadata.as_ref().unwrap().categories()["OSType"],
        ["Linux"]
    );
    let iso = &page.entities[1];
    assert_eq!(iso.image_type(), Some(&ImageType::IsoImage));
    assert_eq!(iso.size_bytes(), Some(612_630_528));
    assert!(iso.cluster_references().is_empty());
    let pending = &page.entities[2];
    assert_eq!(
        pending.image_type(),
        Some(&ImageType::Unknown("OVA_IMAGE".into()))
    );
    assert_eq!(pending.size_bytes(), None);
    let ctx = pending
        .status
        .as_ref()
        .unwrap()
        .execution_context
        .as_ref()
        .unwrap();
    assert_eq!(ctx.task_uuids(), ["3c2e1f00-0000-4000-8000-00000000a003"]);
    assert_eq!(
        pending.resources().unwrap().architecture,
        Some(Architecture::Unknown("AARCH64".into()))
    );
    round_trip(&page);
}

#[test]
fn own_volume_groups_list() {
    let page: ListResponse<VolumeGroup> = own("volume_groups_list.json");
    assert_eq!(page.entities.len(), 2);
    let sql = &page.entities[0];
    assert_eq!(sql.name(), Some("sql-data-vg"));
    assert_eq!(sql.size_bytes(), Some(322_122_547_200));
    assert_eq!(sql.disks().len(), 2);
    let attached: Vec<_> = sql
        .attached_vm_references()
        .iter()
        .filter_map(|r| r.name.as_deref())
        .collect();
    assert_eq!(attached, ["sql-01", "sql-02"]);
    assert_eq!(
        sql.cluster_reference().and_then(|r| r.name.as_deref()),
        Some("ganon")
    );
    let res = sql.resources().unwrap();
    assert_eq!(
        (res.sharing_status.clone(), res.usage_type.clone()),
        (
            Some(SharingStatus::Shared),
            Some(VolumeGroupUsageType::User)
        )
    );
    let scratch = &page.entities[1];
    assert_eq!(
        scratch.size_bytes(),
        Some(10_240 * 1024 * 1024 + 5_368_709_120),
        "sum of disk sizes"
    );
    assert!(scratch.attached_vm_references().is_empty());
    assert_eq!(
        scratch.resources().unwrap().usage_type,
        Some(VolumeGroupUsageType::UsageUnknown)
    );
    round_trip(&page);
}

#[test]
fn own_projects_list() {
    let page: ListResponse<Project> = own("projects_list.json");
    assert_eq!(page.entities.len(), 2);
    let internal = &page.entities[0];
    assert_eq!(internal.name(), Some("_internal"));
    assert!(internal.is_default());
    let data = &page.entities[1];
    assert_eq!(data.name(), Some("data-platform"));
    assert_eq!(data.description(), Some("Analytics team"));
    assert!(!data.is_default());
    let quotas = &data
        .resources()
        .unwrap()
        .resource_domain
        .as_ref()
        .unwrap()
        .resources;
    assert_eq!(quotas.len(), 3);
    assert_eq!(quotas[1].limit, Some(1_099_511_627_776));
    assert_eq!(quotas[2].limit, None);
    assert_eq!(data.resources().unwrap().user_reference_list.len(), 1);
    assert!(
        data.resources()
            .unwrap()
            .environment_reference_list
            .is_empty()
    );
    round_trip(&page);
}

#[test]
fn own_category_keys_and_values() {
    let keys: ListResponse<CategoryKey> = own("category_keys_list.json");
    let names: Vec<_> = keys.entities.iter().filter_map(Entity::key).collect();
    assert_eq!(names, ["AppType", "CostCenter", "Environment"]);
    assert_eq!(
        keys.entities[2].system_defined,
        Some(true),
        "boolean sent as string"
    );
    assert!(keys.entities.iter().all(|k| k.metadata().is_none()));
    round_trip(&keys);

    let values: ListResponse<CategoryValue> = own("category_values_list.json");
    let ids: Vec<_> = values.entities.iter().filter_map(Entity::key).collect();
    assert_eq!(
        ids,
        [
            "Environment/Production",
            "Environment/Dev",
            "Environment/Testing"
        ]
    );
    round_trip(&values);
}

#[test]
fn own_groups_time_series() {
    let g: GroupsResponse = own("groups_time_series.json");
    assert_eq!(g.entities().count(), 2);
    // vm-1: cpu 3 usable of 4 (-1 skipped), memory 3 of 4 ("" skipped), iops none;
    // vm-2: cpu 2, memory 0 ("garbage" skipped).
    assert_eq!(g.samples().count(), 3 + 3 + 2);
    let series = g.metric_series();
    assert_eq!(series.len(), 5);
    let cpu1 = &series[0];
    assert_eq!(cpu1.entity_id, "bdbbad7a-a401-4f9a-a789-2b8406905b56");
    assert_eq!(cpu1.attribute, "hypervisor_cpu_usage_ppm");
    assert_eq!(
        cpu1.points,
        [
            (1_735_689_600_000, 152_340.0),
            (1_735_689_900_000, 98_000.0),
            (1_735_690_500_000, 201_500.0)
        ]
    );
    let iops = series
        .iter()
        .find(|s| s.attribute == "controller_num_iops")
        .unwrap();
    assert!(iops.points.is_empty());
    let cpu2 = series
        .iter()
        .find(|s| s.entity_id.starts_with("e3c4") && s.attribute.starts_with("hyper"))
        .unwrap();
    assert_eq!(
        cpu2.points,
        [
            (1_735_689_600_000, 250_000.0),
            (1_735_689_900_000, 500_000.0)
        ],
        "sorted by time"
    );
    let mem2 = series
        .iter()
        .find(|s| s.entity_id.starts_with("e3c4") && s.attribute == "memory_usage_ppm")
        .unwrap();
    assert!(mem2.points.is_empty());
    let first = g.entities().next().unwrap();
    assert_eq!(first.latest("memory_usage_ppm"), Some("418250"));
    round_trip(&g);
}

#[test]
fn own_vm_odd_shapes() {
    let page: ListResponse<Vm> = own("vm_odd_shapes.json");
    assert_eq!(
        page.metadata.total_matches,
        Some(3),
        "total_matches sent as a string"
    );
    assert_eq!(page.entities.len(), 3);

    let odd = &page.entities[0];
    assert_eq!(
        odd.task_uuids(),
        ["a7b8c9d0-0000-4000-8000-00000000e0f1"],
        "task_uuid as a string"
    );
    assert_eq!(
        odd.metadata.as_ref().unwrap().entity_version.as_deref(),
        Some("7")
    );
    assert_eq!(odd.metadata.as_ref().unwrap().spec_version, Some(3));
    assert_eq!(
        odd.vcpus(),
        Some(4),
        "2 sockets x 2 per socket, threads per core ignored"
    );
    assert_eq!(odd.memory_bytes(), Some(4 * 1024 * 1024 * 1024));
    assert_eq!(
        odd.power_state(),
        Some(&PowerState::Unknown("SUSPENDED".into()))
    );
    assert!(!odd.is_powered_on());
    assert_eq!(
        odd.disks().len(),
        2,
        "CDROM and VOLUME_GROUP excluded, null element dropped"
    );
    assert_eq!(odd.resources().unwrap().disk_list.len(), 4);
    assert_eq!(
        odd.provisioned_storage_bytes(),
        20_480 * 1024 * 1024 + 53_687_091_200
    );
    assert_eq!(
        odd.ip_addresses(),
        ["10.40.142.60", "fe80::526b:8dff:fe00:1", "192.168.0.10"]
    );
    assert_eq!(odd.nics().len(), 3);
    assert_eq!(
        odd.nics()[1].nic_type,
        Some(NicType::Unknown("SRIOV_FUTURE_NIC".into()))
    );
    assert_eq!(
        odd.host_reference().and_then(|r| r.name.as_deref()),
        Some("ahv-node-01")
    );
    assert_eq!(odd.gpu_count(), 1);
    assert_eq!(odd.guest_os(), Some("linux:64:Ubuntu-22.04"));
    assert_eq!(odd.state(), Some("RUNNING_BACKGROUND_TASK"));
    let cats = odd.categories();
    assert_eq!(cats["Environment"], ["Dev", "Testing"]);
    assert_eq!(
        cats["AppType"],
        ["Kubernetes"],
        "a scalar mapping value is a one-element list"
    );
    assert_eq!(
        odd.metadata.as_ref().unwrap().categories_single.len(),
        1,
        "null category value dropped"
    );
    let res = odd.resources().unwrap();
    let boot = res.boot_config.as_ref().unwrap();
    assert_eq!(boot.boot_type, Some(BootType::SecureBoot));
    assert_eq!(
        boot.boot_device_order_list,
        [BootDeviceType::Disk, BootDeviceType::Unknown("USB".into())]
    );
    assert_eq!(
        res.protection_type,
        Some(ProtectionType::Unknown("FUTURE_PROTECTION".into()))
    );
    assert_eq!(res.machine_type, Some(MachineType::Q35));
    let ngt = res
        .guest_tools
        .as_ref()
        .unwrap()
        .nutanix_guest_tools
        .as_ref()
        .unwrap();
    assert_eq!(
        (ngt.ngt_state.clone(), ngt.is_reachable),
        (Some(NgtState::Installed), Some(true))
    );
    let cdrom = &res.disk_list[0];
    assert_eq!(
        (cdrom.device_type(), cdrom.size_bytes()),
        (DeviceType::Cdrom, None)
    );
    let addr = res.disk_list[2]
        .device_properties
        .as_ref()
        .unwrap()
        .disk_address
        .as_ref()
        .unwrap();
    assert_eq!(
        addr.adapter_type,
        Some(AdapterType::Unknown("NVME_FUTURE".into()))
    );
    assert_eq!(addr.device_index, Some(1));
    assert_eq!(res.gpu_list[0].frame_buffer_size_mib, Some(4096));

    let created = &page.entities[1];
    assert!(created.status.is_none());
    assert_eq!(created.name(), Some("just-created"));
    assert_eq!(created.description(), Some("no status yet"));
    assert_eq!(created.vcpus(), Some(1), "vCPUs per socket default to 1");
    assert_eq!(created.memory_bytes(), Some(2 * 1024 * 1024 * 1024));
    assert_eq!(created.power_state(), Some(&PowerState::Off));
    assert_eq!(created.provisioned_storage_bytes(), 10_737_418_240);
    assert_eq!(
        created.cluster_reference().and_then(|r| r.name.as_deref()),
        Some("bowser")
    );
    assert!(created.categories().is_empty());
    assert!(created.task_uuids().is_empty());

    let failed = &page.entities[2];
    assert_eq!(failed.state(), Some("ERROR"));
    let msg = &failed.status.as_ref().unwrap().message_list[0];
    assert_eq!(msg.reason, Some(ErrorReason::ResourceShortage));
    assert_eq!(failed.vcpus(), Some(0));
    assert_eq!(failed.memory_bytes(), None, "negative memory is no value");
    assert_eq!(failed.power_state(), Some(&PowerState::StateUnknown));
    assert!(failed.disks().is_empty());
    assert!(failed.ip_addresses().is_empty());
    assert_eq!(
        failed.gpu_count(),
        0,
        "gpu_list of the wrong shape is empty"
    );
    assert_eq!(
        failed.host_reference(),
        None,
        "host_reference of the wrong shape is absent"
    );
    assert!(failed.resources().unwrap().boot_config.is_none());
    round_trip(&page);
}

#[test]
fn own_error_bodies() {
    let table: &[(&str, Option<i64>, ErrorReason, &str, &str)] = &[
        (
            "error_details_string.json",
            Some(401),
            ErrorReason::AuthenticationRequired,
            "Authentication required.",
            "string",
        ),
        (
            "error_details_map.json",
            Some(422),
            ErrorReason::ValidationError,
            "Request could not be processed.",
            "map",
        ),
        (
            "error_details_map_of_lists.json",
            Some(500),
            ErrorReason::InternalError,
            "Internal Server Error.",
            "map of lists",
        ),
        (
            "error_generic_failure.json",
            Some(403),
            ErrorReason::AccessDenied,
            "User is not authorized to perform this operation.",
            "map",
        ),
    ];
    for (file, code, reason, message, details_shape) in table {
        let e: ErrorResponse = own(file);
        assert!(e.is_error(), "{file}");
        assert_eq!(e.code, *code, "{file}");
        assert_eq!(e.first_reason(), Some(reason), "{file}");
        assert_eq!(e.first_message(), Some(*message), "{file}");
        assert_eq!(e.summary(), format!("{reason}: {message}"), "{file}");
        let details = e
            .first_details()
            .unwrap_or_else(|| panic!("{file}: no details"));
        let shape = match details {
            serde_json::Value::String(_) => "string",
            serde_json::Value::Object(o) if o.values().all(serde_json::Value::is_array) => {
                "map of lists"
            }
            serde_json::Value::Object(_) => "map",
            _ => "other",
        };
        assert_eq!(shape, *details_shape, "{file}");
        round_trip(&e);
    }
    let generic: ErrorResponse = own("error_generic_failure.json");
    assert_eq!(generic.status.as_deref(), Some("failure"));
    assert!(generic.message_list.is_empty());
}

#[test]
fn own_users_me() {
    let u: UserInfo = own("users_me.json");
    assert_eq!(u.username(), Some("admin"));
    assert_eq!(u.display_name(), Some("Administrator"));
    round_trip(&u);
}

// ---------------------------------------------------------------- serde round trips of built values

#[test]
fn requests_round_trip() {
    let req = ListRequest::new("vm")
        .offset(500)
        .length(500)
        .filter("power_state==on")
        .sort("vm_name", SortOrder::Descending);
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(json["sort_order"], "DESCENDING");
    assert_eq!(serde_json::from_value::<ListRequest>(json).unwrap(), req);

    let groups = GroupsRequest::time_series(
        "vm",
        ["a", "b"],
        ["hypervisor_cpu_usage_ppm"],
        1_000,
        2_000,
        60,
    )
    .query_name("nutanix-cloudforet");
    let back: GroupsRequest =
        serde_json::from_value(serde_json::to_value(&groups).unwrap()).unwrap();
    assert_eq!(back, groups);
}

// ---------------------------------------------------------------- property tests: odd input never panics

mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// Deterministic generator (splitmix64) driven by a proptest-chosen seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// True with probability `percent` / 100.
        fn hit(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    /// Mutations the models promise to tolerate: dropped keys, `null` anywhere, `null` list
    /// elements, numbers as strings, strings as numbers, booleans as strings. With `hostile`,
    /// containers may also become scalars and scalars containers (decoding may then fail, but
    /// must not panic).
    fn mutate_fields(v: &mut Value, rng: &mut Rng, percent: u64, hostile: bool) {
        if let Value::Object(map) = v {
            map.values_mut()
                .for_each(|child| mutate(child, rng, percent, hostile));
        }
    }

    fn mutate(v: &mut Value, rng: &mut Rng, percent: u64, hostile: bool) {
        if rng.hit(percent / 2) {
            *v = Value::Null;
            return;
        }
        if hostile && rng.hit(percent / 2) {
            *v = match v {
                Value::Object(_) | Value::Array(_) => Value::from(rng.next() % 7),
                _ => Value::Array(vec![Value::from("x")]),
            };
            return;
        }
        match v {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    if rng.hit(percent / 2) {
                        map.remove(&k);
                    } else if let Some(child) = map.get_mut(&k) {
                        mutate(child, rng, percent, hostile);
                    }
                }
            }
            Value::Array(items) => {
                for item in items.iter_mut() {
                    mutate(item, rng, percent, hostile);
                }
                if rng.hit(percent / 2) {
                    items.push(Value::Null);
                }
            }
            Value::Number(n) if rng.hit(percent) => *v = Value::String(n.to_string()),
            Value::Bool(b) if rng.hit(percent) => *v = Value::String(b.to_string()),
            Value::String(s) if rng.hit(percent) => {
                *v = match s.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => Value::from(rng.next() % 100_000),
                }
            }
            _ => {}
        }
    }

    /// Calls every accessor; results are checked for internal consistency only.
    fn exercise(vm: &Vm) {
        let _ = (
            vm.uuid(),
            vm.name(),
            vm.description(),
            vm.vcpus(),
            vm.memory_bytes(),
        );
        let disks = vm.disks();
        assert!(disks.iter().all(|d| d.is_disk()));
        let total: u64 = disks
            .iter()
            .filter_map(|d| d.size_bytes())
            .fold(0, u64::saturating_add);
        assert_eq!(vm.provisioned_storage_bytes(), total);
        let ips = vm.ip_addresses();
        let unique: BTreeSet<&str> = ips.iter().copied().collect();
        assert_eq!(
            unique.len(),
            ips.len(),
            "ip_addresses must be de-duplicated"
        );
        assert!(ips.iter().all(|ip| !ip.is_empty()));
        let _ = (
            vm.nics(),
            vm.power_state(),
            vm.is_powered_on(),
            vm.cluster_reference(),
            vm.host_reference(),
        );
        let _ = (
            vm.categories(),
            vm.project_reference(),
            vm.owner_reference(),
        );
        let _ = (
            vm.creation_time(),
            vm.last_update_time(),
            vm.gpu_count(),
            vm.guest_os(),
        );
        let _ = (
            vm.hypervisor_type(),
            vm.state(),
            vm.task_uuids(),
            vm.key(),
            vm.resources(),
        );
    }

    fn seed_vms() -> Vec<Value> {
        let mut out = Vec::new();
        for (dir, file) in [
            (shared_dir(), "pgc_vms_list_response.json"),
            (own_dir(), "vm_odd_shapes.json"),
        ] {
            let page: Value = serde_json::from_str(&read(&dir, file)).unwrap();
            out.extend(
                page["entities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|v| v.is_object())
                    .cloned(),
            );
        }
        out
    }

    /// Every key used anywhere in the VM fixtures, so random objects hit real fields.
    fn vocabulary() -> Vec<String> {
        fn walk(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        out.insert(k.clone());
                        walk(child, out);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let mut keys = BTreeSet::new();
        seed_vms().iter().for_each(|v| walk(v, &mut keys));
        keys.into_iter().collect()
    }

    fn arb_json(keys: Vec<String>) -> impl Strategy<Value = Value> + Clone {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            // Decimals serde_json parses exactly (its default float parser is not correctly
            // rounded for long mantissas with large exponents, which would break round trips
            // of raw JSON kept in `serde_json::Value` fields).
            (any::<i32>(), 0_i32..4).prop_map(|(m, e)| Value::from(f64::from(m) / 10_f64.powi(e))),
            "[-0-9.eE]{0,8}".prop_map(Value::String),
            prop::sample::select(vec![
                "ON",
                "OFF",
                "DISK",
                "CDROM",
                "PRISM_CENTRAL",
                "",
                "-1",
                "1e3"
            ])
            .prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 96, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(prop::sample::select(keys.clone()), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// Mostly objects (the interesting case), sometimes any value.
    fn arb_body() -> impl Strategy<Value = Value> {
        let keys = vocabulary();
        let any_value = arb_json(keys.clone());
        let object =
            prop::collection::btree_map(prop::sample::select(keys), any_value.clone(), 0..12)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()));
        prop_oneof![4 => object, 1 => any_value]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Tolerated mutations of real VM bodies always decode, accessors hold, and the decoded
        /// value survives a serde round trip.
        #[test]
        fn tolerated_mutations_decode(seed in any::<u64>(), percent in 1_u64..60) {
            let mut rng = Rng(seed);
            for base in seed_vms() {
                let mut v = base;
                mutate_fields(&mut v, &mut rng, percent, false);
                let vm: Vm = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("tolerated mutation failed to decode: {e}\n{v}"));
                exercise(&vm);
                let back: Vm = serde_json::from_value(serde_json::to_value(&vm).unwrap()).unwrap();
                prop_assert_eq!(back, vm);
            }
        }

        /// Hostile mutations (containers and scalars swapped anywhere below the root) still
        /// decode: a field of the wrong shape is treated as absent.
        #[test]
        fn hostile_mutations_decode(seed in any::<u64>(), percent in 1_u64..60) {
            let mut rng = Rng(seed);
            for base in seed_vms() {
                let mut v = base;
                mutate_fields(&mut v, &mut rng, percent, true);
                let vm: Vm = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("hostile mutation failed to decode: {e}\n{v}"));
                exercise(&vm);
                let back: Vm = serde_json::from_value(serde_json::to_value(&vm).unwrap()).unwrap();
                prop_assert_eq!(back, vm);
            }
        }

        /// Any JSON object (keys drawn from real VM field names) decodes into a `Vm` and into a
        /// page of them; accessors hold and the value round-trips. Other shapes never panic
        /// (serde may accept an array as a positional struct).
        #[test]
        fn arbitrary_json_decodes_into_vm(v in arb_body()) {
            let decoded = serde_json::from_value::<Vm>(v.clone());
            prop_assert!(decoded.is_ok() || !v.is_object(), "{:?}", decoded.err());
            if let Ok(vm) = decoded {
                exercise(&vm);
                let back: Vm = serde_json::from_value(serde_json::to_value(&vm).unwrap()).unwrap();
                prop_assert_eq!(back, vm);
            }
            let page = serde_json::json!({"metadata": v.clone(), "entities": [v.clone(), v.clone()]});
            let page: ListResponse<Vm> = serde_json::from_value(page).unwrap();
            prop_assert_eq!(page.entities.len(), if v.is_object() { 2 } else { 0 });
            page.entities.iter().for_each(exercise);
        }

        /// Every other model decodes any JSON object too, and its accessors hold.
        #[test]
        fn arbitrary_json_decodes_into_other_models(v in arb_body()) {
            fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(v: &Value) -> Option<T> {
                let decoded = serde_json::from_value::<T>(v.clone());
                let name = std::any::type_name::<T>();
                assert!(decoded.is_ok() || !v.is_object(), "{name}: {:?}", decoded.as_ref().err());
                let value = decoded.ok()?;
                round_trip(&value);
                Some(value)
            }
            if let Some(c) = check::<Cluster>(&v) {
                let _ = (c.is_prism_central(), c.version(), c.external_ip(), c.timezone(), c.name());
                prop_assert!(c.node_count().is_none_or(|n| n == c.hypervisor_servers().len()));
                let types = c.hypervisor_types();
                prop_assert_eq!(types.iter().collect::<BTreeSet<_>>().len(), types.len());
            }
            if let Some(s) = check::<Subnet>(&v) {
                let _ = (s.vlan_id(), s.cluster_reference(), s.subnet_type(), s.gateway(), s.is_external());
                if let Some(cidr) = s.cidr() {
                    prop_assert!(cidr.contains('/'));
                }
            }
            if let Some(h) = check::<Host>(&v) {
                let _ = (h.memory_bytes(), h.cpu_cores(), h.cpu_sockets(), h.num_vms(), h.hypervisor_name());
                let _ = (h.cluster_reference(), h.host_type(), h.cpu_capacity_hz(), h.controller_vm_ip());
            }
            if let Some(i) = check::<Image>(&v) {
                let _ = (i.size_bytes(), i.image_type(), i.name(), i.cluster_references());
            }
            if let Some(vg) = check::<VolumeGroup>(&v) {
                let _ = (vg.size_bytes(), vg.attached_vm_references(), vg.disks(), vg.cluster_reference());
            }
            if let Some(p) = check::<Project>(&v) {
                let _ = (p.name(), p.is_default(), p.description());
            }
            if let Some(k) = check::<CategoryKey>(&v) {
                prop_assert_eq!(k.key(), k.name.as_deref().filter(|n| !n.is_empty()));
            }
            if let Some(c) = check::<CategoryValue>(&v) {
                prop_assert_eq!(c.key().is_some(), c.value.as_deref().is_some_and(|v| !v.is_empty()));
            }
            if let Some(pc) = check::<PrismCentralInfo>(&v) {
                let _ = (pc.version(), pc.pc_size(), pc.vms());
            }
            if let Some(u) = check::<UserInfo>(&v) {
                let _ = (u.username(), u.display_name());
            }
            if let Some(e) = check::<ErrorResponse>(&v) {
                prop_assert!(e.summary().chars().count() <= SUMMARY_MAX_CHARS);
                prop_assert!(!e.summary().chars().any(char::is_control));
            }
            if let Some(g) = check::<GroupsResponse>(&v) {
                prop_assert!(g.samples().all(|s| s.value >= 0.0 && s.value.is_finite()));
                for s in g.metric_series() {
                    prop_assert!(s.points.windows(2).all(|w| w[0].0 <= w[1].0));
                }
            }
        }
    }
}
