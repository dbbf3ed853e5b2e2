//! Arbitrary plugin options through the parser the three plugins use
//! (`examples::options::PluginOptions::from_struct`, and `from_json`): as JSON text, as a
//! protobuf `Struct` (what CloudForet sends), and as a structured JSON value generated from the
//! bytes with option-shaped keys (including `price_book` and its `storage_tiers`).
//!
//! Checks: no panic; the `Struct` route and the JSON route agree; an error is
//! `ERROR_INVALID_ARGUMENT`, names a key and stays under 4 KB whatever the size of the input
//! (the message travels in a gRPC status header); accepted options hold only values inside the
//! documented ranges.
#![no_main]

#[path = "shared/json_gen.rs"]
mod json_gen;

use cloudforet_client::error_code::ErrorCode;
use cloudforet_client::server::PluginError;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use collector_core::cost::HOURS_PER_MONTH;
use examples::options::PluginOptions;
use libfuzzer_sys::arbitrary::{Result as ArbResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use prost_types::Struct;
use serde_json::Value;

/// Longest acceptable error message (the bad-input table's bound).
const MAX_MESSAGE: usize = 4096;

const KEYS: &[&str] = &[
    "kinds",
    "page_size",
    "concurrency",
    "list_sweeps",
    "rate_limit",
    "split_by_cluster",
    "price_book",
    "currency",
    "cost_lookback_months",
];
const BOOK_KEYS: &[&str] = &[
    "currency",
    "vcpu_hour",
    "memory_gib_hour",
    "storage_gib_month",
    "storage_gib_hour",
    "gpu_hour",
    "charge_powered_off_compute",
    "storage_tiers",
];
const TIER_KEYS: &[&str] = &[
    "name",
    "flash_mode",
    "storage_container",
    "storage_gib_month",
    "storage_gib_hour",
];

fn generate(u: &mut Unstructured<'_>) -> ArbResult<Value> {
    if u.ratio(1u8, 16u8)? {
        return json_gen::value(u, KEYS, 0);
    }
    let mut top = json_gen::object(u, KEYS, 1)?;
    if u.ratio(1u8, 2u8)? {
        let mut book = json_gen::object(u, BOOK_KEYS, 2)?;
        if u.ratio(1u8, 2u8)? {
            let n = u.int_in_range(0usize..=3)?;
            let mut tiers = Vec::with_capacity(n);
            for _ in 0..n {
                tiers.push(Value::Object(json_gen::object(u, TIER_KEYS, 3)?));
            }
            book.insert("storage_tiers".to_owned(), Value::Array(tiers));
        }
        top.insert("price_book".to_owned(), Value::Object(book));
    }
    if u.ratio(1u8, 4u8)? {
        let n = u.int_in_range(0usize..=7)?;
        let mut kinds = Vec::with_capacity(n);
        for _ in 0..n {
            kinds.push(json_gen::value(u, KEYS, 3)?);
        }
        top.insert("kinds".to_owned(), Value::Array(kinds));
    }
    Ok(Value::Object(top))
}

fn check_result(result: &Result<PluginOptions, PluginError>) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), &ErrorCode::InvalidArgument, "{e}");
            let msg = e.message();
            assert!(
                msg.contains("key = ") || msg.contains("options"),
                "the message names no key: {msg}"
            );
            assert!(
                msg.len() <= MAX_MESSAGE,
                "message of {} bytes: {}…",
                msg.len(),
                msg.chars().take(200).collect::<String>()
            );
            let status = tonic::Status::from(e.clone());
            assert!(status.message().len() <= MAX_MESSAGE + 64);
        }
        Ok(o) => {
            assert!(!o.kinds.is_empty());
            assert!(o.kinds.windows(2).all(|w| w[0] < w[1]), "{:?}", o.kinds);
            assert!(o.page_size.is_none_or(|n| (1..=500).contains(&n)), "{o:?}");
            assert!(o.concurrency.is_none_or(|n| (1..=16).contains(&n)), "{o:?}");
            assert!(o.list_sweeps.is_none_or(|n| (1..=5).contains(&n)), "{o:?}");
            assert!(
                o.rate_limit
                    .is_none_or(|r| r.is_finite() && r > 0.0 && r <= 1000.0),
                "{o:?}"
            );
            assert!(o.cost_lookback_months.is_none_or(|n| n <= 36), "{o:?}");
            assert!(
                o.currency.is_none_or(|c| c == o.price_book.currency),
                "{o:?}"
            );
            let book = &o.price_book;
            for rate in [book.vcpu, book.memory_gib, book.storage_gib, book.gpu]
                .into_iter()
                .chain(book.storage_tiers.iter().map(|t| t.rate))
            {
                assert!(rate.hours == 1 || rate.hours == HOURS_PER_MONTH, "{rate:?}");
            }
            for kind in &o.kinds {
                assert!(o.wants(*kind));
            }
            let _ = format!("{o:?}");
        }
    }
}

fn check(input: Value) {
    let from_json = PluginOptions::from_json(&input);
    check_result(&from_json);
    if let Ok(s) = json_to_struct(input.clone()) {
        // `json_to_struct` follows a documented number policy (integers beyond 2^53 become
        // decimal strings, integral doubles come back as integers): when the round trip
        // changes the document, the two routes read different documents and are not compared.
        let same_document = struct_ref_to_json(&s) == input;
        let from_struct = PluginOptions::from_struct(Some(&s));
        check_result(&from_struct);
        match (&from_json, &from_struct) {
            _ if !same_document => {}
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a} / {b}"),
            (a, b) => panic!("JSON and Struct routes disagree: {a:?} / {b:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        check(v);
    }
    if let Ok(s) = Struct::decode(data) {
        check(struct_ref_to_json(&s));
    }
    let mut u = Unstructured::new(data);
    if let Ok(v) = generate(&mut u) {
        check(v);
    }
});
