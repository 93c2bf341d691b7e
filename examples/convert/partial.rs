//! Output files written under a temporary name and renamed when complete (removed on an
//! interrupt), and the checks of what is at an output path.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Temporary files being written, removed by the interrupt handler.
static PARTIAL: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes every temporary file being written (on an interrupt).
pub fn remove_partial_files() {
    let paths = match PARTIAL.lock() {
        Ok(mut paths) => std::mem::take(&mut *paths),
        Err(_) => return,
    };
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// Whether something is at `path`: a file, a directory, or a symlink, even a dangling one.
pub fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether `path` is, or links to, something other than a regular file or a directory: a
/// device, FIFO or socket (`/dev/null`, `/dev/stdout`). Such an output is written in place:
/// there is nothing to rename over it, and its directory is no place for temporary files.
pub fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Longest file name most file systems take, in bytes.
const NAME_MAX: usize = 255;

/// The hidden temporary name for the file name `name`: `.NAME.PID-N.partial`, with `NAME` cut
/// (at a character boundary) so that the whole stays within [`NAME_MAX`] bytes.
fn temp_name(name: &str) -> String {
    let suffix = format!(
        ".{}-{}.partial",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let room = NAME_MAX - 1 - suffix.len();
    let mut end = name.len().min(room);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}{suffix}", &name[..end])
}

/// A file written under a hidden temporary name beside its final path, renamed into place by
/// [`PartialFile::commit`] and removed if dropped before: an interrupted run never leaves a
/// truncated file under the final name. The file is synced to disk before the rename and its
/// directory after it, so that a committed output survives a crash or power loss.
#[derive(Debug)]
pub struct PartialFile {
    temp: PathBuf,
    path: PathBuf,
    /// The temporary file (the same open file as the writer's), synced on commit.
    sync: Option<File>,
    committed: bool,
    /// Written in place (a device or FIFO, see [`is_special`]): no temporary name.
    in_place: bool,
}

impl PartialFile {
    /// Creates the temporary file for `path`. Unless `force`, an existing `path` (even a
    /// dangling symlink) is an error.
    pub fn create(path: &Path, force: bool) -> Result<(Self, File), String> {
        let (mut partial, file) = Self::create_scratch(path, force)?;
        if partial.in_place {
            return Ok((partial, file));
        }
        partial.sync = Some(
            file.try_clone()
                .map_err(|e| format!("cannot create {}: {e}", partial.temp.display()))?,
        );
        Ok((partial, file))
    }

    /// As [`PartialFile::create`], without a second handle: for a file that is never
    /// committed, or that is synced by [`PartialFile::sync_reopened`] before its commit.
    pub fn create_scratch(path: &Path, force: bool) -> Result<(Self, File), String> {
        // A device or FIFO is written in place, with or without `force`: nothing is replaced.
        if is_special(path) {
            let file = File::options()
                .write(true)
                .open(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let partial = PartialFile {
                temp: path.to_path_buf(),
                path: path.to_path_buf(),
                sync: None,
                committed: false,
                in_place: true,
            };
            return Ok((partial, file));
        }
        if !force && occupied(path) {
            return Err(format!(
                "{} exists: give --force to overwrite it",
                path.display()
            ));
        }
        let dir = parent_dir(path);
        create_dir_durably(dir)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(temp_name(&name));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
        if let Ok(mut partial) = PARTIAL.lock() {
            partial.push(temp.clone());
        }
        Ok((
            PartialFile {
                temp,
                path: path.to_path_buf(),
                sync: None,
                committed: false,
                in_place: false,
            },
            file,
        ))
    }

    /// The temporary path being written.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the temporary file, written and closed through the handle of
    /// [`PartialFile::create_scratch`], by opening it again (a sync writes out the file's data
    /// whichever handle wrote it), so that no handle stays open between the end of the writing
    /// and [`PartialFile::commit`]: a run holding thousands of finished files holds no
    /// descriptor for them.
    pub fn sync_reopened(&self) -> Result<(), String> {
        if self.in_place {
            return Ok(());
        }
        File::open(&self.temp)
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Syncs the complete file, renames it into place and syncs its directory.
    pub fn commit(mut self, force: bool) -> Result<(), String> {
        if self.in_place {
            self.committed = true;
            return Ok(());
        }
        if !force && occupied(&self.path) {
            return Err(format!(
                "{} appeared while converting: give --force to overwrite it",
                self.path.display()
            ));
        }
        if let Some(file) = self.sync.take() {
            file.sync_all()
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        }
        std::fs::rename(&self.temp, &self.path)
            .map_err(|e| format!("cannot rename to {}: {e}", self.path.display()))?;
        self.committed = true;
        self.unregister();
        sync_dir(parent_dir(&self.path))
    }

    fn unregister(&self) {
        if let Ok(mut partial) = PARTIAL.lock() {
            partial.retain(|p| p != &self.temp);
        }
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed && !self.in_place {
            let _ = std::fs::remove_file(&self.temp);
            self.unregister();
        }
    }
}

/// The directory `path` is in.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates `dir` and the directories above it that are missing, and syncs each new one's
/// parent, so that a file committed into them is reachable after a crash.
fn create_dir_durably(dir: &Path) -> Result<(), String> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    for new in missing.iter().rev() {
        sync_dir(parent_dir(new))?;
    }
    Ok(())
}

/// Syncs a directory, so that a rename into it is on disk.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), String> {
    let result = File::open(dir).and_then(|d| d.sync_all());
    match result {
        Ok(()) => Ok(()),
        // Some file systems cannot sync a directory: nothing more can be done there.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOTSUP)) => Ok(()),
        Err(e) => Err(format!("cannot sync the directory {}: {e}", dir.display())),
    }
}

/// Directories cannot be opened to be synced here.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), String> {
    Ok(())
}
