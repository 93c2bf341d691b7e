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
//!   (`ParquetWriter::end_row_group`), and beyond `ROW_GROUPS_IN_PROGRESS` ([`groups`]) those
//!   of fewest rows, so that the earlier hours of a log hold no row group in memory. Which row groups end
//!   is decided from the rows of every partition, written at this pass or not.
//!
//! A partition's file depends only on the input's batches, in which its rows come in the same
//! order at every pass, and on the checkpoints, counted in rows of the input: it is
//! byte-identical whichever pass writes it, whatever the limit of open files and the number of
//! threads. Every pass must read the input alike (the same counts and the same error, if
//! any), or the input fails.
//!
//! The files are written under temporary names and renamed only once the whole input is

mod files;
mod groups;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::sync::atomic::Ordering;

use aws_access_logs::DecodeStats;
use aws_access_logs::partition::{self, Partition};

use crate::conversion::Conversion;
use crate::inputs::Input;
use crate::partial::{self, PartialFile};
use crate::rejects::RejectsPart;
use crate::report::{InputReport, Status};
use crate::run::{Ctx, STOP};
use files::{
    Open, REJECTS_FOLDER, TableRejects, Tee, Written, finish_file, open_file, take_rejects,
};
use groups::Groups;

pub use files::check_inputs_outside_the_table;

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
    if !force && partial::occupied(&rejects_path) {
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
    let (paths, bytes) = files::commit(written, force)?;
    let rejects_file = files::commit_rejects(rejects, &rejects_path, force)?;
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
