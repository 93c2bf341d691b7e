//! Converts an AWS access log to Parquet.
//!
//! ```sh
//! cargo run --release --example convert -- --format s3 fixtures/s3/quirks.log \
//!     -o quirks.parquet --rejects quirks.rejects.jsonl
//! ```
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
use std::time::Instant;

use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
use aws_access_logs::{Format, ReaderBuilder, Reject};
use base64::Engine as _;
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Amazon S3 server access logs.
    S3,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::S3 => Format::S3,
        }
    }
}

/// Convert an AWS access log to Parquet.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Input log file (plain text or gzip), or `-` for stdin.
    input: PathBuf,
    /// Output Parquet file.
    #[arg(short, long)]
    output: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value = "s3")]
    format: FormatArg,
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

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let format: Format = args.format.into();
    let input = open_input(&args.input)?;
    let mut reader = ReaderBuilder::new(format)
        .with_batch_size(args.batch_size)
        .with_max_line_length(args.max_line_length)
        .build(input)
        .map_err(|e| e.to_string())?;
    let options = ParquetOptions::new()
        .with_zstd_level(args.zstd_level)
        .with_max_row_group_rows(args.row_group_rows);
    let out = File::create(&args.output)
        .map_err(|e| format!("cannot create {}: {e}", args.output.display()))?;
    let mut writer = ParquetWriter::try_new(BufWriter::new(out), reader.schema(), format, &options)
        .map_err(|e| e.to_string())?;
    let mut rejects_out = match &args.rejects {
        Some(path) => {
            Some(BufWriter::new(File::create(path).map_err(|e| {
                format!("cannot create {}: {e}", path.display())
            })?))
        }
        None => None,
    };

    let write_error = |e: std::io::Error| format!("cannot write rejects: {e}");
    while let Some(batch) = reader.next_batch().map_err(|e| e.to_string())? {
        writer.write(&batch).map_err(|e| e.to_string())?;
        write_rejects(&mut rejects_out, reader.take_rejects()).map_err(write_error)?;
    }
    write_rejects(&mut rejects_out, reader.take_rejects()).map_err(write_error)?;
    if let Some(out) = &mut rejects_out {
        out.flush().map_err(write_error)?;
    }
    let stats = reader.stats();
    writer.finish(&stats).map_err(|e| e.to_string())?;

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
        "convert: {} lines: {} rows, {} rejected, {} repaired, {} blank; {} bytes in, {} bytes out ({}); {:.3} s, {:.1} MB/s",
        stats.lines,
        stats.rows,
        stats.rejected,
        stats.repaired,
        stats.blank_lines,
        bytes_in,
        bytes_out,
        change,
        secs,
        bytes_in as f64 / 1e6 / secs.max(1e-9),
    );
    Ok(())
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
