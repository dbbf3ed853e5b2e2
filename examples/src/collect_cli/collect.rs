//! `collect`: every inventory record of the Prism Central as JSON lines (one CloudForet
//! `ResourceInfo` per line: `state`, `message`, `resource_type`, `match_rules`, `resource`),
//! then the summary on stderr.
//!
//! The records come from the inventory plugin's pipeline
//! ([`crate::inventory::pipeline::records_from_client`]); the month's cost in the summary is
//! the total the cost plugin would send ([`super::cost::month_total`]), computed concurrently
//! (a second listing of the VMs; `--no-cost` skips it).

use std::io::Write;
use std::time::Instant;

use anyhow::Context as _;
use futures::StreamExt as _;
use time::OffsetDateTime;

use super::args::CollectArgs;
use super::summary::{CostLine, Summary};
use super::target::Target;
use super::{cost, output, progress};
use crate::cost::month::YearMonth;
use crate::inventory::pipeline::records_from_client;

/// Runs `collect`; returns the summary (its `failures` and `interrupted` decide the exit
/// status). Ctrl-C (SIGINT) stops the collection: the records written so far are flushed and
/// the summary is shown.
///
/// # Errors
/// Output errors. Prism failures are not errors here: they are `FAILURE` records in the
/// output (and a note instead of the cost line).
pub async fn run(
    target: &Target,
    args: &CollectArgs,
    stderr: &mut dyn Write,
) -> anyhow::Result<Summary> {
    let now = OffsetDateTime::now_utc();
    let month = YearMonth::of(now.date());
    let cost_task = (!args.no_cost)
        .then(|| tokio::spawn(cost::month_total(cost::cost_job(target, month, now))));

    let started = Instant::now();
    let mut out = output::open(args.output.as_deref())?;
    let bar = progress::spinner("records");
    let mut summary = Summary::default();
    let mut records = records_from_client(&target.client, &target.secret, &target.options, None);
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        let record = tokio::select! {
            r = records.next() => r,
            _ = &mut interrupt => {
                // Stop fetching, keep what was written, still show the summary.
                summary.interrupted = true;
                None
            }
        };
        let Some(record) = record else { break };
        let json = record
            .to_json_string()
            .context("serialising a record as JSON")?;
        output::line(&mut out, &json).context("writing a record")?;
        summary.observe(&record);
        bar.inc(1);
        if summary.total.is_multiple_of(256) {
            bar.set_message(format!(
                "{} VMs, {} failures",
                summary.count_of("VirtualMachine"),
                summary.failures.len()
            ));
        }
    }
    drop(records);
    out.flush().context("flushing the output")?;
    let elapsed = started.elapsed();
    let currency = target.options.price_book.currency.code().to_owned();
    let cost = match cost_task {
        Some(task) if !summary.interrupted => match task.await {
            Ok(Ok(total)) => Some(CostLine {
                month: month.to_string(),
                amount: total.to_string(),
                currency,
            }),
            Ok(Err(e)) => {
                writeln!(stderr, "cost of {month} unavailable: {e:#}")?;
                None
            }
            Err(e) => {
                writeln!(stderr, "cost of {month} unavailable: {e}")?;
                None
            }
        },
        Some(task) => {
            task.abort();
            None
        }
        None => None,
    };
    bar.finish_and_clear();
    summary
        .render(stderr, &target.endpoint, elapsed, cost.as_ref())
        .context("writing the summary")?;
    if let Some(path) = &args.output {
        writeln!(stderr, "records written to {}", path.display())?;
    }
    Ok(summary)
}
