//! The record pipeline: one Prism Central to a lazy stream of CloudForet records, and the
//! conversion of a record to the `ResourceInfo` message.
//!
//! Memory stays bounded by the Prism client's paging window: entities are mapped and yielded
//! one at a time by [`collector_core::plan::CollectionPlan`]; only cluster names and region
//! codes are kept.

use cloudforet_client::proto::spaceone::api::inventory::plugin::ResourceInfo;
use cloudforet_client::server::PluginError;
use cloudforet_client::value::json_to_struct;
use collector_core::catalog::ServiceKind;
use collector_core::plan::CollectionPlan;
use collector_core::record::{Resource, ResourceRecord};
use futures::stream::{self, BoxStream, StreamExt};
use nutanix_prism::PrismClient;

use crate::connect::{build_client, prism_central_context, verify};
use crate::options::{Kind, PluginOptions};
use crate::secret::PrismCentralSecret;

/// Which part of a Prism Central a task collects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClusterScope {
    /// Records of one Prism Element cluster (`region_code` = this UUID) and its region.
    Cluster(String),
    /// Records that belong to no cluster (no `region_code`: overlay subnets, images on
    /// several clusters, ...), and no region.
    Unclustered,
}

impl ClusterScope {
    /// Whether `record` belongs to this scope. Type and FAILURE records belong to every scope.
    pub fn contains(&self, record: &ResourceRecord) -> bool {
        match (&record.resource, self) {
            (Resource::CloudService(s), ClusterScope::Cluster(uuid)) => {
                s.region_code.as_deref() == Some(uuid.as_str())
            }
            (Resource::CloudService(s), ClusterScope::Unclustered) => s.region_code.is_none(),
            (Resource::Region(r), ClusterScope::Cluster(uuid)) => &r.region_code == uuid,
            (Resource::Region(_), ClusterScope::Unclustered) => false,
            _ => true,
        }
    }
}

/// The records of one Prism Central from an existing client, in CloudForet's order (types,
/// clusters, other resources as they arrive, regions), restricted to `scope` when given.
pub fn records_from_client(
    client: &PrismClient,
    pc: &PrismCentralSecret,
    options: &PluginOptions,
    scope: Option<ClusterScope>,
) -> BoxStream<'static, ResourceRecord> {
    let mut plan = CollectionPlan::new(prism_central_context(pc));
    for kind in &options.kinds {
        plan = match kind {
            Kind::Clusters => plan.clusters(client.clusters()),
            Kind::Vms => plan.vms(client.vms()),
            Kind::Hosts => plan.hosts(client.hosts()),
            Kind::Subnets => plan.subnets(client.subnets()),
            Kind::Images => plan.images(client.images()),
            Kind::VolumeGroups => plan.volume_groups(client.volume_groups()),
        };
    }
    let records = plan.into_stream();
    match scope {
        None => records.boxed(),
        Some(scope) => records
            .filter(move |r| futures::future::ready(scope.contains(r)))
            .boxed(),
    }
}

/// The collector-core service kinds (cloud service types) an entity kind produces.
pub fn service_kinds(kind: Kind) -> &'static [ServiceKind] {
    match kind {
        Kind::Vms => &[ServiceKind::VirtualMachine, ServiceKind::Disk],
        Kind::Clusters => &[ServiceKind::Cluster],
        Kind::Hosts => &[ServiceKind::Host],
        Kind::Subnets => &[ServiceKind::Subnet],
        Kind::Images => &[ServiceKind::Image],
        Kind::VolumeGroups => &[ServiceKind::VolumeGroup],
    }
}

/// The `inventory.CloudServiceType` records of the kinds `options` selects, in the order
/// the collection plan emits them. A collect over several Prism Centrals sends these first,
/// once, so that types precede everything else even when the first Prism Central fails.
pub fn type_records(options: &PluginOptions) -> Vec<ResourceRecord> {
    let mut kinds: Vec<ServiceKind> = options
        .kinds
        .iter()
        .flat_map(|k| service_kinds(*k).iter().copied())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|k| ResourceRecord::cloud_service_type(k.cloud_service_type()))
        .collect()
}

/// The records of one Prism Central from its secret entry: builds the client (`plugin` labels
/// its API-call metric), checks it with [`verify`] (credentials, reachability, that it is a
/// Prism Central), then streams [`records_from_client`]. A Prism Central that cannot be
/// configured or verified yields a single `FAILURE` record naming it and saying what to fix.
pub fn collect_records(
    pc: &PrismCentralSecret,
    options: &PluginOptions,
    plugin: &'static str,
    scope: Option<ClusterScope>,
) -> BoxStream<'static, ResourceRecord> {
    let client = match build_client(pc, options, plugin) {
        Ok(client) => client,
        Err(e) => return stream::iter([pc_failure(pc, &e)]).boxed(),
    };
    let pc = pc.clone();
    let options = options.clone();
    stream::once(async move {
        match verify(&client, &pc).await {
            Ok(()) => records_from_client(&client, &pc, &options, scope),
            Err(e) => stream::iter([pc_failure(&pc, &e)]).boxed(),
        }
    })
    .flatten()
    .boxed()
}

fn pc_failure(pc: &PrismCentralSecret, e: &PluginError) -> ResourceRecord {
    let message = e.message();
    let message = if message.contains(&pc.label()) {
        message.to_owned()
    } else {
        format!("{}: {message}", pc.label())
    };
    ResourceRecord::error(None, None, message)
}

/// The `ResourceInfo` message of a record: `state` set explicitly (SUCCESS=4, FAILURE=5),
/// `message` for failures, `resource_type`, and `match_rules` and `resource` as Structs.
///
/// # Errors
/// `ERROR_UNKNOWN` if the record cannot be serialised (it cannot for collector-core records).
pub fn to_resource_info(record: &ResourceRecord) -> Result<ResourceInfo, PluginError> {
    let err = |e: &dyn std::fmt::Display| {
        PluginError::unknown(format!(
            "cannot encode a {} record: {e}",
            record.resource_type.as_str()
        ))
    };
    let resource = record.resource_json().map_err(|e| err(&e))?;
    let match_rules = record.match_rules_json().map_err(|e| err(&e))?;
    Ok(ResourceInfo {
        state: record.state.proto_value(),
        message: record.message.clone().unwrap_or_default(),
        resource_type: record.resource_type.as_str().to_owned(),
        match_rules: Some(json_to_struct(match_rules).map_err(|e| err(&e))?),
        resource: Some(json_to_struct(resource).map_err(|e| err(&e))?),
        options: None,
    })
}
