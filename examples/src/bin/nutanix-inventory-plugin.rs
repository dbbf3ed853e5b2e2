//! `nutanix-inventory-plugin`: the CloudForet inventory collector plugin for Nutanix Prism
//! Central (`spaceone.api.inventory.plugin` `Collector` and `Job`).
//!
//! ```text
//! nutanix-inventory-plugin --listen 0.0.0.0:50051 --metrics-listen 0.0.0.0:9464
//! ```
//!
//! Prints `listening on <ip:port>` first on stdout; logs go to stderr.

use clap::Parser;
use cloudforet_client::server::PluginServer;
use examples::inventory::{InventoryPlugin, PLUGIN_NAME};
use examples::plugin_cli::{PluginArgs, run_plugin};

/// mimalloc instead of the system allocator: the record path allocates many small strings,
/// and glibc malloc/free was a quarter of its CPU time (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CloudForet inventory collector plugin for Nutanix Prism Central.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    plugin: PluginArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let builder = InventoryPlugin::new().add_to(PluginServer::builder());
    run_plugin(PLUGIN_NAME, cli.plugin, builder).await
}
