//! Parsing CloudForet endpoint strings (`grpc://host:port`, `grpc+ssl://host:port`).

use std::fmt;

use crate::error::{Error, Result};

/// A validated core-service endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ServiceEndpoint {
    /// `true` for `grpc+ssl://`.
    pub(crate) tls: bool,
    /// `host:port` (IPv6 hosts in brackets).
    pub(crate) authority: String,
    /// The host alone (without brackets), used as the TLS server name.
    pub(crate) host: String,
}

impl ServiceEndpoint {
    /// Parses `grpc://host:port` (plaintext HTTP/2) or `grpc+ssl://host:port` (TLS), the two
    /// forms CloudForet uses in its configuration. The port is required; paths, queries and
    /// user info are rejected.
    pub(crate) fn parse(endpoint: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = endpoint.trim();
        let (tls, rest) = if let Some(rest) = trimmed.strip_prefix("grpc+ssl://") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("grpc://") {
            (false, rest)
        } else if trimmed.contains("://") {
            return Err(invalid("unsupported scheme"));
        } else {
            return Err(invalid("missing scheme"));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Err(invalid("missing host"));
        }
        if rest.contains(['/', '?', '#']) {
            return Err(invalid("a path, query or fragment is not allowed"));
        }
        if rest.contains('@') {
            return Err(invalid(
                "user info is not allowed (pass the token with `token(...)` instead)",
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && !port.contains(']') => (host, port),
            _ => {
                return Err(invalid(
                    "missing port (CloudForet core services listen on 50051)",
                ));
            }
        };
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| invalid("port must be a number between 1 and 65535"))?;
        let bare_host = if let Some(inner) = host.strip_prefix('[') {
            inner
                .strip_suffix(']')
                .filter(|h| !h.is_empty())
                .ok_or_else(|| invalid("unbalanced brackets around an IPv6 host"))?
        } else if host.contains([':', '[', ']']) {
            return Err(invalid(
                "IPv6 hosts must be written in brackets, e.g. `[::1]:50051`",
            ));
        } else {
            host
        };
        if bare_host.contains(char::is_whitespace) {
            return Err(invalid("the host contains whitespace"));
        }
        Ok(Self {
            tls,
            authority: format!("{host}:{port}"),
            host: bare_host.to_owned(),
        })
    }

    /// The URI tonic dials (`http://` or `https://`).
    pub(crate) fn uri(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.authority)
    }
}

impl fmt::Display for ServiceEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "grpc+ssl" } else { "grpc" };
        write!(f, "{scheme}://{}", self.authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cloudforet_forms() {
        let cases = [
            (
                "grpc://inventory:50051",
                false,
                "inventory:50051",
                "inventory",
            ),
            (
                "grpc://127.0.0.1:50051/",
                false,
                "127.0.0.1:50051",
                "127.0.0.1",
            ),
            (
                " grpc+ssl://cf.example.com:443 ",
                true,
                "cf.example.com:443",
                "cf.example.com",
            ),
            ("grpc://[::1]:50051", false, "[::1]:50051", "::1"),
        ];
        for (input, tls, authority, host) in cases {
            let ep = ServiceEndpoint::parse(input).unwrap();
            assert_eq!(ep.tls, tls, "{input}");
            assert_eq!(ep.authority, authority, "{input}");
            assert_eq!(ep.host, host, "{input}");
        }
        assert_eq!(
            ServiceEndpoint::parse("grpc+ssl://h:1").unwrap().uri(),
            "https://h:1"
        );
        assert_eq!(
            ServiceEndpoint::parse("grpc://h:1").unwrap().to_string(),
            "grpc://h:1"
        );
    }

    #[test]
    fn rejects_bad_endpoints_with_a_reason() {
        let cases = [
            ("inventory:50051", "missing scheme"),
            ("http://inventory:50051", "unsupported scheme"),
            ("grpc://", "missing host"),
            ("grpc://inventory", "missing port"),
            ("grpc://inventory:", "port must be"),
            ("grpc://inventory:0", "port must be"),
            ("grpc://inventory:99999", "port must be"),
            ("grpc://inventory:50051/v1", "path"),
            ("grpc://user:pw@inventory:50051", "user info"),
            ("grpc://::1:50051", "brackets"),
            ("grpc://[::1:50051", "unbalanced brackets"),
            ("grpc://:50051", "missing port"),
        ];
        for (input, reason) in cases {
            match ServiceEndpoint::parse(input) {
                Err(Error::InvalidEndpoint {
                    endpoint,
                    reason: r,
                }) => {
                    assert_eq!(endpoint, input);
                    assert!(r.contains(reason), "{input}: {r}");
                }
                other => panic!("{input}: expected InvalidEndpoint, got {other:?}"),
            }
        }
    }
}
