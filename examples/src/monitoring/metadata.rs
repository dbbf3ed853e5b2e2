//! `DataSource.init` metadata and `Metric.list` of the monitoring data source (wire §5.3, §6.3).

use cloudforet_client::proto::spaceone::api::monitoring::plugin::{MetricInfo, MetricsInfo};
use cloudforet_client::server::PluginError;
use cloudforet_client::value::json_to_struct;
use collector_core::metrics::{Stat, metric_list};
use serde_json::{Value, json};

/// The path CloudForet reads from each VM record and sends to `Metric.list` as `query`: the
/// inventory plugin fills it on every VM (`{vm_uuid, cluster_uuid, prism_central,
/// prism_central_uuid}`).
pub const REQUIRED_KEY: &str = "data.nutanix";

/// The metadata CloudForet checks at registration: `required_keys` (non-empty, rule 17),
/// `supported_stat` (checked against `get_data.stat`), `supported_providers`, plus the shared
/// `options_schema`.
pub fn init_metadata(options_schema: Value) -> Value {
    let stats: Vec<&str> = Stat::ALL.iter().map(|s| s.as_str()).collect();
    json!({
        "required_keys": [REQUIRED_KEY],
        "supported_stat": stats,
        "supported_providers": ["nutanix"],
        "options_schema": options_schema,
    })
}

/// `Metric.list` for one VM: the catalogue with each metric's `metric_query` pointing at the
/// VM. Static: Prism is not asked (every AHV VM has every catalogue metric; a powered-off VM
/// answers zeros).
///
/// # Errors
/// `ERROR_REQUIRED_PARAMETER (key = query.vm_uuid)` when the query is not a `data.nutanix`
/// block with a VM UUID (an empty list would silently empty CloudForet's intersection of
/// metric keys across resources).
pub fn list_metrics(query: &Value) -> Result<MetricsInfo, PluginError> {
    let answer = metric_list(query);
    let metrics = answer
        .get("metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if metrics.is_empty() {
        return Err(PluginError::required_parameter("query.vm_uuid"));
    }
    let metrics = metrics
        .into_iter()
        .map(|m| {
            let text = |k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let strukt = |k: &str| {
                m.get(k)
                    .cloned()
                    .map(json_to_struct)
                    .transpose()
                    .map_err(|e| PluginError::unknown(format!("metric {k} is not an object: {e}")))
            };
            Ok(MetricInfo {
                key: text("key"),
                name: text("name"),
                group: text("group"),
                unit: strukt("unit")?,
                metric_query: strukt("metric_query")?,
            })
        })
        .collect::<Result<_, PluginError>>()?;
    Ok(MetricsInfo { metrics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudforet_client::value::struct_ref_to_json;
    use collector_core::metrics::CATALOGUE;

    #[test]
    fn metadata_keys() {
        let m = init_metadata(json!({}));
        assert_eq!(m["required_keys"], json!(["data.nutanix"]));
        assert_eq!(m["supported_stat"], json!(["AVERAGE", "MAX", "MIN", "SUM"]));
        assert_eq!(m["supported_providers"], json!(["nutanix"]));
    }

    #[test]
    fn list_is_the_catalogue_for_the_vm() {
        let info = list_metrics(&json!({"vm_uuid": "vm-1", "prism_central": "pc"})).unwrap();
        let keys: Vec<&str> = info.metrics.iter().map(|m| m.key.as_str()).collect();
        let want: Vec<&str> = CATALOGUE.iter().map(|m| m.key).collect();
        assert_eq!(keys, want);
        let cpu = &info.metrics[0];
        assert_eq!(
            struct_ref_to_json(cpu.metric_query.as_ref().unwrap()),
            json!({"entity_type": "vm", "entity_id": "vm-1", "attribute": "hypervisor_cpu_usage_ppm"})
        );
        assert_eq!(
            struct_ref_to_json(cpu.unit.as_ref().unwrap()),
            json!({"x": "Timestamp", "y": "Percent"})
        );
        let err = list_metrics(&json!({"cluster_uuid": "c"})).unwrap_err();
        assert!(err.message().contains("query.vm_uuid"));
    }
}
