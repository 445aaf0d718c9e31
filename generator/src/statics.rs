//! Static files (stylesheet, images): the theme's `static/` folder, then the site's own
//! `static/` folder, whose files replace the theme's of the same name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eclaireurs_model::{Problem, Site};

/// Published path (`/assets/style.css`) → source file.
pub fn collect(site: &Site) -> Result<BTreeMap<String, PathBuf>, Problem> {
    let mut files = BTreeMap::new();
    for dir in [site.theme.join("static"), site.root.join("static")] {
        if dir.is_dir() {
            walk(&dir, &dir, &mut files)?;
        }
    }
    Ok(files)
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
