//! `collect`: every inventory record of the Prism Central as JSON lines (one CloudForet
//! `ResourceInfo` per line: `state`, `message`, `resource_type`, `match_rules`, `resource`),
//! then the summary on stderr.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use collector_core::cost::{CostModel, Money};
use collector_core::mapping::{ClusterNames, vm_usage};
use futures::StreamExt as _;
use time::OffsetDateTime;

use super::args::CollectArgs;
use super::pipeline::collect_records;
use super::summary::{CostLine, Summary};
use super::target::Target;
use super::{cost, output, progress};

/// Runs `collect`; returns the summary (its `failures` and `interrupted` decide the exit
/// status). Ctrl-C (SIGINT) stops the collection: the records written so far are flushed and
/// the summary is shown.
///
/// # Errors
/// Output or price book errors. Prism failures are not errors here: they are `FAILURE`
/// records in the output.
pub async fn run(
    target: &Target,
    args: &CollectArgs,
    stderr: &mut dyn Write,
) -> anyhow::Result<Summary> {
    let book = Arc::new(cost::load_price_book(args.price_book.as_deref())?);
    let as_of = OffsetDateTime::now_utc();
    let (year, month) = (as_of.year(), as_of.month());
    let month_micros = Arc::new(AtomicU64::new(0));
    let on_vm = {
        let (book, pc, micros) = (
            Arc::clone(&book),
            target.prism_central.clone(),
            Arc::clone(&month_micros),
        );
        let no_names = ClusterNames::new();
        move |vm: &nutanix_prism::model::Vm| {
            let model = CostModel::new(&book, &pc, as_of);
            if let Ok(totals) = model.monthly_totals(&vm_usage(vm, &no_names), year, month) {
                let sum = totals
                    .values()
                    .fold(Money::default(), |a, b| a.saturating_add(*b));
                micros.fetch_add(sum.micros(), Ordering::Relaxed);
            }
        }
    };

    let started = Instant::now();
    let mut out = output::open(args.output.as_deref())?;
    let bar = progress::spinner("records");
    let mut summary = Summary::default();
    let mut records = Box::pin(collect_records(
        &target.client,
        target.prism_central.clone(),
        on_vm,
    ));
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
    out.flush().context("flushing the output")?;
    bar.finish_and_clear();
    let cost = CostLine {
        month: format!("{year:04}-{:02}", u8::from(month)),
        amount: Money::from_micros(month_micros.load(Ordering::Relaxed)).to_string(),
        currency: book.currency.code().to_owned(),
    };
    summary
        .render(stderr, &target.endpoint, started.elapsed(), Some(&cost))
        .context("writing the summary")?;
    if let Some(path) = &args.output {
        writeln!(stderr, "records written to {}", path.display())?;
    }
    Ok(summary)
}
