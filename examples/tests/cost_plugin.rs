//! The cost data source plugin on loopback against the simulator, driven by the generated
//! tonic clients with `token: NO_TOKEN`, as CloudForet's cost-analysis service calls it.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use cloudforet_client::proto::spaceone::api::cost_analysis::plugin::{
    GetDataRequest, GetLinkedAccountsRequest, GetTasksRequest, InitRequest, PluginVerifyRequest,
    cost_client::CostClient, data_source_client::DataSourceClient, job_client::JobClient,
};
use cloudforet_client::server::PluginServer;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, PriceBook};
use collector_core::mapping::vm_usage;
use examples::connect::SecretConnector;
use examples::cost::service::CostPlugin;
use futures::TryStreamExt;
use nutanix_prism::PrismClient;
use nutanix_prism::model::Vm;
use nutanix_prism::sim::{RunningSimulator, Simulator};
use serde_json::{Value, json};
use time::{Duration, Month, OffsetDateTime};
use tonic::transport::Channel;

struct Fixture {
    sim: RunningSimulator,
    addr: SocketAddr,
}

impl Fixture {
    async fn start() -> Self {
        let sim = Simulator::builder()
            .clusters(2)
            .hosts_per_cluster(2)
            .vms(40)
            .seed(11)
            .start()
            .await
            .unwrap();
        let bound = CostPlugin::new(SecretConnector::new("test"))
            .add_to(PluginServer::builder().listen("127.0.0.1:0".parse().unwrap()))
            .bind()
            .await
            .unwrap();
        let addr = bound.local_addr();
        tokio::spawn(bound.serve());
        Self { sim, addr }
    }

    fn secret(&self) -> Value {
        json!({"host": self.sim.base_url(), "username": "admin", "password": "nutanix/4u"})
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    async fn vms(&self) -> Vec<Vm> {
        let client = PrismClient::builder(self.sim.base_url())
            .basic_auth("admin", "nutanix/4u")
            .allow_http(true)
            .build()
            .unwrap();
        client.vms().try_collect().await.unwrap()
    }
}

fn st(v: Value) -> Option<prost_types::Struct> {
    Some(json_to_struct(v).unwrap())
}

/// A request with CloudForet's call metadata.
fn req<T>(msg: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("token", "NO_TOKEN".parse().unwrap());
    r
}

fn assert_status(status: &tonic::Status, code: tonic::Code, needles: &[&str]) {
    assert_eq!(status.code(), code, "{status:?}");
    for n in needles {
        assert!(
            status.message().contains(n),
            "{n:?} not in {:?}",
            status.message()
        );
    }
}

fn month_text(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

fn previous_month(now: OffsetDateTime) -> (i32, Month) {
    let first = now.date().replace_day(1).unwrap();
    let last = first.previous_day().unwrap();
    (last.year(), last.month())
}

#[tokio::test]
async fn init_metadata_and_verify() {
    let f = Fixture::start().await;
    let mut ds = DataSourceClient::new(f.channel().await);

    let info = ds
        .init(req(InitRequest {
            options: st(json!({})),
            domain_id: "d".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    let meta = struct_ref_to_json(info.metadata.as_ref().unwrap());
    assert_eq!(meta["currency"], "USD");
    assert_eq!(meta["supported_secret_types"], json!(["MANUAL"]));
    assert!(!meta["data_source_rules"].as_array().unwrap().is_empty());

    let krw = json!({"price_book": {"currency": "KRW", "vcpu_hour": 40, "memory_gib_hour": 5,
                                     "storage_gib_month": 50, "gpu_hour": 1200}});
    let info = ds
        .init(req(InitRequest {
            options: st(krw),
            domain_id: "d".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        struct_ref_to_json(info.metadata.as_ref().unwrap())["currency"],
        "KRW"
    );

    let bad = ds
        .init(req(InitRequest {
            options: st(json!({"price_book": {"vcpu_hour": "cheap"}})),
            domain_id: "d".into(),
        }))
        .await
        .unwrap_err();
    assert_status(
        &bad,
        tonic::Code::InvalidArgument,
        &["ERROR_INVALID_PARAMETER", "price_book.vcpu_hour"],
    );

    ds.verify(req(PluginVerifyRequest {
        options: st(json!({})),
        secret_data: st(f.secret()),
        schema: String::new(),
        domain_id: "d".into(),
    }))
    .await
    .unwrap();

    let mut wrong = f.secret();
    wrong["password"] = json!("not-the-password");
    let err = ds
        .verify(req(PluginVerifyRequest {
            options: st(json!({})),
            secret_data: st(wrong),
            schema: String::new(),
            domain_id: "d".into(),
        }))
        .await
        .unwrap_err();
    assert_status(
        &err,
        tonic::Code::Unauthenticated,
        &["ERROR_AUTHENTICATE_FAILURE"],
    );
    assert!(!err.message().contains("not-the-password"));
}

fn tasks_request(secret: Value, options: Value, start: &str, last: &str) -> GetTasksRequest {
    GetTasksRequest {
        options: st(options),
        secret_data: st(secret),
        schema: String::new(),
        start: start.into(),
        last_synchronized_at: last.into(),
        domain_id: "d".into(),
        linked_accounts: Vec::new(),
    }
}

#[tokio::test]
async fn get_tasks_months_and_changed_windows() {
    let f = Fixture::start().await;
    let mut job = JobClient::new(f.channel().await);
    let now = OffsetDateTime::now_utc();
    let host = f.sim.base_url().to_owned();
    let pc_name = PrismCentral::new(&host).name;

    // `start` two months back: three monthly tasks, each with its own replace window.
    let start = month_text(now - Duration::days(62));
    let tasks = job
        .get_tasks(req(tasks_request(f.secret(), json!({}), &start, "")))
        .await
        .unwrap()
        .into_inner();
    let months: Vec<String> = tasks
        .tasks
        .iter()
        .map(|t| {
            struct_ref_to_json(t.task_options.as_ref().unwrap())["month"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(months.len(), 3, "{months:?}");
    assert_eq!(months[0], start);
    assert_eq!(months[2], month_text(now));
    assert_eq!(tasks.changed.len(), 3);
    for (task, changed) in tasks.tasks.iter().zip(&tasks.changed) {
        let opts = struct_ref_to_json(task.task_options.as_ref().unwrap());
        assert_eq!(opts["prism_central"], host.as_str());
        assert_eq!(changed.start, opts["month"].as_str().unwrap());
        assert_eq!(changed.end, changed.start);
        assert_eq!(
            struct_ref_to_json(changed.filter.as_ref().unwrap()),
            json!({"additional_info.Prism Central": pc_name})
        );
        assert_eq!(task.task_changed.as_ref(), Some(changed));
    }

    // last_synchronized_at yesterday: this month, plus last month if a week ago was in it.
    let yesterday = now - Duration::days(1);
    let last = format!(
        "{:04}-{:02}-{:02}T{:02}:00:00Z",
        yesterday.year(),
        u8::from(yesterday.month()),
        yesterday.day(),
        yesterday.hour()
    );
    let tasks = job
        .get_tasks(req(tasks_request(f.secret(), json!({}), "", &last)))
        .await
        .unwrap()
        .into_inner();
    let week_before = yesterday - Duration::days(7);
    let want = if week_before.month() == now.month() {
        1
    } else {
        2
    };
    assert_eq!(tasks.tasks.len(), want);
    assert_eq!(tasks.changed[0].start, month_text(week_before));

    // First sync: the configured lookback plus the current month.
    let tasks = job
        .get_tasks(req(tasks_request(
            f.secret(),
            json!({"cost_lookback_months": 4}),
            "",
            "",
        )))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tasks.tasks.len(), 5);
    let tasks = job
        .get_tasks(req(tasks_request(f.secret(), json!({}), "", "")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tasks.tasks.len(), 12, "default lookback: a year");

    // Error table.
    let cases: &[(Value, &str, &str, tonic::Code, &[&str])] = &[
        (
            json!({}),
            "2025-13",
            "",
            tonic::Code::InvalidArgument,
            &["ERROR_INVALID_PARAMETER", "key = start"],
        ),
        (
            json!({}),
            "",
            "soon",
            tonic::Code::InvalidArgument,
            &["key = last_synchronized_at"],
        ),
        (
            json!({"cost_lookback_months": "a year"}),
            "",
            "",
            tonic::Code::InvalidArgument,
            &["options.cost_lookback_months"],
        ),
        (
            json!({"price_book": []}),
            "",
            "",
            tonic::Code::InvalidArgument,
            &["price_book"],
        ),
    ];
    for (options, start, last, code, needles) in cases {
        let err = job
            .get_tasks(req(tasks_request(f.secret(), options.clone(), start, last)))
            .await
            .unwrap_err();
        assert_status(&err, *code, needles);
    }
}

fn data_request(secret: Value, options: Value, task: Value) -> GetDataRequest {
    GetDataRequest {
        options: st(options),
        secret_data: st(secret),
        schema: String::new(),
        task_options: st(task),
        domain_id: "d".into(),
    }
}

/// Days of `(year, month)` on which a VM created at `created` (if known) has use.
fn days_with_use(vm: &collector_core::cost::VmUsage, year: i32, month: Month) -> usize {
    let mut day = time::Date::from_calendar_date(year, month, 1).unwrap();
    let mut n = 0;
    while day.month() == month {
        let end = day.next_day().unwrap().midnight().assume_utc();
        if vm.created_at.is_none_or(|c| c < end) {
            n += 1;
        }
        day = day.next_day().unwrap();
    }
    n
}

#[tokio::test]
async fn get_data_streams_the_whole_previous_month() {
    let f = Fixture::start().await;
    let mut cost = CostClient::new(f.channel().await);
    let now = OffsetDateTime::now_utc();
    let (year, month) = previous_month(now);
    let month_str = format!("{year:04}-{:02}", u8::from(month));
    let host = f.sim.base_url().to_owned();

    let pages: Vec<_> = cost
        .get_data(req(data_request(
            f.secret(),
            json!({}),
            json!({"month": month_str, "prism_central": host}),
        )))
        .await
        .unwrap()
        .into_inner()
        .try_collect()
        .await
        .unwrap();
    assert!(pages.len() > 1, "the fleet gives several pages");
    assert!(
        pages
            .iter()
            .all(|p| !p.results.is_empty() && p.results.len() <= 1000)
    );
    let records: Vec<_> = pages.into_iter().flat_map(|p| p.results).collect();

    // Expected count from the fleet: per VM, usage types with a quantity × days with use.
    let vms = f.vms().await;
    assert_eq!(vms.len(), 40);
    let names = BTreeMap::new();
    let usages: Vec<_> = vms.iter().map(|vm| vm_usage(vm, &names)).collect();
    let mut expected = 0;
    let mut powered_off = 0;
    for u in &usages {
        let compute = if u.powered_on {
            usize::from(u.vcpus > 0) + usize::from(u.memory_bytes > 0) + usize::from(u.gpus > 0)
        } else {
            powered_off += 1;
            0
        };
        let storage = usize::from(u.disks.iter().map(|d| d.size_bytes).sum::<u64>() > 0);
        expected += (compute + storage) * days_with_use(u, year, month);
    }
    assert!(
        powered_off > 0,
        "the fleet has powered-off VMs (storage only)"
    );
    assert_eq!(records.len(), expected);

    // Every record is a well-formed daily record of that month.
    for r in &records {
        assert_eq!(r.provider, "nutanix");
        assert!(r.billed_date.starts_with(&month_str), "{}", r.billed_date);
        assert_eq!(r.billed_date.len(), 10);
        assert!(!r.resource.is_empty() && !r.region_code.is_empty() && !r.usage_unit.is_empty());
        assert!(r.cost >= 0.0);
        let info = struct_ref_to_json(r.additional_info.as_ref().unwrap());
        assert_eq!(
            info["Prism Central"],
            PrismCentral::new(&host).name.as_str()
        );
    }

    // The records of each VM sum to collector-core's monthly figure, to the micro-unit.
    let mut sums: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in &records {
        let micros = (r.cost * 1e6).round() as u64;
        *sums
            .entry((r.resource.clone(), r.usage_type.clone()))
            .or_default() += micros;
    }
    let book = PriceBook::default();
    let pc = PrismCentral::new(&host);
    let model = CostModel::new(&book, &pc, now);
    let mut want = BTreeMap::new();
    for u in &usages {
        for (usage_type, money) in model.monthly_totals(u, year, month).unwrap() {
            want.insert((u.vm_uuid.clone(), usage_type), money.micros());
        }
    }
    assert_eq!(sums, want);
}

#[tokio::test]
async fn get_data_current_month_stops_at_now_and_errors_name_the_key() {
    let f = Fixture::start().await;
    let mut cost = CostClient::new(f.channel().await);
    let now = OffsetDateTime::now_utc();
    let host = f.sim.base_url().to_owned();

    let records: Vec<_> = cost
        .get_data(req(data_request(
            f.secret(),
            json!({}),
            json!({"month": month_text(now), "prism_central": host}),
        )))
        .await
        .unwrap()
        .into_inner()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|p| p.results)
        .collect();
    let today = format!("{}-{:02}", month_text(now), now.day());
    assert!(!records.is_empty());
    assert!(
        records.iter().all(|r| r.billed_date <= today),
        "nothing in the future"
    );

    let cases: &[(Value, Value, tonic::Code, &[&str])] = &[
        (
            json!({}),
            json!({"prism_central": host}),
            tonic::Code::InvalidArgument,
            &["ERROR_REQUIRED_PARAMETER", "task_options.month"],
        ),
        (
            json!({}),
            json!({"month": "July"}),
            tonic::Code::InvalidArgument,
            &["ERROR_INVALID_PARAMETER", "task_options.month"],
        ),
        (
            json!({}),
            json!({"month": 7}),
            tonic::Code::InvalidArgument,
            &["task_options.month"],
        ),
        (
            json!({}),
            json!({"month": "2025-06", "prism_central": "other-pc"}),
            tonic::Code::InvalidArgument,
            &["task_options.prism_central"],
        ),
        (
            json!({"price_book": {"gpu_hour": -3}}),
            json!({"month": "2025-06"}),
            tonic::Code::InvalidArgument,
            &["price_book.gpu_hour"],
        ),
    ];
    for (options, task, code, needles) in cases {
        let err = cost
            .get_data(req(data_request(f.secret(), options.clone(), task.clone())))
            .await
            .unwrap_err();
        assert_status(&err, *code, needles);
    }

    let accounts = cost
        .get_linked_accounts(req(GetLinkedAccountsRequest {
            options: st(json!({})),
            schema: String::new(),
            secret_data: st(f.secret()),
            domain_id: "d".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(accounts.results.is_empty());
}
