//! Client builder validation (no server needed).
#![cfg(feature = "client")]

use std::time::Duration;

use cloudforet_client::Error;
use cloudforet_client::client::{CloudForetClient, RetryPolicy, Service};
use secrecy::SecretString;

#[test]
fn a_client_needs_an_endpoint() {
    let err = CloudForetClient::builder().build().unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("endpoint")),
        "{err:?}"
    );
}

#[test]
fn malformed_endpoints_are_rejected_at_build_time() {
    for bad in [
        "localhost:50051",
        "https://h:1",
        "grpc://h",
        "grpc://h:1/path",
    ] {
        let err = CloudForetClient::builder()
            .endpoint(bad)
            .build()
            .unwrap_err();
        match err {
            Error::InvalidEndpoint { endpoint, .. } => assert_eq!(endpoint, bad),
            other => panic!("{bad}: expected InvalidEndpoint, got {other:?}"),
        }
    }
    // A per-service endpoint is validated too, even when a default one is fine.
    let err = CloudForetClient::builder()
        .endpoint("grpc://h:1")
        .service_endpoint(Service::Secret, "grpc://secret")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidEndpoint { .. }), "{err:?}");
}

#[test]
fn zero_page_size_and_zero_timeouts_are_rejected() {
    let base = || CloudForetClient::builder().endpoint("grpc://h:1");
    for builder in [
        base().page_size(0),
        base().call_timeout(Duration::ZERO),
        base().connect_timeout(Duration::ZERO),
    ] {
        let err = builder.build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
}

#[test]
fn a_token_grpc_metadata_cannot_carry_is_rejected_without_echoing_it() {
    let err = CloudForetClient::builder()
        .endpoint("grpc://h:1")
        .token(SecretString::from("line1\nsecret-part"))
        .build()
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, Error::Config(_)), "{text}");
    assert!(!text.contains("secret-part"), "{text}");

    let client = CloudForetClient::builder()
        .endpoint("grpc://h:1")
        .build()
        .unwrap();
    let err = client
        .with_token(SecretString::from("bad\u{7f}secret-part"))
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("secret-part"));
    let err = client.with_domain_id("bad\nid").unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("x_domain_id")),
        "{err:?}"
    );
}

#[test]
fn defaults_and_accessors() {
    let client = CloudForetClient::builder()
        .endpoint("grpc://h:1")
        .domain_id("d-1")
        .workspace_id("w-1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(
        client.page_size(),
        cloudforet_client::client::DEFAULT_PAGE_SIZE
    );
    assert_eq!(client.domain_id(), Some("d-1"));
    assert_eq!(client.workspace_id(), Some("w-1"));
    assert!(client.token().is_none());
    let debug = format!("{client:?}");
    for service in ["identity", "inventory", "secret", "repository"] {
        assert!(debug.contains(&format!("{service}=grpc://h:1")), "{debug}");
    }
}

#[cfg(not(feature = "rustls"))]
#[test]
fn tls_endpoints_need_the_rustls_feature() {
    let err = CloudForetClient::builder()
        .endpoint("grpc+ssl://h:443")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("rustls")),
        "{err:?}"
    );
}

#[cfg(feature = "rustls")]
#[test]
fn tls_endpoints_build_with_the_rustls_feature() {
    let client = CloudForetClient::builder()
        .endpoint("grpc+ssl://cloudforet.example.com:443")
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("grpc+ssl://cloudforet.example.com:443"));
}
