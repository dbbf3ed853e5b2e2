//! The threads that decode the pages of concurrent listings, shared by every client of the
//! process.
//!
//! A 500-VM page takes milliseconds of CPU to decode. Decoded on a runtime worker, it keeps that
//! worker from reading other bodies and sending the next requests; decoded on whichever thread
//! happens to run the page task, it spreads the page's allocations over many threads' heaps,
//! which the allocator then keeps (mimalloc has per-thread heaps; glibc per-thread arenas).
//! A few dedicated threads decode every page instead, so the memory the consumer frees is
//! reused by the next decode on the same thread. Measured at 100,000 VMs on 2 cores (one decode
//! thread), same wall time: peak RSS 46-58 MiB, against 52-70 MiB decoding in `block_in_place`
//! on the runtime's threads (docs/performance.md).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Half the cores, at least one: the other cores map and encode what was decoded.
fn thread_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores / 2).max(1)
}

/// The job queue of the decode threads; `None` if not one thread could be started.
fn queue() -> Option<&'static Sender<Job>> {
    static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(start).as_ref()
}

fn start() -> Option<Sender<Job>> {
    let (sender, receiver) = channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut started = 0;
    for index in 0..thread_count() {
        let receiver = Arc::clone(&receiver);
        let spawned = std::thread::Builder::new()
            .name(format!("prism-decode-{index}"))
            .spawn(move || work(&receiver));
        match spawned {
            Ok(_) => started += 1,
            Err(e) => tracing::warn!(error = %e, "cannot start a page decoding thread"),
        }
    }
    (started > 0).then_some(sender)
}

/// Runs jobs until every sender is gone (never, for the process-wide queue).
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            // A panicking job drops its result sender, so its caller falls back to decoding
            // inline; the thread goes on with the next job.
            Ok(job) => drop(std::panic::catch_unwind(AssertUnwindSafe(job))),
            Err(_) => return,
        }
    }
}

/// Runs `decode` on a decode thread and awaits its result. `None` when no decode thread runs
/// or the job did not complete (the caller then decodes inline). Dropping the future does not
/// stop a job already queued; its result is discarded.
pub(crate) async fn run<R: Send + 'static>(
    decode: impl FnOnce() -> R + Send + 'static,
) -> Option<R> {
    let queue = queue()?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The caller may have gone (its stream was dropped): nothing to deliver then.
        let _ = done.send(decode());
    });
    queue.send(job).ok()?;
    result.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_off_the_calling_thread() {
        let caller = std::thread::current().id();
        let (value, thread) = run(move || (6 * 7, std::thread::current().id()))
            .await
            .unwrap();
        assert_eq!(value, 42);
        assert_ne!(thread, caller);
    }

    #[tokio::test]
    async fn a_panicking_job_yields_none_and_the_pool_goes_on() {
        let failed = run(|| -> u8 { panic!("a decoder bug") }).await;
        assert_eq!(failed, None);
        assert_eq!(run(|| 1u8).await, Some(1));
    }
}
