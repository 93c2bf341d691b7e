//! S3 access log lines to Arrow columns: the format's [`RowDecoder`].

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use super::fields::S3Field;
use super::record::{FORMAT_LABEL, S3Record, S3Values};
use crate::columns::{ColumnBuilder, LineText};
use crate::contract::{ColumnsConfig, Outcome, RowDecoder, utf8_repaired};
use crate::error::{Error, ErrorKind, Result};
use crate::views::SharedChunk;

/// The S3 [`RowDecoder`]: the projected columns and their schema.
#[derive(Debug)]
pub(crate) struct S3Rows {
    columns: S3Columns,
    schema: SchemaRef,
}

impl S3Rows {
    /// Rows of the `fields` columns (in output order), whose schema is `schema`.
    pub(crate) fn new(fields: Vec<S3Field>, schema: SchemaRef, config: ColumnsConfig) -> Self {
        S3Rows {
            columns: S3Columns::new(fields, config.capacity, config.views),
            schema,
        }
    }
}

impl RowDecoder for S3Rows {
    fn decode_line(
        &mut self,
        line: &[u8],
        max_fields: usize,
        chunk: Option<&SharedChunk>,
    ) -> Result<Outcome> {
        let record = S3Record::parse(line)?;
        if record.field_count() > max_fields {
            return Err(Error::new(ErrorKind::TooManyFields)
                .with_format(FORMAT_LABEL)
                .with_field(S3Field::TrailingFields.name())
                .with_detail(format!(
                    "{} fields, maximum {max_fields}",
                    record.field_count(),
                )));
        }
        let values = record.values()?;
        let text = LineText::new(record.line());
        let lossy = matches!(text, LineText::Lossy(_));
        let repair = if let Some(err) = record.repair() {
            // Words that did not fit an optional trailing field: kept in `trailing_fields`.
            Some(if lossy {
                let detail = format!(
                    "{}; invalid UTF-8 bytes were also replaced with U+FFFD",
                    err.detail().unwrap_or_default()
                );
                err.with_detail(detail)
            } else {
                err
            })
        } else if lossy {
            let field = S3Field::ALL.iter().copied().find(|&f| {
                record
                    .raw(f)
                    .is_some_and(|b| std::str::from_utf8(b).is_err())
            });
            Some(utf8_repaired(FORMAT_LABEL, field.map(S3Field::name)))
        } else {
            None
        };
        self.columns.append(&record, &values, &text, chunk);
        Ok(Outcome::Row { repair, lossy })
    }

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn text_capacities(&self) -> Vec<usize> {
        self.columns.text_capacities()
    }

    fn reserve_text(&mut self, bytes: &[usize]) {
        self.columns.reserve_text(bytes);
    }

    fn finish(&mut self, rows: usize) -> Result<RecordBatch> {
        self.columns.finish(&self.schema, rows)
    }
}

/// Builders for the projected columns of an S3 access log.
#[derive(Debug)]
struct S3Columns {
    fields: Vec<S3Field>,
    builders: Vec<ColumnBuilder>,
    capacity: usize,
}

impl S3Columns {
    fn new(fields: Vec<S3Field>, capacity: usize, views: bool) -> Self {
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
    fn append(
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
                    // `record` was parsed from (`valid` is `text.valid()`, and
                    // `S3Rows::decode_line`, this function's only caller, makes `text` from
                    // `record.line()`), and `S3Record::parse` makes every span lie
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
                // No S3 field is a float or a microsecond time.
                ColumnBuilder::Float64(b) => b.append_null(),
                ColumnBuilder::TimestampUs(b) => b.append_null(),
            }
        }
    }

    /// Room for text of each column (see [`ColumnBuilder::text_capacity`]).
    fn text_capacities(&self) -> Vec<usize> {
        self.builders
            .iter()
            .map(ColumnBuilder::text_capacity)
            .collect()
    }

    /// Makes room for text in each empty text column (see [`ColumnBuilder::reserve_text`]).
    fn reserve_text(&mut self, bytes: &[usize]) {
        for (builder, &bytes) in self.builders.iter_mut().zip(bytes) {
            builder.reserve_text(self.capacity, bytes);
        }
    }

    /// Finishes the buffered rows into a batch and resets the builders.
    fn finish(&mut self, schema: &SchemaRef, rows: usize) -> Result<RecordBatch> {
        crate::columns::finish_batch(schema, self.builders.iter_mut(), self.capacity, rows)
    }
}
