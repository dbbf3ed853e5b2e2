//! Golden records built from real (shared) and hand-written Prism bodies, compared byte for
//! byte with `tests/golden/*.json`. Regenerate after a reviewed change with
//! `UPDATE_GOLDEN=1 cargo test -p collector-core --test golden`.

mod common;

use collector_core::catalog::ServiceKind;
use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, DateRange, PriceBook};
use collector_core::mapping::{
    ClusterNames, cluster_record, cluster_region, host_record, image_record, subnet_record,
    vm_records, vm_usage, volume_group_record,
};
use collector_core::metrics::metric_list;
use collector_core::record::ResourceRecord;
use nutanix_prism::model::{Cluster, Host, Image, ListResponse, Subnet, Vm, VolumeGroup};
use serde_json::{Value, json};
use time::macros::{date, datetime};

fn pc() -> PrismCentral {
    PrismCentral::new("https://pc.example.com:9440")
        .with_name("pc-prod")
        .with_uuid("9e5b4c36-pc00-4000-8000-000000000001")
}

fn clusters() -> ClusterNames {
    ClusterNames::from([(
        "00061f7f-44f7-19dc-3be1-7cc25586ee44".to_owned(),
        "ncn-dev-sandbox".to_owned(),
    )])
}

fn records_json(records: impl IntoIterator<Item = ResourceRecord>) -> Value {
    Value::Array(records.into_iter().map(|r| r.to_json().unwrap()).collect())
}

fn vm_fixture() -> Vm {
    let page: ListResponse<Vm> = common::shared("pgc_vms_list_response.json");
    page.entities.into_iter().next().unwrap()
}

#[test]
fn vm_and_disk_records_from_the_real_vm() {
    let recs: Vec<_> = vm_records(&pc(), &vm_fixture(), &clusters())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(recs.len(), 2, "one VM + one DISK (no CD-ROM in this body)");
    common::golden("vm_records.json", &records_json(recs));
}

#[test]
fn rich_vm_records() {
    let vm: Vm = common::own("vm_rich.json");
    let recs: Vec<_> = vm_records(&pc(), &vm, &clusters())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        recs.len(),
        3,
        "VM + two disks; the CD-ROM is not a Disk record"
    );
    common::golden("vm_rich_records.json", &records_json(recs));
}

#[test]
fn cluster_records_skip_prism_central() {
    let page: ListResponse<Cluster> = common::shared("pgc_clusters_list_response.json");
    assert_eq!(page.entities.len(), 2);
    let recs: Vec<_> = page
        .entities
        .iter()
        .filter_map(|c| cluster_record(&pc(), c))
        .map(Result::unwrap)
        .collect();
    assert_eq!(recs.len(), 1, "the Prism Central entry is not a cluster");
    let regions: Vec<_> = page
        .entities
        .iter()
        .filter_map(cluster_region)
        .map(|r| ResourceRecord::region(r).unwrap())
        .collect();
    assert_eq!(regions.len(), 1);
    common::golden(
        "cluster_records.json",
        &records_json(recs.into_iter().chain(regions)),
    );
}

#[test]
fn cluster_get_body_maps_too() {
    let c: Cluster = common::shared("pgc_cluster_get_response.json");
    let rec = cluster_record(&pc(), &c)
        .expect("a PE cluster")
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(rec["resource"]["cloud_service_type"], "Cluster");
    assert_eq!(
        rec["resource"]["region_code"],
        rec["resource"]["reference"]["resource_id"]
    );
}

#[test]
fn subnet_records() {
    let page: ListResponse<Subnet> = common::shared("pgc_subnets_list_response.json");
    let recs: Vec<_> = page
        .entities
        .iter()
        .map(|s| subnet_record(&pc(), s, &clusters()).unwrap())
        .collect();
    assert_eq!(recs.len(), 3);
    common::golden("subnet_records.json", &records_json(recs));
}

#[test]
fn host_image_volume_group_records() {
    let hosts: ListResponse<Host> = common::own("hosts_list.json");
    let images: ListResponse<Image> = common::own("images_list.json");
    let vgs: ListResponse<VolumeGroup> = common::own("volume_groups_list.json");
    let n = clusters();
    let recs: Vec<_> = hosts
        .entities
        .iter()
        .map(|h| host_record(&pc(), h, &n).unwrap())
        .chain(
            images
                .entities
                .iter()
                .map(|i| image_record(&pc(), i, &n).unwrap()),
        )
        .chain(
            vgs.entities
                .iter()
                .map(|v| volume_group_record(&pc(), v, &n).unwrap()),
        )
        .collect();
    common::golden("host_image_volume_group_records.json", &records_json(recs));
}

#[test]
fn cloud_service_type_records() {
    let recs = ServiceKind::ALL
        .iter()
        .map(|k| ResourceRecord::cloud_service_type(k.cloud_service_type()));
    common::golden("cloud_service_types.json", &records_json(recs));
}

/// One day of cost records of the real VM (`test-vm`, powered OFF, 1 vCPU, 1 GiB, one 8 GiB
/// disk), with the default price book (storage only: powered-off VMs pay no compute) and with
/// `charge_powered_off_compute`.
#[test]
fn one_day_of_costs_for_the_real_vm() {
    let usage = vm_usage(&vm_fixture(), &clusters());
    let pc = pc();
    let as_of = datetime!(2025-07-01 00:00 UTC);
    let day = DateRange::new(date!(2025 - 06 - 08), date!(2025 - 06 - 08)).unwrap();
    let default_book = PriceBook::default();
    let charged_book =
        PriceBook::from_options(&json!({"price_book": {"charge_powered_off_compute": true}}))
            .unwrap();
    let default_day = CostModel::new(&default_book, &pc, as_of).daily(&usage, day);
    let charged_day = CostModel::new(&charged_book, &pc, as_of).daily(&usage, day);
    assert_eq!(
        default_day
            .iter()
            .map(|r| r.usage_type.as_str())
            .collect::<Vec<_>>(),
        ["storage"]
    );
    assert_eq!(
        charged_day
            .iter()
            .map(|r| r.usage_type.as_str())
            .collect::<Vec<_>>(),
        ["vcpu", "memory", "storage"]
    );
    common::golden(
        "vm_cost_day.json",
        &json!({"default_price_book": default_day, "charge_powered_off_compute": charged_day}),
    );
}

#[test]
fn cost_records_of_the_rich_vm_for_its_creation_day() {
    let vm: Vm = common::own("vm_rich.json");
    let usage = vm_usage(&vm, &clusters());
    let pc = pc();
    let book = PriceBook::from_options(&json!({"price_book": {"storage_tiers": [
        {"name": "gold", "storage_container": "gold", "storage_gib_month": 0.1}]}}))
    .unwrap();
    let day = DateRange::new(date!(2025 - 05 - 31), date!(2025 - 06 - 01)).unwrap();
    let recs = CostModel::new(&book, &pc, datetime!(2025-06-01 12:00 UTC)).daily(&usage, day);
    common::golden("vm_rich_costs.json", &serde_json::to_value(recs).unwrap());
}

#[test]
fn metric_list_for_the_real_vm() {
    let rec = vm_records(&pc(), &vm_fixture(), &clusters())
        .remove(0)
        .unwrap()
        .to_json()
        .unwrap();
    let query = &rec["resource"]["data"]["nutanix"];
    common::golden("vm_metric_list.json", &metric_list(query));
}
