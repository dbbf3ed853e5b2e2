//! List requests and responses shared by every `POST /<kind>/list` endpoint.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::de::{self, ListShape, ListVisitor};

/// Sort direction of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SortOrder {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// Body of a `POST /<kind>/list` request (`<kind>_list_metadata` in the v3 spec).
///
/// Every field is optional on the wire. Note that Prism's default `length` is **20**: the
/// client always sends an explicit length for paged kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListRequest {
    /// The entity kind, e.g. `"vm"`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub kind: Option<String>,
    /// Index of the first entity to return.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub offset: Option<i64>,
    /// Page size; Prism defaults to 20 and silently clamps large values (about 500).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub length: Option<i64>,
    /// FIQL filter using IDF attribute names (`vm_name==foo;power_state==on`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub filter: Option<String>,
    /// IDF attribute to sort by.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub sort_attribute: Option<String>,
    /// Sort direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
}

impl ListRequest {
    /// A request for `kind` with no paging fields set.
    pub fn new(kind: impl Into<String>) -> Self {
        Self {
            kind: Some(kind.into()),
            ..Self::default()
        }
    }

    /// Sets `offset`.
    #[must_use]
    pub fn offset(mut self, offset: i64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Sets `length` (page size).
    #[must_use]
    pub fn length(mut self, length: i64) -> Self {
        self.length = Some(length);
        self
    }

    /// Sets the FIQL `filter`.
    #[must_use]
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets `sort_attribute` and `sort_order`.
    #[must_use]
    pub fn sort(mut self, attribute: impl Into<String>, order: SortOrder) -> Self {
        self.sort_attribute = Some(attribute.into());
        self.sort_order = Some(order);
        self
    }
}

/// The `metadata` block of a list response. Every field may be absent in real bodies
/// (`clusters/list` omits `length` and `offset`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListMetadata {
    /// Entity kind of the page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub kind: Option<String>,
    /// Offset echoed by the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub offset: Option<i64>,
    /// Number of entities in this page (as reported; may disagree with the body).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub length: Option<i64>,
    /// Number of entities matching the request across all pages (as reported; may be wrong).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::int"
    )]
    pub total_matches: Option<i64>,
    /// Filter echoed by the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub filter: Option<String>,
    /// Sort attribute echoed by the server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub sort_attribute: Option<String>,
    /// Sort order echoed by the server (kept as text: servers echo odd values).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::text"
    )]
    pub sort_order: Option<String>,
}

/// One page of a `POST /<kind>/list` response.
///
/// The body must be a JSON object: anything else (an array such as `[]` from a misbehaving proxy,
/// `null`, a string) is a decode error rather than an empty page, because an empty page would
/// read as "no entities" and CloudForet deletes resources it stops seeing.
///
/// An `entities` member that is present but neither an array nor `null` decodes as an empty
/// list and is reported by [`ListResponse::malformed_entities`]; the client's listing turns such
/// a page into an error whenever entities may remain (see `PrismClient::list_all`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound(serialize = "T: Serialize"))]
#[non_exhaustive]
pub struct ListResponse<T> {
    /// API version, usually `"3.1"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Paging metadata; empty when absent, `null` or not an object.
    pub metadata: ListMetadata,
    /// The entities of this page; empty when absent, `null` or not an array (elements that are
    /// not objects are dropped).
    pub entities: Vec<T>,
    /// What `entities` was on the wire when it was neither an array nor `null` ("an object").
    #[serde(skip)]
    entities_malformed: Option<&'static str>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListResponse<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The members of a list response this crate reads.
        enum Member {
            ApiVersion,
            Metadata,
            Entities,
            Other,
        }

        impl<'de> Deserialize<'de> for Member {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct MemberVisitor;

                impl serde::de::Visitor<'_> for MemberVisitor {
                    type Value = Member;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a member name")
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Member, E> {
                        Ok(match v {
                            "api_version" => Member::ApiVersion,
                            "metadata" => Member::Metadata,
                            "entities" => Member::Entities,
                            _ => Member::Other,
                        })
                    }
                }

                d.deserialize_identifier(MemberVisitor)
            }
        }

        /// `entities` with its wire shape. Not pre-sized from `metadata.length`: a page-sized
        /// allocation up front defeats glibc's heap reuse (measured slower than growing).
        struct Entities<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Entities<T> {
            type Value = (Vec<T>, ListShape);

            fn deserialize<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_any(ListVisitor::new())
            }
        }

        /// `api_version` through the lenient text decoder.
        struct ApiVersion(Option<String>);

        impl<'de> Deserialize<'de> for ApiVersion {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                de::text(d).map(ApiVersion)
            }
        }

        /// `metadata` through the lenient object decoder.
        struct Meta(ListMetadata);

        impl<'de> Deserialize<'de> for Meta {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                de::object_or_default(d).map(Meta)
            }
        }

        struct ObjectOnly<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
            type Value = ListResponse<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object (a v3 list response)")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut api_version = None;
                let mut metadata = None;
                let mut entities = None;
                while let Some(member) = map.next_key::<Member>()? {
                    match member {
                        Member::ApiVersion => {
                            if api_version.is_some() {
                                return Err(serde::de::Error::duplicate_field("api_version"));
                            }
                            api_version = Some(map.next_value::<ApiVersion>()?.0);
                        }
                        Member::Metadata => {
                            if metadata.is_some() {
                                return Err(serde::de::Error::duplicate_field("metadata"));
                            }
                            metadata = Some(map.next_value::<Meta>()?.0);
                        }
                        Member::Entities => {
                            if entities.is_some() {
                                return Err(serde::de::Error::duplicate_field("entities"));
                            }
                            entities = Some(map.next_value_seed(Entities::<T>(PhantomData))?);
                        }
                        Member::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let (entities, shape) = entities.unwrap_or((Vec::new(), ListShape::Null));
                let entities_malformed = match shape {
                    ListShape::Array | ListShape::Null => None,
                    other => Some(other.phrase()),
                };
                Ok(ListResponse {
                    api_version: api_version.flatten(),
                    metadata: metadata.unwrap_or_default(),
                    entities,
                    entities_malformed,
                })
            }
        }

        deserializer.deserialize_map(ObjectOnly(PhantomData))
    }
}

impl<T> Default for ListResponse<T> {
    fn default() -> Self {
        Self {
            api_version: None,
            metadata: ListMetadata::default(),
            entities: Vec::new(),
            entities_malformed: None,
        }
    }
}

impl<T> ListResponse<T> {
    /// Builds a page from its parts (used by tests and the simulator).
    pub fn new(metadata: ListMetadata, entities: Vec<T>) -> Self {
        Self {
            api_version: Some("3.1".to_owned()),
            metadata,
            entities,
            entities_malformed: None,
        }
    }

    /// How `entities` was malformed: `Some("an object")`, `Some("a string")`, ... when the body's
    /// `entities` was present but neither an array nor `null` (the page then holds no
    /// entities); `None` for an array, `null` or an absent member.
    ///
    /// ```
    /// use nutanix_prism::model::{ListResponse, Vm};
    ///
    /// let page: ListResponse<Vm> = serde_json::from_str(r#"{"entities": {"oops": 1}}"#).unwrap();
    /// assert!(page.entities.is_empty());
    /// assert_eq!(page.malformed_entities(), Some("an object"));
    /// let page: ListResponse<Vm> = serde_json::from_str(r#"{"entities": null}"#).unwrap();
    /// assert_eq!(page.malformed_entities(), None);
    /// ```
    pub fn malformed_entities(&self) -> Option<&'static str> {
        self.entities_malformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_not_an_object_is_an_error_not_an_empty_page() {
        for body in ["[]", "null", "\"ok\"", "[{}]", "42"] {
            let err = serde_json::from_str::<ListResponse<serde_json::Value>>(body).unwrap_err();
            assert!(err.to_string().contains("JSON object"), "{body}: {err}");
        }
    }

    #[test]
    fn empty_object_decodes_to_an_empty_page() {
        let page: ListResponse<serde_json::Value> = serde_json::from_str("{}").unwrap();
        assert!(page.entities.is_empty());
        assert_eq!(page.metadata, ListMetadata::default());
    }

    #[test]
    fn null_entities_and_metadata_decode_to_defaults() {
        let page: ListResponse<serde_json::Value> =
            serde_json::from_str(r#"{"metadata":null,"entities":null}"#).unwrap();
        assert!(page.entities.is_empty());
        assert_eq!(page.metadata.total_matches, None);
    }

    #[test]
    fn entities_of_another_shape_are_empty_and_reported() {
        let cases = [
            (r#"{"entities":{"a":1}}"#, Some("an object")),
            (r#"{"entities":"none"}"#, Some("a string")),
            (r#"{"entities":0}"#, Some("a number")),
            (r#"{"entities":-1.5}"#, Some("a number")),
            (r#"{"entities":false}"#, Some("a boolean")),
            (r#"{"entities":null}"#, None),
            (r#"{"entities":[]}"#, None),
            (r#"{"entities":[1,"x",null]}"#, None),
            (r#"{"metadata":{"total_matches":3}}"#, None),
        ];
        for (body, want) in cases {
            let page: ListResponse<serde_json::Value> = serde_json::from_str(body).unwrap();
            assert!(page.entities.is_empty(), "{body}");
            assert_eq!(page.malformed_entities(), want, "{body}");
        }
    }

    #[test]
    fn members_decode_in_any_order_and_unknown_members_are_skipped() {
        let page: ListResponse<serde_json::Value> = serde_json::from_str(
            r#"{"entities":[{"a":1},2,{"b":2}],"extra":{"x":[1,{"y":null}]},
                "metadata":{"total_matches":"2","length":2},"api_version":3.1}"#,
        )
        .unwrap();
        assert_eq!(page.entities.len(), 2, "non-object elements are dropped");
        assert_eq!(page.metadata.total_matches, Some(2));
        assert_eq!(page.api_version.as_deref(), Some("3.1"));
        assert_eq!(page.malformed_entities(), None);
        let page: ListResponse<serde_json::Value> =
            serde_json::from_str(r#"{"metadata":[1],"api_version":{}}"#).unwrap();
        assert_eq!(page.metadata, ListMetadata::default());
        assert_eq!(page.api_version, None);
    }

    #[test]
    fn duplicate_members_are_an_error() {
        for body in [
            r#"{"entities":[],"entities":[]}"#,
            r#"{"metadata":{},"metadata":{}}"#,
            r#"{"api_version":"3.1","api_version":"3.1"}"#,
        ] {
            let err = serde_json::from_str::<ListResponse<serde_json::Value>>(body).unwrap_err();
            assert!(err.to_string().contains("duplicate field"), "{body}: {err}");
        }
    }

    #[test]
    fn a_decoded_page_equals_the_built_one() {
        let built = ListResponse::new(ListMetadata::default(), vec![serde_json::json!({"a": 1})]);
        let json = serde_json::to_string(&built).unwrap();
        let back: ListResponse<serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, built);
    }

    #[test]
    fn list_request_omits_unset_fields() {
        let body = serde_json::to_value(ListRequest::new("vm").offset(0).length(500)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"kind":"vm","offset":0,"length":500})
        );
    }
}
