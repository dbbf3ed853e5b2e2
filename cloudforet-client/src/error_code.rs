//! CloudForet error codes and how they travel over gRPC.
//!
//! CloudForet reports every error as a gRPC status whose message reads `"ERROR_CODE: human text"`,
//! for example `"ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data.username)"`.
//! The status code is derived from the error code ([`ErrorCode::grpc_code`]); a Python client
//! splits the message on its first `:` when it starts with `ERROR_` ([`parse_status_message`]).
//!
//! | gRPC status | error codes |
//! |---|---|
//! | `INVALID_ARGUMENT` | `ERROR_INVALID_ARGUMENT`, `ERROR_REQUIRED_PARAMETER`, `ERROR_INVALID_PARAMETER_TYPE`, `ERROR_INVALID_PARAMETER` |
//! | `NOT_FOUND` | `ERROR_NOT_FOUND` |
//! | `ALREADY_EXISTS` | `ERROR_NOT_UNIQUE` |
//! | `UNAUTHENTICATED` | `ERROR_AUTHENTICATE_FAILURE` |
//! | `PERMISSION_DENIED` | `ERROR_PERMISSION_DENIED` |
//! | `UNAVAILABLE` | `ERROR_GRPC_CONNECTION` |
//! | `INTERNAL` | everything else (`ERROR_UNKNOWN`, `ERROR_BASE`, `ERROR_INTERNAL_API`, `ERROR_NOT_SUPPORT_API`, [`ErrorCode::Other`]) |
//!
//! ```
//! use cloudforet_client::error_code::{ErrorCode, parse_status_message};
//!
//! let (code, text) = parse_status_message("ERROR_NOT_FOUND: Value not found. (x = 1)").unwrap();
//! assert_eq!(code, ErrorCode::NotFound);
//! assert_eq!(text, "Value not found. (x = 1)");
//! assert_eq!(code.grpc_code(), tonic::Code::NotFound);
//! assert_eq!(code.to_string(), "ERROR_NOT_FOUND");
//! ```

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// A CloudForet error code such as `ERROR_NOT_FOUND`.
///
/// The named variants are the codes plugins send and clients commonly meet; any other
/// `ERROR_*` string is kept verbatim in [`ErrorCode::Other`]. [`Display`](fmt::Display) writes the
/// wire string, and [`FromStr`] parses it back (never fails).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ERROR_INVALID_ARGUMENT`: an argument is invalid.
    InvalidArgument,
    /// `ERROR_REQUIRED_PARAMETER`: a required parameter is missing.
    RequiredParameter,
    /// `ERROR_INVALID_PARAMETER_TYPE`: a parameter has the wrong type.
    InvalidParameterType,
    /// `ERROR_INVALID_PARAMETER`: a parameter has an invalid value.
    InvalidParameter,
    /// `ERROR_NOT_FOUND`: a referenced value does not exist.
    NotFound,
    /// `ERROR_NOT_UNIQUE`: a unique key would be duplicated.
    NotUnique,
    /// `ERROR_AUTHENTICATE_FAILURE`: credentials or token rejected.
    AuthenticateFailure,
    /// `ERROR_PERMISSION_DENIED`: the caller lacks a permission.
    PermissionDenied,
    /// `ERROR_UNKNOWN`: an unexpected failure.
    Unknown,
    /// `ERROR_BASE`: the base error class (unspecified failure).
    Base,
    /// `ERROR_INTERNAL_API`: a core service wraps an error of a service or plugin it called.
    InternalApi,
    /// `ERROR_NOT_SUPPORT_API`: the called API is not supported.
    NotSupportApi,
    /// `ERROR_GRPC_CONNECTION`: a server is unreachable.
    GrpcConnection,
    /// Any other code, kept verbatim (for example `ERROR_MATCH_RULE`).
    Other(String),
}

impl ErrorCode {
    /// The wire spelling, e.g. `"ERROR_NOT_FOUND"`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidArgument => "ERROR_INVALID_ARGUMENT",
            Self::RequiredParameter => "ERROR_REQUIRED_PARAMETER",
            Self::InvalidParameterType => "ERROR_INVALID_PARAMETER_TYPE",
            Self::InvalidParameter => "ERROR_INVALID_PARAMETER",
            Self::NotFound => "ERROR_NOT_FOUND",
            Self::NotUnique => "ERROR_NOT_UNIQUE",
            Self::AuthenticateFailure => "ERROR_AUTHENTICATE_FAILURE",
            Self::PermissionDenied => "ERROR_PERMISSION_DENIED",
            Self::Unknown => "ERROR_UNKNOWN",
            Self::Base => "ERROR_BASE",
            Self::InternalApi => "ERROR_INTERNAL_API",
            Self::NotSupportApi => "ERROR_NOT_SUPPORT_API",
            Self::GrpcConnection => "ERROR_GRPC_CONNECTION",
            Self::Other(code) => code,
        }
    }

    /// Parses a wire spelling; unknown strings become [`ErrorCode::Other`].
    pub fn from_wire(code: &str) -> Self {
        match code {
            "ERROR_INVALID_ARGUMENT" => Self::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER" => Self::RequiredParameter,
            "ERROR_INVALID_PARAMETER_TYPE" => Self::InvalidParameterType,
            "ERROR_INVALID_PARAMETER" => Self::InvalidParameter,
            "ERROR_NOT_FOUND" => Self::NotFound,
            "ERROR_NOT_UNIQUE" => Self::NotUnique,
            "ERROR_AUTHENTICATE_FAILURE" => Self::AuthenticateFailure,
            "ERROR_PERMISSION_DENIED" => Self::PermissionDenied,
            "ERROR_UNKNOWN" => Self::Unknown,
            "ERROR_BASE" => Self::Base,
            "ERROR_INTERNAL_API" => Self::InternalApi,
            "ERROR_NOT_SUPPORT_API" => Self::NotSupportApi,
            "ERROR_GRPC_CONNECTION" => Self::GrpcConnection,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The gRPC status code CloudForet uses for this error code (`INTERNAL` by default).
    pub fn grpc_code(&self) -> tonic::Code {
        match self {
            Self::InvalidArgument
            | Self::RequiredParameter
            | Self::InvalidParameterType
            | Self::InvalidParameter => tonic::Code::InvalidArgument,
            Self::NotFound => tonic::Code::NotFound,
            Self::NotUnique => tonic::Code::AlreadyExists,
            Self::AuthenticateFailure => tonic::Code::Unauthenticated,
            Self::PermissionDenied => tonic::Code::PermissionDenied,
            Self::GrpcConnection => tonic::Code::Unavailable,
            Self::Unknown
            | Self::Base
            | Self::InternalApi
            | Self::NotSupportApi
            | Self::Other(_) => tonic::Code::Internal,
        }
    }

    /// The error code a CloudForet service would raise for a bare gRPC status without an
    /// `ERROR_*` prefix in its message (for example a transport failure).
    pub fn from_grpc_code(code: tonic::Code) -> Self {
        match code {
            tonic::Code::InvalidArgument => Self::InvalidArgument,
            tonic::Code::NotFound => Self::NotFound,
            tonic::Code::AlreadyExists => Self::NotUnique,
            tonic::Code::Unauthenticated => Self::AuthenticateFailure,
            tonic::Code::PermissionDenied => Self::PermissionDenied,
            tonic::Code::Unavailable => Self::GrpcConnection,
            _ => Self::Unknown,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_wire(s))
    }
}

/// Splits a CloudForet status message `"ERROR_CODE: human text"` into code and text.
///
/// Follows CloudForet's client: the message must start with `ERROR_`; it is split on the first
/// `:`, and the text is trimmed. Returns `None` for any other message (then the gRPC status code
/// is all there is; see [`ErrorCode::from_grpc_code`]). A message that is just a code
/// (`"ERROR_UNKNOWN"`) yields that code and an empty text.
pub fn parse_status_message(message: &str) -> Option<(ErrorCode, &str)> {
    let message = message.trim_start();
    if !message.starts_with("ERROR_") {
        return None;
    }
    let (code, text) = match message.split_once(':') {
        Some((code, text)) => (code.trim(), text.trim()),
        None => (message.trim(), ""),
    };
    if code.is_empty() || code.contains(char::is_whitespace) {
        return None;
    }
    Some((ErrorCode::from_wire(code), text))
}

/// Formats a status message the way CloudForet does: `"ERROR_CODE: human text"`.
pub fn format_status_message(code: &ErrorCode, text: &str) -> String {
    format!("{code}: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_NAMED: [(ErrorCode, &str, tonic::Code); 13] = [
        (
            ErrorCode::InvalidArgument,
            "ERROR_INVALID_ARGUMENT",
            tonic::Code::InvalidArgument,
        ),
        (
            ErrorCode::RequiredParameter,
            "ERROR_REQUIRED_PARAMETER",
            tonic::Code::InvalidArgument,
        ),
        (
            ErrorCode::InvalidParameterType,
            "ERROR_INVALID_PARAMETER_TYPE",
            tonic::Code::InvalidArgument,
        ),
        (
            ErrorCode::InvalidParameter,
            "ERROR_INVALID_PARAMETER",
            tonic::Code::InvalidArgument,
        ),
        (
            ErrorCode::NotFound,
            "ERROR_NOT_FOUND",
            tonic::Code::NotFound,
        ),
        (
            ErrorCode::NotUnique,
            "ERROR_NOT_UNIQUE",
            tonic::Code::AlreadyExists,
        ),
        (
            ErrorCode::AuthenticateFailure,
            "ERROR_AUTHENTICATE_FAILURE",
            tonic::Code::Unauthenticated,
        ),
        (
            ErrorCode::PermissionDenied,
            "ERROR_PERMISSION_DENIED",
            tonic::Code::PermissionDenied,
        ),
        (ErrorCode::Unknown, "ERROR_UNKNOWN", tonic::Code::Internal),
        (ErrorCode::Base, "ERROR_BASE", tonic::Code::Internal),
        (
            ErrorCode::InternalApi,
            "ERROR_INTERNAL_API",
            tonic::Code::Internal,
        ),
        (
            ErrorCode::NotSupportApi,
            "ERROR_NOT_SUPPORT_API",
            tonic::Code::Internal,
        ),
        (
            ErrorCode::GrpcConnection,
            "ERROR_GRPC_CONNECTION",
            tonic::Code::Unavailable,
        ),
    ];

    #[test]
    fn wire_strings_round_trip_and_map_to_grpc_codes() {
        for (code, wire, grpc) in ALL_NAMED {
            assert_eq!(code.as_str(), wire);
            assert_eq!(code.to_string(), wire);
            assert_eq!(ErrorCode::from_wire(wire), code, "{wire}");
            assert_eq!(wire.parse::<ErrorCode>(), Ok(code.clone()));
            assert_eq!(code.grpc_code(), grpc, "{wire}");
        }
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        let code = ErrorCode::from_wire("ERROR_MATCH_RULE");
        assert_eq!(code, ErrorCode::Other("ERROR_MATCH_RULE".into()));
        assert_eq!(code.to_string(), "ERROR_MATCH_RULE");
        assert_eq!(code.grpc_code(), tonic::Code::Internal);
    }

    #[test]
    fn parses_code_and_text_on_first_colon() {
        let (code, text) =
            parse_status_message("ERROR_INVALID_PARAMETER: Parameter is invalid. (key = a:b)")
                .unwrap();
        assert_eq!(code, ErrorCode::InvalidParameter);
        assert_eq!(text, "Parameter is invalid. (key = a:b)");

        let (code, text) = parse_status_message("ERROR_UNKNOWN").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
        assert_eq!(text, "");
    }

    #[test]
    fn rejects_messages_without_error_prefix() {
        assert_eq!(parse_status_message("transport error"), None);
        assert_eq!(parse_status_message("error_not_found: x"), None);
        assert_eq!(parse_status_message(""), None);
        assert_eq!(parse_status_message("ERROR_ BAD CODE: x"), None);
    }

    #[test]
    fn formats_like_cloudforet() {
        assert_eq!(
            format_status_message(
                &ErrorCode::RequiredParameter,
                "Required parameter. (key = x)"
            ),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = x)"
        );
    }

    #[test]
    fn grpc_code_fallback() {
        assert_eq!(
            ErrorCode::from_grpc_code(tonic::Code::Unavailable),
            ErrorCode::GrpcConnection
        );
        assert_eq!(
            ErrorCode::from_grpc_code(tonic::Code::DeadlineExceeded),
            ErrorCode::Unknown
        );
        for (code, _, grpc) in ALL_NAMED {
            if matches!(
                code,
                ErrorCode::RequiredParameter
                    | ErrorCode::InvalidParameter
                    | ErrorCode::InvalidParameterType
                    | ErrorCode::Base
                    | ErrorCode::InternalApi
                    | ErrorCode::NotSupportApi
                    | ErrorCode::Unknown
            ) {
                continue;
            }
            assert_eq!(ErrorCode::from_grpc_code(grpc), code);
        }
    }
}
