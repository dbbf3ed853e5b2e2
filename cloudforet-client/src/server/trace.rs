//! A tower layer that opens one `tracing` span per gRPC call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tower::{Layer, Service};
use tracing::Instrument as _;

/// Layer that wraps every call in an `info` span named `grpc_call` with fields `rpc.method`
/// (the HTTP/2 path, e.g. `/spaceone.api.inventory.plugin.Collector/collect`) and `rpc.call`
/// (CloudForet's short form, e.g. `Collector.collect`). When the response headers are ready it
/// logs a `debug` event with the gRPC status found in the headers (a streaming call's final status
/// travels in trailers and is not seen here) and the elapsed time.
///
/// The plugin server kit installs it automatically; it is public so that hand-built tonic
/// servers can use it too.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallSpanLayer;

impl<S> Layer<S> for CallSpanLayer {
    type Service = CallSpan<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallSpan { inner }
    }
}

/// The service produced by [`CallSpanLayer`].
#[derive(Debug, Clone)]
pub struct CallSpan<S> {
    inner: S,
}

/// `Service.method` from a gRPC path `/package.Service/method`.
pub(crate) fn short_call_name(path: &str) -> String {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let service = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or_default();
    let short = service.rsplit('.').next().unwrap_or(service);
    format!("{short}.{method}")
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for CallSpan<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqBody>) -> Self::Future {
        let path = req.uri().path();
        let span = tracing::info_span!(
            "grpc_call",
            rpc.method = %path,
            rpc.call = %short_call_name(path),
        );
        let started = Instant::now();
        let fut = span.in_scope(|| self.inner.call(req));
        Box::pin(
            async move {
                let result = fut.await;
                if let Ok(response) = &result {
                    let status = response
                        .headers()
                        .get("grpc-status")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("pending (trailers)");
                    tracing::debug!(
                        grpc.status = status,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "response headers sent"
                    );
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::short_call_name;

    #[test]
    fn short_names() {
        assert_eq!(
            short_call_name("/spaceone.api.inventory.plugin.Collector/collect"),
            "Collector.collect"
        );
        assert_eq!(
            short_call_name("/grpc.health.v1.Health/Check"),
            "Health.Check"
        );
        assert_eq!(short_call_name("/"), ".");
    }
}
