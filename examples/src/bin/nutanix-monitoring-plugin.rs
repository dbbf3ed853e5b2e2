//! `nutanix-monitoring-plugin`: the CloudForet monitoring data source plugin for Nutanix Prism
//! Central (`spaceone.api.monitoring.plugin` `DataSource` and `Metric`; `Log` is not served).
//!
//! ```text
//! nutanix-monitoring-plugin --listen 0.0.0.0:50051 --metrics-listen 0.0.0.0:9464
//! ```
//!
//! Prints `listening on <ip:port>` first on stdout; logs go to stderr.

use clap::Parser;
use cloudforet_client::server::PluginServer;
use examples::connect::SecretConnector;
use examples::monitoring::PLUGIN_NAME;
use examples::monitoring::service::MonitoringPlugin;
use examples::plugin_cli::{PluginArgs, run_plugin};

/// mimalloc instead of the system allocator: the record path allocates many small strings,
/// and glibc malloc/free was a quarter of its CPU time (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CloudForet monitoring data source plugin for Nutanix Prism Central.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    plugin: PluginArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let plugin = MonitoringPlugin::new(SecretConnector::new(PLUGIN_NAME));
    run_plugin(
        PLUGIN_NAME,
        cli.plugin,
        plugin.add_to(PluginServer::builder()),
    )
    .await
}
