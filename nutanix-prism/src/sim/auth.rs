//! Authentication: HTTP Basic, the `X-ntnx-api-key` header, and session cookies.

use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderMap;

use super::rng::hash3;

/// Name of the session cookie the simulator issues.
pub const SESSION_COOKIE: &str = "NTNX_IAM_SESSION";

/// Lifetime of a session (Prism Central: about 15 minutes).
pub(crate) const SESSION_SECS: u64 = 15 * 60;

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Principal {
    /// HTTP Basic with the configured user: a new session cookie is issued.
    Basic,
    /// The `X-ntnx-api-key` header: a new session cookie is issued.
    ApiKey,
    /// A valid session cookie.
    Session,
}

/// Credentials and the session signer.
pub(crate) struct Authenticator {
    username: String,
    password: String,
    api_key: Option<String>,
    secret: u64,
    next_session: AtomicU64,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub(crate) fn new(
        username: String,
        password: String,
        api_key: Option<String>,
        secret: u64,
    ) -> Self {
        Self {
            username,
            password,
            api_key,
            secret,
            next_session: AtomicU64::new(1),
        }
    }

    /// The configured user name (`/users/me`).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// Checks the request's credentials at Unix time `now`.
    pub(crate) fn check(&self, headers: &HeaderMap, now: u64) -> Option<Principal> {
        if let Some(value) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            && let Some(encoded) = value
                .strip_prefix("Basic ")
                .or_else(|| value.strip_prefix("basic "))
            && let Some(decoded) = base64_decode(encoded.trim())
            && let Ok(text) = String::from_utf8(decoded)
            && let Some((user, pass)) = text.split_once(':')
            && eq_ct(user, &self.username)
            && eq_ct(pass, &self.password)
        {
            return Some(Principal::Basic);
        }
        if let Some(expected) = &self.api_key
            && let Some(given) = headers.get("x-ntnx-api-key").and_then(|v| v.to_str().ok())
            && eq_ct(given.trim(), expected)
        {
            return Some(Principal::ApiKey);
        }
        for cookie_header in headers.get_all(http::header::COOKIE) {
            let Ok(text) = cookie_header.to_str() else {
                continue;
            };
            for pair in text.split(';') {
                if let Some((name, value)) = pair.trim().split_once('=')
                    && name == SESSION_COOKIE
                    && self.session_valid(value, now)
                {
                    return Some(Principal::Session);
                }
            }
        }
        None
    }

    /// A new session token issued at `now`.
    pub(crate) fn new_session(&self, now: u64) -> String {
        let n = self.next_session.fetch_add(1, Ordering::Relaxed);
        format!("{now:x}.{n:x}.{:016x}", hash3(self.secret, now, n))
    }

    fn session_valid(&self, token: &str, now: u64) -> bool {
        let mut parts = token.split('.');
        let (Some(issued), Some(n), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let (Ok(issued), Ok(n), Ok(mac)) = (
            u64::from_str_radix(issued, 16),
            u64::from_str_radix(n, 16),
            u64::from_str_radix(mac, 16),
        ) else {
            return false;
        };
        mac == hash3(self.secret, issued, n)
            && now < issued.saturating_add(SESSION_SECS)
            && issued <= now + 60
    }
}

/// Compares two strings without an early exit on the first differing byte.
fn eq_ct(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Decodes standard base64 (with or without padding).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in bytes {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(
            base64_decode("YWRtaW46bnV0YW5peC80dQ==").unwrap(),
            b"admin:nutanix/4u"
        );
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn basic_key_and_session() {
        let auth = Authenticator::new("admin".into(), "nutanix/4u".into(), Some("k3y".into()), 5);
        assert_eq!(
            auth.check(
                &headers(&[("authorization", "Basic YWRtaW46bnV0YW5peC80dQ==")]),
                100
            ),
            Some(Principal::Basic)
        );
        assert_eq!(
            auth.check(
                &headers(&[("authorization", "Basic YWRtaW46d3Jvbmc=")]),
                100
            ),
            None
        );
        assert_eq!(
            auth.check(&headers(&[("X-Ntnx-Api-Key", "k3y")]), 100),
            Some(Principal::ApiKey)
        );
        assert_eq!(
            auth.check(&headers(&[("x-ntnx-api-key", "nope")]), 100),
            None
        );
        let token = auth.new_session(1000);
        let cookie = format!("other=1; {SESSION_COOKIE}={token}");
        assert_eq!(
            auth.check(&headers(&[("cookie", &cookie)]), 1000 + 10),
            Some(Principal::Session)
        );
        assert_eq!(
            auth.check(&headers(&[("cookie", &cookie)]), 1000 + SESSION_SECS),
            None,
            "expired"
        );
        let forged = format!("{SESSION_COOKIE}={}", token.replace('.', "-"));
        assert_eq!(auth.check(&headers(&[("cookie", &forged)]), 1000), None);
        assert_eq!(auth.check(&HeaderMap::new(), 1000), None);
    }

    #[test]
    fn debug_redacts() {
        let auth = Authenticator::new(
            "admin".into(),
            "s3cret-pw".into(),
            Some("s3cret-key".into()),
            5,
        );
        let text = format!("{auth:?}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
