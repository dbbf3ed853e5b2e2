//! Server-streaming methods that send **pre-encoded** protobuf messages.
//!
//! A generated server (e.g. `CollectorServer`) takes typed messages (`ResourceInfo` with
//! `prost_types::Struct`s) and lets prost encode them. When a plugin can write the protobuf bytes
//! of each message directly (for example with a serde serializer that emits `Struct` wire format),
//! building the typed tree first is wasted work. [`EncodedStreamingServer`] wraps a generated
//! server and answers **one** server-streaming method itself with a stream of already-encoded
//! messages ([`Bytes`]), written to the wire unchanged by [`EncodedCodec`]; every other path goes
//! to the wrapped server. It has the wrapped server's service name, so it replaces it in
//! [`PluginServerBuilder::add_service`](super::PluginServerBuilder::add_service), and reflection
//! still advertises the method with its real message types: clients cannot tell the difference
//! as long as the bytes are a valid encoding of the declared response message.
//!
//! ```no_run
//! use cloudforet_client::proto::spaceone::api::inventory::plugin::{
//!     collector_server::{Collector, CollectorServer},
//!     CollectRequest, InitRequest, PluginInfo, ResourceInfo, VerifyRequest,
//! };
//! use cloudforet_client::server::PluginServer;
//! use cloudforet_client::server::raw::EncodedStreamingServer;
//! use prost::Message as _;
//! use tonic::codegen::{BoxStream, Bytes};
//! use tonic::{Request, Response, Status};
//!
//! #[derive(Clone)]
//! struct MyCollector;
//!
//! #[tonic::async_trait]
//! impl Collector for MyCollector {
//!     async fn init(&self, _: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
//!         Ok(Response::new(PluginInfo { metadata: None }))
//!     }
//!     async fn verify(&self, _: Request<VerifyRequest>) -> Result<Response<()>, Status> {
//!         Ok(Response::new(()))
//!     }
//!     // The typed method stays (the trait needs it); the wrapper answers `collect` instead.
//!     type collectStream = BoxStream<ResourceInfo>;
//!     async fn collect(
//!         &self,
//!         _: Request<CollectRequest>,
//!     ) -> Result<Response<Self::collectStream>, Status> {
//!         Err(Status::unimplemented("served pre-encoded"))
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Each item is the protobuf encoding of one `ResourceInfo`.
//! let collect = |_request: Request<CollectRequest>| async move {
//!     let info = ResourceInfo { resource_type: "inventory.Region".into(), ..Default::default() };
//!     let items = vec![Ok(Bytes::from(info.encode_to_vec()))];
//!     let stream: BoxStream<Bytes> = Box::pin(tonic::codegen::tokio_stream::iter(items));
//!     Ok(Response::new(stream))
//! };
//! let collector = EncodedStreamingServer::new(CollectorServer::new(MyCollector), "collect", collect);
//! PluginServer::builder().add_service(collector).serve().await?;
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use prost::bytes::{BufMut as _, Bytes};
use tonic::body::Body;
use tonic::codec::{Codec, EncodeBuf, Encoder};
use tonic::codegen::{BoxFuture, BoxStream};
use tonic::server::{Grpc, NamedService, ServerStreamingService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstDecoder;
use tower::Service;

/// A tonic [`Codec`] whose responses are already-encoded protobuf messages ([`Bytes`], written
/// unchanged after the gRPC frame header) and whose requests are decoded by prost into `Req`.
pub struct EncodedCodec<Req> {
    _req: PhantomData<fn() -> Req>,
}

impl<Req> EncodedCodec<Req> {
    /// A codec for requests of type `Req`.
    pub fn new() -> Self {
        Self { _req: PhantomData }
    }
}

impl<Req> Default for EncodedCodec<Req> {
    fn default() -> Self {
        Self::new()
    }
}

impl<Req> Clone for EncodedCodec<Req> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<Req> fmt::Debug for EncodedCodec<Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedCodec")
            .field("request", &std::any::type_name::<Req>())
            .finish()
    }
}

impl<Req> Codec for EncodedCodec<Req>
where
    Req: prost::Message + Default + Send + 'static,
{
    type Encode = Bytes;
    type Decode = Req;
    type Encoder = EncodedEncoder;
    type Decoder = ProstDecoder<Req>;

    fn encoder(&mut self) -> Self::Encoder {
        EncodedEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}

/// The [`Encoder`] of [`EncodedCodec`]: copies each message's bytes into the frame as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct EncodedEncoder;

impl Encoder for EncodedEncoder {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put(item);
        Ok(())
    }
}

/// The handler of the method an [`EncodedStreamingServer`] answers itself: starts the call and
/// returns the stream of encoded response messages.
///
/// Implemented for every `Fn(Request<Req>) -> impl Future<Output = Result<Response<BoxStream<Bytes>>, Status>>`
/// closure that is `Send + Sync + 'static`. An `Err` ends the call with that status before any
/// message; an `Err` item ends the stream with that status after the messages before it.
/// Dropping the returned stream (the client cancelled or went away) must stop the work behind it.
pub trait EncodedStreamHandler<Req>: Send + Sync + 'static {
    /// Starts one call.
    fn call(&self, request: Request<Req>) -> BoxFuture<Response<BoxStream<Bytes>>, Status>;
}

impl<Req, F, Fut> EncodedStreamHandler<Req> for F
where
    F: Fn(Request<Req>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<BoxStream<Bytes>>, Status>> + Send + 'static,
{
    fn call(&self, request: Request<Req>) -> BoxFuture<Response<BoxStream<Bytes>>, Status> {
        Box::pin(self(request))
    }
}

/// A generated server with one server-streaming method answered from pre-encoded messages.
///
/// Requests to `/{S::NAME}/{method}` are decoded by prost into `Req` and handed to the
/// [`EncodedStreamHandler`]; its [`Bytes`] items are framed and sent unchanged. Everything else
/// (the other methods of the service, unknown paths) goes to the wrapped server `S`, whose
/// readiness this service reports. The wrapper has `S`'s [`NamedService::NAME`].
///
/// Message size limits of the answered method are set here
/// ([`max_decoding_message_size`](Self::max_decoding_message_size),
/// [`max_encoding_message_size`](Self::max_encoding_message_size)), with tonic's defaults
/// (decode 4 MiB, encode unlimited); the wrapped server keeps its own for its methods.
/// Compression is not negotiated on the answered method (the plugin servers enable none).
pub struct EncodedStreamingServer<S, Req, H> {
    inner: S,
    path: Arc<str>,
    handler: Arc<H>,
    max_decoding_message_size: Option<usize>,
    max_encoding_message_size: Option<usize>,
    _req: PhantomData<fn() -> Req>,
}

impl<S, Req, H> EncodedStreamingServer<S, Req, H>
where
    S: NamedService,
    H: EncodedStreamHandler<Req>,
{
    /// Wraps `inner` so that `handler` answers its method `method` (the short method name as in
    /// the `.proto`, e.g. `"collect"`; the path is `/{S::NAME}/{method}`).
    pub fn new(inner: S, method: &str, handler: H) -> Self {
        Self {
            inner,
            path: Arc::from(format!("/{}/{}", S::NAME, method.trim_matches('/'))),
            handler: Arc::new(handler),
            max_decoding_message_size: None,
            max_encoding_message_size: None,
            _req: PhantomData,
        }
    }
}

impl<S, Req, H> EncodedStreamingServer<S, Req, H> {
    /// The HTTP/2 path the handler answers, e.g.
    /// `/spaceone.api.inventory.plugin.Collector/collect`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Limits the size of a decoded request of the answered method. Default: 4 MiB.
    #[must_use]
    pub fn max_decoding_message_size(mut self, limit: usize) -> Self {
        self.max_decoding_message_size = Some(limit);
        self
    }

    /// Limits the size of each encoded response message of the answered method; a larger one
    /// ends the stream with an `OUT_OF_RANGE` status. Default: unlimited.
    #[must_use]
    pub fn max_encoding_message_size(mut self, limit: usize) -> Self {
        self.max_encoding_message_size = Some(limit);
        self
    }
}

impl<S: Clone, Req, H> Clone for EncodedStreamingServer<S, Req, H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            path: Arc::clone(&self.path),
            handler: Arc::clone(&self.handler),
            max_decoding_message_size: self.max_decoding_message_size,
            max_encoding_message_size: self.max_encoding_message_size,
            _req: PhantomData,
        }
    }
}

impl<S, Req, H> fmt::Debug for EncodedStreamingServer<S, Req, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedStreamingServer")
            .field("path", &self.path)
            .field("max_decoding_message_size", &self.max_decoding_message_size)
            .field("max_encoding_message_size", &self.max_encoding_message_size)
            .finish_non_exhaustive()
    }
}

impl<S: NamedService, Req, H> NamedService for EncodedStreamingServer<S, Req, H> {
    const NAME: &'static str = S::NAME;
}

/// Adapts an [`EncodedStreamHandler`] to tonic's [`ServerStreamingService`].
struct HandlerCall<H, Req> {
    handler: Arc<H>,
    _req: PhantomData<fn() -> Req>,
}

impl<H, Req> ServerStreamingService<Req> for HandlerCall<H, Req>
where
    H: EncodedStreamHandler<Req>,
{
    type Response = Bytes;
    type ResponseStream = BoxStream<Bytes>;
    type Future = BoxFuture<Response<BoxStream<Bytes>>, Status>;

    fn call(&mut self, request: Request<Req>) -> Self::Future {
        self.handler.call(request)
    }
}

impl<S, Req, H> Service<http::Request<Body>> for EncodedStreamingServer<S, Req, H>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>,
    S::Future: Send + 'static,
    Req: prost::Message + Default + Send + 'static,
    H: EncodedStreamHandler<Req>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<http::Response<Body>, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        if req.uri().path() != &*self.path {
            return Box::pin(self.inner.call(req));
        }
        let method = HandlerCall {
            handler: Arc::clone(&self.handler),
            _req: PhantomData,
        };
        let mut grpc = Grpc::new(EncodedCodec::<Req>::new()).apply_max_message_size_config(
            self.max_decoding_message_size,
            self.max_encoding_message_size,
        );
        Box::pin(async move { Ok(grpc.server_streaming(method, req).await) })
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use prost::Message as _;
    use prost_types::{Struct, Value, value::Kind};
    use tonic::Code;

    use super::*;
    use crate::proto::spaceone::api::inventory::plugin::{
        CollectRequest, InitRequest, PluginInfo, ResourceInfo, VerifyRequest,
        collector_client::CollectorClient,
        collector_server::{Collector, CollectorServer},
    };
    use crate::server::PluginServer;

    /// The typed collector: `init` answers, `collect` says it is the typed one.
    #[derive(Clone)]
    struct Typed;

    #[tonic::async_trait]
    impl Collector for Typed {
        async fn init(&self, _: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
            Ok(Response::new(PluginInfo {
                metadata: Some(one_field("typed", "init")),
            }))
        }
        async fn verify(&self, _: Request<VerifyRequest>) -> Result<Response<()>, Status> {
            Err(Status::permission_denied("typed verify"))
        }
        type collectStream = BoxStream<ResourceInfo>;
        async fn collect(
            &self,
            _: Request<CollectRequest>,
        ) -> Result<Response<Self::collectStream>, Status> {
            Err(Status::unimplemented("typed collect must not be reached"))
        }
    }

    fn one_field(key: &str, value: &str) -> Struct {
        Struct {
            fields: [(
                key.to_owned(),
                Value {
                    kind: Some(Kind::StringValue(value.to_owned())),
                },
            )]
            .into(),
        }
    }

    fn info(i: usize) -> ResourceInfo {
        ResourceInfo {
            state: 4,
            message: String::new(),
            resource_type: "inventory.CloudService".into(),
            match_rules: Some(one_field("1", "reference.resource_id")),
            resource: Some(one_field("name", &format!("vm-{i}"))),
            options: None,
        }
    }

    /// Answers `collect` with `n` encoded messages named after the request's `filter.name`,
    /// then `end` (an error status) if given; refuses a request without options.
    fn handler(n: usize, end: Option<Status>) -> impl EncodedStreamHandler<CollectRequest> {
        move |request: Request<CollectRequest>| {
            let end = end.clone();
            async move {
                if request.get_ref().options.is_none() {
                    return Err(Status::invalid_argument("options are required"));
                }
                let mut items: Vec<Result<Bytes, Status>> = (0..n)
                    .map(|i| Ok(Bytes::from(info(i).encode_to_vec())))
                    .collect();
                items.extend(end.map(Err));
                let stream: BoxStream<Bytes> = Box::pin(tonic::codegen::tokio_stream::iter(items));
                Ok(Response::new(stream))
            }
        }
    }

    async fn serve<H: EncodedStreamHandler<CollectRequest>>(
        server: EncodedStreamingServer<CollectorServer<Typed>, CollectRequest, H>,
    ) -> SocketAddr {
        let bound = PluginServer::builder()
            .listen(SocketAddr::from(([127, 0, 0, 1], 0)))
            .add_service(server)
            .bind()
            .await
            .unwrap();
        let addr = bound.local_addr();
        tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
        addr
    }

    async fn client(addr: SocketAddr) -> CollectorClient<tonic::transport::Channel> {
        CollectorClient::connect(format!("http://{addr}"))
            .await
            .unwrap()
    }

    fn request() -> CollectRequest {
        CollectRequest {
            options: Some(Struct::default()),
            ..Default::default()
        }
    }

    #[test]
    fn path_and_name_follow_the_wrapped_server() {
        let s =
            EncodedStreamingServer::new(CollectorServer::new(Typed), "collect", handler(0, None));
        assert_eq!(s.path(), "/spaceone.api.inventory.plugin.Collector/collect");
        assert_eq!(
            <EncodedStreamingServer<CollectorServer<Typed>, CollectRequest, Refusing> as NamedService>::NAME,
            "spaceone.api.inventory.plugin.Collector"
        );
    }

    /// A handler type that can be named (closures cannot), for the `NAME` check.
    struct Refusing;
    impl EncodedStreamHandler<CollectRequest> for Refusing {
        fn call(
            &self,
            _: Request<CollectRequest>,
        ) -> BoxFuture<Response<BoxStream<Bytes>>, Status> {
            Box::pin(async { Err(Status::internal("unused")) })
        }
    }

    #[tokio::test]
    async fn encoded_messages_arrive_as_the_typed_messages_they_encode() {
        let server =
            EncodedStreamingServer::new(CollectorServer::new(Typed), "collect", handler(3, None));
        let mut c = client(serve(server).await).await;
        let mut stream = c.collect(request()).await.unwrap().into_inner();
        let mut got = Vec::new();
        while let Some(m) = stream.message().await.unwrap() {
            got.push(m);
        }
        assert_eq!(got, (0..3).map(info).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn other_methods_go_to_the_wrapped_server() {
        let server =
            EncodedStreamingServer::new(CollectorServer::new(Typed), "collect", handler(1, None));
        let mut c = client(serve(server).await).await;
        let init = c.init(InitRequest::default()).await.unwrap().into_inner();
        assert_eq!(init.metadata, Some(one_field("typed", "init")));
        let verify = c.verify(VerifyRequest::default()).await.unwrap_err();
        assert_eq!(verify.code(), Code::PermissionDenied);
        assert_eq!(verify.message(), "typed verify");
    }

    #[tokio::test]
    async fn handler_errors_and_stream_errors_reach_the_client() {
        let end = Status::unavailable("Prism Central went away");
        let server = EncodedStreamingServer::new(
            CollectorServer::new(Typed),
            "collect",
            handler(2, Some(end)),
        );
        let mut c = client(serve(server).await).await;

        let refused = c.collect(CollectRequest::default()).await.unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument);
        assert_eq!(refused.message(), "options are required");

        let mut stream = c.collect(request()).await.unwrap().into_inner();
        assert_eq!(stream.message().await.unwrap(), Some(info(0)));
        assert_eq!(stream.message().await.unwrap(), Some(info(1)));
        let status = stream.message().await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "Prism Central went away");
    }

    #[tokio::test]
    async fn size_limits_apply_to_the_answered_method() {
        let small = info(0).encoded_len();
        let server =
            EncodedStreamingServer::new(CollectorServer::new(Typed), "collect", handler(1, None))
                .max_encoding_message_size(small - 1);
        let mut c = client(serve(server).await).await;
        let status = match c.collect(request()).await {
            Ok(response) => response.into_inner().message().await.unwrap_err(),
            Err(status) => status,
        };
        assert_eq!(status.code(), Code::OutOfRange, "{status:?}");

        let server =
            EncodedStreamingServer::new(CollectorServer::new(Typed), "collect", handler(1, None))
                .max_decoding_message_size(8);
        let mut c = client(serve(server).await).await;
        let mut big = request();
        big.options = Some(one_field("padding", &"x".repeat(64)));
        let status = c.collect(big).await.unwrap_err();
        assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    }
}
