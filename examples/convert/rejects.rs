//! The rejected and repaired lines as JSON lines: each input's written to a part file while it
//! is converted, the parts joined in input order into the `--rejects` file at the end (so that
//! it is the same whatever the thread count). [`write_reject`] makes every line (the
//! partitioned table's rejects files too).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use aws_access_logs::Reject;

use crate::args::Args;
use crate::partial::{self, PartialFile};
use crate::progress::err_line;
use crate::report::{InputReport, Status};

/// An input's part of the `--rejects` file, being written.
pub type RejectsPart = Option<(PartialFile, BufWriter<File>)>;

/// Writes `reject` of the input named `input` to `out` as one JSON object and a newline: the
/// reject's own JSON (`aws_access_logs::Reject`'s `Serialize`) with an `input` key, all keys
/// in alphabetical order (`serde_json`'s map).
pub fn write_reject(out: &mut dyn Write, input: &str, reject: &Reject) -> std::io::Result<()> {
    let mut obj = serde_json::to_value(reject)?;
    obj["input"] = input.into();
    let mut line = serde_json::to_vec(&obj)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Where the inputs' parts of `--rejects` are written: beside the rejects file, or, for a
/// device or FIFO (`--rejects /dev/stdout`), in the system's temporary directory.
pub fn parts_dir(args: &Args) -> Option<PathBuf> {
    args.rejects.as_ref().map(|path| match path.parent() {
        _ if partial::is_special(path) => std::env::temp_dir(),
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    })
}

/// Joins the inputs' `parts` into the `--rejects` file, if one was asked for; a failure fails
/// the last input's report.
pub fn join(args: &Args, parts: Vec<RejectsPart>, reports: &mut [InputReport]) {
    if let Some(path) = &args.rejects
        && let Err(message) = join_parts(path, parts, args.force)
    {
        err_line(&format!("convert: error: {message}"));
        if let Some(last) = reports.last_mut() {
            last.status = Status::Failed;
        }
    }
}

/// Joins the per-input rejects, in input order, into the `--rejects` file.
fn join_parts(path: &Path, parts: Vec<RejectsPart>, force: bool) -> Result<(), String> {
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
