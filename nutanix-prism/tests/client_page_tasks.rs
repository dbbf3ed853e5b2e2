//! Concurrent pages run as tokio tasks that die with the stream: dropping a list stream while
//! pages are in flight closes their connections (the tasks are aborted, not left running).
//!
//! A hand-written loopback HTTP/1.1 server answers the first page and then holds every later
//! page request open until the client closes its connection. The test drops the stream while
//! `concurrency` requests are held and waits for all of them to be closed by the client. A
//! client whose page tasks outlive the stream would keep the connections open forever: the test
//! then fails on its deadlock breaker, not on a timing assertion.

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::{Item, entity, loopback_client, page_body};
use futures::StreamExt;
use nutanix_prism::ListOptions;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const PAGE: usize = 10;
const FLEET: usize = 100;
const CONCURRENCY: usize = 3;

/// What the server saw: page requests held open, and how many of those the client closed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Seen {
    held: usize,
    closed: usize,
}

/// Reads one request (head + body) and returns its JSON body; `None` once the peer closed.
async fn read_request(stream: &mut TcpStream) -> Option<Value> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    serde_json::from_slice(&buf[head_end..head_end + length]).ok()
}

async fn serve(mut stream: TcpStream, seen: Arc<watch::Sender<Seen>>) {
    while let Some(body) = read_request(&mut stream).await {
        let offset = body["offset"].as_u64().unwrap_or(0) as usize;
        if offset == 0 {
            let entities = (0..PAGE).map(entity).collect();
            let json = page_body(entities, Some(FLEET as i64), 0).to_string();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
                json.len()
            );
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        // A later page: never answered; wait for the client to close the connection.
        seen.send_modify(|s| s.held += 1);
        let mut rest = [0u8; 1024];
        while matches!(stream.read(&mut rest).await, Ok(n) if n > 0) {}
        seen.send_modify(|s| s.closed += 1);
        return;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_aborts_the_page_tasks_in_flight() {
    let (seen_tx, mut seen) = watch::channel(Seen::default());
    let seen_tx = Arc::new(seen_tx);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, Arc::clone(&seen_tx)));
        }
    });
    let client = loopback_client(port);
    let opts = ListOptions::new()
        .page_size(PAGE as u32)
        .concurrency(CONCURRENCY);
    let mut stream = client.list_all::<Item>(opts);

    // The first page arrives whole.
    for i in 0..PAGE {
        let item = stream.next().await.expect("an item").expect("no error");
        assert_eq!(item.uuid(), entity(i)["metadata"]["uuid"]);
    }

    // Asking for more starts the concurrent phase: `CONCURRENCY` page tasks, all held.
    let breaker = Duration::from_secs(20);
    tokio::select! {
        item = stream.next() => panic!("no later page is ever answered, got {item:?}"),
        held = seen.wait_for(|s| s.held == CONCURRENCY) => { held.unwrap(); }
        () = tokio::time::sleep(breaker) => panic!("the client never had {CONCURRENCY} page requests in flight"),
    }

    // Dropping the stream must abort every page task, which closes its connection.
    drop(stream);
    let closed = tokio::time::timeout(breaker, seen.wait_for(|s| s.closed == CONCURRENCY))
        .await
        .expect(
            "page tasks kept running after the stream was dropped: their connections stayed open",
        )
        .map(|s| *s)
        .unwrap();
    assert_eq!(
        closed,
        Seen {
            held: CONCURRENCY,
            closed: CONCURRENCY
        },
        "no page request was sent after the stream was dropped"
    );
    server.abort();
}
