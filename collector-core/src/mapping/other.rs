//! Image, Subnet and VolumeGroup records.

use nutanix_prism::model::{Image, Subnet, VolumeGroup};
use serde_json::Value;

use super::common::{
    ClusterNames, Obj, categories_rows, categories_to_tags, ref_uuid, reference, service,
};
use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::data::Text;
use crate::error::Result;
use crate::record::ResourceRecord;

/// The Image record. Images live on Prism Central; `region_code` is set only when exactly one
/// cluster holds the image.
pub fn image_record(
    pc: &PrismCentral,
    i: &Image,
    clusters: &ClusterNames,
) -> Result<ResourceRecord> {
    let r = i.resources();
    let categories = i
        .metadata
        .as_ref()
        .map(|m| m.categories())
        .unwrap_or_default();
    let cluster_refs = i.cluster_references();
    let checksum = r.and_then(|r| r.checksum.as_ref());
    let version = r.and_then(|r| r.version.as_ref());
    let meta = i.metadata.as_ref();
    let data = Obj::new()
        .text("description", i.description())
        .text("image_type", i.image_type().map(|t| t.as_str()))
        .uint("size_bytes", i.size_bytes())
        .text(
            "architecture",
            r.and_then(|r| r.architecture.as_ref()).map(|a| a.as_str()),
        )
        .text("source_uri", r.and_then(|r| r.source_uri.as_deref()))
        .put(
            "checksum",
            Some(
                Obj::new()
                    .text(
                        "algorithm",
                        checksum
                            .and_then(|c| c.checksum_algorithm.as_ref())
                            .map(|a| a.as_str()),
                    )
                    .text("value", checksum.and_then(|c| c.checksum_value.as_deref()))
                    .build(),
            ),
        )
        .put(
            "version",
            Some(
                Obj::new()
                    .text(
                        "product_name",
                        version.and_then(|v| v.product_name.as_deref()),
                    )
                    .text(
                        "product_version",
                        version.and_then(|v| v.product_version.as_deref()),
                    )
                    .build(),
            ),
        )
        .put(
            "clusters",
            Some(Value::Array(
                cluster_refs
                    .iter()
                    .filter_map(|c| reference(Some(c), Some(clusters)))
                    .collect(),
            )),
        )
        .text("created_at", meta.and_then(|m| m.creation_time.as_deref()))
        .text(
            "updated_at",
            meta.and_then(|m| m.last_update_time.as_deref()),
        )
        .put("categories", Some(categories_rows(&categories)))
        .build();
    let mut svc = service(ServiceKind::Image, pc, i.uuid(), i.name());
    if let [only] = cluster_refs {
        svc.region_code = ref_uuid(Some(only)).map(Text::new);
    }
    svc.tags = categories_to_tags(&categories);
    svc.data = data.into();
    ResourceRecord::cloud_service(svc)
}

/// The Subnet record. OVERLAY subnets have no cluster and therefore no `region_code`.
pub fn subnet_record(
    pc: &PrismCentral,
    s: &Subnet,
    clusters: &ClusterNames,
) -> Result<ResourceRecord> {
    let r = s.resources();
    let categories = s
        .metadata
        .as_ref()
        .map(|m| m.categories())
        .unwrap_or_default();
    let ip = r.and_then(|r| r.ip_config.as_ref());
    let usage = r.and_then(|r| r.ip_usage_stats.as_ref());
    let ip_config = Obj::new()
        .text("cidr", s.cidr().as_deref())
        .text("subnet_ip", ip.and_then(|c| c.subnet_ip.as_deref()))
        .int("prefix_length", ip.and_then(|c| c.prefix_length))
        .text("default_gateway_ip", s.gateway())
        .text(
            "dhcp_server_ip",
            ip.and_then(|c| c.dhcp_server_address.as_ref())
                .and_then(|d| d.ip.as_deref()),
        )
        .texts(
            "dns_servers",
            ip.and_then(|c| c.dhcp_options.as_ref())
                .map(|o| {
                    o.domain_name_server_list
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .texts(
            "pools",
            ip.map(|c| {
                c.pool_list
                    .iter()
                    .filter_map(|p| p.range.as_deref())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        )
        .build();
    let ip_usage = Obj::new()
        .int("num_assigned_ips", usage.and_then(|u| u.num_assigned_ips))
        .int("num_free_ips", usage.and_then(|u| u.num_free_ips))
        .int("num_macs", usage.and_then(|u| u.num_macs))
        .build();
    let data = Obj::new()
        .text("subnet_type", s.subnet_type().map(|t| t.as_str()))
        .int("vlan_id", s.vlan_id())
        .text("vswitch_name", r.and_then(|r| r.vswitch_name.as_deref()))
        .put("vpc", reference(s.vpc_reference(), None))
        .boolean("is_external", Some(s.is_external()))
        .boolean("enable_nat", r.and_then(|r| r.enable_nat))
        .put("cluster", reference(s.cluster_reference(), Some(clusters)))
        .put("ip_config", Some(ip_config))
        .put("ip_usage", Some(ip_usage))
        .put("categories", Some(categories_rows(&categories)))
        .build();
    let mut svc = service(ServiceKind::Subnet, pc, s.uuid(), s.name());
    svc.region_code = ref_uuid(s.cluster_reference()).map(Text::new);
    svc.tags = categories_to_tags(&categories);
    svc.data = data.into();
    ResourceRecord::cloud_service(svc)
}

/// The VolumeGroup record.
pub fn volume_group_record(
    pc: &PrismCentral,
    v: &VolumeGroup,
    clusters: &ClusterNames,
) -> Result<ResourceRecord> {
    let r = v.resources();
    let categories = v
        .metadata
        .as_ref()
        .map(|m| m.categories())
        .unwrap_or_default();
    let disks: Vec<Value> = v
        .disks()
        .iter()
        .map(|d| {
            Obj::new()
                .text("uuid", d.uuid.as_deref())
                .int("index", d.index)
                .uint("size_bytes", d.size_bytes())
                .text(
                    "storage_container_uuid",
                    d.storage_container_uuid.as_deref(),
                )
                .build()
        })
        .collect();
    let attachments: Vec<Value> = r
        .map(|r| {
            r.attachment_list
                .iter()
                .map(|a| {
                    Obj::new()
                        .put("vm", reference(a.vm_reference.as_ref(), None))
                        .text("iscsi_initiator_name", a.iscsi_initiator_name.as_deref())
                        .build()
                })
                .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
                .collect()
        })
        .unwrap_or_default();
    let description = v
        .status
        .as_ref()
        .and_then(|s| s.description.as_deref())
        .or_else(|| v.spec.as_ref().and_then(|s| s.description.as_deref()));
    let data = Obj::new()
        .text("description", description)
        .uint("size_bytes", v.size_bytes())
        .uint("disk_count", Some(disks.len() as u64))
        .put("disks", Some(Value::Array(disks)))
        .put("attachments", Some(Value::Array(attachments)))
        .text(
            "sharing_status",
            r.and_then(|r| r.sharing_status.as_ref())
                .map(|s| s.as_str()),
        )
        .text(
            "usage_type",
            r.and_then(|r| r.usage_type.as_ref()).map(|s| s.as_str()),
        )
        .text("flash_mode", r.and_then(|r| r.flash_mode.as_deref()))
        .text(
            "iscsi_target_prefix",
            r.and_then(|r| r.iscsi_target_prefix.as_deref()),
        )
        .boolean("is_hidden", r.and_then(|r| r.is_hidden))
        .put("cluster", reference(v.cluster_reference(), Some(clusters)))
        .put("categories", Some(categories_rows(&categories)))
        .build();
    let mut svc = service(ServiceKind::VolumeGroup, pc, v.uuid(), v.name());
    svc.region_code = ref_uuid(v.cluster_reference()).map(Text::new);
    svc.tags = categories_to_tags(&categories);
    svc.data = data.into();
    ResourceRecord::cloud_service(svc)
}
