//! The Prism Central a run talks to: the embedded simulator (`--simulate`) or `--endpoint`
//! with credentials from the environment.

use anyhow::{Context as _, bail};
use collector_core::context::PrismCentral;
use nutanix_prism::PrismClient;
use nutanix_prism::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME, RunningSimulator, Simulator};

use super::args::{Connection, DEFAULT_PASSWORD_ENV, Tuning};

/// How the client authenticates (the secret itself is read later, from the environment).
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

/// A connected run target: the client, the Prism Central identity of the records, and the
/// simulator kept alive for the duration of the run (when `--simulate`).
#[derive(Debug)]
pub struct Target {
    /// The Prism client.
    pub client: PrismClient,
    /// Identity of the Prism Central in records.
    pub prism_central: PrismCentral,
    /// The endpoint as the user should see it (no credentials).
    pub endpoint: String,
    /// Where the credentials came from, for error messages (`user admin, password from $VAR`).
    pub credential_source: String,
    sim: Option<RunningSimulator>,
}

impl Target {
    /// Starts the simulator if asked, reads the credentials and builds the client.
    ///
    /// # Errors
    /// Missing endpoint or credentials, unreadable CA file, invalid client configuration, or a
    /// simulator that cannot start; every message says what to pass instead.
    pub async fn connect(conn: &Connection, tuning: Tuning) -> anyhow::Result<Self> {
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
        let mut builder = PrismClient::builder(endpoint.clone());
        builder = match credentials {
            Credentials::Password { username, password } => {
                builder.session_auth(username, password)
            }
            Credentials::ApiKey(key) => builder.api_key(key),
        };
        if endpoint
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("http://")
        {
            if !conn.simulate {
                tracing::warn!(
                    endpoint = %endpoint,
                    "plain http:// endpoint: credentials travel unencrypted (use only for simulators and TLS-terminating proxies)"
                );
            }
            builder = builder.allow_http(true);
        }
        if conn.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(path) = &conn.ca_cert {
            let pem = std::fs::read(path).with_context(|| {
                format!(
                    "reading the CA certificate file {} (--ca-cert)",
                    path.display()
                )
            })?;
            builder = builder.add_root_certificate_pem(&pem);
        }
        if let Some(n) = tuning.concurrency {
            builder = builder.list_concurrency(n as usize);
        }
        if let Some(n) = tuning.page_size {
            builder = builder.page_size(n);
        }
        if let Some(rate) = tuning.rate_limit {
            if !rate.is_finite() || rate < 0.0 {
                bail!("--rate-limit must be a non-negative number of requests per second");
            }
            builder = builder.requests_per_second((rate > 0.0).then_some(rate));
        }
        let client = builder
            .user_agent(concat!("nutanix-collect/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("configuring the Prism Central client")?;
        Ok(Self {
            client,
            prism_central: PrismCentral::new(&endpoint),
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
