//! The collection plan: per-kind entity streams in, CloudForet records out, in the order the
//! inventory expects.
//!
//! Order: every `inventory.CloudServiceType` record first; then the Cluster records (the
//! cluster stream is drained first so that other records can carry cluster names); then the
//! records of every other kind as they arrive (kinds interleave); then one `inventory.Region`
//! per Prism Element cluster seen in the cluster list or referenced by a record.
//!
//! Buffering: only the cluster names (UUID → name) and the set of regions are kept; entities
//! are mapped and yielded one at a time. A kind whose stream fails yields one `FAILURE`
//! `inventory.ErrorResource` record naming the kind and the cause, and stops; the other kinds
//! continue. An entity that cannot be mapped (no UUID) yields a `FAILURE` record in its place.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Display;
use std::sync::Arc;

use futures::stream::{self, BoxStream, SelectAll, Stream, StreamExt};
use nutanix_prism::model::{Cluster, Host, Image, Subnet, Vm, VolumeGroup};

use crate::catalog::ServiceKind;
use crate::context::PrismCentral;
use crate::error::Result;
use crate::mapping::{
    ClusterNames, cluster_record, host_record, image_record, subnet_record, vm_records,
    volume_group_record,
};
use crate::record::{Resource, ResourceRecord};
use crate::resource::Region;

type Factory<'a> = Box<
    dyn FnOnce(Arc<PrismCentral>, Arc<ClusterNames>) -> BoxStream<'a, Vec<ResourceRecord>>
        + Send
        + 'a,
>;
type MapFn<T> = fn(&PrismCentral, &T, &ClusterNames) -> Vec<Result<ResourceRecord>>;

/// Builder of a collection: give it the entity streams you have, then call
/// [`CollectionPlan::into_stream`].
pub struct CollectionPlan<'a> {
    pc: PrismCentral,
    clusters: Option<BoxStream<'a, std::result::Result<Cluster, String>>>,
    factories: Vec<Factory<'a>>,
    kinds: Vec<ServiceKind>,
}

impl std::fmt::Debug for CollectionPlan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectionPlan")
            .field("pc", &self.pc)
            .field("has_clusters", &self.clusters.is_some())
            .field("kinds", &self.kinds)
            .finish()
    }
}

fn failure(kind: ServiceKind, pc: &PrismCentral, cause: impl Display) -> ResourceRecord {
    ResourceRecord::error(
        Some(kind.group()),
        Some(kind.type_name()),
        format!(
            "failed to collect {} from Prism Central {}: {cause}",
            kind.console_plural(),
            pc.host
        ),
    )
}

fn entity_failure(kind: ServiceKind, err: &crate::Error) -> ResourceRecord {
    ResourceRecord::error(Some(kind.group()), Some(kind.type_name()), err.to_string())
}

fn settle(kind: ServiceKind, results: Vec<Result<ResourceRecord>>) -> Vec<ResourceRecord> {
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| entity_failure(kind, &e)))
        .collect()
}

impl<'a> CollectionPlan<'a> {
    /// An empty plan for one Prism Central.
    pub fn new(pc: PrismCentral) -> Self {
        Self {
            pc,
            clusters: None,
            factories: Vec::new(),
            kinds: Vec::new(),
        }
    }

    fn add_kind<T, S, E>(mut self, kinds: &[ServiceKind], s: S, map: MapFn<T>) -> Self
    where
        T: Send + 'a,
        S: Stream<Item = std::result::Result<T, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        let kind = kinds[0];
        self.kinds.extend_from_slice(kinds);
        self.factories.push(Box::new(
            move |pc: Arc<PrismCentral>, names: Arc<ClusterNames>| {
                s.scan(false, move |failed, item| {
                    let out = if *failed {
                        None
                    } else {
                        Some(match item {
                            Ok(entity) => settle(kind, map(&pc, &entity, &names)),
                            Err(e) => {
                                *failed = true;
                                vec![failure(kind, &pc, e)]
                            }
                        })
                    };
                    futures::future::ready(out)
                })
                .boxed()
            },
        ));
        self
    }

    /// Clusters (`clusters/list`); the Prism Central entry is skipped.
    #[must_use]
    pub fn clusters<S, E>(mut self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<Cluster, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.kinds.push(ServiceKind::Cluster);
        self.clusters = Some(s.map(|r| r.map_err(|e| e.to_string())).boxed());
        self
    }

    /// VMs (`vms/list`): VirtualMachine and Disk records.
    #[must_use]
    pub fn vms<S, E>(self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<Vm, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.add_kind(
            &[ServiceKind::VirtualMachine, ServiceKind::Disk],
            s,
            vm_records,
        )
    }

    /// Hosts (`hosts/list`).
    #[must_use]
    pub fn hosts<S, E>(self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<Host, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.add_kind(&[ServiceKind::Host], s, |pc, h, n| {
            vec![host_record(pc, h, n)]
        })
    }

    /// Images (`images/list`).
    #[must_use]
    pub fn images<S, E>(self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<Image, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.add_kind(&[ServiceKind::Image], s, |pc, i, n| {
            vec![image_record(pc, i, n)]
        })
    }

    /// Subnets (`subnets/list`).
    #[must_use]
    pub fn subnets<S, E>(self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<Subnet, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.add_kind(&[ServiceKind::Subnet], s, |pc, x, n| {
            vec![subnet_record(pc, x, n)]
        })
    }

    /// Volume groups (`volume_groups/list`).
    #[must_use]
    pub fn volume_groups<S, E>(self, s: S) -> Self
    where
        S: Stream<Item = std::result::Result<VolumeGroup, E>> + Send + 'a,
        E: Display + Send + 'a,
    {
        self.add_kind(&[ServiceKind::VolumeGroup], s, |pc, v, n| {
            vec![volume_group_record(pc, v, n)]
        })
    }

    /// The record stream (see the module docs for order and buffering).
    pub fn into_stream(self) -> impl Stream<Item = ResourceRecord> + Send + 'a {
        let mut kinds = self.kinds;
        kinds.sort();
        kinds.dedup();
        let pending: VecDeque<ResourceRecord> = kinds
            .iter()
            .map(|k| ResourceRecord::cloud_service_type(k.cloud_service_type()))
            .collect();
        let state = Run {
            pc: Arc::new(self.pc),
            pending,
            clusters: self.clusters,
            factories: self.factories,
            rest: None,
            names: ClusterNames::new(),
            regions: BTreeMap::new(),
            regions_done: false,
        };
        stream::unfold(state, |mut run| async move {
            let next = run.next().await?;
            Some((next, run))
        })
    }
}

struct Run<'a> {
    pc: Arc<PrismCentral>,
    pending: VecDeque<ResourceRecord>,
    clusters: Option<BoxStream<'a, std::result::Result<Cluster, String>>>,
    factories: Vec<Factory<'a>>,
    rest: Option<SelectAll<BoxStream<'a, Vec<ResourceRecord>>>>,
    names: ClusterNames,
    /// region_code → name hint from records (cluster names from the cluster list win).
    regions: BTreeMap<String, Option<String>>,
    regions_done: bool,
}

impl Run<'_> {
    async fn next(&mut self) -> Option<ResourceRecord> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                self.note_region(&r);
                return Some(r);
            }
            if let Some(clusters) = self.clusters.as_mut() {
                match clusters.next().await {
                    Some(Ok(c)) => {
                        if let (Some(uuid), false) =
                            (c.uuid().filter(|u| !u.is_empty()), c.is_prism_central())
                        {
                            self.names
                                .insert(uuid.to_owned(), c.name().unwrap_or(uuid).to_owned());
                        }
                        if let Some(rec) = cluster_record(&self.pc, &c) {
                            self.pending.push_back(
                                rec.unwrap_or_else(|e| entity_failure(ServiceKind::Cluster, &e)),
                            );
                        }
                    }
                    Some(Err(e)) => {
                        self.pending
                            .push_back(failure(ServiceKind::Cluster, &self.pc, e));
                        self.clusters = None;
                    }
                    None => self.clusters = None,
                }
                continue;
            }
            if self.rest.is_none() && !self.factories.is_empty() {
                let names = Arc::new(self.names.clone());
                let streams = std::mem::take(&mut self.factories)
                    .into_iter()
                    .map(|f| f(Arc::clone(&self.pc), Arc::clone(&names)));
                self.rest = Some(stream::select_all(streams));
            }
            if let Some(rest) = self.rest.as_mut() {
                match rest.next().await {
                    Some(batch) => self.pending.extend(batch),
                    None => self.rest = None,
                }
                continue;
            }
            if !self.regions_done {
                self.regions_done = true;
                for (code, hint) in std::mem::take(&mut self.regions) {
                    let name = self.names.get(&code).cloned().or(hint);
                    let rec = ResourceRecord::region(Region::new(code, name.as_deref()));
                    // Region codes come from non-empty UUIDs, so this cannot fail.
                    if let Ok(rec) = rec {
                        self.pending.push_back(rec);
                    }
                }
                continue;
            }
            return None;
        }
    }

    fn note_region(&mut self, r: &ResourceRecord) {
        if self.regions_done {
            return;
        }
        if let Resource::CloudService(s) = &r.resource
            && let Some(code) = s.region_code.as_deref().filter(|c| !c.is_empty())
        {
            let hint = if s.cloud_service_type == ServiceKind::Cluster.type_name() {
                s.name.as_deref().map(str::to_owned)
            } else {
                s.data.cluster_name().map(str::to_owned)
            };
            let entry = self.regions.entry(code.to_owned()).or_insert(None);
            if entry.is_none() {
                *entry = hint;
            }
        }
    }
}
