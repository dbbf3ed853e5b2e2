//! VM metrics: the catalogue (CloudForet keys ↔ Prism `/groups` attributes, unit conversion)
//! and the conversion of Prism time series into `Metric.get_data` answers.

mod catalogue;
mod series;

pub use catalogue::{
    BYTES_PER_PRISM_KB, CATALOGUE, Conversion, ENTITY_TYPE, MetricDef, metric, metric_list,
};
pub use series::{
    MAX_LABELS, MetricData, PRISM_RESOLUTION_SECS, Sample, Stat, Window, auto_period, format_label,
    groups_request, parse_instant, resources_from_query, samples_from_groups, to_metric_data,
};
