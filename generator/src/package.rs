//! The function's Lambda package, for `sam deploy`: one zip with `bootstrap` (the arm64
//! program that cargo-lambda builds) and `catalog.json` (the catalog reviewed with the code:
//! the functions fall back on it at cold start when the catalog bucket's object is missing or
//! refused; `publish` keeps that object current). The zip is made the same way every time
//! (fixed dates, order and permissions), so the same program and catalog give the same bytes
//! and the same SHA-256: a `sam deploy` of an unchanged package changes no function.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Where cargo-lambda puts the program (`cargo lambda build --release --arm64`).
pub const BOOTSTRAP: &str = "target/lambda/eclaireurs-function/bootstrap";
/// Where `eclaireurs package` writes the zip that `sam deploy` uploads (template.yaml's
/// `CodeUri`).
pub const ZIP: &str = "target/lambda/eclaireurs-function.zip";

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(
        "the function's program {0} is missing: run `scripts/package-function` first (it \
         builds the function for Lambda, arm64)"
    )]
    NoBootstrap(PathBuf),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// A package in memory.
pub struct Package {
    pub bytes: Vec<u8>,
}

impl Package {
    /// The zip of `bootstrap` and the catalog.
    pub fn new(bootstrap: &Path, catalog: &[u8]) -> Result<Package, PackageError> {
        if !bootstrap.is_file() {
            return Err(PackageError::NoBootstrap(bootstrap.to_path_buf()));
        }
        let program = std::fs::read(bootstrap).map_err(|source| PackageError::Read {
            path: bootstrap.to_path_buf(),
            source,
        })?;
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = |mode: u32| {
            SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(6))
                .last_modified_time(DateTime::default())
                .unix_permissions(mode)
        };
        zip.start_file("bootstrap", options(0o755))?;
        write(&mut zip, &program)?;
        zip.start_file(eclaireurs_model::catalog::FILE_NAME, options(0o644))?;
        write(&mut zip, catalog)?;
        let bytes = zip.finish()?.into_inner();
        Ok(Package { bytes })
    }

    /// Base64 of the SHA-256, as Lambda reports `CodeSha256`.
    pub fn sha256(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&self.bytes))
    }

    /// Writes the zip at `path`, whole or not at all (written aside, then renamed).
    pub fn write_to(&self, path: &Path) -> Result<(), PackageError> {
        let error = |source| PackageError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(error)?;
        }
        let aside = path.with_extension("zip.partial");
        std::fs::write(&aside, &self.bytes).map_err(error)?;
        std::fs::rename(&aside, path).map_err(error)
    }
}

fn write(zip: &mut ZipWriter<Cursor<Vec<u8>>>, bytes: &[u8]) -> Result<(), PackageError> {
    zip.write_all(bytes)
        .map_err(|e| PackageError::Zip(zip::result::ZipError::Io(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_program_and_catalog_make_the_same_zip() {
        let dir = tempfile::tempdir().expect("temp");
        let bootstrap = dir.path().join("bootstrap");
        std::fs::write(&bootstrap, b"\x7fELF program").expect("write");
        let one = Package::new(&bootstrap, b"{\"version\":\"1\"}").expect("zip");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let again = Package::new(&bootstrap, b"{\"version\":\"1\"}").expect("zip");
        assert_eq!(one.bytes, again.bytes, "byte for byte, whenever it is made");
        assert_eq!(one.sha256(), again.sha256());
        let other = Package::new(&bootstrap, b"{\"version\":\"2\"}").expect("zip");
        assert_ne!(
            one.sha256(),
            other.sha256(),
            "another catalog, another package"
        );
    }

    #[test]
    fn the_zip_holds_an_executable_bootstrap_and_the_catalog() {
        let dir = tempfile::tempdir().expect("temp");
        let bootstrap = dir.path().join("bootstrap");
        std::fs::write(&bootstrap, b"program").expect("write");
        let package = Package::new(&bootstrap, b"{}").expect("zip");
        let mut archive = zip::ZipArchive::new(Cursor::new(package.bytes)).expect("a zip");
        let names: Vec<String> = archive.file_names().map(str::to_string).collect();
        assert_eq!(names, ["bootstrap", "catalog.json"]);
        let entry = archive.by_name("bootstrap").expect("bootstrap");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    }

    #[test]
    fn a_missing_program_names_the_command_that_builds_it() {
        let err = Package::new(Path::new("nowhere/bootstrap"), b"{}")
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("scripts/package-function"),
            "{err}"
        );
    }
}
