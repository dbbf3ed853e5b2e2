//! `metrics <vm>`: every catalogue metric of one VM over a recent window, through the
//! monitoring plugin's own `Metric.get_data` path ([`crate::monitoring::metric_data`]).
//!
//! One JSON line per metric on stdout: `key`, `name`, `group`, `unit`, `stat`, `period`,
//! `latest` (the most recent non-zero point, 0 when every point is 0: Prism reports no
//! samples for idle or powered-off VMs), `labels` and `values`; a table on stderr.

use std::io::Write;

use anyhow::{Context as _, bail};
use cloudforet_client::value::{list_to_json, struct_to_json};
use collector_core::metrics::{CATALOGUE, format_label};
use futures::TryStreamExt as _;
use nutanix_prism::ListOptions;
use nutanix_prism::model::Vm;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::args::MetricsArgs;
use super::output;
use super::target::Target;
use crate::monitoring::metric_data::{MetricQuery, metric_data};

/// Whether `s` has the shape of a UUID (8-4-4-4-12 hex digits).
pub fn looks_like_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Finds the VM by UUID, or by exact name (an ambiguous name is an error listing the UUIDs).
///
/// # Errors
/// Unknown VM, ambiguous name, or a Prism failure.
pub async fn resolve_vm(target: &Target, vm: &str) -> anyhow::Result<(String, String)> {
    if looks_like_uuid(vm) {
        return match target.client.get_vm(vm).await {
            Ok(found) => Ok((
                found.uuid().unwrap_or(vm).to_owned(),
                found.name().unwrap_or_default().to_owned(),
            )),
            Err(e) if e.is_not_found() => {
                bail!("no VM with UUID {vm} on {}", target.endpoint)
            }
            Err(e) => Err(e).with_context(|| format!("reading VM {vm}")),
        };
    }
    let filter = format!("vm_name=={vm}");
    let matches: Vec<Vm> = target
        .client
        .list_all::<Vm>(ListOptions::new().filter(filter))
        .try_filter(|v| futures::future::ready(v.name() == Some(vm)))
        .try_collect()
        .await
        .with_context(|| format!("looking up VM {vm:?} by name"))?;
    match matches.as_slice() {
        [] => bail!(
            "no VM named {vm:?} on {} (names are exact; `nutanix-collect list vms` shows them)",
            target.endpoint
        ),
        [one] => Ok((one.uuid().unwrap_or_default().to_owned(), vm.to_owned())),
        many => {
            let uuids: Vec<&str> = many.iter().filter_map(Vm::uuid).collect();
            bail!(
                "{} VMs are named {vm:?}; pass a UUID instead: {}",
                many.len(),
                uuids.join(", ")
            )
        }
    }
}

/// Runs `metrics`; returns the JSON lines written (one per catalogue metric).
///
/// # Errors
/// VM resolution, invalid `--stat`/`--period`, Prism or output failures.
pub async fn run(
    target: &Target,
    args: &MetricsArgs,
    stderr: &mut dyn Write,
) -> anyhow::Result<Vec<Value>> {
    let (uuid, name) = resolve_vm(target, &args.vm).await?;
    let end = OffsetDateTime::now_utc();
    let start = end - Duration::minutes(i64::from(args.minutes));
    let (start_label, end_label) = (format_label(start), format_label(end));
    let period = i32::try_from(args.period.unwrap_or(0)).context("--period is too large")?;
    let query = json!({ uuid.clone(): {"entity_id": uuid} });
    let targets = [(target.client.clone(), target.prism_central.clone())];
    let mut out = output::open(None)?;
    let mut lines = Vec::new();
    writeln!(
        stderr,
        "metrics of VM {name} ({uuid}), {start_label} to {end_label}, {}",
        args.stat.to_ascii_uppercase()
    )?;
    writeln!(
        stderr,
        "{:<30} {:>16} {:<14} {:>7}",
        "metric", "latest", "unit", "points"
    )?;
    for def in CATALOGUE {
        let q = MetricQuery::parse(
            def.key,
            &start_label,
            &end_label,
            period,
            &args.stat,
            &query,
        )
        .map_err(|s| anyhow::anyhow!("{}", s.message()))?;
        let data = metric_data(&targets, &q)
            .await
            .map_err(|s| anyhow::anyhow!("reading {} of VM {uuid}: {}", def.key, s.message()))?;
        let labels = data.labels.map(list_to_json).unwrap_or_default();
        let values: Vec<f64> = data
            .values
            .map(struct_to_json)
            .and_then(|v| v.get(&uuid).cloned())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let latest = values
            .iter()
            .rev()
            .copied()
            .find(|v| *v != 0.0)
            .unwrap_or(0.0);
        let line = json!({
            "vm_uuid": uuid,
            "key": def.key,
            "name": def.name,
            "group": def.group,
            "unit": def.unit,
            "stat": q.stat.as_str(),
            "period": q.window.period(),
            "latest": latest,
            "labels": labels,
            "values": values,
        });
        output::line(&mut out, &line.to_string()).context("writing a metric")?;
        writeln!(
            stderr,
            "{:<30} {:>16.3} {:<14} {:>7}",
            def.key,
            latest,
            def.unit,
            values.len()
        )?;
        lines.push(line);
    }
    out.flush().context("flushing the output")?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::looks_like_uuid;

    #[test]
    fn uuid_shape() {
        assert!(looks_like_uuid("0b4a1a4c-0000-4000-8000-000000000000"));
        assert!(!looks_like_uuid("web-01"));
        assert!(!looks_like_uuid("0b4a1a4c-0000-4000-8000-00000000000g"));
        assert!(!looks_like_uuid("0b4a1a4c00004000800000000000000000"));
    }
}
