//! Property tests: no panics on any combination of missing or odd fields, deterministic and
//! idempotent mapping, costs never negative, daily costs summing exactly to the monthly figure.

use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, DateRange, DiskUsage, PriceBook, VmUsage};
use collector_core::mapping::{
    ClusterNames, cluster_record, host_record, subnet_record, vm_records, vm_usage,
};
use collector_core::record::Resource;
use nutanix_prism::model::{Cluster, Host, Subnet, Vm};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use time::{Month, OffsetDateTime};

/// A JSON scalar of any odd kind Prism might send.
fn scalar() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-zA-Z0-9 ._:-]{0,12}".prop_map(Value::String),
        (0u32..100_000).prop_map(|n| Value::String(n.to_string())),
        Just(Value::String(String::new())),
    ]
}

/// An object holding a random subset of `keys`, each a random scalar or a nested value.
fn object(
    keys: &'static [&'static str],
    nested: impl Strategy<Value = Value> + Clone,
) -> impl Strategy<Value = Value> + Clone {
    proptest::collection::vec(
        (
            proptest::sample::select(keys),
            prop_oneof![3 => scalar(), 1 => nested],
        ),
        0..keys.len(),
    )
    .prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

fn reference() -> impl Strategy<Value = Value> + Clone {
    object(&["kind", "uuid", "name"], Just(Value::Null))
}

fn disk() -> impl Strategy<Value = Value> + Clone {
    (
        object(&["uuid", "disk_size_bytes", "disk_size_mib"], Just(Value::Null)),
        proptest::option::of(prop_oneof![Just("DISK"), Just("CDROM"), Just("VOLUME_GROUP"), Just("ODD")]),
        proptest::option::of(reference()),
    )
        .prop_map(|(mut d, t, sc)| {
            if let Some(t) = t {
                d["device_properties"] = json!({"device_type": t, "disk_address": {"adapter_type": "SCSI", "device_index": 1}});
            }
            if let Some(sc) = sc {
                d["storage_config"] = json!({"storage_container_reference": sc, "flash_mode": "ENABLED"});
            }
            d
        })
}

fn nic() -> impl Strategy<Value = Value> + Clone {
    (
        object(
            &["uuid", "mac_address", "nic_type", "is_connected"],
            Just(Value::Null),
        ),
        proptest::collection::vec(scalar(), 0..3),
    )
        .prop_map(|(mut n, ips)| {
            n["ip_endpoint_list"] =
                Value::Array(ips.into_iter().map(|ip| json!({"ip": ip})).collect());
            n
        })
}

fn resources() -> impl Strategy<Value = Value> {
    (
        object(
            &[
                "num_sockets",
                "num_vcpus_per_socket",
                "num_threads_per_core",
                "memory_size_mib",
                "power_state",
                "hypervisor_type",
                "machine_type",
            ],
            Just(Value::Null),
        ),
        proptest::collection::vec(disk(), 0..4),
        proptest::collection::vec(nic(), 0..3),
        proptest::option::of(reference()),
        0usize..3,
    )
        .prop_map(|(mut r, disks, nics, host, gpus)| {
            r["disk_list"] = Value::Array(disks);
            r["nic_list"] = Value::Array(nics);
            if let Some(h) = host {
                r["host_reference"] = h;
            }
            r["gpu_list"] = Value::Array(vec![json!({"vendor": "NVIDIA"}); gpus]);
            r
        })
}

fn vm_json() -> impl Strategy<Value = Value> {
    (
        object(
            &["uuid", "name", "creation_time", "last_update_time"],
            Just(Value::Null),
        ),
        proptest::option::of(proptest::collection::btree_map(
            "[A-Za-z]{0,4}",
            proptest::collection::vec("[a-z]{0,3}", 0..3),
            0..3,
        )),
        proptest::option::of(reference()),
        proptest::option::of(resources()),
        proptest::option::of(resources()),
        proptest::option::of(reference()),
        proptest::option::of("[a-z-]{0,8}"),
    )
        .prop_map(
            |(mut meta, cats, project, status_res, spec_res, cluster, name)| {
                if let Some(c) = cats {
                    meta["categories_mapping"] = json!(c);
                }
                if let Some(p) = project {
                    meta["project_reference"] = p;
                }
                let mut vm = json!({"metadata": meta});
                if let Some(r) = status_res {
                    vm["status"] =
                        json!({"resources": r, "name": name, "cluster_reference": cluster});
                }
                if let Some(r) = spec_res {
                    vm["spec"] = json!({"resources": r});
                }
                vm
            },
        )
}

fn pc() -> PrismCentral {
    PrismCentral::new("pc.example.com")
}

fn map_vm(vm: &Vm) -> Vec<String> {
    vm_records(&pc(), vm, &ClusterNames::new())
        .into_iter()
        .map(|r| match r {
            Ok(rec) => rec.to_json_string().unwrap(),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the body, decoding that succeeds maps without panicking, twice identically,
    /// and a decode → encode → decode round trip maps to the same bytes.
    #[test]
    fn vm_mapping_never_panics_and_is_deterministic(body in vm_json()) {
        if let Ok(vm) = serde_json::from_value::<Vm>(body) {
            let first = map_vm(&vm);
            prop_assert_eq!(&first, &map_vm(&vm));
            let again: Vm = serde_json::from_value(serde_json::to_value(&vm).unwrap()).unwrap();
            prop_assert_eq!(&first, &map_vm(&again));
            // no record carries an empty reference id or an empty string anywhere in `resource`
            for r in vm_records(&pc(), &vm, &ClusterNames::new()).into_iter().flatten() {
                // keys sorted by construction: declaration-order serialisation is canonical
                // (except for f32 sizes above 2^24, which serde_json prints shorter as f32 than
                // the f64 a JSON value holds; real vCPU counts are far below)
                let exact_size = match &r.resource {
                    Resource::CloudService(s) => s.instance_size.is_none_or(|v| v < 16_777_216.0),
                    _ => true,
                };
                if exact_size {
                    prop_assert_eq!(serde_json::to_string(&r).unwrap(), r.to_json_string().unwrap());
                }
                let j = r.to_json().unwrap();
                prop_assert!(!j["resource"]["reference"]["resource_id"].as_str().unwrap().is_empty());
                prop_assert!(!contains_empty_string(&j["resource"]["data"]), "empty string in {}", j);
            }
            let usage = vm_usage(&vm, &ClusterNames::new());
            let book = PriceBook::default();
            let pc = pc();
            let model = CostModel::new(&book, &pc, time::macros::datetime!(2025-07-01 00:00 UTC));
            for rec in model.daily(&usage, DateRange::month(2025, Month::June).unwrap()) {
                prop_assert!(rec.cost.as_f64() >= 0.0 && rec.usage_quantity >= 0.0);
            }
        }
    }

    /// Hosts, clusters and subnets with random subsets of fields map without panicking.
    #[test]
    fn other_kinds_never_panic(
        meta in object(&["uuid", "name", "categories"], Just(json!({"a": "b"}))),
        res in object(&["num_cpu_cores", "memory_capacity_mib", "subnet_type", "vlan_id", "ip_config", "config", "nodes", "network"],
                      prop_oneof![Just(json!({"service_list": ["PRISM_CENTRAL"]})), Just(json!({"hypervisor_server_list": [{"ip": "127.0.0.1"}]})), Just(json!({"subnet_ip": "10.0.0.0", "prefix_length": 99}))]),
        cluster in proptest::option::of(reference()),
    ) {
        let body = json!({"metadata": meta, "status": {"resources": res, "cluster_reference": cluster}});
        let n = ClusterNames::new();
        if let Ok(h) = serde_json::from_value::<Host>(body.clone()) { let _ = host_record(&pc(), &h, &n); }
        if let Ok(s) = serde_json::from_value::<Subnet>(body.clone()) { let _ = subnet_record(&pc(), &s, &n); }
        if let Ok(c) = serde_json::from_value::<Cluster>(body) { let _ = cluster_record(&pc(), &c); }
    }

    /// The daily records of a month sum exactly to the monthly figure, per usage type; no
    /// record is negative; a day's record does not depend on the requested range.
    #[test]
    fn daily_costs_sum_exactly_to_the_month(
        vcpus in 0u32..256,
        memory_mib in 0u64..(4 << 20),
        gpus in 0u32..8,
        disks in proptest::collection::vec((0u64..(1u64 << 44), proptest::option::of(prop_oneof![Just("gold"), Just("silver")])), 0..5),
        on in any::<bool>(),
        created_offset in -40i64 * 86_400..40 * 86_400,
        as_of_offset in 0i64..70 * 86_400,
        vcpu_price in "[0-9]{1,3}\\.[0-9]{1,9}",
        storage_price in "[0-9]{1,2}\\.[0-9]{1,12}",
        month in 1u8..=12,
    ) {
        let month = Month::try_from(month).unwrap();
        let month_start = time::Date::from_calendar_date(2024, month, 1).unwrap().midnight().assume_utc();
        let book = PriceBook::from_options(&json!({"price_book": {
            "vcpu_hour": vcpu_price, "storage_gib_month": storage_price, "charge_powered_off_compute": false,
            "storage_tiers": [{"name": "gold", "storage_container": "gold", "storage_gib_hour": "0.000123456789"}]}}))
        .unwrap();
        let usage = VmUsage {
            vm_uuid: "vm".into(),
            powered_on: on,
            vcpus,
            memory_bytes: memory_mib << 20,
            gpus,
            disks: disks.iter().map(|(b, c)| DiskUsage::new(*b, c.map(str::to_owned), None)).collect(),
            created_at: Some(month_start + time::Duration::seconds(created_offset)),
            ..VmUsage::default()
        };
        let pc = pc();
        let as_of: OffsetDateTime = month_start + time::Duration::seconds(as_of_offset);
        let model = CostModel::new(&book, &pc, as_of);
        let range = DateRange::month(2024, month).unwrap();
        let records = model.daily(&usage, range);
        let mut sums = std::collections::BTreeMap::<String, u64>::new();
        for r in &records {
            prop_assert!(r.cost.as_f64() >= 0.0);
            *sums.entry(r.usage_type.clone()).or_default() += r.cost.micros();
        }
        let totals: std::collections::BTreeMap<String, u64> =
            model.monthly_totals(&usage, 2024, month).unwrap().into_iter().map(|(k, v)| (k, v.micros())).collect();
        // usage types with a zero total may have no records at all only if they had no use
        let nonzero_totals: std::collections::BTreeMap<_, _> = totals.iter().filter(|(_, v)| **v > 0).map(|(k, v)| (k.clone(), *v)).collect();
        let nonzero_sums: std::collections::BTreeMap<_, _> = sums.iter().filter(|(_, v)| **v > 0).map(|(k, v)| (k.clone(), *v)).collect();
        prop_assert_eq!(nonzero_sums, nonzero_totals);
        // nothing after as_of, nothing before creation
        let last_day = as_of.date().to_string();
        let first_day = usage.created_at.unwrap().date().to_string();
        for r in &records {
            prop_assert!(r.billed_date <= last_day && r.billed_date >= first_day, "{} outside {}..{}", r.billed_date, first_day, last_day);
        }
        // range independence: each day alone gives the same records
        if let Some(r) = records.first() {
            let day = time::Date::parse(&r.billed_date, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
            let alone = model.daily(&usage, DateRange::new(day, day).unwrap());
            let from_month: Vec<_> = records.iter().filter(|x| x.billed_date == r.billed_date).cloned().collect();
            prop_assert_eq!(alone, from_month);
        }
    }
}

fn contains_empty_string(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.iter().any(contains_empty_string),
        Value::Object(o) => o.values().any(contains_empty_string),
        _ => false,
    }
}

/// Guards the property above against being vacuous: most generated bodies must decode.
#[test]
fn generated_vm_bodies_mostly_decode() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = vm_json();
    let decoded = (0..200)
        .filter(|_| {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            serde_json::from_value::<Vm>(body).is_ok()
        })
        .count();
    assert!(
        decoded >= 100,
        "only {decoded}/200 generated VM bodies decode"
    );
}
