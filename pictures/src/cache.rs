//! Encoded pictures kept between builds, so a rebuild or `serve` does not encode again.
//!
//! An entry is `<dir>/<key>/`, key = SHA-256 of the source's bytes and `raster::SETTINGS`, holding
//! the encoded files and `outputs.json` (their sizes, formats and lengths).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use super::raster::{self, Encoded, EncodedFile, Format, RasterError};

/// The content folder's folder of what builds made and keep ([`Cache::in_content`]), which
/// `inputs::hash` and `serve`'s watcher leave out.
pub const DIR: &str = ".cache";

/// Encoded pictures kept between builds, by the source's content and `raster::SETTINGS`.
pub struct Cache {
    dir: Option<PathBuf>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// `outputs.json`: what an entry holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    width: u32,
    height: u32,
    modern: Vec<FileEntry>,
    fallback: FileEntry,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FileEntry {
    width: u32,
    height: u32,
    format: Format,
    file: String,
    length: u64,
}

const OUTPUTS: &str = "outputs.json";

impl Cache {
    /// `<content>/.cache/media`.
    pub fn in_content(content: &Path) -> Cache {
        Cache::at(content.join(DIR).join("media"))
    }

    /// A cache in `dir`.
    pub fn at(dir: PathBuf) -> Cache {
        Cache {
            dir: Some(dir),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// No cache: always encode (tests, a read-only content folder).
    pub fn none() -> Cache {
        Cache {
            dir: None,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// The source's outputs, from the cache or encoded then stored. Storing is atomic (a temp
    /// folder renamed into place) and a failure to store is not an error; an entry that does not
    /// read back whole is encoded again.
    pub fn raster(&self, bytes: &[u8]) -> Result<Encoded, RasterError> {
        let Some(dir) = &self.dir else {
            let encoded = raster::process(bytes)?;
            self.misses.fetch_add(1, Ordering::Relaxed);
            return Ok(encoded);
        };
        let entry = dir.join(key(bytes));
        if let Some(encoded) = read(&entry) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(encoded);
        }
        let encoded = raster::process(bytes)?;
        self.misses.fetch_add(1, Ordering::Relaxed);
        // A cache that cannot be written only costs the next build an encoding.
        let _ = store(dir, &entry, &encoded);
        Ok(encoded)
    }

    /// How many pictures were encoded so far.
    pub fn encoded(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// How many pictures were taken from the cache so far.
    pub fn reused(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }
}

fn key(bytes: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(raster::SETTINGS.as_bytes());
    hash.update([0]);
    hash.update(bytes);
    format!("{:x}", hash.finalize())
}

fn file_name(file: &EncodedFile, fallback: bool) -> String {
    let role = if fallback { "fallback" } else { "modern" };
    format!("{role}-{}.{}", file.width, file.format.extension())
}

/// The entry, if it is all there.
fn read(entry: &Path) -> Option<Encoded> {
    let json = fs::read(entry.join(OUTPUTS)).ok()?;
    let Ok(index) = serde_json::from_slice::<Entry>(&json) else {
        return None;
    };
    let load = |f: &FileEntry| -> Option<EncodedFile> {
        // Only a plain name from this entry, whatever the JSON says.
        if f.file.contains(['/', '\\']) || f.file.starts_with('.') {
            return None;
        }
        let bytes = fs::read(entry.join(&f.file)).ok()?;
        (bytes.len() as u64 == f.length).then_some(EncodedFile {
            width: f.width,
            height: f.height,
            format: f.format,
            bytes,
        })
    };
    let modern = index.modern.iter().map(load).collect::<Option<Vec<_>>>()?;
    if modern.is_empty() {
        return None;
    }
    Some(Encoded {
        width: index.width,
        height: index.height,
        modern,
        fallback: load(&index.fallback)?,
    })
}

fn store(dir: &Path, entry: &Path, encoded: &Encoded) -> std::io::Result<()> {
    static TEMP: AtomicUsize = AtomicUsize::new(0);
    fs::create_dir_all(dir)?;
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        fs::create_dir(&temp)?;
        let write = |file: &EncodedFile, fallback: bool| -> std::io::Result<FileEntry> {
            let name = file_name(file, fallback);
            fs::write(temp.join(&name), &file.bytes)?;
            Ok(FileEntry {
                width: file.width,
                height: file.height,
                format: file.format,
                file: name,
                length: file.bytes.len() as u64,
            })
        };
        let index = Entry {
            width: encoded.width,
            height: encoded.height,
            modern: encoded
                .modern
                .iter()
                .map(|f| write(f, false))
                .collect::<std::io::Result<_>>()?,
            fallback: write(&encoded.fallback, true)?,
        };
        let json = serde_json::to_vec_pretty(&index).map_err(std::io::Error::other)?;
        fs::write(temp.join(OUTPUTS), json)?;
        // A damaged entry left from before is replaced.
        if entry.exists() {
            fs::remove_dir_all(entry)?;
        }
        fs::rename(&temp, entry)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::tests::{jpeg, photo};

    fn entry_files(dir: &Path) -> Vec<PathBuf> {
        let entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(
            entries.len(),
            1,
            "one entry and no temp folder left: {entries:?}"
        );
        let mut files: Vec<_> = fs::read_dir(&entries[0])
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_second_build_takes_the_picture_from_the_cache_instead_of_encoding_it() {
        let content = tempfile::tempdir().unwrap();
        let source = jpeg(&photo(1000, 600));
        let first = Cache::in_content(content.path());
        let encoded = first.raster(&source).unwrap();
        assert_eq!((first.encoded(), first.reused()), (1, 0));
        let again = first.raster(&source).unwrap();
        assert_eq!((first.encoded(), first.reused()), (1, 1));

        let next_build = Cache::in_content(content.path());
        let cached = next_build.raster(&source).unwrap();
        assert_eq!((next_build.encoded(), next_build.reused()), (0, 1));
        for other in [&again, &cached] {
            assert_eq!((other.width, other.height), (encoded.width, encoded.height));
            assert_eq!(other.modern.len(), encoded.modern.len());
            for (a, b) in other.modern.iter().zip(&encoded.modern) {
                assert_eq!(
                    (a.width, a.height, a.format, &a.bytes),
                    (b.width, b.height, b.format, &b.bytes)
                );
            }
            assert_eq!(other.fallback.bytes, encoded.fallback.bytes);
            assert_eq!(other.fallback.format, Format::Jpeg);
        }
        let files = entry_files(&content.path().join(".cache/media"));
        assert_eq!(
            files.len(),
            5,
            "three widths, the fallback, the index: {files:?}"
        );
    }

    #[test]
    fn another_source_is_encoded_on_its_own() {
        let cache = Cache::at(tempfile::tempdir().unwrap().keep());
        cache.raster(&jpeg(&photo(600, 400))).unwrap();
        cache.raster(&jpeg(&photo(600, 401))).unwrap();
        assert_eq!((cache.encoded(), cache.reused()), (2, 0));
    }

    #[test]
    fn a_damaged_entry_is_encoded_again_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let source = jpeg(&photo(1000, 600));
        let good = Cache::at(dir.path().to_path_buf()).raster(&source).unwrap();
        let files = entry_files(dir.path());
        let webp_960 = files
            .iter()
            .find(|f| f.ends_with("modern-960.webp"))
            .unwrap();
        let json = files.iter().find(|f| f.ends_with(OUTPUTS)).unwrap();
        let damages: [&dyn Fn(); 3] = [
            &|| fs::write(webp_960, b"RIFF cut").unwrap(),
            &|| fs::remove_file(webp_960).unwrap(),
            &|| fs::write(json, b"{ not json").unwrap(),
        ];
        for damage in damages {
            damage();
            let cache = Cache::at(dir.path().to_path_buf());
            let encoded = cache.raster(&source).unwrap();
            assert_eq!((cache.encoded(), cache.reused()), (1, 0));
            assert_eq!(encoded.modern[1].bytes, good.modern[1].bytes);
            cache.raster(&source).unwrap();
            assert_eq!(
                (cache.encoded(), cache.reused()),
                (1, 1),
                "the entry was stored again"
            );
        }
    }

    #[test]
    fn a_cache_that_cannot_be_written_still_gives_the_pictures() {
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("a file, not a folder");
        fs::write(&blocked, b"").unwrap();
        let cache = Cache::at(blocked.join("media"));
        let encoded = cache.raster(&jpeg(&photo(500, 300))).unwrap();
        assert_eq!(encoded.modern.len(), 1);
        assert_eq!(cache.encoded(), 1);
    }

    #[test]
    fn no_cache_always_encodes_and_a_refused_picture_is_not_counted() {
        let cache = Cache::none();
        let source = jpeg(&photo(500, 300));
        cache.raster(&source).unwrap();
        cache.raster(&source).unwrap();
        assert!(cache.raster(b"not a picture").is_err());
        assert_eq!((cache.encoded(), cache.reused()), (2, 0));
    }

    #[test]
    fn the_cache_can_be_shared_between_threads() {
        fn sync<T: Sync + Send>() {}
        sync::<Cache>();
    }
}
