//! Separator-delimited field scanning over one line.

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use memchr::memchr;

/// A byte range `start..end` within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte of the field.
    pub start: u32,
    /// One past the last byte of the field.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (both in bytes from the start of the line).
    ///
    /// # Panics
    ///
    /// When `end < start` or an offset does not fit in `u32` (lines are limited far below that).
    pub fn new(start: usize, end: usize) -> Self {
        assert!(start <= end, "span end before start");
        Span {
            start: u32::try_from(start).expect("line offset fits in u32"),
            end: u32::try_from(end).expect("line offset fits in u32"),
        }
    }

    /// The bytes of this span in `line`.
    #[inline]
    pub fn get<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        &line[self.start as usize..self.end as usize]
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// The first `byte` in `line[from..]`, as an offset in `line`.
///
/// Fields are short (most under 32 bytes), where `memchr`'s dispatch and setup cost more than
/// the search: on x86-64 this looks at 16 bytes at a time with SSE2, which every x86-64 has,
/// the last ones through the line's final 16 bytes (the bytes before `from` masked off).
#[inline]
pub(crate) fn find_byte(line: &[u8], from: usize, byte: u8) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let mut i = from;
        while let Some(block) = line.get(i..i + 16) {
            let mask = matches16(block, byte);
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
        if i >= line.len() {
            return None;
        }
        match line.len().checked_sub(16) {
            Some(base) => {
                let mask = matches16(&line[base..], byte) >> (i - base);
                (mask != 0).then(|| i + mask.trailing_zeros() as usize)
            }
            None => line[i..].iter().position(|&b| b == byte).map(|p| i + p),
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        memchr(byte, &line[from..]).map(|p| from + p)
    }
}

/// Bit `i` set where `block[i] == byte` (`block` is 16 bytes long).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn matches16(block: &[u8], byte: u8) -> u32 {
    matches16_and_high(block, byte).0
}

/// [`matches16`] of `block`, and the high bits of its 16 bytes (bit `i` set where
/// `block[i] >= 0x80`: none set when the bytes are ASCII).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn matches16_and_high(block: &[u8], byte: u8) -> (u32, u32) {
    // SAFETY: calling a `#[target_feature(enable = "sse2")]` function is sound when the
    // processor has SSE2. This function is compiled only when the build's target enables SSE2
    // (the `cfg` above, true of every x86-64 target: SSE2 is part of the x86-64 baseline), so
    // the processor running it has SSE2. The callee takes a slice, whose reads are
    // bounds-checked (a block shorter than 16 bytes panics).
    #[allow(unsafe_code)]
    unsafe {
        sse2_matches_and_high(block, byte)
    }
}

/// [`matches16_and_high`] itself, compiled with SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn sse2_matches_and_high(block: &[u8], byte: u8) -> (u32, u32) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let lo = i64::from_le_bytes(block[..8].try_into().expect("16 bytes"));
    let hi = i64::from_le_bytes(block[8..16].try_into().expect("16 bytes"));
    let bytes = _mm_set_epi64x(hi, lo);
    let eq = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8));
    (
        _mm_movemask_epi8(eq) as u32,
        _mm_movemask_epi8(bytes) as u32,
    )
}

/// Walks the fields of one line, separated by a single byte (a space for S3 access logs).
///
/// ```
/// use aws_access_logs::raw::FieldCursor;
///
/// let line = b"a bb  c";
/// let mut cursor = FieldCursor::new(line, b' ');
/// let fields: Vec<&[u8]> = std::iter::from_fn(|| cursor.next_field().map(|s| s.get(line))).collect();
/// assert_eq!(fields, vec![&b"a"[..], b"bb", b"", b"c"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FieldCursor<'a> {
    line: &'a [u8],
    pos: usize,
    done: bool,
    sep: u8,
}

impl<'a> FieldCursor<'a> {
    /// A cursor at the start of `line`.
    pub fn new(line: &'a [u8], sep: u8) -> Self {
        FieldCursor {
            line,
            pos: 0,
            done: false,
            sep,
        }
    }

    /// The line being walked.
    #[inline]
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// Offset of the next field's first byte.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Whether every field has been consumed.
    #[inline]
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The bytes from the next field to the end of the line (empty when done).
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        if self.done {
            &[]
        } else {
            &self.line[self.pos..]
        }
    }

    /// The next field, up to the next separator or the end of the line.
    #[inline]
    pub fn next_field(&mut self) -> Option<Span> {
        if self.done {
            return None;
        }
        let start = self.pos;
        let end = find_byte(self.line, start, self.sep).unwrap_or(self.line.len());
        self.advance_to(end);
        Some(Span::new(start, end))
    }

    /// Ends the current field at `end` (an offset at a separator or the end of the line) and
    /// moves past the separator.
    ///
    /// # Panics
    ///
    /// When `end` is before the cursor or beyond the line.
    #[inline]
    pub fn advance_to(&mut self, end: usize) {
        assert!(
            end >= self.pos && end <= self.line.len(),
            "advance out of range"
        );
        if end >= self.line.len() {
            self.pos = self.line.len();
            self.done = true;
        } else {
            self.pos = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value (ASCII, high bytes, the byte searched for) at every position of a
    /// 16-byte block, against a byte-by-byte oracle.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn matches16_and_high_matches_a_byte_by_byte_oracle() {
        let oracle = |block: &[u8], byte: u8| {
            let mut matches = 0u32;
            let mut high = 0u32;
            for (i, &b) in block.iter().enumerate() {
                matches |= u32::from(b == byte) << i;
                high |= u32::from(b >= 0x80) << i;
            }
            (matches, high)
        };
        for byte in [b'\t', b' ', 0x00, 0x7f, 0x80, 0xff] {
            for at in 0..16 {
                for value in 0..=255u8 {
                    let mut block = [b'a'; 16];
                    block[at] = value;
                    block[15 - at] = byte;
                    assert_eq!(
                        matches16_and_high(&block, byte),
                        oracle(&block, byte),
                        "{block:?} {byte}"
                    );
                }
            }
        }
        // A block taken from a longer slice reads its first 16 bytes only.
        let mut line = [0xff; 40];
        line[..16].fill(b'\t');
        assert_eq!(matches16_and_high(&line, b'\t'), (0xffff, 0));
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    #[should_panic]
    fn matches16_and_high_of_a_short_block_panics() {
        let _ = matches16_and_high(&[b'\t'; 15], b'\t');
    }

    /// Every line of 0–80 bytes with the separator (and near misses) in a few places, searched
    /// from every offset, against a byte-by-byte search.
    #[test]
    fn find_byte_matches_a_byte_by_byte_search() {
        let naive = |line: &[u8], from: usize| {
            line[from..]
                .iter()
                .position(|&b| b == b' ')
                .map(|p| from + p)
        };
        for len in 0..=80usize {
            let places: Vec<Vec<usize>> = vec![
                vec![],
                vec![0],
                vec![len.saturating_sub(1)],
                vec![15, 16],
                vec![len / 2, len.saturating_sub(2)],
                (0..len).step_by(7).collect(),
            ];
            for at in places {
                // Bytes that differ from a space by one bit, so a sloppy compare would match.
                let mut line: Vec<u8> = (0..len)
                    .map(|i| [b'a', 0x21, 0x30, 0xa0, 0x00][i % 5])
                    .collect();
                for &i in at.iter().filter(|&&i| i < len) {
                    line[i] = b' ';
                }
                for from in 0..=len {
                    assert_eq!(
                        find_byte(&line, from, b' '),
                        naive(&line, from),
                        "{line:?} from {from}"
                    );
                }
            }
        }
    }
}
