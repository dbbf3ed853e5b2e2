//! [`Connector`]: how the cost and monitoring plugins turn a request's `secret_data` and
//! `options` into Prism Central clients, and verify them.
//!
//! The services are generic over it so that the secret and options rules live in one place
//! (the shared glue) and tests can supply their own.

use cloudforet_client::server::PluginError;
use collector_core::context::PrismCentral;
use nutanix_prism::PrismClient;
use serde_json::Value;

/// One Prism Central of a secret, ready to be queried.
#[derive(Debug, Clone)]
pub struct PrismTarget {
    /// The value `task_options.prism_central` carries to find this entry again (the address
    /// as configured in the secret).
    pub key: String,
    /// The client.
    pub client: PrismClient,
    /// Its identity in records (host, display name).
    pub prism_central: PrismCentral,
}

/// Builds and verifies Prism Central clients from CloudForet requests.
#[tonic::async_trait]
pub trait Connector: Send + Sync + 'static {
    /// One target per Prism Central of `secret_data` (in secret order), configured by
    /// `options`. Errors name the offending key and never echo a secret.
    fn targets(
        &self,
        secret_data: &Value,
        options: &Value,
    ) -> Result<Vec<PrismTarget>, PluginError>;

    /// Authenticates against every Prism Central of the secret; the error names the one that
    /// failed and why (unreachable, TLS, credentials, not a Prism Central).
    async fn verify(&self, secret_data: &Value, options: &Value) -> Result<(), PluginError>;

    /// The JSON schema of the plugin options (`options_schema` of `init`).
    fn options_schema(&self) -> Value;
}
