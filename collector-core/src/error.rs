//! The crate's error type.

/// Everything that can go wrong in `collector-core`.
///
/// Messages say what was refused and what to fix; they never contain credentials (this crate
/// never sees any).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CloudService record would have an empty `reference.resource_id`, which CloudForet treats
    /// as "match anything" (wrong updates or `ERROR_TOO_MANY_MATCH`), so the record is refused.
    #[error(
        "refusing {cloud_service_group}/{cloud_service_type} record{}: the Prism entity has no UUID, and CloudForet needs a non-empty reference.resource_id",
        name.as_deref().map(|n| format!(" for {n:?}")).unwrap_or_default()
    )]
    MissingResourceId {
        /// Cloud service group of the refused record.
        cloud_service_group: String,
        /// Cloud service type of the refused record.
        cloud_service_type: String,
        /// Entity name, when known.
        name: Option<String>,
    },
    /// A Region record would have an empty `region_code` (the cluster UUID).
    #[error("refusing region record{}: the cluster has no UUID, and CloudForet matches regions by region_code", name.as_deref().map(|n| format!(" for {n:?}")).unwrap_or_default())]
    MissingRegionCode {
        /// Cluster name, when known.
        name: Option<String>,
    },
    /// A plugin option is invalid; `key` is the dotted option path (e.g. `price_book.vcpu_hour`).
    #[error("{key} {reason}")]
    InvalidOption {
        /// Dotted path of the bad option.
        key: String,
        /// What is wrong with it, phrased to follow the key (`must be a non-negative number`).
        reason: String,
    },
    /// A date range is empty or reversed.
    #[error("invalid date range: {0}")]
    InvalidRange(String),
    /// A metric key is not in the catalogue.
    #[error("unknown metric {0:?}; call Metric.list for the supported keys")]
    UnknownMetric(String),
    /// A statistic is not one of AVERAGE, MAX, MIN, SUM.
    #[error("unsupported stat {0:?}; supported: AVERAGE, MAX, MIN, SUM")]
    UnknownStat(String),
    /// A timestamp could not be parsed or formatted.
    #[error("invalid time {value:?}: {reason}")]
    InvalidTime {
        /// The offending text or number.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON conversion failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::InvalidOption`].
    pub(crate) fn option(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidOption {
            key: key.into(),
            reason: reason.into(),
        }
    }
}
