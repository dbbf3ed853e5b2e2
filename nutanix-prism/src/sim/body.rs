//! Response bodies: whole, slow (chunked with pauses), or cut midway (truncated).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// A response body as the simulator sends it.
#[derive(Debug)]
pub(crate) struct SimBody {
    chunks: VecDeque<Bytes>,
    delay: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
    /// Bytes announced (exact size hint → `Content-Length`).
    announced: u64,
    /// Whether to fail after the last chunk (truncation: the connection is cut).
    fail_at_end: bool,
}

impl SimBody {
    /// The whole body at once.
    pub(crate) fn full(bytes: Bytes) -> Self {
        let announced = bytes.len() as u64;
        let chunks = if bytes.is_empty() {
            VecDeque::new()
        } else {
            VecDeque::from([bytes])
        };
        Self {
            chunks,
            delay: Duration::ZERO,
            sleep: None,
            announced,
            fail_at_end: false,
        }
    }

    /// The body in `pieces` chunks with `total / pieces` pauses before each.
    pub(crate) fn slow(bytes: Bytes, pieces: usize, total: Duration) -> Self {
        let announced = bytes.len() as u64;
        let pieces = pieces.max(1);
        let size = bytes.len().div_ceil(pieces).max(1);
        let mut chunks = VecDeque::new();
        let mut start = 0;
        while start < bytes.len() {
            let end = (start + size).min(bytes.len());
            chunks.push_back(bytes.slice(start..end));
            start = end;
        }
        let delay = total / pieces as u32;
        Self {
            chunks,
            delay,
            sleep: None,
            announced,
            fail_at_end: false,
        }
    }

    /// Announces the whole length, sends the first half, then fails (the connection is cut).
    pub(crate) fn truncated(bytes: Bytes) -> Self {
        let announced = bytes.len() as u64;
        let half = bytes.slice(..bytes.len() / 2);
        Self {
            chunks: VecDeque::from([half]),
            delay: Duration::ZERO,
            sleep: None,
            announced,
            fail_at_end: true,
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.chunks.is_empty() {
            if this.fail_at_end {
                // Pause first so that the status line, headers and half body really reach the
                // client before the connection is cut.
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
                this.fail_at_end = false;
                return Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "simulated truncation",
                ))));
            }
            return Poll::Ready(None);
        }
        if !this.delay.is_zero() {
            let sleep = this
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(this.delay)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.sleep = None;
        }
        Poll::Ready(this.chunks.pop_front().map(|c| Ok(Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && !self.fail_at_end
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.announced)
    }
}
