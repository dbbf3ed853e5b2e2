//! Criterion benchmark of decoding one 500-VM list page (the simulator's page, seed 20240601,
//! 4 clusters, as in the `benches` crate) along the three decoding paths:
//!
//! - `from_slice`: `serde_json::from_slice`, what a model-only user typically writes;
//! - `from_json_slice`: [`nutanix_prism::model::from_json_slice`], what the client now does
//!   (one UTF-8 check, then parsing from `&str`);
//! - `path_tracking`: `serde_path_to_error` over `from_slice`, what the client did before it
//!   decoded without path tracking first.
//!
//! Every iteration decodes and drops the page. `cargo bench -p nutanix-prism --bench decode`
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nutanix_prism::model::{ListResponse, Vm, from_json_slice};
use nutanix_prism::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME, Simulator};

/// The first `vms/list` page of a 10,000-VM simulated fleet, as raw bytes.
fn page() -> Vec<u8> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let sim = Simulator::builder()
            .clusters(4)
            .vms(10_000)
            .seed(20_240_601)
            .start()
            .await
            .expect("simulator");
        let body = reqwest::Client::new()
            .post(format!("{}/vms/list", sim.api_url()))
            .basic_auth(DEFAULT_USERNAME, Some(DEFAULT_PASSWORD))
            .header("content-type", "application/json")
            .body(r#"{"kind":"vm","offset":0,"length":500}"#)
            .send()
            .await
            .expect("vms/list")
            .bytes()
            .await
            .expect("page body")
            .to_vec();
        sim.shutdown().await;
        body
    })
}

fn benches(c: &mut Criterion) {
    let page = page();
    let vms = serde_json::from_slice::<ListResponse<Vm>>(&page)
        .expect("a VM page")
        .entities
        .len();
    assert_eq!(vms, 500);

    let mut g = c.benchmark_group("decode_page");
    g.throughput(Throughput::Bytes(page.len() as u64));
    g.bench_function("from_slice", |b| {
        b.iter(|| serde_json::from_slice::<ListResponse<Vm>>(black_box(&page)).expect("page"));
    });
    g.bench_function("from_json_slice", |b| {
        b.iter(|| from_json_slice::<ListResponse<Vm>>(black_box(&page)).expect("page"));
    });
    g.bench_function("path_tracking", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(black_box(&page));
            serde_path_to_error::deserialize::<_, ListResponse<Vm>>(&mut de).expect("page")
        });
    });
    g.finish();
}

criterion_group!(decode, benches);
criterion_main!(decode);
