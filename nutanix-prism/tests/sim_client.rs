//! The Prism client against the simulator: complete listings sequentially and concurrently,
//! through injected faults, under churn, and under the server's rate limit.
#![cfg(all(feature = "sim", feature = "client"))]

use std::collections::HashSet;
use std::time::Duration;

use futures::TryStreamExt;
use nutanix_prism::client::MetricQuery;
use nutanix_prism::model::{
    CategoryKey, Cluster, Entity, Host, Image, Project, Subnet, Vm, VolumeGroup,
};
use nutanix_prism::sim::{
    ChurnConfig, FaultConfig, FaultKind, RunningSimulator, STATUS_DROPPED, Simulator,
};
use nutanix_prism::{ListOptions, PrismClient, RetryPolicy};

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .initial_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(50))
        .max_elapsed(Duration::from_secs(60))
}

fn client(sim: &RunningSimulator, rps: Option<f64>) -> PrismClient {
    PrismClient::builder(sim.base_url())
        .allow_http(true)
        .basic_auth("admin", "nutanix/4u")
        .retry_policy(fast_retries())
        .requests_per_second(rps)
        .build()
        .unwrap()
}

/// Lists every entity of `T` and returns their keys, failing on duplicates.
async fn keys<T: Entity>(client: &PrismClient, options: ListOptions) -> Vec<String> {
    let all: Vec<T> = client
        .list_all::<T>(options)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", T::PATH));
    let keys: Vec<String> = all.iter().map(|e| e.key().unwrap().to_owned()).collect();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "{}: duplicates", T::PATH);
    keys
}

async fn assert_complete_listing(
    sim: &RunningSimulator,
    client: &PrismClient,
    concurrency: usize,
    page: u32,
) {
    let counts = sim.expected_counts();
    let o = || ListOptions::new().concurrency(concurrency).page_size(page);
    let vms = keys::<Vm>(client, o()).await;
    assert_eq!(vms.len(), counts.vms, "VMs (concurrency {concurrency})");
    let expected: HashSet<String> = sim.live_vm_uuids().into_iter().collect();
    assert_eq!(
        vms.into_iter().collect::<HashSet<_>>(),
        expected,
        "exactly the fleet's VMs"
    );
    assert_eq!(
        keys::<Cluster>(client, o()).await.len(),
        counts.clusters,
        "clusters"
    );
    assert_eq!(keys::<Host>(client, o()).await.len(), counts.hosts, "hosts");
    assert_eq!(
        keys::<Subnet>(client, o()).await.len(),
        counts.subnets,
        "subnets"
    );
    assert_eq!(
        keys::<Image>(client, o()).await.len(),
        counts.images,
        "images"
    );
    assert_eq!(
        keys::<VolumeGroup>(client, o()).await.len(),
        counts.volume_groups,
        "volume groups"
    );
    assert_eq!(
        keys::<Project>(client, o()).await.len(),
        counts.projects,
        "projects"
    );
    assert_eq!(
        keys::<CategoryKey>(client, o()).await.len(),
        counts.category_keys,
        "category keys"
    );
}

#[tokio::test]
async fn client_lists_exactly_the_fleet_sequentially_and_concurrently() {
    let sim = Simulator::builder()
        .seed(17)
        .clusters(4)
        .hosts_per_cluster(30)
        .vms(3_001)
        .projects(30)
        .volume_groups(130)
        .start()
        .await
        .unwrap();
    let client = client(&sim, None);
    assert_complete_listing(&sim, &client, 1, 500).await;
    assert_complete_listing(&sim, &client, 4, 500).await;
    // Asking for more than the server's clamp: the client must advance by what it received.
    assert_complete_listing(&sim, &client, 4, 1000).await;
    assert_complete_listing(&sim, &client, 3, 97).await;
    let counters = sim.counters();
    assert_eq!(
        counters.status(500) + counters.status(429) + counters.status(STATUS_DROPPED),
        0
    );
    assert!(
        counters.get("POST /vms/list", 200) >= 4 + 7 + 7 + 31,
        "{counters:?}"
    );
}

#[tokio::test]
async fn client_absorbs_injected_faults() {
    let spec: FaultConfig = "500=0.05,503=0.03,429=0.02,truncate=0.02,reset=0.01,slow=0.01"
        .parse()
        .unwrap();
    let sim = Simulator::builder()
        .seed(2024)
        .clusters(3)
        .vms(4_000)
        .faults(spec)
        .slow_body_duration(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = client(&sim, None);
    assert_complete_listing(&sim, &client, 1, 100).await;
    assert_complete_listing(&sim, &client, 4, 100).await;
    let counters = sim.counters();
    let injected: u64 = FaultKind::ALL.iter().map(|k| counters.faults(*k)).sum();
    assert!(injected >= 5, "faults were injected: {counters:?}");
    assert!(
        counters.faults(FaultKind::InternalError) > 0,
        "{counters:?}"
    );
}

#[tokio::test]
async fn client_respects_the_server_rate_limit() {
    let sim = Simulator::builder()
        .seed(5)
        .vms(1_500)
        .rate_limit(20)
        .start()
        .await
        .unwrap();
    let client = client(&sim, Some(10.0));
    let vms = keys::<Vm>(&client, ListOptions::new().concurrency(4).page_size(100)).await;
    assert_eq!(vms.len(), 1_500);
    let counters = sim.counters();
    assert_eq!(
        counters.rate_limited(),
        0,
        "a client limited below the server's limit is never refused"
    );
    assert!(counters.get("POST /vms/list", 200) >= 15);
}

#[tokio::test]
async fn client_recovers_from_the_server_rate_limit() {
    // No client-side limit against a tight server limit: 429s happen and are retried.
    let sim = Simulator::builder()
        .seed(6)
        .vms(800)
        .rate_limit(4)
        .start()
        .await
        .unwrap();
    let client = client(&sim, None);
    let vms = keys::<Vm>(&client, ListOptions::new().concurrency(4).page_size(50)).await;
    assert_eq!(vms.len(), 800);
    assert!(
        sim.counters().rate_limited() > 0,
        "the burst exceeded the server's bucket"
    );
}

#[tokio::test]
async fn client_authenticates_with_api_key_and_sessions() {
    let sim = Simulator::builder()
        .vms(120)
        .api_key("sim-api-key")
        .start()
        .await
        .unwrap();
    let by_key = PrismClient::builder(sim.base_url())
        .allow_http(true)
        .api_key("sim-api-key")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    assert_eq!(keys::<Vm>(&by_key, ListOptions::new()).await.len(), 120);
    let by_session = PrismClient::builder(sim.base_url())
        .allow_http(true)
        .session_auth("admin", "nutanix/4u")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    assert_eq!(
        keys::<Vm>(&by_session, ListOptions::new().page_size(20))
            .await
            .len(),
        120
    );
    let wrong = PrismClient::builder(sim.base_url())
        .allow_http(true)
        .basic_auth("admin", "wrong")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = wrong
        .list_all::<Vm>(ListOptions::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(!error.is_retryable(), "{error}");
    assert_eq!(
        sim.counters().get("POST /vms/list", 401),
        1,
        "a 401 is not retried"
    );
}

#[tokio::test]
async fn client_gets_single_entities_and_metrics() {
    let sim = Simulator::builder().seed(8).vms(50).start().await.unwrap();
    let client = client(&sim, None);
    let uuids = sim.live_vm_uuids();
    let vm: Vm = client.get(&uuids[3]).await.unwrap();
    assert_eq!(vm.uuid(), Some(uuids[3].as_str()));
    let missing = client
        .get::<Vm>("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");

    let on: Vec<String> = {
        let all: Vec<Vm> = client
            .list_all::<Vm>(ListOptions::new().filter("power_state==on"))
            .try_collect()
            .await
            .unwrap();
        all.iter()
            .take(5)
            .map(|v| v.uuid().unwrap().to_owned())
            .collect()
    };
    assert_eq!(on.len(), 5);
    let query = MetricQuery::vm(
        on.clone(),
        ["hypervisor_cpu_usage_ppm", "memory_usage_ppm"],
        // Aligned on 300 s: samples at both ends of the hour are included.
        1_700_000_100_000,
        1_700_003_700_000,
        300,
    );
    let series = client.metric_series(&query).await.unwrap();
    assert_eq!(series.len(), 10, "5 VMs x 2 attributes");
    for s in &series {
        assert_eq!(s.points.len(), 13, "{} {}", s.entity_id, s.attribute);
        assert!(
            s.points.windows(2).all(|w| w[1].0 - w[0].0 == 300_000),
            "every 300 s"
        );
    }
}

#[tokio::test]
async fn client_under_churn_never_duplicates_and_two_sweeps_cover_every_stable_vm() {
    // Sequential requests make the churn steps, and hence this test, deterministic.
    let sim = Simulator::builder()
        .seed(31)
        .vms(2_000)
        .churn_config(ChurnConfig::new(2, 3, 3))
        .start()
        .await
        .unwrap();
    let client = client(&sim, None);
    let before: HashSet<String> = sim.live_vm_uuids().into_iter().collect();
    let first: HashSet<String> =
        keys::<Vm>(&client, ListOptions::new().concurrency(1).page_size(100))
            .await
            .into_iter()
            .collect();
    let second: HashSet<String> =
        keys::<Vm>(&client, ListOptions::new().concurrency(1).page_size(100))
            .await
            .into_iter()
            .collect();
    let after: HashSet<String> = sim.live_vm_uuids().into_iter().collect();
    let (steps, removed, added) = sim.churn_stats();
    assert!(
        steps >= 20 && removed >= 60 && added >= 60,
        "the fleet changed: {steps} {removed} {added}"
    );
    let stable: HashSet<&String> = before.intersection(&after).collect();
    assert!(stable.len() < before.len());
    let seen: HashSet<&String> = first.union(&second).collect();
    let missing: Vec<&&String> = stable.iter().filter(|u| !seen.contains(**u)).collect();
    assert!(
        missing.is_empty(),
        "{} stable VMs missed by both sweeps",
        missing.len()
    );
    // Nothing listed is invented: every UUID was live before, or added during the sweeps.
    for uuid in first.iter().chain(&second) {
        assert!(
            before.contains(uuid)
                || client
                    .get::<Vm>(uuid)
                    .await
                    .map_or_else(|e| e.is_not_found(), |_| true)
        );
    }
}

/// Lists a running `prism-sim` when `PRISM_SIM_URL` is set (with `PRISM_SIM_VMS` the fleet size
/// it was started with), otherwise an in-process simulator of 10,000 VMs:
///
/// ```text
/// cargo run --release -p examples --bin prism-sim -- --vms 100000 &
/// PRISM_SIM_URL=http://127.0.0.1:9440 PRISM_SIM_VMS=100000 \
///   cargo test --release -p nutanix-prism --all-features --test sim_client lists_a_large_fleet
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_lists_a_large_fleet() {
    let (local, url, expected) = match std::env::var("PRISM_SIM_URL") {
        Ok(url) => {
            let vms: usize = std::env::var("PRISM_SIM_VMS").map_or(1000, |v| v.parse().unwrap());
            (None, url, vms)
        }
        Err(_) => {
            let sim = Simulator::builder()
                .seed(77)
                .vms(10_000)
                .start()
                .await
                .unwrap();
            let url = sim.base_url().to_owned();
            (Some(sim), url, 10_000)
        }
    };
    let client = PrismClient::builder(url)
        .allow_http(true)
        .basic_auth("admin", "nutanix/4u")
        .retry_policy(fast_retries())
        .requests_per_second(None)
        .build()
        .unwrap();
    let vms = keys::<Vm>(&client, ListOptions::new().concurrency(4).page_size(500)).await;
    assert_eq!(vms.len(), expected);
    if let Some(sim) = local {
        assert_eq!(
            vms.into_iter().collect::<HashSet<_>>(),
            sim.live_vm_uuids().into_iter().collect()
        );
    }
}
