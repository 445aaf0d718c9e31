//! What a site is made from, as one hash: every file of the content folder and of its theme,
//! and this program. Two builds from the same hash give the same bytes, so `build` and
//! `publish` can know a site is unchanged without rendering it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use eclaireurs_model::hex;

/// The hash (hex) of the content folder, its theme and this program (version, size and
/// modification time of the executable), or `None` when a file cannot be read (the build
/// then says why).
pub fn hash(content: &Path) -> Option<String> {
    let config = eclaireurs_model::Config::load(&content.join("config.yaml")).ok()?;
    let theme = content.join(&config.theme);
    let mut files = Vec::new();
    for (label, root) in [("content", content), ("theme", theme.as_path())] {
        walk(root, root, label, &mut files).ok()?;
    }
    files.sort();
    let hashes: Vec<Option<[u8; 32]>> = files
        .par_iter()
        .map(|(_, path)| match path {
            Some(path) => std::fs::read(path).ok().map(|b| Sha256::digest(&b).into()),
            None => Some([0; 32]),
        })
        .collect();
    let mut all = Sha256::new();
    all.update(env!("CARGO_PKG_VERSION"));
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        all.update(meta.len().to_le_bytes());
        if let Ok(modified) = meta.modified() {
            all.update(format!("{modified:?}"));
        }
    }
    for ((name, _), hash) in files.iter().zip(hashes) {
        all.update(name.as_bytes());
        all.update([0]);
        all.update(hash?);
    }
    Some(hex(&all.finalize()))
}

/// Files under `dir` as (`label/path`, path); a symbolic link to a folder is named by its
/// target, not followed (the build refuses those).
fn walk(
    root: &Path,
    dir: &Path,
    label: &str,
    files: &mut Vec<(String, Option<PathBuf>)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy();
        let name = format!("{label}/{rel}");
        let kind = entry.file_type()?;
        // The pictures made by earlier builds (`crate::media::cache`): what they are made
        // from is hashed, and the build writes them.
        if dir == root && label == "content" && entry.file_name() == crate::media::cache::DIR {
            continue;
        }
        if kind.is_dir() {
            walk(root, &path, label, files)?;
        } else if kind.is_symlink() && path.is_dir() {
            let target = std::fs::read_link(&path)?;
            files.push((format!("{name} -> {}", target.display()), None));
        } else {
            files.push((name, Some(path)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = "title: { fr: T, en: T }\nbase_url: https://x.example\napi_url: /api\n\
                      theme: theme\nlanguages: [fr, en]\n";
        std::fs::write(dir.path().join("config.yaml"), config).expect("write");
        std::fs::create_dir_all(dir.path().join("theme/templates")).expect("mkdir");
        std::fs::write(dir.path().join("theme/templates/base.html"), "a").expect("write");
        dir
    }

    #[test]
    fn the_same_files_hash_the_same_and_any_change_shows() {
        let dir = site();
        let first = hash(dir.path()).expect("hashes");
        assert_eq!(hash(dir.path()).as_ref(), Some(&first));
        std::fs::write(dir.path().join("theme/templates/base.html"), "b").expect("write");
        let theme_changed = hash(dir.path()).expect("hashes");
        assert_ne!(theme_changed, first, "a theme file is an input");
        std::fs::write(dir.path().join("page.md"), "").expect("write");
        assert_ne!(
            hash(dir.path()).expect("hashes"),
            theme_changed,
            "a new file is one"
        );
    }
}
