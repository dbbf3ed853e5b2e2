//! The fast path of `Collector.collect`: a record straight to the protobuf bytes of its
//! `ResourceInfo` message, without building the typed message first.
//!
//! [`encode_resource_info`] writes exactly what `to_resource_info(record)?.encode(buf)` writes
//! (same fields, same order, same `Struct` contents), so a client decodes the same
//! `ResourceInfo` from either path; the plugin streams these bytes unchanged through
//! [`cloudforet_client::server::raw`].

use cloudforet_client::server::PluginError;
use cloudforet_client::value::wire;
use collector_core::record::ResourceRecord;
use prost::bytes::Bytes;

/// `ResourceInfo` field numbers (`spaceone/api/inventory/plugin/collector.proto`).
mod field {
    pub(super) const STATE: u32 = 1;
    pub(super) const MESSAGE: u32 = 2;
    pub(super) const RESOURCE_TYPE: u32 = 3;
    pub(super) const MATCH_RULES: u32 = 4;
    pub(super) const RESOURCE: u32 = 6;
}

/// Capacity of a fresh scratch buffer: a typical VM record encodes to 2 to 4 KB.
const SCRATCH_CAPACITY: usize = 8 * 1024;

/// Appends the protobuf encoding of the record's `ResourceInfo` message to `buf`: `state`
/// (SUCCESS=4, FAILURE=5), `message` (failures), `resource_type`, and `match_rules` and
/// `resource` as `google.protobuf.Struct`s. `options` is never set.
///
/// # Errors
/// `ERROR_UNKNOWN` if the record cannot be serialised (it cannot for collector-core records);
/// `buf` is then truncated back to its length on entry.
pub fn encode_resource_info(record: &ResourceRecord, buf: &mut Vec<u8>) -> Result<(), PluginError> {
    let start = buf.len();
    let written = write_fields(record, buf);
    if written.is_err() {
        buf.truncate(start);
    }
    written.map_err(|e| {
        PluginError::unknown(format!(
            "cannot encode a {} record: {e}",
            record.resource_type.as_str()
        ))
    })
}

fn write_fields(
    record: &ResourceRecord,
    buf: &mut Vec<u8>,
) -> Result<(), cloudforet_client::Error> {
    // Field by field, as prost writes the typed message: proto3 defaults (state 0, empty
    // strings) omitted, the two Structs always present, `options` never set.
    wire::encode_enum_field(field::STATE, record.state.proto_value(), buf);
    wire::encode_string_field(field::MESSAGE, record.message.as_deref().unwrap_or(""), buf);
    wire::encode_string_field(field::RESOURCE_TYPE, record.resource_type.as_str(), buf);
    wire::encode_struct_field(field::MATCH_RULES, &record.match_rules, buf)?;
    wire::encode_struct_field(field::RESOURCE, &record.resource, buf)?;
    Ok(())
}

/// Encodes records to owned [`Bytes`] messages, reusing one scratch buffer: each message costs
/// one allocation of exactly its size.
#[derive(Debug, Default)]
pub struct ResourceInfoEncoder {
    scratch: Vec<u8>,
}

impl ResourceInfoEncoder {
    /// An encoder with an empty scratch buffer.
    pub fn new() -> Self {
        Self {
            scratch: Vec::with_capacity(SCRATCH_CAPACITY),
        }
    }

    /// The protobuf bytes of the record's `ResourceInfo` (see [`encode_resource_info`]).
    ///
    /// # Errors
    /// As [`encode_resource_info`].
    pub fn encode(&mut self, record: &ResourceRecord) -> Result<Bytes, PluginError> {
        self.scratch.clear();
        encode_resource_info(record, &mut self.scratch)?;
        Ok(Bytes::copy_from_slice(&self.scratch))
    }
}

#[cfg(test)]
mod tests {
    use collector_core::record::{ResourceRecord, ResourceType};
    use prost::Message as _;

    use super::*;
    use crate::inventory::pipeline::{to_resource_info, type_records};
    use crate::options::PluginOptions;
    use cloudforet_client::proto::spaceone::api::inventory::plugin::ResourceInfo;

    fn assert_same(record: &ResourceRecord) {
        let typed = to_resource_info(record).unwrap();
        let mut buf = vec![0xAA];
        encode_resource_info(record, &mut buf).unwrap();
        assert_eq!(buf[0], 0xAA, "appends, keeps what was there");
        assert_eq!(ResourceInfo::decode(&buf[1..]).unwrap(), typed);
        assert_eq!(
            &buf[1..],
            typed.encode_to_vec().as_slice(),
            "same bytes as prost"
        );
    }

    #[test]
    fn failure_records_encode_like_the_typed_path() {
        let r = ResourceRecord::error(
            Some("Compute"),
            Some("VirtualMachine"),
            "pc.example.com: Prism Central answered 500",
        );
        assert_eq!(r.resource_type, ResourceType::ErrorResource);
        assert_same(&r);
        assert_same(&ResourceRecord::error(None, None, ""));
    }

    #[test]
    fn type_records_encode_like_the_typed_path() {
        let options = PluginOptions::from_json(&serde_json::json!({})).unwrap();
        let records = type_records(&options);
        assert!(records.len() >= 6, "{} type records", records.len());
        let mut encoder = ResourceInfoEncoder::new();
        for r in &records {
            assert_same(r);
            let bytes = encoder.encode(r).unwrap();
            assert_eq!(
                ResourceInfo::decode(bytes).unwrap(),
                to_resource_info(r).unwrap()
            );
        }
    }
}
