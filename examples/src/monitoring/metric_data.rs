//! `Metric.get_data`: validate the request, ask Prism's `/groups` for the time series of every
//! VM of the request, and convert them with the collector-core catalogue.
//!
//! # Rules
//!
//! - `metric` is a catalogue key (`cpu.utilization`, ...; `Metric.list` gives them); an unknown
//!   key is `ERROR_INVALID_PARAMETER` naming it and listing the known keys.
//! - `start` and `end` are required ISO 8601 instants, `end` after `start`; `period` (seconds)
//!   is optional (0: CloudWatch's automatic period), negative is refused; `stat` is one of
//!   `AVERAGE`, `MAX`, `MIN`, `SUM` (empty: `AVERAGE`).
//! - `metric_query` is `{cloud_service_id: {"entity_id": <vm uuid>, ...}}` (what `Metric.list`
//!   returned, re-keyed by CloudForet; `vm_uuid` is accepted too). Entries without a VM UUID
//!   are ignored; a query with none is `ERROR_INVALID_PARAMETER (key = metric_query)`.
//! - One `/groups` request per Prism Central for all the VMs of the request (100 UUIDs per
//!   request at most, the Prism client's limit). With several Prism Centrals in the secret
//!   every one is asked (the query does not say which one holds a VM); one that fails is
//!   logged and skipped as long as another answered, otherwise the error is returned.
//! - `labels` are the period starts (`YYYY-MM-DDTHH:MM:SS.mmmZ`); `values` has one list per
//!   cloud_service_id, index-aligned with `labels`; a period without samples is 0 (a
//!   powered-off VM is all zeros). A VM that no Prism Central knows (deleted, or a wrong UUID)
//!   gets an **empty list**, so that missing data never looks like a measured 0.

use std::collections::{BTreeMap, BTreeSet};

use cloudforet_client::proto::spaceone::api::monitoring::plugin::MetricDataInfo;
use cloudforet_client::server::PluginError;
use cloudforet_client::value::{json_to_list, map_to_struct};
use collector_core::context::PrismCentral;
use collector_core::metrics::{
    CATALOGUE, MetricDef, Sample, Stat, Window, groups_request, metric, parse_instant,
    resources_from_query, samples_from_groups, to_metric_data,
};
use nutanix_prism::PrismClient;
use nutanix_prism::client::METRIC_IDS_PER_REQUEST;
use nutanix_prism::model::GroupsRequest;
use serde_json::{Map, Value};

/// A validated `get_data` request.
#[derive(Debug, Clone)]
pub struct MetricQuery {
    /// The catalogue entry.
    pub def: &'static MetricDef,
    /// Periods.
    pub window: Window,
    /// Statistic per period.
    pub stat: Stat,
    /// cloud_service_id → VM UUID.
    pub resources: BTreeMap<String, String>,
}

impl MetricQuery {
    /// Validates the fields of `Metric.get_data`.
    ///
    /// # Errors
    /// `ERROR_REQUIRED_PARAMETER` / `ERROR_INVALID_PARAMETER` naming the field.
    pub fn parse(
        metric_key: &str,
        start: &str,
        end: &str,
        period: i32,
        stat: &str,
        metric_query: &Value,
    ) -> Result<Self, PluginError> {
        if metric_key.trim().is_empty() {
            return Err(PluginError::required_parameter("metric"));
        }
        let def = metric(metric_key.trim()).ok_or_else(|| {
            let known: Vec<&str> = CATALOGUE.iter().map(|m| m.key).collect();
            PluginError::invalid_parameter(
                "metric",
                format!("unknown metric {metric_key:?}; known: {}", known.join(", ")),
            )
        })?;
        let instant = |key: &str, text: &str| {
            if text.trim().is_empty() {
                return Err(PluginError::required_parameter(key));
            }
            parse_instant(text).map_err(|e| PluginError::invalid_parameter(key, e))
        };
        let (start, end) = (instant("start", start)?, instant("end", end)?);
        if period < 0 {
            return Err(PluginError::invalid_parameter(
                "period",
                format!("must be a positive number of seconds (or 0 for automatic), got {period}"),
            ));
        }
        let stat = Stat::parse(stat).map_err(|e| PluginError::invalid_parameter("stat", e))?;
        let key = if end <= start { "end" } else { "period" };
        let window = Window::new(start, end, (period > 0).then_some(i64::from(period)))
            .map_err(|e| PluginError::invalid_parameter(key, e))?;
        let resources = resources_from_query(metric_query);
        if resources.is_empty() {
            return Err(PluginError::invalid_parameter(
                "metric_query",
                "no entry carries a VM UUID ({cloud_service_id: {\"entity_id\": <vm uuid>}} as returned by Metric.list)",
            ));
        }
        Ok(Self {
            def,
            window,
            stat,
            resources,
        })
    }

    /// The distinct VM UUIDs asked for, sorted.
    pub fn vm_uuids(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.resources.values().map(String::as_str).collect();
        set.into_iter().collect()
    }
}

/// Raw samples of one Prism Central: per VM UUID (lower case), and the VMs it knows.
#[derive(Debug, Default)]
struct Fetched {
    samples: BTreeMap<String, Vec<Sample>>,
    known: BTreeSet<String>,
}

async fn fetch_one(
    client: &PrismClient,
    query: &MetricQuery,
    uuids: &[&str],
) -> Result<Fetched, nutanix_prism::Error> {
    let mut out = Fetched::default();
    for chunk in uuids.chunks(METRIC_IDS_PER_REQUEST) {
        let body = groups_request(query.def, chunk, &query.window);
        let request: GroupsRequest = serde_json::from_value(body).map_err(|e| {
            nutanix_prism::Error::Config(format!("cannot build the groups request: {e}"))
        })?;
        let response = client.groups(&request).await?;
        out.known.extend(
            response
                .entities()
                .filter_map(|e| e.entity_id.as_deref())
                .map(str::to_ascii_lowercase),
        );
        for (id, samples) in samples_from_groups(&response, query.def.attribute) {
            out.samples
                .entry(id.to_ascii_lowercase())
                .or_default()
                .extend(samples);
        }
    }
    Ok(out)
}

/// Answers one `get_data` request from the given Prism Centrals.
///
/// # Errors
/// The Prism failure (as a [`PluginError`]) when no Prism Central answered.
pub async fn metric_data(
    targets: &[(PrismClient, PrismCentral)],
    query: &MetricQuery,
) -> Result<MetricDataInfo, PluginError> {
    let uuids = query.vm_uuids();
    let mut merged = Fetched::default();
    let mut last_error = None;
    let mut answered = 0_usize;
    for (client, pc) in targets {
        match fetch_one(client, query, &uuids).await {
            Ok(f) => {
                answered += 1;
                merged.known.extend(f.known);
                for (id, s) in f.samples {
                    merged.samples.entry(id).or_default().extend(s);
                }
            }
            Err(e) => {
                tracing::warn!(prism_central = %pc.host, error = %e, "metric query failed");
                last_error = Some(crate::cost::data::prism_failure(pc, "reading metrics", &e));
            }
        }
    }
    if answered == 0 {
        return Err(
            last_error.unwrap_or_else(|| PluginError::required_parameter("secret_data.host"))
        );
    }
    let resources: BTreeMap<String, String> = query
        .resources
        .iter()
        .map(|(csid, vm)| (csid.clone(), vm.to_ascii_lowercase()))
        .collect();
    let data = to_metric_data(
        query.def,
        &query.window,
        query.stat,
        &resources,
        &merged.samples,
    );
    let mut values = Map::new();
    for (csid, series) in data.values {
        let known = resources
            .get(&csid)
            .is_some_and(|vm| merged.known.contains(vm));
        let series = if known { series } else { Vec::new() };
        values.insert(
            csid,
            Value::Array(series.into_iter().map(Value::from).collect()),
        );
    }
    Ok(MetricDataInfo {
        labels: Some(json_to_list(
            data.labels.into_iter().map(Value::String).collect(),
        )),
        values: Some(map_to_struct(values)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudforet_client::error_code::ErrorCode;
    use serde_json::json;

    fn q() -> Value {
        json!({"cs-1": {"entity_type": "vm", "entity_id": "VM-1", "attribute": "x"},
               "cs-2": {"vm_uuid": "vm-2"}, "cs-3": {"region_name": "r"}})
    }

    #[test]
    fn parses_a_request() {
        let p = MetricQuery::parse(
            "cpu.utilization",
            "2025-07-01T00:00:00.000Z",
            "2025-07-01T01:00:00Z",
            0,
            "",
            &q(),
        )
        .unwrap();
        assert_eq!(p.def.key, "cpu.utilization");
        assert_eq!(p.window.period(), 60);
        assert_eq!(p.stat, Stat::Average);
        assert_eq!(p.resources.len(), 2, "cs-3 has no VM UUID");
        assert_eq!(p.vm_uuids(), ["VM-1", "vm-2"]);
        let p = MetricQuery::parse(
            "disk.read_iops",
            "2025-07-01T00:00:00Z",
            "2025-07-02T00:00:00Z",
            300,
            "max",
            &q(),
        )
        .unwrap();
        assert_eq!((p.window.period(), p.stat), (300, Stat::Max));
    }

    #[test]
    fn error_table() {
        let s = "2025-07-01T00:00:00Z";
        let e = "2025-07-01T01:00:00Z";
        let day = "2025-07-02T00:00:00Z";
        /// metric, start, end, period, stat, query, expected code, expected text.
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            i32,
            &'a str,
            Value,
            ErrorCode,
            &'a str,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "",
                s,
                e,
                0,
                "",
                q(),
                ErrorCode::RequiredParameter,
                "key = metric",
            ),
            (
                "cpu.nope",
                s,
                e,
                0,
                "",
                q(),
                ErrorCode::InvalidParameter,
                "cpu.nope",
            ),
            (
                "cpu.utilization",
                "",
                e,
                0,
                "",
                q(),
                ErrorCode::RequiredParameter,
                "key = start",
            ),
            (
                "cpu.utilization",
                s,
                "soon",
                0,
                "",
                q(),
                ErrorCode::InvalidParameter,
                "key = end",
            ),
            (
                "cpu.utilization",
                e,
                s,
                0,
                "",
                q(),
                ErrorCode::InvalidParameter,
                "key = end",
            ),
            (
                "cpu.utilization",
                s,
                e,
                -5,
                "",
                q(),
                ErrorCode::InvalidParameter,
                "key = period",
            ),
            (
                "cpu.utilization",
                s,
                day,
                1,
                "",
                q(),
                ErrorCode::InvalidParameter,
                "key = period",
            ),
            (
                "cpu.utilization",
                s,
                e,
                0,
                "P99",
                q(),
                ErrorCode::InvalidParameter,
                "key = stat",
            ),
            (
                "cpu.utilization",
                s,
                e,
                0,
                "",
                json!({}),
                ErrorCode::InvalidParameter,
                "key = metric_query",
            ),
        ];
        for (metric, start, end, period, stat, query, code, needle) in cases {
            let err = MetricQuery::parse(metric, start, end, period, stat, &query).unwrap_err();
            assert_eq!(
                err.code(),
                &code,
                "{metric} {start} {end} {period} {stat}: {err:?}"
            );
            assert!(
                err.message().contains(needle),
                "{needle}: {}",
                err.message()
            );
        }
    }
}
