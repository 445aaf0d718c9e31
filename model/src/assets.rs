//! The site's static files (stylesheet, script, icon, images): the theme's `static/` folder,
//! then the site's own `static/` folder, whose files replace the theme's of the same name.
//!
//! Files under `assets/` are published under a name that carries a hash of their content
//! (`/assets/style.css` → `/assets/style.3f9a1c0be2.css`), so a host can let browsers and the
//! CDN keep them for a year: a changed file gets a new name. Templates ask for a file by the
//! name it has in the folder (`asset(path="assets/style.css")`) and get the published one.
//! Other files (a `favicon.ico`, a PDF at the top) keep their names.
//!
//! Pictures (JPEG, PNG, WebP) are published without what they say about themselves (EXIF,
//! XMP, comments: [`crate::metadata`]).
//!
//! Stylesheets and scripts under `assets/` are minified here, once, and named after the
//! minified bytes (what is published), so every user of [`Assets`] (the build, `serve`'s
//! partial rebuild, the function's catalog) agrees on the names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Problem;
use crate::site::Site;

/// The folder whose files are fingerprinted.
const FINGERPRINTED: &str = "/assets/";

/// How many hex digits of the SHA-256 a published name carries (40 bits: a collision between
/// two versions of one file is not a practical concern).
const HASH_DIGITS: usize = 10;

#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Where it is published, e.g. `/assets/style.3f9a1c0be2.css`.
    pub url: String,
    /// The published bytes when they are not the source's (a minified stylesheet or script,
    /// a picture without its EXIF data: [`crate::metadata`]).
    pub minified: Option<Vec<u8>>,
}

impl Asset {
    /// The bytes to publish.
    pub fn contents(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.minified {
            Some(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            None => std::fs::read(&self.source).map(std::borrow::Cow::Owned),
        }
    }
}

/// Static files by the address they have in the folder (`/assets/style.css`).
#[derive(Debug, Clone, Default)]
pub struct Assets(BTreeMap<String, Asset>);

impl Assets {
    pub fn collect(site: &Site) -> Result<Assets, Problem> {
        let mut sources = BTreeMap::new();
        for dir in [site.theme.join("static"), site.root.join("static")] {
            if dir.is_dir() {
                walk(&dir, &dir, &mut sources)?;
            }
        }
        let mut assets = BTreeMap::new();
        for (path, source) in sources {
            let picture = crate::media::is_picture(&path) && !path.ends_with(".svg");
            let (url, minified) = if path.starts_with(FINGERPRINTED) || picture {
                let bytes = std::fs::read(&source).map_err(|e| Problem::read(&source, &e))?;
                let minified = if picture {
                    crate::metadata::strip(&path, &bytes)
                        .map_err(|e| Problem::invalid(&source, e.to_string()))?
                } else {
                    minify(&path, &bytes)
                };
                let published = minified.as_deref().unwrap_or(&bytes);
                let url = if path.starts_with(FINGERPRINTED) {
                    fingerprinted(&path, published)
                } else {
                    path.clone()
                };
                (url, minified)
            } else {
                (path.clone(), None)
            };
            assets.insert(
                path,
                Asset {
                    source,
                    url,
                    minified,
                },
            );
        }
        Ok(Assets(assets))
    }

    /// The published address of a file named as in the folder, with or without its
    /// leading `/`.
    pub fn url(&self, path: &str) -> Option<&str> {
        let key = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        self.0.get(&key).map(|a| a.url.as_str())
    }

    /// (address in the folder, asset), sorted by address.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Asset)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `/assets/style.css` + contents → `/assets/style.<hash>.css`.
pub fn fingerprinted(path: &str, contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    let hash: String = digest
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .take(HASH_DIGITS)
        .map(|n| char::from_digit(u32::from(n), 16).unwrap_or('0'))
        .collect();
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{dir}/{stem}.{hash}.{ext}"),
        _ => format!("{dir}/{name}.{hash}"),
    }
}

/// A stylesheet's or script's minified bytes; `None` for other files, and for text the
/// minifier cannot read (not UTF-8), which is then published as it is. The minifier is
/// deterministic: the same source gives the same bytes, so the same name, on every run.
fn minify(path: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let minified = if path.ends_with(".css") {
        minifier::css::minify(text).ok()?.to_string()
    } else if path.ends_with(".js") {
        minifier::js::minify(text).ok()?.to_string()
    } else {
        return None;
    };
    Some(minified.into_bytes())
}

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, PathBuf>) -> Result<(), Problem> {
    let entries = std::fs::read_dir(dir).map_err(|e| Problem::read(dir, &e))?;
    for entry in entries {
        let path = entry.map_err(|e| Problem::read(dir, &e))?.path();
        if path.is_dir() {
            walk(root, &path, files)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(format!("/{rel}"), path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{fingerprinted, minify};

    #[test]
    fn stylesheets_and_scripts_are_minified_the_same_way_every_time() {
        let css = b"/* a comment */\nbody {\n  color: red;\n}\n";
        let once = minify("/assets/style.css", css).expect("minified");
        assert!(once.len() < css.len(), "{}", String::from_utf8_lossy(&once));
        assert_eq!(minify("/assets/style.css", css), Some(once));
        let js = b"// a comment\nfunction f(a) {\n  return a + 1;\n}\n";
        let once = minify("/assets/forms.js", js).expect("minified");
        assert!(once.len() < js.len(), "{}", String::from_utf8_lossy(&once));
        assert_eq!(minify("/assets/forms.js", js), Some(once));
        assert_eq!(minify("/assets/icon.svg", b"<svg/>"), None);
    }

    #[test]
    fn a_published_name_carries_a_hash_of_the_contents() {
        let one = fingerprinted("/assets/style.css", b"body{}");
        let other = fingerprinted("/assets/style.css", b"body{color:red}");
        assert!(
            one.starts_with("/assets/style.") && one.ends_with(".css"),
            "{one}"
        );
        assert_eq!(one.len(), "/assets/style..css".len() + 10);
        assert_ne!(one, other, "another content, another name");
        assert_eq!(one, fingerprinted("/assets/style.css", b"body{}"), "stable");
    }

    #[test]
    fn names_without_an_extension_and_nested_folders_keep_their_shape() {
        let nested = fingerprinted("/assets/img/logo.min.svg", b"<svg/>");
        assert!(nested.starts_with("/assets/img/logo.min."), "{nested}");
        assert!(nested.ends_with(".svg"), "{nested}");
        let bare = fingerprinted("/assets/LICENSE", b"MIT");
        assert!(bare.starts_with("/assets/LICENSE."), "{bare}");
    }
}
