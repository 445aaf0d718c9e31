//! The output folder. A build writes into a fresh folder beside the target and swaps it in
//! only when everything succeeded, so a failed build leaves the previous site untouched.

use std::fs;
use std::path::{Path, PathBuf};

use eclaireurs_model::Problem;

use crate::render::Sink;

/// Written in every output folder, so a build only ever replaces a folder it made.
const MARKER: &str = ".eclaireurs-build";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} already exists and was not made by eclaireurs; choose another --out folder or \
         remove it"
    )]
    NotOurs(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A folder being filled; dropped without [`Staging::publish`], it is removed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    published: bool,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging, OutputError> {
        if target.exists() && !is_replaceable(target) {
            return Err(OutputError::NotOurs(target.to_path_buf()));
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir(&dir).map_err(io(&dir))?;
        fs::write(dir.join(MARKER), b"").map_err(io(&dir))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            published: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Copies a file into the folder at `rel`.
    pub fn copy(&self, source: &Path, rel: &str) -> Result<(), Problem> {
        let dest = self.dir.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| Problem::read(parent, &e))?;
        }
        fs::copy(source, &dest).map_err(|e| Problem::read(source, &e))?;
        Ok(())
    }

    /// Puts the new folder in place of the target, then removes the old one.
    pub fn publish(mut self) -> Result<(), OutputError> {
        let old = self.dir.with_extension("old");
        if self.target.exists() {
            fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            // Put the previous site back rather than leave nothing.
            let _ = fs::rename(&old, &self.target);
            return Err(io(&self.target)(e));
        }
        self.published = true;
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Problem> {
        let dest = self.dir.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| Problem::read(parent, &e))?;
        }
        fs::write(&dest, contents).map_err(|e| Problem::read(&dest, &e))
    }
}

fn is_replaceable(target: &Path) -> bool {
    target.join(MARKER).is_file()
        || fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none())
}

/// Writes into a published folder file by file, each replaced whole (written aside, then
/// renamed), for `serve`'s partial rebuilds.
pub struct InPlace<'a>(pub &'a Path);

impl Sink for InPlace<'_> {
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Problem> {
        let dest = self.0.join(rel);
        let aside = dest.with_extension("partial");
        fs::write(&aside, contents).map_err(|e| Problem::read(&aside, &e))?;
        fs::rename(&aside, &dest).map_err(|e| Problem::read(&dest, &e))
    }
}

/// A build kept in memory, file by file, for `publish`: what it uploads comes from here, so a
/// publish writes no folder of its own (on a slow disk, creating thousands of files costs
/// more than rendering them).
#[derive(Default)]
pub struct Memory(std::sync::Mutex<Vec<(String, Vec<u8>)>>);

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
        let mut files = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        files.push((rel.to_string(), contents.to_vec()));
        Ok(())
    }
}
