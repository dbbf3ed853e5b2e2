//! `data` of VirtualMachine and Disk records.
//!
//! Fields are declared in byte order of their JSON keys (see the module docs of
//! [`crate::data`]); keep it so when adding one.

use serde::Serialize;

use super::{CategoryRow, EntityRef, KindRef, Text, blank};

/// `data` of a VirtualMachine record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct VmData {
    /// `UEFI`, `LEGACY`, `SECURE_BOOT`.
    #[serde(skip_serializing_if = "blank")]
    pub boot_type: Option<Text>,
    /// Categories, one row per value, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryRow>,
    /// Prism Element cluster.
    #[serde(skip_serializing_if = "no_ref")]
    pub cluster: Option<EntityRef>,
    /// `metadata.creation_time` as sent.
    #[serde(skip_serializing_if = "blank")]
    pub created_at: Option<Text>,
    /// Description.
    #[serde(skip_serializing_if = "blank")]
    pub description: Option<Text>,
    /// Every entry of the disk list (CD-ROMs included).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<DiskData>,
    /// Guest OS.
    #[serde(skip_serializing_if = "blank")]
    pub guest_os: Option<Text>,
    /// Sizing.
    #[serde(skip_serializing_if = "Hardware::is_empty")]
    pub hardware: Hardware,
    /// Host running the VM.
    #[serde(skip_serializing_if = "no_ref")]
    pub host: Option<EntityRef>,
    /// `AHV`, `ESX`, ...
    #[serde(skip_serializing_if = "blank")]
    pub hypervisor_type: Option<Text>,
    /// `PC`, `Q35`, `PSERIES`.
    #[serde(skip_serializing_if = "blank")]
    pub machine_type: Option<Text>,
    /// NICs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nics: Vec<NicData>,
    /// What the monitoring plugin receives as `query` (absent without a VM UUID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nutanix: Option<NutanixQuery>,
    /// Owner.
    #[serde(skip_serializing_if = "no_ref")]
    pub owner: Option<EntityRef>,
    /// `ON`, `OFF`, `PAUSED`, ...
    #[serde(skip_serializing_if = "blank")]
    pub power_state: Option<Text>,
    /// Project.
    #[serde(skip_serializing_if = "no_ref")]
    pub project: Option<EntityRef>,
    /// `status.state` (`COMPLETE`, ...).
    #[serde(skip_serializing_if = "blank")]
    pub state: Option<Text>,
    /// `metadata.last_update_time` as sent.
    #[serde(skip_serializing_if = "blank")]
    pub updated_at: Option<Text>,
}

/// `data.hardware` of a VirtualMachine record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Hardware {
    /// Disks of device type DISK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_count: Option<u64>,
    /// GPUs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_count: Option<u64>,
    /// Memory in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// NICs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nic_count: Option<u64>,
    /// Sockets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_sockets: Option<i64>,
    /// Sum of the disk sizes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_storage_bytes: Option<u64>,
    /// Threads per core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_per_core: Option<i64>,
    /// vCPUs (sockets × vCPUs per socket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u64>,
    /// vCPUs per socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpus_per_socket: Option<i64>,
}

impl Hardware {
    /// Whether it would serialise as `{}`.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One disk: an entry of `data.disks` of a VM, or the `data` of a Disk record (which also
/// names its `vm` and `cluster`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DiskData {
    /// `SCSI`, `IDE`, `PCI`, `SATA`, `SPAPR`.
    #[serde(skip_serializing_if = "blank")]
    pub adapter_type: Option<Text>,
    /// Cluster of the VM (Disk records only).
    #[serde(skip_serializing_if = "no_ref")]
    pub cluster: Option<EntityRef>,
    /// Image or disk the disk was cloned from.
    #[serde(skip_serializing_if = "no_kind_ref")]
    pub data_source: Option<KindRef>,
    /// Index on the adapter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_index: Option<i64>,
    /// `DISK`, `CDROM`, `VOLUME_GROUP`.
    #[serde(skip_serializing_if = "blank")]
    pub device_type: Option<Text>,
    /// Flash mode of the storage config.
    #[serde(skip_serializing_if = "blank")]
    pub flash_mode: Option<Text>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// Storage container.
    #[serde(skip_serializing_if = "no_ref")]
    pub storage_container: Option<EntityRef>,
    /// Disk UUID.
    #[serde(skip_serializing_if = "blank")]
    pub uuid: Option<Text>,
    /// The VM the disk belongs to (Disk records only).
    #[serde(skip_serializing_if = "no_ref")]
    pub vm: Option<EntityRef>,
    /// Volume group behind a `VOLUME_GROUP` device.
    #[serde(skip_serializing_if = "no_ref")]
    pub volume_group: Option<EntityRef>,
}

/// One entry of `data.nics` of a VM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NicData {
    /// Floating IP.
    #[serde(skip_serializing_if = "blank")]
    pub floating_ip: Option<Text>,
    /// IP addresses of the endpoints, in wire order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<Text>,
    /// Whether the NIC is connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_connected: Option<bool>,
    /// MAC address.
    #[serde(skip_serializing_if = "blank")]
    pub mac_address: Option<Text>,
    /// `VIRTIO`, `E1000`.
    #[serde(skip_serializing_if = "blank")]
    pub model: Option<Text>,
    /// `NORMAL_NIC`, `DIRECT_NIC`, ...
    #[serde(skip_serializing_if = "blank")]
    pub nic_type: Option<Text>,
    /// Subnet.
    #[serde(skip_serializing_if = "no_ref")]
    pub subnet: Option<EntityRef>,
    /// NIC UUID.
    #[serde(skip_serializing_if = "blank")]
    pub uuid: Option<Text>,
    /// `ACCESS`, `TRUNKED`.
    #[serde(skip_serializing_if = "blank")]
    pub vlan_mode: Option<Text>,
}

/// `data.nutanix` of a VM: the monitoring plugin's `query` (its `required_keys`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NutanixQuery {
    /// UUID of the VM's cluster.
    #[serde(skip_serializing_if = "blank")]
    pub cluster_uuid: Option<Text>,
    /// Host of the Prism Central.
    #[serde(skip_serializing_if = "blank")]
    pub prism_central: Option<Text>,
    /// UUID of the Prism Central.
    #[serde(skip_serializing_if = "blank")]
    pub prism_central_uuid: Option<Text>,
    /// VM UUID.
    #[serde(skip_serializing_if = "blank")]
    pub vm_uuid: Option<Text>,
}

fn no_ref(r: &Option<EntityRef>) -> bool {
    r.as_ref().is_none_or(EntityRef::is_empty)
}

fn no_kind_ref(r: &Option<KindRef>) -> bool {
    r.as_ref().is_none_or(KindRef::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_structs_serialise_as_empty_objects_and_nested_empties_vanish() {
        assert_eq!(serde_json::to_string(&VmData::default()).unwrap(), "{}");
        assert_eq!(serde_json::to_string(&DiskData::default()).unwrap(), "{}");
        assert_eq!(serde_json::to_string(&NicData::default()).unwrap(), "{}");
        let vm = VmData {
            cluster: Some(EntityRef::default()),
            disks: vec![DiskData::default()],
            description: Some(Text::from_static("")),
            ..VmData::default()
        };
        // an empty object inside a list stays (as the Value mapping kept it)
        assert_eq!(serde_json::to_string(&vm).unwrap(), r#"{"disks":[{}]}"#);
    }

    #[test]
    fn keys_come_out_sorted() {
        let d = DiskData {
            adapter_type: Some(Text::from_static("SCSI")),
            uuid: Some(Text::from_static("d")),
            vm: EntityRef::new(Some("v"), Some("web")),
            cluster: EntityRef::new(Some("c"), None),
            size_bytes: Some(1),
            ..DiskData::default()
        };
        let direct = serde_json::to_string(&d).unwrap();
        let canonical = serde_json::to_string(&crate::json::canonicalize(
            serde_json::to_value(&d).unwrap(),
        ))
        .unwrap();
        assert_eq!(direct, canonical);
    }
}
