//! `POST /groups`: deterministic VM metric time series and a few inventory attributes.
//!
//! A metric's value is a pure function of `(seed, vm, attribute, timestamp)`: a per-VM base
//! level, a daily cycle and seeded noise. Values are strings, times are microseconds, as in
//! Prism. Powered-off VMs have no samples (empty `values`), unknown attributes too.

use std::fmt::Write as _;
use std::sync::Mutex;

use serde::Deserialize;

use super::churn::LiveSet;
use super::fleet::Fleet;
use super::fleet::tables;
use super::fleet::vm::Power;
use super::json;
use super::rng::{Rng, stream};

/// Smallest sampling interval Prism keeps (seconds).
const MIN_INTERVAL: i64 = 30;
/// Largest number of values in one response (simulator guard).
const MAX_VALUES: usize = 2_000_000;
/// Default `group_member_count` when the request names no entities.
const DEFAULT_MEMBERS: i64 = 20;

/// A request error: `(HTTP status, reason, message)`.
pub(crate) type GroupsError = (u16, &'static str, String);

#[derive(Debug, Deserialize)]
struct Request {
    entity_type: Option<String>,
    #[serde(default)]
    entity_ids: Option<Vec<String>>,
    #[serde(default)]
    group_member_attributes: Option<Vec<Attribute>>,
    group_member_count: Option<i64>,
    group_member_offset: Option<i64>,
    interval_start_ms: Option<i64>,
    interval_end_ms: Option<i64>,
    downsampling_interval: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Attribute {
    attribute: String,
}

/// Metric attributes the simulator knows.
const METRICS: &[&str] = &[
    "hypervisor_cpu_usage_ppm",
    "memory_usage_ppm",
    "controller_num_iops",
    "controller_num_read_iops",
    "controller_num_write_iops",
    "controller_num_io",
    "controller_num_read_io",
    "controller_num_write_io",
    "controller_io_bandwidth_kBps",
    "controller_read_io_bandwidth_kBps",
    "controller_write_io_bandwidth_kBps",
    "controller_avg_io_latency_usecs",
    "controller_avg_read_io_latency_usecs",
    "controller_avg_write_io_latency_usecs",
    "hypervisor_num_received_bytes",
    "hypervisor_num_transmitted_bytes",
];

/// The value of `attribute` for VM `index` at Unix second `t`, sampled every `interval` s.
/// `None` for unknown attributes.
pub(crate) fn metric_value(
    seed: u64,
    index: u32,
    attribute: &str,
    t: i64,
    interval: i64,
) -> Option<i64> {
    let slot = METRICS.iter().position(|m| *m == attribute)? as u64;
    let mut base = Rng::new(seed, stream::METRIC, (u64::from(index) << 8) | slot);
    let level = base.unit();
    let phase = base.unit() * std::f64::consts::TAU;
    let day = (t.rem_euclid(86_400)) as f64 / 86_400.0;
    let cycle = 1.0 + 0.35 * (day * std::f64::consts::TAU + phase).sin();
    let noise = 0.8
        + 0.4
            * Rng::new(
                seed ^ t as u64,
                stream::METRIC,
                (u64::from(index) << 8) | slot,
            )
            .unit();
    let f = cycle * noise;
    let read_iops = (2.0 + level * 400.0) * f;
    let write_iops = (1.0 + level * 250.0) * f;
    let read_kbps = read_iops * 24.0;
    let write_kbps = write_iops * 32.0;
    let interval = interval.max(1) as f64;
    let v = match attribute {
        "hypervisor_cpu_usage_ppm" => ((20_000.0 + level * 580_000.0) * f).min(1_000_000.0),
        "memory_usage_ppm" => {
            ((200_000.0 + level * 700_000.0) * (0.95 + 0.1 * (noise - 0.8) / 0.4)).min(1_000_000.0)
        }
        "controller_num_iops" => read_iops + write_iops,
        "controller_num_read_iops" => read_iops,
        "controller_num_write_iops" => write_iops,
        "controller_num_io" => (read_iops + write_iops) * interval,
        "controller_num_read_io" => read_iops * interval,
        "controller_num_write_io" => write_iops * interval,
        "controller_io_bandwidth_kBps" => read_kbps + write_kbps,
        "controller_read_io_bandwidth_kBps" => read_kbps,
        "controller_write_io_bandwidth_kBps" => write_kbps,
        "controller_avg_io_latency_usecs" => 300.0 + 1_500.0 * level * noise,
        "controller_avg_read_io_latency_usecs" => 250.0 + 1_200.0 * level * noise,
        "controller_avg_write_io_latency_usecs" => 400.0 + 2_000.0 * level * noise,
        "hypervisor_num_received_bytes" => (5_000.0 + level * 20_000_000.0) * f * interval,
        "hypervisor_num_transmitted_bytes" => (4_000.0 + level * 12_000_000.0) * f * interval,
        _ => return None,
    };
    Some(v.round() as i64)
}

/// Handles a groups request; `now` is the current Unix time in seconds.
pub(crate) fn handle(
    fleet: &Fleet,
    live: &Mutex<LiveSet>,
    body: &[u8],
    now: i64,
) -> Result<String, GroupsError> {
    let request: Request = serde_json::from_slice(if body.is_empty() { b"{}" } else { body })
        .map_err(|e| {
            (
                422,
                "INVALID_REQUEST",
                format!("Request could not be processed: {e}"),
            )
        })?;
    let entity_type = request
        .entity_type
        .ok_or_else(|| (422, "INVALID_REQUEST", "entity_type is required".to_owned()))?;
    let attributes: Vec<String> = request
        .group_member_attributes
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.attribute)
        .collect();
    let (start_ms, end_ms) = (
        request.interval_start_ms.unwrap_or(0),
        request.interval_end_ms.unwrap_or(0),
    );
    if start_ms < 0 || end_ms < 0 || (start_ms > 0 && end_ms > 0 && end_ms < start_ms) {
        return Err((
            422,
            "INVALID_REQUEST",
            "interval_end_ms must not be before interval_start_ms".to_owned(),
        ));
    }
    let interval = request
        .downsampling_interval
        .unwrap_or(MIN_INTERVAL)
        .max(MIN_INTERVAL);
    // Sample times: the latest sample only, or every `interval` seconds in [start, end].
    let times: Vec<i64> = if start_ms == 0 {
        vec![now - now.rem_euclid(MIN_INTERVAL)]
    } else {
        let end = if end_ms == 0 { now } else { end_ms / 1000 }.min(now);
        let first = (start_ms / 1000).div_euclid(interval) * interval
            + if (start_ms / 1000).rem_euclid(interval) == 0 {
                0
            } else {
                interval
            };
        let count = if end >= first {
            ((end - first) / interval + 1) as usize
        } else {
            0
        };
        if count.saturating_mul(attributes.len().max(1)) > MAX_VALUES {
            return Err((
                422,
                "INVALID_REQUEST",
                format!(
                    "{count} samples per attribute exceed the simulator's limit; raise downsampling_interval"
                ),
            ));
        }
        (0..count as i64).map(|k| first + k * interval).collect()
    };

    let is_vm = matches!(entity_type.as_str(), "vm" | "mh_vm");
    // Hold the live set only while resolving members, not while writing the series.
    let live = live
        .lock()
        .map_err(|_| (500, "INTERNAL_ERROR", "simulator state poisoned".to_owned()))?;
    let members: Vec<(String, u32)> = if !is_vm {
        Vec::new()
    } else if let Some(ids) = &request.entity_ids {
        ids.iter()
            .filter_map(|id| {
                fleet
                    .vm_index_of(id)
                    .filter(|&i| live.contains(i))
                    .map(|i| (id.to_lowercase(), i))
            })
            .collect()
    } else {
        let offset = request.group_member_offset.unwrap_or(0).max(0) as usize;
        let count = request
            .group_member_count
            .unwrap_or(DEFAULT_MEMBERS)
            .clamp(0, 5_000) as usize;
        live.range(offset, count)
            .into_iter()
            .map(|i| (fleet.vm_uuid(i).to_string(), i))
            .collect()
    };
    let total = if is_vm { live.len() } else { 0 };
    drop(live);

    if members
        .len()
        .saturating_mul(times.len())
        .saturating_mul(attributes.len())
        > MAX_VALUES
    {
        return Err((
            422,
            "INVALID_REQUEST",
            "too many values requested; narrow the entities or the interval".to_owned(),
        ));
    }

    let mut out =
        String::with_capacity(256 + members.len() * attributes.len() * (times.len() * 40 + 64));
    out.push('{');
    json::field_str(&mut out, "entity_type", &entity_type);
    let groups = usize::from(!members.is_empty());
    json::field_int(&mut out, "filtered_group_count", groups);
    json::field_int(&mut out, "total_group_count", groups);
    json::field_int(&mut out, "filtered_entity_count", members.len());
    json::field_int(&mut out, "total_entity_count", total);
    out.push_str("\"group_results\":[");
    if !members.is_empty() {
        out.push_str(r#"{"group_by_column_value":null,"group_summaries":{},"#);
        json::field_int(&mut out, "total_entity_count", members.len());
        out.push_str("\"entity_results\":[");
        for (uuid, index) in &members {
            let core = fleet.vm_core(*index);
            out.push('{');
            json::field_str(&mut out, "entity_id", uuid);
            out.push_str("\"data\":[");
            for attribute in &attributes {
                out.push('{');
                json::field_str(&mut out, "name", attribute);
                out.push_str("\"values\":[");
                if let Some(text) = inventory_value(fleet, &core, attribute) {
                    let _ = write!(
                        out,
                        r#"{{"time":{},"values":["#,
                        times.last().copied().unwrap_or(now) * 1_000_000
                    );
                    json::string(&mut out, &text);
                    out.push_str("]},");
                } else if core.power != Power::Off {
                    for &t in &times {
                        if let Some(v) =
                            metric_value(fleet.config.seed, *index, attribute, t, interval)
                        {
                            let _ =
                                write!(out, r#"{{"time":{},"values":["{v}"]}},"#, t * 1_000_000);
                        }
                    }
                }
                json::close(&mut out, ']');
                out.push_str("},");
            }
            json::close(&mut out, ']');
            out.push_str("},");
        }
        json::close(&mut out, ']');
        out.push('}');
    }
    out.push_str("]}");
    Ok(out)
}

/// Inventory attributes available without generating the whole VM.
fn inventory_value(
    fleet: &Fleet,
    core: &super::fleet::vm::VmCore,
    attribute: &str,
) -> Option<String> {
    Some(match attribute {
        "vm_name" => core.name(),
        "power_state" => core.power.status_text().to_ascii_lowercase(),
        "cluster_name" => fleet.clusters[core.cluster as usize].name.clone(),
        "cluster" => fleet.clusters[core.cluster as usize].uuid.clone(),
        "host_name" => fleet.hosts[core.host as usize].name.clone(),
        "is_cvm" => "0".to_owned(),
        "hypervisor_type" => "kKvm".to_owned(),
        "app_type" => tables::APPS[core.app].1.to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fleet::FleetConfig;

    fn fleet() -> Fleet {
        Fleet::new(FleetConfig {
            vms: 50,
            ..FleetConfig::default()
        })
    }

    #[test]
    fn values_are_deterministic_and_in_range() {
        for t in [0i64, 1_700_000_000, 1_700_000_030] {
            let a = metric_value(3, 7, "hypervisor_cpu_usage_ppm", t, 300).unwrap();
            assert_eq!(
                Some(a),
                metric_value(3, 7, "hypervisor_cpu_usage_ppm", t, 300)
            );
            assert!((0..=1_000_000).contains(&a));
        }
        assert_eq!(metric_value(3, 7, "no_such_metric", 0, 30), None);
    }

    #[test]
    fn series_honours_the_interval() {
        let fleet = fleet();
        let live = Mutex::new(LiveSet::new(50));
        let on = (0..50)
            .find(|&i| fleet.vm_core(i).power == Power::On)
            .unwrap();
        let uuid = fleet.vm_uuid(on).to_string();
        let body = serde_json::json!({
            "entity_type": "vm", "entity_ids": [uuid],
            "group_member_attributes": [{"attribute": "hypervisor_cpu_usage_ppm"}, {"attribute": "bogus"}],
            "interval_start_ms": 1_700_000_000_000i64, "interval_end_ms": 1_700_003_600_000i64,
            "downsampling_interval": 300
        });
        let text = handle(&fleet, &live, body.to_string().as_bytes(), 1_800_000_000).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let data = &v["group_results"][0]["entity_results"][0]["data"];
        let values = data[0]["values"].as_array().unwrap();
        assert_eq!(values.len(), 12);
        let t0 = values[0]["time"].as_i64().unwrap();
        assert_eq!(t0 % 1_000_000, 0);
        assert_eq!(values[1]["time"].as_i64().unwrap() - t0, 300_000_000);
        assert!(values[0]["values"][0].is_string());
        assert_eq!(
            data[1]["values"].as_array().unwrap().len(),
            0,
            "unknown attribute has no values"
        );
    }

    #[test]
    fn no_match_gives_empty_group_results() {
        let fleet = fleet();
        let live = Mutex::new(LiveSet::new(50));
        let body = br#"{"entity_type":"vm","entity_ids":["00000000-0000-4000-8000-000000000000"]}"#;
        let v: serde_json::Value =
            serde_json::from_str(&handle(&fleet, &live, body, 1_800_000_000).unwrap()).unwrap();
        assert_eq!(v["group_results"], serde_json::json!([]));
        let v: serde_json::Value = serde_json::from_str(
            &handle(&fleet, &live, br#"{"entity_type":"storage_pool"}"#, 0).unwrap(),
        )
        .unwrap();
        assert_eq!(v["group_results"], serde_json::json!([]));
        assert!(handle(&fleet, &live, b"{}", 0).is_err());
    }
}
