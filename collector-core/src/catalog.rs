//! The catalogue of cloud service groups and types this collector reports.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::resource::{CloudServiceType, PROVIDER};

/// One cloud service type of the collector (group + type), with its Prism source kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ServiceKind {
    /// `Compute` / `VirtualMachine` (primary, major): Prism `vm`.
    VirtualMachine,
    /// `Compute` / `Host`: Prism `host`.
    Host,
    /// `Compute` / `Image`: Prism `image`.
    Image,
    /// `Storage` / `Disk`: one per VM disk of device type DISK.
    Disk,
    /// `Storage` / `VolumeGroup`: Prism `volume_group`.
    VolumeGroup,
    /// `Networking` / `Subnet`: Prism `subnet`.
    Subnet,
    /// `Cluster` / `Cluster`: Prism Element clusters (the Prism Central entry is skipped).
    Cluster,
}

impl ServiceKind {
    /// Every kind, in the order type records are emitted.
    pub const ALL: [Self; 7] = [
        Self::VirtualMachine,
        Self::Host,
        Self::Image,
        Self::Disk,
        Self::VolumeGroup,
        Self::Subnet,
        Self::Cluster,
    ];

    /// Cloud service group.
    pub fn group(self) -> &'static str {
        match self {
            Self::VirtualMachine | Self::Host | Self::Image => "Compute",
            Self::Disk | Self::VolumeGroup => "Storage",
            Self::Subnet => "Networking",
            Self::Cluster => "Cluster",
        }
    }

    /// Cloud service type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::VirtualMachine => "VirtualMachine",
            Self::Host => "Host",
            Self::Image => "Image",
            Self::Disk => "Disk",
            Self::VolumeGroup => "VolumeGroup",
            Self::Subnet => "Subnet",
            Self::Cluster => "Cluster",
        }
    }

    /// Human-readable name (`spaceone:display_name`).
    pub fn display_name(self) -> &'static str {
        match self {
            Self::VirtualMachine => "Virtual Machine",
            Self::Host => "Host",
            Self::Image => "Image",
            Self::Disk => "Disk",
            Self::VolumeGroup => "Volume Group",
            Self::Subnet => "Subnet",
            Self::Cluster => "Cluster",
        }
    }

    /// Prism v3 `kind` the records come from (`vm` for disks too).
    pub fn prism_kind(self) -> &'static str {
        match self {
            Self::VirtualMachine | Self::Disk => "vm",
            Self::Host => "host",
            Self::Image => "image",
            Self::VolumeGroup => "volume_group",
            Self::Subnet => "subnet",
            Self::Cluster => "cluster",
        }
    }

    /// Plural path used in console links.
    pub fn console_plural(self) -> &'static str {
        match self {
            Self::VirtualMachine | Self::Disk => "vms",
            Self::Host => "hosts",
            Self::Image => "images",
            Self::VolumeGroup => "volume_groups",
            Self::Subnet => "subnets",
            Self::Cluster => "clusters",
        }
    }

    /// Whether this is the primary type of the collector (listed first).
    pub fn is_primary(self) -> bool {
        matches!(self, Self::VirtualMachine)
    }

    /// Whether the console shows this type on summary pages.
    pub fn is_major(self) -> bool {
        matches!(self, Self::VirtualMachine)
    }

    /// Console labels.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            Self::VirtualMachine => &["Compute", "Server"],
            Self::Host => &["Compute", "Server"],
            Self::Image => &["Compute"],
            Self::Disk | Self::VolumeGroup => &["Storage"],
            Self::Subnet => &["Networking"],
            Self::Cluster => &["Container", "Management"],
        }
    }

    /// The `inventory.CloudServiceType` resource for this kind, with its view metadata.
    pub fn cloud_service_type(self) -> CloudServiceType {
        let mut tags = BTreeMap::new();
        tags.insert(
            Cow::Borrowed("spaceone:display_name"),
            Cow::Borrowed(self.display_name()),
        );
        CloudServiceType {
            name: Cow::Borrowed(self.type_name()),
            group: Cow::Borrowed(self.group()),
            provider: Cow::Borrowed(PROVIDER),
            service_code: Cow::Borrowed(self.type_name()),
            is_primary: self.is_primary(),
            is_major: self.is_major(),
            resource_type: Cow::Borrowed("inventory.CloudService"),
            labels: self.labels().iter().map(|l| Cow::Borrowed(*l)).collect(),
            tags,
            metadata: Cow::Borrowed(crate::views::type_metadata(self)),
        }
    }
}
