//! Arbitrary bytes as a protobuf `google.protobuf.Struct` (what CloudForet sends as options and
//! secret_data): decode, convert to JSON and back. The conversion must not panic, must be
//! stable after one normalisation (JSON -> Struct -> JSON gives the same JSON), and the rebuilt
//! Struct must encode and decode again. The same bytes are also tried as JSON.
#![no_main]

use cloudforet_client::value::{json_to_struct, struct_ref_to_json, struct_to_json};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use prost_types::Struct;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Struct::decode(data) {
        let first = struct_ref_to_json(&s);
        let rebuilt = json_to_struct(first.clone()).expect("a Struct converts to a JSON object");
        let second = struct_to_json(rebuilt.clone());
        assert_eq!(first, second, "JSON -> Struct -> JSON is not stable");
        let bytes = rebuilt.encode_to_vec();
        let again = Struct::decode(bytes.as_slice()).expect("a rebuilt Struct decodes");
        assert_eq!(struct_to_json(again), first);
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(s) = json_to_struct(json)
    {
        let _ = struct_to_json(s);
    }
});
