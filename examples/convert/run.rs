//! Running the conversions: what they share ([`Ctx`]), the interrupt handling, and the
//! scheduling of the inputs on the threads, each into its own output, merged into one, or
//! into the partitioned table.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::datatypes::SchemaRef;
use aws_access_logs::parquet::ParquetOptions;
use aws_access_logs::{Format, ReaderBuilder};
use indicatif::ProgressBar;

use crate::args::Args;
use crate::conversion::Conversion;
use crate::inputs::{FileId, Input};
use crate::output::{BatchWriter, open_target, target_name};
use crate::partial::{self, PartialFile};
use crate::partitioned;
use crate::plan::{Plan, Target};
use crate::progress::{err_line, progress_bar};
use crate::rejects::{self, RejectsPart};
use crate::report::{InputReport, Status};

/// Inputs from this size (as stored) are converted one at a time on all threads; smaller ones
/// side by side, sharing the threads.
const LARGE_INPUT: u64 = 64 << 20;

/// Set when the run must stop: an interrupt, or a failure with --fail-fast.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Set by the interrupt handler, before it cleans up and exits with 130.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// After an interrupt, waits for the handler to exit with 130, so that the main thread, which
/// stops early once it sees [`STOP`], never exits first with another code.
pub fn wait_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// From here on, Ctrl-C (or SIGTERM) removes the partial outputs and exits with 130; the
/// listing of the inputs stops at once too.
pub fn handle_interrupts() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        STOP.store(true, Ordering::Relaxed);
        partial::remove_partial_files();
        err_line("\nconvert: interrupted: partial outputs removed");
        std::process::exit(130);
    });
}

/// What every conversion shares.
pub struct Ctx {
    pub args: Args,
    pub builder: ReaderBuilder,
    pub parquet: ParquetOptions,
    pub progress: ProgressBar,
    rows: AtomicU64,
    pub started: Instant,
    /// Per input: its rejects, written to a temporary file and joined in input order at the
    /// end (so the rejects file is the same whatever the thread count).
    pub rejects_dir: Option<PathBuf>,
    /// The inputs' identities, which no output may have.
    pub input_ids: std::collections::HashSet<FileId>,
}

impl Ctx {
    /// The context of the conversions of `plan`.
    pub fn new(args: Args, builder: ReaderBuilder, parquet: ParquetOptions, plan: &Plan) -> Self {
        let total_size = plan.inputs.iter().map(|i| i.size).sum::<Option<u64>>();
        Ctx {
            progress: progress_bar(&args, total_size),
            builder,
            parquet,
            rows: AtomicU64::new(0),
            started: Instant::now(),
            rejects_dir: rejects::parts_dir(&args),
            input_ids: plan.inputs.iter().filter_map(|i| i.id.clone()).collect(),
            args,
        }
    }

    /// Prints a line without tearing the progress bar.
    pub fn say(&self, line: &str) {
        self.progress.suspend(|| err_line(line));
    }

    /// Counts `rows` converted, for the rate shown by the progress bar (with `note` after it).
    pub fn count_rows(&self, rows: usize, note: Option<&str>) {
        let rows = self.rows.fetch_add(rows as u64, Ordering::Relaxed) + rows as u64;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = rows as f64 / secs;
        self.progress.set_message(match note {
            Some(note) => format!("{rate:.0} rows/s, {note}"),
            None => format!("{rate:.0} rows/s"),
        });
    }
}

/// What the conversions did: per input, its report and its part of `--rejects`; and the bytes
/// written into the one output of `--merge` (or `-o -`), if it was written.
pub struct Done {
    pub reports: Vec<InputReport>,
    pub parts: Vec<RejectsPart>,
    pub merged_out: Option<u64>,
}

/// Converts the inputs of `plan` on `threads` threads.
pub fn convert_all(ctx: &Ctx, plan: &Plan, threads: usize) -> Done {
    let Plan {
        inputs,
        listing_errors,
        targets,
        to_stdout,
    } = plan;
    let mut reports: Vec<InputReport> = Vec::new();
    for err in listing_errors {
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
    if ctx.args.merge || *to_stdout {
        if !inputs.is_empty() {
            merged_out =
                convert_merged(ctx, inputs, &targets[0], threads, &mut reports, &mut parts);
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
                partitioned::convert(ctx, &inputs[i], name, threads, open_partitions)
            } else {
                convert_one(ctx, &inputs[i], &targets[i], threads)
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
    Done {
        reports,
        parts,
        merged_out,
    }
}

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
        && partial::occupied(path)
        && !partial::is_special(path)
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
