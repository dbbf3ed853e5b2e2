//! Retries, error classification and limits against a wiremock Prism.

mod client_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_support::{Item, builder, client, entity, fast_retries, page_body};
use nutanix_prism::model::ListRequest;
use nutanix_prism::{Error, RequestEvent, RequestOutcome};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/api/nutanix/v3/vms/list";

fn ok_page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(page_body((0..3).map(entity).collect(), Some(3), 0))
}

fn fixture(name: &str) -> String {
    let dir = std::env::var("PRISM_FIXTURES_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/prism").to_owned()
    });
    std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture exists")
}

/// Mounts `first` for the first `n` requests, then `then`.
async fn flaky(server: &MockServer, first: ResponseTemplate, n: u64, then: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(first)
        .up_to_n_times(n)
        .expect(n)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(then)
        .expect(1)
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = MockServer::start().await;
    flaky(
        &server,
        ResponseTemplate::new(503).set_body_string("upstream connect error"),
        2,
        ok_page(),
    )
    .await;
    let events = Arc::new(Mutex::new(Vec::<RequestEvent>::new()));
    let sink = Arc::clone(&events);
    let c = builder(&server)
        .observer(move |e| sink.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    let page = c.list::<Item>(ListRequest::default()).await.unwrap();
    assert_eq!(page.entities.len(), 3);
    let events = events.lock().unwrap();
    let outcomes: Vec<(Option<u16>, RequestOutcome, u32)> = events
        .iter()
        .map(|e| (e.status, e.outcome, e.attempt))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (Some(503), RequestOutcome::HttpError, 1),
            (Some(503), RequestOutcome::HttpError, 2),
            (Some(200), RequestOutcome::Success, 3)
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.operation == "vms/list" && e.method == "POST")
    );
}

#[tokio::test]
async fn retries_429_and_reports_retry_after() {
    let server = MockServer::start().await;
    flaky(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        1,
        ok_page(),
    )
    .await;
    let page = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 3);
}

#[tokio::test]
async fn retry_after_beyond_the_budget_gives_up_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .retry_policy(fast_retries(5).max_elapsed(Duration::from_secs(60)))
        .build()
        .unwrap();
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(600)))
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(
        err.to_string().contains("server asked to wait 600.0s"),
        "{err}"
    );
}

#[tokio::test]
async fn x_ratelimit_reset_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(429).insert_header("X-Ratelimit-Reset", "900"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(900)),
        "{err:?}"
    );
}

#[tokio::test]
async fn plain_text_503_gives_up_after_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("gave up after 3 attempts"), "{text}");
    assert!(
        text.contains("503") && text.contains("Service Unavailable"),
        "{text}"
    );
    assert_eq!(err.status(), Some(503));
    let http = err.http().expect("http details");
    assert_eq!(http.body_excerpt, "Service Unavailable");
    assert!(http.reason.is_none());
}

#[tokio::test]
async fn truncated_json_is_retried() {
    let server = MockServer::start().await;
    let truncated =
        r#"{"api_version":"3.1","metadata":{"total_matches":3},"entities":[{"metadata":{"uuid":"#;
    flaky(
        &server,
        ResponseTemplate::new(200).set_body_raw(truncated, "application/json"),
        1,
        ok_page(),
    )
    .await;
    let page = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 3);
}

#[tokio::test]
async fn wrong_shape_is_a_decode_error_with_path_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"entities": [{"metadata": {}}, {"metadata": "oops"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert!(
                d.path.starts_with("entities") && d.path.ends_with("metadata"),
                "{}",
                d.path
            );
            assert!(!d.truncated);
            assert!(d.body_excerpt.contains("oops"), "{}", d.body_excerpt);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn html_200_is_not_json_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Please log in</body></html>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert!(!d.truncated);
            assert!(
                d.body_excerpt.contains("Please log in"),
                "{}",
                d.body_excerpt
            );
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn no_retry_on_401() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(401).set_body_string("<html>Unauthorized</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .basic_auth("admin", "pw".to_owned())
        .build()
        .unwrap();
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_unauthorized());
    let want = format!(
        "401 Unauthorized from POST {}{LIST}: check the username and password",
        server.uri()
    );
    assert!(err.to_string().starts_with(&want), "{err}");
}

#[tokio::test]
async fn no_retry_on_404_with_v3_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/vms/nope"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(
                    fixture("error_404_category_value_mismatch.json"),
                    "application/json",
                )
                .insert_header("X-Ntnx-Product", "pc.2024.3.0.1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).get::<Item>("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let http = err.http().unwrap();
    assert_eq!(http.reason.as_deref(), Some("CATEGORY_NAME_VALUE_MISMATCH"));
    assert_eq!(http.product.as_deref(), Some("pc.2024.3.0.1"));
    assert!(err.to_string().contains("doesn't exist"), "{err}");
}

#[tokio::test]
async fn no_retry_on_400_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            fixture("error_400_invalid_request.json"),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    match &err {
        Error::Api(h) => {
            assert_eq!(h.status, 400);
            assert_eq!(h.reason.as_deref(), Some("INVALID_REQUEST"));
            assert_eq!(
                h.message.as_deref(),
                Some("Request could not be processed.")
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn polymorphic_details_are_kept_as_json() {
    let server = MockServer::start().await;
    let body = json!({"state": "ERROR", "code": 422, "message_list": [
        {"reason": "INVALID_ARGUMENT", "message": "bad spec", "details": {"": ["a", "b"]}}]});
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(422).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .list::<Item>(ListRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.http().unwrap().details, json!({"": ["a", "b"]}));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn body_size_limit_is_enforced_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            (0..100).map(entity).collect(),
            Some(100),
            0,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server).max_response_bytes(2048).build().unwrap();
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 2048, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("exceeds the limit of 2048 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn connect_errors_are_retried_then_reported() {
    // A port with nothing listening on loopback.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let c = nutanix_prism::PrismClient::builder(format!("http://127.0.0.1:{port}"))
        .allow_http(true)
        .requests_per_second(None)
        .retry_policy(fast_retries(2))
        .build()
        .unwrap();
    let err = c.current_user().await.unwrap_err();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.is_transport());
    assert!(
        err.to_string().contains("check the host name, port 9440"),
        "{err}"
    );
}

#[tokio::test]
async fn timeouts_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ok_page().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let c = builder(&server)
        .request_timeout(Duration::from_millis(100))
        .retry_policy(fast_retries(1))
        .build()
        .unwrap();
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
}
