//! Bounded, CI-friendly equivalent of the `fuzz/` target `struct_convert`: arbitrary bytes,
//! mutated seed-corpus files and arbitrary JSON go through `google.protobuf.Struct` decoding
//! and the JSON conversions, which must never panic and must be stable after one
//! normalisation (JSON -> Struct -> JSON returns the same JSON, and survives encode/decode).

use cloudforet_client::value::{json_to_struct, struct_ref_to_json, struct_to_json};
use proptest::prelude::*;
use prost::Message;
use prost_types::Struct;
use serde_json::Value;

/// The `struct_convert` target; returns whether the bytes were a protobuf `Struct`.
fn struct_convert(data: &[u8]) -> bool {
    let decoded = match Struct::decode(data) {
        Ok(s) => {
            assert_stable(&struct_ref_to_json(&s));
            true
        }
        Err(_) => false,
    };
    if let Ok(json) = serde_json::from_slice::<Value>(data)
        && let Ok(s) = json_to_struct(json)
    {
        assert_stable(&struct_to_json(s));
    }
    decoded
}

/// `first` is the JSON of some Struct: converting it back and forth changes nothing.
fn assert_stable(first: &Value) {
    let rebuilt = json_to_struct(first.clone()).expect("a Struct converts to a JSON object");
    assert_eq!(
        &struct_to_json(rebuilt.clone()),
        first,
        "JSON -> Struct -> JSON"
    );
    let again = Struct::decode(rebuilt.encode_to_vec().as_slice()).expect("re-decodes");
    assert_eq!(&struct_to_json(again), first, "after encode/decode");
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/struct_convert");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        struct_convert(&data);
    }

    #[test]
    fn mutated_seeds_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let all = seeds();
        let mut data = all[pick.index(all.len())].clone();
        for (at, byte) in edits {
            if !data.is_empty() {
                let i = at % data.len();
                data[i] = byte;
            }
        }
        let keep = cut % (data.len() + 1);
        data.truncate(keep);
        struct_convert(&data);
    }

    #[test]
    fn json_objects_normalise_once(doc in prop::collection::btree_map(".{0,6}", json(), 0..6)) {
        let doc = Value::Object(doc.into_iter().collect());
        let first = struct_to_json(json_to_struct(doc).unwrap());
        assert_stable(&first);
    }
}

#[test]
fn protobuf_seeds_decode_and_non_finite_numbers_become_null() {
    let decoded = seeds().iter().filter(|s| struct_convert(s)).count();
    assert!(decoded >= 6, "{decoded}");
    let nan = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/corpus/struct_convert/non_finite.pb"
    ))
    .unwrap();
    let json = struct_to_json(Struct::decode(nan.as_slice()).unwrap());
    assert_eq!(json, serde_json::json!({"nan": null, "inf": null}));
}
