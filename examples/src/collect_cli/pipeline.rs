//! The inventory record pipeline of one Prism Central: the Prism client's entity streams fed
//! through collector-core's [`CollectionPlan`], exactly as the inventory plugin's `collect`
//! does (types first, then clusters and the other kinds as they arrive, regions last;
//! failures as `FAILURE` records).
//!
//! Kept in one function so it can be replaced by the shared `examples::inventory` pipeline
//! without touching the rest of the CLI.

use collector_core::context::PrismCentral;
use collector_core::plan::CollectionPlan;
use collector_core::record::ResourceRecord;
use futures::{Stream, StreamExt as _};
use nutanix_prism::PrismClient;
use nutanix_prism::model::Vm;

/// Every record of one Prism Central, streamed; `on_vm` sees each VM as it is listed (the CLI
/// prices them for the summary without a second listing).
pub fn collect_records<F>(
    client: &PrismClient,
    prism_central: PrismCentral,
    on_vm: F,
) -> impl Stream<Item = ResourceRecord> + Send + 'static
where
    F: Fn(&Vm) + Send + Sync + 'static,
{
    let vms = client.vms().inspect(move |vm| {
        if let Ok(vm) = vm {
            on_vm(vm);
        }
    });
    CollectionPlan::new(prism_central)
        .clusters(client.clusters())
        .vms(vms)
        .hosts(client.hosts())
        .subnets(client.subnets())
        .images(client.images())
        .volume_groups(client.volume_groups())
        .into_stream()
}
