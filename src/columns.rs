//! Arrow column builders: one per projected field.
//!
//! A line is fully parsed and validated before [`S3Columns::append`] is called, so a rejected
//! line never leaves columns half-written.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int16Builder, Int32Builder, Int64Builder,
    RecordBatch, TimestampMillisecondBuilder,
};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};

use crate::error::Result;
use crate::s3::{S3Field, S3Record, S3Values};
use crate::text::TextBuilder;
use crate::views::{SharedChunk, ViewBuilder};

/// The Arrow type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Utf8,
    TimestampMs,
    Int16,
    Int32,
    Int64,
    Float64,
    Boolean,
}

impl ColumnType {
    pub(crate) fn data_type(self) -> DataType {
        match self {
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::TimestampMs => {
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
            }
            ColumnType::Int16 => DataType::Int16,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::Float64 => DataType::Float64,
            ColumnType::Boolean => DataType::Boolean,
        }
    }
}

/// Average bytes per text value used to size string builders.
const TEXT_BYTES_HINT: usize = 24;

#[derive(Debug)]
pub(crate) enum ColumnBuilder {
    Utf8(TextBuilder),
    Utf8View(ViewBuilder),
    TimestampMs(TimestampMillisecondBuilder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Boolean(BooleanBuilder),
}

impl ColumnBuilder {
    /// A builder for a column of `ty`; text columns as string views when `views`.
    pub(crate) fn new(ty: ColumnType, capacity: usize, views: bool) -> Self {
        match ty {
            ColumnType::Utf8 if views => ColumnBuilder::Utf8View(ViewBuilder::new(capacity)),
            ColumnType::Utf8 => ColumnBuilder::Utf8(TextBuilder::with_capacity(
                capacity,
                capacity * TEXT_BYTES_HINT,
            )),
            ColumnType::TimestampMs => ColumnBuilder::TimestampMs(
                TimestampMillisecondBuilder::with_capacity(capacity).with_timezone("UTC"),
            ),
            ColumnType::Int16 => ColumnBuilder::Int16(Int16Builder::with_capacity(capacity)),
            ColumnType::Int32 => ColumnBuilder::Int32(Int32Builder::with_capacity(capacity)),
            ColumnType::Int64 => ColumnBuilder::Int64(Int64Builder::with_capacity(capacity)),
            ColumnType::Float64 => ColumnBuilder::Float64(Float64Builder::with_capacity(capacity)),
            ColumnType::Boolean => ColumnBuilder::Boolean(BooleanBuilder::with_capacity(capacity)),
        }
    }

    /// Room for text in the builder (0 for other columns).
    pub(crate) fn text_capacity(&self) -> usize {
        match self {
            ColumnBuilder::Utf8(b) => b.values_capacity(),
            _ => 0,
        }
    }

    /// Makes room for `bytes` of text in an empty text builder (with room for `capacity`
    /// rows) that has less.
    pub(crate) fn reserve_text(&mut self, capacity: usize, bytes: usize) {
        if let ColumnBuilder::Utf8(b) = self
            && b.values_len() == 0
            && b.values_capacity() < bytes
        {
            *b = TextBuilder::with_capacity(capacity, bytes);
        }
    }

    /// The column so far; the builder starts afresh with room for `capacity` rows (a text
    /// column with room for as much text as this batch held, so that it does not grow by
    /// reallocation, copying, batch after batch).
    pub(crate) fn finish(&mut self, capacity: usize) -> ArrayRef {
        match self {
            ColumnBuilder::Utf8(b) => {
                let used = b.values_len();
                b.finish(capacity, used + used / 8 + 64)
            }
            ColumnBuilder::Utf8View(b) => b.finish(),
            ColumnBuilder::TimestampMs(b) => renew(
                b,
                TimestampMillisecondBuilder::with_capacity(capacity).with_timezone("UTC"),
            ),
            ColumnBuilder::Int16(b) => renew(b, Int16Builder::with_capacity(capacity)),
            ColumnBuilder::Int32(b) => renew(b, Int32Builder::with_capacity(capacity)),
            ColumnBuilder::Int64(b) => renew(b, Int64Builder::with_capacity(capacity)),
            ColumnBuilder::Float64(b) => renew(b, Float64Builder::with_capacity(capacity)),
            ColumnBuilder::Boolean(b) => {
                let array = Arc::new(b.finish());
                *b = BooleanBuilder::with_capacity(capacity);
                array
            }
        }
    }
}

/// Finishes a primitive builder and replaces it with `fresh`.
fn renew<T: arrow::datatypes::ArrowPrimitiveType>(
    builder: &mut arrow::array::PrimitiveBuilder<T>,
    fresh: arrow::array::PrimitiveBuilder<T>,
) -> ArrayRef {
    Arc::new(std::mem::replace(builder, fresh).finish())
}

/// Checks a projection — indices into `full`, in output order; `None` keeps every column —
/// and returns the indices and the projected schema.
pub(crate) fn project(
    full: &SchemaRef,
    projection: Option<&[usize]>,
) -> Result<(Vec<usize>, SchemaRef)> {
    let invalid = |detail: String| {
        Err(crate::error::Error::new(crate::error::ErrorKind::InvalidArgument).with_detail(detail))
    };
    let count = full.fields().len();
    let indices: Vec<usize> = match projection {
        Some(p) => p.to_vec(),
        None => (0..count).collect(),
    };
    let mut seen = vec![false; count];
    for &i in &indices {
        if i >= count {
            return invalid(format!(
                "projection index {i} out of range (the schema has {count} columns)"
            ));
        }
        if std::mem::replace(&mut seen[i], true) {
            return invalid(format!("projection index {i} repeated"));
        }
    }
    let fields: Vec<_> = indices.iter().map(|&i| full.field(i).clone()).collect();
    Ok((
        indices,
        SchemaRef::new(arrow::datatypes::Schema::new(fields)),
    ))
}

/// The text of a field: borrowed from a line known to be valid UTF-8, or repaired.
pub(crate) enum LineText<'a> {
    /// The whole line is valid UTF-8.
    Valid(&'a str),
    /// The line is not valid UTF-8: each field is converted on its own, invalid bytes → U+FFFD.
    Lossy(&'a [u8]),
}

impl<'a> LineText<'a> {
    pub(crate) fn new(line: &'a [u8]) -> Self {
        // simdutf8 validates with SIMD (AVX2/SSE4.2/NEON, chosen at run time); the error
        // position is not needed here (the lossy path finds the field).
        match simdutf8::basic::from_utf8(line) {
            Ok(s) => LineText::Valid(s),
            Err(_) => LineText::Lossy(line),
        }
    }

    /// The chunk, and where the line lies in it, when the line is valid UTF-8 and lies there:
    /// its field spans can then become string views straight away
    /// ([`ViewBuilder::append_from_chunk`]).
    #[inline]
    pub(crate) fn valid_in<'c>(
        &self,
        chunk: Option<&'c SharedChunk>,
    ) -> Option<(&'c SharedChunk, u32)> {
        let line = self.valid()?.as_bytes();
        chunk.and_then(|c| c.offset_of(line).map(|at| (c, at)))
    }

    /// The line, when it is valid UTF-8.
    #[inline]
    pub(crate) fn valid(&self) -> Option<&'a str> {
        match *self {
            LineText::Valid(s) => Some(s),
            LineText::Lossy(_) => None,
        }
    }

    pub(crate) fn get(&self, start: usize, end: usize) -> Cow<'a, str> {
        match *self {
            // Field spans start and end next to ASCII separators, so they are char boundaries.
            LineText::Valid(s) => Cow::Borrowed(&s[start..end]),
            LineText::Lossy(b) => String::from_utf8_lossy(&b[start..end]),
        }
    }
}

/// Builders for the projected columns of an S3 access log.
#[derive(Debug)]
pub(crate) struct S3Columns {
    fields: Vec<S3Field>,
    builders: Vec<ColumnBuilder>,
    capacity: usize,
}

impl S3Columns {
    pub(crate) fn new(fields: Vec<S3Field>, capacity: usize, views: bool) -> Self {
        let builders = fields
            .iter()
            .map(|f| ColumnBuilder::new(f.column_type(), capacity, views))
            .collect();
        S3Columns {
            fields,
            builders,
            capacity,
        }
    }

    /// Appends one validated record (text columns as views point into `chunk` when the line
    /// lies there).
    pub(crate) fn append(
        &mut self,
        record: &S3Record<'_>,
        values: &S3Values,
        text: &LineText<'_>,
        chunk: Option<&SharedChunk>,
    ) {
        let valid = text.valid();
        let valid_in_chunk = text.valid_in(chunk);
        for (field, builder) in self.fields.iter().zip(self.builders.iter_mut()) {
            match builder {
                ColumnBuilder::Utf8(b) => match (record.text_span(*field), valid) {
                    // SAFETY: `append_span`'s condition holds. `line` is the text of the line
                    // `record` was parsed from (`valid` is `text.valid()`, and the decoder makes
                    // `text` from `record.line()`), and `S3Record::parse` makes every span lie
                    // in it (`start <= end <= len`) with each end at one of the line's ends or
                    // next to an ASCII byte: a space between fields, a quote of a quoted field,
                    // a bracket of the time. In valid UTF-8 the offsets next to an ASCII byte
                    // are character boundaries.
                    #[allow(unsafe_code)]
                    (Some(span), Some(line)) => unsafe { b.append_span(line, span) },
                    (Some(span), None) => {
                        b.append_value(text.get(span.start as usize, span.end as usize))
                    }
                    (None, _) => b.append_null(),
                },
                ColumnBuilder::Utf8View(b) => match (record.text_span(*field), valid_in_chunk) {
                    // SAFETY: `append_from_chunk`'s condition holds. `valid_in` found the line,
                    // valid UTF-8, wholly inside the chunk at `at` (ending at or below
                    // `u32::MAX`), and the span lies in the line with its ends at character
                    // boundaries (as for `append_span` above: the line's ends, or next to a
                    // space, quote or bracket): so `at + start <= at + end` lie in the chunk,
                    // without wrapping, around whole characters.
                    #[allow(unsafe_code)]
                    (Some(span), Some((chunk, at))) => unsafe {
                        b.append_from_chunk(chunk, at + span.start, at + span.end)
                    },
                    (Some(span), None) => {
                        b.append(&text.get(span.start as usize, span.end as usize), chunk)
                    }
                    (None, _) => b.append_null(),
                },
                ColumnBuilder::TimestampMs(b) => b.append_option(values.time),
                ColumnBuilder::Int16(b) => b.append_option(values.http_status),
                ColumnBuilder::Int32(b) => b.append_option(match field {
                    S3Field::TotalTimeMs => values.total_time_ms,
                    _ => values.turn_around_time_ms,
                }),
                ColumnBuilder::Int64(b) => match field {
                    S3Field::BytesSent => b.append_value(values.bytes_sent),
                    _ => b.append_option(values.object_size),
                },
                ColumnBuilder::Boolean(b) => b.append_option(values.acl_required),
                // No S3 field is a float.
                ColumnBuilder::Float64(b) => b.append_null(),
            }
        }
    }

    /// Room for text of each column (see [`ColumnBuilder::text_capacity`]).
    pub(crate) fn text_capacities(&self) -> Vec<usize> {
        self.builders
            .iter()
            .map(ColumnBuilder::text_capacity)
            .collect()
    }

    /// Makes room for text in each empty text column (see [`ColumnBuilder::reserve_text`]).
    pub(crate) fn reserve_text(&mut self, bytes: &[usize]) {
        for (builder, &bytes) in self.builders.iter_mut().zip(bytes) {
            builder.reserve_text(self.capacity, bytes);
        }
    }

    /// Finishes the buffered rows into a batch and resets the builders.
    pub(crate) fn finish(&mut self, schema: &SchemaRef, rows: usize) -> Result<RecordBatch> {
        let capacity = self.capacity;
        let columns: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| b.finish(capacity))
            .collect();
        let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &options,
        )?)
    }
}
