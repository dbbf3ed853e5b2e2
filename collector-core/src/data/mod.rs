//! Typed `data` of CloudService records: what the console layouts show for each kind.
//!
//! [`ServiceData`] replaces a `serde_json::Value` tree for the hot kinds (VirtualMachine and
//! Disk): plain structs serialise without building a map node, a key `String` and a value per
//! field. The JSON they produce is exactly what the mapping rules in `docs/mapping.md` describe:
//!
//! - a field whose value is absent, an empty string, an empty list or an empty object is left
//!   out (no record carries an empty value);
//! - the fields of every struct are declared in byte order of their keys, so a serde serializer
//!   sees the keys of every object already sorted, as canonical JSON
//!   ([`crate::json::canonicalize`]) and `google.protobuf.Struct` (a sorted map) have them.
//!
//! The other kinds keep a `serde_json::Value` ([`ServiceData::Json`]).

mod vm;

use std::sync::Arc;

use arrayvec::ArrayString;
use serde::Serialize;
use serde_json::Value;

pub use vm::{DiskData, Hardware, NicData, NutanixQuery, VmData};

/// A text value of a record: a static string for fixed texts (enum wire strings), short texts
/// (up to [`Text::INLINE`] bytes: UUIDs, names, addresses, timestamps) held inline, longer ones
/// as a shared copy. Building one rarely allocates, and cloning one (a Disk record repeats its
/// VM and cluster) never copies more than a few bytes.
///
/// Compares, orders, hashes, prints and serialises as the string it holds.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Static(&'static str),
    /// `ArrayString` hands out its `&str` without re-validating UTF-8 (a `from_utf8` per
    /// access was 3 % of the record path's CPU time).
    Inline(ArrayString<{ Text::INLINE }>),
    Shared(Arc<str>),
}

impl Text {
    /// The longest text held without an allocation (a hyphenated UUID is 36 bytes).
    pub const INLINE: usize = 38;

    /// A static text (no allocation).
    pub const fn from_static(s: &'static str) -> Self {
        Self(TextRepr::Static(s))
    }

    /// A copy of `s`: inline when short, else shared.
    pub fn new(s: &str) -> Self {
        match ArrayString::from(s) {
            Ok(inline) => Self(TextRepr::Inline(inline)),
            Err(_) => Self(TextRepr::Shared(Arc::from(s))),
        }
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TextRepr::Static(s) => s,
            TextRepr::Inline(s) => s.as_str(),
            TextRepr::Shared(s) => s,
        }
    }
}

impl Default for Text {
    /// The empty text.
    fn default() -> Self {
        Self::from_static("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    /// A shared copy (use [`Text::from_static`] for static texts).
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The `data` of a CloudService record.
///
/// Serialises as the inner value (`untagged`): an object for every variant the mapping builds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ServiceData {
    /// `data` of a VirtualMachine record (boxed: records move through streams and channels,
    /// and the structs are several hundred bytes).
    VirtualMachine(Box<VmData>),
    /// `data` of a Disk record.
    Disk(Box<DiskData>),
    /// Any other `data`, as a JSON value (kinds with few records per collection).
    Json(Value),
}

impl ServiceData {
    /// An empty object (`{}`).
    pub fn empty() -> Self {
        Self::Json(Value::Object(serde_json::Map::new()))
    }

    /// `data.cluster.name`, when the record names its cluster.
    pub fn cluster_name(&self) -> Option<&str> {
        match self {
            Self::VirtualMachine(vm) => vm.cluster.as_ref().and_then(EntityRef::name),
            Self::Disk(d) => d.cluster.as_ref().and_then(EntityRef::name),
            Self::Json(v) => v.pointer("/cluster/name").and_then(Value::as_str),
        }
    }

    /// The data as a JSON value (keys sorted when serde_json sorts its maps).
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails (it cannot for the types of this module).
    pub fn to_json(&self) -> crate::Result<Value> {
        match self {
            Self::Json(v) => Ok(v.clone()),
            other => Ok(serde_json::to_value(other)?),
        }
    }
}

impl Default for ServiceData {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Value> for ServiceData {
    fn from(value: Value) -> Self {
        Self::Json(value)
    }
}

impl From<VmData> for ServiceData {
    fn from(value: VmData) -> Self {
        Self::VirtualMachine(Box::new(value))
    }
}

impl From<Box<VmData>> for ServiceData {
    fn from(value: Box<VmData>) -> Self {
        Self::VirtualMachine(value)
    }
}

impl From<DiskData> for ServiceData {
    fn from(value: DiskData) -> Self {
        Self::Disk(Box::new(value))
    }
}

impl From<Box<DiskData>> for ServiceData {
    fn from(value: Box<DiskData>) -> Self {
        Self::Disk(value)
    }
}

/// `{name, uuid}` of a referenced entity (cluster, host, project, owner, subnet, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EntityRef {
    /// Display name (from the reference, else from the known cluster names).
    #[serde(skip_serializing_if = "blank")]
    pub name: Option<Text>,
    /// UUID.
    #[serde(skip_serializing_if = "blank")]
    pub uuid: Option<Text>,
}

impl EntityRef {
    /// A reference from optional texts; `None` when both are absent or empty.
    pub fn new(uuid: Option<&str>, name: Option<&str>) -> Option<Self> {
        let r = Self {
            name: text(name),
            uuid: text(uuid),
        };
        (!r.is_empty()).then_some(r)
    }

    /// Whether it would serialise as `{}`.
    pub fn is_empty(&self) -> bool {
        blank(&self.name) && blank(&self.uuid)
    }

    /// The non-empty name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref().filter(|s| !s.is_empty())
    }
}

/// `{kind, uuid}` of a data source reference (disk images and clones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KindRef {
    /// Kind of the referenced entity (`image`, `vm_disk`, ...).
    #[serde(skip_serializing_if = "blank")]
    pub kind: Option<Text>,
    /// UUID of the referenced entity.
    #[serde(skip_serializing_if = "blank")]
    pub uuid: Option<Text>,
}

impl KindRef {
    /// Whether it would serialise as `{}`.
    pub fn is_empty(&self) -> bool {
        blank(&self.kind) && blank(&self.uuid)
    }
}

/// One row `{key, value}` of the categories table of the detail tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CategoryRow {
    /// Category key (shared by the rows of one key).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub key: Text,
    /// One value of the category.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub value: Text,
}

impl CategoryRow {
    /// A row.
    pub fn new(key: &str, value: &str) -> Self {
        Self {
            key: Text::new(key),
            value: Text::new(value),
        }
    }
}

/// Serde skip rule of optional texts: absent or empty.
pub(crate) fn blank(v: &Option<Text>) -> bool {
    v.as_deref().is_none_or(str::is_empty)
}

/// A shared copy of a text, `None` when absent or empty.
pub(crate) fn text(s: Option<&str>) -> Option<Text> {
    s.filter(|s| !s.is_empty()).map(Text::new)
}

/// A text for an enum wire value: the common Prism values are static (no allocation), other
/// values are copied. `None` when absent or empty.
pub(crate) fn wire(s: Option<&str>) -> Option<Text> {
    let s = s.filter(|s| !s.is_empty())?;
    Some(known(s).map_or_else(|| Text::new(s), Text::from_static))
}

/// Declares [`KNOWN`] and [`known`] from one list, so the two cannot drift apart.
macro_rules! known_texts {
    ($($text:literal),+ $(,)?) => {
        /// Wire texts of the Prism enums the VM mapping copies (power state, device and
        /// adapter types, NIC types and models, VLAN modes, hypervisors, machine and boot
        /// types, data source kinds).
        #[cfg(test)]
        const KNOWN: &[&str] = &[$($text),+];

        /// The static copy of a known wire text (a `match`: length first, then bytes).
        fn known(s: &str) -> Option<&'static str> {
            match s {
                $($text => Some($text),)+
                _ => None,
            }
        }
    };
}

known_texts!(
    "ACCESS",
    "AHV",
    "CDROM",
    "COMPLETE",
    "DIRECT_NIC",
    "DISK",
    "E1000",
    "ENABLED",
    "ERROR",
    "ESX",
    "HYPERV",
    "HyperV",
    "IDE",
    "LEGACY",
    "NETWORK_FUNCTION_NIC",
    "NORMAL_NIC",
    "OFF",
    "ON",
    "PAUSED",
    "PC",
    "PCI",
    "PENDING",
    "PSERIES",
    "Q35",
    "SATA",
    "SCSI",
    "SECURE_BOOT",
    "SPAN_DESTINATION_NIC",
    "SPAPR",
    "TRUNKED",
    "UEFI",
    "UNKNOWN",
    "VIRTIO",
    "VOLUME_GROUP",
    "image",
    "vm",
    "vm_disk",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_texts_are_sorted_and_borrowed() {
        assert!(
            KNOWN.is_sorted(),
            "KNOWN must stay sorted for binary search"
        );
        assert!(matches!(
            wire(Some("NEW_KIND")),
            Some(Text(TextRepr::Inline(_)))
        ));
        assert_eq!(wire(Some("")), None);
        assert_eq!(wire(None), None);
    }

    #[test]
    fn texts_of_every_length_round_trip() {
        let long = "é".repeat(40);
        for s in [
            "",
            "a",
            "0005b0f1-8f43-a0f2-02b7-3cecef193712",
            &long[..38],
            &long[..40],
            &long,
        ] {
            let t = Text::new(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(t.clone(), Text::from(s.to_owned()));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                serde_json::to_string(s).unwrap()
            );
            let inline = matches!(t.0, TextRepr::Inline(_));
            assert_eq!(inline, s.len() <= Text::INLINE, "{s:?}");
        }
        assert_eq!(Text::from_static("ON"), Text::new("ON"));
        assert!(Text::new("a") < Text::from_static("b"));
        assert_eq!(
            format!("{:?} {}", Text::new("x"), Text::new("y")),
            "\"x\" y"
        );
    }

    #[test]
    fn empty_fields_are_skipped() {
        let r = EntityRef {
            name: Some(Text::from_static("")),
            uuid: Some(Text::new("u")),
        };
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"uuid":"u"}"#);
        assert_eq!(EntityRef::new(Some(""), None), None);
        let row = CategoryRow::new("", "v");
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"value":"v"}"#);
        assert!(KindRef::default().is_empty());
    }

    #[test]
    fn cluster_name_of_every_variant() {
        let json = ServiceData::from(serde_json::json!({"cluster": {"name": "pe"}}));
        assert_eq!(json.cluster_name(), Some("pe"));
        assert_eq!(ServiceData::empty().cluster_name(), None);
        assert_eq!(
            serde_json::to_string(&ServiceData::default()).unwrap(),
            "{}"
        );
    }
}
