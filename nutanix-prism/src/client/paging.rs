//! Listing: one page, or a lazy stream of every entity with Prism's paging quirks handled.
//!
//! # The loop
//!
//! * Every request of a paged kind carries an explicit `length` (Prism's default is 20).
//! * `offset` advances by the number of entities **received**, never by the requested length,
//!   so a silent server clamp (ask 1000, get 500) loses nothing.
//! * The stream stops on an empty page; or once `offset >= total_matches` **and** the last page
//!   was short. When the last page was full the stream asks for one more page, because
//!   `total_matches` can be lower than the real count; this costs one extra request only when
//!   the count is an exact multiple of the page size. Without `total_matches` it pages until an
//!   empty page.
//! * Guards: at most `max_pages` requests per stream (then [`Error::Paging`]); two consecutive
//!   non-empty pages without a single new entity (a server ignoring `offset`) end the stream.
//! * Unpaged kinds (hosts) are listed in one request without `offset`/`length`; only if the
//!   response holds fewer entities than its `total_matches` does the stream fall back to paging.
//!
//! # Concurrency
//!
//! With `concurrency > 1`, once the first page reveals `total_matches` and the effective page
//! size, the remaining pages are requested concurrently (at most `concurrency` at a time, each
//! under the client's rate limiter) and their entities are yielded as pages arrive (order across
//! pages is not preserved). Each of these page requests (send, body read and JSON decoding) runs
//! as its own tokio task, so pages decode on other runtime workers while the consumer handles
//! the previous page; dropping the stream aborts those tasks, which stops their Prism traffic at
//! once. `concurrency` bounds the HTTP exchanges in flight: an exchange holds its slot from
//! before it is sent until its body is read (not while the body is decoded nor during retry
//! back-off), so the next request goes out while a page is decoded or waits for the consumer.
//! At most `concurrency + ceil(concurrency / 4)` pages are requested, decoded or waiting at any
//! time (5 at the default 4), which bounds memory. These pages are decoded on a few threads of
//! their own, shared by the process (half its cores, at least one), so decoding never keeps the
//! runtime's workers from the network and the allocator reuses the memory of consumed pages.
//! The first `concurrency` requests are spread over one round trip of the first page rather
//! than sent at once, so that pages keep arriving one at a time instead of in bursts of
//! `concurrency`.
//!
//! Afterwards the stream verifies completeness: if fewer entities arrived than
//! `total_matches` (pages came back short or empty), it continues sequentially from the
//! received count until an empty page; if the last page was full, it probes once more as above.
//!
//! # Malformed pages
//!
//! A page whose `entities` is present but not an array (nor `null`) cannot be read. When it may
//! hide entities (`total_matches` is absent or beyond the page's offset, or the concurrent phase
//! knows more pages follow) the stream ends with [`Error::Paging`] naming the kind and the JSON
//! path `entities`, rather than with a silently short list; it is tolerated as an empty last page
//! only when `total_matches` says nothing remains at its offset.
//!
//! # A fleet that changes during paging
//!
//! Prism offers no snapshot: entities created or deleted while a stream runs shift the others
//! between pages. De-duplication by [`Entity::key`] (the UUID) guarantees that no entity is
//! yielded twice. An entity can still be **missed** if deletions before its position shift it
//! into a page that was already fetched; an entity created during the stream may or may not
//! appear. Treat a disappearance as a deletion only after two consecutive complete listings.
//!
//! Opt-in remedy: [`ListOptions::sweeps`] (or the builder's `list_sweeps`) with `n >= 2` lists
//! the collection again after the first sweep and yields only entities not yielded before (the
//! union de-duplicated by key). Sweeps after the second run only while the previous one showed
//! change: it brought a new entity, or `total_matches` moved within it or from the sweep
//! before. A VM shifted out of sweep 1 by deletions is found by sweep 2 unless deletions shift
//! it again while sweep 2 passes it, which the next sweep repairs, up to `n` sweeps. Detection by
//! totals alone would miss churn with equal adds and removes, so the second sweep is always run
//! when `n >= 2`: it doubles the requests of a stable fleet. `n = 1` (the default) keeps the
//! single sweep and its exact request counts. Sweeps apply to paged kinds only.
//! The de-duplication set holds one key per entity: 16 bytes (about 22 with the hash table) for a
//! canonical UUID, about 2 MB per 100 000 entities; other keys are kept as text. Entities without
//! a key are always yielded.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use tokio::sync::Semaphore;
use tracing::Instrument;

use super::PrismClient;
use super::dedupe::KeySet;
use super::transport::Call;
use crate::error::{Error, Result};
use crate::model::{Entity, ListRequest, ListResponse, SortOrder};

/// Pages of the concurrent phase that may be decoded or waiting for the consumer beyond the
/// `concurrency` exchanges on the wire: one per four exchanges, rounded up. The next requests
/// go out while the consumer is busy with a page, and memory stays bounded by `concurrency +
/// pages_ahead(concurrency)` pages. Measured on 2 cores at 100,000 VMs (docs/performance.md):
/// at concurrency 4 one page ahead instead of two lowers the peak RSS by about 10 MiB at the
/// same wall time; at concurrency 8 two ahead take 3.5 s against 3.9 s for one.
pub(crate) fn pages_ahead(concurrency: usize) -> usize {
    concurrency.div_ceil(4).max(1)
}

/// Longest spread of the first window of the concurrent phase (see [`launch_delay`]).
const MAX_LAUNCH_SPREAD: Duration = Duration::from_secs(1);

/// When the `index`-th request of the concurrent phase may start: the first `concurrency`
/// requests are spread evenly over one round trip of the first page (at most
/// [`MAX_LAUNCH_SPREAD`]), later ones start as soon as they get a slot.
///
/// Launched together, the first window's pages would come back together, round after round:
/// `concurrency` bodies to read and decode at once, with pages piling up in memory and the
/// next requests held back while the cores decode. Spread over one round trip, pages arrive one
/// at a time and each slot's next request follows its own body, so the spacing persists
/// (self-clocking) and each page is decoded while the others are still on the wire.
fn launch_delay(index: i64, concurrency: usize, round_trip: Duration) -> Duration {
    let slots = u32::try_from(concurrency).unwrap_or(u32::MAX).max(1);
    match u32::try_from(index) {
        Ok(i) if i < slots => round_trip.min(MAX_LAUNCH_SPREAD) / slots * i,
        _ => Duration::ZERO,
    }
}

/// Client-wide listing defaults (set on the builder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListDefaults {
    pub(crate) page_size: u32,
    pub(crate) concurrency: usize,
    pub(crate) max_pages: u32,
    pub(crate) sweeps: u32,
}

impl Default for ListDefaults {
    fn default() -> Self {
        Self {
            page_size: super::builder::DEFAULT_PAGE_SIZE,
            concurrency: super::builder::DEFAULT_LIST_CONCURRENCY,
            max_pages: 100_000,
            sweeps: 1,
        }
    }
}

/// Per-call options of a list stream; unset fields use the client's defaults.
///
/// ```
/// use nutanix_prism::ListOptions;
/// use nutanix_prism::model::SortOrder;
///
/// let opts = ListOptions::new()
///     .page_size(250)
///     .concurrency(1)
///     .filter("power_state==on")
///     .sort("vm_name", SortOrder::Ascending);
/// assert_eq!(opts.page_size, Some(250));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListOptions {
    /// Entities requested per page (default: the client's, 500).
    pub page_size: Option<u32>,
    /// Page requests on the wire at once (default: the client's, 4; 1 = sequential).
    pub concurrency: Option<usize>,
    /// FIQL filter, passed through (`vm_name==web.*`). Prism ignores it on clusters and hosts.
    pub filter: Option<String>,
    /// Sort attribute, passed through (an IDF attribute name such as `vm_name`).
    pub sort_attribute: Option<String>,
    /// Sort order, passed through.
    pub sort_order: Option<SortOrder>,
    /// Maximum sweeps over a paged collection (default: the client's, 1); see
    /// [`ListOptions::sweeps`].
    pub sweeps: Option<u32>,
}

impl ListOptions {
    /// Options with every field unset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page size.
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Sets the number of concurrent page requests (1 = sequential).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = Some(concurrency);
        self
    }

    /// Sets the maximum number of sweeps (at least 1; 0 counts as 1).
    ///
    /// With `n >= 2` the collection is listed at least twice and at most `n` times, yielding each
    /// entity once (by key): entities that existed for the whole listing but were shifted
    /// between pages by concurrent deletions in one sweep are picked up by the next. A third or
    /// later sweep runs only if the previous one still brought a new entity or saw
    /// `total_matches` move. See the module docs ("A fleet that changes during paging").
    #[must_use]
    pub fn sweeps(mut self, n: u32) -> Self {
        self.sweeps = Some(n);
        self
    }

    /// Sets the FIQL filter.
    #[must_use]
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets the sort attribute and order.
    #[must_use]
    pub fn sort(mut self, attribute: impl Into<String>, order: SortOrder) -> Self {
        self.sort_attribute = Some(attribute.into());
        self.sort_order = Some(order);
        self
    }
}

/// Where and what to list.
#[derive(Debug, Clone)]
pub(crate) struct ListTarget {
    /// Segments of the list URL, ending with `list`.
    pub(crate) segments: Vec<String>,
    /// The `kind` sent in the request body.
    pub(crate) kind: &'static str,
    /// Whether the endpoint honours `offset`/`length`.
    pub(crate) paged: bool,
    /// Operation label (`vms/list`).
    pub(crate) operation: String,
}

impl ListTarget {
    pub(crate) fn of<T: Entity>() -> Self {
        Self {
            segments: vec![T::PATH.to_owned(), "list".to_owned()],
            kind: T::KIND,
            paged: T::PAGED,
            operation: format!("{}/list", T::PATH),
        }
    }
}

/// Paging state shared by the sequential and concurrent phases.
struct Progress {
    seen: KeySet,
    received: i64,
    total: Option<i64>,
    last_len: i64,
    full_len: i64,
    pages: u32,
    max_pages: u32,
    barren_pages: u32,
    /// Ignore `total_matches` and page until an empty page.
    until_empty: bool,
    /// `total_matches` changed between two pages of this sweep.
    total_moved: bool,
    /// Whether pages without a new entity end the stream (off in sweeps after the first,
    /// whose pages repeat known entities by design).
    barren_guard: bool,
}

impl Progress {
    /// Records a page; returns the entities not seen before. `requested` is the page length asked
    /// for, used to detect a server clamp (`None` when the clamp is already known).
    fn absorb<T: Entity>(&mut self, requested: Option<i64>, page: ListResponse<T>) -> Vec<T> {
        let len = i64::try_from(page.entities.len()).unwrap_or(i64::MAX);
        self.received = self.received.saturating_add(len);
        if let Some(t) = page.metadata.total_matches {
            if self.total.is_some_and(|old| old != t) {
                self.total_moved = true;
            }
            self.total = Some(t);
        }
        self.last_len = len;
        // A short, non-empty page while more remain: the server clamps the page size.
        if let Some(requested) = requested
            && len > 0
            && len < requested
            && self.total.is_some_and(|t| self.received < t)
        {
            self.full_len = self.full_len.min(len);
        }
        let fresh: Vec<T> = page
            .entities
            .into_iter()
            .filter(|e| match e.key() {
                Some(k) => self.seen.insert(k),
                None => true,
            })
            .collect();
        if len > 0 && fresh.is_empty() {
            self.barren_pages += 1;
        } else {
            self.barren_pages = 0;
        }
        fresh
    }

    /// Whether another page should be requested.
    fn wants_more(&self) -> bool {
        let barren = self.barren_guard && self.barren_pages >= 2;
        if self.last_len == 0 || barren {
            if barren {
                tracing::warn!(
                    "two consecutive Prism pages brought no new entity; the server seems to ignore offset"
                );
            }
            return false;
        }
        match self.total {
            _ if self.until_empty => true,
            Some(t) if self.received < t => true,
            // Reached the announced total: probe once more only after a full page.
            Some(_) => self.last_len >= self.full_len,
            None => true,
        }
    }

    /// Reserves the pages needed to cover `received..total` in steps of `step` for the
    /// concurrent phase; `None` (nothing reserved) when that would exceed the page guard.
    fn reserve_pages(&mut self, total: i64, step: i64) -> Option<i64> {
        let remaining = (total - self.received).checked_add(step - 1)? / step;
        let budget = i64::from(self.max_pages.saturating_sub(self.pages));
        if remaining <= 0 || remaining > budget {
            if remaining > budget {
                tracing::warn!(
                    total,
                    pages = remaining,
                    "total_matches needs more pages than max_pages; paging sequentially"
                );
            }
            return None;
        }
        self.pages += u32::try_from(remaining).ok()?;
        Some(remaining)
    }

    fn count_page(&mut self, url: &str) -> Result<()> {
        if self.pages >= self.max_pages {
            return Err(Error::Paging {
                url: url.to_owned(),
                message: format!(
                    "more than {} pages requested; the server keeps returning entities (raise max_pages if the fleet is that large)",
                    self.max_pages
                ),
            });
        }
        self.pages += 1;
        Ok(())
    }
}

impl PrismClient {
    /// Fetches one page of `target`. A page whose `entities` is malformed is an error unless
    /// it is provably the end of the list (see [`check_entities`]); `more_follow` says the
    /// caller already knows that further pages follow this one.
    pub(crate) async fn fetch_page<T: Entity>(
        &self,
        target: &ListTarget,
        req: &ListRequest,
        more_follow: bool,
    ) -> Result<ListResponse<T>> {
        self.fetch_page_gated(target, req, more_follow, None).await
    }

    /// [`PrismClient::fetch_page`] whose HTTP exchanges each hold a permit of `gate` (see
    /// [`Call::gate`]).
    async fn fetch_page_gated<T: Entity>(
        &self,
        target: &ListTarget,
        req: &ListRequest,
        more_follow: bool,
        gate: Option<Arc<Semaphore>>,
    ) -> Result<ListResponse<T>> {
        let body = serde_json::to_vec(req)
            .map_err(|e| Error::Config(format!("cannot encode the list request: {e}")))?;
        let mut call = Call::post_read(
            target.segments.clone(),
            target.operation.clone(),
            body.into(),
        );
        call.gate = gate;
        let page = self.inner.execute(&call).await?;
        check_entities(&page, target, req.offset.unwrap_or(0), more_follow, || {
            self.inner.url_for(&target.segments).to_string()
        })?;
        Ok(page)
    }

    /// [`PrismClient::fetch_page`] as its own tokio task, concurrently with the caller (its body
    /// is decoded on the decode threads); the request waits `delay` first. The task is aborted when the returned future is dropped (a dropped stream
    /// stops its Prism traffic).
    fn spawn_page<T: Entity>(
        &self,
        target: &ListTarget,
        req: ListRequest,
        more_follow: bool,
        gate: &Arc<Semaphore>,
        delay: Duration,
    ) -> PageTask<T> {
        let client = self.clone();
        let url = self.inner.url_for(&target.segments).to_string();
        let target = target.clone();
        let gate = Arc::clone(gate);
        let task = async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            client
                .fetch_page_gated::<T>(&target, &req, more_follow, Some(gate))
                .await
        };
        PageTask {
            handle: tokio::spawn(task.instrument(tracing::Span::current())),
            url,
        }
    }

    /// One page of any kind: `POST /{T::PATH}/list` with `req` as given.
    ///
    /// `kind` defaults to `T::KIND`; for paged kinds an absent `length` is set to the client's
    /// page size (Prism would otherwise return 20). Unpaged kinds (hosts) are sent as given.
    pub async fn list<T: Entity>(&self, req: ListRequest) -> Result<ListResponse<T>> {
        let target = ListTarget::of::<T>();
        self.fetch_page(&target, &self.complete_request(req, &target), false)
            .await
    }

    pub(crate) fn complete_request(
        &self,
        mut req: ListRequest,
        target: &ListTarget,
    ) -> ListRequest {
        if req.kind.is_none() {
            req.kind = Some(target.kind.to_owned());
        }
        if target.paged && req.length.is_none() {
            req.length = Some(i64::from(self.list.page_size));
        }
        req
    }

    /// Every entity of kind `T`, as a lazy stream.
    ///
    /// Paging rules: an explicit `length` on every paged request; `offset` advanced by the
    /// entities received; stop on an empty page, or at `total_matches` after a short page (a full
    /// last page is followed by one probe, since totals can be under-reported); at most
    /// `max_pages` requests; entities de-duplicated by [`Entity::key`]. Unpaged kinds (hosts) are
    /// fetched in one request without `length`. With `concurrency > 1` the pages after the first
    /// are fetched concurrently once `total_matches` is known (at most `concurrency` exchanges
    /// on the wire and `concurrency + ceil(concurrency / 4)` pages in memory; order across pages
    /// not preserved), each page request in its own tokio task (aborted when the stream is
    /// dropped) and its JSON decoded on the process's decode threads, then completeness is
    /// checked sequentially. A page whose `entities` is not an array ends the stream with
    /// [`Error::Paging`] unless `total_matches` shows that nothing remains at its offset.
    ///
    /// While entities are created or deleted during the stream, none is yielded twice but one
    /// can be missed (Prism has no snapshot). The de-duplication set costs about 22 bytes per
    /// entity with a canonical UUID key. The stream is `'static`: it owns a clone of the client;
    /// it must be polled inside a tokio runtime (as any use of the client).
    ///
    /// ```no_run
    /// # async fn demo(client: nutanix_prism::PrismClient) -> nutanix_prism::Result<()> {
    /// use futures::TryStreamExt;
    /// use nutanix_prism::ListOptions;
    /// use nutanix_prism::model::Vm;
    ///
    /// let vms: Vec<Vm> = client.list_all::<Vm>(ListOptions::new().filter("power_state==on")).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all<T: Entity>(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<T>> + Send + Unpin + 'static {
        self.stream_target(ListTarget::of::<T>(), options)
    }

    pub(crate) fn stream_target<T: Entity>(
        &self,
        target: ListTarget,
        options: ListOptions,
    ) -> impl Stream<Item = Result<T>> + Send + Unpin + 'static {
        let client = self.clone();
        // Boxed so callers can `.next().await` without pinning.
        Box::pin(async_stream::try_stream! {
            let page_size = options.page_size.unwrap_or(client.list.page_size);
            if page_size == 0 {
                Err(Error::Config("page_size must be at least 1".into()))?;
            }
            let page_size = i64::from(page_size);
            let concurrency = options.concurrency.unwrap_or(client.list.concurrency).max(1);
            let url = client.inner.url_for(&target.segments).to_string();
            let template = ListRequest {
                kind: Some(target.kind.to_owned()),
                filter: options.filter.clone(),
                sort_attribute: options.sort_attribute.clone(),
                sort_order: options.sort_order,
                ..ListRequest::default()
            };
            let sweeps = options.sweeps.unwrap_or(client.list.sweeps).max(1);
            let mut seen = KeySet::default();
            let mut previous_total: Option<i64> = None;
            for sweep in 1..=sweeps {
            let mut progress = Progress {
                seen: std::mem::take(&mut seen),
                received: 0,
                total: None,
                last_len: 0,
                full_len: page_size,
                pages: 0,
                max_pages: client.list.max_pages.max(1),
                barren_pages: 0,
                until_empty: false,
                total_moved: false,
                barren_guard: sweep == 1,
            };
            let seen_before = progress.seen.len();
            let mut single_request = false;

            // First page (unpaged kinds: one request without offset/length).
            let first_req = if target.paged { template.clone().offset(0).length(page_size) } else { template.clone() };
            progress.count_page(&url)?;
            let first_started = Instant::now();
            let first = client.fetch_page::<T>(&target, &first_req, false).await?;
            let round_trip = first_started.elapsed();
            let first_len = i64::try_from(first.entities.len()).unwrap_or(i64::MAX);
            for entity in progress.absorb(target.paged.then_some(page_size), first) {
                yield entity;
            }
            if !target.paged {
                // Hosts: page only if the single response is incomplete.
                match progress.total {
                    Some(t) if progress.received < t && first_len > 0 => {
                        tracing::warn!(url = %url, received = progress.received, total = t,
                            "unpaged list returned fewer entities than total_matches; falling back to paging");
                        progress.full_len = page_size;
                    }
                    _ => single_request = true,
                }
            }

            // Concurrent phase: the remaining pages at fixed offsets, `first_len` apart.
            // Skipped (sequential paging instead) when `total_matches` would need more pages
            // than the guard allows: a bogus total must not schedule millions of requests.
            if !single_request && target.paged && concurrency > 1 && first_len > 0
                && let Some(total) = progress.total
                && progress.received < total
                && let Some(remaining) = progress.reserve_pages(total, first_len)
            {
                let step = first_len;
                let last_offset = first_len + (remaining - 1) * step;
                // Each page is its own task (request, body and decoding off the consumer's
                // task), created only when `buffer_unordered` has a free slot. At most
                // `concurrency` exchanges are on the wire (`gate`); a page whose body has
                // arrived frees its permit while it is decoded and waits for the consumer,
                // so up to `pages_ahead` more pages can be decoded or waiting. The first window is
                // spread over one round trip (`launch_delay`).
                let gate = Arc::new(Semaphore::new(concurrency));
                let mut pages = futures::stream::iter(0..remaining)
                    .map(|i| {
                        let offset = first_len + i * step;
                        let req = template.clone().offset(offset).length(step);
                        let delay = launch_delay(i, concurrency, round_trip);
                        let task = client.spawn_page::<T>(&target, req, offset < last_offset, &gate, delay);
                        async move { (offset, task.await) }
                    })
                    .buffer_unordered(concurrency + pages_ahead(concurrency));
                let mut last_page_len = 0;
                while let Some((offset, page)) = pages.next().await {
                    let page = page?;
                    if offset == last_offset {
                        last_page_len = i64::try_from(page.entities.len()).unwrap_or(i64::MAX);
                    }
                    for entity in progress.absorb(None, page) {
                        yield entity;
                    }
                }
                progress.full_len = progress.full_len.min(step);
                if progress.received < total {
                    // Pages came back short or empty: the total was wrong or the fleet shrank.
                    // Continue sequentially from the received count until an empty page.
                    tracing::debug!(url = %url, received = progress.received, total,
                        "concurrent paging came back short; continuing sequentially until an empty page");
                    progress.until_empty = true;
                    progress.last_len = progress.full_len;
                } else {
                    // Completeness check uses the highest page, not the last one to arrive.
                    progress.last_len = last_page_len;
                }
            }

            // Sequential phase (also the completeness check after the concurrent phase).
            while !single_request && progress.wants_more() {
                progress.count_page(&url)?;
                let req = template.clone().offset(progress.received).length(page_size);
                let page = client.fetch_page::<T>(&target, &req, false).await?;
                for entity in progress.absorb(Some(page_size), page) {
                    yield entity;
                }
            }

            // Another sweep? Always a second one (equal adds and removes keep totals constant),
            // later ones only while the previous sweep still showed change.
            let fresh = progress.seen.len() - seen_before;
            let changed = progress.total_moved
                || fresh > 0
                || previous_total.is_some_and(|t| Some(t) != progress.total);
            // A server ignoring `offset` (barren pages) would not be helped by another sweep.
            let ignores_offset = progress.barren_guard && progress.barren_pages >= 2;
            let done = single_request
                || ignores_offset
                || !target.paged
                || sweep == sweeps
                || (sweep >= 2 && !changed);
            if sweep >= 2 || done {
                tracing::debug!(url = %url, sweep, fresh, changed, "list sweep finished");
            }
            if done {
                break;
            }
            previous_total = progress.total;
            seen = progress.seen;
            }
        })
    }
}

/// Refuses a page whose `entities` is malformed (neither an array nor `null`) when entities
/// may remain: `more_follow` (the caller knows later pages exist), or `total_matches` absent or
/// beyond `offset`. Such a page would otherwise read as an empty page and end the listing
/// silently short. Tolerated only when `total_matches` says nothing remains at `offset`.
fn check_entities<T>(
    page: &ListResponse<T>,
    target: &ListTarget,
    offset: i64,
    more_follow: bool,
    url: impl FnOnce() -> String,
) -> Result<()> {
    let Some(found) = page.malformed_entities() else {
        return Ok(());
    };
    let total = page.metadata.total_matches;
    let why = match total {
        _ if more_follow => "later pages of this listing exist".to_owned(),
        Some(t) if t > offset => format!("total_matches ({t}) says entities remain"),
        Some(_) => return Ok(()),
        None => "the page has no total_matches to show that nothing remains".to_owned(),
    };
    tracing::warn!(
        kind = target.kind,
        offset,
        found,
        "list page with malformed entities"
    );
    Err(Error::Paging {
        url: url(),
        message: format!(
            "the {} list page at offset {offset} has {found} at JSON path `entities` where an array was expected, and {why}; the page cannot be read, so the listing would be incomplete (check Prism Central or a proxy in between)",
            target.kind
        ),
    })
}

/// A page request running as its own task; aborted when dropped.
struct PageTask<T> {
    handle: tokio::task::JoinHandle<Result<ListResponse<T>>>,
    /// The list URL, for the error of a cancelled task.
    url: String,
}

impl<T> Future for PageTask<T> {
    type Output = Result<ListResponse<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        Pin::new(&mut this.handle)
            .poll(cx)
            .map(|joined| match joined {
                Ok(page) => page,
                // A panic inside the task is re-raised here, as if the page had been fetched inline.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => Err(Error::Paging {
                    url: this.url.clone(),
                    message:
                        "a page request task was cancelled (is the tokio runtime shutting down?)"
                            .to_owned(),
                }),
            })
    }
}

impl<T> Drop for PageTask<T> {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(total: Option<i64>, page: i64) -> Progress {
        Progress {
            seen: KeySet::default(),
            received: 0,
            total,
            last_len: 0,
            full_len: page,
            pages: 0,
            max_pages: 3,
            barren_pages: 0,
            until_empty: false,
            total_moved: false,
            barren_guard: true,
        }
    }

    #[test]
    fn stops_on_short_page_at_total() {
        let mut p = progress(Some(5), 3);
        p.received = 5;
        p.last_len = 2;
        assert!(!p.wants_more());
        p.last_len = 3;
        assert!(
            p.wants_more(),
            "a full page at the total is probed once more"
        );
        p.last_len = 0;
        assert!(!p.wants_more());
    }

    #[test]
    fn one_page_ahead_per_four_on_the_wire() {
        let ahead: Vec<usize> = [1, 2, 4, 5, 8, 9, 16].map(pages_ahead).into();
        assert_eq!(ahead, [1, 1, 1, 2, 2, 3, 4]);
    }

    #[test]
    fn first_window_is_spread_over_one_round_trip() {
        let rt = Duration::from_millis(100);
        let delays: Vec<_> = (0..6).map(|i| launch_delay(i, 4, rt)).collect();
        let ms = |m| Duration::from_millis(m);
        assert_eq!(delays, [ms(0), ms(25), ms(50), ms(75), ms(0), ms(0)]);
        assert_eq!(
            launch_delay(1, 1, rt),
            Duration::ZERO,
            "sequential: no window"
        );
        assert_eq!(
            launch_delay(3, 4, Duration::from_secs(40)),
            ms(750),
            "a slow first page (retries) spreads the window over at most a second"
        );
        assert_eq!(launch_delay(-1, 4, rt), Duration::ZERO);
    }

    #[test]
    fn page_guard_trips() {
        let mut p = progress(None, 1);
        for _ in 0..3 {
            p.count_page("u").unwrap();
        }
        assert!(matches!(p.count_page("u"), Err(Error::Paging { .. })));
    }
}
