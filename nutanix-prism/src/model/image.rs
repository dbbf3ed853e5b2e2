//! The image entity (disk images and ISOs).

use serde::{Deserialize, Serialize};

use super::de;
use super::macros::string_enum;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

string_enum! {
    /// Kind of image.
    pub enum ImageType {
        /// A disk image.
        DiskImage => "DISK_IMAGE",
        /// An ISO image.
        IsoImage => "ISO_IMAGE",
    }
}

string_enum! {
    /// CPU architecture of an image.
    pub enum Architecture {
        /// x86-64.
        X86_64 => "X86_64",
        /// POWER big-endian.
        Ppc64 => "PPC64",
        /// POWER little-endian.
        Ppc64le => "PPC64LE",
    }
}

string_enum! {
    /// Checksum algorithm.
    pub enum ChecksumAlgorithm {
        /// SHA-256.
        Sha256 => "SHA_256",
        /// SHA-1.
        Sha1 => "SHA_1",
    }
}

/// `checksum` of an image.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Checksum {
    /// Algorithm.
    #[serde(deserialize_with = "de::enumeration")]
    pub checksum_algorithm: Option<ChecksumAlgorithm>,
    /// Hex digest.
    #[serde(deserialize_with = "de::text")]
    pub checksum_value: Option<String>,
}

/// `version` of an image.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImageVersion {
    /// Product name.
    #[serde(deserialize_with = "de::text")]
    pub product_name: Option<String>,
    /// Product version.
    #[serde(deserialize_with = "de::text")]
    pub product_version: Option<String>,
}

/// `spec.resources` / `status.resources` of an image.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImageResources {
    /// Disk image or ISO.
    #[serde(deserialize_with = "de::enumeration")]
    pub image_type: Option<ImageType>,
    /// Size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub size_bytes: Option<i64>,
    /// Where the image was imported from.
    #[serde(deserialize_with = "de::text")]
    pub source_uri: Option<String>,
    /// CPU architecture.
    #[serde(deserialize_with = "de::enumeration")]
    pub architecture: Option<Architecture>,
    /// Checksum.
    #[serde(deserialize_with = "de::object")]
    pub checksum: Option<Checksum>,
    /// Download URIs.
    #[serde(deserialize_with = "de::text_list")]
    pub retrieval_uri_list: Vec<String>,
    /// Clusters holding a copy.
    #[serde(deserialize_with = "de::list")]
    pub current_cluster_reference_list: Vec<Reference>,
    /// Placement policy references, kept as raw JSON.
    #[serde(deserialize_with = "de::list")]
    pub initial_placement_ref_list: Vec<serde_json::Value>,
    /// Product version.
    #[serde(deserialize_with = "de::object")]
    pub version: Option<ImageVersion>,
}

/// `spec` of an image.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImageSpec {
    /// Image name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<ImageResources>,
}

/// `status` of an image.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImageStatus {
    /// Image name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Intent state.
    #[serde(deserialize_with = "de::text")]
    pub state: Option<String>,
    /// Messages when `state` is `ERROR`.
    #[serde(deserialize_with = "de::list")]
    pub message_list: Vec<ErrorMessage>,
    /// Task(s) behind the state.
    #[serde(deserialize_with = "de::object")]
    pub execution_context: Option<ExecutionContext>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<ImageResources>,
}

/// An image (`POST /images/list`, `GET /images/{uuid}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Image {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<ImageSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<ImageStatus>,
}

impl Entity for Image {
    const KIND: &'static str = "image";
    const PATH: &'static str = "images";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Image {
    fn pick<'a, T>(&'a self, f: impl Fn(&'a ImageResources) -> Option<T>) -> Option<T> {
        let status = self.status.as_ref().and_then(|s| s.resources.as_ref());
        let spec = self.spec.as_ref().and_then(|s| s.resources.as_ref());
        status.and_then(&f).or_else(|| spec.and_then(&f))
    }

    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&ImageResources> {
        self.status
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.resources.as_ref()))
    }

    /// `metadata.uuid` (an empty string counts as absent).
    pub fn uuid(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.uuid.as_deref())
            .filter(|u| !u.is_empty())
    }

    /// `status.name`, else `spec.name`, else `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.name.as_deref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.name.as_deref()))
            .or_else(|| self.metadata.as_ref().and_then(|m| m.name.as_deref()))
    }

    /// `status.description`, else `spec.description`.
    pub fn description(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.description.as_deref())
            .or_else(|| self.spec.as_ref().and_then(|s| s.description.as_deref()))
    }

    /// `size_bytes` (status, else spec); `None` when absent or negative.
    pub fn size_bytes(&self) -> Option<u64> {
        self.pick(|r| r.size_bytes.and_then(|b| u64::try_from(b).ok()))
    }

    /// Disk image or ISO.
    pub fn image_type(&self) -> Option<&ImageType> {
        self.pick(|r| r.image_type.as_ref())
    }

    /// Clusters holding a copy of the image (status, else spec).
    pub fn cluster_references(&self) -> &[Reference] {
        self.resources()
            .map(|r| r.current_cluster_reference_list.as_slice())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_size_and_type() {
        let i: Image = serde_json::from_value(serde_json::json!({
            "spec":{"name":"ubuntu","resources":{"image_type":"ISO_IMAGE"}},
            "status":{"resources":{"size_bytes":"123","image_type":"DISK_IMAGE"}}}))
        .unwrap();
        assert_eq!(i.size_bytes(), Some(123));
        assert_eq!(i.image_type(), Some(&ImageType::DiskImage));
        assert_eq!(i.name(), Some("ubuntu"));
    }
}
