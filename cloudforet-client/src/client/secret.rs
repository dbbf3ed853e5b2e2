//! Secret v1: create a secret, read its data.

use serde::de::DeserializeOwned;

use super::call::Idempotency;
use super::{CloudForetClient, MAX_MESSAGE_SIZE, Service};
use crate::error::{Error, Result};
use crate::proto::spaceone::api::secret::v1 as secret;
use crate::value::from_struct;

fn secret_client(
    ch: tonic::transport::Channel,
) -> secret::secret_client::SecretClient<tonic::transport::Channel> {
    secret::secret_client::SecretClient::new(ch)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

impl CloudForetClient {
    /// `Secret.create`. Build `data` with [`crate::value::to_struct`].
    ///
    /// # Errors
    ///
    /// [`Error::Status`] or a transport error. Not retried.
    pub async fn create_secret(
        &self,
        request: secret::CreateSecretRequest,
    ) -> Result<secret::SecretInfo> {
        self.unary(
            Service::Secret,
            "Secret.create",
            Idempotency::NotIdempotent,
            request,
            |ch, req| async move { secret_client(ch).create(req).await },
        )
        .await
    }

    /// `Secret.get_data` (internal API, normally called with a system token): the secret's
    /// decrypted data. `domain_id` defaults to the client's `x_domain_id`.
    ///
    /// The response holds credentials: do not log it.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] or a transport error.
    pub async fn get_secret_data(
        &self,
        secret_id: &str,
        domain_id: Option<&str>,
    ) -> Result<secret::SecretDataInfo> {
        let request = secret::GetSecretDataRequest {
            secret_id: secret_id.to_owned(),
            domain_id: domain_id
                .or(self.domain_id())
                .unwrap_or_default()
                .to_owned(),
        };
        self.unary(
            Service::Secret,
            "Secret.get_data",
            Idempotency::Idempotent,
            request,
            |ch, req| async move { secret_client(ch).get_data(req).await },
        )
        .await
    }

    /// [`get_secret_data`](Self::get_secret_data) decoded into `T` with
    /// [`crate::value::from_struct`].
    ///
    /// # Errors
    ///
    /// As [`get_secret_data`](Self::get_secret_data); [`Error::InvalidResponse`] when the
    /// response has no data; [`Error::Decode`] (naming the field, never its value) when the
    /// data does not fit `T`.
    pub async fn get_secret_data_as<T: DeserializeOwned>(
        &self,
        secret_id: &str,
        domain_id: Option<&str>,
    ) -> Result<T> {
        let info = self.get_secret_data(secret_id, domain_id).await?;
        let data = info.data.ok_or_else(|| Error::InvalidResponse {
            method: "Secret.get_data",
            reason: format!("secret `{secret_id}` came back without data"),
        })?;
        from_struct(&data)
    }
}
