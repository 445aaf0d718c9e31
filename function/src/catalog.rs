//! What the function knows of the site: the catalog that `eclaireurs build` writes beside the
//! pages it built (forms, regions and their territories, the strings the function shows, the
//! addresses of each form's page and thank-you page). Deployed, it is the object `publish`
//! puts in the catalog bucket, kept fresh by [`crate::live_catalog`], with `catalog.json` of
//! the function's package as the fallback; `eclaireurs serve` reads the one of its latest
//! build; for local use it can also be made from a content folder (`CONTENT_DIR`).

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
    /// Region slug → its display name.
    region_names: std::collections::BTreeMap<String, eclaireurs_model::Localized>,
    /// Region → field → the region's wording of the field's choices.
    choices: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, Vec<eclaireurs_model::form::Choice>>,
    >,
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
        let site = Site::load(content, eclaireurs_model::LoadOptions::PUBLISHED)
            .map_err(LoadError::Content)?;
        let assets = Assets::collect(&site).map_err(|p| LoadError::Content(vec![p]))?;
        let data = Data::from_site(&site, &assets);
        // As `eclaireurs build` would refuse it.
        data.check()
            .map_err(|e| LoadError::Content(vec![e.problem(&site)]))?;
        Ok(Catalog::from(data))
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

    /// The region and language of the page at `path` (such as
    /// `/fr/bas-saint-laurent/devenir-eclaireur/`) if it is one that shows the form.
    pub fn form_page_at(&self, form: &str, path: &str) -> Option<(&str, Lang)> {
        self.pages
            .iter()
            .find(|((id, _, _), pages)| id == form && pages.form.as_deref() == Some(path))
            .map(|((_, region, lang), _)| (region.as_str(), *lang))
    }

    /// How a region words one choice (a role code such as `watch`), falling back to the
    /// form's own label; the value itself if neither knows it.
    pub fn choice_label(&self, region: &str, field: &str, value: &str, lang: Lang) -> String {
        let regional = self
            .choices
            .get(region)
            .and_then(|fields| fields.get(field))
            .and_then(|choices| choices.iter().find(|c| c.value == value));
        let generic = || {
            self.forms
                .iter()
                .flat_map(|f| f.fields.iter())
                .filter(|f| f.name == field)
                .flat_map(|f| f.choices.iter())
                .find(|c| c.value == value)
        };
        regional
            .or_else(generic)
            .map_or_else(|| value.to_string(), |c| c.label.get(lang).clone())
    }

    /// A region's display name; its slug if the catalog does not know it.
    pub fn region_name(&self, region: &str, lang: Lang) -> String {
        self.region_names
            .get(region)
            .map_or_else(|| region.to_string(), |names| names.get(lang).clone())
    }

    /// A UI string with its `{name}` placeholders filled in.
    pub fn format(&self, lang: Lang, key: &str, vars: &[(&str, &str)]) -> String {
        let mut text = self.text(lang, key);
        for (name, value) in vars {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
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
            region_names: data.region_names,
            choices: data.choices,
            strings: data.strings,
            pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_named_in_the_words_of_its_region() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let catalog = Catalog::from_content(&content).expect("catalog");
        assert_eq!(
            catalog.choice_label("bas-saint-laurent", "roles", "watch", Lang::Fr),
            "Reconnaître"
        );
        assert_eq!(
            catalog.choice_label("saguenay-lac-saint-jean", "roles", "support", Lang::En),
            "Offer initial support"
        );
        assert_eq!(
            catalog.choice_label("nowhere", "roles", "watch", Lang::En),
            "Community vigie",
            "the form's generic label when a region is unknown"
        );
    }
}
