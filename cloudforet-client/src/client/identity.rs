//! Identity v2: domain lookup, token issue and grant.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::call::Idempotency;
use super::{CloudForetClient, MAX_MESSAGE_SIZE, Service};
use crate::error::{Error, Result};
use crate::proto::spaceone::api::identity::v2 as identity;
use crate::value::json_to_struct;

pub use identity::grant_token_info::RoleType;
pub use identity::grant_token_request::Scope;

/// Tokens returned by `Token.issue`. `Debug` redacts both tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct IssuedToken {
    /// Access token (USER role only; grant a scoped token for most APIs).
    pub access_token: SecretString,
    /// Refresh token, exchanged by [`CloudForetClient::grant_token`].
    pub refresh_token: SecretString,
    /// The domain the user belongs to (looked up by name).
    pub domain_id: String,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("domain_id", &self.domain_id)
            .finish()
    }
}

/// A scoped token returned by `Token.grant`. `Debug` redacts the token.
#[derive(Clone)]
#[non_exhaustive]
pub struct GrantedToken {
    /// The scoped access token, to send as `token` ([`CloudForetClient::with_token`]).
    pub access_token: SecretString,
    /// The role the token carries (e.g. `WorkspaceOwner` for a domain admin scoped to a
    /// workspace).
    pub role_type: RoleType,
    /// Domain of the token.
    pub domain_id: String,
    /// Workspace of the token (empty unless scoped to one).
    pub workspace_id: String,
    /// Role id of the token.
    pub role_id: String,
}

impl fmt::Debug for GrantedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantedToken")
            .field("access_token", &"<redacted>")
            .field("role_type", &self.role_type)
            .field("domain_id", &self.domain_id)
            .field("workspace_id", &self.workspace_id)
            .field("role_id", &self.role_id)
            .finish()
    }
}

fn token_client(
    channel: tonic::transport::Channel,
) -> identity::token_client::TokenClient<tonic::transport::Channel> {
    identity::token_client::TokenClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

impl CloudForetClient {
    /// `identity.v2.Domain.get_auth_info`: resolves a domain name (no token needed).
    ///
    /// # Errors
    ///
    /// [`Error::Status`] (`ERROR_NOT_FOUND` for an unknown domain) or a transport error.
    pub async fn domain_auth_info(&self, domain_name: &str) -> Result<identity::DomainAuthInfo> {
        let request = identity::GetDomainAuthRequest {
            name: domain_name.to_owned(),
        };
        self.unary(
            Service::Identity,
            "Domain.get_auth_info",
            Idempotency::Idempotent,
            request,
            |ch, req| async move {
                identity::domain_client::DomainClient::new(ch)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .get_auth_info(req)
                    .await
            },
        )
        .await
    }

    /// Issues a user token with LOCAL credentials: looks up the domain id of `domain_name`
    /// (`Domain.get_auth_info`), then calls `Token.issue` with `{user_id, password}`.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] (`ERROR_AUTHENTICATE_FAILURE` for wrong credentials,
    /// `ERROR_NOT_FOUND` for an unknown domain), [`Error::InvalidResponse`] when the domain
    /// lookup returns no id, or a transport error.
    pub async fn issue_token(
        &self,
        domain_name: &str,
        user_id: &str,
        password: &SecretString,
    ) -> Result<IssuedToken> {
        let domain = self.domain_auth_info(domain_name).await?;
        if domain.domain_id.is_empty() {
            return Err(Error::InvalidResponse {
                method: "Domain.get_auth_info",
                reason: format!("no domain_id for domain `{domain_name}`"),
            });
        }
        let credentials = json_to_struct(json!({
            "user_id": user_id,
            "password": password.expose_secret(),
        }))?;
        let request = identity::IssueTokenRequest {
            credentials: Some(credentials),
            auth_type: identity::issue_token_request::AuthType::Local as i32,
            domain_id: domain.domain_id.clone(),
            ..Default::default()
        };
        let info = self
            .unary(
                Service::Identity,
                "Token.issue",
                Idempotency::NotIdempotent,
                request,
                |ch, req| async move { token_client(ch).issue(req).await },
            )
            .await?;
        if info.access_token.is_empty() {
            return Err(Error::InvalidResponse {
                method: "Token.issue",
                reason: "the response holds no access_token".to_owned(),
            });
        }
        Ok(IssuedToken {
            access_token: SecretString::from(info.access_token),
            refresh_token: SecretString::from(info.refresh_token),
            domain_id: domain.domain_id,
        })
    }

    /// Exchanges a refresh token for a token of `scope` (`Token.grant`, grant type
    /// `REFRESH_TOKEN`). `workspace_id` is required for [`Scope::Workspace`]. The client's
    /// `x_domain_id`, if set, is sent as `domain_id`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a workspace scope without `workspace_id`, [`Error::Status`]
    /// (e.g. `ERROR_AUTHENTICATE_FAILURE` for an expired refresh token) or a transport error.
    pub async fn grant_token(
        &self,
        refresh_token: &SecretString,
        scope: Scope,
        workspace_id: Option<&str>,
    ) -> Result<GrantedToken> {
        if scope == Scope::Workspace && workspace_id.is_none_or(str::is_empty) {
            return Err(Error::Config(
                "Token.grant with the WORKSPACE scope needs a workspace_id".to_owned(),
            ));
        }
        let request = identity::GrantTokenRequest {
            grant_type: identity::grant_token_request::GrantType::RefreshToken as i32,
            token: refresh_token.expose_secret().to_owned(),
            scope: scope as i32,
            domain_id: self.domain_id().unwrap_or_default().to_owned(),
            workspace_id: workspace_id.unwrap_or_default().to_owned(),
            ..Default::default()
        };
        let info = self
            .unary(
                Service::Identity,
                "Token.grant",
                Idempotency::NotIdempotent,
                request,
                |ch, req| async move { token_client(ch).grant(req).await },
            )
            .await?;
        if info.access_token.is_empty() {
            return Err(Error::InvalidResponse {
                method: "Token.grant",
                reason: "the response holds no access_token".to_owned(),
            });
        }
        let role_type = info.role_type();
        Ok(GrantedToken {
            access_token: SecretString::from(info.access_token),
            role_type,
            domain_id: info.domain_id,
            workspace_id: info.workspace_id,
            role_id: info.role_id,
        })
    }

    /// Signs in with user credentials and returns a client carrying the granted token:
    /// [`issue_token`](Self::issue_token), then [`grant_token`](Self::grant_token) with scope
    /// `WORKSPACE` when `workspace_id` is given, `DOMAIN` otherwise. The returned client also
    /// sends `x_domain_id`.
    ///
    /// # Errors
    ///
    /// As [`issue_token`](Self::issue_token) and [`grant_token`](Self::grant_token).
    pub async fn login(
        &self,
        domain_name: &str,
        user_id: &str,
        password: &SecretString,
        workspace_id: Option<&str>,
    ) -> Result<Self> {
        let issued = self.issue_token(domain_name, user_id, password).await?;
        let scoped = self.with_domain_id(issued.domain_id.clone())?;
        let scope = if workspace_id.is_some() {
            Scope::Workspace
        } else {
            Scope::Domain
        };
        let granted = scoped
            .grant_token(&issued.refresh_token, scope, workspace_id)
            .await?;
        scoped.with_token(granted.access_token)
    }
}
