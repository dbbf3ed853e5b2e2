//! The cluster entity. `clusters/list` also lists the Prism Central itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata};

string_enum! {
    /// An entry of `config.service_list`: what the cluster runs.
    pub enum ClusterService {
        /// A Prism Element (AOS) cluster.
        Aos => "AOS",
        /// The Prism Central itself.
        PrismCentral => "PRISM_CENTRAL",
        /// Cloud data gateway.
        CloudDataGateway => "CLOUD_DATA_GATEWAY",
        /// Nutanix Files.
        Afs => "AFS",
        /// Witness VM.
        Witness => "WITNESS",
        /// Xi portal.
        XiPortal => "XI_PORTAL",
        /// Single-node cluster.
        OneNode => "ONE_NODE",
        /// Two-node cluster.
        TwoNode => "TWO_NODE",
    }
}

string_enum! {
    /// CPU architecture of a cluster.
    pub enum ClusterArch {
        /// x86-64.
        X86_64 => "X86_64",
        /// POWER little-endian.
        Ppc64le => "PPC64LE",
    }
}

string_enum! {
    /// Hypervisor of a node (`nodes.hypervisor_server_list[].type`).
    pub enum HypervisorServerType {
        /// Nutanix AHV.
        Ahv => "AHV",
        /// VMware ESXi.
        Vmware => "VMWARE",
        /// Xen.
        Xen => "XEN",
        /// Microsoft Hyper-V.
        HyperV => "HYPERV",
    }
}

/// `config.build` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BuildInfo {
    /// `"6.5.4.5"` on Prism Element; the literal `"pc"` on the Prism Central entry.
    #[serde(deserialize_with = "de::text")]
    pub version: Option<String>,
    /// Full build string.
    #[serde(deserialize_with = "de::text")]
    pub full_version: Option<String>,
    /// Commit id.
    #[serde(deserialize_with = "de::text")]
    pub commit_id: Option<String>,
    /// Short commit id.
    #[serde(deserialize_with = "de::text")]
    pub short_commit_id: Option<String>,
    /// Build type (`release`).
    #[serde(deserialize_with = "de::text")]
    pub build_type: Option<String>,
    /// Whether this is a long-term-support release.
    #[serde(deserialize_with = "de::boolean")]
    pub is_long_term_support: Option<bool>,
    /// Commit date (RFC 3339 text).
    #[serde(deserialize_with = "de::text")]
    pub commit_date: Option<String>,
}

/// A value of `config.software_map`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SoftwareInfo {
    /// `NOS`, `NCC`, `PRISM_CENTRAL`, ...
    #[serde(deserialize_with = "de::text")]
    pub software_type: Option<String>,
    /// Version text.
    #[serde(deserialize_with = "de::text")]
    pub version: Option<String>,
    /// `INSTALLED`, `UPGRADING`, `DOWNLOADED`, ...
    #[serde(deserialize_with = "de::text")]
    pub status: Option<String>,
}

/// `resources.config` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterConfig {
    /// Services: `AOS` for Prism Element, `PRISM_CENTRAL` for the PC entry.
    #[serde(deserialize_with = "de::enum_list")]
    pub service_list: Vec<ClusterService>,
    /// Build information.
    #[serde(deserialize_with = "de::object")]
    pub build: Option<BuildInfo>,
    /// Installed software by key (`NOS`, `NCC`, ...).
    #[serde(deserialize_with = "de::map")]
    pub software_map: BTreeMap<String, SoftwareInfo>,
    /// Redundancy factor.
    #[serde(deserialize_with = "de::int")]
    pub redundancy_factor: Option<i64>,
    /// Time zone, e.g. `UTC`.
    #[serde(deserialize_with = "de::text")]
    pub timezone: Option<String>,
    /// Operation mode (`NORMAL`, ...).
    #[serde(deserialize_with = "de::text")]
    pub operation_mode: Option<String>,
    /// Encryption status.
    #[serde(deserialize_with = "de::text")]
    pub encryption_status: Option<String>,
    /// Whether the cluster is available.
    #[serde(deserialize_with = "de::boolean")]
    pub is_available: Option<bool>,
    /// Enabled features.
    #[serde(deserialize_with = "de::text_list")]
    pub enabled_feature_list: Vec<String>,
    /// Fault domain awareness (`NODE`, `BLOCK`, `RACK`, ...).
    #[serde(deserialize_with = "de::text")]
    pub domain_awareness_level: Option<String>,
    /// CPU architecture.
    #[serde(deserialize_with = "de::enumeration")]
    pub cluster_arch: Option<ClusterArch>,
}

/// `resources.network` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterNetwork {
    /// Cluster virtual IP (Prism Element address).
    #[serde(deserialize_with = "de::text")]
    pub external_ip: Option<String>,
    /// iSCSI data services IP.
    #[serde(deserialize_with = "de::text")]
    pub external_data_services_ip: Option<String>,
    /// External subnet, `address/netmask`.
    #[serde(deserialize_with = "de::text")]
    pub external_subnet: Option<String>,
    /// Internal subnet, `address/netmask`.
    #[serde(deserialize_with = "de::text")]
    pub internal_subnet: Option<String>,
    /// DNS servers.
    #[serde(deserialize_with = "de::text_list")]
    pub name_server_ip_list: Vec<String>,
    /// NTP servers.
    #[serde(deserialize_with = "de::text_list")]
    pub ntp_server_ip_list: Vec<String>,
    /// Fully qualified domain name.
    #[serde(deserialize_with = "de::text")]
    pub fully_qualified_domain_name: Option<String>,
}

/// An entry of `nodes.hypervisor_server_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HypervisorServer {
    /// Hypervisor IP; `127.0.0.1` marks a placeholder entry in real data.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
    /// Hypervisor type (wire name `type`).
    #[serde(rename = "type", deserialize_with = "de::enumeration")]
    pub hypervisor_type: Option<HypervisorServerType>,
    /// Hypervisor version (empty on placeholders).
    #[serde(deserialize_with = "de::text")]
    pub version: Option<String>,
}

impl HypervisorServer {
    /// Whether this is a placeholder rather than a node: IP absent, empty or loopback (`127.*`).
    pub fn is_placeholder(&self) -> bool {
        self.ip
            .as_deref()
            .is_none_or(|ip| ip.is_empty() || ip.starts_with("127."))
    }
}

/// `resources.nodes` of a cluster (absent on the Prism Central entry).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterNodes {
    /// Hypervisors; may contain placeholders, see [`HypervisorServer::is_placeholder`].
    #[serde(deserialize_with = "de::list")]
    pub hypervisor_server_list: Vec<HypervisorServer>,
}

/// `spec.resources` / `status.resources` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterResources {
    /// Configuration (services, build, software).
    #[serde(deserialize_with = "de::object")]
    pub config: Option<ClusterConfig>,
    /// Network settings.
    #[serde(deserialize_with = "de::object")]
    pub network: Option<ClusterNetwork>,
    /// Nodes (absent on the Prism Central entry).
    #[serde(deserialize_with = "de::object")]
    pub nodes: Option<ClusterNodes>,
    /// Runtime status flags.
    #[serde(deserialize_with = "de::text_list")]
    pub runtime_status_list: Vec<String>,
    /// Analysis block (`vm_efficiency_map`), kept as raw JSON.
    pub analysis: Option<serde_json::Value>,
}

/// `spec` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterSpec {
    /// Cluster name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<ClusterResources>,
}

/// `status` of a cluster.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterStatus {
    /// Cluster name.
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
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<ClusterResources>,
}

/// A cluster (`POST /clusters/list`, `GET /clusters/{uuid}`): a Prism Element, or the Prism
/// Central itself (see [`Cluster::is_prism_central`]).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Cluster {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<ClusterSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<ClusterStatus>,
}

impl Entity for Cluster {
    const KIND: &'static str = "cluster";
    const PATH: &'static str = "clusters";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Cluster {
    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&ClusterResources> {
        self.status
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.resources.as_ref()))
    }

    fn pick<'a, T>(&'a self, f: impl Fn(&'a ClusterResources) -> Option<T>) -> Option<T> {
        let status = self.status.as_ref().and_then(|s| s.resources.as_ref());
        let spec = self.spec.as_ref().and_then(|s| s.resources.as_ref());
        status.and_then(&f).or_else(|| spec.and_then(&f))
    }

    /// `config` (status, else spec).
    pub fn config(&self) -> Option<&ClusterConfig> {
        self.pick(|r| r.config.as_ref())
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

    /// Whether this entry is the Prism Central itself rather than a Prism Element: its
    /// `config.service_list` contains `PRISM_CENTRAL`, or `config.build.version` is `"pc"`.
    /// (The PC entry also has no `nodes`.)
    pub fn is_prism_central(&self) -> bool {
        let by_service = self.pick(|r| {
            r.config
                .as_ref()
                .filter(|c| c.service_list.contains(&ClusterService::PrismCentral))
        });
        by_service.is_some() || self.build().and_then(|b| b.version.as_deref()) == Some("pc")
    }

    /// `config.build` (status, else spec).
    pub fn build(&self) -> Option<&BuildInfo> {
        self.pick(|r| r.config.as_ref().and_then(|c| c.build.as_ref()))
    }

    /// Software version: `software_map["NOS"].version` (`"6.5.4.5"`, or `"2024.1"` on the PC
    /// entry), else `build.version` unless it is the placeholder `"pc"`.
    pub fn version(&self) -> Option<&str> {
        self.pick(|r| {
            r.config
                .as_ref()
                .and_then(|c| c.software_map.get("NOS"))
                .and_then(|s| s.version.as_deref())
        })
        .or_else(|| {
            self.build()
                .and_then(|b| b.version.as_deref())
                .filter(|v| *v != "pc")
        })
    }

    /// `network.external_ip` (the Prism Element virtual IP).
    pub fn external_ip(&self) -> Option<&str> {
        self.pick(|r| r.network.as_ref().and_then(|n| n.external_ip.as_deref()))
    }

    /// Hypervisor servers that are real nodes (placeholders skipped).
    pub fn hypervisor_servers(&self) -> Vec<&HypervisorServer> {
        self.pick(|r| r.nodes.as_ref())
            .map(|n| {
                n.hypervisor_server_list
                    .iter()
                    .filter(|h| !h.is_placeholder())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of nodes: entries of `nodes.hypervisor_server_list` that are not placeholders
    /// (`127.0.0.1` or no IP). `None` when there is no `nodes` block (the PC entry).
    pub fn node_count(&self) -> Option<usize> {
        self.pick(|r| r.nodes.as_ref())
            .map(|_| self.hypervisor_servers().len())
    }

    /// Distinct hypervisor types of the nodes, in first-seen order (placeholders included, since
    /// their type is still meaningful).
    pub fn hypervisor_types(&self) -> Vec<&HypervisorServerType> {
        let mut out: Vec<&HypervisorServerType> = Vec::new();
        let servers = self
            .pick(|r| r.nodes.as_ref())
            .map(|n| n.hypervisor_server_list.as_slice())
            .unwrap_or_default();
        for t in servers.iter().filter_map(|h| h.hypervisor_type.as_ref()) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// `config.timezone`.
    pub fn timezone(&self) -> Option<&str> {
        self.pick(|r| r.config.as_ref().and_then(|c| c.timezone.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pc_detection_by_service_or_build() {
        let by_service: Cluster = serde_json::from_value(serde_json::json!(
            {"status":{"resources":{"config":{"service_list":["PRISM_CENTRAL"]}}}}))
        .unwrap();
        assert!(by_service.is_prism_central());
        let by_build: Cluster = serde_json::from_value(serde_json::json!(
            {"spec":{"resources":{"config":{"build":{"version":"pc"}}}}}))
        .unwrap();
        assert!(by_build.is_prism_central());
        assert_eq!(by_build.version(), None);
        let pe: Cluster = serde_json::from_value(serde_json::json!(
            {"status":{"resources":{"config":{"service_list":["AOS"],"build":{"version":"6.8"}},"nodes":{}}}}))
        .unwrap();
        assert!(!pe.is_prism_central());
        assert_eq!(pe.version(), Some("6.8"));
        assert_eq!(pe.node_count(), Some(0));
    }

    #[test]
    fn placeholders_are_not_nodes() {
        let c: Cluster =
            serde_json::from_value(serde_json::json!({"status":{"resources":{"nodes":{
            "hypervisor_server_list":[
                {"ip":"10.0.0.1","type":"AHV","version":"x"},
                {"ip":"127.0.0.1","type":"AHV","version":""},
                {"ip":"10.0.0.2","type":"VMWARE"}]}}}}))
            .unwrap();
        assert_eq!(c.node_count(), Some(2));
        assert_eq!(
            c.hypervisor_types(),
            [&HypervisorServerType::Ahv, &HypervisorServerType::Vmware]
        );
    }
}
