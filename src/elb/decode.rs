//! Elastic Load Balancing log lines to Arrow columns: the formats' [`RowDecoder`].

use std::borrow::Cow;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use super::fields::{FieldDef, Flavor, Kind, MAX_KNOWN, Part};
use super::record::split;
use super::values::{
    DateCache, RequestParts, parse_endpoint, parse_int, parse_seconds, parse_time, split_request,
    unescape_hex,
};
use crate::columns::{ColumnBuilder, ColumnType, LineText};
use crate::contract::{ColumnsConfig, Outcome, RowDecoder, utf8_repaired};
use crate::error::{Error, ErrorKind, Result};
use crate::raw::Span;
use crate::values::percent_decode;
use crate::views::SharedChunk;

/// A field's value, parsed before anything is appended (a rejected line appends nothing).
#[derive(Debug, Clone, Copy)]
enum Value {
    Null,
    /// Text, and a request line (whose parts are in [`ElbRows::request`]).
    Text(Span),
    Int(i64),
    Float(f64),
    Time(i64),
    Endpoint(Span, i32),
}

/// What a projected column takes from a line (`usize`: the field's index).
#[derive(Debug, Clone, Copy)]
enum Plan {
    Text(usize),
    Ip(usize),
    Method,
    Url,
    Version,
    Trailing,
    Port(usize),
    Number(usize),
}

/// A projected column: what it takes, its builder, and whether its escapes are decoded.
#[derive(Debug)]
struct OutColumn {
    plan: Plan,
    builder: ColumnBuilder,
    decode: bool,
}

/// The ELB [`RowDecoder`]: parses lines of one flavor and builds the projected columns.
#[derive(Debug)]
pub(crate) struct ElbRows {
    flavor: Flavor,
    out: Vec<OutColumn>,
    schema: SchemaRef,
    capacity: usize,
    /// The current line's fields, values and request line parts.
    spans: [Span; MAX_KNOWN],
    values: [Value; MAX_KNOWN],
    request: RequestParts,
    trailing: Option<Span>,
    /// The last date of a time (times of one file share a few dates).
    dates: DateCache,
    scratch: Vec<u8>,
}

impl ElbRows {
    /// Rows of `flavor` for the columns `indices` (into [`Flavor::columns`], in output order)
    /// whose schema is `schema`; `decode[i]`: decode the escapes of column `indices[i]`.
    pub(crate) fn new(
        flavor: Flavor,
        indices: &[usize],
        decode: &[bool],
        schema: SchemaRef,
        config: ColumnsConfig,
    ) -> Self {
        let columns = flavor.columns();
        let out = indices
            .iter()
            .zip(decode)
            .map(|(&i, &decode)| {
                let def = columns[i];
                let plan = match def.part {
                    Part::Whole if def.ty == ColumnType::Utf8 => Plan::Text(def.field),
                    Part::Whole => Plan::Number(def.field),
                    Part::Ip => Plan::Ip(def.field),
                    Part::Port => Plan::Port(def.field),
                    Part::Method => Plan::Method,
                    Part::Url => Plan::Url,
                    Part::Version => Plan::Version,
                    Part::Trailing => Plan::Trailing,
                };
                OutColumn {
                    plan,
                    builder: ColumnBuilder::new(def.ty, config.capacity, config.views),
                    decode,
                }
            })
            .collect();
        ElbRows {
            flavor,
            out,
            schema,
            capacity: config.capacity,
            spans: [Span { start: 0, end: 0 }; MAX_KNOWN],
            values: [Value::Null; MAX_KNOWN],
            request: RequestParts::default(),
            trailing: None,
            dates: DateCache::default(),
            scratch: Vec::new(),
        }
    }

    /// Parses the values of the `known` fields of `line` (the rest are null).
    #[inline]
    fn parse_values(&mut self, line: &[u8], known: usize) -> Result<()> {
        let ElbRows {
            flavor,
            spans,
            values,
            request,
            dates,
            ..
        } = self;
        let fields = flavor.fields();
        // A request field sets it below; a missing or `-` one leaves no parts.
        *request = RequestParts::default();
        for (i, ((def, span), value)) in fields
            .iter()
            .zip(spans.iter())
            .zip(values.iter_mut())
            .enumerate()
        {
            if i >= known {
                *value = Value::Null;
                continue;
            }
            let (start, end) = (span.start as usize, span.end as usize);
            // `-` (bare, or quoted: the span is inside the quotes) is null.
            if end == start + 1 && line.get(start) == Some(&b'-') {
                *value = Value::Null;
                continue;
            }
            if def.kind == Kind::Text {
                *value = Value::Text(*span);
                continue;
            }
            let bytes = &line[start..end];
            let parsed = match def.kind {
                Kind::Text => unreachable!("handled above"),
                Kind::Time => parse_time(bytes, dates).map(|v| v.map_or(Value::Null, Value::Time)),
                Kind::Seconds => parse_seconds(bytes).map(|v| v.map_or(Value::Null, Value::Float)),
                Kind::UInt(max) => crate::values::parse_uint(bytes, max)
                    .map(|v| v.map_or(Value::Null, |v| Value::Int(v as i64))),
                Kind::Int(max) => parse_int(bytes, max).map(|v| v.map_or(Value::Null, Value::Int)),
                Kind::Endpoint => parse_endpoint(bytes, span.start)
                    .map(|v| v.map_or(Value::Null, |(ip, port)| Value::Endpoint(ip, port))),
                Kind::Request => {
                    *request = split_request(bytes, span.start);
                    Ok(Value::Text(*span))
                }
            };
            match parsed {
                Ok(parsed) => *value = parsed,
                Err(err) => return Err(value_error(*flavor, def, err)),
            }
        }
        Ok(())
    }

    /// The text span of a text column's plan, or `None` (null).
    #[inline(always)]
    fn text_span(&self, plan: Plan) -> Option<Span> {
        match plan {
            Plan::Text(f) => match self.values[f] {
                Value::Text(s) => Some(s),
                _ => None,
            },
            Plan::Ip(f) => match self.values[f] {
                Value::Endpoint(s, _) => Some(s),
                _ => None,
            },
            Plan::Method => self.request.method,
            Plan::Url => self.request.url,
            Plan::Version => self.request.version,
            Plan::Trailing => self.trailing,
            Plan::Port(_) | Plan::Number(_) => None,
        }
    }

    /// The name of the first text column whose value holds invalid UTF-8.
    fn invalid_utf8_column(&self, line: &[u8]) -> Option<String> {
        self.out
            .iter()
            .zip(self.schema.fields())
            .find(|(c, _)| {
                self.text_span(c.plan).is_some_and(|s| {
                    std::str::from_utf8(&line[s.start as usize..s.end as usize]).is_err()
                })
            })
            .map(|(_, f)| f.name().clone())
    }

    fn append(&mut self, line: &[u8], text: &LineText<'_>, chunk: Option<&SharedChunk>) {
        let valid = text.valid();
        let valid_in_chunk = text.valid_in(chunk);
        let nlb = self.flavor == Flavor::Nlb;
        for i in 0..self.out.len() {
            let plan = self.out[i].plan;
            if let Plan::Port(f) | Plan::Number(f) = plan {
                append_number(&mut self.out[i].builder, plan, self.values[f]);
                continue;
            }
            let span = self.text_span(plan);
            let decode = self.out[i].decode;
            let column = &mut self.out[i].builder;
            let Some(span) = span else {
                match column {
                    ColumnBuilder::Utf8(b) => b.append_null(),
                    ColumnBuilder::Utf8View(b) => b.append_null(),
                    _ => unreachable!("text columns have text builders"),
                }
                continue;
            };
            let (start, end) = (span.start as usize, span.end as usize);
            if decode {
                let scratch = &mut self.scratch;
                let raw = &line[start..end];
                let decoded = if nlb {
                    percent_decode(raw, scratch, false)
                } else {
                    unescape_hex(raw, scratch)
                };
                // Both decoders checked that `scratch` is UTF-8.
                if decoded && let Ok(value) = std::str::from_utf8(scratch) {
                    match column {
                        ColumnBuilder::Utf8(b) => b.append_value(value),
                        ColumnBuilder::Utf8View(b) => b.append(value, None),
                        _ => unreachable!("text columns have text builders"),
                    }
                    continue;
                }
            }
            match (column, valid, valid_in_chunk) {
                // SAFETY: `append_span`'s condition holds. `line` is the text of the line whose
                // spans `self` holds (`ElbRows::decode_line`, this function's only caller,
                // makes `text` from the line it split and parsed just before), and every span
                // lies in it (`record::split` makes the fields' spans, `parse_endpoint` and
                // `split_request` subspans of them) with each end at one of the line's ends or
                // next to an ASCII byte: a space between fields or words, a quote of a quoted
                // field, the colon before a port, a bracket of an IPv6 address. In valid UTF-8
                // the offsets next to an ASCII byte are character boundaries.
                #[allow(unsafe_code)]
                (ColumnBuilder::Utf8(b), Some(line), _) => unsafe { b.append_span(line, span) },
                (ColumnBuilder::Utf8(b), None, _) => b.append_value(text.get(start, end)),
                // SAFETY: `append_from_chunk`'s condition holds. `valid_in` found the line,
                // valid UTF-8, wholly inside the chunk at `at` (ending at or below
                // `u32::MAX`), and the span lies in the line with its ends at character
                // boundaries (as for `append_span` above): so `at + start <= at + end` lie in
                // the chunk, without wrapping, around whole characters.
                #[allow(unsafe_code)]
                (ColumnBuilder::Utf8View(b), _, Some((chunk, at))) => unsafe {
                    b.append_from_chunk(chunk, at + span.start, at + span.end)
                },
                (ColumnBuilder::Utf8View(b), _, None) => b.append(&text.get(start, end), chunk),
                _ => unreachable!("text columns have text builders"),
            }
        }
    }
}

/// The error of a field's value that does not parse.
#[cold]
fn value_error(flavor: Flavor, def: &FieldDef, (kind, detail): crate::values::ValueError) -> Error {
    // A bad `X:port` names the column of its bad part.
    let field: Cow<'static, str> = match (def.kind, kind) {
        (Kind::Endpoint, ErrorKind::InvalidInteger) => format!("{}_port", def.column).into(),
        (Kind::Endpoint, _) => format!("{}_ip", def.column).into(),
        _ => def.column.into(),
    };
    Error::new(kind)
        .with_format(flavor.label())
        .with_field(field)
        .with_detail(detail)
}

/// Appends a number column's value (a port, or the field's own value).
#[inline(always)]
fn append_number(builder: &mut ColumnBuilder, plan: Plan, value: Value) {
    match (builder, plan, value) {
        (ColumnBuilder::Int32(b), Plan::Port(_), Value::Endpoint(_, port)) => b.append_value(port),
        // Each field's bound fits its column type (`fields::column_type`).
        (ColumnBuilder::Int16(b), Plan::Number(_), Value::Int(v)) => b.append_value(v as i16),
        (ColumnBuilder::Int32(b), Plan::Number(_), Value::Int(v)) => b.append_value(v as i32),
        (ColumnBuilder::Int64(b), Plan::Number(_), Value::Int(v)) => b.append_value(v),
        (ColumnBuilder::Float64(b), _, Value::Float(v)) => b.append_value(v),
        (ColumnBuilder::TimestampUs(b), _, Value::Time(v)) => b.append_value(v),
        (ColumnBuilder::Int16(b), _, _) => b.append_null(),
        (ColumnBuilder::Int32(b), _, _) => b.append_null(),
        (ColumnBuilder::Int64(b), _, _) => b.append_null(),
        (ColumnBuilder::Float64(b), _, _) => b.append_null(),
        (ColumnBuilder::TimestampUs(b), _, _) => b.append_null(),
        (ColumnBuilder::TimestampMs(b), _, _) => b.append_null(),
        (ColumnBuilder::Boolean(b), _, _) => b.append_null(),
        (ColumnBuilder::Utf8(b), _, _) => b.append_null(),
        (ColumnBuilder::Utf8View(b), _, _) => b.append_null(),
    }
}

impl RowDecoder for ElbRows {
    fn decode_line(
        &mut self,
        line: &[u8],
        max_fields: usize,
        chunk: Option<&SharedChunk>,
    ) -> Result<Outcome> {
        let split = split(self.flavor, line, &mut self.spans)?;
        if split.field_count > max_fields {
            return Err(Error::new(ErrorKind::TooManyFields)
                .with_format(self.flavor.label())
                .with_field("trailing_fields")
                .with_detail(format!(
                    "{} fields, maximum {max_fields}",
                    split.field_count
                )));
        }
        self.parse_values(line, split.known)?;
        self.trailing = split.trailing;
        let text = LineText::new(line);
        let lossy = matches!(text, LineText::Lossy(_));
        let repair = lossy.then(|| {
            let column = self.invalid_utf8_column(line);
            utf8_repaired(self.flavor.label(), column.map(Cow::Owned))
        });
        self.append(line, &text, chunk);
        Ok(Outcome::Row { repair, lossy })
    }

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn text_capacities(&self) -> Vec<usize> {
        self.out.iter().map(|c| c.builder.text_capacity()).collect()
    }

    fn reserve_text(&mut self, bytes: &[usize]) {
        for (column, &bytes) in self.out.iter_mut().zip(bytes) {
            column.builder.reserve_text(self.capacity, bytes);
        }
    }

    fn finish(&mut self, rows: usize) -> Result<RecordBatch> {
        let builders = self.out.iter_mut().map(|c| &mut c.builder);
        crate::columns::finish_batch(&self.schema, builders, self.capacity, rows)
    }
}
