//! The push [`Decoder`]: bytes in, record batches and rejects out.

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use crate::columns::wide_share;
use crate::contract::{ColumnsConfig, FormatOptions, Outcome, RowDecoder};
use crate::error::{Error, ErrorKind, Position, Result};
use crate::format::Format;
use crate::raw::{Line, LineSplitter};
use crate::reject::{DecodeStats, ErrorPolicy, HeldRejects, Reject, RejectOutcome};
use crate::views::SharedChunk;

/// Options shared by [`Decoder`] and [`crate::Reader`], set through [`crate::ReaderBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct DecoderOptions {
    pub(crate) format: Format,
    pub(crate) batch_size: usize,
    /// The options the format takes (checked by its [`crate::contract::LogFormat::check`]).
    pub(crate) format_options: FormatOptions,
    pub(crate) error_policy: ErrorPolicy,
    pub(crate) max_line_length: usize,
    pub(crate) max_fields: usize,
    pub(crate) max_rejects: usize,
    pub(crate) max_reject_bytes: usize,
    pub(crate) max_batch_bytes: usize,
    /// Text columns as `Utf8View`.
    pub(crate) string_view: bool,
}

/// Everything but the line splitter, so that a line borrowed from the splitter can be handed
/// to it.
#[derive(Debug)]
struct Sink {
    options: DecoderOptions,
    /// The format's side: lines to columns.
    rows_decoder: Box<dyn RowDecoder>,
    /// The format's name in error messages.
    label: &'static str,
    /// Rows buffered for the next batch.
    rows: usize,
    /// Line bytes buffered for the next batch (bounds the i32 offsets of text columns).
    bytes: usize,
    /// The most line bytes of a batch ([`DecoderOptions::max_batch_bytes`], within the
    /// 2 GiB of a text column), before [`wide_share`] of it is taken for the column count.
    byte_limit: usize,
    /// The line bytes at which the batch is full: [`Sink::byte_limit`]'s [`wide_share`] for
    /// the columns of the schema in use.
    full_at: usize,
    stats: DecodeStats,
    rejects: HeldRejects,
    /// The chunk being decoded, when it is shared with the batches (string views).
    chunk: Option<SharedChunk>,
}

/// A push decoder, in the style of arrow-json's: feed it bytes with [`Decoder::decode`], take
/// batches with [`Decoder::flush`], and call [`Decoder::finish`] at the end of the input.
///
/// The same input gives the same batches and the same rejects however it is split into
/// `decode` calls. Lines that fail to parse are recorded as [`Reject`]s (the default
/// [`ErrorPolicy::Skip`]) or returned as errors ([`ErrorPolicy::FailFast`]).
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
///
/// let log: &[u8] = b"79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\nnot a log line\n";
/// let mut decoder = ReaderBuilder::new(Format::S3).with_batch_size(1024).build_decoder()?;
/// let mut input = log;
/// while !input.is_empty() {
///     let consumed = decoder.decode(input)?;
///     input = &input[consumed..];
///     if decoder.is_full() {
///         let batch = decoder.flush()?.unwrap();
///         // ... use the batch
///     }
/// }
/// decoder.finish()?;
/// let batch = decoder.flush()?.unwrap();
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(decoder.stats().rejected, 1);
/// let rejects = decoder.take_rejects();
/// assert_eq!(rejects[0].line(), 2);
/// assert_eq!(rejects[0].raw(), b"not a log line");
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
#[derive(Debug)]
pub struct Decoder {
    splitter: LineSplitter,
    sink: Sink,
    finished: bool,
    failed: bool,
    /// `decode` stopped because the held rejects reached their limit.
    stopped_for_rejects: bool,
}

impl Decoder {
    pub(crate) fn new(options: DecoderOptions) -> Result<Self> {
        let capacity = options.batch_size.min(16 * 1024);
        // A repaired line can grow up to 3× (each invalid byte becomes U+FFFD, 3 bytes).
        let byte_limit = (i32::MAX as usize)
            .saturating_sub(3 * options.max_line_length)
            .min(options.max_batch_bytes);
        let spec = options.format.spec();
        let config = ColumnsConfig {
            capacity,
            views: options.string_view,
        };
        let rows_decoder = spec.row_decoder(&options.format_options, config)?;
        let rejects = HeldRejects::new(options.max_rejects, options.max_reject_bytes);
        let mut sink = Sink {
            rows_decoder,
            label: spec.label(),
            options,
            rows: 0,
            bytes: 0,
            byte_limit,
            full_at: byte_limit,
            stats: DecodeStats::default(),
            rejects,
            chunk: None,
        };
        sink.set_width();
        Ok(Decoder {
            splitter: LineSplitter::new(sink.options.max_line_length),
            sink,
            finished: false,
            failed: false,
            stopped_for_rejects: false,
        })
    }

    /// The options this decoder was built with.
    pub(crate) fn options(&self) -> &DecoderOptions {
        &self.sink.options
    }

    /// Starts numbering at line `number`, byte `byte_offset` (a decoder for a part of an
    /// input that starts at a line boundary). Only line 1 may have a byte order mark.
    pub(crate) fn start_at(&mut self, number: u64, byte_offset: u64) {
        self.splitter.start_at(number, byte_offset);
    }

    /// Counts the first `lines` lines of the input (`bytes` bytes) as blank lines decoded,
    /// for a decoder that starts at the input's start: the read-ahead already found them
    /// blank (none longer than the maximum line length) and dropped them.
    pub(crate) fn skip_blank_lines(&mut self, lines: u64, bytes: u64) {
        self.sink.stats.lines += lines;
        self.sink.stats.blank_lines += lines;
        self.splitter.start_at(lines + 1, bytes);
    }

    /// Room for text of each column's builder: a hint for the next decoder of the same input
    /// (see [`Decoder::reserve_text`]).
    pub(crate) fn text_capacities(&self) -> Vec<usize> {
        self.sink.rows_decoder.text_capacities()
    }

    /// Makes room in the (empty) text builders for `bytes` of text per column, as
    /// [`Decoder::text_capacities`] of an earlier decoder of the same input gave: a decoder
    /// that starts without it grows each text column by reallocation (a copy, and fresh
    /// pages) in its first batch.
    pub(crate) fn reserve_text(&mut self, bytes: &[usize]) {
        self.sink.rows_decoder.reserve_text(bytes);
    }

    /// Complete lines of the input before the next one to decode, counted from the start of
    /// the input (also for a decoder started with [`Decoder::start_at`]).
    pub(crate) fn lines_before(&self) -> u64 {
        self.splitter.next_line_number() - 1
    }

    /// The log format being decoded.
    pub fn format(&self) -> Format {
        self.sink.options.format
    }

    /// The schema of the batches this decoder produces (after projection). For a CloudFront
    /// standard log decoder built without a field list it is empty until the input's
    /// `#Fields:` line has been decoded.
    pub fn schema(&self) -> SchemaRef {
        self.sink.rows_decoder.schema()
    }

    /// The AWS names of the fields of each record, in record order: for CloudFront logs, the
    /// field list in use (`None` before a standard log's `#Fields:` line); for S3 access logs,
    /// `None` (the fields are fixed).
    pub fn field_names(&self) -> Option<Vec<String>> {
        self.sink.rows_decoder.field_names()
    }

    /// Decodes complete lines of `buf` and returns how many bytes were consumed.
    ///
    /// Decoding stops once a batch is full (see [`Decoder::is_full`]): then fewer than
    /// `buf.len()` bytes may be consumed; call [`Decoder::flush`] and decode the rest. An
    /// unterminated last line is consumed and kept until the next call completes it.
    ///
    /// Decoding also stops when the rejects held reach their limit
    /// ([`crate::ReaderBuilder::with_max_rejects`]): take them with [`Decoder::take_rejects`]
    /// and decode the rest. If `decode` is called again without taking them, the details of
    /// further rejected lines are not kept (they are counted in
    /// [`DecodeStats::rejects_dropped`]), so memory stays bounded either way.
    ///
    /// # Errors
    ///
    /// With [`ErrorPolicy::FailFast`], the first line that fails to parse (it is also
    /// recorded as a reject, so the counters stay balanced). The rows decoded before it can
    /// still be flushed, but the decoder decodes nothing more: later `decode` calls, and calls
    /// after [`Decoder::finish`], are [`ErrorKind::InvalidArgument`] errors.
    pub fn decode(&mut self, buf: &[u8]) -> Result<usize> {
        if self.finished || self.failed {
            let detail = if self.failed {
                "decode called after an error"
            } else {
                "decode called after finish"
            };
            return Err(Error::new(ErrorKind::InvalidArgument).with_detail(detail));
        }
        if self.stopped_for_rejects {
            self.sink.rejects.overflow_if_at_limit();
        }
        self.stopped_for_rejects = false;
        let mut pos = 0;
        while !self.sink.is_full() {
            if self.sink.rejects.at_limit() && !self.sink.rejects.overflowed() {
                self.stopped_for_rejects = true;
                break;
            }
            let Some(line) = self.splitter.next_line(buf, &mut pos) else {
                break;
            };
            if let Err(err) = self.sink.process(line) {
                self.failed = true;
                return Err(err);
            }
        }
        Ok(pos)
    }

    /// [`Decoder::decode`] of `chunk.buffer[start..end]`, whose text values string views may
    /// point into (the batches then share the chunk).
    pub(crate) fn decode_shared(
        &mut self,
        chunk: &SharedChunk,
        start: usize,
        end: usize,
    ) -> Result<usize> {
        self.sink.chunk = Some(chunk.clone());
        let result = self.decode(&chunk.buffer.as_slice()[start..end]);
        self.sink.chunk = None;
        result
    }

    /// Whether the buffered rows fill a batch; [`Decoder::decode`] consumes nothing more until
    /// [`Decoder::flush`] is called.
    pub fn is_full(&self) -> bool {
        self.sink.is_full()
    }

    /// Rows buffered for the next batch.
    pub fn len(&self) -> usize {
        self.sink.rows
    }

    /// Whether no rows are buffered.
    pub fn is_empty(&self) -> bool {
        self.sink.rows == 0
    }

    /// Returns the buffered rows as a batch, or `None` when there are none. Never splits a
    /// line. After [`Decoder::finish`], call it until it returns `None`.
    ///
    /// # Errors
    ///
    /// With [`ErrorPolicy::FailFast`], when the input's last, unterminated line fails to parse.
    pub fn flush(&mut self) -> Result<Option<RecordBatch>> {
        self.process_tail_if_room()?;
        if self.sink.rows == 0 {
            return Ok(None);
        }
        let rows = std::mem::take(&mut self.sink.rows);
        self.sink.bytes = 0;
        Ok(Some(self.sink.rows_decoder.finish(rows)?))
    }

    /// Marks the end of the input: a last line without a line terminator is decoded now (or,
    /// when the current batch is full, by the next [`Decoder::flush`]).
    ///
    /// # Errors
    ///
    /// With [`ErrorPolicy::FailFast`], when that last line fails to parse.
    pub fn finish(&mut self) -> Result<()> {
        self.finished = true;
        self.process_tail_if_room()
    }

    /// After [`Decoder::finish`], decodes the carried last line once the batch has room.
    fn process_tail_if_room(&mut self) -> Result<()> {
        if self.finished
            && !self.sink.is_full()
            && let Some(line) = self.splitter.finish()
        {
            self.sink.process(line)?;
        }
        Ok(())
    }

    /// Counters so far.
    pub fn stats(&self) -> DecodeStats {
        self.sink.stats
    }

    /// The rejected and repaired lines recorded so far (in input order).
    pub fn rejects(&self) -> &[Reject] {
        self.sink.rejects.held()
    }

    /// Takes the rejected and repaired lines recorded so far, leaving none.
    pub fn take_rejects(&mut self) -> Vec<Reject> {
        self.stopped_for_rejects = false;
        self.sink.rejects.take()
    }

    /// Whether the last [`Decoder::decode`] stopped because the rejects held reached their
    /// limit (take them with [`Decoder::take_rejects`]).
    pub fn rejects_full(&self) -> bool {
        self.stopped_for_rejects
    }

    /// Marks the end of an input that was cut short (a truncated or corrupt gzip stream, an
    /// I/O error): a carried partial last line is recorded as a reject of `kind` with its
    /// bytes (it is not parsed: its end is missing), whatever the error policy.
    pub(crate) fn finish_truncated(&mut self, kind: ErrorKind, detail: &str) {
        self.finished = true;
        if let Some(line) = self.splitter.finish() {
            self.sink.stats.lines += 1;
            let err = Error::new(kind)
                .with_format(self.sink.label())
                .with_position(Position {
                    line: line.number,
                    byte_offset: line.byte_offset,
                })
                .with_detail(format!(
                    "the input ends inside this line ({} bytes read of it): {detail}",
                    line.len
                ));
            let _ = self.sink.reject(err, line.bytes, true);
        }
    }

    /// Decompressed input bytes seen so far.
    pub fn bytes_seen(&self) -> u64 {
        self.splitter.bytes_seen()
    }
}

impl Sink {
    /// Sets the byte limit of the batches for the column count of the schema in use.
    fn set_width(&mut self) {
        let columns = self.rows_decoder.schema().fields().len();
        self.full_at = wide_share(self.byte_limit, columns, 0);
    }

    /// The format's name in error messages.
    fn label(&self) -> &'static str {
        self.label
    }

    fn is_full(&self) -> bool {
        self.rows >= self.options.batch_size || self.bytes >= self.full_at
    }

    fn process(&mut self, mut line: Line<'_>) -> Result<()> {
        self.stats.lines += 1;
        // A UTF-8 byte order mark before the first line is not part of it.
        if line.number == 1
            && let Some(rest) = line.bytes.strip_prefix(b"\xef\xbb\xbf")
        {
            line.bytes = rest;
            line.len -= 3;
        }
        let position = Position {
            line: line.number,
            byte_offset: line.byte_offset,
        };
        if line.is_truncated() {
            let err = Error::new(ErrorKind::LineTooLong)
                .with_format(self.label())
                .with_detail(format!(
                    "{} bytes, maximum {} (raw bytes kept: the first {})",
                    line.len, self.options.max_line_length, self.options.max_line_length
                ));
            return self.reject(err.with_position(position), line.bytes, false);
        }
        if line.is_blank() {
            self.stats.blank_lines += 1;
            return Ok(());
        }
        let decoded =
            self.rows_decoder
                .decode_line(line.bytes, self.options.max_fields, self.chunk.as_ref());
        match decoded {
            Ok(Outcome::Comment) => {
                self.stats.comment_lines += 1;
                // A header line (a standard log's `#Fields:`) may have set the schema.
                self.set_width();
                Ok(())
            }
            Ok(Outcome::Row { repair, lossy }) => {
                if let Some(err) = repair {
                    self.record_repair(err.with_position(position), line.bytes);
                }
                self.count_row(line.bytes.len(), lossy);
                Ok(())
            }
            Err(err) => self.reject(err.with_position(position), line.bytes, false),
        }
    }

    /// Records a row kept after a repair that `err` describes.
    fn record_repair(&mut self, err: Error, raw: &[u8]) {
        self.stats.repaired += 1;
        self.hold(Reject::new(err, raw.to_vec(), RejectOutcome::Repaired));
    }

    /// Keeps a reject, unless the held ones overflowed (then only counts it).
    fn hold(&mut self, reject: Reject) {
        if !self.rejects.hold(reject) {
            self.stats.rejects_dropped += 1;
        }
    }

    /// Counts one appended row of `len` line bytes (`lossy`: its text may have grown 3×).
    fn count_row(&mut self, len: usize, lossy: bool) {
        self.rows += 1;
        self.bytes += if lossy { 3 * len } else { len };
        self.stats.rows += 1;
    }

    /// Records a rejected line; with [`ErrorPolicy::FailFast`] (unless `skip`) also returns
    /// its error.
    fn reject(&mut self, err: Error, raw: &[u8], skip: bool) -> Result<()> {
        self.stats.rejected += 1;
        let fail = !skip && self.options.error_policy == ErrorPolicy::FailFast;
        let returned = fail.then(|| err.clone());
        self.hold(Reject::new(err, raw.to_vec(), RejectOutcome::Rejected));
        match returned {
            None => Ok(()),
            Some(err) => Err(err),
        }
    }
}
