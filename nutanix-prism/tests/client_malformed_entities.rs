//! Issue #8: a list page whose `entities` is not an array (nor `null`) must not read as an empty
//! last page. When entities may remain, listing fails with an error naming the kind and the JSON
//! path, so the plugin reports a failure instead of a silently short list.

mod client_support;

use client_support::{Item, bodies, client, entity, offset_length, page_body};
use futures::TryStreamExt;
use nutanix_prism::model::ListRequest;
use nutanix_prism::{Error, ListOptions};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A `vms/list` server whose page at `bad_offset` carries `entities: bad` with `bad_total` as
/// `total_matches`; every other page is a normal page of a 30-entity fleet (pages of 10).
async fn server(bad_offset: usize, bad: Value, bad_total: Option<i64>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/nutanix/v3/vms/list"))
        .respond_with(move |req: &Request| {
            let (offset, _) = offset_length(req);
            if offset == bad_offset {
                let mut metadata = json!({"kind": "vm", "offset": offset, "length": 10});
                if let Some(t) = bad_total {
                    metadata["total_matches"] = json!(t);
                }
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"metadata": metadata, "entities": bad.clone()}));
            }
            let end = (offset + 10).min(30);
            let entities = (offset.min(end)..end).map(entity).collect();
            ResponseTemplate::new(200).set_body_json(page_body(entities, Some(30), offset as i64))
        })
        .mount(&server)
        .await;
    server
}

async fn list_all(server: &MockServer, concurrency: usize) -> nutanix_prism::Result<Vec<Item>> {
    client(server)
        .list_all::<Item>(ListOptions::new().page_size(10).concurrency(concurrency))
        .try_collect()
        .await
}

/// The message of an [`Error::Paging`], or a panic naming what came instead.
fn paging_message(result: nutanix_prism::Result<Vec<Item>>) -> String {
    match result {
        Err(Error::Paging { url, message }) => {
            assert!(url.ends_with("/api/nutanix/v3/vms/list"), "{url}");
            message
        }
        other => panic!("expected a paging error, got {other:?}"),
    }
}

#[tokio::test]
async fn first_page_with_an_object_as_entities_and_more_to_come_is_an_error() {
    let server = server(0, json!({"uuid": "x"}), Some(30)).await;
    let message = paging_message(list_all(&server, 4).await);
    for part in ["vm list page", "offset 0", "an object", "`entities`", "30"] {
        assert!(message.contains(part), "{part:?} missing in {message}");
    }
    let err = list_all(&server, 1).await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("`entities`"),
        "the Display names the path: {err}"
    );
    // No further page was requested after the bad one (one request per listing).
    assert_eq!(bodies(&server, "/api/nutanix/v3/vms/list").await.len(), 2);
}

#[tokio::test]
async fn single_page_call_refuses_the_same_page() {
    let server = server(0, json!("n/a"), Some(30)).await;
    let err = client(&server)
        .list::<Item>(ListRequest::new("vm").offset(0).length(10))
        .await
        .unwrap_err();
    let Error::Paging { message, .. } = &err else {
        panic!("expected a paging error, got {err:?}");
    };
    assert!(message.contains("a string"), "{message}");
}

#[tokio::test]
async fn sequential_middle_page_that_is_not_an_array_is_an_error() {
    // Pages 0 and 20 are fine; page 10 says `entities: 42` while 30 matches exist.
    let server = server(10, json!(42), Some(30)).await;
    let message = paging_message(list_all(&server, 1).await);
    assert!(
        message.contains("offset 10") && message.contains("a number"),
        "{message}"
    );
}

#[tokio::test]
async fn concurrent_page_that_is_not_the_last_is_an_error_whatever_its_total_says() {
    // The bad page claims `total_matches: 0`, but the concurrent phase knows page 20 follows.
    let server = server(10, json!(true), Some(0)).await;
    let message = paging_message(list_all(&server, 4).await);
    assert!(
        message.contains("a boolean") && message.contains("later pages"),
        "{message}"
    );
}

#[tokio::test]
async fn without_total_matches_a_malformed_page_is_an_error() {
    let server = server(0, json!({}), None).await;
    let message = paging_message(list_all(&server, 4).await);
    assert!(message.contains("no total_matches"), "{message}");
}

#[tokio::test]
async fn malformed_entities_where_nothing_remains_is_an_empty_last_page() {
    // total_matches 0 at offset 0: nothing can be missing.
    let server = server(0, json!({"odd": []}), Some(0)).await;
    assert!(list_all(&server, 4).await.unwrap().is_empty());
}

#[tokio::test]
async fn null_entities_stays_an_empty_page() {
    // `null` is an empty list (the documented tolerant rule), not a malformed one.
    let server = server(0, Value::Null, Some(0)).await;
    assert!(list_all(&server, 4).await.unwrap().is_empty());
    let page = client(&server)
        .list::<Item>(ListRequest::new("vm"))
        .await
        .unwrap();
    assert!(page.entities.is_empty());
    assert_eq!(page.malformed_entities(), None);
}
