//! Lazy VMs: VM number `i` is a pure function of `(seed, i)`, written straight to JSON.

use std::fmt::Write as _;

use super::Fleet;
use super::tables;
use crate::sim::json;
use crate::sim::rng::{
    FLEET_EPOCH, FLEET_NOW, Rng, Uuid, hash3, permute32, stream, unpermute32, write_rfc3339,
};

/// Power state of a VM as reported in `status.resources.power_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Power {
    On,
    Off,
    Paused,
}

impl Power {
    /// Wire text in `status`.
    pub(crate) fn status_text(self) -> &'static str {
        match self {
            Self::On => "ON",
            Self::Off => "OFF",
            Self::Paused => "PAUSED",
        }
    }

    /// Wire text in `spec` (a paused VM's desired state is `ON`).
    pub(crate) fn spec_text(self) -> &'static str {
        match self {
            Self::Off => "OFF",
            Self::On | Self::Paused => "ON",
        }
    }
}

/// The cheap part of a VM, enough to filter on: drawn first from the VM's generator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VmCore {
    pub(crate) index: u32,
    pub(crate) cluster: u32,
    /// Index into `Fleet::hosts`.
    pub(crate) host: u32,
    pub(crate) app: usize,
    pub(crate) env: usize,
    pub(crate) power: Power,
}

impl VmCore {
    /// Writes the VM's name (`web-prod-000042`): unique per index.
    pub(crate) fn write_name(&self, out: &mut String) {
        let _ = write!(
            out,
            "{}-{}-{:06}",
            tables::APPS[self.app].0,
            tables::ENVS[self.env].0,
            self.index
        );
    }

    /// The VM's name.
    pub(crate) fn name(&self) -> String {
        let mut s = String::with_capacity(24);
        self.write_name(&mut s);
        s
    }
}

/// Reusable buffers for writing many VMs.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    name: String,
    disks: String,
    nics_spec: String,
    nics_status: String,
    common: String,
    uuid: String,
}

const APP_WEIGHTS: [u32; tables::APPS.len()] = {
    let mut w = [0; tables::APPS.len()];
    let mut i = 0;
    while i < w.len() {
        w[i] = tables::APPS[i].2;
        i += 1;
    }
    w
};

const ENV_WEIGHTS: [u32; tables::ENVS.len()] = {
    let mut w = [0; tables::ENVS.len()];
    let mut i = 0;
    while i < w.len() {
        w[i] = tables::ENVS[i].2;
        i += 1;
    }
    w
};

impl Fleet {
    /// UUID of VM `index`: random-looking, with the index hidden (keyed permutation) in the
    /// low 32 bits so that [`Fleet::vm_index_of`] can recover it without a table.
    pub(crate) fn vm_uuid(&self, index: u32) -> Uuid {
        let seed = self.config.seed;
        let hi = hash3(seed, stream::VM_UUID, u64::from(index));
        let lo_hash = hash3(seed, stream::VM_UUID ^ 0xabcd, u64::from(index));
        let lo = (lo_hash & 0xffff_ffff_0000_0000) | u64::from(permute32(self.key32, index));
        Uuid::with_v4_bits(hi, lo)
    }

    /// The VM index encoded in `uuid`, if it is a VM UUID of this fleet (live or not).
    pub(crate) fn vm_index_of(&self, uuid: &str) -> Option<u32> {
        let parsed = Uuid::parse(uuid)?;
        let index = unpermute32(self.key32, (parsed.1 & 0xffff_ffff) as u32);
        (self.vm_uuid(index) == parsed).then_some(index)
    }

    /// The filterable core of VM `index`, continuing with `rng` for the details.
    fn vm_core_with(&self, index: u32, rng: &mut Rng) -> VmCore {
        let cluster = rng.below(u64::from(self.config.clusters)) as u32;
        let host = cluster * self.config.hosts_per_cluster
            + rng.below(u64::from(self.config.hosts_per_cluster.max(1))) as u32;
        let app = rng.weighted(&APP_WEIGHTS);
        let env = rng.weighted(&ENV_WEIGHTS);
        let power = match rng.weighted(&[80, 17, 3]) {
            0 => Power::On,
            1 => Power::Off,
            _ => Power::Paused,
        };
        VmCore {
            index,
            cluster,
            host,
            app,
            env,
            power,
        }
    }

    /// The filterable core of VM `index`.
    pub(crate) fn vm_core(&self, index: u32) -> VmCore {
        let mut rng = Rng::new(self.config.seed, stream::VM, u64::from(index));
        self.vm_core_with(index, &mut rng)
    }

    /// Writes VM `index` as a v3 entity (`{"status":…,"spec":…,"metadata":…}`).
    pub(crate) fn write_vm(&self, out: &mut String, index: u32, s: &mut Scratch) {
        let seed = self.config.seed;
        let mut rng = Rng::new(seed, stream::VM, u64::from(index));
        let core = self.vm_core_with(index, &mut rng);
        let cluster = &self.clusters[core.cluster as usize];
        let host = &self.hosts[core.host as usize];
        let (_, app_type, _) = tables::APPS[core.app];
        let (_, env_value, _) = tables::ENVS[core.env];
        s.name.clear();
        core.write_name(&mut s.name);

        let (sockets, per_socket) = tables::CPU_SHAPES[rng.weighted(tables::CPU_WEIGHTS)];
        let memory_mib = tables::MEMORY_GIB[rng.weighted(tables::MEMORY_WEIGHTS)] * 1024;
        let boot = rng.weighted(&[55, 40, 5]);
        let boot_type = ["LEGACY", "UEFI", "SECURE_BOOT"][boot];
        let machine_type = if boot == 2 { "Q35" } else { "PC" };
        let n_disks = 1 + rng.weighted(&[50, 30, 14, 6]);
        let has_cdrom = rng.chance(0.25);
        let n_nics = 1 + rng.weighted(&[70, 25, 5]);
        let ngt = rng.chance(0.7);
        let guest_os = tables::GUEST_OS[rng.weighted(tables::GUEST_OS_WEIGHTS)];
        let has_categories = rng.chance(0.9);
        let cost_center = rng.chance(0.6).then(|| *rng.pick(tables::COST_CENTERS));
        let business_unit = rng.chance(0.3).then(|| *rng.pick(tables::BUSINESS_UNITS));
        let also_dr = rng.chance(0.03);
        let project = &self.projects[if rng.chance(0.2) {
            0
        } else {
            rng.below(self.projects.len() as u64) as usize
        }];
        let owner = rng.pick(&self.users);
        let base = self.config.vms;
        let created = if index < base {
            FLEET_EPOCH + rng.below((FLEET_NOW - FLEET_EPOCH - 86_400) as u64) as i64
        } else {
            FLEET_NOW + i64::from(index - base) * 60
        };
        let updated = created + rng.below((FLEET_NOW - created).max(0) as u64 + 1) as i64;
        let spec_version = rng.below(25);
        let gpu = rng.chance(0.01).then(|| *rng.pick(tables::GPUS));
        let protection = if rng.chance(0.15) {
            "RULE_PROTECTED"
        } else {
            "UNPROTECTED"
        };
        let description = rng.chance(0.5);
        let image = (!self.images.is_empty()).then(|| rng.pick(&self.images));
        let cpu_hotplug = rng.chance(0.8);
        let vg = self.vg_of_vm(index);

        // Disks, written once and shared by spec and status.
        s.disks.clear();
        s.disks.push('[');
        let containers = self.cluster_containers(core.cluster);
        for d in 0..n_disks {
            let gib = tables::DISK_GIB[rng.weighted(tables::DISK_WEIGHTS)];
            let container = &containers[rng.weighted(super::CONTAINER_WEIGHTS)];
            s.disks.push('{');
            s.uuid.clear();
            Uuid::v4(seed, stream::DISK, (u64::from(index) << 8) | d as u64).write_to(&mut s.uuid);
            json::field_str(&mut s.disks, "uuid", &s.uuid);
            json::field_int(&mut s.disks, "disk_size_bytes", gib << 30);
            json::field_int(&mut s.disks, "disk_size_mib", gib << 10);
            s.disks.push_str(r#""storage_config":{"flash_mode":"DISABLED","storage_container_reference":{"kind":"storage_container","uuid":""#);
            s.disks.push_str(&container.uuid);
            s.disks.push_str(r#"","name":"#);
            json::string(&mut s.disks, &container.name);
            s.disks.push_str("}},");
            let _ = write!(
                s.disks,
                r#""device_properties":{{"disk_address":{{"device_index":{d},"adapter_type":"SCSI"}},"device_type":"DISK"}},"#
            );
            if d == 0
                && let Some(image) = image
            {
                s.disks
                    .push_str(r#""data_source_reference":{"kind":"image","uuid":""#);
                s.disks.push_str(&image.uuid);
                s.disks.push_str("\"},");
            }
            s.disks
                .push_str(r#""is_migration_in_progress":false,"is_encryption_in_progress":false"#);
            s.disks.push_str("},");
        }
        if has_cdrom {
            s.disks.push('{');
            s.uuid.clear();
            Uuid::v4(seed, stream::DISK, (u64::from(index) << 8) | 0x80).write_to(&mut s.uuid);
            json::field_str(&mut s.disks, "uuid", &s.uuid);
            s.disks.push_str(
                r#""device_properties":{"disk_address":{"device_index":0,"adapter_type":"IDE"},"device_type":"CDROM"}},"#,
            );
        }
        if let Some(j) = vg {
            s.disks
                .push_str(r#"{"volume_group_reference":{"kind":"volume_group","uuid":""#);
            s.disks.push_str(&self.vg_uuid(j));
            s.disks.push_str(r#"","name":""#);
            s.disks.push_str(&Fleet::vg_name(j));
            s.disks
                .push_str(r#""},"device_properties":{"device_type":"VOLUME_GROUP"}},"#);
        }
        json::close(&mut s.disks, ']');

        // NICs: the spec lists static (ASSIGNED) addresses; the status adds learned (DHCP) ones
        // while the VM runs.
        s.nics_spec.clear();
        s.nics_status.clear();
        s.nics_spec.push('[');
        s.nics_status.push('[');
        let vlans = self.cluster_vlans(core.cluster);
        for n in 0..n_nics {
            let subnet = if n > 0 && !self.overlay_subnets.is_empty() && rng.chance(0.6) {
                rng.pick(&self.overlay_subnets)
            } else if !vlans.is_empty() {
                rng.pick(vlans)
            } else {
                continue;
            };
            let static_ip = rng.chance(0.6);
            let connected = !rng.chance(0.02);
            let mac = hash3(seed, stream::NIC, (u64::from(index) << 4) | n as u64);
            let host_part = index % 65_000 + 10;
            let ip = format!("{}.{}.{}", subnet.prefix, host_part / 256, host_part % 256);
            for (buf, with_learned) in [(&mut s.nics_spec, false), (&mut s.nics_status, true)] {
                buf.push('{');
                buf.push_str(r#""nic_type":"NORMAL_NIC","vlan_mode":"ACCESS","uuid":""#);
                Uuid::v4(seed, stream::NIC, (u64::from(index) << 4) | n as u64).write_to(buf);
                buf.push_str("\",");
                let _ = write!(
                    buf,
                    r#""mac_address":"50:6b:8d:{:02x}:{:02x}:{:02x}","#,
                    (mac >> 16) & 0xff,
                    (mac >> 8) & 0xff,
                    mac & 0xff
                );
                buf.push_str(r#""subnet_reference":{"kind":"subnet","uuid":""#);
                buf.push_str(&subnet.uuid);
                buf.push_str(r#"","name":"#);
                json::string(buf, &subnet.name);
                buf.push_str("},");
                json::field_bool(buf, "is_connected", connected);
                buf.push_str(r#""ip_endpoint_list":["#);
                if static_ip {
                    let _ = write!(buf, r#"{{"ip":"{ip}","type":"ASSIGNED"}}"#);
                } else if with_learned && core.power == Power::On {
                    let _ = write!(buf, r#"{{"ip":"{ip}","type":"LEARNED"}}"#);
                }
                buf.push_str(r#"],"trunked_vlan_list":[]},"#);
            }
        }
        json::close(&mut s.nics_spec, ']');
        json::close(&mut s.nics_status, ']');

        // Resource fields identical in spec and status.
        s.common.clear();
        let c = &mut s.common;
        json::field_int(c, "num_sockets", sockets);
        json::field_int(c, "num_vcpus_per_socket", per_socket);
        json::field_int(c, "num_threads_per_core", 1);
        json::field_int(c, "memory_size_mib", memory_mib);
        c.push_str(
            r#""power_state_mechanism":{"guest_transition_config":{"should_fail_on_script_failure":false,"enable_script_exec":false},"mechanism":"HARD"},"#,
        );
        c.push_str(concat!(
            r#""vnuma_config":{"num_vnuma_nodes":0},"disable_branding":false,"enable_cpu_passthrough":false,"#,
            r#""gpu_console_enabled":false,"hardware_virtualization_enabled":false,"scsi_controller_enabled":true,"#,
        ));
        let _ = write!(
            c,
            r#""boot_config":{{"boot_device_order_list":["CDROM","DISK","NETWORK"],"boot_type":"{boot_type}"}},"#
        );
        json::field_str(c, "machine_type", machine_type);
        json::field_str(c, "hardware_clock_timezone", "UTC");
        json::field_bool(c, "is_vcpu_hard_pinned", false);
        json::field_bool(c, "is_agent_vm", false);
        json::field_bool(c, "cpu_hotplug_enabled", cpu_hotplug);
        json::field_bool(c, "memory_overcommit_enabled", false);
        json::field_bool(c, "vga_console_enabled", true);
        c.push_str(r#""serial_port_list":[],"gpu_list":["#);
        if let Some((vendor, mode, device_id, gpu_name, fb)) = gpu {
            let _ = write!(
                c,
                r#"{{"vendor":"{vendor}","mode":"{mode}","device_id":{device_id},"name":"{gpu_name}","frame_buffer_size_mib":{fb}}}"#
            );
        }
        c.push_str("],");
        if ngt {
            let reachable = core.power == Power::On;
            let _ = write!(
                c,
                r#""guest_tools":{{"nutanix_guest_tools":{{"ngt_state":"INSTALLED","state":"ENABLED","version":"4.1","available_version":"4.1","is_reachable":{reachable},"iso_mount_state":"UNMOUNTED","guest_os_version":"{guest_os}","enabled_capability_list":["VSS_SNAPSHOT"]}}}},"#
            );
        }

        out.push_str(r#"{"status":{"name":"#);
        json::string(out, &s.name);
        out.push(',');
        if description {
            let _ = write!(out, r#""description":"{app_type} workload ({env_value})","#);
        }
        out.push_str(r#""state":"COMPLETE","cluster_reference":{"kind":"cluster","uuid":""#);
        out.push_str(&cluster.uuid);
        out.push_str(r#"","name":"#);
        json::string(out, &cluster.name);
        out.push_str(r#"},"resources":{"#);
        json::field_str(out, "power_state", core.power.status_text());
        out.push_str(&s.common);
        json::field_str(out, "hypervisor_type", "AHV");
        json::field_str(out, "protection_type", protection);
        out.push_str(r#""storage_config":{},"#);
        out.push_str(r#""bios_uuid":""#);
        Uuid::v4(seed, stream::VM_UUID ^ 0xb105, u64::from(index)).write_to(out);
        out.push_str(r#"","generation_uuid":""#);
        Uuid::v4(seed, stream::VM_UUID ^ 0x6e4e, u64::from(index)).write_to(out);
        out.push_str("\",");
        if core.power != Power::Off {
            out.push_str(r#""host_reference":{"kind":"host","uuid":""#);
            out.push_str(&host.uuid);
            out.push_str(r#"","name":"#);
            json::string(out, &host.name);
            out.push_str("},");
        }
        out.push_str(r#""disk_list":"#);
        out.push_str(&s.disks);
        out.push_str(r#","nic_list":"#);
        out.push_str(&s.nics_status);
        out.push_str(r#"},"execution_context":{"task_uuid":[""#);
        Uuid::v4(seed, stream::TASK, u64::from(index)).write_to(out);
        out.push_str(r#""]}},"spec":{"name":"#);
        json::string(out, &s.name);
        out.push(',');
        if description {
            let _ = write!(out, r#""description":"{app_type} workload ({env_value})","#);
        }
        out.push_str(r#""cluster_reference":{"kind":"cluster","uuid":""#);
        out.push_str(&cluster.uuid);
        out.push_str(r#"","name":"#);
        json::string(out, &cluster.name);
        out.push_str(r#"},"resources":{"#);
        json::field_str(out, "power_state", core.power.spec_text());
        out.push_str(&s.common);
        out.push_str(r#""disk_list":"#);
        out.push_str(&s.disks);
        out.push_str(r#","nic_list":"#);
        out.push_str(&s.nics_spec);
        out.push_str(r#"}},"metadata":{"kind":"vm","uuid":""#);
        self.vm_uuid(index).write_to(out);
        out.push_str("\",");
        json::field_int(out, "spec_version", spec_version);
        out.push_str(r#""spec_hash":"00000000000000000000000000000000000000000000000000","#);
        let _ = write!(out, r#""entity_version":"{}","#, spec_version + 1);
        out.push_str(r#""creation_time":""#);
        write_rfc3339(out, created);
        out.push_str(r#"","last_update_time":""#);
        write_rfc3339(out, updated);
        out.push_str("\",");
        // Categories: the single-valued view and the multi-valued mapping.
        out.push_str(r#""categories":{"#);
        if has_categories {
            let _ = write!(
                out,
                r#""AppType":"{app_type}","Environment":"{env_value}","#
            );
            if let Some(cc) = cost_center {
                let _ = write!(out, r#""CostCenter":"{cc}","#);
            }
            if let Some(bu) = business_unit {
                let _ = write!(out, r#""BusinessUnit":"{bu}","#);
            }
        }
        json::close(out, '}');
        out.push_str(r#","categories_mapping":{"#);
        if has_categories {
            let _ = write!(
                out,
                r#""AppType":["{app_type}"],"Environment":["{env_value}""#
            );
            if also_dr && env_value != "DR" {
                out.push_str(r#","DR""#);
            }
            out.push_str("],");
            if let Some(cc) = cost_center {
                let _ = write!(out, r#""CostCenter":["{cc}"],"#);
            }
            if let Some(bu) = business_unit {
                let _ = write!(out, r#""BusinessUnit":["{bu}"],"#);
            }
        }
        json::close(out, '}');
        out.push_str(r#","project_reference":{"kind":"project","uuid":""#);
        out.push_str(&project.uuid);
        out.push_str(r#"","name":"#);
        json::string(out, &project.name);
        out.push_str(r#"},"owner_reference":{"kind":"user","uuid":""#);
        out.push_str(&owner.uuid);
        out.push_str(r#"","name":"#);
        json::string(out, &owner.name);
        out.push_str("}}}");
    }
}
