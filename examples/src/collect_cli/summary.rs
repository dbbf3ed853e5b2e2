//! The final summary of `collect`: counts per resource type and per cluster, the month's cost,
//! elapsed time and throughput, as an aligned text table (written to stderr by the CLI).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use collector_core::record::{Resource, ResourceRecord, ResourceType, State};

/// Counters fed one record at a time.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Records of each `cloud_service_group/cloud_service_type`.
    pub per_type: BTreeMap<String, u64>,
    /// Cloud service records per region code (cluster UUID).
    pub per_cluster: BTreeMap<String, u64>,
    /// Cluster UUID → name, from Cluster records.
    pub cluster_names: BTreeMap<String, String>,
    /// `inventory.CloudServiceType` records.
    pub types: u64,
    /// `inventory.Region` records.
    pub regions: u64,
    /// `FAILURE` records, with their messages.
    pub failures: Vec<String>,
    /// All records.
    pub total: u64,
    /// The collection was stopped by Ctrl-C before the end.
    pub interrupted: bool,
}

/// The month's cost line of the summary.
#[derive(Debug, Clone)]
pub struct CostLine {
    /// `YYYY-MM`.
    pub month: String,
    /// The amount, formatted (`123.456789`).
    pub amount: String,
    /// Currency code.
    pub currency: String,
}

impl Summary {
    /// Counts one record.
    pub fn observe(&mut self, record: &ResourceRecord) {
        self.total += 1;
        if record.state == State::Failure {
            self.failures.push(
                record
                    .message
                    .clone()
                    .unwrap_or_else(|| "unknown failure".into()),
            );
            return;
        }
        match (&record.resource_type, &record.resource) {
            (ResourceType::CloudServiceType, _) => self.types += 1,
            (ResourceType::Region, _) => self.regions += 1,
            (_, Resource::CloudService(s)) => {
                *self
                    .per_type
                    .entry(format!(
                        "{}/{}",
                        s.cloud_service_group, s.cloud_service_type
                    ))
                    .or_default() += 1;
                let region = s.region_code.as_deref().unwrap_or_default().to_owned();
                if s.cloud_service_type == "Cluster"
                    && let Some(name) = &s.name
                {
                    self.cluster_names.insert(region.clone(), name.to_string());
                }
                *self.per_cluster.entry(region).or_default() += 1;
            }
            _ => {}
        }
    }

    /// Records of one cloud service type name (e.g. `VirtualMachine`), any group.
    pub fn count_of(&self, type_name: &str) -> u64 {
        self.per_type
            .iter()
            .filter(|(k, _)| k.rsplit('/').next() == Some(type_name))
            .map(|(_, v)| *v)
            .sum()
    }

    /// Writes the table.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn render(
        &self,
        out: &mut dyn Write,
        prism_central: &str,
        elapsed: Duration,
        cost: Option<&CostLine>,
    ) -> io::Result<()> {
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.total as f64 / secs
        } else {
            0.0
        };
        let rule = "-".repeat(56);
        writeln!(out, "{rule}")?;
        writeln!(out, "nutanix-collect summary: {prism_central}")?;
        writeln!(out, "{rule}")?;
        writeln!(out, "{:<40} {:>15}", "resource type", "records")?;
        for (t, n) in &self.per_type {
            writeln!(out, "  {t:<38} {n:>15}")?;
        }
        writeln!(out, "  {:<38} {:>15}", "(cloud service types)", self.types)?;
        writeln!(out, "  {:<38} {:>15}", "(regions)", self.regions)?;
        writeln!(out, "  {:<38} {:>15}", "(failures)", self.failures.len())?;
        writeln!(out, "{:<40} {:>15}", "cluster (region)", "resources")?;
        for (code, n) in &self.per_cluster {
            let label = match (self.cluster_names.get(code), code.is_empty()) {
                (_, true) => "(Prism Central-wide)".to_owned(),
                (Some(name), false) => format!("{name} ({})", short(code)),
                (None, false) => short(code).to_owned(),
            };
            writeln!(out, "  {label:<38} {n:>15}")?;
        }
        if let Some(c) = cost {
            writeln!(
                out,
                "{:<40} {:>15}",
                format!("cost of {} ({})", c.month, c.currency),
                c.amount
            )?;
        }
        writeln!(out, "{:<40} {:>15}", "records", self.total)?;
        writeln!(out, "{:<40} {:>15}", "elapsed", format!("{secs:.2} s"))?;
        writeln!(out, "{:<40} {:>15}", "records/s", format!("{rate:.0}"))?;
        writeln!(out, "{rule}")?;
        if self.interrupted {
            writeln!(out, "interrupted: the records above are incomplete")?;
        }
        for f in self.failures.iter().take(20) {
            writeln!(out, "FAILURE: {f}")?;
        }
        if self.failures.len() > 20 {
            writeln!(out, "... and {} more failures", self.failures.len() - 20)?;
        }
        Ok(())
    }
}

fn short(uuid: &str) -> &str {
    uuid.get(..8).unwrap_or(uuid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use collector_core::catalog::ServiceKind;

    #[test]
    fn counts_types_failures_and_renders() {
        let mut s = Summary::default();
        s.observe(&ResourceRecord::cloud_service_type(
            ServiceKind::VirtualMachine.cloud_service_type(),
        ));
        s.observe(&ResourceRecord::error(
            Some("Compute"),
            Some("VirtualMachine"),
            "boom".to_owned(),
        ));
        assert_eq!((s.total, s.types, s.failures.len()), (2, 1, 1));
        let mut out = Vec::new();
        s.render(&mut out, "pc", Duration::from_secs(2), None)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("FAILURE: boom"), "{text}");
        assert!(text.contains("records/s"), "{text}");
    }
}
