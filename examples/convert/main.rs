//! Converts AWS access logs — files, directories or stdin, plain or gzip — to Parquet (or an
//! Arrow IPC stream, or JSON lines).
//!
//! ```sh
//! cargo run --release --example convert -- fixtures/s3/quirks.log -o quirks.parquet
//! cargo run --release --example convert -- logs/ -o parquet/ --rejects rejects.jsonl
//! cargo run --release --example convert -- --fields @realtime.config.json rt/ -o rt.parquet --merge
//! cargo run --release --example convert -- --partition-by hour logs/ -o table/
//! ```
//!
//! Run it with `--help` for every option. Exit codes: 0 success, 1 an input failed (or was
//! cut short: its output is marked incomplete), 2 usage error, 3 an input's rejected lines
//! exceeded `--max-reject-ratio`, 130 interrupted.

mod output;
mod partitioned;
mod plan;
mod report;

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::datatypes::SchemaRef;
use aws_access_logs::cloudfront::{FieldList, FieldOrder, UnknownFields};
use aws_access_logs::parquet::{ParquetCompression, ParquetOptions};
use aws_access_logs::partition::Granularity;
use aws_access_logs::{ErrorKind, Format, ParallelReader, ReaderBuilder, Reject};
use base64::Engine as _;
use clap::{CommandFactory, Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use output::{BatchWriter, CountingWriter, OutputFormat, PartialFile, Sink};
use plan::Input;
use report::{InputReport, RunReport, Status, Total};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Detect each input's format from its first lines.
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

/// Convert AWS access logs (S3 server access logs, CloudFront real-time and standard logs) to
/// Parquet.
///
/// Inputs are files, directories (walked recursively, hidden entries skipped, symlinks
/// followed) or `-` for stdin; gzip or plain text is detected by content. A file reached
/// through several paths (symlinks, hard links: the same device and inode) is converted once,
/// and a directory walked once. With one input (or --merge) -o names the output file;
/// otherwise -o is a directory that receives one output per input, mirroring the inputs'
/// relative paths with `.gz`/`.log` replaced by the output's extension. An output is never an
/// input, whatever --force says. Outputs are written under a temporary name, synced to disk
/// and renamed when complete. An input cut short (truncated gzip, read error) still has its
/// rows written: its status is `incomplete`, and a Parquet output records the error under the
/// `aws_access_logs.incomplete` metadata key.
///
/// With --partition-by hour|day, -o DIR receives a Hive-partitioned table, the layout of the
/// Lambda's output: DIR/FORMAT/year=YYYY/month=MM/day=DD[/hour=HH]/NAME.parquet, FORMAT being
/// s3-access, cloudfront-realtime or cloudfront-standard and NAME the input's path relative to
/// its argument with its folders joined by `__` (`2019/02/a.log.gz` → `2019__02__a`). Each
/// row goes to the partition of its record time (UTC); rows without a time to the
/// year=__HIVE_DEFAULT_PARTITION__/... folders. An input gives one file per partition its rows
/// fall in, all written (or, if it fails, none); its rejected and repaired lines go to
/// DIR/_rejects/FORMAT/NAME.jsonl.gz, outside the table. Running again over the same inputs
/// (with --force) writes the same files.
///
/// Exit codes: 0 success; 1 an input failed or was cut short (the others are still converted
/// unless --fail-fast); 2 usage error; 3 an input's rejected lines exceeded --max-reject-ratio
/// (its output is still written); 130 interrupted (partial outputs removed).
#[derive(Debug, Parser)]
#[command(name = "convert", version, max_term_width = 100)]
struct Args {
    /// Input files or directories, or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output file (one input, or --merge), directory (one output per input, or the table of
    /// --partition-by), or `-` for stdout.
    #[arg(short, long, value_name = "FILE|DIR")]
    output: PathBuf,
    /// Write all inputs into the one output file given by -o (they must have the same
    /// schema).
    #[arg(long, conflicts_with = "partition_by")]
    merge: bool,
    /// Write a table partitioned by each row's record time (UTC), by the hour or by the day,
    /// into -o DIR: the layout of the Lambda's output (see above). Parquet output only. At
    /// most 32 files are written at once (memory stays bounded): the partitions beyond are
    /// written by further passes over the input, which is read again (stdin is copied into DIR
    /// meanwhile); a log in time order takes two passes whatever it spans.
    #[arg(long, value_name = "hour|day", value_parser = parse_granularity)]
    partition_by: Option<Granularity>,
    /// With --partition-by: most partition files being written at once, shared by the inputs
    /// converted side by side (bounds memory and open files; partitions beyond are written by
    /// further passes over the input; the files are the same whatever the number).
    #[arg(long, hide = true, value_name = "N", default_value_t = partitioned::DEFAULT_OPEN_PARTITIONS,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    open_partitions: u32,
    /// With --partition-by: every this many rows of an input, the row group of each partition
    /// file being written is ended (bounds memory whatever the number of partitions; the
    /// files depend on it).
    #[arg(long, hide = true, value_name = "ROWS", default_value_t = partitioned::CHECKPOINT_ROWS,
          value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_rows: u64,
    /// Overwrite existing outputs (and --rejects, --summary-json files), never an input.
    #[arg(long)]
    force: bool,
    /// Log format.
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
    /// Output format: parquet, arrow (an Arrow IPC stream) or jsonl (JSON lines, for looking
    /// at the data).
    #[arg(long, value_enum, default_value = "parquet")]
    output_format: OutputFormat,
    /// Parquet compression: zstd[:LEVEL] (level 1-22, default 3), snappy or none.
    #[arg(long, value_name = "CODEC", value_parser = parse_compression)]
    compression: Option<ParquetCompression>,
    /// Most rows per Parquet row group.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::parquet::DEFAULT_MAX_ROW_GROUP_ROWS)]
    row_group_rows: usize,
    /// Most buffered (encoded) bytes per Parquet row group: bounds memory.
    #[arg(long, value_name = "BYTES", default_value_t = aws_access_logs::parquet::DEFAULT_MAX_ROW_GROUP_BYTES)]
    row_group_bytes: usize,
    /// Write a Parquet bloom filter for these columns (comma-separated column names).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    bloom_filter: Vec<String>,
    /// Rows per record batch.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// Segment size for splitting an input between threads (a tuning knob; outputs depend
    /// on it, not on the thread count).
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = aws_access_logs::DEFAULT_SEGMENT_SIZE)]
    segment_size: usize,
    /// Most decompressed bytes per compressed byte of a gzip input, once 16 MiB are
    /// decompressed: a gzip bomb is refused. Raise it for legitimate, very repetitive logs.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::DEFAULT_MAX_GZIP_RATIO,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_gzip_ratio: u64,
    /// Longest accepted line in bytes; longer lines are rejected.
    #[arg(long, value_name = "BYTES", default_value_t = aws_access_logs::DEFAULT_MAX_LINE_LENGTH)]
    max_line_length: usize,
    /// Write rejected and repaired lines here, one JSON object per line (in input order).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Exit with code 3 when an input's rejected lines exceed this share of its data lines
    /// (rows + rejected); its output is still written.
    #[arg(long, value_name = "R", value_parser = parse_ratio)]
    max_reject_ratio: Option<f64>,
    /// Threads [default: the available cores]. Inputs are converted in parallel, and each
    /// input is decoded in 4 MiB segments on its share of the threads; outputs are identical
    /// for any thread count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Stop at the first input that fails (the outputs already complete are kept; with
    /// --merge, nothing is written).
    #[arg(long)]
    fail_fast: bool,
    /// Show the progress bar even when stderr is not a terminal.
    #[arg(long, conflicts_with = "quiet")]
    progress: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// Write the summary (per input and total) as JSON to this file.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
}

fn parse_compression(text: &str) -> Result<ParquetCompression, String> {
    let (codec, level) = match text.split_once(':') {
        Some((codec, level)) => (codec, Some(level)),
        None => (text, None),
    };
    match (codec, level) {
        ("zstd", None) => Ok(ParquetCompression::Zstd(3)),
        ("zstd", Some(level)) => match level.parse::<i32>() {
            Ok(level @ 1..=22) => Ok(ParquetCompression::Zstd(level)),
            _ => Err(format!("zstd level {level:?}: give 1 to 22")),
        },
        ("snappy", None) => Ok(ParquetCompression::Snappy),
        ("none", None) => Ok(ParquetCompression::None),
        _ => Err("give zstd, zstd:LEVEL (1-22), snappy or none".into()),
    }
}

fn parse_granularity(text: &str) -> Result<Granularity, String> {
    text.parse().map_err(|_| "give hour or day".to_string())
}

fn parse_ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("give a ratio from 0 to 1 (0.01 = 1% of the data lines)".into()),
    }
}

/// Inputs from this size (as stored) are converted one at a time on all threads; smaller ones
/// side by side, sharing the threads.
const LARGE_INPUT: u64 = 64 << 20;

/// What to do about a truncated or corrupt gzip input.
const GZIP_HINT: &str = " (is the file complete? download it again)";
/// What to do about a gzip input refused by the ratio limit.
const RATIO_HINT: &str = " (if the file is a legitimate, very repetitive log, give --max-gzip-ratio with a higher \
     value)";

/// The hint for a read error of this kind.
fn read_error_hint(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Gzip => GZIP_HINT,
        ErrorKind::DecompressionLimit => RATIO_HINT,
        _ => "",
    }
}

/// Writes a line to stderr; a failing stderr (`2>/dev/full`, a closed pipe) is ignored: the
/// outputs, the summary JSON and the exit code still say what happened.
fn err_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(line.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// Set when the run must stop: an interrupt, or a failure with --fail-fast.
static STOP: AtomicBool = AtomicBool::new(false);

/// Set by the interrupt handler, before it cleans up and exits with 130.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// After an interrupt, waits for the handler to exit with 130, so that the main thread, which
/// stops early once it sees [`STOP`], never exits first with another code.
fn wait_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// A usage error: printed with the usage line, exit code 2.
fn usage(message: impl std::fmt::Display) -> ! {
    Args::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .exit()
}

/// Where one input's output goes.
#[derive(Debug, Clone)]
enum Target {
    File(PathBuf),
    Stdout,
    /// With --partition-by: the files of this name in the table under -o.
    Table(String),
}

/// What every conversion shares.
struct Ctx {
    args: Args,
    builder: ReaderBuilder,
    parquet: ParquetOptions,
    progress: ProgressBar,
    rows: AtomicU64,
    started: Instant,
    /// Per input: its rejects, written to a temporary file and joined in input order at the
    /// end (so the rejects file is the same whatever the thread count).
    rejects_dir: Option<PathBuf>,
    /// The inputs' identities, which no output may have.
    input_ids: std::collections::HashSet<plan::FileId>,
}

impl Ctx {
    /// Prints a line without tearing the progress bar.
    fn say(&self, line: &str) {
        self.progress.suspend(|| err_line(line));
    }

    /// Counts `rows` converted, for the rate shown by the progress bar (with `note` after it).
    fn count_rows(&self, rows: usize, note: Option<&str>) {
        let rows = self.rows.fetch_add(rows as u64, Ordering::Relaxed) + rows as u64;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = rows as f64 / secs;
        self.progress.set_message(match note {
            Some(note) => format!("{rate:.0} rows/s, {note}"),
            None => format!("{rate:.0} rows/s"),
        });
    }
}

/// Counts the bytes read from an input (for the progress bar and the summary; a hidden bar for
/// a further pass over the same input).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    progress: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.inc(n as u64);
        Ok(n)
    }
}

fn field_list(args: &Args) -> Option<FieldList> {
    let spec = args.fields.as_ref()?;
    let text = match spec.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .unwrap_or_else(|e| usage(format!("--fields: cannot read {path}: {e}"))),
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
    Some(
        FieldList::realtime_with(&text, order, unknown)
            .unwrap_or_else(|e| usage(format!("--fields: {e}"))),
    )
}

/// Checks the options that do not depend on the inputs, and builds the reader builder.
fn reader_builder(args: &Args) -> ReaderBuilder {
    let mut builder = match args.format.format() {
        Some(format) => ReaderBuilder::new(format),
        None => ReaderBuilder::auto(),
    };
    if let Some(fields) = field_list(args) {
        match args.format {
            FormatArg::S3 => usage(
                "--fields is the field list of CloudFront real-time logs; S3 access logs have \
                 fixed fields",
            ),
            FormatArg::CloudfrontStandard => usage(
                "--fields is the field list of CloudFront real-time logs; standard logs name \
                 their fields in their #Fields: line",
            ),
            FormatArg::Auto | FormatArg::CloudfrontRealtime => {}
        }
        builder = builder.with_fields(fields);
    }
    if !args.decode.is_empty() {
        if args.format == FormatArg::S3 {
            usage("--decode applies to CloudFront logs");
        }
        builder = builder.with_percent_decoding(args.decode.iter().cloned());
    }
    builder = builder
        .with_batch_size(args.batch_size)
        .with_max_line_length(args.max_line_length)
        .with_max_gzip_ratio(args.max_gzip_ratio)
        .with_segment_size(args.segment_size);
    if args.segment_size == 0 {
        usage("--segment-size must be at least 1");
    }
    // Invalid sizes are usage errors (the builder says which).
    if let Some(format) = args.format.format()
        && format != Format::CloudFrontStandard
        && let Err(e) = builder.schema()
    {
        usage(e);
    }
    builder
}

fn parquet_options(args: &Args) -> ParquetOptions {
    if args.output_format != OutputFormat::Parquet
        && (args.compression.is_some() || !args.bloom_filter.is_empty())
    {
        usage("--compression and --bloom-filter apply to Parquet output");
    }
    let mut options = ParquetOptions::new()
        .with_compression(args.compression.unwrap_or(ParquetCompression::Zstd(3)))
        .with_max_row_group_rows(args.row_group_rows)
        .with_max_row_group_bytes(args.row_group_bytes);
    if !args.bloom_filter.is_empty() {
        options = options.with_bloom_filter(args.bloom_filter.iter().cloned());
    }
    options
}

fn draw_target(args: &Args) -> ProgressDrawTarget {
    if args.quiet {
        ProgressDrawTarget::hidden()
    } else if args.progress {
        ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 4)
    } else {
        // Hidden unless stderr is a terminal.
        ProgressDrawTarget::stderr_with_hz(10)
    }
}

/// The spinner shown while the inputs are listed (a large tree, or a slow file system, can
/// take a while).
fn listing_bar(args: &Args) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, draw_target(args));
    if let Ok(style) = ProgressStyle::with_template("{spinner} listing the inputs: {pos} files") {
        bar.set_style(style);
    }
    bar.tick();
    bar
}

fn progress_bar(args: &Args, total: Option<u64>) -> ProgressBar {
    let target = draw_target(args);
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), target),
            "{spinner} {elapsed_precise} [{wide_bar}] {decimal_bytes}/{decimal_total_bytes} \
             {decimal_bytes_per_sec}, {msg}, ETA {eta}",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} {elapsed_precise} {decimal_bytes} {decimal_bytes_per_sec}, {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("0 rows/s");
    bar
}

/// One input's conversion into its own output (or into the shared `--merge` writer).
struct Conversion<'a> {
    ctx: &'a Ctx,
    input: &'a Input,
    report: InputReport,
    started: Instant,
    rejects: Option<(PartialFile, BufWriter<File>)>,
}

impl<'a> Conversion<'a> {
    fn new(ctx: &'a Ctx, input: &'a Input) -> Self {
        Conversion {
            ctx,
            input,
            report: InputReport::new(&input.name),
            started: Instant::now(),
            rejects: None,
        }
    }

    fn fail(&mut self, message: String) {
        self.fail_with(Status::Failed, message);
    }

    fn fail_with(&mut self, status: Status, message: String) {
        self.report.status = status;
        self.ctx
            .say(&format!("convert: error: {}: {message}", self.input.name));
        self.report.error = Some(message);
    }

    /// Opens the input and starts decoding it for `threads` threads. Parquet output takes
    /// about two thirds of the work to encode, on all `threads` (see [`ParquetWriter`]): then
    /// half the threads decode (with one, the caller's thread reads and decodes, and the
    /// encoding helper takes what it leaves), so that no decoded batch waits long in memory.
    ///
    /// [`ParquetWriter`]: aws_access_logs::parquet::ParquetWriter
    fn open(&mut self, threads: usize) -> Result<(ParallelReader, Arc<AtomicU64>), String> {
        let inner = self.source()?;
        self.open_reader(inner, threads, true)
    }

    /// The input's bytes: the file, or stdin.
    fn source(&self) -> Result<Box<dyn Read + Send>, String> {
        Ok(match &self.input.path {
            None => Box::new(std::io::stdin()),
            Some(path) => Box::new(File::open(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "no such file or directory (check the path)".to_string()
                }
                _ => format!("cannot open: {e}"),
            })?),
        })
    }

    /// Starts decoding `inner` (see [`Conversion::open`]). `first`: the first reading of the
    /// input, whose bytes move the progress bar, and which records the format in the report
    /// and opens the input's part of the --rejects file.
    fn open_reader(
        &mut self,
        inner: Box<dyn Read + Send>,
        threads: usize,
        first: bool,
    ) -> Result<(ParallelReader, Arc<AtomicU64>), String> {
        let decoders = match self.ctx.args.output_format {
            OutputFormat::Parquet => threads.div_ceil(2),
            OutputFormat::Arrow | OutputFormat::Jsonl => threads,
        };
        let count = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner,
            count: count.clone(),
            progress: if first {
                self.ctx.progress.clone()
            } else {
                ProgressBar::hidden()
            },
        };
        let reader = self
            .ctx
            .builder
            .clone()
            .build_parallel(counting, decoders)
            .map_err(|e| match e.kind() {
                ErrorKind::UnknownFormat => format!(
                    "{e} (give --format s3, cloudfront-realtime or cloudfront-standard if it is \
                     one of them)"
                ),
                ErrorKind::InvalidArgument if e.to_string().contains("real-time") => {
                    "looks like CloudFront real-time logs, which need their log \
                     configuration's field list: give --fields LIST|@FILE (see `aws cloudfront \
                     get-realtime-log-config`)"
                        .to_string()
                }
                kind => format!("{e}{}", read_error_hint(kind)),
            })?;
        if !first {
            return Ok((reader, count));
        }
        self.report.format = Some(reader.format().to_string());
        self.report.gzip = reader.is_gzip();
        if reader.schema().fields().len() > WIDE_SCHEMA {
            set_mmap_threshold(WIDE_MMAP_THRESHOLD);
        }
        if self.ctx.args.output_format == OutputFormat::Parquet {
            let schema = reader.schema();
            if let Some(name) = self
                .ctx
                .args
                .bloom_filter
                .iter()
                .find(|name| schema.field_with_name(name).is_err())
            {
                return Err(format!(
                    "--bloom-filter: {name:?} is not a column of this {} log",
                    reader.format()
                ));
            }
        }
        if let Some(dir) = &self.ctx.rejects_dir {
            let temp = dir.join(format!("rejects-{}", self.input.name.replace('/', "_")));
            let (partial, file) = PartialFile::create_scratch(&temp, true)?;
            self.rejects = Some((partial, BufWriter::new(file)));
        }
        Ok((reader, count))
    }

    /// Writes every batch of `reader` to `writer`; returns the read error, if any (the rows
    /// before it are written).
    fn pump(
        &mut self,
        reader: &mut ParallelReader,
        writer: &mut BatchWriter,
    ) -> Result<Option<aws_access_logs::Error>, String> {
        loop {
            if STOP.load(Ordering::Relaxed) {
                return Err("stopped".into());
            }
            let batch = match reader.next_batch() {
                Ok(Some(batch)) => batch,
                Ok(None) => {
                    self.write_rejects(reader.take_rejects())?;
                    return Ok(None);
                }
                Err(err) => {
                    self.write_rejects(reader.take_rejects())?;
                    return Ok(Some(err));
                }
            };
            writer
                .write(&batch)
                .map_err(|e| format!("cannot write the output: {e}"))?;
            self.write_rejects(reader.take_rejects())?;
            self.ctx.count_rows(batch.num_rows(), None);
        }
    }

    fn write_rejects(&mut self, rejects: Vec<Reject>) -> Result<(), String> {
        let Some((_, out)) = &mut self.rejects else {
            return Ok(());
        };
        for reject in &rejects {
            serde_json::to_writer(&mut *out, &reject_json(&self.input.name, reject))
                .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
                .map_err(|e| format!("cannot write the rejects: {e}"))?;
        }
        Ok(())
    }

    /// Records the reader's figures and the read error (the output holds the rows before it:
    /// the input's status is `incomplete`).
    fn finish(
        &mut self,
        reader: &ParallelReader,
        count: &AtomicU64,
        read_error: Option<&aws_access_logs::Error>,
        output: &str,
    ) {
        self.record(
            &reader.stats(),
            reader.bytes_read(),
            count.load(Ordering::Relaxed),
            read_error,
            output,
        );
    }

    /// [`Conversion::finish`] with the reader's figures: its `stats`, `text_bytes` decoded and
    /// `bytes_in` read.
    fn record(
        &mut self,
        stats: &aws_access_logs::DecodeStats,
        text_bytes: u64,
        bytes_in: u64,
        read_error: Option<&aws_access_logs::Error>,
        output: &str,
    ) {
        let r = &mut self.report;
        r.lines = stats.lines;
        r.rows = stats.rows;
        r.rejected = stats.rejected;
        r.repaired = stats.repaired;
        r.skipped_lines = stats.skipped();
        r.text_bytes = text_bytes;
        r.bytes_in = bytes_in;
        if let Some(err) = read_error {
            let hint = read_error_hint(err.kind());
            let rows = stats.rows;
            self.fail_with(
                Status::Incomplete,
                format!(
                    "{err}{hint}; the {rows} rows before it were written to {output}, marked \
                     incomplete"
                ),
            );
        } else if let Some(max) = self.ctx.args.max_reject_ratio
            && self.report.reject_ratio() > max
        {
            self.report.status = Status::RejectRatio;
            let message = format!(
                "{:.2}% of its data lines were rejected ({} of {}), more than --max-reject-ratio \
                 {max} (see --rejects)",
                100.0 * self.report.reject_ratio(),
                self.report.rejected,
                self.report.rows + self.report.rejected
            );
            self.ctx
                .say(&format!("convert: error: {}: {message}", self.input.name));
            self.report.error = Some(message);
        }
    }

    fn done(mut self) -> (InputReport, Option<(PartialFile, BufWriter<File>)>) {
        self.report.elapsed_s = self.started.elapsed().as_secs_f64();
        (self.report, self.rejects)
    }
}

fn reject_json(input: &str, reject: &Reject) -> serde_json::Value {
    let mut obj = serde_json::json!({
        "input": input,
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

/// The output sink for `target`, and the file to commit when done.
fn open_target(
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

fn target_name(target: &Target) -> String {
    match target {
        Target::Stdout => "stdout".into(),
        Target::File(path) => path.display().to_string(),
        Target::Table(name) => format!("the {name}.parquet files"),
    }
}

type RejectsPart = Option<(PartialFile, BufWriter<File>)>;

/// Converts one input into its own output.
fn convert_one(
    ctx: &Ctx,
    input: &Input,
    target: &Target,
    threads: usize,
) -> (InputReport, RejectsPart) {
    let mut conv = Conversion::new(ctx, input);
    if let Target::File(path) = target
        && !ctx.args.force
        && output::occupied(path)
        && !output::is_special(path)
    {
        conv.fail(format!(
            "the output {} exists: give --force to overwrite it",
            path.display()
        ));
        return conv.done();
    }
    let (mut reader, count) = match conv.open(threads) {
        Ok(opened) => opened,
        Err(message) => {
            conv.fail(message);
            return conv.done();
        }
    };
    let (sink, partial, written) = match open_target(target, ctx.args.force) {
        Ok(opened) => opened,
        Err(message) => {
            conv.fail(message);
            return conv.done();
        }
    };
    let mut writer = match BatchWriter::new(
        ctx.args.output_format,
        sink,
        reader.schema(),
        reader.format(),
        &ctx.parquet.clone().with_threads(threads),
    ) {
        Ok(writer) => writer,
        Err(message) => {
            conv.fail(message);
            return conv.done();
        }
    };
    let read_error = match conv.pump(&mut reader, &mut writer) {
        Ok(read_error) => read_error,
        Err(message) => {
            if !STOP.load(Ordering::Relaxed) {
                conv.fail(message);
            } else {
                conv.report.status = Status::Skipped;
            }
            return conv.done();
        }
    };
    if let Err(message) = writer
        .finish(&reader.stats(), read_error.as_ref())
        .map_err(|e| format!("cannot write {}: {e}", target_name(target)))
        .and_then(|()| partial.map_or(Ok(()), |p| p.commit(ctx.args.force)))
    {
        conv.fail(message);
        return conv.done();
    }
    conv.report.output = match target {
        Target::File(path) => Some(path.display().to_string()),
        Target::Stdout | Target::Table(_) => None,
    };
    conv.report.files = u64::from(matches!(target, Target::File(_)));
    conv.report.bytes_out = Some(written.load(Ordering::Relaxed));
    conv.finish(&reader, &count, read_error.as_ref(), &target_name(target));
    conv.done()
}

/// The writer of `--merge`, created with the first input's schema.
struct Merged {
    writer: BatchWriter,
    schema: SchemaRef,
    format: Format,
    partial: Option<PartialFile>,
    written: Arc<AtomicU64>,
    stats: aws_access_logs::DecodeStats,
    /// The first read error that cut an input short.
    incomplete: Option<aws_access_logs::Error>,
}

/// Converts `inputs` one after another into one output, each on all threads.
fn convert_merged(
    ctx: &Ctx,
    inputs: &[Input],
    target: &Target,
    threads: usize,
    reports: &mut Vec<InputReport>,
    parts: &mut Vec<RejectsPart>,
) -> Option<u64> {
    let mut merged: Option<Merged> = None;
    let mut failed = false;
    for input in inputs {
        if STOP.load(Ordering::Relaxed) {
            let mut report = InputReport::new(&input.name);
            report.status = Status::Skipped;
            reports.push(report);
            parts.push(None);
            continue;
        }
        let mut conv = Conversion::new(ctx, input);
        let opened = conv.open(threads);
        let result = opened.and_then(|(mut reader, count)| {
            if merged.is_none() {
                let (sink, partial, written) = open_target(target, ctx.args.force)?;
                let writer = BatchWriter::new(
                    ctx.args.output_format,
                    sink,
                    reader.schema(),
                    reader.format(),
                    &ctx.parquet.clone().with_threads(threads),
                )?;
                merged = Some(Merged {
                    writer,
                    schema: reader.schema(),
                    format: reader.format(),
                    partial,
                    written,
                    stats: Default::default(),
                    incomplete: None,
                });
            }
            let m = merged.as_mut().expect("created above");
            if reader.schema() != m.schema {
                return Err(format!(
                    "its schema ({} log, {} columns) differs from the first input's ({} log, {} \
                     columns): convert it separately, without --merge",
                    reader.format(),
                    reader.schema().fields().len(),
                    m.format,
                    m.schema.fields().len()
                ));
            }
            let read_error = conv.pump(&mut reader, &mut m.writer)?;
            let s = reader.stats();
            m.stats.rows += s.rows;
            m.stats.rejected += s.rejected;
            conv.finish(&reader, &count, read_error.as_ref(), &target_name(target));
            if m.incomplete.is_none() {
                m.incomplete = read_error;
            }
            Ok(())
        });
        if let Err(message) = result {
            if STOP.load(Ordering::Relaxed) {
                conv.report.status = Status::Skipped;
            } else {
                conv.fail(message);
            }
        }
        if conv.report.status.failed() {
            failed = true;
            if ctx.args.fail_fast {
                STOP.store(true, Ordering::Relaxed);
            }
        }
        let (report, part) = conv.done();
        reports.push(report);
        parts.push(part);
    }
    let m = merged?;
    if failed && ctx.args.fail_fast || STOP.load(Ordering::Relaxed) {
        // An incomplete merge is not left behind.
        return None;
    }
    let result = m
        .writer
        .finish(&m.stats, m.incomplete.as_ref())
        .map_err(|e| format!("cannot write {}: {e}", target_name(target)))
        .and_then(|()| m.partial.map_or(Ok(()), |p| p.commit(ctx.args.force)));
    if let Err(message) = result {
        ctx.say(&format!("convert: error: {message}"));
        if let Some(last) = reports.last_mut() {
            last.status = Status::Failed;
            last.error = Some(message);
        }
        return None;
    }
    let path = match target {
        Target::File(path) => Some(path.display().to_string()),
        Target::Stdout | Target::Table(_) => None,
    };
    for report in reports.iter_mut() {
        if report.format.is_some() {
            report.output = path.clone();
        }
    }
    Some(m.written.load(Ordering::Relaxed))
}

/// Makes sure that no output (`-o`, `--rejects`, `--summary-json`) is an input or another
/// output: the same path, or the same file (device and inode) through a symlink or hard link.
/// Converting would replace the input, whatever `--force` says: a usage error.
fn check_outputs_are_not_inputs(args: &Args, inputs: &[Input], targets: &[Target]) {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut by_id: std::collections::HashMap<plan::FileId, &Input> =
        std::collections::HashMap::new();
    let mut by_path: std::collections::HashMap<PathBuf, &Input> = std::collections::HashMap::new();
    for input in inputs {
        if let Some(id) = &input.id {
            by_id.entry(id.clone()).or_insert(input);
        }
        if let Some(path) = &input.path {
            by_path.entry(absolute(path)).or_insert(input);
        }
    }
    let input_at = |path: &Path| {
        plan::path_id(path)
            .and_then(|id| by_id.get(&id))
            .or_else(|| by_path.get(&absolute(path)))
            .copied()
    };
    let name = |input: &Input| match input.path {
        Some(_) => input.name.clone(),
        None => "- (stdin)".to_string(),
    };
    let mut outputs: Vec<(String, &Path)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for target in targets {
        if let Target::File(path) = target
            && seen.insert(path)
        {
            let what = if path == &args.output {
                "-o".to_string()
            } else {
                "the output".to_string()
            };
            outputs.push((what, path));
        }
    }
    for (flag, path) in [
        ("--rejects", &args.rejects),
        ("--summary-json", &args.summary_json),
    ] {
        if let Some(path) = path {
            outputs.push((flag.to_string(), path));
        }
    }
    for (what, path) in &outputs {
        if let Some(input) = input_at(path) {
            usage(format!(
                "{what} {} is the input {}: it would be overwritten, whatever --force says; \
                 give another path",
                path.display(),
                name(input)
            ));
        }
    }
    // Nor is --rejects or --summary-json another output.
    let conversions = outputs.len()
        - usize::from(args.rejects.is_some())
        - usize::from(args.summary_json.is_some());
    for (i, (what, path)) in outputs.iter().enumerate().skip(conversions) {
        for (other, earlier) in &outputs[..i] {
            let same = absolute(path) == absolute(earlier)
                || plan::path_id(path).is_some_and(|id| plan::path_id(earlier) == Some(id));
            if same {
                usage(format!(
                    "{what} {} is also {other} {}: give another path",
                    path.display(),
                    earlier.display()
                ));
            }
        }
    }
}

/// Joins the per-input rejects, in input order, into the `--rejects` file.
fn join_rejects(path: &Path, parts: Vec<RejectsPart>, force: bool) -> Result<(), String> {
    let (partial, file) = PartialFile::create(path, force)?;
    let mut out = BufWriter::new(file);
    for (temp, writer) in parts.into_iter().flatten() {
        let file = writer
            .into_inner()
            .map_err(|e| format!("cannot write the rejects: {e}"))?;
        drop(file);
        let mut part = File::open(temp.temp_path())
            .map_err(|e| format!("cannot read back the rejects: {e}"))?;
        std::io::copy(&mut part, &mut out).map_err(|e| format!("cannot write the rejects: {e}"))?;
    }
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    drop(out);
    partial.commit(force)
}

/// glibc's allocator serves large allocations from its heaps once a few have been freed (its
/// mmap threshold grows up to 32 MiB) and keeps what is freed there, per thread: with batches of
/// several MB made on several threads, peak RSS grew by 40-50 MB over what is live. A fixed
/// 256 KiB threshold gives such blocks back to the system when they are freed.
const MMAP_THRESHOLD: usize = 256 * 1024;

/// Schemas of more columns than this get [`WIDE_MMAP_THRESHOLD`] (the library's batch and
/// row-group byte limits are shared out beyond the same width).
const WIDE_SCHEMA: usize = 48;

/// Each column of a batch or of a Parquet row group has buffers of its own: beyond 48
/// columns, they fall under [`MMAP_THRESHOLD`], and glibc kept what was freed of them,
/// scattered between live blocks, on each thread's heap: a CloudFront standard log of 256
/// columns of random values peaked at 175 MB of RSS on two threads for ~95 MB of live heap.
/// From the first input of such a schema on, blocks from 16 KiB are mapped (and unmapped when
/// freed): 79 MB on one thread, 96 MB on two, at twice the time of a conversion of such input
/// (mapping and unmapping); inputs of fewer columns (S3, real-time) keep the faster 256 KiB.
const WIDE_MMAP_THRESHOLD: usize = 16 * 1024;

/// Sets glibc's mmap threshold: blocks of `bytes` and more are mapped, and given back to the
/// system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_mmap_threshold(bytes: usize) {
    // SAFETY: mallopt only sets an allocator parameter (glibc takes its lock); it may run
    // while other threads allocate.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, bytes as libc::c_int);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_mmap_threshold(_bytes: usize) {}

fn main() -> ExitCode {
    set_mmap_threshold(MMAP_THRESHOLD);
    let args = Args::parse();
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    if args.partition_by.is_some() {
        if args.output_format != OutputFormat::Parquet {
            usage(
                "--partition-by writes a Parquet table: give --output-format parquet (the default)",
            );
        }
        if args.output.as_os_str() == "-" {
            usage("--partition-by writes a table of many files: give -o DIR, not -o -");
        }
    }
    let builder = reader_builder(&args);
    let parquet = parquet_options(&args);
    for (flag, path) in [
        ("--rejects", &args.rejects),
        ("--summary-json", &args.summary_json),
    ] {
        if let Some(path) = path
            && !args.force
            && output::occupied(path)
            && !output::is_special(path)
        {
            usage(format!(
                "{flag} {} exists: give --force to overwrite it",
                path.display()
            ));
        }
    }
    // From here on, Ctrl-C (or SIGTERM) removes the partial outputs and exits with 130; the
    // listing of the inputs stops at once too.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        STOP.store(true, Ordering::Relaxed);
        output::remove_partial_files();
        err_line("\nconvert: interrupted: partial outputs removed");
        std::process::exit(130);
    });

    // Inputs, and where their outputs go.
    let to_stdout = args.output.as_os_str() == "-";
    let partitioned = args.partition_by.is_some();
    let dir_output = !args.merge
        && !to_stdout
        && (partitioned
            || args.output.is_dir()
            || args
                .output
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR)
            || args.inputs.len() > 1
            || args.inputs.iter().any(|p| p.is_dir()));
    if dir_output && let Some(out_id) = plan::path_id(&args.output) {
        for input in args.inputs.iter().filter(|p| p.is_dir()) {
            if plan::path_id(input).as_ref() == Some(&out_id) {
                usage(format!(
                    "-o {} is the input directory {}: the outputs would be mixed with the logs; \
                     give another directory (one inside it is fine: it is not walked)",
                    args.output.display(),
                    input.display()
                ));
            }
        }
    }
    if !dir_output && !to_stdout && args.output.is_dir() {
        usage(format!(
            "-o {} is a directory: --merge writes one file, give -o FILE",
            args.output.display()
        ));
    }
    let skip = dir_output.then_some(args.output.as_path());
    let listing_bar = listing_bar(&args);
    let listing = plan::list_inputs(&args.inputs, skip, &STOP, |n| {
        listing_bar.set_position(n as u64)
    });
    listing_bar.finish_and_clear();
    wait_if_interrupted();
    let (inputs, listing_errors) = (listing.inputs, listing.errors);
    if !args.quiet {
        for note in &listing.notes {
            err_line(&format!("convert: note: {note}"));
        }
    }
    if inputs.is_empty() && listing_errors.is_empty() {
        // Converting nothing and exiting 0 would hide a wrong path or an empty backfill.
        err_line(&format!(
            "convert: error: no input files in {}{}",
            args.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if listing.notes.is_empty() {
                ""
            } else {
                " (see the notes above for what was skipped)"
            }
        ));
        std::process::exit(1);
    }
    if to_stdout && !args.merge && inputs.len() + listing_errors.len() > 1 {
        usage("several inputs go to stdout (-o -) only with --merge");
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        usage("stdin (-) can be given once");
    }
    let targets: Vec<Target> = if dir_output {
        let file_like = args
            .output
            .extension()
            .is_some_and(|e| ["parquet", "arrow", "jsonl"].iter().any(|x| e == *x));
        if (args.output.exists() && !args.output.is_dir()) || (!args.output.exists() && file_like) {
            usage(if partitioned {
                format!(
                    "-o {} names a file, but --partition-by writes a table: give -o DIR",
                    args.output.display()
                )
            } else {
                format!(
                    "-o {} names a file, but several inputs (or a directory) need -o DIR, or \
                     --merge",
                    args.output.display()
                )
            });
        }
        if !partitioned && inputs.iter().any(|i| i.path.is_none()) {
            usage("stdin (-) needs -o FILE (or --merge) to name its output");
        }
        if partitioned {
            partitioned::check_inputs_outside_the_table(&args.output, &inputs);
            let names: Vec<PathBuf> = inputs
                .iter()
                .map(|i| PathBuf::from(plan::table_name(&i.relative)))
                .collect();
            if let Some((a, b)) = plan::collision(&names) {
                usage(format!(
                    "{} and {} would both write the files {}.parquet of the table: convert them \
                     separately",
                    inputs[a].name,
                    inputs[b].name,
                    names[a].display()
                ));
            }
            names
                .into_iter()
                .map(|n| Target::Table(n.to_string_lossy().into_owned()))
                .collect()
        } else {
            let paths: Vec<PathBuf> = inputs
                .iter()
                .map(|i| {
                    args.output.join(plan::output_name(
                        &i.relative,
                        args.output_format.extension(),
                    ))
                })
                .collect();
            if let Some((a, b)) = plan::collision(&paths) {
                usage(format!(
                    "{} and {} would both write {}: convert them separately",
                    inputs[a].name,
                    inputs[b].name,
                    paths[a].display()
                ));
            }
            paths.into_iter().map(Target::File).collect()
        }
    } else {
        let target = if to_stdout {
            if std::io::stdout().is_terminal() && args.output_format != OutputFormat::Jsonl {
                usage(
                    "refusing to write binary output to a terminal: redirect stdout, or give -o FILE",
                );
            }
            Target::Stdout
        } else {
            Target::File(args.output.clone())
        };
        vec![target; inputs.len()]
    };
    check_outputs_are_not_inputs(&args, &inputs, &targets);

    let total_size = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    // Each input's rejects are written beside the rejects file, then joined into it; for a
    // device or FIFO (`--rejects /dev/stdout`), in the system's temporary directory.
    let rejects_dir = args.rejects.as_ref().map(|path| match path.parent() {
        _ if output::is_special(path) => std::env::temp_dir(),
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let ctx = Ctx {
        progress: progress_bar(&args, total_size),
        builder,
        parquet,
        rows: AtomicU64::new(0),
        started: Instant::now(),
        rejects_dir,
        input_ids: inputs.iter().filter_map(|i| i.id.clone()).collect(),
        args,
    };

    let mut reports: Vec<InputReport> = Vec::new();
    for err in &listing_errors {
        let mut report = InputReport::new(&err.name);
        report.status = Status::Failed;
        report.error = Some(err.message.clone());
        ctx.say(&format!("convert: error: {}: {}", err.name, err.message));
        reports.push(report);
    }
    if !listing_errors.is_empty() && ctx.args.fail_fast {
        STOP.store(true, Ordering::Relaxed);
    }
    let mut parts: Vec<RejectsPart> = Vec::new();
    let mut merged_out = None;
    if ctx.args.merge || to_stdout {
        if !inputs.is_empty() {
            merged_out = convert_merged(
                &ctx,
                &inputs,
                &targets[0],
                threads,
                &mut reports,
                &mut parts,
            );
        }
    } else {
        // Small inputs are converted side by side, sharing the threads; large ones one after
        // another, each on all threads (its segments decoded in parallel), so that memory
        // stays that of one conversion (a row group being written). The outputs are the same
        // for any thread count either way.
        let (small, large): (Vec<usize>, Vec<usize>) =
            (0..inputs.len()).partition(|&i| inputs[i].size.is_some_and(|size| size < LARGE_INPUT));
        let done: Vec<Mutex<Option<(InputReport, RejectsPart)>>> =
            inputs.iter().map(|_| Mutex::new(None)).collect();
        let convert_at = |i: usize, threads: usize, open_partitions: usize| {
            let result = if STOP.load(Ordering::Relaxed) {
                let mut report = InputReport::new(&inputs[i].name);
                report.status = Status::Skipped;
                (report, None)
            } else if let Target::Table(name) = &targets[i] {
                partitioned::convert(&ctx, &inputs[i], name, threads, open_partitions)
            } else {
                convert_one(&ctx, &inputs[i], &targets[i], threads)
            };
            if result.0.status.failed() && ctx.args.fail_fast {
                STOP.store(true, Ordering::Relaxed);
            }
            if let Ok(mut slot) = done[i].lock() {
                *slot = Some(result);
            }
        };
        let next = AtomicUsize::new(0);
        let workers = threads.min(small.len());
        let per_input = (threads / workers.max(1)).max(1);
        // The partition files open at once are shared out between the inputs converted side
        // by side (the files are the same whatever each one's share).
        let open_partitions = ctx.args.open_partitions as usize;
        let share = (open_partitions / workers.max(1)).max(1);
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    while let Some(&i) = small.get(next.fetch_add(1, Ordering::Relaxed)) {
                        convert_at(i, per_input, share);
                    }
                });
            }
        });
        for i in large {
            convert_at(i, threads, open_partitions);
        }
        for (input, slot) in inputs.iter().zip(done) {
            let (report, part) = slot.into_inner().ok().flatten().unwrap_or_else(|| {
                // Only a panic in the conversion leaves a slot empty.
                let mut report = InputReport::new(&input.name);
                report.status = Status::Failed;
                report.error = Some("the conversion stopped unexpectedly (a bug)".into());
                (report, None)
            });
            reports.push(report);
            parts.push(part);
        }
    }
    ctx.progress.finish_and_clear();

    if let Some(path) = &ctx.args.rejects
        && let Err(message) = join_rejects(path, parts, ctx.args.force)
    {
        err_line(&format!("convert: error: {message}"));
        if let Some(last) = reports.last_mut() {
            last.status = Status::Failed;
        }
    }

    let failed = reports.iter().any(|r| r.status.failed());
    let over_ratio = reports.iter().any(|r| r.status == Status::RejectRatio);
    let code: u8 = if failed {
        1
    } else if over_ratio {
        3
    } else {
        0
    };
    let bytes_out = merged_out.unwrap_or_else(|| reports.iter().filter_map(|r| r.bytes_out).sum());
    let elapsed = ctx.started.elapsed().as_secs_f64();
    let merged_file = u64::from(merged_out.is_some() && !to_stdout);
    let total = Total::new(&reports, bytes_out, merged_file, elapsed);
    let run = RunReport {
        inputs: reports,
        total,
        threads,
        partition_by: ctx.args.partition_by.map(|g| g.to_string()),
        exit_code: code,
    };
    if !ctx.args.quiet {
        let _ = std::io::stderr().write_all(report::table(&run).as_bytes());
    }
    if let Some(path) = &ctx.args.summary_json {
        let json = serde_json::to_vec_pretty(&run).expect("the summary serializes");
        let written = PartialFile::create(path, ctx.args.force).and_then(|(partial, mut file)| {
            file.write_all(&json)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            drop(file);
            partial.commit(ctx.args.force)
        });
        if let Err(message) = written {
            err_line(&format!("convert: error: {message}"));
            return ExitCode::from(1);
        }
    }
    wait_if_interrupted();
    ExitCode::from(code)
}
