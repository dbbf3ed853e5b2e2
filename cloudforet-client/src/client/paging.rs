//! Lazy streams over `core.v2.Query` pages.

use std::future::Future;

use futures::Stream;

use crate::error::Result;
use crate::proto::spaceone::api::core::v2 as core_v2;

/// Streams every item of a listing, one page at a time.
///
/// CloudForet pages are 1-based: `Page { start: 1, limit: n }` returns items 1..=n, and each
/// response carries the `total_count` of matching items. `fetch(page)` returns one page's items
/// and the total; the stream asks for the next page (`start += items received`) until it has
/// seen `total_count` items or a page comes back empty. Memory holds at most one page.
pub(crate) fn paged<T, F, Fut>(page_size: u32, fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(core_v2::Page) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, i32)>>,
{
    let state = PageState {
        fetch,
        next_start: 1,
        page_size,
        items: Vec::new().into_iter(),
        done: false,
    };
    futures::stream::try_unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.next() {
                return Ok(Some((item, st)));
            }
            if st.done {
                return Ok(None);
            }
            let page = core_v2::Page {
                start: st.next_start,
                limit: st.page_size,
            };
            let (items, total_count) = (st.fetch)(page).await?;
            let received = u32::try_from(items.len()).unwrap_or(u32::MAX);
            st.next_start = st.next_start.saturating_add(received);
            let seen = i64::from(st.next_start) - 1;
            st.done = received == 0 || seen >= i64::from(total_count);
            tracing::trace!(start = page.start, received, total_count, "fetched page");
            st.items = items.into_iter();
        }
    })
}

struct PageState<T, F> {
    fetch: F,
    next_start: u32,
    page_size: u32,
    items: std::vec::IntoIter<T>,
    done: bool,
}
