//! Prism v3 error bodies, in every shape seen in the wild.

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;

string_enum! {
    /// `message_list[].reason` of a v3 error (the spec lists about 90 values; the common ones are
    /// named here, the rest are kept verbatim in `Unknown`).
    pub enum ErrorReason {
        /// The caller lacks the permission.
        AccessDenied => "ACCESS_DENIED",
        /// The caller is not allowed to see the resource.
        AccessForbidden => "ACCESS_FORBIDDEN",
        /// Missing or expired credentials.
        AuthenticationRequired => "AUTHENTICATION_REQUIRED",
        /// The entity does not exist.
        EntityNotFound => "ENTITY_NOT_FOUND",
        /// The entity could not be read (seen when a v3 client talks to Prism Element).
        EntityReadError => "ENTITY_READ_ERROR",
        /// The request body or parameters are invalid.
        InvalidRequest => "INVALID_REQUEST",
        /// A UUID in the request is malformed.
        InvalidUuid => "INVALID_UUID",
        /// Server-side failure.
        InternalError => "INTERNAL_ERROR",
        /// Another request is modifying the same entity.
        ConcurrentRequestsNotAllowed => "CONCURRENT_REQUESTS_NOT_ALLOWED",
        /// Rate limited.
        TooManyRequests => "TOO_MANY_REQUESTS",
        /// The service is temporarily unavailable.
        ServiceUnavailable => "SERVICE_UNAVAILABLE",
        /// Not enough resources to satisfy the request.
        ResourceShortage => "RESOURCE_SHORTAGE",
        /// The search backend failed to process results.
        SearchResultProcessingError => "SEARCH_RESULT_PROCESSING_ERROR",
        /// Validation of the request failed.
        ValidationError => "VALIDATION_ERROR",
        /// A category value does not exist under the given category name.
        CategoryNameValueMismatch => "CATEGORY_NAME_VALUE_MISMATCH",
    }
}

/// One entry of `message_list` (errors, and `status.message_list` of entities in `ERROR` state).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ErrorMessage {
    /// Human-readable message.
    #[serde(deserialize_with = "de::text")]
    pub message: Option<String>,
    /// Machine-readable reason.
    #[serde(deserialize_with = "de::enumeration")]
    pub reason: Option<ErrorReason>,
    /// Extra details, **polymorphic** on the wire: a string, a map of strings, or a map of lists
    /// of strings; kept as raw JSON.
    pub details: Option<serde_json::Value>,
}

/// A Prism error body. Decodes every known shape:
///
/// - the v3 body `{api_version, code, kind, state: "ERROR", message_list: [...]}` (any field may
///   be missing);
/// - the generic status body `{status: "failure", code, reason, message, details}`;
/// - bodies with a top-level `message` or `message_info`.
///
/// All fields are optional, so even `{}` decodes; use [`ErrorResponse::is_error`] to tell a
/// real error body from an unrelated JSON object.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// API version, usually `"3.1"`.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// HTTP-like status code echoed in the body (numeric strings accepted).
    #[serde(deserialize_with = "de::int")]
    pub code: Option<i64>,
    /// Entity kind the request was about.
    #[serde(deserialize_with = "de::text")]
    pub kind: Option<String>,
    /// `"ERROR"` for v3 errors.
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// The v3 messages.
    #[serde(deserialize_with = "de::list")]
    pub message_list: Vec<ErrorMessage>,
    /// Generic shape: `"failure"`.
    #[serde(deserialize_with = "de::text")]
    pub status: Option<String>,
    /// Generic shape: the reason.
    #[serde(deserialize_with = "de::enumeration")]
    pub reason: Option<ErrorReason>,
    /// Generic shape or top-level message.
    #[serde(deserialize_with = "de::text")]
    pub message: Option<String>,
    /// Top-level `message_info`, kept as raw JSON.
    pub message_info: Option<serde_json::Value>,
    /// Generic shape: details, kept as raw JSON.
    pub details: Option<serde_json::Value>,
}

/// Longest text [`ErrorResponse::summary`] returns, in characters (an ellipsis marks the cut).
pub const SUMMARY_MAX_CHARS: usize = 300;

impl ErrorResponse {
    /// Whether the body looks like an error: `state == "ERROR"`, `status == "failure"`, a
    /// non-empty `message_list`, or a top-level `message`/`message_info`/`reason`.
    pub fn is_error(&self) -> bool {
        self.state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("ERROR"))
            || self
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
            || !self.message_list.is_empty()
            || self.message.is_some()
            || self.message_info.is_some()
            || self.reason.is_some()
    }

    /// The first message: `message_list[0].message`, else the top-level `message`, else
    /// `message_info` when it is a string (or an object with a string `message`).
    pub fn first_message(&self) -> Option<&str> {
        self.message_list
            .iter()
            .find_map(|m| m.message.as_deref().filter(|s| !s.is_empty()))
            .or(self.message.as_deref())
            .or_else(|| match &self.message_info {
                Some(serde_json::Value::String(s)) => Some(s.as_str()),
                Some(serde_json::Value::Object(o)) => {
                    o.get("message").and_then(serde_json::Value::as_str)
                }
                _ => None,
            })
    }

    /// The first reason: `message_list[].reason` first, else the generic top-level `reason`.
    pub fn first_reason(&self) -> Option<&ErrorReason> {
        self.message_list
            .iter()
            .find_map(|m| m.reason.as_ref())
            .or(self.reason.as_ref())
    }

    /// The first `details`: from `message_list`, else top-level.
    pub fn first_details(&self) -> Option<&serde_json::Value> {
        self.message_list
            .iter()
            .find_map(|m| m.details.as_ref())
            .or(self.details.as_ref())
    }

    /// Concise human text: `"REASON: message"`, `"REASON"`, `"message"`, or a string `details`
    /// when nothing else is present; `"no error message in body"` for an empty body. Control
    /// characters are replaced by spaces and the result is at most [`SUMMARY_MAX_CHARS`]
    /// characters.
    pub fn summary(&self) -> String {
        let message = self
            .first_message()
            .or_else(|| self.first_details().and_then(serde_json::Value::as_str));
        let text = match (self.first_reason(), message) {
            (Some(r), Some(m)) => format!("{r}: {m}"),
            (Some(r), None) => r.to_string(),
            (None, Some(m)) => m.to_owned(),
            (None, None) => "no error message in body".to_owned(),
        };
        truncate_chars(&text, SUMMARY_MAX_CHARS)
    }
}

/// Replaces control characters and cuts `text` to `max` characters, ending with `…` when cut.
fn truncate_chars(text: &str, max: usize) -> String {
    let clean = text.chars().map(|c| if c.is_control() { ' ' } else { c });
    if text.chars().count() <= max {
        return clean.collect();
    }
    let mut out: String = clean.take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> ErrorResponse {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn v3_body_with_string_details() {
        let e = decode(
            r#"{"state":"ERROR","code":401,"message_list":[{"message":"Authentication required.",
                "reason":"AUTHENTICATION_REQUIRED","details":"Basic realm=\"Intent Gateway Login Required\""}]}"#,
        );
        assert!(e.is_error());
        assert_eq!(e.first_reason(), Some(&ErrorReason::AuthenticationRequired));
        assert_eq!(
            e.summary(),
            "AUTHENTICATION_REQUIRED: Authentication required."
        );
        assert!(e.first_details().unwrap().is_string());
    }

    #[test]
    fn details_as_map_of_lists_and_unknown_reason() {
        let e = decode(
            r#"{"code":"422","message_list":[{"reason":"SOMETHING_NEW","details":{"":["bad field"]}}]}"#,
        );
        assert_eq!(e.code, Some(422));
        assert_eq!(
            e.first_reason(),
            Some(&ErrorReason::Unknown("SOMETHING_NEW".into()))
        );
        assert_eq!(e.first_message(), None);
        assert_eq!(e.summary(), "SOMETHING_NEW");
        assert_eq!(e.first_details().unwrap()[""][0], "bad field");
    }

    #[test]
    fn generic_status_shape() {
        let e = decode(
            r#"{"status":"failure","code":500,"reason":"INTERNAL_ERROR","message":"boom","details":{}}"#,
        );
        assert!(e.is_error());
        assert_eq!(e.summary(), "INTERNAL_ERROR: boom");
    }

    #[test]
    fn message_info_and_empty_bodies() {
        assert_eq!(
            decode(r#"{"message_info":"try later"}"#).first_message(),
            Some("try later")
        );
        assert_eq!(
            decode(r#"{"message_info":{"message":"nested"}}"#).first_message(),
            Some("nested")
        );
        let empty = decode("{}");
        assert!(!empty.is_error());
        assert_eq!(empty.summary(), "no error message in body");
        assert!(!decode(r#"{"api_version":"3.1","entities":[]}"#).is_error());
    }

    #[test]
    fn summary_is_bounded_and_single_line() {
        let long = "x".repeat(1000);
        let e = decode(&format!(r#"{{"message":"line1\nline2 {long}"}}"#));
        let s = e.summary();
        assert_eq!(s.chars().count(), SUMMARY_MAX_CHARS);
        assert!(s.ends_with('…'));
        assert!(!s.contains('\n'));
        let short = decode(r#"{"message":"é"}"#).summary();
        assert_eq!(short, "é");
    }
}
