//! [`ReaderBuilder`]: a reader's options, their defaults and limits, and the builds of a
//! [`Reader`] (detecting the format and reading a standard log's header ahead) and a
//! [`Decoder`].

use std::io::{Cursor, Read};

use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;

use super::input::{self, GzipLimits, Input, READ_BUFFER, Skipped, open, read_head};
use super::{ReadAhead, Reader};
use crate::cloudfront::FieldList;
use crate::contract::FormatOptions;
use crate::decoder::{Decoder, DecoderOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::reject::ErrorPolicy;

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
    /// The options a format takes: field list, projection, percent-decoding.
    format_options: FormatOptions,
    batch_size: usize,
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

impl ReaderBuilder {
    /// Default rows per batch.
    pub const DEFAULT_BATCH_SIZE: usize = 8192;
    /// Default maximum line length: 1 MiB.
    pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;
    /// Default maximum number of fields per line.
    pub const DEFAULT_MAX_FIELDS: usize = 256;
    /// Default most line bytes buffered in one batch: 32 MiB (for a schema of more than 48
    /// columns, its share, see [`ReaderBuilder::with_max_batch_bytes`]).
    pub const DEFAULT_MAX_BATCH_BYTES: usize = 32 << 20;
    /// Default most rejects held before they must be taken (see
    /// [`ReaderBuilder::with_max_rejects`]).
    pub const DEFAULT_MAX_REJECTS: usize = 8192;
    /// Default most raw bytes of rejects held: 16 MiB.
    pub const DEFAULT_MAX_REJECT_BYTES: usize = 16 << 20;
    /// Default most decompressed bytes of one gzip input: no limit (memory stays bounded whatever
    /// the size; see [`ReaderBuilder::with_max_decompressed_bytes`]).
    pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = u64::MAX;
    /// Default most decompressed bytes per compressed byte of gzip input: 100. AWS logs carry
    /// random request ids on every line, which caps how well they compress (the generated logs of
    /// the size study in `benches/RESULTS.md` compress 4.2–6.2× with `gzip -6`); a gzip bomb reaches ~1000×.
    pub const DEFAULT_MAX_GZIP_RATIO: u64 = 100;
    /// The ratio limit ([`ReaderBuilder::with_max_gzip_ratio`]) applies once this much has been
    /// decompressed: 16 MiB, so that small inputs of repetitive lines are never refused.
    pub const GZIP_RATIO_GRACE: u64 = input::GZIP_RATIO_GRACE;
    /// Default size of the segments that [`ReaderBuilder::build_parallel`] cuts an input into
    /// (4 MiB).
    pub const DEFAULT_SEGMENT_SIZE: usize = 4 << 20;
    /// Largest accepted maximum line length: 256 MiB (a batch's text columns must stay under
    /// 2 GiB even when a line's invalid UTF-8 triples in size).
    pub const MAX_MAX_LINE_LENGTH: usize = 256 << 20;
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
            format_options: FormatOptions::default(),
            batch_size: Self::DEFAULT_BATCH_SIZE,
            error_policy: ErrorPolicy::Skip,
            max_line_length: Self::DEFAULT_MAX_LINE_LENGTH,
            max_fields: Self::DEFAULT_MAX_FIELDS,
            max_rejects: Self::DEFAULT_MAX_REJECTS,
            max_reject_bytes: Self::DEFAULT_MAX_REJECT_BYTES,
            max_batch_bytes: Self::DEFAULT_MAX_BATCH_BYTES,
            limits: GzipLimits {
                max_bytes: Self::DEFAULT_MAX_DECOMPRESSED_BYTES,
                max_ratio: Self::DEFAULT_MAX_GZIP_RATIO,
            },
            segment_size: Self::DEFAULT_SEGMENT_SIZE,
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
        self.format_options.fields = Some(fields);
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
        self.format_options.decode = columns.into_iter().map(Into::into).collect();
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
        self.format_options.projection = Some(projection);
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
    /// At least 1; for S3 access logs at least 17 (the fields every line has).
    pub fn with_max_fields(mut self, max_fields: usize) -> Self {
        self.max_fields = max_fields;
        self
    }

    /// Most rejects (rejected and repaired lines) held until they are taken with
    /// `take_rejects`, and most raw bytes they may hold (defaults [`ReaderBuilder::DEFAULT_MAX_REJECTS`] and
    /// [`ReaderBuilder::DEFAULT_MAX_REJECT_BYTES`]; at least 1 each). When either is reached, decoding pauses
    /// so that they can be taken: a [`Reader`] then returns the rows it has (possibly an empty
    /// batch). If they are not taken, decoding goes on and the details of further rejects
    /// are dropped — still counted in [`DecodeStats::rejected`](crate::DecodeStats::rejected)
    /// and [`DecodeStats::rejects_dropped`](crate::DecodeStats::rejects_dropped) — so memory
    /// stays bounded on any input.
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

    /// The schema of the batches that the built reader produces (after projection). For
    /// CloudFront standard logs without [`ReaderBuilder::with_fields`] the schema comes from the
    /// input, so this is empty: ask the built [`Reader`].
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build_decoder`].
    pub fn schema(&self) -> Result<SchemaRef> {
        Ok(self.clone().build_decoder()?.schema())
    }

    /// The decoder's options, checked; `detected`: the format was detected from the input
    /// (its errors say so).
    fn options(&self, detected: bool) -> Result<DecoderOptions> {
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
        if self.max_line_length == 0 || self.max_line_length > Self::MAX_MAX_LINE_LENGTH {
            return invalid(format!(
                "maximum line length must be between 1 and {}",
                Self::MAX_MAX_LINE_LENGTH
            ));
        }
        if self.max_batch_bytes == 0 {
            return invalid("the maximum batch bytes must be at least 1".into());
        }
        if self.max_rejects == 0 || self.max_reject_bytes == 0 {
            return invalid("the reject limits must be at least 1".into());
        }
        if self.max_fields == 0 {
            return invalid("maximum fields must be at least 1".into());
        }
        let format_options = self.format_options.clone();
        format
            .spec()
            .check(&format_options, self.max_fields, detected)?;
        Ok(DecoderOptions {
            format,
            batch_size: self.batch_size,
            format_options,
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
        Decoder::new(self.options(false)?)
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
        let opened = self.open(Cursor::new(input.clone()))?;
        if opened.input.is_gzip() {
            return Ok(opened.into_reader());
        }
        // The decoder starts over too (the read-ahead may have counted blank lines it dropped).
        let decoder = Decoder::new(opened.decoder.options().clone())?;
        Ok(Reader::over_buffer(
            opened.input,
            decoder,
            opened.limits,
            input,
        ))
    }

    /// A [`Reader`] over `input`: gzip (one or more members) when it starts with the gzip magic
    /// bytes, plain text otherwise. With [`ReaderBuilder::auto`], the format is detected from
    /// the first decompressed bytes (when that fails and a field list was given, its kind of
    /// log is assumed). For CloudFront standard logs without a field list, the schema comes
    /// from the input's last `#Fields:` line before its first data line, read ahead here (at
    /// most 256 KiB) so that [`Reader::schema`] is known at once. Blank lines at the start of
    /// the input do not count against that: any number of them may come first (they are
    /// counted in [`DecodeStats::blank_lines`](crate::DecodeStats::blank_lines) as usual).
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build_decoder`]; I/O and gzip errors while reading ahead;
    /// [`ErrorKind::UnknownFormat`] when the format cannot be detected;
    /// [`ErrorKind::MissingFieldList`] when it is detected as CloudFront real-time logs and no
    /// field list was given; [`ErrorKind::InvalidHeader`] for a standard log whose first data
    /// line comes before any `#Fields:` line (and no field list was given).
    pub fn build<R: Read>(self, input: R) -> Result<Reader<R>> {
        Ok(self.open(input)?.into_reader())
    }

    /// Opens `input` (plain or gzip), reads ahead what the format and schema need, and makes
    /// the decoder: all a [`Reader`] needs.
    fn open<R: Read>(mut self, input: R) -> Result<Opened<R>> {
        if self.limits.max_bytes == 0 || self.limits.max_ratio == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("the gzip limits must be at least 1"));
        }
        let mut input = open(input)?;
        let limits = self.limits;
        let mut buf = vec![0; READ_BUFFER];
        let mut end = 0;
        let mut skipped = Skipped::default();
        let detected = self.format.is_none();
        let needs_head = match self.format {
            None => true,
            Some(format) => format.spec().header_in_head() && self.format_options.fields.is_none(),
        };
        if needs_head {
            let complete;
            (end, complete, skipped) =
                read_head(&mut input, &mut buf, limits, self.max_line_length)?;
            let head = &buf[..end];
            let format = match self.format {
                Some(format) => format,
                None => {
                    let fields = &mut self.format_options.fields;
                    let format = match (Format::detect_after(head, skipped.lines), &*fields) {
                        (Ok(format), _) => format,
                        // Detection failed, but the caller said what the records are.
                        (Err(err), Some(fields)) => Format::ALL
                            .iter()
                            .copied()
                            .find(|f| f.spec().takes_fields(fields))
                            .ok_or(err)?,
                        (Err(err), None) => return Err(err),
                    };
                    // Keep a field list only for the format it was built for, and
                    // percent-decoding only for formats that take it.
                    let spec = format.spec();
                    if fields.as_ref().is_some_and(|f| !spec.takes_fields(f)) {
                        *fields = None;
                    }
                    if !spec.takes_percent_decoding() {
                        self.format_options.decode.clear();
                    }
                    format
                }
            };
            let spec = format.spec();
            if spec.header_in_head() && self.format_options.fields.is_none() {
                self.format_options.fields =
                    spec.fields_from_head(head, complete, self.max_fields, skipped.lines)?;
            }
            self.format = Some(format);
        }
        let mut decoder = Decoder::new(self.options(detected)?)?;
        if skipped.lines > 0 {
            decoder.skip_blank_lines(skipped.lines, skipped.bytes);
        }
        Ok(Opened {
            input,
            decoder,
            limits,
            buf,
            end,
            bytes_in: skipped.bytes + end as u64,
        })
    }
}

/// An input opened by [`ReaderBuilder::build`]: what its [`Reader`] starts from.
struct Opened<R> {
    input: Input<R>,
    decoder: Decoder,
    limits: GzipLimits,
    /// The bytes read ahead, `buf[..end]`.
    buf: Vec<u8>,
    end: usize,
    /// Decompressed bytes read: those in `buf` and the blank lines dropped before them.
    bytes_in: u64,
}

impl<R> Opened<R> {
    fn into_reader(self) -> Reader<R> {
        let ahead = ReadAhead {
            buf: self.buf,
            end: self.end,
            bytes_in: self.bytes_in,
        };
        Reader::new(self.input, self.decoder, self.limits, ahead, None)
    }
}
