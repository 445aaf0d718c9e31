//! The last successful publish from this machine, kept so an unchanged publish needs
//! neither a build nor the site bucket's listing.
//!
//! Proving "unchanged" by the inputs, not by the output: rendering 12,600 pages to find they
//! are the same, or listing the 12,600 files online to find they are those left there, is
//! most of an unchanged publish's time, while hashing the sources is a fraction of it.
//!
//! **Trusting the record.** When the inputs (the content folder, the theme, this program)
//! hash as they did at the last publish from here, the stack's site bucket is the one that
//! publish filled, and the catalog's object still has the ETag that publish left (one HEAD,
//! made anyway), publish trusts the record: it says so, sends nothing and does not list the
//! site's bucket. What that means when someone else changed what is online:
//!
//! - another computer published a change to a form: its publish put a new catalog, so the
//!   catalog's ETag differs, the record is not trusted and this publish builds, lists and
//!   compares every file (and so puts online what this computer has);
//! - another computer published only pages (the same forms, so the same catalog), or a file
//!   was changed or removed online by hand: that is *not* seen, and an unchanged publish from
//!   here sends nothing. `publish --full`, or any change to the content here (its inputs no
//!   longer hash as the record's), compares every file online again and puts back what
//!   differs.
//!
//! **`--full`** lists the site's bucket and compares it with what this machine would
//! publish. The record's [`Record::listing`] (a hash of the bucket's keys and ETags as that
//! publish left them) still spares the build then: when the inputs are the record's and the
//! listing is the record's, the plan is known to be empty without rendering a page; when
//! the listing differs, the site is built and every file compared.
//!
//! **Rules.** The record is forgotten before a publish sends its first change, and written
//! only once a publish has finished (a dry run never writes it), so a publish stopped half
//! way leaves no record and the next one compares everything. Kept in
//! `$XDG_CACHE_HOME/eclaireurs/publish/` (or `~/.cache/…`), one small file per content
//! folder, stack, region and endpoint; a missing or unreadable record (one written by an
//! older version of this program too) only means a full publish.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use eclaireurs_model::hex;

use super::plan::{CatalogOnline, LocalFile};
use super::Options;

/// What a successful publish left online, and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// [`inputs`] of the content published.
    pub inputs: String,
    pub bucket: String,
    /// [`listing`] of the site's bucket once the publish was done.
    pub listing: String,
    /// The catalog's MD5 (hex), the ETag of the catalog's object.
    pub catalog_md5: String,
    pub catalog_version: String,
    pub pages: usize,
    pub files: usize,
    /// Files online, all unchanged by a publish of the same inputs.
    pub unchanged: usize,
    /// What the build said about the content (missing translations, contacts, drafts):
    /// said again at every publish.
    pub notes: Vec<String>,
    /// When that publish finished, in seconds since 1970 (UTC).
    pub published_at: u64,
}

impl Record {
    /// True when an unchanged publish may trust this record without listing the site's
    /// bucket: the inputs are the record's, the bucket is the one it filled, and the
    /// catalog's object is still the one it left (see the module's comment for what this
    /// does not see).
    pub fn trusted(&self, inputs: Option<&str>, bucket: &str, catalog: &CatalogOnline) -> bool {
        inputs == Some(self.inputs.as_str()) && self.catalog_left(bucket, catalog)
    }

    /// The bucket is the record's and the catalog online has the ETag the record left.
    fn catalog_left(&self, bucket: &str, catalog: &CatalogOnline) -> bool {
        let catalog_same = matches!(catalog, CatalogOnline::ETag(etag)
            if etag.trim_matches('"').eq_ignore_ascii_case(&self.catalog_md5));
        catalog_same && self.bucket == bucket
    }

    /// True when what is online, listed file by file, is still what this record's publish
    /// left there (for `--full`, or when the record is not trusted).
    pub fn still_online(
        &self,
        bucket: &str,
        objects: &HashMap<String, String>,
        catalog: &CatalogOnline,
    ) -> bool {
        self.catalog_left(bucket, catalog)
            && listing(
                objects
                    .iter()
                    .map(|(k, e)| (k.as_str(), e.trim_matches('"'))),
            ) == self.listing
    }
}

/// Where the record of publishing `options` to its stack is kept; `None` without a home.
pub fn path(options: &Options) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
    let content = options
        .content
        .canonicalize()
        .unwrap_or_else(|_| options.content.clone());
    // The endpoint too: a stack of the same name in an emulator is another stack.
    let endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .unwrap_or_default();
    let mut key = Sha256::new();
    for part in [
        content.to_string_lossy().as_bytes(),
        options.stack.as_bytes(),
        options.region.as_bytes(),
        endpoint.as_bytes(),
    ] {
        key.update(part);
        key.update([0]);
    }
    Some(
        base.join("eclaireurs")
            .join("publish")
            .join(format!("{}.json", &hex(&key.finalize())[..32])),
    )
}

pub fn load(path: &Path) -> Option<Record> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Keeps the record; failing to is not the publish's failure (the next one is only slower).
pub fn save(path: &Path, record: &Record) {
    let Ok(json) = serde_json::to_vec(record) else {
        return;
    };
    let Some(dir) = path.parent() else {
        return;
    };
    let aside = path.with_extension("partial");
    let _ = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&aside, json))
        .and_then(|()| std::fs::rename(&aside, path));
}

/// Forgets the record, before a publish changes what is online.
pub fn forget(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Everything a build of `content` reads, as one hash: see [`crate::inputs`].
pub use crate::inputs::hash as inputs;

/// A hash of a bucket's listing: its keys and their (unquoted) ETags, in key order.
pub fn listing<'a>(objects: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut sorted: Vec<(&str, String)> = objects.map(|(k, e)| (k, e.to_lowercase())).collect();
    sorted.sort();
    let mut hash = Sha256::new();
    for (key, etag) in sorted {
        hash.update(key.as_bytes());
        hash.update([0]);
        hash.update(etag.as_bytes());
        hash.update([b'\n']);
    }
    hex(&hash.finalize())
}

/// The listing the site's bucket has once `files` are all online.
pub fn listing_of(files: &[LocalFile]) -> String {
    let md5s: Vec<(&str, String)> = files
        .iter()
        .map(|f| (f.key.as_str(), f.md5_hex()))
        .collect();
    listing(md5s.iter().map(|(k, m)| (*k, m.as_str())))
}

/// Now, in seconds since 1970, for [`Record::published_at`].
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-12-03 14:05 UTC`: when a record's publish finished, as publish says it.
pub fn date(seconds: u64) -> String {
    let days = seconds / 86_400;
    let minutes = seconds % 86_400 / 60;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(objects: &HashMap<String, String>) -> Record {
        Record {
            inputs: "i".into(),
            bucket: "site".into(),
            listing: listing(
                objects
                    .iter()
                    .map(|(k, e)| (k.as_str(), e.trim_matches('"'))),
            ),
            catalog_md5: "abc".into(),
            catalog_version: "v".into(),
            pages: 1,
            files: 0,
            unchanged: 1,
            notes: Vec::new(),
            published_at: 0,
        }
    }

    #[test]
    fn the_record_is_trusted_only_with_the_same_inputs_bucket_and_catalog() {
        let record = record(&HashMap::new());
        let catalog = CatalogOnline::ETag("\"ABC\"".into());
        assert!(record.trusted(Some("i"), "site", &catalog));
        assert!(!record.trusted(Some("j"), "site", &catalog), "other inputs");
        assert!(!record.trusted(None, "site", &catalog), "inputs unreadable");
        assert!(
            !record.trusted(Some("i"), "other", &catalog),
            "another bucket"
        );
        for other in [
            CatalogOnline::ETag("\"abd\"".into()),
            CatalogOnline::Missing,
            CatalogOnline::Unknown,
        ] {
            assert!(!record.trusted(Some("i"), "site", &other), "{other:?}");
        }
    }

    #[test]
    fn the_date_of_a_record_is_said_in_utc() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(date(1_796_299_500), "2026-12-03 12:05 UTC");
    }

    #[test]
    fn the_record_holds_only_while_the_bucket_and_the_catalog_are_as_left() {
        let mut objects = HashMap::from([("fr/index.html".to_string(), "\"0A1b\"".to_string())]);
        let record = record(&objects);
        let catalog = CatalogOnline::ETag("\"ABC\"".into());
        assert!(record.still_online("site", &objects, &catalog));
        assert!(!record.still_online("other", &objects, &catalog));
        assert!(!record.still_online("site", &objects, &CatalogOnline::Unknown));
        assert!(!record.still_online("site", &objects, &CatalogOnline::ETag("\"abd\"".into())));
        objects.insert("fr/extra.html".into(), "\"ff\"".into());
        assert!(
            !record.still_online("site", &objects, &catalog),
            "a key added online"
        );
        objects.remove("fr/extra.html");
        objects.insert("fr/index.html".into(), "\"0a1c\"".into());
        assert!(
            !record.still_online("site", &objects, &catalog),
            "a file changed online"
        );
    }

    #[test]
    fn the_listing_of_uploaded_files_is_the_bucket_listing_they_give() {
        let files = vec![
            LocalFile::new("b.html".into(), b"b".to_vec()),
            LocalFile::new("a.css".into(), b"a".to_vec()),
        ];
        let online: HashMap<String, String> = files
            .iter()
            .map(|f| (f.key.clone(), format!("\"{}\"", f.md5_hex().to_uppercase())))
            .collect();
        let from_bucket = listing(
            online
                .iter()
                .map(|(k, e)| (k.as_str(), e.trim_matches('"'))),
        );
        assert_eq!(listing_of(&files), from_bucket);
    }

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("list") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }

    #[test]
    fn the_inputs_change_with_any_file_of_the_content_or_the_theme() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = tempfile::tempdir().expect("temp");
        copy(&repo.join("content"), &dir.path().join("content"));
        copy(&repo.join("themes"), &dir.path().join("themes"));
        let content = dir.path().join("content");
        let first = inputs(&content).expect("hash");
        assert_eq!(inputs(&content), Some(first.clone()), "stable");
        let page = content.join("regions/bas-saint-laurent/fr/roles.md");
        let text = std::fs::read_to_string(&page).expect("read");
        std::fs::write(&page, format!("{text}\nUn mot.\n")).expect("write");
        let second = inputs(&content).expect("hash");
        assert_ne!(first, second, "a content file");
        let css = dir.path().join("themes/default/static/assets/style.css");
        let text = std::fs::read_to_string(&css).expect("read");
        std::fs::write(&css, format!("{text}\nmain {{}}\n")).expect("write");
        assert_ne!(second, inputs(&content).expect("hash"), "a theme file");
    }
}
