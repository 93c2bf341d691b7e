//! Line splitting over byte chunks, with line numbers and byte offsets.
//!
//! [`LineSplitter`] finds line ends with `memchr` and hands out lines that borrow the caller's
//! chunk. Only an unterminated tail is copied (into a buffer bounded by the maximum line length)
//! so that it can be completed by the next chunk.

use memchr::memchr;

/// One line of input, without its `\n` or `\r\n` terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// 0-based byte offset of the line's first byte in the whole input stream.
    pub byte_offset: u64,
    /// The line's bytes, without terminator. When the line is longer than the splitter's maximum
    /// line length this holds only its first `max_line_length` bytes (see [`Line::len`]).
    pub bytes: &'a [u8],
    /// The full length of the line in bytes, without terminator.
    pub len: u64,
}

impl Line<'_> {
    /// Whether the line was longer than the maximum line length (and `bytes` is truncated).
    pub fn is_truncated(&self) -> bool {
        self.len > self.bytes.len() as u64
    }

    /// Whether the line holds nothing but spaces and tabs (or nothing at all).
    pub fn is_blank(&self) -> bool {
        !self.is_truncated() && self.bytes.iter().all(|&b| b == b' ' || b == b'\t')
    }
}

/// Splits a stream of byte chunks into lines.
///
/// ```
/// use aws_access_logs::raw::LineSplitter;
///
/// let mut splitter = LineSplitter::new(1024);
/// let chunk = b"first\r\nsecond\nthi";
/// let mut pos = 0;
/// let mut seen = Vec::new();
/// while let Some(line) = splitter.next_line(chunk, &mut pos) {
///     seen.push((line.number, line.byte_offset, line.bytes.to_vec()));
/// }
/// assert_eq!(pos, chunk.len()); // the tail "thi" was carried over
/// let mut pos = 0;
/// assert!(splitter.next_line(b"rd", &mut pos).is_none());
/// let last = splitter.finish().unwrap();
/// seen.push((last.number, last.byte_offset, last.bytes.to_vec()));
/// assert_eq!(
///     seen,
///     vec![
///         (1, 0, b"first".to_vec()),
///         (2, 7, b"second".to_vec()),
///         (3, 14, b"third".to_vec()),
///     ]
/// );
/// ```
#[derive(Debug, Clone)]
pub struct LineSplitter {
    /// Bytes of the unterminated line carried from earlier chunks (at most `max_line_length`).
    carry: Vec<u8>,
    /// Full length of the carried line (may exceed `carry.len()` for an overlong line).
    carry_len: u64,
    /// Whether a line is being carried.
    carrying: bool,
    /// Whether the last carried byte is `\r` (stripped if the line ends there).
    carry_ends_cr: bool,
    /// The carry buffer still holds the last line handed out; clear it before reuse.
    stale: bool,
    /// Number of the next line to hand out.
    next_number: u64,
    /// Stream offset of the first byte of the next line.
    next_offset: u64,
    max_line_length: usize,
}

impl LineSplitter {
    /// A splitter whose lines keep at most `max_line_length` bytes (longer lines are reported
    /// truncated, with their full length, and never buffered beyond that bound).
    pub fn new(max_line_length: usize) -> Self {
        LineSplitter {
            carry: Vec::new(),
            carry_len: 0,
            carrying: false,
            carry_ends_cr: false,
            stale: false,
            next_number: 1,
            next_offset: 0,
            max_line_length,
        }
    }

    /// Numbers lines from `number` and counts offsets from `byte_offset` (for a splitter that
    /// starts in the middle of an input, at a line boundary).
    pub(crate) fn start_at(&mut self, number: u64, byte_offset: u64) {
        self.next_number = number;
        self.next_offset = byte_offset;
    }

    /// The number the next line will get (1-based); after the end, one more than the last line.
    pub fn next_line_number(&self) -> u64 {
        self.next_number
    }

    /// Bytes seen so far (the offset of the next byte in the stream).
    pub fn bytes_seen(&self) -> u64 {
        self.next_offset + self.carry_len
    }

    /// Whether an unterminated line is being carried between chunks.
    pub fn has_partial_line(&self) -> bool {
        self.carrying
    }

    /// Returns the next complete line of `input[*pos..]` and advances `pos` past it.
    ///
    /// When no further line ends in `input`, the unterminated rest is carried over (so `*pos`
    /// becomes `input.len()`) and `None` is returned; call again with the next chunk.
    pub fn next_line<'a>(&'a mut self, input: &'a [u8], pos: &mut usize) -> Option<Line<'a>> {
        let rest = &input[*pos..];
        let Some(nl) = memchr(b'\n', rest) else {
            self.carry_bytes(rest);
            *pos = input.len();
            return None;
        };
        *pos += nl + 1;
        if self.carrying {
            self.carry_bytes(&rest[..nl]);
            Some(self.take_carried(1))
        } else {
            let number = self.next_number;
            let byte_offset = self.next_offset;
            self.next_number += 1;
            self.next_offset += nl as u64 + 1;
            let bytes = strip_cr(&rest[..nl]);
            let len = bytes.len() as u64;
            let bytes = &bytes[..bytes.len().min(self.max_line_length)];
            Some(Line {
                number,
                byte_offset,
                bytes,
                len,
            })
        }
    }

    /// Ends the input: returns the last line when it had no terminator (and was not empty).
    pub fn finish(&mut self) -> Option<Line<'_>> {
        if !self.carrying {
            return None;
        }
        if self.carry_len == 0 {
            self.carrying = false;
            return None;
        }
        Some(self.take_carried(0))
    }

    fn carry_bytes(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.stale {
            self.carry.clear();
            self.stale = false;
        }
        self.carrying = true;
        // Keep one byte beyond the limit so that a `\r` ending a line of exactly the maximum
        // length can still be stripped.
        let room = (self.max_line_length + 1).saturating_sub(self.carry.len());
        self.carry
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.carry_len += bytes.len() as u64;
        self.carry_ends_cr = bytes.last() == Some(&b'\r');
    }

    /// Hands out the carried line; `terminator` is 1 when it ended with `\n`, 0 at end of input.
    fn take_carried(&mut self, terminator: u64) -> Line<'_> {
        let number = self.next_number;
        let byte_offset = self.next_offset;
        let mut len = self.carry_len;
        if self.carry_ends_cr {
            len -= 1;
            self.carry
                .truncate(len.min(self.carry.len() as u64) as usize);
        }
        self.carry.truncate(self.max_line_length);
        self.next_number += 1;
        self.next_offset += self.carry_len + terminator;
        self.carry_len = 0;
        self.carrying = false;
        self.carry_ends_cr = false;
        // The buffer is reused: the next `carry_bytes` clears it.
        self.stale = true;
        Line {
            number,
            byte_offset,
            bytes: &self.carry,
            len,
        }
    }
}

fn strip_cr(bytes: &[u8]) -> &[u8] {
    match bytes.split_last() {
        Some((b'\r', rest)) => rest,
        _ => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive oracle: split on `\n`, strip one `\r`, drop an empty last piece.
    fn naive(input: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
        let mut out = Vec::new();
        let mut offset = 0u64;
        let pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            if !(last && piece.is_empty()) {
                out.push((i as u64 + 1, offset, strip_cr(piece).to_vec()));
            }
            offset += piece.len() as u64 + 1;
        }
        out
    }

    fn split(input: &[u8], chunk: usize, max: usize) -> Vec<(u64, u64, Vec<u8>, u64)> {
        let mut splitter = LineSplitter::new(max);
        let mut out = Vec::new();
        for piece in input.chunks(chunk) {
            let mut pos = 0;
            while let Some(line) = splitter.next_line(piece, &mut pos) {
                out.push((line.number, line.byte_offset, line.bytes.to_vec(), line.len));
            }
            assert_eq!(pos, piece.len());
        }
        if let Some(line) = splitter.finish() {
            out.push((line.number, line.byte_offset, line.bytes.to_vec(), line.len));
        }
        assert_eq!(splitter.bytes_seen(), input.len() as u64);
        out
    }

    #[test]
    fn matches_the_naive_oracle_for_every_chunk_size() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\n",
            b"a",
            b"a\nb",
            b"a\r\nb\r\n",
            b"\r\n\r\n\nx\r",
            b"one line\nsecond\r\n\nlast without newline",
            b"\r\r\n\rq\n",
        ];
        for input in inputs {
            let want = naive(input);
            for chunk in 1..=input.len().max(1) {
                let got = split(input, chunk, 1024);
                let got: Vec<_> = got.into_iter().map(|(n, o, b, _)| (n, o, b)).collect();
                assert_eq!(
                    got,
                    want,
                    "{:?} chunk {chunk}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn overlong_lines_are_truncated_with_their_full_length() {
        let input = b"0123456789\r\nabc\n0123456789abcdef";
        for chunk in 1..=input.len() {
            let got = split(input, chunk, 4);
            assert_eq!(
                got,
                vec![
                    (1, 0, b"0123".to_vec(), 10),
                    (2, 12, b"abc".to_vec(), 3),
                    (3, 16, b"0123".to_vec(), 16),
                ],
                "chunk {chunk}"
            );
        }
        // A line of exactly the maximum length is not truncated, `\r` or not.
        let got = split(b"abcd\r\nefgh", 2, 4);
        assert_eq!(got[0], (1, 0, b"abcd".to_vec(), 4));
        assert_eq!(got[1], (2, 6, b"efgh".to_vec(), 4));
    }

    #[test]
    fn only_the_unterminated_tail_is_carried() {
        let mut splitter = LineSplitter::new(1024);
        let mut pos = 0;
        let chunk = b"complete\npartial";
        let line = splitter.next_line(chunk, &mut pos).unwrap();
        assert_eq!(line.bytes, b"complete");
        assert!(!splitter.has_partial_line());
        assert!(splitter.next_line(chunk, &mut pos).is_none());
        assert!(splitter.has_partial_line());
        assert_eq!(splitter.carry, b"partial");
    }
}
