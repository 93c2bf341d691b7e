//! [`Format`], [`ReaderBuilder`] and the pull [`Reader`] (gzip aware).

use std::io::{Cursor, Read};

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use flate2::read::MultiGzDecoder;

use crate::cloudfront::{FieldList, Flavor};
use crate::decoder::{Decoder, DecoderOptions, Layout};
use crate::error::{Error, ErrorKind, Result};
use crate::reject::{DecodeStats, ErrorPolicy, Reject};
use crate::s3::S3Field;
use crate::views::SharedChunk;

/// An AWS access log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Amazon S3 server access logs (see [`crate::s3`]).
    S3,
    /// Amazon CloudFront real-time logs: tab-separated, no header; needs the configuration's
    /// field list ([`ReaderBuilder::with_fields`]). See [`crate::cloudfront`].
    CloudFrontRealtime,
    /// Amazon CloudFront standard logs (W3C, `#Version:`/`#Fields:` header). See
    /// [`crate::cloudfront`].
    CloudFrontStandard,
}

impl Format {
    /// Every format (a slice: a new format is not a breaking change of its length).
    pub const ALL: &'static [Format] = &[
        Format::S3,
        Format::CloudFrontRealtime,
        Format::CloudFrontStandard,
    ];

    /// The format's short name: `"s3"`, `"cloudfront-realtime"` or `"cloudfront-standard"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::S3 => "s3",
            Format::CloudFrontRealtime => "cloudfront-realtime",
            Format::CloudFrontStandard => "cloudfront-standard",
        }
    }

    /// The format's full Arrow schema (before projection) when it is fixed: S3 access logs.
    /// `None` for the CloudFront formats, whose schema comes from the field list
    /// ([`crate::cloudfront::FieldList::schema`], [`ReaderBuilder::schema`]).
    pub fn schema(self) -> Option<SchemaRef> {
        match self {
            Format::S3 => Some(S3Field::schema()),
            Format::CloudFrontRealtime | Format::CloudFrontStandard => None,
        }
    }

    /// Detects the format from the first bytes of a (decompressed) input: the first non-empty
    /// line decides, after any `#` comment lines.
    ///
    /// * `#Version:` or `#Fields:` (or a `YYYY-MM-DD<tab>HH:MM:SS<tab>` data line): CloudFront
    ///   standard log;
    /// * epoch seconds (`1684226820.937`) followed by a tab: CloudFront real-time log (which
    ///   still needs its field list);
    /// * `owner bucket [dd/Mon/yyyy:HH:MM:SS +hhmm] ...`: S3 server access log.
    ///
    /// The three shapes exclude each other, so detection is never ambiguous.
    ///
    /// ```
    /// use aws_access_logs::Format;
    ///
    /// assert_eq!(Format::detect(b"#Version: 1.0\n#Fields: date time\n")?, Format::CloudFrontStandard);
    /// assert_eq!(Format::detect(b"1684226820.937\t192.0.2.1\t200\n")?, Format::CloudFrontRealtime);
    /// assert_eq!(
    ///     Format::detect(b"79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ...")?,
    ///     Format::S3
    /// );
    /// let err = Format::detect(b"\nhello world\n").unwrap_err();
    /// assert!(err.to_string().contains("\"hello world\""));
    /// # Ok::<(), aws_access_logs::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownFormat`], quoting the line that was seen, when no format matches or
    /// there is no non-empty line.
    pub fn detect(head: &[u8]) -> Result<Format> {
        Format::detect_after(head, 0)
    }

    /// [`Format::detect`] of an input's bytes after its first `skipped` lines (blank lines
    /// that the read-ahead dropped): line numbers count them.
    fn detect_after(head: &[u8], skipped: u64) -> Result<Format> {
        for (index, line) in head.split(|&b| b == b'\n').enumerate() {
            let number = skipped as usize + index;
            let line = match head_line(number, line) {
                HeadLine::Blank => continue,
                HeadLine::Comment(c)
                    if c.starts_with(b"#Version:") || c.starts_with(b"#Fields:") =>
                {
                    return Ok(Format::CloudFrontStandard);
                }
                HeadLine::Comment(_) => continue,
                HeadLine::Data(line) => line,
            };
            if looks_realtime(line) {
                return Ok(Format::CloudFrontRealtime);
            }
            if looks_s3(line) {
                return Ok(Format::S3);
            }
            if looks_standard_row(line) {
                return Ok(Format::CloudFrontStandard);
            }
            let shown: String = line.iter().take(120).copied().map(char::from).collect();
            let shown = shown.escape_debug();
            let ellipsis = if line.len() > 120 { "..." } else { "" };
            return Err(Error::new(ErrorKind::UnknownFormat).with_detail(format!(
                "cannot detect the log format from line {}: \"{shown}\"{ellipsis}; expected an S3 \
                 server access log line (owner bucket [06/Feb/2019:00:00:38 +0000] ...), a \
                 CloudFront real-time record (epoch seconds like 1684226820.937, then a tab) or \
                 a CloudFront standard log header (#Version: / #Fields:)",
                number + 1
            )));
        }
        Err(Error::new(ErrorKind::UnknownFormat)
            .with_detail("cannot detect the log format: the input has no non-empty line"))
    }
}

/// A line of an input's first bytes, as detection and the header read-ahead see it.
enum HeadLine<'a> {
    /// Empty, or only spaces and tabs.
    Blank,
    /// A `#` line.
    Comment(&'a [u8]),
    /// Anything else.
    Data(&'a [u8]),
}

/// Classifies the line at 0-based `index`, without its `\r` and, on the first line, a UTF-8
/// byte order mark (as the decoder does).
fn head_line(index: usize, line: &[u8]) -> HeadLine<'_> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = match index {
        0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line),
        _ => line,
    };
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        HeadLine::Blank
    } else if line.starts_with(b"#") {
        HeadLine::Comment(line)
    } else {
        HeadLine::Data(line)
    }
}

fn all_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// `1684226820.937<tab>`: epoch seconds, optional decimals, a tab.
fn looks_realtime(line: &[u8]) -> bool {
    let Some(tab) = memchr::memchr(b'\t', line) else {
        return false;
    };
    let first = &line[..tab];
    let (whole, frac) = match memchr::memchr(b'.', first) {
        Some(dot) => (&first[..dot], Some(&first[dot + 1..])),
        None => (first, None),
    };
    (9..=12).contains(&whole.len())
        && all_digits(whole)
        && frac.is_none_or(|f| (1..=3).contains(&f.len()) && all_digits(f))
}

/// `owner bucket [dd/Mon/yyyy:`.
fn looks_s3(line: &[u8]) -> bool {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(owner), Some(bucket), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !owner.is_empty()
        && !bucket.is_empty()
        && rest.len() >= 13
        && rest[0] == b'['
        && all_digits(&rest[1..3])
        && rest[3] == b'/'
        && rest[4..7].iter().all(u8::is_ascii_alphabetic)
        && rest[7] == b'/'
        && all_digits(&rest[8..12])
        && rest[12] == b':'
}

/// `2019-12-04<tab>21:02:31<tab>`: a standard log row (without its header).
fn looks_standard_row(line: &[u8]) -> bool {
    line.len() > 20
        && all_digits(&line[0..4])
        && line[4] == b'-'
        && line[7] == b'-'
        && line[10] == b'\t'
        && line[13] == b':'
        && line[16] == b':'
        && line[19] == b'\t'
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// Parses `s3` (also `s3-access`, `s3-access-log`), `cloudfront-realtime` (also
    /// `cloudfront-real-time`, `cf-realtime`) and `cloudfront-standard` (also `cf-standard`,
    /// `cloudfront-w3c`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "s3" | "s3-access" | "s3-access-log" => Ok(Format::S3),
            "cloudfront-realtime" | "cloudfront-real-time" | "cf-realtime" => {
                Ok(Format::CloudFrontRealtime)
            }
            "cloudfront-standard" | "cf-standard" | "cloudfront-w3c" => {
                Ok(Format::CloudFrontStandard)
            }
            other => Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "unknown format {other:?} (known: s3, cloudfront-realtime, cloudfront-standard)"
            ))),
        }
    }
}

// The defaults, public as associated constants of `ReaderBuilder` (below).
pub(crate) const DEFAULT_BATCH_SIZE: usize = 8192;
pub(crate) const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;
pub(crate) const DEFAULT_MAX_FIELDS: usize = 256;
pub(crate) const DEFAULT_MAX_BATCH_BYTES: usize = 32 << 20;
pub(crate) const DEFAULT_MAX_REJECTS: usize = 8192;
pub(crate) const DEFAULT_MAX_REJECT_BYTES: usize = 16 << 20;
pub(crate) const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = u64::MAX;
pub(crate) const DEFAULT_MAX_GZIP_RATIO: u64 = 100;
pub(crate) const GZIP_RATIO_GRACE: u64 = 16 << 20;
pub(crate) const DEFAULT_SEGMENT_SIZE: usize = 4 << 20;
pub(crate) const MAX_MAX_LINE_LENGTH: usize = 256 << 20;

/// Builds a [`Reader`] or a [`Decoder`].
///
/// ```
/// use aws_access_logs::{ErrorPolicy, Format, ReaderBuilder};
///
/// let log = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
/// let mut reader = ReaderBuilder::new(Format::S3)
///     .with_batch_size(4096)
///     .with_projection(vec![2, 9]) // time, http_status
///     .with_error_policy(ErrorPolicy::Skip)
///     .build(log.as_bytes())?;
/// let batch = reader.next().unwrap()?;
/// assert_eq!(batch.schema().field(0).name(), "time");
/// assert_eq!(batch.schema().field(1).name(), "http_status");
/// assert_eq!(batch.num_rows(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReaderBuilder {
    /// `None`: detect at build time.
    format: Option<Format>,
    fields: Option<FieldList>,
    decode: Vec<String>,
    batch_size: usize,
    projection: Option<Vec<usize>>,
    error_policy: ErrorPolicy,
    max_line_length: usize,
    max_fields: usize,
    max_rejects: usize,
    max_reject_bytes: usize,
    max_batch_bytes: usize,
    limits: GzipLimits,
    segment_size: usize,
    string_view: bool,
}

/// Limits on how far a gzip input may expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GzipLimits {
    max_bytes: u64,
    max_ratio: u64,
}

impl ReaderBuilder {
    /// Default rows per batch.
    pub const DEFAULT_BATCH_SIZE: usize = DEFAULT_BATCH_SIZE;
    /// Default maximum line length: 1 MiB.
    pub const DEFAULT_MAX_LINE_LENGTH: usize = DEFAULT_MAX_LINE_LENGTH;
    /// Default maximum number of fields per line.
    pub const DEFAULT_MAX_FIELDS: usize = DEFAULT_MAX_FIELDS;
    /// Default most line bytes buffered in one batch: 32 MiB (for a schema of more than 48
    /// columns, its share, see [`ReaderBuilder::with_max_batch_bytes`]).
    pub const DEFAULT_MAX_BATCH_BYTES: usize = DEFAULT_MAX_BATCH_BYTES;
    /// Default most rejects held before they must be taken (see
    /// [`ReaderBuilder::with_max_rejects`]).
    pub const DEFAULT_MAX_REJECTS: usize = DEFAULT_MAX_REJECTS;
    /// Default most raw bytes of rejects held: 16 MiB.
    pub const DEFAULT_MAX_REJECT_BYTES: usize = DEFAULT_MAX_REJECT_BYTES;
    /// Default most decompressed bytes of one gzip input: no limit (memory stays bounded whatever
    /// the size; see [`ReaderBuilder::with_max_decompressed_bytes`]).
    pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = DEFAULT_MAX_DECOMPRESSED_BYTES;
    /// Default most decompressed bytes per compressed byte of gzip input: 100. AWS logs carry
    /// random request ids on every line, which caps how well they compress (the generated logs of
    /// the size study in `benches/RESULTS.md` compress 4.2–6.2× with `gzip -6`); a gzip bomb reaches ~1000×.
    pub const DEFAULT_MAX_GZIP_RATIO: u64 = DEFAULT_MAX_GZIP_RATIO;
    /// The ratio limit ([`ReaderBuilder::with_max_gzip_ratio`]) applies once this much has been
    /// decompressed: 16 MiB, so that small inputs of repetitive lines are never refused.
    pub const GZIP_RATIO_GRACE: u64 = GZIP_RATIO_GRACE;
    /// Default size of the segments that [`ReaderBuilder::build_parallel`] cuts an input into
    /// (4 MiB).
    pub const DEFAULT_SEGMENT_SIZE: usize = DEFAULT_SEGMENT_SIZE;
    /// Largest accepted maximum line length: 256 MiB (a batch's text columns must stay under
    /// 2 GiB even when a line's invalid UTF-8 triples in size).
    pub const MAX_MAX_LINE_LENGTH: usize = MAX_MAX_LINE_LENGTH;
}

impl ReaderBuilder {
    /// A builder for `format` with the defaults: batch size
    /// [`ReaderBuilder::DEFAULT_BATCH_SIZE`], every column, [`ErrorPolicy::Skip`], maximum line
    /// length [`ReaderBuilder::DEFAULT_MAX_LINE_LENGTH`] and maximum fields
    /// [`ReaderBuilder::DEFAULT_MAX_FIELDS`], no percent-decoding.
    pub fn new(format: Format) -> Self {
        ReaderBuilder {
            format: Some(format),
            ..ReaderBuilder::auto()
        }
    }

    /// A builder that detects the format of each input when the [`Reader`] is built
    /// ([`Format::detect`] on its first decompressed bytes). A field list given with
    /// [`ReaderBuilder::with_fields`] is used when the input is detected as the kind of log it
    /// was built for (real-time logs need one; a standard one serves input without a
    /// `#Fields:` line), and ignored otherwise.
    ///
    /// ```
    /// use aws_access_logs::{Format, ReaderBuilder};
    ///
    /// let log = "#Version: 1.0\n#Fields: date time sc-status\n2019-12-04\t21:02:31\t200\n";
    /// let mut reader = ReaderBuilder::auto().build(log.as_bytes())?;
    /// assert_eq!(reader.format(), Format::CloudFrontStandard);
    /// assert_eq!(reader.next().unwrap()?.num_rows(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto() -> Self {
        ReaderBuilder {
            format: None,
            fields: None,
            decode: Vec::new(),
            batch_size: DEFAULT_BATCH_SIZE,
            projection: None,
            error_policy: ErrorPolicy::Skip,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            max_fields: DEFAULT_MAX_FIELDS,
            max_rejects: DEFAULT_MAX_REJECTS,
            max_reject_bytes: DEFAULT_MAX_REJECT_BYTES,
            max_batch_bytes: DEFAULT_MAX_BATCH_BYTES,
            limits: GzipLimits {
                max_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
                max_ratio: DEFAULT_MAX_GZIP_RATIO,
            },
            segment_size: DEFAULT_SEGMENT_SIZE,
            string_view: false,
        }
    }

    /// The format, or `None` when it is detected at build time.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// The CloudFront field list: required for real-time logs ([`FieldList::realtime`]); for
    /// standard logs ([`FieldList::standard`]) it gives the schema of input without a
    /// `#Fields:` line (a `#Fields:` line in the input still says where each field is).
    pub fn with_fields(mut self, fields: FieldList) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Percent-decode these CloudFront text columns (snake_case column names such as
    /// `cs_user_agent`): decoded once, plus the legacy `%2520`/`%2522`/`%255C`. A value with an
    /// invalid escape is kept as logged. Default: none, values are stored as logged. A name
    /// that is not a column of the input's schema is ignored (older layouts lack some fields);
    /// a name that is no CloudFront field at all, or a column that is not text, is an error.
    pub fn with_percent_decoding<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.decode = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Rows per batch (default [`ReaderBuilder::DEFAULT_BATCH_SIZE`]; must be at least 1). A batch may also
    /// end early, see [`ReaderBuilder::with_max_batch_bytes`].
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Most line bytes buffered in one batch (default [`ReaderBuilder::DEFAULT_MAX_BATCH_BYTES`], 32 MiB;
    /// at least 1): a batch ends early once its lines reach it, so that memory stays bounded
    /// when lines are long. A batch always holds at least one row, and never more than 2 GiB
    /// of text per column. For a schema of more than 48 columns the limit applied is its share,
    /// `bytes × 48 / columns` (6 MiB of the default at 256 columns), because every row then
    /// also carries offsets, bitmaps and room in each column: memory stays that of a 48-column
    /// batch whatever the width. S3 access logs have 28 columns.
    pub fn with_max_batch_bytes(mut self, bytes: usize) -> Self {
        self.max_batch_bytes = bytes;
        self
    }

    /// Decode only these columns, in this order: indices into the full schema (default: every
    /// column). All fields are still validated, so the same lines are rejected whatever the
    /// projection. For CloudFront standard logs read without [`ReaderBuilder::with_fields`],
    /// the indices refer to the schema of the input's `#Fields:` line.
    pub fn with_projection(mut self, projection: Vec<usize>) -> Self {
        self.projection = Some(projection);
        self
    }

    /// Text columns as `Utf8View` (Arrow string views) instead of `Utf8` (default `false`:
    /// the schemas documented in the `s3` and `cloudfront` modules).
    ///
    /// A [`Reader`] then copies no text value longer than 12 bytes: its view points into the
    /// buffer the input was read into, which the batches share (shorter values live in their
    /// views). Decoding is faster and the batches hold the read buffers they point into
    /// (256 KiB each) rather than copies of their values. Values are the same either way, and
    /// [`crate::parquet`] writes the same file from either (its text columns are Parquet
    /// strings read back as `Utf8`).
    ///
    /// ```
    /// use arrow::array::AsArray;
    /// use arrow::datatypes::DataType;
    /// use aws_access_logs::{Format, ReaderBuilder};
    ///
    /// let log = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
    /// let mut reader = ReaderBuilder::new(Format::S3)
    ///     .with_string_view(true)
    ///     .build(log.as_bytes())?;
    /// assert_eq!(reader.schema().field(1).data_type(), &DataType::Utf8View);
    /// let batch = reader.next().unwrap()?;
    /// let bucket = batch.column_by_name("bucket").unwrap().as_string_view();
    /// assert_eq!(bucket.value(0), "awsexamplebucket1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_string_view(mut self, string_view: bool) -> Self {
        self.string_view = string_view;
        self
    }

    /// What to do with lines that fail to parse (default [`ErrorPolicy::Skip`]).
    pub fn with_error_policy(mut self, policy: ErrorPolicy) -> Self {
        self.error_policy = policy;
        self
    }

    /// Longest line accepted, in bytes without terminator (default 1 MiB, at most
    /// [`ReaderBuilder::MAX_MAX_LINE_LENGTH`]).
    /// Longer lines are rejected as [`ErrorKind::LineTooLong`] and never buffered whole.
    pub fn with_max_line_length(mut self, max_line_length: usize) -> Self {
        self.max_line_length = max_line_length;
        self
    }

    /// Most fields accepted on one line, trailing fields included (default
    /// [`ReaderBuilder::DEFAULT_MAX_FIELDS`]). Lines with more are rejected as [`ErrorKind::TooManyFields`].
    pub fn with_max_fields(mut self, max_fields: usize) -> Self {
        self.max_fields = max_fields;
        self
    }

    /// Most rejects (rejected and repaired lines) held until they are taken with
    /// `take_rejects`, and most raw bytes they may hold (defaults [`ReaderBuilder::DEFAULT_MAX_REJECTS`] and
    /// [`ReaderBuilder::DEFAULT_MAX_REJECT_BYTES`]; at least 1 each). When either is reached, decoding pauses
    /// so that they can be taken: a [`Reader`] then returns the rows it has (possibly an empty
    /// batch). If they are not taken, decoding goes on and the details of further rejects
    /// are dropped — still counted in [`DecodeStats::rejected`] and
    /// [`DecodeStats::rejects_dropped`] — so memory stays bounded on any input.
    pub fn with_max_rejects(mut self, count: usize, bytes: usize) -> Self {
        self.max_rejects = count;
        self.max_reject_bytes = bytes;
        self
    }

    /// The size of the segments that [`ReaderBuilder::build_parallel`] cuts its input into
    /// (default [`ReaderBuilder::DEFAULT_SEGMENT_SIZE`], at least 1). Each segment ends at
    /// a line boundary and is decoded on its own, so its last batch may be short: the batches
    /// depend on the segment size (never on the thread count). Memory grows with it: about
    /// three segments per thread are in flight. [`ReaderBuilder::build`] ignores it.
    pub fn with_segment_size(mut self, bytes: usize) -> Self {
        self.segment_size = bytes;
        self
    }

    pub(crate) fn segment_size(&self) -> usize {
        self.segment_size
    }

    /// The schema of the batches that the built reader produces (after projection). For
    /// The most bytes a gzip input may decompress to (default
    /// [`ReaderBuilder::DEFAULT_MAX_DECOMPRESSED_BYTES`]: no limit). The [`Reader`] returns the rows of the
    /// first `bytes` bytes, then an [`ErrorKind::DecompressionLimit`] error. Plain input is
    /// not limited.
    ///
    /// ```
    /// use aws_access_logs::{ErrorKind, Format, ReaderBuilder};
    /// use flate2::{Compression, write::GzEncoder};
    /// use std::io::Write;
    ///
    /// let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    /// gz.write_all(&vec![b'\n'; 1 << 20])?; // 1 MiB of blank lines
    /// let gz = gz.finish()?;
    /// let mut reader = ReaderBuilder::new(Format::S3)
    ///     .with_max_decompressed_bytes(64 * 1024)
    ///     .build(&gz[..])?;
    /// let err = reader.find_map(|batch| batch.err()).unwrap();
    /// assert!(err.to_string().contains("decompression limit"));
    /// assert_eq!(reader.stats().blank_lines, 64 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_max_decompressed_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_bytes = bytes;
        self
    }

    /// The most bytes a gzip input may decompress to per compressed byte read (default
    /// [`ReaderBuilder::DEFAULT_MAX_GZIP_RATIO`]), checked once more than [`ReaderBuilder::GZIP_RATIO_GRACE`] bytes have been
    /// decompressed: a gzip bomb is refused with an [`ErrorKind::DecompressionLimit`] error
    /// after the rows before it, instead of burning CPU on gigabytes of nothing. `u64::MAX`
    /// turns the check off.
    pub fn with_max_gzip_ratio(mut self, ratio: u64) -> Self {
        self.limits.max_ratio = ratio;
        self
    }

    /// CloudFront standard logs without [`ReaderBuilder::with_fields`] the schema comes from the
    /// input, so this is empty: ask the built [`Reader`].
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build_decoder`].
    pub fn schema(&self) -> Result<SchemaRef> {
        Ok(self.clone().build_decoder()?.schema())
    }

    fn options(&self) -> Result<DecoderOptions> {
        let invalid = |msg: String| Err(Error::new(ErrorKind::InvalidArgument).with_detail(msg));
        let Some(format) = self.format else {
            return invalid(
                "the format is detected from the input: use ReaderBuilder::build, or \
                 Format::detect and ReaderBuilder::new"
                    .into(),
            );
        };
        if self.batch_size == 0 {
            return invalid("batch size must be at least 1".into());
        }
        if self.max_line_length == 0 || self.max_line_length > MAX_MAX_LINE_LENGTH {
            return invalid(format!(
                "maximum line length must be between 1 and {MAX_MAX_LINE_LENGTH}"
            ));
        }
        if self.max_batch_bytes == 0 {
            return invalid("the maximum batch bytes must be at least 1".into());
        }
        if self.max_rejects == 0 || self.max_reject_bytes == 0 {
            return invalid("the reject limits must be at least 1".into());
        }
        if self.max_fields < S3Field::REQUIRED {
            return invalid(format!(
                "maximum fields must be at least {} (the fields every S3 access log line has)",
                S3Field::REQUIRED
            ));
        }
        let layout = match format {
            Format::S3 => {
                if self.fields.is_some() || !self.decode.is_empty() {
                    return invalid(
                        "field lists and percent-decoding apply to CloudFront logs, not to S3 \
                         access logs"
                            .into(),
                    );
                }
                let (indices, schema) =
                    crate::columns::project(&S3Field::schema(), self.projection.as_deref())?;
                let schema = if self.string_view {
                    crate::views::view_schema(&schema)
                } else {
                    schema
                };
                Layout::S3 {
                    projection: indices.iter().map(|&i| S3Field::ALL[i]).collect(),
                    schema,
                }
            }
            Format::CloudFrontRealtime | Format::CloudFrontStandard => {
                let flavor = if format == Format::CloudFrontRealtime {
                    Flavor::Realtime
                } else {
                    Flavor::Standard
                };
                if let Some(fields) = &self.fields {
                    if fields.flavor != flavor {
                        return invalid(format!(
                            "the field list was built for {} logs, not {}",
                            crate::cloudfront::label(fields.flavor),
                            crate::cloudfront::label(flavor),
                        ));
                    }
                    if fields.len() > self.max_fields {
                        return invalid(format!(
                            "the field list has {} fields, more than the maximum fields ({})",
                            fields.len(),
                            self.max_fields
                        ));
                    }
                } else if flavor == Flavor::Realtime {
                    return Err(Error::new(ErrorKind::MissingFieldList).with_detail(
                        "CloudFront real-time logs need the field list of their log \
                         configuration (ReaderBuilder::with_fields with FieldList::realtime; \
                         the converter's --fields)",
                    ));
                }
                for name in &self.decode {
                    let known = crate::cloudfront::REALTIME_FIELDS
                        .iter()
                        .chain(crate::cloudfront::STANDARD_FIELDS)
                        .any(|k| crate::cloudfront::column_name(k.name()) == *name)
                        || self.fields.as_ref().is_some_and(|f| {
                            f.aws_names()
                                .any(|n| crate::cloudfront::column_name(n) == *name)
                        });
                    if !known {
                        return invalid(format!(
                            "cannot percent-decode {name:?}: not a CloudFront column name (use \
                             snake_case column names such as cs_user_agent)"
                        ));
                    }
                }
                Layout::CloudFront {
                    flavor,
                    fields: self.fields.clone(),
                    projection: self.projection.clone(),
                    decode: self.decode.clone(),
                }
            }
        };
        Ok(DecoderOptions {
            format,
            batch_size: self.batch_size,
            layout,
            error_policy: self.error_policy,
            max_line_length: self.max_line_length,
            max_fields: self.max_fields,
            max_rejects: self.max_rejects,
            max_reject_bytes: self.max_reject_bytes,
            max_batch_bytes: self.max_batch_bytes,
            string_view: self.string_view,
        })
    }

    /// A push [`Decoder`] with these options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] for a zero batch size, a bad maximum line length or
    /// maximum fields, a projection index that is out of range or repeated, or a builder from
    /// [`ReaderBuilder::auto`] (detection needs the input); [`ErrorKind::MissingFieldList`]
    /// for the real-time format without a field list.
    pub fn build_decoder(self) -> Result<Decoder> {
        Decoder::new(self.options()?)
    }

    /// A [`Reader`] over `input`, a log already in memory (an [`arrow::buffer::Buffer`], made
    /// without a copy from a `Vec<u8>` or a `bytes::Bytes`, say the body of a downloaded
    /// object). Plain text is decoded where it lies instead of being copied into read buffers,
    /// and with [`ReaderBuilder::with_string_view`] the batches' text values longer than 12
    /// bytes point into `input` (the batches keep it alive). Gzip input is decompressed as
    /// [`ReaderBuilder::build`] does. Rows, rejects, counters and errors are those of
    /// [`ReaderBuilder::build`] over the same bytes; only the batch boundaries may differ.
    ///
    /// ```
    /// use arrow::array::{Array, AsArray};
    /// use arrow::buffer::Buffer;
    /// use aws_access_logs::{Format, ReaderBuilder};
    ///
    /// let line = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
    /// let log = Buffer::from_vec(line.repeat(3).into_bytes());
    /// let mut reader = ReaderBuilder::new(Format::S3)
    ///     .with_string_view(true)
    ///     .build_from_buffer(log)?;
    /// let batch = reader.next().unwrap()?;
    /// assert_eq!(batch.num_rows(), 3);
    /// let uri = batch.column_by_name("request_uri").unwrap().as_string_view();
    /// assert_eq!(uri.value(2), "GET /bucket1?versioning HTTP/1.1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build`].
    pub fn build_from_buffer(self, input: Buffer) -> Result<Reader<Cursor<Buffer>>> {
        // Gzip and format detection read the head (at most 256 KiB) through a cursor; plain
        // text then starts over on the whole buffer, shared as it is (the cursor is not read
        // again: the reader is at the end of its input).
        let mut reader = self.build(Cursor::new(input.clone()))?;
        if reader.is_gzip() {
            return Ok(reader);
        }
        // The decoder starts over too (the read-ahead may have counted blank lines it dropped).
        reader.decoder = Decoder::new(reader.decoder.options().clone())?;
        reader.buf = Vec::new();
        reader.start = 0;
        reader.end = input.len();
        reader.bytes_in = input.len() as u64;
        reader.eof = true;
        reader.chunks = 1;
        reader.shared = Some(SharedChunk {
            id: 1,
            buffer: input,
        });
        Ok(reader)
    }

    /// A [`Reader`] over `input`: gzip (one or more members) when it starts with the gzip magic
    /// bytes, plain text otherwise. With [`ReaderBuilder::auto`], the format is detected from
    /// the first decompressed bytes (when that fails and a field list was given, its kind of
    /// log is assumed). For CloudFront standard logs without a field list, the schema comes
    /// from the input's last `#Fields:` line before its first data line, read ahead here (at
    /// most 256 KiB) so that [`Reader::schema`] is known at once. Blank lines at the start of
    /// the input do not count against that: any number of them may come first (they are
    /// counted in [`DecodeStats::blank_lines`] as usual).
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build_decoder`]; I/O and gzip errors while reading ahead;
    /// [`ErrorKind::UnknownFormat`] when the format cannot be detected;
    /// [`ErrorKind::MissingFieldList`] when it is detected as CloudFront real-time logs and no
    /// field list was given; [`ErrorKind::InvalidHeader`] for a standard log whose first data
    /// line comes before any `#Fields:` line (and no field list was given).
    pub fn build<R: Read>(mut self, mut input: R) -> Result<Reader<R>> {
        if self.limits.max_bytes == 0 || self.limits.max_ratio == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("the gzip limits must be at least 1"));
        }
        let mut magic = Vec::with_capacity(2);
        while magic.len() < 2 {
            let mut byte = [0u8; 1];
            match read_retrying(&mut input, &mut byte).map_err(Error::io)? {
                0 => break,
                _ => magic.push(byte[0]),
            }
        }
        let gzip = magic == [0x1f, 0x8b];
        let chained = Cursor::new(magic).chain(input);
        let mut input = if gzip {
            Input::Gzip(Box::new(MultiGzDecoder::new(Counted {
                inner: chained,
                count: 0,
                over_limit: false,
            })))
        } else {
            Input::Plain(chained)
        };
        let limits = self.limits;
        let mut buf = vec![0; READ_BUFFER];
        let mut end = 0;
        let mut skipped = Skipped::default();
        let needs_head = self.format.is_none()
            || (self.format == Some(Format::CloudFrontStandard) && self.fields.is_none());
        if needs_head {
            let complete;
            (end, complete, skipped) =
                read_head(&mut input, &mut buf, limits, self.max_line_length)?;
            let head = &buf[..end];
            let format = match self.format {
                Some(format) => format,
                None => {
                    let format = match (Format::detect_after(head, skipped.lines), &self.fields) {
                        (Ok(format), _) => format,
                        // Detection failed, but the caller said what the records are.
                        (Err(_), Some(fields)) if fields.flavor == Flavor::Realtime => {
                            Format::CloudFrontRealtime
                        }
                        (Err(_), Some(_)) => Format::CloudFrontStandard,
                        (Err(err), None) => return Err(err),
                    };
                    // Keep a field list only for the flavor it was built for.
                    let flavor = match format {
                        Format::CloudFrontRealtime => Some(Flavor::Realtime),
                        Format::CloudFrontStandard => Some(Flavor::Standard),
                        Format::S3 => None,
                    };
                    if self.fields.as_ref().map(|f| f.flavor) != flavor {
                        self.fields = None;
                    }
                    if format == Format::S3 {
                        self.decode.clear();
                    }
                    format
                }
            };
            if format == Format::CloudFrontStandard && self.fields.is_none() {
                self.fields = standard_header(head, complete, self.max_fields, skipped.lines)?;
            }
            if format == Format::CloudFrontRealtime && self.fields.is_none() {
                return Err(Error::new(ErrorKind::MissingFieldList).with_detail(
                    "the input looks like CloudFront real-time logs, which need the field list \
                     of their log configuration (ReaderBuilder::with_fields with \
                     FieldList::realtime; the converter's --fields)",
                ));
            }
            self.format = Some(format);
        }
        let mut decoder = self.build_decoder()?;
        if skipped.lines > 0 {
            decoder.skip_blank_lines(skipped.lines, skipped.bytes);
        }
        Ok(Reader {
            input,
            decoder,
            buf,
            start: 0,
            end,
            eof: false,
            done: false,
            bytes_in: skipped.bytes + end as u64,
            pending: None,
            failed: None,
            limits,
            shared: None,
            spare: Vec::new(),
            chunks: 0,
        })
    }
}

/// Blank lines at the start of an input that the read-ahead dropped from its buffer as it
/// filled up (so that any number of them can come before the first line that tells the
/// format, in a buffer of fixed size).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Skipped {
    lines: u64,
    bytes: u64,
}

/// Reads until the buffer holds a complete data line (neither blank nor `#`), the end of the
/// input, or a full buffer. Blank lines at the start (at most `max_line_length` bytes each,
/// so that the decoder would count them as blank too) are dropped from the buffer whenever it
/// fills up, however many there are. Returns the bytes in the buffer, whether the head is
/// complete (a data line or the end of the input was reached), and the blank lines dropped.
fn read_head<R: Read>(
    input: &mut Input<R>,
    buf: &mut [u8],
    limits: GzipLimits,
    max_line_length: usize,
) -> Result<(usize, bool, Skipped)> {
    let mut end = 0;
    let mut scanned = 0;
    let mut index = 0;
    let mut skipped = Skipped::default();
    // Whether every line scanned so far in the buffer is a blank line the decoder would count
    // as one, and how many there are.
    let mut all_blank = true;
    let mut blank = 0;
    loop {
        if end == buf.len() {
            if !all_blank || scanned == 0 {
                return Ok((end, false, skipped));
            }
            buf.copy_within(scanned..end, 0);
            skipped.lines += blank;
            skipped.bytes += scanned as u64;
            end -= scanned;
            scanned = 0;
            blank = 0;
        }
        let n = read_input(
            input,
            &mut buf[end..],
            skipped.bytes + end as u64,
            skipped.lines + blank,
            limits,
        )?;
        if n == 0 {
            return Ok((end, true, skipped));
        }
        end += n;
        while let Some(nl) = memchr::memchr(b'\n', &buf[scanned..end]) {
            let line = &buf[scanned..scanned + nl];
            scanned += nl + 1;
            match head_line(index, line) {
                HeadLine::Data(_) => return Ok((end, true, skipped)),
                HeadLine::Blank if all_blank && blank_length(index, line) <= max_line_length => {
                    blank += 1;
                }
                _ => all_blank = false,
            }
            index += 1;
        }
    }
}

/// The length the decoder gives the line at 0-based `index`: without its `\r`, and on the
/// first line without a byte order mark.
fn blank_length(index: usize, line: &[u8]) -> usize {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match index {
        0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line).len(),
        _ => line.len(),
    }
}

/// The field list of the last `#Fields:` line before the first data line of `head`. When the
/// head is not complete (the read-ahead buffer filled up first), its last, partial line is
/// ignored and a missing `#Fields:` line is an error.
fn standard_header(
    head: &[u8],
    complete: bool,
    max_fields: usize,
    skipped: u64,
) -> Result<Option<FieldList>> {
    let invalid_header = |detail: String| {
        Error::new(ErrorKind::InvalidHeader)
            .with_format(crate::cloudfront::label(Flavor::Standard))
            .with_detail(detail)
    };
    let head = if complete {
        head
    } else {
        &head[..head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)]
    };
    let mut fields = None;
    for (index, line) in head.split(|&b| b == b'\n').enumerate() {
        let number = skipped as usize + index;
        let line = match head_line(number, line) {
            HeadLine::Blank => continue,
            HeadLine::Comment(line) if line.starts_with(b"#Fields:") => line,
            HeadLine::Comment(_) => continue,
            HeadLine::Data(_) if fields.is_none() => {
                return Err(invalid_header(format!(
                    "line {} is a data line, and no #Fields: line comes before it: give the \
                     field list (ReaderBuilder::with_fields with FieldList::standard)",
                    number + 1
                )));
            }
            HeadLine::Data(_) => return Ok(fields),
        };
        let count = line[8..]
            .split(|b| b.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .count();
        if count > max_fields {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line names {count} fields, more than the maximum fields \
                     ({max_fields})",
                number + 1
            )));
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line is not UTF-8",
                number + 1
            )));
        };
        fields = Some(FieldList::standard(text).map_err(|e| {
            invalid_header(format!(
                "line {}: {}",
                number + 1,
                e.detail().unwrap_or_default()
            ))
        })?);
    }
    if !complete && fields.is_none() {
        return Err(invalid_header(format!(
            "no #Fields: line and no data line in the first {} KiB",
            READ_BUFFER / 1024
        )));
    }
    Ok(fields)
}

pub(crate) fn read_input<R: Read>(
    input: &mut Input<R>,
    buf: &mut [u8],
    bytes_in: u64,
    lines: u64,
    limits: GzipLimits,
) -> Result<usize> {
    match input {
        Input::Plain(r) => read_retrying(r, buf).map_err(Error::io),
        Input::Gzip(gz) => read_gzip_limited(gz, buf, bytes_in, lines, limits),
    }
}

/// Reads decompressed bytes, holding the gzip limits: the bytes up to the absolute limit are
/// returned, the error comes with the next read; a read that takes the expansion past the ratio
/// limit (after the grace) is refused.
fn read_gzip_limited<R: Read>(
    gz: &mut GzInput<R>,
    buf: &mut [u8],
    bytes_in: u64,
    lines: u64,
    limits: GzipLimits,
) -> Result<usize> {
    let compressed_before = gz.get_ref().count;
    let limit_error = |what: String| {
        Error::new(ErrorKind::DecompressionLimit).with_detail(format!(
            "{what}; stopped after {bytes_in} decompressed bytes ({lines} lines) from \
             {compressed_before} compressed bytes"
        ))
    };
    let over_bytes = || {
        limit_error(format!(
            "the gzip stream decompresses to more than {} bytes \
             (ReaderBuilder::with_max_decompressed_bytes)",
            limits.max_bytes
        ))
    };
    if gz.get_ref().over_limit {
        return Err(over_bytes());
    }
    // Read at most one byte past the absolute limit, to see whether it is crossed.
    let room = limits.max_bytes.saturating_sub(bytes_in).saturating_add(1);
    let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
    let n = read_retrying(gz, &mut buf[..len]).map_err(|e| {
        Error::new(ErrorKind::Gzip)
            .with_detail(format!(
                "truncated or corrupt gzip stream after {bytes_in} decompressed bytes ({lines} \
                 lines): {e}"
            ))
            .with_source(e)
    })?;
    let total = bytes_in + n as u64;
    if total > limits.max_bytes {
        gz.get_mut().over_limit = true;
        return match limits.max_bytes - bytes_in {
            0 => Err(over_bytes()),
            allowed => Ok(allowed as usize),
        };
    }
    let compressed = gz.get_ref().count.max(1);
    if total > GZIP_RATIO_GRACE && total / compressed > limits.max_ratio {
        return Err(limit_error(format!(
            "the gzip stream expands more than {}× (a gzip bomb? \
             ReaderBuilder::with_max_gzip_ratio)",
            limits.max_ratio
        )));
    }
    Ok(n)
}

/// `read`, retried when interrupted.
fn read_retrying(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

/// Counts the bytes read through it (the compressed bytes of a gzip input).
pub(crate) struct Counted<R> {
    inner: R,
    count: u64,
    /// Set once the decompressed bytes passed the absolute limit.
    over_limit: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

pub(crate) type GzInput<R> = MultiGzDecoder<Counted<std::io::Chain<Cursor<Vec<u8>>, R>>>;

pub(crate) const READ_BUFFER: usize = 256 * 1024;

pub(crate) enum Input<R> {
    Plain(std::io::Chain<Cursor<Vec<u8>>, R>),
    Gzip(Box<GzInput<R>>),
}

/// A pull reader: an [`Iterator`] of record batches and a [`RecordBatchReader`].
///
/// Built by [`ReaderBuilder::build`]. Gzip input is detected by its magic bytes and fully
/// decoded (all members). Rejected lines are collected as with [`Decoder`]; read them with
/// [`Reader::rejects`] or [`Reader::take_rejects`].
///
/// Errors are yielded as `ArrowError::ExternalError` wrapping this crate's [`Error`]; after an
/// error the iterator ends.
pub struct Reader<R> {
    pub(crate) input: Input<R>,
    pub(crate) decoder: Decoder,
    pub(crate) buf: Vec<u8>,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) eof: bool,
    pub(crate) done: bool,
    pub(crate) bytes_in: u64,
    /// A read error, returned once the rows decoded before it have been.
    pub(crate) pending: Option<Error>,
    /// A fail-fast line's error, returned once the rows decoded before it have been.
    pub(crate) failed: Option<Error>,
    pub(crate) limits: GzipLimits,
    /// With string views: `buf`, once handed to the decoder, shared with the batches.
    pub(crate) shared: Option<SharedChunk>,
    /// With string views: earlier read buffers, reused once no batch points into them.
    pub(crate) spare: Vec<Buffer>,
    /// Chunks shared so far (their ids).
    pub(crate) chunks: u64,
}

/// Earlier read buffers a [`Reader`] keeps for reuse (string views): at most 16 MiB, and only
/// as many as were in use at once (a batch of long lines spans 20 or more 256 KiB chunks; with
/// fewer kept, every batch allocated and zeroed fresh buffers).
const SPARE_BUFFERS: usize = 64;

impl<R> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("gzip", &matches!(self.input, Input::Gzip(_)))
            .field("decoder", &self.decoder)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Reader<R> {
    /// Whether the input was detected as gzip.
    pub fn is_gzip(&self) -> bool {
        matches!(self.input, Input::Gzip(_))
    }

    /// The log format being read.
    pub fn format(&self) -> Format {
        self.decoder.format()
    }

    /// The schema of the batches (after projection).
    pub fn schema(&self) -> SchemaRef {
        self.decoder.schema()
    }

    /// Counters so far.
    pub fn stats(&self) -> DecodeStats {
        self.decoder.stats()
    }

    /// Rejected and repaired lines recorded so far.
    pub fn rejects(&self) -> &[Reject] {
        self.decoder.rejects()
    }

    /// Takes the rejected and repaired lines recorded so far (see
    /// [`ReaderBuilder::with_max_rejects`]: take them after each batch to keep them all).
    pub fn take_rejects(&mut self) -> Vec<Reject> {
        self.decoder.take_rejects()
    }

    /// Decompressed bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// The next batch, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// I/O errors, truncated or corrupt gzip ([`ErrorKind::Gzip`], saying how many bytes and
    /// lines were decoded before), gzip input beyond its limits
    /// ([`ErrorKind::DecompressionLimit`]), and with [`ErrorPolicy::FailFast`] the first bad line.
    /// Such an error comes after the rows decoded before it (nothing readable is lost); a line
    /// cut by a read error is recorded as a reject of the same kind, with its bytes.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        if self.done {
            return Ok(None);
        }
        let result = self.next_batch_inner();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    /// After a fail-fast error: the buffered rows, then (on the next call) the error.
    fn flush_then_fail(&mut self) -> Result<Option<RecordBatch>> {
        match self.decoder.flush() {
            Ok(Some(batch)) => Ok(Some(batch)),
            Ok(None) | Err(_) => Err(self
                .failed
                .take()
                .unwrap_or_else(|| Error::new(ErrorKind::InvalidArgument))),
        }
    }

    fn next_batch_inner(&mut self) -> Result<Option<RecordBatch>> {
        if self.failed.is_some() {
            return self.flush_then_fail();
        }
        loop {
            if self.decoder.is_full() {
                return self.decoder.flush();
            }
            if self.start < self.end {
                let decoded = if self.decoder.options().string_view {
                    let chunk = self.shared_chunk();
                    self.decoder.decode_shared(&chunk, self.start, self.end)
                } else if let Some(chunk) = &self.shared {
                    // A buffer decoded where it lies (`build_from_buffer`).
                    self.decoder
                        .decode(&chunk.buffer.as_slice()[self.start..self.end])
                } else {
                    self.decoder.decode(&self.buf[self.start..self.end])
                };
                let n = match decoded {
                    Ok(n) => n,
                    Err(err) => {
                        // A fail-fast line: the rows before it first, then the error.
                        self.failed = Some(err);
                        return self.flush_then_fail();
                    }
                };
                self.start += n;
                if self.decoder.rejects_full() && !self.decoder.is_full() {
                    // Give the caller the rows so far and a chance to take the rejects.
                    return match self.decoder.flush()? {
                        Some(batch) => Ok(Some(batch)),
                        None => Ok(Some(RecordBatch::new_empty(self.decoder.schema()))),
                    };
                }
                continue;
            }
            if self.eof {
                match &self.pending {
                    Some(err) => {
                        let detail = err.detail().unwrap_or_default().to_string();
                        self.decoder.finish_truncated(err.kind(), &detail);
                    }
                    None => {
                        if let Err(err) = self.decoder.finish() {
                            self.failed = Some(err);
                            return self.flush_then_fail();
                        }
                    }
                }
                return match self.decoder.flush()? {
                    Some(batch) => Ok(Some(batch)),
                    None => match self.pending.take() {
                        Some(err) => Err(err),
                        None => Ok(None),
                    },
                };
            }
            match self.read_more() {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.start = 0;
                    self.end = n;
                    self.bytes_in += n as u64;
                }
                Err(err) => {
                    // Return the rows decoded so far first; the error comes after them.
                    self.pending = Some(err);
                    self.eof = true;
                }
            }
        }
    }

    /// The read buffer as a chunk the batches may share (string views).
    fn shared_chunk(&mut self) -> SharedChunk {
        if let Some(chunk) = &self.shared {
            return chunk.clone();
        }
        self.chunks += 1;
        let chunk = SharedChunk {
            id: self.chunks,
            buffer: Buffer::from_vec(std::mem::take(&mut self.buf)),
        };
        self.shared = Some(chunk.clone());
        chunk
    }

    fn read_more(&mut self) -> Result<usize> {
        if let Some(chunk) = self.shared.take() {
            // The batches may still point into the shared buffer: read into another, one no
            // batch holds any more if there is one.
            self.spare.push(chunk.buffer);
            let free = self.spare.iter().position(|b| b.strong_count() == 1);
            let buf = free.and_then(|i| self.spare.swap_remove(i).into_vec::<u8>().ok());
            if self.spare.len() > SPARE_BUFFERS {
                self.spare.remove(0);
            }
            self.buf = buf.unwrap_or_else(|| vec![0; READ_BUFFER]);
        }
        let lines = self.decoder.lines_before();
        read_input(
            &mut self.input,
            &mut self.buf,
            self.bytes_in,
            lines,
            self.limits,
        )
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().map_err(ArrowError::from).transpose()
    }
}

impl<R: Read> RecordBatchReader for Reader<R> {
    fn schema(&self) -> SchemaRef {
        self.decoder.schema()
    }
}

/// A source of record batches of one log format: [`Reader`] and
/// [`ParallelReader`](crate::ParallelReader). The writers ([`crate::ipc::write_ipc_stream`],
/// `parquet::write_parquet`) take any of them.
pub trait BatchSource {
    /// The log format being read.
    fn format(&self) -> Format;
    /// The schema of the batches.
    fn schema(&self) -> SchemaRef;
    /// Counters so far.
    fn stats(&self) -> DecodeStats;
    /// Decompressed input bytes read so far.
    fn bytes_read(&self) -> u64;
    /// The next batch, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// As [`Reader::next_batch`].
    fn next_batch(&mut self) -> Result<Option<RecordBatch>>;
    /// Takes the rejected and repaired lines recorded so far.
    fn take_rejects(&mut self) -> Vec<Reject>;
}

impl<R: Read> BatchSource for Reader<R> {
    fn format(&self) -> Format {
        Reader::format(self)
    }

    fn schema(&self) -> SchemaRef {
        Reader::schema(self)
    }

    fn stats(&self) -> DecodeStats {
        Reader::stats(self)
    }

    fn bytes_read(&self) -> u64 {
        Reader::bytes_read(self)
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        Reader::next_batch(self)
    }

    fn take_rejects(&mut self) -> Vec<Reject> {
        Reader::take_rejects(self)
    }
}

/// Reads every batch of `source`, handing the non-empty ones to `write` and the rejects to
/// `on_rejects` after each (and at the end). The outer error is `write`'s or `on_rejects`'; the
/// inner one is the source's, returned after everything read before it was handed over, so
/// that a writer can still finish its output.
pub(crate) fn drain<S: BatchSource + ?Sized>(
    source: &mut S,
    mut write: impl FnMut(&RecordBatch) -> Result<()>,
    mut on_rejects: impl FnMut(Vec<Reject>) -> Result<()>,
) -> Result<Result<()>> {
    let read = loop {
        match source.next_batch() {
            Ok(Some(batch)) => {
                if batch.num_rows() > 0 {
                    write(&batch)?;
                }
                on_rejects(source.take_rejects())?;
            }
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    let rejects = source.take_rejects();
    if !rejects.is_empty() {
        on_rejects(rejects)?;
    }
    Ok(read)
}
