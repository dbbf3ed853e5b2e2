//! gRPC reflection served by the plugin server kit, checked with tonic-reflection's own clients
//! (v1alpha, what CloudForet uses, and v1): the advertised services are exactly the registered
//! plugin services plus Health, ServerInfo and reflection, and every one resolves together with
//! all its imports (CloudForet refuses a plugin if a single advertised service does not).
#![cfg(feature = "server")]

use std::collections::BTreeMap;

use cloudforet_client::proto::spaceone::api::{cost_analysis, inventory};
use cloudforet_client::server::{BoundPluginServer, PluginServer};
use prost::Message as _;
use prost_types::{DescriptorProto, FileDescriptorProto};
use tokio::sync::oneshot;
use tonic::{Request, Response, Status};

struct Collector;

#[tonic::async_trait]
impl inventory::plugin::collector_server::Collector for Collector {
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
        Ok(Response::new(()))
    }
    type collectStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<inventory::plugin::ResourceInfo, Status>>>;
    async fn collect(
        &self,
        _: Request<inventory::plugin::CollectRequest>,
    ) -> Result<Response<Self::collectStream>, Status> {
        Ok(Response::new(tokio_stream::iter(Vec::new())))
    }
}

struct Job;

#[tonic::async_trait]
impl inventory::plugin::job_server::Job for Job {
    async fn get_tasks(
        &self,
        _: Request<inventory::plugin::GetTaskRequest>,
    ) -> Result<Response<inventory::plugin::TasksInfo>, Status> {
        Ok(Response::new(inventory::plugin::TasksInfo::default()))
    }
}

struct Cost;

#[tonic::async_trait]
impl cost_analysis::plugin::cost_server::Cost for Cost {
    async fn get_linked_accounts(
        &self,
        _: Request<cost_analysis::plugin::GetLinkedAccountsRequest>,
    ) -> Result<Response<cost_analysis::plugin::AccountsInfo>, Status> {
        Ok(Response::new(cost_analysis::plugin::AccountsInfo::default()))
    }
    type get_dataStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<cost_analysis::plugin::CostsInfo, Status>>>;
    async fn get_data(
        &self,
        _: Request<cost_analysis::plugin::GetDataRequest>,
    ) -> Result<Response<Self::get_dataStream>, Status> {
        Ok(Response::new(tokio_stream::iter(Vec::new())))
    }
}

const KIT: [&str; 4] = [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "spaceone.api.core.v1.ServerInfo",
];

async fn start(bound: BoundPluginServer) -> (String, oneshot::Sender<()>) {
    let url = format!("http://{}", bound.local_addr());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        bound
            .serve_with_shutdown(async {
                let _ = rx.await;
            })
            .await
            .expect("plugin server failed");
    });
    (url, tx)
}

async fn inventory_server() -> (String, oneshot::Sender<()>) {
    let bound = PluginServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .add_service(inventory::plugin::collector_server::CollectorServer::new(
            Collector,
        ))
        .add_service(inventory::plugin::job_server::JobServer::new(Job))
        .bind()
        .await
        .unwrap();
    start(bound).await
}

/// Every message defined in `files`, by full name.
fn message_index(
    files: &BTreeMap<String, FileDescriptorProto>,
) -> BTreeMap<String, DescriptorProto> {
    fn walk(prefix: &str, msgs: &[DescriptorProto], out: &mut BTreeMap<String, DescriptorProto>) {
        for m in msgs {
            let name = format!("{prefix}.{}", m.name());
            walk(&name, &m.nested_type, out);
            out.insert(name, m.clone());
        }
    }
    let mut out = BTreeMap::new();
    for f in files.values() {
        walk(f.package(), &f.message_type, &mut out);
    }
    out
}

fn enum_index(files: &BTreeMap<String, FileDescriptorProto>) -> Vec<String> {
    let mut out = Vec::new();
    for f in files.values() {
        for e in &f.enum_type {
            out.push(format!("{}.{}", f.package(), e.name()));
        }
        let mut stack: Vec<(String, &DescriptorProto)> = f
            .message_type
            .iter()
            .map(|m| (format!("{}.{}", f.package(), m.name()), m))
            .collect();
        while let Some((name, m)) = stack.pop() {
            for e in &m.enum_type {
                out.push(format!("{name}.{}", e.name()));
            }
            for n in &m.nested_type {
                stack.push((format!("{name}.{}", n.name()), n));
            }
        }
    }
    out
}

/// Asserts every method's input/output and every field type of every reachable message resolves
/// within `files` (the service's file plus everything fetched for its imports).
fn assert_fully_resolvable(service: &str, files: &BTreeMap<String, FileDescriptorProto>) {
    let messages = message_index(files);
    let enums = enum_index(files);
    let (package, short) = service.rsplit_once('.').unwrap();
    let svc = files
        .values()
        .filter(|f| f.package() == package)
        .flat_map(|f| f.service.iter())
        .find(|s| s.name() == short)
        .unwrap_or_else(|| panic!("{service} not in its own file"));
    assert!(!svc.method.is_empty(), "{service} has no methods");
    let mut todo: Vec<String> = svc
        .method
        .iter()
        .flat_map(|m| [m.input_type().to_owned(), m.output_type().to_owned()])
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(t) = todo.pop() {
        let name = t.trim_start_matches('.').to_owned();
        if !seen.insert(name.clone()) {
            continue;
        }
        let m = messages
            .get(&name)
            .unwrap_or_else(|| panic!("{service}: type {name} is not resolvable"));
        for f in &m.field {
            if f.type_name().is_empty() {
                continue;
            }
            let tn = f.type_name().trim_start_matches('.');
            if messages.contains_key(tn) {
                todo.push(tn.to_owned());
            } else {
                assert!(
                    enums.iter().any(|e| e == tn),
                    "{service}: {name}.{} has unresolvable type {tn}",
                    f.name()
                );
            }
        }
    }
}

macro_rules! reflection_tests {
    ($module:ident, $pb:path) => {
        mod $module {
            use super::*;
            use pb::server_reflection_client::ServerReflectionClient;
            use pb::server_reflection_request::MessageRequest;
            use pb::server_reflection_response::MessageResponse;
            use $pb as pb;

            async fn ask(url: &str, request: MessageRequest) -> MessageResponse {
                try_ask(url, request).await.unwrap()
            }

            async fn try_ask(
                url: &str,
                request: MessageRequest,
            ) -> Result<MessageResponse, Status> {
                let channel = tonic::transport::Endpoint::from_shared(url.to_owned())
                    .unwrap()
                    .connect()
                    .await
                    .unwrap();
                let mut client = ServerReflectionClient::new(channel);
                let req = pb::ServerReflectionRequest {
                    host: String::new(),
                    message_request: Some(request),
                };
                let mut stream = client
                    .server_reflection_info(tokio_stream::iter(vec![req]))
                    .await
                    .unwrap()
                    .into_inner();
                Ok(stream
                    .message()
                    .await?
                    .expect("one response")
                    .message_response
                    .expect("a message_response"))
            }

            async fn list(url: &str) -> Vec<String> {
                match ask(url, MessageRequest::ListServices(String::new())).await {
                    MessageResponse::ListServicesResponse(r) => {
                        let mut names: Vec<String> =
                            r.service.into_iter().map(|s| s.name).collect();
                        names.sort();
                        names
                    }
                    other => panic!("unexpected response {other:?}"),
                }
            }

            async fn files(url: &str, request: MessageRequest) -> Vec<FileDescriptorProto> {
                match ask(url, request).await {
                    MessageResponse::FileDescriptorResponse(r) => r
                        .file_descriptor_proto
                        .iter()
                        .map(|b| FileDescriptorProto::decode(b.as_slice()).unwrap())
                        .collect(),
                    other => panic!("unexpected response {other:?}"),
                }
            }

            /// The service's file plus, fetched one by one by name, all its transitive imports.
            async fn resolve(url: &str, service: &str) -> BTreeMap<String, FileDescriptorProto> {
                let mut out = BTreeMap::new();
                let mut todo = files(
                    url,
                    MessageRequest::FileContainingSymbol(service.to_owned()),
                )
                .await;
                while let Some(f) = todo.pop() {
                    if out.contains_key(f.name()) {
                        continue;
                    }
                    for dep in &f.dependency {
                        if !out.contains_key(dep) {
                            let got = files(url, MessageRequest::FileByFilename(dep.clone())).await;
                            assert!(
                                got.iter().any(|g| g.name() == dep),
                                "{service}: import {dep} not served by name"
                            );
                            todo.extend(got);
                        }
                    }
                    out.insert(f.name().to_owned(), f);
                }
                out
            }

            #[tokio::test]
            async fn advertises_exactly_registered_services_and_kit() {
                let (url, stop) = inventory_server().await;
                let mut expected: Vec<String> = [
                    "spaceone.api.inventory.plugin.Collector",
                    "spaceone.api.inventory.plugin.Job",
                ]
                .iter()
                .chain(KIT.iter())
                .map(|s| (*s).to_owned())
                .collect();
                expected.sort();
                assert_eq!(list(&url).await, expected);
                let _ = stop.send(());
            }

            #[tokio::test]
            async fn every_advertised_service_resolves_with_all_imports() {
                let (url, stop) = inventory_server().await;
                for service in list(&url).await {
                    let files = resolve(&url, &service).await;
                    assert_fully_resolvable(&service, &files);
                }
                let _ = stop.send(());
            }

            #[tokio::test]
            async fn well_known_imports_are_served_by_filename() {
                let (url, stop) = inventory_server().await;
                for name in [
                    "google/protobuf/struct.proto",
                    "google/protobuf/empty.proto",
                    "spaceone/api/inventory/plugin/collector.proto",
                    "spaceone/api/core/v1/server_info.proto",
                ] {
                    let got = files(&url, MessageRequest::FileByFilename(name.to_owned())).await;
                    assert_eq!(got[0].name(), name);
                }
                let collector = files(
                    &url,
                    MessageRequest::FileByFilename(
                        "spaceone/api/inventory/plugin/collector.proto".to_owned(),
                    ),
                )
                .await;
                assert_eq!(
                    collector[0].dependency,
                    [
                        "google/protobuf/empty.proto",
                        "google/protobuf/struct.proto"
                    ]
                );
                let _ = stop.send(());
            }

            #[tokio::test]
            async fn unknown_symbols_are_not_found() {
                let (url, stop) = inventory_server().await;
                // tonic-reflection ends the stream with a NOT_FOUND status (grpc-go and grpcio
                // answer with an ErrorResponse instead); either is a clean "not found".
                match try_ask(
                    &url,
                    MessageRequest::FileContainingSymbol("no.such.Thing".into()),
                )
                .await
                {
                    Err(status) => assert_eq!(status.code(), tonic::Code::NotFound),
                    Ok(MessageResponse::ErrorResponse(e)) => {
                        assert_eq!(e.error_code, tonic::Code::NotFound as i32)
                    }
                    Ok(other) => panic!("expected not found, got {other:?}"),
                }
                let _ = stop.send(());
            }

            #[tokio::test]
            async fn only_registered_plugin_services_are_advertised() {
                let bound = PluginServer::builder()
                    .listen("127.0.0.1:0".parse().unwrap())
                    .add_service(cost_analysis::plugin::cost_server::CostServer::new(Cost))
                    .bind()
                    .await
                    .unwrap();
                let (url, stop) = start(bound).await;
                let names = list(&url).await;
                assert!(names.contains(&"spaceone.api.cost_analysis.plugin.Cost".to_owned()));
                assert_eq!(names.len(), 1 + KIT.len(), "{names:?}");
                assert!(!names.iter().any(|n| n.contains("inventory")), "{names:?}");
                let _ = stop.send(());
            }
        }
    };
}

reflection_tests!(v1alpha, tonic_reflection::pb::v1alpha);
reflection_tests!(v1, tonic_reflection::pb::v1);
