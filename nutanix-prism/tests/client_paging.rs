//! Paging against a wiremock Prism: the default-20 trap, clamps, wrong totals, unpaged hosts,
//! concurrency and de-duplication.

mod client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use client_support::{
    Item, Pager, Total, UnpagedItem, assert_unique, bodies, builder, client, entity, offset_length,
    page_body,
};
use futures::TryStreamExt;
use nutanix_prism::ListOptions;
use nutanix_prism::model::{ListRequest, SortOrder};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIST: &str = "/api/nutanix/v3/vms/list";

async fn collect(stream: impl futures::Stream<Item = nutanix_prism::Result<Item>>) -> Vec<String> {
    let items: Vec<Item> = stream.try_collect().await.expect("listing succeeds");
    items.iter().map(|i| i.uuid().to_owned()).collect()
}

#[tokio::test]
async fn default_20_trap_client_always_sends_length() {
    let server = MockServer::start().await;
    // The pager answers 20 entities when `length` is missing; only a request with an explicit
    // length of 500 matches this mock, exactly once.
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .and(body_partial_json(
            json!({"kind": "vm", "offset": 0, "length": 500}),
        ))
        .respond_with(Pager::new(45))
        .expect(1)
        .mount(&server)
        .await;
    let uuids = collect(client(&server).list_all::<Item>(ListOptions::new().concurrency(1))).await;
    assert_eq!(assert_unique(&uuids), 45, "all 45 entities from one page");
}

#[tokio::test]
async fn single_page_call_fills_kind_and_length() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .and(body_json(
            json!({"kind": "vm", "offset": 40, "length": 500, "filter": "power_state==on",
            "sort_attribute": "vm_name", "sort_order": "DESCENDING"}),
        ))
        .respond_with(Pager::new(45))
        .expect(1)
        .mount(&server)
        .await;
    let req = ListRequest::default()
        .offset(40)
        .filter("power_state==on")
        .sort("vm_name", SortOrder::Descending);
    let page = client(&server).list::<Item>(req).await.unwrap();
    assert_eq!(page.entities.len(), 5);
    assert_eq!(page.metadata.total_matches, Some(45));
}

#[tokio::test]
async fn server_clamp_advances_by_entities_received() {
    let server = MockServer::start().await;
    let pager = Pager {
        clamp: 500,
        ..Pager::new(1200)
    };
    for offset in [0, 500, 1000] {
        Mock::given(method("POST"))
            .and(path("/api/nutanix/v3/vms/list"))
            .and(body_partial_json(json!({"offset": offset, "length": 1000})))
            .respond_with(pager.clone())
            .expect(1)
            .mount(&server)
            .await;
    }
    let opts = ListOptions::new().page_size(1000).concurrency(1);
    let uuids = collect(client(&server).list_all::<Item>(opts)).await;
    assert_eq!(assert_unique(&uuids), 1200);
}

#[tokio::test]
async fn empty_page_stops_when_total_is_absent() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Absent,
        ..Pager::new(7)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let uuids = collect(client(&server).list_all::<Item>(ListOptions::new().page_size(5))).await;
    assert_eq!(assert_unique(&uuids), 7);
    // 0..5, 5..7, then the empty page at 7 ends the stream.
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let offsets: Vec<Value> = bodies(&server, "/api/nutanix/v3/vms/list")
        .await
        .iter()
        .map(|b| b["offset"].clone())
        .collect();
    assert_eq!(offsets, vec![json!(0), json!(5), json!(7)]);
}

#[tokio::test]
async fn total_larger_than_real_stops_on_empty_page() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Fixed(100),
        ..Pager::new(7)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let uuids =
        collect(client(&server).list_all::<Item>(ListOptions::new().page_size(5).concurrency(1)))
            .await;
    assert_eq!(assert_unique(&uuids), 7);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "0..5, 5..7, empty at 7");
}

#[tokio::test]
async fn total_larger_than_real_in_concurrent_mode_is_verified() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Fixed(30),
        ..Pager::new(12)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let uuids =
        collect(client(&server).list_all::<Item>(ListOptions::new().page_size(5).concurrency(4)))
            .await;
    assert_eq!(assert_unique(&uuids), 12);
    // First page, 5 concurrent pages (offsets 5..25), then one sequential check at 12.
    assert_eq!(calls.load(Ordering::SeqCst), 7);
}

#[tokio::test]
async fn absurd_total_does_not_schedule_absurd_concurrency() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Fixed(1_000_000_000_000),
        ..Pager::new(12)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path(LIST))
        .respond_with(pager)
        .mount(&server)
        .await;
    let uuids =
        collect(client(&server).list_all::<Item>(ListOptions::new().page_size(5).concurrency(4)))
            .await;
    assert_eq!(assert_unique(&uuids), 12);
    // Far beyond max_pages: paged sequentially until the empty page at 12.
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn total_smaller_than_real_keeps_paging_while_pages_are_full() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Fixed(3),
        ..Pager::new(10)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let uuids = collect(client(&server).list_all::<Item>(ListOptions::new().page_size(4))).await;
    assert_eq!(
        assert_unique(&uuids),
        10,
        "entities beyond the announced total are not lost"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "0..4, 4..8, 8..10 (short page ends it)"
    );
}

#[tokio::test]
async fn hosts_are_listed_without_length() {
    let server = MockServer::start().await;
    // Exactly `{"kind":"host"}`: no offset, no length.
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/hosts/list"))
        .and(body_json(json!({"kind": "host"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            (0..150).map(entity).collect(),
            Some(150),
            0,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let hosts: Vec<UnpagedItem> = client(&server)
        .list_all::<UnpagedItem>(ListOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hosts.len(), 150);
}

#[tokio::test]
async fn hosts_fall_back_to_paging_when_incomplete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/hosts/list"))
        .and(body_json(json!({"kind": "host"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            (0..100).map(entity).collect(),
            Some(150),
            0,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/hosts/list"))
        .and(body_partial_json(
            json!({"kind": "host", "offset": 100, "length": 500}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            (100..150).map(entity).collect(),
            Some(150),
            100,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let hosts: Vec<UnpagedItem> = client(&server)
        .list_all::<UnpagedItem>(ListOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hosts.len(), 150);
}

#[tokio::test]
async fn concurrent_paging_requests_each_page_once() {
    let server = MockServer::start().await;
    let pager = Pager::new(1900);
    for offset in [0, 500, 1000, 1500] {
        Mock::given(method("POST"))
            .and(path("/api/nutanix/v3/vms/list"))
            .and(body_partial_json(json!({"offset": offset, "length": 500})))
            .respond_with(pager.clone())
            .expect(1)
            .mount(&server)
            .await;
    }
    // The last page (1500..1900) is short and reaches the total: nothing more is requested.
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .and(body_partial_json(json!({"offset": 1900})))
        .respond_with(pager.clone())
        .expect(0)
        .mount(&server)
        .await;
    let uuids = collect(client(&server).list_all::<Item>(ListOptions::new().concurrency(4))).await;
    assert_eq!(assert_unique(&uuids), 1900);
}

#[tokio::test]
async fn concurrent_paging_follows_the_clamp() {
    let server = MockServer::start().await;
    let pager = Pager {
        clamp: 300,
        ..Pager::new(1000)
    };
    let calls = Arc::clone(&pager.calls);
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let c = builder(&server)
        .page_size(1000)
        .list_concurrency(3)
        .build()
        .unwrap();
    let uuids = collect(c.list_all::<Item>(ListOptions::new())).await;
    assert_eq!(assert_unique(&uuids), 1000);
    // 0 (clamped to 300), then 300, 600, 900 concurrently with length 300.
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    let mut offsets: Vec<u64> = bodies(&server, "/api/nutanix/v3/vms/list")
        .await
        .iter()
        .filter_map(|b| b["offset"].as_u64())
        .collect();
    offsets.sort_unstable();
    assert_eq!(offsets, vec![0, 300, 600, 900]);
}

/// A fleet in which two entities are inserted at the front after the first page was served.
struct Shifting {
    calls: AtomicUsize,
}

impl Respond for Shifting {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let (offset, length) = offset_length(req);
        let length = length.unwrap_or(20);
        // Before: entities 100..110. After the first call: 98, 99 were inserted in front.
        let fleet: Vec<usize> = if call == 0 {
            (100..110).collect()
        } else {
            (98..110).collect()
        };
        let end = (offset + length).min(fleet.len());
        let entities = fleet[offset.min(end)..end]
            .iter()
            .map(|&i| entity(i))
            .collect();
        ResponseTemplate::new(200).set_body_json(page_body(
            entities,
            Some(fleet.len() as i64),
            offset as i64,
        ))
    }
}

#[tokio::test]
async fn shifted_pages_are_deduplicated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(Shifting {
            calls: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    let uuids =
        collect(client(&server).list_all::<Item>(ListOptions::new().page_size(4).concurrency(1)))
            .await;
    // Page 1: 100..104. After the shift the server's order is 98,99,100,...: offset 4 gives
    // 102..=105 (102 and 103 again), offset 8 gives 106..=109, offset 12 is empty.
    assert_unique(&uuids);
    let mut numbers: Vec<usize> = uuids.iter().map(|u| u[24..].parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (100..110).collect::<Vec<_>>());
}

#[tokio::test]
async fn server_ignoring_offset_cannot_loop_forever() {
    let server = MockServer::start().await;
    // Always the same full page, no total: only de-duplication can notice.
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            (0..5).map(entity).collect(),
            None,
            0,
        )))
        .mount(&server)
        .await;
    let uuids = collect(client(&server).list_all::<Item>(ListOptions::new().page_size(5))).await;
    assert_eq!(assert_unique(&uuids), 5);
    assert_eq!(
        bodies(&server, "/api/nutanix/v3/vms/list").await.len(),
        3,
        "first page + two barren pages"
    );
}

#[tokio::test]
async fn page_guard_returns_an_error() {
    let server = MockServer::start().await;
    let pager = Pager {
        total: Total::Absent,
        ..Pager::new(100)
    };
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(pager)
        .mount(&server)
        .await;
    let c = builder(&server).max_pages(3).build().unwrap();
    let result: Result<Vec<Item>, _> = c
        .list_all::<Item>(ListOptions::new().page_size(10))
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(matches!(err, nutanix_prism::Error::Paging { .. }), "{err}");
}

#[tokio::test]
async fn zero_page_size_is_a_config_error() {
    let server = MockServer::start().await;
    let result: Result<Vec<Item>, _> = client(&server)
        .list_all::<Item>(ListOptions::new().page_size(0))
        .try_collect()
        .await;
    assert!(result.unwrap_err().is_config());
    assert!(
        builder(&server)
            .page_size(0)
            .build()
            .unwrap_err()
            .is_config()
    );
}
