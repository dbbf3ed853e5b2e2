//! `POST /groups` (the IDF query API) and a typed helper for metric time series.

use super::PrismClient;
use super::transport::Call;
use crate::error::{Error, Result};
use crate::model::{GroupsRequest, GroupsResponse, MetricSeries};

/// Entity ids sent per `/groups` request by [`PrismClient::metric_series`].
pub const METRIC_IDS_PER_REQUEST: usize = 100;

/// A metric time-series query: attributes of some entities over an interval.
///
/// ```
/// use nutanix_prism::client::MetricQuery;
///
/// let q = MetricQuery::vm(
///     ["0b4a1a4c-0000-4000-8000-000000000000"],
///     ["hypervisor_cpu_usage_ppm", "memory_usage_ppm"],
///     1_700_000_000_000, // start, milliseconds since the epoch
///     1_700_003_600_000, // end
///     300,               // one point per 5 minutes
/// );
/// assert_eq!(q.entity_type, "vm");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricQuery {
    /// IDF entity type: `vm`, `mh_vm`, `host`, `cluster`, ...
    pub entity_type: String,
    /// Entity UUIDs (at least one).
    pub entity_ids: Vec<String>,
    /// Attributes, e.g. `hypervisor_cpu_usage_ppm`.
    pub attributes: Vec<String>,
    /// Interval start, **milliseconds** since the epoch.
    pub start_ms: i64,
    /// Interval end, **milliseconds** since the epoch.
    pub end_ms: i64,
    /// Resolution in seconds (Prism's `downsampling_interval`).
    pub downsampling_secs: i64,
}

impl MetricQuery {
    /// A query for entities of `entity_type`.
    pub fn new<I, A>(
        entity_type: impl Into<String>,
        entity_ids: I,
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
        Self {
            entity_type: entity_type.into(),
            entity_ids: entity_ids.into_iter().map(Into::into).collect(),
            attributes: attributes.into_iter().map(Into::into).collect(),
            start_ms,
            end_ms,
            downsampling_secs,
        }
    }

    /// A query for AHV VMs (`entity_type: "vm"`).
    pub fn vm<I, A>(
        entity_ids: I,
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
        Self::new(
            "vm",
            entity_ids,
            attributes,
            start_ms,
            end_ms,
            downsampling_secs,
        )
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(format!("invalid metric query: {m}")));
        if self.entity_ids.is_empty() {
            return bad("no entity id");
        }
        if self.attributes.is_empty() {
            return bad("no attribute");
        }
        // 10^14 ms is the year 5138: such values are microseconds by mistake.
        if self.start_ms > 100_000_000_000_000 || self.end_ms > 100_000_000_000_000 {
            return bad("interval values look like microseconds; Prism expects milliseconds");
        }
        if self.start_ms < 0 || self.end_ms <= self.start_ms {
            return bad("the interval must satisfy 0 <= start_ms < end_ms");
        }
        if self.downsampling_secs <= 0 {
            return bad("downsampling_secs must be positive");
        }
        Ok(())
    }
}

impl PrismClient {
    /// `POST /groups`: an IDF query, returned as sent by Prism (values are strings, times in
    /// microseconds; see [`GroupsResponse::metric_series`] for the typed view). Retried like
    /// any read.
    pub async fn groups(&self, request: &GroupsRequest) -> Result<GroupsResponse> {
        let body = serde_json::to_vec(request)
            .map_err(|e| Error::Config(format!("cannot encode the groups request: {e}")))?;
        let call = Call::post_read(vec!["groups".into()], "groups", body.into());
        self.inner.execute(&call).await
    }

    /// Metric time series: one [`MetricSeries`] per entity and attribute, values parsed to
    /// numbers, times converted to **milliseconds**.
    ///
    /// Entity ids are sent [`METRIC_IDS_PER_REQUEST`] at a time, each request with an explicit
    /// member count so Prism does not truncate the result to its default page.
    pub async fn metric_series(&self, query: &MetricQuery) -> Result<Vec<MetricSeries>> {
        query.validate()?;
        let mut out = Vec::new();
        for ids in query.entity_ids.chunks(METRIC_IDS_PER_REQUEST) {
            let count = i64::try_from(ids.len()).unwrap_or(i64::MAX);
            let request = GroupsRequest::time_series(
                query.entity_type.clone(),
                ids.iter().cloned(),
                query.attributes.iter().cloned(),
                query.start_ms,
                query.end_ms,
                query.downsampling_secs,
            )
            .member_page(0, count);
            out.extend(self.groups(&request).await?.metric_series());
        }
        Ok(out)
    }

    /// [`PrismClient::metric_series`] for AHV VMs.
    pub async fn vm_metric_series<I, A>(
        &self,
        vm_uuids: I,
        attributes: A,
        start_ms: i64,
        end_ms: i64,
        downsampling_secs: i64,
    ) -> Result<Vec<MetricSeries>>
    where
        I: IntoIterator,
        I::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        let query = MetricQuery::vm(vm_uuids, attributes, start_ms, end_ms, downsampling_secs);
        self.metric_series(&query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_catches_microseconds_and_empty_queries() {
        let ok = MetricQuery::vm(["a"], ["cpu"], 1_000, 2_000, 60);
        assert!(ok.validate().is_ok());
        let micros = MetricQuery::vm(
            ["a"],
            ["cpu"],
            1_700_000_000_000_000,
            1_700_000_100_000_000,
            60,
        );
        assert!(
            micros
                .validate()
                .unwrap_err()
                .to_string()
                .contains("microseconds")
        );
        assert!(
            MetricQuery::vm(Vec::<String>::new(), ["cpu"], 1, 2, 60)
                .validate()
                .is_err()
        );
        assert!(
            MetricQuery::vm(["a"], Vec::<String>::new(), 1, 2, 60)
                .validate()
                .is_err()
        );
        assert!(
            MetricQuery::vm(["a"], ["cpu"], 2, 1, 60)
                .validate()
                .is_err()
        );
        assert!(MetricQuery::vm(["a"], ["cpu"], 1, 2, 0).validate().is_err());
    }
}
