//! What the function knows of the site: the catalog that `eclaireurs build` writes beside the
//! pages it built (forms, regions and their territories, the strings the function shows, the
//! addresses of each form's page and thank-you page). Under Lambda it is `catalog.json` in
//! the function's package; `eclaireurs serve` reads the one of its latest build; for local
//! use it can also be made from a content folder (`CONTENT_DIR`).

use std::collections::HashMap;
use std::path::Path;

use eclaireurs_model::catalog::{Catalog as Data, CatalogError};
use eclaireurs_model::{Assets, FormDef, Lang, Problem, Site};

pub struct Catalog {
    /// The catalog's version: pages built with it carry it in their forms.
    pub version: String,
    pub forms: Vec<FormDef>,
    /// Region slug → its territories' names.
    pub regions: HashMap<String, Vec<String>>,
    /// The published stylesheet, for the function's own pages.
    pub stylesheet: Option<String>,
    strings: eclaireurs_model::Localized<serde_json::Value>,
    /// (form id, region, language) → the page that shows the form and its thank-you page.
    pages: HashMap<(String, String, Lang), FormPages>,
}

#[derive(Debug, Clone)]
pub struct FormPages {
    pub form: Option<String>,
    pub thanks: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the content folder has problems (run `eclaireurs check`):\n{}", list(.0))]
    Content(Vec<Problem>),
    #[error(transparent)]
    File(#[from] CatalogError),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Catalog {
    /// Reads a catalog file written by `eclaireurs build`.
    pub fn read(path: &Path) -> Result<Catalog, LoadError> {
        Ok(Catalog::from(Data::read(path)?))
    }

    /// Makes the catalog from a content folder, as `eclaireurs build` would.
    pub fn from_content(content: &Path) -> Result<Catalog, LoadError> {
        let site = Site::load(content).map_err(LoadError::Content)?;
        let assets = Assets::collect(&site).map_err(|p| LoadError::Content(vec![p]))?;
        Ok(Catalog::from(Data::from_site(&site, &assets)))
    }

    pub fn form(&self, id: &str) -> Option<&FormDef> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// The form's pages for a region and language, falling back to the other language when
    /// a translation is missing.
    pub fn pages(&self, form: &str, region: &str, lang: Lang) -> FormPages {
        let get = |l: Lang| self.pages.get(&(form.to_string(), region.to_string(), l));
        let mine = get(lang).cloned().unwrap_or(FormPages {
            form: None,
            thanks: None,
        });
        let other = get(lang.other());
        FormPages {
            form: mine.form.or_else(|| other.and_then(|p| p.form.clone())),
            thanks: mine.thanks.or_else(|| other.and_then(|p| p.thanks.clone())),
        }
    }

    /// A UI string, e.g. `validation.required`; the key itself if missing (the model
    /// checks both languages have the same keys, so this only shows in a broken theme).
    pub fn text(&self, lang: Lang, key: &str) -> String {
        let mut node = self.strings.get(lang);
        for part in key.split('.') {
            match node.get(part) {
                Some(next) => node = next,
                None => return key.to_string(),
            }
        }
        node.as_str()
            .map_or_else(|| key.to_string(), str::to_string)
    }
}

impl From<Data> for Catalog {
    fn from(data: Data) -> Catalog {
        let pages = data
            .pages
            .into_iter()
            .map(|p| {
                (
                    (p.form, p.region, p.lang),
                    FormPages {
                        form: p.page,
                        thanks: p.thanks,
                    },
                )
            })
            .collect();
        Catalog {
            version: data.version,
            forms: data.forms.into_values().collect(),
            regions: data.regions.into_iter().collect(),
            stylesheet: data.stylesheet,
            strings: data.strings,
            pages,
        }
    }
}
