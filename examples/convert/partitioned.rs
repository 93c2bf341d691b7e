//! `--partition-by hour|day`: each input's rows written into a Hive-partitioned table, the
//! layout of the Lambda's output, `DIR/FORMAT/year=YYYY/month=MM/day=DD[/hour=HH]/NAME.parquet`,
//! its rejects outside the table in `DIR/_rejects/FORMAT/NAME.jsonl.gz`.
//!
//! Every row goes to the partition of its own record time ([`aws_access_logs::partition`]);
//! an input gives one file per partition its rows fall in. Two things keep memory bounded
//! whatever the number of partitions:
//!
//! * At most `--open-partitions` files are written at once. The partitions are taken in the
//!   order their first row comes; the rows of those beyond the limit are passed over, and
//!   written by a further pass that reads the input again (stdin is copied to a temporary file
//!   in the output directory while it is read, for that), and so on until every partition is
//!   written.
//! * Every [`CHECKPOINT_ROWS`] rows of the input, the row group of each file being written is
//!   ended ([`ParquetWriter::end_row_group`]), so that a partition that gets no rows for a
//!   while (the earlier hours of a log in time order) holds no row group in memory.
//!
//! A partition's file depends only on the input's batches, in which every partition's rows
//! come in the same order at every pass, and on the checkpoints, which are counted in rows of
//! the input: it is byte-identical whichever pass writes it, whatever the limit of open files
//! and the number of threads.
//!
//! The files are written under temporary names and renamed only once the whole input is
//! converted: a failed input leaves none of them.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
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

/// Default most partition files written at once (shared by the inputs converted side by
/// side). Each open file costs little more than its descriptor, a 64 KiB write buffer and its
/// encoding threads while its row group is ended at every checkpoint: 256 open files of an
/// input spanning 3000 hours peaked at (see the README's figures).
pub const DEFAULT_OPEN_PARTITIONS: u32 = 256;

/// Rows of an input between two checkpoints, where the row group of every file being written
/// is ended: the row groups of all partitions together hold at most this many rows (1 Mi rows,
/// parquet's own row-group limit, is about 32 MiB of encoded S3 access log).
pub const CHECKPOINT_ROWS: u64 = 512 * 1024;

/// The folder of the rejects, outside the table (query engines skip names starting with `_`).
const REJECTS_FOLDER: &str = "_rejects";

/// Write buffer of each partition file.
const WRITE_BUFFER: usize = 64 << 10;

/// The table folder of a format, as the Lambda names it.
pub fn format_folder(format: Format) -> &'static str {
    match format {
        Format::S3 => "s3-access",
        Format::CloudFrontRealtime => "cloudfront-realtime",
        Format::CloudFrontStandard => "cloudfront-standard",
        _ => format.name(),
    }
}

/// The folders of the table (and its rejects) under `-o DIR`.
fn table_folders() -> impl Iterator<Item = &'static str> {
    Format::ALL
        .into_iter()
        .map(format_folder)
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
    let table = args.output.join(format_folder(format));
    let rejects_path = args
        .output
        .join(REJECTS_FOLDER)
        .join(format_folder(format))
        .join(format!("{name}.jsonl.gz"));
    if !force && output::occupied(&rejects_path) {
        return Err(format!(
            "the output {} exists: give --force to overwrite it",
            rejects_path.display()
        ));
    }
    let time_column = partition::time_column(&schema);
    let options = ctx.parquet.clone().with_threads(threads);
    let checkpoint_rows = args.checkpoint_rows;
    let mut written: BTreeMap<Partition, Written> = BTreeMap::new();
    let mut rejects: Option<TableRejects> = None;
    let mut first: Option<PassEnd> = None;
    let mut figures = (0, 0);
    let mut pass = 1;
    let read_error = loop {
        let mut open: BTreeMap<Partition, Open> = BTreeMap::new();
        let mut passed_over = false;
        let mut rows_read = 0u64;
        let mut checkpoint = checkpoint_rows;
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
            for (partition, rows) in parts {
                let full = open.len() >= open_partitions;
                let file = match open.entry(partition) {
                    Entry::Occupied(file) => file.into_mut(),
                    Entry::Vacant(_) if written.contains_key(&partition) => continue,
                    Entry::Vacant(_) if full => {
                        passed_over = true;
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
                for file in open.values_mut() {
                    file.writer
                        .end_row_group()
                        .map_err(|e| format!("cannot write the output: {e}"))?;
                }
                checkpoint = (rows_read / checkpoint_rows + 1) * checkpoint_rows;
            }
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
        for (partition, file) in open {
            let mut stats = DecodeStats::default();
            stats.rows = file.rows;
            match &read_error {
                None => file.writer.finish(&stats),
                Some(err) => file.writer.finish_incomplete(&stats, err),
            }
            .map_err(|e| format!("cannot write {}: {e}", file.partial.path().display()))?;
            file.partial.sync_reopened()?;
            written.insert(
                partition,
                Written {
                    partial: file.partial,
                    bytes: file.written.load(Ordering::Relaxed),
                },
            );
        }
        if !passed_over {
            break read_error;
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
    };
    drop(spool);
    let stats = first.map(|f| f.stats).unwrap_or_default();

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
