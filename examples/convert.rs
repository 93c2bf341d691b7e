//! Converts an AWS access log to Parquet (or an Arrow IPC stream, or JSON lines).
//!
//! ```sh
//! cargo run --release --example convert -- fixtures/s3/quirks.log \
//!     -o quirks.parquet --rejects quirks.rejects.jsonl
//! cargo run --release --example convert -- --format cloudfront-realtime \
//!     --fields timestamp,c-ip,sc-status,cs-user-agent --decode cs_user_agent rt.log.gz -o rt.parquet
//! ```
//!
//! The format is detected from the input (`--format auto`, the default) unless given. Real-time
//! logs need their log configuration's field list (`--fields`).
//!
//! INPUT is a file (plain or gzip, detected by content) or `-` for stdin. Rejected and repaired
//! lines go to `--rejects` as JSON lines: `line` (1-based), `byte_offset`, `field`, `error`,
//! `outcome` (`rejected` or `repaired`) and `raw` (the line as text) or `raw_base64` (when the
//! line is not UTF-8). A one-line summary goes to stderr.
//!
//! Exit codes: 0 success, 1 failure, 2 usage error.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{Schema, TimestampMillisecondType};
use std::time::Instant;

use aws_access_logs::cloudfront::{FieldList, FieldOrder, UnknownFields};
use aws_access_logs::ipc::write_ipc_stream;
use aws_access_logs::parquet::{ParquetOptions, write_parquet_with_rejects};
use aws_access_logs::{ErrorKind, Format, ReaderBuilder, Reject};
use base64::Engine as _;
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Detect the format from the input's first lines.
    Auto,
    /// Amazon S3 server access logs.
    S3,
    /// Amazon CloudFront real-time logs (needs --fields).
    CloudfrontRealtime,
    /// Amazon CloudFront standard logs (W3C, with a #Fields: header).
    CloudfrontStandard,
}

impl FormatArg {
    fn format(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::S3 => Some(Format::S3),
            FormatArg::CloudfrontRealtime => Some(Format::CloudFrontRealtime),
            FormatArg::CloudfrontStandard => Some(Format::CloudFrontStandard),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// Parquet (zstd, dictionary, statistics, page index).
    Parquet,
    /// Arrow IPC stream.
    Arrow,
    /// JSON lines.
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FieldOrderArg {
    /// Sort the fields into AWS's canonical order (how AWS delivers them).
    Canonical,
    /// The records hold the fields in the order given.
    AsGiven,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum UnknownFieldsArg {
    /// An unknown field name is an error.
    Reject,
    /// An unknown field name becomes a text column (needs --field-order as-given).
    Text,
}

/// Convert an AWS access log to Parquet.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Input log file (plain text or gzip), or `-` for stdin.
    input: PathBuf,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    /// Output format: parquet, arrow (an Arrow IPC stream) or jsonl (JSON lines, for looking
    /// at the data).
    #[arg(long, value_enum, default_value = "parquet")]
    output_format: OutputFormat,
    /// Write a Parquet bloom filter for these columns (comma-separated column names).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    bloom_filter: Vec<String>,
    /// Log format (auto: detected from the input's first lines).
    #[arg(long, value_enum, default_value = "auto")]
    format: FormatArg,
    /// CloudFront real-time field list, as in the log configuration: `timestamp,c-ip,...`, the
    /// JSON of `aws cloudfront get-realtime-log-config`, or @FILE holding either.
    #[arg(long, value_name = "LIST|@FILE")]
    fields: Option<String>,
    /// Order of the --fields list: canonical (AWS's delivery order) or as-given.
    #[arg(long, value_enum, default_value = "canonical")]
    field_order: FieldOrderArg,
    /// What to do with unknown names in --fields.
    #[arg(long, value_enum, default_value = "reject")]
    unknown_fields: UnknownFieldsArg,
    /// Percent-decode these CloudFront text columns (comma-separated column names, e.g.
    /// cs_user_agent,cs_referer); values are stored as logged otherwise.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    decode: Vec<String>,
    /// Write rejected and repaired lines here, one JSON object per line.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Rows per record batch.
    #[arg(long, default_value_t = aws_access_logs::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// zstd compression level (1-22).
    #[arg(long, default_value_t = 3)]
    zstd_level: i32,
    /// Most rows per Parquet row group.
    #[arg(long, default_value_t = 1 << 20)]
    row_group_rows: usize,
    /// Most buffered (encoded) bytes per Parquet row group: bounds memory.
    #[arg(long, default_value_t = aws_access_logs::parquet::DEFAULT_MAX_ROW_GROUP_BYTES)]
    row_group_bytes: usize,
    /// Longest accepted line in bytes; longer lines are rejected.
    #[arg(long, default_value_t = aws_access_logs::DEFAULT_MAX_LINE_LENGTH)]
    max_line_length: usize,
}

fn reject_json(reject: &Reject) -> serde_json::Value {
    let mut obj = serde_json::json!({
        "line": reject.line(),
        "byte_offset": reject.byte_offset(),
        "field": reject.field(),
        "error": reject.error().to_string(),
        "outcome": reject.outcome().as_str(),
    });
    match std::str::from_utf8(reject.raw()) {
        Ok(text) => obj["raw"] = text.into(),
        Err(_) => {
            obj["raw_base64"] = base64::engine::general_purpose::STANDARD
                .encode(reject.raw())
                .into()
        }
    }
    obj
}

fn write_rejects(out: &mut Option<BufWriter<File>>, rejects: Vec<Reject>) -> std::io::Result<()> {
    if let Some(out) = out {
        for reject in &rejects {
            serde_json::to_writer(&mut *out, &reject_json(reject))?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn open_input(path: &Path) -> Result<Box<dyn Read>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

fn field_list(args: &Args) -> Result<Option<FieldList>, String> {
    let Some(spec) = &args.fields else {
        return Ok(None);
    };
    let text = match spec.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the field list {path}: {e}"))?,
        None => spec.clone(),
    };
    let order = match args.field_order {
        FieldOrderArg::Canonical => FieldOrder::Canonical,
        FieldOrderArg::AsGiven => FieldOrder::AsGiven,
    };
    let unknown = match args.unknown_fields {
        UnknownFieldsArg::Reject => UnknownFields::Reject,
        UnknownFieldsArg::Text => UnknownFields::Text,
    };
    FieldList::realtime_with(&text, order, unknown)
        .map(Some)
        .map_err(|e| format!("--fields: {e}"))
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let fields = field_list(args)?;
    let input = open_input(&args.input)?;
    let mut builder = match args.format.format() {
        Some(format) => ReaderBuilder::new(format),
        None => ReaderBuilder::auto(),
    };
    if let Some(fields) = fields {
        match args.format {
            FormatArg::S3 => {
                return Err(
                    "--fields is the field list of CloudFront real-time logs; S3 access \
                            logs have fixed fields"
                        .into(),
                );
            }
            FormatArg::CloudfrontStandard => {
                return Err(
                    "--fields is the field list of CloudFront real-time logs; standard \
                            logs name their fields in their #Fields: line"
                        .into(),
                );
            }
            FormatArg::Auto | FormatArg::CloudfrontRealtime => {}
        }
        builder = builder.with_fields(fields);
    }
    if !args.decode.is_empty() {
        if args.format == FormatArg::S3 {
            return Err("--decode applies to CloudFront logs".into());
        }
        builder = builder.with_percent_decoding(args.decode.iter().cloned());
    }
    let mut reader = builder
        .with_batch_size(args.batch_size)
        .with_max_line_length(args.max_line_length)
        .build(input)
        .map_err(|e| {
            let mut message = format!("{}: {e}", args.input.display());
            if e.kind() == ErrorKind::UnknownFormat {
                message.push_str(" (give --format)");
            }
            message
        })?;
    let format = reader.format();
    if let Some(name) = args
        .bloom_filter
        .iter()
        .find(|name| reader.schema().field_with_name(name).is_err())
    {
        return Err(format!(
            "--bloom-filter: {name:?} is not a column of {} ({format} log)",
            args.input.display()
        ));
    }
    let file = File::create(&args.output)
        .map_err(|e| format!("cannot create {}: {e}", args.output.display()))?;
    let mut out = BufWriter::new(file);
    let mut rejects_out = match &args.rejects {
        Some(path) => {
            Some(BufWriter::new(File::create(path).map_err(|e| {
                format!("cannot create {}: {e}", path.display())
            })?))
        }
        None => None,
    };
    let on_rejects = |rejects: Vec<Reject>| {
        write_rejects(&mut rejects_out, rejects).map_err(aws_access_logs::Error::from)
    };
    // On a read error (a truncated gzip stream, say) the rows before it are still written and
    // the output finished; the error is reported after the summary.
    let written = match args.output_format {
        OutputFormat::Parquet => {
            let mut options = ParquetOptions::new()
                .with_zstd_level(args.zstd_level)
                .with_max_row_group_rows(args.row_group_rows)
                .with_max_row_group_bytes(args.row_group_bytes);
            if !args.bloom_filter.is_empty() {
                options = options.with_bloom_filter(args.bloom_filter.iter().cloned());
            }
            write_parquet_with_rejects(&mut reader, &mut out, &options, on_rejects).map(|_| ())
        }
        OutputFormat::Arrow => write_ipc_stream(&mut reader, &mut out, on_rejects).map(|_| ()),
        OutputFormat::Jsonl => write_jsonl(&mut reader, &mut out, on_rejects),
    };
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    if let Some(rejects) = &mut rejects_out {
        rejects
            .flush()
            .map_err(|e| format!("cannot write rejects: {e}"))?;
    }
    let stats = reader.stats();

    let bytes_in = reader.bytes_read();
    let bytes_out = std::fs::metadata(&args.output)
        .map(|m| m.len())
        .unwrap_or(0);
    let secs = started.elapsed().as_secs_f64();
    let change = if bytes_in == 0 {
        "empty input".to_string()
    } else if bytes_out <= bytes_in {
        format!(
            "{:.1}% smaller",
            100.0 * (1.0 - bytes_out as f64 / bytes_in as f64)
        )
    } else {
        format!(
            "{:.1}% larger",
            100.0 * (bytes_out as f64 / bytes_in as f64 - 1.0)
        )
    };
    eprintln!(
        "convert: {}: {} lines: {} rows, {} rejected, {} repaired, {} skipped; {} bytes in, {} bytes out ({}); {:.3} s, {:.1} MB/s",
        format,
        stats.lines,
        stats.rows,
        stats.rejected,
        stats.repaired,
        stats.skipped(),
        bytes_in,
        bytes_out,
        change,
        secs,
        bytes_in as f64 / 1e6 / secs.max(1e-9),
    );
    written.map_err(|e| format!("{}: {e}", args.input.display()))
}

/// The batch with its `UTC` timestamps relabelled `+00:00` (the same instants), which the
/// JSON writer formats without a time zone database.
fn utc_as_offset(batch: RecordBatch) -> aws_access_logs::Result<RecordBatch> {
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        match column.as_primitive_opt::<TimestampMillisecondType>() {
            Some(ts) => {
                let ts = ts.clone().with_timezone("+00:00");
                fields.push(
                    field
                        .as_ref()
                        .clone()
                        .with_data_type(ts.data_type().clone()),
                );
                columns.push(Arc::new(ts) as ArrayRef);
            }
            None => {
                fields.push(field.as_ref().clone());
                columns.push(column.clone());
            }
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Writes the batches as JSON lines (one object per row; timestamps as RFC 3339 text).
fn write_jsonl<R: Read, W: Write>(
    reader: &mut aws_access_logs::Reader<R>,
    out: W,
    mut on_rejects: impl FnMut(Vec<Reject>) -> aws_access_logs::Result<()>,
) -> aws_access_logs::Result<()> {
    let mut writer = arrow_json::LineDelimitedWriter::new(out);
    loop {
        match reader.next_batch() {
            Ok(Some(batch)) => {
                writer.write(&utc_as_offset(batch)?)?;
                on_rejects(reader.take_rejects())?;
            }
            Ok(None) => break,
            Err(err) => {
                writer.finish()?;
                on_rejects(reader.take_rejects())?;
                return Err(err);
            }
        }
    }
    writer.finish()?;
    on_rejects(reader.take_rejects())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("convert: error: {message}");
            ExitCode::from(1)
        }
    }
}
