//! VirtualMachine and Disk records, and the cost model's view of a VM.

use nutanix_prism::model::{Disk, Nic, PowerState, Vm};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::common::{
    ClusterNames, category_tags, category_tags_rows, cluster_name, entity_ref, linked_service,
    ref_uuid, service, sorted_ips,
};
use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::cost::{DiskUsage, VmUsage};
use crate::data::{
    DiskData, EntityRef, Hardware, KindRef, NicData, NutanixQuery, Text, VmData, text, wire,
};
use crate::error::Result;
use crate::record::ResourceRecord;
use crate::text::{push_int, push_uint};

const GIB: u64 = 1 << 30;

/// `instance_type` of a VM: `<vCPUs>vCPU-<memory>GiB`, e.g. `4vCPU-16GiB`; memory is printed
/// with up to two decimals (`0.5GiB`); `<vCPUs>vCPU` alone without memory; `None` without vCPUs.
pub fn instance_type(vcpus: Option<u32>, memory_bytes: Option<u64>) -> Option<String> {
    let v = vcpus?;
    let mut text = String::with_capacity(24);
    push_uint(&mut text, u64::from(v));
    text.push_str("vCPU");
    if let Some(m) = memory_bytes {
        text.push('-');
        push_gib(&mut text, m);
        text.push_str("GiB");
    }
    Some(text)
}

/// Appends `bytes` in GiB with up to two decimals, trailing zeros dropped (`0.5`, `1.25`, `16`).
fn push_gib(out: &mut String, bytes: u64) {
    if bytes.is_multiple_of(GIB) {
        push_uint(out, bytes / GIB);
        return;
    }
    // hundredths of a GiB, rounded half-up, in integers
    let hundredths = (u128::from(bytes) * 100 + u128::from(GIB) / 2) / u128::from(GIB);
    // bytes < 2^64, so the whole GiB fit in a u64
    push_uint(out, u64::try_from(hundredths / 100).unwrap_or(u64::MAX));
    let frac = (hundredths % 100) as u8;
    if frac != 0 {
        out.push('.');
        out.push(char::from(b'0' + frac / 10));
        if !frac.is_multiple_of(10) {
            out.push(char::from(b'0' + frac % 10));
        }
    }
}

/// One disk of the disk list (`vm` and `cluster` are set for Disk records only).
fn disk_data(d: &Disk) -> DiskData {
    let addr = d
        .device_properties
        .as_ref()
        .and_then(|p| p.disk_address.as_ref());
    DiskData {
        adapter_type: wire(
            addr.and_then(|a| a.adapter_type.as_ref())
                .map(|a| a.as_str()),
        ),
        cluster: None,
        data_source: d.data_source_reference.as_ref().map(|s| KindRef {
            kind: wire(s.kind.as_deref()),
            uuid: text(s.uuid.as_deref()),
        }),
        device_index: addr.and_then(|a| a.device_index),
        device_type: wire(Some(d.device_type().as_str())),
        flash_mode: wire(
            d.storage_config
                .as_ref()
                .and_then(|c| c.flash_mode.as_deref()),
        ),
        size_bytes: d.size_bytes(),
        storage_container: entity_ref(d.storage_container_reference(), None),
        uuid: text(d.uuid.as_deref()),
        vm: None,
        volume_group: entity_ref(d.volume_group_reference.as_ref(), None),
    }
}

fn nic_data(n: &Nic) -> NicData {
    NicData {
        floating_ip: text(n.floating_ip.as_deref()),
        ip_addresses: n
            .ip_addresses()
            .filter(|s| !s.is_empty())
            .map(Text::new)
            .collect(),
        is_connected: n.is_connected,
        mac_address: text(n.mac_address.as_deref()),
        model: wire(n.model.as_ref().map(|t| t.as_str())),
        nic_type: wire(n.nic_type.as_ref().map(|t| t.as_str())),
        subnet: entity_ref(n.subnet_reference.as_ref(), None),
        uuid: text(n.uuid.as_deref()),
        vlan_mode: wire(n.vlan_mode.as_ref().map(|t| t.as_str())),
    }
}

/// `data.nutanix`: what the monitoring plugin receives as `query` (its `required_keys`).
fn nutanix_query(pc: &PrismCentral, vm_uuid: &str, cluster_uuid: Option<&str>) -> NutanixQuery {
    NutanixQuery {
        cluster_uuid: text(cluster_uuid),
        prism_central: text(Some(pc.host.as_str())),
        prism_central_uuid: text(pc.uuid.as_deref()),
        vm_uuid: text(Some(vm_uuid)),
    }
}

/// Real disks (device type `DISK` or absent) of a disk list; see [`Vm::disks`].
fn real_disks(list: &[Disk]) -> impl Iterator<Item = &Disk> {
    list.iter().filter(|d| d.is_disk())
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
    let disk_list = resources.map_or(&[][..], |r| r.disk_list.as_slice());
    let nics = vm.nics();
    let vcpus = vm.vcpus();
    let memory = vm.memory_bytes();
    let (tags, categories) = category_tags_rows(vm.metadata.as_ref());
    let cluster = entity_ref(cluster_ref, Some(clusters));
    // shared by the VM's data, its `nutanix` block and its Disk records
    let uuid_text = text(Some(uuid));
    let name_text = text(vm.name());
    let cluster_uuid_text = text(cluster_uuid);

    let disk_count = real_disks(disk_list).count();
    let provisioned = real_disks(disk_list)
        .filter_map(Disk::size_bytes)
        .fold(0, u64::saturating_add);
    let hardware = Hardware {
        disk_count: Some(disk_count as u64),
        gpu_count: Some(vm.gpu_count() as u64),
        memory_bytes: memory,
        nic_count: Some(nics.len() as u64),
        num_sockets: resources.and_then(|r| r.num_sockets),
        provisioned_storage_bytes: Some(provisioned),
        threads_per_core: resources.and_then(|r| r.num_threads_per_core),
        vcpus: vcpus.map(u64::from),
        vcpus_per_socket: resources.and_then(|r| r.num_vcpus_per_socket),
    };
    let disks: Vec<DiskData> = disk_list.iter().map(disk_data).collect();
    let data = Box::new(VmData {
        boot_type: wire(
            resources
                .and_then(|r| r.boot_config.as_ref())
                .and_then(|b| b.boot_type.as_ref())
                .map(|b| b.as_str()),
        ),
        categories,
        cluster: cluster.clone(),
        created_at: text(vm.creation_time()),
        description: text(vm.description()),
        disks,
        guest_os: text(vm.guest_os()),
        hardware,
        host: entity_ref(vm.host_reference(), None),
        hypervisor_type: wire(vm.hypervisor_type().map(|h| h.as_str())),
        machine_type: wire(
            resources
                .and_then(|r| r.machine_type.as_ref())
                .map(|m| m.as_str()),
        ),
        nics: nics.iter().map(nic_data).collect(),
        nutanix: uuid_text.as_ref().map(|vm_uuid| NutanixQuery {
            cluster_uuid: cluster_uuid_text.clone(),
            prism_central: text(Some(pc.host.as_str())),
            prism_central_uuid: text(pc.uuid.as_deref()),
            vm_uuid: Some(vm_uuid.clone()),
        }),
        owner: entity_ref(vm.owner_reference(), None),
        power_state: wire(vm.power_state().map(PowerState::as_str)),
        project: entity_ref(vm.project_reference(), None),
        state: wire(vm.state()),
        updated_at: text(vm.last_update_time()),
    });

    let mut svc = service(ServiceKind::VirtualMachine, pc, Some(uuid), vm.name());
    svc.instance_type = instance_type(vcpus, memory).map(Text::from);
    svc.instance_size = vcpus.map(|v| v as f32);
    svc.ip_addresses = sorted_ips(nics.iter().flat_map(Nic::ip_addresses));
    svc.region_code = cluster_uuid_text.clone();
    svc.tags = tags;

    let mut out = Vec::with_capacity(1 + disk_count);
    if disk_count == 0 {
        svc.data = data.into();
        out.push(ResourceRecord::cloud_service(svc));
        return out;
    }

    let vm_name = vm.name().filter(|n| !n.is_empty()).unwrap_or(uuid);
    let vm_ref = (uuid_text.is_some() || name_text.is_some()).then_some(EntityRef {
        name: name_text,
        uuid: uuid_text,
    });
    // Prism has no disk page: link the disk to its VM (the VM record's link, unless its UUID
    // needed trimming).
    let vm_link = if uuid.trim() == uuid {
        svc.reference.external_link.clone()
    } else {
        pc.entity_link("vms", "vm", uuid).map(Text::from)
    };
    let mut name_buf = String::new();
    out.extend(
        disk_list
            .iter()
            .zip(&data.disks)
            .filter(|(d, _)| d.is_disk())
            .map(|(d, entry)| {
                let addr = d
                    .device_properties
                    .as_ref()
                    .and_then(|p| p.disk_address.as_ref());
                let name = match (
                    addr.and_then(|a| a.adapter_type.as_ref()),
                    addr.and_then(|a| a.device_index),
                ) {
                    (Some(a), Some(i)) => {
                        name_buf.clear();
                        name_buf.push_str(vm_name);
                        name_buf.push_str(" / ");
                        name_buf.push_str(a.as_str());
                        name_buf.push('.');
                        push_int(&mut name_buf, i);
                        Some(Text::new(&name_buf))
                    }
                    _ => None,
                };
                let mut disk = Box::new(entry.clone());
                disk.vm.clone_from(&vm_ref);
                disk.cluster.clone_from(&cluster);
                let mut svc = linked_service(
                    ServiceKind::Disk,
                    pc,
                    d.uuid.as_deref().unwrap_or_default(),
                    name,
                    vm_link.clone(),
                );
                svc.region_code.clone_from(&cluster_uuid_text);
                svc.data = disk.into();
                ResourceRecord::cloud_service(svc)
            }),
    );
    // the VM record comes first (the disks borrowed its data until now)
    svc.data = data.into();
    out.insert(0, ResourceRecord::cloud_service(svc));
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
        tags: category_tags(vm.metadata.as_ref()),
    }
}

/// The `data.nutanix` block of a VM (for callers building monitoring queries).
pub fn vm_monitoring_query(pc: &PrismCentral, vm: &Vm) -> Option<Value> {
    let uuid = vm.uuid().filter(|u| !u.is_empty())?;
    serde_json::to_value(nutanix_query(pc, uuid, ref_uuid(vm.cluster_reference()))).ok()
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
