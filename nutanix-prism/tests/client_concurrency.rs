//! Concurrent paging really overlaps requests, and never more than `concurrency` at once.
//!
//! A hand-written loopback HTTP/1.1 server holds every page request after the first until
//! `concurrency` of them are waiting; it then waits a little longer (so that any extra request
//! a faulty client sends shows up in the count) and releases them all. The listing can only
//! finish if the client keeps `concurrency` page requests in flight at once; a sequential
//! client would never be released (the test then fails on its deadlock breaker, not on a
//! timing assertion).

mod client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use client_support::{Item, entity, loopback_client, page_body};
use futures::TryStreamExt;
use nutanix_prism::{ListOptions, PrismClient};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

const PAGE: usize = 10;

struct Gate {
    concurrency: usize,
    release: watch::Sender<u64>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

/// Reads one request (head + body) and returns its JSON body.
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

async fn serve(mut stream: TcpStream, fleet: usize, gate: Arc<Gate>) {
    while let Some(body) = read_request(&mut stream).await {
        gate.requests.fetch_add(1, Ordering::SeqCst);
        let offset = body["offset"].as_u64().unwrap_or(0) as usize;
        let length = body["length"].as_u64().unwrap_or(20) as usize;
        if offset > 0 {
            let mut released = gate.release.subscribe();
            let now = gate.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            gate.max_in_flight.fetch_max(now, Ordering::SeqCst);
            if now >= gate.concurrency {
                tokio::time::sleep(Duration::from_millis(30)).await;
                gate.release.send_modify(|generation| *generation += 1);
            } else {
                let _ = released.changed().await;
            }
            gate.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
        let end = (offset + length).min(fleet);
        let entities = (offset.min(end)..end).map(entity).collect();
        let json = page_body(entities, Some(fleet as i64), offset as i64).to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
            json.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Serves a `fleet`-entity listing on loopback behind a [`Gate`] that holds page requests until
/// `concurrency` of them wait (1: every request passes, 30 ms late); returns the gate, a client
/// of the server and the server task.
async fn start(fleet: usize, concurrency: usize) -> (Arc<Gate>, PrismClient, JoinHandle<()>) {
    let gate = Arc::new(Gate {
        concurrency,
        release: watch::channel(0).0,
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        requests: AtomicUsize::new(0),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server_gate = Arc::clone(&gate);
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, fleet, Arc::clone(&server_gate)));
        }
    });
    (gate, loopback_client(port), server)
}

fn options(concurrency: usize) -> ListOptions {
    ListOptions::new()
        .page_size(PAGE as u32)
        .concurrency(concurrency)
}

async fn list_with(concurrency: usize, pages_after_first: usize) -> (usize, Arc<Gate>) {
    // The last page is short, so the stream ends without a probe request.
    let fleet = PAGE * (1 + pages_after_first) - 5;
    let (gate, client, server) = start(fleet, concurrency).await;
    let listing = client
        .list_all::<Item>(options(concurrency))
        .try_collect::<Vec<Item>>();
    // Deadlock breaker only: a client that does not overlap requests never passes the barrier.
    let items = tokio::time::timeout(Duration::from_secs(30), listing)
        .await
        .expect("the listing stalled: the client did not keep exactly `concurrency` page requests in flight")
        .unwrap();
    server.abort();
    (items.len(), gate)
}

#[tokio::test]
async fn four_pages_in_flight_at_once_and_never_more() {
    let (count, gate) = list_with(4, 12).await;
    assert_eq!(count, 125);
    assert_eq!(gate.max_in_flight.load(Ordering::SeqCst), 4);
    assert_eq!(gate.requests.load(Ordering::SeqCst), 13);
}

#[tokio::test]
async fn concurrency_one_is_sequential() {
    let (count, gate) = list_with(1, 5).await;
    assert_eq!(count, 55);
    assert_eq!(gate.max_in_flight.load(Ordering::SeqCst), 1);
    assert_eq!(gate.requests.load(Ordering::SeqCst), 6);
}

/// A page that has arrived no longer holds a request slot: while the consumer sits on one
/// entity of the concurrent phase without polling, the pages already scheduled (`concurrency`
/// on the wire plus one decoded ahead per four of them, rounded up) are all requested, and no
/// more. Before the slot was released on arrival, only `concurrency` pages went out until the
/// consumer moved on.
async fn pages_requested_while_the_consumer_is_busy(concurrency: usize) -> usize {
    use futures::StreamExt;
    let fleet = PAGE * 20 - 5;
    let (gate, client, server) = start(fleet, 1).await;
    let mut stream = client.list_all::<Item>(options(concurrency));
    // The first page, then the first entity of the concurrent phase.
    for _ in 0..=PAGE {
        stream.next().await.unwrap().unwrap();
    }
    let ahead = concurrency.div_ceil(4);
    // The first page, then the scheduled pages (the one being consumed included).
    let expected = 1 + concurrency + ahead;
    // Deadlock breaker only: the scheduled pages are requested whatever the timing.
    tokio::time::timeout(Duration::from_secs(30), async {
        while gate.requests.load(Ordering::SeqCst) < expected {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the scheduled pages were not all requested while the consumer held a page");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let requested = gate.requests.load(Ordering::SeqCst);
    // The rest of the listing is complete.
    let rest: Vec<Item> = stream.try_collect().await.unwrap();
    assert_eq!(PAGE + 1 + rest.len(), fleet);
    server.abort();
    requested
}

#[tokio::test]
async fn arrived_pages_free_their_slot_while_the_consumer_is_busy() {
    assert_eq!(
        pages_requested_while_the_consumer_is_busy(2).await,
        1 + 2 + 1
    );
}

#[tokio::test]
async fn eight_on_the_wire_keep_two_pages_ahead() {
    assert_eq!(
        pages_requested_while_the_consumer_is_busy(8).await,
        1 + 8 + 2
    );
}
