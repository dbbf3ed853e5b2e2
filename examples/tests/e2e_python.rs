//! End-to-end: the three plugin binaries driven by CloudForet's own Python stubs.
//!
//! Each test starts the Prism simulator in-process (small fleet, fixed seed), spawns a plugin
//! binary on `127.0.0.1:0` (`--metrics-listen off`), reads the bound address from its first
//! stdout line (`listening on <ip:port>`), and runs `tests/e2e/drive_plugins.py` against it in
//! the conformance venv. The driver calls the plugin exactly like CloudForet core (reflection
//! v1alpha, requests built from the reflected descriptors with `ParseDict`, `token: NO_TOKEN`),
//! checks every record against CloudForet's rules and prints one JSON summary. This file asserts
//! the summary's counts against the simulated fleet, computed independently from the simulator
//! (`expected_counts`) and from a plain Prism client listing, and fails with the driver's whole
//! output on any violation. Bad secrets (wrong password, missing host) must produce the
//! specified `ERROR_*` statuses without echoing the secret.
//!
//! The venv comes from `CLOUDFORET_CONFORMANCE_VENV` (relative paths from the workspace root) or
//! `<workspace>/target/conformance-venv`; `scripts/python-venv.sh` is run first (idempotent), so
//! the test never skips silently: without Python or PyPI it fails and says why.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::TryStreamExt;
use nutanix_prism::model::{PowerState, Vm};
use nutanix_prism::sim::{RunningSimulator, Simulator};
use nutanix_prism::{ListOptions, PrismClient};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const USERNAME: &str = "admin";
const PASSWORD: &str = "nutanix/4u";
const WRONG_PASSWORD: &str = "e2e-wrong-password-7f3a";

// Small fleet: every kind present, a few pages of VMs, quick on 2 cores.
const CLUSTERS: u32 = 2;
const HOSTS_PER_CLUSTER: u32 = 2;
const VMS: u32 = 45;
const SEED: u64 = 20_251_122;

// ------------------------------------------------------------------------------------------
// Harness: venv, plugin process, driver
// ------------------------------------------------------------------------------------------

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate sits inside the workspace")
        .to_path_buf()
}

/// The venv's python, creating/updating the venv once per test process (same location and
/// script as `cloudforet-client/tests/conformance.rs`).
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = workspace_root();
        let venv = std::env::var_os("CLOUDFORET_CONFORMANCE_VENV")
            .filter(|v| !v.is_empty())
            .map(|v| root.join(v))
            .unwrap_or_else(|| root.join("target").join("conformance-venv"));
        let out = std::process::Command::new("bash")
            .arg(root.join("scripts").join("python-venv.sh"))
            .arg(&venv)
            .output()
            .expect("cannot run bash scripts/python-venv.sh");
        assert!(
            out.status.success(),
            "scripts/python-venv.sh {} failed (needs python3 with venv and access to PyPI):\n{}\n{}",
            venv.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        venv.join("bin").join("python")
    })
}

fn driver_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/drive_plugins.py")
}

fn inventory_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nutanix-inventory-plugin"))
}

fn cost_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nutanix-cost-plugin"))
}

fn monitoring_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nutanix-monitoring-plugin"))
}

/// Shows the driver's counts (visible with `--nocapture`; kept for release notes).
#[allow(clippy::print_stderr)]
fn show(kind: &str, summary: &Value) {
    let part = |k: &str| summary.get(k).cloned().unwrap_or(Value::Null);
    eprintln!(
        "e2e {kind}: tasks={} collect={} get_data={} metrics={} errors={}",
        part("tasks"),
        part("collect"),
        part("get_data"),
        part("metrics"),
        part("error_cases")
    );
}

/// A running plugin process; killed when dropped. Its stderr (logs) is kept for failures.
struct PluginProcess {
    name: String,
    addr: String,
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl PluginProcess {
    async fn spawn(binary: &Path) -> Self {
        let name = binary
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--metrics-listen", "off"])
            .env("LOG_FORMAT", "text")
            .env("LOG_LEVEL", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&stderr);
        tokio::spawn(async move {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err_pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });

        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{name} printed nothing on stdout within 60 s; stderr:\n{}",
                    stderr.lock().map(|s| s.clone()).unwrap_or_default()
                )
            })
            .expect("read the plugin's stdout")
            .unwrap_or_else(|| {
                panic!(
                    "{name} closed stdout before printing its address; stderr:\n{}",
                    stderr.lock().map(|s| s.clone()).unwrap_or_default()
                )
            });
        let addr = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!("{name}: first stdout line is {first:?}, expected `listening on <ip:port>`")
            })
            .trim()
            .to_owned();
        let parsed: std::net::SocketAddr = addr
            .parse()
            .unwrap_or_else(|e| panic!("{name}: `{addr}` is not an ip:port: {e}"));
        assert!(
            parsed.ip().is_loopback(),
            "{name} bound {parsed}, asked for 127.0.0.1"
        );
        assert_ne!(
            parsed.port(),
            0,
            "{name} printed port 0 instead of the bound port"
        );
        // Keep draining stdout so the plugin never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            name,
            addr,
            child,
            stderr,
        }
    }

    fn logs(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Runs the driver against `plugin`; returns the summary, failing with all output otherwise.
async fn drive(plugin: &PluginProcess, kind: &str, extra: &[String]) -> Value {
    let python = python();
    let mut cmd = Command::new(python);
    cmd.arg(driver_script())
        .args(["--kind", kind, "--target", &plugin.addr])
        .args(extra)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(600), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("the {kind} driver did not finish within 10 minutes"))
        .expect("cannot run the driver");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = || {
        format!(
            "--- driver stdout\n{stdout}\n--- driver stderr\n{stderr}\n--- {} logs\n{}",
            plugin.name,
            plugin.logs()
        )
    };
    let summary: Value = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON summary from the {kind} driver\n{}", context()));
    assert!(
        out.status.success() && summary["violations"] == json!([]),
        "the {kind} driver reported violations ({}):\n{}",
        out.status,
        context()
    );
    summary
}

fn arg(flag: &str, value: impl Into<String>) -> [String; 2] {
    [flag.to_owned(), value.into()]
}

// ------------------------------------------------------------------------------------------
// Fleet and expectations
// ------------------------------------------------------------------------------------------

async fn simulator() -> RunningSimulator {
    Simulator::builder()
        .clusters(CLUSTERS)
        .hosts_per_cluster(HOSTS_PER_CLUSTER)
        .vms(VMS)
        .images(3)
        .volume_groups(2)
        .seed(SEED)
        .start()
        .await
        .expect("start the simulator")
}

fn secret(sim: &RunningSimulator) -> Value {
    json!({"host": sim.base_url(), "username": USERNAME, "password": PASSWORD})
}

/// Every VM of the fleet, listed with a plain Prism client (independent of the plugins).
async fn list_vms(sim: &RunningSimulator) -> Vec<Vm> {
    let client = PrismClient::builder(sim.base_url())
        .basic_auth(USERNAME, PASSWORD)
        .allow_http(true)
        .build()
        .expect("prism client");
    let vms: Vec<Vm> = client
        .list_all::<Vm>(ListOptions::new())
        .try_collect()
        .await
        .expect("list the simulated VMs");
    assert_eq!(vms.len(), sim.expected_counts().vms, "listing is complete");
    vms
}

/// Error cases every plugin's `verify` must answer as specified.
fn bad_secret_cases(sim: &RunningSimulator, method: &str, extra: &Value) -> String {
    let with = |secret: Value| {
        let mut params = json!({"options": {}, "secret_data": secret});
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        params
    };
    json!([
        {
            "name": "wrong_password",
            "method": method,
            "params": with(json!({"host": sim.base_url(), "username": USERNAME, "password": WRONG_PASSWORD})),
            "code": "UNAUTHENTICATED",
            "prefix": "ERROR_AUTHENTICATE_FAILURE",
            "absent": [WRONG_PASSWORD],
        },
        {
            "name": "missing_host",
            "method": method,
            "params": with(json!({"username": USERNAME, "password": WRONG_PASSWORD})),
            "code": "INVALID_ARGUMENT",
            "prefix": "ERROR_REQUIRED_PARAMETER",
            "contains": ["host"],
            "absent": [WRONG_PASSWORD],
        },
    ])
    .to_string()
}

fn assert_bad_secrets(summary: &Value) {
    let cases = &summary["error_cases"];
    assert_eq!(
        cases["wrong_password"]["code"], "UNAUTHENTICATED",
        "{cases}"
    );
    assert_eq!(cases["missing_host"]["code"], "INVALID_ARGUMENT", "{cases}");
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

/// Inventory through the Python stubs: exact record counts per type, CloudForet's record rules,
/// bad secrets; then the monitoring plugin with a `data.nutanix` query taken from a collected VM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_drives_inventory_then_monitoring() {
    let sim = simulator().await;
    let fleet = sim.expected_counts();
    let vms = list_vms(&sim).await;
    let disks: usize = vms.iter().map(|vm| vm.disks().len()).sum();
    let pe_clusters = fleet.clusters - 1; // the Prism Central entry is not a cluster record

    let plugin = PluginProcess::spawn(&inventory_binary()).await;
    let mut extra = Vec::new();
    extra.extend(arg("--secret", secret(&sim).to_string()));
    extra.extend(arg(
        "--error-cases",
        bad_secret_cases(&sim, "Collector.verify", &json!({})),
    ));
    let summary = drive(&plugin, "inventory", &extra).await;
    plugin.stop().await;
    show("inventory", &summary);

    // One Prism Central in the secret: one task.
    assert_eq!(summary["tasks"], 1, "{summary}");
    let collect = &summary["collect"];
    let services = &collect["by_cloud_service"];
    let expected_services = json!({
        "Compute.VirtualMachine": fleet.vms,
        "Compute.Host": fleet.hosts,
        "Compute.Image": fleet.images,
        "Storage.Disk": disks,
        "Storage.VolumeGroup": fleet.volume_groups,
        "Networking.Subnet": fleet.subnets,
        "Cluster.Cluster": pe_clusters,
    });
    assert_eq!(services, &expected_services, "{summary}");
    let total_services = fleet.vms
        + fleet.hosts
        + fleet.images
        + disks
        + fleet.volume_groups
        + fleet.subnets
        + pe_clusters;
    let by_type = &collect["by_resource_type"];
    assert_eq!(
        count(&by_type["inventory.CloudServiceType"]),
        7,
        "{summary}"
    );
    assert_eq!(
        count(&by_type["inventory.CloudService"]),
        total_services as u64,
        "{summary}"
    );
    assert_eq!(
        count(&by_type["inventory.Region"]),
        pe_clusters as u64,
        "{summary}"
    );
    assert_eq!(by_type.get("inventory.ErrorResource"), None, "{summary}");
    assert_eq!(
        collect["by_state"],
        json!({"SUCCESS": total_services + 7 + pe_clusters}),
        "{summary}"
    );
    assert_eq!(
        count(&collect["records"]),
        (total_services + 7 + pe_clusters) as u64
    );
    assert_bad_secrets(&summary);

    // The VM record carries the monitoring required key.
    let sample = summary["sample_vm"].clone();
    let vm_uuid = sample["nutanix"]["vm_uuid"].as_str().unwrap_or_default();
    assert!(
        vms.iter().any(|vm| vm.uuid() == Some(vm_uuid)),
        "data.nutanix.vm_uuid {vm_uuid:?} is not a simulated VM: {sample}"
    );

    // Monitoring, queried with what the inventory stored.
    let plugin = PluginProcess::spawn(&monitoring_binary()).await;
    let mut extra = Vec::new();
    extra.extend(arg("--secret", secret(&sim).to_string()));
    extra.extend(arg("--query", sample["nutanix"].to_string()));
    extra.extend(arg(
        "--cloud-service-id",
        "cloud-svc-0123456789ab", // what the core uses as the values key
    ));
    extra.extend(arg(
        "--region-name",
        sample["region_code"].as_str().unwrap_or_default(),
    ));
    extra.extend(arg(
        "--error-cases",
        bad_secret_cases(&sim, "DataSource.verify", &json!({})),
    ));
    let summary = drive(&plugin, "monitoring", &extra).await;
    plugin.stop().await;
    show("monitoring", &summary);

    assert_eq!(
        summary["init"]["required_keys"][0], "data.nutanix",
        "{summary}"
    );
    let mut catalogue: Vec<&str> = collector_core::metrics::CATALOGUE
        .iter()
        .map(|m| m.key)
        .collect();
    catalogue.sort_unstable();
    assert_eq!(summary["metrics"], json!(catalogue), "{summary}");
    // The driver asks for one whole hour on minute boundaries: 60 one-minute labels per metric.
    let points = summary["get_data"]["points"]
        .as_object()
        .expect("points per metric");
    assert_eq!(points.len(), catalogue.len(), "{summary}");
    for (key, n) in points {
        assert_eq!(count(n), 60, "{key}: {summary}");
    }
    assert_bad_secrets(&summary);
    sim.shutdown().await;
}

/// Cost through the Python stubs: monthly tasks from `start`, pages of at most 1000 records,
/// exact daily record counts for the last complete month, bad secrets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_drives_cost() {
    let sim = simulator().await;
    let vms = list_vms(&sim).await;

    let now = OffsetDateTime::now_utc();
    let this_month = now.date().replace_day(1).expect("day 1");
    let last_month = this_month
        .previous_day()
        .expect("a day before")
        .replace_day(1)
        .expect("day 1");
    let days_last_month = u64::from(last_month.month().length(last_month.year()));
    let start = format!(
        "{:04}-{:02}",
        last_month.year(),
        u8::from(last_month.month())
    );
    let current = format!(
        "{:04}-{:02}",
        this_month.year(),
        u8::from(this_month.month())
    );

    // Daily records of a whole past month: per VM and day, one per non-zero usage type; compute
    // (vCPU, memory, GPU) only when the VM is not powered off (default price book).
    let month_start = last_month.midnight().assume_utc();
    let mut per_day = 0u64;
    let mut expected_last_month = 0u64;
    for vm in &vms {
        let charged_compute = !matches!(vm.power_state(), Some(PowerState::Off));
        let types = u64::from(charged_compute && vm.vcpus().unwrap_or(0) > 0)
            + u64::from(charged_compute && vm.memory_bytes().unwrap_or(0) > 0)
            + u64::from(charged_compute && vm.gpu_count() > 0)
            + u64::from(vm.provisioned_storage_bytes() > 0);
        let created = vm.creation_time().and_then(|t| {
            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        });
        // Days of the month whose end is after the creation time.
        let days = match created {
            Some(c) if c > month_start => {
                let first = c.date();
                if first.month() != last_month.month() || first.year() != last_month.year() {
                    0
                } else {
                    days_last_month - u64::from(first.day()) + 1
                }
            }
            _ => days_last_month,
        };
        per_day += types;
        expected_last_month += types * days;
    }
    assert!(per_day > 0, "the fleet has chargeable usage");

    let plugin = PluginProcess::spawn(&cost_binary()).await;
    let mut extra = Vec::new();
    extra.extend(arg("--secret", secret(&sim).to_string()));
    extra.extend(arg("--start", start.clone()));
    extra.extend(arg(
        "--error-cases",
        bad_secret_cases(
            &sim,
            "DataSource.verify",
            &json!({"schema": "", "domain_id": "domain-e2e"}),
        ),
    ));
    let summary = drive(&plugin, "cost", &extra).await;
    plugin.stop().await;
    show("cost", &summary);

    let currency = summary["init"]["currency"].as_str().unwrap_or_default();
    assert!(["USD", "KRW", "JPY"].contains(&currency), "{summary}");
    // Monthly tasks from `start` through the current month.
    assert_eq!(summary["tasks"], 2, "{summary}");
    let by_month = summary["get_data"]["by_month"]
        .as_object()
        .expect("records per month");
    let months: Vec<&String> = by_month.keys().collect();
    assert!(
        months.iter().all(|m| **m == start || **m == current),
        "records outside {start}..{current}: {summary}"
    );
    let last = &by_month[&start];
    assert_eq!(count(&last["records"]), expected_last_month, "{summary}");
    assert_eq!(count(&last["resources"]), vms.len() as u64, "{summary}");
    let max_page = count(&summary["get_data"]["max_page"]);
    assert!((1..=1000).contains(&max_page), "{summary}");
    // The current month is charged up to now: at most one day per elapsed day.
    if let Some(cur) = by_month.get(&current) {
        assert!(
            count(&cur["records"]) <= per_day * u64::from(now.day()),
            "{summary}"
        );
    }
    assert_bad_secrets(&summary);
    sim.shutdown().await;
}
