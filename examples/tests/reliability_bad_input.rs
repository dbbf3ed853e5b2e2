//! Bad input (issue 8, point 4): a table of bad secrets, options and task parameters across the
//! three plugins (real secret glue: `SecretConnector`), each answered with the expected
//! `ERROR_*` status naming the key and never echoing the password; the servers still answer
//! `init` afterwards.

mod common;

use std::net::SocketAddr;

use cloudforet_client::proto::spaceone::api::cost_analysis::plugin as cost;
use cloudforet_client::proto::spaceone::api::monitoring::plugin as mon;
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::struct_ref_to_json;
use common::*;
use examples::connect::SecretConnector;
use examples::cost::service::CostPlugin;
use examples::monitoring::service::MonitoringPlugin;
use nutanix_prism::sim::Simulator;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tonic::Code;

enum Call {
    InvVerify(Value, Value),
    InvCollect(Value, Value),
    CostVerify(Value, Value),
    CostData(Value, Value, Value),
    MonData(Value, &'static str, Value),
}

struct Servers {
    inventory: SocketAddr,
    cost: SocketAddr,
    monitoring: SocketAddr,
}

fn iso(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

async fn run(s: &Servers, call: Call) -> Result<(), tonic::Status> {
    match call {
        Call::InvVerify(secret, options) => verify(s.inventory, secret, options).await,
        Call::InvCollect(secret, options) => {
            collect(s.inventory, secret, options).await.map(|_| ())
        }
        Call::CostVerify(secret, options) => {
            cost::data_source_client::DataSourceClient::new(channel(s.cost).await)
                .verify(req(cost::PluginVerifyRequest {
                    options: st(options),
                    secret_data: st(secret),
                    schema: String::new(),
                    domain_id: "d".into(),
                }))
                .await
                .map(|_| ())
        }
        Call::CostData(secret, options, task) => {
            let mut stream = cost::cost_client::CostClient::new(channel(s.cost).await)
                .get_data(req(cost::GetDataRequest {
                    options: st(options),
                    secret_data: st(secret),
                    schema: String::new(),
                    task_options: st(task),
                    domain_id: "d".into(),
                }))
                .await?
                .into_inner();
            while stream.message().await?.is_some() {}
            Ok(())
        }
        Call::MonData(secret, metric, query) => {
            let now = OffsetDateTime::now_utc();
            mon::metric_client::MetricClient::new(channel(s.monitoring).await)
                .get_data(req(mon::MetricDataRequest {
                    options: st(json!({})),
                    secret_data: st(secret),
                    metric_query: st(query),
                    metric: metric.into(),
                    start: iso(now - time::Duration::minutes(35)),
                    end: iso(now - time::Duration::minutes(5)),
                    period: 300,
                    stat: "AVERAGE".into(),
                    schema: String::new(),
                }))
                .await
                .map(|_| ())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_table_across_the_three_plugins() {
    let sim = Simulator::builder()
        .clusters(1)
        .hosts_per_cluster(1)
        .vms(8)
        .seed(81)
        .start()
        .await
        .unwrap();
    let tls_sim = Simulator::builder()
        .clusters(1)
        .hosts_per_cluster(1)
        .vms(2)
        .tls(true)
        .start()
        .await
        .unwrap();
    let cost_bound = CostPlugin::new(SecretConnector::new("cost"))
        .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
        .bind()
        .await
        .unwrap();
    let mon_bound = MonitoringPlugin::new(SecretConnector::new("monitoring"))
        .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
        .bind()
        .await
        .unwrap();
    let servers = Servers {
        inventory: inventory_plugin().await,
        cost: cost_bound.local_addr(),
        monitoring: mon_bound.local_addr(),
    };
    tokio::spawn(cost_bound.serve());
    tokio::spawn(mon_bound.serve());

    let good = secret(&sim);
    let with = |k: &str, v: Value| {
        let mut s = good.clone();
        s[k] = v;
        s
    };
    let without = |k: &str| {
        let mut s = good.clone();
        s.as_object_mut().unwrap().remove(k);
        s
    };
    let port = closed_port();
    let huge = format!("http://{}", "h".repeat(1 << 20));
    let vm = sim.live_vm_uuids()[0].clone();
    let one_vm = json!({"a": {"entity_id": vm}});
    let month = "2025-06";
    use Call::*;
    let bad = "ERROR_INVALID_ARGUMENT";
    let req_p = "ERROR_REQUIRED_PARAMETER";
    let cases: Vec<(&str, Call, Code, &str, &[&str])> = vec![
        (
            "missing host",
            InvVerify(without("host"), json!({})),
            Code::InvalidArgument,
            req_p,
            &["key = host"],
        ),
        (
            "missing password",
            InvCollect(without("password"), json!({})),
            Code::InvalidArgument,
            req_p,
            &["key = password"],
        ),
        (
            "missing username",
            InvVerify(without("username"), json!({})),
            Code::InvalidArgument,
            req_p,
            &["username"],
        ),
        (
            "empty secret",
            InvVerify(json!({}), json!({})),
            Code::InvalidArgument,
            req_p,
            &["host"],
        ),
        (
            "host mistyped",
            InvVerify(with("host", json!(42)), json!({})),
            Code::InvalidArgument,
            bad,
            &["key = host"],
        ),
        (
            "username mistyped",
            InvVerify(with("username", json!(["admin"])), json!({})),
            Code::InvalidArgument,
            "ERROR_",
            &["username"],
        ),
        (
            "empty host",
            InvVerify(with("host", json!("")), json!({})),
            Code::InvalidArgument,
            "ERROR_",
            &["host"],
        ),
        (
            "garbage host",
            InvVerify(with("host", json!("::not a host::")), json!({})),
            Code::InvalidArgument,
            bad,
            &["host"],
        ),
        (
            "unreachable port",
            InvVerify(
                with("host", json!(format!("http://127.0.0.1:{port}"))),
                json!({}),
            ),
            Code::InvalidArgument,
            bad,
            &["key = host", "unreachable"],
        ),
        (
            "TLS mismatch",
            InvVerify(with("host", json!(tls_sim.base_url())), json!({})),
            Code::InvalidArgument,
            bad,
            &["ca_cert_pem", "TLS"],
        ),
        (
            "wrong password",
            InvCollect(with("password", json!("wrong-password-x")), json!({})),
            Code::Ok,
            "",
            &[],
        ),
        (
            "wrong password verify",
            InvVerify(with("password", json!("wrong-password-x")), json!({})),
            Code::Unauthenticated,
            "ERROR_AUTHENTICATE_FAILURE",
            &["password"],
        ),
        (
            "api_key and password",
            InvVerify(with("api_key", json!("k-123")), json!({})),
            Code::InvalidArgument,
            bad,
            &["key = api_key"],
        ),
        (
            "port out of range",
            InvVerify(with("port", json!(70000)), json!({})),
            Code::InvalidArgument,
            bad,
            &["key = port"],
        ),
        (
            "verify_ssl mistyped",
            InvVerify(with("verify_ssl", json!("maybe")), json!({})),
            Code::InvalidArgument,
            bad,
            &["key = verify_ssl"],
        ),
        (
            "prism_centrals not a list",
            InvVerify(json!({"prism_centrals": "pc"}), json!({})),
            Code::InvalidArgument,
            bad,
            &["prism_centrals"],
        ),
        (
            "prism_centrals empty",
            InvVerify(json!({"prism_centrals": []}), json!({})),
            Code::InvalidArgument,
            bad,
            &["key = prism_centrals"],
        ),
        (
            "1 MB host",
            InvVerify(with("host", json!(huge)), json!({})),
            Code::InvalidArgument,
            "ERROR_",
            &["host"],
        ),
        (
            "page_size 1e12",
            InvVerify(good.clone(), json!({"page_size": 1e12})),
            Code::InvalidArgument,
            bad,
            &["key = page_size"],
        ),
        (
            "concurrency 0",
            InvCollect(good.clone(), json!({"concurrency": 0})),
            Code::InvalidArgument,
            bad,
            &["key = concurrency"],
        ),
        (
            "rate_limit negative",
            InvVerify(good.clone(), json!({"rate_limit": -1})),
            Code::InvalidArgument,
            bad,
            &["key = rate_limit"],
        ),
        (
            "kinds not a list",
            InvVerify(good.clone(), json!({"kinds": 7})),
            Code::InvalidArgument,
            bad,
            &["kinds"],
        ),
        (
            "price_book not an object",
            InvVerify(good.clone(), json!({"price_book": "cheap"})),
            Code::InvalidArgument,
            bad,
            &["price_book"],
        ),
        (
            "cost: wrong password",
            CostVerify(with("password", json!("wrong-password-x")), json!({})),
            Code::Unauthenticated,
            "ERROR_AUTHENTICATE_FAILURE",
            &[],
        ),
        (
            "cost: missing host",
            CostVerify(without("host"), json!({})),
            Code::InvalidArgument,
            req_p,
            &["host"],
        ),
        (
            "cost: bad price book",
            CostData(
                good.clone(),
                json!({"price_book": {"vcpu_hour": "free"}}),
                json!({"month": month}),
            ),
            Code::InvalidArgument,
            "ERROR_",
            &["price_book.vcpu_hour"],
        ),
        (
            "cost: bad month",
            CostData(good.clone(), json!({}), json!({"month": "2025-13"})),
            Code::InvalidArgument,
            "ERROR_INVALID_PARAMETER",
            &["task_options.month"],
        ),
        (
            "cost: month missing",
            CostData(good.clone(), json!({}), json!({})),
            Code::InvalidArgument,
            req_p,
            &["task_options.month"],
        ),
        (
            "cost: TLS mismatch",
            CostVerify(with("host", json!(tls_sim.base_url())), json!({})),
            Code::InvalidArgument,
            "ERROR_",
            &["TLS"],
        ),
        (
            "monitoring: unknown metric",
            MonData(good.clone(), "cpu.nope", one_vm.clone()),
            Code::InvalidArgument,
            "ERROR_INVALID_PARAMETER",
            &["cpu.nope"],
        ),
        (
            "monitoring: no metric",
            MonData(good.clone(), "", one_vm.clone()),
            Code::InvalidArgument,
            req_p,
            &["key = metric"],
        ),
        (
            "monitoring: missing password",
            MonData(without("password"), "cpu.utilization", one_vm.clone()),
            Code::InvalidArgument,
            req_p,
            &["password"],
        ),
        (
            "monitoring: unknown VM",
            MonData(
                good.clone(),
                "cpu.utilization",
                json!({"a": {"entity_id": "0b4a1a4c-0000-4000-8000-00000000dead"}}),
            ),
            Code::Ok,
            "",
            &[],
        ),
    ];
    let n = cases.len();
    let mut problems = Vec::new();
    for (name, call, code, prefix, needles) in cases {
        let got = run(&servers, call).await;
        let (got_code, msg) = match &got {
            Ok(()) => (Code::Ok, String::new()),
            Err(s) => (s.code(), s.message().to_owned()),
        };
        let ok = got_code == code
            && msg.starts_with(prefix)
            && needles.iter().all(|n| msg.contains(n))
            && !msg.contains(PASSWORD)
            && !msg.contains("wrong-password-x")
            && msg.len() < 4096;
        if !ok {
            problems.push(format!(
                "{name}: want {code:?} {prefix} {needles:?}, got {got_code:?} {:?}",
                &msg[..msg.len().min(300)]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{n} cases, failing:\n{}",
        problems.join("\n")
    );
    assert!(n >= 25);

    // Healthy afterwards: all three answer init.
    verify(servers.inventory, good.clone(), json!({}))
        .await
        .unwrap();
    let info = cost::data_source_client::DataSourceClient::new(channel(servers.cost).await)
        .init(req(cost::InitRequest {
            options: st(json!({})),
            domain_id: "d".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        struct_ref_to_json(info.metadata.as_ref().unwrap())["currency"],
        "USD"
    );
    mon::data_source_client::DataSourceClient::new(channel(servers.monitoring).await)
        .init(req(mon::InitRequest {
            options: st(json!({})),
        }))
        .await
        .unwrap();
}
