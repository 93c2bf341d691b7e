//! The writers of the three output formats, and the sink each one writes to (a file being
//! written, or stdout).

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{Schema, SchemaRef, TimestampMicrosecondType, TimestampMillisecondType};
use arrow::ipc::writer::StreamWriter;
use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
use aws_access_logs::{DecodeStats, Format};

use crate::partial::PartialFile;
use crate::plan::Target;

/// Where batches go: a file being written, or stdout.
pub type Sink = Box<dyn Write + Send>;

/// Counts the bytes written through it.
pub struct CountingWriter<W> {
    pub inner: W,
    pub count: Arc<AtomicU64>,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The output format's writer.
pub enum BatchWriter {
    Parquet(Box<ParquetWriter<BufWriter<Sink>>>),
    Arrow(Box<StreamWriter<BufWriter<Sink>>>),
    Jsonl(Box<arrow_json::LineDelimitedWriter<BufWriter<Sink>>>),
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Parquet (zstd, dictionary, statistics, page index).
    Parquet,
    /// Arrow IPC stream.
    Arrow,
    /// JSON lines (one object per row, timestamps as RFC 3339 text).
    Jsonl,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Parquet => "parquet",
            OutputFormat::Arrow => "arrow",
            OutputFormat::Jsonl => "jsonl",
        }
    }
}

impl BatchWriter {
    pub fn new(
        output_format: OutputFormat,
        out: Sink,
        schema: SchemaRef,
        format: Format,
        options: &ParquetOptions,
    ) -> Result<Self, String> {
        let out = BufWriter::with_capacity(1 << 20, out);
        Ok(match output_format {
            OutputFormat::Parquet => BatchWriter::Parquet(Box::new(
                ParquetWriter::try_new(out, schema, format, options).map_err(|e| e.to_string())?,
            )),
            OutputFormat::Arrow => BatchWriter::Arrow(Box::new(
                StreamWriter::try_new(out, &schema).map_err(|e| e.to_string())?,
            )),
            OutputFormat::Jsonl => {
                BatchWriter::Jsonl(Box::new(arrow_json::LineDelimitedWriter::new(out)))
            }
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        match self {
            BatchWriter::Parquet(w) => w.write(batch).map_err(|e| e.to_string()),
            BatchWriter::Arrow(w) => w.write(batch).map_err(|e| e.to_string()),
            BatchWriter::Jsonl(w) => utc_as_offset(batch)
                .and_then(|b| w.write(&b))
                .map_err(|e| e.to_string()),
        }
    }

    /// Finishes the output (footer, metadata) and flushes it. `incomplete`: the error that
    /// stopped the input early, recorded in a Parquet file's metadata
    /// ([`META_INCOMPLETE`](aws_access_logs::parquet::META_INCOMPLETE)); the other formats
    /// have no place for it (the summary says it).
    pub fn finish(
        self,
        stats: &DecodeStats,
        incomplete: Option<&aws_access_logs::Error>,
    ) -> Result<(), String> {
        let out = match self {
            BatchWriter::Parquet(w) => {
                // The writer owns the buffered output: finish writes the footer and flushes.
                let finished = match incomplete {
                    Some(error) => w.finish_incomplete(stats, error),
                    None => w.finish(stats),
                };
                return finished.map(|_| ()).map_err(|e| e.to_string());
            }
            BatchWriter::Arrow(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner().map_err(|e| e.to_string())?
            }
            BatchWriter::Jsonl(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner()
            }
        };
        let mut out = out;
        out.flush().map_err(|e| e.to_string())
    }
}

/// The batch with its `UTC` timestamps relabelled `+00:00` (the same instants), which the
/// JSON writer formats without a time zone database.
fn utc_as_offset(batch: &RecordBatch) -> Result<RecordBatch, arrow::error::ArrowError> {
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let relabelled: Option<ArrayRef> =
            match column.as_primitive_opt::<TimestampMillisecondType>() {
                Some(ts) => Some(Arc::new(ts.clone().with_timezone("+00:00"))),
                None => column
                    .as_primitive_opt::<TimestampMicrosecondType>()
                    .map(|ts| Arc::new(ts.clone().with_timezone("+00:00")) as ArrayRef),
            };
        match relabelled {
            Some(ts) => {
                fields.push(
                    field
                        .as_ref()
                        .clone()
                        .with_data_type(ts.data_type().clone()),
                );
                columns.push(ts);
            }
            None => {
                fields.push(field.as_ref().clone());
                columns.push(column.clone());
            }
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

/// The output sink for `target`, and the file to commit when done.
pub fn open_target(
    target: &Target,
    force: bool,
) -> Result<(Sink, Option<PartialFile>, Arc<AtomicU64>), String> {
    let written = Arc::new(AtomicU64::new(0));
    match target {
        Target::Stdout => Ok((
            Box::new(CountingWriter {
                inner: std::io::stdout(),
                count: written.clone(),
            }),
            None,
            written,
        )),
        Target::File(path) => {
            let (partial, file) = PartialFile::create(path, force)?;
            Ok((
                Box::new(CountingWriter {
                    inner: file,
                    count: written.clone(),
                }),
                Some(partial),
                written,
            ))
        }
        Target::Table(_) => Err("a table is written by partitioned::convert (a bug)".into()),
    }
}

pub fn target_name(target: &Target) -> String {
    match target {
        Target::Stdout => "stdout".into(),
        Target::File(path) => path.display().to_string(),
        Target::Table(name) => format!("the {name}.parquet files"),
    }
}
