//! The output buffer of the serializers, with the lengths of nested messages filled in late.
//!
//! A nested message's length precedes its content but is known only after it. Every nested
//! message gets a one-byte placeholder ([`Writer::reserve_len`]). When the message ends
//! ([`Writer::close`]) and its content is shorter than 128 bytes, the length goes straight into
//! the placeholder: final, since nothing inside it can still grow. A longer message needs a
//! varint of two or more bytes, so its content would have to move right; doing that at once
//! would move the bytes of a deeply nested message once per enclosing level. Instead the long
//! placeholder is *recorded* and [`Writer::finish`] moves everything in one backward pass, each
//! byte at most once:
//!
//! 1. Lengths: messages close innermost first, so the records come in post-order. Walking them
//!    with a stack gives each message its final length (its raw length plus the growth of the
//!    long messages inside it) and so its varint width.
//! 2. Moves: from the last placeholder to the first, the bytes after each placeholder move
//!    right by the growth of every placeholder before and including it, and the varint is
//!    written in the gap.
//!
//! The records live in a fixed array; a message with more than [`RECORDS`] long parts spills
//! them to a `Vec` (applying them early instead would move placeholders that serializers still
//! hold open, such as that of a later sibling).

use super::ser::SerError;

/// The largest length a protobuf message may have (2 GiB - 1).
const MAX_LEN: usize = i32::MAX as usize;

/// Long placeholders recorded before they are applied.
const RECORDS: usize = 64;

/// A placeholder whose message turned out to be 128 bytes or longer.
#[derive(Clone, Copy, Default)]
struct Long {
    /// Position of the one-byte placeholder.
    at: usize,
    /// End (exclusive) of the message content when it was closed, before any move; replaced by
    /// the final content length (including the growth of long messages inside it) in `apply`.
    end_then_len: usize,
}

/// The output buffer plus the recorded long placeholders.
pub(crate) struct Writer {
    /// The bytes written so far (taken from the caller and given back by [`Self::finish`]).
    pub(crate) buf: Vec<u8>,
    /// The first [`RECORDS`] records.
    long: [Long; RECORDS],
    n_long: usize,
    /// All records once there are more than [`RECORDS`] (then `long` is unused).
    spill: Vec<Long>,
}

impl Writer {
    pub(crate) fn new(buf: Vec<u8>) -> Self {
        Self {
            buf,
            long: [Long::default(); RECORDS],
            n_long: 0,
            spill: Vec::new(),
        }
    }

    /// Pushes a one-byte length placeholder and returns its position.
    #[inline]
    pub(crate) fn reserve_len(&mut self) -> usize {
        let at = self.buf.len();
        self.buf.push(0);
        at
    }

    /// Writes a one-byte field tag and a length placeholder; returns the placeholder position.
    #[inline]
    pub(crate) fn open(&mut self, tag: u8) -> usize {
        self.buf.extend_from_slice(&[tag, 0]);
        self.buf.len() - 1
    }

    /// Ends the message whose placeholder is at `at` (all messages opened after it must be
    /// closed already).
    #[inline]
    pub(crate) fn close(&mut self, at: usize) -> Result<(), SerError> {
        let end = self.buf.len();
        let len = end - at - 1;
        if len < 0x80 {
            // Fits one byte (checked just above), and nothing inside can grow any more.
            #[allow(clippy::cast_possible_truncation)]
            {
                self.buf[at] = len as u8;
            }
            return Ok(());
        }
        self.record(at)
    }

    /// Records a long placeholder whose content ends at the end of the buffer.
    #[cold]
    fn record(&mut self, at: usize) -> Result<(), SerError> {
        let end = self.buf.len();
        if end - at - 1 > MAX_LEN {
            return Err(SerError::TooLarge);
        }
        let record = Long {
            at,
            end_then_len: end,
        };
        match self.long.get_mut(self.n_long) {
            Some(slot) if self.spill.is_empty() => {
                *slot = record;
                self.n_long += 1;
            }
            _ => {
                if self.spill.is_empty() {
                    self.spill.extend_from_slice(&self.long[..self.n_long]);
                }
                self.spill.push(record);
            }
        }
        Ok(())
    }

    /// Applies the recorded placeholders and returns the buffer.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, (SerError, Vec<u8>)> {
        let records = if self.spill.is_empty() {
            &mut self.long[..self.n_long]
        } else {
            &mut self.spill[..]
        };
        match apply(&mut self.buf, records) {
            Ok(()) => Ok(self.buf),
            Err(e) => Err((e, self.buf)),
        }
    }
}

/// Writes the final varints of the recorded placeholders (in post-order), moving the bytes
/// after them.
fn apply(buf: &mut Vec<u8>, records: &mut [Long]) -> Result<(), SerError> {
    if records.is_empty() {
        return Ok(());
    }

    // 1. Final lengths, in post-order: `stack` holds (position, growth of its subtree) of
    //    messages whose parent has not been seen yet.
    let mut small = [(0usize, 0usize); RECORDS];
    let mut large = Vec::new();
    let stack: &mut [(usize, usize)] = if records.len() <= RECORDS {
        &mut small
    } else {
        large.resize(records.len(), (0, 0));
        &mut large
    };
    let mut depth = 0;
    let mut total = 0;
    for r in records.iter_mut() {
        let mut inner = 0;
        while depth > 0 && stack[depth - 1].0 > r.at {
            depth -= 1;
            inner += stack[depth].1;
        }
        let len = r.end_then_len - r.at - 1 + inner;
        if len > MAX_LEN {
            return Err(SerError::TooLarge);
        }
        r.end_then_len = len;
        let growth = super::encoded_len_varint(len as u64) - 1;
        stack[depth] = (r.at, inner + growth);
        depth += 1;
        total += growth;
    }

    // 2. One backward pass of moves, last placeholder first.
    sort_by_position(records);
    let old_end = buf.len();
    buf.resize(old_end + total, 0);
    let mut shift = total;
    let mut segment_end = old_end;
    for r in records.iter().rev() {
        let len = r.end_then_len;
        let width = super::encoded_len_varint(len as u64);
        buf.copy_within(r.at + 1..segment_end, r.at + 1 + shift);
        shift -= width - 1;
        write_varint(&mut buf[r.at + shift..r.at + shift + width], len);
        segment_end = r.at;
    }
    Ok(())
}

/// Sorts post-ordered records by position. Post-order is nearly sorted (a parent comes after
/// its descendants only), so insertion sort moves each record past its descendants and no
/// further; deep pathological nesting falls back to the library sort.
fn sort_by_position(records: &mut [Long]) {
    if records.len() > 2 * RECORDS {
        records.sort_unstable_by_key(|r| r.at);
        return;
    }
    for i in 1..records.len() {
        let current = records[i];
        let mut j = i;
        while j > 0 && records[j - 1].at > current.at {
            records[j] = records[j - 1];
            j -= 1;
        }
        records[j] = current;
    }
}

/// Writes `v` as a varint filling `out` exactly (`out.len()` is its encoded width).
fn write_varint(out: &mut [u8], mut v: usize) {
    let last = out.len() - 1;
    for byte in &mut out[..last] {
        #[allow(clippy::cast_possible_truncation)]
        {
            *byte = (v as u8) | 0x80;
        }
        v >>= 7;
    }
    #[allow(clippy::cast_possible_truncation)]
    {
        out[last] = v as u8;
    }
}

/// Ends a message at once (moving its content if needed) in a plain buffer, for
/// [`super::encode_message_field`], whose content is written by the caller.
pub(crate) fn close_now(buf: &mut Vec<u8>, at: usize) -> Result<(), SerError> {
    let mut w = Writer::new(std::mem::take(buf));
    let closed = w.close(at);
    let finished = w.finish();
    match (closed, finished) {
        (Ok(()), Ok(b)) => {
            *buf = b;
            Ok(())
        }
        (Err(e), Ok(b)) | (_, Err((e, b))) => {
            *buf = b;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds nested messages: each `(depth, payload)` opens `depth` placeholders around
    /// `payload` bytes, closed innermost first; checks against prost's length-delimited encoding
    /// built bottom-up.
    fn nested(payload: usize, depth: usize) -> (Vec<u8>, Vec<u8>) {
        let mut w = Writer::new(Vec::new());
        let mut open = Vec::new();
        for _ in 0..depth {
            w.buf.push(0x0A);
            open.push(w.reserve_len());
        }
        w.buf.extend(std::iter::repeat_n(7u8, payload));
        for at in open.into_iter().rev() {
            w.close(at).unwrap();
        }
        let got = w.finish().map_err(|(e, _)| e).unwrap();

        let mut want = vec![7u8; payload];
        for _ in 0..depth {
            let mut outer = vec![0x0A];
            prost::encoding::encode_varint(want.len() as u64, &mut outer);
            outer.extend_from_slice(&want);
            want = outer;
        }
        (got, want)
    }

    #[test]
    fn nested_lengths_across_varint_boundaries() {
        for payload in [
            0, 1, 120, 125, 126, 127, 128, 16_370, 16_383, 16_384, 70_000,
        ] {
            for depth in [1, 2, 3, 5, 40, 70] {
                let (got, want) = nested(payload, depth);
                assert_eq!(got, want, "payload {payload}, depth {depth}");
            }
        }
    }

    #[test]
    fn siblings_and_records_beyond_the_array() {
        // 100 long siblings (more than RECORDS) inside one long parent, plus short ones.
        let mut w = Writer::new(vec![0xEE]);
        w.buf.push(0x0A);
        let parent = w.reserve_len();
        let mut want_inner = Vec::new();
        for i in 0..100usize {
            let size = if i % 3 == 0 { 5 } else { 130 + i };
            w.buf.push(0x12);
            let at = w.reserve_len();
            w.buf.extend(std::iter::repeat_n(i as u8, size));
            w.close(at).unwrap();
            want_inner.push(0x12);
            prost::encoding::encode_varint(size as u64, &mut want_inner);
            want_inner.extend(std::iter::repeat_n(i as u8, size));
        }
        w.close(parent).unwrap();
        let got = w.finish().map_err(|(e, _)| e).unwrap();
        let mut want = vec![0xEE, 0x0A];
        prost::encoding::encode_varint(want_inner.len() as u64, &mut want);
        want.extend_from_slice(&want_inner);
        let first_diff = got.iter().zip(&want).position(|(a, b)| a != b);
        assert_eq!(
            (got.len(), first_diff),
            (want.len(), None),
            "length and first differing byte"
        );
    }

    #[test]
    fn close_now_moves_long_content() {
        let mut buf = vec![1, 0];
        buf.extend(std::iter::repeat_n(9u8, 300));
        close_now(&mut buf, 1).unwrap();
        assert_eq!(&buf[..4], &[1, 0xAC, 0x02, 9]);
        assert_eq!(buf.len(), 303);
    }
}
