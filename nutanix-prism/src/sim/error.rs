//! Errors of the simulator (configuration, binding, TLS).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Result alias of the simulator.
pub type Result<T, E = SimError> = std::result::Result<T, E>;

/// Why the simulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A builder setting is out of range.
    #[error("invalid simulator setting `{setting}`: {reason}")]
    InvalidConfig {
        /// The builder method or flag.
        setting: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// A fault specification (`500=0.05,reset=0.01`) could not be parsed.
    #[error(
        "invalid fault specification `{input}`: {reason} (expected e.g. `500=0.05,503=0.03,429=0.02,truncate=0.02,reset=0.01,slow=0.01`)"
    )]
    InvalidFaults {
        /// The text given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source} (is the port already in use?)")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The self-signed TLS certificate could not be generated or loaded.
    #[error("cannot set up TLS: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// The certificate PEM could not be written.
    #[error("cannot write the certificate PEM to {}: {source}", path.display())]
    CertificateWrite {
        /// Where it was to be written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
