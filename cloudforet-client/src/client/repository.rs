//! Repository v1: plugin registration.

use super::call::Idempotency;
use super::{CloudForetClient, MAX_MESSAGE_SIZE, Service};
use crate::error::Result;
use crate::proto::spaceone::api::repository::v1 as repository;

impl CloudForetClient {
    /// `Plugin.register`: registers a plugin image (`resource_type` is one of
    /// `inventory.Collector`, `cost_analysis.DataSource`, `monitoring.DataSource`,
    /// `notification.Protocol`). Build `capability`, `tags` and `docs` with
    /// [`crate::value::to_struct`], `labels` with [`crate::value::json_to_list`].
    ///
    /// # Errors
    ///
    /// [`Error::Status`](crate::Error::Status) (e.g. `ERROR_NOT_UNIQUE` for an existing plugin
    /// id) or a transport error. Not retried.
    pub async fn register_plugin(
        &self,
        request: repository::RegisterPluginRequest,
    ) -> Result<repository::PluginInfo> {
        self.unary(
            Service::Repository,
            "Plugin.register",
            Idempotency::NotIdempotent,
            request,
            |ch, req| async move {
                repository::plugin_client::PluginClient::new(ch)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE)
                    .register(req)
                    .await
            },
        )
        .await
    }
}
