//! What the function knows of the site, read once at start from the same content folder the
//! generator builds: the form definitions, the regions and their territories, the UI strings
//! (validation messages), and the addresses of each form's page and thank-you page.

use std::collections::HashMap;
use std::path::Path;

use eclaireurs_model::{FormDef, Lang, Problem, Site, Strings};

pub struct Catalog {
    pub forms: Vec<FormDef>,
    /// Region slug → its territories' names.
    pub regions: HashMap<String, Vec<String>>,
    pub strings: Strings,
    /// (form id, region, language) → the page that shows the form and its thank-you page.
    pages: HashMap<(String, String, Lang), FormPages>,
}

#[derive(Debug, Clone)]
pub struct FormPages {
    pub form: Option<String>,
    pub thanks: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the content folder has problems (run `eclaireurs check`):\n{}", list(.0))]
pub struct CatalogError(pub Vec<Problem>);

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Catalog {
    pub fn load(content: &Path) -> Result<Catalog, CatalogError> {
        let site = Site::load(content).map_err(CatalogError)?;
        let mut pages = HashMap::new();
        for form in &site.forms {
            for region in &site.regions {
                for lang in Lang::ALL {
                    let page_of = |key: &str| region.page(key, lang).map(|p| p.url());
                    let form_page = region
                        .pages
                        .iter()
                        .find(|p| p.lang == lang && p.meta.form.as_deref() == Some(&form.id))
                        .map(|p| p.url());
                    pages.insert(
                        (form.id.clone(), region.slug.clone(), lang),
                        FormPages {
                            form: form_page,
                            thanks: page_of(&form.thanks_page),
                        },
                    );
                }
            }
        }
        Ok(Catalog {
            regions: site
                .regions
                .iter()
                .map(|r| {
                    let names = r.data.territories.iter().map(|t| t.name.clone()).collect();
                    (r.slug.clone(), names)
                })
                .collect(),
            forms: site.forms,
            strings: site.strings,
            pages,
        })
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
        self.strings
            .get(lang, key)
            .map(str::to_string)
            .unwrap_or_else(|| key.to_string())
    }
}
