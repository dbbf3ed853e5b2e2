//! End-to-end tests of the `nutanix-collect` binary against the simulator: `--simulate`
//! in-process in the binary, or an in-process simulator here reached with `--endpoint`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, Money, PriceBook};
use collector_core::mapping::{ClusterNames, vm_usage};
use futures::TryStreamExt as _;
use nutanix_prism::PrismClient;
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde_json::Value;
use time::Month;

const BIN: &str = env!("CARGO_BIN_EXE_nutanix-collect");

async fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .env_remove("NUTANIX_PASSWORD")
        .env_remove("NUTANIX_ENDPOINT")
        .env_remove("NUTANIX_USERNAME")
        .env("LOG_LEVEL", "warn")
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().await.expect("spawning nutanix-collect")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    text(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

async fn sim(clusters: u32, vms: u32, seed: u64) -> RunningSimulator {
    Simulator::builder()
        .clusters(clusters)
        .hosts_per_cluster(2)
        .vms(vms)
        .seed(seed)
        .start()
        .await
        .expect("simulator")
}

fn client(sim: &RunningSimulator) -> PrismClient {
    PrismClient::builder(sim.base_url())
        .basic_auth("admin", "nutanix/4u".to_owned())
        .allow_http(true)
        .build()
        .expect("client")
}

/// Counts of records per (resource_type, cloud_service_type).
fn record_counts(records: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        let rt = r["resource_type"].as_str().unwrap_or_default();
        let key = match rt {
            "inventory.CloudService" => r["resource"]["cloud_service_type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            other => other.to_owned(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_collect_emits_exactly_the_fleet_as_json_lines() {
    let (clusters, vms, seed) = (2, 40, 7);
    // Same shape and seed as the binary's embedded simulator: the same fleet.
    let reference = sim(clusters, vms, seed).await;
    let expected = reference.expected_counts();
    let disks: usize = client(&reference)
        .vms()
        .map_ok(|vm| vm.disks().len())
        .try_fold(0, |a, n| async move { Ok(a + n) })
        .await
        .unwrap();
    reference.shutdown().await;

    let out_file =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("collect_cli_records.jsonl");
    let _ = std::fs::remove_file(&out_file);
    let fleet = [
        "--simulate",
        "--sim-clusters",
        "2",
        "--sim-hosts-per-cluster",
        "2",
        "--sim-vms",
        "40",
        "--seed",
        "7",
    ];
    let stdout_run = run(
        &[
            &fleet[..],
            &["collect", "--concurrency", "2", "--page-size", "7"],
        ]
        .concat(),
        &[],
    )
    .await;
    let stderr = text(&stdout_run.stderr);
    assert!(
        stdout_run.status.success(),
        "exit {:?}: {stderr}",
        stdout_run.status
    );
    let records = json_lines(&stdout_run.stdout);

    let pe_clusters = expected.clusters - 1; // the Prism Central is listed among the clusters
    let want = BTreeMap::from([
        ("inventory.CloudServiceType".to_owned(), 7),
        ("inventory.Region".to_owned(), pe_clusters),
        ("Cluster".to_owned(), pe_clusters),
        ("VirtualMachine".to_owned(), expected.vms),
        ("Disk".to_owned(), disks),
        ("Host".to_owned(), expected.hosts),
        ("Subnet".to_owned(), expected.subnets),
        ("Image".to_owned(), expected.images),
        ("VolumeGroup".to_owned(), expected.volume_groups),
    ]);
    assert_eq!(record_counts(&records), want);
    assert!(records.iter().all(|r| r["state"] == "SUCCESS"));
    assert!(records.iter().all(|r| r["match_rules"]["1"].is_array()));
    assert_eq!(
        records[0]["resource_type"], "inventory.CloudServiceType",
        "types first"
    );
    assert_eq!(
        records.last().unwrap()["resource_type"],
        "inventory.Region",
        "regions last"
    );
    // The summary is on stderr, with the same total.
    assert!(stderr.contains("nutanix-collect summary"), "{stderr}");
    let total_line = stderr
        .lines()
        .find(|l| l.starts_with("records "))
        .unwrap_or_else(|| panic!("no records line: {stderr}"));
    assert_eq!(
        total_line.split_whitespace().last(),
        Some(records.len().to_string().as_str())
    );
    assert!(stderr.contains("VirtualMachine"), "{stderr}");
    assert!(stderr.contains("cost of "), "{stderr}");

    // --output: the same records in the file, nothing on stdout, the summary still visible.
    let file_run = run(
        &[
            &fleet[..],
            &["collect", "--output", out_file.to_str().unwrap()],
        ]
        .concat(),
        &[],
    )
    .await;
    assert!(file_run.status.success(), "{}", text(&file_run.stderr));
    assert!(
        file_run.stdout.is_empty(),
        "stdout: {}",
        text(&file_run.stdout)
    );
    assert!(text(&file_run.stderr).contains("nutanix-collect summary"));
    let from_file = json_lines(&std::fs::read(&out_file).unwrap());
    assert_eq!(record_counts(&from_file), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_command_reports_bad_credentials_without_the_password() {
    let sim = sim(1, 3, 1).await;
    let secret = "not-the-Password-7c1f";
    let bad = run(
        &[
            "--endpoint",
            sim.base_url(),
            "--password-env",
            "MY_PC_PW",
            "test",
        ],
        &[("MY_PC_PW", secret)],
    )
    .await;
    let (out, err) = (text(&bad.stdout), text(&bad.stderr));
    assert_eq!(bad.status.code(), Some(1), "stdout: {out}\nstderr: {err}");
    assert!(err.contains("credentials were rejected"), "{err}");
    assert!(
        err.contains("--username") && err.contains("$MY_PC_PW"),
        "{err}"
    );
    assert!(
        !out.contains(secret) && !err.contains(secret),
        "password leaked"
    );

    let good = run(
        &["--endpoint", sim.base_url(), "test"],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(
        text(&good.stdout).starts_with("OK: "),
        "{}",
        text(&good.stdout)
    );

    // No credentials at all: an actionable error before any request.
    let none = run(&["--endpoint", sim.base_url(), "test"], &[]).await;
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("NUTANIX_PASSWORD"),
        "{}",
        text(&none.stderr)
    );

    // Nothing listening: says it cannot connect.
    let addr = sim.local_addr();
    sim.shutdown().await;
    let down = run(
        &["--endpoint", &format!("http://{addr}"), "test"],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert_eq!(down.status.code(), Some(1));
    assert!(
        text(&down.stderr).contains("cannot connect"),
        "{}",
        text(&down.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_with_failures_exits_non_zero() {
    let sim = sim(1, 5, 1).await;
    let secret = "wrong-password-91d2";
    let res = run(
        &["--endpoint", sim.base_url(), "collect"],
        &[("NUTANIX_PASSWORD", secret)],
    )
    .await;
    let (out, err) = (text(&res.stdout), text(&res.stderr));
    assert_eq!(res.status.code(), Some(3), "stderr: {err}");
    let records = json_lines(&res.stdout);
    let failures = records.iter().filter(|r| r["state"] == "FAILURE").count();
    assert!(failures >= 1, "{out}");
    assert!(
        records
            .iter()
            .filter(|r| r["state"] == "FAILURE")
            .all(|r| r["resource_type"] == "inventory.ErrorResource")
    );
    assert!(err.contains("FAILURE"), "{err}");
    assert!(
        !out.contains(secret) && !err.contains(secret),
        "password leaked"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cost_month_records_sum_to_the_total_and_match_the_model() {
    let (clusters, vms, seed) = (2, 30, 3);
    let reference = sim(clusters, vms, seed).await;
    // Independent figure: collector-core's monthly totals of every VM for June 2025 (a month
    // before the simulated fleet's "now", so "as of" does not matter).
    let c = client(&reference);
    let names: ClusterNames = c
        .clusters()
        .map_ok(|cl| {
            (
                cl.uuid().unwrap_or_default().to_owned(),
                cl.name().unwrap_or_default().to_owned(),
            )
        })
        .try_collect()
        .await
        .unwrap();
    let all_vms: Vec<_> = c.vms().try_collect().await.unwrap();
    let book = PriceBook::default();
    let pc = PrismCentral::new(reference.base_url());
    let model = CostModel::new(&book, &pc, time::OffsetDateTime::now_utc());
    let mut expected = Money::default();
    for vm in &all_vms {
        for m in model
            .monthly_totals(&vm_usage(vm, &names), 2025, Month::June)
            .unwrap()
            .values()
        {
            expected = expected.saturating_add(*m);
        }
    }
    reference.shutdown().await;
    assert!(expected.micros() > 0);

    let res = run(
        &[
            "--simulate",
            "--sim-clusters",
            "2",
            "--sim-hosts-per-cluster",
            "2",
            "--sim-vms",
            "30",
            "--seed",
            "3",
            "cost",
            "--month",
            "2025-06",
        ],
        &[],
    )
    .await;
    let err = text(&res.stderr);
    assert!(res.status.success(), "{err}");
    let records = json_lines(&res.stdout);
    assert!(!records.is_empty());
    let mut sum = 0_u64;
    let mut vms_seen = BTreeSet::new();
    for r in &records {
        assert!(
            r["billed_date"].as_str().unwrap().starts_with("2025-06-"),
            "{r}"
        );
        assert_eq!(r["provider"], "nutanix");
        sum += (r["cost"].as_f64().unwrap() * 1e6).round() as u64;
        vms_seen.insert(r["resource"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        sum,
        expected.micros(),
        "records sum to the model's monthly totals"
    );
    let total_line = err
        .lines()
        .find(|l| l.starts_with("total (USD)"))
        .unwrap_or_else(|| panic!("no total: {err}"));
    assert_eq!(
        total_line.split_whitespace().last(),
        Some(expected.to_string().as_str())
    );
    assert!(vms_seen.len() <= all_vms.len());
    assert!(
        err.contains(&format!("{:<40} {:>15}", "VMs", vms_seen.len())),
        "{err}"
    );

    let bad = run(
        &["--simulate", "--sim-vms", "1", "cost", "--month", "2025-13"],
        &[],
    )
    .await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("--month"),
        "{}",
        text(&bad.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_vms_returns_every_vm_once() {
    let sim = sim(2, 25, 5).await;
    let res = run(
        &[
            "--endpoint",
            sim.base_url(),
            "list",
            "vms",
            "--format",
            "json",
            "--page-size",
            "4",
        ],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert!(res.status.success(), "{}", text(&res.stderr));
    let lines = json_lines(&res.stdout);
    let uuids: BTreeSet<String> = lines
        .iter()
        .map(|v| v["metadata"]["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(lines.len(), 25);
    assert_eq!(
        uuids,
        sim.live_vm_uuids().into_iter().collect::<BTreeSet<_>>()
    );

    let table = run(
        &[
            "--endpoint",
            sim.base_url(),
            "list",
            "hosts",
            "--format",
            "table",
        ],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert!(table.status.success());
    let rows = text(&table.stdout);
    assert!(rows.starts_with("UUID"), "{rows}");
    assert_eq!(rows.lines().count(), 1 + sim.expected_counts().hosts);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_of_a_vm_by_name_cover_the_catalogue() {
    let sim = sim(1, 4, 2).await;
    let vm = client(&sim).vms().try_next().await.unwrap().unwrap();
    let name = vm.name().unwrap().to_owned();
    let res = run(
        &[
            "--endpoint",
            sim.base_url(),
            "metrics",
            &name,
            "--minutes",
            "30",
            "--period",
            "300",
        ],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert!(res.status.success(), "{}", text(&res.stderr));
    let lines = json_lines(&res.stdout);
    let keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    let want: Vec<&str> = collector_core::metrics::CATALOGUE
        .iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(keys, want);
    for l in &lines {
        assert_eq!(l["vm_uuid"], vm.uuid().unwrap());
        assert_eq!(l["period"], 300);
        assert_eq!(
            l["labels"].as_array().unwrap().len(),
            l["values"].as_array().unwrap().len()
        );
    }
    let missing = run(
        &["--endpoint", sim.base_url(), "metrics", "no-such-vm"],
        &[("NUTANIX_PASSWORD", "nutanix/4u")],
    )
    .await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("no VM named"),
        "{}",
        text(&missing.stderr)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn password_is_not_a_command_line_flag() {
    let res = run(&["--password", "hunter2-secret", "--simulate", "test"], &[]).await;
    let err = text(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    assert!(err.contains("unexpected argument '--password'"), "{err}");
    assert!(res.stdout.is_empty());
}

#[tokio::test]
async fn simulate_alone_collects_and_summarises() {
    let res = run(
        &["--simulate", "--sim-clusters", "1", "--sim-vms", "3"],
        &[],
    )
    .await;
    let err = text(&res.stderr);
    assert!(res.status.success(), "{err}");
    let records = json_lines(&res.stdout);
    assert_eq!(record_counts(&records).get("VirtualMachine"), Some(&3));
    assert!(err.contains("nutanix-collect summary"), "{err}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_collect_and_still_summarises() {
    use tokio::io::{AsyncBufReadExt as _, BufReader};

    // A fleet far too large to finish at 2 requests/s, so the interrupt lands mid-run.
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "--simulate",
            "--sim-vms",
            "5000",
            "collect",
            "--page-size",
            "20",
            "--concurrency",
            "1",
            "--rate-limit",
            "2",
        ])
        .env("LOG_LEVEL", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    // Records are flowing once the first VirtualMachine arrives.
    let mut seen = 0;
    while let Some(line) = stdout.next_line().await.unwrap() {
        seen += 1;
        if line.contains("\"cloud_service_type\":\"VirtualMachine\"")
            && line.contains("\"inventory.CloudService\"")
        {
            break;
        }
    }
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    while let Some(_line) = stdout.next_line().await.unwrap() {
        seen += 1;
    }
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let total_line = stderr.lines().find(|l| l.starts_with("records ")).unwrap();
    assert_eq!(
        total_line.split_whitespace().last(),
        Some(seen.to_string().as_str())
    );
    assert!(seen < 5000, "stopped early");
}

#[tokio::test]
async fn options_file_restricts_kinds_like_the_plugin() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("collect_cli_options.json");
    std::fs::write(&path, r#"{"kinds": ["hosts"], "unknown_key": 1}"#).unwrap();
    let res = run(
        &[
            "--simulate",
            "--sim-clusters",
            "1",
            "--sim-hosts-per-cluster",
            "2",
            "--sim-vms",
            "3",
            "collect",
            "--no-cost",
            "--options",
            path.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    let err = text(&res.stderr);
    assert!(res.status.success(), "{err}");
    let counts = record_counts(&json_lines(&res.stdout));
    assert_eq!(counts.get("Host"), Some(&2), "{counts:?}");
    assert_eq!(counts.get("VirtualMachine"), None, "{counts:?}");
    assert!(!err.contains("cost of"), "--no-cost: {err}");

    std::fs::write(&path, r#"{"page_size": "many"}"#).unwrap();
    let bad = run(
        &["--simulate", "collect", "--options", path.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("page_size"),
        "{}",
        text(&bad.stderr)
    );
}
