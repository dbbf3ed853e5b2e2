//! Stress knobs: rate limit, injected faults, churn, TLS, latency, shutdown.
#![cfg(all(feature = "sim", feature = "client"))]

use std::collections::HashSet;
use std::time::Duration;

use nutanix_prism::sim::{
    ChurnConfig, FaultConfig, FaultKind, RunningSimulator, STATUS_DROPPED, Simulator,
};
use serde_json::Value;

async fn list_request(
    client: &reqwest::Client,
    sim: &RunningSimulator,
    body: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{}/vms/list", sim.api_url()))
        .basic_auth("admin", Some("nutanix/4u"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
}

fn faults(kind: FaultKind) -> FaultConfig {
    FaultConfig::none().with(kind, 1.0)
}

#[tokio::test]
async fn rate_limit_answers_429_with_headers() {
    let sim = Simulator::builder()
        .vms(50)
        .rate_limit(5)
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut limited_headers = None;
    for _ in 0..12 {
        let response = list_request(&client, &sim, "{}").await.unwrap();
        assert_eq!(response.headers()["x-ratelimit-limit"], "5");
        assert!(response.headers().contains_key("x-ratelimit-remaining"));
        if response.status() == 429 {
            limited_headers = Some(response.headers().clone());
        }
        statuses.push(response.status().as_u16());
    }
    // Whether later requests are refused depends on the machine's speed (the bucket refills
    // 5 tokens/s), so check consistency with the server's own counters rather than timing.
    let counters = sim.counters();
    assert_eq!(
        counters.rate_limited(),
        statuses.iter().filter(|s| **s == 429).count() as u64
    );
    assert_eq!(counters.get("POST /vms/list", 429), counters.rate_limited());
    assert_eq!(
        counters.get("POST /vms/list", 200) + counters.rate_limited(),
        12
    );
    if let Some(headers) = limited_headers {
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert!(
            headers["x-ratelimit-reset"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 1
        );
    }
    // The first five requests always fit in the bucket.
    assert!(statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
}

#[tokio::test]
async fn rate_limit_refuses_a_burst_larger_than_the_bucket() {
    // Time-independent: a burst of 40 concurrent requests against a bucket of 2 per second
    // cannot all be served unless 38 tokens refill while they are in flight (19 s).
    let sim = Simulator::builder()
        .vms(10)
        .rate_limit(2)
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let requests = (0..40).map(|_| list_request(&client, &sim, "{}"));
    let responses = futures::future::join_all(requests).await;
    let refused = responses
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == 429)
        .count();
    assert!(refused >= 20, "refused {refused}");
    assert_eq!(sim.counters().rate_limited(), refused as u64);
}

#[tokio::test]
async fn injected_500_and_503_are_plain_text() {
    for (kind, status) in [
        (FaultKind::InternalError, 500u16),
        (FaultKind::Unavailable, 503),
    ] {
        let sim = Simulator::builder()
            .vms(10)
            .faults(faults(kind))
            .start()
            .await
            .unwrap();
        let response = list_request(&reqwest::Client::new(), &sim, "{}")
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let body = response.text().await.unwrap();
        assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
        assert_eq!(sim.counters().faults(kind), 1);
        assert_eq!(sim.counters().get("POST /vms/list", status), 1);
    }
}

#[tokio::test]
async fn injected_429_carries_rate_limit_headers() {
    let sim = Simulator::builder()
        .vms(10)
        .faults(faults(FaultKind::TooManyRequests))
        .start()
        .await
        .unwrap();
    let response = list_request(&reqwest::Client::new(), &sim, "{}")
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(response.headers()["x-ratelimit-reset"], "1");
}

#[tokio::test]
async fn reset_drops_the_connection_without_a_response() {
    let sim = Simulator::builder()
        .vms(10)
        .faults(faults(FaultKind::Reset))
        .start()
        .await
        .unwrap();
    let error = list_request(&reqwest::Client::new(), &sim, "{}")
        .await
        .unwrap_err();
    assert!(
        !error.is_status(),
        "a transport error, not an HTTP status: {error:?}"
    );
    assert_eq!(sim.counters().get("POST /vms/list", STATUS_DROPPED), 1);
    assert_eq!(sim.counters().faults(FaultKind::Reset), 1);
}

#[tokio::test]
async fn truncate_cuts_the_body_after_a_200() {
    let sim = Simulator::builder()
        .vms(100)
        .faults(faults(FaultKind::Truncate))
        .start()
        .await
        .unwrap();
    let response = list_request(&reqwest::Client::new(), &sim, r#"{"length":100}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "status looks fine");
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(announced > 10_000);
    assert!(
        response.bytes().await.is_err(),
        "reading the body fails midway"
    );
    assert_eq!(sim.counters().faults(FaultKind::Truncate), 1);
}

#[tokio::test]
async fn slow_bodies_arrive_complete() {
    let sim = Simulator::builder()
        .vms(100)
        .faults(faults(FaultKind::Slow))
        .slow_body_duration(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let response = list_request(&reqwest::Client::new(), &sim, r#"{"length":100}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["entities"].as_array().unwrap().len(), 100);
    assert_eq!(sim.counters().faults(FaultKind::Slow), 1);
}

#[tokio::test]
async fn faults_follow_the_configured_rates_and_seed() {
    let spec: FaultConfig = "500=0.2,503=0.1".parse().unwrap();
    let run = || async {
        let sim = Simulator::builder()
            .vms(10)
            .seed(8)
            .faults(spec)
            .start()
            .await
            .unwrap();
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..200 {
            statuses.push(
                list_request(&client, &sim, "{}")
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        statuses
    };
    let first = run().await;
    assert_eq!(
        first,
        run().await,
        "sequential requests see the same faults for the same seed"
    );
    let errors = first.iter().filter(|s| **s == 500).count();
    let unavailable = first.iter().filter(|s| **s == 503).count();
    assert!((20..=60).contains(&errors), "500s: {errors}");
    assert!((5..=40).contains(&unavailable), "503s: {unavailable}");
}

#[tokio::test]
async fn churn_removes_and_appends_vms() {
    let sim = Simulator::builder()
        .vms(200)
        .seed(4)
        .churn_config(ChurnConfig::new(1, 5, 3))
        .start()
        .await
        .unwrap();
    let before: Vec<String> = sim.live_vm_uuids();
    let client = reqwest::Client::new();
    for _ in 0..4 {
        assert_eq!(
            list_request(&client, &sim, r#"{"length":1}"#)
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(sim.churn_stats(), (4, 20, 12));
    let after: Vec<String> = sim.live_vm_uuids();
    assert_eq!(after.len(), 192);
    let before_set: HashSet<_> = before.iter().collect();
    let removed: Vec<_> = before.iter().filter(|u| !after.contains(u)).collect();
    let added: Vec<_> = after.iter().filter(|u| !before_set.contains(u)).collect();
    // 20 removals hit VMs of the initial fleet or VMs added by an earlier step.
    assert_eq!(removed.len() + (12 - added.len()), 20);
    assert!(removed.len() >= 8 && !added.is_empty());
    let tail: Vec<&String> = after[after.len() - added.len()..].iter().collect();
    assert_eq!(tail, added, "new VMs are appended at the end");

    let get = |uuid: String| {
        let client = client.clone();
        let url = format!("{}/vms/{uuid}", sim.api_url());
        async move {
            client
                .get(url)
                .basic_auth("admin", Some("nutanix/4u"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(get(removed[0].clone()).await, 404, "deleted VMs are gone");
    assert_eq!(get(added[0].clone()).await, 200, "new VMs can be fetched");
    let page: Value = list_request(&client, &sim, r#"{"offset":0,"length":500}"#)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["metadata"]["total_matches"], 192);
    let listed: Vec<&str> = page["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(listed, after.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    // That list request was answered first, then triggered its own step (-5 +3): 190.
    assert_eq!(sim.vm_count(), 190);
    sim.churn_step();
    assert_eq!(sim.vm_count(), 188);
}

#[tokio::test]
async fn tls_serves_with_the_generated_certificate() {
    let dir = std::env::temp_dir().join(format!("prism-sim-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem_path = dir.join("cert.pem");
    let sim = Simulator::builder()
        .vms(5)
        .tls(true)
        .cert_out(&pem_path)
        .start()
        .await
        .unwrap();
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    let pem = sim.tls_certificate_pem().unwrap().to_owned();
    assert_eq!(std::fs::read_to_string(&pem_path).unwrap(), pem);

    let untrusting = reqwest::Client::new();
    assert!(
        list_request(&untrusting, &sim, "{}").await.is_err(),
        "self-signed: refused by default"
    );
    let trusting = reqwest::Client::builder()
        .tls_certs_merge([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let response = list_request(&trusting, &sim, "{}").await.unwrap();
    assert_eq!(response.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn latency_delays_answers_without_breaking_them() {
    // No wall-clock assertion: only that delayed answers are complete and counted.
    let sim = Simulator::builder()
        .vms(30)
        .latency(Duration::from_millis(20))
        .jitter(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let responses =
        futures::future::join_all((0..8).map(|_| list_request(&client, &sim, "{}"))).await;
    assert!(
        responses
            .iter()
            .all(|r| r.as_ref().unwrap().status() == 200)
    );
    assert_eq!(sim.counters().get("POST /vms/list", 200), 8);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let sim = Simulator::builder().vms(5).start().await.unwrap();
    let addr = sim.local_addr();
    let counters_url = format!("{}/sim/counters", sim.base_url());
    let client = reqwest::Client::new();
    assert_eq!(
        client.get(&counters_url).send().await.unwrap().status(),
        200
    );
    sim.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );

    let sim = Simulator::builder().vms(5).start().await.unwrap();
    let addr = sim.local_addr();
    drop(sim);
    let mut refused = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(refused, "nothing listens after drop");
}

#[tokio::test]
async fn invalid_settings_are_refused() {
    let cases = [
        Simulator::builder().clusters(0),
        Simulator::builder().hosts_per_cluster(0),
        Simulator::builder().hosts_per_cluster(65),
        Simulator::builder().max_page_size(0),
        Simulator::builder().basic_auth("a:b", "x"),
        Simulator::builder().api_key(""),
    ];
    for builder in cases {
        let text = format!("{builder:?}");
        let error = builder.start().await.unwrap_err();
        assert!(
            error.to_string().contains("invalid simulator setting"),
            "{text}: {error}"
        );
    }
    let debug = format!(
        "{:?}",
        Simulator::builder()
            .basic_auth("admin", "pw-secret-123")
            .api_key("key-secret-456")
    );
    assert!(
        !debug.contains("pw-secret-123") && !debug.contains("key-secret-456"),
        "{debug}"
    );
}

#[tokio::test]
async fn http2_is_served_and_faults_apply_per_stream() {
    let sim = Simulator::builder().vms(40).start().await.unwrap();
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let response = list_request(&h2, &sim, r#"{"length":40}"#).await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["entities"].as_array().unwrap().len(), 40);

    let sim = Simulator::builder()
        .vms(40)
        .faults(faults(FaultKind::Reset))
        .start()
        .await
        .unwrap();
    assert!(
        list_request(&h2, &sim, "{}").await.is_err(),
        "a reset stream is an error over HTTP/2 too"
    );
    assert_eq!(sim.counters().get("POST /vms/list", STATUS_DROPPED), 1);
}
