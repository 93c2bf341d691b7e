//! Errors: [`Error`], its [`ErrorKind`] and the [`Position`] of the offending line.
//!
//! Every error that comes from input carries the format, the line number (1-based), the byte
//! offset of the start of that line (0-based, counted in the decoded input stream) and, where it
//! is known, the name of the field (the snake_case column name). Its `Display` reads like
//! `s3 access log: line 12 (byte 4096), field time: invalid timestamp`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Where a line starts in the input stream (serialized as `{"line": …, "byte_offset": …}`,
/// feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Position {
    /// 1-based line number (every `\n`-terminated line counts, blank ones included).
    pub line: u64,
    /// 0-based byte offset of the first byte of the line in the (decompressed) input.
    pub byte_offset: u64,
}

/// What went wrong. New kinds may be added in minor releases. Serialized (feature `serde`) as
/// the variant's snake_case name: `"missing_field"`, `"invalid_utf8"`, ….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line ended before a required field.
    MissingField,
    /// A timestamp did not have the expected shape or was out of range.
    InvalidTimestamp,
    /// An integer field held something other than digits, or overflowed its column type.
    InvalidInteger,
    /// A boolean field held something other than its documented values.
    InvalidBoolean,
    /// A decimal number field (seconds) held something other than digits and one `.`.
    InvalidNumber,
    /// A text field held a word that does not have the field's shape. For an optional trailing
    /// field of an S3 access log the row is kept (recorded as repaired) and the words from that
    /// field on are kept in `trailing_fields`.
    InvalidValue,
    /// A record had a different number of fields than its field list (CloudFront).
    FieldCount,
    /// A CloudFront standard log's `#Fields:` header was missing, or did not fit the schema.
    InvalidHeader,
    /// The log format could not be detected from the input's first lines.
    UnknownFormat,
    /// A quoted field was not closed, or a field that must be quoted (or `-`) was not.
    InvalidQuoting,
    /// The line is longer than the configured maximum line length.
    LineTooLong,
    /// The line has more fields than the configured maximum.
    TooManyFields,
    /// A field held bytes that are not valid UTF-8 (the row is kept, repaired with U+FFFD).
    InvalidUtf8,
    /// Reading the input failed.
    Io,
    /// The gzip stream was truncated or corrupt.
    Gzip,
    /// A gzip input decompressed to more than its limits allow
    /// ([`crate::ReaderBuilder::with_max_decompressed_bytes`],
    /// [`crate::ReaderBuilder::with_max_gzip_ratio`]).
    DecompressionLimit,
    /// Arrow rejected the data or the schema.
    Arrow,
    /// The Parquet writer failed.
    Parquet,
    /// An option or argument given by the caller is invalid.
    InvalidArgument,
    /// CloudFront real-time logs were given, or detected, without the field list of their log
    /// configuration, which says what their columns are
    /// ([`crate::ReaderBuilder::with_fields`] with [`crate::cloudfront::FieldList::realtime`]).
    /// A caller that has the list can build the reader again with it; with
    /// [`crate::ReaderBuilder::auto`], the input's start must be read again, since detection
    /// consumed it.
    MissingFieldList,
}

impl ErrorKind {
    /// A short lower-case description, as used in `Display`.
    pub fn description(self) -> &'static str {
        match self {
            ErrorKind::MissingField => "missing field",
            ErrorKind::InvalidTimestamp => "invalid timestamp",
            ErrorKind::InvalidInteger => "invalid integer",
            ErrorKind::InvalidBoolean => "invalid boolean",
            ErrorKind::InvalidNumber => "invalid number",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::FieldCount => "wrong number of fields",
            ErrorKind::InvalidHeader => "invalid header",
            ErrorKind::UnknownFormat => "unknown format",
            ErrorKind::InvalidQuoting => "invalid quoting",
            ErrorKind::LineTooLong => "line too long",
            ErrorKind::TooManyFields => "too many fields",
            ErrorKind::InvalidUtf8 => "invalid UTF-8",
            ErrorKind::Io => "I/O error",
            ErrorKind::Gzip => "gzip error",
            ErrorKind::DecompressionLimit => "decompression limit exceeded",
            ErrorKind::Arrow => "arrow error",
            ErrorKind::Parquet => "parquet error",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::MissingFieldList => "missing field list",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The error type of this crate.
///
/// ```
/// use aws_access_logs::{ErrorKind, Format, ReaderBuilder};
///
/// let log = b"owner bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 x - \"-\" \"-\"\n";
/// let mut decoder = ReaderBuilder::new(Format::S3)
///     .with_error_policy(aws_access_logs::ErrorPolicy::FailFast)
///     .build_decoder()
///     .unwrap();
/// let err = decoder.decode(log).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInteger);
/// assert_eq!(err.field(), Some("total_time_ms"));
/// assert_eq!(err.position().unwrap().line, 1);
/// assert_eq!(
///     err.to_string(),
///     "s3 access log: line 1 (byte 0), field total_time_ms: invalid integer: expected digits or '-'"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    format: Option<&'static str>,
    position: Option<Position>,
    field: Option<Cow<'static, str>>,
    detail: Option<Cow<'static, str>>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with no position, field or detail.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            format: None,
            position: None,
            field: None,
            detail: None,
            source: None,
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The log format being decoded (`"s3 access log"`), when the error came from input.
    pub fn format(&self) -> Option<&'static str> {
        self.format
    }

    /// The position of the offending line, when the error came from a line.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The snake_case name of the offending field, when known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// Extra human-readable detail, when there is some.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub(crate) fn with_format(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }

    pub(crate) fn with_position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    pub(crate) fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// Wraps an I/O error.
    pub(crate) fn io(err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io)
            .with_detail(err.to_string())
            .with_source(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(format) = self.format {
            write!(f, "{format}: ")?;
        }
        if let Some(p) = self.position {
            write!(f, "line {} (byte {}), ", p.line, p.byte_offset)?;
        }
        if let Some(field) = &self.field {
            write!(f, "field {field}: ")?;
        }
        f.write_str(self.kind.description())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// Errors are equal when kind, format, position, field and detail are (the source is ignored).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.format == other.format
            && self.position == other.position
            && self.field == other.field
            && self.detail == other.detail
    }
}

impl Eq for Error {}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::io(err)
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(err: arrow::error::ArrowError) -> Self {
        Error::new(ErrorKind::Arrow)
            .with_detail(err.to_string())
            .with_source(err)
    }
}

impl From<Error> for arrow::error::ArrowError {
    fn from(err: Error) -> Self {
        arrow::error::ArrowError::ExternalError(Box::new(err))
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudfront::FieldList;
    use crate::{Format, ReaderBuilder};

    const REALTIME_LINE: &[u8] = b"1684226820.937\t192.0.2.10\t403\n";

    /// A real-time log without its field list is [`ErrorKind::MissingFieldList`], whether the
    /// format is given or detected, and the field list makes the same input readable.
    #[test]
    fn missing_field_list() {
        let err = ReaderBuilder::new(Format::CloudFrontRealtime)
            .build_decoder()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingFieldList);
        assert!(err.to_string().starts_with("missing field list: "), "{err}");

        let err = ReaderBuilder::auto().build(REALTIME_LINE).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingFieldList);
        assert!(
            err.to_string().contains("looks like CloudFront real-time"),
            "{err}"
        );

        let fields = FieldList::realtime("timestamp,c-ip,sc-status").unwrap();
        let rows: usize = ReaderBuilder::auto()
            .with_fields(fields)
            .build(REALTIME_LINE)
            .unwrap()
            .map(|batch| batch.unwrap().num_rows())
            .sum();
        assert_eq!(rows, 1);

        // Other option errors keep their kind.
        let err = ReaderBuilder::new(Format::S3)
            .with_batch_size(0)
            .build_decoder()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
}
