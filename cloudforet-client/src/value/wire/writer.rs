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
//! 2. Moves: from the last placeholder to the first (descending positions come from the
//!    post-order with a stack, no sort), the bytes after each placeholder move right by the
//!    growth of every placeholder before and including it, and the varint is written in the gap.
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

    // 2. One backward pass of moves, by descending position. Reverse post-order meets a message
    //    before its descendants (which lie after it); holding each on the stack until a record
    //    that lies before it comes up yields descending positions without sorting.
    let old_end = buf.len();
    buf.resize(old_end + total, 0);
    let mut mover = Mover {
        buf,
        shift: total,
        segment_end: old_end,
    };
    let mut depth = 0;
    for r in records.iter().rev() {
        while depth > 0 && r.at < stack[depth - 1].0 {
            depth -= 1;
            mover.place(stack[depth]);
        }
        stack[depth] = (r.at, r.end_then_len);
        depth += 1;
    }
    while depth > 0 {
        depth -= 1;
        mover.place(stack[depth]);
    }
    Ok(())
}

/// The backward pass: bytes after the placeholders seen so far have moved right by `shift`
/// plus the growth of those placeholders.
struct Mover<'a> {
    buf: &'a mut Vec<u8>,
    /// Total growth of the placeholders not placed yet (all before `segment_end`).
    shift: usize,
    /// Start of the bytes already moved (old position).
    segment_end: usize,
}

impl Mover<'_> {
    /// Moves the bytes between the placeholder at `at` and the previous one placed, and writes
    /// the final length `len` in front of them.
    #[inline]
    fn place(&mut self, (at, len): (usize, usize)) {
        let width = super::encoded_len_varint(len as u64);
        self.buf
            .copy_within(at + 1..self.segment_end, at + 1 + self.shift);
        self.shift -= width - 1;
        write_varint(&mut self.buf[at + self.shift..at + self.shift + width], len);
        self.segment_end = at;
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

    /// A message tree: leaf payload sizes and children.
    enum Node {
        Leaf(usize),
        Message(Vec<Node>),
    }

    fn write_tree(w: &mut Writer, node: &Node) {
        match node {
            Node::Leaf(n) => w.buf.extend(std::iter::repeat_n(0x55u8, *n)),
            Node::Message(children) => {
                let at = w.open(0x0A);
                for c in children {
                    write_tree(w, c);
                }
                w.close(at).unwrap();
            }
        }
    }

    fn prost_tree(node: &Node, out: &mut Vec<u8>) {
        match node {
            Node::Leaf(n) => out.extend(std::iter::repeat_n(0x55u8, *n)),
            Node::Message(children) => {
                let mut inner = Vec::new();
                for c in children {
                    prost_tree(c, &mut inner);
                }
                out.push(0x0A);
                prost::encoding::encode_varint(inner.len() as u64, out);
                out.extend_from_slice(&inner);
            }
        }
    }

    /// A deterministic pseudo-random tree (xorshift), mixing short and long messages, siblings
    /// and nesting.
    fn random_tree(state: &mut u64, depth: usize) -> Node {
        let mut next = || {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state
        };
        if depth == 0 || next() % 4 == 0 {
            let sizes = [0, 3, 60, 126, 127, 128, 200, 16_384];
            return Node::Leaf(sizes[(next() % sizes.len() as u64) as usize]);
        }
        let n = (next() % 6) as usize;
        Node::Message((0..n).map(|_| random_tree(state, depth - 1)).collect())
    }

    #[test]
    fn random_trees_match_prost() {
        for seed in 1..300u64 {
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let tree = Node::Message(vec![random_tree(&mut state, 6), random_tree(&mut state, 6)]);
            let mut w = Writer::new(vec![0xAB]);
            write_tree(&mut w, &tree);
            let got = w.finish().map_err(|(e, _)| e).unwrap();
            let mut want = vec![0xAB];
            prost_tree(&tree, &mut want);
            assert!(
                got == want,
                "seed {seed}: {} vs {} bytes",
                got.len(),
                want.len()
            );
        }
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
