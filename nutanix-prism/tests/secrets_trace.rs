//! No secret in any log line, `Debug` or `Display`: a TRACE-level subscriber captures everything
//! (the client's spans and events, and the `log` records of the HTTP and TLS stacks) while the
//! client goes through success and every error path with a distinctive password and API key;
//! then the capture is searched for them and for their Basic-auth base64 forms.

mod client_support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use client_support::fast_retries;
use nutanix_prism::model::{ListRequest, Vm};
use nutanix_prism::{Error, PrismClient, PrismClientBuilder};
use serde_json::json;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = "admin";
const PASSWORD: &str = "S3cr3t-P4ss-xyz";
const API_KEY: &str = "K3y-S3cr3t-abc-987";
const LIST: &str = "/api/nutanix/v3/vms/list";

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

/// Standard base64 (with padding), to look for Basic credentials in the capture.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every form of a secret that must never be printed.
fn forbidden() -> Vec<String> {
    vec![
        PASSWORD.to_owned(),
        API_KEY.to_owned(),
        base64(format!("{USER}:{PASSWORD}").as_bytes()),
        base64(PASSWORD.as_bytes()),
        base64(API_KEY.as_bytes()),
    ]
}

/// Logs `Debug` and `Display` of an error (and its source chain), as an application would.
fn report(label: &str, err: &Error) {
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    tracing::error!(case = label, error = %err, debug = ?err, chain = ?chain, "call failed");
}

fn wiremock_builder(server: &MockServer) -> PrismClientBuilder {
    PrismClient::builder(server.uri())
        .allow_http(true)
        .requests_per_second(None)
        .retry_policy(fast_retries(3))
}

/// A v3 error body that (maliciously or by accident) echoes the client's `secret`. (A client
/// can only scrub the secret it holds, so each server echoes only that one.)
fn echoing_error(secret: &str) -> serde_json::Value {
    json!({
        "state": "ERROR",
        "code": 401,
        "message_list": [{
            "reason": format!("AUTH_FAILED {secret}"),
            "message": format!("credential {secret} rejected"),
            "details": {"password": secret, secret: [secret]},
        }],
    })
}

/// A one-VM page whose VM name echoes `secret`.
fn page(secret: &str) -> serde_json::Value {
    json!({
        "api_version": "3.1",
        "metadata": {"kind": "vm", "total_matches": 1, "offset": 0, "length": 1},
        "entities": [{
            "metadata": {"uuid": "11111111-2222-4333-8444-555555555555", "kind": "vm"},
            "status": {"name": format!("echo {secret}")},
        }],
    })
}

/// A server whose every body echoes `secret`: the list fails twice with 503, then succeeds;
/// `/tasks/bad` is a JSON string (a decode error quotes it), `/tasks/cut` a truncated body,
/// `/tasks/denied` a 401, `/tasks/slow` never answers in time.
async fn echoing_server(secret: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(503).set_body_string(format!("overloaded {secret}")))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(secret)))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/tasks/bad"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(secret)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/tasks/cut"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("{{\"k\": \"{secret}\", \"x\": "),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/tasks/denied"))
        .respond_with(ResponseTemplate::new(401).set_body_json(echoing_error(secret)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/tasks/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    server
}

async fn wiremock_paths() {
    // Basic auth: success (TRACE logs the body start, which echoes the secret), 503 retried,
    // decode errors quoting the secret, 401, timeout.
    let server = echoing_server(PASSWORD).await;
    let builder = wiremock_builder(&server).basic_auth(USER, PASSWORD.to_owned());
    tracing::info!(builder = ?builder, "builder");
    let c = builder.build().unwrap();
    tracing::info!(client = ?c, "client");
    let page = c.list::<Vm>(ListRequest::default()).await.unwrap();
    assert_eq!(page.entities.len(), 1);
    for (case, segments) in [
        ("decode", ["tasks", "bad"]),
        ("truncated", ["tasks", "cut"]),
        ("401", ["tasks", "denied"]),
    ] {
        let err = c.get_json::<u32>(&segments).await.unwrap_err();
        report(case, &err);
    }
    let slow = wiremock_builder(&server)
        .basic_auth(USER, PASSWORD.to_owned())
        .request_timeout(Duration::from_millis(100))
        .retry_policy(fast_retries(2))
        .build()
        .unwrap();
    let err = slow.get_json::<u32>(&["tasks", "slow"]).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    report("timeout", &err);

    // API key: success and 401.
    let server = echoing_server(API_KEY).await;
    let c = wiremock_builder(&server).api_key(API_KEY.to_owned());
    tracing::info!(builder = ?c, "builder");
    let c = c.build().unwrap();
    tracing::info!(client = ?c, "client");
    c.list::<Vm>(ListRequest::default()).await.unwrap();
    report(
        "api key 401",
        &c.get_json::<u32>(&["tasks", "denied"]).await.unwrap_err(),
    );

    // Connection refused (a port nobody listens on any more).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = PrismClient::builder(format!("http://127.0.0.1:{port}"))
        .allow_http(true)
        .basic_auth(USER, PASSWORD.to_owned())
        .retry_policy(fast_retries(2))
        .build()
        .unwrap();
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    report("connect", &err);

    // Configuration errors mention no secret either.
    let err = PrismClient::builder(format!("https://{USER}:{PASSWORD}@pc.example.com"))
        .basic_auth(USER, PASSWORD.to_owned())
        .build()
        .unwrap_err();
    report("config user info", &err);
    let err = PrismClient::builder("pc.example.com")
        .basic_auth(format!("{USER}:{PASSWORD}"), PASSWORD.to_owned())
        .build()
        .unwrap_err();
    report("config user", &err);
}

async fn session_paths() {
    // Session mode: login, a 401 on the list (session expired), one re-login, success; then a
    // login that is refused.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/nutanix/v3/users/me"))
        .and(header_exists("authorization"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "NTNX_IAM_SESSION=abc; Path=/")
                .set_body_json(json!({"status": {"name": USER}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(401).set_body_json(echoing_error(PASSWORD)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(PASSWORD)))
        .with_priority(2)
        .mount(&server)
        .await;
    let builder = wiremock_builder(&server).session_auth(USER, PASSWORD.to_owned());
    tracing::info!(builder = ?builder, "builder");
    let c = builder.build().unwrap();
    c.list::<Vm>(ListRequest::default()).await.unwrap();
    tracing::info!(client = ?c, "client");

    let refused = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(echoing_error(PASSWORD)))
        .mount(&refused)
        .await;
    let c = wiremock_builder(&refused)
        .session_auth(USER, PASSWORD.to_owned())
        .build()
        .unwrap();
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    report("session login 401", &err);
}

#[cfg(feature = "sim")]
async fn simulator_paths() {
    use futures::StreamExt;
    use nutanix_prism::error::TransportKind;
    use nutanix_prism::sim::{FaultConfig, Simulator};

    let sim = Simulator::builder()
        .vms(40)
        .seed(7)
        .tls(true)
        .basic_auth(USER, PASSWORD)
        .api_key(API_KEY)
        .faults(
            "500=0.1,503=0.05,429=0.05,truncate=0.05,reset=0.05"
                .parse::<FaultConfig>()
                .unwrap(),
        )
        .start()
        .await
        .unwrap();
    let ca = sim.tls_certificate_pem().unwrap().as_bytes().to_vec();
    let base = || {
        PrismClient::builder(sim.base_url())
            .requests_per_second(None)
            .page_size(7)
            .retry_policy(fast_retries(8))
    };

    // TLS failure: the simulator's certificate is not trusted.
    let err = base()
        .basic_auth(USER, PASSWORD.to_owned())
        .build()
        .unwrap()
        .verify()
        .await
        .unwrap_err();
    match err.root() {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Tls, "{err:?}"),
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    report("tls", &err);

    // Trusted CA, session mode, faults: every VM arrives through retries.
    let c = base()
        .add_root_certificate_pem(&ca)
        .session_auth(USER, PASSWORD.to_owned())
        .build()
        .unwrap();
    let vms: Vec<Vm> = c.vms().map(|r| r.unwrap()).collect().await;
    assert_eq!(vms.len(), 40);
    tracing::info!(client = ?c, "client");

    // API key over TLS with verification disabled (logged as a warning).
    let c = base()
        .danger_accept_invalid_certs(true)
        .api_key(API_KEY.to_owned())
        .build()
        .unwrap();
    c.verify().await.unwrap();

    // Wrong password: 401 from the simulator.
    let err = base()
        .add_root_certificate_pem(&ca)
        .basic_auth(USER, format!("{PASSWORD}-wrong"))
        .build()
        .unwrap()
        .verify()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    report("sim 401", &err);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_debug_or_display() {
    let buf = capture();
    wiremock_paths().await;
    session_paths().await;
    #[cfg(feature = "sim")]
    simulator_paths().await;

    let text = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
    // The capture really holds TRACE output of the paths above.
    for evidence in [
        "Prism response body (start)",
        "retrying Prism request",
        "Prism session established",
        "logging in again once",
        "[REDACTED]",
        "case=\"401\"",
        "case=\"timeout\"",
        "case=\"connect\"",
        "case=\"session login 401\"",
    ] {
        assert!(text.contains(evidence), "capture lacks {evidence:?}");
    }
    #[cfg(feature = "sim")]
    for evidence in [
        "case=\"tls\"",
        "case=\"sim 401\"",
        "verification is DISABLED",
    ] {
        assert!(text.contains(evidence), "capture lacks {evidence:?}");
    }
    // The secrets did pass through the servers' bodies: scrubbing is what keeps them out.
    assert!(
        text.contains("echo [REDACTED]"),
        "the echoed body was not logged scrubbed"
    );
    for secret in forbidden() {
        if let Some(at) = text.find(&secret) {
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(i, _)| i);
            let end = (at + secret.len() + 200).min(text.len());
            panic!(
                "secret form {secret:?} leaked into the capture: …{}…",
                text.get(start..end).unwrap_or("")
            );
        }
    }
}

#[test]
fn base64_helper_matches_rfc4648_vectors() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}
