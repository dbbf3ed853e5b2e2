//! From one Prism Central secret entry and the plugin options to a configured [`PrismClient`],
//! verification with precise errors, and [`SecretConnector`], the [`Connector`] every plugin
//! uses in production.

use cloudforet_client::error_code::ErrorCode;
use cloudforet_client::server::PluginError;
use collector_core::context::PrismCentral;
use nutanix_prism::error::TransportKind;
use nutanix_prism::{Error as PrismError, PrismClient};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::connector::{Connector, PrismTarget};
use crate::options::{PluginOptions, options_schema};
use crate::secret::{Credentials, PrismCentralSecret, SecretData};
use crate::telemetry::metrics;

/// Builds the client for one Prism Central: credentials, TLS (`verify_ssl`, `ca_cert_pem`),
/// plain `http://` when configured, page size, concurrency, list sweeps and rate limit from `options`. Every
/// HTTP exchange is counted in `plugin_api_calls_total{plugin, prism_central}`.
///
/// # Errors
/// `ERROR_INVALID_ARGUMENT` naming the key (`host`, `ca_cert_pem`, ...) when the client cannot
/// be configured from it.
pub fn build_client(
    pc: &PrismCentralSecret,
    options: &PluginOptions,
    plugin: &'static str,
) -> Result<PrismClient, PluginError> {
    let mut b = PrismClient::builder(pc.endpoint()).allow_http(pc.is_plain_http());
    b = match &pc.credentials {
        Credentials::Password { username, password } => {
            b.session_auth(username.clone(), password.expose_secret().to_owned())
        }
        Credentials::ApiKey(key) => b.api_key(key.expose_secret().to_owned()),
    };
    if !pc.verify_ssl {
        b = b.danger_accept_invalid_certs(true);
    }
    if let Some(pem) = &pc.ca_cert_pem {
        b = b.add_root_certificate_pem(pem.as_bytes());
    }
    if let Some(n) = options.page_size {
        b = b.page_size(n);
    }
    if let Some(n) = options.concurrency {
        b = b.list_concurrency(n);
    }
    if let Some(n) = options.list_sweeps {
        b = b.list_sweeps(n);
    }
    if let Some(r) = options.rate_limit {
        b = b.requests_per_second(Some(r));
    }
    let address = pc.address();
    b = b.observer(move |_event| metrics().inc_api_calls(plugin, &address));
    b.build().map_err(|e| {
        let key = if pc.ca_cert_pem.is_some() && e.to_string().contains("certificate") {
            pc.key("ca_cert_pem")
        } else {
            pc.key("host")
        };
        PluginError::invalid_argument(format!(
            "Parameter is invalid. (key = {key}, reason = {} for {})",
            e,
            pc.label()
        ))
    })
}

/// The identity of a Prism Central in records (`account`, console links).
pub fn prism_central_context(pc: &PrismCentralSecret) -> PrismCentral {
    PrismCentral::new(&pc.endpoint())
}

/// Turns a Prism error met while talking to `pc` into a precise [`PluginError`] that names the
/// Prism Central and says what to fix:
///
/// - rejected credentials (401): `ERROR_AUTHENTICATE_FAILURE`;
/// - missing permission (403): `ERROR_PERMISSION_DENIED`;
/// - unreachable (connect failure, timeout): `ERROR_INVALID_ARGUMENT` naming `host`/`port`;
/// - TLS failure: `ERROR_INVALID_ARGUMENT` naming `ca_cert_pem`/`verify_ssl`;
/// - not a Prism Central: `ERROR_INVALID_ARGUMENT` naming `host`;
/// - anything else: `ERROR_UNKNOWN` with the client's message.
pub fn classify(err: &PrismError, pc: &PrismCentralSecret) -> PluginError {
    let label = pc.label();
    match err.root() {
        PrismError::Unauthorized(_) => PluginError::authenticate_failure(format!(
            "{label} rejected the credentials (401); check {} and {}",
            pc.key("username"),
            pc.key("password")
        )),
        PrismError::Forbidden(_) => PluginError::new(
            ErrorCode::PermissionDenied,
            format!(
                "{label}: the user is authenticated but lacks a permission (403); give it a role that can read the inventory"
            ),
        ),
        PrismError::Transport(t) if t.kind == TransportKind::Tls => {
            PluginError::invalid_argument(format!(
                "Parameter is invalid. (key = {}, reason = TLS handshake with {label} failed: {}; add the CA to {} or, for a lab only, set {} to false)",
                pc.key("ca_cert_pem"),
                t.message,
                pc.key("ca_cert_pem"),
                pc.key("verify_ssl")
            ))
        }
        PrismError::Transport(t) => PluginError::invalid_argument(format!(
            "Parameter is invalid. (key = {}, reason = {label} is unreachable: {} error: {}; check {} and {} and any firewall in between)",
            pc.key("host"),
            t.kind,
            t.message,
            pc.key("host"),
            pc.key("port")
        )),
        PrismError::Timeout { .. } => PluginError::invalid_argument(format!(
            "Parameter is invalid. (key = {}, reason = {label} is unreachable: the request timed out; check {} and {})",
            pc.key("host"),
            pc.key("host"),
            pc.key("port")
        )),
        PrismError::NotPrismCentral { message, .. } => PluginError::invalid_argument(format!(
            "Parameter is invalid. (key = {}, reason = {label} is not a Prism Central: {message}; point it at the Prism Central address, not a cluster)",
            pc.key("host")
        )),
        other => PluginError::unknown(format!("{label}: {other}")),
    }
}

/// Authenticates against one Prism Central and checks it is one (`GET /users/me`,
/// `GET /prism_central`).
///
/// # Errors
/// As [`classify`].
pub async fn verify(client: &PrismClient, pc: &PrismCentralSecret) -> Result<(), PluginError> {
    match client.verify().await {
        Ok(v) => {
            tracing::info!(prism_central = %pc.address(), user = ?v.user.username(), "verified Prism Central");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(prism_central = %pc.address(), error = %e, "Prism Central verification failed");
            Err(classify(&e, pc))
        }
    }
}

/// Parses secret and options, builds one client per Prism Central and verifies each in order;
/// the first failure is returned, naming its Prism Central.
///
/// # Errors
/// Secret/option errors ([`SecretData::from_json`], [`PluginOptions::from_json`]), then
/// [`classify`] errors.
pub async fn verify_all(
    secret_data: &Value,
    options: &Value,
    plugin: &'static str,
) -> Result<(), PluginError> {
    let secret = SecretData::from_json(secret_data)?;
    let options = PluginOptions::from_json(options)?;
    for pc in &secret.prism_centrals {
        let client = build_client(pc, &options, plugin)?;
        verify(&client, pc).await.inspect_err(|_| {
            metrics().inc_errors(plugin, &pc.address());
        })?;
    }
    Ok(())
}

/// The production [`Connector`]: reads the secret and options with [`SecretData`] and
/// [`PluginOptions`] and builds clients with [`build_client`].
#[derive(Debug, Clone, Copy)]
pub struct SecretConnector {
    plugin: &'static str,
}

impl SecretConnector {
    /// A connector whose clients count API calls under the given `plugin` label.
    pub fn new(plugin: &'static str) -> Self {
        Self { plugin }
    }
}

#[tonic::async_trait]
impl Connector for SecretConnector {
    fn targets(
        &self,
        secret_data: &Value,
        options: &Value,
    ) -> Result<Vec<PrismTarget>, PluginError> {
        let secret = SecretData::from_json(secret_data)?;
        let options = PluginOptions::from_json(options)?;
        secret
            .prism_centrals
            .iter()
            .map(|pc| {
                Ok(PrismTarget {
                    key: pc.host.clone(),
                    client: build_client(pc, &options, self.plugin)?,
                    prism_central: prism_central_context(pc),
                })
            })
            .collect()
    }

    async fn verify(&self, secret_data: &Value, options: &Value) -> Result<(), PluginError> {
        verify_all(secret_data, options, self.plugin).await
    }

    fn options_schema(&self) -> Value {
        options_schema()
    }
}
