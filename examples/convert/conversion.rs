//! One input's conversion: opening and decoding it, writing its batches and its rejects, and
//! its report (with the hints that say what to do about an error).

use std::fs::File;
use std::io::{BufWriter, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use aws_access_logs::{ErrorKind, ParallelReader, Reject};
use indicatif::ProgressBar;

use crate::args::FormatArg;
use crate::inputs::Input;
use crate::output::{BatchWriter, OutputFormat};
use crate::partial::PartialFile;
use crate::progress::Counting;
use crate::rejects::{self, RejectsPart};
use crate::report::{InputReport, Status};
use crate::run::{Ctx, STOP};

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

/// One input's conversion into its own output (or into the shared `--merge` writer).
pub struct Conversion<'a> {
    pub ctx: &'a Ctx,
    pub input: &'a Input,
    pub report: InputReport,
    started: Instant,
    rejects: Option<(PartialFile, BufWriter<File>)>,
}

impl<'a> Conversion<'a> {
    pub fn new(ctx: &'a Ctx, input: &'a Input) -> Self {
        Conversion {
            ctx,
            input,
            report: InputReport::new(&input.name),
            started: Instant::now(),
            rejects: None,
        }
    }

    pub fn fail(&mut self, message: String) {
        self.fail_with(Status::Failed, message);
    }

    pub fn fail_with(&mut self, status: Status, message: String) {
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
    pub fn open(&mut self, threads: usize) -> Result<(ParallelReader, Arc<AtomicU64>), String> {
        let inner = self.source()?;
        self.open_reader(inner, threads, true)
    }

    /// The input's bytes: the file, or stdin.
    pub fn source(&self) -> Result<Box<dyn Read + Send>, String> {
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
    pub fn open_reader(
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
                    "{e} (give --format {} if it is one of them)",
                    FormatArg::names()
                ),
                ErrorKind::MissingFieldList => {
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
        self.report.format = Some(reader.format());
        self.report.gzip = reader.is_gzip();
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
    pub fn pump(
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

    pub fn write_rejects(&mut self, rejects: Vec<Reject>) -> Result<(), String> {
        let Some((_, out)) = &mut self.rejects else {
            return Ok(());
        };
        for reject in &rejects {
            rejects::write_reject(out, &self.input.name, reject)
                .map_err(|e| format!("cannot write the rejects: {e}"))?;
        }
        Ok(())
    }

    /// Records the reader's figures and the read error (the output holds the rows before it:
    /// the input's status is `incomplete`).
    pub fn finish(
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
    pub fn record(
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

    pub fn done(mut self) -> (InputReport, RejectsPart) {
        self.report.elapsed_s = self.started.elapsed().as_secs_f64();
        (self.report, self.rejects)
    }
}
