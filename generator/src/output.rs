//! The output folder. A build changes only the files whose bytes differ, and a reader of
//! the folder (a web server, `serve`) never sees a half-written file or a page that links a
//! file not there yet:
//!
//! 1. While pages render, each file is compared with the one in place (size, then bytes);
//!    an identical file is left alone (same inode, same mtime). A new or changed file is
//!    written whole into a pending folder *inside* the output folder (`.eclaireurs-pending-PID`,
//!    so on the same file system and every later rename is atomic). Nothing visible changes.
//! 2. If anything failed (a content or template problem, a write error), the pending
//!    folder is removed: the previous output is exactly as it was.
//! 3. Otherwise the pending files are renamed into place in three groups: assets and other
//!    files first, then pages (`.html`), then `sitemap.xml` and `robots.txt`, which name
//!    the pages; so no page ever links an asset that is not there yet.
//! 4. Last, stale files (in the folder but not built this time) are removed, then the
//!    folders they leave empty.
//!
//! Before the first rename, every pending file's place is checked (a folder where a file
//! goes stops the build there, the output untouched). Only the system failing during the
//! renames themselves (a full or failing disk) can leave some files new and others old,
//! each whole; the next build finishes the job.
//!
//! Into a folder that does not exist yet (or is empty), a build writes a fresh folder beside
//! it and renames it into place at the end: the same guarantees, without a rename per file.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use eclaireurs_model::Problem;

use crate::render::Sink;

/// Written in every output folder, so a build only ever replaces a folder it made.
pub(crate) const MARKER: &str = ".eclaireurs-build";

/// The pending folder's name, before the process id.
pub(crate) const PENDING: &str = ".eclaireurs-pending-";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} already exists and was not made by eclaireurs; choose another --out folder or \
         remove it"
    )]
    NotOurs(PathBuf),
    /// Writing (or renaming, or removing) a file of the output failed: the path and the
    /// operating system's reason.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// What a build did to its output folder.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// Files written (new or changed).
    pub written: usize,
    /// Files left as they were, their bytes the same.
    pub unchanged: usize,
    /// Stale files removed.
    pub removed: usize,
}

enum Mode {
    /// A fresh folder beside the target, renamed into place at the end.
    Fresh { dir: PathBuf },
    /// Changed files pending inside the target, renamed into place at the end.
    Update { pending: PathBuf },
}

/// An output folder being updated; dropped without [`Output::commit`], it is as it was.
pub struct Output {
    target: PathBuf,
    mode: Mode,
    /// Every path built (`/`-separated, relative to the folder), changed or not.
    built: Mutex<HashSet<String>>,
    /// Pending files to rename into place: (path in the folder, pending file).
    pending: Mutex<Vec<(String, PathBuf)>>,
    next: AtomicUsize,
    unchanged: AtomicUsize,
    /// The first write error: the build reports it rather than a content problem.
    error: Mutex<Option<OutputError>>,
    done: bool,
}

impl Output {
    pub fn open(target: &Path) -> Result<Output, OutputError> {
        let empty = fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none());
        let mode = if target.exists() && !empty {
            if !target.join(MARKER).is_file() {
                return Err(OutputError::NotOurs(target.to_path_buf()));
            }
            let pending = target.join(format!("{PENDING}{}", std::process::id()));
            if pending.exists() {
                fs::remove_dir_all(&pending).map_err(write_error(&pending))?;
            }
            fs::create_dir(&pending).map_err(write_error(&pending))?;
            Mode::Update { pending }
        } else {
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "public".into());
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            fs::create_dir_all(&parent).map_err(write_error(&parent))?;
            let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
            if dir.exists() {
                fs::remove_dir_all(&dir).map_err(write_error(&dir))?;
            }
            fs::create_dir(&dir).map_err(write_error(&dir))?;
            let marker = dir.join(MARKER);
            fs::write(&marker, b"").map_err(write_error(&marker))?;
            Mode::Fresh { dir }
        };
        Ok(Output {
            target: target.to_path_buf(),
            mode,
            built: Mutex::new(HashSet::new()),
            pending: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            error: Mutex::new(None),
            done: false,
        })
    }

    /// The first write error met while rendering, if any.
    pub fn take_error(&self) -> Option<OutputError> {
        lock(&self.error).take()
    }

    fn put(&self, rel: &str, contents: &[u8]) -> Result<(), OutputError> {
        if !lock(&self.built).insert(rel.to_string()) {
            // Written twice in one build (a page and a static file at one path): the later
            // wins, as when files were written in place.
            lock(&self.pending).retain(|(r, _)| r != rel);
        }
        match &self.mode {
            Mode::Fresh { dir } => {
                let dest = dir.join(rel);
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(write_error(parent))?;
                }
                fs::write(&dest, contents).map_err(write_error(&dest))
            }
            Mode::Update { pending } => {
                let dest = self.target.join(rel);
                if same_bytes(&dest, contents) {
                    self.unchanged.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                let n = self.next.fetch_add(1, Ordering::Relaxed);
                let aside = pending.join(n.to_string());
                fs::write(&aside, contents).map_err(write_error(&aside))?;
                lock(&self.pending).push((rel.to_string(), aside));
                Ok(())
            }
        }
    }

    /// Puts the build in place (see the module's comment for the order) and says what changed.
    pub fn commit(mut self) -> Result<Changes, OutputError> {
        if let Some(err) = self.take_error() {
            return Err(err);
        }
        self.done = true;
        let built = std::mem::take(&mut *lock(&self.built));
        match &self.mode {
            Mode::Fresh { dir } => {
                // Onto an empty folder, a rename replaces it in one step.
                if let Err(e) = fs::rename(dir, &self.target) {
                    let _ = fs::remove_dir_all(dir);
                    return Err(write_error(&self.target)(e));
                }
                Ok(Changes {
                    written: built.len(),
                    ..Changes::default()
                })
            }
            Mode::Update { pending } => {
                let mut files = std::mem::take(&mut *lock(&self.pending));
                files.sort_by(|a, b| (rank(&a.0), &a.0).cmp(&(rank(&b.0), &b.0)));
                let written = files.len();
                let result = self
                    .make_room(&files, &built)
                    .and_then(|()| self.rename_all(&files))
                    .and_then(|()| {
                        let _ = fs::remove_dir(pending);
                        self.remove_stale(&built)
                    });
                let _ = fs::remove_dir_all(pending);
                let removed = result?;
                Ok(Changes {
                    written,
                    unchanged: self.unchanged.load(Ordering::Relaxed),
                    removed,
                })
            }
        }
    }

    /// Before any rename: a folder where a file goes stops the build with the previous output
    /// whole; a stale file where a folder goes (it is going anyway) is removed now.
    fn make_room(
        &self,
        files: &[(String, PathBuf)],
        built: &HashSet<String>,
    ) -> Result<(), OutputError> {
        for (rel, _) in files {
            let dest = self.target.join(rel);
            if dest.is_dir() {
                return Err(OutputError::Write {
                    path: dest,
                    source: std::io::ErrorKind::IsADirectory.into(),
                });
            }
            let mut folder = String::new();
            for part in rel
                .split('/')
                .rev()
                .skip(1)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                if !folder.is_empty() {
                    folder.push('/');
                }
                folder.push_str(part);
                let path = self.target.join(&folder);
                match fs::symlink_metadata(&path) {
                    Ok(meta) if !meta.is_dir() && !built.contains(&folder) => {
                        fs::remove_file(&path).map_err(write_error(&path))?;
                    }
                    Ok(meta) if !meta.is_dir() => {
                        return Err(OutputError::Write {
                            path,
                            source: std::io::ErrorKind::NotADirectory.into(),
                        });
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn rename_all(&self, files: &[(String, PathBuf)]) -> Result<(), OutputError> {
        for (rel, aside) in files {
            let dest = self.target.join(rel);
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(write_error(parent))?;
            }
            fs::rename(aside, &dest).map_err(write_error(&dest))?;
        }
        Ok(())
    }

    /// Removes every file not built this time (the marker kept), then emptied folders.
    fn remove_stale(&self, built: &HashSet<String>) -> Result<usize, OutputError> {
        let mut removed = 0;
        remove_stale_in(&self.target, "", built, &mut removed)?;
        Ok(removed)
    }
}

/// Walks `dir` (at `rel` in the output folder); true when it is left empty.
fn remove_stale_in(
    dir: &Path,
    rel: &str,
    built: &HashSet<String>,
    removed: &mut usize,
) -> Result<bool, OutputError> {
    let mut empty = true;
    for entry in fs::read_dir(dir).map_err(write_error(dir))? {
        let entry = entry.map_err(write_error(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let here = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if rel.is_empty() && (name == MARKER || name.starts_with(PENDING)) {
            empty = false;
            continue;
        }
        let is_dir = entry.file_type().map_err(write_error(&path))?.is_dir();
        if is_dir {
            if remove_stale_in(&path, &here, built, removed)? {
                fs::remove_dir(&path).map_err(write_error(&path))?;
            } else {
                empty = false;
            }
        } else if built.contains(&here) {
            empty = false;
        } else {
            fs::remove_file(&path).map_err(write_error(&path))?;
            *removed += 1;
        }
    }
    Ok(empty)
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.done {
            let _ = match &self.mode {
                Mode::Fresh { dir } => fs::remove_dir_all(dir),
                Mode::Update { pending } => fs::remove_dir_all(pending),
            };
        }
    }
}

impl Sink for Output {
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Problem> {
        if lock(&self.error).is_some() {
            return Err(Problem::invalid(
                &self.target,
                "the output could not be written",
            ));
        }
        self.put(rel, contents).map_err(|err| {
            // The renderer collects problems; the build looks here first and reports the
            // write error as one (`BuildError::Output`), not as a content problem.
            let problem = Problem::invalid(&self.target, err.to_string());
            lock(&self.error).get_or_insert(err);
            problem
        })
    }
}

/// Assets and other files (0), pages (1), the files that list the pages (2).
fn rank(rel: &str) -> u8 {
    if rel == "sitemap.xml" || rel == "robots.txt" {
        2
    } else if rel.ends_with(".html") {
        1
    } else {
        0
    }
}

/// Whether the file at `path` holds exactly `contents` (a missing file does not).
fn same_bytes(path: &Path, contents: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == contents.len() as u64 => {
            fs::read(path).is_ok_and(|bytes| bytes == contents)
        }
        _ => false,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes into a published folder file by file, each replaced whole (written aside, then
/// renamed), for `serve`'s partial rebuilds.
pub struct InPlace<'a>(pub &'a Path);

impl Sink for InPlace<'_> {
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Problem> {
        let dest = self.0.join(rel);
        let aside = dest.with_extension("partial");
        let written = fs::write(&aside, contents)
            .map_err(write_error(&aside))
            .and_then(|()| fs::rename(&aside, &dest).map_err(write_error(&dest)));
        written.map_err(|err| Problem::invalid(&dest, err.to_string()))
    }
}

/// A build kept in memory, file by file, for `publish`: what it uploads comes from here, so a
/// publish writes no folder of its own (on a slow disk, creating thousands of files costs
/// more than rendering them).
#[derive(Default)]
pub struct Memory(Mutex<Vec<(String, Vec<u8>)>>);

impl Memory {
    /// The files written, as (path in the site, contents).
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.0
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Sink for Memory {
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Problem> {
        lock(&self.0).push((rel.to_string(), contents.to_vec()));
        Ok(())
    }
}
