//! A symbolic link in the content folder or the theme that leads out of both is an error:
//! the build would read (and, from `static/`, publish) a file from anywhere.

use std::path::{Path, PathBuf};

use crate::error::{Location, Problem, ProblemKind};

/// Every link of `content` (as given) and of `theme` that leads out of both, or to a
/// folder that holds it.
pub(super) fn check(content: &Path, theme: Option<&Path>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Ok(real) = content.canonicalize() else {
        return problems;
    };
    let mut roots = vec![real.clone()];
    if let Some(theme) = theme.and_then(|t| t.canonicalize().ok()) {
        if !theme.starts_with(&real) {
            roots.push(theme);
        }
    }
    let shown = Shown { content, real };
    for root in &roots {
        links_in(root, &roots, &shown, &mut problems);
    }
    problems
}

/// How the rest of the problems name files: under the content folder as it was given.
struct Shown<'a> {
    content: &'a Path,
    real: PathBuf,
}

impl Shown<'_> {
    /// `path` (in the real folder `dir`), under the content folder as given when it is in it.
    fn path(&self, dir: &Path, path: &Path) -> PathBuf {
        let name = path.file_name().unwrap_or_default();
        match dir.strip_prefix(&self.real) {
            Ok(rel) => self.content.join(rel).join(name),
            Err(_) => dir.join(name),
        }
    }
}

fn links_in(dir: &Path, roots: &[PathBuf], shown: &Shown, problems: &mut Vec<Problem>) {
    // An unreadable folder is reported by whatever reads it.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            // A link that leads nowhere reads nothing; what reads it reports it.
            let Ok(target) = path.canonicalize() else {
                continue;
            };
            let at = Location::file(shown.path(dir, &path));
            if !roots.iter().any(|root| target.starts_with(root)) {
                problems.push(Problem::new(
                    at,
                    ProblemKind::OutsideLink {
                        target: target.display().to_string(),
                    },
                ));
            } else if target.is_dir() && dir.starts_with(&target) {
                problems.push(Problem::new(
                    at,
                    ProblemKind::LinkLoop {
                        target: target.display().to_string(),
                    },
                ));
            }
        } else if kind.is_dir() {
            links_in(&path, roots, shown, problems);
        }
    }
}
