//! No secret in any log line, `Debug` or `Display`: a TRACE-level subscriber captures everything
//! (the client's and the server kit's spans and events, and tonic/hyper/h2 output) while the
//! client signs in with a password, carries tokens in metadata, reads secret data, retries,
//! times out and fails to connect, and while a plugin served by the kit logs `masked(&req)` of
//! requests whose `secret_data` holds the password. Then the capture is searched for every
//! secret. Own test binary: it installs the global subscriber.
#![cfg(all(feature = "client", feature = "server"))]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cloudforet_client::Error;
use cloudforet_client::client::{CloudForetClient, RetryPolicy};
use cloudforet_client::proto::spaceone::api::identity::v2 as identity;
use cloudforet_client::proto::spaceone::api::monitoring::plugin::{
    MetricDataInfo, MetricDataRequest, MetricRequest, MetricsInfo,
    metric_client::MetricClient,
    metric_server::{Metric, MetricServer},
};
use cloudforet_client::proto::spaceone::api::secret::v1 as secret;
use cloudforet_client::server::{PluginError, PluginServer, masked};
use cloudforet_client::value::to_struct;
use secrecy::SecretString;
use serde_json::json;
use tonic::{Request, Response, Status};

const PASSWORD: &str = "S3cr3t-P4ss-xyz";
const TOKEN: &str = "CfT0k3n-S3cr3t-qrs";
const ISSUED_ACCESS: &str = "Issued-Acc3ss-S3cr3t";
const ISSUED_REFRESH: &str = "Issued-R3fr3sh-S3cr3t";
const GRANTED: &str = "Gr4nted-T0k3n-S3cr3t";
const PRISM_API_KEY: &str = "Pr1sm-K3y-S3cr3t";

fn forbidden() -> [&'static str; 6] {
    [
        PASSWORD,
        TOKEN,
        ISSUED_ACCESS,
        ISSUED_REFRESH,
        GRANTED,
        PRISM_API_KEY,
    ]
}

/// Everything written by the global TRACE subscriber.
fn capture() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buf);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .try_init()
            .expect("the only subscriber of this test binary");
        buf
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn report(case: &str, err: &Error) {
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    tracing::error!(case, error = %err, debug = ?err, chain = ?chain, "call failed");
}

/// The Prism credentials a plugin receives as `secret_data`.
fn prism_secret() -> prost_types::Struct {
    to_struct(&json!({
        "endpoint": "pc.example.com",
        "username": "admin",
        "password": PASSWORD,
        "api_key": PRISM_API_KEY,
        "nested": {"password": PASSWORD},
    }))
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Fake identity and secret services
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Fake {
    issue_calls: Arc<AtomicUsize>,
    get_data_calls: Arc<AtomicUsize>,
}

type Rpc<T> = std::result::Result<Response<T>, Status>;

#[tonic::async_trait]
impl identity::domain_server::Domain for Fake {
    async fn get_auth_info(
        &self,
        req: Request<identity::GetDomainAuthRequest>,
    ) -> Rpc<identity::DomainAuthInfo> {
        let name = req.into_inner().name;
        if name == "slow" {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        Ok(Response::new(identity::DomainAuthInfo {
            domain_id: format!("domain-{name}"),
            name,
            ..Default::default()
        }))
    }
}

#[tonic::async_trait]
impl identity::token_server::Token for Fake {
    async fn issue(&self, _req: Request<identity::IssueTokenRequest>) -> Rpc<identity::TokenInfo> {
        // The first sign-in is refused (wrong password), the next ones succeed.
        if self.issue_calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(Status::unauthenticated(
                "ERROR_AUTHENTICATE_FAILURE: Authenticate failure. (message = wrong password)",
            ));
        }
        Ok(Response::new(identity::TokenInfo {
            access_token: ISSUED_ACCESS.into(),
            refresh_token: ISSUED_REFRESH.into(),
        }))
    }

    async fn grant(
        &self,
        req: Request<identity::GrantTokenRequest>,
    ) -> Rpc<identity::GrantTokenInfo> {
        let req = req.into_inner();
        Ok(Response::new(identity::GrantTokenInfo {
            access_token: GRANTED.into(),
            role_type: identity::grant_token_info::RoleType::DomainAdmin as i32,
            domain_id: req.domain_id,
            workspace_id: req.workspace_id,
            role_id: "role-1".into(),
        }))
    }
}

#[tonic::async_trait]
impl secret::secret_server::Secret for Fake {
    async fn create(&self, _req: Request<secret::CreateSecretRequest>) -> Rpc<secret::SecretInfo> {
        Err(Status::permission_denied(
            "ERROR_PERMISSION_DENIED: Permission denied.",
        ))
    }

    async fn get_data(
        &self,
        _req: Request<secret::GetSecretDataRequest>,
    ) -> Rpc<secret::SecretDataInfo> {
        // Unavailable twice (retried by the client), then the data.
        if self.get_data_calls.fetch_add(1, Ordering::SeqCst) < 2 {
            return Err(Status::unavailable("secret service restarting"));
        }
        Ok(Response::new(secret::SecretDataInfo {
            encrypted: false,
            encrypt_options: None,
            data: Some(prism_secret()),
        }))
    }

    async fn get(&self, _req: Request<secret::SecretRequest>) -> Rpc<secret::SecretInfo> {
        Err(Status::unimplemented("not used"))
    }

    async fn list(&self, _req: Request<secret::SecretQuery>) -> Rpc<secret::SecretsInfo> {
        Err(Status::unimplemented("not used"))
    }
}

async fn serve_fake(fake: &Fake) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let router = tonic::transport::Server::builder()
        .add_service(identity::domain_server::DomainServer::new(fake.clone()))
        .add_service(identity::token_server::TokenServer::new(fake.clone()))
        .add_service(secret::secret_server::SecretServer::new(fake.clone()));
    tokio::spawn(router.serve_with_incoming(incoming));
    addr
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(4).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// Data a plugin would decode `secret_data` into, with a deliberately wrong field type.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct WrongShape {
    username: String,
    password: u32,
}

async fn client_paths() {
    let fake = Fake::default();
    let addr = serve_fake(&fake).await;
    let builder = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .token(SecretString::from(TOKEN))
        .domain_id("domain-1")
        .retry(fast_retry())
        .call_timeout(Duration::from_millis(300));
    tracing::info!(builder = ?builder, "builder");
    let client = builder.build().unwrap();
    tracing::info!(client = ?client, "client");

    // Sign-in refused, then accepted; the returned client carries the granted token.
    let password = SecretString::from(PASSWORD);
    let err = client
        .login("acme", "admin", &password, None)
        .await
        .unwrap_err();
    report("login refused", &err);
    let issued = client
        .issue_token("acme", "admin", &password)
        .await
        .unwrap();
    tracing::info!(issued = ?issued, "issued");
    let signed_in = client
        .login("acme", "admin", &password, Some("workspace-1"))
        .await
        .unwrap();
    tracing::info!(client = ?signed_in, "signed in");

    // Secret data: retried through two UNAVAILABLE answers; then decoded into a wrong shape.
    let data = signed_in.get_secret_data("secret-1", None).await.unwrap();
    assert!(data.data.is_some());
    let err = signed_in
        .get_secret_data_as::<WrongShape>("secret-1", None)
        .await
        .unwrap_err();
    report("secret decode", &err);

    // Permission denied.
    let err = signed_in
        .create_secret(secret::CreateSecretRequest {
            name: "nutanix".into(),
            data: Some(prism_secret()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    report("permission denied", &err);

    // Timeout.
    let err = client.domain_auth_info("slow").await.unwrap_err();
    report("timeout", &err);

    // Nothing listens on the port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let unreachable = CloudForetClient::builder()
        .endpoint(format!("grpc://127.0.0.1:{port}"))
        .token(SecretString::from(TOKEN))
        .retry(fast_retry())
        .connect_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    tracing::info!(client = ?unreachable, "client");
    let err = unreachable
        .issue_token("acme", "admin", &password)
        .await
        .unwrap_err();
    report("connect", &err);

    // A bad CA is a configuration error.
    if let Err(err) = CloudForetClient::builder()
        .endpoint("grpc+ssl://identity.example.com:443")
        .token(SecretString::from(TOKEN))
        .ca_certificate_pem(b"not a certificate".to_vec())
        .build()
    {
        report("bad ca", &err);
    }
}

// ---------------------------------------------------------------------------------------------
// A plugin served by the kit
// ---------------------------------------------------------------------------------------------

struct LoggingMetric;

#[tonic::async_trait]
impl Metric for LoggingMetric {
    async fn list(&self, req: Request<MetricRequest>) -> Result<Response<MetricsInfo>, Status> {
        tracing::debug!(request = ?masked(req.get_ref()), "Metric.list");
        Ok(Response::new(MetricsInfo::default()))
    }

    async fn get_data(
        &self,
        req: Request<MetricDataRequest>,
    ) -> Result<Response<MetricDataInfo>, Status> {
        tracing::trace!(request = ?masked(req.get_ref()), "Metric.get_data");
        Err(PluginError::invalid_parameter("metric", "unknown metric `bogus`").into())
    }
}

async fn server_paths() {
    let bound = PluginServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .add_service(MetricServer::new(LoggingMetric))
        .bind()
        .await
        .unwrap();
    let url = format!("http://{}", bound.local_addr());
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.serve_with_shutdown(async {
        let _ = rx.await;
    }));
    let mut client = MetricClient::connect(url).await.unwrap();
    client
        .list(MetricRequest {
            secret_data: Some(prism_secret()),
            schema: "nutanix".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let status = client
        .get_data(MetricDataRequest {
            secret_data: Some(prism_secret()),
            metric: "bogus".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    tracing::error!(status = ?status, "plugin call failed");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_debug_or_display() {
    let buf = capture();
    client_paths().await;
    server_paths().await;

    let text = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
    // The capture really holds the output of the paths above.
    for evidence in [
        "CloudForet service unavailable, retrying",
        "case=\"login refused\"",
        "case=\"secret decode\"",
        "case=\"permission denied\"",
        "case=\"timeout\"",
        "case=\"connect\"",
        "Metric.list",
        "Metric.get_data",
        "password",
        "*****",
        "unknown metric",
    ] {
        assert!(text.contains(evidence), "capture lacks {evidence:?}");
    }
    for secret in forbidden() {
        if let Some(at) = text.find(secret) {
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(i, _)| i);
            let end = (at + secret.len() + 200).min(text.len());
            panic!(
                "{secret:?} leaked into the capture: …{}…",
                text.get(start..end).unwrap_or("")
            );
        }
    }
}
