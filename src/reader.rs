//! [`Format`], [`ReaderBuilder`] and the pull [`Reader`] (gzip aware).

use std::io::{Cursor, Read};

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::error::ArrowError;
use flate2::read::MultiGzDecoder;

use crate::decoder::{Decoder, DecoderOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::reject::{DecodeStats, ErrorPolicy, Reject};
use crate::s3::S3Field;

/// An AWS access log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Amazon S3 server access logs (see [`crate::s3`]).
    S3,
}

impl Format {
    /// The format's short name: `"s3"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::S3 => "s3",
        }
    }

    /// The full Arrow schema of the format (before projection).
    pub fn schema(self) -> SchemaRef {
        match self {
            Format::S3 => S3Field::schema(),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// Parses `s3` (also `s3-access`, `s3-access-log`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "s3" | "s3-access" | "s3-access-log" => Ok(Format::S3),
            other => Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail(format!("unknown format {other:?} (known: s3)"))),
        }
    }
}

/// Default rows per batch.
pub const DEFAULT_BATCH_SIZE: usize = 8192;
/// Default maximum line length: 1 MiB.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;
/// Default maximum number of fields per line.
pub const DEFAULT_MAX_FIELDS: usize = 256;
/// Largest accepted maximum line length: 256 MiB (a batch's text columns must stay under
/// 2 GiB even when a line's invalid UTF-8 triples in size).
pub const MAX_MAX_LINE_LENGTH: usize = 256 << 20;

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
    format: Format,
    batch_size: usize,
    projection: Option<Vec<usize>>,
    error_policy: ErrorPolicy,
    max_line_length: usize,
    max_fields: usize,
}

impl ReaderBuilder {
    /// A builder for `format` with the defaults: batch size [`DEFAULT_BATCH_SIZE`], every
    /// column, [`ErrorPolicy::Skip`], maximum line length [`DEFAULT_MAX_LINE_LENGTH`] and
    /// maximum fields [`DEFAULT_MAX_FIELDS`].
    pub fn new(format: Format) -> Self {
        ReaderBuilder {
            format,
            batch_size: DEFAULT_BATCH_SIZE,
            projection: None,
            error_policy: ErrorPolicy::Skip,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            max_fields: DEFAULT_MAX_FIELDS,
        }
    }

    /// Rows per batch (default [`DEFAULT_BATCH_SIZE`]; must be at least 1). A batch may also
    /// end early so that a text column stays under 2 GiB.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Decode only these columns, in this order: indices into [`Format::schema`] (default:
    /// every column). All fields are still validated, so the same lines are rejected whatever
    /// the projection.
    pub fn with_projection(mut self, projection: Vec<usize>) -> Self {
        self.projection = Some(projection);
        self
    }

    /// What to do with lines that fail to parse (default [`ErrorPolicy::Skip`]).
    pub fn with_error_policy(mut self, policy: ErrorPolicy) -> Self {
        self.error_policy = policy;
        self
    }

    /// Longest line accepted, in bytes without terminator (default 1 MiB, at most
    /// [`MAX_MAX_LINE_LENGTH`]).
    /// Longer lines are rejected as [`ErrorKind::LineTooLong`] and never buffered whole.
    pub fn with_max_line_length(mut self, max_line_length: usize) -> Self {
        self.max_line_length = max_line_length;
        self
    }

    /// Most fields accepted on one line, trailing fields included (default
    /// [`DEFAULT_MAX_FIELDS`]). Lines with more are rejected as [`ErrorKind::TooManyFields`].
    pub fn with_max_fields(mut self, max_fields: usize) -> Self {
        self.max_fields = max_fields;
        self
    }

    /// The schema of the batches that the built reader produces (after projection).
    pub fn schema(&self) -> Result<SchemaRef> {
        Ok(self.options()?.schema)
    }

    fn options(&self) -> Result<DecoderOptions> {
        let invalid = |msg: String| Err(Error::new(ErrorKind::InvalidArgument).with_detail(msg));
        if self.batch_size == 0 {
            return invalid("batch size must be at least 1".into());
        }
        if self.max_line_length == 0 || self.max_line_length > MAX_MAX_LINE_LENGTH {
            return invalid(format!(
                "maximum line length must be between 1 and {MAX_MAX_LINE_LENGTH}"
            ));
        }
        if self.max_fields < S3Field::REQUIRED {
            return invalid(format!(
                "maximum fields must be at least {} (the fields every line has)",
                S3Field::REQUIRED
            ));
        }
        let full = self.format.schema();
        let indices: Vec<usize> = match &self.projection {
            Some(p) => p.clone(),
            None => (0..full.fields().len()).collect(),
        };
        let mut seen = vec![false; full.fields().len()];
        for &i in &indices {
            if i >= seen.len() {
                return invalid(format!(
                    "projection index {i} out of range (the schema has {} columns)",
                    seen.len()
                ));
            }
            if std::mem::replace(&mut seen[i], true) {
                return invalid(format!("projection index {i} repeated"));
            }
        }
        let schema = SchemaRef::new(Schema::new(
            indices
                .iter()
                .map(|&i| full.field(i).clone())
                .collect::<Vec<_>>(),
        ));
        Ok(DecoderOptions {
            format: self.format,
            batch_size: self.batch_size,
            projection: indices.iter().map(|&i| S3Field::ALL[i]).collect(),
            schema,
            error_policy: self.error_policy,
            max_line_length: self.max_line_length,
            max_fields: self.max_fields,
        })
    }

    /// A push [`Decoder`] with these options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] for a zero batch size, a bad maximum line length or
    /// maximum fields, or a projection index that is out of range or repeated.
    pub fn build_decoder(self) -> Result<Decoder> {
        Ok(Decoder::new(self.options()?))
    }

    /// A [`Reader`] over `input`: gzip (one or more members) when it starts with the gzip magic
    /// bytes, plain text otherwise.
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build_decoder`], and I/O errors while sniffing the first bytes.
    pub fn build<R: Read>(self, mut input: R) -> Result<Reader<R>> {
        let decoder = self.build_decoder()?;
        let mut magic = Vec::with_capacity(2);
        while magic.len() < 2 {
            let mut byte = [0u8; 1];
            match input.read(&mut byte) {
                Ok(0) => break,
                Ok(_) => magic.push(byte[0]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(e)),
            }
        }
        let gzip = magic == [0x1f, 0x8b];
        let chained = Cursor::new(magic).chain(input);
        let input = if gzip {
            Input::Gzip(Box::new(MultiGzDecoder::new(chained)))
        } else {
            Input::Plain(chained)
        };
        Ok(Reader {
            input,
            decoder,
            buf: vec![0; READ_BUFFER],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            bytes_in: 0,
        })
    }
}

const READ_BUFFER: usize = 256 * 1024;

enum Input<R> {
    Plain(std::io::Chain<Cursor<Vec<u8>>, R>),
    Gzip(Box<MultiGzDecoder<std::io::Chain<Cursor<Vec<u8>>, R>>>),
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
    input: Input<R>,
    decoder: Decoder,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    bytes_in: u64,
}

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

    /// Takes the rejected and repaired lines recorded so far.
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
    /// lines were decoded before), and with [`ErrorPolicy::FailFast`] the first bad line.
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

    fn next_batch_inner(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            if self.decoder.is_full() {
                return self.decoder.flush();
            }
            if self.start < self.end {
                let n = self.decoder.decode(&self.buf[self.start..self.end])?;
                self.start += n;
                continue;
            }
            if self.eof {
                self.decoder.finish()?;
                return self.decoder.flush();
            }
            let n = self.read_more()?;
            if n == 0 {
                self.eof = true;
            } else {
                self.start = 0;
                self.end = n;
                self.bytes_in += n as u64;
            }
        }
    }

    fn read_more(&mut self) -> Result<usize> {
        loop {
            let result = match &mut self.input {
                Input::Plain(r) => r.read(&mut self.buf),
                Input::Gzip(r) => r.read(&mut self.buf),
            };
            match result {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if self.is_gzip() => {
                    let stats = self.decoder.stats();
                    return Err(Error::new(ErrorKind::Gzip)
                        .with_detail(format!(
                            "truncated or corrupt gzip stream after {} decompressed bytes ({} lines): {e}",
                            self.bytes_in, stats.lines
                        ))
                        .with_source(e));
                }
                Err(e) => return Err(Error::io(e)),
            }
        }
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
