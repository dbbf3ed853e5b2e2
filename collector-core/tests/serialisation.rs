//! Records serialise with sorted keys by construction: a serde serializer that writes fields in
//! declaration order (`serde_json::to_string`, the protobuf `Struct` writer of the plugin) gives
//! exactly the canonical JSON of `to_json_string` (sorted keys, empty values left out), for every
//! kind. The typed `data` of VMs and Disks agrees with the generic JSON view of the same record.

mod common;

use collector_core::catalog::ServiceKind;
use collector_core::context::PrismCentral;
use collector_core::data::ServiceData;
use collector_core::mapping::{
    ClusterNames, cluster_record, cluster_region, host_record, image_record, subnet_record,
    vm_records, volume_group_record,
};
use collector_core::record::{Resource, ResourceRecord};
use nutanix_prism::model::{Cluster, Host, Image, ListResponse, Subnet, Vm, VolumeGroup};

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

/// Every record the fixtures of this crate and the shared real bodies give, of every kind.
fn all_records() -> Vec<ResourceRecord> {
    let pc = pc();
    let n = clusters();
    let mut out = Vec::new();
    let vms: ListResponse<Vm> = common::shared("pgc_vms_list_response.json");
    let rich: Vm = common::own("vm_rich.json");
    for vm in vms.entities.iter().chain([&rich]) {
        out.extend(vm_records(&pc, vm, &n).into_iter().map(Result::unwrap));
    }
    let cl: ListResponse<Cluster> = common::shared("pgc_clusters_list_response.json");
    for c in &cl.entities {
        out.extend(cluster_record(&pc, c).map(Result::unwrap));
        out.extend(
            cluster_region(c)
                .into_iter()
                .map(|r| ResourceRecord::region(r).unwrap()),
        );
    }
    let subnets: ListResponse<Subnet> = common::shared("pgc_subnets_list_response.json");
    out.extend(
        subnets
            .entities
            .iter()
            .map(|s| subnet_record(&pc, s, &n).unwrap()),
    );
    let hosts: ListResponse<Host> = common::own("hosts_list.json");
    out.extend(
        hosts
            .entities
            .iter()
            .map(|h| host_record(&pc, h, &n).unwrap()),
    );
    let images: ListResponse<Image> = common::own("images_list.json");
    out.extend(
        images
            .entities
            .iter()
            .map(|i| image_record(&pc, i, &n).unwrap()),
    );
    let vgs: ListResponse<VolumeGroup> = common::own("volume_groups_list.json");
    out.extend(
        vgs.entities
            .iter()
            .map(|v| volume_group_record(&pc, v, &n).unwrap()),
    );
    out.extend(
        ServiceKind::ALL
            .iter()
            .map(|k| ResourceRecord::cloud_service_type(k.cloud_service_type())),
    );
    out.push(ResourceRecord::error(Some("Compute"), Some("Host"), "boom"));
    out
}

#[test]
fn direct_serialisation_equals_canonical_json_for_every_kind() {
    let records = all_records();
    let mut kinds = std::collections::BTreeSet::new();
    for r in &records {
        let direct = serde_json::to_string(r).unwrap();
        assert_eq!(direct, r.to_json_string().unwrap(), "keys out of order");
        let resource = serde_json::to_string(&r.resource).unwrap();
        assert_eq!(
            resource,
            serde_json::to_string(&r.resource_json().unwrap()).unwrap()
        );
        kinds.insert(match &r.resource {
            Resource::CloudService(s) => s.cloud_service_type.to_string(),
            Resource::CloudServiceType(_) => "type".to_owned(),
            Resource::Region(_) => "region".to_owned(),
            _ => "error".to_owned(),
        });
    }
    for k in [
        "VirtualMachine",
        "Disk",
        "Cluster",
        "Subnet",
        "Host",
        "Image",
        "VolumeGroup",
        "type",
        "region",
        "error",
    ] {
        assert!(kinds.contains(k), "no {k} record among the fixtures");
    }
}

#[test]
fn vm_and_disk_records_carry_typed_data() {
    let rich: Vm = common::own("vm_rich.json");
    let recs: Vec<_> = vm_records(&pc(), &rich, &clusters())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let data: Vec<&ServiceData> = recs
        .iter()
        .map(|r| match &r.resource {
            Resource::CloudService(s) => &s.data,
            other => panic!("not a cloud service: {other:?}"),
        })
        .collect();
    assert!(matches!(data[0], ServiceData::VirtualMachine(_)));
    assert!(data[1..].iter().all(|d| matches!(d, ServiceData::Disk(_))));
    for (r, d) in recs.iter().zip(&data) {
        let json = r.to_json().unwrap();
        assert_eq!(d.to_json().unwrap(), json["resource"]["data"]);
        assert_eq!(
            d.cluster_name(),
            json["resource"]["data"]["cluster"]["name"].as_str()
        );
    }
    // a Disk record names its VM and shares the VM's cluster
    let ServiceData::Disk(disk) = data[1] else {
        unreachable!()
    };
    let ServiceData::VirtualMachine(vm) = data[0] else {
        unreachable!()
    };
    assert_eq!(disk.cluster, vm.cluster);
    assert_eq!(
        disk.vm.as_ref().and_then(|v| v.uuid.as_deref()),
        vm.nutanix.as_ref().and_then(|n| n.vm_uuid.as_deref())
    );
}
