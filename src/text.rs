//! `Utf8` text columns: values copied from the lines they were parsed from.
//!
//! Arrow's `StringBuilder` copies each value with a `memcpy` call, whose size-dependent
//! branches cost more than the copy for the short values of log fields. A value of up to 16
//! bytes is copied here as the 16 bytes at its start (one load, one store, no call) and the
//! column's text cut back to its length; longer values, and values within 16 bytes of their
//! line's end, are copied as they are.

use std::sync::Arc;

use arrow::array::builder::NullBufferBuilder;
use arrow::array::{ArrayRef, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};

use crate::raw::Span;

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
    /// `span`'s ends are character boundaries of `line` (at one of its ends, or next to an ASCII
    /// separator): the column's array is assembled without checking its UTF-8 again. Spans out of
    /// bounds still panic; debug builds check the boundaries too.
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
        // SAFETY: the offsets start at 0 and never decrease (each is the text's length after a
        // row), the last is the text's length, and each row's bytes are a `&str`'s
        // (`append_value`) or whole characters of one (`append_span`'s callers vouch for
        // that): valid UTF-8, which is what `StringArray::try_new` would check again. Debug
        // builds do.
        #[allow(unsafe_code)]
        let array = unsafe {
            StringArray::new_unchecked(
                OffsetBuffer::new_unchecked(ScalarBuffer::from(offsets)),
                Buffer::from_vec(values),
                nulls.finish(),
            )
        };
        #[cfg(debug_assertions)]
        arrow::array::Array::to_data(&array)
            .validate_full()
            .expect("text columns are valid");
        Arc::new(array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};

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
                    // SAFETY: checked just above.
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
}
