//! One unary call: metadata, deadline, retries on `UNAVAILABLE`, error mapping, tracing.

use std::future::Future;
use std::time::Instant;

use tonic::transport::Channel;
use tracing::Instrument;

use super::{CloudForetClient, Service, ServiceChannel};
use crate::error::{Error, Result};

/// Whether a call may be repeated without changing its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// `get`, `list`, `get_data`, ...: retried on `UNAVAILABLE`.
    Idempotent,
    /// `create`, `collect`, `issue`, ...: never retried.
    NotIdempotent,
}

type CallResult<Resp> = std::result::Result<tonic::Response<Resp>, tonic::Status>;

impl CloudForetClient {
    fn service_channel(&self, service: Service, method: &'static str) -> Result<&ServiceChannel> {
        self.shared.channels[service.index()]
            .as_ref()
            .ok_or_else(|| {
                Error::Config(format!(
                    "no endpoint configured for the {service} service (needed by {method}); \
                     set `endpoint(...)` or `service_endpoint(Service::..., ...)`"
                ))
            })
    }

    /// Runs `call` against `service`'s channel with the client's metadata and deadline,
    /// retrying idempotent calls on `UNAVAILABLE`. `method` names the call as `Service.method`.
    pub(crate) async fn unary<Req, Resp, F, Fut>(
        &self,
        service: Service,
        method: &'static str,
        idempotency: Idempotency,
        request: Req,
        call: F,
    ) -> Result<Resp>
    where
        Req: Clone,
        F: Fn(Channel, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = CallResult<Resp>>,
    {
        let target = self.service_channel(service, method)?;
        let attempts = match idempotency {
            Idempotency::Idempotent => self.shared.retry.max_attempts(),
            Idempotency::NotIdempotent => 1,
        };
        let mut attempt = 1;
        // Every attempt but the last sends a clone; the last one moves the request.
        while attempt < attempts {
            match self
                .attempt(target, method, attempt, request.clone(), &call)
                .await
            {
                Err(err) if is_unavailable(&err) => {
                    let delay = self.shared.retry.backoff(attempt);
                    tracing::warn!(
                        rpc = method,
                        endpoint = %target.endpoint,
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %err,
                        "CloudForet service unavailable, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
        self.attempt(target, method, attempt, request, &call).await
    }

    async fn attempt<Req, Resp, F, Fut>(
        &self,
        target: &ServiceChannel,
        method: &'static str,
        attempt: u32,
        body: Req,
        call: &F,
    ) -> Result<Resp>
    where
        F: Fn(Channel, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = CallResult<Resp>>,
    {
        let timeout = self.shared.call_timeout;
        let mut request = tonic::Request::new(body);
        request.set_timeout(timeout);
        self.auth.apply(&mut request);
        let span = tracing::debug_span!(
            "cloudforet_call",
            rpc = method,
            endpoint = %target.endpoint,
            attempt,
            grpc_code = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let outcome = tokio::time::timeout(timeout, call(target.channel(), request)).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match outcome {
                Ok(Ok(response)) => {
                    tracing::Span::current().record("grpc_code", "Ok");
                    tracing::debug!(elapsed_ms, "call succeeded");
                    Ok(response.into_inner())
                }
                // The server enforces the deadline we sent too, and may answer first
                // (tonic servers say CANCELLED "Timeout expired", others DEADLINE_EXCEEDED).
                Ok(Err(status))
                    if matches!(
                        status.code(),
                        tonic::Code::DeadlineExceeded | tonic::Code::Cancelled
                    ) && started.elapsed() >= timeout =>
                {
                    tracing::debug!(elapsed_ms, "call deadline expired on the server");
                    Err(Error::Timeout { method, timeout })
                }
                Ok(Err(status)) => {
                    tracing::Span::current()
                        .record("grpc_code", tracing::field::debug(status.code()));
                    tracing::debug!(elapsed_ms, "call failed");
                    Err(map_status(target, method, status))
                }
                Err(_elapsed) => {
                    tracing::debug!(elapsed_ms, "call timed out");
                    Err(Error::Timeout { method, timeout })
                }
            }
        }
        .instrument(span)
        .await
    }
}

/// Transport failures (no connection) become [`Error::Connect`]; statuses sent by the server
/// become [`Error::Status`].
fn map_status(target: &ServiceChannel, method: &'static str, status: tonic::Status) -> Error {
    if status.code() == tonic::Code::Unavailable && std::error::Error::source(&status).is_some() {
        let mut root: &dyn std::error::Error = &status;
        while let Some(next) = root.source() {
            root = next;
        }
        let reason = root.to_string();
        return Error::Connect {
            endpoint: target.endpoint.to_string(),
            method,
            reason,
            source: Box::new(status),
        };
    }
    Error::from_status(method, &status)
}

fn is_unavailable(err: &Error) -> bool {
    matches!(err, Error::Connect { .. }) || err.grpc_code() == Some(tonic::Code::Unavailable)
}
