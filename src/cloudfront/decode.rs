//! Turning CloudFront lines into Arrow columns (used by the crate's [`crate::Decoder`]).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{Schema, SchemaRef};

use super::fields::{ColumnSpec, FieldList, Flavor, Source, ValueKind};
use super::record::check_count;
use super::values;
use crate::columns::{ColumnBuilder, ColumnType, LineText};
use crate::contract::{ColumnsConfig, Outcome, RowDecoder, utf8_repaired};
use crate::error::{Error, ErrorKind, Result};
use crate::raw::{Span, split_tabs_ascii};
use crate::unchecked;
use crate::views::SharedChunk;

/// One parsed value, before it is appended.
#[derive(Debug, Clone, Copy)]
enum Value {
    Null,
    UInt(u64),
    Float(f64),
    Time(i64),
    Text(Span),
}

/// The columns of the schema and where each takes its value under the current header.
#[derive(Debug)]
struct Layout {
    /// The fields that define the schema (given, or from the input's first `#Fields:` line).
    list: FieldList,
    columns: Vec<ColumnSpec>,
    /// The columns whose values are parsed and checked before a row is appended (all but
    /// text, which is taken as it is).
    checked: Vec<usize>,
    /// Per column, its source in the records under the current header (`None`: absent, null).
    sources: Vec<Option<Source>>,
    /// Fields per record under the current header.
    expected: usize,
    /// The last `#Fields:` header does not fit the schema: data lines are rejected.
    unusable: bool,
}

#[derive(Debug)]
struct OutColumn {
    /// Index into `Layout::columns`.
    column: usize,
    builder: ColumnBuilder,
    decode: bool,
    /// A text column (its value is taken from its span when the row is appended).
    text: bool,
    /// A text column's field under the current header (`usize::MAX`: absent).
    field: usize,
}

/// The CloudFront [`RowDecoder`]: parses lines of one flavor and builds the projected columns.
#[derive(Debug)]
pub(crate) struct CloudFrontRows {
    flavor: Flavor,
    layout: Option<Layout>,
    projection: Option<Vec<usize>>,
    decode: Vec<String>,
    out: Vec<OutColumn>,
    schema: SchemaRef,
    capacity: usize,
    /// Rows each column's builder has room for: `capacity`'s share for the column count
    /// ([`crate::columns::wide_share`], at least 1024), so that the room made for wide
    /// schemas does not grow with their column count.
    column_capacity: usize,
    /// Text columns as `Utf8View`.
    views: bool,
    spans: Vec<Span>,
    values: Vec<Value>,
    scratch: Vec<u8>,
    /// The last date of a standard log's date-time column.
    dates: values::DateCache,
}

impl CloudFrontRows {
    /// A parser for `fields` (required for real-time logs; for standard logs, `None` waits for
    /// the input's `#Fields:` line). `projection` (indices into the schema) needs `fields`.
    pub(crate) fn new(
        flavor: Flavor,
        fields: Option<FieldList>,
        projection: Option<Vec<usize>>,
        decode: Vec<String>,
        config: ColumnsConfig,
    ) -> Result<Self> {
        let ColumnsConfig { capacity, views } = config;
        let mut parser = CloudFrontRows {
            flavor,
            layout: None,
            projection,
            decode,
            out: Vec::new(),
            schema: Arc::new(Schema::empty()),
            capacity,
            column_capacity: capacity,
            views,
            spans: Vec::new(),
            values: Vec::new(),
            scratch: Vec::new(),
            dates: values::DateCache::default(),
        };
        match fields {
            Some(list) => parser.set_layout(list)?,
            None if parser.projection.is_some() => {
                return Err(Error::new(ErrorKind::InvalidArgument).with_detail(
                    "a projection needs the field list (the schema is not known before the \
                     #Fields: header)",
                ));
            }
            None => {}
        }
        Ok(parser)
    }

    fn set_layout(&mut self, list: FieldList) -> Result<()> {
        let invalid = |detail: String| Error::new(ErrorKind::InvalidArgument).with_detail(detail);
        let columns = list.columns();
        let (indices, schema) =
            crate::columns::project(&list.schema(), self.projection.as_deref())?;
        for name in &self.decode {
            match columns.iter().find(|c| &c.name == name) {
                Some(c) if c.ty != ColumnType::Utf8 => {
                    return Err(invalid(format!(
                        "cannot percent-decode column {name:?}: it is not a text column"
                    )));
                }
                _ => {}
            }
        }
        self.column_capacity = crate::columns::wide_share(self.capacity, indices.len(), 1024);
        self.out = indices
            .iter()
            .map(|&i| OutColumn {
                column: i,
                builder: ColumnBuilder::new(columns[i].ty, self.column_capacity, self.views),
                decode: self.decode.contains(&columns[i].name),
                text: columns[i].kind == ValueKind::Text,
                field: usize::MAX,
            })
            .collect();
        self.schema = if self.views {
            crate::views::view_schema(&schema)
        } else {
            schema
        };
        self.values = vec![Value::Null; columns.len()];
        self.layout = Some(Layout {
            sources: columns.iter().map(|c| Some(c.source)).collect(),
            expected: list.len(),
            checked: (0..columns.len())
                .filter(|&i| columns[i].kind != ValueKind::Text)
                .collect(),
            columns,
            list,
            unusable: false,
        });
        self.sync_text_fields();
        Ok(())
    }

    /// Sets each text column's field from the sources under the current header.
    fn sync_text_fields(&mut self) {
        let Some(layout) = &self.layout else { return };
        for out in &mut self.out {
            out.field = match layout.sources[out.column] {
                Some(Source::Field(f)) if out.text => f,
                _ => usize::MAX,
            };
        }
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind).with_format(self.flavor.label())
    }

    /// Handles a standard log's `#Fields:` line.
    fn header(&mut self, line: &[u8], max_fields: usize) -> Result<()> {
        let header_error =
            |this: &Self, detail: String| this.error(ErrorKind::InvalidHeader).with_detail(detail);
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(header_error(self, "the #Fields: line is not UTF-8".into()));
        };
        let count = text.split_ascii_whitespace().count().saturating_sub(1);
        if count > max_fields {
            return Err(self
                .error(ErrorKind::TooManyFields)
                .with_detail(format!("{count} fields, maximum {max_fields}")));
        }
        let list = FieldList::standard(text)
            .map_err(|e| header_error(self, e.detail().unwrap_or_default().to_string()))?;
        let Some(layout) = &mut self.layout else {
            return self
                .set_layout(list)
                .map_err(|e| header_error(self, e.detail().unwrap_or_default().to_string()));
        };
        layout.expected = list.len();
        if list.fields == layout.list.fields {
            layout.unusable = false;
            for (source, column) in layout.sources.iter_mut().zip(&layout.columns) {
                *source = Some(column.source);
            }
            return Ok(());
        }
        let columns = list.columns();
        let foreign: Vec<&str> = columns
            .iter()
            .filter(|c| {
                !layout
                    .columns
                    .iter()
                    .any(|o| o.name == c.name && o.ty == c.ty && o.kind == c.kind)
            })
            .map(|c| c.aws_name.as_str())
            .collect();
        if !foreign.is_empty() {
            layout.unusable = true;
            return Err(header_error(
                self,
                format!(
                    "this #Fields: line names {} not in the schema (taken from the input's first \
                     #Fields: line or the given field list); the data lines that follow it are \
                     rejected",
                    foreign.join(", ")
                ),
            ));
        }
        layout.unusable = false;
        for (source, column) in layout.sources.iter_mut().zip(&layout.columns) {
            *source = columns
                .iter()
                .find(|c| c.name == column.name)
                .map(|c| c.source);
        }
        Ok(())
    }

    /// Parses one line (not blank, not too long) and appends its row.
    #[inline]
    fn process(
        &mut self,
        line: &[u8],
        max_fields: usize,
        chunk: Option<&SharedChunk>,
    ) -> Result<Outcome> {
        if line.first() == Some(&b'#') {
            if self.flavor == Flavor::Standard && line.starts_with(b"#Fields:") {
                let header = self.header(line, max_fields);
                self.sync_text_fields();
                if let Err(err) = header {
                    // The fields of the lines that follow are unknown: reject them too.
                    if let Some(layout) = &mut self.layout {
                        layout.unusable = true;
                    }
                    return Err(err);
                }
            }
            return Ok(Outcome::Comment);
        }
        let label = self.flavor.label();
        let Some(layout) = &self.layout else {
            return Err(self.error(ErrorKind::InvalidHeader).with_detail(
                "a data line before any #Fields: line (give the field list to read input \
                 without one)",
            ));
        };
        if layout.unusable {
            return Err(self.error(ErrorKind::InvalidHeader).with_detail(
                "the last #Fields: line does not fit the schema (see its own reject)",
            ));
        }
        let ascii = split_tabs_ascii(line, &mut self.spans, max_fields)
            .map_err(|e| e.with_format(label))?;
        check_count(self.flavor, &mut self.spans, layout.expected)
            .map_err(|e| e.with_format(label))?;
        // Parse and check every typed column before appending anything (text columns cannot
        // fail: they are taken from their spans below).
        let dates = &mut self.dates;
        for &i in &layout.checked {
            let column = &layout.columns[i];
            let value = match layout.sources[i] {
                None => Ok(Value::Null),
                Some(Source::Field(f)) => match self.spans.get(f) {
                    None => Ok(Value::Null),
                    Some(span) => parse_value(column.kind, span.get(line), *span),
                },
                Some(Source::DateTime(d, t)) => match (self.spans.get(d), self.spans.get(t)) {
                    (Some(d), Some(t)) => {
                        values::parse_date_time_cached(d.get(line), t.get(line), dates)
                            .map(|v| v.map_or(Value::Null, Value::Time))
                    }
                    (None, None) => Ok(Value::Null),
                    // A row cut between date and time: check what is there, then reject it
                    // (a line without tabs under a date-time header must not become nulls).
                    (Some(d), None) => {
                        values::parse_date_time(d.get(line), b"00:00:00").and(Err((
                            ErrorKind::MissingField,
                            "the row ends before its time field",
                        )))
                    }
                    (None, Some(_)) => Err((
                        ErrorKind::MissingField,
                        "the row ends before its date field",
                    )),
                },
            };
            match value {
                Ok(v) => self.values[i] = v,
                Err((kind, detail)) => {
                    return Err(Error::new(kind)
                        .with_format(label)
                        .with_field(column.name.clone())
                        .with_detail(detail));
                }
            }
        }
        let text = if ascii {
            // SAFETY: `ascii_str`'s condition holds: `split_tabs_ascii` returned true for this
            // line, which it does only when no byte of the line had its high bit set (it ORs
            // the high bits of every byte it reads for tabs; the tail is zero-padded).
            #[allow(unsafe_code)]
            LineText::Valid(unsafe { unchecked::ascii_str(line) })
        } else {
            LineText::new(line)
        };
        let repair = match text {
            LineText::Valid(_) => None,
            LineText::Lossy(_) => Some(utf8_repaired(
                label,
                invalid_utf8_column(layout, &self.spans, line),
            )),
        };
        // The text values of a valid line go in straight from their spans: copied from its
        // `&str`, or as string views from where the line lies in the chunk. Which of the two
        // (if either) is decided once for the line, and tested first for each column.
        let view_chunk = text.valid_in(chunk).filter(|_| self.views);
        let plain_line = text.valid().filter(|_| !self.views);
        for out in &mut self.out {
            // String views: the value made from where it lies in the chunk.
            if let Some((chunk, at)) = view_chunk
                && out.text
                && !out.decode
                && let ColumnBuilder::Utf8View(b) = &mut out.builder
            {
                match self.spans.get(out.field) {
                    // SAFETY: `append_text_or_dash`'s condition holds. `valid_in` found the
                    // line, valid UTF-8, wholly inside the chunk at `at` (ending at or below
                    // `u32::MAX`). `split_tabs_ascii` made the spans of this line, each with
                    // `start <= end <= len`, starting at the line's start or after a tab and
                    // ending at its end or at a tab; offsets next to an ASCII byte are
                    // character boundaries of valid UTF-8. So `at + start <= at + end` lie in
                    // the chunk, without wrapping, around whole characters.
                    #[allow(unsafe_code)]
                    Some(span) => unsafe {
                        b.append_text_or_dash(chunk, at + span.start, at + span.end)
                    },
                    None => b.append_null(),
                }
                continue;
            }
            // `Utf8` columns: the value copied from its span of the line.
            if let Some(line) = plain_line
                && out.text
                && !out.decode
                && let ColumnBuilder::Utf8(b) = &mut out.builder
            {
                match text_span(out.field, &self.spans, line.as_bytes()) {
                    // SAFETY: `append_span`'s condition holds: `line` is this line's text (valid
                    // UTF-8), and `text_span` returns one of the spans `split_tabs_ascii` made
                    // of it, with `start <= end <= len`, starting at the line's start or after
                    // a tab and ending at its end or at a tab: character boundaries, since a
                    // tab is an ASCII byte.
                    #[allow(unsafe_code)]
                    Some(span) => unsafe { b.append_span(line, span) },
                    None => b.append_null(),
                }
                continue;
            }
            let value = if out.text {
                text_span(out.field, &self.spans, line).map_or(Value::Null, Value::Text)
            } else {
                self.values[out.column]
            };
            // Typed values, and text to repair or percent-decode.
            append(
                &mut out.builder,
                value,
                &text,
                out.decode,
                &mut self.scratch,
                chunk,
            );
        }
        Ok(Outcome::Row {
            lossy: repair.is_some(),
            repair,
        })
    }
}

impl RowDecoder for CloudFrontRows {
    fn decode_line(
        &mut self,
        line: &[u8],
        max_fields: usize,
        chunk: Option<&SharedChunk>,
    ) -> Result<Outcome> {
        self.process(line, max_fields, chunk)
    }

    /// The schema of the batches (empty until a standard log's `#Fields:` line is seen).
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The field list in use, once known.
    fn field_names(&self) -> Option<Vec<String>> {
        let layout = self.layout.as_ref()?;
        Some(layout.list.aws_names().map(str::to_string).collect())
    }

    /// Room for text of each column (see [`ColumnBuilder::text_capacity`]).
    fn text_capacities(&self) -> Vec<usize> {
        self.out.iter().map(|o| o.builder.text_capacity()).collect()
    }

    /// Makes room for text in each empty text column (see [`ColumnBuilder::reserve_text`]).
    fn reserve_text(&mut self, bytes: &[usize]) {
        for (o, &bytes) in self.out.iter_mut().zip(bytes) {
            o.builder.reserve_text(self.column_capacity, bytes);
        }
    }

    /// Finishes the buffered rows into a batch and resets the builders.
    fn finish(&mut self, rows: usize) -> Result<RecordBatch> {
        let builders = self.out.iter_mut().map(|o| &mut o.builder);
        crate::columns::finish_batch(&self.schema, builders, self.column_capacity, rows)
    }
}

/// The span of field `field` (`None`: absent or `-`, null), a text column's value.
#[inline(always)]
fn text_span(field: usize, spans: &[Span], line: &[u8]) -> Option<Span> {
    let span = *spans.get(field)?;
    let dash =
        span.end.wrapping_sub(span.start) == 1 && line.get(span.start as usize) == Some(&b'-');
    (!dash).then_some(span)
}

/// The first text column holding invalid UTF-8.
fn invalid_utf8_column(layout: &Layout, spans: &[Span], line: &[u8]) -> Option<String> {
    layout
        .columns
        .iter()
        .zip(&layout.sources)
        .filter(|(c, _)| c.kind == ValueKind::Text)
        .find(|&(_, &source)| match source {
            Some(Source::Field(f)) => {
                text_span(f, spans, line).is_some_and(|s| std::str::from_utf8(s.get(line)).is_err())
            }
            _ => false,
        })
        .map(|(c, _)| c.name.clone())
}

fn parse_value(
    kind: ValueKind,
    bytes: &[u8],
    span: Span,
) -> std::result::Result<Value, crate::values::ValueError> {
    let value = match kind {
        ValueKind::Text | ValueKind::Date | ValueKind::Time => {
            if bytes == b"-" {
                Value::Null
            } else {
                Value::Text(span)
            }
        }
        ValueKind::UInt(max) => {
            values::parse_unsigned(bytes, max)?.map_or(Value::Null, Value::UInt)
        }
        ValueKind::Float => values::parse_seconds(bytes)?.map_or(Value::Null, Value::Float),
        ValueKind::EpochSeconds => {
            values::parse_epoch_seconds(bytes)?.map_or(Value::Null, Value::Time)
        }
        ValueKind::EpochMillis => {
            values::parse_epoch_millis(bytes)?.map_or(Value::Null, Value::Time)
        }
    };
    Ok(value)
}

/// The text of `span`, percent-decoded (into `scratch`) when `decode` asks and it decodes.
#[inline]
fn text_value<'a>(
    text: &LineText<'a>,
    span: Span,
    decode: bool,
    scratch: &'a mut Vec<u8>,
) -> std::borrow::Cow<'a, str> {
    let s = text.get(span.start as usize, span.end as usize);
    // `percent_decode` checked that `scratch` is UTF-8.
    if decode
        && values::percent_decode(&s, scratch)
        && let Ok(decoded) = std::str::from_utf8(scratch)
    {
        return std::borrow::Cow::Borrowed(decoded);
    }
    s
}

fn append(
    builder: &mut ColumnBuilder,
    value: Value,
    text: &LineText<'_>,
    decode: bool,
    scratch: &mut Vec<u8>,
    chunk: Option<&SharedChunk>,
) {
    match (builder, value) {
        (ColumnBuilder::Utf8(b), Value::Text(span)) => {
            b.append_value(text_value(text, span, decode, scratch))
        }
        (ColumnBuilder::Utf8View(b), Value::Text(span)) => {
            b.append(&text_value(text, span, decode, scratch), chunk)
        }
        (ColumnBuilder::Utf8(b), _) => b.append_null(),
        (ColumnBuilder::Utf8View(b), _) => b.append_null(),
        // The field's bound fits its column type (`fields::column_type`).
        (ColumnBuilder::Int16(b), Value::UInt(v)) => b.append_value(v as i16),
        (ColumnBuilder::Int32(b), Value::UInt(v)) => b.append_value(v as i32),
        (ColumnBuilder::Int64(b), Value::UInt(v)) => b.append_value(v as i64),
        (ColumnBuilder::Float64(b), Value::Float(v)) => b.append_value(v),
        (ColumnBuilder::TimestampMs(b), Value::Time(v)) => b.append_value(v),
        (ColumnBuilder::Int16(b), _) => b.append_null(),
        (ColumnBuilder::Int32(b), _) => b.append_null(),
        (ColumnBuilder::Int64(b), _) => b.append_null(),
        (ColumnBuilder::Float64(b), _) => b.append_null(),
        (ColumnBuilder::TimestampMs(b), _) => b.append_null(),
        (ColumnBuilder::TimestampUs(b), _) => b.append_null(),
        (ColumnBuilder::Boolean(b), _) => b.append_null(),
    }
}
