//! The `nutanix-inventory-plugin` binary: prints `listening on <addr>` first, serves the
//! plugin with reflection and health, exports Prometheus metrics and stops gracefully on SIGTERM.

use std::process::Stdio;

use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    CollectRequest, InitRequest, collector_client::CollectorClient,
};
use cloudforet_client::value::json_to_struct;
use nutanix_prism::sim::Simulator;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tonic::transport::Channel;

fn req<T>(msg: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("token", "NO_TOKEN".parse().unwrap());
    r
}

async fn http_get(addr: &str, path: &str) -> String {
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    sock.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn binary_serves_prints_address_exports_metrics_and_stops_on_sigterm() {
    let sim = Simulator::builder()
        .clusters(1)
        .hosts_per_cluster(1)
        .vms(3)
        .seed(5)
        .start()
        .await
        .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_nutanix-inventory-plugin"))
        .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .env("LOG_FORMAT", "json")
        .env("LOG_LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let addr = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    let second = lines.next_line().await.unwrap().unwrap();
    let metrics_addr = second
        .strip_prefix("metrics on ")
        .unwrap_or_else(|| panic!("second line: {second:?}"))
        .to_owned();
    assert!(!addr.ends_with(":0") && !metrics_addr.ends_with(":0"));

    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = CollectorClient::new(channel);
    client
        .init(req(InitRequest { options: None }))
        .await
        .unwrap();
    let secret = json!({"host": sim.base_url(), "username": "admin", "password": "nutanix/4u"});
    let mut stream = client
        .collect(req(CollectRequest {
            options: None,
            secret_data: Some(json_to_struct(secret).unwrap()),
            filter: None,
            task_options: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let mut n = 0u64;
    let mut total = 0;
    while let Some(r) = stream.message().await.unwrap() {
        total += 1;
        // Type records belong to no Prism Central; FAILURE records count as errors.
        if r.state == 4 && r.resource_type != "inventory.CloudServiceType" {
            n += 1;
        }
    }
    assert_eq!(total, n + 7);
    assert!(n > 3);

    let host = sim.local_addr();
    let pc = format!("{}:{}", host.ip(), host.port());
    let text = http_get(&metrics_addr, "/metrics").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let line = format!(
        "plugin_resources_collected_total{{plugin=\"inventory\",prism_central=\"{pc}\"}} {n}"
    );
    assert!(text.contains(&line), "{line} not in {text}");
    assert!(text.contains(&format!(
        "plugin_collection_duration_seconds_count{{plugin=\"inventory\",prism_central=\"{pc}\"}} 1"
    )));
    assert!(text.contains(&format!(
        "plugin_api_calls_total{{plugin=\"inventory\",prism_central=\"{pc}\"}}"
    )));
    assert!(text.contains("# TYPE plugin_errors_total counter"));
    assert!(
        http_get(&metrics_addr, "/other")
            .await
            .starts_with("HTTP/1.1 404")
    );

    let pid = child.id().unwrap().to_string();
    let status = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let exit = child.wait().await.unwrap();
    assert!(exit.success(), "plugin exit status after SIGTERM: {exit:?}");
}
