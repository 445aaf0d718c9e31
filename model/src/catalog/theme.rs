//! The theme's share of the catalog: what the function needs to answer a browser with the
//! site's own page (a form given back with its errors, a short answer), rendered from the
//! site's templates rather than written again in the function.
//!
//! Design: `eclaireurs build` puts here the Tera sources of the few templates those pages
//! use (one set for the whole site), the published addresses of the static files they name,
//! and what a language's pages share beside the UI strings (`base`); the UI strings are the
//! catalog's own `strings`. Each form's page adds only what differs, in its
//! [`super::FormLocation::context`] (its title, text, menu, language switch and the form as
//! the page shows it). The catalog is untrusted data: [`Theme::check`] makes sure every
//! template is there and compiles, and that the addresses stay on the site.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Localized};

/// The templates the function renders with, and those they include or extend.
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "page.html",
    "answer.html",
    "partials/form.html",
    "partials/field.html",
    "partials/crisis-lines.html",
    "partials/footer.html",
];

/// The static files those templates name with `asset(path=…)`.
pub const ASSETS: &[&str] = &[
    "assets/style.css",
    "assets/icon.svg",
    "assets/forms.js",
    "assets/video.js",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Template name ([`TEMPLATES`]) → its Tera source (the site's own where it has one).
    pub templates: BTreeMap<String, String>,
    /// A static file's name as templates give it (`assets/style.css`) → its published,
    /// fingerprinted address.
    pub assets: BTreeMap<String, String>,
    /// What every page of a language shares beside the UI strings (`t`): `site`,
    /// `regions_url`, `privacy_url`.
    pub base: Localized<serde_json::Value>,
}

/// Why a theme cannot be used. The words never quote a template or an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("the template `{0}` the function's pages need is missing")]
    Missing(&'static str),
    #[error("the catalog holds a template the function does not use ({0} characters of name)")]
    Unknown(usize),
    #[error("the templates of the function's pages do not compile as Tera templates")]
    Invalid,
    #[error(
        "the address of the static file `{0}` is not one on the site under /assets/ (it must \
         start with /assets/, leave it by no `..`, and hold no `\\`, space or control character)"
    )]
    Asset(&'static str),
    #[error("the static file `{0}` the function's pages name has no address")]
    MissingAsset(&'static str),
    #[error("the {0} base of the function's pages is not a map of values")]
    Base(Lang),
}

/// An address under `/assets/` of the site that never leaves it.
pub fn is_asset_path(path: &str) -> bool {
    let leaves = path.split(['/', '?', '#']).any(|part| part == "..");
    super::is_site_path(path) && path.starts_with("/assets/") && !leaves
}

impl Theme {
    /// Every template there and compiling, every address on the site, each base a map.
    pub fn check(&self) -> Result<(), ThemeError> {
        for name in TEMPLATES {
            if !self.templates.contains_key(*name) {
                return Err(ThemeError::Missing(name));
            }
        }
        if let Some(name) = self
            .templates
            .keys()
            .find(|n| !TEMPLATES.contains(&n.as_str()))
        {
            return Err(ThemeError::Unknown(name.chars().count()));
        }
        for name in ASSETS {
            match self.assets.get(*name) {
                None => return Err(ThemeError::MissingAsset(name)),
                Some(url) if !is_asset_path(url) => return Err(ThemeError::Asset(name)),
                Some(_) => {}
            }
        }
        if let Some(name) = self.assets.keys().find(|n| !ASSETS.contains(&n.as_str())) {
            return Err(ThemeError::Unknown(name.chars().count()));
        }
        for lang in Lang::ALL {
            if !self.base.get(lang).is_object() {
                return Err(ThemeError::Base(lang));
            }
        }
        self.compile().map(|_| ())
    }

    /// The templates as one Tera instance, escaping as the generator does. The function
    /// registers `asset` on it (it knows the site's address).
    pub fn compile(&self) -> Result<tera::Tera, ThemeError> {
        let mut tera = tera::Tera::default();
        tera.set_escape_fn(crate::html::escape);
        tera.add_raw_templates(self.templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|_| ThemeError::Invalid)?;
        Ok(tera)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(source: &str) -> tera::Tera {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t.html", source).expect("compiles");
        tera
    }

    /// What `partials/field.html` relies on when a page has no answers (the site's pages).
    #[test]
    fn a_missing_answer_reads_as_empty_and_a_present_one_as_itself() {
        let t = tera(
            "{% set v = values[name] | default(value=\"\") %}[{{ v }}]{% if \"b\" in list %}in{% endif %}",
        );
        let mut ctx = tera::Context::new();
        ctx.insert("values", &BTreeMap::<String, String>::new());
        ctx.insert("name", "email");
        ctx.insert("list", &vec!["a", "b"]);
        assert_eq!(t.render("t.html", &ctx).expect("renders"), "[]in");
        ctx.insert(
            "values",
            &BTreeMap::from([("email".to_string(), "x@y".to_string())]),
        );
        assert_eq!(t.render("t.html", &ctx).expect("renders"), "[x@y]in");
    }
}
