//! One call to Prism: rate limit, auth, send, bounded body read, decode, retry, re-login.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, header};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::{Instrument, field};
use url::Url;

use super::auth::{API_KEY_HEADER, Auth, SessionJar, scrub};
use super::decode_pool;
use super::observe::{RequestEvent, RequestObserver, RequestOutcome};
use super::rate_limit::RateLimiter;
use super::retry::{RetryPolicy, retry_hint};
use crate::error::{
    BoxError, DecodeError, Error, HttpError, Result, TransportError, TransportKind,
};

/// Longest body excerpt kept in an error.
const EXCERPT_CHARS: usize = 512;
/// Most bytes read from an error response body.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Shared state behind every clone of a `PrismClient`.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) auth: Auth,
    pub(crate) jar: Option<Arc<SessionJar>>,
    pub(crate) session: tokio::sync::Mutex<SessionState>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) max_body: u64,
    pub(crate) secrets: Vec<SecretString>,
    pub(crate) observer: Option<RequestObserver>,
}

/// Session-mode login state.
#[derive(Debug, Default)]
pub(crate) struct SessionState {
    /// Incremented on every successful login.
    pub(crate) generation: u64,
    /// Whether the current session is believed valid.
    pub(crate) valid: bool,
    /// The login response set no cookie: fall back to sending Basic on every request.
    pub(crate) cookieless: bool,
    /// The body of the login's `GET /users/me`, until [`Inner::login_answer`] takes it.
    pub(crate) login_answer: Option<serde_json::Value>,
}

/// A request to make, relative to the v3 base URL.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    /// Path segments below `/api/nutanix/v3/` (encoded when joined).
    pub(crate) segments: Vec<String>,
    /// Stable operation label for observers (`vms/list`, `vms/get`).
    pub(crate) operation: String,
    pub(crate) body: Option<Bytes>,
    /// Safe to replay (GET, list POSTs, groups).
    pub(crate) idempotent: bool,
    /// Limits the exchanges in flight: each attempt holds a permit from before it is sent until
    /// its body is read, not while the body is decoded nor during retry back-off.
    pub(crate) gate: Option<Arc<Semaphore>>,
}

impl Call {
    pub(crate) fn get(segments: Vec<String>, operation: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            segments,
            operation: operation.into(),
            body: None,
            idempotent: true,
            gate: None,
        }
    }

    /// A read-only POST (list, groups): idempotent, replayable.
    pub(crate) fn post_read(
        segments: Vec<String>,
        operation: impl Into<String>,
        body: Bytes,
    ) -> Self {
        Self {
            method: Method::POST,
            segments,
            operation: operation.into(),
            body: Some(body),
            idempotent: true,
            gate: None,
        }
    }
}

/// How one attempt failed, with the server's wait hint.
struct Failure {
    error: Error,
    hint: Option<Duration>,
}

impl Inner {
    /// The full URL of a call.
    pub(crate) fn url_for(&self, segments: &[String]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        url
    }

    /// Sends `call` with retries (and one re-login in session mode) and decodes the JSON body.
    pub(crate) async fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
    ) -> Result<T> {
        self.execute_inner(call, false).await
    }

    async fn execute_inner<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
        login: bool,
    ) -> Result<T> {
        let url = self.url_for(&call.segments);
        let path = url
            .path()
            .strip_prefix(self.base.path())
            .unwrap_or(url.path())
            .to_owned();
        let started = Instant::now();
        let mut exchange = 0u32;
        let mut retries_used = 0u32;
        let mut relogged = false;
        loop {
            exchange += 1;
            let session = if login {
                None
            } else {
                self.ensure_session().await?
            };
            let span = tracing::debug_span!(
                "prism_request",
                method = %call.method,
                path = %path,
                attempt = exchange,
                status = field::Empty,
                elapsed_ms = field::Empty,
            );
            let outcome = self
                .attempt::<T>(call, &url, &path, exchange, login, session)
                .instrument(span)
                .await;
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(f) => f,
            };
            // Session expired: forget it, log in again once, replay.
            if failure.error.is_unauthorized()
                && !login
                && !relogged
                && matches!(self.auth, Auth::Session { .. })
                && let Some(generation) = session
            {
                relogged = true;
                tracing::info!(path = %path, "Prism answered 401 in session mode; logging in again once");
                self.invalidate_session(generation).await;
                continue;
            }
            if !(call.idempotent && failure.error.is_retryable()) {
                return Err(failure.error);
            }
            retries_used += 1;
            match self
                .retry
                .next_delay(retries_used, started.elapsed(), failure.hint)
            {
                Some(delay) => {
                    tracing::warn!(
                        path = %path,
                        attempt = retries_used,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %failure.error,
                        "retrying Prism request"
                    );
                    tokio::time::sleep(delay).await;
                }
                None if retries_used > 1 => {
                    return Err(Error::RetriesExhausted {
                        attempts: retries_used,
                        elapsed: started.elapsed(),
                        last: Box::new(failure.error),
                    });
                }
                None => return Err(failure.error),
            }
        }
    }

    /// One HTTP exchange.
    async fn attempt<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
        url: &Url,
        path: &str,
        exchange: u32,
        login: bool,
        session: Option<u64>,
    ) -> std::result::Result<T, Failure> {
        // A closed gate cannot happen (the semaphore is never closed); go on without a permit.
        let permit = match &call.gate {
            Some(gate) => Arc::clone(gate).acquire_owned().await.ok(),
            None => None,
        };
        if let Some(limiter) = &self.limiter {
            limiter.acquire().await;
        }
        let method = call.method.as_str();
        let sent = Instant::now();
        let mut req = self
            .http
            .request(call.method.clone(), url.clone())
            .header(header::ACCEPT, "application/json");
        if let Some(body) = &call.body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        req = self.authorize(req, login, session.is_some()).await;

        let event = |status: Option<u16>, outcome: RequestOutcome| {
            let span = tracing::Span::current();
            if let Some(s) = status {
                span.record("status", s);
            }
            let elapsed = sent.elapsed();
            span.record(
                "elapsed_ms",
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            );
            tracing::debug!(outcome = outcome.as_str(), "Prism request finished");
            if let Some(observer) = &self.observer {
                observer(&RequestEvent {
                    method: static_method(&call.method),
                    path: path.to_owned(),
                    operation: call.operation.clone(),
                    status,
                    outcome,
                    attempt: exchange,
                    elapsed,
                });
            }
        };

        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let error = self.transport_error(method, url, e);
                event(
                    None,
                    if error.is_timeout() {
                        RequestOutcome::Timeout
                    } else {
                        RequestOutcome::Transport
                    },
                );
                return Err(Failure { error, hint: None });
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();

        if !resp.status().is_success() {
            let body = read_capped(&mut resp, ERROR_BODY_BYTES).await;
            event(Some(status), RequestOutcome::HttpError);
            let hint = retry_hint(&headers);
            return Err(Failure {
                error: self.http_error(method, url, status, &headers, &body, hint),
                hint,
            });
        }

        let body = self.read_limited(&mut resp, method, url).await;
        // The exchange is over: the next one may start while this body is decoded.
        drop(permit);
        let body = match body {
            Ok(b) => b,
            Err(error) => {
                let outcome = match &error {
                    Error::Timeout { .. } => RequestOutcome::Timeout,
                    Error::BodyTooLarge { .. } => RequestOutcome::InvalidBody,
                    _ => RequestOutcome::Transport,
                };
                event(Some(status), outcome);
                return Err(Failure { error, hint: None });
            }
        };
        if tracing::enabled!(tracing::Level::TRACE) {
            let start = String::from_utf8_lossy(&body[..body.len().min(4096)]);
            tracing::trace!(body = %self.scrub(&start), "Prism response body (start)");
        }
        // A page of a concurrent list stream (gated) is decoded on the decode threads
        // (`decode_pool`): off the runtime's workers, and on the same few threads every time.
        let decoded = if call.gate.is_some() {
            let page = body.clone();
            match decode_pool::run(move || crate::model::from_json_slice::<T>(&page).ok()).await {
                Some(Some(value)) => Ok(value),
                // A body that does not decode is decoded again only to name the JSON path.
                Some(None) => Err(self.decode_error::<T>(method, url, status, &body)),
                // No decode thread: the page is decoded inline.
                None => self.decode::<T>(method, url, status, &body),
            }
        } else {
            self.decode::<T>(method, url, status, &body)
        };
        match decoded {
            Ok(v) => {
                event(Some(status), RequestOutcome::Success);
                Ok(v)
            }
            Err(error) => {
                event(Some(status), RequestOutcome::InvalidBody);
                Err(Failure { error, hint: None })
            }
        }
    }

    async fn authorize(
        &self,
        req: reqwest::RequestBuilder,
        login: bool,
        in_session: bool,
    ) -> reqwest::RequestBuilder {
        match &self.auth {
            Auth::None => req,
            Auth::Basic { .. } => match self.auth.basic_header() {
                Some(h) => req.header(header::AUTHORIZATION, h),
                None => req,
            },
            Auth::ApiKey(_) => match self.auth.api_key_header() {
                Some(h) => req.header(API_KEY_HEADER, h),
                None => req,
            },
            Auth::Session { .. } => {
                let cookieless = in_session && self.session.lock().await.cookieless;
                if login || cookieless {
                    match self.auth.basic_header() {
                        Some(h) => req.header(header::AUTHORIZATION, h),
                        None => req,
                    }
                } else {
                    req
                }
            }
        }
    }

    /// In session mode, logs in if needed and returns the session generation; `None` otherwise.
    async fn ensure_session(&self) -> Result<Option<u64>> {
        if !matches!(self.auth, Auth::Session { .. }) {
            return Ok(None);
        }
        let mut state = self.session.lock().await;
        if state.valid {
            return Ok(Some(state.generation));
        }
        // Login: GET /users/me with Basic; the cookie jar keeps whatever Set-Cookie came back.
        let call = Call::get(vec!["users".into(), "me".into()], "users/me");
        let answer: serde_json::Value = Box::pin(self.execute_inner(&call, true)).await?;
        let has_cookies = self.jar.as_ref().is_some_and(|j| j.has_cookies(&self.base));
        if !has_cookies {
            tracing::warn!(
                "Prism login set no session cookie; sending Basic credentials on every request"
            );
        }
        state.cookieless = !has_cookies;
        state.valid = true;
        state.login_answer = Some(answer);
        state.generation += 1;
        tracing::debug!(generation = state.generation, "Prism session established");
        Ok(Some(state.generation))
    }

    /// In session mode, logs in if no session is established, and returns the body of the
    /// login's `GET /users/me` if no caller has taken it yet since that login: the caller that
    /// wants the current user then needs no second request. `None` in other modes.
    pub(crate) async fn login_answer(&self) -> Result<Option<serde_json::Value>> {
        if self.ensure_session().await?.is_none() {
            return Ok(None);
        }
        Ok(self.session.lock().await.login_answer.take())
    }

    async fn invalidate_session(&self, generation: u64) {
        let mut state = self.session.lock().await;
        if state.generation == generation && state.valid {
            state.valid = false;
            if let Some(jar) = &self.jar {
                jar.clear();
            }
        }
    }

    /// Reads a 2xx body in chunks, refusing past `max_body`.
    async fn read_limited(
        &self,
        resp: &mut reqwest::Response,
        method: &str,
        url: &Url,
    ) -> Result<Bytes> {
        let too_large = || Error::BodyTooLarge {
            method: method.to_owned(),
            url: url.to_string(),
            limit: self.max_body,
        };
        if resp.content_length().is_some_and(|len| len > self.max_body) {
            return Err(too_large());
        }
        let capacity = resp.content_length().unwrap_or(0).min(self.max_body);
        let mut buf = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if (buf.len() + chunk.len()) as u64 > self.max_body {
                        return Err(too_large());
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(Bytes::from(buf)),
                Err(e) => return Err(self.transport_error(method, url, e)),
            }
        }
    }

    /// Decodes a 2xx body. The fast path parses without path tracking (from `&str` once the
    /// whole body is known to be UTF-8, so strings are not validated one by one); only when it
    /// fails is the body decoded again with `serde_path_to_error` to name the failing JSON path.
    /// Decoding is deterministic, so the second pass fails the same way.
    fn decode<T: DeserializeOwned>(
        &self,
        method: &str,
        url: &Url,
        status: u16,
        body: &[u8],
    ) -> Result<T> {
        match crate::model::from_json_slice::<T>(body) {
            Ok(value) => Ok(value),
            Err(_) => Err(self.decode_error::<T>(method, url, status, body)),
        }
    }

    /// The [`Error::Decode`] of a body that failed to decode, with the JSON path of the failure.
    fn decode_error<T: DeserializeOwned>(
        &self,
        method: &str,
        url: &Url,
        status: u16,
        body: &[u8],
    ) -> Error {
        let mut de = serde_json::Deserializer::from_slice(body);
        let result = serde_path_to_error::deserialize::<_, T>(&mut de)
            .map_err(|e| (e.path().to_string(), e.into_inner()))
            .and_then(|v| {
                de.end()
                    .map(|()| v)
                    .map_err(|e| ("(after the value)".to_owned(), e))
            });
        let (path, inner) = match result {
            Err(failure) => failure,
            // Unreachable in practice (the fast pass failed on the same bytes); reported rather
            // than trusted.
            Ok(_) => {
                return Error::Decode(Box::new(DecodeError {
                    method: method.to_owned(),
                    url: url.to_string(),
                    status,
                    path: String::new(),
                    message: "the body decoded only on the second attempt".to_owned(),
                    body_excerpt: self.excerpt(body),
                    truncated: false,
                }));
            }
        };
        // Cut off (EOF) or broken mid-JSON: a transport fault. A body that is not JSON at
        // all (an HTML page from a proxy) or JSON of another shape is not retried.
        let starts_like_json = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        // Nested past serde_json's depth guard, or a number beyond f64: Syntax errors that
        // the same body repeats deterministically, so retrying would only download it again.
        let content_error = {
            let text = inner.to_string();
            text.starts_with("recursion limit exceeded") || text.starts_with("number out of range")
        };
        let truncated = match inner.classify() {
            serde_json::error::Category::Eof => true,
            serde_json::error::Category::Syntax => starts_like_json && !content_error,
            _ => false,
        };
        Error::Decode(Box::new(DecodeError {
            method: method.to_owned(),
            url: url.to_string(),
            status,
            path,
            message: self.scrub(&inner.to_string()),
            body_excerpt: self.excerpt(body),
            truncated,
        }))
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        scrub(text, &self.secrets)
    }

    fn excerpt(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let mut cut: String = text.chars().take(EXCERPT_CHARS).collect();
        if text.chars().nth(EXCERPT_CHARS).is_some() {
            cut.push('…');
        }
        self.scrub(&cut)
    }

    fn transport_error(&self, method: &str, url: &Url, e: reqwest::Error) -> Error {
        let url_s = url.to_string();
        let innermost = innermost_message(&e);
        if e.is_timeout() {
            return Error::Timeout {
                method: method.to_owned(),
                url: url_s,
                source: Box::new(e.without_url()),
            };
        }
        let kind = if is_tls_error(&e) {
            TransportKind::Tls
        } else if e.is_connect() {
            TransportKind::Connect
        } else if e.is_body() || e.is_request() || e.is_decode() {
            TransportKind::Io
        } else {
            TransportKind::Other
        };
        let source: BoxError = Box::new(e.without_url());
        Error::Transport(Box::new(TransportError {
            method: method.to_owned(),
            url: url_s,
            kind,
            message: self.scrub(&innermost),
            source,
        }))
    }

    fn http_error(
        &self,
        method: &str,
        url: &Url,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        hint: Option<Duration>,
    ) -> Error {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let (reason, message, details) = parsed.as_ref().map(v3_error_fields).unwrap_or_default();
        let product = headers
            .get("x-ntnx-product")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let error = Box::new(HttpError {
            method: method.to_owned(),
            url: url.to_string(),
            status,
            reason: reason.map(|r| self.scrub(&r)),
            message: message.map(|m| self.scrub(&truncate(&m, EXCERPT_CHARS))),
            details: scrub_json(details, &self.secrets),
            body_excerpt: self.excerpt(body),
            product,
            hint: self.auth.hint().to_owned(),
        });
        match status {
            401 => Error::Unauthorized(error),
            403 => Error::Forbidden(error),
            404 => Error::NotFound(error),
            409 => Error::Conflict(error),
            429 => Error::RateLimited {
                error,
                retry_after: hint,
            },
            500..=599 => Error::Server(error),
            _ => Error::Api(error),
        }
    }
}

/// `(reason, message, details)` from a v3 error body (`message_list[0]`) or the generic
/// `{status, code, reason, message, details}` shape.
fn v3_error_fields(v: &serde_json::Value) -> (Option<String>, Option<String>, serde_json::Value) {
    let text = |v: Option<&serde_json::Value>| v.and_then(|x| x.as_str()).map(str::to_owned);
    if let Some(first) = v
        .get("message_list")
        .and_then(|l| l.as_array())
        .and_then(|l| l.first())
    {
        return (
            text(first.get("reason")),
            text(first.get("message")),
            first.get("details").cloned().unwrap_or_default(),
        );
    }
    (
        text(v.get("reason")),
        text(v.get("message")),
        v.get("details").cloned().unwrap_or_default(),
    )
}

fn scrub_json(v: serde_json::Value, secrets: &[SecretString]) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => serde_json::Value::String(scrub(&s, secrets)),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(|x| scrub_json(x, secrets)).collect())
        }
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.into_iter()
                .map(|(k, x)| (scrub(&k, secrets), scrub_json(x, secrets)))
                .collect(),
        ),
        other => other,
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().nth(max).is_none() {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Reads at most `cap` bytes of a body, ignoring read errors (used for error responses).
async fn read_capped(resp: &mut reqwest::Response, cap: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = usize::try_from(cap)
            .unwrap_or(usize::MAX)
            .saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() as u64 >= cap {
            break;
        }
    }
    buf
}

fn static_method(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}

fn innermost_message(e: &(dyn StdError + 'static)) -> String {
    let mut current: &(dyn StdError + 'static) = e;
    let mut last = current.to_string();
    while let Some(next) = current.source() {
        current = next;
        last = current.to_string();
    }
    last
}

/// Whether a reqwest error was caused by TLS (certificate or handshake).
fn is_tls_error(e: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = current {
        if err.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && (inner.downcast_ref::<rustls::Error>().is_some() || is_tls_error(inner))
        {
            return true;
        }
        current = err.source();
    }
    false
}
