//! VM sub-objects: disks, NICs, boot configuration, guest tools, GPUs and their enums.

use serde::{Deserialize, Serialize};

use super::Reference;
use super::de;
use super::macros::string_enum;

/// Bytes in one MiB.
pub const MIB: u64 = 1024 * 1024;

/// `mib × 1 MiB` in bytes; `None` for negative or overflowing inputs.
pub(crate) fn mib_to_bytes(mib: i64) -> Option<u64> {
    u64::try_from(mib).ok()?.checked_mul(MIB)
}

string_enum! {
    /// `device_properties.device_type` of a VM disk (absent means `DISK`).
    pub enum DeviceType {
        /// A virtual disk.
        Disk => "DISK",
        /// A CD-ROM drive (often without size).
        Cdrom => "CDROM",
        /// An attached volume group.
        VolumeGroup => "VOLUME_GROUP",
    }
}

string_enum! {
    /// Bus of a disk address.
    pub enum AdapterType {
        /// SCSI bus.
        Scsi => "SCSI",
        /// IDE bus.
        Ide => "IDE",
        /// PCI bus.
        Pci => "PCI",
        /// SATA bus.
        Sata => "SATA",
        /// sPAPR bus (POWER).
        Spapr => "SPAPR",
    }
}

string_enum! {
    /// NIC type.
    pub enum NicType {
        /// Ordinary virtual NIC.
        NormalNic => "NORMAL_NIC",
        /// Direct (passthrough) NIC.
        DirectNic => "DIRECT_NIC",
        /// Network function NIC.
        NetworkFunctionNic => "NETWORK_FUNCTION_NIC",
        /// SPAN destination NIC.
        SpanDestinationNic => "SPAN_DESTINATION_NIC",
    }
}

string_enum! {
    /// Emulated NIC model.
    pub enum NicModel {
        /// virtio-net.
        Virtio => "VIRTIO",
        /// Intel e1000.
        E1000 => "E1000",
    }
}

string_enum! {
    /// VLAN mode of a NIC.
    pub enum VlanMode {
        /// Access port (one VLAN).
        Access => "ACCESS",
        /// Trunk port (several VLANs).
        Trunked => "TRUNKED",
    }
}

string_enum! {
    /// How an IP address of a NIC was obtained by Prism.
    pub enum IpEndpointType {
        /// Assigned by IPAM.
        Assigned => "ASSIGNED",
        /// Learned from traffic.
        Learned => "LEARNED",
    }
}

string_enum! {
    /// Address assignment of an IP endpoint.
    pub enum IpType {
        /// Dynamic (DHCP).
        Dhcp => "DHCP",
        /// Static.
        Static => "STATIC",
    }
}

string_enum! {
    /// Firmware boot type.
    pub enum BootType {
        /// UEFI.
        Uefi => "UEFI",
        /// Legacy BIOS.
        Legacy => "LEGACY",
        /// UEFI with Secure Boot.
        SecureBoot => "SECURE_BOOT",
    }
}

string_enum! {
    /// An entry of `boot_device_order_list`.
    pub enum BootDeviceType {
        /// CD-ROM.
        Cdrom => "CDROM",
        /// Disk.
        Disk => "DISK",
        /// Network (PXE).
        Network => "NETWORK",
    }
}

string_enum! {
    /// NGT installation state.
    pub enum NgtState {
        /// Installed in the guest.
        Installed => "INSTALLED",
        /// Not installed.
        Uninstalled => "UNINSTALLED",
    }
}

string_enum! {
    /// An enabled/disabled switch.
    pub enum EnabledState {
        /// Enabled.
        Enabled => "ENABLED",
        /// Disabled.
        Disabled => "DISABLED",
    }
}

string_enum! {
    /// GPU vendor.
    pub enum GpuVendor {
        /// NVIDIA.
        Nvidia => "NVIDIA",
        /// Intel.
        Intel => "INTEL",
        /// AMD.
        Amd => "AMD",
    }
}

string_enum! {
    /// GPU assignment mode.
    pub enum GpuMode {
        /// Passthrough for graphics.
        PassthroughGraphics => "PASSTHROUGH_GRAPHICS",
        /// Passthrough for compute.
        PassthroughCompute => "PASSTHROUGH_COMPUTE",
        /// Virtual GPU (vGPU).
        Virtual => "VIRTUAL",
    }
}

/// Address of a disk on its bus.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DiskAddress {
    /// Bus type.
    #[serde(deserialize_with = "de::enumeration")]
    pub adapter_type: Option<AdapterType>,
    /// Index on the bus.
    #[serde(deserialize_with = "de::int")]
    pub device_index: Option<i64>,
}

/// `device_properties` of a disk.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DeviceProperties {
    /// Device type; absent means `DISK`.
    #[serde(deserialize_with = "de::enumeration")]
    pub device_type: Option<DeviceType>,
    /// Bus address.
    #[serde(deserialize_with = "de::object")]
    pub disk_address: Option<DiskAddress>,
}

/// `storage_config` of a disk.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DiskStorageConfig {
    /// Flash mode (`"ENABLED"`/`"DISABLED"`), kept as text.
    #[serde(deserialize_with = "de::text")]
    pub flash_mode: Option<String>,
    /// Storage container holding the disk (`kind: "storage_container"`).
    #[serde(deserialize_with = "de::object")]
    pub storage_container_reference: Option<Reference>,
}

/// An entry of a VM's `disk_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Disk {
    /// Disk UUID.
    #[serde(deserialize_with = "de::text")]
    pub uuid: Option<String>,
    /// Device type and address.
    #[serde(deserialize_with = "de::object")]
    pub device_properties: Option<DeviceProperties>,
    /// Size in bytes (CD-ROMs may have none).
    #[serde(deserialize_with = "de::int")]
    pub disk_size_bytes: Option<i64>,
    /// Size in MiB, rounded up from bytes.
    #[serde(deserialize_with = "de::int")]
    pub disk_size_mib: Option<i64>,
    /// Storage placement.
    #[serde(deserialize_with = "de::object")]
    pub storage_config: Option<DiskStorageConfig>,
    /// Clone source (`kind` `image`, `vm_disk`, ...).
    #[serde(deserialize_with = "de::object")]
    pub data_source_reference: Option<Reference>,
    /// Backing volume group, for `VOLUME_GROUP` devices.
    #[serde(deserialize_with = "de::object")]
    pub volume_group_reference: Option<Reference>,
}

impl Disk {
    /// The device type, `DISK` when absent.
    pub fn device_type(&self) -> DeviceType {
        self.device_properties
            .as_ref()
            .and_then(|p| p.device_type.clone())
            .unwrap_or(DeviceType::Disk)
    }

    /// Whether this is a real virtual disk: `device_type` is `DISK` or absent. CD-ROMs, volume
    /// groups and unknown device types are not.
    pub fn is_disk(&self) -> bool {
        self.device_type() == DeviceType::Disk
    }

    /// Size in bytes: `disk_size_bytes`, else `disk_size_mib × 1 MiB`; `None` when neither is
    /// present or the value is negative.
    pub fn size_bytes(&self) -> Option<u64> {
        self.disk_size_bytes
            .and_then(|b| u64::try_from(b).ok())
            .or_else(|| self.disk_size_mib.and_then(mib_to_bytes))
    }

    /// The storage container reference, when present.
    pub fn storage_container_reference(&self) -> Option<&Reference> {
        self.storage_config
            .as_ref()
            .and_then(|c| c.storage_container_reference.as_ref())
    }
}

/// An entry of a NIC's `ip_endpoint_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IpEndpoint {
    /// The IP address.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
    /// How Prism knows the address (wire name `type`).
    #[serde(rename = "type", deserialize_with = "de::enumeration")]
    pub endpoint_type: Option<IpEndpointType>,
    /// DHCP or static.
    #[serde(deserialize_with = "de::enumeration")]
    pub ip_type: Option<IpType>,
    /// Prefix length of the address.
    #[serde(deserialize_with = "de::int")]
    pub prefix_length: Option<i64>,
    /// Gateways.
    #[serde(deserialize_with = "de::text_list")]
    pub gateway_address_list: Vec<String>,
}

/// An entry of a VM's `nic_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Nic {
    /// NIC UUID.
    #[serde(deserialize_with = "de::text")]
    pub uuid: Option<String>,
    /// MAC address.
    #[serde(deserialize_with = "de::text")]
    pub mac_address: Option<String>,
    /// NIC type.
    #[serde(deserialize_with = "de::enumeration")]
    pub nic_type: Option<NicType>,
    /// Emulated model.
    #[serde(deserialize_with = "de::enumeration")]
    pub model: Option<NicModel>,
    /// Subnet the NIC is attached to.
    #[serde(deserialize_with = "de::object")]
    pub subnet_reference: Option<Reference>,
    /// Whether the link is up.
    #[serde(deserialize_with = "de::boolean")]
    pub is_connected: Option<bool>,
    /// VLAN mode.
    #[serde(deserialize_with = "de::enumeration")]
    pub vlan_mode: Option<VlanMode>,
    /// IP addresses.
    #[serde(deserialize_with = "de::list")]
    pub ip_endpoint_list: Vec<IpEndpoint>,
    /// Floating IP (status only).
    #[serde(deserialize_with = "de::text")]
    pub floating_ip: Option<String>,
}

impl Nic {
    /// Non-empty IP addresses of this NIC, in wire order.
    pub fn ip_addresses(&self) -> impl Iterator<Item = &str> {
        self.ip_endpoint_list
            .iter()
            .filter_map(|e| e.ip.as_deref())
            .filter(|ip| !ip.is_empty())
    }

    /// Name of the attached subnet, when referenced.
    pub fn subnet_name(&self) -> Option<&str> {
        self.subnet_reference
            .as_ref()
            .and_then(|r| r.name.as_deref())
    }
}

/// `boot_config.boot_device`: the device to boot from.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BootDevice {
    /// Boot from this disk.
    #[serde(deserialize_with = "de::object")]
    pub disk_address: Option<DiskAddress>,
    /// Boot from the NIC with this MAC.
    #[serde(deserialize_with = "de::text")]
    pub mac_address: Option<String>,
}

/// `boot_config` of a VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BootConfig {
    /// Firmware type.
    #[serde(deserialize_with = "de::enumeration")]
    pub boot_type: Option<BootType>,
    /// Boot order.
    #[serde(deserialize_with = "de::enum_list")]
    pub boot_device_order_list: Vec<BootDeviceType>,
    /// Explicit boot device.
    #[serde(deserialize_with = "de::object")]
    pub boot_device: Option<BootDevice>,
}

/// `guest_tools.nutanix_guest_tools` (NGT).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct NutanixGuestTools {
    /// Installation state.
    #[serde(deserialize_with = "de::enumeration")]
    pub ngt_state: Option<NgtState>,
    /// Whether NGT is enabled.
    #[serde(deserialize_with = "de::enumeration")]
    pub state: Option<EnabledState>,
    /// Installed version.
    #[serde(deserialize_with = "de::text")]
    pub version: Option<String>,
    /// Version available for upgrade.
    #[serde(deserialize_with = "de::text")]
    pub available_version: Option<String>,
    /// Whether the guest agent answers.
    #[serde(deserialize_with = "de::boolean")]
    pub is_reachable: Option<bool>,
    /// NGT ISO mount state, kept as text.
    #[serde(deserialize_with = "de::text")]
    pub iso_mount_state: Option<String>,
    /// Guest OS reported by NGT, e.g. `windows:64:WindowsServer2008R2Enterprise`.
    #[serde(deserialize_with = "de::text")]
    pub guest_os_version: Option<String>,
    /// Enabled NGT capabilities.
    #[serde(deserialize_with = "de::text_list")]
    pub enabled_capability_list: Vec<String>,
}

/// `guest_tools` of a VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GuestTools {
    /// Nutanix Guest Tools.
    #[serde(deserialize_with = "de::object")]
    pub nutanix_guest_tools: Option<NutanixGuestTools>,
}

/// An entry of a VM's `gpu_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Gpu {
    /// Vendor.
    #[serde(deserialize_with = "de::enumeration")]
    pub vendor: Option<GpuVendor>,
    /// Assignment mode.
    #[serde(deserialize_with = "de::enumeration")]
    pub mode: Option<GpuMode>,
    /// Device id (model) on the vendor's PCI id list.
    #[serde(deserialize_with = "de::int")]
    pub device_id: Option<i64>,
    /// GPU UUID.
    #[serde(deserialize_with = "de::text")]
    pub uuid: Option<String>,
    /// Model name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Frame buffer in MiB.
    #[serde(deserialize_with = "de::int")]
    pub frame_buffer_size_mib: Option<i64>,
    /// Number of virtual display heads.
    #[serde(deserialize_with = "de::int")]
    pub num_virtual_display_heads: Option<i64>,
    /// Guest driver version.
    #[serde(deserialize_with = "de::text")]
    pub guest_driver_version: Option<String>,
    /// PCI address on the host.
    #[serde(deserialize_with = "de::text")]
    pub pci_address: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_size_prefers_bytes_then_mib() {
        let d: Disk =
            serde_json::from_str(r#"{"disk_size_bytes":1000,"disk_size_mib":1}"#).unwrap();
        assert_eq!(d.size_bytes(), Some(1000));
        let d: Disk = serde_json::from_str(r#"{"disk_size_mib":"2"}"#).unwrap();
        assert_eq!(d.size_bytes(), Some(2 * MIB));
        let d: Disk = serde_json::from_str(r#"{"disk_size_bytes":-1}"#).unwrap();
        assert_eq!(d.size_bytes(), None);
        let d: Disk = serde_json::from_str(r#"{"disk_size_mib":9223372036854775807}"#).unwrap();
        assert_eq!(d.size_bytes(), None);
    }

    #[test]
    fn device_type_defaults_to_disk() {
        let table = [
            (r#"{}"#, true),
            (r#"{"device_properties":{}}"#, true),
            (r#"{"device_properties":{"device_type":"DISK"}}"#, true),
            (r#"{"device_properties":{"device_type":"CDROM"}}"#, false),
            (
                r#"{"device_properties":{"device_type":"VOLUME_GROUP"}}"#,
                false,
            ),
            (r#"{"device_properties":{"device_type":"FLOPPY"}}"#, false),
        ];
        for (json, want) in table {
            let d: Disk = serde_json::from_str(json).unwrap();
            assert_eq!(d.is_disk(), want, "{json}");
        }
    }

    #[test]
    fn nic_ip_addresses_skip_empty() {
        let n: Nic = serde_json::from_str(
            r#"{"ip_endpoint_list":[{"ip":"10.0.0.1","type":"LEARNED"},{"ip":""},{},{"ip":"10.0.0.2"}]}"#,
        )
        .unwrap();
        assert_eq!(
            n.ip_addresses().collect::<Vec<_>>(),
            ["10.0.0.1", "10.0.0.2"]
        );
        assert_eq!(
            n.ip_endpoint_list[0].endpoint_type,
            Some(IpEndpointType::Learned)
        );
    }
}
