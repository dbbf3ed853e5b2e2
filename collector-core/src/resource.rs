//! CloudForet inventory resources (the `resource` of a `ResourceInfo`), as serde structs.
//!
//! Optional fields are skipped when empty: CloudForet drops default scalars anyway, and an empty
//! string in a matched field would widen the inventory's match filter.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::data::{ServiceData, Text};

/// The provider name every record carries.
pub const PROVIDER: &str = "nutanix";

/// `reference` of a CloudService: the entity's identity in the source system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CloudServiceReference {
    /// Link to the entity in the Prism Central console.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_link: Option<Text>,
    /// The Prism entity UUID; never empty (records with an empty id are refused).
    pub resource_id: Text,
}

/// An `inventory.CloudService` resource.
///
/// Fields are declared in byte order of their keys (here and in every record type), so a serde
/// serializer writes each object with sorted keys, as canonical JSON has them. Texts are
/// [`Text`]s: short ones (UUIDs, names) are held inline and long ones (console links) are shared
/// between the records of one entity, so building a record rarely allocates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CloudService {
    /// The Prism Central the entity was collected from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Text>,
    /// Cloud service group (`Compute`, `Storage`, `Networking`, `Cluster`).
    pub cloud_service_group: Cow<'static, str>,
    /// Cloud service type (`VirtualMachine`, `Disk`, ...).
    pub cloud_service_type: Cow<'static, str>,
    /// Type-specific data shown by the console layouts.
    pub data: ServiceData,
    /// Instance size (a 32-bit float on the wire): vCPUs for VMs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_size: Option<f32>,
    /// Instance type, e.g. `4vCPU-16GiB` for VMs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<Text>,
    /// IP addresses, sorted and de-duplicated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<Text>,
    /// Console metadata (`view.sub_data.reference` to the type, view style B); shared, built once
    /// per type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Cow<'static, Value>>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Always [`PROVIDER`].
    pub provider: Cow<'static, str>,
    /// Identity of the entity.
    pub reference: CloudServiceReference,
    /// Region code: the Prism Element cluster UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<Text>,
    /// Tags (Prism categories, multi-values joined).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// An `inventory.CloudServiceType` resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CloudServiceType {
    /// Group name (`Compute`).
    pub group: Cow<'static, str>,
    /// Whether the console shows this type on summary pages.
    pub is_major: bool,
    /// Whether the console lists this type first in its group.
    pub is_primary: bool,
    /// Console labels (`Compute`, `Server`, ...).
    pub labels: Vec<Cow<'static, str>>,
    /// `view` metadata: table layout, search, widgets.
    pub metadata: Cow<'static, Value>,
    /// Type name (`VirtualMachine`).
    pub name: Cow<'static, str>,
    /// Always [`PROVIDER`].
    pub provider: Cow<'static, str>,
    /// Resource type of the records of this type (`inventory.CloudService`).
    pub resource_type: Cow<'static, str>,
    /// Service code shown by the console.
    pub service_code: Cow<'static, str>,
    /// Console tags (`spaceone:icon`, `spaceone:display_name`).
    pub tags: BTreeMap<Cow<'static, str>, Cow<'static, str>>,
}

/// An `inventory.Region` resource: one per Prism Element cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Region {
    /// Cluster name (falls back to the UUID).
    pub name: String,
    /// Always [`PROVIDER`].
    pub provider: Cow<'static, str>,
    /// Cluster UUID.
    pub region_code: String,
    /// Region tags.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Region {
    /// A region for a cluster; an empty name falls back to the UUID.
    pub fn new(region_code: impl Into<String>, name: Option<&str>) -> Self {
        let region_code = region_code.into();
        let name = name
            .filter(|n| !n.is_empty())
            .map_or_else(|| region_code.clone(), str::to_owned);
        Self {
            name,
            region_code,
            provider: Cow::Borrowed(PROVIDER),
            tags: BTreeMap::new(),
        }
    }
}

/// The `resource` of an `inventory.ErrorResource` record: which type failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ErrorResource {
    /// Group of the failed kind, when it maps to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_service_group: Option<Cow<'static, str>>,
    /// Type of the failed kind, when it maps to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_service_type: Option<Cow<'static, str>>,
    /// Always [`PROVIDER`].
    pub provider: Cow<'static, str>,
    /// Always `inventory.CloudService`.
    pub resource_type: Cow<'static, str>,
}
