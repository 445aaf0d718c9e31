//! What readers of a catalog ask of it (a form, its pages, a region's words, a UI string),
//! answered from indexes built once when the catalog is made or read, not by scanning its
//! lists on every request.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Catalog;
use crate::form::{Choice, FormDef};
use crate::lang::Lang;

/// The addresses of one form's pages for a region and language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormAddresses {
    /// The page that shows the form.
    pub page: Option<String>,
    /// The page shown after a successful post.
    pub thanks: Option<String>,
}

/// The catalog's lookup indexes: positions in [`Catalog::pages`] and the forms' generic
/// choices. Not part of the file: built from the rest ([`Catalog::index`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    /// (form id, region, language) → its entry in `pages`.
    pages: HashMap<(String, String, Lang), usize>,
    /// (form id, address of the page that shows it) → its entry in `pages`.
    form_pages: HashMap<(String, String), usize>,
    /// (field name, value) → the first form's choice of that field and value.
    choices: HashMap<(String, String), (String, usize, usize)>,
}

impl Index {
    fn build(catalog: &Catalog) -> Index {
        let mut index = Index::default();
        for (at, entry) in catalog.pages.iter().enumerate() {
            let key = (entry.form.clone(), entry.region.clone(), entry.lang);
            index.pages.entry(key).or_insert(at);
            if let Some(page) = &entry.page {
                index
                    .form_pages
                    .entry((entry.form.clone(), page.clone()))
                    .or_insert(at);
            }
        }
        for (id, form) in &catalog.forms {
            for (f, field) in form.fields.iter().enumerate() {
                for (c, choice) in field.choices.iter().enumerate() {
                    index
                        .choices
                        .entry((field.name.clone(), choice.value.clone()))
                        .or_insert((id.clone(), f, c));
                }
            }
        }
        index
    }
}

/// The slot that holds a catalog's index: empty in a catalog fresh from serde or changed by
/// hand, filled by the first lookup (or at once by [`Catalog::parse`] and
/// [`Catalog::from_site`]), emptied by [`Catalog::seal`].
#[derive(Debug, Clone, Default)]
pub(super) struct IndexSlot(OnceLock<Index>);

impl IndexSlot {
    pub(super) fn reset(&mut self) {
        self.0 = OnceLock::new();
    }
}

impl Catalog {
    /// The catalog's indexes, built the first time they are needed.
    fn index(&self) -> &Index {
        self.index.0.get_or_init(|| Index::build(self))
    }

    /// Builds the indexes now, so no request pays for them.
    pub(super) fn build_index(&self) {
        self.index();
    }

    pub fn form(&self, id: &str) -> Option<&FormDef> {
        self.forms.get(id)
    }

    /// The form's pages for a region and language, each falling back to the other
    /// language's when a translation is missing.
    pub fn addresses(&self, form: &str, region: &str, lang: Lang) -> FormAddresses {
        let index = self.index();
        let get = |l: Lang| {
            index
                .pages
                .get(&(form.to_string(), region.to_string(), l))
                .map(|at| &self.pages[*at])
        };
        let (mine, other) = (get(lang), get(lang.other()));
        let pick = |of: fn(&super::FormLocation) -> &Option<String>| {
            mine.and_then(|p| of(p).clone())
                .or_else(|| other.and_then(|p| of(p).clone()))
        };
        FormAddresses {
            page: pick(|p| &p.page),
            thanks: pick(|p| &p.thanks),
        }
    }

    /// Whether the function takes this form for this region: the catalog has the form's
    /// place for it (a region that registers through its own form elsewhere has none).
    pub fn takes(&self, form: &str, region: &str) -> bool {
        let index = self.index();
        Lang::ALL.iter().any(|&lang| {
            index
                .pages
                .contains_key(&(form.to_string(), region.to_string(), lang))
        })
    }

    /// Whether the region's form asks this field: not the roles where every éclaireur holds
    /// them all (`roles: held`).
    pub fn asks(&self, region: &str, field: &str) -> bool {
        !(field == crate::region::ROLES_FIELD && self.roles_held.contains(region))
    }

    /// The entry of a form's page for a region and language whose page the function can show
    /// again (it has a context), else the other language's.
    pub fn location(&self, form: &str, region: &str, lang: Lang) -> Option<&super::FormLocation> {
        let index = self.index();
        [lang, lang.other()].into_iter().find_map(|l| {
            index
                .pages
                .get(&(form.to_string(), region.to_string(), l))
                .map(|at| &self.pages[*at])
                .filter(|p| p.context.is_some() && p.page.is_some())
        })
    }

    /// The region and language of the page at `path` (such as
    /// `/fr/bas-saint-laurent/devenir-eclaireur/`) if it is one that shows the form.
    pub fn form_page_at(&self, form: &str, path: &str) -> Option<(&str, Lang)> {
        let at = self
            .index()
            .form_pages
            .get(&(form.to_string(), path.to_string()))?;
        let entry = &self.pages[*at];
        Some((entry.region.as_str(), entry.lang))
    }

    /// How a region words one choice (a role code such as `watch`), falling back to the
    /// form's own label; the value itself if neither knows it.
    pub fn choice_label(&self, region: &str, field: &str, value: &str, lang: Lang) -> String {
        let regional = self
            .choices
            .get(region)
            .and_then(|fields| fields.get(field))
            .and_then(|choices| choices.iter().find(|c| c.value == value));
        let generic = || -> Option<&Choice> {
            let (form, f, c) = self
                .index()
                .choices
                .get(&(field.to_string(), value.to_string()))?;
            self.forms.get(form)?.fields.get(*f)?.choices.get(*c)
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn catalog() -> Catalog {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        Catalog::from_content(&content).expect("the real content makes a catalog")
    }

    #[test]
    fn a_role_is_named_in_the_words_of_its_region() {
        let catalog = catalog();
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
            "Community watch",
            "the form's generic label when a region is unknown"
        );
        assert_eq!(
            catalog.choice_label("bas-saint-laurent", "roles", "juggling", Lang::En),
            "juggling",
            "the value itself when nobody knows it"
        );
    }

    #[test]
    fn a_form_page_is_found_by_its_address_and_leads_back_to_its_place() {
        let catalog = catalog();
        let addresses = catalog.addresses("registration", "bas-saint-laurent", Lang::En);
        let page = addresses.page.expect("the English registration page");
        assert_eq!(page, "/en/bas-saint-laurent/become-an-eclaireur/");
        assert!(addresses.thanks.is_some(), "and its thank-you page");
        assert_eq!(
            catalog.form_page_at("registration", &page),
            Some(("bas-saint-laurent", Lang::En))
        );
        assert_eq!(
            catalog.form_page_at("need-report", &page),
            None,
            "the page of another form"
        );
        assert_eq!(catalog.form_page_at("registration", "/en/"), None);
        assert_eq!(
            catalog.addresses("registration", "nowhere", Lang::Fr),
            FormAddresses::default()
        );
    }

    #[test]
    fn a_missing_translation_falls_back_to_the_other_language() {
        let mut catalog = catalog();
        for entry in &mut catalog.pages {
            if entry.form == "registration" && entry.lang == Lang::En {
                entry.page = None;
            }
        }
        catalog.seal().expect("sealed");
        let fr = catalog.addresses("registration", "bas-saint-laurent", Lang::Fr);
        let en = catalog.addresses("registration", "bas-saint-laurent", Lang::En);
        assert_eq!(en.page, fr.page, "the French page");
        assert_ne!(en.thanks, fr.thanks, "each its own thank-you page");
    }

    #[test]
    fn the_indexes_follow_a_catalog_changed_and_sealed_again() {
        let mut catalog = catalog();
        let before = catalog.addresses("registration", "bas-saint-laurent", Lang::Fr);
        for entry in &mut catalog.pages {
            entry.page = entry.page.take().map(|p| format!("{p}moved/"));
        }
        catalog.seal().expect("sealed");
        let after = catalog.addresses("registration", "bas-saint-laurent", Lang::Fr);
        let moved = format!("{}moved/", before.page.expect("a page"));
        assert_eq!(after.page.as_deref(), Some(moved.as_str()));
        assert_eq!(
            catalog.form_page_at("registration", &moved),
            Some(("bas-saint-laurent", Lang::Fr))
        );
    }

    #[test]
    fn strings_and_names_fall_back_to_their_keys() {
        let catalog = catalog();
        assert_ne!(
            catalog.text(Lang::Fr, "validation.required"),
            "validation.required"
        );
        assert_eq!(catalog.text(Lang::Fr, "validation.nope"), "validation.nope");
        assert_eq!(
            catalog.text(Lang::Fr, "validation"),
            "validation",
            "not a string"
        );
        assert_eq!(catalog.region_name("nowhere", Lang::En), "nowhere");
        assert_ne!(
            catalog.region_name("bas-saint-laurent", Lang::Fr),
            "bas-saint-laurent"
        );
        assert!(catalog.form("registration").is_some());
        assert!(catalog.form("nope").is_none());
    }
}
