//! Loading the theme's Tera templates, with any template of the site's own `templates/`
//! folder taking the place of the theme's template of the same name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eclaireurs_model::{Assets, Problem, Site};
use tera::Tera;

/// Every template of the site by name: the theme's, each replaced by the site's own of the
/// same name.
fn files(site: &Site) -> Result<BTreeMap<String, PathBuf>, Problem> {
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let theme_dir = site.theme.join("templates");
    collect(&theme_dir, &theme_dir, &mut files)?;
    let own_dir = site.root.join("templates");
    if own_dir.is_dir() {
        collect(&own_dir, &own_dir, &mut files)?;
    }
    Ok(files)
}

/// The sources of the templates `names`, as [`load`] would take them.
pub fn sources(site: &Site, names: &[&str]) -> Result<BTreeMap<String, String>, Problem> {
    let files = files(site)?;
    names
        .iter()
        .map(|name| {
            let Some(path) = files.get(*name) else {
                return Err(Problem::invalid(
                    &site.theme.join("templates"),
                    format!("the template `{name}` is missing: the function's pages need it"),
                ));
            };
            let source = std::fs::read_to_string(path).map_err(|e| Problem::read(path, &e))?;
            Ok((name.to_string(), source))
        })
        .collect()
}

pub fn load(site: &Site, assets: &Assets) -> Result<Tera, Problem> {
    let files = files(site)?;
    let theme_dir = site.theme.join("templates");
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
    tera.register_function("asset", asset_function(assets));
    Ok(tera)
}

/// `{{ asset(path="assets/style.css") }}`: the published address of a static file, with its
/// fingerprint. A name with no file stops the build, so a page never links to nothing.
fn asset_function(assets: &Assets) -> impl tera::Function {
    let urls: BTreeMap<String, String> = assets
        .iter()
        .map(|(path, asset)| (path.to_string(), asset.url.clone()))
        .collect();
    move |args: &std::collections::HashMap<String, tera::Value>| {
        let path = args
            .get("path")
            .and_then(tera::Value::as_str)
            .ok_or_else(|| {
                tera::Error::msg(
                    "asset() needs the file's name, e.g. asset(path=\"assets/style.css\")",
                )
            })?;
        let key = format!("/{}", path.trim_start_matches('/'));
        match urls.get(&key) {
            Some(url) => Ok(tera::Value::String(url.clone())),
            None => Err(tera::Error::msg(format!(
                "asset(path=\"{path}\"): there is no such file in the theme's or the site's \
                 static folder"
            ))),
        }
    }
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
