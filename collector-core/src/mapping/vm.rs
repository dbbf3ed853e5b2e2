//! VirtualMachine and Disk records, and the cost model's view of a VM.

use nutanix_prism::model::{Disk, Nic, PowerState, Vm};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::common::{
    ClusterNames, Obj, categories_rows, categories_to_tags, cluster_name, ref_uuid, reference,
    service, sorted_ips,
};
use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::cost::{DiskUsage, VmUsage};
use crate::error::Result;
use crate::record::ResourceRecord;

const GIB: u64 = 1 << 30;

/// `instance_type` of a VM: `<vCPUs>vCPU-<memory>GiB`, e.g. `4vCPU-16GiB`; memory is printed
/// with up to two decimals (`0.5GiB`); `<vCPUs>vCPU` alone without memory; `None` without vCPUs.
pub fn instance_type(vcpus: Option<u32>, memory_bytes: Option<u64>) -> Option<String> {
    let v = vcpus?;
    Some(match memory_bytes {
        Some(m) => format!("{v}vCPU-{}GiB", gib_text(m)),
        None => format!("{v}vCPU"),
    })
}

fn gib_text(bytes: u64) -> String {
    if bytes.is_multiple_of(GIB) {
        return (bytes / GIB).to_string();
    }
    // hundredths of a GiB, rounded half-up, in integers
    let hundredths = (u128::from(bytes) * 100 + u128::from(GIB) / 2) / u128::from(GIB);
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn disk_json(d: &Disk) -> Value {
    let props = d.device_properties.as_ref();
    let addr = props.and_then(|p| p.disk_address.as_ref());
    let container = d.storage_container_reference();
    let source = d.data_source_reference.as_ref();
    Obj::new()
        .text("uuid", d.uuid.as_deref())
        .text("device_type", Some(d.device_type().as_str()))
        .text(
            "adapter_type",
            addr.and_then(|a| a.adapter_type.as_ref())
                .map(|a| a.as_str()),
        )
        .int("device_index", addr.and_then(|a| a.device_index))
        .uint("size_bytes", d.size_bytes())
        .put("storage_container", reference(container, None))
        .text(
            "flash_mode",
            d.storage_config
                .as_ref()
                .and_then(|c| c.flash_mode.as_deref()),
        )
        .put(
            "data_source",
            source.map(|s| {
                Obj::new()
                    .text("kind", s.kind.as_deref())
                    .text("uuid", s.uuid.as_deref())
                    .build()
            }),
        )
        .put(
            "volume_group",
            reference(d.volume_group_reference.as_ref(), None),
        )
        .build()
}

fn nic_json(n: &Nic) -> Value {
    Obj::new()
        .text("uuid", n.uuid.as_deref())
        .text("mac_address", n.mac_address.as_deref())
        .text("nic_type", n.nic_type.as_ref().map(|t| t.as_str()))
        .text("model", n.model.as_ref().map(|t| t.as_str()))
        .put("subnet", reference(n.subnet_reference.as_ref(), None))
        .texts("ip_addresses", n.ip_addresses())
        .boolean("is_connected", n.is_connected)
        .text("vlan_mode", n.vlan_mode.as_ref().map(|t| t.as_str()))
        .text("floating_ip", n.floating_ip.as_deref())
        .build()
}

/// `data.nutanix`: what the monitoring plugin receives as `query` (its `required_keys`).
fn nutanix_block(pc: &PrismCentral, vm_uuid: &str, cluster_uuid: Option<&str>) -> Value {
    Obj::new()
        .text("vm_uuid", Some(vm_uuid))
        .text("cluster_uuid", cluster_uuid)
        .text("prism_central", Some(pc.host.as_str()))
        .text("prism_central_uuid", pc.uuid.as_deref())
        .build()
}

/// The VirtualMachine record of `vm`, followed by one Disk record per disk of device type
/// DISK. Records that cannot be built (no UUID) come back as errors, in place.
pub fn vm_records(
    pc: &PrismCentral,
    vm: &Vm,
    clusters: &ClusterNames,
) -> Vec<Result<ResourceRecord>> {
    let uuid = vm.uuid().unwrap_or_default();
    let cluster_ref = vm.cluster_reference();
    let cluster_uuid = ref_uuid(cluster_ref);
    let resources = vm.resources();
    let categories = vm.categories();
    let disks = vm.disks();
    let vcpus = vm.vcpus();
    let memory = vm.memory_bytes();

    let hardware = Obj::new()
        .uint("vcpus", vcpus.map(u64::from))
        .int("num_sockets", resources.and_then(|r| r.num_sockets))
        .int(
            "vcpus_per_socket",
            resources.and_then(|r| r.num_vcpus_per_socket),
        )
        .int(
            "threads_per_core",
            resources.and_then(|r| r.num_threads_per_core),
        )
        .uint("memory_bytes", memory)
        .uint("gpu_count", Some(vm.gpu_count() as u64))
        .uint(
            "provisioned_storage_bytes",
            Some(vm.provisioned_storage_bytes()),
        )
        .uint("disk_count", Some(disks.len() as u64))
        .uint("nic_count", Some(vm.nics().len() as u64))
        .build();
    let data = Obj::new()
        .text("power_state", vm.power_state().map(PowerState::as_str))
        .text("state", vm.state())
        .text("description", vm.description())
        .text("guest_os", vm.guest_os())
        .text("hypervisor_type", vm.hypervisor_type().map(|h| h.as_str()))
        .text(
            "machine_type",
            resources
                .and_then(|r| r.machine_type.as_ref())
                .map(|m| m.as_str()),
        )
        .text(
            "boot_type",
            resources
                .and_then(|r| r.boot_config.as_ref())
                .and_then(|b| b.boot_type.as_ref())
                .map(|b| b.as_str()),
        )
        .put("hardware", Some(hardware))
        .put("cluster", reference(cluster_ref, Some(clusters)))
        .put("host", reference(vm.host_reference(), None))
        .put("project", reference(vm.project_reference(), None))
        .put("owner", reference(vm.owner_reference(), None))
        .put(
            "disks",
            Some(Value::Array(
                vm.resources()
                    .map(|r| r.disk_list.iter().map(disk_json).collect())
                    .unwrap_or_default(),
            )),
        )
        .put(
            "nics",
            Some(Value::Array(vm.nics().iter().map(nic_json).collect())),
        )
        .put("categories", Some(categories_rows(&categories)))
        .text("created_at", vm.creation_time())
        .text("updated_at", vm.last_update_time())
        .put(
            "nutanix",
            (!uuid.is_empty()).then(|| nutanix_block(pc, uuid, cluster_uuid)),
        )
        .build();

    let mut svc = service(ServiceKind::VirtualMachine, pc, Some(uuid), vm.name());
    svc.instance_type = instance_type(vcpus, memory);
    svc.instance_size = vcpus.map(|v| v as f32);
    svc.ip_addresses = sorted_ips(vm.ip_addresses());
    svc.region_code = cluster_uuid.map(str::to_owned);
    svc.tags = categories_to_tags(&categories);
    svc.data = data;

    let mut out = vec![ResourceRecord::cloud_service(svc)];
    let vm_name = vm.name().filter(|n| !n.is_empty()).unwrap_or(uuid);
    let vm_ref = Obj::new()
        .text("uuid", Some(uuid))
        .text("name", vm.name())
        .build();
    let cluster_json = reference(cluster_ref, Some(clusters));
    for d in disks {
        let addr = d
            .device_properties
            .as_ref()
            .and_then(|p| p.disk_address.as_ref());
        let slot = match (
            addr.and_then(|a| a.adapter_type.as_ref()),
            addr.and_then(|a| a.device_index),
        ) {
            (Some(a), Some(i)) => Some(format!("{}.{i}", a.as_str())),
            _ => None,
        };
        let name = slot.map(|s| format!("{vm_name} / {s}"));
        let mut data = disk_json(d);
        if let Value::Object(map) = &mut data {
            if let Value::Object(vm_map) = &vm_ref
                && !vm_map.is_empty()
            {
                map.insert("vm".to_owned(), vm_ref.clone());
            }
            if let Some(c) = &cluster_json {
                map.insert("cluster".to_owned(), c.clone());
            }
        }
        let mut svc = service(ServiceKind::Disk, pc, d.uuid.as_deref(), name.as_deref());
        // Prism has no disk page: link the disk to its VM.
        svc.reference.external_link = pc.entity_link("vms", "vm", uuid);
        svc.region_code = cluster_uuid.map(str::to_owned);
        svc.data = data;
        out.push(ResourceRecord::cloud_service(svc));
    }
    out
}

/// What the cost model needs from a VM (see [`crate::cost::VmUsage`]).
///
/// Power: anything but `OFF` counts as powered on (`PAUSED` keeps its memory and `UNKNOWN` is
/// charged rather than given away); a VM without a power state counts as on.
pub fn vm_usage(vm: &Vm, clusters: &ClusterNames) -> VmUsage {
    let cluster_ref = vm.cluster_reference();
    VmUsage {
        vm_uuid: vm.uuid().unwrap_or_default().to_owned(),
        vm_name: vm.name().map(str::to_owned),
        cluster_uuid: ref_uuid(cluster_ref).map(str::to_owned),
        cluster_name: cluster_name(cluster_ref, clusters).map(str::to_owned),
        project: vm
            .project_reference()
            .and_then(|r| r.name.clone())
            .filter(|n| !n.is_empty()),
        powered_on: vm.power_state() != Some(&PowerState::Off),
        vcpus: vm.vcpus().unwrap_or(0),
        memory_bytes: vm.memory_bytes().unwrap_or(0),
        gpus: u32::try_from(vm.gpu_count()).unwrap_or(u32::MAX),
        disks: vm
            .disks()
            .into_iter()
            .map(|d| {
                DiskUsage::new(
                    d.size_bytes().unwrap_or(0),
                    d.storage_container_reference().and_then(|r| r.name.clone()),
                    d.storage_config.as_ref().and_then(|c| c.flash_mode.clone()),
                )
            })
            .collect(),
        created_at: vm
            .creation_time()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
        tags: categories_to_tags(&vm.categories()),
    }
}

/// The `data.nutanix` block of a VM (for callers building monitoring queries).
pub fn vm_monitoring_query(pc: &PrismCentral, vm: &Vm) -> Option<Value> {
    let uuid = vm.uuid().filter(|u| !u.is_empty())?;
    Some(nutanix_block(pc, uuid, ref_uuid(vm.cluster_reference())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types() {
        let cases = [
            (Some(4), Some(16 * GIB), Some("4vCPU-16GiB")),
            (Some(1), Some(GIB / 2), Some("1vCPU-0.5GiB")),
            (Some(2), Some(1536 << 20), Some("2vCPU-1.5GiB")),
            (Some(2), Some(100 << 20), Some("2vCPU-0.1GiB")),
            (Some(2), Some(GIB + 1), Some("2vCPU-1GiB")),
            (Some(8), None, Some("8vCPU")),
            (None, Some(GIB), None),
        ];
        for (v, m, want) in cases {
            assert_eq!(instance_type(v, m).as_deref(), want, "{v:?} {m:?}");
        }
    }
}
