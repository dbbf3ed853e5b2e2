//! The plugin server kit over the wire: health, ServerInfo, `PluginError` statuses (unary and
//! mid-stream), refusal of clashing services, bind errors and graceful shutdown.
#![cfg(all(feature = "server", feature = "client"))]

use cloudforet_client::error_code::{ErrorCode, parse_status_message};
use cloudforet_client::proto::spaceone::api::core::v1::server_info_client::ServerInfoClient;
use cloudforet_client::proto::spaceone::api::inventory::plugin::collector_client::CollectorClient;
use cloudforet_client::proto::spaceone::api::{cost_analysis, inventory, monitoring};
use cloudforet_client::server::{BoundPluginServer, PluginError, PluginServer, ServerError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// A collector whose `verify` always fails with an authentication error and whose `collect`
/// yields one record and then fails.
#[derive(Clone)]
struct FailingCollector;

#[tonic::async_trait]
impl inventory::plugin::collector_server::Collector for FailingCollector {
    async fn init(
        &self,
        _: Request<inventory::plugin::InitRequest>,
    ) -> Result<Response<inventory::plugin::PluginInfo>, Status> {
        Ok(Response::new(inventory::plugin::PluginInfo::default()))
    }

    async fn verify(
        &self,
        _: Request<inventory::plugin::VerifyRequest>,
    ) -> Result<Response<()>, Status> {
        Err(PluginError::authenticate_failure("HTTP 401 from Prism Central").into())
    }

    type collectStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<inventory::plugin::ResourceInfo, Status>>>;

    async fn collect(
        &self,
        req: Request<inventory::plugin::CollectRequest>,
    ) -> Result<Response<Self::collectStream>, Status> {
        if req.get_ref().secret_data.is_none() {
            return Err(PluginError::required_parameter("secret_data").into());
        }
        Ok(Response::new(tokio_stream::iter(vec![
            Ok(inventory::plugin::ResourceInfo {
                state: inventory::plugin::resource_info::State::Success as i32,
                ..Default::default()
            }),
            Err(PluginError::unknown("Prism Central went away").into()),
        ])))
    }
}

struct CostJob;

#[tonic::async_trait]
impl cost_analysis::plugin::job_server::Job for CostJob {
    async fn get_tasks(
        &self,
        _: Request<cost_analysis::plugin::GetTasksRequest>,
    ) -> Result<Response<cost_analysis::plugin::TasksInfo>, Status> {
        Ok(Response::new(cost_analysis::plugin::TasksInfo::default()))
    }
}

struct InventoryJob;

#[tonic::async_trait]
impl inventory::plugin::job_server::Job for InventoryJob {
    async fn get_tasks(
        &self,
        _: Request<inventory::plugin::GetTaskRequest>,
    ) -> Result<Response<inventory::plugin::TasksInfo>, Status> {
        Ok(Response::new(inventory::plugin::TasksInfo::default()))
    }
}

struct CostDataSource;

#[tonic::async_trait]
impl cost_analysis::plugin::data_source_server::DataSource for CostDataSource {
    async fn init(
        &self,
        _: Request<cost_analysis::plugin::InitRequest>,
    ) -> Result<Response<cost_analysis::plugin::PluginInfo>, Status> {
        Ok(Response::new(cost_analysis::plugin::PluginInfo::default()))
    }
    async fn verify(
        &self,
        _: Request<cost_analysis::plugin::PluginVerifyRequest>,
    ) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }
}

struct MonDataSource;

#[tonic::async_trait]
impl monitoring::plugin::data_source_server::DataSource for MonDataSource {
    async fn init(
        &self,
        _: Request<monitoring::plugin::InitRequest>,
    ) -> Result<Response<monitoring::plugin::PluginInfo>, Status> {
        Ok(Response::new(monitoring::plugin::PluginInfo::default()))
    }
    async fn verify(
        &self,
        _: Request<monitoring::plugin::PluginVerifyRequest>,
    ) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }
}

fn loopback() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn collector_builder() -> cloudforet_client::server::PluginServerBuilder {
    PluginServer::builder().listen(loopback()).add_service(
        inventory::plugin::collector_server::CollectorServer::new(FailingCollector),
    )
}

struct Running {
    channel: Channel,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

async fn run(bound: BoundPluginServer) -> Running {
    let url = format!("http://{}", bound.local_addr());
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(bound.serve_with_shutdown(async {
        let _ = rx.await;
    }));
    let channel = tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    Running {
        channel,
        stop,
        task,
    }
}

async fn health(channel: &Channel, service: &str) -> Result<ServingStatus, Status> {
    let resp = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: service.to_owned(),
        })
        .await?;
    Ok(resp.into_inner().status())
}

#[tokio::test]
async fn health_reports_serving_for_server_and_every_advertised_service() {
    let bound = collector_builder()
        .add_service(inventory::plugin::job_server::JobServer::new(InventoryJob))
        .bind()
        .await
        .unwrap();
    let advertised: Vec<&str> = bound.advertised_services().to_vec();
    let srv = run(bound).await;
    assert_eq!(
        health(&srv.channel, "").await.unwrap(),
        ServingStatus::Serving
    );
    for name in &advertised {
        assert_eq!(
            health(&srv.channel, name).await.unwrap(),
            ServingStatus::Serving,
            "{name}"
        );
    }
    let unknown = health(&srv.channel, "no.such.Service").await.unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    let _ = srv.stop.send(());
    srv.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn server_info_returns_configured_or_crate_version() {
    let srv = run(collector_builder().version("1.2.3").bind().await.unwrap()).await;
    let v = ServerInfoClient::new(srv.channel.clone())
        .get_version(())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.version, "1.2.3");
    let _ = srv.stop.send(());

    let srv = run(collector_builder().bind().await.unwrap()).await;
    let v = ServerInfoClient::new(srv.channel.clone())
        .get_version(())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.version, env!("CARGO_PKG_VERSION"));
    let _ = srv.stop.send(());
}

#[tokio::test]
async fn plugin_errors_travel_as_cloudforet_statuses() {
    let srv = run(collector_builder().bind().await.unwrap()).await;
    let mut client = CollectorClient::new(srv.channel.clone());

    let err = client
        .verify(inventory::plugin::VerifyRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    assert_eq!(
        err.message(),
        "ERROR_AUTHENTICATE_FAILURE: Authenticate failure. (message = HTTP 401 from Prism Central)"
    );
    let (code, text) = parse_status_message(err.message()).unwrap();
    assert_eq!(code, ErrorCode::AuthenticateFailure);
    assert_eq!(
        text,
        "Authenticate failure. (message = HTTP 401 from Prism Central)"
    );

    // Before the stream starts.
    let err = client
        .collect(inventory::plugin::CollectRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert_eq!(
        err.message(),
        "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data)"
    );

    // Mid-stream: the record arrives, then the stream ends with the status.
    let mut stream = client
        .collect(inventory::plugin::CollectRequest {
            secret_data: Some(prost_types::Struct::default()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert_eq!(
        first.state,
        inventory::plugin::resource_info::State::Success as i32
    );
    let err = stream.message().await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Internal);
    assert_eq!(err.message(), "ERROR_UNKNOWN: Prism Central went away");
    let _ = srv.stop.send(());
}

#[tokio::test]
async fn clashing_short_names_are_refused() {
    // inventory.plugin.Job vs cost_analysis.plugin.Job
    let err = collector_builder()
        .add_service(inventory::plugin::job_server::JobServer::new(InventoryJob))
        .add_service(cost_analysis::plugin::job_server::JobServer::new(CostJob))
        .bind()
        .await
        .unwrap_err();
    match &err {
        ServerError::DuplicateShortName {
            short,
            first,
            second,
        } => {
            assert_eq!(short, "Job");
            assert_eq!(first, "spaceone.api.inventory.plugin.Job");
            assert_eq!(second, "spaceone.api.cost_analysis.plugin.Job");
        }
        other => panic!("expected DuplicateShortName, got {other:?}"),
    }
    assert!(err.to_string().contains("short name `Job`"), "{err}");

    // cost_analysis.plugin.DataSource vs monitoring.plugin.DataSource
    let err = PluginServer::builder()
        .listen(loopback())
        .add_service(
            cost_analysis::plugin::data_source_server::DataSourceServer::new(CostDataSource),
        )
        .add_service(monitoring::plugin::data_source_server::DataSourceServer::new(MonDataSource))
        .bind()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServerError::DuplicateShortName { ref short, .. } if short == "DataSource"),
        "{err:?}"
    );
}

#[tokio::test]
async fn duplicate_reserved_and_missing_services_are_refused() {
    let err = collector_builder()
        .add_service(inventory::plugin::collector_server::CollectorServer::new(
            FailingCollector,
        ))
        .bind()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServerError::DuplicateService { ref name } if name == "spaceone.api.inventory.plugin.Collector"),
        "{err:?}"
    );

    let (_reporter, health) = tonic_health::server::health_reporter();
    let err = collector_builder()
        .add_service(health)
        .bind()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServerError::ReservedService { ref name } if name == "grpc.health.v1.Health"),
        "{err:?}"
    );

    let err = PluginServer::builder()
        .listen(loopback())
        .bind()
        .await
        .unwrap_err();
    assert!(matches!(err, ServerError::NoServices), "{err:?}");
}

#[tokio::test]
async fn a_taken_address_is_a_bind_error() {
    let first = collector_builder().bind().await.unwrap();
    let addr = first.local_addr();
    let err = PluginServer::builder()
        .listen(addr)
        .add_service(inventory::plugin::collector_server::CollectorServer::new(
            FailingCollector,
        ))
        .bind()
        .await
        .unwrap_err();
    match err {
        ServerError::Bind { addr: a, .. } => assert_eq!(a, addr),
        other => panic!("expected Bind, got {other:?}"),
    }
}

#[tokio::test]
async fn shutdown_reports_not_serving_and_returns() {
    let srv = run(collector_builder().bind().await.unwrap()).await;
    let mut watch = HealthClient::new(srv.channel.clone())
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = watch.message().await.unwrap().unwrap();
    assert_eq!(first.status(), ServingStatus::Serving);

    let _ = srv.stop.send(());
    let next = watch.message().await.unwrap().unwrap();
    assert_eq!(next.status(), ServingStatus::NotServing);

    // The server drains: once the client lets go, `serve_with_shutdown` returns Ok.
    drop(watch);
    drop(srv.channel);
    srv.task.await.unwrap().unwrap();
}
