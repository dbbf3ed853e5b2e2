//! `grpc+ssl://` endpoints against an in-process TLS server with a self-signed certificate.
#![cfg(all(feature = "client", feature = "server", feature = "rustls"))]

use cloudforet_client::Error;
use cloudforet_client::client::{CloudForetClient, RetryPolicy};
use cloudforet_client::proto::spaceone::api::inventory::v1 as inventory;
use secrecy::SecretString;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

struct Echo;

#[tonic::async_trait]
impl inventory::cloud_service_server::CloudService for Echo {
    async fn create(
        &self,
        _req: Request<inventory::CreateServiceRequest>,
    ) -> Result<Response<inventory::CloudServiceInfo>, Status> {
        Err(Status::unimplemented("not used"))
    }

    async fn get(
        &self,
        req: Request<inventory::CloudServiceRequest>,
    ) -> Result<Response<inventory::CloudServiceInfo>, Status> {
        let token = req
            .metadata()
            .get("token")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Ok(Response::new(inventory::CloudServiceInfo {
            cloud_service_id: req.into_inner().cloud_service_id,
            name: token,
            ..Default::default()
        }))
    }

    async fn list(
        &self,
        _req: Request<inventory::CloudServiceQuery>,
    ) -> Result<Response<inventory::CloudServicesInfo>, Status> {
        Err(Status::unimplemented("not used"))
    }
}

/// Serves `Echo` over TLS for `localhost` and returns the port and the CA (self-signed) PEM.
async fn serve_tls() -> (u16, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = cert.cert.pem();
    let key_pem = cert.signing_key.serialize_pem();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Server::builder()
        .tls_config(ServerTlsConfig::new().identity(Identity::from_pem(&cert_pem, key_pem)))
        .unwrap()
        .add_service(inventory::cloud_service_server::CloudServiceServer::new(
            Echo,
        ));
    tokio::spawn(
        router.serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    (port, cert_pem)
}

#[tokio::test]
async fn grpc_ssl_endpoint_talks_tls_with_a_trusted_ca() {
    let (port, ca_pem) = serve_tls().await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc+ssl://localhost:{port}"))
        .ca_certificate_pem(ca_pem)
        .token(SecretString::from("tls-token"))
        .build()
        .unwrap();
    let info = client.get_cloud_service("cs-tls").await.unwrap();
    assert_eq!(info.cloud_service_id, "cs-tls");
    assert_eq!(info.name, "tls-token", "token metadata arrived over TLS");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let (port, _ca_pem) = serve_tls().await;
    let client = CloudForetClient::builder()
        .endpoint(format!("grpc+ssl://localhost:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_cloud_service("cs-tls").await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}
