//! The simulated fleet: a deterministic function of the seed and the shape.
//!
//! Infrastructure (clusters, hosts, storage containers, subnets, images, volume groups,
//! projects, categories, users) is small and pre-rendered to JSON once at start-up
//! ([`catalog`]). VMs are never stored: [`vm`] regenerates VM number `i` from `(seed, i)` and
//! writes it straight into the page being served.

pub(crate) mod catalog;
pub(crate) mod tables;
pub(crate) mod vm;

use std::collections::BTreeMap;

use super::rng::{Rng, Uuid, stream};
pub(crate) use catalog::{Catalog, Item};

/// Shape of the fleet, as configured on the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FleetConfig {
    /// Seed of every random choice.
    pub(crate) seed: u64,
    /// Prism Element clusters (the Prism Central entry comes on top).
    pub(crate) clusters: u32,
    /// Hosts per Prism Element cluster.
    pub(crate) hosts_per_cluster: u32,
    /// VMs at start.
    pub(crate) vms: u32,
    /// VLAN subnets per cluster.
    pub(crate) vlans_per_cluster: u32,
    /// Overlay (VPC) subnets, not bound to a cluster.
    pub(crate) overlay_subnets: u32,
    /// Images.
    pub(crate) images: u32,
    /// Projects besides `_internal`.
    pub(crate) projects: u32,
    /// Volume groups; `None` = one per 100 VMs, between 2 and 5,000.
    pub(crate) volume_groups: Option<u32>,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            clusters: 3,
            hosts_per_cluster: 4,
            vms: 1000,
            vlans_per_cluster: 2,
            overlay_subnets: 2,
            images: 12,
            projects: 6,
            volume_groups: None,
        }
    }
}

/// A Prism Element cluster.
#[derive(Debug, Clone)]
pub(crate) struct ClusterInfo {
    pub(crate) uuid: String,
    pub(crate) name: String,
    /// First two octets of the cluster's management network (`10.x.y`).
    pub(crate) net: String,
}

/// A host (node) of a cluster.
#[derive(Debug, Clone)]
pub(crate) struct HostInfo {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) cluster: u32,
}

/// A storage container of a cluster (referenced by VM disks; not a v3 entity).
#[derive(Debug, Clone)]
pub(crate) struct ContainerInfo {
    pub(crate) uuid: String,
    pub(crate) name: String,
}

/// A subnet (VLAN bound to a cluster, or overlay).
#[derive(Debug, Clone)]
pub(crate) struct SubnetInfo {
    pub(crate) uuid: String,
    pub(crate) name: String,
    /// Cluster of a VLAN subnet; `None` for overlay subnets.
    pub(crate) cluster: Option<u32>,
    /// First two octets of the /16 network.
    pub(crate) prefix: String,
    /// VLAN id (VLAN subnets only).
    pub(crate) vlan_id: u32,
    /// An external VLAN subnet (NAT uplink of the VPCs); VMs are not attached to it.
    pub(crate) external: bool,
}

/// A named entity referenced by VMs (image, project, user).
#[derive(Debug, Clone)]
pub(crate) struct NamedRef {
    pub(crate) uuid: String,
    pub(crate) name: String,
}

/// The whole fleet.
#[derive(Debug)]
pub(crate) struct Fleet {
    pub(crate) config: FleetConfig,
    /// Key of the VM index permutation hidden in VM UUIDs.
    pub(crate) key32: u32,
    pub(crate) clusters: Vec<ClusterInfo>,
    /// The Prism Central's own entry (`uuid`, `name`).
    pub(crate) pc: NamedRef,
    pub(crate) hosts: Vec<HostInfo>,
    /// Three per cluster: default, self-service, gold.
    pub(crate) containers: Vec<ContainerInfo>,
    /// `vlans_per_cluster` per cluster, cluster-major.
    pub(crate) vlan_subnets: Vec<SubnetInfo>,
    pub(crate) overlay_subnets: Vec<SubnetInfo>,
    pub(crate) images: Vec<NamedRef>,
    /// `_internal` first.
    pub(crate) projects: Vec<NamedRef>,
    pub(crate) users: Vec<NamedRef>,
    /// Number of volume groups.
    pub(crate) volume_groups: u32,
    /// VM index spacing between volume-group attachments.
    pub(crate) vg_stride: u32,
    /// Pre-rendered small kinds.
    pub(crate) catalogs: Catalogs,
}

/// Pre-rendered entities of every kind except VMs.
#[derive(Debug, Default)]
pub(crate) struct Catalogs {
    pub(crate) clusters: Catalog,
    pub(crate) hosts: Catalog,
    pub(crate) subnets: Catalog,
    pub(crate) images: Catalog,
    pub(crate) volume_groups: Catalog,
    pub(crate) projects: Catalog,
    pub(crate) category_keys: Catalog,
    /// Values per category key name.
    pub(crate) category_values: BTreeMap<String, Catalog>,
}

/// Storage container roles per cluster: `(name, weight of VM disks placed there)`.
pub(crate) const CONTAINER_WEIGHTS: &[u32] = &[60, 20, 20];

impl Fleet {
    /// Builds the fleet's infrastructure and catalogs (VMs stay lazy).
    pub(crate) fn new(config: FleetConfig) -> Self {
        let seed = config.seed;
        let mut clusters = Vec::with_capacity(config.clusters as usize);
        for c in 0..config.clusters {
            let mut rng = Rng::new(seed, stream::CLUSTER, u64::from(c));
            // Prism Element cluster UUIDs start with 0005/0006 (time-based); mimic that.
            let raw = Uuid::v4(seed, stream::CLUSTER, u64::from(c));
            let uuid = Uuid(
                (raw.0 & 0x0000_ffff_ffff_ffff) | 0x0006_0000_0000_0000,
                raw.1,
            )
            .to_string();
            let site = tables::SITES[(c as usize) % tables::SITES.len()];
            let name = format!("{site}-cl{:02}", c + 1);
            let _ = rng.next_u64();
            let net = format!("10.{}.{}", 40 + c / 250, c % 250);
            clusters.push(ClusterInfo { uuid, name, net });
        }
        let pc = NamedRef {
            uuid: Uuid::v4(seed, stream::CLUSTER, u64::from(u32::MAX)).to_string(),
            name: "pc-sim".to_owned(),
        };
        let mut hosts = Vec::new();
        for c in 0..config.clusters {
            for h in 0..config.hosts_per_cluster {
                let i = c * config.hosts_per_cluster + h;
                hosts.push(HostInfo {
                    uuid: Uuid::v4(seed, stream::HOST, u64::from(i)).to_string(),
                    name: format!("{}-n{:02}", clusters[c as usize].name, h + 1),
                    cluster: c,
                });
            }
        }
        let mut containers = Vec::new();
        for (c, cluster) in clusters.iter().enumerate() {
            let names = [
                format!(
                    "default-container-{}",
                    10_000_000 + Rng::new(seed, stream::CONTAINER, c as u64).below(89_999_999)
                ),
                "SelfServiceContainer".to_owned(),
                format!("{}-gold", cluster.name),
            ];
            for (k, name) in names.into_iter().enumerate() {
                let uuid = Uuid::v4(seed, stream::CONTAINER, (c * 3 + k) as u64).to_string();
                containers.push(ContainerInfo { uuid, name });
            }
        }
        let mut vlan_subnets = Vec::new();
        for c in 0..config.clusters {
            for j in 0..config.vlans_per_cluster {
                let s = c * config.vlans_per_cluster + j;
                let vlan_id = 100 + (s % 3900);
                vlan_subnets.push(SubnetInfo {
                    uuid: Uuid::v4(seed, stream::SUBNET, u64::from(s)).to_string(),
                    name: format!("vlan{vlan_id}-{}", clusters[c as usize].name),
                    cluster: Some(c),
                    prefix: format!("10.{}", 128 + (s % 72)),
                    vlan_id,
                    external: false,
                });
            }
        }
        let overlay_subnets = (0..config.overlay_subnets)
            .map(|k| SubnetInfo {
                uuid: Uuid::v4(seed, stream::SUBNET, u64::from(1_000_000 + k)).to_string(),
                name: format!(
                    "vpc-{}-overlay",
                    ["apps", "k8s", "dmz", "lab"][(k % 4) as usize]
                ) + &(if k >= 4 {
                    format!("-{}", k / 4)
                } else {
                    String::new()
                }),
                cluster: None,
                prefix: format!("10.{}", 200 + (k % 50)),
                vlan_id: 0,
                external: false,
            })
            .collect();
        if config.overlay_subnets > 0 {
            // The VPCs' NAT uplink: an external VLAN subnet on the first cluster, after the
            // per-cluster VLANs (so it is in no cluster's VM subnet slice).
            vlan_subnets.push(SubnetInfo {
                uuid: Uuid::v4(seed, stream::SUBNET, 2_000_000).to_string(),
                name: "vpc-external-uplink".to_owned(),
                cluster: Some(0),
                prefix: "10.45".to_owned(),
                vlan_id: 1409,
                external: true,
            });
        }
        let images = (0..config.images)
            .map(|i| {
                let (base, _, _) = tables::IMAGES[(i as usize) % tables::IMAGES.len()];
                let round = i as usize / tables::IMAGES.len();
                NamedRef {
                    uuid: Uuid::v4(seed, stream::IMAGE, u64::from(i)).to_string(),
                    name: if round == 0 {
                        base.to_owned()
                    } else {
                        format!("{base}-r{round}")
                    },
                }
            })
            .collect();
        let mut projects = vec![NamedRef {
            uuid: Uuid::v4(seed, stream::PROJECT, 0).to_string(),
            name: "_internal".to_owned(),
        }];
        for p in 0..config.projects {
            let base = tables::PROJECTS[(p as usize) % tables::PROJECTS.len()];
            let round = p as usize / tables::PROJECTS.len();
            projects.push(NamedRef {
                uuid: Uuid::v4(seed, stream::PROJECT, u64::from(p + 1)).to_string(),
                name: if round == 0 {
                    base.to_owned()
                } else {
                    format!("{base}-{round}")
                },
            });
        }
        let users = tables::USERS
            .iter()
            .enumerate()
            .map(|(i, name)| NamedRef {
                uuid: if i == 0 {
                    "00000000-0000-0000-0000-000000000000".to_owned()
                } else {
                    Uuid::v4(seed, stream::USER, i as u64).to_string()
                },
                name: (*name).to_owned(),
            })
            .collect();
        let volume_groups = config
            .volume_groups
            .unwrap_or((config.vms / 100).clamp(2, 5000));
        let vg_stride = config.vms.checked_div(volume_groups).unwrap_or(1).max(1);
        let mut fleet = Self {
            key32: (super::rng::hash3(seed, stream::VM_UUID, 0) & 0xffff_ffff) as u32,
            config,
            clusters,
            pc,
            hosts,
            containers,
            vlan_subnets,
            overlay_subnets,
            images,
            projects,
            users,
            volume_groups,
            vg_stride,
            catalogs: Catalogs::default(),
        };
        fleet.catalogs = catalog::render_all(&fleet);
        fleet
    }

    /// Hosts of cluster `c`.
    pub(crate) fn cluster_hosts(&self, c: u32) -> &[HostInfo] {
        let per = self.config.hosts_per_cluster as usize;
        let start = c as usize * per;
        self.hosts.get(start..start + per).unwrap_or(&[])
    }

    /// VLAN subnets of cluster `c`.
    pub(crate) fn cluster_vlans(&self, c: u32) -> &[SubnetInfo] {
        let per = self.config.vlans_per_cluster as usize;
        let start = c as usize * per;
        self.vlan_subnets.get(start..start + per).unwrap_or(&[])
    }

    /// Storage containers of cluster `c`.
    pub(crate) fn cluster_containers(&self, c: u32) -> &[ContainerInfo] {
        self.containers
            .get(c as usize * 3..c as usize * 3 + 3)
            .unwrap_or(&[])
    }

    /// The volume group attached to VM `index`, if any.
    ///
    /// Volume group `j` is attached to VM `j * vg_stride` unless `j % 3 == 2` (a third of the
    /// volume groups are unattached).
    pub(crate) fn vg_of_vm(&self, index: u32) -> Option<u32> {
        if index >= self.config.vms || !index.is_multiple_of(self.vg_stride) {
            return None;
        }
        let j = index / self.vg_stride;
        (j < self.volume_groups && j % 3 != 2).then_some(j)
    }

    /// UUID of volume group `j`.
    pub(crate) fn vg_uuid(&self, j: u32) -> String {
        Uuid::v4(self.config.seed, stream::VOLUME_GROUP, u64::from(j)).to_string()
    }

    /// Name of volume group `j`.
    pub(crate) fn vg_name(j: u32) -> String {
        format!("vg-data-{j:05}")
    }
}
