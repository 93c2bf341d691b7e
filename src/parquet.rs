//! Streaming Parquet output (feature `parquet`, on by default).
//!
//! [`write_parquet`] drains a [`Reader`](crate::Reader) or a
//! [`ParallelReader`](crate::ParallelReader) into any [`Write`]: zstd (level 3 by default),
//! dictionary encoding, page statistics and the page index, optional bloom filters, row groups
//! bounded by rows and by buffered bytes. The key-value metadata records the format, the field
//! list, the crate version, and the rows and rejected lines. The same input and options give
//! byte-identical output.
//!
//! Text columns (`text`) and dictionary-encoded integer columns (`integers`) are encoded by
//! this crate, around what they share (`chunk`: pages, statistics, page index, codec), into
//! the bytes parquet's writer would write for them (the same while a chunk is one page); the
//! other columns (timestamps, floats, columns with a bloom filter) by parquet's writer.

use std::io::Write;

use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;

mod chunk;
mod encoders;
mod integers;
mod rle;
mod text;

use encoders::{ColumnWriter, Encoders, LAG, Leaf};

use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::reader::BatchSource;
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
/// Metadata key present only in a file whose input could not be read to its end (a truncated
/// or corrupt gzip stream, an I/O error, a fail-fast reject): its value is the error, and the
/// file holds the rows decoded before it. A file without this key holds its whole input.
pub const META_INCOMPLETE: &str = "aws_access_logs.incomplete";

/// Default most rows per row group: 1 Mi.
pub const DEFAULT_MAX_ROW_GROUP_ROWS: usize = 1 << 20;
/// Default most buffered (encoded) bytes per row group: 32 MiB, which keeps a conversion's
/// peak memory under 128 MB.
pub const DEFAULT_MAX_ROW_GROUP_BYTES: usize = 32 << 20;

/// The compression codec of a Parquet file's column chunks (serialized as `{"zstd": 3}`,
/// `"snappy"` or `"none"`, feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ParquetCompression {
    /// zstd at a level from 1 to 22 (3 is the default: most of the size gain of higher levels at
    /// a fraction of the time). At levels 2 to 15 the per-record random ids (`host_id`,
    /// `request_id`, `x_edge_request_id`, `trace_id`) are compressed at zstd's fast level −2
    /// with Huffman-coded literals (level 1 with a bloom filter), which wrote them as small and
    /// faster: random text has no repeats for the higher levels to find.
    Zstd(i32),
    /// Snappy: faster to write and read, larger.
    Snappy,
    /// No compression (the encodings still apply).
    None,
}

/// Parquet writer settings. Serialized (feature `serde`) as an object of `compression`,
/// `max_row_group_rows`, `max_row_group_bytes`, `bloom_filter`, `threads` and
/// `max_pending_bytes`, the settings of the `with_*` methods.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ParquetOptions {
    compression: ParquetCompression,
    max_row_group_rows: usize,
    max_row_group_bytes: usize,
    bloom_filter: Vec<String>,
    threads: usize,
    max_pending_bytes: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            compression: ParquetCompression::Zstd(3),
            max_row_group_rows: DEFAULT_MAX_ROW_GROUP_ROWS,
            max_row_group_bytes: DEFAULT_MAX_ROW_GROUP_BYTES,
            bloom_filter: Vec::new(),
            threads: 1,
            max_pending_bytes: encoders::DEFAULT_MAX_PENDING_BYTES,
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
    /// writer holds a row group in memory until it is full. Schemas of more than 48 columns
    /// get a share of it in proportion to their column count (but at least 8 MiB, or the whole
    /// limit when it is smaller): 24 MiB of the default at 64 columns, 8 MiB at 192 and more.
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

    /// Threads that encode the columns (default 1: the caller's thread only). With more, the
    /// caller's thread and `threads - 1` helpers take the columns' work as it comes: each
    /// column's batches in order, any column's next batch, without waiting for every column at
    /// each batch, so that encoding and compression, which take about twice as long as parsing,
    /// use several cores. The caller's thread only helps with work that it waits for. The file
    /// is byte-identical whatever the number (see [`ParquetWriter`] for the row-group rule).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// With more than one thread ([`with_threads`](Self::with_threads)): the most Arrow bytes
    /// of batches queued for the helper threads and not yet encoded (default 40 MiB); past
    /// it, [`ParquetWriter::write`] waits for the oldest. Lower it when many writers are open
    /// at once (one per partition, say), so that their queues together stay small. The file
    /// is the same whatever the limit.
    pub fn with_max_pending_bytes(mut self, bytes: usize) -> Self {
        self.max_pending_bytes = bytes;
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
        builder = column_encodings(builder, schema, self.compression, &self.bloom_filter);
        builder = page_limits(builder, schema.fields().len());
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

/// Columns whose values are random per record (request ids; ALB's `trace_id`,
/// `Root=1-<time>-<random>`): a dictionary cannot help.
const RANDOM_ID_COLUMNS: [&str; 4] = ["host_id", "request_id", "x_edge_request_id", "trace_id"];

/// The zstd levels below this one compress the random-id columns at level 1 instead.
const RANDOM_ID_ZSTD_LEVEL_1_BELOW: i32 = 16;

/// The zstd level of the random-id columns this crate encodes itself ([`text`]): zstd's fast
/// level −2, with literals Huffman-coded.
const RANDOM_ID_FAST_LEVEL: i32 = -2;

/// The codec of the random-id columns, when it differs from the file's: zstd finds no repeats
/// in random text for its higher levels to look for, and at level 1 it wrote their pages
/// smaller than at levels 2, 3, 6, 9, 12 and 15, and faster (100 MB of generated S3 log:
/// 15.96 MB in all with them at level 1, 16.09 MB at 3, 16.15 MB at 6; one thread 0.41 s
/// against 0.45 s at 3). Level 19 made them 1% smaller, so the highest levels stay as asked.
/// With `fast` (a column of [`text`], which Huffman-codes the literals of negative levels) the
/// level is [`RANDOM_ID_FAST_LEVEL`] rather than 1: on 32 MB generated logs (the `zstd`
/// command's benchmark, `--fast=2 --compress-literals` against `-1`), S3's `host_id` compressed
/// 0.4% smaller 16% faster, CloudFront's `x_edge_request_id` to the same size 60% faster, S3's
/// `request_id` 2.5% larger at the same speed; level −3 made `x_edge_request_id` 2.4% larger.
fn random_id_compression(compression: ParquetCompression, fast: bool) -> Option<Compression> {
    match compression {
        ParquetCompression::Zstd(level) if (2..RANDOM_ID_ZSTD_LEVEL_1_BELOW).contains(&level) => {
            let level = if fast { RANDOM_ID_FAST_LEVEL } else { 1 };
            Some(Compression::ZSTD(
                ZstdLevel::try_new(level).expect("a zstd level"),
            ))
        }
        _ => None,
    }
}

/// Dictionary page size limit: large enough for the distinct keys, URIs and user agents of a
/// row group of real logs, small enough to keep memory bounded.
const DICTIONARY_PAGE_SIZE_LIMIT: usize = 4 << 20;

/// Per-column page limits: parquet's data page limits (20 000 rows and 1 MiB per data page)
/// and [`DICTIONARY_PAGE_SIZE_LIMIT`] up to [`crate::columns::FULL_LIMITS_UP_TO`] columns,
/// their share of the same totals beyond ([`crate::columns::wide_share`]), so that the buffers
/// each column writer holds (a page's dictionary indices at 8 bytes a row, a page's plain
/// values, a dictionary) stay bounded whatever the column count. S3 access logs have 28
/// columns and the real-time field list of `examples/generate` 45: their files are unchanged.
fn page_limits(
    builder: parquet::file::properties::WriterPropertiesBuilder,
    columns: usize,
) -> parquet::file::properties::WriterPropertiesBuilder {
    use crate::columns::wide_share;
    use parquet::file::properties::{DEFAULT_DATA_PAGE_ROW_COUNT_LIMIT, DEFAULT_PAGE_SIZE};
    builder
        .set_data_page_row_count_limit(wide_share(DEFAULT_DATA_PAGE_ROW_COUNT_LIMIT, columns, 1024))
        .set_data_page_size_limit(wide_share(DEFAULT_PAGE_SIZE, columns, 64 << 10))
        .set_dictionary_page_size_limit(wide_share(DICTIONARY_PAGE_SIZE_LIMIT, columns, 256 << 10))
}

/// Per-column encodings, chosen by type and by what the logs hold (none changes a value):
/// timestamps, which mostly increase, are delta-encoded; per-record random ids skip the
/// dictionary, and are compressed as [`random_id_compression`] says (parquet's writer, which
/// encodes the columns with a bloom filter, gets level 1); every other column is
/// dictionary-encoded.
fn column_encodings(
    mut builder: parquet::file::properties::WriterPropertiesBuilder,
    schema: &SchemaRef,
    compression: ParquetCompression,
    bloom_filter: &[String],
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
                let fast = !bloom_filter.iter().any(|name| name == field.name());
                if let Some(compression) = random_id_compression(compression, fast) {
                    builder = builder.set_column_compression(path.clone(), compression);
                }
                builder = builder.set_column_dictionary_enabled(path, false);
            }
            _ => {}
        }
    }
    builder
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

/// What [`write_parquet`] did (serialized as `{"stats": …, "bytes_in": …, "row_groups": …}`,
/// feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
///
/// The rule is that of parquet's `ArrowWriter`, except that the encoded size of the row group
/// is judged from its size two writes back (scaled to the rows since), so that the columns of
/// the next writes can be encoded while the last ones finish: the file is byte-identical on any
/// number of threads, and a row group may run over its byte limit by up to two batches.
pub struct ParquetWriter<W: Write + Send> {
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The row group being filled.
    group: Option<Group>,
    /// Row groups started so far.
    groups: usize,
    encoders: Encoders,
    max_rows: usize,
    max_bytes: usize,
    threads: usize,
    /// The writer properties (this crate's column writers read their settings there).
    props: std::sync::Arc<WriterProperties>,
    /// Which writer encodes each field.
    kinds: Vec<Kind>,
}

/// The writer of a field's column chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Parquet's writer (the field's leaves).
    Parquet,
    /// [`text`] (its one leaf).
    Text,
    /// [`integers`] (its one leaf).
    Integers,
}

/// A batch whose rows take more than this share of the row-group byte limit ([`row_bytes`])
/// is written in parts (of whole [`WRITE_ROWS_GRANULE`]s of rows): 8 MiB at the default
/// limit, which the batches of S3 and real-time logs stay under (8192 rows of 300–800 bytes).
const WRITES_PER_ROW_GROUP: usize = 4;

/// The bytes `batch`'s rows take, whatever their layout in memory: a text column what it
/// would take as `Utf8` holding just its values (value bytes, 4-byte offsets, validity), any
/// other column its values' width (and validity). This sizes the parts a batch is written in,
/// so that the file depends on the rows alone: the memory Arrow reports counts the spare
/// capacity of a builder's buffers, and for string views each data buffer a column points
/// into whole (all of a log body decoded where it lies, once per column).
fn row_bytes(batch: &arrow::array::RecordBatch) -> usize {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::DataType;
    batch
        .columns()
        .iter()
        .map(|column| {
            let rows = column.len();
            let validity = column.nulls().map_or(0, |_| rows.div_ceil(8));
            let values = match column.data_type() {
                DataType::Utf8 => {
                    let offsets = column.as_string::<i32>().value_offsets();
                    let text = offsets[rows] - offsets[0];
                    text as usize + 4 * (rows + 1)
                }
                DataType::Utf8View => {
                    // A view's first four bytes are its value's length.
                    let views = column.as_string_view().views();
                    let text: usize = views.iter().map(|&view| view as u32 as usize).sum();
                    text + 4 * (rows + 1)
                }
                DataType::Boolean => rows.div_ceil(8),
                other => match other.primitive_width() {
                    Some(width) => width * rows,
                    None => column.get_array_memory_size(),
                },
            };
            values + validity
        })
        .sum()
}

/// Parts of a batch are multiples of this many rows: parquet's write batch size, the unit in
/// which a column writer checks its page limits.
const WRITE_ROWS_GRANULE: usize = 1024;

/// The column writers may hold this many times the row-group byte limit in memory: a
/// dictionary's hash table and value ranges take 2–3 times the bytes of its values, and the
/// pages being filled more than their estimate (their dictionary indices are 8 bytes a
/// value). The encoded bytes reach their limit first on S3 and real-time logs (at 32 MiB of
/// encoded bytes their writers held 43 MB), so their files are unchanged.
const HELD_PER_BYTE: usize = 2;

/// Beyond [`crate::columns::FULL_LIMITS_UP_TO`] columns the row-group byte limit is shared out
/// in proportion to the column count, down to this floor: 8 MiB (the share of the 32 MiB
/// default at 192 columns). The column writers' buffers, the dictionaries' hash tables and
/// the pages being filled grow with the column count more than with the encoded bytes.
const MIN_WIDE_ROW_GROUP_BYTES: usize = 8 << 20;

/// A row group being filled.
struct Group {
    /// Its first write's number.
    first: u64,
    rows: usize,
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
    /// Invalid options, an unsigned integer column ([`ErrorKind::InvalidArgument`]: Athena,
    /// Spark and other Java readers cannot read unsigned Parquet integers, so this crate
    /// writes none; the crate's own schemas are signed throughout), or the Parquet writer
    /// refusing the schema.
    pub fn try_new(
        out: W,
        schema: SchemaRef,
        format: Format,
        options: &ParquetOptions,
    ) -> Result<Self> {
        if let Some(field) = schema
            .fields()
            .iter()
            .find(|f| f.data_type().is_unsigned_integer())
        {
            return Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "column {}: {} is unsigned, which Athena and Spark cannot read; \
                 cast it to a signed type",
                field.name(),
                field.data_type()
            )));
        }
        // Text columns are Parquet strings either way: string views are written, and read
        // back, as `Utf8`.
        let schema = crate::views::plain_schema(&schema);
        let props = options.properties(format, &schema)?;
        let (file, factory) = ArrowWriter::try_new(out, schema.clone(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(parquet_error)?;
        let columns = file.schema_descr().num_columns();
        let props = std::sync::Arc::clone(file.properties());
        let descr = file.schema_descr();
        let mut leaf = 0;
        let mut kinds = Vec::with_capacity(schema.fields().len());
        for (index, field) in schema.fields().iter().enumerate() {
            let leaves = (leaf..columns)
                .take_while(|&j| descr.get_column_root_idx(j) == index)
                .count();
            let kind = if leaves != 1 {
                Kind::Parquet
            } else if text::handles(field.data_type(), &descr.column(leaf), &props) {
                Kind::Text
            } else if integers::handles(field.data_type(), &descr.column(leaf), &props) {
                Kind::Integers
            } else {
                Kind::Parquet
            };
            kinds.push(kind);
            leaf += leaves;
        }
        Ok(ParquetWriter {
            file,
            factory,
            schema,
            group: None,
            groups: 0,
            encoders: Encoders::new(
                columns,
                options.threads.min(columns.max(1)),
                options.max_pending_bytes,
            ),
            max_rows: options.max_row_group_rows,
            max_bytes: crate::columns::wide_share(
                options.max_row_group_bytes,
                columns,
                MIN_WIDE_ROW_GROUP_BYTES,
            ),
            threads: options.threads,
            props,
            kinds,
        })
    }

    /// The column writers of the next row group.
    fn column_writers(&self) -> parquet::errors::Result<Vec<ColumnWriter>> {
        let descr = self.file.schema_descr();
        let mut kinds = self.kinds.iter();
        let mut root = None;
        self.factory
            .create_column_writers(self.groups)?
            .into_iter()
            .enumerate()
            .map(|(leaf, writer)| {
                let index = descr.get_column_root_idx(leaf);
                let kind = if root == Some(index) {
                    Kind::Parquet
                } else {
                    root = Some(index);
                    *kinds.next().expect("a kind per field")
                };
                Ok(match kind {
                    Kind::Text => ColumnWriter::Text(Box::new(text::TextColumnWriter::new(
                        descr.column(leaf),
                        &self.props,
                    )?)),
                    Kind::Integers => ColumnWriter::Integers(Box::new(
                        integers::IntegerColumnWriter::new(descr.column(leaf), &self.props)?,
                    )),
                    Kind::Parquet => ColumnWriter::Arrow(Box::new(writer)),
                })
            })
            .collect()
    }

    /// Writes one batch (buffered until a row group is full).
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn write(&mut self, batch: &arrow::array::RecordBatch) -> Result<()> {
        self.write_batch(batch).map_err(parquet_error)
    }

    /// Ends the row group in progress now, and returns once it is written out (its pages
    /// compressed, and every batch written so far let go), so that a writer that may get no
    /// rows for a while holds no row group in memory meanwhile. With no row group in progress,
    /// it only waits for those already ended. The file depends only on the batches written and
    /// where this is called, not on the number of threads.
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn end_row_group(&mut self) -> Result<()> {
        self.flush()
            .and_then(|()| self.append_closed(true))
            .map_err(parquet_error)
    }

    /// Whether a row group is in progress (rows written since the last one ended).
    pub fn in_row_group(&self) -> bool {
        self.group.is_some()
    }

    /// The row group rule of parquet's `ArrowWriter`: split where the rows reach the limit, or
    /// where the encoded bytes would, judged by the average row so far; here the bytes so far
    /// are estimated from the size [`LAG`] writes back.
    fn write_batch(&mut self, batch: &arrow::array::RecordBatch) -> parquet::errors::Result<()> {
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(());
        }
        // A large batch (long lines, many columns) is written in parts, so that the size of
        // the row group is judged often enough to hold its limits: the first writes of a row
        // group go in unjudged, and each write adds to the column writers at once.
        let memory = row_bytes(batch);
        let max_write = self.max_bytes / WRITES_PER_ROW_GROUP;
        let part = if memory > max_write {
            let part = (rows as u128 * max_write as u128 / memory as u128) as usize;
            (part / WRITE_ROWS_GRANULE * WRITE_ROWS_GRANULE).max(WRITE_ROWS_GRANULE)
        } else {
            rows
        };
        let mut offset = 0;
        while offset < rows {
            let len = part.min(rows - offset);
            let piece = batch.slice(offset, len);
            // The bytes of a part: its share of the batch's.
            let piece_memory = (memory as u128 * len as u128 / rows as u128) as usize;
            self.write_part(piece, piece_memory)?;
            offset += len;
        }
        Ok(())
    }

    /// Writes one part of a batch (`memory`: its share of the batch's Arrow memory).
    fn write_part(
        &mut self,
        batch: arrow::array::RecordBatch,
        memory: usize,
    ) -> parquet::errors::Result<()> {
        let part_rows = batch.num_rows();
        let mut remaining = batch;
        loop {
            let group = match &self.group {
                Some(group) => group,
                None => {
                    let writers = self.column_writers()?;
                    self.groups += 1;
                    self.encoders.start(writers);
                    self.group.insert(Group {
                        first: self.encoders.next_seq(),
                        rows: 0,
                    })
                }
            };
            let buffered_rows = group.rows;
            if buffered_rows >= self.max_rows {
                self.flush()?;
                continue;
            }
            let mut split_at = (buffered_rows + remaining.num_rows() > self.max_rows)
                .then(|| self.max_rows - buffered_rows);
            let candidate_rows = split_at.unwrap_or_else(|| remaining.num_rows());
            let next = self.encoders.next_seq();
            if next >= group.first + LAG {
                let snapshot = self.encoders.snapshot(next - LAG)?;
                // The encoded bytes, or the memory the column writers hold (dictionaries'
                // hash tables, page buffers), whichever is nearer its limit.
                let rows = snapshot.rows;
                let bytes = snapshot.bytes.max(snapshot.held / HELD_PER_BYTE);
                // The bytes so far: those known, and as many again per row for the rows since.
                let current_bytes =
                    bytes + (buffered_rows - rows) * bytes.checked_div(rows).unwrap_or(0);
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
            }
            let rest = split_at.map(|to_write| {
                let rest = remaining.slice(to_write, remaining.num_rows() - to_write);
                remaining = remaining.slice(0, to_write);
                rest
            });
            let share =
                (memory as u128 * remaining.num_rows() as u128 / part_rows as u128) as usize;
            self.encode(&remaining, share)?;
            self.append_closed(false)?;
            match rest {
                Some(rest) => remaining = rest,
                None => return Ok(()),
            }
        }
    }

    /// Queues `batch` (`memory` Arrow bytes) for the encoders, into the row group in progress.
    fn encode(
        &mut self,
        batch: &arrow::array::RecordBatch,
        memory: usize,
    ) -> parquet::errors::Result<()> {
        let group = self.group.as_mut().expect("a row group in progress");
        group.rows += batch.num_rows();
        let mut leaves = Vec::with_capacity(batch.num_columns());
        for ((field, column), &kind) in self
            .schema
            .fields()
            .iter()
            .zip(batch.columns())
            .zip(&self.kinds)
        {
            if kind != Kind::Parquet {
                leaves.push(Leaf::Array(std::sync::Arc::clone(column)));
            } else {
                leaves.extend(
                    compute_leaves(field.as_ref(), column)?
                        .into_iter()
                        .map(Leaf::Arrow),
                );
            }
        }
        self.encoders.write(leaves, group.rows, memory)
    }

    /// Ends the row group in progress: its columns are closed (which compresses their last
    /// pages and dictionaries) by the encoders; it is written out once they all are.
    fn flush(&mut self) -> parquet::errors::Result<()> {
        if self.group.take().is_some() {
            self.encoders.close()?;
        }
        self.append_closed(false)
    }

    /// Writes out the row groups whose columns are all closed, in order; with `wait`, every
    /// row group closed so far.
    fn append_closed(&mut self, wait: bool) -> parquet::errors::Result<()> {
        while let Some(chunks) = self.encoders.closed(wait)? {
            let mut row_group = self.file.next_row_group()?;
            for chunk in chunks {
                chunk.append_to_row_group(&mut row_group)?;
            }
            row_group.close()?;
        }
        Ok(())
    }

    /// Adds the row and reject counts to the metadata and writes the footer. Returns the number
    /// of row groups written. (Pass `&mut W` to [`ParquetWriter::try_new`] to keep the writer.)
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn finish(self, stats: &DecodeStats) -> Result<usize> {
        self.finish_inner(stats, None)
    }

    /// Like [`ParquetWriter::finish`] for an input that ended in `error` before its end: the
    /// file is finished with the rows written so far and records the error under
    /// [`META_INCOMPLETE`], so that a reader can tell it is not the whole input.
    ///
    /// # Errors
    ///
    /// Parquet or I/O errors.
    pub fn finish_incomplete(self, stats: &DecodeStats, error: &Error) -> Result<usize> {
        self.finish_inner(stats, Some(error.to_string()))
    }

    fn finish_inner(mut self, stats: &DecodeStats, incomplete: Option<String>) -> Result<usize> {
        if let Some(error) = incomplete {
            self.file
                .append_key_value_metadata(KeyValue::new(META_INCOMPLETE.to_string(), error));
        }
        self.file.append_key_value_metadata(KeyValue::new(
            META_ROWS.to_string(),
            stats.rows.to_string(),
        ));
        self.file.append_key_value_metadata(KeyValue::new(
            META_REJECTED.to_string(),
            stats.rejected.to_string(),
        ));
        self.flush()
            .and_then(|()| self.append_closed(true))
            .map_err(parquet_error)?;
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
/// and metadata, with the error under [`META_INCOMPLETE`]), then the error is returned.
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
    let row_groups = match &read {
        Ok(()) => writer.finish(&stats)?,
        Err(err) => writer.finish_incomplete(&stats, err)?,
    };
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

    fn batches(batch_size: usize) -> Vec<arrow::array::RecordBatch> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/s3/quirks.log");
        let input = std::fs::read(path).unwrap().repeat(20);
        ReaderBuilder::new(Format::S3)
            .with_batch_size(batch_size)
            .build(&input[..])
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn with_parquet_writer(
        batches: &[arrow::array::RecordBatch],
        options: &ParquetOptions,
    ) -> Vec<u8> {
        let stats = DecodeStats {
            rows: 7,
            ..DecodeStats::default()
        };
        let mut out = Vec::new();
        let mut writer =
            ParquetWriter::try_new(&mut out, batches[0].schema(), Format::S3, options).unwrap();
        for batch in batches {
            writer.write(batch).unwrap();
        }
        writer.finish(&stats).unwrap();
        out
    }

    fn row_group_rows(file: Vec<u8>) -> Vec<i64> {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let reader = SerializedFileReader::new(bytes::Bytes::from(file)).unwrap();
        reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect()
    }

    /// The rows of each row group, read back.
    fn read_back(file: Vec<u8>) -> Vec<arrow::array::RecordBatch> {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(file))
            .unwrap()
            .with_batch_size(usize::MAX)
            .build()
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Text columns are encoded by this crate, the others by parquet: while a column chunk is
    /// one page of text (under 1024 rows, where both writers end pages alike), the file is
    /// byte for byte the one parquet's `ArrowWriter` writes — dictionary, indices, levels,
    /// statistics, page index — and on any number of threads. (Not at zstd levels 2 to 15,
    /// where this crate compresses the random ids at a level parquet's codec writes larger;
    /// with a bloom filter, parquet's writer encodes them at level 1.)
    #[test]
    fn the_same_bytes_as_arrow_writer_on_any_number_of_threads() {
        for batch_size in [3, 1000] {
            let batches = batches(batch_size);
            for options in [
                ParquetOptions::new().with_zstd_level(1),
                ParquetOptions::new().with_bloom_filter(["host_id", "request_id"]),
                ParquetOptions::new()
                    .with_max_row_group_rows(10)
                    .with_bloom_filter(["host_id", "request_id"]),
                ParquetOptions::new().with_bloom_filter(["key", "host_id", "request_id"]),
                ParquetOptions::new().with_zstd_level(16),
                ParquetOptions::new().with_compression(ParquetCompression::Snappy),
                ParquetOptions::new().with_compression(ParquetCompression::None),
            ] {
                let expected = with_arrow_writer(&batches, &options);
                for threads in [1, 2, 3, 64] {
                    let options = options.clone().with_threads(threads);
                    let out = with_parquet_writer(&batches, &options);
                    assert!(out == expected, "{options:?}, batches of {batch_size}");
                }
            }
        }
    }

    /// Beyond one page the page ends differ (parquet checks its page limits at each write
    /// of up to 20 000 rows, this crate every 1024 rows), not the rows.
    #[test]
    fn the_same_rows_as_arrow_writer_on_many_pages() {
        let batches = batches(1000);
        let batches: Vec<_> = batches.iter().cycle().take(200).cloned().collect();
        let options = ParquetOptions::new();
        let arrow_file = with_arrow_writer(&batches, &options);
        let expected = read_back(arrow_file.clone());
        let out = with_parquet_writer(&batches, &options);
        assert_eq!(read_back(out.clone()), expected);
        // Integer chunks of many pages: the same statistics as parquet's writer, and within a
        // few bytes of its encoded size (its pages run over their 20 000 rows to the end of a
        // write, these end at 20 000; compressed, this periodic input can differ more).
        let integer_chunks = |file: Vec<u8>| {
            use parquet::file::reader::{FileReader, SerializedFileReader};
            let reader = SerializedFileReader::new(bytes::Bytes::from(file)).unwrap();
            let metadata = reader.metadata().clone();
            let mut chunks = Vec::new();
            for group in metadata.row_groups() {
                for column in group.columns() {
                    use parquet::basic::{LogicalType, Type};
                    let descr = column.column_descr();
                    if matches!(descr.physical_type(), Type::INT32 | Type::INT64)
                        && !matches!(
                            descr.logical_type_ref(),
                            Some(LogicalType::Timestamp { .. })
                        )
                    {
                        chunks.push((
                            column.column_path().string(),
                            column.compressed_size(),
                            column.uncompressed_size(),
                            column.statistics().cloned(),
                            column.page_encoding_stats_mask().cloned(),
                        ));
                    }
                }
            }
            chunks
        };
        let ours = integer_chunks(out.clone());
        assert!(ours.len() >= 5, "{ours:?}");
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert!(rows > 20_000, "more than one page: {rows} rows");
        let theirs = integer_chunks(arrow_file);
        assert_eq!(ours.len(), theirs.len());
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!((&a.0, &a.3, &a.4), (&b.0, &b.3, &b.4));
            assert!((a.2 - b.2).abs() * 100 <= b.2, "{a:?} against {b:?}");
        }
        for threads in [2, 3] {
            let again = with_parquet_writer(&batches, &options.clone().with_threads(threads));
            assert!(again == out, "{threads} threads");
        }
    }

    /// Row groups cut by their encoded size: judged [`LAG`] writes late, so not where
    /// `ArrowWriter` cuts them, but at most that many writes later or earlier, and the same
    /// bytes on any number of threads.
    #[test]
    fn row_groups_cut_by_bytes_the_same_on_any_number_of_threads() {
        for batch_size in [3, 7] {
            let batches = batches(batch_size);
            let options = ParquetOptions::new().with_max_row_group_bytes(3000);
            let arrow_writer = row_group_rows(with_arrow_writer(&batches, &options));
            let expected = with_parquet_writer(&batches, &options);
            let ours = row_group_rows(expected.clone());
            assert!(ours.len() > 2, "{ours:?}");
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            assert_eq!(ours.iter().sum::<i64>(), rows as i64);
            let drift = (ours[0] - arrow_writer[0]).unsigned_abs();
            assert!(
                drift <= LAG * batch_size as u64,
                "first row group: {ours:?} against {arrow_writer:?}"
            );
            for threads in [2, 3, 64] {
                let out = with_parquet_writer(&batches, &options.clone().with_threads(threads));
                assert!(
                    out == expected,
                    "{threads} threads, batches of {batch_size}"
                );
            }
        }
    }

    /// Output that fails after `left` bytes.
    struct Failing {
        left: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.left {
                return Err(std::io::Error::other("disk full"));
            }
            self.left -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A writer dropped half-way, or whose output fails, stops its encoding threads and
    /// returns: no hang, no panic.
    #[test]
    fn encoding_threads_end_with_the_writer() {
        let batches = batches(3);
        let options = ParquetOptions::new()
            .with_max_row_group_rows(30)
            .with_threads(4);
        let mut writer =
            ParquetWriter::try_new(Vec::new(), batches[0].schema(), Format::S3, &options).unwrap();
        for batch in &batches[..batches.len() / 2] {
            writer.write(batch).unwrap();
        }
        drop(writer);
        let out = Failing { left: 5000 };
        let mut writer =
            ParquetWriter::try_new(out, batches[0].schema(), Format::S3, &options).unwrap();
        let result = batches
            .iter()
            .try_for_each(|batch| writer.write(batch))
            .and_then(|()| writer.finish(&DecodeStats::default()));
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parquet);
        assert!(err.to_string().contains("disk full"), "{err}");
    }

    /// The random-id columns are compressed with zstd level 1 at levels 2 to 15 (where that
    /// wrote them smaller), every other column at the level asked.
    ///
    /// Level 1 where parquet's writer encodes them (with a bloom filter), the fast level −2
    /// with Huffman-coded literals where this crate does.
    #[test]
    fn random_ids_at_zstd_level_1_below_level_16() {
        let zstd = |level| Compression::ZSTD(ZstdLevel::try_new(level).unwrap());
        let s3 = Format::S3.schema().unwrap();
        let realtime =
            crate::cloudfront::FieldList::realtime("timestamp,c-ip,x-edge-request-id,cs-uri-stem")
                .unwrap()
                .schema();
        let cases = [
            (ParquetCompression::Zstd(3), zstd(-2), zstd(3)),
            (ParquetCompression::Zstd(2), zstd(-2), zstd(2)),
            (ParquetCompression::Zstd(15), zstd(-2), zstd(15)),
            (ParquetCompression::Zstd(1), zstd(1), zstd(1)),
            (ParquetCompression::Zstd(16), zstd(16), zstd(16)),
            (ParquetCompression::Zstd(19), zstd(19), zstd(19)),
            (
                ParquetCompression::Snappy,
                Compression::SNAPPY,
                Compression::SNAPPY,
            ),
            (
                ParquetCompression::None,
                Compression::UNCOMPRESSED,
                Compression::UNCOMPRESSED,
            ),
        ];
        for (asked, ids, others) in cases {
            let options = ParquetOptions::new().with_compression(asked);
            let props = options.properties(Format::S3, &s3).unwrap();
            for id in ["host_id", "request_id"] {
                assert_eq!(
                    props.compression(&ColumnPath::from(id)),
                    ids,
                    "{asked:?} {id}"
                );
            }
            for other in ["bucket", "key", "user_agent", "time"] {
                assert!(s3.field_with_name(other).is_ok(), "{other}");
                assert_eq!(
                    props.compression(&ColumnPath::from(other)),
                    others,
                    "{asked:?}"
                );
            }
            let props = options
                .properties(Format::CloudFrontRealtime, &realtime)
                .unwrap();
            let id = ColumnPath::from("x_edge_request_id");
            assert_eq!(props.compression(&id), ids, "{asked:?}");
            assert_eq!(props.compression(&ColumnPath::from("c_ip")), others);
            let alb = Format::Alb.schema().unwrap();
            let props = options.properties(Format::Alb, &alb).unwrap();
            let id = ColumnPath::from("trace_id");
            assert_eq!(props.compression(&id), ids, "{asked:?}");
            assert!(!props.dictionary_enabled(&id));
            let conn = ColumnPath::from("conn_trace_id");
            assert_eq!(props.compression(&conn), others, "{asked:?}");
            assert!(props.dictionary_enabled(&conn));
            let props = options
                .clone()
                .with_bloom_filter(["request_id"])
                .properties(Format::S3, &s3)
                .unwrap();
            let level_1 = if ids == zstd(-2) { zstd(1) } else { ids };
            assert_eq!(props.compression(&ColumnPath::from("request_id")), level_1);
            assert_eq!(props.compression(&ColumnPath::from("host_id")), ids);
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
