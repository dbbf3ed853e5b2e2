//! Secret data: the Prism Central address(es) and credentials CloudForet passes as `secret_data`.
//!
//! One Prism Central:
//!
//! ```json
//! {"host": "pc.example.com", "port": 9440, "username": "admin", "password": "...",
//!  "verify_ssl": true, "ca_cert_pem": "-----BEGIN CERTIFICATE-----..."}
//! ```
//!
//! or several: `{"prism_centrals": [{...}, {...}]}`. Keys and aliases: `host` / `nutanix_host`
//! (a host name, `host:port` or a full URL), `port` / `nutanix_port` (default 9440; a number or a
//! numeric string), `username` / `nutanix_username` with `password` / `nutanix_password`, or
//! `api_key` (never both), `verify_ssl` (default `true`; a boolean or `"true"`/`"false"`),
//! `ca_cert_pem` (optional PEM bundle). `http://` URLs are accepted with a logged warning (for
//! simulators and TLS-terminating proxies). Unknown keys are ignored.
//!
//! Errors are [`PluginError`]s naming the key (`prism_centrals[1].host` in the list form): a
//! missing key is `ERROR_REQUIRED_PARAMETER`, a wrong type or bad value `ERROR_INVALID_ARGUMENT`.
//! No message, log line or `Debug` output ever contains a password or API key.

use std::fmt;

use cloudforet_client::server::PluginError;
use prost_types::Struct;
use secrecy::SecretString;
use serde_json::{Map, Value};

/// Default Prism Central port.
pub const DEFAULT_PORT: u16 = 9440;

/// Longest accepted `host` value (a URL with a 253-character DNS name fits easily).
pub const MAX_HOST_LEN: usize = 1024;

/// How to authenticate against one Prism Central. `Debug` redacts the secret.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// User name and password (HTTP Basic, then a session cookie).
    Password {
        /// The user name.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// An API key (`X-Ntnx-Api-Key`).
    ApiKey(SecretString),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::ApiKey(_) => f.debug_tuple("ApiKey").field(&"<redacted>").finish(),
        }
    }
}

/// One Prism Central entry of the secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PrismCentralSecret {
    /// 0-based position in the secret (0 for the single form).
    pub index: usize,
    /// The key prefix used in error messages (`""` or `prism_centrals[1].`).
    pub key_prefix: String,
    /// The host as configured (host name, `host:port` or URL), trimmed.
    pub host: String,
    /// The explicit `port`, if given.
    pub port: Option<u16>,
    /// Credentials.
    pub credentials: Credentials,
    /// Whether to verify the TLS certificate (default `true`).
    pub verify_ssl: bool,
    /// Extra CA certificates (PEM), if given.
    pub ca_cert_pem: Option<String>,
}

impl PrismCentralSecret {
    /// Whether the configured address uses plain `http://`.
    pub fn is_plain_http(&self) -> bool {
        self.host
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    }

    /// The endpoint handed to the Prism client: the configured host with the explicit port
    /// applied when the host does not carry one.
    pub fn endpoint(&self) -> String {
        let Some(port) = self.port else {
            return self.host.clone();
        };
        let (scheme, rest) = match self.host.find("://") {
            Some(i) => (&self.host[..i + 3], &self.host[i + 3..]),
            None => ("", self.host.as_str()),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        let has_port = if authority.starts_with('[') {
            authority.contains("]:")
        } else {
            authority.contains(':')
        };
        if has_port {
            self.host.clone()
        } else {
            format!("{scheme}{authority}:{port}{path}")
        }
    }

    /// A label for messages and metrics: the address without scheme or path
    /// (`pc.example.com:9440`); never contains a credential.
    pub fn address(&self) -> String {
        let pc = collector_core::context::PrismCentral::new(&self.endpoint());
        if pc.host.is_empty() {
            format!("#{}", self.index)
        } else {
            format!("{}:{}", pc.host, pc.port)
        }
    }

    /// `"Prism Central #<index> (<address>)"`, used to say which Prism Central failed.
    pub fn label(&self) -> String {
        format!("Prism Central #{} ({})", self.index, self.address())
    }

    /// The full key name of `key` in this entry (`prism_centrals[1].host`).
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.key_prefix)
    }
}

/// The parsed secret data: one or more Prism Centrals.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SecretData {
    /// The Prism Centrals, in secret order (at least one).
    pub prism_centrals: Vec<PrismCentralSecret>,
}

impl SecretData {
    /// Parses `secret_data` as received in a request (`None` counts as missing).
    ///
    /// # Errors
    /// As [`SecretData::from_json`].
    pub fn from_struct(secret_data: Option<&Struct>) -> Result<Self, PluginError> {
        let json = secret_data
            .map(cloudforet_client::value::struct_ref_to_json)
            .unwrap_or(Value::Null);
        Self::from_json(&json)
    }

    /// Parses secret data given as JSON.
    ///
    /// # Errors
    /// `ERROR_REQUIRED_PARAMETER` naming a missing key (`secret_data` when it is empty,
    /// `host`, `username`, ...); `ERROR_INVALID_ARGUMENT` naming the key of a wrong type or
    /// value, or both `api_key` and `password`. Messages never contain a secret value.
    pub fn from_json(secret_data: &Value) -> Result<Self, PluginError> {
        let map = match secret_data {
            Value::Object(m) if !m.is_empty() => m,
            Value::Null => return Err(PluginError::required_parameter("secret_data")),
            Value::Object(_) => return Err(PluginError::required_parameter("secret_data.host")),
            _ => return Err(type_error("secret_data", "object")),
        };
        let prism_centrals = match map.get("prism_centrals") {
            None | Some(Value::Null) => vec![parse_entry(map, 0, String::new())?],
            Some(Value::Array(items)) => {
                if items.is_empty() {
                    return Err(PluginError::invalid_argument(
                        "Parameter is invalid. (key = prism_centrals, reason = must list at least one Prism Central)",
                    ));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let prefix = format!("prism_centrals[{i}].");
                        match item {
                            Value::Object(m) => parse_entry(m, i, prefix),
                            _ => Err(type_error(&format!("prism_centrals[{i}]"), "object")),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(type_error("prism_centrals", "list")),
        };
        for pc in &prism_centrals {
            if pc.is_plain_http() {
                tracing::warn!(
                    prism_central = %pc.address(),
                    "{} uses plain http://: credentials travel unencrypted; use it only for a simulator or a TLS-terminating proxy",
                    pc.key("host")
                );
            }
        }
        Ok(Self { prism_centrals })
    }
}

fn type_error(key: &str, expected: &str) -> PluginError {
    PluginError::invalid_argument(format!(
        "Parameter type is invalid. (key = {key}, type = {expected})"
    ))
}

fn invalid(key: &str, reason: &str) -> PluginError {
    PluginError::invalid_argument(format!(
        "Parameter is invalid. (key = {key}, reason = {reason})"
    ))
}

/// The first present (non-null) of `names`, with the name it was found under.
fn lookup<'m>(
    map: &'m Map<String, Value>,
    names: &[&'static str],
) -> Option<(&'static str, &'m Value)> {
    names
        .iter()
        .find_map(|n| map.get(*n).filter(|v| !v.is_null()).map(|v| (*n, v)))
}

fn string(
    map: &Map<String, Value>,
    names: &[&'static str],
    prefix: &str,
) -> Result<Option<String>, PluginError> {
    match lookup(map, names) {
        None => Ok(None),
        Some((name, Value::String(s))) => {
            if s.trim().is_empty() {
                Err(PluginError::required_parameter(format!("{prefix}{name}")))
            } else {
                Ok(Some(s.clone()))
            }
        }
        Some((name, _)) => Err(type_error(&format!("{prefix}{name}"), "string")),
    }
}

fn parse_entry(
    map: &Map<String, Value>,
    index: usize,
    prefix: String,
) -> Result<PrismCentralSecret, PluginError> {
    let host = string(map, &["host", "nutanix_host"], &prefix)?
        .ok_or_else(|| PluginError::required_parameter(format!("{prefix}host")))?
        .trim()
        .to_owned();
    if host.chars().any(char::is_whitespace) {
        return Err(invalid(&format!("{prefix}host"), "must not contain spaces"));
    }
    // Error messages quote the address; an absurd value must not make them absurd too (a 1 MB
    // host overflowed the gRPC status header).
    if host.len() > MAX_HOST_LEN {
        return Err(invalid(
            &format!("{prefix}host"),
            &format!("longer than {MAX_HOST_LEN} characters"),
        ));
    }
    let port = match lookup(map, &["port", "nutanix_port"]) {
        None => None,
        Some((name, v)) => {
            let key = format!("{prefix}{name}");
            let n = match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => return Err(type_error(&key, "integer")),
            };
            match n.and_then(|n| u16::try_from(n).ok()).filter(|n| *n > 0) {
                Some(p) => Some(p),
                None => return Err(invalid(&key, "must be a port number from 1 to 65535")),
            }
        }
    };
    let verify_ssl = match lookup(map, &["verify_ssl", "nutanix_verify_ssl"]) {
        None => true,
        Some((_, Value::Bool(b))) => *b,
        Some((name, Value::String(s))) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => return Err(type_error(&format!("{prefix}{name}"), "boolean")),
        },
        Some((name, _)) => return Err(type_error(&format!("{prefix}{name}"), "boolean")),
    };
    let ca_cert_pem = string(map, &["ca_cert_pem"], &prefix)?;
    if let Some(pem) = &ca_cert_pem
        && !pem.contains("-----BEGIN CERTIFICATE-----")
    {
        return Err(invalid(
            &format!("{prefix}ca_cert_pem"),
            "must be a PEM certificate bundle (-----BEGIN CERTIFICATE-----)",
        ));
    }
    let username = string(map, &["username", "nutanix_username"], &prefix)?;
    let password = string(map, &["password", "nutanix_password"], &prefix)?;
    let api_key = string(map, &["api_key", "nutanix_api_key"], &prefix)?;
    let credentials = match (username, password, api_key) {
        (_, Some(_), Some(_)) => {
            return Err(invalid(
                &format!("{prefix}api_key"),
                "give either api_key or username and password, not both",
            ));
        }
        (None, None, Some(key)) => Credentials::ApiKey(SecretString::from(key)),
        (Some(_), None, Some(_)) => {
            return Err(invalid(
                &format!("{prefix}api_key"),
                "give either api_key or username and password, not both",
            ));
        }
        (Some(username), Some(password), None) => Credentials::Password {
            username,
            password: SecretString::from(password),
        },
        (None, Some(_), None) => {
            return Err(PluginError::required_parameter(format!("{prefix}username")));
        }
        (Some(_), None, None) => {
            return Err(PluginError::required_parameter(format!("{prefix}password")));
        }
        (None, None, None) => {
            return Err(PluginError::required_parameter(format!(
                "{prefix}password (or {prefix}api_key)"
            )));
        }
    };
    Ok(PrismCentralSecret {
        index,
        key_prefix: prefix,
        host,
        port,
        credentials,
        verify_ssl,
        ca_cert_pem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudforet_client::error_code::ErrorCode;
    use serde_json::json;

    const PW: &str = "s3cr3t-Pa55";

    fn err(v: Value) -> PluginError {
        SecretData::from_json(&v).expect_err("must fail")
    }

    #[test]
    fn single_entry_with_aliases_and_defaults() {
        let s = SecretData::from_json(&json!({
            "nutanix_host": "pc.example.com", "nutanix_port": "9441",
            "nutanix_username": "admin", "nutanix_password": PW, "extra": 1
        }))
        .unwrap();
        let pc = &s.prism_centrals[0];
        assert_eq!(pc.endpoint(), "pc.example.com:9441");
        assert_eq!(pc.label(), "Prism Central #0 (pc.example.com:9441)");
        assert!(pc.verify_ssl);
        assert!(
            matches!(&pc.credentials, Credentials::Password { username, .. } if username == "admin")
        );
        let debug = format!("{s:?}");
        assert!(!debug.contains(PW), "{debug}");
    }

    #[test]
    fn list_form_and_url_hosts() {
        let s = SecretData::from_json(&json!({"prism_centrals": [
            {"host": "http://127.0.0.1:8080", "username": "a", "password": PW},
            {"host": "https://pc2/", "port": 9443, "api_key": "k", "verify_ssl": "false"},
            {"host": "[fd00::1]", "port": 1, "api_key": "k"}
        ]}))
        .unwrap();
        let pcs = &s.prism_centrals;
        assert_eq!(pcs.len(), 3);
        assert!(pcs[0].is_plain_http());
        assert_eq!(pcs[0].endpoint(), "http://127.0.0.1:8080");
        assert_eq!(pcs[1].endpoint(), "https://pc2:9443/");
        assert!(!pcs[1].verify_ssl);
        assert_eq!(pcs[2].endpoint(), "[fd00::1]:1");
        assert_eq!(pcs[1].key("host"), "prism_centrals[1].host");
        assert!(!format!("{pcs:?}").contains("\"k\""));
    }

    #[test]
    fn error_table() {
        let cases: Vec<(Value, ErrorCode, &str)> = vec![
            (Value::Null, ErrorCode::RequiredParameter, "secret_data"),
            (
                json!({"username": "a", "password": PW}),
                ErrorCode::RequiredParameter,
                "key = host",
            ),
            (
                json!({"host": 5, "username": "a", "password": PW}),
                ErrorCode::InvalidArgument,
                "key = host",
            ),
            (
                json!({"host": "pc", "port": "x", "username": "a", "password": PW}),
                ErrorCode::InvalidArgument,
                "key = port",
            ),
            (
                json!({"host": "pc", "port": 70000, "username": "a", "password": PW}),
                ErrorCode::InvalidArgument,
                "key = port",
            ),
            (
                json!({"host": "pc", "port": [1], "username": "a", "password": PW}),
                ErrorCode::InvalidArgument,
                "key = port",
            ),
            (
                json!({"host": "pc", "username": "a"}),
                ErrorCode::RequiredParameter,
                "key = password",
            ),
            (
                json!({"host": "pc", "password": PW}),
                ErrorCode::RequiredParameter,
                "key = username",
            ),
            (
                json!({"host": "pc", "username": "a", "password": PW, "api_key": "k"}),
                ErrorCode::InvalidArgument,
                "key = api_key",
            ),
            (
                json!({"host": "pc", "username": "a", "password": 123}),
                ErrorCode::InvalidArgument,
                "key = password",
            ),
            (
                json!({"host": "pc", "username": "a", "password": PW, "verify_ssl": "maybe"}),
                ErrorCode::InvalidArgument,
                "key = verify_ssl",
            ),
            (
                json!({"host": "pc", "username": "a", "password": PW, "ca_cert_pem": "nope"}),
                ErrorCode::InvalidArgument,
                "key = ca_cert_pem",
            ),
            (
                json!({"prism_centrals": "pc"}),
                ErrorCode::InvalidArgument,
                "key = prism_centrals",
            ),
            (
                json!({"prism_centrals": []}),
                ErrorCode::InvalidArgument,
                "key = prism_centrals",
            ),
            (
                json!({"prism_centrals": [{"host": "a", "api_key": "k"}, {"username": "u", "password": PW}]}),
                ErrorCode::RequiredParameter,
                "key = prism_centrals[1].host",
            ),
        ];
        for (input, code, needle) in cases {
            let e = err(input.clone());
            assert_eq!(e.code(), &code, "{input}: {e}");
            assert!(e.message().contains(needle), "{input}: {e}");
            assert!(!e.message().contains(PW), "{input}: {e}");
        }
    }
}
