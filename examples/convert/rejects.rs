//! The rejected and repaired lines as JSON lines: each input's written to a part file while it
//! is converted, the parts joined in input order into the `--rejects` file at the end (so that
//! it is the same whatever the thread count). [`write_reject`] makes every line (the
//! partitioned table's rejects files too).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use aws_access_logs::Reject;
use base64::Engine as _;

use crate::args::Args;
use crate::partial::{self, PartialFile};
use crate::progress::err_line;
use crate::report::{InputReport, Status};

/// An input's part of the `--rejects` file, being written.
pub type RejectsPart = Option<(PartialFile, BufWriter<File>)>;

/// Writes `reject` of the input named `input` to `out` as one JSON object and a newline.
pub fn write_reject(out: &mut dyn Write, input: &str, reject: &Reject) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&reject_json(input, reject))?;
    line.push(b'\n');
    out.write_all(&line)
}

/// The JSON object of a reject (the bytes of a line that is not UTF-8 in base64).
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
