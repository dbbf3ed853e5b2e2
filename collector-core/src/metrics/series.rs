//! Prism time series to CloudForet's `Metric.get_data` shape.

use std::collections::BTreeMap;

use nutanix_prism::model::GroupsResponse;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::catalogue::{ENTITY_TYPE, MetricDef};
use crate::error::{Error, Result};

/// Most labels one answer may carry (guards against a tiny period over a long range).
pub const MAX_LABELS: i64 = 10_000;
/// Prism's native stats resolution in seconds.
pub const PRISM_RESOLUTION_SECS: u32 = 30;

/// A statistic of `Metric.get_data` (`supported_stat` of the data source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Stat {
    /// Mean of the samples in a period.
    Average,
    /// Largest sample.
    Max,
    /// Smallest sample.
    Min,
    /// Sum of the samples.
    Sum,
}

impl Stat {
    /// Every supported statistic (for `init` metadata `supported_stat`).
    pub const ALL: [Self; 4] = [Self::Average, Self::Max, Self::Min, Self::Sum];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Average => "AVERAGE",
            Self::Max => "MAX",
            Self::Min => "MIN",
            Self::Sum => "SUM",
        }
    }

    /// Parses a wire name; empty means AVERAGE.
    ///
    /// # Errors
    /// [`Error::UnknownStat`].
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "" | "AVERAGE" | "AVG" | "MEAN" => Ok(Self::Average),
            "MAX" | "MAXIMUM" => Ok(Self::Max),
            "MIN" | "MINIMUM" => Ok(Self::Min),
            "SUM" => Ok(Self::Sum),
            _ => Err(Error::UnknownStat(s.to_owned())),
        }
    }

    fn aggregate(self, values: &[f64]) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        Some(match self {
            Self::Average => values.iter().sum::<f64>() / values.len() as f64,
            Self::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Self::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            Self::Sum => values.iter().sum(),
        })
    }
}

/// The period CloudWatch would pick for a range (seconds): ≤1 h → 60, ≤6 h → 600,
/// ≤12 h → 1200, ≤24 h → 1800, ≤3 d → 3600, ≤7 d → 10800, ≤14 d → 21600, else 86400.
pub fn auto_period(range_secs: i64) -> u32 {
    const H: i64 = 3600;
    match range_secs {
        s if s <= H => 60,
        s if s <= 6 * H => 600,
        s if s <= 12 * H => 1200,
        s if s <= 24 * H => 1800,
        s if s <= 72 * H => 3600,
        s if s <= 7 * 24 * H => 10_800,
        s if s <= 14 * 24 * H => 21_600,
        _ => 86_400,
    }
}

/// Parses an ISO 8601 / RFC 3339 instant such as `2022-06-21T03:11:29.438Z`.
///
/// # Errors
/// [`Error::InvalidTime`].
pub fn parse_instant(s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|e| Error::InvalidTime {
        value: s.to_owned(),
        reason: e.to_string(),
    })
}

/// Formats an instant as a CloudForet label: `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
pub fn format_label(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The time window of a `get_data` call: buckets of `period` seconds aligned to multiples of
/// the period since the Unix epoch, covering `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    first_bucket: i64,
    end: i64,
    period: u32,
}

impl Window {
    /// A window from `start` to `end` with `period` seconds (`None` or ≤ 0: [`auto_period`]).
    ///
    /// # Errors
    /// [`Error::InvalidRange`] when `end <= start` or the window would exceed [`MAX_LABELS`].
    pub fn new(start: OffsetDateTime, end: OffsetDateTime, period: Option<i64>) -> Result<Self> {
        let (s, e) = (start.unix_timestamp(), end.unix_timestamp());
        if e <= s {
            return Err(Error::InvalidRange(format!(
                "end {end} is not after start {start}"
            )));
        }
        let period = match period {
            Some(p) if p > 0 => u32::try_from(p).unwrap_or(u32::MAX),
            _ => auto_period(e - s),
        };
        let p = i64::from(period);
        let first_bucket = s.div_euclid(p) * p;
        let buckets = (e - first_bucket + p - 1) / p;
        if buckets > MAX_LABELS {
            return Err(Error::InvalidRange(format!(
                "{buckets} periods of {period} s between {start} and {end}; at most {MAX_LABELS} (use a longer period)"
            )));
        }
        Ok(Self {
            first_bucket,
            end: e,
            period,
        })
    }

    /// Bucket length in seconds.
    pub fn period(&self) -> u32 {
        self.period
    }

    /// Sample interval asked from Prism (`downsampling_interval`): a tenth of the period, at
    /// least Prism's 30 s resolution, in multiples of 30 s, never longer than the period.
    pub fn sample_interval(&self) -> u32 {
        let tenth = (self.period / 10 / PRISM_RESOLUTION_SECS) * PRISM_RESOLUTION_SECS;
        tenth.max(PRISM_RESOLUTION_SECS).min(self.period.max(1))
    }

    fn bucket_count(&self) -> usize {
        let p = i64::from(self.period);
        usize::try_from((self.end - self.first_bucket + p - 1) / p).unwrap_or(0)
    }

    /// The labels, one per bucket start.
    pub fn labels(&self) -> Vec<String> {
        (0..self.bucket_count())
            .filter_map(|i| {
                let t = self.first_bucket + i as i64 * i64::from(self.period);
                OffsetDateTime::from_unix_timestamp(t)
                    .ok()
                    .map(format_label)
            })
            .collect()
    }

    fn bucket_of(&self, unix_secs: i64) -> Option<usize> {
        if unix_secs < self.first_bucket || unix_secs >= self.end {
            return None;
        }
        usize::try_from((unix_secs - self.first_bucket) / i64::from(self.period)).ok()
    }
}

/// The body of `POST /api/nutanix/v3/groups` fetching `def` for `vm_uuids` over `window`.
pub fn groups_request(def: &MetricDef, vm_uuids: &[&str], window: &Window) -> Value {
    json!({
        "entity_type": ENTITY_TYPE,
        "entity_ids": vm_uuids,
        "group_member_attributes": [{"attribute": def.attribute}],
        "group_member_count": vm_uuids.len().max(1),
        "interval_start_ms": window.first_bucket * 1000,
        "interval_end_ms": window.end * 1000,
        "downsampling_interval": window.sample_interval(),
    })
}

/// One raw Prism sample: epoch microseconds and the value (already parsed from its string).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Epoch microseconds, as Prism sends them.
    pub time_usecs: i64,
    /// Raw value in the Prism unit.
    pub value: f64,
}

/// The answer of `Metric.get_data`: `labels` and `values` per cloud service id, aligned
/// index-for-index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricData {
    /// Bucket start times, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub labels: Vec<String>,
    /// Values per cloud service id; a bucket without samples is 0.
    pub values: BTreeMap<String, Vec<f64>>,
}

/// Reads `{cloud_service_id: {"entity_id": <vm uuid>, ...}}` (the `metric_query` of
/// `get_data`) into `cloud_service_id -> vm uuid`. Entries without an id are skipped.
pub fn resources_from_query(metric_query: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(map) = metric_query.as_object() {
        for (csid, q) in map {
            let id = q
                .get("entity_id")
                .or_else(|| q.get("vm_uuid"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            if let Some(id) = id {
                out.insert(csid.clone(), id.to_owned());
            }
        }
    }
    out
}

/// Collects the samples of `attribute` per entity UUID from a Prism `/groups` answer
/// (negative "no data" values and unparseable entries are already skipped by
/// [`GroupsResponse::samples`]).
pub fn samples_from_groups(
    resp: &GroupsResponse,
    attribute: &str,
) -> BTreeMap<String, Vec<Sample>> {
    let mut out: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for s in resp.samples().filter(|s| s.attribute == attribute) {
        out.entry(s.entity_id.to_owned()).or_default().push(Sample {
            time_usecs: s.time_micros,
            value: s.value,
        });
    }
    out
}

/// Converts raw samples per VM into CloudForet's shape for `resources`
/// (`cloud_service_id -> vm uuid`): unit conversion, then `stat` per bucket.
pub fn to_metric_data(
    def: &MetricDef,
    window: &Window,
    stat: Stat,
    resources: &BTreeMap<String, String>,
    samples: &BTreeMap<String, Vec<Sample>>,
) -> MetricData {
    let labels = window.labels();
    let n = labels.len();
    let interval = window.sample_interval();
    let mut values = BTreeMap::new();
    for (csid, vm) in resources {
        let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); n];
        for s in samples.get(vm).map(Vec::as_slice).unwrap_or_default() {
            let Some(b) = window.bucket_of(s.time_usecs.div_euclid(1_000_000)) else {
                continue;
            };
            if let (Some(bucket), Some(v)) =
                (buckets.get_mut(b), def.conversion.apply(s.value, interval))
            {
                bucket.push(v);
            }
        }
        let series = buckets
            .iter()
            .map(|b| stat.aggregate(b).unwrap_or(0.0))
            .collect();
        values.insert(csid.clone(), series);
    }
    MetricData { labels, values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::catalogue::metric;
    use time::macros::datetime;

    #[test]
    fn auto_period_table() {
        let h = 3600;
        let cases = [
            (h, 60),
            (h + 1, 600),
            (6 * h, 600),
            (12 * h, 1200),
            (24 * h, 1800),
            (72 * h, 3600),
            (7 * 24 * h, 10_800),
            (14 * 24 * h, 21_600),
            (15 * 24 * h, 86_400),
        ];
        for (range, want) in cases {
            assert_eq!(auto_period(range), want, "{range}");
        }
    }

    #[test]
    fn labels_are_iso_millis_and_aligned() {
        let w = Window::new(
            datetime!(2022-06-21 03:11:29.438 UTC),
            datetime!(2022-06-21 03:14:00 UTC),
            None,
        )
        .unwrap();
        assert_eq!(w.period(), 60);
        assert_eq!(
            w.labels(),
            [
                "2022-06-21T03:11:00.000Z",
                "2022-06-21T03:12:00.000Z",
                "2022-06-21T03:13:00.000Z"
            ]
        );
        assert_eq!(w.sample_interval(), 30);
        assert_eq!(
            parse_instant("2022-06-21T03:11:29.438Z").unwrap(),
            datetime!(2022-06-21 03:11:29.438 UTC)
        );
        assert!(parse_instant("yesterday").is_err());
    }

    #[test]
    fn windows_validate() {
        let t = datetime!(2025-01-01 00:00 UTC);
        assert!(Window::new(t, t, None).is_err());
        assert!(Window::new(t, t + time::Duration::days(30), Some(1)).is_err());
        assert_eq!(
            Window::new(t, t + time::Duration::days(30), Some(0))
                .unwrap()
                .period(),
            86_400
        );
        assert_eq!(
            Window::new(t, t + time::Duration::days(1), Some(3600))
                .unwrap()
                .sample_interval(),
            360
        );
    }

    #[test]
    fn stats_aggregate_converted_samples() {
        let def = metric("cpu.utilization").unwrap();
        let t0 = datetime!(2025-01-01 00:00 UTC);
        let w = Window::new(t0, t0 + time::Duration::minutes(2), Some(60)).unwrap();
        let us = |secs: i64| (t0.unix_timestamp() + secs) * 1_000_000;
        let samples = BTreeMap::from([(
            "vm-1".to_owned(),
            vec![
                Sample {
                    time_usecs: us(0),
                    value: 100_000.0,
                },
                Sample {
                    time_usecs: us(30),
                    value: 300_000.0,
                },
                Sample {
                    time_usecs: us(90),
                    value: -1.0,
                }, // no data: dropped
                Sample {
                    time_usecs: us(500),
                    value: 9.0,
                }, // outside: dropped
            ],
        )]);
        let resources = BTreeMap::from([
            ("cs-1".to_owned(), "vm-1".to_owned()),
            ("cs-2".to_owned(), "vm-2".to_owned()),
        ]);
        let cases = [
            (Stat::Average, 20.0),
            (Stat::Max, 30.0),
            (Stat::Min, 10.0),
            (Stat::Sum, 40.0),
        ];
        for (stat, first) in cases {
            let d = to_metric_data(def, &w, stat, &resources, &samples);
            assert_eq!(d.labels.len(), 2);
            assert_eq!(d.values["cs-1"], vec![first, 0.0], "{stat:?}");
            assert_eq!(d.values["cs-2"], vec![0.0, 0.0]);
        }
    }

    #[test]
    fn groups_answers_become_samples() {
        let resp: GroupsResponse = serde_json::from_value(json!({"group_results": [{"entity_results": [
            {"entity_id": "vm-1", "data": [
                {"name": "hypervisor_cpu_usage_ppm", "values": [
                    {"time": 1_700_000_000_000_000_i64, "values": ["250000"]},
                    {"time": 1_700_000_030_000_000_i64, "values": ["-1"]}]},
                {"name": "memory_usage_ppm", "values": [{"time": 1_700_000_000_000_000_i64, "values": ["5"]}]}]}]}]}))
        .unwrap();
        let s = samples_from_groups(&resp, "hypervisor_cpu_usage_ppm");
        assert_eq!(
            s["vm-1"],
            vec![Sample {
                time_usecs: 1_700_000_000_000_000,
                value: 250_000.0
            }]
        );
    }

    #[test]
    fn stat_parsing_and_request_body() {
        assert_eq!(Stat::parse("max").unwrap(), Stat::Max);
        assert_eq!(Stat::parse("").unwrap(), Stat::Average);
        assert!(matches!(Stat::parse("p99"), Err(Error::UnknownStat(_))));
        let t0 = datetime!(2025-01-01 00:00 UTC);
        let w = Window::new(t0, t0 + time::Duration::hours(1), None).unwrap();
        let body = groups_request(metric("network.sent_throughput").unwrap(), &["a", "b"], &w);
        assert_eq!(body["entity_ids"], json!(["a", "b"]));
        assert_eq!(
            body["group_member_attributes"][0]["attribute"],
            "hypervisor_num_transmitted_bytes"
        );
        assert_eq!(body["interval_start_ms"], json!(t0.unix_timestamp() * 1000));
        assert_eq!(body["downsampling_interval"], json!(30));
        let q = json!({"cs-1": {"entity_id": "u1"}, "cs-2": {"vm_uuid": "u2"}, "cs-3": {}});
        assert_eq!(resources_from_query(&q).len(), 2);
    }
}
