//! Parsing and normalising the Prism Central endpoint the user typed.

use url::Url;

use crate::error::{Error, Result};

/// The v3 API root below the endpoint.
pub(crate) const API_ROOT: &str = "/api/nutanix/v3/";

/// Prism Central's default HTTPS port.
pub const DEFAULT_PORT: u16 = 9440;

/// Parses what a user typed (`pc.example.com`, `pc.example.com:9440`, `https://pc.example.com:9440/`,
/// an IPv4 or bracketed IPv6 literal) into the normalised v3 base URL
/// `https://<host>:<port>/api/nutanix/v3/`.
///
/// Rules: scheme `https` (`http` only when `allow_http`), port 9440 when absent, a path of `/` or
/// exactly `/api/nutanix/v3` tolerated, anything else (other paths, query, fragment, user info,
/// empty host) rejected with [`Error::Config`].
pub(crate) fn parse_endpoint(input: &str, allow_http: bool) -> Result<Url> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::Config(
            "the Prism Central endpoint is empty; pass a host such as pc.example.com".into(),
        ));
    }
    // Never echo the input if it might carry credentials.
    let shown = if trimmed.contains('@') {
        "<endpoint with user info>".to_owned()
    } else {
        trimmed.to_owned()
    };
    let bad = |why: &str| Error::Config(format!("invalid Prism Central endpoint `{shown}`: {why}"));

    let with_scheme = match trimmed.find("://") {
        Some(_) => trimmed.to_owned(),
        None => format!("https://{trimmed}"),
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        bad(&format!(
            "{e}; expected host, host:port or https://host:port"
        ))
    })?;

    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => {
            return Err(bad(
                "plain http is refused; use https, or enable allow_http(true) for a simulator or a TLS-terminating proxy",
            ));
        }
        other => return Err(bad(&format!("unsupported scheme `{other}`; use https"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "credentials must not be part of the URL; use basic_auth, session_auth or api_key",
        ));
    }
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => return Err(bad("no host name")),
    };
    if url.query().is_some() {
        return Err(bad("a query string is not allowed"));
    }
    if url.fragment().is_some() {
        return Err(bad("a fragment is not allowed"));
    }
    let path = url.path().trim_end_matches('/');
    if !(path.is_empty() || path == API_ROOT.trim_end_matches('/')) {
        return Err(bad(
            "a path is not allowed; give only the host and optionally the port",
        ));
    }
    // `Url` hides a port equal to the scheme's default (443), so look at what was typed.
    let port = match url.port() {
        Some(p) => p,
        None if has_explicit_port(&with_scheme) => {
            url.port_or_known_default().unwrap_or(DEFAULT_PORT)
        }
        None => DEFAULT_PORT,
    };
    // `host_str` keeps the brackets of IPv6 literals.
    let base = format!("{}://{}:{}{}", url.scheme(), host, port, API_ROOT);
    Url::parse(&base).map_err(|e| bad(&e.to_string()))
}

/// Whether the authority of `url` (text after `://`) ends with `:<digits>`.
fn has_explicit_port(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let after_host = match host_port.rfind(']') {
        Some(i) => &host_port[i + 1..],
        None => host_port,
    };
    after_host
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_the_common_forms() {
        let cases = [
            (
                "pc.example.com",
                "https://pc.example.com:9440/api/nutanix/v3/",
            ),
            (
                "pc.example.com:9440",
                "https://pc.example.com:9440/api/nutanix/v3/",
            ),
            (
                "https://pc.example.com:9440/",
                "https://pc.example.com:9440/api/nutanix/v3/",
            ),
            (
                "https://pc/api/nutanix/v3",
                "https://pc:9440/api/nutanix/v3/",
            ),
            ("  10.0.0.5 ", "https://10.0.0.5:9440/api/nutanix/v3/"),
            // 443 is https's default, so the URL shows no port (but it is not 9440).
            ("[fd00::1]:443", "https://[fd00::1]/api/nutanix/v3/"),
            (
                "PC.Example.COM",
                "https://pc.example.com:9440/api/nutanix/v3/",
            ),
            ("https://pc:443", "https://pc/api/nutanix/v3/"),
            ("http://pc", "http://pc:9440/api/nutanix/v3/"),
            ("[::1]", "https://[::1]:9440/api/nutanix/v3/"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_endpoint(input, true).unwrap().as_str(),
                want,
                "input {input}"
            );
        }
    }

    #[test]
    fn http_needs_opt_in() {
        assert!(parse_endpoint("http://127.0.0.1:8080", false).is_err());
        assert_eq!(
            parse_endpoint("http://127.0.0.1:8080", true)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/api/nutanix/v3/"
        );
    }

    #[test]
    fn rejects_garbage_without_echoing_credentials() {
        for input in [
            "",
            "   ",
            "https://pc/other",
            "pc?x=1",
            "pc#frag",
            "ftp://pc",
            "https://",
            "https://a b",
        ] {
            let err = parse_endpoint(input, false).unwrap_err();
            assert!(err.is_config(), "{input}: {err}");
        }
        let err = parse_endpoint("https://admin:hunter2@pc", false).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
