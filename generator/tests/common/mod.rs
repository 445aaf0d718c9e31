//! Test sites: a copy of the real content and theme in a temporary folder, to build as is or
//! to break on purpose.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use eclaireurs::build::{self, BuildError, Report};

pub mod serve;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// The real content and theme, copied, with `config.yaml` pointing at the copied theme.
    pub fn real() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&repo().join("content"), &dir.path().join("content"));
        copy_dir(&repo().join("themes"), &dir.path().join("themes"));
        Fixture { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.content().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    /// Replaces `from` by `to` in a content file, failing if `from` is not there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).expect("remove");
    }

    pub fn build(&self) -> Result<Report, BuildError> {
        build::build(&self.content(), &self.out(), "")
    }

    pub fn check(&self) -> Result<Report, BuildError> {
        build::check(&self.content())
    }

    /// The built file at `rel` in the output folder.
    pub fn output(&self, rel: &str) -> String {
        let path = self.out().join(rel.trim_start_matches('/'));
        let path = if rel.ends_with('/') {
            path.join("index.html")
        } else {
            path
        };
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// The build's error messages, one per line, with the fixture's folder removed.
    pub fn build_error(&self) -> String {
        match self.build() {
            Ok(_) => panic!("the build should have failed"),
            Err(err) => err
                .to_string()
                .replace(&format!("{}/", self.content().display()), ""),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every built HTML page: its address and its text.
/// A page's text with French typography folded back to what authors type (no-break spaces
/// and hyphens, typographic apostrophes), to look for facts as the seeds write them.
#[allow(dead_code)] // not every test file looks for facts
pub fn plain(html: &str) -> String {
    html.replace('\u{a0}', " ")
        .replace('\u{2011}', "-")
        .replace('’', "'")
}

pub fn pages(out: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk(out, out, &mut found);
    found.sort();
    found
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "html") {
            let rel = path
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .to_string();
            let url = format!("/{}", rel.strip_suffix("index.html").unwrap_or(&rel));
            found.push((url, fs::read_to_string(&path).expect("read")));
        }
    }
}

/// The values of `attr` on every tag that contains `marker`, e.g. the `href` of each
/// `<link rel="alternate"`.
pub fn attributes(html: &str, marker: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>')?];
            let start = tag.find(&needle)? + needle.len();
            Some(tag[start..start + tag[start..].find('"')?].to_string())
        })
        .collect()
}
