//! Hostile Prism responses: malformed JSON, HTML pages, wrong content types, absurd numbers,
//! deeply nested bodies and bodies far larger than the configured limit. Each case must end in
//! a specific error variant with an actionable message, and nothing may panic.

mod client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use client_support::{Item, builder, client, entity, fast_retries, page_body};
use futures::StreamExt;
use nutanix_prism::model::{ListRequest, Vm};
use nutanix_prism::{Error, ListOptions, PrismClient, RetryPolicy};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/api/nutanix/v3/vms/list";

/// Serves `template` for every `POST /vms/list`.
async fn serve(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

async fn list_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == LIST)
        .count()
}

fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into(), content_type)
}

async fn list_vms(server: &MockServer) -> Result<usize, Error> {
    client(server)
        .list::<Vm>(ListRequest::default())
        .await
        .map(|p| p.entities.len())
}

/// `depth` nested arrays: `[[[...]]]`.
fn nested_arrays(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 2);
    s.push_str(&"[".repeat(depth));
    s.push_str(&"]".repeat(depth));
    s
}

// ---------------------------------------------------------------------------------------------
// Malformed JSON
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_position() {
    let server = serve(raw(
        200,
        "application/json",
        r#"{"entities": [{"metadata": }]}"#,
    ))
    .await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Decode(d) = err.root() else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(d.status, 200);
    assert!(d.url.ends_with("/vms/list"), "{}", d.url);
    let msg = err.to_string();
    assert!(msg.contains("cannot decode the response of POST"), "{msg}");
    assert!(msg.contains("line 1 column"), "{msg}");
    // Broken mid-JSON counts as a damaged transfer: retried until the policy gives up.
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(list_requests(&server).await, 3);
}

/// Pages after the first are decoded on the decode threads; a page that does not decode there
/// still ends the listing with the JSON path of the failure, without a retry.
#[tokio::test]
async fn a_concurrent_page_that_does_not_decode_names_its_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(body_partial_json(json!({"offset": 0})))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            vec![entity(0), entity(1)],
            Some(4),
            0,
        )))
        .mount(&server)
        .await;
    let good = page_body(vec![entity(2), entity(3)], Some(4), 2).to_string();
    // Out of f64 range: serde_json refuses the number.
    let bad = good.replacen(
        "\"name\":\"vm-3\"",
        "\"name\":\"vm-3\",\"resources\":{\"num_sockets\":1e400}",
        1,
    );
    assert_ne!(good, bad);
    Mock::given(method("POST"))
        .and(path(LIST))
        .and(body_partial_json(json!({"offset": 2})))
        .respond_with(raw(200, "application/json", bad))
        .expect(1)
        .mount(&server)
        .await;
    let results: Vec<Result<Vm, Error>> = client(&server)
        .list_all::<Vm>(ListOptions::new().page_size(2).concurrency(2))
        .collect()
        .await;
    let errors: Vec<Error> = results.into_iter().filter_map(Result::err).collect();
    let err = errors.into_iter().next().expect("the second page fails");
    let Error::Decode(d) = &err else {
        panic!("expected a non-retried Decode, got {err:?}");
    };
    assert_eq!(d.path, "entities[1].spec.resources.num_sockets");
    assert!(err.to_string().contains("number out of range"), "{err}");
}

#[tokio::test]
async fn trailing_garbage_after_the_value_is_refused() {
    let body = format!("{} trailing", page_body(vec![entity(1)], Some(1), 0));
    let server = serve(raw(200, "application/json", body)).await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Decode(d) = err.root() else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(d.path, "(after the value)");
    // Junk after a JSON value counts as a broken transfer (a proxy mixing responses), so the
    // call was retried and gave up.
    assert!(d.truncated);
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("trailing characters"), "{err}");
    assert_eq!(list_requests(&server).await, 3);
}

#[tokio::test]
async fn empty_and_cut_off_bodies_are_truncated_and_retried() {
    for body in ["", r#"{"entities": [{"metadata": {"uuid": "ab"#] {
        let server = serve(raw(200, "application/json", body)).await;
        let err = list_vms(&server).await.unwrap_err();
        assert!(
            matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
            "{err:?}"
        );
        let Error::Decode(d) = err.root() else {
            panic!("expected Decode, got {err:?}");
        };
        assert!(d.truncated, "{body:?}");
        assert!(err.to_string().contains("looks truncated"), "{err}");
        assert_eq!(list_requests(&server).await, 3, "{body:?}");
    }
}

#[tokio::test]
async fn invalid_utf8_and_control_characters_are_decode_errors() {
    let mut body = br#"{"entities": [{"metadata": {"uuid": ""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0x00]);
    body.extend_from_slice(br#""}}]}"#);
    let server = serve(raw(200, "application/json", body)).await;
    let err = list_vms(&server).await.unwrap_err();
    assert!(matches!(err.root(), Error::Decode(_)), "{err:?}");

    // A JSON value of the wrong shape (a list response that is a string).
    let server = serve(raw(200, "application/json", r#""vms""#)).await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Decode(d) = err.root() else {
        panic!("expected Decode, got {err:?}");
    };
    assert!(!d.truncated);
    assert_eq!(
        list_requests(&server).await,
        1,
        "a wrong shape is not retried"
    );
}

// ---------------------------------------------------------------------------------------------
// HTML pages and content types
// ---------------------------------------------------------------------------------------------

const HTML: &str = "<!DOCTYPE html><html><head><title>Proxy Login</title></head><body><form>sign in</form></body></html>";

#[tokio::test]
async fn html_page_with_200_is_a_non_retried_decode_error_that_says_html() {
    let server = serve(raw(200, "text/html; charset=utf-8", HTML)).await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert!(!d.truncated);
    assert!(d.body_excerpt.contains("<title>Proxy Login</title>"));
    let msg = err.to_string();
    assert!(msg.contains("HTML"), "{msg}");
    assert!(msg.contains("proxy"), "{msg}");
    assert_eq!(list_requests(&server).await, 1);
}

#[tokio::test]
async fn html_error_pages_keep_their_status_and_an_excerpt() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>";
    let server = serve(raw(502, "text/html", page)).await;
    let err = list_vms(&server).await.unwrap_err();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    let Error::Server(h) = err.root() else {
        panic!("expected Server, got {err:?}");
    };
    assert_eq!(h.status, 502);
    assert!(h.reason.is_none() && h.message.is_none());
    let msg = err.root().to_string();
    assert!(msg.contains("502 server error from POST"), "{msg}");
    assert!(
        msg.contains("(body: <html><head><title>502 Bad Gateway"),
        "{msg}"
    );

    // 401 as an HTML login page: Unauthorized, not retried.
    let server = serve(raw(401, "text/html", HTML)).await;
    let err = list_vms(&server).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(list_requests(&server).await, 1);

    // 400 as plain text.
    let server = serve(raw(400, "text/plain", "bad request\n")).await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Api(h) = &err else {
        panic!("expected Api, got {err:?}");
    };
    assert_eq!(h.status, 400);
    assert!(err.to_string().contains("(body: bad request)"), "{err}");
}

#[tokio::test]
async fn content_type_is_not_trusted_either_way() {
    // Valid JSON under a wrong content type decodes (Prism proxies mislabel bodies).
    let good = page_body(vec![entity(1), entity(2)], Some(2), 0).to_string();
    for ct in ["text/plain", "application/octet-stream", "text/html"] {
        let server = serve(raw(200, ct, good.clone())).await;
        assert_eq!(list_vms(&server).await.unwrap(), 2, "{ct}");
    }
    // Non-JSON under a JSON content type is still a decode error.
    let server = serve(raw(200, "application/json", HTML)).await;
    let err = list_vms(&server).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Absurd numbers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn absurd_numbers_decode_without_panicking() {
    let vm = |resources: Value| {
        json!({
            "metadata": {"uuid": "11111111-2222-4333-8444-555555555555", "kind": "vm"},
            "status": {"name": "n", "resources": resources},
        })
    };
    let body = json!({
        "api_version": "3.1",
        "metadata": {"kind": "vm", "total_matches": 1e308, "offset": -5, "length": 18446744073709551615u64},
        "entities": [
            vm(json!({"memory_size_mib": -4096, "num_sockets": 1e308, "num_vcpus_per_socket": -1})),
            vm(json!({"memory_size_mib": 18446744073709551615u64, "num_sockets": "9223372036854775808"})),
        ],
    });
    // Larger than u64: serde_json reads it as a float.
    let text = body.to_string().replace(
        "\"num_vcpus_per_socket\":-1",
        "\"num_vcpus_per_socket\":-1e400",
    );
    let server = serve(raw(200, "application/json", text)).await;
    let page = client(&server).list::<Vm>(ListRequest::default()).await;
    // 1e400 is out of f64 range: serde_json refuses it as a number, a decode error that is
    // not retried (the same body would come back).
    let err = page.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a non-retried Decode, got {err:?}");
    };
    assert_eq!(d.path, "entities[0].status.resources.num_vcpus_per_socket");
    assert!(err.to_string().contains("number out of range"), "{err}");

    let server = serve(raw(200, "application/json", body.to_string())).await;
    let page = client(&server)
        .list::<Vm>(ListRequest::default())
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 2);
    // Values that do not fit an i64 decode to None rather than wrapping.
    assert_eq!(page.metadata.total_matches, None);
    assert_eq!(page.metadata.length, None);
    assert_eq!(page.metadata.offset, Some(-5));
    let r0 = page.entities[0]
        .status
        .as_ref()
        .unwrap()
        .resources
        .as_ref()
        .unwrap();
    assert_eq!(r0.memory_size_mib, Some(-4096));
    assert_eq!(r0.num_sockets, None);
    let r1 = page.entities[1]
        .status
        .as_ref()
        .unwrap()
        .resources
        .as_ref()
        .unwrap();
    assert_eq!(r1.memory_size_mib, None);
    assert_eq!(r1.num_sockets, None);
}

/// A list endpoint over 3 entities that reports `total` as `total_matches`.
async fn lying_total(total: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(move |req: &wiremock::Request| {
            let (offset, _) = client_support::offset_length(req);
            let entities: Vec<Value> = (offset.min(3)..3).map(entity).collect();
            let mut body = page_body(entities, None, offset as i64);
            body["metadata"]["total_matches"] = total.clone();
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn absurd_total_matches_neither_loop_nor_overflow() {
    for total in [
        json!(-1),
        json!(i64::MIN),
        json!(1u64 << 62),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e308),
        json!(-1e308),
        json!("NaN"),
    ] {
        let server = lying_total(total.clone()).await;
        let c = builder(&server).max_pages(50).build().unwrap();
        let items: Vec<Item> = c
            .list_all::<Item>(ListOptions::new().page_size(2).concurrency(4))
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(items.len(), 3, "total_matches {total}");
        // Sequential paging to the first empty page, never millions of requests.
        let calls = list_requests(&server).await;
        assert!(calls <= 3, "total_matches {total}: {calls} requests");
    }
}

// ---------------------------------------------------------------------------------------------
// Deeply nested bodies
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn deeply_nested_bodies_hit_the_recursion_limit_cleanly() {
    let deep = nested_arrays(100_000);

    // Where the model keeps arbitrary JSON (`message_list[].details`), decoding reaches
    // serde_json's depth guard: a clean decode error, not retried, with a bounded excerpt.
    let body = format!(
        r#"{{"entities": [{{"metadata": {{"uuid": "u"}}, "status": {{"message_list": [{{"details": {deep}}}]}}}}]}}"#
    );
    let server = serve(raw(200, "application/json", body)).await;
    let err = list_vms(&server).await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a non-retried Decode, got {err:?}");
    };
    assert!(
        d.message.contains("recursion limit exceeded"),
        "{}",
        d.message
    );
    assert!(
        d.path
            .starts_with("entities[0].status.message_list[0].details"),
        "{}",
        d.path
    );
    assert!(!d.truncated, "a deep body is not a transport fault");
    assert!(!err.is_retryable());
    assert!(d.body_excerpt.chars().count() <= 513);
    assert_eq!(list_requests(&server).await, 1);

    // Where the tolerant model drops what it does not expect (non-object list elements, a
    // categories value that is not a map), the deep value is skipped without recursion, and
    // without a stack overflow.
    for (body, expected) in [
        (format!(r#"{{"entities": {deep}}}"#), 0),
        (
            format!(r#"{{"entities": [{{"metadata": {{"categories": {deep}}}}}]}}"#),
            1,
        ),
    ] {
        let server = serve(raw(200, "application/json", body)).await;
        assert_eq!(list_vms(&server).await.unwrap(), expected);
    }

    // Inside a field the model ignores: skipped without recursion (and without a stack
    // overflow), so the page decodes.
    let ignored = format!(r#"{{"api_version": "3.1", "unknown": {deep}, "entities": []}}"#);
    let server = serve(raw(200, "application/json", ignored)).await;
    assert_eq!(list_vms(&server).await.unwrap(), 0);

    // As an untyped value: arrays and objects.
    let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    for body in [deep.clone(), objects] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(raw(200, "application/json", body))
            .mount(&server)
            .await;
        let err = client(&server)
            .get_json::<Value>(&["tasks", "t1"])
            .await
            .unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("expected a non-retried Decode, got {err:?}");
        };
        assert!(
            d.message.contains("recursion limit exceeded"),
            "{}",
            d.message
        );
    }

    // As an error body: the server error is reported, the body kept as an excerpt.
    let server = serve(raw(500, "application/json", deep)).await;
    let err = client(&server)
        .list::<Vm>(ListRequest::default())
        .await
        .unwrap_err();
    let Error::Server(h) = err.root() else {
        panic!("expected Server, got {err:?}");
    };
    assert!(h.reason.is_none() && h.body_excerpt.starts_with("[[["));
}

// ---------------------------------------------------------------------------------------------
// Huge bodies (raw TCP: stream until the client hangs up)
// ---------------------------------------------------------------------------------------------

/// How the raw server frames its endless body.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// `Content-Length: 2147483648`, then bytes until the client hangs up.
    ClaimedLength,
    /// `Transfer-Encoding: chunked`, chunks until the client hangs up.
    Chunked,
}

/// What the raw server saw.
#[derive(Debug, Default)]
struct Streamed {
    connections: AtomicUsize,
    bytes_sent: AtomicU64,
    /// Connections that ended because the client stopped reading (write failed).
    refused_by_client: AtomicUsize,
}

/// Hard stop of the raw server per connection, so a client that keeps reading cannot make the
/// test run forever: 512 MiB. The test asserts the client hung up long before.
const SERVER_CAP: u64 = 512 * 1024 * 1024;

/// A loopback HTTP/1.1 server that answers every request with `status` and an endless body.
async fn endless_server(status: u16, framing: Framing) -> (String, Arc<Streamed>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Streamed::default());
    let stats = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            stats.connections.fetch_add(1, Ordering::SeqCst);
            let stats = Arc::clone(&stats);
            tokio::spawn(async move {
                // Read the request head (and whatever of the body came with it).
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let framing_header = match framing {
                    Framing::ClaimedLength => "Content-Length: 2147483648".to_owned(),
                    Framing::Chunked => "Transfer-Encoding: chunked".to_owned(),
                };
                let response_head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{framing_header}\r\n\r\n"
                );
                if sock.write_all(response_head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b' '; 64 * 1024];
                let mut chunk = format!("{:x}\r\n", block.len()).into_bytes();
                chunk.extend_from_slice(&block);
                chunk.extend_from_slice(b"\r\n");
                let payload: &[u8] = match framing {
                    Framing::ClaimedLength => &block,
                    Framing::Chunked => &chunk,
                };
                // A JSON-looking start so the body is not refused for its content.
                let start: &[u8] = match framing {
                    Framing::ClaimedLength => b"[",
                    Framing::Chunked => b"1\r\n[\r\n",
                };
                if sock.write_all(start).await.is_err() {
                    return;
                }
                let mut sent = 0u64;
                while sent < SERVER_CAP {
                    if sock.write_all(payload).await.is_err() {
                        stats.refused_by_client.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                    sent += payload.len() as u64;
                    stats
                        .bytes_sent
                        .fetch_add(payload.len() as u64, Ordering::SeqCst);
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn raw_client(uri: &str, limit: u64, retry: RetryPolicy) -> PrismClient {
    PrismClient::builder(uri)
        .allow_http(true)
        .requests_per_second(None)
        .max_response_bytes(limit)
        .retry_policy(retry)
        .build()
        .unwrap()
}

/// Waits (bounded) until the server noticed that the client hung up.
async fn wait_for_hang_up(stats: &Streamed) {
    for _ in 0..500 {
        if stats.refused_by_client.load(Ordering::SeqCst) > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn body_claiming_2gb_is_refused_before_reading_it() {
    let (uri, stats) = endless_server(200, Framing::ClaimedLength).await;
    let limit = 1024 * 1024;
    let c = raw_client(&uri, limit, fast_retries(3));
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    let Error::BodyTooLarge { limit: l, url, .. } = &err else {
        panic!("expected BodyTooLarge, got {err:?}");
    };
    assert_eq!(*l, limit);
    assert!(url.ends_with("/vms/list"));
    let msg = err.to_string();
    assert!(msg.contains("exceeds the limit of 1048576 bytes"), "{msg}");
    assert!(msg.contains("raise max_response_bytes"), "{msg}");
    assert!(!err.is_retryable());
    drop(c);
    wait_for_hang_up(&stats).await;
    assert_eq!(stats.connections.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(stats.refused_by_client.load(Ordering::SeqCst), 1);
    // Only what socket buffers absorb was sent, far from the 2 GB claimed.
    let sent = stats.bytes_sent.load(Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "{sent} bytes were sent");
}

#[tokio::test]
async fn chunked_body_without_length_is_cut_at_the_limit() {
    let (uri, stats) = endless_server(200, Framing::Chunked).await;
    let limit = 2 * 1024 * 1024;
    let c = raw_client(&uri, limit, fast_retries(3));
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: l, .. } if l == limit),
        "{err:?}"
    );
    drop(c);
    wait_for_hang_up(&stats).await;
    assert_eq!(stats.connections.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(
        stats.refused_by_client.load(Ordering::SeqCst),
        1,
        "the client must hang up instead of draining the body"
    );
    let sent = stats.bytes_sent.load(Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "{sent} bytes were sent");
}

#[tokio::test]
async fn endless_error_body_is_read_only_up_to_an_excerpt() {
    let (uri, stats) = endless_server(500, Framing::Chunked).await;
    let c = raw_client(&uri, 1024 * 1024, RetryPolicy::none());
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    let Error::Server(h) = &err else {
        panic!("expected Server, got {err:?}");
    };
    assert_eq!(h.status, 500);
    assert!(h.body_excerpt.chars().count() <= 513);
    drop(c);
    wait_for_hang_up(&stats).await;
    assert_eq!(stats.refused_by_client.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn body_shorter_than_its_content_length_is_a_retried_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"entities\": [",
                    )
                    .await;
                // Close with 986 bytes missing.
            });
        }
    });
    let c = raw_client(&format!("http://{addr}"), 1024 * 1024, fast_retries(2));
    let err = c.list::<Vm>(ListRequest::default()).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        matches!(err.root(), Error::Transport(_) | Error::Decode(_)),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "retried once");
}
