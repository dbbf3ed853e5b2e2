//! Bounded, CI-friendly equivalent of the `fuzz/` target `price_book`: arbitrary bytes, mutated
//! seed-corpus files and arbitrary option documents go through `PriceBook::from_options`, which
//! must accept or refuse with an error naming the option, never panic; an accepted book holds
//! only prices that print and parse back exactly, over hourly or monthly periods.

use collector_core::cost::{HOURS_PER_MONTH, Price, PriceBook, Rate};
use proptest::prelude::*;
use serde_json::{Value, json};

fn check(rate: Rate) {
    assert!(rate.hours == 1 || rate.hours == HOURS_PER_MONTH, "{rate:?}");
    let text = rate.price.to_string();
    let back = Price::parse_decimal(&text, "k").expect("a parsed price prints parseably");
    assert_eq!(back, rate.price, "{text}");
}

/// The `price_book` target on a parsed document; returns whether the book was accepted.
fn price_book(options: &Value) -> bool {
    match PriceBook::from_options(options) {
        Ok(book) => {
            for rate in [book.vcpu, book.memory_gib, book.storage_gib, book.gpu] {
                check(rate);
            }
            for tier in &book.storage_tiers {
                check(tier.rate);
            }
            true
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("options") || msg.contains("price_book"),
                "{msg}"
            );
            false
        }
    }
}

/// `(file name, bytes)` of the seed corpus; `bad_*` and `not_object*` seeds must be refused.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/price_book");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(p).unwrap())
        })
        .collect()
}

/// Price-like values: numbers of every size and sign, numeric and other strings, wrong types.
fn price() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<f64>().prop_map(Value::from),
        (0u64..2_000_000).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "-?[0-9]{0,8}(\\.[0-9]{0,16})?(e-?[0-9]{1,3})?".prop_map(Value::String),
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        Just(json!([])),
        Just(json!({})),
    ]
}

fn tier() -> impl Strategy<Value = Value> {
    (
        prop::option::of("[a-z]{0,6}"),
        prop::option::of("[a-z-]{0,8}"),
        prop::option::of(prop::sample::select(vec!["ENABLED", "disabled", "", "X"])),
        prop::option::of(price()),
        prop::option::of(price()),
    )
        .prop_map(|(name, container, flash, hour, month)| {
            let mut t = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    t.insert(k.to_owned(), v);
                }
            };
            put("name", name.map(Value::String));
            put("storage_container", container.map(Value::String));
            put("flash_mode", flash.map(|f| Value::String(f.to_owned())));
            put("storage_gib_hour", hour);
            put("storage_gib_month", month);
            Value::Object(t)
        })
}

const BOOK_KEYS: &[&str] = &[
    "vcpu_hour",
    "memory_gib_hour",
    "storage_gib_hour",
    "storage_gib_month",
    "gpu_hour",
    "vcpu",
];

fn options() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::sample::select(vec!["USD", "JPY", "krw", "EUR", ""])),
        prop::collection::btree_map(prop::sample::select(BOOK_KEYS), price(), 0..6),
        prop::option::of(prop::collection::vec(tier(), 0..4)),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(currency, prices, tiers, charge)| {
            let mut book = serde_json::Map::new();
            if let Some(c) = currency {
                book.insert("currency".into(), json!(c));
            }
            for (k, v) in prices {
                book.insert(k.to_owned(), v);
            }
            if let Some(t) = tiers {
                book.insert("storage_tiers".into(), Value::Array(t));
            }
            if let Some(c) = charge {
                book.insert("charge_powered_off_compute".into(), json!(c));
            }
            json!({"price_book": book, "kinds": ["vm"]})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(options) = serde_json::from_slice::<Value>(&data) {
            price_book(&options);
        }
    }

    #[test]
    fn mutated_seeds_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let all = seeds();
        let mut data = all[pick.index(all.len())].1.clone();
        for (at, byte) in edits {
            if !data.is_empty() {
                let i = at % data.len();
                data[i] = byte;
            }
        }
        if let Ok(options) = serde_json::from_slice::<Value>(&data) {
            price_book(&options);
        }
    }

    #[test]
    fn arbitrary_price_books_are_accepted_or_refused_cleanly(options in options()) {
        price_book(&options);
    }
}

#[test]
fn seeds_are_accepted_or_refused_as_named() {
    let all = seeds();
    assert!(all.len() >= 10);
    for (name, seed) in all {
        let options: Value = serde_json::from_slice(&seed).unwrap();
        let refused = name.starts_with("bad_") || name.starts_with("not_object");
        assert_eq!(price_book(&options), !refused, "{name}");
    }
}
