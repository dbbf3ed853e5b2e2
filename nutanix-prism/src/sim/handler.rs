//! The request pipeline: route, rate limit, latency, authentication, faults, answer, count.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue, SET_COOKIE};
use http::{Method, Request, Response, StatusCode};
use hyper::body::{Body as _, Incoming};
use tracing::Instrument as _;

use super::auth::{Authenticator, Principal, SESSION_COOKIE, SESSION_SECS};
use super::body::SimBody;
use super::churn::{ChurnConfig, LiveSet};
use super::counters::{CounterSet, STATUS_DROPPED};
use super::faults::{FaultConfig, FaultKind};
use super::fleet::Fleet;
use super::ratelimit::{Decision, RateLimiter};
use super::rng::{Rng, stream};
use super::routes::{self, Route};

/// Version Prism Central reports in `X-Ntnx-Product` and `/prism_central`.
pub(crate) const PC_VERSION: &str = "pc.2024.3.0.1";
/// Largest request body accepted.
const MAX_REQUEST_BODY: usize = 1 << 20;

/// Everything a request handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) fleet: Fleet,
    pub(crate) live: Mutex<LiveSet>,
    pub(crate) churn: Option<ChurnConfig>,
    pub(crate) auth: Authenticator,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) faults: FaultConfig,
    pub(crate) latency: Duration,
    pub(crate) jitter: Duration,
    pub(crate) slow_body: Duration,
    pub(crate) max_page: usize,
    pub(crate) counters: CounterSet,
    pub(crate) seq: AtomicU64,
    /// VM list order by name, with the churn generation it was computed for.
    pub(crate) vm_order: Mutex<Option<(u64, Arc<Vec<u32>>)>>,
}

/// A finished answer before headers common to all responses are added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) body: Bytes,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: body.into(),
        }
    }

    /// A plain-text answer.
    pub(crate) fn text(status: StatusCode, body: &'static str) -> Self {
        Self {
            status,
            content_type: "text/plain",
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    /// A v3 error body (`{"api_version","code","kind","message_list":[{message,reason}],"state":"ERROR"}`).
    pub(crate) fn v3_error(status: StatusCode, kind: &str, reason: &str, message: &str) -> Self {
        let body = serde_json::json!({
            "api_version": "3.1",
            "code": status.as_u16(),
            "kind": kind,
            "message_list": [{"message": message, "reason": reason}],
            "state": "ERROR"
        });
        Self::json(status, body.to_string())
    }
}

/// What the connection should do with a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Send this response.
    Respond(Response<SimBody>),
    /// Close the connection without answering (the `reset` fault).
    Drop,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Reads the request body up to [`MAX_REQUEST_BODY`]; `None` when too large or broken.
async fn read_body(mut body: Incoming) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.ok()?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > MAX_REQUEST_BODY {
                return None;
            }
            out.extend_from_slice(&data);
        }
    }
    Some(out)
}

/// Handles one request end to end.
pub(crate) async fn handle(state: Arc<State>, request: Request<Incoming>) -> Outcome {
    let route = routes::classify(request.method(), request.uri().path());
    let span = tracing::debug_span!(
        "prism_sim",
        method = %request.method(),
        path = %request.uri().path(),
        endpoint = route.endpoint()
    );
    handle_route(state, request, route).instrument(span).await
}

async fn handle_route(state: Arc<State>, request: Request<Incoming>, route: Route) -> Outcome {
    let (parts, body) = request.into_parts();
    let endpoint = route.endpoint();
    let Some(body) = read_body(body).await else {
        let reply = Reply::v3_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
            "INVALID_REQUEST",
            "Request body too large.",
        );
        return finish(&state, endpoint, reply, None, None, None);
    };

    if let Route::SimCounters = route {
        let text = state.counters.snapshot().to_json().to_string();
        return Outcome::Respond(build(Reply::json(StatusCode::OK, text), None, None, None));
    }

    let seq = state.seq.fetch_add(1, Ordering::Relaxed);
    let decision = state.limiter.as_ref().map(|l| l.check(Instant::now()));
    if let Some(d) = decision.filter(|d| !d.allowed) {
        state.counters.rate_limited();
        tracing::debug!(limit = d.limit, "rate limited");
        let reply = Reply::v3_error(
            StatusCode::TOO_MANY_REQUESTS,
            "",
            "TOO_MANY_REQUESTS",
            "Too many requests.",
        );
        return finish(&state, endpoint, reply, Some(d), None, None);
    }

    let delay = state.latency
        + if state.jitter.is_zero() {
            Duration::ZERO
        } else {
            state
                .jitter
                .mul_f64(Rng::new(state.fleet.config.seed, stream::JITTER, seq).unit())
        };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let now = unix_now();
    let Some(principal) = state.auth.check(&parts.headers, now) else {
        // Prism's 401 is not reliably JSON: answer with an HTML page.
        let reply = Reply {
            status: StatusCode::UNAUTHORIZED,
            content_type: "text/html; charset=utf-8",
            body: Bytes::from_static(
                b"<!DOCTYPE html><html><head><title>401 Unauthorized</title></head><body><h1>Unauthorized</h1><p>Authentication required.</p></body></html>",
            ),
        };
        return finish(&state, endpoint, reply, decision, None, None);
    };

    let fault = state.faults.draw(state.fleet.config.seed, seq);
    if let Some(kind) = fault {
        state.counters.fault(kind);
        tracing::debug!(fault = %kind, "injecting fault");
        let reply = match kind {
            FaultKind::InternalError => Some(Reply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
            )),
            FaultKind::Unavailable => Some(Reply::text(
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
            )),
            FaultKind::TooManyRequests => {
                let d = decision.unwrap_or(Decision {
                    allowed: false,
                    limit: 40,
                    remaining: 0,
                    reset_secs: 1,
                });
                let d = Decision {
                    allowed: false,
                    remaining: 0,
                    reset_secs: 1,
                    ..d
                };
                let reply = Reply::v3_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "",
                    "TOO_MANY_REQUESTS",
                    "Too many requests.",
                );
                return finish(&state, endpoint, reply, Some(d), None, None);
            }
            FaultKind::Reset => {
                state.counters.record(endpoint, STATUS_DROPPED);
                return Outcome::Drop;
            }
            FaultKind::Truncate | FaultKind::Slow => None,
        };
        if let Some(reply) = reply {
            return finish(&state, endpoint, reply, decision, None, None);
        }
    }

    let reply = match parts.method {
        Method::GET | Method::POST => routes::dispatch(&state, &route, &body, now),
        _ => Reply::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
    };
    let cookie = matches!(principal, Principal::Basic | Principal::ApiKey).then(|| {
        let token = state.auth.new_session(now);
        format!("{SESSION_COOKIE}={token}; Max-Age={SESSION_SECS}; Path=/; Secure; HttpOnly; SameSite=Lax")
    });
    let shaping = fault.filter(|k| {
        matches!(k, FaultKind::Truncate | FaultKind::Slow) && reply.status.is_success()
    });
    finish(&state, endpoint, reply, decision, cookie, shaping)
}

fn finish(
    state: &State,
    endpoint: &'static str,
    reply: Reply,
    decision: Option<Decision>,
    cookie: Option<String>,
    shaping: Option<FaultKind>,
) -> Outcome {
    state.counters.record(endpoint, reply.status.as_u16());
    tracing::debug!(
        status = reply.status.as_u16(),
        bytes = reply.body.len(),
        "answered"
    );
    Outcome::Respond(build_shaped(
        reply,
        decision,
        cookie,
        shaping,
        state.slow_body,
    ))
}

fn build(
    reply: Reply,
    decision: Option<Decision>,
    cookie: Option<String>,
    shaping: Option<FaultKind>,
) -> Response<SimBody> {
    build_shaped(reply, decision, cookie, shaping, Duration::ZERO)
}

fn build_shaped(
    reply: Reply,
    decision: Option<Decision>,
    cookie: Option<String>,
    shaping: Option<FaultKind>,
    slow: Duration,
) -> Response<SimBody> {
    let body = match shaping {
        Some(FaultKind::Truncate) => SimBody::truncated(reply.body),
        Some(FaultKind::Slow) => SimBody::slow(reply.body, 10, slow),
        _ => SimBody::full(reply.body),
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    headers.insert("x-ntnx-product", HeaderValue::from_static(PC_VERSION));
    headers.insert("x-ntnx-env", HeaderValue::from_static("pc"));
    if let Some(d) = decision {
        headers.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(d.reset_secs));
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(SET_COOKIE, cookie);
    }
    response
}
