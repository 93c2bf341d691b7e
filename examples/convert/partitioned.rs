//! `--partition-by hour|day`: each input's rows written into a Hive-partitioned table, the
//! layout of the Lambda's output, `DIR/FORMAT/year=YYYY/month=MM/day=DD[/hour=HH]/NAME.parquet`,
//! its rejects outside the table in `DIR/_rejects/FORMAT/NAME.jsonl.gz`.
//!
//! Every row goes to the partition of its own record time ([`aws_access_logs::partition`]);
//! an input gives one file per partition its rows fall in. Three things keep memory bounded
//! whatever the number of partitions:
//!
//! * At most `--open-partitions` files are written at once. The partitions are taken in the
//!   order their first row comes; the rows of those beyond the limit are passed over, and
//!   written by a further pass that reads the input again (stdin is copied to a temporary file
//!   in the output directory while it is read, for that), until every partition is written.
//! * The first pass records the batch of each partition's last rows: a further pass finishes
//!   each file right after it, and takes the next partition in its place, so that a log in
//!   time order needs two passes whatever it spans (a shuffled one, a pass per limit's worth
//!   of partitions).
//! * At checkpoints every [`CHECKPOINT_ROWS`] rows of the input, the row groups of the
//!   partitions that had no rows since the last checkpoint are ended
//!   ([`ParquetWriter::end_row_group`]), and beyond [`ROW_GROUPS_IN_PROGRESS`] those of fewest
//!   rows, so that the earlier hours of a log hold no row group in memory. Which row groups end
//!   is decided from the rows of every partition, written at this pass or not.
//!
//! A partition's file depends only on the input's batches, in which its rows come in the same
//! order at every pass, and on the checkpoints, counted in rows of the input: it is
//! byte-identical whichever pass writes it, whatever the limit of open files and the number of
//! threads. Every pass must read the input alike (the same counts and the same error, if
//! any), or the input fails.
//!
//! The files are written under temporary names and renamed only once the whole input is
//! converted: a failed input leaves none of them.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::datatypes::SchemaRef;
use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
use aws_access_logs::partition::{self, Partition};
use aws_access_logs::{DecodeStats, Format, Reject};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::{Conversion, Ctx, RejectsPart, STOP, reject_json, usage};
use crate::output::{self, CountingWriter, PartialFile};
use crate::plan::{self, Input};
use crate::report::{InputReport, Status};

/// Default most partition files written at once (shared out between the inputs converted
/// side by side). A file being written holds its column writers (a zstd context each, pages
/// being filled): about 2-3 MB for an S3 access log. 300 MB of S3 access log over 5000 hours
/// peaked at 89 MB of RSS with 16, 142 MB with 32, 251 MB with 64 (two threads; 92 MB as one
/// file); spread over 48 hours, at 110, 130 and 136 MB. Passes beyond the first finish each
/// file after its partition's last rows, so that a log in time order takes two passes.
/// (`--partition-by`'s help says the figure.)
pub const DEFAULT_OPEN_PARTITIONS: u32 = 32;

/// Arrow bytes of batches queued for the encoding threads, shared out between the files being
/// written (each gets `PENDING_BYTES / open files`, at least 1 MiB): with the library's 40 MiB
/// per file, 32 files whose encoding lags behind (two cores busy with something else) held
/// over a gigabyte. The files are the same whatever the share.
const PENDING_BYTES: usize = 64 << 20;

/// Rows of an input between two checkpoints. At each, the row group of every partition that
/// had no rows since the one before is ended (its pages compressed and written out): the
/// earlier hours of a log in time order hold no memory. A partition's row group otherwise
/// grows to the writer's own limits, as in a file of its own.
pub const CHECKPOINT_ROWS: u64 = 32 * 1024;

/// Most partitions with a row group in progress after a checkpoint: beyond, those of fewest
/// rows are ended too. Each holds up to a row group (32 MiB of encoded rows by default) and
/// its pages being filled, so that memory stays that of a few conversions whatever the order
/// of the rows (a log of several interleaved sources).
const ROW_GROUPS_IN_PROGRESS: usize = 4;

/// The folder of the rejects, outside the table (query engines skip names starting with `_`).
const REJECTS_FOLDER: &str = "_rejects";

/// Write buffer of each partition file.
const WRITE_BUFFER: usize = 64 << 10;

/// The folders of the table (and its rejects) under `-o DIR`.
fn table_folders() -> impl Iterator<Item = &'static str> {
    Format::ALL
        .into_iter()
        .map(partition::table_name)
        .chain([REJECTS_FOLDER])
}

/// An input inside the table's folders could be overwritten by an output: a usage error.
pub fn check_inputs_outside_the_table(dir: &Path, inputs: &[Input]) {
    let Ok(dir) = dir.canonicalize() else {
        return; // Not there yet: nothing can be inside.
    };
    for input in inputs {
        let Some(path) = input.path.as_ref().and_then(|p| p.canonicalize().ok()) else {
            continue;
        };
        if let Some(folder) = table_folders().find(|f| path.starts_with(dir.join(f))) {
            usage(format!(
                "the input {} is inside the table's folder {}: its outputs could overwrite it; \
                 move it out, or give another -o DIR",
                input.name,
                dir.join(folder).display()
            ));
        }
    }
}

/// The input's bytes as they are read, copied to a file (stdin, to be read again).
struct Tee<R> {
    inner: R,
    copy: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n]).map_err(|e| {
            std::io::Error::other(format!("cannot copy stdin to the output directory: {e}"))
        })?;
        Ok(n)
    }
}

type Sink = BufWriter<CountingWriter<File>>;

/// A partition file being written.
struct Open {
    partial: PartialFile,
    writer: ParquetWriter<Sink>,
    written: Arc<AtomicU64>,
    rows: u64,
}

/// A partition file written, to be renamed into place.
struct Written {
    partial: PartialFile,
    bytes: u64,
}

/// The input's rejects in the table's rejects folder.
struct TableRejects {
    partial: PartialFile,
    gzip: GzEncoder<BufWriter<File>>,
}

/// Which partitions have a row group in progress, followed for every partition of the input
/// (written at this pass or not), from the input's rows alone, so that the row groups are
/// ended at the same rows whichever pass writes a partition.
#[derive(Default)]
struct Groups {
    /// Per partition with a row group in progress: its rows since, and the last interval
    /// between checkpoints in which it had rows.
    open: BTreeMap<Partition, (u64, u64)>,
    /// Checkpoints so far.
    interval: u64,
}

impl Groups {
    fn add(&mut self, partition: Partition, rows: usize) {
        let group = self.open.entry(partition).or_default();
        group.0 += rows as u64;
        group.1 = self.interval;
    }

    /// The partitions whose row groups end at this checkpoint: those without rows since the
    /// last one, then, beyond [`ROW_GROUPS_IN_PROGRESS`], those of fewest rows.
    fn checkpoint(&mut self) -> Vec<Partition> {
        let interval = self.interval;
        self.interval += 1;
        let mut ended: Vec<Partition> = Vec::new();
        self.open.retain(|partition, &mut (_, last)| {
            let idle = last < interval;
            if idle {
                ended.push(*partition);
            }
            !idle
        });
        if self.open.len() > ROW_GROUPS_IN_PROGRESS {
            let mut by_rows: Vec<(u64, Partition)> =
                self.open.iter().map(|(p, &(rows, _))| (rows, *p)).collect();
            by_rows.sort();
            let beyond = by_rows.len() - ROW_GROUPS_IN_PROGRESS;
            for &(_, partition) in &by_rows[..beyond] {
                self.open.remove(&partition);
                ended.push(partition);
            }
        }
        ended
    }
}

/// How a reading of the input ended: the same at every pass, or the input changed.
#[derive(PartialEq)]
struct PassEnd {
    stats: DecodeStats,
    error: Option<String>,
}

/// Converts one input into the table under `-o`, its files named `name`, on `threads`
/// threads with at most `open_partitions` files being written at once.
pub fn convert(
    ctx: &Ctx,
    input: &Input,
    name: &str,
    threads: usize,
    open_partitions: usize,
) -> (InputReport, RejectsPart) {
    let mut conv = Conversion::new(ctx, input);
    if let Err(message) = run(&mut conv, name, threads, open_partitions.max(1)) {
        if STOP.load(Ordering::Relaxed) {
            conv.report.status = Status::Skipped;
        } else {
            conv.fail(message);
        }
    }
    conv.done()
}

fn run(
    conv: &mut Conversion<'_>,
    name: &str,
    threads: usize,
    open_partitions: usize,
) -> Result<(), String> {
    let ctx = conv.ctx;
    let args = &ctx.args;
    let granularity = args.partition_by.unwrap_or_default();
    let force = args.force;
    // Stdin is copied as it is read, for the passes after the first.
    let mut spool: Option<PartialFile> = None;
    let source: Box<dyn Read + Send> = match &conv.input.path {
        Some(_) => conv.source()?,
        None => {
            let (partial, file) = PartialFile::create_scratch(&args.output.join("stdin"), true)?;
            spool = Some(partial);
            Box::new(Tee {
                inner: std::io::stdin(),
                copy: file,
            })
        }
    };
    let (mut reader, count) = conv.open_reader(source, threads, true)?;
    let format = reader.format();
    let schema = reader.schema();
    let table = args.output.join(partition::table_name(format));
    let rejects_path = args
        .output
        .join(REJECTS_FOLDER)
        .join(partition::table_name(format))
        .join(format!("{name}.jsonl.gz"));
    if !force && output::occupied(&rejects_path) {
        return Err(format!(
            "the output {} exists: give --force to overwrite it",
            rejects_path.display()
        ));
    }
    let time_column = partition::time_column(&schema);
    let options = ctx
        .parquet
        .clone()
        .with_threads(threads)
        .with_max_pending_bytes((PENDING_BYTES / open_partitions).max(1 << 20));
    let checkpoint_rows = args.checkpoint_rows;
    let mut written: BTreeMap<Partition, Written> = BTreeMap::new();
    let mut rejects: Option<TableRejects> = None;
    let mut first: Option<PassEnd> = None;
    let mut first_error: Option<aws_access_logs::Error> = None;
    // The batch of each partition's last rows, known after pass 1: a later pass finishes a
    // file right after it, so that it writes as many partitions as fit at once, not in all.
    let mut last_batch: HashMap<Partition, u64> = HashMap::new();
    let mut figures = (0, 0);
    let mut pass = 1;
    loop {
        let mut open: BTreeMap<Partition, Open> = BTreeMap::new();
        let mut batch_no = 0u64;
        // The partitions passed over at this pass: they stay so until its end, even once a
        // file is finished early and its slot is free (their rows so far were not written).
        let mut passed: HashSet<Partition> = HashSet::new();
        let mut rows_read = 0u64;
        let mut checkpoint = checkpoint_rows;
        let mut groups = Groups::default();
        let note = (pass > 1).then(|| format!("{}: pass {pass}", conv.input.name));
        let read_error = loop {
            if STOP.load(Ordering::Relaxed) {
                return Err("stopped".into());
            }
            let batch = match reader.next_batch() {
                Ok(Some(batch)) => batch,
                Ok(None) => break None,
                Err(err) => break Some(err),
            };
            if pass == 1 {
                take_rejects(conv, &mut rejects, &rejects_path, reader.take_rejects())?;
            } else {
                drop(reader.take_rejects());
            }
            let parts = partition::split(&batch, time_column, granularity)
                .map_err(|e| format!("cannot partition the rows: {e}"))?;
            for (partition, rows) in &parts {
                groups.add(*partition, rows.num_rows());
                if pass == 1 {
                    last_batch.insert(*partition, batch_no);
                }
            }
            for (partition, rows) in parts {
                let full = open.len() >= open_partitions;
                let file = match open.entry(partition) {
                    Entry::Occupied(file) => file.into_mut(),
                    Entry::Vacant(_) if written.contains_key(&partition) => continue,
                    Entry::Vacant(_) if full || passed.contains(&partition) => {
                        passed.insert(partition);
                        continue;
                    }
                    Entry::Vacant(slot) => slot.insert(open_file(
                        ctx,
                        &table.join(partition.path()).join(format!("{name}.parquet")),
                        schema.clone(),
                        format,
                        &options,
                    )?),
                };
                file.writer
                    .write(&rows)
                    .map_err(|e| format!("cannot write the output: {e}"))?;
                file.rows += rows.num_rows() as u64;
            }
            rows_read += batch.num_rows() as u64;
            if rows_read >= checkpoint {
                for partition in groups.checkpoint() {
                    if let Some(file) = open.get_mut(&partition) {
                        file.writer
                            .end_row_group()
                            .map_err(|e| format!("cannot write the output: {e}"))?;
                    }
                }
                checkpoint = (rows_read / checkpoint_rows + 1) * checkpoint_rows;
            }
            if pass > 1 {
                let ended: Vec<Partition> = open
                    .keys()
                    .filter(|p| last_batch.get(p) == Some(&batch_no))
                    .copied()
                    .collect();
                for partition in ended {
                    if let Some(file) = open.remove(&partition) {
                        written.insert(partition, finish_file(file, first_error.as_ref())?);
                    }
                }
            }
            batch_no += 1;
            let rows = if pass == 1 { batch.num_rows() } else { 0 };
            ctx.count_rows(rows, note.as_deref());
        };
        if pass == 1 {
            take_rejects(conv, &mut rejects, &rejects_path, reader.take_rejects())?;
        }
        let end = PassEnd {
            stats: reader.stats(),
            error: read_error.as_ref().map(ToString::to_string),
        };
        match &first {
            None => {
                figures = (reader.bytes_read(), count.load(Ordering::Relaxed));
                first = Some(end);
            }
            Some(first) if *first != end => {
                return Err(format!(
                    "the input read differently at pass {pass} than at pass 1 (did it change \
                     while being converted?): nothing of it was written"
                ));
            }
            Some(_) => {}
        }
        drop(reader);
        if pass == 1 {
            first_error = read_error;
        }
        for (partition, file) in open {
            written.insert(partition, finish_file(file, first_error.as_ref())?);
        }
        if passed.is_empty() {
            break;
        }
        pass += 1;
        let source: Box<dyn Read + Send> = match &spool {
            Some(spool) => Box::new(
                File::open(spool.temp_path())
                    .map_err(|e| format!("cannot read back the copy of stdin: {e}"))?,
            ),
            None => conv.source()?,
        };
        (reader, _) = conv.open_reader(source, threads, false)?;
        if reader.format() != format || reader.schema() != schema {
            return Err(format!(
                "the input read as another format or schema at pass {pass} (did it change while \
                 being converted?): nothing of it was written"
            ));
        }
    }
    drop(spool);
    let stats = first.map(|f| f.stats).unwrap_or_default();
    let read_error = first_error;

    // Every file complete: renamed into place.
    if !force
        && let Some(file) = written
            .values()
            .find(|f| output::occupied(f.partial.path()))
    {
        return Err(format!(
            "the output {} appeared while converting: give --force to overwrite it",
            file.partial.path().display()
        ));
    }
    let mut paths = Vec::with_capacity(written.len());
    let mut bytes = 0;
    for file in written.into_values() {
        paths.push(file.partial.path().display().to_string());
        bytes += file.bytes;
        file.partial.commit(force)?;
    }
    let rejects_file = match rejects {
        Some(TableRejects { partial, gzip }) => {
            gzip.finish()
                .and_then(|mut out| out.flush())
                .map_err(|e| format!("cannot write {}: {e}", rejects_path.display()))?;
            partial.sync_reopened()?;
            partial.commit(force)?;
            Some(rejects_path.display().to_string())
        }
        None => {
            // No rejects this time: those of an earlier run are not left beside the new files.
            if force && output::occupied(&rejects_path) {
                std::fs::remove_file(&rejects_path)
                    .map_err(|e| format!("cannot remove {}: {e}", rejects_path.display()))?;
            }
            None
        }
    };
    let files = paths.len();
    conv.report.output = Some(table.display().to_string());
    conv.report.files = files as u64;
    conv.report.partition_files = paths;
    conv.report.rejects_file = rejects_file;
    conv.report.bytes_out = Some(bytes);
    let output = format!(
        "its {files} file{} under {}",
        if files == 1 { "" } else { "s" },
        table.display()
    );
    conv.record(&stats, figures.0, figures.1, read_error.as_ref(), &output);
    Ok(())
}

/// Finishes a partition file (`read_error`: the error that cut the input short) and syncs
/// it, closed, to be renamed into place with the input's others.
fn finish_file(file: Open, read_error: Option<&aws_access_logs::Error>) -> Result<Written, String> {
    let mut stats = DecodeStats::default();
    stats.rows = file.rows;
    match read_error {
        None => file.writer.finish(&stats),
        Some(err) => file.writer.finish_incomplete(&stats, err),
    }
    .map_err(|e| format!("cannot write {}: {e}", file.partial.path().display()))?;
    file.partial.sync_reopened()?;
    Ok(Written {
        partial: file.partial,
        bytes: file.written.load(Ordering::Relaxed),
    })
}

/// Creates the partition file `path` and its writer.
fn open_file(
    ctx: &Ctx,
    path: &Path,
    schema: SchemaRef,
    format: Format,
    options: &ParquetOptions,
) -> Result<Open, String> {
    if let Some(id) = plan::path_id(path)
        && ctx.input_ids.contains(&id)
    {
        return Err(format!(
            "the output {} is one of the inputs: it would be overwritten, whatever --force says",
            path.display()
        ));
    }
    let (partial, file) = PartialFile::create_scratch(path, ctx.args.force).map_err(|e| {
        if output::occupied(path) {
            format!(
                "the output {} exists: give --force to overwrite it",
                path.display()
            )
        } else {
            e
        }
    })?;
    let written = Arc::new(AtomicU64::new(0));
    let sink = BufWriter::with_capacity(
        WRITE_BUFFER,
        CountingWriter {
            inner: file,
            count: written.clone(),
        },
    );
    let writer = ParquetWriter::try_new(sink, schema, format, options)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Open {
        partial,
        writer,
        written,
        rows: 0,
    })
}

/// Writes `batch` of rejects to the table's rejects file (created at the first) and to the
/// input's part of `--rejects`.
fn take_rejects(
    conv: &mut Conversion<'_>,
    table: &mut Option<TableRejects>,
    path: &Path,
    batch: Vec<Reject>,
) -> Result<(), String> {
    if batch.is_empty() {
        return Ok(());
    }
    let out = match table {
        Some(out) => out,
        None => {
            let (partial, file) = PartialFile::create_scratch(path, conv.ctx.args.force)?;
            table.insert(TableRejects {
                partial,
                gzip: GzEncoder::new(BufWriter::new(file), Compression::default()),
            })
        }
    };
    for reject in &batch {
        let mut line = serde_json::to_vec(&reject_json(&conv.input.name, reject))
            .map_err(|e| format!("cannot write the rejects: {e}"))?;
        line.push(b'\n');
        out.gzip
            .write_all(&line)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    conv.write_rejects(batch)
}
