//! `Utf8` text columns: values copied from the lines they were parsed from.
//!
//! Arrow's `StringBuilder` copies each value with a `memcpy` call, whose size-dependent
//! branches cost more than the copy for the short values of log fields. A value of up to 16
//! bytes is copied here as the 16 bytes at its start (one load, one store, no call) and the
//! column's text cut back to its length; longer values, and values within 16 bytes of their
//! line's end, are copied as they are.

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::array::builder::NullBufferBuilder;

use crate::raw::Span;
use crate::unchecked;

/// Longest value copied as a fixed 16-byte block.
const BLOCK: usize = 16;

/// Builds one `Utf8` column.
#[derive(Debug)]
pub(crate) struct TextBuilder {
    values: Vec<u8>,
    /// Starts with 0; one more per row.
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl TextBuilder {
    /// A builder with room for `rows` rows and `bytes` bytes of text.
    pub(crate) fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        TextBuilder {
            values: Vec::with_capacity(bytes),
            offsets,
            nulls: NullBufferBuilder::new(rows),
        }
    }

    /// Room for text.
    pub(crate) fn values_capacity(&self) -> usize {
        self.values.capacity()
    }

    /// Bytes of text so far.
    pub(crate) fn values_len(&self) -> usize {
        self.values.len()
    }

    #[inline(always)]
    fn end_row(&mut self) {
        let end = i32::try_from(self.values.len()).expect("byte array offset overflow");
        self.offsets.push(end);
    }

    #[inline]
    pub(crate) fn append_null(&mut self) {
        self.nulls.append_null();
        self.end_row();
    }

    #[inline]
    pub(crate) fn append_value(&mut self, value: impl AsRef<str>) {
        self.values.extend_from_slice(value.as_ref().as_bytes());
        self.nulls.append_non_null();
        self.end_row();
    }

    /// Appends the text at `span` of `line`.
    ///
    /// # Safety
    ///
    /// `span.start <= span.end <= line.len()` and both ends are character boundaries of `line`
    /// (at one of its ends, or next to an ASCII byte such as a field separator), so the bytes
    /// copied are whole characters: [`TextBuilder::finish`] assembles the column without
    /// checking its UTF-8 again. (A span out of bounds or reversed still panics, before anything
    /// is appended; debug builds check the boundaries too.)
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn append_span(&mut self, line: &str, span: Span) {
        let bytes = line.as_bytes();
        let (start, end) = (span.start as usize, span.end as usize);
        let len = end.wrapping_sub(start);
        match bytes
            .get(start..start + BLOCK)
            .map(<&[u8; BLOCK]>::try_from)
        {
            Some(Ok(block)) if len <= BLOCK => {
                let at = self.values.len();
                self.values.extend_from_slice(block);
                self.values.truncate(at + len);
            }
            _ => self.values.extend_from_slice(&bytes[start..end]),
        }
        debug_assert!(line.is_char_boundary(start) && line.is_char_boundary(end));
        self.nulls.append_non_null();
        self.end_row();
    }

    /// The column so far; the builder starts afresh with room for `rows` rows and `bytes`
    /// bytes.
    pub(crate) fn finish(&mut self, rows: usize, bytes: usize) -> ArrayRef {
        let TextBuilder {
            values,
            offsets,
            mut nulls,
        } = std::mem::replace(self, TextBuilder::with_capacity(rows, bytes));
        // SAFETY: `string_array`'s conditions hold. `offsets` starts as `[0]` (`with_capacity`)
        // and each row pushes one entry, the text's length after it (`end_row`), so the entries
        // never decrease and the last is `values.len()`. Each row pushes one validity bit too,
        // so `nulls` has one per row. Each row's bytes are valid UTF-8: a `&str`'s
        // (`append_value`), or a `&str`'s between two character boundaries (`append_span`,
        // whose `# Safety` condition its callers establish from where their spans end), or
        // none (`append_null`). Debug builds check all of it again.
        #[allow(unsafe_code)]
        let array = unsafe { unchecked::string_array(offsets, values, nulls.finish()) };
        Arc::new(array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray, StringArray};

    #[test]
    #[allow(unsafe_code)]
    fn spans_values_and_nulls() {
        // Values of every length up to 20 at every offset, the last ones ending at the line's
        // end (fewer than 16 bytes to copy there), with multi-byte characters.
        let line = "é\tabcdefghijklmnopqrstuvwxyz0123456789\tü-ß";
        let mut b = TextBuilder::with_capacity(4, 8);
        let mut want = Vec::new();
        for start in 0..line.len() {
            for end in start..line.len().min(start + 20) + 1 {
                if line.is_char_boundary(start) && line.is_char_boundary(end) {
                    let span = Span {
                        start: start as u32,
                        end: end as u32,
                    };
                    // SAFETY: both ends are character boundaries of `line` (checked just
                    // above), and `start <= end <= line.len()` (the loops' bounds).
                    unsafe { b.append_span(line, span) };
                    want.push(Some(&line[start..end]));
                }
            }
        }
        b.append_null();
        want.push(None);
        b.append_value("copied");
        want.push(Some("copied"));
        let array = b.finish(2, 0);
        array.to_data().validate_full().unwrap();
        let got: Vec<Option<&str>> = array.as_string::<i32>().iter().collect();
        assert_eq!(got, want);
        assert_eq!(array.null_count(), 1);
        // The builder starts afresh.
        b.append_value("again");
        assert_eq!(b.finish(1, 0).as_string::<i32>().value(0), "again");
    }

    #[test]
    #[allow(unsafe_code)]
    fn empty_long_and_four_byte_edges_match_the_checked_array() {
        // No row: the offsets are `[0]` alone.
        let mut b = TextBuilder::with_capacity(0, 0);
        let empty = b.finish(0, 0);
        empty.to_data().validate_full().unwrap();
        assert_eq!(empty.len(), 0);

        // A four-byte character at each end of the line and next to each separator; an empty
        // value at the line's end; a value of exactly 16 bytes (the block copy) ending at the
        // line's end; a value longer than 16 bytes; a long line (the plain copy).
        let long = "𝄞".repeat(300);
        let line = format!("𝄞a\t\t{long}\t0123456789abcde𝄞");
        let tabs: Vec<usize> = line.match_indices('\t').map(|(i, _)| i).collect();
        let n = line.len();
        let spans = [
            (0, 4),                 // "𝄞" at the line's start
            (0, tabs[0]),           // "𝄞a"
            (tabs[0] + 1, tabs[1]), // empty, between two tabs
            (tabs[1] + 1, tabs[2]), // 1200 bytes
            (tabs[2] + 1, n),       // 19 bytes ending at the line's end
            (n - 16, n),            // 16 bytes ending at the line's end
            (n - 4, n),             // "𝄞" at the line's end
            (n, n),                 // empty, at the line's end
        ];
        let mut b = TextBuilder::with_capacity(1, 1);
        let mut want = Vec::new();
        for (start, end) in spans {
            assert!(line.is_char_boundary(start) && line.is_char_boundary(end));
            // SAFETY: both ends are character boundaries of `line` (checked just above), and
            // `start <= end <= line.len()`.
            unsafe { b.append_span(&line, Span::new(start, end)) };
            want.push(Some(&line[start..end]));
        }
        let array = b.finish(1, 1);
        // The same as the array made and checked by Arrow.
        assert_eq!(array.as_string::<i32>(), &StringArray::from(want));
    }
}
