//! Separator-delimited field scanning over one line.

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

/// The first `needle` in `haystack`. Fields are mostly short: the first 32 bytes are searched
/// eight at a time in a register (no call, no vector setup), the rest with `memchr`.
#[inline]
pub(crate) fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let pattern = LOW * u64::from(needle);
    let mut i = 0;
    while i < 32 {
        let Some(word) = haystack.get(i..i + 8) else {
            break;
        };
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ pattern;
        // A byte equal to the needle is zero in `word`; the lowest flag marks the first.
        let zero = word.wrapping_sub(LOW) & !word & HIGH;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr(needle, &haystack[i.min(haystack.len())..]).map(|j| i + j)
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
        let end = match memchr(self.sep, &self.line[start..]) {
            Some(i) => start + i,
            None => self.line.len(),
        };
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
    use super::find_byte;

    #[test]
    fn find_byte_agrees_with_memchr() {
        let mut hay = Vec::new();
        for len in 0..80 {
            for at in 0..=len {
                hay.clear();
                hay.extend((0..len).map(|i| b'a' + (i % 26) as u8));
                if at < len {
                    hay[at] = b' ';
                    // A later needle and bytes that differ from it by the high bit.
                    if at + 3 < len {
                        hay[at + 3] = b' ';
                    }
                    if at > 0 {
                        hay[at - 1] = b' ' | 0x80;
                    }
                }
                assert_eq!(
                    find_byte(b' ', &hay),
                    memchr::memchr(b' ', &hay),
                    "{len} {at}"
                );
            }
        }
        assert_eq!(find_byte(0, &[1, 0x80, 0, 0xff]), Some(2));
        assert_eq!(find_byte(0xff, &[0xfe; 40]), None);
    }
}
