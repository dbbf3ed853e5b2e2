//! Command-line flags of `nutanix-collect` (clap derive).
//!
//! Credentials never come from a flag's value: the password and the API key are read from
//! environment variables (`--password-env VAR`, default `NUTANIX_PASSWORD`; `--api-key-env VAR`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Default number of simulated VMs of `--simulate`.
pub const DEFAULT_SIM_VMS: u32 = 200;
/// Default number of simulated Prism Element clusters of `--simulate`.
pub const DEFAULT_SIM_CLUSTERS: u32 = 2;
/// Environment variable read for the password when `--password-env` is not given.
pub const DEFAULT_PASSWORD_ENV: &str = "NUTANIX_PASSWORD";

/// Collects Nutanix Prism Central inventory, costs and metrics as CloudForet records.
///
/// Records go to stdout (or `--output`) as JSON lines; progress and the summary go to stderr.
#[derive(Debug, Parser)]
#[command(name = "nutanix-collect", version)]
pub struct Cli {
    /// Where to connect (a Prism Central or the embedded simulator).
    #[command(flatten, next_help_heading = "Prism Central or simulator")]
    pub connection: Connection,
    /// Log filter for diagnostics on stderr (`warn`, `info`, `debug`, or a tracing filter;
    /// default `warn`).
    #[arg(long, env = "LOG_LEVEL", global = true)]
    pub log_level: Option<String>,
    /// What to do (default: `collect`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The log filter: `--log-level`, else `warn` (with `--simulate`, the warning about the
    /// simulator's plain `http://` address is left out).
    pub fn log_filter(&self) -> String {
        match &self.log_level {
            Some(level) => level.clone(),
            None if self.connection.simulate => "warn,examples::secret=error".to_owned(),
            None => "warn".to_owned(),
        }
    }

    /// The subcommand, `collect` with its defaults when none was given (so that
    /// `nutanix-collect --simulate` alone collects from the simulator).
    pub fn subcommand_or_default(&self) -> Command {
        self.command
            .clone()
            .unwrap_or_else(|| Command::Collect(CollectArgs::default()))
    }
}

/// Target and credentials.
#[derive(Debug, Args)]
pub struct Connection {
    /// Start the embedded Prism Central simulator in-process and run against it (the
    /// endpoint and credentials settings are then ignored, unless --password-env or
    /// --api-key-env is given).
    #[arg(long, global = true)]
    pub simulate: bool,
    /// Simulated VMs (with --simulate).
    #[arg(long, global = true, default_value_t = DEFAULT_SIM_VMS)]
    pub sim_vms: u32,
    /// Simulated Prism Element clusters (with --simulate).
    #[arg(long, global = true, default_value_t = DEFAULT_SIM_CLUSTERS)]
    pub sim_clusters: u32,
    /// Hosts per simulated cluster (with --simulate).
    #[arg(long, global = true, default_value_t = 3)]
    pub sim_hosts_per_cluster: u32,
    /// Seed of the simulated fleet (same seed, same fleet).
    #[arg(long, global = true, default_value_t = 1)]
    pub seed: u64,
    /// Prism Central address: `pc.example.com`, `pc:9440`, `https://pc:9440` (`http://` only
    /// for simulators and TLS-terminating proxies).
    #[arg(long, global = true, env = "NUTANIX_ENDPOINT")]
    pub endpoint: Option<String>,
    /// User name for HTTP Basic / session login.
    #[arg(long, global = true, env = "NUTANIX_USERNAME")]
    pub username: Option<String>,
    /// Name of the environment variable holding the password (default `NUTANIX_PASSWORD`).
    #[arg(long, global = true, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Name of the environment variable holding a Prism API key (instead of a password).
    #[arg(
        long,
        global = true,
        value_name = "VAR",
        conflicts_with = "password_env"
    )]
    pub api_key_env: Option<String>,
    /// Accept any TLS certificate (labs only: credentials can be intercepted).
    #[arg(long, global = true, conflicts_with = "ca_cert")]
    pub insecure: bool,
    /// Trust the CA certificate(s) in this PEM file (Prism's self-signed certificate).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Check connectivity, credentials and that the endpoint is a Prism Central.
    Test,
    /// List entities of one kind (a table on a terminal, JSON lines otherwise).
    List(ListArgs),
    /// Collect inventory records: one CloudForet `ResourceInfo` as JSON per line.
    Collect(CollectArgs),
    /// Daily cost records of one month as JSON lines, and the total.
    Cost(CostArgs),
    /// Latest value and series of every catalogue metric of one VM.
    Metrics(MetricsArgs),
}

/// Entity kinds of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListKind {
    /// VMs.
    Vms,
    /// Clusters (the Prism Central entry included).
    Clusters,
    /// Hosts.
    Hosts,
    /// Subnets.
    Subnets,
    /// Images.
    Images,
    /// Volume groups.
    VolumeGroups,
    /// Projects.
    Projects,
}

/// Output format of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns (UUID, name, cluster).
    Table,
    /// One entity as JSON per line, as Prism returned it.
    Json,
}

/// Flags of `list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Kind of entity.
    pub kind: ListKind,
    /// Output format (default: table on a terminal, JSON lines otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Entities per page.
    #[arg(long)]
    pub page_size: Option<u32>,
}

/// Tuning of the Prism client for `collect`.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct Tuning {
    /// Pages fetched concurrently per entity kind.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: Option<u32>,
    /// Entities per page (Prism clamps pages above 500).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub page_size: Option<u32>,
    /// Client-side limit in requests per second (0 = unlimited).
    #[arg(long)]
    pub rate_limit: Option<f64>,
}

/// Flags of `collect`.
#[derive(Debug, Clone, Default, Args)]
pub struct CollectArgs {
    /// Write the records to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Client tuning.
    #[command(flatten)]
    pub tuning: Tuning,
    /// Plugin options JSON, as CloudForet passes them to the plugins (`kinds`, `price_book`,
    /// `page_size`, ...); the flags above override it.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
    /// Leave the month's cost out of the summary (it costs a second listing of the VMs).
    #[arg(long)]
    pub no_cost: bool,
}

/// Flags of `cost`.
#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// The month, `YYYY-MM` (default: the current month, UTC).
    #[arg(long)]
    pub month: Option<String>,
    /// Write the records to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Plugin options JSON (`{"price_book": {...}}`, as the cost plugin takes them); default
    /// prices otherwise.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
}

/// Flags of `metrics`.
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// VM UUID or exact VM name.
    pub vm: String,
    /// Length of the window ending now, in minutes.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=44_640))]
    pub minutes: u32,
    /// Seconds per point (default: automatic for the window).
    #[arg(long)]
    pub period: Option<u32>,
    /// Statistic per point: AVERAGE, MAX, MIN or SUM.
    #[arg(long, default_value = "AVERAGE")]
    pub stat: String,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    use super::*;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parsing_rules() {
        let cli = Cli::try_parse_from(["nutanix-collect", "--simulate"]).unwrap();
        assert!(matches!(cli.subcommand_or_default(), Command::Collect(_)));
        let cli = Cli::try_parse_from([
            "nutanix-collect",
            "collect",
            "--endpoint",
            "pc",
            "--page-size",
            "100",
        ])
        .unwrap();
        assert_eq!(cli.connection.endpoint.as_deref(), Some("pc"));
        let Command::Collect(c) = cli.subcommand_or_default() else {
            panic!("collect expected");
        };
        assert_eq!(c.tuning.page_size, Some(100));
        for bad in [
            &["nutanix-collect", "--password", "x", "test"][..],
            &["nutanix-collect", "collect", "--page-size", "501"],
            &["nutanix-collect", "--insecure", "--ca-cert", "f", "test"],
            &[
                "nutanix-collect",
                "--password-env",
                "A",
                "--api-key-env",
                "B",
                "test",
            ],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
    }
}
