//! Common command line of the plugin binaries and [`run_plugin`], which serves a plugin the
//! way every binary does.
//!
//! Flags (each also read from the environment): `--listen HOST:PORT` (`PLUGIN_LISTEN`, default
//! `0.0.0.0:50051`), `--metrics-listen HOST:PORT|off` (`METRICS_LISTEN`, default
//! `0.0.0.0:9464`), `--log-format text|json` (`LOG_FORMAT`, default `text`), `--log-level`
//! (`LOG_LEVEL`, default `info`).
//!
//! Stdout carries exactly two lines, for scripts and tests: `listening on <ip:port>` first
//! (the real port when 0 was asked for), then `metrics on <ip:port>` (or `metrics off`).
//! Logs go to stderr.
#![allow(clippy::print_stdout)]

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};

use cloudforet_client::server::{PluginServerBuilder, shutdown_signal};

use crate::telemetry::{LogFormat, init_logging, serve_metrics};

/// The flags every plugin binary takes (flatten it into the binary's clap parser).
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct PluginArgs {
    /// gRPC address to listen on (HOST:PORT; port 0 picks a free port).
    #[arg(long, env = "PLUGIN_LISTEN", default_value = "0.0.0.0:50051", value_parser = parse_addr)]
    pub listen: SocketAddr,
    /// Prometheus metrics address (HOST:PORT), or `off`.
    #[arg(long, env = "METRICS_LISTEN", default_value = "0.0.0.0:9464", value_parser = parse_metrics_addr)]
    pub metrics_listen: MetricsListen,
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Log filter (`info`, `debug`, `examples=debug,info`).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

/// Where (or whether) to serve metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricsListen {
    /// No metrics endpoint.
    Off,
    /// Serve `GET /metrics` on this address.
    On(SocketAddr),
}

fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("{s:?} is not HOST:PORT: {e}"))?
        .next()
        .ok_or_else(|| format!("{s:?} resolves to no address"))
}

fn parse_metrics_addr(s: &str) -> Result<MetricsListen, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        Ok(MetricsListen::Off)
    } else {
        parse_addr(s).map(MetricsListen::On)
    }
}

/// Sets up logging, starts the metrics endpoint, binds the plugin server built by `builder`
/// (with the version set and the address from `args`), prints `listening on <addr>` and serves
/// until SIGTERM or Ctrl-C, draining open calls.
///
/// # Errors
/// Bad log filter, ports that cannot be bound, or a server failure.
pub async fn run_plugin(
    name: &'static str,
    args: PluginArgs,
    builder: PluginServerBuilder,
) -> anyhow::Result<()> {
    init_logging(args.log_format, &args.log_level).map_err(anyhow::Error::msg)?;
    let server = builder
        .version(env!("CARGO_PKG_VERSION"))
        .listen(args.listen)
        .bind()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "{name}: cannot start the gRPC server on {}: {e}",
                args.listen
            )
        })?;
    let local = server.local_addr();
    let metrics_line = match args.metrics_listen {
        MetricsListen::Off => "metrics off".to_owned(),
        MetricsListen::On(addr) => {
            let bound = serve_metrics(addr)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: cannot serve metrics on {addr}: {e}; use --metrics-listen off to disable"))?;
            format!("metrics on {bound}")
        }
    };
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {local}")?;
        writeln!(out, "{metrics_line}")?;
        out.flush()?;
    }
    tracing::info!(plugin = name, listen = %local, %metrics_line, "plugin serving");
    server.serve_with_shutdown(shutdown_signal()).await?;
    tracing::info!(plugin = name, "plugin stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: PluginArgs,
    }

    #[test]
    fn flags_parse() {
        let c = Cli::try_parse_from([
            "x",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "off",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(c.args.listen, "127.0.0.1:0".parse::<SocketAddr>().unwrap());
        assert_eq!(c.args.metrics_listen, MetricsListen::Off);
        assert_eq!(c.args.log_format, LogFormat::Json);
        assert!(Cli::try_parse_from(["x", "--listen", "nope"]).is_err());
    }
}
