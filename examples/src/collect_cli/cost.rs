//! `cost --month YYYY-MM`: the daily cost records the cost plugin would send for the month, as
//! JSON lines shaped like CloudForet's `CostInfo`, and the totals on stderr.
//!
//! The records come from the cost plugin's own pipeline ([`crate::cost::data::cost_pages`]),
//! converted back to JSON, so the CLI shows exactly what CloudForet would receive.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context as _;
use cloudforet_client::proto::spaceone::api::cost_analysis::plugin::CostInfo;
use cloudforet_client::value::struct_ref_to_json;
use collector_core::cost::Money;
use futures::StreamExt as _;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::args::CostArgs;
use super::target::Target;
use super::{output, progress};
use crate::cost::data::{CostJob, MAX_PAGE, cost_pages};
use crate::cost::month::YearMonth;

/// `CostInfo` as JSON (the field names of CloudForet's message).
pub fn cost_info_json(info: &CostInfo) -> Value {
    let st = |s: &Option<prost_types::Struct>| {
        s.as_ref()
            .map_or_else(|| Value::Object(Map::new()), struct_ref_to_json)
    };
    json!({
        "cost": info.cost,
        "usage_quantity": info.usage_quantity,
        "usage_unit": info.usage_unit,
        "provider": info.provider,
        "region_code": info.region_code,
        "product": info.product,
        "usage_type": info.usage_type,
        "resource": info.resource,
        "tags": st(&info.tags),
        "additional_info": st(&info.additional_info),
        "data": st(&info.data),
        "billed_date": info.billed_date,
    })
}

/// Totals of a `cost` run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostTotals {
    /// Records written.
    pub records: u64,
    /// Sum of every record, exact (records carry whole micro-units).
    pub total: Money,
    /// Sum per usage type.
    pub per_usage_type: BTreeMap<String, Money>,
    /// Distinct VMs with a cost.
    pub vms: u64,
}

fn micros(cost: f64) -> u64 {
    // Records are whole micro-units, far below 2⁵³: the round trip is exact.
    (cost * 1e6).round().max(0.0) as u64
}

/// The cost plugin's job for `month` of the target, evaluated up to `as_of`.
pub fn cost_job(target: &Target, month: YearMonth, as_of: OffsetDateTime) -> CostJob {
    CostJob {
        client: target.client.clone(),
        prism_central: target.prism_central.clone(),
        book: target.options.price_book.clone(),
        month,
        as_of,
        page_size: MAX_PAGE,
    }
}

/// The total of every record of `job` (what the cost plugin would send for the month).
///
/// # Errors
/// A Prism failure while listing clusters or VMs.
pub async fn month_total(job: CostJob) -> anyhow::Result<Money> {
    let month = job.month;
    let mut total = Money::default();
    let mut pages = Box::pin(cost_pages(job));
    while let Some(page) = pages.next().await {
        let page = page.map_err(|status| {
            anyhow::anyhow!("computing the costs of {month}: {}", status.message())
        })?;
        for info in &page.results {
            total = total.saturating_add(Money::from_micros(micros(info.cost)));
        }
    }
    Ok(total)
}

/// Runs `cost`.
///
/// # Errors
/// A bad `--month`, price book or output file, or a Prism failure (the month would be
/// incomplete, so nothing is reported as a total).
pub async fn run(
    target: &Target,
    args: &CostArgs,
    stderr: &mut dyn Write,
) -> anyhow::Result<CostTotals> {
    let now = OffsetDateTime::now_utc();
    let month = match &args.month {
        Some(m) => YearMonth::parse(m).map_err(|e| anyhow::anyhow!("--month {e}"))?,
        None => YearMonth::of(now.date()),
    };
    let currency = target.options.price_book.currency.code();
    let job = cost_job(target, month, now);
    let mut out = output::open(args.output.as_deref())?;
    let bar = progress::spinner("cost records");
    let mut totals = CostTotals::default();
    let mut last_vm = String::new();
    let mut pages = Box::pin(cost_pages(job));
    while let Some(page) = pages.next().await {
        let page = page.map_err(|status| {
            anyhow::anyhow!("computing the costs of {month}: {}", status.message())
        })?;
        for info in &page.results {
            let json = serde_json::to_string(&cost_info_json(info))
                .context("serialising a cost record")?;
            output::line(&mut out, &json).context("writing a cost record")?;
            let m = Money::from_micros(micros(info.cost));
            totals.records += 1;
            totals.total = totals.total.saturating_add(m);
            let e = totals
                .per_usage_type
                .entry(info.usage_type.clone())
                .or_default();
            *e = e.saturating_add(m);
            if info.resource != last_vm {
                // Records arrive VM by VM.
                totals.vms += 1;
                last_vm.clone_from(&info.resource);
            }
        }
        bar.inc(page.results.len() as u64);
    }
    out.flush().context("flushing the output")?;
    bar.finish_and_clear();
    writeln!(stderr, "{}", "-".repeat(56))?;
    writeln!(
        stderr,
        "cost of {month} ({currency}) from {}",
        target.endpoint
    )?;
    writeln!(stderr, "{}", "-".repeat(56))?;
    for (usage_type, m) in &totals.per_usage_type {
        writeln!(stderr, "  {usage_type:<38} {:>15}", m.to_string())?;
    }
    writeln!(stderr, "{:<40} {:>15}", "VMs", totals.vms)?;
    writeln!(stderr, "{:<40} {:>15}", "daily records", totals.records)?;
    writeln!(
        stderr,
        "{:<40} {:>15}",
        format!("total ({currency})"),
        totals.total.to_string()
    )?;
    Ok(totals)
}
