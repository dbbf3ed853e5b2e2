//! The host entity (`host_def_status`). `hosts/list` does not page.

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::vm_devices::mib_to_bytes;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

string_enum! {
    /// Role of a host in its cluster.
    pub enum HostType {
        /// Storage and compute.
        HyperConverged => "HYPER_CONVERGED",
        /// Compute only.
        ComputeOnly => "COMPUTE_ONLY",
        /// Never runs user VMs.
        NeverSchedulable => "NEVER_SCHEDULABLE",
    }
}

/// `hypervisor` block of a host.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HostHypervisor {
    /// Full name, e.g. `"Nutanix 20190916.321"`.
    #[serde(deserialize_with = "de::text")]
    pub hypervisor_full_name: Option<String>,
    /// Hypervisor IP.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
    /// Number of VMs on the host.
    #[serde(deserialize_with = "de::int")]
    pub num_vms: Option<i64>,
}

/// `controller_vm.oplog_usage`; real bodies send `""` for missing values.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OplogUsage {
    /// Oplog disk usage in percent.
    #[serde(deserialize_with = "de::float")]
    pub oplog_disk_pct: Option<f64>,
    /// Oplog disk size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub oplog_disk_size: Option<i64>,
}

/// `controller_vm` block of a host (the CVM).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ControllerVm {
    /// CVM IP.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
    /// NAT IP.
    #[serde(deserialize_with = "de::text")]
    pub nat_ip: Option<String>,
    /// NAT port.
    #[serde(deserialize_with = "de::int")]
    pub nat_port: Option<i64>,
    /// Oplog usage.
    #[serde(deserialize_with = "de::object")]
    pub oplog_usage: Option<OplogUsage>,
}

/// `block` of a host (the chassis).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HostBlock {
    /// Block model.
    #[serde(deserialize_with = "de::text")]
    pub block_model: Option<String>,
    /// Block serial number.
    #[serde(deserialize_with = "de::text")]
    pub block_serial_number: Option<String>,
}

/// `ipmi` of a host.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Ipmi {
    /// IPMI IP.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
}

/// `spec.resources` / `status.resources` of a host (free-form in the spec).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HostResources {
    /// CPU model text.
    #[serde(deserialize_with = "de::text")]
    pub cpu_model: Option<String>,
    /// Serial number.
    #[serde(deserialize_with = "de::text")]
    pub serial_number: Option<String>,
    /// Monitoring state.
    #[serde(deserialize_with = "de::text")]
    pub monitoring_state: Option<String>,
    /// Physical CPU sockets.
    #[serde(deserialize_with = "de::int")]
    pub num_cpu_sockets: Option<i64>,
    /// Physical CPU cores (total over sockets).
    #[serde(deserialize_with = "de::int")]
    pub num_cpu_cores: Option<i64>,
    /// Total CPU capacity in Hz.
    #[serde(deserialize_with = "de::int")]
    pub cpu_capacity_hz: Option<i64>,
    /// Memory capacity in MiB.
    #[serde(deserialize_with = "de::int")]
    pub memory_capacity_mib: Option<i64>,
    /// Host role.
    #[serde(deserialize_with = "de::enumeration")]
    pub host_type: Option<HostType>,
    /// Hypervisor.
    #[serde(deserialize_with = "de::object")]
    pub hypervisor: Option<HostHypervisor>,
    /// Controller VM.
    #[serde(deserialize_with = "de::object")]
    pub controller_vm: Option<ControllerVm>,
    /// Chassis block.
    #[serde(deserialize_with = "de::object")]
    pub block: Option<HostBlock>,
    /// IPMI.
    #[serde(deserialize_with = "de::object")]
    pub ipmi: Option<Ipmi>,
    /// GPUs, kept as raw JSON.
    #[serde(deserialize_with = "de::list")]
    pub gpu_list: Vec<serde_json::Value>,
    /// Physical disks.
    #[serde(deserialize_with = "de::list")]
    pub host_disks_reference_list: Vec<Reference>,
    /// Physical NIC ids.
    #[serde(deserialize_with = "de::text_list")]
    pub host_nics_id_list: Vec<String>,
    /// Rackable unit.
    #[serde(deserialize_with = "de::object")]
    pub rackable_unit_reference: Option<Reference>,
}

/// `spec` of a host.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HostSpec {
    /// Host name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Cluster.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<HostResources>,
}

/// `status` of a host.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HostStatus {
    /// Host name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Intent state.
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// Messages when `state` is `ERROR`.
    #[serde(deserialize_with = "de::list")]
    pub message_list: Vec<ErrorMessage>,
    /// Task(s) behind the state.
    #[serde(deserialize_with = "de::object")]
    pub execution_context: Option<ExecutionContext>,
    /// Cluster the host belongs to.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<HostResources>,
}

/// A physical host (`POST /hosts/list`, which does not page, `GET /hosts/{uuid}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Host {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<HostSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<HostStatus>,
}

impl Entity for Host {
    const KIND: &'static str = "host";
    const PATH: &'static str = "hosts";
    const PAGED: bool = false;

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Host {
    fn pick<'a, T>(&'a self, f: impl Fn(&'a HostResources) -> Option<T>) -> Option<T> {
        let status = self.status.as_ref().and_then(|s| s.resources.as_ref());
        let spec = self.spec.as_ref().and_then(|s| s.resources.as_ref());
        status.and_then(&f).or_else(|| spec.and_then(&f))
    }

    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&HostResources> {
        self.status
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.resources.as_ref()))
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

    /// Physical CPU sockets.
    pub fn cpu_sockets(&self) -> Option<i64> {
        self.pick(|r| r.num_cpu_sockets)
    }

    /// Physical CPU cores (total).
    pub fn cpu_cores(&self) -> Option<i64> {
        self.pick(|r| r.num_cpu_cores)
    }

    /// Total CPU capacity in Hz.
    pub fn cpu_capacity_hz(&self) -> Option<i64> {
        self.pick(|r| r.cpu_capacity_hz)
    }

    /// CPU model text.
    pub fn cpu_model(&self) -> Option<&str> {
        self.pick(|r| r.cpu_model.as_deref())
    }

    /// Memory in bytes = `memory_capacity_mib × 1 MiB`.
    pub fn memory_bytes(&self) -> Option<u64> {
        self.pick(|r| r.memory_capacity_mib.and_then(mib_to_bytes))
    }

    /// `hypervisor.hypervisor_full_name`, e.g. `"Nutanix 20190916.321"`.
    pub fn hypervisor_name(&self) -> Option<&str> {
        self.pick(|r| {
            r.hypervisor
                .as_ref()
                .and_then(|h| h.hypervisor_full_name.as_deref())
        })
    }

    /// `hypervisor.ip`.
    pub fn hypervisor_ip(&self) -> Option<&str> {
        self.pick(|r| r.hypervisor.as_ref().and_then(|h| h.ip.as_deref()))
    }

    /// `hypervisor.num_vms`.
    pub fn num_vms(&self) -> Option<i64> {
        self.pick(|r| r.hypervisor.as_ref().and_then(|h| h.num_vms))
    }

    /// `controller_vm.ip` (the CVM).
    pub fn controller_vm_ip(&self) -> Option<&str> {
        self.pick(|r| r.controller_vm.as_ref().and_then(|c| c.ip.as_deref()))
    }

    /// Host role.
    pub fn host_type(&self) -> Option<&HostType> {
        self.pick(|r| r.host_type.as_ref())
    }

    /// Serial number.
    pub fn serial_number(&self) -> Option<&str> {
        self.pick(|r| r.serial_number.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_accessors_and_blank_numbers() {
        let h: Host = serde_json::from_value(serde_json::json!({
            "status":{"name":"node-1","cluster_reference":{"kind":"cluster","uuid":"c1"},"resources":{
                "num_cpu_sockets":2,"num_cpu_cores":"32","cpu_capacity_hz":76800000000_i64,
                "memory_capacity_mib":524288,"hypervisor":{"hypervisor_full_name":"Nutanix 20230302.100173","num_vms":12},
                "controller_vm":{"ip":"10.0.0.9","oplog_usage":{"oplog_disk_pct":"","oplog_disk_size":""}}}}}))
        .unwrap();
        assert_eq!(h.name(), Some("node-1"));
        assert_eq!(h.cpu_cores(), Some(32));
        assert_eq!(h.memory_bytes(), Some(512 * 1024 * 1024 * 1024));
        assert_eq!(h.num_vms(), Some(12));
        assert_eq!(
            h.cluster_reference().and_then(|r| r.uuid.as_deref()),
            Some("c1")
        );
        let oplog = h
            .resources()
            .unwrap()
            .controller_vm
            .as_ref()
            .unwrap()
            .oplog_usage
            .as_ref()
            .unwrap();
        assert_eq!(oplog.oplog_disk_pct, None);
        const { assert!(!Host::PAGED) };
    }
}
