//! The project entity (Self-Service / Calm projects).

use serde::{Deserialize, Serialize};

use super::de;
use super::{Entity, ErrorMessage, ExecutionContext, Metadata, Reference};

/// An entry of `resource_domain.resources`: a quota.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ResourceLimit {
    /// `VCPUS`, `MEMORY`, `STORAGE`, ...
    #[serde(deserialize_with = "de::text")]
    pub resource_type: Option<String>,
    /// The limit.
    #[serde(deserialize_with = "de::int")]
    pub limit: Option<i64>,
    /// Unit (`COUNT`, `BYTES`, ...).
    #[serde(deserialize_with = "de::text")]
    pub units: Option<String>,
    /// Current usage.
    #[serde(deserialize_with = "de::int")]
    pub value: Option<i64>,
}

/// `resource_domain` of a project.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ResourceDomain {
    /// Quotas.
    #[serde(deserialize_with = "de::list")]
    pub resources: Vec<ResourceLimit>,
}

/// `spec.resources` / `status.resources` of a project.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ProjectResources {
    /// Quotas.
    #[serde(deserialize_with = "de::object")]
    pub resource_domain: Option<ResourceDomain>,
    /// Default subnet.
    #[serde(deserialize_with = "de::object")]
    pub default_subnet_reference: Option<Reference>,
    /// Allowed subnets.
    #[serde(deserialize_with = "de::list")]
    pub subnet_reference_list: Vec<Reference>,
    /// Member users.
    #[serde(deserialize_with = "de::list")]
    pub user_reference_list: Vec<Reference>,
    /// Member groups from directories.
    #[serde(deserialize_with = "de::list")]
    pub external_user_group_reference_list: Vec<Reference>,
    /// Accounts.
    #[serde(deserialize_with = "de::list")]
    pub account_reference_list: Vec<Reference>,
    /// Environments.
    #[serde(deserialize_with = "de::list")]
    pub environment_reference_list: Vec<Reference>,
    /// Allowed clusters.
    #[serde(deserialize_with = "de::list")]
    pub cluster_reference_list: Vec<Reference>,
    /// Whether this is the default project.
    #[serde(deserialize_with = "de::boolean")]
    pub is_default: Option<bool>,
}

/// `spec` of a project.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ProjectSpec {
    /// Name.
    #[serde(deserialize_with = "de::text")]
    pub name: Option<String>,
    /// Description.
    #[serde(deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Resources.
    #[serde(deserialize_with = "de::object")]
    pub resources: Option<ProjectResources>,
}

/// `status` of a project.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ProjectStatus {
    /// Name.
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
    pub resources: Option<ProjectResources>,
}

/// A project (`POST /projects/list`, `GET /projects/{uuid}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Project {
    /// API version.
    #[serde(deserialize_with = "de::text")]
    pub api_version: Option<String>,
    /// Metadata.
    #[serde(deserialize_with = "de::object")]
    pub metadata: Option<Metadata>,
    /// Desired state.
    #[serde(deserialize_with = "de::object")]
    pub spec: Option<ProjectSpec>,
    /// Observed state.
    #[serde(deserialize_with = "de::object")]
    pub status: Option<ProjectStatus>,
}

impl Entity for Project {
    const KIND: &'static str = "project";
    const PATH: &'static str = "projects";

    fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_ref()
    }
}

impl Project {
    /// `status.resources`, else `spec.resources`.
    pub fn resources(&self) -> Option<&ProjectResources> {
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

    /// Whether this is the default project (`is_default`, false when absent).
    pub fn is_default(&self) -> bool {
        self.resources().and_then(|r| r.is_default).unwrap_or(false)
    }
}
