//! Partial outages (issue 8, point 2): one secret with four Prism Centrals, one down (closed
//! port), one with bad credentials, one slow and one healthy. The healthy and the slow one are
//! collected fully; each failure is one precise FAILURE record; `verify` names the failing one.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde_json::json;

async fn sim(vms: u32, seed: u64, latency: Duration) -> RunningSimulator {
    Simulator::builder()
        .clusters(1)
        .hosts_per_cluster(2)
        .vms(vms)
        .images(2)
        .volume_groups(2)
        .seed(seed)
        .latency(latency)
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_and_slow_collected_fully_each_failure_named() {
    let healthy = sim(60, 21, Duration::ZERO).await;
    let slow = sim(45, 22, Duration::from_millis(40)).await;
    let port = closed_port();
    let down = json!({"host": format!("http://127.0.0.1:{port}"), "username": "admin", "password": PASSWORD});
    let bad_creds =
        json!({"host": healthy.base_url(), "username": "admin", "password": "wrong-password-x"});
    let four = json!({"prism_centrals": [down, bad_creds, secret(&slow), secret(&healthy)]});
    let addr = inventory_plugin().await;

    let records = collect(addr, four.clone(), json!({"page_size": 20}))
        .await
        .unwrap();

    // Both reachable Prism Centrals in full: every VM of each, once.
    let ids = ids_of(&records, "VirtualMachine");
    assert!(ids.values().all(|n| *n == 1), "a VM sent twice");
    let got: BTreeSet<String> = ids.into_keys().collect();
    let mut want = uuid_set(healthy.live_vm_uuids());
    want.extend(slow.live_vm_uuids());
    assert_eq!(got.len(), 105);
    assert_eq!(got, want);
    let counts = service_counts(&records);
    let (h, s) = (healthy.expected_counts(), slow.expected_counts());
    assert_eq!(counts["Host"], h.hosts + s.hosts);
    assert_eq!(counts["Image"], h.images + s.images);
    assert_eq!(counts["Subnet"], h.subnets + s.subnets);
    assert_eq!(counts["VolumeGroup"], h.volume_groups + s.volume_groups);
    assert_eq!(counts["Cluster"], 2);

    // Exactly two FAILURE records, one per failing Prism Central, each naming it and the cause.
    let f = failure_kinds(&records);
    assert_eq!(f.len(), 2, "{f:?}");
    let down_msg = f
        .iter()
        .find(|(_, m)| m.contains("Prism Central #0"))
        .map(|(_, m)| m)
        .expect("a FAILURE for the Prism Central that is down");
    assert!(
        down_msg.contains(&format!("127.0.0.1:{port}")),
        "{down_msg}"
    );
    assert!(down_msg.contains("unreachable"), "{down_msg}");
    assert!(down_msg.contains("prism_centrals[0].host"), "{down_msg}");
    let creds_msg = f
        .iter()
        .find(|(_, m)| m.contains("Prism Central #1"))
        .map(|(_, m)| m)
        .expect("a FAILURE for the Prism Central with bad credentials");
    assert!(
        creds_msg.contains("rejected the credentials"),
        "{creds_msg}"
    );
    assert!(
        creds_msg.contains("prism_centrals[1].password"),
        "{creds_msg}"
    );
    assert!(f.iter().all(|(kind, _)| kind.is_none()), "{f:?}");
    assert_not_leaked(&records, PASSWORD);
    assert_not_leaked(&records, "wrong-password-x");

    // verify stops at the first failing Prism Central and says which and why.
    let e = verify(addr, four, json!({})).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("Prism Central #0"), "{e:?}");
    assert!(e.message().contains("unreachable"), "{e:?}");
    let without_down = json!({"prism_centrals": [secret(&slow), secret(&healthy),
        {"host": healthy.base_url(), "username": "admin", "password": "wrong-password-x"}]});
    let e = verify(addr, without_down, json!({})).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated, "{e:?}");
    assert!(
        e.message().starts_with("ERROR_AUTHENTICATE_FAILURE"),
        "{e:?}"
    );
    assert!(e.message().contains("Prism Central #2"), "{e:?}");
    assert!(e.message().contains("prism_centrals[2].password"), "{e:?}");
    assert!(!e.message().contains("wrong-password-x"), "{e:?}");
    // The slow and the healthy one verify.
    verify(
        addr,
        json!({"prism_centrals": [secret(&slow), secret(&healthy)]}),
        json!({}),
    )
    .await
    .unwrap();
}
