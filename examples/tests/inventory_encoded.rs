//! The fast `Collector.collect` (pre-encoded `ResourceInfo` bytes, `InventoryPlugin::add_to`)
//! against the typed one (`add_typed_to`, messages built and encoded by prost): over loopback,
//! from the same simulated fleet, a client decodes exactly the same messages from both.

mod common;

use std::net::SocketAddr;

use cloudforet_client::proto::spaceone::api::inventory::plugin::ResourceInfo;
use cloudforet_client::server::PluginServer;
use common::{collect, secret};
use examples::inventory::InventoryPlugin;
use nutanix_prism::sim::Simulator;
use prost::Message;
use serde_json::json;

async fn serve(typed: bool) -> SocketAddr {
    let builder = PluginServer::builder().listen("127.0.0.1:0".parse().unwrap());
    let plugin = InventoryPlugin::new();
    let builder = if typed {
        plugin.add_typed_to(builder)
    } else {
        plugin.add_to(builder)
    };
    let bound = builder.bind().await.unwrap();
    let addr = bound.local_addr();
    tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
    addr
}

/// Messages as sorted protobuf byte strings: concurrent paging may reorder resources
/// between two runs, the set of messages may not differ.
fn canonical(messages: &[ResourceInfo]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = messages.iter().map(Message::encode_to_vec).collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_and_typed_collect_send_the_same_messages() {
    let sim = Simulator::builder()
        .clusters(2)
        .hosts_per_cluster(2)
        .vms(300)
        .images(3)
        .volume_groups(2)
        .seed(11)
        .start()
        .await
        .unwrap();
    let (fast, typed) = (serve(false).await, serve(true).await);
    let options = json!({"page_size": 40});
    let a = collect(fast, secret(&sim), options.clone()).await.unwrap();
    let b = collect(typed, secret(&sim), options).await.unwrap();
    assert!(a.len() > 300, "{} messages", a.len());
    assert_eq!(a.len(), b.len());
    // Types first and regions last in both.
    assert_eq!(a[0], b[0]);
    assert_eq!(a.last(), b.last());
    assert_eq!(canonical(&a), canonical(&b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_and_typed_collect_fail_alike() {
    let (fast, typed) = (serve(false).await, serve(true).await);
    // A bad secret is refused before any message, with the same status.
    let bad = json!({"host": "", "username": "admin", "password": "x"});
    let a = collect(fast, bad.clone(), json!({})).await.unwrap_err();
    let b = collect(typed, bad, json!({})).await.unwrap_err();
    assert_eq!(a.code(), b.code());
    assert_eq!(a.message(), b.message());
    assert!(a.message().starts_with("ERROR_"), "{}", a.message());
    // An unreachable Prism Central: the same FAILURE records.
    let down = json!({"host": format!("http://127.0.0.1:{}", common::closed_port()),
                      "username": "admin", "password": "x"});
    let a = collect(fast, down.clone(), json!({})).await.unwrap();
    let b = collect(typed, down, json!({})).await.unwrap();
    assert_eq!(canonical(&a), canonical(&b));
    assert!(a.iter().any(|m| m.state == common::FAILURE));
}
