//! `Cost.get_data`: daily cost records of one Prism Central and month, streamed in pages.
//!
//! The records come from `collector_core::cost::CostModel` (see `docs/cost-model.md`): one
//! record per VM, usage type and day with use, evaluated up to `as_of` (the plugin passes
//! "now", so nothing in the future is charged). VMs are listed from Prism as a stream and
//! priced one at a time; at most one page of records is held in memory.

use std::collections::BTreeMap;

use async_stream::try_stream;
use cloudforet_client::proto::spaceone::api::cost_analysis::plugin::{CostInfo, CostsInfo};
use cloudforet_client::server::PluginError;
use cloudforet_client::value::map_to_struct;
use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, CostRecord, DateRange, PriceBook};
use collector_core::mapping::{ClusterNames, vm_usage};
use futures::{Stream, TryStreamExt as _};
use nutanix_prism::PrismClient;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::month::YearMonth;

/// Most `CostInfo` records in one `CostsInfo` message (what CloudForet's own cost plugins send).
pub const MAX_PAGE: usize = 1000;

/// What one `get_data` task prices.
#[derive(Debug, Clone)]
pub struct CostJob {
    /// The Prism Central client.
    pub client: PrismClient,
    /// Its identity (records' `additional_info."Prism Central"`).
    pub prism_central: PrismCentral,
    /// Prices.
    pub book: PriceBook,
    /// The month.
    pub month: YearMonth,
    /// Nothing after this instant is charged.
    pub as_of: OffsetDateTime,
    /// Records per message, 1..=[`MAX_PAGE`].
    pub page_size: usize,
}

/// Converts one cost record into CloudForet's `CostInfo` (wire §3.2): empty `tags` are left
/// out, `cost` is the exact amount as a double.
pub fn to_cost_info(record: &CostRecord) -> CostInfo {
    let strings =
        |m: &mut dyn Iterator<Item = (String, Value)>| -> Map<String, Value> { m.collect() };
    let tags = strings(
        &mut record
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
    );
    let info = strings(
        &mut record
            .additional_info
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone()))),
    );
    let data = strings(
        &mut record
            .data
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v))),
    );
    CostInfo {
        cost: record.cost.as_f64(),
        usage_quantity: record.usage_quantity,
        usage_unit: record.usage_unit.to_owned(),
        provider: record.provider.to_owned(),
        region_code: record.region_code.clone().unwrap_or_default(),
        product: record.product.to_owned(),
        usage_type: record.usage_type.clone(),
        resource: record.resource.clone(),
        tags: (!tags.is_empty()).then(|| map_to_struct(tags)),
        additional_info: (!info.is_empty()).then(|| map_to_struct(info)),
        data: (!data.is_empty()).then(|| map_to_struct(data)),
        billed_date: record.billed_date.clone(),
    }
}

/// Maps a Prism failure during `get_data` to the status CloudForet records on the job task.
pub(crate) fn prism_failure(
    pc: &PrismCentral,
    what: &str,
    err: &nutanix_prism::Error,
) -> PluginError {
    if err.is_unauthorized() {
        return PluginError::authenticate_failure(format!(
            "Prism Central {} rejected the credentials while {what}",
            pc.host
        ));
    }
    PluginError::unknown(format!(
        "failed {what} from Prism Central {}: {err}",
        pc.host
    ))
}

/// The pages of one task: clusters are listed first (for cluster names), then VMs are
/// streamed and priced one by one; a page is sent every `page_size` records and the rest at
/// the end. A month with no use gives no message at all. A Prism failure ends the stream with
/// an error (CloudForet then rolls back the job's records, which is safer than a partial month).
pub fn cost_pages(
    job: CostJob,
) -> impl Stream<Item = Result<CostsInfo, PluginError>> + Send + 'static {
    try_stream! {
        let CostJob { client, prism_central, book, month, as_of, page_size } = job;
        let page_size = page_size.clamp(1, MAX_PAGE);
        let range = DateRange::month(month.year(), month.month()).map_err(|e| {
            PluginError::invalid_parameter("task_options.month", e)
        })?;
        let names: ClusterNames = client
            .clusters()
            .map_ok(|c| (c.uuid().unwrap_or_default().to_owned(), c.name().unwrap_or_default().to_owned()))
            .try_collect::<BTreeMap<_, _>>()
            .await
            .map_err(|e| prism_failure(&prism_central, "listing clusters", &e))?;
        let model = CostModel::new(&book, &prism_central, as_of);
        let mut vms = client.vms();
        let mut page = Vec::with_capacity(page_size);
        let (mut vm_count, mut record_count) = (0_u64, 0_u64);
        while let Some(vm) = vms
            .try_next()
            .await
            .map_err(|e| prism_failure(&prism_central, "listing VMs", &e))?
        {
            vm_count += 1;
            for record in model.daily(&vm_usage(&vm, &names), range) {
                page.push(to_cost_info(&record));
                record_count += 1;
                if page.len() == page_size {
                    yield CostsInfo { results: std::mem::replace(&mut page, Vec::with_capacity(page_size)) };
                }
            }
        }
        if !page.is_empty() {
            yield CostsInfo { results: page };
        }
        tracing::info!(prism_central = %prism_central.host, %month, vms = vm_count, records = record_count, "cost data sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudforet_client::value::struct_ref_to_json;
    use collector_core::cost::{DiskUsage, VmUsage};
    use serde_json::json;
    use time::macros::{date, datetime};

    #[test]
    fn cost_info_fields() {
        let vm = VmUsage {
            vm_uuid: "vm-1".into(),
            vm_name: Some("web".into()),
            cluster_uuid: Some("c-1".into()),
            cluster_name: Some("pe1".into()),
            powered_on: true,
            vcpus: 2,
            memory_bytes: 0,
            disks: vec![DiskUsage::new(0, None, None)],
            tags: BTreeMap::from([("Env".to_owned(), "prod".to_owned())]),
            ..VmUsage::default()
        };
        let book = PriceBook::default();
        let pc = PrismCentral::new("pc.example.com");
        let model = CostModel::new(&book, &pc, datetime!(2025-07-01 00:00 UTC));
        let day = date!(2025 - 06 - 10);
        let records = model.daily(&vm, DateRange::new(day, day).unwrap());
        assert_eq!(records.len(), 1, "only vCPUs have a quantity");
        let info = to_cost_info(&records[0]);
        assert_eq!(info.cost, 1.517328); // 2 × 24 × 0.031611
        assert_eq!(info.usage_quantity, 48.0);
        assert_eq!(info.usage_unit, "vCPU-Hours");
        assert_eq!(info.provider, "nutanix");
        assert_eq!(info.region_code, "c-1");
        assert_eq!(info.product, "Compute");
        assert_eq!(info.usage_type, "vcpu");
        assert_eq!(info.resource, "vm-1");
        assert_eq!(info.billed_date, "2025-06-10");
        assert_eq!(
            struct_ref_to_json(info.tags.as_ref().unwrap()),
            json!({"Env": "prod"})
        );
        assert_eq!(
            struct_ref_to_json(info.additional_info.as_ref().unwrap()),
            json!({"Prism Central": "pc.example.com", "Cluster": "pe1", "VM Name": "web"})
        );
        let data = struct_ref_to_json(info.data.as_ref().unwrap());
        assert_eq!(data["hours"].as_f64(), Some(24.0));
    }
}
