//! `Job.get_tasks` of the cost data source: which months to (re)collect, one task per Prism
//! Central and month, and the `changed` windows that make CloudForet replace old data.
//!
//! # Which months
//!
//! From the first month below to the current month (UTC), both included:
//!
//! 1. `start` of the request (`YYYY-MM`, or a `YYYY-MM-DD` day: its month), when given: what
//!    `DataSource.sync(start)` asks for;
//! 2. else `last_synchronized_at` minus [`RESYNC_OVERLAP_DAYS`] days, truncated to the first
//!    of its month: a daily sync recollects the current month (and the previous one during
//!    the first week of a month, so late changes to the last days of a month are seen);
//! 3. else (first sync) the current month and the `lookback_months` months before it (the
//!    `cost_lookback_months` option).
//!
//! A first month more than [`MAX_MONTHS_BACK`] months in the past is clamped to it (CloudForet
//! deletes daily costs older than 12 months and monthly ones older than 36, so older months
//! would only be thrown away). A first month after the current month gives no task.
//!
//! # Replace windows (rule 16)
//!
//! Every task's records carry `additional_info."Prism Central"` (the Prism Central's display
//! name, see `collector_core::cost`). Each task comes with a `task_changed` window
//! `{start: month, end: month, filter: {"additional_info.Prism Central": name}}` and the reply
//! lists the same windows in `changed`: when the job closes, CloudForet deletes the earlier
//! records of exactly that month and that Prism Central, and nothing of the other Prism
//! Centrals sharing the data source.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::month::{YearMonth, parse_instant};

/// Days subtracted from `last_synchronized_at` before taking its month.
pub const RESYNC_OVERLAP_DAYS: i64 = 7;
/// Oldest month a task may cover, counted back from the current month.
pub const MAX_MONTHS_BACK: u32 = 36;
/// Months before the current one collected on a first sync when no option says otherwise
/// (with the current month: a year, the retention of CloudForet's daily costs).
pub const DEFAULT_LOOKBACK_MONTHS: u32 = 11;
/// The `changed` filter key naming the Prism Central of a record.
pub const PRISM_CENTRAL_FILTER_KEY: &str = "additional_info.Prism Central";

/// Why the month window could not be decided: the request key and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    /// `start` or `last_synchronized_at`.
    pub key: &'static str,
    /// What is wrong, phrased to follow the key.
    pub reason: String,
}

/// The months to collect, first to last (empty when the first month is in the future).
///
/// `start` and `last_synchronized_at` are the request fields (empty = absent); `now` is the
/// current instant.
///
/// # Errors
/// A [`WindowError`] naming `start` or `last_synchronized_at` when it cannot be parsed.
pub fn months_to_collect(
    start: &str,
    last_synchronized_at: &str,
    lookback_months: u32,
    now: OffsetDateTime,
) -> Result<Vec<YearMonth>, WindowError> {
    let current = YearMonth::of(now.date());
    let first = if !start.trim().is_empty() {
        YearMonth::parse(start).map_err(|reason| WindowError {
            key: "start",
            reason,
        })?
    } else if !last_synchronized_at.trim().is_empty() {
        let at = parse_instant(last_synchronized_at).map_err(|reason| WindowError {
            key: "last_synchronized_at",
            reason,
        })?;
        let back = at
            .checked_sub(Duration::days(RESYNC_OVERLAP_DAYS))
            .unwrap_or(at);
        YearMonth::of(back.date())
    } else {
        current.minus_months(lookback_months)
    };
    let first = first.max(current.minus_months(MAX_MONTHS_BACK));
    Ok(first.through(current).collect())
}

/// One Prism Central as the tasks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTarget {
    /// What `task_options.prism_central` carries: how `get_data` finds the secret entry.
    pub prism_central: String,
    /// The value of the records' `additional_info."Prism Central"` (the display name).
    pub account: String,
}

/// One planned task: its `task_options` and its replace window, as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTask {
    /// `{"month": "YYYY-MM", "prism_central": ...}`.
    pub task_options: Value,
    /// `{"start": month, "end": month, "filter": {"additional_info.Prism Central": name}}`.
    pub changed: Value,
}

/// One task per Prism Central and month (Prism Centrals outer, months ascending).
pub fn plan(targets: &[TaskTarget], months: &[YearMonth]) -> Vec<PlannedTask> {
    targets
        .iter()
        .flat_map(|t| {
            months.iter().map(move |m| {
                let month = m.to_string();
                PlannedTask {
                    task_options: json!({"month": month, "prism_central": t.prism_central}),
                    changed: json!({
                        "start": month,
                        "end": month,
                        "filter": {PRISM_CENTRAL_FILTER_KEY: t.account},
                    }),
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn strings(months: Vec<YearMonth>) -> Vec<String> {
        months.into_iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn month_rules() {
        let now = datetime!(2025-07-15 10:00 UTC);
        let cases: &[(&str, &str, u32, &[&str])] = &[
            ("2025-05", "", 11, &["2025-05", "2025-06", "2025-07"]),
            ("2025-05-20", "", 11, &["2025-05", "2025-06", "2025-07"]),
            // start wins over last_synchronized_at
            ("2025-07", "2025-01-01T00:00:00Z", 11, &["2025-07"]),
            // a week back stays in July
            ("", "2025-07-14T16:00:00Z", 11, &["2025-07"]),
            // a week back crosses into June
            ("", "2025-07-03T16:00:00Z", 11, &["2025-06", "2025-07"]),
            ("", "2025-07-03 16:00:00", 11, &["2025-06", "2025-07"]),
            // first sync: lookback
            ("", "", 2, &["2025-05", "2025-06", "2025-07"]),
            ("", "", 0, &["2025-07"]),
            // future start: nothing
            ("2025-09", "", 11, &[]),
        ];
        for (start, last, lookback, want) in cases {
            let got = strings(months_to_collect(start, last, *lookback, now).unwrap());
            assert_eq!(
                got, *want,
                "start={start:?} last={last:?} lookback={lookback}"
            );
        }
        let first_sync = months_to_collect("", "", DEFAULT_LOOKBACK_MONTHS, now).unwrap();
        assert_eq!(first_sync.len(), 12);
        assert_eq!(first_sync[0].to_string(), "2024-08");
    }

    #[test]
    fn ancient_starts_are_clamped() {
        let now = datetime!(2025-07-15 10:00 UTC);
        let got = months_to_collect("1900-01", "", 0, now).unwrap();
        assert_eq!(got.len(), MAX_MONTHS_BACK as usize + 1);
        assert_eq!(got[0].to_string(), "2022-07");
        assert_eq!(months_to_collect("", "", 500, now).unwrap().len(), 37);
    }

    #[test]
    fn bad_input_names_the_key() {
        let now = datetime!(2025-07-15 10:00 UTC);
        let e = months_to_collect("2025-13", "", 0, now).unwrap_err();
        assert_eq!(e.key, "start");
        assert!(e.reason.contains("YYYY-MM"), "{}", e.reason);
        let e = months_to_collect("", "last tuesday", 0, now).unwrap_err();
        assert_eq!(e.key, "last_synchronized_at");
    }

    #[test]
    fn tasks_and_windows_per_pc_and_month() {
        let targets = [
            TaskTarget {
                prism_central: "pc-a.example.com".into(),
                account: "PC A".into(),
            },
            TaskTarget {
                prism_central: "pc-b.example.com".into(),
                account: "pc-b.example.com".into(),
            },
        ];
        let months = [
            YearMonth::new(2025, time::Month::June),
            YearMonth::new(2025, time::Month::July),
        ];
        let tasks = plan(&targets, &months);
        assert_eq!(tasks.len(), 4);
        assert_eq!(
            tasks[1].task_options,
            json!({"month": "2025-07", "prism_central": "pc-a.example.com"})
        );
        assert_eq!(
            tasks[2].changed,
            json!({"start": "2025-06", "end": "2025-06",
                   "filter": {"additional_info.Prism Central": "pc-b.example.com"}})
        );
        assert!(plan(&targets, &[]).is_empty());
    }
}
