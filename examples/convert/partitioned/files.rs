//! The files of an input in the partitioned table: its partition files and its rejects file,
//! each written under a temporary name until the whole input is converted.

use std::collections::BTreeMap;
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

use crate::args::usage;
use crate::conversion::Conversion;
use crate::inputs::{self, Input};
use crate::output::CountingWriter;
use crate::partial::{self, PartialFile};
use crate::rejects;
use crate::run::Ctx;

/// The folder of the rejects, outside the table (query engines skip names starting with `_`).
pub const REJECTS_FOLDER: &str = "_rejects";

/// Write buffer of each partition file.
const WRITE_BUFFER: usize = 64 << 10;

/// The folders of the table (and its rejects) under `-o DIR`.
fn table_folders() -> impl Iterator<Item = &'static str> {
    Format::ALL
        .iter()
        .map(|&format| partition::table_name(format))
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
pub struct Tee<R> {
    pub inner: R,
    pub copy: File,
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
pub struct Open {
    partial: PartialFile,
    pub writer: ParquetWriter<Sink>,
    written: Arc<AtomicU64>,
    pub rows: u64,
}

/// A partition file written, to be renamed into place.
pub struct Written {
    pub partial: PartialFile,
    pub bytes: u64,
}

/// The input's rejects in the table's rejects folder.
pub struct TableRejects {
    pub partial: PartialFile,
    pub gzip: GzEncoder<BufWriter<File>>,
}

/// Finishes a partition file (`read_error`: the error that cut the input short) and syncs
/// it, closed, to be renamed into place with the input's others.
pub fn finish_file(
    file: Open,
    read_error: Option<&aws_access_logs::Error>,
) -> Result<Written, String> {
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
pub fn open_file(
    ctx: &Ctx,
    path: &Path,
    schema: SchemaRef,
    format: Format,
    options: &ParquetOptions,
) -> Result<Open, String> {
    if let Some(id) = inputs::path_id(path)
        && ctx.input_ids.contains(&id)
    {
        return Err(format!(
            "the output {} is one of the inputs: it would be overwritten, whatever --force says",
            path.display()
        ));
    }
    let (partial, file) = PartialFile::create_scratch(path, ctx.args.force).map_err(|e| {
        if partial::occupied(path) {
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
pub fn take_rejects(
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
        rejects::write_reject(&mut out.gzip, &conv.input.name, reject)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    conv.write_rejects(batch)
}

/// Renames the input's partition files into place (unless `force`, none may have appeared
/// meanwhile); returns their paths and bytes.
pub fn commit(
    written: BTreeMap<Partition, Written>,
    force: bool,
) -> Result<(Vec<String>, u64), String> {
    if !force
        && let Some(file) = written
            .values()
            .find(|f| partial::occupied(f.partial.path()))
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
    Ok((paths, bytes))
}

/// Finishes the input's rejects file at `path` and renames it into place; without rejects,
/// removes that of an earlier run (with `force`). Returns the file's path, if written.
pub fn commit_rejects(
    rejects: Option<TableRejects>,
    path: &Path,
    force: bool,
) -> Result<Option<String>, String> {
    match rejects {
        Some(TableRejects { partial, gzip }) => {
            gzip.finish()
                .and_then(|mut out| out.flush())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            partial.sync_reopened()?;
            partial.commit(force)?;
            Ok(Some(path.display().to_string()))
        }
        None => {
            // No rejects this time: those of an earlier run are not left beside the new files.
            if force && partial::occupied(path) {
                std::fs::remove_file(path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
            Ok(None)
        }
    }
}
