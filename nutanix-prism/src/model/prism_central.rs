//! `GET /prism_central` (PC detection and version) and `GET /users/me` (login probe).

use serde::{Deserialize, Serialize};

use super::de;
use super::{Metadata, Reference};

/// A NIC of a Prism Central VM.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PcVmNic {
    /// Addresses.
    #[serde(deserialize_with = "de::text_list")]
    pub ip_list: Vec<String>,
    /// Network configuration, kept as raw JSON.
    pub network_configuration: Option<serde_json::Value>,
}

/// An entry of `resources.pc_vm_list`: one VM of a (possibly scale-out) Prism Central.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PcVm {
    /// VM name.
    #[serde(deserialize_with = "de::text")]
    pub vm_name: Option<String>,
    /// VM UUID.
    #[serde(deserialize_with = "de::text")]
    pub vm_uuid: Option<String>,
    /// vCPU sockets.
    #[serde(deserialize_with = "de::int")]
    pub num_sockets: Option<i64>,
    /// Memory in bytes.
    #[serde(deserialize_with = "de::int")]
    pub memory_size_bytes: Option<i64>,
    /// Data disk in bytes.
    #[serde(deserialize_with = "de::int")]
    pub data_disk_size_bytes: Option<i64>,
    /// Power state text (`ON`, ...).
    #[serde(deserialize_with = "de::text")]
    pub power_state: Option<String>,
    /// Health text (`NORMAL`, ...).
    #[serde(deserialize_with = "de::text")]
    pub status: Option<String>,
    /// Hosting cluster.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Storage container UUID.
    #[serde(deserialize_with = "de::text")]
    pub container_uuid: Option<String>,
    /// NICs.
    #[serde(deserialize_with = "de::list")]
    pub nic_list: Vec<PcVmNic>,
}

/// `resources` of `GET /prism_central`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrismCentralResources {
    /// PC version, e.g. `"pc.2024.1.0.1"`.
    #[serde(deserialize_with = "de::text")]
    pub version: Option<String>,
    /// Size class, e.g. `"kSmall"`.
    #[serde(deserialize_with = "de::text")]
    pub pc_size: Option<String>,
    /// The PC VMs (3 for scale-out).
    #[serde(deserialize_with = "de::list")]
    pub pc_vm_list: Vec<PcVm>,
    /// Deployment type text.
    #[serde(rename = "type", deserialize_with = "de::text")]
    pub deployment_type: Option<String>,
    /// Virtual IP of a scale-out PC.
    #[serde(deserialize_with = "de::text")]
    pub virtual_ip: Option<String>,
    /// UUID of the PC "cluster".
    #[serde(deserialize_with = "de::text")]
    pub cluster_uuid: Option<String>,
    /// Whether the PC is registered to the Prism Element hosting it.
    #[serde(deserialize_with = "de::boolean")]
    pub is_registered_to_hosting_pe: Option<bool>,
    /// Whether Prism Elements register automatically.
    #[serde(deserialize_with = "de::boolean")]
    pub should_auto_register: Option<bool>,
}

/// Body of `GET /prism_central`: answers 200 on a Prism Central only, which makes it the
/// "is this really a PC?" probe.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrismCentralInfo {
    /// API version (often absent).
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// The details.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<PrismCentralResources>,
}

impl PrismCentralInfo {
    /// PC version, e.g. `"pc.2024.1.0.1"`.
    pub fn version(&self) -> Option<&str> {
        self.resources.as_ref().and_then(|r| r.version.as_deref())
    }

    /// Size class, e.g. `"kSmall"`.
    pub fn pc_size(&self) -> Option<&str> {
        self.resources.as_ref().and_then(|r| r.pc_size.as_deref())
    }

    /// The PC VMs.
    pub fn vms(&self) -> &[PcVm] {
        self.resources
            .as_ref()
            .map(|r| r.pc_vm_list.as_slice())
            .unwrap_or_default()
    }
}

/// `status.resources` of `GET /users/me`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserResources {
    /// Display name.
    #[serde(deserialize_with = "de::text")]
    pub display_name: Option<String>,
    /// `LOCAL`, `DIRECTORY_SERVICE`, ...
    #[serde(deserialize_with = "de::text")]
    pub user_type: Option<String>,
    /// Directory user details, kept as raw JSON.
    pub directory_service_user: Option<serde_json::Value>,
}

/// `status` of `GET /users/me`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserStatus {
    /// User name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Intent state.
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<UserResources>,
}

/// Body of `GET /users/me` (the session login call). Minimal and tolerant: only the fields
/// needed to name the caller.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserInfo {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Status.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<UserStatus>,
    /// Top-level user name, sent by some versions.
    #[serde(deserialize_with = "de::text")]
    pub username: Option<String>,
    /// Top-level display name, sent by some versions.
    #[serde(deserialize_with = "de::text")]
    pub display_name: Option<String>,
}

impl UserInfo {
    /// `status.name`, else top-level `username`, else `metadata.name`, else the directory
    /// user's `user_principal_name`.
    pub fn username(&self) -> Option<&str> {
        let status = self.status.as_ref();
        status
            .and_then(|s| s.name.as_deref())
            .or(self.username.as_deref())
            .or_else(|| self.metadata.as_ref().and_then(|m| m.name.as_deref()))
            .or_else(|| {
                status
                    .and_then(|s| s.resources.as_ref())
                    .and_then(|r| r.directory_service_user.as_ref())
                    .and_then(|d| d.get("user_principal_name"))
                    .and_then(serde_json::Value::as_str)
            })
    }

    /// `status.resources.display_name`, else top-level `display_name`.
    pub fn display_name(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.display_name.as_deref())
            .or(self.display_name.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_from_any_shape() {
        let u: UserInfo = serde_json::from_str(
            r#"{"status":{"name":"admin","resources":{"display_name":"Administrator"}}}"#,
        )
        .unwrap();
        assert_eq!(
            (u.username(), u.display_name()),
            (Some("admin"), Some("Administrator"))
        );
        let u: UserInfo =
            serde_json::from_str(r#"{"username":"bob","display_name":"Bob"}"#).unwrap();
        assert_eq!((u.username(), u.display_name()), (Some("bob"), Some("Bob")));
        let u: UserInfo = serde_json::from_str(
            r#"{"status":{"resources":{"directory_service_user":{"user_principal_name":"a@corp"}}}}"#,
        )
        .unwrap();
        assert_eq!(u.username(), Some("a@corp"));
    }
}
