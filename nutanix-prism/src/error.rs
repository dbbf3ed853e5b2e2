//! The crate's error type: one `#[non_exhaustive]` enum, status-first classification.
//!
//! Every HTTP failure names the method and URL and says what to check. Messages never contain a
//! credential: the client rejects URLs with user info, and body excerpts (which come from the
//! server) are bounded and scrubbed of the configured secrets before they are stored.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Boxed source error of a transport failure.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong talking to Prism Central.
///
/// Decide by variant (or by the predicates such as [`Error::is_not_found`]); the `Display` text is
/// for humans. Large payloads are boxed so `Result<T>` stays small.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (endpoint, certificates, option values). Not retryable.
    #[error("invalid Prism client configuration: {0}")]
    Config(String),

    /// The request did not produce an HTTP response (connection refused, DNS, TLS handshake, I/O
    /// error while reading the body).
    #[error(
        "{} {} failed ({}): {}; {}",
        .0.method, .0.url, .0.kind, .0.message, .0.kind.hint()
    )]
    Transport(#[source] Box<TransportError>),

    /// The request did not complete within the configured timeout.
    #[error(
        "{method} {url} timed out; check that Prism Central is reachable and not overloaded, or raise the request timeout"
    )]
    Timeout {
        /// HTTP method.
        method: String,
        /// Full request URL.
        url: String,
        /// The underlying timeout error.
        #[source]
        source: BoxError,
    },

    /// HTTP 401: the credentials were rejected (or a session expired and re-login failed).
    #[error("401 Unauthorized from {} {}: {}{}", .0.method, .0.url, .0.hint, .0.server_says())]
    Unauthorized(Box<HttpError>),

    /// HTTP 403: the user lacks a permission for this call.
    #[error(
        "403 Forbidden from {} {}: the user is authenticated but lacks a permission (check its role in Prism Central){}",
        .0.method, .0.url, .0.server_says()
    )]
    Forbidden(Box<HttpError>),

    /// HTTP 404: the entity (or the endpoint) does not exist.
    #[error(
        "404 Not Found from {} {}: check the UUID or name, and that the endpoint is a Prism Central{}",
        .0.method, .0.url, .0.server_says()
    )]
    NotFound(Box<HttpError>),

    /// HTTP 409: a concurrent modification conflict.
    #[error("409 Conflict from {} {}{}", .0.method, .0.url, .0.server_says())]
    Conflict(Box<HttpError>),

    /// HTTP 429: Prism Central's rate limit was hit.
    #[error(
        "429 Too Many Requests from {} {}: Prism Central is rate limiting this client{}; lower the client's requests_per_second{}",
        .error.method, .error.url,
        .retry_after.map(|d| format!(" (server asked to wait {:.1}s)", d.as_secs_f64())).unwrap_or_default(),
        .error.server_says()
    )]
    RateLimited {
        /// Details of the response.
        error: Box<HttpError>,
        /// How long the server asked us to wait (`Retry-After` or `X-Ratelimit-Reset`).
        retry_after: Option<Duration>,
    },

    /// Any other 4xx, with the decoded v3 error body when there was one (400, 422, ...).
    #[error("{} from {} {}: the request was rejected{}", .0.status, .0.method, .0.url, .0.server_says())]
    Api(Box<HttpError>),

    /// A 5xx response; the body is often plain text.
    #[error(
        "{} server error from {} {}: Prism Central failed to answer; retry later or check its health{}",
        .0.status, .0.method, .0.url, .0.server_says()
    )]
    Server(Box<HttpError>),

    /// The response body exceeded the configured maximum size.
    #[error(
        "response body of {method} {url} exceeds the limit of {limit} bytes; lower the page size or raise max_response_bytes"
    )]
    BodyTooLarge {
        /// HTTP method.
        method: String,
        /// Full request URL.
        url: String,
        /// The configured limit in bytes.
        limit: u64,
    },

    /// A 2xx body could not be decoded into the expected type.
    #[error(
        "cannot decode the response of {} {} (status {}) at `{}`: {}{}",
        .0.method, .0.url, .0.status, .0.path, .0.message, .0.hint()
    )]
    Decode(Box<DecodeError>),

    /// Paging could not finish safely (a guard tripped).
    #[error("paging {url} stopped: {message}")]
    Paging {
        /// The list URL.
        url: String,
        /// What tripped.
        message: String,
    },

    /// The endpoint answers the v3 API but is not a Prism Central (for example a Prism Element).
    #[error(
        "{url} is not a Prism Central: {message}; point the client at the Prism Central address, not a cluster"
    )]
    NotPrismCentral {
        /// The probed URL.
        url: String,
        /// What was observed.
        message: String,
    },

    /// A retryable failure persisted until the retry policy gave up.
    #[error("gave up after {attempts} attempts in {:.1}s: {last}", .elapsed.as_secs_f64())]
    RetriesExhausted {
        /// Number of attempts made.
        attempts: u32,
        /// Time spent from the first attempt to giving up.
        elapsed: Duration,
        /// The last error seen.
        #[source]
        last: Box<Error>,
    },
}

impl Error {
    /// The error behind any [`Error::RetriesExhausted`] wrapper.
    pub fn root(&self) -> &Error {
        match self {
            Error::RetriesExhausted { last, .. } => last.root(),
            other => other,
        }
    }

    /// Whether retrying the same idempotent call later may succeed (transport faults, timeouts,
    /// 429, 500/502/503/504, truncated bodies).
    pub fn is_retryable(&self) -> bool {
        match self.root() {
            Error::Transport(t) => t.kind != TransportKind::Tls,
            Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Server(e) => matches!(e.status, 500 | 502 | 503 | 504),
            Error::Decode(d) => d.truncated,
            _ => false,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::Api(e)
            | Error::Server(e) => Some(e.status),
            Error::RateLimited { error, .. } => Some(error.status),
            Error::Decode(d) => Some(d.status),
            _ => None,
        }
    }

    /// The details of an HTTP error response (4xx/5xx), when this is one.
    pub fn http(&self) -> Option<&HttpError> {
        match self.root() {
            Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::Api(e)
            | Error::Server(e) => Some(e),
            Error::RateLimited { error, .. } => Some(error),
            _ => None,
        }
    }

    /// `true` for a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self.root(), Error::NotFound(_))
    }

    /// `true` for a 401.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self.root(), Error::Unauthorized(_))
    }

    /// `true` for a 403.
    pub fn is_forbidden(&self) -> bool {
        matches!(self.root(), Error::Forbidden(_))
    }

    /// `true` for a 429.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self.root(), Error::RateLimited { .. })
    }

    /// `true` for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self.root(), Error::Timeout { .. })
    }

    /// `true` for a connection, TLS or I/O failure.
    pub fn is_transport(&self) -> bool {
        matches!(self.root(), Error::Transport(_))
    }

    /// `true` for a configuration error.
    pub fn is_config(&self) -> bool {
        matches!(self.root(), Error::Config(_))
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// TCP connect or DNS failure.
    Connect,
    /// TLS handshake failure, usually an untrusted or invalid certificate. Not retried.
    Tls,
    /// The connection broke while sending the request or reading the body.
    Io,
    /// Anything else reported by the HTTP stack.
    Other,
}

impl TransportKind {
    fn hint(self) -> &'static str {
        match self {
            TransportKind::Connect => {
                "check the host name, port 9440 and any firewall or proxy in between"
            }
            TransportKind::Tls => {
                "check the certificate: add its CA with add_root_certificate_pem, or (lab only) danger_accept_invalid_certs"
            }
            TransportKind::Io => {
                "the connection broke mid-request; the call is retried if idempotent"
            }
            TransportKind::Other => "check the endpoint and the network",
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Tls => "TLS",
            TransportKind::Io => "I/O",
            TransportKind::Other => "transport",
        })
    }
}

/// Details of a transport failure.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// HTTP method.
    pub method: String,
    /// Full request URL.
    pub url: String,
    /// Classification.
    pub kind: TransportKind,
    /// Short description of the failure (the innermost cause).
    pub message: String,
    /// The underlying error.
    pub source: BoxError,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Details of an HTTP error response (4xx or 5xx).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpError {
    /// HTTP method.
    pub method: String,
    /// Full request URL.
    pub url: String,
    /// HTTP status code.
    pub status: u16,
    /// `message_list[0].reason` of a v3 error body (`ENTITY_NOT_FOUND`, ...), if any.
    pub reason: Option<String>,
    /// `message_list[0].message` (or a top-level `message`) of a v3 error body, if any.
    pub message: Option<String>,
    /// `message_list[0].details`, kept as any JSON (Prism sends maps, lists or strings).
    pub details: serde_json::Value,
    /// The start of the raw body (bounded, secrets scrubbed), for bodies that are not v3 JSON.
    pub body_excerpt: String,
    /// The `X-Ntnx-Product` response header (Prism version), when sent.
    pub product: Option<String>,
    /// What the caller should check (used in the 401 message).
    pub hint: String,
}

impl HttpError {
    /// `": <reason>: <message>"` or `": body: <excerpt>"`, for Display.
    fn server_says(&self) -> String {
        match (&self.reason, &self.message) {
            (Some(r), Some(m)) => format!(" (server: {r}: {m})"),
            (None, Some(m)) => format!(" (server: {m})"),
            (Some(r), None) => format!(" (server: {r})"),
            (None, None) if !self.body_excerpt.trim().is_empty() => {
                format!(" (body: {})", self.body_excerpt.trim())
            }
            (None, None) => String::new(),
        }
    }
}

/// Details of a body that could not be decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP method.
    pub method: String,
    /// Full request URL.
    pub url: String,
    /// HTTP status of the response.
    pub status: u16,
    /// JSON path of the failure (`entities[3].metadata.uuid`), from `serde_path_to_error`.
    pub path: String,
    /// The decoder's message (scrubbed).
    pub message: String,
    /// The start of the body (bounded, secrets scrubbed).
    pub body_excerpt: String,
    /// `true` when the body ended early or broke off mid-JSON: a transport fault, retried for
    /// idempotent calls. `false` for a body that is not JSON at all (an HTML page from a proxy)
    /// or JSON of an unexpected shape.
    pub truncated: bool,
}

impl DecodeError {
    /// What the body looked like, for Display.
    fn hint(&self) -> &'static str {
        if self.truncated {
            " (the body looks truncated)"
        } else if self.body_excerpt.trim_start().starts_with('<') {
            " (the body is HTML, not JSON: a proxy, load balancer or login page answered; check that the endpoint is the Prism Central itself)"
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Box<HttpError> {
        Box::new(HttpError {
            method: "POST".into(),
            url: "https://pc:9440/api/nutanix/v3/vms/list".into(),
            status,
            reason: None,
            message: None,
            details: serde_json::Value::Null,
            body_excerpt: String::new(),
            product: None,
            hint: "check the username and password".into(),
        })
    }

    #[test]
    fn unauthorized_message_names_url_and_what_to_check() {
        let e = Error::Unauthorized(http(401));
        assert_eq!(
            e.to_string(),
            "401 Unauthorized from POST https://pc:9440/api/nutanix/v3/vms/list: check the username and password"
        );
        assert!(!e.is_retryable());
        assert_eq!(e.status(), Some(401));
    }

    #[test]
    fn retryability_follows_status() {
        assert!(Error::Server(http(503)).is_retryable());
        assert!(!Error::Server(http(501)).is_retryable());
        assert!(!Error::NotFound(http(404)).is_retryable());
        assert!(
            Error::RateLimited {
                error: http(429),
                retry_after: None
            }
            .is_retryable()
        );
    }

    #[test]
    fn exhausted_delegates_to_last() {
        let e = Error::RetriesExhausted {
            attempts: 5,
            elapsed: Duration::from_secs(3),
            last: Box::new(Error::Server(http(503))),
        };
        assert!(e.to_string().starts_with("gave up after 5 attempts"));
        assert_eq!(e.status(), Some(503));
        assert!(e.is_retryable());
    }

    #[test]
    fn result_stays_small() {
        assert!(
            std::mem::size_of::<Error>() <= 64,
            "{}",
            std::mem::size_of::<Error>()
        );
    }
}
