//! A small hook for callers who count requests (for example a Prometheus counter).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How one HTTP exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestOutcome {
    /// 2xx with a decodable body.
    Success,
    /// An HTTP error status (4xx/5xx).
    HttpError,
    /// Connection, TLS or I/O failure before a complete response.
    Transport,
    /// The request timed out.
    Timeout,
    /// A 2xx body that could not be decoded or exceeded the size limit.
    InvalidBody,
}

impl RequestOutcome {
    /// A stable lowercase label (`success`, `http_error`, `transport`, `timeout`, `invalid_body`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::Success => "success",
            RequestOutcome::HttpError => "http_error",
            RequestOutcome::Transport => "transport",
            RequestOutcome::Timeout => "timeout",
            RequestOutcome::InvalidBody => "invalid_body",
        }
    }
}

impl fmt::Display for RequestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One HTTP exchange with Prism Central (every attempt, retries and logins included).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestEvent {
    /// HTTP method (`GET`, `POST`).
    pub method: &'static str,
    /// Path below `/api/nutanix/v3/`, e.g. `vms/list` (UUIDs included for `GET` by id).
    pub path: String,
    /// The API operation, stable for labels: `vms/list`, `vms/get`, `groups`, `users/me`, ...
    pub operation: String,
    /// HTTP status when a response arrived.
    pub status: Option<u16>,
    /// How the exchange ended.
    pub outcome: RequestOutcome,
    /// 1-based attempt number within the call.
    pub attempt: u32,
    /// Time from sending to the end of the body.
    pub elapsed: Duration,
}

/// A callback invoked after every HTTP exchange. Keep it cheap: it runs on the request path.
pub type RequestObserver = Arc<dyn Fn(&RequestEvent) + Send + Sync>;
