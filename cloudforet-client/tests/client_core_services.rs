//! Core-service client against in-process tonic servers on 127.0.0.1: every call's request
//! fields and metadata, paging, retries, error parsing and job following.
#![cfg(all(feature = "client", feature = "server"))]

use std::any::Any;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudforet_client::Error;
use cloudforet_client::client::{CloudForetClient, RetryPolicy, Service, query};
use cloudforet_client::error_code::ErrorCode;
use cloudforet_client::proto::spaceone::api::core::v2 as core_v2;
use cloudforet_client::proto::spaceone::api::identity::v2 as identity;
use cloudforet_client::proto::spaceone::api::inventory::v1 as inventory;
use cloudforet_client::proto::spaceone::api::repository::v1 as repository;
use cloudforet_client::proto::spaceone::api::secret::v1 as secret;
use cloudforet_client::value::{struct_ref_to_json, to_struct};
use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tonic::{Request, Response, Status};

const TOKEN: &str = "tok-abc.def.ghi";

// ---------------------------------------------------------------------------------------------
// Fake CloudForet
// ---------------------------------------------------------------------------------------------

/// What the fake does before answering normally.
enum Action {
    Fail(Status),
    Sleep(Duration),
}

/// One recorded call.
struct Call {
    method: &'static str,
    token: Option<String>,
    domain_id: Option<String>,
    workspace_id: Option<String>,
    request: Box<dyn Any + Send>,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    actions: VecDeque<Action>,
    cloud_services: Vec<inventory::CloudServiceInfo>,
    regions: Vec<inventory::RegionInfo>,
    job_statuses: VecDeque<inventory::job_info::Status>,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

fn header(req: &Request<impl Sized>, key: &str) -> Option<String> {
    req.metadata()
        .get(key)
        .map(|v| v.to_str().unwrap().to_owned())
}

impl Fake {
    /// Records the call, then applies the next scripted action, if any.
    async fn enter<T: Clone + Send + 'static>(
        &self,
        method: &'static str,
        req: &Request<T>,
    ) -> Result<(), Status> {
        let action = {
            let mut st = self.0.lock().unwrap();
            st.calls.push(Call {
                method,
                token: header(req, "token"),
                domain_id: header(req, "x_domain_id"),
                workspace_id: header(req, "x_workspace_id"),
                request: Box::new(req.get_ref().clone()),
            });
            st.actions.pop_front()
        };
        match action {
            Some(Action::Fail(status)) => Err(status),
            Some(Action::Sleep(d)) => {
                tokio::time::sleep(d).await;
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn script(&self, action: Action) {
        self.0.lock().unwrap().actions.push_back(action);
    }

    fn methods(&self) -> Vec<&'static str> {
        self.0
            .lock()
            .unwrap()
            .calls
            .iter()
            .map(|c| c.method)
            .collect()
    }

    /// The `n`-th recorded request, as `T`.
    fn request<T: Clone + 'static>(&self, n: usize) -> T {
        let st = self.0.lock().unwrap();
        st.calls[n]
            .request
            .downcast_ref::<T>()
            .unwrap_or_else(|| panic!("call {n} ({}) has another type", st.calls[n].method))
            .clone()
    }

    /// Asserts that every recorded call carried `token` and the given scope metadata.
    fn assert_metadata(&self, token: &str, domain_id: Option<&str>, workspace_id: Option<&str>) {
        let st = self.0.lock().unwrap();
        assert!(!st.calls.is_empty(), "no call recorded");
        for call in &st.calls {
            assert_eq!(
                call.token.as_deref(),
                Some(token),
                "token of {}",
                call.method
            );
            assert_eq!(
                call.domain_id.as_deref(),
                domain_id,
                "x_domain_id of {}",
                call.method
            );
            assert_eq!(
                call.workspace_id.as_deref(),
                workspace_id,
                "x_workspace_id of {}",
                call.method
            );
        }
    }
}

type Rpc<T> = std::result::Result<Response<T>, Status>;

#[tonic::async_trait]
impl identity::domain_server::Domain for Fake {
    async fn get_auth_info(
        &self,
        req: Request<identity::GetDomainAuthRequest>,
    ) -> Rpc<identity::DomainAuthInfo> {
        self.enter("Domain.get_auth_info", &req).await?;
        let name = req.into_inner().name;
        Ok(Response::new(identity::DomainAuthInfo {
            domain_id: format!("domain-of-{name}"),
            name,
            ..Default::default()
        }))
    }
}

#[tonic::async_trait]
impl identity::token_server::Token for Fake {
    async fn issue(&self, req: Request<identity::IssueTokenRequest>) -> Rpc<identity::TokenInfo> {
        self.enter("Token.issue", &req).await?;
        Ok(Response::new(identity::TokenInfo {
            access_token: "issued-access".into(),
            refresh_token: "issued-refresh".into(),
        }))
    }

    async fn grant(
        &self,
        req: Request<identity::GrantTokenRequest>,
    ) -> Rpc<identity::GrantTokenInfo> {
        self.enter("Token.grant", &req).await?;
        let req = req.into_inner();
        Ok(Response::new(identity::GrantTokenInfo {
            access_token: "granted-access".into(),
            role_type: identity::grant_token_info::RoleType::WorkspaceOwner as i32,
            domain_id: req.domain_id,
            workspace_id: req.workspace_id,
            role_id: "role-1".into(),
        }))
    }
}

#[tonic::async_trait]
impl inventory::cloud_service_server::CloudService for Fake {
    async fn create(
        &self,
        req: Request<inventory::CreateServiceRequest>,
    ) -> Rpc<inventory::CloudServiceInfo> {
        self.enter("CloudService.create", &req).await?;
        let req = req.into_inner();
        Ok(Response::new(inventory::CloudServiceInfo {
            cloud_service_id: "cloud-svc-new".into(),
            name: req.name,
            data: req.data,
            ..Default::default()
        }))
    }

    async fn get(
        &self,
        req: Request<inventory::CloudServiceRequest>,
    ) -> Rpc<inventory::CloudServiceInfo> {
        self.enter("CloudService.get", &req).await?;
        Ok(Response::new(inventory::CloudServiceInfo {
            cloud_service_id: req.into_inner().cloud_service_id,
            name: "vm-1".into(),
            ..Default::default()
        }))
    }

    async fn list(
        &self,
        req: Request<inventory::CloudServiceQuery>,
    ) -> Rpc<inventory::CloudServicesInfo> {
        self.enter("CloudService.list", &req).await?;
        let all = self.0.lock().unwrap().cloud_services.clone();
        let (results, total_count) = page_of(&all, req.get_ref().query.as_ref());
        Ok(Response::new(inventory::CloudServicesInfo {
            results,
            total_count,
        }))
    }
}

/// CloudForet's paging: `start` is 1-based, `limit` 0 means everything.
fn page_of<T: Clone>(all: &[T], query: Option<&core_v2::Query>) -> (Vec<T>, i32) {
    let total = i32::try_from(all.len()).unwrap();
    let Some(page) = query.and_then(|q| q.page) else {
        return (all.to_vec(), total);
    };
    if page.limit == 0 {
        return (all.to_vec(), total);
    }
    let start = page.start.max(1) as usize - 1;
    let end = (start + page.limit as usize).min(all.len());
    (all.get(start..end).unwrap_or_default().to_vec(), total)
}

#[tonic::async_trait]
impl inventory::region_server::Region for Fake {
    async fn create(
        &self,
        _req: Request<inventory::CreateRegionRequest>,
    ) -> Rpc<inventory::RegionInfo> {
        Err(Status::unimplemented("not used"))
    }

    async fn get(&self, _req: Request<inventory::RegionRequest>) -> Rpc<inventory::RegionInfo> {
        Err(Status::unimplemented("not used"))
    }

    async fn list(&self, req: Request<inventory::RegionQuery>) -> Rpc<inventory::RegionsInfo> {
        self.enter("Region.list", &req).await?;
        let all = self.0.lock().unwrap().regions.clone();
        let (results, total_count) = page_of(&all, req.get_ref().query.as_ref());
        Ok(Response::new(inventory::RegionsInfo {
            results,
            total_count,
        }))
    }
}

#[tonic::async_trait]
impl inventory::collector_server::Collector for Fake {
    async fn create(
        &self,
        _req: Request<inventory::CreateCollectorRequest>,
    ) -> Rpc<inventory::CollectorInfo> {
        Err(Status::unimplemented("not used"))
    }

    async fn verify_plugin(&self, _req: Request<inventory::VerifyPluginRequest>) -> Rpc<()> {
        Err(Status::unimplemented("not used"))
    }

    async fn collect(&self, req: Request<inventory::CollectRequest>) -> Rpc<inventory::JobInfo> {
        self.enter("Collector.collect", &req).await?;
        let req = req.into_inner();
        Ok(Response::new(inventory::JobInfo {
            job_id: "job-1".into(),
            status: inventory::job_info::Status::InProgress as i32,
            collector_id: req.collector_id,
            request_secret_id: req.secret_id,
            ..Default::default()
        }))
    }
}

#[tonic::async_trait]
impl inventory::job_server::Job for Fake {
    async fn get(&self, req: Request<inventory::JobRequest>) -> Rpc<inventory::JobInfo> {
        self.enter("Job.get", &req).await?;
        let status = self
            .0
            .lock()
            .unwrap()
            .job_statuses
            .pop_front()
            .unwrap_or(inventory::job_info::Status::InProgress);
        Ok(Response::new(inventory::JobInfo {
            job_id: req.into_inner().job_id,
            status: status as i32,
            total_tasks: 4,
            success_tasks: 3,
            failure_tasks: 1,
            ..Default::default()
        }))
    }

    async fn list(&self, _req: Request<inventory::JobsQuery>) -> Rpc<inventory::JobsInfo> {
        Err(Status::unimplemented("not used"))
    }
}

#[tonic::async_trait]
impl secret::secret_server::Secret for Fake {
    async fn create(&self, req: Request<secret::CreateSecretRequest>) -> Rpc<secret::SecretInfo> {
        self.enter("Secret.create", &req).await?;
        let req = req.into_inner();
        Ok(Response::new(secret::SecretInfo {
            secret_id: "secret-1".into(),
            name: req.name,
            ..Default::default()
        }))
    }

    async fn get_data(
        &self,
        req: Request<secret::GetSecretDataRequest>,
    ) -> Rpc<secret::SecretDataInfo> {
        self.enter("Secret.get_data", &req).await?;
        Ok(Response::new(secret::SecretDataInfo {
            encrypted: false,
            encrypt_options: None,
            data: Some(
                to_struct(&json!({"username": "admin", "password": "pw", "port": 9440})).unwrap(),
            ),
        }))
    }

    async fn get(&self, _req: Request<secret::SecretRequest>) -> Rpc<secret::SecretInfo> {
        Err(Status::unimplemented("not used"))
    }

    async fn list(&self, _req: Request<secret::SecretQuery>) -> Rpc<secret::SecretsInfo> {
        Err(Status::unimplemented("not used"))
    }
}

#[tonic::async_trait]
impl repository::plugin_server::Plugin for Fake {
    async fn register(
        &self,
        req: Request<repository::RegisterPluginRequest>,
    ) -> Rpc<repository::PluginInfo> {
        self.enter("Plugin.register", &req).await?;
        let req = req.into_inner();
        Ok(Response::new(repository::PluginInfo {
            plugin_id: "plugin-nutanix".into(),
            name: req.name,
            image: req.image,
            ..Default::default()
        }))
    }
}

/// Serves every fake service on 127.0.0.1 and returns its address.
async fn serve(fake: &Fake) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let router = tonic::transport::Server::builder()
        .add_service(identity::domain_server::DomainServer::new(fake.clone()))
        .add_service(identity::token_server::TokenServer::new(fake.clone()))
        .add_service(inventory::cloud_service_server::CloudServiceServer::new(
            fake.clone(),
        ))
        .add_service(inventory::region_server::RegionServer::new(fake.clone()))
        .add_service(inventory::collector_server::CollectorServer::new(
            fake.clone(),
        ))
        .add_service(inventory::job_server::JobServer::new(fake.clone()))
        .add_service(secret::secret_server::SecretServer::new(fake.clone()))
        .add_service(repository::plugin_server::PluginServer::new(fake.clone()));
    tokio::spawn(router.serve_with_incoming(incoming));
    addr
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(3).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// A fake plus a client with token and `x_domain_id` pointed at it.
async fn setup() -> (Fake, CloudForetClient) {
    let fake = Fake::default();
    let addr = serve(&fake).await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .token(SecretString::from(TOKEN))
        .domain_id("domain-1")
        .retry(fast_retry())
        .build()
        .unwrap();
    (fake, client)
}

fn cloud_service(i: usize) -> inventory::CloudServiceInfo {
    inventory::CloudServiceInfo {
        cloud_service_id: format!("cs-{i:03}"),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn domain_auth_info_sends_the_name() {
    let (fake, client) = setup().await;
    let info = client.domain_auth_info("acme").await.unwrap();
    assert_eq!(info.domain_id, "domain-of-acme");
    assert_eq!(fake.methods(), ["Domain.get_auth_info"]);
    assert_eq!(
        fake.request::<identity::GetDomainAuthRequest>(0).name,
        "acme"
    );
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn issue_token_looks_up_the_domain_then_issues_with_local_credentials() {
    let (fake, client) = setup().await;
    let password = SecretString::from("p@ss word");
    let issued = client
        .issue_token("acme", "admin@acme", &password)
        .await
        .unwrap();

    assert_eq!(fake.methods(), ["Domain.get_auth_info", "Token.issue"]);
    let req = fake.request::<identity::IssueTokenRequest>(1);
    assert_eq!(
        req.auth_type,
        identity::issue_token_request::AuthType::Local as i32
    );
    assert_eq!(req.domain_id, "domain-of-acme");
    assert_eq!(
        struct_ref_to_json(req.credentials.as_ref().unwrap()),
        json!({"user_id": "admin@acme", "password": "p@ss word"})
    );
    fake.assert_metadata(TOKEN, Some("domain-1"), None);

    assert_eq!(issued.access_token.expose_secret(), "issued-access");
    assert_eq!(issued.refresh_token.expose_secret(), "issued-refresh");
    assert_eq!(issued.domain_id, "domain-of-acme");
    let debug = format!("{issued:?}");
    assert!(
        !debug.contains("issued-access") && !debug.contains("issued-refresh"),
        "{debug}"
    );
}

#[tokio::test]
async fn grant_token_exchanges_the_refresh_token_for_a_workspace_token() {
    let (fake, client) = setup().await;
    let refresh = SecretString::from("refresh-xyz");
    let granted = client
        .grant_token(
            &refresh,
            cloudforet_client::client::Scope::Workspace,
            Some("ws-7"),
        )
        .await
        .unwrap();

    let req = fake.request::<identity::GrantTokenRequest>(0);
    assert_eq!(
        req.grant_type,
        identity::grant_token_request::GrantType::RefreshToken as i32
    );
    assert_eq!(req.token, "refresh-xyz");
    assert_eq!(
        req.scope,
        identity::grant_token_request::Scope::Workspace as i32
    );
    assert_eq!(req.workspace_id, "ws-7");
    assert_eq!(req.domain_id, "domain-1");
    fake.assert_metadata(TOKEN, Some("domain-1"), None);

    assert_eq!(granted.access_token.expose_secret(), "granted-access");
    assert_eq!(
        granted.role_type,
        cloudforet_client::client::RoleType::WorkspaceOwner
    );
    assert_eq!(granted.workspace_id, "ws-7");
    assert!(!format!("{granted:?}").contains("granted-access"));
}

#[tokio::test]
async fn workspace_grant_without_workspace_id_fails_before_calling() {
    let (fake, client) = setup().await;
    let err = client
        .grant_token(
            &SecretString::from("r"),
            cloudforet_client::client::Scope::Workspace,
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(fake.methods().is_empty());
}

#[tokio::test]
async fn login_returns_a_client_carrying_the_granted_token() {
    let fake = Fake::default();
    let addr = serve(&fake).await;
    let anonymous = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .build()
        .unwrap();
    let client = anonymous
        .login("acme", "admin", &SecretString::from("pw"), Some("ws-1"))
        .await
        .unwrap();
    assert_eq!(
        fake.methods(),
        ["Domain.get_auth_info", "Token.issue", "Token.grant"]
    );
    {
        let st = fake.0.lock().unwrap();
        assert!(
            st.calls.iter().all(|c| c.token.is_none()),
            "anonymous calls sent a token"
        );
    }
    let grant = fake.request::<identity::GrantTokenRequest>(2);
    assert_eq!(grant.token, "issued-refresh");
    assert_eq!(grant.domain_id, "domain-of-acme");
    assert_eq!(grant.workspace_id, "ws-1");

    assert_eq!(client.token().unwrap().expose_secret(), "granted-access");
    assert_eq!(client.domain_id(), Some("domain-of-acme"));
    client.get_cloud_service("cs-1").await.unwrap();
    let st = fake.0.lock().unwrap();
    let last = st.calls.last().unwrap();
    assert_eq!(last.token.as_deref(), Some("granted-access"));
    assert_eq!(last.domain_id.as_deref(), Some("domain-of-acme"));
}

// ---------------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_cloud_service_sends_every_field() {
    let (fake, client) = setup().await;
    let request = inventory::CreateServiceRequest {
        cloud_service_type: "VirtualMachine".into(),
        provider: "nutanix".into(),
        cloud_service_group: "Compute".into(),
        name: "vm-1".into(),
        instance_size: 4.0,
        ip_addresses: vec!["10.0.0.5".into()],
        data: Some(to_struct(&json!({"vcpus": 4, "uuid": "u-1"})).unwrap()),
        reference: Some(inventory::CloudServiceReference {
            resource_id: "u-1".into(),
            external_link: String::new(),
        }),
        region_code: "cluster-a".into(),
        project_id: "project-1".into(),
        ..Default::default()
    };
    let info = client.create_cloud_service(request.clone()).await.unwrap();
    assert_eq!(info.cloud_service_id, "cloud-svc-new");
    assert_eq!(fake.request::<inventory::CreateServiceRequest>(0), request);
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn get_cloud_service_sends_the_id() {
    let (fake, client) = setup().await;
    let info = client.get_cloud_service("cs-42").await.unwrap();
    assert_eq!(info.cloud_service_id, "cs-42");
    assert_eq!(
        fake.request::<inventory::CloudServiceRequest>(0)
            .cloud_service_id,
        "cs-42"
    );
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

async fn list_with_page_size(total: usize, page_size: u32) -> (Fake, Vec<String>) {
    let fake = Fake::default();
    fake.0.lock().unwrap().cloud_services = (0..total).map(cloud_service).collect();
    let addr = serve(&fake).await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .token(SecretString::from(TOKEN))
        .workspace_id("ws-9")
        .page_size(page_size)
        .build()
        .unwrap();
    let query = inventory::CloudServiceQuery {
        provider: "nutanix".into(),
        query: Some(query::query([query::filter(
            "cloud_service_type",
            "eq",
            json!("VirtualMachine"),
        )])),
        ..Default::default()
    };
    let ids = client
        .cloud_services(query)
        .map_ok(|cs| cs.cloud_service_id)
        .try_collect()
        .await
        .unwrap();
    (fake, ids)
}

#[tokio::test]
async fn cloud_services_stream_pages_from_start_1_until_total_count() {
    let (fake, ids) = list_with_page_size(25, 10).await;
    let expected: Vec<String> = (0..25).map(|i| format!("cs-{i:03}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(fake.methods(), ["CloudService.list"; 3]);
    for (n, start) in [1, 11, 21].into_iter().enumerate() {
        let req = fake.request::<inventory::CloudServiceQuery>(n);
        assert_eq!(req.provider, "nutanix", "call {n}");
        let query = req.query.unwrap();
        assert_eq!(
            query.page,
            Some(core_v2::Page { start, limit: 10 }),
            "call {n}"
        );
        let expected_filter = core_v2::Filter {
            key_alias: Some(core_v2::filter::KeyAlias::K("cloud_service_type".into())),
            value_alias: Some(core_v2::filter::ValueAlias::V(prost_types::Value {
                kind: Some(prost_types::value::Kind::StringValue(
                    "VirtualMachine".into(),
                )),
            })),
            operator_alias: Some(core_v2::filter::OperatorAlias::O("eq".into())),
        };
        assert_eq!(query.filter, [expected_filter], "filter kept on call {n}");
    }
    fake.assert_metadata(TOKEN, None, Some("ws-9"));
}

#[tokio::test]
async fn cloud_services_stream_stops_exactly_at_total_count() {
    let (fake, ids) = list_with_page_size(20, 10).await;
    assert_eq!(ids.len(), 20);
    assert_eq!(
        fake.methods().len(),
        2,
        "no extra call after the last full page"
    );

    let (fake, ids) = list_with_page_size(0, 10).await;
    assert!(ids.is_empty());
    assert_eq!(fake.methods().len(), 1);

    let (fake, ids) = list_with_page_size(7, 1).await;
    assert_eq!(ids.len(), 7);
    assert_eq!(fake.methods().len(), 7);
}

#[tokio::test]
async fn cloud_services_page_sends_the_query_as_given() {
    let (fake, client) = setup().await;
    fake.0.lock().unwrap().cloud_services = (0..5).map(cloud_service).collect();
    let query = inventory::CloudServiceQuery {
        query: Some(core_v2::Query {
            page: Some(core_v2::Page { start: 2, limit: 2 }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let page = client.cloud_services_page(query.clone()).await.unwrap();
    assert_eq!(page.total_count, 5);
    let ids: Vec<_> = page
        .results
        .iter()
        .map(|c| c.cloud_service_id.as_str())
        .collect();
    assert_eq!(ids, ["cs-001", "cs-002"]);
    assert_eq!(fake.request::<inventory::CloudServiceQuery>(0), query);
}

#[tokio::test]
async fn regions_stream_pages() {
    let fake = Fake::default();
    fake.0.lock().unwrap().regions = (0..5)
        .map(|i| inventory::RegionInfo {
            region_code: format!("r{i}"),
            ..Default::default()
        })
        .collect();
    let addr = serve(&fake).await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .token(SecretString::from(TOKEN))
        .domain_id("domain-1")
        .page_size(2)
        .build()
        .unwrap();
    let query = inventory::RegionQuery {
        provider: "nutanix".into(),
        ..Default::default()
    };
    let codes: Vec<String> = client
        .regions(query)
        .map_ok(|r| r.region_code)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(codes, ["r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(fake.methods(), ["Region.list"; 3]);
    let starts: Vec<u32> = (0..3)
        .map(|n| {
            let req = fake.request::<inventory::RegionQuery>(n);
            assert_eq!(req.provider, "nutanix");
            req.query.unwrap().page.unwrap().start
        })
        .collect();
    assert_eq!(starts, [1, 3, 5]);
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn collect_sends_collector_and_secret_ids() {
    let (fake, client) = setup().await;
    let job = client
        .collect("collector-1", Some("secret-9"))
        .await
        .unwrap();
    assert_eq!(job.job_id, "job-1");
    let req = fake.request::<inventory::CollectRequest>(0);
    assert_eq!(req.collector_id, "collector-1");
    assert_eq!(req.secret_id, "secret-9");
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn wait_for_job_follows_the_job_to_success() {
    use inventory::job_info::Status;
    let (fake, client) = setup().await;
    fake.0.lock().unwrap().job_statuses =
        VecDeque::from([Status::None, Status::InProgress, Status::Success]);
    let job = client
        .collect_and_wait(
            "collector-1",
            None,
            Duration::from_millis(1),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(job.job_id, "job-1");
    assert_eq!(job.status, Status::Success as i32);
    assert_eq!(
        fake.methods(),
        ["Collector.collect", "Job.get", "Job.get", "Job.get"]
    );
    assert_eq!(fake.request::<inventory::JobRequest>(3).job_id, "job-1");
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn wait_for_job_reports_failure_and_cancellation() {
    use inventory::job_info::Status;
    for (terminal, name) in [(Status::Failure, "FAILURE"), (Status::Canceled, "CANCELED")] {
        let (fake, client) = setup().await;
        fake.0.lock().unwrap().job_statuses = VecDeque::from([Status::InProgress, terminal]);
        let err = client
            .wait_for_job("job-5", Duration::from_millis(1), Duration::from_secs(60))
            .await
            .unwrap_err();
        match &err {
            Error::JobFailed {
                job_id,
                status,
                total_tasks,
                failure_tasks,
            } => {
                assert_eq!(job_id, "job-5");
                assert_eq!(status, name);
                assert_eq!((*total_tasks, *failure_tasks), (4, 1));
            }
            other => panic!("expected JobFailed, got {other:?}"),
        }
        assert_eq!(fake.methods(), ["Job.get", "Job.get"]);
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn wait_for_job_gives_up_after_the_timeout() {
    let (fake, client) = setup().await;
    // The fake reports IN_PROGRESS forever.
    let err = client
        .wait_for_job("job-6", Duration::from_millis(2), Duration::from_millis(20))
        .await
        .unwrap_err();
    match err {
        Error::JobTimeout {
            job_id,
            last_status,
            ..
        } => {
            assert_eq!(job_id, "job-6");
            assert_eq!(last_status, "IN_PROGRESS");
        }
        other => panic!("expected JobTimeout, got {other:?}"),
    }
    assert!(
        fake.methods().iter().all(|m| *m == "Job.get") && !fake.methods().is_empty(),
        "only Job.get polls"
    );
}

// ---------------------------------------------------------------------------------------------
// Secret and repository
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_secret_sends_every_field() {
    let (fake, client) = setup().await;
    let request = secret::CreateSecretRequest {
        name: "prism-central".into(),
        data: Some(to_struct(&json!({"username": "admin", "password": "pw"})).unwrap()),
        schema_id: "nutanix-prism".into(),
        resource_group: secret::create_secret_request::ResourceGroup::Workspace as i32,
        workspace_id: "ws-1".into(),
        ..Default::default()
    };
    let info = client.create_secret(request.clone()).await.unwrap();
    assert_eq!(info.secret_id, "secret-1");
    assert_eq!(fake.request::<secret::CreateSecretRequest>(0), request);
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn get_secret_data_defaults_domain_id_and_decodes() {
    let (fake, client) = setup().await;
    let info = client.get_secret_data("secret-1", None).await.unwrap();
    assert!(info.data.is_some());
    let req = fake.request::<secret::GetSecretDataRequest>(0);
    assert_eq!(req.secret_id, "secret-1");
    assert_eq!(req.domain_id, "domain-1", "defaults to x_domain_id");

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Prism {
        username: String,
        password: String,
        port: u16,
    }
    let prism: Prism = client
        .get_secret_data_as("secret-2", Some("domain-other"))
        .await
        .unwrap();
    assert_eq!(
        prism,
        Prism {
            username: "admin".into(),
            password: "pw".into(),
            port: 9440
        }
    );
    assert_eq!(
        fake.request::<secret::GetSecretDataRequest>(1).domain_id,
        "domain-other"
    );
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn register_plugin_sends_every_field() {
    let (fake, client) = setup().await;
    let request = repository::RegisterPluginRequest {
        name: "nutanix-inven-collector".into(),
        resource_type: "inventory.Collector".into(),
        image: "nutanix/plugin-inventory".into(),
        provider: "nutanix".into(),
        registry_type: repository::PublicRegistryType::DockerHub as i32,
        capability: Some(to_struct(&json!({"supported_schema": ["nutanix-prism"]})).unwrap()),
        labels: Some(cloudforet_client::value::json_to_list(vec![json!(
            "Compute"
        )])),
        plugin_id: "plugin-nutanix".into(),
        ..Default::default()
    };
    let info = client.register_plugin(request.clone()).await.unwrap();
    assert_eq!(info.plugin_id, "plugin-nutanix");
    assert_eq!(
        fake.request::<repository::RegisterPluginRequest>(0),
        request
    );
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

// ---------------------------------------------------------------------------------------------
// Retries, errors, timeouts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn idempotent_calls_are_retried_on_unavailable() {
    let (fake, client) = setup().await;
    fake.script(Action::Fail(Status::unavailable("restarting")));
    fake.script(Action::Fail(Status::unavailable("restarting")));
    let info = client.get_cloud_service("cs-1").await.unwrap();
    assert_eq!(info.cloud_service_id, "cs-1");
    assert_eq!(fake.methods(), ["CloudService.get"; 3]);
    fake.assert_metadata(TOKEN, Some("domain-1"), None);
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let (fake, client) = setup().await;
    for _ in 0..5 {
        fake.script(Action::Fail(Status::unavailable("down")));
    }
    let err = client.get_job("job-1").await.unwrap_err();
    assert_eq!(fake.methods(), ["Job.get"; 3]);
    assert_eq!(err.grpc_code(), Some(tonic::Code::Unavailable));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn invalid_argument_is_not_retried() {
    let (fake, client) = setup().await;
    fake.script(Action::Fail(Status::invalid_argument(
        "ERROR_INVALID_ARGUMENT: Argument is invalid. (key = cloud_service_id)",
    )));
    let err = client.get_cloud_service("").await.unwrap_err();
    assert_eq!(fake.methods(), ["CloudService.get"]);
    assert_eq!(err.code(), Some(&ErrorCode::InvalidArgument));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn state_changing_calls_are_not_retried() {
    let (fake, client) = setup().await;
    fake.script(Action::Fail(Status::unavailable("restarting")));
    let err = client.collect("collector-1", None).await.unwrap_err();
    assert_eq!(fake.methods(), ["Collector.collect"]);
    assert_eq!(err.grpc_code(), Some(tonic::Code::Unavailable));
}

#[tokio::test]
async fn cloudforet_error_status_is_parsed_into_code_and_message() {
    let (fake, client) = setup().await;
    fake.script(Action::Fail(Status::not_found(
        "ERROR_NOT_FOUND: Value not found. (key = cloud_service_id, value = cs-404)",
    )));
    let err = client.get_cloud_service("cs-404").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some(&ErrorCode::NotFound));
    let status = err.status().unwrap();
    assert_eq!(status.grpc_code, tonic::Code::NotFound);
    assert_eq!(status.error_code, ErrorCode::NotFound);
    assert_eq!(
        status.message,
        "Value not found. (key = cloud_service_id, value = cs-404)"
    );
    assert_eq!(status.method, "CloudService.get");
    let text = err.to_string();
    assert!(
        text.contains("CloudService.get") && text.contains("ERROR_NOT_FOUND"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
    assert_eq!(fake.methods(), ["CloudService.get"]);
}

#[tokio::test]
async fn status_without_error_prefix_keeps_the_message_and_derives_the_code() {
    let (fake, client) = setup().await;
    fake.script(Action::Fail(Status::permission_denied("no access")));
    let err = client.get_cloud_service("cs-1").await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::PermissionDenied));
    assert_eq!(err.status().unwrap().message, "no access");
    assert_eq!(fake.methods().len(), 1);
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let fake = Fake::default();
    let addr = serve(&fake).await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .call_timeout(Duration::from_millis(50))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    fake.script(Action::Sleep(Duration::from_secs(30)));
    let err = client.get_cloud_service("cs-1").await.unwrap_err();
    match &err {
        Error::Timeout { method, timeout } => {
            assert_eq!(*method, "CloudService.get");
            assert_eq!(*timeout, Duration::from_millis(50));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_unreachable_service_is_a_retryable_connect_error() {
    // A port that was just free: nothing listens there any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{addr}"))
        .token(SecretString::from(TOKEN))
        .retry(fast_retry())
        .build()
        .unwrap();
    let err = client.get_cloud_service("cs-1").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connect {
                method: "CloudService.get",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    let text = err.to_string();
    assert!(text.contains(&addr.to_string()), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_service_without_endpoint_is_a_config_error() {
    let fake = Fake::default();
    let addr = serve(&fake).await;
    let client = CloudForetClient::builder()
        .service_endpoint(Service::Inventory, format!("grpc://{addr}"))
        .build()
        .unwrap();
    client.get_cloud_service("cs-1").await.unwrap();
    let err = client.domain_auth_info("acme").await.unwrap_err();
    match err {
        Error::Config(msg) => assert!(msg.contains("identity"), "{msg}"),
        other => panic!("expected Config, got {other:?}"),
    }
    assert_eq!(fake.methods(), ["CloudService.get"]);
}

#[tokio::test]
async fn per_service_endpoints_route_calls() {
    let inventory_fake = Fake::default();
    let secret_fake = Fake::default();
    let inventory_addr = serve(&inventory_fake).await;
    let secret_addr = serve(&secret_fake).await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc://{inventory_addr}"))
        .service_endpoint(Service::Secret, format!("grpc://{secret_addr}"))
        .token(SecretString::from(TOKEN))
        .build()
        .unwrap();
    client.get_cloud_service("cs-1").await.unwrap();
    client.get_secret_data("secret-1", None).await.unwrap();
    assert_eq!(inventory_fake.methods(), ["CloudService.get"]);
    assert_eq!(secret_fake.methods(), ["Secret.get_data"]);
    secret_fake.assert_metadata(TOKEN, None, None);
}

#[tokio::test]
async fn with_token_switches_the_token_and_keeps_the_scope() {
    let (fake, client) = setup().await;
    let other = client
        .with_token(SecretString::from("app-client-secret"))
        .unwrap()
        .with_workspace_id("ws-2")
        .unwrap();
    other.get_cloud_service("cs-1").await.unwrap();
    fake.assert_metadata("app-client-secret", Some("domain-1"), Some("ws-2"));
    // The original client is unchanged.
    assert_eq!(client.token().unwrap().expose_secret(), TOKEN);
    assert_eq!(client.workspace_id(), None);
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let (_fake, client) = setup().await;
    let switched = client
        .with_token(SecretString::from("second-secret-token"))
        .unwrap();
    for text in [
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{switched:?}"),
        format!(
            "{:?}",
            CloudForetClient::builder()
                .endpoint("grpc://h:1")
                .token(SecretString::from(TOKEN))
        ),
    ] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains("second-secret-token"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}

#[tokio::test]
async fn streams_are_send_and_static() {
    fn assert_send_static<T: Send + 'static>(_: &T) {}
    let (_fake, client) = setup().await;
    let stream = client.cloud_services(Default::default());
    assert_send_static(&stream);
    let handle = tokio::spawn(async move {
        let items: Vec<_> = stream.try_collect().await?;
        Ok::<_, Error>(items.len())
    });
    assert_eq!(handle.await.unwrap().unwrap(), 0);
}
