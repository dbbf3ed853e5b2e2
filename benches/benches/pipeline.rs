//! Criterion benchmarks of the CPU side of a collection, on fixed data read from an
//! in-process simulator with a fixed seed (`benches::data`).
//!
//! `cargo bench -p benches --bench pipeline`
#![allow(missing_docs)]

use std::hint::black_box;

use benches::data::{Fixture, fixture};
use cloudforet_client::value::json_to_struct;
use collector_core::context::PrismCentral;
use collector_core::cost::{CostModel, DateRange, PriceBook};
use collector_core::mapping::{vm_records, vm_usage};
use collector_core::metrics::{Stat, samples_from_groups, to_metric_data};
use collector_core::record::ResourceRecord;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use examples::inventory::encode::encode_resource_info;
use examples::inventory::to_resource_info;
use nutanix_prism::model::{GroupsResponse, ListResponse, Vm, from_json_slice};
use prost::Message;
use time::{Month, OffsetDateTime};

/// mimalloc instead of the system allocator: the record path allocates many small strings,
/// and glibc malloc/free was a quarter of its CPU time (docs/performance.md).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// VMs of the mapping, encoding and cost benchmarks.
const FLEET: u32 = 10_000;

fn load() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(fixture(FLEET)).expect("benchmark fixture")
}

/// As the client decodes a page (`from_json_slice`: one UTF-8 check, no path tracking).
fn decode(page: &[u8]) -> ListResponse<Vm> {
    from_json_slice(page).expect("a VM page")
}

fn pc() -> PrismCentral {
    PrismCentral::new("https://prism.example.com:9440")
}

fn map_all(pc: &PrismCentral, fx: &Fixture, vms: &[Vm]) -> Vec<ResourceRecord> {
    vms.iter()
        .flat_map(|vm| vm_records(pc, vm, &fx.cluster_names))
        .map(|r| r.expect("a mapped record"))
        .collect()
}

fn benches(c: &mut Criterion) {
    let fx = load();
    let pc = pc();
    let page = fx.vm_pages.first().expect("a VM page").clone();
    let page_vms = decode(&page).entities.len() as u64;
    let vms: Vec<Vm> = fx
        .vm_pages
        .iter()
        .flat_map(|p| decode(p).entities)
        .collect();
    assert_eq!(vms.len(), FLEET as usize);

    // 1. Decoding one 500-VM page, in bytes/s and VMs/s.
    let mut g = c.benchmark_group("decode_vm_page");
    g.throughput(Throughput::Bytes(page.len() as u64));
    g.bench_function("bytes", |b| b.iter(|| decode(black_box(&page))));
    g.throughput(Throughput::Elements(page_vms));
    g.bench_function("vms", |b| b.iter(|| decode(black_box(&page))));
    g.finish();

    // 2. Mapping 10,000 VMs to records.
    let mut g = c.benchmark_group("map_vms");
    g.sample_size(20);
    g.throughput(Throughput::Elements(vms.len() as u64));
    g.bench_function("10k_vms", |b| b.iter(|| map_all(&pc, &fx, black_box(&vms))));
    g.finish();

    // 3. Encoding the records of 10,000 VMs to Structs (ResourceInfo, as the plugin sends it).
    let records = map_all(&pc, &fx, &vms);
    let mut g = c.benchmark_group("encode_records");
    g.sample_size(20);
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("resource_info", |b| {
        b.iter(|| {
            for r in black_box(&records) {
                black_box(to_resource_info(r).expect("encodable"));
            }
        });
    });
    g.bench_function("resource_json_to_struct", |b| {
        b.iter(|| {
            for r in black_box(&records) {
                black_box(json_to_struct(r.resource_json().expect("json")).expect("struct"));
            }
        });
    });
    g.bench_function("resource_info_wire", |b| {
        let mut buf = Vec::with_capacity(64 * 1024);
        b.iter(|| {
            for r in black_box(&records) {
                buf.clear();
                encode_resource_info(r, &mut buf).expect("encodable");
            }
        });
    });
    g.bench_function("resource_info_protobuf", |b| {
        let mut buf = Vec::with_capacity(64 * 1024);
        b.iter(|| {
            for r in black_box(&records) {
                buf.clear();
                to_resource_info(r)
                    .expect("encodable")
                    .encode(&mut buf)
                    .expect("room");
            }
        });
    });
    g.finish();

    // Decode + map + encode of one page, the whole CPU path per VM on one core.
    let mut g = c.benchmark_group("page_pipeline");
    g.throughput(Throughput::Elements(page_vms));
    g.bench_function("decode_map_encode", |b| {
        let mut buf = Vec::with_capacity(64 * 1024);
        b.iter(|| {
            let list = decode(black_box(&page));
            for vm in &list.entities {
                for r in vm_records(&pc, vm, &fx.cluster_names) {
                    buf.clear();
                    encode_resource_info(&r.expect("mapped"), &mut buf).expect("encodable");
                }
            }
            buf.len()
        });
    });
    // The previous path, for comparison: typed `ResourceInfo` of `Struct`s, then prost.
    g.bench_function("decode_map_encode_prost", |b| {
        let mut buf = Vec::with_capacity(64 * 1024);
        b.iter(|| {
            let list = decode(black_box(&page));
            for vm in &list.entities {
                for r in vm_records(&pc, vm, &fx.cluster_names) {
                    buf.clear();
                    to_resource_info(&r.expect("mapped"))
                        .expect("encodable")
                        .encode(&mut buf)
                        .expect("room");
                }
            }
        });
    });
    g.finish();

    // 4. A month of daily costs for 10,000 VMs.
    let book = PriceBook::default();
    let usages: Vec<_> = vms
        .iter()
        .map(|vm| vm_usage(vm, &fx.cluster_names))
        .collect();
    let range = DateRange::month(2024, Month::May).expect("a month");
    let as_of = OffsetDateTime::from_unix_timestamp(1_717_200_000).expect("an instant");
    let model = CostModel::new(&book, &pc, as_of);
    let mut g = c.benchmark_group("cost_month");
    g.sample_size(10);
    g.throughput(Throughput::Elements(usages.len() as u64));
    g.bench_function("10k_vms_daily", |b| {
        b.iter_batched(
            || usages.clone(),
            |u| model.daily_records(u, range).count(),
            BatchSize::LargeInput,
        );
    });
    g.finish();

    // 5. Converting a /groups time series (decode + samples + MetricData).
    let resources = fx
        .groups_vms
        .iter()
        .map(|u| (u.clone(), u.clone()))
        .collect();
    let mut g = c.benchmark_group("groups_series");
    g.throughput(Throughput::Bytes(fx.groups.len() as u64));
    g.bench_function("decode_convert", |b| {
        b.iter(|| {
            let resp: GroupsResponse =
                serde_json::from_slice(black_box(&fx.groups)).expect("a groups answer");
            let samples = samples_from_groups(&resp, fx.metric.attribute);
            to_metric_data(fx.metric, &fx.window, Stat::Average, &resources, &samples)
        });
    });
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
