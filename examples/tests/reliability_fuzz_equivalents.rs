//! Bounded, CI-friendly equivalents of the `fuzz/` targets `secret_parse` and `options_parse`
//! (issue 8, point 5): arbitrary bytes, mutated seed-corpus files and arbitrary secret- and
//! option-shaped documents go through the parsers the plugins use
//! (`SecretData::from_struct` / `from_json`, `PluginOptions::from_struct` / `from_json`).
//!
//! Secrets: every non-blank string under a password or API key field is replaced by a marker
//! before parsing; no error message, `Display`, `Debug`, gRPC status or label may contain it.
//! Options: errors are `ERROR_INVALID_ARGUMENT`, name a key and stay under 4 KB whatever the
//! input; accepted options hold only values in the documented ranges. Both: no panic, and the
//! `Struct` route (what CloudForet sends) agrees with the JSON route.
//!
//! Regression tests for what the fuzzing found are at the end.

mod common;

use cloudforet_client::error_code::ErrorCode;
use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    InitRequest, collector_client::CollectorClient,
};
use cloudforet_client::server::PluginError;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use collector_core::cost::HOURS_PER_MONTH;
use common::{channel, inventory_plugin, req, st};
use examples::options::PluginOptions;
use examples::secret::{Credentials, MAX_HOST_LEN, SecretData};
use proptest::prelude::*;
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

const MARKER: &str = "FzSecretMark";
/// Longest acceptable error message (the bad-input table's bound).
const MAX_MESSAGE: usize = 4096;
const SECRET_KEYS: &[&str] = &["password", "nutanix_password", "api_key", "nutanix_api_key"];
const SECRET_VOCABULARY: &[&str] = &[
    "host",
    "nutanix_host",
    "port",
    "nutanix_port",
    "username",
    "nutanix_username",
    "password",
    "nutanix_password",
    "api_key",
    "nutanix_api_key",
    "verify_ssl",
    "nutanix_verify_ssl",
    "ca_cert_pem",
    "prism_centrals",
];
const OPTION_VOCABULARY: &[&str] = &[
    "kinds",
    "page_size",
    "concurrency",
    "list_sweeps",
    "rate_limit",
    "split_by_cluster",
    "price_book",
    "currency",
    "cost_lookback_months",
    // price_book and storage_tiers[] keys
    "vcpu_hour",
    "memory_gib_hour",
    "storage_gib_month",
    "storage_gib_hour",
    "gpu_hour",
    "charge_powered_off_compute",
    "storage_tiers",
    "name",
    "flash_mode",
    "storage_container",
];
const INTERESTING: &[&str] = &[
    "",
    " ",
    "pc.example.com",
    "https://pc.example.com:9440/",
    "http://127.0.0.1:8080",
    "[fd00::1]",
    "://",
    "a b",
    "9440",
    "0",
    "65536",
    "-1",
    "1.5",
    "1e3",
    "NaN",
    "18446744073709551616",
    "true",
    "false",
    "maybe",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "vms",
    "volume-groups",
    "clusters,hosts",
    ",,",
    "USD",
    "krw",
    "EUR",
    "0.0000000000001",
];

// ---------------------------------------------------------------------------------------------
// The checks (the same as the fuzz targets')

fn plant(input: &mut Value) -> bool {
    fn entry(map: &mut Map<String, Value>, next: &mut usize) {
        for key in SECRET_KEYS {
            if let Some(Value::String(s)) = map.get_mut(*key)
                && !s.trim().is_empty()
            {
                *s = format!("{MARKER}{next}-{s}");
                *next += 1;
            }
        }
    }
    fn strip(input: &mut Value) {
        if let Value::Object(top) = input {
            for key in SECRET_KEYS {
                top.remove(*key);
            }
            if let Some(Value::Array(items)) = top.get_mut("prism_centrals") {
                for item in items.iter_mut() {
                    if let Value::Object(m) = item {
                        for key in SECRET_KEYS {
                            m.remove(*key);
                        }
                    }
                }
            }
        }
    }
    let mut without = input.clone();
    strip(&mut without);
    let clean = !without.to_string().contains(MARKER);
    let mut next = 0;
    if let Value::Object(top) = input {
        entry(top, &mut next);
        if let Some(Value::Array(items)) = top.get_mut("prism_centrals") {
            for item in items.iter_mut() {
                if let Value::Object(m) = item {
                    entry(m, &mut next);
                }
            }
        }
    }
    clean
}

fn no_marker(text: &str, what: &str, leak_checks: bool) {
    if leak_checks {
        assert!(
            !text.contains(MARKER),
            "a secret leaked into {what}: {text}"
        );
    }
}

fn check_secret_result(result: &Result<SecretData, PluginError>, leak: bool) {
    match result {
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::RequiredParameter | ErrorCode::InvalidArgument
                ),
                "unexpected code: {e}"
            );
            let msg = e.message();
            assert!(msg.contains("key = "), "the message names no key: {msg}");
            assert!(msg.len() <= MAX_MESSAGE, "message of {} bytes", msg.len());
            no_marker(msg, "the message", leak);
            no_marker(&e.to_string(), "Display", leak);
            no_marker(&format!("{e:?}"), "Debug", leak);
            let status = tonic::Status::from(e.clone());
            no_marker(status.message(), "the gRPC status", leak);
            no_marker(&format!("{status:?}"), "the gRPC status Debug", leak);
        }
        Ok(secret) => {
            assert!(!secret.prism_centrals.is_empty());
            no_marker(&format!("{secret:?}"), "Debug", leak);
            for (i, pc) in secret.prism_centrals.iter().enumerate() {
                assert_eq!(pc.index, i);
                assert!(
                    !pc.host.is_empty() && pc.host.len() <= MAX_HOST_LEN,
                    "{pc:?}"
                );
                assert!(!pc.host.chars().any(char::is_whitespace), "{pc:?}");
                assert_ne!(pc.port, Some(0), "{pc:?}");
                let endpoint = pc.endpoint();
                assert!(endpoint.len() <= pc.host.len() + 6, "{endpoint}");
                no_marker(&pc.address(), "the address", leak);
                no_marker(&pc.label(), "the label", leak);
                let secret_text = match &pc.credentials {
                    Credentials::Password { username, password } => {
                        assert!(!username.trim().is_empty());
                        password.expose_secret().to_owned()
                    }
                    Credentials::ApiKey(key) => key.expose_secret().to_owned(),
                    other => panic!("unknown credentials {other:?}"),
                };
                if leak {
                    assert!(secret_text.starts_with(MARKER), "not planted: {pc:?}");
                }
            }
        }
    }
}

/// The `secret_parse` target on one document; returns whether it was accepted.
fn check_secret(mut input: Value) -> bool {
    let leak = plant(&mut input);
    let from_json = SecretData::from_json(&input);
    check_secret_result(&from_json, leak);
    if let Ok(s) = json_to_struct(input.clone()) {
        // `json_to_struct` follows a documented number policy (integers beyond 2^53 become
        // decimal strings, integral doubles come back as integers): when the round trip
        // changes the document, the two routes read different documents and are not compared.
        let same_document = struct_ref_to_json(&s) == input;
        let from_struct = SecretData::from_struct(Some(&s));
        check_secret_result(&from_struct, leak && same_document);
        match (&from_json, &from_struct) {
            _ if !same_document => {}
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a} / {b}"),
            (a, b) => panic!("JSON and Struct routes disagree: {a:?} / {b:?}"),
        }
    }
    from_json.is_ok()
}

fn check_options_result(result: &Result<PluginOptions, PluginError>) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), &ErrorCode::InvalidArgument, "{e}");
            let msg = e.message();
            assert!(
                msg.contains("key = ") || msg.contains("options"),
                "the message names no key: {msg}"
            );
            assert!(msg.len() <= MAX_MESSAGE, "message of {} bytes", msg.len());
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
        }
    }
}

/// The `options_parse` target on one document; returns whether it was accepted.
fn check_options(input: Value) -> bool {
    let from_json = PluginOptions::from_json(&input);
    check_options_result(&from_json);
    if let Ok(s) = json_to_struct(input.clone()) {
        // `json_to_struct` follows a documented number policy (integers beyond 2^53 become
        // decimal strings, integral doubles come back as integers): when the round trip
        // changes the document, the two routes read different documents and are not compared.
        let same_document = struct_ref_to_json(&s) == input;
        let from_struct = PluginOptions::from_struct(Some(&s));
        check_options_result(&from_struct);
        match (&from_json, &from_struct) {
            _ if !same_document => {}
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a} / {b}"),
            (a, b) => panic!("JSON and Struct routes disagree: {a:?} / {b:?}"),
        }
    }
    from_json.is_ok()
}

/// Bytes as JSON text, as the fuzz targets take them first (the targets also decode them as a
/// protobuf `Struct`; here every parsed document goes through `Struct` by `check_*`).
fn check_bytes(data: &[u8], check: fn(Value) -> bool) {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        check(v);
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/../fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
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

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(INTERESTING).prop_map(str::to_owned),
        3 => any::<String>(),
        1 => ("[a-z:/.]{1,4}", 1usize..3000).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..70_000).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ]
}

fn key(vocabulary: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        7 => proptest::sample::select(vocabulary).prop_map(str::to_owned),
        1 => text(),
    ]
}

/// Any JSON value whose object keys mostly come from `vocabulary`.
fn document(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(vocabulary), inner), 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with vocabulary keys, sometimes with a `prism_centrals` list of such objects.
fn secret_document() -> impl Strategy<Value = Value> {
    let entry = || {
        proptest::collection::vec((key(SECRET_VOCABULARY), leaf()), 0..9)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    };
    (
        entry(),
        proptest::option::of(proptest::collection::vec(
            prop_oneof![4 => entry(), 1 => leaf()],
            0..4,
        )),
    )
        .prop_map(|(mut top, list)| {
            if let (Value::Object(m), Some(list)) = (&mut top, list) {
                m.insert("prism_centrals".into(), Value::Array(list));
            }
            top
        })
}

/// An object with option keys, sometimes with a `price_book` (and `storage_tiers`).
fn options_document() -> impl Strategy<Value = Value> {
    let flat = |n| {
        proptest::collection::vec((key(OPTION_VOCABULARY), leaf()), 0..n)
            .prop_map(|m| m.into_iter().collect::<Map<String, Value>>())
    };
    (
        flat(8),
        proptest::option::of((
            flat(8),
            proptest::option::of(proptest::collection::vec(flat(5), 0..3)),
        )),
        proptest::option::of(proptest::collection::vec(leaf(), 0..5)),
    )
        .prop_map(|(mut top, book, kinds)| {
            if let Some((mut book, tiers)) = book {
                if let Some(tiers) = tiers {
                    let tiers = tiers.into_iter().map(Value::Object).collect();
                    book.insert("storage_tiers".into(), Value::Array(tiers));
                }
                top.insert("price_book".into(), Value::Object(book));
            }
            if let Some(kinds) = kinds {
                top.insert("kinds".into(), Value::Array(kinds));
            }
            Value::Object(top)
        })
}

/// A seed file with some bytes overwritten, inserted or removed.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let files = seeds(target);
    (
        0..files.len(),
        proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    )
        .prop_map(move |(i, edits)| {
            let mut bytes = files[i].1.clone();
            for (at, b, op) in edits {
                let at = if bytes.is_empty() {
                    0
                } else {
                    at % bytes.len()
                };
                match op {
                    0 if !bytes.is_empty() => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ if !bytes.is_empty() => {
                        bytes.remove(at);
                    }
                    _ => bytes.push(b),
                }
            }
            bytes
        })
}

// ---------------------------------------------------------------------------------------------
// Seeds and properties

#[test]
fn secret_seed_corpus() {
    let files = seeds("secret_parse");
    assert!(files.len() >= 8, "{} seeds", files.len());
    for (name, bytes) in files {
        let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let accepted = check_secret(v);
        let expect_refused =
            name.starts_with("bad_") || name.starts_with("not_") || name.starts_with("empty");
        assert_eq!(accepted, !expect_refused, "{name}");
    }
}

#[test]
fn options_seed_corpus() {
    let files = seeds("options_parse");
    assert!(files.len() >= 8, "{} seeds", files.len());
    for (name, bytes) in files {
        let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let accepted = check_options(v);
        let expect_refused = name.starts_with("bad_")
            || name.starts_with("not_")
            || name.starts_with("kinds_empty")
            || name.starts_with("currency_mismatch");
        assert_eq!(accepted, !expect_refused, "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn secret_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_bytes(&data, check_secret);
    }

    #[test]
    fn secret_mutated_seeds(data in mutated("secret_parse")) {
        check_bytes(&data, check_secret);
    }

    #[test]
    fn secret_arbitrary_documents(doc in secret_document()) {
        check_secret(doc);
    }

    #[test]
    fn secret_arbitrary_json(doc in document(SECRET_VOCABULARY)) {
        check_secret(doc);
    }

    #[test]
    fn options_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_bytes(&data, check_options);
    }

    #[test]
    fn options_mutated_seeds(data in mutated("options_parse")) {
        check_bytes(&data, check_options);
    }

    #[test]
    fn options_arbitrary_documents(doc in options_document()) {
        check_options(doc);
    }

    #[test]
    fn options_arbitrary_json(doc in document(OPTION_VOCABULARY)) {
        check_options(doc);
    }
}

/// The generators do reach both outcomes (a property over inputs that are all refused, or all
/// accepted, would prove little).
#[test]
fn generated_documents_are_sometimes_accepted() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut secrets, mut options) = ((0, 0), (0, 0));
    for _ in 0..2000 {
        let s = secret_document().new_tree(&mut runner).unwrap().current();
        if check_secret(s) {
            secrets.0 += 1;
        } else {
            secrets.1 += 1;
        }
        let o = options_document().new_tree(&mut runner).unwrap().current();
        if check_options(o) {
            options.0 += 1;
        } else {
            options.1 += 1;
        }
    }
    assert!(
        secrets.0 > 0 && secrets.1 > 0,
        "secrets accepted/refused: {secrets:?}"
    );
    assert!(
        options.0 > 0 && options.1 > 0,
        "options accepted/refused: {options:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Regressions

/// Found by `options_parse`: an unknown `price_book` key was quoted whole in the error, so a
/// 1 MB key made a 1 MB gRPC status (the same failure as the 1 MB `host` of the bad-input
/// table). The key is now quoted up to 128 characters.
#[test]
fn huge_unknown_price_book_key_is_quoted_bounded() {
    let huge = "k".repeat(1 << 20);
    let e = PluginOptions::from_json(&json!({"price_book": {huge.as_str(): 1}})).unwrap_err();
    assert_eq!(e.code(), &ErrorCode::InvalidArgument);
    assert!(e.message().len() < 1024, "{} bytes", e.message().len());
    assert!(e.message().contains("key = price_book.kkk"), "{e}");
    assert!(e.message().contains('…'), "{e}");
    // A short unknown key is still quoted whole.
    let e = PluginOptions::from_json(&json!({"price_book": {"vcpu_hours": 1}})).unwrap_err();
    assert!(
        e.message().starts_with(
            "Parameter is invalid. (key = price_book.vcpu_hours, reason = is not a known key"
        ),
        "{e}"
    );
}

/// The same through a plugin: the huge key is refused with a short `ERROR_INVALID_ARGUMENT`
/// status and the server keeps answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_unknown_price_book_key_through_init() {
    let addr = inventory_plugin().await;
    let huge = "k".repeat(1 << 20);
    let mut client = CollectorClient::new(channel(addr).await);
    let status = client
        .init(req(InitRequest {
            options: st(json!({"price_book": {huge.as_str(): 1}})),
        }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().starts_with("ERROR_INVALID_ARGUMENT: ") && status.message().len() < 1024,
        "{} bytes",
        status.message().len()
    );
    client
        .init(req(InitRequest {
            options: st(json!({})),
        }))
        .await
        .unwrap();
}

/// A huge password in every error path of the secret parser is never quoted.
#[test]
fn huge_password_is_never_quoted() {
    let pw = format!("{MARKER}-{}", "p".repeat(1 << 16));
    for secret in [
        json!({"username": "a", "password": pw}),
        json!({"host": "pc", "password": pw}),
        json!({"host": "pc", "username": "a", "password": pw, "api_key": pw}),
        json!({"host": "pc", "port": "x", "username": "a", "password": pw}),
        json!({"host": "a b", "username": "a", "password": pw}),
        json!({"prism_centrals": [{"host": "pc", "api_key": pw}, {"password": pw}]}),
    ] {
        let e = SecretData::from_json(&secret).unwrap_err();
        check_secret_result(&Err(e.clone()), true);
        assert!(e.message().len() < 256, "{e}");
    }
}
