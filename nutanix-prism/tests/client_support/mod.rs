//! Shared helpers of the `client_*` integration tests: test entity kinds, a paging responder and
//! a client pointed at a wiremock server.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use nutanix_prism::model::{Entity, Metadata};
use nutanix_prism::{PrismClient, PrismClientBuilder, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// A paged test kind served at `/vms/list`.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub metadata: Option<Metadata>,
}

impl Item {
    pub fn uuid(&self) -> &str {
        self.key().unwrap_or("")
    }
}

impl Entity for Item {
    const KIND: &'static str = "vm";
    const PATH: &'static str = "vms";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

/// An unpaged test kind served at `/hosts/list` (like Prism's hosts).
#[derive(Debug, Clone, Deserialize)]
pub struct UnpagedItem {
    pub metadata: Option<Metadata>,
}

impl Entity for UnpagedItem {
    const KIND: &'static str = "host";
    const PATH: &'static str = "hosts";
    const PAGED: bool = false;

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

/// The JSON of entity number `i`.
pub fn entity(i: usize) -> Value {
    json!({"metadata": {"uuid": format!("00000000-0000-4000-8000-{i:012}"), "kind": "vm"}, "spec": {"name": format!("vm-{i}")}})
}

/// A list response body.
pub fn page_body(entities: Vec<Value>, total: Option<i64>, offset: i64) -> Value {
    let mut metadata = json!({"kind": "vm", "offset": offset, "length": entities.len()});
    if let Some(t) = total {
        metadata["total_matches"] = json!(t);
    }
    json!({"api_version": "3.1", "metadata": metadata, "entities": entities})
}

/// How the simulated list endpoint reports `total_matches`.
#[derive(Debug, Clone, Copy)]
pub enum Total {
    /// The real count.
    Real,
    /// A fixed (wrong) value.
    Fixed(i64),
    /// Absent.
    Absent,
}

/// A list endpoint over `fleet` entities that behaves like Prism: `length` defaults to 20 when
/// absent, pages are clamped to `clamp`, `total_matches` as configured.
#[derive(Debug, Clone)]
pub struct Pager {
    pub fleet: usize,
    pub clamp: usize,
    pub total: Total,
    pub calls: Arc<AtomicUsize>,
}

impl Pager {
    pub fn new(fleet: usize) -> Self {
        Self {
            fleet,
            clamp: 500,
            total: Total::Real,
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }
}

/// `(offset, length)` of a list request body; `length` `None` when absent.
pub fn offset_length(req: &Request) -> (usize, Option<usize>) {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let offset = body.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
    let length = body
        .get("length")
        .and_then(Value::as_u64)
        .map(|l| l as usize);
    (offset, length)
}

impl Respond for Pager {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let (offset, length) = offset_length(req);
        let length = length.unwrap_or(20).min(self.clamp);
        let end = (offset + length).min(self.fleet);
        let entities: Vec<Value> = (offset.min(end)..end).map(entity).collect();
        let total = match self.total {
            Total::Real => Some(self.fleet as i64),
            Total::Fixed(t) => Some(t),
            Total::Absent => None,
        };
        ResponseTemplate::new(200).set_body_json(page_body(entities, total, offset as i64))
    }
}

/// A builder for a client of `server` with fast retries and no rate limit.
pub fn builder(server: &MockServer) -> PrismClientBuilder {
    PrismClient::builder(server.uri())
        .allow_http(true)
        .requests_per_second(None)
        .retry_policy(fast_retries(3))
}

/// A client of a hand-written loopback server on `port` (plain HTTP, no rate limit).
pub fn loopback_client(port: u16) -> PrismClient {
    PrismClient::builder(format!("http://127.0.0.1:{port}"))
        .allow_http(true)
        .requests_per_second(None)
        .build()
        .expect("client builds")
}

/// A retry policy with tiny delays.
pub fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// A client of `server` with defaults suited to tests.
pub fn client(server: &MockServer) -> PrismClient {
    builder(server).build().expect("client builds")
}

/// Asserts that `uuids` holds no duplicate and returns how many there are.
pub fn assert_unique(uuids: &[String]) -> usize {
    let set: HashSet<&String> = uuids.iter().collect();
    assert_eq!(set.len(), uuids.len(), "duplicate entities in {uuids:?}");
    set.len()
}

/// List request bodies received so far at `path`.
pub async fn bodies(server: &MockServer, path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == path)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}
