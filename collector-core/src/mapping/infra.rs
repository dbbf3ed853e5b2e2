//! Cluster and Host records, and regions.

use nutanix_prism::model::{Cluster, Host};
use serde_json::Value;

use super::common::{
    ClusterNames, Obj, categories_rows, categories_to_tags, ref_uuid, reference, service,
    sorted_ips,
};
use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::data::Text;
use crate::error::Result;
use crate::record::ResourceRecord;
use crate::resource::Region;

/// The Cluster record of a Prism Element cluster; `None` for the Prism Central entry of
/// `clusters/list` (recognised by [`Cluster::is_prism_central`]), which is not a cluster.
pub fn cluster_record(pc: &PrismCentral, c: &Cluster) -> Option<Result<ResourceRecord>> {
    if c.is_prism_central() {
        return None;
    }
    let config = c.config();
    let network = c.resources().and_then(|r| r.network.as_ref());
    let build = c.build();
    let software: Vec<Value> = config
        .map(|cfg| {
            cfg.software_map
                .values()
                .map(|s| {
                    Obj::new()
                        .text("software_type", s.software_type.as_deref())
                        .text("version", s.version.as_deref())
                        .text("status", s.status.as_deref())
                        .build()
                })
                .collect()
        })
        .unwrap_or_default();
    let categories = c
        .metadata
        .as_ref()
        .map(|m| m.categories())
        .unwrap_or_default();
    let uuid = c.uuid();
    let data = Obj::new()
        .text("version", c.version())
        .text(
            "full_version",
            build.and_then(|b| b.full_version.as_deref()),
        )
        .uint("node_count", c.node_count().map(|n| n as u64))
        .texts(
            "hypervisor_types",
            c.hypervisor_types().into_iter().map(|t| t.as_str()),
        )
        .texts(
            "service_list",
            config
                .map(|cfg| {
                    cfg.service_list
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .int(
            "redundancy_factor",
            config.and_then(|cfg| cfg.redundancy_factor),
        )
        .text(
            "operation_mode",
            config.and_then(|cfg| cfg.operation_mode.as_deref()),
        )
        .text(
            "cluster_arch",
            config
                .and_then(|cfg| cfg.cluster_arch.as_ref())
                .map(|a| a.as_str()),
        )
        .text("timezone", c.timezone())
        .text(
            "encryption_status",
            config.and_then(|cfg| cfg.encryption_status.as_deref()),
        )
        .boolean("is_available", config.and_then(|cfg| cfg.is_available))
        .text("external_ip", c.external_ip())
        .text(
            "external_data_services_ip",
            network.and_then(|n| n.external_data_services_ip.as_deref()),
        )
        .text(
            "fqdn",
            network.and_then(|n| n.fully_qualified_domain_name.as_deref()),
        )
        .texts(
            "name_servers",
            network
                .map(|n| {
                    n.name_server_ip_list
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .texts(
            "ntp_servers",
            network
                .map(|n| {
                    n.ntp_server_ip_list
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .put("software", Some(Value::Array(software)))
        .put("categories", Some(categories_rows(&categories)))
        .build();
    let mut svc = service(ServiceKind::Cluster, pc, uuid, c.name());
    svc.region_code = uuid.filter(|u| !u.is_empty()).map(Text::new);
    svc.ip_addresses = sorted_ips(c.external_ip());
    svc.tags = categories_to_tags(&categories);
    svc.data = data.into();
    Some(ResourceRecord::cloud_service(svc))
}

/// The region of a Prism Element cluster (`region_code` = UUID, `name` = cluster name); `None`
/// for the Prism Central entry.
pub fn cluster_region(c: &Cluster) -> Option<Region> {
    if c.is_prism_central() {
        return None;
    }
    let uuid = c.uuid().filter(|u| !u.is_empty())?;
    Some(Region::new(uuid, c.name()))
}

/// The Host record.
pub fn host_record(pc: &PrismCentral, h: &Host, clusters: &ClusterNames) -> Result<ResourceRecord> {
    let r = h.resources();
    let categories = h
        .metadata
        .as_ref()
        .map(|m| m.categories())
        .unwrap_or_default();
    let block = r.and_then(|r| r.block.as_ref());
    let hypervisor = Obj::new()
        .text("full_name", h.hypervisor_name())
        .text("ip", h.hypervisor_ip())
        .int("num_vms", h.num_vms())
        .build();
    let data = Obj::new()
        .put("cluster", reference(h.cluster_reference(), Some(clusters)))
        .text("serial_number", h.serial_number())
        .text("cpu_model", h.cpu_model())
        .int("num_cpu_sockets", h.cpu_sockets())
        .int("num_cpu_cores", h.cpu_cores())
        .int("cpu_capacity_hz", h.cpu_capacity_hz())
        .uint("memory_capacity_bytes", h.memory_bytes())
        .text("host_type", h.host_type().map(|t| t.as_str()))
        .put("hypervisor", Some(hypervisor))
        .text("controller_vm_ip", h.controller_vm_ip())
        .text(
            "ipmi_ip",
            r.and_then(|r| r.ipmi.as_ref())
                .and_then(|i| i.ip.as_deref()),
        )
        .put(
            "block",
            Some(
                Obj::new()
                    .text("model", block.and_then(|b| b.block_model.as_deref()))
                    .text(
                        "serial_number",
                        block.and_then(|b| b.block_serial_number.as_deref()),
                    )
                    .build(),
            ),
        )
        .uint(
            "gpu_count",
            r.map(|r| r.gpu_list.len() as u64).filter(|n| *n > 0),
        )
        .text(
            "monitoring_state",
            r.and_then(|r| r.monitoring_state.as_deref()),
        )
        .put("categories", Some(categories_rows(&categories)))
        .build();
    let mut svc = service(ServiceKind::Host, pc, h.uuid(), h.name());
    svc.region_code = ref_uuid(h.cluster_reference()).map(Text::new);
    svc.ip_addresses = sorted_ips(h.hypervisor_ip().into_iter().chain(h.controller_vm_ip()));
    svc.tags = categories_to_tags(&categories);
    svc.data = data.into();
    ResourceRecord::cloud_service(svc)
}
