//! Request counters by endpoint and status, readable by tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::faults::FaultKind;

/// Status recorded for a request whose connection was dropped without a response.
pub const STATUS_DROPPED: u16 = 0;

/// A snapshot of the requests served, by endpoint and HTTP status.
///
/// Endpoints are route templates such as `POST /vms/list`, `GET /vms/{uuid}`, `POST /groups`
/// (paths relative to `/api/nutanix/v3`); unknown paths count as `OTHER`. A dropped connection
/// (the `reset` fault) counts with status [`STATUS_DROPPED`] (0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    by_endpoint_status: BTreeMap<(String, u16), u64>,
    faults: BTreeMap<FaultKind, u64>,
    rate_limited: u64,
}

impl Counters {
    /// Requests to `endpoint` answered with `status`.
    pub fn get(&self, endpoint: &str, status: u16) -> u64 {
        self.by_endpoint_status
            .get(&(endpoint.to_owned(), status))
            .copied()
            .unwrap_or(0)
    }

    /// All requests to `endpoint`, whatever the status.
    pub fn endpoint(&self, endpoint: &str) -> u64 {
        self.by_endpoint_status
            .iter()
            .filter(|((e, _), _)| e == endpoint)
            .map(|(_, n)| n)
            .sum()
    }

    /// All requests answered with `status`, whatever the endpoint.
    pub fn status(&self, status: u16) -> u64 {
        self.by_endpoint_status
            .iter()
            .filter(|((_, s), _)| *s == status)
            .map(|(_, n)| n)
            .sum()
    }

    /// All requests.
    pub fn total(&self) -> u64 {
        self.by_endpoint_status.values().sum()
    }

    /// Faults injected of one kind.
    pub fn faults(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }

    /// Requests refused by the rate limiter (429 from the limit, not from injected faults).
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited
    }

    /// Every `(endpoint, status, count)`, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u16, u64)> + '_ {
        self.by_endpoint_status
            .iter()
            .map(|((e, s), n)| (e.as_str(), *s, *n))
    }

    /// The counters as JSON (`{"requests":[{"endpoint","status","count"}],"faults":{..},"rate_limited":n}`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.iter().map(|(e, s, n)| serde_json::json!({"endpoint": e, "status": s, "count": n})).collect::<Vec<_>>(),
            "faults": self.faults.iter().map(|(k, n)| (k.key().to_owned(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
            "rate_limited": self.rate_limited,
        })
    }
}

/// The live, shared counters.
#[derive(Debug, Default)]
pub(crate) struct CounterSet {
    inner: Mutex<Counters>,
}

impl CounterSet {
    pub(crate) fn record(&self, endpoint: &'static str, status: u16) {
        if let Ok(mut c) = self.inner.lock() {
            *c.by_endpoint_status
                .entry((endpoint.to_owned(), status))
                .or_default() += 1;
        }
    }

    pub(crate) fn fault(&self, kind: FaultKind) {
        if let Ok(mut c) = self.inner.lock() {
            *c.faults.entry(kind).or_default() += 1;
        }
    }

    pub(crate) fn rate_limited(&self) {
        if let Ok(mut c) = self.inner.lock() {
            c.rate_limited += 1;
        }
    }

    pub(crate) fn snapshot(&self) -> Counters {
        self.inner.lock().map(|c| c.clone()).unwrap_or_default()
    }
}
