//! The command line: [`Args`] (clap) and the parsers of its values; their checks and the
//! options they give are in [`crate::options`].

use std::path::PathBuf;

use aws_access_logs::Format;
use aws_access_logs::parquet::ParquetCompression;
use aws_access_logs::partition::Granularity;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::output::OutputFormat;
use crate::{ddl, partitioned};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Detect each input's format from its first lines.
    Auto,
    /// Amazon S3 server access logs.
    S3,
    /// Amazon CloudFront real-time logs (needs --fields).
    CloudfrontRealtime,
    /// Amazon CloudFront standard logs (W3C, with a #Fields: header).
    CloudfrontStandard,
    /// Application Load Balancer access logs.
    #[value(aliases = ["alb-access", "application-load-balancer"])]
    Alb,
    /// Network Load Balancer access logs (TLS listeners).
    #[value(aliases = ["nlb-access", "network-load-balancer"])]
    Nlb,
    /// Classic Load Balancer access logs.
    #[value(aliases = ["clb-access", "classic-load-balancer"])]
    Clb,
    /// Application Load Balancer connection logs.
    #[value(aliases = ["alb-conn", "alb-connection-log"])]
    AlbConnection,
}

impl FormatArg {
    pub fn format(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::S3 => Some(Format::S3),
            FormatArg::CloudfrontRealtime => Some(Format::CloudFrontRealtime),
            FormatArg::CloudfrontStandard => Some(Format::CloudFrontStandard),
            FormatArg::Alb => Some(Format::Alb),
            FormatArg::Nlb => Some(Format::Nlb),
            FormatArg::Clb => Some(Format::Clb),
            FormatArg::AlbConnection => Some(Format::AlbConnection),
        }
    }

    /// What the format's logs are called in messages: `S3 access logs`, `NLB access logs`.
    pub fn logs(self) -> &'static str {
        match self {
            FormatArg::Auto => "logs of a detected format",
            FormatArg::S3 => "S3 access logs",
            FormatArg::CloudfrontRealtime => "CloudFront real-time logs",
            FormatArg::CloudfrontStandard => "CloudFront standard logs",
            FormatArg::Alb => "ALB access logs",
            FormatArg::Nlb => "NLB access logs",
            FormatArg::Clb => "CLB access logs",
            FormatArg::AlbConnection => "ALB connection logs",
        }
    }

    /// The formats that can be given, as `--format` spells them, joined as `a, b or c`.
    pub fn names() -> String {
        let names: Vec<String> = FormatArg::value_variants()
            .iter()
            .filter(|f| f.format().is_some())
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FieldOrderArg {
    /// Sort the fields into AWS's canonical order (how AWS delivers them).
    Canonical,
    /// The records hold the fields in the order given.
    AsGiven,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnknownFieldsArg {
    /// An unknown field name is an error.
    Reject,
    /// An unknown field name becomes a text column (needs --field-order as-given).
    Text,
}

/// Convert AWS access logs (S3 server access logs, CloudFront real-time and standard logs,
/// Elastic Load Balancing access logs of Application, Network and Classic Load Balancers, and
/// Application Load Balancer connection logs) to Parquet.
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
/// s3-access, cloudfront-realtime, cloudfront-standard, alb-access, nlb-access, clb-access or
/// alb-connection (the table folder of the input's format) and NAME the input's path relative to
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
pub struct Args {
    /// Input files or directories, or `-` for stdin.
    #[arg(required_unless_present = "print_ddl", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output file (one input, or --merge), directory (one output per input, or the table of
    /// --partition-by), or `-` for stdout.
    #[arg(
        short,
        long,
        value_name = "FILE|DIR",
        required_unless_present = "print_ddl",
        default_value = "-",
        hide_default_value = true
    )]
    pub output: PathBuf,
    /// Write all inputs into the one output file given by -o (they must have the same
    /// schema).
    #[arg(long, conflicts_with = "partition_by")]
    pub merge: bool,
    /// Write a table partitioned by each row's record time (UTC), by the hour or by the day,
    /// into -o DIR: the layout of the Lambda's output (see above). Parquet output only. At
    /// most 32 files are written at once (memory stays bounded): the partitions beyond are
    /// written by further passes over the input, which is read again (stdin is copied into DIR
    /// meanwhile); a log in time order takes two passes whatever it spans.
    #[arg(long, value_name = "hour|day", value_parser = parse_granularity)]
    pub partition_by: Option<Granularity>,
    /// With --partition-by: most partition files being written at once, shared by the inputs
    /// converted side by side (bounds memory and open files; partitions beyond are written by
    /// further passes over the input; the files are the same whatever the number).
    #[arg(long, hide = true, value_name = "N", default_value_t = partitioned::DEFAULT_OPEN_PARTITIONS,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub open_partitions: u32,
    /// With --partition-by: every this many rows of an input, the row group of each partition
    /// file being written is ended (bounds memory whatever the number of partitions; the
    /// files depend on it).
    #[arg(long, hide = true, value_name = "ROWS", default_value_t = partitioned::CHECKPOINT_ROWS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub checkpoint_rows: u64,
    /// Overwrite existing outputs (and --rejects, --summary-json files), never an input.
    #[arg(long)]
    pub force: bool,
    /// Log format. `auto` detects each input's format from its first line, the Elastic Load
    /// Balancing formats included (an ALB line starts with its type, http, https, h2, grpcs, ws
    /// or wss; an NLB line with tls; CLB and ALB connection lines with their time, then the load
    /// balancer's name or the client's IP).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// CloudFront real-time field list, as in the log configuration: `timestamp,c-ip,...`, the
    /// JSON of `aws cloudfront get-realtime-log-config`, or @FILE holding either. With
    /// --print-ddl and standard logs: the #Fields: set, as a list or @FILE of a list or of a
    /// log (plain or gzip) whose #Fields: line gives it.
    #[arg(long, value_name = "LIST|@FILE")]
    pub fields: Option<String>,
    /// Order of the --fields list: canonical (AWS's delivery order) or as-given.
    #[arg(long, value_enum, default_value = "canonical")]
    pub field_order: FieldOrderArg,
    /// What to do with unknown names in --fields.
    #[arg(long, value_enum, default_value = "reject")]
    pub unknown_fields: UnknownFieldsArg,
    /// Decode the escapes of these text columns (comma-separated column names); values are
    /// stored as logged otherwise. CloudFront logs: percent-decoding (e.g.
    /// cs_user_agent,cs_referer). Elastic Load Balancing logs: ALB, CLB and ALB connection logs
    /// write bytes as `\xHH` (a quote as \x22), which are decoded (e.g. user_agent,request_url);
    /// NLB logs percent-encode domain_name and alpn_client_preference_list, which `%HH` decoding
    /// undoes. A value that would not decode to valid UTF-8 is kept as logged. Not for S3 access
    /// logs.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub decode: Vec<String>,
    /// Output format: parquet, arrow (an Arrow IPC stream) or jsonl (JSON lines, for looking
    /// at the data).
    #[arg(long, value_enum, default_value = "parquet")]
    pub output_format: OutputFormat,
    /// Parquet compression: zstd[:LEVEL] (level 1-22, default 3), snappy or none.
    #[arg(long, value_name = "CODEC", value_parser = parse_compression)]
    pub compression: Option<ParquetCompression>,
    /// Most rows per Parquet row group.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::parquet::DEFAULT_MAX_ROW_GROUP_ROWS)]
    pub row_group_rows: usize,
    /// Most buffered (encoded) bytes per Parquet row group: bounds memory.
    #[arg(long, value_name = "BYTES", default_value_t = aws_access_logs::parquet::DEFAULT_MAX_ROW_GROUP_BYTES)]
    pub row_group_bytes: usize,
    /// Write a Parquet bloom filter for these columns (comma-separated column names).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub bloom_filter: Vec<String>,
    /// Rows per record batch.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::ReaderBuilder::DEFAULT_BATCH_SIZE)]
    pub batch_size: usize,
    /// Segment size for splitting an input between threads (a tuning knob; outputs depend
    /// on it, not on the thread count).
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = aws_access_logs::ReaderBuilder::DEFAULT_SEGMENT_SIZE)]
    pub segment_size: usize,
    /// Most decompressed bytes per compressed byte of a gzip input, once 16 MiB are
    /// decompressed: a gzip bomb is refused. Raise it for legitimate, very repetitive logs.
    #[arg(long, value_name = "N", default_value_t = aws_access_logs::ReaderBuilder::DEFAULT_MAX_GZIP_RATIO,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_gzip_ratio: u64,
    /// Longest accepted line in bytes; longer lines are rejected.
    #[arg(long, value_name = "BYTES", default_value_t = aws_access_logs::ReaderBuilder::DEFAULT_MAX_LINE_LENGTH)]
    pub max_line_length: usize,
    /// Write rejected and repaired lines here, one JSON object per line (in input order).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Exit with code 3 when an input's rejected lines exceed this share of its data lines
    /// (rows + rejected); its output is still written.
    #[arg(long, value_name = "R", value_parser = parse_ratio)]
    pub max_reject_ratio: Option<f64>,
    /// Threads [default: the available cores]. Inputs are converted in parallel, and each
    /// input is decoded in 4 MiB segments on its share of the threads; outputs are identical
    /// for any thread count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Stop at the first input that fails (the outputs already complete are kept; with
    /// --merge, nothing is written).
    #[arg(long)]
    pub fail_fast: bool,
    /// Show the progress bar even when stderr is not a terminal.
    #[arg(long, conflicts_with = "quiet")]
    pub progress: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the summary (per input and total) as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Print the table definition of the partitioned output of --format (athena: the Athena /
    /// AWS Glue CREATE EXTERNAL TABLE statement, with partition projection) to stdout, and
    /// exit; reads no input. Needs --location and an explicit --format (real-time logs:
    /// --fields; standard logs: --fields gives the #Fields: set, default the 33 legacy
    /// fields). --partition-by (default hour) must be the one the table was written with.
    #[arg(
        long,
        value_enum,
        value_name = "athena",
        help_heading = "Table definition"
    )]
    pub print_ddl: Option<ddl::Dialect>,
    /// With --print-ddl: the table folder, the one holding the year=... folders, as a URI with a
    /// scheme: s3://OUTPUT_BUCKET/OUTPUT_PREFIX + the format's table folder (s3-access/,
    /// cloudfront-realtime/, cloudfront-standard/, alb-access/, nlb-access/, clb-access/ or
    /// alb-connection/) for the Lambda's output; file:///DIR/FORMAT/ for --partition-by -o DIR.
    #[arg(
        long,
        value_name = "URI",
        requires = "print_ddl",
        help_heading = "Table definition"
    )]
    pub location: Option<String>,
    /// With --print-ddl: the table name [default: the table folder with `-` → `_`: s3_access,
    /// cloudfront_realtime, cloudfront_standard, alb_access, nlb_access, clb_access or
    /// alb_connection].
    #[arg(
        long,
        value_name = "NAME",
        requires = "print_ddl",
        help_heading = "Table definition"
    )]
    pub table: Option<String>,
    /// With --print-ddl: the database of the table [default: the query's current one].
    #[arg(
        long,
        value_name = "NAME",
        requires = "print_ddl",
        help_heading = "Table definition"
    )]
    pub database: Option<String>,
    /// With --print-ddl: the years projected for the year column, inclusive [default:
    /// 2006,2099]; rows of other years are not read by the table.
    #[arg(long, value_name = "FROM,TO", requires = "print_ddl", value_parser = ddl::parse_years,
          help_heading = "Table definition")]
    pub years: Option<(u16, u16)>,
    /// With --print-ddl: no partition projection: the table reads the partitions registered
    /// by MSCK REPAIR TABLE (which registers the rows without a time too, as NULL partition
    /// values). The default when the schema has no time column.
    #[arg(long, requires = "print_ddl", help_heading = "Table definition")]
    pub no_projection: bool,
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

/// A usage error: printed with the usage line, exit code 2.
pub fn usage(message: impl std::fmt::Display) -> ! {
    Args::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .exit()
}

/// Parses the command line (clap's errors exit with 2); `true` with it when -o was given on
/// the command line (it has a default).
pub fn parse() -> (Args, bool) {
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let output_given =
        matches.value_source("output") == Some(clap::parser::ValueSource::CommandLine);
    (args, output_given)
}

impl Args {
    /// The threads to use: --threads, or the available cores.
    pub fn threads(&self) -> usize {
        self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n as usize,
        )
    }
}
