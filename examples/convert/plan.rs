//! Inputs (files, directories, stdin) and where each one's output goes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One input to convert.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file, or `None` for stdin.
    pub path: Option<PathBuf>,
    /// How the input is named in messages, the summary and the rejects (`-` for stdin).
    pub name: String,
    /// The output path relative to an output directory (`-o DIR`).
    pub relative: PathBuf,
    /// The file's size, when known (for the progress bar).
    pub size: Option<u64>,
}

/// A problem with one input argument found while listing the inputs.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub message: String,
}

/// Lists the inputs: files as given, directories walked recursively in name order (hidden
/// entries skipped, and anything under `skip`, the output directory), `-` as stdin.
pub fn list_inputs(args: &[PathBuf], skip: Option<&Path>) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let skip = skip.and_then(|p| p.canonicalize().ok());
    for arg in args {
        let name = arg.display().to_string();
        if arg.as_os_str() == "-" {
            inputs.push(Input {
                path: None,
                name: "-".into(),
                relative: PathBuf::from("stdin"),
                size: None,
            });
            continue;
        }
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => walk(arg, arg, skip.as_deref(), &mut inputs, &mut errors),
            Ok(meta) => inputs.push(Input {
                path: Some(arg.clone()),
                name,
                relative: PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str())),
                size: Some(meta.len()).filter(|_| meta.is_file()),
            }),
            Err(err) => errors.push(InputError {
                name,
                message: match err.kind() {
                    std::io::ErrorKind::NotFound => {
                        "no such file or directory (check the path)".into()
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "permission denied (check its permissions)".into()
                    }
                    _ => format!("cannot read it: {err}"),
                },
            }),
        }
    }
    (inputs, errors)
}

fn walk(
    root: &Path,
    dir: &Path,
    skip: Option<&Path>,
    inputs: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
) {
    if skip.is_some() && dir.canonicalize().ok().as_deref() == skip {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(InputError {
                name: dir.display().to_string(),
                message: format!("cannot read the directory: {err} (check its permissions)"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                if !entry.file_name().to_string_lossy().starts_with('.') {
                    paths.push(entry.path());
                }
            }
            Err(err) => errors.push(InputError {
                name: dir.display().to_string(),
                message: format!("cannot read the directory: {err} (check its permissions)"),
            }),
        }
    }
    paths.sort();
    for path in paths {
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(root, &path, skip, inputs, errors),
            Ok(meta) if meta.is_file() => inputs.push(Input {
                name: path.display().to_string(),
                relative: path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
                size: Some(meta.len()),
                path: Some(path),
            }),
            // Sockets, fifos and dangling links inside a directory are not logs.
            Ok(_) => {}
            Err(err) => errors.push(InputError {
                name: path.display().to_string(),
                message: format!("cannot read it: {err}"),
            }),
        }
    }
}

/// `relative` with its log extensions replaced by `extension`: `.gz` is dropped, then `.log`,
/// `.txt` or `.tsv`; other dots are kept (CloudFront standard log names hold the distribution
/// and date with dots: `E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz`).
pub fn output_name(relative: &Path, extension: &str) -> PathBuf {
    let mut name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for suffix in [".gz", ".gzip"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
            break;
        }
    }
    for suffix in [".log", ".txt", ".tsv"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
            break;
        }
    }
    if name.is_empty() {
        name = "output".into();
    }
    relative.with_file_name(format!("{name}.{extension}"))
}

/// The first pair of inputs (by index) that would write the same output.
pub fn collision(outputs: &[PathBuf]) -> Option<(usize, usize)> {
    let mut seen: HashMap<&Path, usize> = HashMap::new();
    for (i, out) in outputs.iter().enumerate() {
        if let Some(&j) = seen.get(out.as_path()) {
            return Some((j, i));
        }
        seen.insert(out, i);
    }
    None
}
