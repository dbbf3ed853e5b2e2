//! `nutanix-collect`: the one-command job. Connects to a Prism Central (or starts the embedded
//! simulator with `--simulate`) and runs the same pipelines as the CloudForet plugins:
//!
//! - `test`: connectivity, credentials, is-a-Prism-Central ([`verify`]);
//! - `list <kind>`: entities as a table or JSON lines ([`list`]);
//! - `collect` (the default without a subcommand): inventory records, one CloudForet `ResourceInfo` as JSON per line
//!   ([`collect`], records from the inventory plugin's pipeline), then a summary table on
//!   stderr ([`summary`]);
//! - `cost --month YYYY-MM`: daily cost records and totals ([`cost`]);
//! - `metrics <vm>`: every catalogue metric of one VM ([`metrics`]).
//!
//! stdout carries only JSON lines (or the `list` table / `test` verdict); progress (a spinner
//! when stderr is a terminal) and summaries go to stderr.
//!
//! Exit status: 0 on success, [`EXIT_ERROR`] on an error, [`EXIT_FAILURE_RECORDS`] when
//! `collect` produced `FAILURE` records (the records are still written),
//! [`EXIT_INTERRUPTED`] when `collect` was stopped by Ctrl-C, 2 for usage errors (clap).

pub mod args;
pub mod collect;
pub mod cost;
pub mod list;
pub mod metrics;
pub mod output;
pub mod progress;
pub mod summary;
pub mod target;
pub mod verify;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;

pub use args::Cli;
use args::{Command, Tuning};
use target::Target;

/// Exit status of a run that failed with an error.
pub const EXIT_ERROR: u8 = 1;
/// Exit status of a `collect` that finished but produced `FAILURE` records.
pub const EXIT_FAILURE_RECORDS: u8 = 3;
/// Exit status of a `collect` stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs one command; diagnostics and summaries go to `stderr`.
///
/// # Errors
/// Any failure, with a message saying what to check.
pub async fn run(cli: Cli, stderr: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let command = cli.subcommand_or_default();
    let tuning = match &command {
        Command::Collect(c) => c.tuning,
        Command::List(l) => Tuning {
            page_size: l.page_size,
            ..Tuning::default()
        },
        _ => Tuning::default(),
    };
    let options_file = match &command {
        Command::Collect(c) => c.options.as_deref(),
        Command::Cost(c) => c.options.as_deref(),
        _ => None,
    };
    let target = Target::connect(&cli.connection, tuning, options_file).await?;
    if target.is_simulated() {
        writeln!(
            stderr,
            "simulated Prism Central at {} ({} VMs, {} clusters, seed {})",
            target.endpoint,
            cli.connection.sim_vms,
            cli.connection.sim_clusters,
            cli.connection.seed
        )?;
    }
    let result = dispatch(&target, &command, stderr).await;
    target.close().await;
    result
}

async fn dispatch(
    target: &Target,
    command: &Command,
    stderr: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Test => {
            let verdict = verify::run(target).await?;
            let mut out = output::open(None)?;
            writeln!(out, "{verdict}")?;
            out.flush().context("flushing stdout")?;
        }
        Command::List(args) => {
            let n = list::run(target, args).await?;
            writeln!(stderr, "{n} entities")?;
        }
        Command::Collect(args) => {
            let summary = collect::run(target, args, stderr).await?;
            if summary.interrupted {
                return Ok(ExitCode::from(EXIT_INTERRUPTED));
            }
            if !summary.failures.is_empty() {
                writeln!(
                    stderr,
                    "collect finished with {} FAILURE record(s); see the messages above",
                    summary.failures.len()
                )?;
                return Ok(ExitCode::from(EXIT_FAILURE_RECORDS));
            }
        }
        Command::Cost(args) => {
            cost::run(target, args, stderr).await?;
        }
        Command::Metrics(args) => {
            metrics::run(target, args, stderr).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
