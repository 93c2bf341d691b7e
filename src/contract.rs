//! The decoding contract: what a log format gives the rest of the crate.
//!
//! A format lives in a folder of its own (`src/s3/`, `src/cloudfront/`) and implements two
//! traits:
//!
//! * [`LogFormat`]: what is known before any line is decoded: its names, how its first line
//!   looks (detection), which options it takes, and how to make its [`RowDecoder`];
//! * [`RowDecoder`]: one line in, one row of Arrow columns out (or a typed error, and then
//!   nothing appended), and the batches of those rows.
//!
//! Everything else (lines and their positions, blank lines, the line length limit, byte order
//! marks, rejects and counters, batch limits, gzip, the parallel reader, Parquet) is the
//! crate's, the same for every format. [`crate::Format::spec`] is the registry: one line per
//! format. `CONTRIBUTING.md` has the recipe for adding one.

use std::borrow::Cow;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use crate::cloudfront::FieldList;
use crate::error::{Error, ErrorKind, Result};
use crate::views::SharedChunk;

/// The options of a [`crate::ReaderBuilder`] that a format may take (each format checks
/// them with [`LogFormat::check`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct FormatOptions {
    /// A field list ([`crate::ReaderBuilder::with_fields`]).
    pub(crate) fields: Option<FieldList>,
    /// Indices into the format's full schema, in output order; `None`: every column.
    pub(crate) projection: Option<Vec<usize>>,
    /// Text columns to percent-decode ([`crate::ReaderBuilder::with_percent_decoding`]).
    pub(crate) decode: Vec<String>,
}

/// Where and how a [`RowDecoder`] builds its columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnsConfig {
    /// Rows each batch holds at most (the builders' initial room is derived from it).
    pub(crate) capacity: usize,
    /// Text columns as `Utf8View`.
    pub(crate) views: bool,
}

/// What a format is, before any line of it is decoded. One `static` value per format, listed
/// in the registry ([`crate::Format::spec`]).
pub(crate) trait LogFormat: Sync {
    /// The short name ([`crate::Format::name`]), also accepted by `Format::from_str`.
    fn name(&self) -> &'static str;

    /// Other names `Format::from_str` accepts.
    fn aliases(&self) -> &'static [&'static str];

    /// The format's name in error messages.
    fn label(&self) -> &'static str;

    /// The table folder of its partitioned output ([`crate::partition::table_name`]).
    fn table_name(&self) -> &'static str;

    /// The full schema (before projection) when it does not depend on options or input.
    fn schema(&self) -> Option<SchemaRef> {
        None
    }

    /// Detection: whether `line`, the first data line of an input (not blank, not `#`), is a
    /// line of this format. The formats' shapes exclude each other.
    fn detect(&self, line: &[u8]) -> bool;

    /// Detection: whether the `#` line `line`, before any data line, marks this format.
    fn detect_comment(&self, _line: &[u8]) -> bool {
        false
    }

    /// What this format's first line looks like, for the error of a failed detection.
    fn shape(&self) -> &'static str;

    /// Whether a line decodes the same whatever came before it, so that an input can be cut
    /// at line boundaries and its parts decoded apart (the parallel reader). A format whose
    /// header lines change the schema of the lines after them cannot be.
    fn segmentable(&self) -> bool {
        true
    }

    /// Whether `fields` is a field list of this format (detection keeps a given field list
    /// only for its own format, and falls back on it when no format is detected).
    fn takes_fields(&self, _fields: &FieldList) -> bool {
        false
    }

    /// Whether the format takes percent-decoding options (detection drops them otherwise).
    fn takes_percent_decoding(&self) -> bool {
        false
    }

    /// Whether, without a field list, the schema comes from a header in the input's first
    /// lines, which the reader then reads ahead ([`LogFormat::fields_from_head`]).
    fn header_in_head(&self) -> bool {
        false
    }

    /// The field list of the header in `head`, the input's first bytes after `skipped` blank
    /// lines (`complete`: the whole input; otherwise a full read-ahead buffer whose last line
    /// may be cut). Only for formats with [`LogFormat::header_in_head`].
    fn fields_from_head(
        &self,
        _head: &[u8],
        _complete: bool,
        _max_fields: usize,
        _skipped: u64,
    ) -> Result<Option<FieldList>> {
        Ok(None)
    }

    /// Checks the options for this format; `detected`: the format was detected from the input
    /// (errors then say so).
    fn check(&self, options: &FormatOptions, max_fields: usize, detected: bool) -> Result<()>;

    /// A [`RowDecoder`] for checked options.
    fn row_decoder(
        &self,
        options: &FormatOptions,
        config: ColumnsConfig,
    ) -> Result<Box<dyn RowDecoder>>;
}

/// What became of a line that a [`RowDecoder`] did not reject.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A row was appended. `repair`: it was kept after a repair that the error describes
    /// (without its position, which the decoder adds); `lossy`: its text was repaired (it
    /// may have grown up to 3×, each invalid byte becoming U+FFFD).
    Row { repair: Option<Error>, lossy: bool },
    /// A `#` header or comment line (a header may have changed the schema).
    Comment,
}

/// One line to columns: the contract every format implements. The crate's
/// [`crate::Decoder`] hands it the lines to decode and owns everything around them.
pub(crate) trait RowDecoder: std::fmt::Debug + Send {
    /// Parses `line` and appends its row, or returns why it cannot (a typed error with the
    /// format's label and the field, without position; nothing is appended then). The line
    /// is not blank, has no terminator nor byte order mark, and is within the length limit;
    /// a record of more than `max_fields` fields is a [`ErrorKind::TooManyFields`] error.
    /// Text values may be string views into `chunk` when the line lies there.
    fn decode_line(
        &mut self,
        line: &[u8],
        max_fields: usize,
        chunk: Option<&SharedChunk>,
    ) -> Result<Outcome>;

    /// The schema of the batches (after projection; it may be empty until a header line).
    fn schema(&self) -> SchemaRef;

    /// The AWS names of the fields of each record, when they vary (field lists).
    fn field_names(&self) -> Option<Vec<String>> {
        None
    }

    /// Room for text of each column's builder (see [`crate::columns::ColumnBuilder`]).
    fn text_capacities(&self) -> Vec<usize>;

    /// Makes room for `bytes[i]` of text in each empty text column `i`.
    fn reserve_text(&mut self, bytes: &[usize]);

    /// Finishes the `rows` appended rows into a batch and resets the builders.
    fn finish(&mut self, rows: usize) -> Result<RecordBatch>;
}

/// The repair of a row whose invalid UTF-8 (in `field`, when known) was replaced with U+FFFD.
pub(crate) fn utf8_repaired(
    label: &'static str,
    field: Option<impl Into<Cow<'static, str>>>,
) -> Error {
    let err = Error::new(ErrorKind::InvalidUtf8)
        .with_format(label)
        .with_detail("invalid bytes replaced with U+FFFD; the row is kept");
    match field {
        Some(field) => err.with_field(field),
        None => err,
    }
}
