//! What every format's columns are made of: the column types and their builders, projection,
//! the text of a line (valid or repaired), and the batch byte share of wide schemas.
//!
//! A format parses and validates a whole line before it appends to its builders, so a
//! rejected line never leaves columns half-written.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int16Builder, Int32Builder, Int64Builder,
    TimestampMicrosecondBuilder, TimestampMillisecondBuilder,
};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};

use crate::error::Result;
use crate::text::TextBuilder;
use crate::views::{SharedChunk, ViewBuilder};

/// Metadata key under which each Arrow field keeps AWS's original field name.
pub const AWS_NAME_KEY: &str = "aws_name";

/// The Arrow type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Utf8,
    TimestampMs,
    TimestampUs,
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
            ColumnType::TimestampUs => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
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
    TimestampUs(TimestampMicrosecondBuilder),
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
            ColumnType::TimestampUs => ColumnBuilder::TimestampUs(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"),
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
            ColumnBuilder::TimestampUs(b) => renew(
                b,
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"),
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

/// Finishes `builders` (the columns of `schema`, in order) into a batch of `rows` rows; each
/// builder starts afresh with room for `capacity` rows ([`ColumnBuilder::finish`]).
pub(crate) fn finish_batch<'a>(
    schema: &SchemaRef,
    builders: impl Iterator<Item = &'a mut ColumnBuilder>,
    capacity: usize,
    rows: usize,
) -> Result<arrow::array::RecordBatch> {
    let columns: Vec<ArrayRef> = builders.map(|b| b.finish(capacity)).collect();
    let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(arrow::array::RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &options,
    )?)
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

/// Schemas of up to this many columns get the whole batch byte limit (and the Parquet
/// writer's row-group byte limit, see [`crate::parquet`]); wider ones a share of it in
/// proportion, so that the memory a batch takes beyond its line bytes (each column's offsets,
/// null bitmap and spare capacity, its share of the Parquet column writers) stays bounded
/// whatever the column count. S3 access logs have 28 columns and the real-time field list of
/// `examples/generate` 45: their batches and files are unchanged.
pub(crate) const FULL_LIMITS_UP_TO: usize = 48;

/// `limit`'s share for a schema of `columns` columns: all of it up to [`FULL_LIMITS_UP_TO`]
/// columns, in inverse proportion beyond (a sixth of it at 256 columns, however much the
/// values take), never less than `floor` (nor than 1).
pub(crate) fn wide_share(limit: usize, columns: usize, floor: usize) -> usize {
    let share = (limit as u128 * FULL_LIMITS_UP_TO as u128 / columns.max(FULL_LIMITS_UP_TO) as u128)
        as usize;
    share.max(floor.min(limit)).max(1)
}
