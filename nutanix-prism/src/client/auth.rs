//! Credentials and session state. Secrets live in `SecretString` and never reach `Debug`.

use std::fmt;
use std::sync::{Arc, RwLock};

use http::HeaderValue;
use reqwest::cookie::{CookieStore, Jar};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Header carrying a Prism API key.
pub(crate) const API_KEY_HEADER: &str = "X-ntnx-api-key";

/// How requests are authenticated.
#[derive(Clone, Default)]
pub(crate) enum Auth {
    /// No credentials (simulators, tests).
    #[default]
    None,
    /// HTTP Basic on every request.
    Basic {
        user: String,
        password: SecretString,
    },
    /// `X-ntnx-api-key` header on every request.
    ApiKey(SecretString),
    /// Basic once at login (`GET /users/me`), then session cookies; re-login once on 401.
    Session {
        user: String,
        password: SecretString,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("password", &"[REDACTED]")
                .finish(),
            Auth::ApiKey(_) => f.debug_tuple("ApiKey").field(&"[REDACTED]").finish(),
            Auth::Session { user, .. } => f
                .debug_struct("Session")
                .field("user", user)
                .field("password", &"[REDACTED]")
                .finish(),
        }
    }
}

impl Auth {
    /// What to check when Prism answers 401.
    pub(crate) fn hint(&self) -> &'static str {
        match self {
            Auth::None => {
                "the client has no credentials; configure basic_auth, session_auth or api_key"
            }
            Auth::Basic { .. } => "check the username and password",
            Auth::ApiKey(_) => "check the API key (header X-ntnx-api-key)",
            Auth::Session { .. } => {
                "check the username and password (session login, then one re-login after the session expired)"
            }
        }
    }

    /// The `Authorization: Basic ...` header value, for basic and session (login) modes.
    pub(crate) fn basic_header(&self) -> Option<HeaderValue> {
        let (user, password) = match self {
            Auth::Basic { user, password } | Auth::Session { user, password } => (user, password),
            _ => return None,
        };
        let raw = format!("{user}:{}", password.expose_secret());
        let mut value = HeaderValue::from_str(&format!("Basic {}", base64(raw.as_bytes()))).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// The API key header value.
    pub(crate) fn api_key_header(&self) -> Option<HeaderValue> {
        match self {
            Auth::ApiKey(key) => {
                let mut value = HeaderValue::from_str(key.expose_secret()).ok()?;
                value.set_sensitive(true);
                Some(value)
            }
            _ => None,
        }
    }

    /// The secrets to scrub from any text we keep (excerpts, decoder messages).
    pub(crate) fn secrets(&self) -> Vec<SecretString> {
        match self {
            Auth::None => Vec::new(),
            Auth::Basic { password, .. } | Auth::Session { password, .. } => {
                let mut v = vec![password.clone()];
                if let Some(h) = self
                    .basic_header()
                    .and_then(|h| h.to_str().ok().map(str::to_owned))
                {
                    v.push(SecretString::from(
                        h.trim_start_matches("Basic ").to_owned(),
                    ));
                }
                v
            }
            Auth::ApiKey(key) => vec![key.clone()],
        }
    }
}

/// Replaces every configured secret in `text` by `[REDACTED]`.
pub(crate) fn scrub(text: &str, secrets: &[SecretString]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let s = s.expose_secret();
        if !s.is_empty() && out.contains(s) {
            out = out.replace(s, "[REDACTED]");
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding), enough for a Basic header.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A cookie jar that can be emptied (reqwest's `Jar` cannot), used in session mode.
///
/// Cookie names are not interpreted: Prism uses different names per version and IAM mode.
#[derive(Default)]
pub(crate) struct SessionJar {
    inner: RwLock<Arc<Jar>>,
}

impl SessionJar {
    fn current(&self) -> Arc<Jar> {
        match self.inner.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Forgets every cookie (before a re-login).
    pub(crate) fn clear(&self) {
        let mut guard = match self.inner.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(Jar::default());
    }

    /// Whether any cookie would be sent to `url`.
    pub(crate) fn has_cookies(&self, url: &Url) -> bool {
        self.current().cookies(url).is_some()
    }
}

impl fmt::Debug for SessionJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionJar([REDACTED])")
    }
}

impl CookieStore for SessionJar {
    fn set_cookies(&self, cookie_headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        self.current().set_cookies(cookie_headers, url);
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        self.current().cookies(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(b"admin:secret"), "YWRtaW46c2VjcmV0");
    }

    #[test]
    fn debug_redacts() {
        let a = Auth::Basic {
            user: "admin".into(),
            password: SecretString::from("hunter2"),
        };
        let d = format!("{a:?}");
        assert!(d.contains("admin") && !d.contains("hunter2"), "{d}");
        let k = Auth::ApiKey(SecretString::from("k-123"));
        assert!(!format!("{k:?}").contains("k-123"));
    }

    #[test]
    fn scrub_removes_secrets() {
        let secrets = vec![SecretString::from("hunter2")];
        assert_eq!(
            scrub("bad password hunter2!", &secrets),
            "bad password [REDACTED]!"
        );
    }

    #[test]
    fn jar_can_be_cleared() {
        let jar = SessionJar::default();
        let url = Url::parse("http://127.0.0.1:9440/api/nutanix/v3/").unwrap();
        let v = HeaderValue::from_static("NTNX_IGW_SESSION=abc; Path=/");
        jar.set_cookies(&mut std::iter::once(&v), &url);
        assert!(jar.has_cookies(&url));
        jar.clear();
        assert!(!jar.has_cookies(&url));
    }
}
