//! Struct/Value conversion: table tests and property-based round trips.

use std::collections::{BTreeMap, HashMap};

use cloudforet_client::Error;
use cloudforet_client::value::{
    MAX_EXACT_INTEGER, from_struct, from_struct_owned, json_ref_to_value, json_to_list,
    json_to_struct, json_to_value, list_to_json, map_to_struct, struct_ref_to_json, struct_to_json,
    struct_to_map, to_struct, to_value, value_ref_to_json, value_to_json,
};
use proptest::prelude::*;
use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

const MAX_EXACT: i64 = 1 << 53;

// ---------------------------------------------------------------------------------------------
// Table tests
// ---------------------------------------------------------------------------------------------

#[test]
fn nested_empty_and_unicode_values_survive_both_ways() {
    let cases = [
        json!({}),
        json!({"empty_list": [], "empty_map": {}, "empty_string": ""}),
        json!({"a": [[], [[]], [{}], [1, [2, [3, [4.5]]]]]}),
        json!({"unicode": "Grüße, 東京, emoji 🚀, rtl عربي", "key 🔑 with spaces": null}),
        json!({"mixed": [null, true, false, 0, -1, 0.25, "s", {"k": [1, {"deep": {"deeper": "x"}}]}]}),
        json!({"vm": {"spec": {"resources": {"num_sockets": 2, "memory_size_mib": 4096}}}}),
    ];
    for input in cases {
        let s = json_to_struct(input.clone()).unwrap();
        assert_eq!(struct_ref_to_json(&s), input, "by reference");
        assert_eq!(struct_to_json(s), input, "by value");
    }
}

#[test]
fn big_integers_become_strings_and_decode_back_into_integer_fields() {
    let input = json!({
        "max_exact": MAX_EXACT_INTEGER,
        "min_exact": -MAX_EXACT,
        "just_over": MAX_EXACT_INTEGER + 1,
        "just_under": -MAX_EXACT - 1,
        "u64_max": u64::MAX,
        "i64_min": i64::MIN,
    });
    let s = json_to_struct(input).unwrap();
    assert_eq!(
        struct_ref_to_json(&s),
        json!({
            "max_exact": 9_007_199_254_740_992_u64,
            "min_exact": -9_007_199_254_740_992_i64,
            "just_over": "9007199254740993",
            "just_under": "-9007199254740993",
            "u64_max": "18446744073709551615",
            "i64_min": "-9223372036854775808",
        })
    );

    #[derive(Debug, Deserialize, PartialEq)]
    struct Ints {
        max_exact: u64,
        min_exact: i64,
        just_over: u64,
        just_under: i64,
        u64_max: u64,
        i64_min: i64,
    }
    assert_eq!(
        from_struct::<Ints>(&s).unwrap(),
        Ints {
            max_exact: MAX_EXACT_INTEGER,
            min_exact: -MAX_EXACT,
            just_over: MAX_EXACT_INTEGER + 1,
            just_under: -MAX_EXACT - 1,
            u64_max: u64::MAX,
            i64_min: i64::MIN,
        }
    );
}

#[test]
fn integral_floats_come_back_as_integers_and_non_finite_as_null() {
    let s = json_to_struct(json!({"five": 5.0, "half": 0.5})).unwrap();
    assert_eq!(struct_ref_to_json(&s), json!({"five": 5, "half": 0.5}));

    let mut fields = BTreeMap::new();
    for (k, f) in [
        ("nan", f64::NAN),
        ("inf", f64::INFINITY),
        ("ninf", f64::NEG_INFINITY),
    ] {
        fields.insert(
            k.to_owned(),
            Value {
                kind: Some(Kind::NumberValue(f)),
            },
        );
    }
    fields.insert("unset".to_owned(), Value { kind: None });
    let s = Struct { fields };
    assert_eq!(
        struct_to_json(s.clone()),
        json!({"nan": null, "inf": null, "ninf": null, "unset": null})
    );

    // Typed decoding keeps non-finite floats.
    #[derive(Deserialize)]
    struct Floats {
        nan: f64,
        inf: f64,
        ninf: f64,
        unset: Option<f64>,
    }
    let f: Floats = from_struct(&s).unwrap();
    assert!(f.nan.is_nan());
    assert_eq!(f.inf, f64::INFINITY);
    assert_eq!(f.ninf, f64::NEG_INFINITY);
    assert_eq!(f.unset, None);
}

#[test]
fn list_values_convert_both_ways() {
    let items = vec![json!("a"), json!(1), json!({"k": [true]})];
    let list = json_to_list(items.clone());
    assert_eq!(list.values.len(), 3);
    assert_eq!(list_to_json(list), items);
}

#[test]
fn to_struct_rejects_non_objects_and_non_string_keys() {
    match to_struct(&vec![1, 2]) {
        Err(Error::NotAnObject { found }) => assert_eq!(found, "an array"),
        other => panic!("expected NotAnObject, got {other:?}"),
    }
    let mut bad = HashMap::new();
    bad.insert(vec![1u8], 1);
    match to_struct(&bad) {
        Err(Error::Encode { type_name, .. }) => {
            assert!(type_name.contains("HashMap"), "{type_name}")
        }
        other => panic!("expected Encode, got {other:?}"),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PowerState {
    On,
    Off,
    Unknown(String),
    Custom { reason: String, code: u16 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Nic {
    mac: String,
    vlan: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    uuid: String,
    vcpus: u32,
    memory_bytes: u64,
    balance: i64,
    ratio: f64,
    enabled: bool,
    power: PowerState,
    nics: Vec<Nic>,
    labels: BTreeMap<String, String>,
    by_slot: BTreeMap<u32, String>,
    pair: (u8, String),
    note: Option<String>,
    #[serde(default)]
    missing_defaults_to_empty: Vec<String>,
}

#[test]
fn decode_error_names_the_nested_path_without_the_value() {
    let s = json_to_struct(json!({
        "uuid": "u", "vcpus": 1, "memory_bytes": 1, "balance": 0, "ratio": 0.5, "enabled": true,
        "power": "on", "labels": {}, "by_slot": {}, "pair": [1, "x"], "note": null,
        "nics": [{"mac": "aa", "vlan": 1}, {"mac": "bb", "vlan": "s3cr3t-value"}]
    }))
    .unwrap();
    let err = from_struct::<Record>(&s).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("nics[1].vlan"), "{msg}");
    assert!(msg.contains("Record"), "{msg}");
    assert!(!msg.contains("s3cr3t"), "{msg}");

    // An unknown enum variant and a wrong-length tuple are errors too, with paths.
    let s = json_to_struct(json!({"power": {"a": 1, "b": 2}})).unwrap();
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct P {
        power: PowerState,
    }
    let msg = from_struct::<P>(&s).unwrap_err().to_string();
    assert!(msg.contains("power"), "{msg}");

    let s = json_to_struct(json!({"pair": [1, "x", "extra"]})).unwrap();
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct T {
        pair: (u8, String),
    }
    let msg = from_struct::<T>(&s).unwrap_err().to_string();
    assert!(msg.contains("pair"), "{msg}");
}

#[test]
fn integer_fields_reject_fractions_and_out_of_range_values() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Small {
        n: u8,
    }
    for bad in [
        json!({"n": 1.5}),
        json!({"n": 256}),
        json!({"n": -1}),
        json!({"n": "12x"}),
    ] {
        let s = json_to_struct(bad.clone()).unwrap();
        let err = from_struct::<Small>(&s).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "n", "{bad}"),
            other => panic!("{bad}: expected Decode, got {other:?}"),
        }
    }
}

/// Every serde shape: the direct serializer must produce what going through `serde_json` does.
#[test]
fn direct_serializer_matches_serde_json_shape_for_shape() {
    #[derive(Serialize)]
    struct Unit;
    #[derive(Serialize)]
    struct Newtype(u32);
    #[derive(Serialize)]
    struct TupleStruct(u8, &'static str);
    #[derive(Serialize)]
    enum E {
        A,
        B(i64),
        C(u8, u8),
        D { x: f32 },
    }
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum KeyVariant {
        Left,
    }
    #[derive(Serialize)]
    struct All {
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        tuple_struct: TupleStruct,
        variants: Vec<E>,
        bytes: serde_bytes_like::Bytes,
        chars: Vec<char>,
        u128_small: u128,
        i128_small: i128,
        f32_value: f32,
        nan: f64,
        inf: f32,
        none: Option<u8>,
        some: Option<Option<u8>>,
        int_keys: BTreeMap<i32, u8>,
        bool_keys: BTreeMap<bool, u8>,
        char_keys: BTreeMap<char, u8>,
        variant_keys: BTreeMap<KeyVariant, u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        #[serde(flatten)]
        flattened: BTreeMap<String, u8>,
    }
    let all = All {
        unit: (),
        unit_struct: Unit,
        newtype: Newtype(7),
        tuple_struct: TupleStruct(1, "t"),
        variants: vec![E::A, E::B(-3), E::C(1, 2), E::D { x: 1.5 }],
        bytes: serde_bytes_like::Bytes(vec![0, 255]),
        chars: vec!['a', '東'],
        u128_small: 42,
        i128_small: -42,
        f32_value: 0.1,
        nan: f64::NAN,
        inf: f32::INFINITY,
        none: None,
        some: Some(Some(3)),
        int_keys: [(-1, 1), (2, 2)].into_iter().collect(),
        bool_keys: [(true, 1)].into_iter().collect(),
        char_keys: [('k', 1)].into_iter().collect(),
        variant_keys: [(KeyVariant::Left, 1)].into_iter().collect(),
        skipped: None,
        flattened: [("extra".to_owned(), 9)].into_iter().collect(),
    };
    let via_json = json_to_struct(serde_json::to_value(&all).unwrap()).unwrap();
    assert_eq!(to_struct(&all).unwrap(), via_json);
    assert_eq!(
        struct_to_json(via_json)["variants"],
        json!(["A", {"B": -3}, {"C": [1, 2]}, {"D": {"x": 1.5}}])
    );

    // Beyond 64 bits serde_json gives up; the direct path keeps the digits as a string.
    assert_eq!(
        value_to_json(to_value(&u128::MAX).unwrap()),
        json!(u128::MAX.to_string())
    );
    assert_eq!(
        value_to_json(to_value(&i128::MIN).unwrap()),
        json!(i128::MIN.to_string())
    );
}

/// `serialize_bytes` without pulling in serde_bytes.
mod serde_bytes_like {
    pub struct Bytes(pub Vec<u8>);

    impl serde::Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Numbers inside the policy: integers within ±2^53, floats that are not integral within ±2^53
/// (those come back as integers by design).
fn policy_number() -> impl Strategy<Value = Json> {
    prop_oneof![
        (-MAX_EXACT..=MAX_EXACT).prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite, not integral within 2^53", |f| {
                f.is_finite() && !(f.fract() == 0.0 && f.abs() <= MAX_EXACT as f64)
            })
            .prop_map(Json::from),
    ]
}

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        policy_number(),
        any::<String>().prop_map(Json::String),
    ]
}

fn json_tree() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = serde_json::Map<String, Json>> {
    prop::collection::btree_map(any::<String>(), json_tree(), 0..8)
        .prop_map(|m| m.into_iter().collect())
}

/// Any protobuf Value with finite numbers and a set kind.
fn proto_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Kind::NullValue(0)),
        any::<bool>().prop_map(Kind::BoolValue),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Kind::NumberValue),
        (-MAX_EXACT..=MAX_EXACT).prop_map(|i| Kind::NumberValue(i as f64)),
        any::<String>().prop_map(Kind::StringValue),
    ]
    .prop_map(|k| Value { kind: Some(k) });
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8)
                .prop_map(|values| Kind::ListValue(ListValue { values })),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|fields| Kind::StructValue(Struct { fields })),
        ]
        .prop_map(|k| Value { kind: Some(k) })
    })
}

fn record() -> impl Strategy<Value = Record> {
    let power = prop_oneof![
        Just(PowerState::On),
        Just(PowerState::Off),
        any::<String>().prop_map(PowerState::Unknown),
        (any::<String>(), any::<u16>())
            .prop_map(|(reason, code)| PowerState::Custom { reason, code }),
    ];
    let nic = (any::<String>(), any::<Option<u16>>()).prop_map(|(mac, vlan)| Nic { mac, vlan });
    (
        (any::<String>(), any::<u32>(), any::<u64>(), any::<i64>()),
        (
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
            any::<bool>(),
            power,
            prop::collection::vec(nic, 0..4),
        ),
        (
            prop::collection::btree_map(any::<String>(), any::<String>(), 0..4),
            prop::collection::btree_map(any::<u32>(), any::<String>(), 0..4),
            (any::<u8>(), any::<String>()),
            any::<Option<String>>(),
        ),
    )
        .prop_map(
            |(
                (uuid, vcpus, memory_bytes, balance),
                (ratio, enabled, power, nics),
                (labels, by_slot, pair, note),
            )| Record {
                uuid,
                vcpus,
                memory_bytes,
                balance,
                ratio,
                enabled,
                power,
                nics,
                labels,
                by_slot,
                pair,
                note,
                missing_defaults_to_empty: Vec::new(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_to_struct_to_json_is_identity_within_policy(obj in json_object()) {
        let input = Json::Object(obj.clone());
        let by_value = json_to_struct(input.clone()).unwrap();
        let by_map = map_to_struct(obj);
        prop_assert_eq!(&by_value, &by_map);
        prop_assert_eq!(struct_ref_to_json(&by_value), input.clone());
        prop_assert_eq!(Json::Object(struct_to_map(by_map)), input);
    }

    #[test]
    fn owned_and_borrowed_conversions_agree(json in json_tree()) {
        let owned = json_to_value(json.clone());
        prop_assert_eq!(&owned, &json_ref_to_value(&json));
        prop_assert_eq!(value_ref_to_json(&owned), value_to_json(owned));
    }

    #[test]
    fn struct_to_json_to_struct_is_identity_for_finite_values(
        fields in prop::collection::btree_map(any::<String>(), proto_value(), 0..8)
    ) {
        let s = Struct { fields };
        let back = json_to_struct(struct_ref_to_json(&s)).unwrap();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn every_integer_round_trips_through_struct(u in any::<u64>(), i in any::<i64>()) {
        let s = to_struct(&json!({"u": u, "i": i})).unwrap();
        #[derive(Deserialize)]
        struct Both { u: u64, i: i64 }
        let both: Both = from_struct(&s).unwrap();
        prop_assert_eq!(both.u, u);
        prop_assert_eq!(both.i, i);
        // Within the exact range the wire carries a number, beyond it a string.
        let is_number = matches!(s.fields["u"].kind, Some(Kind::NumberValue(_)));
        prop_assert_eq!(is_number, u <= MAX_EXACT_INTEGER);
    }

    #[test]
    fn direct_serializer_equals_the_json_path(json in json_tree(), rec in record()) {
        prop_assert_eq!(to_value(&json).unwrap(), json_ref_to_value(&json));
        let via_json = json_to_struct(serde_json::to_value(&rec).unwrap()).unwrap();
        prop_assert_eq!(to_struct(&rec).unwrap(), via_json);
    }

    #[test]
    fn typed_records_round_trip(rec in record()) {
        let s = to_struct(&rec).unwrap();
        let back: Record = from_struct(&s).unwrap();
        prop_assert_eq!(&back, &rec);
        let back_owned: Record = from_struct_owned(s).unwrap();
        prop_assert_eq!(back_owned, rec);
    }

    #[test]
    fn decoding_arbitrary_structs_never_panics(
        fields in prop::collection::btree_map(
            prop_oneof![Just("uuid".to_owned()), Just("vcpus".to_owned()), Just("nics".to_owned()),
                        Just("power".to_owned()), Just("pair".to_owned()), any::<String>()],
            proto_value(),
            0..8,
        )
    ) {
        let s = Struct { fields };
        let _ = from_struct::<Record>(&s);
        let _ = from_struct::<Json>(&s).unwrap();
        let _ = from_struct::<HashMap<String, Json>>(&s).unwrap();
    }
}
