//! `POST /groups`: the IDF query API, used for metrics (time series) and for entities v3 does
//! not list (storage containers).
//!
//! Units on the wire: request intervals are **milliseconds** since the epoch, response `time`
//! values are **microseconds**, and every value is a **string**.

use serde::{Deserialize, Serialize};

use super::de;
use super::list::SortOrder;
use super::macros::string_enum;

string_enum! {
    /// Aggregation applied to a group member attribute.
    pub enum GroupOperation {
        /// Sum.
        Sum => "SUM",
        /// Average.
        Avg => "AVG",
        /// Minimum.
        Min => "MIN",
        /// Maximum.
        Max => "MAX",
        /// Latest value.
        Last => "LAST",
        /// Count.
        Count => "COUNT",
        /// Histogram buckets.
        Buckets => "BUCKETS",
    }
}

string_enum! {
    /// Scope of a groups query.
    pub enum AvailabilityZoneScope {
        /// This Prism Central only.
        Local => "LOCAL",
        /// All availability zones.
        Global => "GLOBAL",
    }
}

/// An entry of `group_member_attributes`: an attribute to return for every entity.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupMemberAttribute {
    /// Attribute name, e.g. `hypervisor_cpu_usage_ppm`.
    pub attribute: String,
    /// Optional aggregation.
    pub operation: Option<GroupOperation>,
    /// Read the attribute from an ancestor entity of this type.
    pub ancestor_entity_type: Option<String>,
}

impl GroupMemberAttribute {
    /// The attribute `name`, without aggregation.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            attribute: name.into(),
            ..Self::default()
        }
    }

    /// Sets the aggregation.
    #[must_use]
    pub fn operation(mut self, op: GroupOperation) -> Self {
        self.operation = Some(op);
        self
    }
}

/// Body of `POST /groups` (`groups_get_entities_request`). Only `entity_type` is required;
/// unset fields are not serialised.
///
/// ```
/// use nutanix_prism::model::GroupsRequest;
///
/// // 5-minute CPU series of one VM over one day (interval in milliseconds).
/// let req = GroupsRequest::time_series(
///     "vm",
///     ["0bd6d5e6-6cf3-4b4c-9b9a-2e2e1a1b1c1d"],
///     ["hypervisor_cpu_usage_ppm"],
///     1_661_173_069_536,
///     1_661_259_469_928,
///     300,
/// );
/// let body = serde_json::to_value(&req).unwrap();
/// assert_eq!(body["downsampling_interval"], 300);
/// assert!(body.get("filter_criteria").is_none());
/// ```
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupsRequest {
    /// `vm`, `mh_vm`, `host`, `cluster`, `storage_container`, ...
    pub entity_type: String,
    /// Restrict to these entity UUIDs (not serialised when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entity_ids: Vec<String>,
    /// Attributes to return (not serialised when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_member_attributes: Vec<GroupMemberAttribute>,
    /// FIQL filter, e.g. `is_cvm==0`.
    pub filter_criteria: Option<String>,
    /// Members per group (page size).
    pub group_member_count: Option<i64>,
    /// Member offset (paging).
    pub group_member_offset: Option<i64>,
    /// Member sort attribute.
    pub group_member_sort_attribute: Option<String>,
    /// Member sort order.
    pub group_member_sort_order: Option<SortOrder>,
    /// Number of groups.
    pub group_count: Option<i64>,
    /// Group offset.
    pub group_offset: Option<i64>,
    /// Attribute to group by.
    pub grouping_attribute: Option<String>,
    /// Start of the time window, **milliseconds** since the epoch.
    pub interval_start_ms: Option<i64>,
    /// End of the time window, **milliseconds** since the epoch.
    pub interval_end_ms: Option<i64>,
    /// Time-series resolution in **seconds**.
    pub downsampling_interval: Option<i64>,
    /// Number of latest intervals to return.
    pub number_of_intervals_for_latest_data: Option<i64>,
    /// Query scope.
    pub availability_zone_scope: Option<AvailabilityZoneScope>,
    /// Debugging tag only.
    pub query_name: Option<String>,
}

impl GroupsRequest {
    /// A query over `entity_type` with nothing else set (latest values of no attribute).
    pub fn new(entity_type: impl Into<String>) -> Self {
        Self {
            entity_type: entity_type.into(),
            ..Self::default()
        }
    }

    /// Latest values of `attributes` for `ids` (all entities when `ids` is empty).
    pub fn latest<I, A>(entity_type: impl Into<String>, ids: I, attributes: A) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        Self::new(entity_type)
            .entity_ids(ids)
            .attributes(attributes)
    }

    /// Time series of `attributes` for `ids` between `start_ms` and `end_ms` (milliseconds since
    /// the epoch) at `downsampling_secs` resolution.
    pub fn time_series<I, A>(
        entity_type: impl Into<String>,
        ids: I,
        attributes: A,
        start_ms: i64,
        end_ms: i64,
        downsampling_secs: i64,
    ) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        Self::latest(entity_type, ids, attributes)
            .interval_ms(start_ms, end_ms)
            .downsampling_secs(downsampling_secs)
    }

    /// Adds entity UUIDs.
    #[must_use]
    pub fn entity_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.entity_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds plain attributes (no aggregation).
    #[must_use]
    pub fn attributes<A>(mut self, attributes: A) -> Self
    where
        A: IntoIterator,
        A::Item: Into<String>,
    {
        self.group_member_attributes
            .extend(attributes.into_iter().map(GroupMemberAttribute::new));
        self
    }

    /// Adds one attribute with its options.
    #[must_use]
    pub fn attribute(mut self, attribute: GroupMemberAttribute) -> Self {
        self.group_member_attributes.push(attribute);
        self
    }

    /// Sets `filter_criteria` (FIQL).
    #[must_use]
    pub fn filter_criteria(mut self, filter: impl Into<String>) -> Self {
        self.filter_criteria = Some(filter.into());
        self
    }

    /// Sets member paging: `group_member_offset` and `group_member_count`.
    #[must_use]
    pub fn member_page(mut self, offset: i64, count: i64) -> Self {
        self.group_member_offset = Some(offset);
        self.group_member_count = Some(count);
        self
    }

    /// Sets the member sort.
    #[must_use]
    pub fn sort(mut self, attribute: impl Into<String>, order: SortOrder) -> Self {
        self.group_member_sort_attribute = Some(attribute.into());
        self.group_member_sort_order = Some(order);
        self
    }

    /// Sets the time window in **milliseconds** since the epoch.
    #[must_use]
    pub fn interval_ms(mut self, start_ms: i64, end_ms: i64) -> Self {
        self.interval_start_ms = Some(start_ms);
        self.interval_end_ms = Some(end_ms);
        self
    }

    /// Sets the resolution in **seconds**.
    #[must_use]
    pub fn downsampling_secs(mut self, secs: i64) -> Self {
        self.downsampling_interval = Some(secs);
        self
    }

    /// Sets the debugging tag.
    #[must_use]
    pub fn query_name(mut self, name: impl Into<String>) -> Self {
        self.query_name = Some(name.into());
        self
    }
}

/// One `{time, values}` entry of an attribute.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TimeValue {
    /// Time in **microseconds** since the epoch.
    #[serde(deserialize_with = "de::int")]
    pub time: Option<i64>,
    /// Values as strings (numbers are converted to text on decode).
    #[serde(deserialize_with = "de::text_list")]
    pub values: Vec<String>,
}

/// One attribute of an entity result: `{name, values: [{time, values}]}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EntityData {
    /// Attribute name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Timed values (empty when there is no data).
    #[serde(deserialize_with = "de::list")]
    pub values: Vec<TimeValue>,
}

/// One entity of a group: `{entity_id, data: [...]}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EntityResult {
    /// Entity UUID.
    #[serde(deserialize_with = "de::text")]
    pub entity_id: Option<String>,
    /// Attributes.
    #[serde(deserialize_with = "de::list")]
    pub data: Vec<EntityData>,
}

impl EntityResult {
    /// Latest text value of `attribute`: the first value of its entry with the greatest `time`
    /// (entries without time rank lowest). Useful for inventory attributes of `mh_vm`.
    pub fn latest(&self, attribute: &str) -> Option<&str> {
        self.data
            .iter()
            .filter(|d| d.name.as_deref() == Some(attribute))
            .flat_map(|d| d.values.iter())
            .filter(|v| !v.values.is_empty())
            .max_by_key(|v| v.time.unwrap_or(i64::MIN))
            .and_then(|v| v.values.first())
            .map(String::as_str)
    }
}

/// One group of `group_results`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupResult {
    /// Value of the grouping attribute, kept as raw JSON.
    pub group_by_column_value: Option<serde_json::Value>,
    /// Entities in the group.
    #[serde(deserialize_with = "de::int")]
    pub total_entity_count: Option<i64>,
    /// Group summaries, kept as raw JSON.
    pub group_summaries: Option<serde_json::Value>,
    /// The entities.
    #[serde(deserialize_with = "de::list")]
    pub entity_results: Vec<EntityResult>,
}

/// Body of a `POST /groups` response (`groups_get_entities_response`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupsResponse {
    /// Entity type queried.
    #[serde(deserialize_with = "de::text")]
    pub entity_type: Option<String>,
    /// Groups after filtering.
    #[serde(deserialize_with = "de::int")]
    pub filtered_group_count: Option<i64>,
    /// Groups before filtering.
    #[serde(deserialize_with = "de::int")]
    pub total_group_count: Option<i64>,
    /// Entities after filtering.
    #[serde(deserialize_with = "de::int")]
    pub filtered_entity_count: Option<i64>,
    /// Entities before filtering.
    #[serde(deserialize_with = "de::int")]
    pub total_entity_count: Option<i64>,
    /// Groups (may be empty).
    #[serde(deserialize_with = "de::list")]
    pub group_results: Vec<GroupResult>,
}

/// One numeric sample of a groups response, see [`GroupsResponse::samples`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct GroupsSample<'a> {
    /// Entity UUID.
    pub entity_id: &'a str,
    /// Attribute name.
    pub attribute: &'a str,
    /// Sample time in **microseconds** since the epoch, as sent.
    pub time_micros: i64,
    /// Parsed value (finite, ≥ 0).
    pub value: f64,
}

/// A numeric time series of one attribute of one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetricSeries {
    /// Entity UUID.
    pub entity_id: String,
    /// Attribute name, e.g. `hypervisor_cpu_usage_ppm`.
    pub attribute: String,
    /// `(time, value)` points, time in **milliseconds** since the epoch (the wire's
    /// microseconds divided by 1000, rounded down), sorted by time ascending.
    pub points: Vec<(i64, f64)>,
}

/// The value of one `values` list entry, by the rule of [`GroupsResponse::samples`].
fn parse_value(values: &[String]) -> Option<f64> {
    let v: f64 = values.first()?.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

impl GroupsResponse {
    /// Every entity result of every group.
    pub fn entities(&self) -> impl Iterator<Item = &EntityResult> {
        self.group_results
            .iter()
            .flat_map(|g| g.entity_results.iter())
    }

    /// Every numeric sample: `(entity_id, attribute, time_micros, value)`.
    ///
    /// Rules: the first element of each `values` list is parsed as `f64` (multi-valued
    /// entries are list attributes, not numeric series). Skipped: entries without
    /// `entity_id`, attribute `name` or `time`; empty `values`; unparseable or non-finite text;
    /// **negative values**, which Prism uses for "no data" (`-1`).
    pub fn samples(&self) -> impl Iterator<Item = GroupsSample<'_>> {
        self.entities().flat_map(|e| {
            let entity_id = e.entity_id.as_deref();
            e.data.iter().flat_map(move |d| {
                let attribute = d.name.as_deref();
                d.values.iter().filter_map(move |tv| {
                    Some(GroupsSample {
                        entity_id: entity_id?,
                        attribute: attribute?,
                        time_micros: tv.time?,
                        value: parse_value(&tv.values)?,
                    })
                })
            })
        })
    }

    /// The response as one [`MetricSeries`] per `(entity_id, attribute)` that appears in it, in
    /// first-seen order. Points follow the rules of [`GroupsResponse::samples`], times are
    /// converted from microseconds to **milliseconds** and sorted ascending; an attribute with
    /// no usable sample gives a series with no points.
    pub fn metric_series(&self) -> Vec<MetricSeries> {
        let mut out: Vec<MetricSeries> = Vec::new();
        for e in self.entities() {
            let Some(entity_id) = e.entity_id.as_deref() else {
                continue;
            };
            for d in &e.data {
                let Some(attribute) = d.name.as_deref() else {
                    continue;
                };
                let idx = match out
                    .iter()
                    .position(|s| s.entity_id == entity_id && s.attribute == attribute)
                {
                    Some(i) => i,
                    None => {
                        out.push(MetricSeries {
                            entity_id: entity_id.to_owned(),
                            attribute: attribute.to_owned(),
                            points: Vec::new(),
                        });
                        out.len() - 1
                    }
                };
                let points = d
                    .values
                    .iter()
                    .filter_map(|tv| Some((tv.time?.div_euclid(1000), parse_value(&tv.values)?)));
                if let Some(series) = out.get_mut(idx) {
                    series.points.extend(points);
                }
            }
        }
        for s in &mut out {
            s.points.sort_by_key(|p| p.0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response() -> GroupsResponse {
        serde_json::from_value(serde_json::json!({
            "entity_type":"vm","total_entity_count":"2",
            "group_results":[{"entity_results":[
                {"entity_id":"vm-1","data":[
                    {"name":"hypervisor_cpu_usage_ppm","values":[
                        {"time":1_700_000_300_000_000_i64,"values":["250000"]},
                        {"time":1_700_000_000_000_000_i64,"values":["125000.5"]},
                        {"time":1_700_000_600_000_000_i64,"values":["-1"]},
                        {"time":1_700_000_900_000_000_i64,"values":["n/a"]},
                        {"time":1_700_001_200_000_000_i64,"values":[]},
                        {"values":["3"]}]},
                    {"name":"memory_usage_ppm","values":null}]},
                {"entity_id":"vm-2","data":[{"name":"hypervisor_cpu_usage_ppm","values":[
                    {"time":"1700000000000000","values":[42]}]}]},
                {"data":[{"name":"x","values":[{"time":1,"values":["1"]}]}]}
            ]}]
        }))
        .unwrap()
    }

    #[test]
    fn samples_skip_no_data_and_garbage() {
        let r = response();
        let samples: Vec<_> = r.samples().collect();
        assert_eq!(samples.len(), 3);
        assert_eq!(samples[0].entity_id, "vm-1");
        assert_eq!(samples[0].time_micros, 1_700_000_300_000_000);
        assert_eq!(samples[0].value, 250_000.0);
        assert_eq!(samples[2].entity_id, "vm-2");
        assert_eq!(samples[2].value, 42.0);
    }

    #[test]
    fn series_are_in_milliseconds_and_sorted() {
        let series = response().metric_series();
        assert_eq!(series.len(), 3);
        assert_eq!(series[0].attribute, "hypervisor_cpu_usage_ppm");
        assert_eq!(
            series[0].points,
            vec![
                (1_700_000_000_000, 125_000.5),
                (1_700_000_300_000, 250_000.0)
            ]
        );
        assert_eq!(series[1].attribute, "memory_usage_ppm");
        assert!(series[1].points.is_empty());
        assert_eq!(series[2].entity_id, "vm-2");
    }

    #[test]
    fn latest_value_picks_greatest_time() {
        let r = response();
        let e = r.entities().next().unwrap();
        assert_eq!(e.latest("hypervisor_cpu_usage_ppm"), Some("n/a"));
        assert_eq!(e.latest("missing"), None);
    }

    #[test]
    fn request_builders_skip_unset_fields() {
        let req = GroupsRequest::latest("mh_vm", Vec::<String>::new(), ["vm_name", "num_vcpus"])
            .member_page(0, 250)
            .filter_criteria("is_cvm==0")
            .attribute(GroupMemberAttribute::new("capacity_bytes").operation(GroupOperation::Sum));
        let body = serde_json::to_value(&req).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"entity_type":"mh_vm","filter_criteria":"is_cvm==0",
                "group_member_offset":0,"group_member_count":250,
                "group_member_attributes":[{"attribute":"vm_name"},{"attribute":"num_vcpus"},
                    {"attribute":"capacity_bytes","operation":"SUM"}]})
        );
        let back: GroupsRequest = serde_json::from_value(body).unwrap();
        assert_eq!(back, req);
    }
}
