//! The inputs: files, directories walked, stdin; each file listed once, by its identity.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A file's identity: its device and inode number on Unix (hard links and symlinks to one file
/// have the same), its canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

/// The identity of the file `meta` describes (reached through `path`).
#[cfg(unix)]
pub fn file_id(_path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId::Inode(meta.dev(), meta.ino()))
}

/// The identity of the file `meta` describes (reached through `path`).
#[cfg(not(unix))]
pub fn file_id(path: &Path, _meta: &std::fs::Metadata) -> Option<FileId> {
    path.canonicalize().ok().map(FileId::Path)
}

/// The identity of the file at `path` (symlinks followed), if it exists.
pub fn path_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    file_id(path, &meta)
}

/// The identity of stdin when it is a regular file (`convert - < a.log`).
#[cfg(unix)]
pub fn stdin_id() -> Option<FileId> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file()
        .then(|| file_id(Path::new("-"), &meta))
        .flatten()
}

/// The identity of stdin when it is a regular file (not known here).
#[cfg(not(unix))]
pub fn stdin_id() -> Option<FileId> {
    None
}

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
    /// The file's identity, when known (stdin's only when it is a regular file).
    pub id: Option<FileId>,
}

/// A problem with one input argument found while listing the inputs.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub message: String,
}

/// The inputs found, the problems, and what was skipped and why.
#[derive(Debug, Default)]
pub struct Listing {
    pub inputs: Vec<Input>,
    pub errors: Vec<InputError>,
    /// Paths left out on purpose (a file already listed through another path, a directory
    /// already walked, a link back to a directory being walked), with why.
    pub notes: Vec<String>,
}

/// Lists the inputs: files as given, directories walked recursively in name order (hidden
/// entries skipped, and anything under `skip`, the output directory), `-` as stdin.
///
/// Symlinks are followed, to files and to directories, but every file is listed once: a file
/// reached again through another path (a symlink, a hard link, a directory given twice) is
/// left out with a note, as is a directory already walked (a link to a directory being walked
/// is a loop). Identity is the device and inode number. The walk stops early (what is listed
/// so far is returned) once `stop` is set; `progress` is told the number of files listed.
pub fn list_inputs(
    args: &[PathBuf],
    skip: Option<&Path>,
    stop: &AtomicBool,
    mut progress: impl FnMut(usize),
) -> Listing {
    let mut walk = Walk {
        listing: Listing::default(),
        files: HashMap::new(),
        dirs: HashMap::new(),
        skip: skip.and_then(path_id),
        stop,
    };
    for arg in args {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let name = arg.display().to_string();
        if arg.as_os_str() == "-" {
            walk.listing.inputs.push(Input {
                path: None,
                name: "-".into(),
                relative: PathBuf::from("stdin"),
                size: None,
                id: stdin_id(),
            });
            continue;
        }
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => walk.dir(arg, &mut progress),
            Ok(meta) => walk.file(
                arg,
                PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str())),
                &meta,
            ),
            Err(err) => walk.listing.errors.push(InputError {
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
        progress(walk.listing.inputs.len());
    }
    walk.listing
}

struct Walk<'a> {
    listing: Listing,
    /// Every file listed, with its name.
    files: HashMap<FileId, String>,
    /// Every directory walked, with its name.
    dirs: HashMap<FileId, String>,
    skip: Option<FileId>,
    stop: &'a AtomicBool,
}

impl Walk<'_> {
    /// Lists the file `path` unless it is listed already.
    fn file(&mut self, path: &Path, relative: PathBuf, meta: &std::fs::Metadata) {
        let name = path.display().to_string();
        let id = file_id(path, meta);
        if let Some(id) = &id {
            if let Some(first) = self.files.get(id) {
                self.listing
                    .notes
                    .push(format!("{name}: skipped, the same file as {first}"));
                return;
            }
            self.files.insert(id.clone(), name.clone());
        }
        self.listing.inputs.push(Input {
            path: Some(path.to_path_buf()),
            name,
            relative,
            size: Some(meta.len()).filter(|_| meta.is_file()),
            id,
        });
    }

    /// Walks the directory `root`.
    fn dir(&mut self, root: &Path, progress: &mut impl FnMut(usize)) {
        let mut entries = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let entry = match entries.next() {
                None => return,
                Some(Ok(entry)) => entry,
                Some(Err(err)) => {
                    let name = err.path().unwrap_or(root).display().to_string();
                    if let Some(ancestor) = err.loop_ancestor() {
                        self.listing.notes.push(format!(
                            "{name}: skipped, a link to {} (a loop)",
                            ancestor.display()
                        ));
                    } else if err.io_error().map(std::io::Error::kind)
                        == Some(std::io::ErrorKind::NotFound)
                        && err
                            .path()
                            .and_then(|p| p.symlink_metadata().ok())
                            .is_some_and(|m| m.file_type().is_symlink())
                    {
                        // Dangling links are not logs.
                    } else {
                        let what = if err.depth() == 0 || err.io_error().is_none() {
                            "cannot read the directory"
                        } else {
                            "cannot read it"
                        };
                        let io = err
                            .io_error()
                            .map_or_else(|| err.to_string(), ToString::to_string);
                        self.listing.errors.push(InputError {
                            name,
                            message: format!("{what}: {io} (check its permissions)"),
                        });
                    }
                    continue;
                }
            };
            let path = entry.path();
            if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
                if entry.file_type().is_dir() {
                    entries.skip_current_dir();
                }
                continue;
            }
            // With links followed, the metadata is the target's.
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) => {
                    self.listing.errors.push(InputError {
                        name: path.display().to_string(),
                        message: format!("cannot read it: {err}"),
                    });
                    continue;
                }
            };
            if meta.is_dir() {
                let Some(id) = file_id(path, &meta) else {
                    continue;
                };
                if self.skip.as_ref() == Some(&id) {
                    entries.skip_current_dir();
                } else if let Some(first) = self.dirs.get(&id) {
                    self.listing.notes.push(format!(
                        "{}: skipped, the same directory as {first}",
                        path.display()
                    ));
                    entries.skip_current_dir();
                } else {
                    self.dirs.insert(id, path.display().to_string());
                }
            } else if meta.is_file() {
                let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
                self.file(path, relative, &meta);
                progress(self.listing.inputs.len());
            }
            // Sockets and fifos inside a directory are not logs.
        }
    }
}
