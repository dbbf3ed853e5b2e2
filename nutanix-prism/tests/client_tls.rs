//! TLS against a tiny loopback HTTPS server with a certificate from a generated CA.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use nutanix_prism::error::TransportKind;
use nutanix_prism::{Error, PrismClient, RetryPolicy};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

struct Server {
    port: u16,
    ca_pem: String,
    handshakes_ok: Arc<AtomicUsize>,
}

/// Starts an HTTPS server on 127.0.0.1 whose certificate (for `127.0.0.1`) is signed by a fresh
/// CA; it answers every request with a `GET /users/me`-like JSON body.
async fn start() -> Server {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();

    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes_ok = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&handshakes_ok);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                // Read the request head, then answer with a hand-written HTTP/1.1 response.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"status":{"name":"admin"},"metadata":{"kind":"user"}}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Server {
        port,
        ca_pem: ca.pem(),
        handshakes_ok,
    }
}

fn builder(server: &Server) -> nutanix_prism::PrismClientBuilder {
    PrismClient::builder(format!("https://127.0.0.1:{}", server.port))
        .requests_per_second(None)
        .retry_policy(RetryPolicy::none())
}

#[tokio::test]
async fn untrusted_certificate_fails_by_default() {
    let server = start().await;
    let err = builder(&server)
        .build()
        .unwrap()
        .current_user()
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Tls, "{err}"),
        other => panic!("expected a TLS transport error, got {other:?}"),
    }
    assert!(!err.is_retryable(), "certificate errors are not retried");
    assert!(
        err.to_string().contains("add_root_certificate_pem"),
        "{err}"
    );
    assert_eq!(server.handshakes_ok.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn certificate_errors_are_not_retried() {
    let server = start().await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let err = client.current_user().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport(_)),
        "a single attempt, no RetriesExhausted: {err:?}"
    );
}

#[tokio::test]
async fn trusted_with_its_ca() {
    let server = start().await;
    let client = builder(&server)
        .add_root_certificate_pem(server.ca_pem.as_bytes())
        .build()
        .unwrap();
    let user = client.current_user().await.unwrap();
    assert_eq!(user.username(), Some("admin"));
    assert_eq!(server.handshakes_ok.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn accepted_with_the_explicit_opt_out() {
    let server = start().await;
    let client = builder(&server)
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("accept_invalid_certs: true"));
    let user = client.current_user().await.unwrap();
    assert_eq!(user.username(), Some("admin"));
}

#[test]
fn pem_without_certificates_is_a_config_error() {
    let err = PrismClient::builder("pc.example.com")
        .add_root_certificate_pem(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(err.is_config(), "{err:?}");
    assert!(err.to_string().contains("contains no certificate"), "{err}");
}
