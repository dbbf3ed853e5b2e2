//! `list <kind>`: the entities of one kind, as Prism returned them (JSON lines) or as a table
//! (UUID, name, cluster).

use std::io::{IsTerminal as _, Write};

use anyhow::Context as _;
use futures::TryStreamExt as _;
use nutanix_prism::ListOptions;
use nutanix_prism::model::{Cluster, Entity, Host, Image, Project, Subnet, Vm, VolumeGroup};
use serde::Serialize;
use serde_json::Value;

use super::args::{Format, ListArgs, ListKind};
use super::output;
use super::target::Target;

/// Runs `list`; returns the number of entities.
///
/// # Errors
/// Prism or output failures.
pub async fn run(target: &Target, args: &ListArgs) -> anyhow::Result<u64> {
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut opts = ListOptions::new();
    if let Some(n) = args.page_size {
        opts = opts.page_size(n);
    }
    match args.kind {
        ListKind::Vms => list::<Vm>(target, opts, format).await,
        ListKind::Clusters => list::<Cluster>(target, opts, format).await,
        ListKind::Hosts => list::<Host>(target, opts, format).await,
        ListKind::Subnets => list::<Subnet>(target, opts, format).await,
        ListKind::Images => list::<Image>(target, opts, format).await,
        ListKind::VolumeGroups => list::<VolumeGroup>(target, opts, format).await,
        ListKind::Projects => list::<Project>(target, opts, format).await,
    }
}

fn text<'a>(v: &'a Value, pointers: &[&str]) -> &'a str {
    pointers
        .iter()
        .find_map(|p| v.pointer(p).and_then(Value::as_str))
        .unwrap_or("-")
}

async fn list<T: Entity + Serialize>(
    target: &Target,
    opts: ListOptions,
    format: Format,
) -> anyhow::Result<u64> {
    let mut out = output::open(None)?;
    let mut stream = target.client.list_all::<T>(opts);
    let mut count = 0_u64;
    if format == Format::Table {
        writeln!(out, "{:<36}  {:<40}  CLUSTER", "UUID", "NAME")?;
    }
    while let Some(entity) = stream
        .try_next()
        .await
        .with_context(|| format!("listing {} from {}", T::PATH, target.endpoint))?
    {
        count += 1;
        let json = serde_json::to_value(&entity).context("serialising an entity")?;
        match format {
            Format::Json => output::line(&mut out, &json.to_string())?,
            Format::Table => writeln!(
                out,
                "{:<36}  {:<40}  {}",
                text(&json, &["/metadata/uuid"]),
                text(&json, &["/status/name", "/spec/name", "/name"]),
                text(
                    &json,
                    &[
                        "/status/cluster_reference/name",
                        "/spec/cluster_reference/name",
                        "/status/cluster_reference/uuid",
                    ]
                ),
            )?,
        }
    }
    out.flush().context("flushing the output")?;
    Ok(count)
}
