//! The volume group entity (iSCSI / directly attached block storage).

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::vm_devices::mib_to_bytes;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

string_enum! {
    /// Whether a volume group may be attached to several clients.
    pub enum SharingStatus {
        /// Shared.
        Shared => "SHARED",
        /// Not shared.
        NotShared => "NOT_SHARED",
    }
}

string_enum! {
    /// Intended use of a volume group.
    pub enum VolumeGroupUsageType {
        /// User data.
        User => "USER",
        /// Internal use.
        Internal => "INTERNAL",
        /// Temporary.
        Temporary => "TEMPORARY",
        /// Backup target.
        BackupTarget => "BACKUP_TARGET",
        /// Prism reports `UNKNOWN` (not to be confused with `Unknown(_)`).
        UsageUnknown => "UNKNOWN",
    }
}

/// An entry of a volume group's `disk_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroupDisk {
    /// Disk UUID.
    #[serde(deserialize_with = "de::text")]
    pub uuid: Option<String>,
    /// Index in the group.
    #[serde(deserialize_with = "de::int")]
    pub index: Option<i64>,
    /// Size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub disk_size_bytes: Option<i64>,
    /// Size in MiB.
    #[serde(deserialize_with = "de::int")]
    pub disk_size_mib: Option<i64>,
    /// Storage container UUID.
    #[serde(deserialize_with = "de::text")]
    pub storage_container_uuid: Option<String>,
}

impl VolumeGroupDisk {
    /// `disk_size_bytes`, else `disk_size_mib × 1 MiB`; `None` when absent or negative.
    pub fn size_bytes(&self) -> Option<u64> {
        self.disk_size_bytes
            .and_then(|b| u64::try_from(b).ok())
            .or_else(|| self.disk_size_mib.and_then(mib_to_bytes))
    }
}

/// An entry of a volume group's `attachment_list`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroupAttachment {
    /// Attached VM (direct attachment).
    #[serde(deserialize_with = "de::object")]
    pub vm_reference: Option<Reference>,
    /// iSCSI initiator (external attachment).
    #[serde(deserialize_with = "de::text")]
    pub iscsi_initiator_name: Option<String>,
}

/// `spec.resources` / `status.resources` of a volume group.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroupResources {
    /// Total size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub size_bytes: Option<i64>,
    /// Total size in MiB.
    #[serde(deserialize_with = "de::int")]
    pub size_mib: Option<i64>,
    /// Disks.
    #[serde(deserialize_with = "de::list")]
    pub disk_list: Vec<VolumeGroupDisk>,
    /// Attachments.
    #[serde(deserialize_with = "de::list")]
    pub attachment_list: Vec<VolumeGroupAttachment>,
    /// Sharing status.
    #[serde(deserialize_with = "de::enumeration")]
    pub sharing_status: Option<SharingStatus>,
    /// Usage type.
    #[serde(deserialize_with = "de::enumeration")]
    pub usage_type: Option<VolumeGroupUsageType>,
    /// Whether the group is hidden.
    #[serde(deserialize_with = "de::boolean")]
    pub is_hidden: Option<bool>,
    /// Flash mode, kept as text.
    #[serde(deserialize_with = "de::text")]
    pub flash_mode: Option<String>,
    /// iSCSI target prefix.
    #[serde(deserialize_with = "de::text")]
    pub iscsi_target_prefix: Option<String>,
    /// Creator.
    #[serde(deserialize_with = "de::text")]
    pub created_by: Option<String>,
}

/// `spec` of a volume group.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroupSpec {
    /// Name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Cluster.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<VolumeGroupResources>,
}

/// `status` of a volume group.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroupStatus {
    /// Name.
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
    /// Cluster.
    #[serde(deserialize_with = "de::object")]
    pub cluster_reference: Option<Reference>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<VolumeGroupResources>,
}

/// A volume group (`POST /volume_groups/list`, `GET /volume_groups/{uuid}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeGroup {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<VolumeGroupSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<VolumeGroupStatus>,
}

impl Entity for VolumeGroup {
    const KIND: &'static str = "volume_group";
    const PATH: &'static str = "volume_groups";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl VolumeGroup {
    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&VolumeGroupResources> {
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

    /// Disks of [`VolumeGroup::resources`].
    pub fn disks(&self) -> &[VolumeGroupDisk] {
        self.resources()
            .map(|r| r.disk_list.as_slice())
            .unwrap_or_default()
    }

    /// Total size of [`VolumeGroup::resources`]: `size_bytes`, else `size_mib × 1 MiB`, else
    /// the sum of the disk sizes (`None` when no disk has a size).
    pub fn size_bytes(&self) -> Option<u64> {
        let r = self.resources()?;
        r.size_bytes
            .and_then(|b| u64::try_from(b).ok())
            .or_else(|| r.size_mib.and_then(mib_to_bytes))
            .or_else(|| {
                let sizes: Vec<u64> = r
                    .disk_list
                    .iter()
                    .filter_map(VolumeGroupDisk::size_bytes)
                    .collect();
                (!sizes.is_empty()).then(|| sizes.into_iter().fold(0, u64::saturating_add))
            })
    }

    /// VMs the group is directly attached to (`attachment_list[].vm_reference`).
    pub fn attached_vm_references(&self) -> Vec<&Reference> {
        self.resources()
            .map(|r| {
                r.attachment_list
                    .iter()
                    .filter_map(|a| a.vm_reference.as_ref())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_falls_back_to_disks() {
        let vg: VolumeGroup = serde_json::from_value(serde_json::json!({"status":{"resources":{
            "disk_list":[{"disk_size_bytes":100},{"disk_size_mib":1},{}],
            "attachment_list":[{"vm_reference":{"kind":"vm","uuid":"v1"}},{"iscsi_initiator_name":"iqn.x"}]}}}))
        .unwrap();
        assert_eq!(vg.size_bytes(), Some(100 + 1024 * 1024));
        assert_eq!(vg.attached_vm_references().len(), 1);
        let vg: VolumeGroup =
            serde_json::from_value(serde_json::json!({"status":{"resources":{"size_bytes":5,"disk_list":[{"disk_size_bytes":100}]}}}))
                .unwrap();
        assert_eq!(vg.size_bytes(), Some(5));
        let empty: VolumeGroup =
            serde_json::from_value(serde_json::json!({"status":{"resources":{}}})).unwrap();
        assert_eq!(empty.size_bytes(), None);
    }
}
