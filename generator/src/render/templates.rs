//! Loading the theme's Tera templates, with any template of the site's own `templates/`
//! folder taking the place of the theme's template of the same name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eclaireurs_model::{Problem, Site};
use tera::Tera;

pub fn load(site: &Site) -> Result<Tera, Problem> {
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let theme_dir = site.theme.join("templates");
    collect(&theme_dir, &theme_dir, &mut files)?;
    let own_dir = site.root.join("templates");
    if own_dir.is_dir() {
        collect(&own_dir, &own_dir, &mut files)?;
    }
    let mut tera = Tera::default();
    // Tera's own escaping also escapes `/`, which lengthens every address for no gain.
    tera.set_escape_fn(eclaireurs_model::html::escape);
    tera.add_template_files(
        files
            .iter()
            .map(|(name, path)| (path.clone(), Some(name.clone()))),
    )
    .map_err(|e| {
        let path = files
            .values()
            .find(|p| e.to_string().contains(&*p.to_string_lossy()))
            .cloned()
            .unwrap_or(theme_dir.clone());
        Problem::invalid(&path, format!("template error: {}", message(&e)))
    })?;
    Ok(tera)
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, PathBuf>) -> Result<(), Problem> {
    let entries = std::fs::read_dir(dir).map_err(|e| Problem::read(dir, &e))?;
    for entry in entries {
        let path = entry.map_err(|e| Problem::read(dir, &e))?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "html" || e == "xml") {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(name, path);
        }
    }
    Ok(())
}

/// Tera nests its errors; the useful words are spread along the chain.
pub fn message(err: &tera::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        parts.push(inner.to_string());
        source = inner.source();
    }
    parts.join(": ")
}
