//! The subnet entity: VLAN and OVERLAY (VPC) subnets.

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

string_enum! {
    /// Subnet type.
    pub enum SubnetType {
        /// A VLAN-backed subnet on a cluster.
        Vlan => "VLAN",
        /// An overlay (VPC) subnet; it has no cluster.
        Overlay => "OVERLAY",
    }
}

/// An entry of `ip_config.pool_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IpPool {
    /// `"first last"`, e.g. `"10.0.0.50 10.0.0.250"`.
    #[serde(deserialize_with = "de::text")]
    pub range: Option<String>,
}

impl IpPool {
    /// The first and last address of the range, when it has the `"first last"` shape.
    pub fn bounds(&self) -> Option<(&str, &str)> {
        let mut parts = self.range.as_deref()?.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(first), Some(last), None) => Some((first, last)),
            _ => None,
        }
    }
}

/// `ip_config.dhcp_server_address`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DhcpServerAddress {
    /// DHCP server IP.
    #[serde(deserialize_with = "de::text")]
    pub ip: Option<String>,
}

/// `ip_config.dhcp_options`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DhcpOptions {
    /// DNS servers.
    #[serde(deserialize_with = "de::text_list")]
    pub domain_name_server_list: Vec<String>,
    /// DNS search domains.
    #[serde(deserialize_with = "de::text_list")]
    pub domain_search_list: Vec<String>,
    /// Domain name.
    #[serde(deserialize_with = "de::text")]
    pub domain_name: Option<String>,
    /// PXE boot file.
    #[serde(deserialize_with = "de::text")]
    pub boot_file_name: Option<String>,
    /// TFTP server.
    #[serde(deserialize_with = "de::text")]
    pub tftp_server_name: Option<String>,
}

/// `resources.ip_config` of a subnet (IPAM).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IpConfig {
    /// Network address, e.g. `10.0.0.0`.
    #[serde(deserialize_with = "de::text")]
    pub subnet_ip: Option<String>,
    /// Prefix length, e.g. `24`.
    #[serde(deserialize_with = "de::int")]
    pub prefix_length: Option<i64>,
    /// Default gateway.
    #[serde(deserialize_with = "de::text")]
    pub default_gateway_ip: Option<String>,
    /// Address pools.
    #[serde(deserialize_with = "de::list")]
    pub pool_list: Vec<IpPool>,
    /// DHCP server.
    #[serde(deserialize_with = "de::object")]
    pub dhcp_server_address: Option<DhcpServerAddress>,
    /// DHCP options.
    #[serde(deserialize_with = "de::object")]
    pub dhcp_options: Option<DhcpOptions>,
}

/// An entry of `ip_usage_stats.ip_pools_stats`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IpPoolStats {
    /// The pool range.
    #[serde(deserialize_with = "de::text")]
    pub range: Option<String>,
    /// Free addresses.
    #[serde(deserialize_with = "de::int")]
    pub num_free_ips: Option<i64>,
    /// Total addresses.
    #[serde(deserialize_with = "de::int")]
    pub num_total_ips: Option<i64>,
}

/// `resources.ip_usage_stats` of a subnet (status only).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IpUsageStats {
    /// MAC addresses seen.
    #[serde(deserialize_with = "de::int")]
    pub num_macs: Option<i64>,
    /// Free addresses.
    #[serde(deserialize_with = "de::int")]
    pub num_free_ips: Option<i64>,
    /// Assigned addresses.
    #[serde(deserialize_with = "de::int")]
    pub num_assigned_ips: Option<i64>,
    /// Per-pool usage.
    #[serde(deserialize_with = "de::list")]
    pub ip_pools_stats: Vec<IpPoolStats>,
}

/// `spec.resources` / `status.resources` of a subnet.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SubnetResources {
    /// VLAN or OVERLAY.
    #[serde(deserialize_with = "de::enumeration")]
    pub subnet_type: Option<SubnetType>,
    /// VLAN id (VLAN subnets).
    #[serde(deserialize_with = "de::int")]
    pub vlan_id: Option<i64>,
    /// Virtual switch name, e.g. `br0`.
    #[serde(deserialize_with = "de::text")]
    pub vswitch_name: Option<String>,
    /// Virtual switch UUID.
    #[serde(deserialize_with = "de::text")]
    pub virtual_switch_uuid: Option<String>,
    /// VPC (OVERLAY subnets).
    #[serde(deserialize_with = "de::object")]
    pub vpc_reference: Option<Reference>,
    /// Virtual network (OVERLAY subnets).
    #[serde(deserialize_with = "de::object")]
    pub virtual_network_reference: Option<Reference>,
    /// Whether this is an external network.
    #[serde(deserialize_with = "de::boolean")]
    pub is_external: Option<bool>,
    /// Whether NAT is enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub enable_nat: Option<bool>,
    /// Whether advanced networking (Flow) manages the subnet.
    #[serde(deserialize_with = "de::boolean")]
    pub advanced_networking: Option<bool>,
    /// External connectivity state, kept as text.
    #[serde(deserialize_with = "de::text")]
    pub external_connectivity_state: Option<String>,
    /// IPAM configuration.
    #[serde(deserialize_with = "de::object")]
    pub ip_config: Option<IpConfig>,
    /// IP usage statistics (status only).
    #[serde(deserialize_with = "de::object")]
    pub ip_usage_stats: Option<IpUsageStats>,
}

/// `spec` of a subnet.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SubnetSpec {
    /// Subnet name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Cluster (absent for OVERLAY).
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<SubnetResources>,
}

/// `status` of a subnet.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SubnetStatus {
    /// Subnet name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Intent state.
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// Messages when `state` is `ERROR`.
    #[serde(deserialize_with = "de::list")]
    pub message_list: Vec<ErrorMessage>,
    /// Task(s) behind the state.
    #[serde(deserialize_with = "de::object")]
    pub execution_context: Option<ExecutionContext>,
    /// Cluster (absent for OVERLAY).
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<SubnetResources>,
}

/// A subnet (`POST /subnets/list`, `GET /subnets/{uuid}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Subnet {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<SubnetSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<SubnetStatus>,
}

impl Entity for Subnet {
    const KIND: &'static str = "subnet";
    const PATH: &'static str = "subnets";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Subnet {
    fn pick<'a, T>(&'a self, f: impl Fn(&'a SubnetResources) -> Option<T>) -> Option<T> {
        let status = self.status.as_ref().and_then(|s| s.resources.as_ref());
        let spec = self.spec.as_ref().and_then(|s| s.resources.as_ref());
        status.and_then(&f).or_else(|| spec.and_then(&f))
    }

    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&SubnetResources> {
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

    /// VLAN or OVERLAY.
    pub fn subnet_type(&self) -> Option<&SubnetType> {
        self.pick(|r| r.subnet_type.as_ref())
    }

    /// VLAN id (VLAN subnets).
    pub fn vlan_id(&self) -> Option<i64> {
        self.pick(|r| r.vlan_id)
    }

    /// `status.cluster_reference`, else `spec.cluster_reference`; absent for OVERLAY subnets.
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

    /// VPC of an OVERLAY subnet.
    pub fn vpc_reference(&self) -> Option<&Reference> {
        self.pick(|r| r.vpc_reference.as_ref())
    }

    /// Whether this is an external network.
    pub fn is_external(&self) -> bool {
        self.pick(|r| r.is_external).unwrap_or(false)
    }

    /// `ip_config.default_gateway_ip`.
    pub fn gateway(&self) -> Option<&str> {
        self.pick(|r| {
            r.ip_config
                .as_ref()
                .and_then(|c| c.default_gateway_ip.as_deref())
        })
    }

    /// CIDR text `"subnet_ip/prefix_length"`, e.g. `"10.0.0.0/24"`, when both are present and
    /// the prefix is in `0..=128`.
    pub fn cidr(&self) -> Option<String> {
        self.pick(|r| {
            let c = r.ip_config.as_ref()?;
            let ip = c.subnet_ip.as_deref().filter(|s| !s.is_empty())?;
            let prefix = c.prefix_length.filter(|p| (0..=128).contains(p))?;
            Some(format!("{ip}/{prefix}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_and_pool_bounds() {
        let s: Subnet = serde_json::from_value(serde_json::json!({"status":{"resources":{
            "subnet_type":"VLAN","vlan_id":"12","ip_config":{"subnet_ip":"10.0.0.0","prefix_length":24,
            "pool_list":[{"range":"10.0.0.50 10.0.0.250"},{"range":"bad"}]}}}}))
        .unwrap();
        assert_eq!(s.cidr().as_deref(), Some("10.0.0.0/24"));
        assert_eq!(s.vlan_id(), Some(12));
        let pools = &s.resources().unwrap().ip_config.as_ref().unwrap().pool_list;
        assert_eq!(pools[0].bounds(), Some(("10.0.0.50", "10.0.0.250")));
        assert_eq!(pools[1].bounds(), None);
        let no_prefix: Subnet = serde_json::from_value(
            serde_json::json!({"status":{"resources":{"ip_config":{"subnet_ip":"10.0.0.0"}}}}),
        )
        .unwrap();
        assert_eq!(no_prefix.cidr(), None);
    }
}
