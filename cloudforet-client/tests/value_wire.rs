//! Serialising straight to protobuf bytes (`value::wire`): the bytes must decode to exactly what
//! `to_struct` / `json_to_struct` build, and equal prost's own encoding when keys come sorted.

use std::collections::BTreeMap;

use cloudforet_client::Error;
use cloudforet_client::proto::spaceone::api::inventory::plugin::ResourceInfo;
use cloudforet_client::proto::spaceone::api::inventory::plugin::resource_info::State;
use cloudforet_client::value::{
    MAX_EXACT_INTEGER, encode_struct, encode_struct_field, encode_value, json_to_struct,
    json_to_value, to_struct, to_value, wire,
};
use proptest::prelude::*;
use prost::Message;
use prost_types::value::Kind;
use prost_types::{Struct, Value};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Value as Json, json};

fn struct_bytes<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut buf = Vec::new();
    encode_struct(v, &mut buf).expect("encodable as a Struct");
    buf
}

fn decode_struct(bytes: &[u8]) -> Struct {
    Struct::decode(bytes).expect("valid Struct bytes")
}

/// The Struct of `json` as prost encodes it (entries in `BTreeMap`, i.e. sorted, order).
fn prost_struct_bytes(json: &Json) -> Vec<u8> {
    json_to_struct(json.clone())
        .expect("an object")
        .encode_to_vec()
}

/// Rebuilds every object with keys inserted in sorted order, so iteration is sorted whether or
/// not serde_json's `preserve_order` feature is on in this build.
fn sorted(json: Json) -> Json {
    match json {
        Json::Object(map) => {
            let entries: BTreeMap<String, Json> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Json::Object(entries.into_iter().collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn string_of(kind: &Option<Kind>) -> Option<&str> {
    match kind {
        Some(Kind::StringValue(s)) => Some(s),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Exact bytes against prost
// ---------------------------------------------------------------------------------------------

#[test]
fn default_valued_kinds_are_written_like_prost() {
    let input = sorted(json!({
        "b": false,
        "e": {},
        "l": [],
        "n": null,
        "s": "",
        "z": 0.0,
        "": "empty key",
        "nested": {"": null, "x": [null, 0, "", false, {}, []]},
    }));
    assert_eq!(struct_bytes(&input), prost_struct_bytes(&input));
}

#[test]
fn hand_picked_bytes_of_a_tiny_struct() {
    // {"a": 1} -> entry(1, len 13){ key(1) "a"; value(2, len 9){ number_value(2) 1.0 } }
    let mut want = vec![0x0A, 14, 0x0A, 1, b'a', 0x12, 9, 0x11];
    want.extend_from_slice(&1.0f64.to_le_bytes());
    assert_eq!(struct_bytes(&json!({"a": 1})), want);
    assert_eq!(struct_bytes(&json!({})), Vec::<u8>::new());
}

#[test]
fn long_lengths_use_minimal_varints_at_every_level() {
    // Content lengths around the one-, two-, three- and four-byte varint boundaries, nested five
    // deep so each enclosing length crosses a boundary too.
    for len in [
        0,
        100,
        115,
        116,
        117,
        127,
        128,
        129,
        300,
        16_360,
        16_383,
        16_384,
        20_000,
        (1 << 21) + 5,
    ] {
        let s = "x".repeat(len);
        let input = sorted(json!({
            "a": s,
            "deep": {"l1": {"l2": [{"l3": {"l4": [s.clone(), {"k": s.clone()}]}}]}},
            "z": [s.clone(), 1, null],
        }));
        let bytes = struct_bytes(&input);
        assert_eq!(bytes, prost_struct_bytes(&input), "string length {len}");
        assert_eq!(
            decode_struct(&bytes),
            json_to_struct(input).unwrap(),
            "string length {len}"
        );
    }
}

#[test]
fn long_keys_and_many_entries() {
    let mut map = serde_json::Map::new();
    for i in 0..2_000 {
        map.insert(format!("{i:05}-{}", "k".repeat(i % 300)), json!(i));
    }
    let input = sorted(Json::Object(map));
    assert_eq!(struct_bytes(&input), prost_struct_bytes(&input));
}

#[test]
fn struct_field_matches_prost_resource_info() {
    let resource = sorted(json!({
        "name": "vm-1",
        "data": {"cpu": 4, "disks": [{"size": 1_073_741_824u64}], "power_state": "ON"},
        "tags": {"env": "prod"},
    }));
    let rules = json!({"1": ["reference.resource_id", "provider"]});
    let typed = ResourceInfo {
        state: State::Success as i32,
        message: String::new(),
        resource_type: "inventory.CloudService".to_owned(),
        match_rules: Some(json_to_struct(rules.clone()).unwrap()),
        resource: Some(json_to_struct(resource.clone()).unwrap()),
        options: Some(Struct::default()),
    };

    let mut buf = Vec::new();
    wire::encode_enum_field(1, State::Success as i32, &mut buf);
    wire::encode_string_field(2, "", &mut buf);
    wire::encode_string_field(3, "inventory.CloudService", &mut buf);
    encode_struct_field(4, &rules, &mut buf).unwrap();
    encode_struct_field(6, &resource, &mut buf).unwrap();
    encode_struct_field(7, &json!({}), &mut buf).unwrap();

    assert_eq!(buf, typed.encode_to_vec());
    assert_eq!(ResourceInfo::decode(buf.as_slice()).unwrap(), typed);
}

#[test]
fn message_field_writes_nested_messages() {
    // A ResourceInfo carried as field 3 of some envelope, assembled with encode_message_field.
    let resource = json!({"name": "x".repeat(200)});
    let mut buf = Vec::new();
    wire::encode_message_field(3, &mut buf, |b| {
        wire::encode_enum_field(1, State::Failure as i32, b);
        wire::encode_string_field(2, "boom", b);
        encode_struct_field(6, &resource, b)
    })
    .unwrap();

    let inner = ResourceInfo {
        state: State::Failure as i32,
        message: "boom".into(),
        resource: Some(json_to_struct(resource).unwrap()),
        ..ResourceInfo::default()
    };
    let mut want = Vec::new();
    prost::encoding::message::encode(3, &inner, &mut want);
    assert_eq!(buf, want);
}

// ---------------------------------------------------------------------------------------------
// Number policy
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct Numbers {
    max_exact: u64,
    over_exact: u64,
    min_exact: i64,
    under_exact: i64,
    i64_min: i64,
    i64_max: i64,
    u64_max: u64,
    i128_small: i128,
    i128_min: i128,
    u128_max: u128,
    nan: f64,
    inf: f64,
    neg_inf: f64,
    f32_nan: f32,
    f32_third: f32,
    neg_zero: f64,
    zero: f64,
    small: i8,
    byte: u8,
    tiny: f64,
}

#[test]
fn number_policy_matches_to_struct() {
    let exact = i64::try_from(MAX_EXACT_INTEGER).unwrap();
    let n = Numbers {
        max_exact: MAX_EXACT_INTEGER,
        over_exact: MAX_EXACT_INTEGER + 1,
        min_exact: -exact,
        under_exact: -exact - 1,
        i64_min: i64::MIN,
        i64_max: i64::MAX,
        u64_max: u64::MAX,
        i128_small: -5,
        i128_min: i128::MIN,
        u128_max: u128::MAX,
        nan: f64::NAN,
        inf: f64::INFINITY,
        neg_inf: f64::NEG_INFINITY,
        f32_nan: f32::NAN,
        f32_third: 1.0 / 3.0,
        neg_zero: -0.0,
        zero: 0.0,
        small: -128,
        byte: 255,
        tiny: 5e-324,
    };
    let decoded = decode_struct(&struct_bytes(&n));
    assert_eq!(decoded, to_struct(&n).unwrap());

    let f = &decoded.fields;
    assert_eq!(
        f["max_exact"].kind,
        Some(Kind::NumberValue(9_007_199_254_740_992.0))
    );
    assert_eq!(string_of(&f["over_exact"].kind), Some("9007199254740993"));
    assert_eq!(string_of(&f["under_exact"].kind), Some("-9007199254740993"));
    assert_eq!(string_of(&f["i64_min"].kind), Some("-9223372036854775808"));
    assert_eq!(string_of(&f["u64_max"].kind), Some("18446744073709551615"));
    assert_eq!(
        string_of(&f["u128_max"].kind),
        Some("340282366920938463463374607431768211455")
    );
    assert_eq!(
        string_of(&f["i128_min"].kind),
        Some("-170141183460469231731687303715884105728")
    );
    for key in ["nan", "inf", "neg_inf", "f32_nan"] {
        assert_eq!(f[key].kind, Some(Kind::NullValue(0)), "{key}");
    }
    match f["neg_zero"].kind {
        Some(Kind::NumberValue(z)) => assert!(z == 0.0 && z.is_sign_negative()),
        ref other => panic!("neg_zero: {other:?}"),
    }
}

fn value_bytes_match_prost<T: Serialize + ?Sized>(v: &T) {
    let mut buf = Vec::new();
    encode_value(v, &mut buf).unwrap();
    assert_eq!(
        buf,
        to_value(v).unwrap().encode_to_vec(),
        "{}",
        std::any::type_name::<T>()
    );
}

#[test]
fn bare_values_match_to_value() {
    value_bytes_match_prost(&u64::MAX);
    value_bytes_match_prost(&i64::try_from(MAX_EXACT_INTEGER).unwrap());
    value_bytes_match_prost(&f64::NAN);
    value_bytes_match_prost("text");
    value_bytes_match_prost(&'é');
    value_bytes_match_prost(&Option::<u8>::None);
    value_bytes_match_prost(&());
    value_bytes_match_prost(&vec![1u8, 2, 3]);
    value_bytes_match_prost(&json!([1, "a", null, {"b": []}]));
    value_bytes_match_prost(&Shape::Unit);
    value_bytes_match_prost(&Shape::Newtype(7));
}

/// A value whose `Serialize` calls `serialize_bytes` (as `serde_bytes` does).
struct Bytes(Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

#[test]
fn bytes_become_lists_of_numbers() {
    for len in [0, 1, 11, 12, 1_500, 2_000] {
        let v = Bytes((0..len).map(|i| (i % 256) as u8).collect());
        let mut buf = Vec::new();
        encode_value(&v, &mut buf).unwrap();
        assert_eq!(buf, to_value(&v).unwrap().encode_to_vec(), "len {len}");
        let m = BTreeMap::from([("b", &v)]);
        assert_eq!(
            decode_struct(&struct_bytes(&m)),
            to_struct(&m).unwrap(),
            "len {len}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(u32),
    Tuple(u8, String),
    Record { a: u32 },
}

fn not_an_object<T: Serialize>(v: &T) -> &'static str {
    let mut buf = vec![7, 7];
    let err = encode_struct(v, &mut buf).unwrap_err();
    assert_eq!(buf, [7, 7], "buffer restored after an error");
    let Error::NotAnObject { found } = err else {
        panic!("expected NotAnObject, got {err:?}")
    };
    let Err(Error::NotAnObject { found: want }) = to_struct(v) else {
        panic!("to_struct accepted what encode_struct refused")
    };
    assert_eq!(found, want, "same description as to_struct");
    found
}

#[test]
fn non_maps_at_the_top_are_refused_like_to_struct() {
    assert_eq!(not_an_object(&()), "null");
    assert_eq!(not_an_object(&Option::<BTreeMap<String, u8>>::None), "null");
    assert_eq!(not_an_object(&true), "a boolean");
    assert_eq!(not_an_object(&1u8), "a number");
    assert_eq!(not_an_object(&MAX_EXACT_INTEGER), "a number");
    assert_eq!(not_an_object(&(MAX_EXACT_INTEGER + 1)), "a string");
    assert_eq!(not_an_object(&i64::MIN), "a string");
    assert_eq!(not_an_object(&u128::MAX), "a string");
    assert_eq!(not_an_object(&f64::NAN), "null");
    assert_eq!(not_an_object(&0.5f32), "a number");
    assert_eq!(not_an_object(&"s"), "a string");
    assert_eq!(not_an_object(&'c'), "a string");
    assert_eq!(not_an_object(&Shape::Unit), "a string");
    assert_eq!(not_an_object(&vec![1, 2]), "an array");
    assert_eq!(not_an_object(&(1, 2)), "an array");
    assert_eq!(not_an_object(&Bytes(vec![1])), "an array");
    assert_eq!(not_an_object(&json!([{"a": 1}])), "an array");
}

#[test]
fn maps_behind_wrappers_and_variants_are_accepted_at_the_top() {
    #[derive(Serialize)]
    struct Wrapper(BTreeMap<&'static str, u8>);
    let cases: Vec<(Vec<u8>, Struct)> = vec![
        (
            struct_bytes(&Some(json!({"a": 1}))),
            to_struct(&Some(json!({"a": 1}))).unwrap(),
        ),
        (
            struct_bytes(&Wrapper(BTreeMap::from([("k", 1)]))),
            to_struct(&Wrapper(BTreeMap::from([("k", 1)]))).unwrap(),
        ),
        (
            struct_bytes(&Shape::Newtype(3)),
            to_struct(&Shape::Newtype(3)).unwrap(),
        ),
        (
            struct_bytes(&Shape::Tuple(1, "x".repeat(200))),
            to_struct(&Shape::Tuple(1, "x".repeat(200))).unwrap(),
        ),
        (
            struct_bytes(&Shape::Record { a: 9 }),
            to_struct(&Shape::Record { a: 9 }).unwrap(),
        ),
    ];
    for (i, (bytes, want)) in cases.into_iter().enumerate() {
        // One key each, so prost's sorted order is the only order: the bytes must match too.
        assert_eq!(bytes, want.encode_to_vec(), "case {i}");
    }
}

#[test]
fn bad_keys_fail_with_encode_and_restore_the_buffer() {
    let bad: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1], 1)]);
    let outer = json!({"x": "y".repeat(500)});
    #[derive(Serialize)]
    struct Holder<'a> {
        ok: &'a Json,
        bad: &'a BTreeMap<Vec<u8>, u8>,
    }
    let mut buf = b"prefix".to_vec();
    let err = encode_struct_field(
        6,
        &Holder {
            ok: &outer,
            bad: &bad,
        },
        &mut buf,
    )
    .unwrap_err();
    assert_eq!(buf, b"prefix");
    let Error::Encode { type_name, source } = err else {
        panic!("expected Encode, got {err:?}")
    };
    assert!(type_name.contains("Holder"), "{type_name}");
    assert!(
        source.to_string().contains("key must be a string"),
        "{source}"
    );

    let float_key = BTreeMap::from([(F64Key(f64::NAN), 1)]);
    let err = encode_struct(&float_key, &mut buf).unwrap_err();
    assert!(err.to_string().contains("finite"), "{err}");
    assert_eq!(buf, b"prefix");
}

/// An `f64` map key, ordered by `total_cmp`.
struct F64Key(f64);
impl PartialEq for F64Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for F64Key {}
impl PartialOrd for F64Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for F64Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
impl Serialize for F64Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

#[test]
fn non_string_keys_become_text_like_to_struct() {
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Color {
        Red,
        Green,
    }
    let ints = BTreeMap::from([(-3i64, "a"), (u32::MAX as i64, "b")]);
    let bools = BTreeMap::from([(false, 0), (true, 1)]);
    let chars = BTreeMap::from([('x', 1), ('é', 2)]);
    let colors = BTreeMap::from([(Color::Red, 1), (Color::Green, 2)]);
    let floats = BTreeMap::from([(F64Key(1.5), 1), (F64Key(-0.0), 2), (F64Key(1e300), 3)]);
    let big = BTreeMap::from([(u128::MAX, 1), (0, 2)]);
    assert_eq!(
        decode_struct(&struct_bytes(&ints)),
        to_struct(&ints).unwrap()
    );
    assert_eq!(
        decode_struct(&struct_bytes(&bools)),
        to_struct(&bools).unwrap()
    );
    assert_eq!(
        decode_struct(&struct_bytes(&chars)),
        to_struct(&chars).unwrap()
    );
    assert_eq!(
        decode_struct(&struct_bytes(&colors)),
        to_struct(&colors).unwrap()
    );
    assert_eq!(
        decode_struct(&struct_bytes(&floats)),
        to_struct(&floats).unwrap()
    );
    assert_eq!(decode_struct(&struct_bytes(&big)), to_struct(&big).unwrap());
}

/// Emits the same key twice, as `#[serde(flatten)]` over overlapping maps can.
struct Duplicates;

impl Serialize for Duplicates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("k", &json!({"first": [1, 2, 3]}))?;
        m.serialize_entry("other", &true)?;
        m.serialize_entry("k", "second")?;
        m.end()
    }
}

#[test]
fn duplicate_keys_decode_to_the_last_value_like_to_struct() {
    let bytes = struct_bytes(&Duplicates);
    let decoded = decode_struct(&bytes);
    assert_eq!(decoded, to_struct(&Duplicates).unwrap());
    assert_eq!(string_of(&decoded.fields["k"].kind), Some("second"));
}

/// A map whose `Serialize` writes a value without a key (a broken implementation).
struct ValueWithoutKey;

impl Serialize for ValueWithoutKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_value(&1)?;
        m.end()
    }
}

#[test]
fn value_before_key_is_an_encode_error() {
    let mut buf = Vec::new();
    let err = encode_struct(&ValueWithoutKey, &mut buf).unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
    assert!(buf.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn arb_number() -> impl Strategy<Value = Json> {
    prop_oneof![
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-(1i64 << 54)..=(1i64 << 54)).prop_map(Json::from),
        any::<f64>().prop_map(Json::from), // non-finite becomes Null
        Just(json!(MAX_EXACT_INTEGER)),
        Just(json!(MAX_EXACT_INTEGER + 1)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
    ]
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        arb_number(),
        any::<String>().prop_map(Json::String),
        // Occasionally long strings, so lengths cross the one-byte varint boundary.
        (0usize..400).prop_map(|n| Json::String("s".repeat(n))),
    ];
    leaf.prop_recursive(6, 128, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Json::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..10)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_object() -> impl Strategy<Value = Json> {
    prop::collection::btree_map(any::<String>(), arb_json(), 0..12)
        .prop_map(|m| Json::Object(m.into_iter().collect()))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
enum Power {
    On,
    Off,
    Unknown(String),
    Custom { reason: String, code: Option<i32> },
    Pair(u64, i64),
}

#[derive(Debug, Clone, Serialize)]
struct Nic {
    mac: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    vlan: Option<u16>,
    ips: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Extra {
    note: Option<String>,
    score: f32,
}

#[derive(Debug, Clone, Serialize)]
struct Vm {
    #[serde(rename = "vm_name")]
    name: String,
    power: Power,
    cpu: u32,
    memory: u64,
    delta: i64,
    big: u128,
    ratio: f64,
    nics: Vec<Nic>,
    tags: BTreeMap<String, String>,
    counters: BTreeMap<u16, Vec<Option<bool>>>,
    parent: Option<Box<Vm>>,
    #[serde(flatten)]
    extra: Extra,
    unit: (),
    tuple: (char, i8, Option<()>),
}

fn arb_power() -> impl Strategy<Value = Power> {
    prop_oneof![
        Just(Power::On),
        Just(Power::Off),
        any::<String>().prop_map(Power::Unknown),
        (any::<String>(), any::<Option<i32>>())
            .prop_map(|(reason, code)| Power::Custom { reason, code }),
        (any::<u64>(), any::<i64>()).prop_map(|(a, b)| Power::Pair(a, b)),
    ]
}

fn arb_nic() -> impl Strategy<Value = Nic> {
    (
        any::<String>(),
        any::<Option<u16>>(),
        prop::collection::vec(any::<String>(), 0..4),
    )
        .prop_map(|(mac, vlan, ips)| Nic { mac, vlan, ips })
}

fn arb_leaf_vm() -> impl Strategy<Value = Vm> {
    (
        (
            any::<String>(),
            arb_power(),
            any::<u32>(),
            any::<u64>(),
            any::<i64>(),
            any::<u128>(),
            any::<f64>(),
        ),
        (
            prop::collection::vec(arb_nic(), 0..4),
            prop::collection::btree_map(any::<String>(), any::<String>(), 0..5),
            prop::collection::btree_map(
                any::<u16>(),
                prop::collection::vec(any::<Option<bool>>(), 0..3),
                0..3,
            ),
            any::<Option<String>>(),
            any::<f32>(),
            (any::<char>(), any::<i8>(), any::<Option<()>>()),
        ),
    )
        .prop_map(
            |(
                (name, power, cpu, memory, delta, big, ratio),
                (nics, tags, counters, note, score, tuple),
            )| Vm {
                name,
                power,
                cpu,
                memory,
                delta,
                big,
                ratio,
                nics,
                tags,
                counters,
                parent: None,
                extra: Extra { note, score },
                unit: (),
                tuple,
            },
        )
}

fn arb_vm() -> impl Strategy<Value = Vm> {
    (arb_leaf_vm(), prop::option::of(arb_leaf_vm())).prop_map(|(mut vm, parent)| {
        vm.parent = parent.map(Box::new);
        vm
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_objects_decode_to_json_to_struct_and_match_prost_bytes(input in arb_object()) {
        let input = sorted(input);
        let bytes = struct_bytes(&input);
        prop_assert_eq!(&bytes, &prost_struct_bytes(&input));
        prop_assert_eq!(decode_struct(&bytes), json_to_struct(input).unwrap());
    }

    #[test]
    fn json_values_match_prost_value_bytes(input in arb_json()) {
        let input = sorted(input);
        let mut bytes = Vec::new();
        encode_value(&input, &mut bytes).unwrap();
        prop_assert_eq!(&bytes, &json_to_value(input.clone()).encode_to_vec());
        prop_assert_eq!(Value::decode(bytes.as_slice()).unwrap(), json_to_value(input));
    }

    #[test]
    fn typed_records_decode_to_to_struct(vm in arb_vm()) {
        let bytes = struct_bytes(&vm);
        prop_assert_eq!(decode_struct(&bytes), to_struct(&vm).unwrap());

        // As field 6 (`resource`) of a ResourceInfo, after a field already in the buffer.
        let mut field = Vec::new();
        wire::encode_string_field(3, "inventory.CloudService", &mut field);
        encode_struct_field(6, &vm, &mut field).unwrap();
        let decoded = ResourceInfo::decode(field.as_slice()).unwrap();
        prop_assert_eq!(decoded.resource_type, "inventory.CloudService");
        prop_assert_eq!(decoded.resource, Some(to_struct(&vm).unwrap()));
    }

    #[test]
    fn typed_variants_at_the_top_decode_to_to_struct(power in arb_power()) {
        match to_struct(&power) {
            Ok(want) => prop_assert_eq!(decode_struct(&struct_bytes(&power)), want),
            Err(Error::NotAnObject { found }) => {
                let mut buf = Vec::new();
                let err = encode_struct(&power, &mut buf).unwrap_err();
                prop_assert!(
                    matches!(err, Error::NotAnObject { found: f } if f == found),
                    "{:?}", err
                );
            }
            Err(other) => prop_assert!(false, "to_struct failed: {}", other),
        }
    }
}
