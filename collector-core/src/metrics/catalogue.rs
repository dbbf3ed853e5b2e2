//! The VM metric catalogue: CloudForet metric keys, Prism `/groups` attributes, units.

use serde::Serialize;
use serde_json::{Value, json};

/// Bytes in one Prism "kB" of the `*_kBps` attributes.
///
/// Prism's stats layer (arithmos) reports bandwidth in kilobytes per second. No public
/// Nutanix document states the multiplier; this crate uses 1024 (Prism sizes are binary
/// throughout), and documents the choice in `docs/mapping.md`. Change it here if Nutanix
/// documents otherwise.
pub const BYTES_PER_PRISM_KB: f64 = 1024.0;

/// How a Prism sample becomes a CloudForet value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Conversion {
    /// Parts per million to percent (÷ 10 000).
    PpmToPercent,
    /// Prism kB/s to bytes/s (× [`BYTES_PER_PRISM_KB`]).
    KilobytesPerSecondToBytesPerSecond,
    /// Bytes per sample interval to bytes/s (÷ interval seconds).
    BytesPerIntervalToBytesPerSecond,
    /// Already in the target unit (IOPS).
    None,
}

impl Conversion {
    /// Converts one raw sample; `interval_secs` is the sample interval (downsampling interval).
    /// Negative raw values (Prism's "no data" `-1`) give `None`.
    pub fn apply(self, raw: f64, interval_secs: u32) -> Option<f64> {
        if !raw.is_finite() || raw < 0.0 {
            return None;
        }
        Some(match self {
            Self::PpmToPercent => raw / 10_000.0,
            Self::KilobytesPerSecondToBytesPerSecond => raw * BYTES_PER_PRISM_KB,
            Self::BytesPerIntervalToBytesPerSecond => raw / f64::from(interval_secs.max(1)),
            Self::None => raw,
        })
    }
}

/// One metric of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct MetricDef {
    /// CloudForet metric key (`cpu.utilization`).
    pub key: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Metric group shown by the console.
    pub group: &'static str,
    /// Unit of the y axis (`Percent`, `Count/Second`, `Bytes/Second`).
    pub unit: &'static str,
    /// Prism `/groups` attribute of entity type `vm`.
    pub attribute: &'static str,
    /// Conversion from the Prism unit.
    pub conversion: Conversion,
}

/// Prism entity type queried for VM metrics.
pub const ENTITY_TYPE: &str = "vm";

/// The VM metrics, in `Metric.list` order.
pub const CATALOGUE: &[MetricDef] = &[
    MetricDef {
        key: "cpu.utilization",
        name: "CPU Utilization",
        group: "CPU",
        unit: "Percent",
        attribute: "hypervisor_cpu_usage_ppm",
        conversion: Conversion::PpmToPercent,
    },
    MetricDef {
        key: "memory.usage",
        name: "Memory Usage",
        group: "Memory",
        unit: "Percent",
        attribute: "memory_usage_ppm",
        conversion: Conversion::PpmToPercent,
    },
    MetricDef {
        key: "disk.read_iops",
        name: "Disk Read IOPS",
        group: "Disk",
        unit: "Count/Second",
        attribute: "controller_num_read_iops",
        conversion: Conversion::None,
    },
    MetricDef {
        key: "disk.write_iops",
        name: "Disk Write IOPS",
        group: "Disk",
        unit: "Count/Second",
        attribute: "controller_num_write_iops",
        conversion: Conversion::None,
    },
    MetricDef {
        key: "disk.read_throughput",
        name: "Disk Read Throughput",
        group: "Disk",
        unit: "Bytes/Second",
        attribute: "controller_read_io_bandwidth_kBps",
        conversion: Conversion::KilobytesPerSecondToBytesPerSecond,
    },
    MetricDef {
        key: "disk.write_throughput",
        name: "Disk Write Throughput",
        group: "Disk",
        unit: "Bytes/Second",
        attribute: "controller_write_io_bandwidth_kBps",
        conversion: Conversion::KilobytesPerSecondToBytesPerSecond,
    },
    MetricDef {
        key: "network.received_throughput",
        name: "Network Received Throughput",
        group: "Network",
        unit: "Bytes/Second",
        attribute: "hypervisor_num_received_bytes",
        conversion: Conversion::BytesPerIntervalToBytesPerSecond,
    },
    MetricDef {
        key: "network.sent_throughput",
        name: "Network Sent Throughput",
        group: "Network",
        unit: "Bytes/Second",
        attribute: "hypervisor_num_transmitted_bytes",
        conversion: Conversion::BytesPerIntervalToBytesPerSecond,
    },
];

/// Looks a metric up by key.
pub fn metric(key: &str) -> Option<&'static MetricDef> {
    CATALOGUE.iter().find(|m| m.key == key)
}

impl MetricDef {
    /// The `MetricInfo` of this metric for one VM: `{key, name, group, unit: {x, y},
    /// metric_query}`. `metric_query` is what CloudForet hands back to `Metric.get_data` for
    /// this VM: `{"entity_type": "vm", "entity_id": <vm uuid>, "attribute": ...}`.
    pub fn metric_info(&self, vm_uuid: &str) -> Value {
        json!({
            "key": self.key,
            "name": self.name,
            "group": self.group,
            "unit": {"x": "Timestamp", "y": self.unit},
            "metric_query": {"entity_type": ENTITY_TYPE, "entity_id": vm_uuid, "attribute": self.attribute},
        })
    }
}

/// `Metric.list` answer for one resource, from its `required_keys` value (`data.nutanix`).
///
/// Returns `{"metrics": [MetricInfo...]}`; an empty list when the query has no `vm_uuid`.
pub fn metric_list(query: &Value) -> Value {
    let uuid = query
        .get("vm_uuid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let metrics: Vec<Value> = match uuid {
        Some(u) => CATALOGUE.iter().map(|m| m.metric_info(u)).collect(),
        None => Vec::new(),
    };
    json!({ "metrics": metrics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let cases = [
            (Conversion::PpmToPercent, 1_000_000.0, 60, Some(100.0)),
            (Conversion::PpmToPercent, 123_456.0, 60, Some(12.3456)),
            (
                Conversion::KilobytesPerSecondToBytesPerSecond,
                2.0,
                60,
                Some(2048.0),
            ),
            (
                Conversion::BytesPerIntervalToBytesPerSecond,
                6000.0,
                60,
                Some(100.0),
            ),
            (
                Conversion::BytesPerIntervalToBytesPerSecond,
                10.0,
                0,
                Some(10.0),
            ),
            (Conversion::None, 7.0, 60, Some(7.0)),
            (Conversion::None, -1.0, 60, None),
            (Conversion::PpmToPercent, f64::NAN, 60, None),
        ];
        for (c, raw, interval, want) in cases {
            assert_eq!(c.apply(raw, interval), want, "{c:?} {raw}");
        }
    }

    #[test]
    fn catalogue_is_complete_and_unique() {
        let keys: Vec<_> = CATALOGUE.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "cpu.utilization",
                "memory.usage",
                "disk.read_iops",
                "disk.write_iops",
                "disk.read_throughput",
                "disk.write_throughput",
                "network.received_throughput",
                "network.sent_throughput"
            ]
        );
        assert_eq!(
            metric("memory.usage").unwrap().attribute,
            "memory_usage_ppm"
        );
        assert!(metric("nope").is_none());
    }

    #[test]
    fn metric_list_shape() {
        let v = metric_list(&json!({"vm_uuid": "u1", "cluster_uuid": "c"}));
        let first = &v["metrics"][0];
        assert_eq!(first["key"], "cpu.utilization");
        assert_eq!(first["unit"], json!({"x": "Timestamp", "y": "Percent"}));
        assert_eq!(first["metric_query"]["entity_id"], "u1");
        assert_eq!(v["metrics"].as_array().unwrap().len(), 8);
        assert_eq!(metric_list(&json!({}))["metrics"], json!([]));
    }
}
