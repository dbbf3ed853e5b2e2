//! Pre-rendered entities of the small kinds (everything except VMs).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Catalogs, Fleet, NamedRef, tables};
use crate::sim::rng::{FLEET_EPOCH, FLEET_NOW, Rng, Uuid, rfc3339, stream};

/// One pre-rendered entity.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) name: String,
    /// Name of the entity's cluster, for `cluster_name==` filters.
    pub(crate) cluster_name: Option<String>,
    /// The entity as it appears in a list page (no `api_version`).
    pub(crate) json: String,
}

/// The pre-rendered entities of one kind, in list order, with a UUID index.
#[derive(Debug, Default, Clone)]
pub(crate) struct Catalog {
    pub(crate) items: Vec<Item>,
    by_uuid: HashMap<String, usize>,
}

impl Catalog {
    fn push(&mut self, uuid: String, name: String, cluster_name: Option<String>, value: &Value) {
        self.by_uuid.insert(uuid, self.items.len());
        self.items.push(Item {
            name,
            cluster_name,
            json: value.to_string(),
        });
    }

    /// The entity with this UUID (or, for category keys and values, this name).
    pub(crate) fn get(&self, uuid: &str) -> Option<&Item> {
        self.by_uuid.get(uuid).map(|&i| &self.items[i])
    }
}

const ZERO_HASH: &str = "00000000000000000000000000000000000000000000000000";

/// A `metadata` block.
fn metadata(kind: &str, uuid: &str, rng: &mut Rng, owner: Option<&NamedRef>) -> Value {
    let created = FLEET_EPOCH + rng.below((FLEET_NOW - FLEET_EPOCH) as u64 / 2) as i64;
    let updated = created + rng.below((FLEET_NOW - created) as u64) as i64;
    let mut m = json!({
        "kind": kind,
        "uuid": uuid,
        "spec_version": rng.below(30),
        "spec_hash": ZERO_HASH,
        "categories": {},
        "categories_mapping": {},
        "creation_time": rfc3339(created),
        "last_update_time": rfc3339(updated),
    });
    if let Some(owner) = owner {
        m["owner_reference"] = json!({"kind": "user", "uuid": owner.uuid, "name": owner.name});
    }
    m
}

fn reference(kind: &str, uuid: &str, name: &str) -> Value {
    json!({"kind": kind, "uuid": uuid, "name": name})
}

/// Renders every small kind.
pub(crate) fn render_all(fleet: &Fleet) -> Catalogs {
    Catalogs {
        clusters: clusters(fleet),
        hosts: hosts(fleet),
        subnets: subnets(fleet),
        images: images(fleet),
        volume_groups: volume_groups(fleet),
        projects: projects(fleet),
        category_keys: category_keys(),
        category_values: category_values(),
    }
}

fn clusters(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let mut cat = Catalog::default();
    for (c, cluster) in fleet.clusters.iter().enumerate() {
        let mut rng = Rng::new(seed, stream::CLUSTER, c as u64 + 1_000);
        let (aos, lts) = *rng.pick(tables::AOS);
        let ahv = *rng.pick(tables::AHV);
        let tz = *rng.pick(tables::TIMEZONES);
        let hosts = fleet.cluster_hosts(c as u32);
        let mut servers: Vec<Value> = hosts
            .iter()
            .enumerate()
            .map(|(h, _)| json!({"ip": format!("{}.{}", cluster.net, 10 + h), "type": "AHV", "version": ahv}))
            .collect();
        // Real clusters list a placeholder server: the list length is not the node count.
        servers.insert(
            servers.len().min(1),
            json!({"ip": "127.0.0.1", "type": "AHV", "version": ""}),
        );
        let commit = format!(
            "{:016x}{:016x}{:08x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64() as u32
        );
        let config = json!({
            "software_map": {
                "NOS": {"software_type": "NOS", "status": "INSTALLED", "version": aos},
                "NCC": {"software_type": "NCC", "status": "INSTALLED", "version": "ncc-5.0.1"}
            },
            "encryption_status": "NOT_SUPPORTED",
            "service_list": ["AOS"],
            "redundancy_factor": if hosts.len() >= 5 { 3 } else { 2 },
            "enabled_feature_list": ["PASSWORD_REMOTE_LOGIN_ENABLED", "SHADOW_CLONES_ENABLED"],
            "is_available": true,
            "timezone": tz,
            "cluster_arch": "X86_64",
            "supported_information_verbosity": "BASIC_PLUS_CORE_DUMP",
            "domain_awareness_level": "NODE",
            "build": {
                "build_type": "release",
                "version": aos,
                "full_version": format!("el8.5-release-fraser-{aos}-stable-{commit}"),
                "commit_id": commit,
                "short_commit_id": &commit[..6],
                "is_long_term_support": lts,
                "commit_date": rfc3339(FLEET_EPOCH + rng.below((FLEET_NOW - FLEET_EPOCH) as u64) as i64)
            },
            "ssl_key": {
                "key_type": "RSA_2048",
                "expire_datetime": rfc3339(FLEET_NOW + 3 * 365 * 86_400),
                "signing_info": {"country_code": "", "state": "", "city": "", "organization": "", "common_name": "", "email_address": ""}
            },
            "operation_mode": "NORMAL"
        });
        let network = json!({
            "external_ip": format!("{}.5", cluster.net),
            "external_data_services_ip": format!("{}.6", cluster.net),
            "external_subnet": format!("{}.0/255.255.255.0", cluster.net),
            "internal_subnet": "192.168.5.0/255.255.255.128",
            "name_server_ip_list": ["10.40.64.15", "10.40.64.16"],
            "ntp_server_ip_list": ["0.pool.ntp.org", "1.pool.ntp.org"]
        });
        let value = json!({
            "status": {
                "name": cluster.name,
                "state": "COMPLETE",
                "resources": {"config": config, "nodes": {"hypervisor_server_list": servers}, "network": network}
            },
            "spec": {
                "name": cluster.name,
                "resources": {
                    "config": {
                        "software_map": config["software_map"],
                        "encryption_status": "NOT_SUPPORTED",
                        "redundancy_factor": config["redundancy_factor"],
                        "enabled_feature_list": config["enabled_feature_list"],
                        "supported_information_verbosity": "BASIC_PLUS_CORE_DUMP",
                        "domain_awareness_level": "NODE",
                        "timezone": tz,
                        "operation_mode": "NORMAL"
                    },
                    "network": network
                }
            },
            "metadata": metadata("cluster", &cluster.uuid, &mut rng, None)
        });
        cat.push(
            cluster.uuid.clone(),
            cluster.name.clone(),
            Some(cluster.name.clone()),
            &value,
        );
    }
    // The Prism Central lists itself among the clusters: PRISM_CENTRAL service, build "pc", no nodes.
    let mut rng = Rng::new(seed, stream::CLUSTER, u64::from(u32::MAX));
    let pc_config = json!({
        "software_map": {
            "NOS": {"software_type": "NOS", "status": "INSTALLED", "version": "2024.3"},
            "NCC": {"software_type": "NCC", "status": "INSTALLED", "version": "ncc-5.0.1"}
        },
        "encryption_status": "NOT_SUPPORTED",
        "service_list": ["PRISM_CENTRAL"],
        "redundancy_factor": 2,
        "is_available": true,
        "timezone": "UTC",
        "cluster_arch": "X86_64",
        "domain_awareness_level": "NODE",
        "build": {
            "build_type": "release",
            "version": "pc",
            "full_version": "el8.5-release-fraser-2024.3-stable-pc-0.1-simulated",
            "commit_id": "0000000000000000000000000000000000000000",
            "short_commit_id": "000000",
            "is_long_term_support": false
        },
        "operation_mode": "NORMAL"
    });
    let pc_network = json!({
        "external_ip": "10.39.0.17",
        "external_subnet": "10.39.0.0/255.255.255.0",
        "internal_subnet": "10.39.0.0/255.255.255.0",
        "fully_qualified_domain_name": "pc-sim.corp.example",
        "name_server_ip_list": ["10.40.64.15"],
        "ntp_server_ip_list": ["0.pool.ntp.org"]
    });
    let pc = json!({
        "status": {
            "name": fleet.pc.name,
            "state": "COMPLETE",
            "resources": {"config": pc_config, "network": pc_network, "runtime_status_list": ["SSP_CONFIG_OWNER"]}
        },
        "spec": {
            "name": fleet.pc.name,
            "resources": {"config": {"software_map": pc_config["software_map"], "timezone": "UTC"}, "network": pc_network}
        },
        "metadata": metadata("cluster", &fleet.pc.uuid, &mut rng, None)
    });
    cat.push(
        fleet.pc.uuid.clone(),
        fleet.pc.name.clone(),
        Some(fleet.pc.name.clone()),
        &pc,
    );
    cat
}

fn hosts(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let mut vms_per_host = vec![0u32; fleet.hosts.len()];
    for i in 0..fleet.config.vms {
        let core = fleet.vm_core(i);
        if core.power != super::vm::Power::Off
            && let Some(n) = vms_per_host.get_mut(core.host as usize)
        {
            *n += 1;
        }
    }
    let mut cat = Catalog::default();
    for (i, host) in fleet.hosts.iter().enumerate() {
        let cluster = &fleet.clusters[host.cluster as usize];
        let h = i % fleet.config.hosts_per_cluster.max(1) as usize;
        let mut crng = Rng::new(seed, stream::HOST, u64::from(host.cluster) + 1_000_000);
        let (cpu_model, cores, hz) = *crng.pick(tables::CPU_MODELS);
        let block_model = *crng.pick(tables::BLOCK_MODELS);
        let ahv = *crng.pick(tables::AHV);
        let mut rng = Rng::new(seed, stream::HOST, i as u64);
        let memory_gib = *rng.pick(&[512u64, 768, 1024, 1536]);
        let serial = format!("{:X}", rng.next_u64() & 0xff_ffff_ffff);
        let cvm_ip = format!("{}.{}", cluster.net, 80 + h);
        let controller_vm = json!({
            "ip": cvm_ip,
            "oplog_usage": {"oplog_disk_pct": 0.4, "oplog_disk_size": 420_906_795_008_i64}
        });
        let disks: Vec<Value> = (0..6)
            .map(|d| json!({"kind": "disk", "uuid": Uuid::v4(seed, stream::HOST, (i as u64) << 8 | d).to_string()}))
            .collect();
        let value = json!({
            "status": {
                "name": host.name,
                "state": "COMPLETE",
                "cluster_reference": reference("cluster", &cluster.uuid, &cluster.name),
                "resources": {
                    "serial_number": serial,
                    "cpu_model": cpu_model,
                    "num_cpu_sockets": 2,
                    "num_cpu_cores": cores * 2,
                    "cpu_capacity_hz": hz * u64::from(cores) * 2,
                    "memory_capacity_mib": memory_gib * 1024,
                    "host_type": "HYPER_CONVERGED",
                    "monitoring_state": "ENABLED",
                    "hypervisor": {
                        "hypervisor_full_name": format!("Nutanix {ahv}"),
                        "ip": format!("{}.{}", cluster.net, 10 + h),
                        "num_vms": vms_per_host[i]
                    },
                    "controller_vm": controller_vm,
                    "block": {"block_model": block_model, "block_serial_number": format!("{:X}", rng.next_u64() & 0xffff_ffff)},
                    "ipmi": {"ip": format!("{}.{}", cluster.net, 150 + h)},
                    "gpu_list": [],
                    "host_disks_reference_list": disks,
                    "host_nics_id_list": [],
                    "rackable_unit_reference": {"kind": "rackable_unit", "uuid": Uuid::v4(seed, stream::HOST, 1 << 40 | u64::from(host.cluster)).to_string()}
                }
            },
            "spec": {"name": host.name, "resources": {"controller_vm": controller_vm}},
            "metadata": metadata("host", &host.uuid, &mut rng, None)
        });
        cat.push(
            host.uuid.clone(),
            host.name.clone(),
            Some(cluster.name.clone()),
            &value,
        );
    }
    cat
}

fn subnets(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let admin = &fleet.users[0];
    let mut cat = Catalog::default();
    for (s, subnet) in fleet
        .vlan_subnets
        .iter()
        .chain(&fleet.overlay_subnets)
        .enumerate()
    {
        let mut rng = Rng::new(seed, stream::SUBNET, s as u64 + 10_000_000);
        let ip_config = json!({
            "subnet_ip": format!("{}.0.0", subnet.prefix),
            "prefix_length": 16,
            "default_gateway_ip": format!("{}.0.1", subnet.prefix),
            "pool_list": [{"range": format!("{p}.0.10 {p}.254.250", p = subnet.prefix)}],
            "dhcp_options": {"domain_name_server_list": ["10.40.64.15"]},
            "dhcp_server_address": {"ip": format!("{}.255.254", subnet.prefix)}
        });
        let assigned = rng.below(20_000) + 10;
        let usage = json!({
            "num_macs": assigned,
            "num_free_ips": 65_000 - assigned,
            "num_assigned_ips": assigned,
            "ip_pools_stats": [{"range": format!("{p}.0.10 {p}.254.250", p = subnet.prefix), "num_free_ips": 64_997 - assigned, "num_total_ips": 64_997}]
        });
        let (resources, spec_resources, cluster) = match subnet.cluster {
            Some(c) => {
                let cluster = &fleet.clusters[c as usize];
                let vswitch = Uuid::v4(seed, stream::SUBNET, u64::from(c) + 20_000_000).to_string();
                let spec = json!({
                    "subnet_type": "VLAN",
                    "vlan_id": subnet.vlan_id,
                    "vswitch_name": "br0",
                    "virtual_switch_uuid": vswitch,
                    "ip_config": ip_config
                });
                let mut spec = spec;
                if subnet.external {
                    spec["is_external"] = json!(true);
                    spec["enable_nat"] = json!(true);
                    spec["advanced_networking"] = json!(true);
                    spec["external_connectivity_state"] = json!("DISABLED");
                }
                let mut status = spec.clone();
                status["ip_usage_stats"] = usage;
                (status, spec, Some(cluster))
            }
            None => {
                let vpc = Uuid::v4(seed, stream::VPC, s as u64).to_string();
                let spec = json!({
                    "subnet_type": "OVERLAY",
                    "vpc_reference": {"kind": "vpc", "uuid": vpc},
                    "virtual_network_reference": {"kind": "virtual_network", "uuid": vpc},
                    "advanced_networking": true,
                    "external_connectivity_state": "ENABLED",
                    "ip_config": ip_config
                });
                let mut status = spec.clone();
                status["ip_usage_stats"] = usage;
                (status, spec, None)
            }
        };
        let mut status = json!({"name": subnet.name, "state": "COMPLETE", "resources": resources,
            "execution_context": {"task_uuid": [Uuid::v4(seed, stream::TASK, 1 << 40 | s as u64).to_string()]}});
        let mut spec = json!({"name": subnet.name, "resources": spec_resources});
        if let Some(cluster) = cluster {
            // Overlay subnets carry no cluster reference (recorded behaviour).
            status["cluster_reference"] = reference("cluster", &cluster.uuid, &cluster.name);
            spec["cluster_reference"] = reference("cluster", &cluster.uuid, &cluster.name);
        }
        let value = json!({"status": status, "spec": spec, "metadata": metadata("subnet", &subnet.uuid, &mut rng, Some(admin))});
        cat.push(
            subnet.uuid.clone(),
            subnet.name.clone(),
            cluster.map(|c| c.name.clone()),
            &value,
        );
    }
    cat
}

fn images(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let mut cat = Catalog::default();
    for (i, image) in fleet.images.iter().enumerate() {
        let (_, image_type, size_mib) = tables::IMAGES[i % tables::IMAGES.len()];
        let mut rng = Rng::new(seed, stream::IMAGE, i as u64 + 1_000);
        let source = format!("https://images.corp.example/{}", image.name);
        let checksum = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        );
        let clusters: Vec<Value> = fleet
            .clusters
            .iter()
            .map(|c| json!({"kind": "cluster", "uuid": c.uuid, "name": c.name}))
            .collect();
        let value = json!({
            "status": {
                "name": image.name,
                "description": format!("{} ({})", image.name, image_type),
                "state": "COMPLETE",
                "resources": {
                    "image_type": image_type,
                    "size_bytes": size_mib << 20,
                    "source_uri": source,
                    "architecture": "X86_64",
                    "checksum": {"checksum_algorithm": "SHA_256", "checksum_value": checksum},
                    "retrieval_uri_list": [format!("https://10.39.0.17:9440/api/nutanix/v3/images/{}/file", image.uuid)],
                    "current_cluster_reference_list": clusters,
                    "version": {"product_name": image.name, "product_version": "1.0"}
                }
            },
            "spec": {
                "name": image.name,
                "description": format!("{} ({})", image.name, image_type),
                "resources": {"image_type": image_type, "source_uri": source, "architecture": "X86_64"}
            },
            "metadata": metadata("image", &image.uuid, &mut rng, Some(&fleet.users[0]))
        });
        cat.push(image.uuid.clone(), image.name.clone(), None, &value);
    }
    cat
}

fn volume_groups(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let mut cat = Catalog::default();
    for j in 0..fleet.volume_groups {
        let mut rng = Rng::new(seed, stream::VOLUME_GROUP, u64::from(j) + 1_000_000);
        let uuid = fleet.vg_uuid(j);
        let name = Fleet::vg_name(j);
        let attached_vm = j
            .checked_mul(fleet.vg_stride)
            .filter(|&i| fleet.vg_of_vm(i) == Some(j));
        let cluster_index = match attached_vm {
            Some(i) => fleet.vm_core(i).cluster,
            None => j % fleet.config.clusters.max(1),
        };
        let cluster = &fleet.clusters[cluster_index as usize];
        let containers = fleet.cluster_containers(cluster_index);
        let n_disks = 1 + rng.below(4);
        let mut total: u64 = 0;
        let disks: Vec<Value> = (0..n_disks)
            .map(|d| {
                let gib = *rng.pick(&[100u64, 250, 500, 1024, 2048]);
                total += gib << 30;
                json!({
                    "uuid": Uuid::v4(seed, stream::VOLUME_GROUP, (u64::from(j) << 8) | d).to_string(),
                    "index": d,
                    "disk_size_bytes": gib << 30,
                    "disk_size_mib": gib << 10,
                    "storage_container_uuid": containers.first().map(|c| c.uuid.clone()).unwrap_or_default()
                })
            })
            .collect();
        let attachments: Vec<Value> = attached_vm
            .map(|i| {
                vec![json!({
                    "vm_reference": {"kind": "vm", "uuid": fleet.vm_uuid(i).to_string(), "name": fleet.vm_core(i).name()}
                })]
            })
            .unwrap_or_default();
        let resources = json!({
            "size_bytes": total,
            "size_mib": total >> 20,
            "disk_list": disks,
            "attachment_list": attachments,
            "sharing_status": if rng.chance(0.2) { "SHARED" } else { "NOT_SHARED" },
            "usage_type": "USER",
            "is_hidden": false,
            "flash_mode": "DISABLED",
            "iscsi_target_prefix": format!("iqn.2010-06.com.nutanix:{name}"),
            "created_by": "admin"
        });
        let value = json!({
            "status": {
                "name": name,
                "state": "COMPLETE",
                "cluster_reference": reference("cluster", &cluster.uuid, &cluster.name),
                "resources": resources
            },
            "spec": {
                "name": name,
                "description": "data volume group",
                "cluster_reference": reference("cluster", &cluster.uuid, &cluster.name),
                "resources": {"disk_list": resources["disk_list"], "sharing_status": resources["sharing_status"]}
            },
            "metadata": metadata("volume_group", &uuid, &mut rng, Some(&fleet.users[0]))
        });
        cat.push(uuid, name, Some(cluster.name.clone()), &value);
    }
    cat
}

fn projects(fleet: &Fleet) -> Catalog {
    let seed = fleet.config.seed;
    let mut cat = Catalog::default();
    for (p, project) in fleet.projects.iter().enumerate() {
        let mut rng = Rng::new(seed, stream::PROJECT, p as u64 + 1_000);
        let subnets: Vec<Value> = fleet
            .vlan_subnets
            .iter()
            .chain(&fleet.overlay_subnets)
            .filter(|_| p == 0 || rng.chance(0.5))
            .map(|s| reference("subnet", &s.uuid, &s.name))
            .collect();
        let users: Vec<Value> = fleet
            .users
            .iter()
            .skip(p % 3)
            .step_by(2)
            .map(|u| reference("user", &u.uuid, &u.name))
            .collect();
        let vcpu_limit = (rng.below(40) + 10) * 100;
        let resources = json!({
            "resource_domain": {"resources": [
                {"resource_type": "VCPUS", "limit": vcpu_limit, "units": "COUNT", "value": rng.below(vcpu_limit)},
                {"resource_type": "MEMORY", "limit": vcpu_limit * 4 * (1 << 30), "units": "BYTES", "value": rng.below(vcpu_limit * 4) * (1 << 30)},
                {"resource_type": "STORAGE", "limit": vcpu_limit * 100 * (1 << 30), "units": "BYTES", "value": rng.below(vcpu_limit * 100) * (1 << 30)}
            ]},
            "default_subnet_reference": subnets.first().cloned().unwrap_or(Value::Null),
            "subnet_reference_list": subnets,
            "user_reference_list": users,
            "external_user_group_reference_list": [],
            "account_reference_list": [],
            "environment_reference_list": [],
            "is_default": p == 0
        });
        let description = if p == 0 {
            "Default project".to_owned()
        } else {
            format!("Project {}", project.name)
        };
        let value = json!({
            "status": {"name": project.name, "description": description, "state": "COMPLETE", "resources": resources},
            "spec": {"name": project.name, "description": description, "resources": resources},
            "metadata": metadata("project", &project.uuid, &mut rng, Some(&fleet.users[0]))
        });
        cat.push(project.uuid.clone(), project.name.clone(), None, &value);
    }
    cat
}

/// Category keys: `(name, description, system defined, values)`.
fn category_table() -> Vec<(&'static str, &'static str, bool, Vec<&'static str>)> {
    vec![
        (
            "AppType",
            "Application type",
            true,
            tables::APPS.iter().map(|a| a.1).collect(),
        ),
        (
            "AppTier",
            "Application tier",
            true,
            vec!["Default", "Web", "App", "DB"],
        ),
        (
            "Environment",
            "Deployment environment",
            false,
            tables::ENVS.iter().map(|e| e.1).collect(),
        ),
        (
            "CostCenter",
            "Cost centre for chargeback",
            false,
            tables::COST_CENTERS.to_vec(),
        ),
        (
            "BusinessUnit",
            "Owning business unit",
            false,
            tables::BUSINESS_UNITS.to_vec(),
        ),
        (
            "Quarantine",
            "Quarantine policy",
            true,
            vec!["Default", "Strict", "Forensic"],
        ),
    ]
}

fn category_keys() -> Catalog {
    let mut cat = Catalog::default();
    for (name, description, system, _) in category_table() {
        let value = json!({
            "api_version": "3.1",
            "name": name,
            "description": description,
            "system_defined": system,
            "capabilities": {"cardinality": 64}
        });
        cat.push(name.to_owned(), name.to_owned(), None, &value);
    }
    cat
}

fn category_values() -> BTreeMap<String, Catalog> {
    let mut all = BTreeMap::new();
    for (name, _, system, values) in category_table() {
        let mut cat = Catalog::default();
        let mut seen = std::collections::HashSet::new();
        for v in values {
            if !seen.insert(v) {
                continue;
            }
            let value = json!({
                "api_version": "3.1",
                "name": name,
                "value": v,
                "description": format!("{name}: {v}"),
                "system_defined": system
            });
            cat.push(v.to_owned(), v.to_owned(), None, &value);
        }
        all.insert(name.to_owned(), cat);
    }
    all
}
