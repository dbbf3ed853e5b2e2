//! Prism Central v3 wire models: tolerant serde types, no I/O.
//!
//! Decoding follows one rule everywhere: **a field that is missing, `null` or of the wrong
//! shape is treated as absent**, so any JSON object decodes into any entity type:
//!
//! - every field is optional (`Option<T>`, or an empty list or map); unknown fields are ignored;
//! - enums keep unknown values as `Unknown(String)`;
//! - sizes and counts are `i64`; numbers sent as strings (`"4"`) are accepted, blank or
//!   non-numeric text (`""`) is `None`; numbers and booleans are accepted where text is expected;
//! - `null` or non-array lists are empty, list elements that are not objects are dropped;
//! - a nested object of the wrong shape (`"resources": "n/a"`) is `None`;
//! - free-form parts (`task_uuid`, error `details`) are kept as raw [`serde_json::Value`].
//!
//! Serialising a decoded value and decoding it again gives the same value, so the simulator
//! and tests can build bodies from these types.
//!
//! Accessors on the models encode domain rules and prefer `status` (observed state) over
//! `spec` (desired state): for example [`Vm::vcpus`] = sockets × vCPUs per socket, or
//! [`Cluster::is_prism_central`].
//!
//! ```
//! use nutanix_prism::model::{Entity, ListResponse, Vm};
//!
//! let page: ListResponse<Vm> = serde_json::from_str(r#"{
//!   "metadata": {"kind": "vm", "total_matches": 1},
//!   "entities": [{"metadata": {"uuid": "b1"},
//!                 "status": {"name": "web", "resources": {"num_sockets": 2,
//!                   "num_vcpus_per_socket": 2, "memory_size_mib": "4096"}}}]
//! }"#).unwrap();
//! let vm = &page.entities[0];
//! assert_eq!(vm.key(), Some("b1"));
//! assert_eq!(vm.vcpus(), Some(4));
//! assert_eq!(vm.memory_bytes(), Some(4 << 30));
//! ```

mod macros;

mod de;

mod category;
mod cluster;
mod common;
mod entity;
mod error;
mod groups;
mod host;
mod image;
mod list;
mod prism_central;
mod project;
mod subnet;
mod vm;
mod vm_devices;
mod volume_group;

/// Decodes a JSON body the way the client does: when the bytes are valid UTF-8 (the normal
/// case) they are checked once and parsed as `&str`, which spares serde_json a UTF-8 check of
/// every string; otherwise they are parsed as bytes, which reports where the invalid UTF-8 is.
/// The result is exactly that of `serde_json::from_slice`, only faster on string-heavy bodies
/// such as VM pages.
///
/// ```
/// use nutanix_prism::model::{ListResponse, Vm, from_json_slice};
///
/// let page: ListResponse<Vm> = from_json_slice(br#"{"entities": [{"metadata": {"uuid": "b1"}}]}"#)?;
/// assert_eq!(page.entities.len(), 1);
/// assert!(from_json_slice::<ListResponse<Vm>>(b"{\"entities\": [\xff]}").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// The `serde_json` error of the body: malformed JSON, trailing characters, invalid UTF-8, or
/// a shape the target type refuses (such as a list response that is not an object).
pub fn from_json_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

pub use category::{CategoryKey, CategoryValue};
pub use cluster::{
    BuildInfo, Cluster, ClusterArch, ClusterConfig, ClusterNetwork, ClusterNodes, ClusterResources,
    ClusterService, ClusterSpec, ClusterStatus, HypervisorServer, HypervisorServerType,
    SoftwareInfo,
};
pub use common::{ExecutionContext, Metadata, Reference};
pub use entity::Entity;
pub use error::{ErrorMessage, ErrorReason, ErrorResponse, SUMMARY_MAX_CHARS};
pub use groups::{
    AvailabilityZoneScope, EntityData, EntityResult, GroupMemberAttribute, GroupOperation,
    GroupResult, GroupsRequest, GroupsResponse, GroupsSample, MetricSeries, TimeValue,
};
pub use host::{
    ControllerVm, Host, HostBlock, HostHypervisor, HostResources, HostSpec, HostStatus, HostType,
    Ipmi, OplogUsage,
};
pub use image::{
    Architecture, Checksum, ChecksumAlgorithm, Image, ImageResources, ImageSpec, ImageStatus,
    ImageType, ImageVersion,
};
pub use list::{ListMetadata, ListRequest, ListResponse, SortOrder};
pub use prism_central::{
    PcVm, PcVmNic, PrismCentralInfo, PrismCentralResources, UserInfo, UserResources, UserStatus,
};
pub use project::{
    Project, ProjectResources, ProjectSpec, ProjectStatus, ResourceDomain, ResourceLimit,
};
pub use subnet::{
    DhcpOptions, DhcpServerAddress, IpConfig, IpPool, IpPoolStats, IpUsageStats, Subnet,
    SubnetResources, SubnetSpec, SubnetStatus, SubnetType,
};
pub use vm::{
    HypervisorType, MachineType, PowerMechanism, PowerState, PowerStateMechanism, ProtectionType,
    Vm, VmResources, VmSpec, VmStatus, VnumaConfig,
};
pub use vm_devices::{
    AdapterType, BootConfig, BootDevice, BootDeviceType, BootType, DeviceProperties, DeviceType,
    Disk, DiskAddress, DiskStorageConfig, EnabledState, Gpu, GpuMode, GpuVendor, GuestTools,
    IpEndpoint, IpEndpointType, IpType, MIB, NgtState, Nic, NicModel, NicType, NutanixGuestTools,
    VlanMode,
};
pub use volume_group::{
    SharingStatus, VolumeGroup, VolumeGroupAttachment, VolumeGroupDisk, VolumeGroupResources,
    VolumeGroupSpec, VolumeGroupStatus, VolumeGroupUsageType,
};
