//! Authentication modes and secret redaction.

mod client_support;

use client_support::{Item, builder, entity, page_body};
use nutanix_prism::model::ListRequest;
use nutanix_prism::{Error, PrismClient};
use serde_json::json;
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LIST: &str = "/api/nutanix/v3/vms/list";
const ME: &str = "/api/nutanix/v3/users/me";
const PASSWORD: &str = "Pa55-hunter2-secret";
const API_KEY: &str = "key-0123456789abcdef";

fn ok_page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(page_body((0..2).map(entity).collect(), Some(2), 0))
}

fn me() -> serde_json::Value {
    json!({"status": {"name": "admin", "resources": {"display_name": "Admin"}}, "metadata": {"kind": "user"}})
}

fn login_response(cookie: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(me())
        .append_header(
            "Set-Cookie",
            format!("NTNX_IGW_SESSION={cookie}; Path=/; HttpOnly"),
        )
        .append_header("Set-Cookie", format!("JSESSIONID=j-{cookie}; Path=/"))
}

/// The login of session mode: `GET /users/me` with Basic credentials, answered with the
/// cookies of session `cookie`.
fn login(cookie: &str) -> Mock {
    Mock::given(method("GET"))
        .and(path(ME))
        .and(header_exists("authorization"))
        .respond_with(login_response(cookie))
}

/// A client of `server` in session mode.
fn session_client(server: &MockServer) -> PrismClient {
    builder(server)
        .session_auth("admin", PASSWORD.to_owned())
        .build()
        .unwrap()
}

/// Matches requests carrying both session cookies of login `session` (in any order).
fn cookies(session: &'static str) -> impl Fn(&Request) -> bool {
    move |req: &Request| {
        let cookie = req
            .headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut parts: Vec<&str> = cookie.split("; ").collect();
        parts.sort_unstable();
        parts
            == [
                format!("JSESSIONID=j-{session}"),
                format!("NTNX_IGW_SESSION={session}"),
            ]
    }
}

fn no_authorization(req: &Request) -> bool {
    !req.headers.contains_key("authorization")
}

#[tokio::test]
async fn basic_auth_header_on_every_request() {
    let server = MockServer::start().await;
    // base64("admin:Pa55-hunter2-secret")
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(header(
            "authorization",
            "Basic YWRtaW46UGE1NS1odW50ZXIyLXNlY3JldA==",
        ))
        .and(header("accept", "application/json"))
        .and(header("content-type", "application/json"))
        .and(header(
            "user-agent",
            concat!("nutanix-prism/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(ok_page())
        .expect(2)
        .mount(&server)
        .await;
    let c = builder(&server)
        .basic_auth("admin", PASSWORD.to_owned())
        .build()
        .unwrap();
    for _ in 0..2 {
        c.list::<Item>(ListRequest::default()).await.unwrap();
    }
}

#[tokio::test]
async fn api_key_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(header("x-ntnx-api-key", API_KEY))
        .and(no_authorization)
        .respond_with(ok_page())
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(API_KEY.to_owned())
        .build()
        .unwrap();
    c.list::<Item>(ListRequest::default()).await.unwrap();
}

#[tokio::test]
async fn api_key_401_says_check_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(API_KEY.to_owned())
        .build()
        .unwrap();
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    assert!(err.to_string().contains("check the API key"), "{err}");
}

#[tokio::test]
async fn session_logs_in_once_and_reuses_cookies() {
    let server = MockServer::start().await;
    login("s1").expect(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(cookies("s1"))
        .and(no_authorization)
        .respond_with(ok_page())
        .expect(3)
        .mount(&server)
        .await;
    let c = session_client(&server);
    // Clones share the session.
    let c2 = c.clone();
    c.list::<Item>(ListRequest::default()).await.unwrap();
    c2.list::<Item>(ListRequest::default()).await.unwrap();
    c.list::<Item>(ListRequest::default()).await.unwrap();
}

#[tokio::test]
async fn the_login_answers_the_first_current_user_call() {
    let server = MockServer::start().await;
    // The login (Basic) is the only GET /users/me until the first answer is used up.
    login("s1").expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(ME))
        .and(cookies("s1"))
        .and(no_authorization)
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .expect(1)
        .mount(&server)
        .await;
    let c = session_client(&server);
    let first = c.current_user().await.unwrap();
    assert_eq!(first.username(), Some("admin"));
    // Later calls ask Prism again (the user may have changed since the login).
    let second = c.current_user().await.unwrap();
    assert_eq!(second.username(), Some("admin"));
}

#[tokio::test]
async fn session_relogs_in_once_on_401_and_replays() {
    let server = MockServer::start().await;
    // First login gives s1, the second s2.
    login("s1")
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    login("s2").expect(1).with_priority(2).mount(&server).await;
    // s1 works once, then "expires".
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(cookies("s1"))
        .respond_with(ok_page())
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(cookies("s1"))
        .respond_with(ResponseTemplate::new(401).set_body_string("session expired"))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    // Only the fresh cookies work after the re-login (the old ones were dropped).
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(cookies("s2"))
        .and(no_authorization)
        .respond_with(ok_page())
        .expect(1)
        .mount(&server)
        .await;
    let c = session_client(&server);
    c.list::<Item>(ListRequest::default()).await.unwrap();
    let page = c.list::<Item>(ListRequest::default()).await.unwrap();
    assert_eq!(page.entities.len(), 2);
}

#[tokio::test]
async fn session_without_cookies_falls_back_to_basic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(header(
            "authorization",
            "Basic YWRtaW46UGE1NS1odW50ZXIyLXNlY3JldA==",
        ))
        .respond_with(ok_page())
        .expect(2)
        .mount(&server)
        .await;
    let c = session_client(&server);
    c.list::<Item>(ListRequest::default()).await.unwrap();
    c.list::<Item>(ListRequest::default()).await.unwrap();
}

#[tokio::test]
async fn session_relogin_happens_only_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(login_response("s"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let c = session_client(&server);
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(
        err.to_string().contains("check the username and password"),
        "{err}"
    );
}

#[tokio::test]
async fn session_login_failure_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(ResponseTemplate::new(401).set_body_string("Authentication required"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ok_page())
        .expect(0)
        .mount(&server)
        .await;
    let c = session_client(&server);
    let err = c.list::<Item>(ListRequest::default()).await.unwrap_err();
    let want = format!(
        "401 Unauthorized from GET {}{ME}: check the username and password",
        server.uri()
    );
    assert!(err.to_string().starts_with(&want), "{err}");
}

/// Asserts that neither the password nor the key nor their Basic encoding appear in `text`.
fn assert_clean(what: &str, text: &str) {
    for secret in [PASSWORD, API_KEY, "YWRtaW46UGE1NS1odW50ZXIyLXNlY3JldA=="] {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

#[tokio::test]
async fn debug_and_display_never_show_secrets() {
    let server = MockServer::start().await;
    // A hostile server echoes the credentials in every error body it can.
    let echo = format!("bad credentials admin:{PASSWORD} key {API_KEY}");
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message_list": [
            {"reason": "AUTHENTICATION_REQUIRED", "message": echo, "details": {"password": PASSWORD}}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/clusters/list"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(format!("crash dumping {PASSWORD} and {API_KEY}")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/vms/x"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("{{\"metadata\": \"{PASSWORD}\"}}"),
            "application/json",
        ))
        .mount(&server)
        .await;

    let basic = builder(&server).basic_auth("admin", PASSWORD.to_owned());
    let session = builder(&server).session_auth("admin", PASSWORD.to_owned());
    let keyed = builder(&server).api_key(API_KEY.to_owned());
    for b in [&basic, &session, &keyed] {
        assert_clean("builder Debug", &format!("{b:?}"));
        assert!(format!("{b:?}").contains("[REDACTED]"));
    }
    // Each client can only scrub the secret it was given: check that one in its errors.
    let password_secrets = [PASSWORD, "YWRtaW46UGE1NS1odW50ZXIyLXNlY3JldA=="];
    let key_secrets = [API_KEY];
    let cases: Vec<(PrismClient, &[&str])> = vec![
        (basic.build().unwrap(), &password_secrets),
        (keyed.build().unwrap(), &key_secrets),
    ];
    for (c, secrets) in &cases {
        assert_clean("client Debug", &format!("{c:?}"));
        assert!(format!("{c:?}").contains("[REDACTED]"));
        let errors = vec![
            c.list::<Item>(ListRequest::default()).await.unwrap_err(),
            c.list_all_clusters_error().await,
            c.get::<Item>("x").await.unwrap_err(),
        ];
        for e in &errors {
            assert_no(secrets, "error Display", &e.to_string());
            assert_no(secrets, "error Debug", &format!("{e:?}"));
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                assert_no(secrets, "error source", &s.to_string());
                source = s.source();
            }
        }
        assert!(
            matches!(errors[0], Error::Unauthorized(_)),
            "{:?}",
            errors[0]
        );
        assert!(
            matches!(errors[1], Error::RetriesExhausted { .. }),
            "{:?}",
            errors[1]
        );
        assert!(matches!(errors[2], Error::Decode(_)), "{:?}", errors[2]);
    }
    let e = PrismClient::builder(format!("https://admin:{PASSWORD}@pc"))
        .build()
        .unwrap_err();
    assert_clean("config error", &format!("{e} {e:?}"));
}

fn assert_no(secrets: &[&str], what: &str, text: &str) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

/// Helper: the error of listing clusters as `Item`s (served a 500 above).
trait ClustersError {
    async fn list_all_clusters_error(&self) -> Error;
}

impl ClustersError for PrismClient {
    async fn list_all_clusters_error(&self) -> Error {
        self.list::<nutanix_prism::model::Cluster>(ListRequest::default())
            .await
            .unwrap_err()
    }
}
