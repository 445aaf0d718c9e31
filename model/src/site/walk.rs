//! Listing the content folder's files: what is reported when a file is where nothing reads
//! it, since a misnamed page would otherwise vanish silently.

use std::path::{Path, PathBuf};

use crate::error::Problem;
use crate::lang::Lang;

/// A folder's entries: files with the extension `ext`, or folders when `ext` is empty;
/// sorted so builds are reproducible. Hidden entries are skipped. Other files are reported.
pub(super) fn list(dir: &Path, ext: &str, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Problem::read(dir, &e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(Problem::read(dir, &e));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = path.is_dir();
        if ext.is_empty() {
            // Folders only: stray files (a README, notes) beside them are harmless.
            if is_dir {
                out.push(path);
            }
        } else if !is_dir && path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        } else if !is_dir && ext == "md" && crate::media::is_media(&name) {
            // A picture or document beside the pages: read when a page shows or links it.
        } else if !is_dir {
            let what = if ext == "md" {
                crate::media::belongs_beside_pages()
            } else {
                format!("only .{ext} files belong in this folder")
            };
            problems.push(Problem::invalid(&path, format!("unexpected file: {what}")));
        }
    }
    out.sort();
    out
}

/// The pages of a folder: `<dir>/fr/*.md` and `<dir>/en/*.md`.
pub(super) fn page_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<(PathBuf, Lang)> {
    let mut files = Vec::new();
    for lang in Lang::ALL {
        let lang_dir = dir.join(lang.code());
        if lang_dir.is_dir() {
            files.extend(
                list(&lang_dir, "md", problems)
                    .into_iter()
                    .map(|p| (p, lang)),
            );
        }
    }
    for entry in list(dir, "", problems) {
        let name = entry
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        // `static/`: the pictures and documents the pages of both languages share.
        if Lang::from_code(name).is_none() && name != crate::media::REGION_STATIC {
            problems.push(Problem::invalid(
                &entry,
                "unexpected folder: pages go in the `fr` and `en` folders, the pictures and \
                 documents they share in `static`",
            ));
        }
    }
    files
}
