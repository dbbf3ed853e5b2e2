//! `spaceone.api.core.v1.ServerInfo`, answered by every plugin server built with the kit.

use crate::proto::spaceone::api::core::v1::VersionInfo;
use crate::proto::spaceone::api::core::v1::server_info_server::{ServerInfo, ServerInfoServer};

/// Implementation of `ServerInfo.get_version` returning a fixed version string.
#[derive(Debug, Clone)]
pub struct VersionService {
    version: String,
}

impl VersionService {
    /// A service answering `version`.
    pub fn new(version: impl Into<String>) -> Self {
        Self {
            version: version.into(),
        }
    }

    /// Wraps the service in its generated tonic server.
    pub fn into_server(self) -> ServerInfoServer<Self> {
        ServerInfoServer::new(self)
    }
}

#[tonic::async_trait]
impl ServerInfo for VersionService {
    async fn get_version(
        &self,
        _request: tonic::Request<()>,
    ) -> Result<tonic::Response<VersionInfo>, tonic::Status> {
        Ok(tonic::Response::new(VersionInfo {
            version: self.version.clone(),
        }))
    }
}
