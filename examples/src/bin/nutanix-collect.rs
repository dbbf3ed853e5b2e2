//! `nutanix-collect`: collect Nutanix Prism Central inventory, costs and metrics as CloudForet
//! records, against a real Prism Central or the embedded simulator.
//!
//! ```text
//! cargo run --release -p examples --bin nutanix-collect -- --simulate collect > records.jsonl
//! NUTANIX_PASSWORD=... nutanix-collect --endpoint pc.example.com --username admin test
//! ```
//!
//! See [`examples::collect_cli`] for the subcommands and exit statuses.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use examples::collect_cli::{self, Cli};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: the record path allocates many small strings,
/// and glibc malloc/free was a quarter of its CPU time (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_new(cli.log_filter()).unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let mut stderr = std::io::stderr();
    match collect_cli::run(cli, &mut stderr).await {
        Ok(code) => code,
        // The reader of stdout went away (`| head`): that is its choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            ExitCode::from(collect_cli::EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
