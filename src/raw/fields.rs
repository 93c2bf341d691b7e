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
