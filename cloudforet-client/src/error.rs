//! The crate's error type for the core-service client and value conversion.
//!
//! One `#[non_exhaustive]` enum, [`Error`]. A call that CloudForet rejects becomes
//! [`Error::Status`], carrying the gRPC code, the CloudForet error code parsed from the
//! `"ERROR_CODE: message"` status text ([`ErrorCode`]), the message and the method called.
//! No variant ever holds a token, password or secret payload.

use std::fmt;
use std::time::Duration;

use crate::error_code::{ErrorCode, parse_status_message};

/// Boxed source error from the transport layer.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to CloudForet or converting payloads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An endpoint could not be parsed or uses an unsupported scheme.
    #[error(
        "invalid CloudForet endpoint `{endpoint}`: {reason} \
         (expected `grpc://host:port` or `grpc+ssl://host:port`)"
    )]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The client builder was given an inconsistent configuration.
    #[error("invalid CloudForet client configuration: {0}")]
    Config(String),

    /// TLS could not be set up for a `grpc+ssl://` endpoint.
    #[error("TLS setup for CloudForet endpoint `{endpoint}` failed: {source}")]
    Tls {
        /// The endpoint concerned.
        endpoint: String,
        /// The underlying TLS error.
        #[source]
        source: BoxError,
    },

    /// The connection to a core service failed or broke before an answer arrived.
    #[error(
        "cannot reach CloudForet at `{endpoint}` ({method}): {reason}; \
         check the address, port, TLS settings and that the service is running"
    )]
    Connect {
        /// The endpoint concerned.
        endpoint: String,
        /// The call being made, as `Service.method` (e.g. `CloudService.list`).
        method: &'static str,
        /// The innermost cause, e.g. `Connection refused (os error 111)`.
        reason: String,
        /// The transport error.
        #[source]
        source: BoxError,
    },

    /// A call did not complete within its deadline.
    #[error("{method} timed out after {timeout:?}")]
    Timeout {
        /// The call, as `Service.method`.
        method: &'static str,
        /// The deadline that expired.
        timeout: Duration,
    },

    /// CloudForet answered with an error status.
    #[error("{0}")]
    Status(Box<StatusError>),

    /// A JSON value that must become a `google.protobuf.Struct` is not an object.
    #[error("a google.protobuf.Struct needs a JSON object, found {found}")]
    NotAnObject {
        /// What was found instead (`"an array"`, `"null"`, ...).
        found: &'static str,
    },

    /// A value could not be serialised into a `Struct`.
    #[error("cannot encode `{type_name}` as a google.protobuf.Struct: {source}")]
    Encode {
        /// The Rust type being encoded.
        type_name: &'static str,
        /// The serialisation error.
        #[source]
        source: serde_json::Error,
    },

    /// A `Struct` did not match the Rust type it was decoded into. The reason never contains the
    /// offending value.
    #[error("cannot decode google.protobuf.Struct into `{type_name}` at `{path}`: {reason}")]
    Decode {
        /// The Rust type being decoded.
        type_name: &'static str,
        /// Dotted path of the offending field (`"."` for the root).
        path: String,
        /// Why the field did not fit.
        reason: String,
    },

    /// CloudForet answered successfully but the response lacks something the call needs.
    #[error("unexpected response from {method}: {reason}")]
    InvalidResponse {
        /// The call, as `Service.method`.
        method: &'static str,
        /// What is missing or wrong.
        reason: String,
    },

    /// A followed collection job ended in `FAILURE` or `CANCELED`.
    #[error(
        "collection job `{job_id}` ended {status}: {failure_tasks} of {total_tasks} tasks failed; \
         see the job's tasks in CloudForet for the errors"
    )]
    JobFailed {
        /// The job id.
        job_id: String,
        /// The terminal status (`FAILURE` or `CANCELED`).
        status: String,
        /// Tasks in the job.
        total_tasks: i32,
        /// Tasks that failed.
        failure_tasks: i32,
    },

    /// A followed collection job did not reach a terminal state in time.
    #[error("collection job `{job_id}` still {last_status} after waiting {waited:?}")]
    JobTimeout {
        /// The job id.
        job_id: String,
        /// How long the job was followed.
        waited: Duration,
        /// The last status seen.
        last_status: String,
    },
}

/// An error status returned by a CloudForet core service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatusError {
    /// The call, as `Service.method` (e.g. `CloudService.get`).
    pub method: &'static str,
    /// The gRPC status code.
    pub grpc_code: tonic::Code,
    /// The CloudForet error code parsed from the status message.
    pub error_code: ErrorCode,
    /// The human-readable message (after the `ERROR_CODE: ` prefix).
    pub message: String,
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with gRPC status {:?} ({}): {}",
            self.method, self.grpc_code, self.error_code, self.message
        )
    }
}

impl Error {
    /// Builds [`Error::Status`] from a status returned by `method` (`Service.method`), splitting
    /// CloudForet's `"ERROR_CODE: message"` text into code and message. A message without an
    /// `ERROR_` prefix is kept whole and the code is derived from the gRPC code
    /// ([`ErrorCode::from_grpc_code`]).
    pub fn from_status(method: &'static str, status: &tonic::Status) -> Self {
        let (error_code, message) = match parse_status_message(status.message()) {
            Some((code, text)) => (code, text.to_owned()),
            None => (
                ErrorCode::from_grpc_code(status.code()),
                status.message().to_owned(),
            ),
        };
        Self::Status(Box::new(StatusError {
            method,
            grpc_code: status.code(),
            error_code,
            message,
        }))
    }

    /// The CloudForet error code, for [`Error::Status`].
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Status(s) => Some(&s.error_code),
            _ => None,
        }
    }

    /// The gRPC status code, for [`Error::Status`] and [`Error::Timeout`]
    /// (`DeadlineExceeded`).
    pub fn grpc_code(&self) -> Option<tonic::Code> {
        match self {
            Self::Status(s) => Some(s.grpc_code),
            Self::Timeout { .. } => Some(tonic::Code::DeadlineExceeded),
            _ => None,
        }
    }

    /// The status details, for [`Error::Status`].
    pub fn status(&self) -> Option<&StatusError> {
        match self {
            Self::Status(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the resource asked for does not exist (`NOT_FOUND` / `ERROR_NOT_FOUND`).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Status(s) if s.grpc_code == tonic::Code::NotFound)
    }

    /// Whether repeating the same call later may succeed: the service was unreachable
    /// (`UNAVAILABLE`, connection failures) or the call timed out. The client itself retries
    /// only idempotent calls and only on `UNAVAILABLE`.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } => true,
            Self::Status(s) => matches!(
                s.grpc_code,
                tonic::Code::Unavailable | tonic::Code::DeadlineExceeded
            ),
            _ => false,
        }
    }
}
