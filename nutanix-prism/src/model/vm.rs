//! The VM entity (`vm_intent_resource`) and its domain accessors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::vm_devices::{BootConfig, Disk, Gpu, GuestTools, Nic, mib_to_bytes};
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

string_enum! {
    /// Power state of a VM (spec: `ON`/`OFF`; status also `PAUSED`/`UNKNOWN`).
    pub enum PowerState {
        /// Running.
        On => "ON",
        /// Stopped.
        Off => "OFF",
        /// Paused.
        Paused => "PAUSED",
        /// Prism reports the state as `UNKNOWN` (not to be confused with `Unknown(_)`, a value
        /// this crate does not know).
        StateUnknown => "UNKNOWN",
    }
}

string_enum! {
    /// How power transitions are performed.
    pub enum PowerMechanism {
        /// ACPI signal.
        Acpi => "ACPI",
        /// Through the guest agent.
        Guest => "GUEST",
        /// Hard power operation.
        Hard => "HARD",
    }
}

string_enum! {
    /// Emulated machine type.
    pub enum MachineType {
        /// i440fx PC.
        Pc => "PC",
        /// IBM POWER pSeries.
        Pseries => "PSERIES",
        /// Q35.
        Q35 => "Q35",
    }
}

string_enum! {
    /// Hypervisor a VM runs on (`status.resources.hypervisor_type`).
    pub enum HypervisorType {
        /// Nutanix AHV.
        Ahv => "AHV",
        /// VMware ESXi.
        Esx => "ESX",
        /// Microsoft Hyper-V.
        HyperV => "HyperV",
    }
}

string_enum! {
    /// Data protection of a VM.
    pub enum ProtectionType {
        /// Not protected.
        Unprotected => "UNPROTECTED",
        /// Protected by a protection domain.
        PdProtected => "PD_PROTECTED",
        /// Protected by a protection policy rule.
        RuleProtected => "RULE_PROTECTED",
    }
}

/// `power_state_mechanism` of a VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PowerStateMechanism {
    /// The mechanism.
    #[serde(deserialize_with = "de::enumeration")]
    pub mechanism: Option<PowerMechanism>,
}

/// `vnuma_config` of a VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VnumaConfig {
    /// Number of virtual NUMA nodes (0 = off).
    #[serde(deserialize_with = "de::int")]
    pub num_vnuma_nodes: Option<i64>,
}

/// `spec.resources` / `status.resources` of a VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VmResources {
    /// Number of virtual sockets.
    #[serde(deserialize_with = "de::int")]
    pub num_sockets: Option<i64>,
    /// vCPUs per socket.
    #[serde(deserialize_with = "de::int")]
    pub num_vcpus_per_socket: Option<i64>,
    /// Threads per core (SMT); not part of the vCPU count.
    #[serde(deserialize_with = "de::int")]
    pub num_threads_per_core: Option<i64>,
    /// Memory in MiB.
    #[serde(deserialize_with = "de::int")]
    pub memory_size_mib: Option<i64>,
    /// Power state.
    #[serde(deserialize_with = "de::enumeration")]
    pub power_state: Option<PowerState>,
    /// Power transition mechanism.
    #[serde(deserialize_with = "de::object")]
    pub power_state_mechanism: Option<PowerStateMechanism>,
    /// Machine type.
    #[serde(deserialize_with = "de::enumeration")]
    pub machine_type: Option<MachineType>,
    /// Boot configuration.
    #[serde(deserialize_with = "de::object")]
    pub boot_config: Option<BootConfig>,
    /// Guest OS id ("reserved for use by the system", usually absent).
    #[serde(deserialize_with = "de::text")]
    pub guest_os_id: Option<String>,
    /// Guest tools (NGT).
    #[serde(deserialize_with = "de::object")]
    pub guest_tools: Option<GuestTools>,
    /// Hardware clock time zone, e.g. `UTC`.
    #[serde(deserialize_with = "de::text")]
    pub hardware_clock_timezone: Option<String>,
    /// Whether vCPUs are hard-pinned.
    #[serde(deserialize_with = "de::boolean")]
    pub is_vcpu_hard_pinned: Option<bool>,
    /// Whether this is an agent VM.
    #[serde(deserialize_with = "de::boolean")]
    pub is_agent_vm: Option<bool>,
    /// Whether memory overcommit is enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub memory_overcommit_enabled: Option<bool>,
    /// vNUMA configuration.
    #[serde(deserialize_with = "de::object")]
    pub vnuma_config: Option<VnumaConfig>,
    /// GPUs.
    #[serde(deserialize_with = "de::list")]
    pub gpu_list: Vec<Gpu>,
    /// Disks, CD-ROMs and volume groups.
    #[serde(deserialize_with = "de::list")]
    pub disk_list: Vec<Disk>,
    /// NICs.
    #[serde(deserialize_with = "de::list")]
    pub nic_list: Vec<Nic>,
    /// Host running the VM (status only; absent when OFF).
    #[serde(deserialize_with = "de::object")]
    pub host_reference: Option<Reference>,
    /// Hypervisor (status only).
    #[serde(deserialize_with = "de::enumeration")]
    pub hypervisor_type: Option<HypervisorType>,
    /// Data protection (status only).
    #[serde(deserialize_with = "de::enumeration")]
    pub protection_type: Option<ProtectionType>,
    /// Generation UUID (status only).
    #[serde(deserialize_with = "de::text")]
    pub generation_uuid: Option<String>,
    /// BIOS UUID (status only).
    #[serde(deserialize_with = "de::text")]
    pub bios_uuid: Option<String>,
}

impl VmResources {
    /// `num_sockets × num_vcpus_per_socket` (per-socket defaults to 1 when absent; threads per
    /// core are SMT and not multiplied). `None` without sockets, on negatives or on overflow.
    pub fn vcpus(&self) -> Option<u32> {
        let sockets = u32::try_from(self.num_sockets?).ok()?;
        let per_socket = u32::try_from(self.num_vcpus_per_socket.unwrap_or(1)).ok()?;
        sockets.checked_mul(per_socket)
    }

    /// `memory_size_mib × 1 MiB`; `None` when absent or negative.
    pub fn memory_bytes(&self) -> Option<u64> {
        self.memory_size_mib.and_then(mib_to_bytes)
    }

    /// NGT `guest_os_version`, else `guest_os_id`.
    pub fn guest_os(&self) -> Option<&str> {
        self.guest_tools
            .as_ref()
            .and_then(|g| g.nutanix_guest_tools.as_ref())
            .and_then(|n| n.guest_os_version.as_deref())
            .filter(|s| !s.is_empty())
            .or(self.guest_os_id.as_deref())
    }
}

/// `spec` of a VM: the desired state.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VmSpec {
    /// VM name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Cluster the VM is placed on.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Availability zone.
    #[serde(deserialize_with = "de::object")]
    pub availability_zone_reference: Option<Reference>,
    /// Resources (boxed: a `Vm` stays small, so decoding a page moves kilobytes less per VM).
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<Box<VmResources>>,
}

/// `status` of a VM: the observed state.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VmStatus {
    /// VM name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Intent state: `COMPLETE`, `PENDING`, `RUNNING`, `ERROR`, `DELETED_PENDING`, ...
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// Messages when `state` is `ERROR`.
    #[serde(deserialize_with = "de::list")]
    pub message_list: Vec<ErrorMessage>,
    /// Task(s) behind the state.
    #[serde(deserialize_with = "de::object")]
    pub execution_context: Option<ExecutionContext>,
    /// Cluster the VM runs on.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Availability zone.
    #[serde(deserialize_with = "de::object")]
    pub availability_zone_reference: Option<Reference>,
    /// Resources (boxed: a `Vm` stays small, so decoding a page moves kilobytes less per VM).
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<Box<VmResources>>,
}

/// A VM (`POST /vms/list`, `GET /vms/{uuid}`). AHV VMs only on Prism Central.
///
/// Accessors prefer `status` (observed) over `spec` (desired) and fall back to `spec`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Vm {
    /// API version, usually `"3.1"`.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata (uuid, categories, owner, project, times).
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<VmSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<VmStatus>,
}

impl Entity for Vm {
    const KIND: &'static str = "vm";
    const PATH: &'static str = "vms";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Vm {
    fn status_resources(&self) -> Option<&VmResources> {
        self.status.as_ref().and_then(|s| s.resources.as_deref())
    }

    fn spec_resources(&self) -> Option<&VmResources> {
        self.spec.as_ref().and_then(|s| s.resources.as_deref())
    }

    /// First `Some` of `f` over status resources, then spec resources.
    fn pick<'a, T>(&'a self, f: impl Fn(&'a VmResources) -> Option<T>) -> Option<T> {
        self.status_resources()
            .and_then(&f)
            .or_else(|| self.spec_resources().and_then(&f))
    }

    /// The resources lists are read from: `status.resources` when present, else `spec.resources`.
    pub fn resources(&self) -> Option<&VmResources> {
        self.status_resources().or_else(|| self.spec_resources())
    }

    /// `metadata.uuid` (an empty string counts as absent).
    pub fn uuid(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.uuid.as_deref())
            .filter(|u| !u.is_empty())
    }

    /// `status.name`, else `spec.name`, else `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.name.as_deref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.name.as_deref()))
            .or_else(|| self.metadata.as_ref().and_then(|m| m.name.as_deref()))
    }

    /// `status.description`, else `spec.description`.
    pub fn description(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.description.as_deref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.description.as_deref()))
    }

    /// vCPUs = `num_sockets × num_vcpus_per_socket` (threads per core NOT multiplied), from the
    /// first of status/spec resources that has `num_sockets`. See [`VmResources::vcpus`].
    pub fn vcpus(&self) -> Option<u32> {
        self.pick(VmResources::vcpus)
    }

    /// Memory in bytes = `memory_size_mib × 1 MiB` (status, else spec).
    pub fn memory_bytes(&self) -> Option<u64> {
        self.pick(VmResources::memory_bytes)
    }

    /// Real disks of [`Vm::resources`]: `device_type` `DISK` or absent. CD-ROMs, volume groups
    /// and unknown device types are excluded.
    pub fn disks(&self) -> Vec<&Disk> {
        self.resources()
            .map(|r| r.disk_list.iter().filter(|d| d.is_disk()).collect())
            .unwrap_or_default()
    }

    /// Sum of [`Disk::size_bytes`] over [`Vm::disks`] (disks without size count 0; saturating).
    pub fn provisioned_storage_bytes(&self) -> u64 {
        self.disks()
            .iter()
            .filter_map(|d| d.size_bytes())
            .fold(0, u64::saturating_add)
    }

    /// NICs of [`Vm::resources`].
    pub fn nics(&self) -> &[Nic] {
        self.resources()
            .map(|r| r.nic_list.as_slice())
            .unwrap_or_default()
    }

    /// All IP addresses of all NICs (`ip_endpoint_list[].ip`), empty ones skipped,
    /// de-duplicated, first-seen order kept.
    pub fn ip_addresses(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for ip in self.nics().iter().flat_map(Nic::ip_addresses) {
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
        out
    }

    /// Power state: status, else spec.
    pub fn power_state(&self) -> Option<&PowerState> {
        self.pick(|r| r.power_state.as_ref())
    }

    /// Whether the VM is observed (or, without status, intended) to be `ON`.
    pub fn is_powered_on(&self) -> bool {
        self.power_state() == Some(&PowerState::On)
    }

    /// `status.cluster_reference`, else `spec.cluster_reference`.
    pub fn cluster_reference(&self) -> Option<&Reference> {
        self.status
            .as_ref()
            .and_then(|s| s.cluster_reference.as_ref())
            .or_else(|| {
                self.spec
                    .as_ref()
                    .and_then(|s| s.cluster_reference.as_ref())
            })
    }

    /// Host running the VM (status only in practice; absent when the VM is off).
    pub fn host_reference(&self) -> Option<&Reference> {
        self.pick(|r| r.host_reference.as_ref())
    }

    /// Categories as `key -> values` ([`Metadata::categories`]: `categories_mapping` preferred);
    /// empty without metadata.
    pub fn categories(&self) -> BTreeMap<String, Vec<String>> {
        self.metadata
            .as_ref()
            .map(Metadata::categories)
            .unwrap_or_default()
    }

    /// `metadata.project_reference`.
    pub fn project_reference(&self) -> Option<&Reference> {
        self.metadata
            .as_ref()
            .and_then(|m| m.project_reference.as_ref())
    }

    /// `metadata.owner_reference`.
    pub fn owner_reference(&self) -> Option<&Reference> {
        self.metadata
            .as_ref()
            .and_then(|m| m.owner_reference.as_ref())
    }

    /// `metadata.creation_time` (RFC 3339 text as sent).
    pub fn creation_time(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.creation_time.as_deref())
    }

    /// `metadata.last_update_time` (RFC 3339 text as sent).
    pub fn last_update_time(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.last_update_time.as_deref())
    }

    /// Number of GPUs in [`Vm::resources`].
    pub fn gpu_count(&self) -> usize {
        self.resources().map_or(0, |r| r.gpu_list.len())
    }

    /// Guest OS: NGT `guest_os_version` (the practical source), else `guest_os_id`; status, else spec.
    pub fn guest_os(&self) -> Option<&str> {
        self.pick(VmResources::guest_os)
    }

    /// Hypervisor type (status only in practice).
    pub fn hypervisor_type(&self) -> Option<&HypervisorType> {
        self.pick(|r| r.hypervisor_type.as_ref())
    }

    /// `status.state` (`COMPLETE`, `PENDING`, `ERROR`, ...).
    pub fn state(&self) -> Option<&str> {
        self.status.as_ref().and_then(|s| s.state.as_deref())
    }

    /// Task UUIDs of `status.execution_context` (string or list on the wire).
    pub fn task_uuids(&self) -> Vec<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.execution_context.as_ref())
            .map(ExecutionContext::task_uuids)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(json: serde_json::Value) -> Vm {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn vcpus_multiply_sockets_by_vcpus_per_socket_only() {
        let v = vm(serde_json::json!({"status":{"resources":{
            "num_sockets":2,"num_vcpus_per_socket":4,"num_threads_per_core":2}}}));
        assert_eq!(v.vcpus(), Some(8));
        let v = vm(serde_json::json!({"spec":{"resources":{"num_sockets":"3"}}}));
        assert_eq!(v.vcpus(), Some(3));
        let v = vm(
            serde_json::json!({"status":{"resources":{"num_sockets":-1,"num_vcpus_per_socket":2}}}),
        );
        assert_eq!(v.vcpus(), None);
        let v = vm(
            serde_json::json!({"status":{"resources":{"num_sockets":70000,"num_vcpus_per_socket":70000}}}),
        );
        assert_eq!(v.vcpus(), None);
    }

    #[test]
    fn status_is_preferred_and_spec_is_the_fallback() {
        let v = vm(serde_json::json!({
            "spec":{"name":"spec-name","resources":{"memory_size_mib":2048,"power_state":"ON","num_sockets":4}},
            "status":{"name":"status-name","resources":{"memory_size_mib":1024,"power_state":"OFF"}}
        }));
        assert_eq!(v.name(), Some("status-name"));
        assert_eq!(v.memory_bytes(), Some(1024 * 1024 * 1024));
        assert_eq!(v.power_state(), Some(&PowerState::Off));
        assert_eq!(v.vcpus(), Some(4), "status has no sockets: spec fills in");
    }

    #[test]
    fn disks_exclude_cdrom_and_volume_groups() {
        let v = vm(serde_json::json!({"status":{"resources":{"disk_list":[
            {"disk_size_bytes":10},
            {"device_properties":{"device_type":"CDROM"}},
            {"device_properties":{"device_type":"VOLUME_GROUP"},"disk_size_bytes":1000},
            {"device_properties":{"device_type":"DISK"},"disk_size_mib":1}
        ]}}}));
        assert_eq!(v.disks().len(), 2);
        assert_eq!(v.provisioned_storage_bytes(), 10 + 1024 * 1024);
    }

    #[test]
    fn ip_addresses_are_deduplicated_in_order() {
        let v = vm(serde_json::json!({"status":{"resources":{"nic_list":[
            {"ip_endpoint_list":[{"ip":"10.0.0.2"},{"ip":"10.0.0.1"}]},
            {"ip_endpoint_list":[{"ip":"10.0.0.2"},{"ip":"10.0.0.3"}]},
            {"ip_endpoint_list":null}
        ]}}}));
        assert_eq!(v.ip_addresses(), ["10.0.0.2", "10.0.0.1", "10.0.0.3"]);
    }

    #[test]
    fn unknown_power_state_is_kept() {
        let v = vm(serde_json::json!({"status":{"resources":{"power_state":"SUSPENDED"}}}));
        assert_eq!(
            v.power_state(),
            Some(&PowerState::Unknown("SUSPENDED".into()))
        );
        let v = vm(serde_json::json!({"status":{"resources":{"power_state":"UNKNOWN"}}}));
        assert_eq!(v.power_state(), Some(&PowerState::StateUnknown));
        assert!(!v.is_powered_on());
    }

    #[test]
    fn empty_vm_has_empty_accessors() {
        let v = vm(serde_json::json!({}));
        assert_eq!(v.uuid(), None);
        assert_eq!(v.vcpus(), None);
        assert!(v.disks().is_empty());
        assert!(v.nics().is_empty());
        assert!(v.categories().is_empty());
        assert_eq!(v.gpu_count(), 0);
        assert_eq!(v.provisioned_storage_bytes(), 0);
        assert!(v.task_uuids().is_empty());
    }
}
