//! [`ResourceRecord`]: one `ResourceInfo` of the inventory `Collector.collect` stream.

use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::resource::{CloudService, CloudServiceType, ErrorResource, PROVIDER, Region};

/// `ResourceInfo.state`. Always set explicitly: an unset state (`NONE`) vanishes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum State {
    /// The record is a resource to create or update (`SUCCESS = 4`).
    #[serde(rename = "SUCCESS")]
    Success,
    /// The record reports an error (`FAILURE = 5`), logged as a job-task error.
    #[serde(rename = "FAILURE")]
    Failure,
}

impl State {
    /// The proto enum number of `ResourceInfo.State`.
    pub fn proto_value(self) -> i32 {
        match self {
            Self::Success => 4,
            Self::Failure => 5,
        }
    }
}

/// `ResourceInfo.resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum ResourceType {
    /// `inventory.CloudServiceType`.
    #[serde(rename = "inventory.CloudServiceType")]
    CloudServiceType,
    /// `inventory.CloudService`.
    #[serde(rename = "inventory.CloudService")]
    CloudService,
    /// `inventory.Region`.
    #[serde(rename = "inventory.Region")]
    Region,
    /// `inventory.ErrorResource`.
    #[serde(rename = "inventory.ErrorResource")]
    ErrorResource,
}

impl ResourceType {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CloudServiceType => "inventory.CloudServiceType",
            Self::CloudService => "inventory.CloudService",
            Self::Region => "inventory.Region",
            Self::ErrorResource => "inventory.ErrorResource",
        }
    }

    /// The match rules CloudForet's inventory uses for this resource type (static: building
    /// them allocates nothing).
    pub fn match_rules(self) -> MatchRules {
        const TYPE: &[&[&str]] = &[&["name", "group", "provider"]];
        const SERVICE: &[&[&str]] = &[&[
            "reference.resource_id",
            "provider",
            "cloud_service_type",
            "cloud_service_group",
        ]];
        const REGION: &[&[&str]] = &[&["provider", "region_code"]];
        MatchRules(Cow::Borrowed(match self {
            Self::CloudServiceType => TYPE,
            Self::CloudService | Self::ErrorResource => SERVICE,
            Self::Region => REGION,
        }))
    }
}

/// `ResourceInfo.match_rules`: `{"1": [keys...], "2": [...]}`, tried in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRules(Cow<'static, [&'static [&'static str]]>);

impl MatchRules {
    /// One rule (`"1"`) with the given dotted keys.
    pub fn single(keys: &'static [&'static str]) -> Self {
        Self(Cow::Owned(vec![keys]))
    }

    /// The keys of rule `n` (1-based), if present.
    pub fn rule(&self, n: u32) -> Option<&'static [&'static str]> {
        let index = usize::try_from(n.checked_sub(1)?).ok()?;
        self.0.get(index).copied()
    }
}

impl Serialize for MatchRules {
    /// A map from the rule number (as text, ascending) to its keys.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        const DIGITS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
        if self.0.len() <= DIGITS.len() {
            // "1".."9" sort as text in numeric order
            for (n, keys) in DIGITS.iter().zip(self.0.iter()) {
                map.serialize_entry(n, keys)?;
            }
        } else {
            // rule numbers as keys sort as text ("10" < "2"), as in a canonical JSON object
            let mut numbered: Vec<(String, &[&str])> = self
                .0
                .iter()
                .enumerate()
                .map(|(i, keys)| ((i + 1).to_string(), *keys))
                .collect();
            numbered.sort_by(|a, b| a.0.cmp(&b.0));
            for (n, keys) in numbered {
                map.serialize_entry(&n, keys)?;
            }
        }
        map.end()
    }
}

/// The `resource` payload of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Resource {
    /// A cloud service type.
    CloudServiceType(Box<CloudServiceType>),
    /// A cloud service.
    CloudService(Box<CloudService>),
    /// A region.
    Region(Region),
    /// The failed kind of an error record.
    Error(ErrorResource),
}

/// One record of the `Collector.collect` stream, serialising exactly as the inventory reads it.
///
/// `state` serialises as `"SUCCESS"`/`"FAILURE"`; the plugin converts it to the proto enum with
/// [`State::proto_value`] and the other fields to `google.protobuf.Struct` from [`Self::to_json`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ResourceRecord {
    /// Match rules for this resource type.
    pub match_rules: MatchRules,
    /// Error text (FAILURE records only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The resource itself.
    pub resource: Resource,
    /// The inventory resource type.
    pub resource_type: ResourceType,
    /// `SUCCESS` for resources, `FAILURE` for errors.
    pub state: State,
}

impl ResourceRecord {
    /// A `SUCCESS` record for a cloud service type.
    pub fn cloud_service_type(t: CloudServiceType) -> Self {
        Self::success(
            ResourceType::CloudServiceType,
            Resource::CloudServiceType(Box::new(t)),
        )
    }

    /// A `SUCCESS` record for a cloud service.
    ///
    /// # Errors
    /// [`Error::MissingResourceId`] when `reference.resource_id` is empty: CloudForet would use
    /// the remaining keys only and update the wrong resource.
    pub fn cloud_service(s: CloudService) -> Result<Self> {
        if s.reference.resource_id.trim().is_empty() {
            return Err(Error::MissingResourceId {
                cloud_service_group: s.cloud_service_group.into_owned(),
                cloud_service_type: s.cloud_service_type.into_owned(),
                name: s.name.map(|n| n.to_string()),
            });
        }
        Ok(Self::success(
            ResourceType::CloudService,
            Resource::CloudService(Box::new(s)),
        ))
    }

    /// A `SUCCESS` record for a region.
    ///
    /// # Errors
    /// [`Error::MissingRegionCode`] when `region_code` is empty.
    pub fn region(r: Region) -> Result<Self> {
        if r.region_code.trim().is_empty() {
            return Err(Error::MissingRegionCode {
                name: Some(r.name).filter(|n| !n.is_empty()),
            });
        }
        Ok(Self::success(ResourceType::Region, Resource::Region(r)))
    }

    /// A `FAILURE` record (`inventory.ErrorResource`) for a failed kind or Prism Central.
    ///
    /// `group`/`type_name` name the cloud service type that could not be collected (both `None`
    /// for a failure of the whole Prism Central).
    pub fn error(
        group: Option<&'static str>,
        type_name: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            state: State::Failure,
            message: Some(if message.is_empty() {
                "unknown error".to_owned()
            } else {
                message
            }),
            resource_type: ResourceType::ErrorResource,
            match_rules: ResourceType::ErrorResource.match_rules(),
            resource: Resource::Error(ErrorResource {
                resource_type: Cow::Borrowed(ResourceType::CloudService.as_str()),
                provider: Cow::Borrowed(PROVIDER),
                cloud_service_group: group.map(Cow::Borrowed),
                cloud_service_type: type_name.map(Cow::Borrowed),
            }),
        }
    }

    fn success(resource_type: ResourceType, resource: Resource) -> Self {
        Self {
            state: State::Success,
            message: None,
            match_rules: resource_type.match_rules(),
            resource_type,
            resource,
        }
    }

    /// The record as canonical JSON (sorted keys): the input for the plugin's `Struct` conversion.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails (it cannot for the types of this crate, but
    /// non-finite floats are rejected by serde_json).
    pub fn to_json(&self) -> Result<Value> {
        Ok(crate::json::canonicalize(serde_json::to_value(self)?))
    }

    /// The record as a compact canonical JSON string (byte-identical for identical input).
    ///
    /// # Errors
    /// As [`Self::to_json`].
    pub fn to_json_string(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.to_json()?)?)
    }

    /// The resource as canonical JSON (the `resource` Struct alone).
    ///
    /// # Errors
    /// As [`Self::to_json`].
    pub fn resource_json(&self) -> Result<Value> {
        Ok(crate::json::canonicalize(serde_json::to_value(
            &self.resource,
        )?))
    }

    /// The match rules as canonical JSON.
    ///
    /// # Errors
    /// As [`Self::to_json`].
    pub fn match_rules_json(&self) -> Result<Value> {
        Ok(serde_json::to_value(&self.match_rules)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use crate::resource::CloudServiceReference;
    use serde_json::json;

    fn service(id: &str) -> CloudService {
        CloudService {
            name: Some("vm-a".into()),
            provider: PROVIDER.into(),
            cloud_service_group: "Compute".into(),
            cloud_service_type: "VirtualMachine".into(),
            account: None,
            instance_type: None,
            instance_size: None,
            ip_addresses: vec![],
            region_code: None,
            reference: CloudServiceReference {
                resource_id: id.into(),
                external_link: None,
            },
            tags: BTreeMap::new(),
            data: json!({}).into(),
            metadata: None,
        }
    }

    #[test]
    fn cloud_service_record_has_explicit_state_and_match_rules() {
        let r = ResourceRecord::cloud_service(service("u-1"))
            .unwrap()
            .to_json()
            .unwrap();
        assert_eq!(r["state"], "SUCCESS");
        assert_eq!(r["resource_type"], "inventory.CloudService");
        assert_eq!(
            r["match_rules"],
            json!({"1": ["reference.resource_id", "provider", "cloud_service_type", "cloud_service_group"]})
        );
        assert!(r.get("message").is_none());
        assert_eq!(r["resource"]["reference"], json!({"resource_id": "u-1"}));
        assert!(
            r["resource"].get("account").is_none(),
            "empty fields are skipped"
        );
    }

    #[test]
    fn empty_resource_id_is_refused() {
        for id in ["", "  "] {
            let err = ResourceRecord::cloud_service(service(id)).unwrap_err();
            assert!(err.to_string().contains("reference.resource_id"), "{err}");
            assert!(err.to_string().contains("vm-a"), "{err}");
        }
    }

    #[test]
    fn region_without_code_is_refused() {
        let mut r = Region::new("x", Some("c"));
        r.region_code = String::new();
        assert!(matches!(
            ResourceRecord::region(r),
            Err(Error::MissingRegionCode { .. })
        ));
    }

    #[test]
    fn region_record_shape() {
        let r = ResourceRecord::region(Region::new("c-1", None))
            .unwrap()
            .to_json()
            .unwrap();
        assert_eq!(
            r,
            json!({"state": "SUCCESS", "resource_type": "inventory.Region",
                   "match_rules": {"1": ["provider", "region_code"]},
                   "resource": {"name": "c-1", "region_code": "c-1", "provider": "nutanix"}})
        );
    }

    #[test]
    fn error_record_shape() {
        let r = ResourceRecord::error(Some("Compute"), Some("Host"), "boom")
            .to_json()
            .unwrap();
        assert_eq!(r["state"], "FAILURE");
        assert_eq!(r["message"], "boom");
        assert_eq!(r["resource_type"], "inventory.ErrorResource");
        assert_eq!(
            r["resource"],
            json!({"resource_type": "inventory.CloudService", "provider": "nutanix",
                   "cloud_service_group": "Compute", "cloud_service_type": "Host"})
        );
        let pc = ResourceRecord::error(None, None, "").to_json().unwrap();
        assert_eq!(pc["message"], "unknown error");
        assert!(pc["resource"].get("cloud_service_group").is_none());
    }

    #[test]
    fn proto_state_values() {
        assert_eq!(State::Success.proto_value(), 4);
        assert_eq!(State::Failure.proto_value(), 5);
    }
}
