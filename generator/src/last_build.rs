//! The last build into an output folder, kept in the folder's marker file, so a rebuild from
//! the same inputs renders nothing and writes nothing.
//!
//! A rebuild is skipped only when both hold: the inputs ([`crate::inputs::hash`]: every file
//! of the content and its theme, and this program) hash as they did for the last build into
//! that folder, and every file of the folder is still the one that build left (same paths,
//! sizes and modification times; a file edited or removed by hand is seen). Anything else is
//! a full build, which writes only the files whose bytes differ. The record is written only
//! after a successful build, by rename, so a failed or interrupted one leaves no record that
//! could vouch for a folder it did not finish.

use std::fs;
use std::path::Path;
use std::time::{Instant, UNIX_EPOCH};

use eclaireurs_model::{Draft, MissingContact, MissingTranslation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::build::Report;
use crate::output::{Changes, MARKER, PENDING};

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    inputs: String,
    /// A hash of what is added before `</body>` (nothing for `build`).
    body_end: String,
    pages: usize,
    files: usize,
    missing_translations: Vec<MissingTranslation>,
    drafts: Vec<Draft>,
    missing_contacts: Vec<MissingContact>,
    catalog_version: String,
    /// Every file of the folder: path, size, modification time (ns since 1970).
    output: Vec<(String, u64, u128)>,
}

/// The report of the last build into `out` when nothing changed since: same inputs, same
/// files in the folder.
pub fn unchanged(out: &Path, inputs: &str, body_end: &str, start: Instant) -> Option<Report> {
    let text = fs::read(out.join(MARKER)).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    if record.inputs != inputs || record.body_end != digest(body_end) {
        return None;
    }
    if listing(out)? != record.output {
        return None;
    }
    Some(Report {
        pages: record.pages,
        files: record.files,
        elapsed: start.elapsed(),
        missing_translations: record.missing_translations,
        drafts: record.drafts,
        missing_contacts: record.missing_contacts,
        catalog_version: record.catalog_version,
        output: Changes {
            unchanged: record.output.len(),
            ..Changes::default()
        },
        // Nothing was read: no picture encoded, none taken from the cache.
        pictures: crate::build::Pictures::default(),
    })
}

/// Records a successful build into `out`. A record that cannot be written only means the
/// next build renders again.
pub fn save(out: &Path, inputs: &str, body_end: &str, report: &Report) {
    let Some(output) = listing(out) else {
        return;
    };
    let record = Record {
        inputs: inputs.to_string(),
        body_end: digest(body_end),
        pages: report.pages,
        files: report.files,
        missing_translations: report.missing_translations.clone(),
        drafts: report.drafts.clone(),
        missing_contacts: report.missing_contacts.clone(),
        catalog_version: report.catalog_version.clone(),
        output,
    };
    let Ok(json) = serde_json::to_vec(&record) else {
        return;
    };
    let marker = out.join(MARKER);
    let fresh = out.join(format!("{MARKER}.{}", std::process::id()));
    if fs::write(&fresh, json).is_err() || fs::rename(&fresh, &marker).is_err() {
        let _ = fs::remove_file(&fresh);
        // An empty marker still says the folder is a build's; it vouches for nothing.
        let _ = fs::write(&marker, b"");
    }
}

/// Every file of the folder but the marker (and a pending folder), sorted.
fn listing(out: &Path) -> Option<Vec<(String, u64, u128)>> {
    let mut files = Vec::new();
    walk(out, "", &mut files).ok()?;
    files.sort();
    Some(files)
}

fn walk(dir: &Path, rel: &str, files: &mut Vec<(String, u64, u128)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if rel.is_empty() && (name.starts_with(MARKER) || name.starts_with(PENDING)) {
            continue;
        }
        let here = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(&entry.path(), &here, files)?;
        } else {
            let modified = meta
                .modified()?
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            files.push((here, meta.len(), modified));
        }
    }
    Ok(())
}

fn digest(text: &str) -> String {
    eclaireurs_model::hex(&Sha256::digest(text.as_bytes()))
}
