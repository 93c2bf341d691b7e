//! Streaming Parquet output (feature `parquet`, on by default).
//!
//! [`write_parquet`] drains a [`Reader`](crate::Reader) or a
//! [`ParallelReader`](crate::ParallelReader) into any [`Write`]: zstd (level 3 by default),
//! dictionary encoding, page statistics and the page index, optional bloom filters, row groups
//! bounded by rows and by buffered bytes. The key-value metadata records the format, the field
//! list, the crate version, and the rows and rejected lines. The same input and options give
//! byte-identical output.

use std::io::Write;

use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;

use crate::error::{Error, ErrorKind, Result};
use crate::reader::{BatchSource, Format};
use crate::reject::DecodeStats;

/// Metadata key holding the log format (`s3`).
pub const META_FORMAT: &str = "aws_access_logs.format";
/// Metadata key holding the AWS field names of the columns, comma-separated, in column order
/// (for a CloudFront real-time log, its field list in record order; a standard log's joined
/// `timestamp` column is written `date time`).
pub const META_FIELDS: &str = "aws_access_logs.fields";
/// Metadata key holding the version of this crate that wrote the file.
pub const META_VERSION: &str = "aws_access_logs.version";
/// Metadata key holding the number of rows.
pub const META_ROWS: &str = "aws_access_logs.rows";
/// Metadata key holding the number of rejected lines.
pub const META_REJECTED: &str = "aws_access_logs.rejected";

/// Default most rows per row group: 1 Mi.
pub const DEFAULT_MAX_ROW_GROUP_ROWS: usize = 1 << 20;
/// Default most buffered (encoded) bytes per row group: 32 MiB, which keeps a conversion's
/// peak memory under 128 MB.
pub const DEFAULT_MAX_ROW_GROUP_BYTES: usize = 32 << 20;

/// The compression codec of a Parquet file's column chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParquetCompression {
    /// zstd at a level from 1 to 22 (3 is the default: most of the size gain of higher levels at
    /// a fraction of the time).
    Zstd(i32),
    /// Snappy: faster to write and read, larger.
    Snappy,
    /// No compression (the encodings still apply).
    None,
}

/// Parquet writer settings.
#[derive(Debug, Clone)]
pub struct ParquetOptions {
    compression: ParquetCompression,
    max_row_group_rows: usize,
    max_row_group_bytes: usize,
    bloom_filter: Vec<String>,
    threads: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            compression: ParquetCompression::Zstd(3),
            max_row_group_rows: DEFAULT_MAX_ROW_GROUP_ROWS,
            max_row_group_bytes: DEFAULT_MAX_ROW_GROUP_BYTES,
            bloom_filter: Vec::new(),
            threads: 1,
        }
    }
}

impl ParquetOptions {
    /// Default settings: zstd level 3, row groups of at most 1 Mi rows and 32 MiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// zstd level, 1 to 22 (default 3): the same as
    /// `with_compression(ParquetCompression::Zstd(level))`.
    pub fn with_zstd_level(mut self, level: i32) -> Self {
        self.compression = ParquetCompression::Zstd(level);
        self
    }

    /// The compression codec of the column chunks (default zstd level 3).
    ///
    /// ```
    /// use aws_access_logs::parquet::{ParquetCompression, ParquetOptions};
    ///
    /// let options = ParquetOptions::new().with_compression(ParquetCompression::Snappy);
    /// assert_eq!(options.compression(), ParquetCompression::Snappy);
    /// ```
    pub fn with_compression(mut self, compression: ParquetCompression) -> Self {
        self.compression = compression;
        self
    }

    /// The compression codec.
    pub fn compression(&self) -> ParquetCompression {
        self.compression
    }

    /// Most rows per row group (default 1 Mi; at least 1).
    pub fn with_max_row_group_rows(mut self, rows: usize) -> Self {
        self.max_row_group_rows = rows;
        self
    }

    /// Most estimated encoded bytes buffered per row group (default 32 MiB; at least 1): the
    /// writer holds a row group in memory until it is full.
    pub fn with_max_row_group_bytes(mut self, bytes: usize) -> Self {
        self.max_row_group_bytes = bytes;
        self
    }

    /// Write a bloom filter for each of these columns (snake_case column names), for fast
    /// point lookups (`WHERE request_id = ...`). Default: none. A name that is not a column of
    /// the schema is an error when the writer is created.
    pub fn with_bloom_filter<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.bloom_filter = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Threads that encode the columns of each batch (default 1: the caller's thread only).
    /// With more, the columns are shared out among the caller's thread and helpers, so that
    /// encoding and compression, which take about twice as long as parsing, use several cores.
    /// The file is byte-identical whatever the number.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    fn properties(&self, format: Format, schema: &SchemaRef) -> Result<WriterProperties> {
        let compression = match self.compression {
            ParquetCompression::Zstd(level) => {
                Compression::ZSTD(ZstdLevel::try_new(level).map_err(|e| {
                    Error::new(ErrorKind::InvalidArgument).with_detail(format!("zstd level: {e}"))
                })?)
            }
            ParquetCompression::Snappy => Compression::SNAPPY,
            ParquetCompression::None => Compression::UNCOMPRESSED,
        };
        if self.max_row_group_rows == 0 || self.max_row_group_bytes == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("row group limits must be at least 1"));
        }
        if self.threads == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("the encoding threads must be at least 1"));
        }
        let mut builder = WriterProperties::builder();
        for name in &self.bloom_filter {
            if schema.field_with_name(name).is_err() {
                return Err(Error::new(ErrorKind::InvalidArgument)
                    .with_detail(format!("bloom filter column {name:?} is not in the schema")));
            }
            builder =
                builder.set_column_bloom_filter_enabled(ColumnPath::from(name.as_str()), true);
        }
        builder = column_encodings(builder, schema);
        Ok(builder
            .set_compression(compression)
            .set_dictionary_enabled(true)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(self.max_row_group_rows))
            .set_max_row_group_bytes(Some(self.max_row_group_bytes))
            .set_key_value_metadata(Some(vec![
                KeyValue::new(META_FORMAT.to_string(), format.name().to_string()),
                KeyValue::new(META_FIELDS.to_string(), field_names(schema)),
                KeyValue::new(
                    META_VERSION.to_string(),
                    env!("CARGO_PKG_VERSION").to_string(),
                ),
            ]))
            .build())
    }
}

/// Columns whose values are random per record (request ids): a dictionary cannot help.
const RANDOM_ID_COLUMNS: [&str; 3] = ["host_id", "request_id", "x_edge_request_id"];

/// Dictionary page size limit: large enough for the distinct keys, URIs and user agents of a
/// row group of real logs, small enough to keep memory bounded.
const DICTIONARY_PAGE_SIZE_LIMIT: usize = 4 << 20;

/// Per-column encodings, chosen by type and by what the logs hold (none changes a value):
/// timestamps, which mostly increase, are delta-encoded; per-record random ids skip the
/// dictionary; every other column is dictionary-encoded.
fn column_encodings(
    mut builder: parquet::file::properties::WriterPropertiesBuilder,
    schema: &SchemaRef,
) -> parquet::file::properties::WriterPropertiesBuilder {
    use arrow::datatypes::DataType;
    use parquet::basic::Encoding;
    for field in schema.fields() {
        let path = ColumnPath::from(field.name().as_str());
        match field.data_type() {
            DataType::Timestamp(_, _) => {
                builder = builder
                    .set_column_dictionary_enabled(path.clone(), false)
                    .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED);
            }
            DataType::Utf8 if RANDOM_ID_COLUMNS.contains(&field.name().as_str()) => {
                builder = builder.set_column_dictionary_enabled(path, false);
            }
            _ => {}
        }
    }
    builder.set_dictionary_page_size_limit(DICTIONARY_PAGE_SIZE_LIMIT)
}

/// The AWS names of the schema's columns (falling back to the column name), comma-separated.
fn field_names(schema: &SchemaRef) -> String {
    schema
        .fields()
        .iter()
        .map(|f| {
            f.metadata()
                .get(crate::s3::AWS_NAME_KEY)
                .map_or(f.name().as_str(), String::as_str)
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Task indices by decreasing cost.
fn costliest_first(costs: &[u64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
    order
}

/// Runs `work` on every item on `threads` threads (the caller's and helpers), which take the
/// items in `order` (a permutation of their indices); returns the results in the items' order.
/// The first error is returned once every thread has stopped.
fn run_tasks<T: Send, R: Send>(
    threads: usize,
    items: Vec<T>,
    order: &[usize],
    work: impl Fn(T) -> parquet::errors::Result<R> + Sync,
) -> parquet::errors::Result<Vec<R>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let n = items.len();
    debug_assert_eq!(order.len(), n, "the order is a permutation of the items");
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<R>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let run = || -> parquet::errors::Result<()> {
        while !failed.load(Ordering::Relaxed) {
            let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return Ok(());
            };
            let item = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
            match work(item.expect("each index once in the order")) {
                Ok(r) => *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r),
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(run)).collect();
        let mut result = run();
        for helper in helpers {
            let helped = helper.join().unwrap_or_else(|_| {
                Err(parquet::errors::ParquetError::General(
                    "a Parquet encoding thread panicked".into(),
                ))
            });
            result = result.and(helped);
        }
        result
    })?;
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .ok_or_else(|| parquet::errors::ParquetError::General("a task did not run".into()))
        })
        .collect()
}

/// What [`write_parquet`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParquetSummary {
    /// Decoding counters (rows, rejected, ...).
    pub stats: DecodeStats,
    /// Decompressed input bytes read.
    pub bytes_in: u64,
    /// Row groups written.
    pub row_groups: usize,
}

fn parquet_error(err: parquet::errors::ParquetError) -> Error {
    Error::new(ErrorKind::Parquet)
        .with_detail(err.to_string())
        .with_source(err)
}

/// A streaming Parquet writer for batches of one format.
///
/// Batches are encoded as they come, column by column (on several threads with
/// [`ParquetOptions::with_threads`]); a row group is written out once it holds the most rows or
/// encoded bytes the options allow, splitting a batch where needed.
pub struct ParquetWriter<W: Write + Send> {
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The column writers of the row group being filled, and its rows.
    in_progress: Option<(Vec<ArrowColumnWriter>, usize)>,
    max_rows: usize,
    max_bytes: usize,
    threads: usize,
    /// What encoding each column took on the last batches (threads share them out by it).
    costs: Vec<u64>,
}

impl<W: Write + Send> std::fmt::Debug for ParquetWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetWriter")
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> ParquetWriter<W> {
    /// A writer of batches with `schema` (of `format`) to `out`.
    ///
    /// # Errors
    ///
    /// Invalid options, or the Parquet writer refusing the schema.
    pub fn try_new(
        out: W,
        schema: SchemaRef,
        format: Format,
        options: &ParquetOptions,
    ) -> Result<Self> {
        // Text columns are Parquet strings either way: string views are written, and read
        // back, as `Utf8`.
        let schema = crate::views::plain_schema(&schema);
        let props = options.properties(format, &schema)?;
        let (file, factory) = ArrowWriter::try_new(out, schema.clone(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(parquet_error)?;
        Ok(ParquetWriter {
            file,
            factory,
            schema,
            in_progress: None,
            max_rows: options.max_row_group_rows,
            max_bytes: options.max_row_group_bytes,
            threads: options.threads,
            costs: Vec::new(),
        })
    }

    /// Writes one batch (buffered until a row group is full).
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn write(&mut self, batch: &arrow::array::RecordBatch) -> Result<()> {
        self.write_batch(batch).map_err(parquet_error)
    }

    /// The row group rule of parquet's `ArrowWriter`: split where the rows reach the limit,
    /// or where the encoded bytes would, judged by the average row so far.
    fn write_batch(&mut self, batch: &arrow::array::RecordBatch) -> parquet::errors::Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let mut remaining = batch.clone();
        loop {
            if self.in_progress.is_none() {
                let index = self.file.flushed_row_groups().len();
                self.in_progress = Some((self.factory.create_column_writers(index)?, 0));
            }
            let (writers, buffered_rows) = self.in_progress.as_ref().expect("just set");
            let buffered_rows = *buffered_rows;
            let mut split_at = (buffered_rows + remaining.num_rows() > self.max_rows)
                .then(|| self.max_rows - buffered_rows);
            let candidate_rows = split_at.unwrap_or_else(|| remaining.num_rows());
            let current_bytes: usize = writers.iter().map(|w| w.get_estimated_total_bytes()).sum();
            if let Some(avg_row_bytes) = current_bytes.checked_div(buffered_rows) {
                if current_bytes >= self.max_bytes {
                    self.flush()?;
                    continue;
                }
                if let Some(rows_that_fit) =
                    (self.max_bytes - current_bytes).checked_div(avg_row_bytes)
                    && candidate_rows > rows_that_fit
                {
                    if rows_that_fit > 0 {
                        split_at = Some(rows_that_fit);
                    } else {
                        self.flush()?;
                        continue;
                    }
                }
            }
            let rest = split_at.map(|to_write| {
                let rest = remaining.slice(to_write, remaining.num_rows() - to_write);
                remaining = remaining.slice(0, to_write);
                rest
            });
            self.encode(&remaining)?;
            let (writers, buffered_rows) = self.in_progress.as_ref().expect("just set");
            let bytes: usize = writers.iter().map(|w| w.get_estimated_total_bytes()).sum();
            if *buffered_rows >= self.max_rows || bytes >= self.max_bytes {
                self.flush()?;
            }
            match rest {
                Some(rest) => remaining = rest,
                None => return Ok(()),
            }
        }
    }

    /// Encodes `batch` into the row group in progress, the columns shared out among
    /// `threads` threads (each column writer is fed in order, so the bytes do not depend on
    /// the threads).
    fn encode(&mut self, batch: &arrow::array::RecordBatch) -> parquet::errors::Result<()> {
        let (writers, rows) = self.in_progress.as_mut().expect("a row group in progress");
        *rows += batch.num_rows();
        let mut leaves = Vec::with_capacity(writers.len());
        for (field, column) in self.schema.fields().iter().zip(batch.columns()) {
            leaves.extend(compute_leaves(field.as_ref(), column)?);
        }
        let threads = self.threads.min(writers.len());
        if threads <= 1 {
            for (writer, leaf) in writers.iter_mut().zip(&leaves) {
                writer.write(leaf)?;
            }
            return Ok(());
        }
        // The columns are tasks that the threads take in turn, the costliest first (by what
        // each took on the last batches), so that no thread waits long for another.
        let costs = &mut self.costs;
        costs.resize(writers.len(), 0);
        let order = costliest_first(costs);
        let tasks: Vec<_> = writers
            .iter_mut()
            .zip(&leaves)
            .zip(costs.iter_mut())
            .collect();
        run_tasks(threads, tasks, &order, |((writer, leaf), cost)| {
            let started = std::time::Instant::now();
            writer.write(leaf)?;
            // A running average in microseconds, so one page flush does not decide.
            let took = started.elapsed().as_micros() as u64;
            *cost = (*cost * 3 + took) / 4;
            Ok(())
        })?;
        Ok(())
    }

    /// Writes the row group in progress out. Closing a column writer compresses its last
    /// pages and its dictionary: the columns are closed on the encoding threads, then their
    /// chunks are appended in order.
    fn flush(&mut self) -> parquet::errors::Result<()> {
        let Some((writers, _)) = self.in_progress.take() else {
            return Ok(());
        };
        let threads = self.threads.min(writers.len());
        self.costs.resize(writers.len(), 0);
        let order = costliest_first(&self.costs);
        let chunks = run_tasks(threads, writers, &order, ArrowColumnWriter::close)?;
        let mut row_group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut row_group)?;
        }
        row_group.close()?;
        Ok(())
    }

    /// Adds the row and reject counts to the metadata and writes the footer. Returns the number
    /// of row groups written. (Pass `&mut W` to [`ParquetWriter::try_new`] to keep the writer.)
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn finish(mut self, stats: &DecodeStats) -> Result<usize> {
        self.file.append_key_value_metadata(KeyValue::new(
            META_ROWS.to_string(),
            stats.rows.to_string(),
        ));
        self.file.append_key_value_metadata(KeyValue::new(
            META_REJECTED.to_string(),
            stats.rejected.to_string(),
        ));
        self.flush().map_err(parquet_error)?;
        let metadata = self.file.finish().map_err(parquet_error)?;
        Ok(metadata.num_row_groups())
    }
}

/// Reads every batch of `reader` and writes them as one Parquet file to `out`.
///
/// The rejects are dropped as they come (they stay counted in the summary's stats and the
/// file's metadata); use [`write_parquet_with_rejects`] to keep them.
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::parquet::{write_parquet, ParquetOptions};
///
/// let log = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
/// let mut reader = ReaderBuilder::new(Format::S3).build(log.as_bytes())?;
/// let mut out = Vec::new();
/// let summary = write_parquet(&mut reader, &mut out, &ParquetOptions::default())?;
/// assert_eq!(summary.stats.rows, 1);
/// assert_eq!(&out[..4], b"PAR1");
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
///
/// # Errors
///
/// Reader errors (I/O, gzip, fail-fast lines), Parquet and I/O errors on output. After a
/// reader error the rows read before it are still written and the file is finished (footer
/// and metadata), then the error is returned.
pub fn write_parquet<S: BatchSource + ?Sized, W: Write + Send>(
    reader: &mut S,
    out: W,
    options: &ParquetOptions,
) -> Result<ParquetSummary> {
    write_parquet_with_rejects(reader, out, options, |_| Ok(()))
}

/// Like [`write_parquet`], handing the rejects to `on_rejects` after each batch (in input
/// order), so that they can be written somewhere while memory stays bounded.
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::parquet::{write_parquet_with_rejects, ParquetOptions};
///
/// let log = "not a log line\n";
/// let mut reader = ReaderBuilder::new(Format::S3).build(log.as_bytes())?;
/// let mut kept = Vec::new();
/// write_parquet_with_rejects(&mut reader, Vec::new(), &ParquetOptions::default(), |r| {
///     kept.extend(r);
///     Ok(())
/// })?;
/// assert_eq!(kept[0].line(), 1);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
///
/// # Errors
///
/// As [`write_parquet`], and the errors of `on_rejects`.
pub fn write_parquet_with_rejects<S: BatchSource + ?Sized, W: Write + Send>(
    reader: &mut S,
    out: W,
    options: &ParquetOptions,
    on_rejects: impl FnMut(Vec<crate::Reject>) -> Result<()>,
) -> Result<ParquetSummary> {
    let mut writer = ParquetWriter::try_new(out, reader.schema(), reader.format(), options)?;
    let read = crate::reader::drain(reader, |batch| writer.write(batch), on_rejects)?;
    let stats = reader.stats();
    let row_groups = writer.finish(&stats)?;
    read?;
    Ok(ParquetSummary {
        stats,
        bytes_in: reader.bytes_read(),
        row_groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReaderBuilder;

    /// The file parquet's own `ArrowWriter` writes from the same batches and properties.
    fn with_arrow_writer(
        batches: &[arrow::array::RecordBatch],
        options: &ParquetOptions,
    ) -> Vec<u8> {
        let schema = batches[0].schema();
        let props = options.properties(Format::S3, &schema).unwrap();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).unwrap();
        for batch in batches {
            writer.write(batch).unwrap();
        }
        writer.append_key_value_metadata(KeyValue::new(META_ROWS.to_string(), "7".to_string()));
        writer.append_key_value_metadata(KeyValue::new(META_REJECTED.to_string(), "0".to_string()));
        writer.close().unwrap();
        out
    }

    #[test]
    fn the_same_bytes_as_arrow_writer_on_any_number_of_threads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/s3/quirks.log");
        let input = std::fs::read(path).unwrap().repeat(20);
        for batch_size in [3, 1000] {
            let batches: Vec<_> = ReaderBuilder::new(Format::S3)
                .with_batch_size(batch_size)
                .build(&input[..])
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let stats = DecodeStats {
                rows: 7,
                ..DecodeStats::default()
            };
            for options in [
                ParquetOptions::new(),
                ParquetOptions::new().with_max_row_group_rows(10),
                ParquetOptions::new().with_max_row_group_bytes(3000),
                ParquetOptions::new().with_bloom_filter(["key"]),
            ] {
                let expected = with_arrow_writer(&batches, &options);
                for threads in [1, 2, 3, 64] {
                    let mut out = Vec::new();
                    let options = options.clone().with_threads(threads);
                    let mut writer =
                        ParquetWriter::try_new(&mut out, batches[0].schema(), Format::S3, &options)
                            .unwrap();
                    for batch in &batches {
                        writer.write(batch).unwrap();
                    }
                    writer.finish(&stats).unwrap();
                    assert!(out == expected, "{options:?}, batches of {batch_size}");
                }
            }
        }
    }

    #[test]
    fn zero_threads_is_an_error() {
        let err = ParquetWriter::try_new(
            Vec::new(),
            Format::S3.schema().unwrap(),
            Format::S3,
            &ParquetOptions::new().with_threads(0),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
}
