//! Bounded, CI-friendly equivalents of the `fuzz/` targets `list_decode` and `error_decode`:
//! arbitrary bytes, mutated seed-corpus files and arbitrary JSON documents go through the same
//! entry points, which must never panic; decoded error bodies give bounded single-line
//! summaries.

use nutanix_prism::model::{
    CategoryKey, Cluster, Entity, ErrorResponse, GroupsResponse, Host, Image, ListResponse,
    Project, SUMMARY_MAX_CHARS, Subnet, Vm, VolumeGroup,
};
use proptest::prelude::*;
use serde_json::Value;

fn decode<T: Entity + serde::de::DeserializeOwned>(data: &[u8]) -> bool {
    match serde_json::from_slice::<ListResponse<T>>(data) {
        Ok(page) => {
            for entity in &page.entities {
                let _ = entity.key();
            }
            true
        }
        Err(_) => false,
    }
}

/// The `list_decode` target.
fn list_decode(data: &[u8]) -> usize {
    let decoded = [
        decode::<Vm>(data),
        decode::<Cluster>(data),
        decode::<Host>(data),
        decode::<Subnet>(data),
        decode::<Image>(data),
        decode::<Project>(data),
        decode::<VolumeGroup>(data),
        decode::<CategoryKey>(data),
        serde_json::from_slice::<GroupsResponse>(data).is_ok(),
    ];
    decoded.iter().filter(|ok| **ok).count()
}

/// The `error_decode` target.
fn error_decode(data: &[u8]) {
    if let Ok(e) = serde_json::from_slice::<ErrorResponse>(data) {
        let _ = (
            e.is_error(),
            e.first_message(),
            e.first_reason(),
            e.first_details(),
        );
        let summary = e.summary();
        assert!(summary.chars().count() <= SUMMARY_MAX_CHARS, "{summary:?}");
        assert!(!summary.chars().any(char::is_control), "{summary:?}");
    }
}

/// The seed corpus of a fuzz target (`fuzz/corpus/<target>/`).
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = format!("{}/../fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A seed with byte edits applied, cut to a length.
fn mutate(seed: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut data = seed.to_vec();
    for (at, byte) in edits {
        if !data.is_empty() {
            let i = at % data.len();
            data[i] = *byte;
        }
    }
    let keep = if data.is_empty() {
        0
    } else {
        cut % (data.len() + 1)
    };
    data.truncate(keep.max(data.len() / 2));
    data
}

const KEYS: &[&str] = &[
    "api_version",
    "metadata",
    "entities",
    "spec",
    "status",
    "resources",
    "uuid",
    "kind",
    "name",
    "total_matches",
    "offset",
    "length",
    "categories",
    "message_list",
    "reason",
    "message",
    "details",
    "state",
    "code",
    "disk_list",
    "nic_list",
    "memory_size_mib",
    "num_sockets",
    "cluster_reference",
    "group_results",
    "entity_results",
    "data",
    "values",
];

/// Arbitrary JSON documents whose keys are mostly ones the models know.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (prop::sample::select(KEYS).prop_map(str::to_owned), inner),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        list_decode(&data);
        error_decode(&data);
    }

    #[test]
    fn mutated_list_seeds_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let all = seeds("list_decode");
        let data = mutate(&all[pick.index(all.len())], &edits, cut);
        list_decode(&data);
    }

    #[test]
    fn mutated_error_seeds_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let all = seeds("error_decode");
        let data = mutate(&all[pick.index(all.len())], &edits, cut);
        error_decode(&data);
    }

    #[test]
    fn arbitrary_json_never_panics(doc in json()) {
        let data = serde_json::to_vec(&doc).unwrap();
        list_decode(&data);
        error_decode(&data);
        // Wrapped as a page, the document is an entity or a metadata block.
        let page = serde_json::json!({"metadata": doc.clone(), "entities": [doc.clone(), doc]});
        list_decode(&serde_json::to_vec(&page).unwrap());
    }
}

#[test]
fn every_seed_decodes_as_intended() {
    // List seeds decode as at least one kind (the fixtures are real list responses).
    for (i, seed) in seeds("list_decode").iter().enumerate() {
        assert!(list_decode(seed) > 0, "list seed {i} decodes as no kind");
    }
    // Error seeds that are JSON decode as error bodies.
    let mut decoded = 0;
    for seed in seeds("error_decode") {
        error_decode(&seed);
        decoded += usize::from(serde_json::from_slice::<ErrorResponse>(&seed).is_ok());
    }
    assert!(decoded >= 6, "{decoded}");
}
