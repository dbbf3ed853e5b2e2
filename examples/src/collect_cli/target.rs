//! The Prism Central a run talks to: the embedded simulator (`--simulate`) or `--endpoint`
//! with credentials from the environment.
//!
//! The flags are turned into the same secret data and plugin options the CloudForet plugins
//! receive, and the client is built by the plugins' own [`crate::connect::build_client`], so
//! the CLI and the plugins talk to Prism identically.

use std::path::Path;

use anyhow::{Context as _, bail};
use collector_core::context::PrismCentral;
use nutanix_prism::PrismClient;
use nutanix_prism::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME, RunningSimulator, Simulator};
use serde_json::{Map, Value, json};

use super::args::{Connection, DEFAULT_PASSWORD_ENV, Tuning};
use crate::connect::{build_client, prism_central_context};
use crate::options::PluginOptions;
use crate::secret::{PrismCentralSecret, SecretData};

/// The `plugin` label of the CLI's Prism API-call metric.
pub const PLUGIN_LABEL: &str = "nutanix-collect";

/// How the client authenticates.
#[derive(Clone)]
enum Credentials {
    Password { username: String, password: String },
    ApiKey(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .finish_non_exhaustive(),
            Self::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
        }
    }
}

/// A connected run target: the client, the secret entry and options it was built from, the
/// Prism Central identity of the records, and the simulator kept alive for the duration of
/// the run (when `--simulate`).
#[derive(Debug)]
pub struct Target {
    /// The Prism client.
    pub client: PrismClient,
    /// The secret entry the client was built from (redacting `Debug`).
    pub secret: PrismCentralSecret,
    /// Plugin options (from `--options FILE`, overridden by the tuning flags).
    pub options: PluginOptions,
    /// Identity of the Prism Central in records.
    pub prism_central: PrismCentral,
    /// The endpoint as the user should see it (no credentials).
    pub endpoint: String,
    /// Where the credentials came from, for error messages (`user admin, password from $VAR`).
    pub credential_source: String,
    sim: Option<RunningSimulator>,
}

/// Reads plugin options JSON (what CloudForet passes as `options`: `kinds`, `price_book`,
/// `currency`, ...) from a file; `{}` when no file is given.
///
/// # Errors
/// Unreadable file, invalid JSON, or an option error naming the key.
pub fn load_options(path: Option<&Path>) -> anyhow::Result<PluginOptions> {
    let value = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading the options file {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not valid JSON", p.display()))?
        }
        None => json!({}),
    };
    let where_ = path.map_or_else(|| "default options".to_owned(), |p| p.display().to_string());
    PluginOptions::from_json(&value).map_err(|e| anyhow::anyhow!("{where_}: {}", e.message()))
}

impl Target {
    /// Starts the simulator if asked, reads the credentials, and builds the client the way the
    /// plugins do.
    ///
    /// # Errors
    /// Missing endpoint or credentials, unreadable CA or options file, invalid client
    /// configuration, or a simulator that cannot start; every message says what to pass.
    pub async fn connect(
        conn: &Connection,
        tuning: Tuning,
        options_file: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let mut options = load_options(options_file)?;
        if let Some(n) = tuning.concurrency {
            options.concurrency = Some(n as usize);
        }
        if let Some(n) = tuning.page_size {
            options.page_size = Some(n);
        }
        if let Some(rate) = tuning.rate_limit {
            if !rate.is_finite() || rate < 0.0 {
                bail!("--rate-limit must be a non-negative number of requests per second");
            }
            // 0 disables the client-side limit.
            options.rate_limit = Some(rate);
        }
        let mut sim = None;
        let (endpoint, default_password) = if conn.simulate {
            let started = Simulator::builder()
                .clusters(conn.sim_clusters)
                .hosts_per_cluster(conn.sim_hosts_per_cluster)
                .vms(conn.sim_vms)
                .seed(conn.seed)
                .start()
                .await
                .context("starting the embedded Prism Central simulator")?;
            let url = started.base_url().to_owned();
            tracing::info!(base_url = %url, "simulator started");
            sim = Some(started);
            (url, Some(DEFAULT_PASSWORD.to_owned()))
        } else {
            let Some(endpoint) = conn.endpoint.clone().filter(|e| !e.trim().is_empty()) else {
                bail!(
                    "no Prism Central given: pass --endpoint HOST[:PORT] (or set NUTANIX_ENDPOINT), or --simulate to try the embedded simulator"
                );
            };
            (endpoint, None)
        };
        let (credentials, credential_source) = credentials(conn, default_password)?;
        let mut secret = Map::new();
        secret.insert("host".into(), Value::String(endpoint.clone()));
        match credentials {
            Credentials::Password { username, password } => {
                secret.insert("username".into(), Value::String(username));
                secret.insert("password".into(), Value::String(password));
            }
            Credentials::ApiKey(key) => {
                secret.insert("api_key".into(), Value::String(key));
            }
        }
        secret.insert("verify_ssl".into(), Value::Bool(!conn.insecure));
        if let Some(path) = &conn.ca_cert {
            let pem = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "reading the CA certificate file {} (--ca-cert)",
                    path.display()
                )
            })?;
            secret.insert("ca_cert_pem".into(), Value::String(pem));
        }
        let secret = SecretData::from_json(&Value::Object(secret))
            .map_err(|e| anyhow::anyhow!("invalid connection settings: {}", e.message()))?
            .prism_centrals
            .into_iter()
            .next()
            .context("no Prism Central in the connection settings")?;
        let client = build_client(&secret, &options, PLUGIN_LABEL).map_err(|e| {
            anyhow::anyhow!("configuring the Prism Central client: {}", e.message())
        })?;
        Ok(Self {
            client,
            prism_central: prism_central_context(&secret),
            secret,
            options,
            endpoint,
            credential_source,
            sim,
        })
    }

    /// Whether this run uses the embedded simulator.
    pub fn is_simulated(&self) -> bool {
        self.sim.is_some()
    }

    /// Stops the simulator, if any.
    pub async fn close(self) {
        if let Some(sim) = self.sim {
            sim.shutdown().await;
        }
    }
}

fn read_env(var: &str, flag: &str) -> anyhow::Result<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => bail!("environment variable {var} (named by {flag}) is empty"),
        Err(std::env::VarError::NotPresent) => {
            bail!("environment variable {var} (named by {flag}) is not set")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("environment variable {var} (named by {flag}) is not valid UTF-8")
        }
    }
}

fn credentials(
    conn: &Connection,
    default_password: Option<String>,
) -> anyhow::Result<(Credentials, String)> {
    if let Some(var) = &conn.api_key_env {
        let key = read_env(var, "--api-key-env")?;
        return Ok((Credentials::ApiKey(key), format!("API key from ${var}")));
    }
    let simulator_defaults = default_password.is_some() && conn.password_env.is_none();
    let username = conn
        .username
        .clone()
        .filter(|u| !u.is_empty() && !simulator_defaults)
        .unwrap_or_else(|| DEFAULT_USERNAME.to_owned());
    let (password, source) = if let Some(var) = &conn.password_env {
        (
            read_env(var, "--password-env")?,
            format!("password from ${var}"),
        )
    } else if let Some(p) = default_password {
        // The simulator: ignore a NUTANIX_PASSWORD meant for a real Prism Central.
        (p, "the simulator's default password".to_owned())
    } else if let Some(p) = std::env::var(DEFAULT_PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
    {
        (p, format!("password from ${DEFAULT_PASSWORD_ENV}"))
    } else {
        bail!(
            "no credentials: set {DEFAULT_PASSWORD_ENV} (or name another variable with --password-env VAR), or give an API key with --api-key-env VAR; passwords are never taken on the command line"
        );
    };
    let source = format!("user {username}, {source}");
    Ok((Credentials::Password { username, password }, source))
}
