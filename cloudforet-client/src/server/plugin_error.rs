//! [`PluginError`]: the error a plugin returns to CloudForet, and its one conversion into a
//! gRPC status.

use std::fmt;

use crate::error_code::ErrorCode;

/// An error a plugin service returns to CloudForet.
///
/// It carries a CloudForet [`ErrorCode`] and a human-readable message. Converting it into a
/// [`tonic::Status`] (with `?` or `.into()`) is the **only** place where the gRPC code and the
/// wire text are decided: the status code is [`ErrorCode::grpc_code`] and the status message is
/// `"ERROR_CODE: message"`, exactly what CloudForet's Python plugins send and what its core
/// services parse.
///
/// The constructors reproduce the message templates of CloudForet's Python framework, so the
/// console shows the same text as for any other plugin.
///
/// ```
/// use cloudforet_client::server::PluginError;
///
/// let status: tonic::Status = PluginError::required_parameter("secret_data.username").into();
/// assert_eq!(status.code(), tonic::Code::InvalidArgument);
/// assert_eq!(
///     status.message(),
///     "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data.username)"
/// );
/// ```
///
/// Never put a secret (password, token, secret_data value) into the message: it is shown in the
/// CloudForet console and stored in job records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    code: ErrorCode,
    message: String,
}

impl PluginError {
    /// An error with any code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `ERROR_INVALID_ARGUMENT` (gRPC `INVALID_ARGUMENT`) with a free-form message.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// `ERROR_REQUIRED_PARAMETER`: "Required parameter. (key = {key})".
    pub fn required_parameter(key: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::RequiredParameter,
            format!("Required parameter. (key = {key})"),
        )
    }

    /// `ERROR_INVALID_PARAMETER_TYPE`: "Parameter type is invalid. (key = {key}, type = {type})".
    pub fn invalid_parameter_type(key: impl fmt::Display, expected: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::InvalidParameterType,
            format!("Parameter type is invalid. (key = {key}, type = {expected})"),
        )
    }

    /// `ERROR_INVALID_PARAMETER`: "Parameter is invalid. (key = {key}, reason = {reason})".
    pub fn invalid_parameter(key: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::InvalidParameter,
            format!("Parameter is invalid. (key = {key}, reason = {reason})"),
        )
    }

    /// `ERROR_NOT_FOUND` (gRPC `NOT_FOUND`): "Value not found. ({key} = {value})".
    pub fn not_found(key: impl fmt::Display, value: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("Value not found. ({key} = {value})"),
        )
    }

    /// `ERROR_NOT_UNIQUE` (gRPC `ALREADY_EXISTS`):
    /// "Tried to save duplicate unique key. ({key} = {value})".
    pub fn not_unique(key: impl fmt::Display, value: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::NotUnique,
            format!("Tried to save duplicate unique key. ({key} = {value})"),
        )
    }

    /// `ERROR_AUTHENTICATE_FAILURE` (gRPC `UNAUTHENTICATED`):
    /// "Authenticate failure. (message = {message})". Use it when the credentials in
    /// `secret_data` are rejected by the system the plugin talks to.
    pub fn authenticate_failure(message: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::AuthenticateFailure,
            format!("Authenticate failure. (message = {message})"),
        )
    }

    /// `ERROR_PERMISSION_DENIED` (gRPC `PERMISSION_DENIED`): "Permission denied.".
    pub fn permission_denied() -> Self {
        Self::new(ErrorCode::PermissionDenied, "Permission denied.")
    }

    /// `ERROR_NOT_SUPPORT_API` (gRPC `INTERNAL`): the called API is not supported by this
    /// plugin, e.g. "Cost.get_linked_accounts is not supported.".
    pub fn not_support_api(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotSupportApi, message)
    }

    /// `ERROR_UNKNOWN` (gRPC `INTERNAL`) with a free-form message: any unexpected failure.
    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unknown, message)
    }

    /// The CloudForet error code.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The human-readable message (without the `ERROR_CODE: ` prefix).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The gRPC status code this error is sent with.
    pub fn grpc_code(&self) -> tonic::Code {
        self.code.grpc_code()
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PluginError {}

impl From<PluginError> for tonic::Status {
    fn from(err: PluginError) -> Self {
        tonic::Status::new(err.code.grpc_code(), err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(err: PluginError) -> (tonic::Code, String) {
        let s = tonic::Status::from(err);
        (s.code(), s.message().to_owned())
    }

    #[test]
    fn constructors_format_and_map_codes() {
        let cases = [
            (
                PluginError::invalid_argument("options.region is empty"),
                tonic::Code::InvalidArgument,
                "ERROR_INVALID_ARGUMENT: options.region is empty",
            ),
            (
                PluginError::required_parameter("secret_data.password"),
                tonic::Code::InvalidArgument,
                "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data.password)",
            ),
            (
                PluginError::invalid_parameter_type("options.port", "int"),
                tonic::Code::InvalidArgument,
                "ERROR_INVALID_PARAMETER_TYPE: Parameter type is invalid. (key = options.port, type = int)",
            ),
            (
                PluginError::invalid_parameter("start", "not YYYY-MM"),
                tonic::Code::InvalidArgument,
                "ERROR_INVALID_PARAMETER: Parameter is invalid. (key = start, reason = not YYYY-MM)",
            ),
            (
                PluginError::not_found("cluster_uuid", "abc"),
                tonic::Code::NotFound,
                "ERROR_NOT_FOUND: Value not found. (cluster_uuid = abc)",
            ),
            (
                PluginError::not_unique("name", "x"),
                tonic::Code::AlreadyExists,
                "ERROR_NOT_UNIQUE: Tried to save duplicate unique key. (name = x)",
            ),
            (
                PluginError::authenticate_failure("HTTP 401 from Prism Central"),
                tonic::Code::Unauthenticated,
                "ERROR_AUTHENTICATE_FAILURE: Authenticate failure. (message = HTTP 401 from Prism Central)",
            ),
            (
                PluginError::permission_denied(),
                tonic::Code::PermissionDenied,
                "ERROR_PERMISSION_DENIED: Permission denied.",
            ),
            (
                PluginError::not_support_api("Log.list is not supported."),
                tonic::Code::Internal,
                "ERROR_NOT_SUPPORT_API: Log.list is not supported.",
            ),
            (
                PluginError::unknown("boom"),
                tonic::Code::Internal,
                "ERROR_UNKNOWN: boom",
            ),
            (
                PluginError::new(ErrorCode::Other("ERROR_MATCH_RULE".into()), "no rule"),
                tonic::Code::Internal,
                "ERROR_MATCH_RULE: no rule",
            ),
        ];
        for (err, code, text) in cases {
            assert_eq!(err.to_string(), text);
            assert_eq!(err.grpc_code(), code, "{text}");
            assert_eq!(status(err), (code, text.to_owned()));
        }
    }

    #[test]
    fn wire_text_parses_back_to_code_and_message() {
        let err = PluginError::required_parameter("options.a");
        let s = tonic::Status::from(err.clone());
        let (code, text) = crate::error_code::parse_status_message(s.message()).unwrap();
        assert_eq!(&code, err.code());
        assert_eq!(text, err.message());
    }
}
