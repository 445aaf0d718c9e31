//! What a catalog must hold before anything uses it: `eclaireurs build` refuses to write a
//! catalog that breaks these rules, and the function refuses to read one (it keeps the last
//! good one), so a catalog edited by hand or by someone hostile can never send a person off
//! the site, make the function take huge bodies, or name files and addresses it should not.
//!
//! The errors say what is wrong and where, in words for whoever edits the content. They never
//! repeat a value that breaks a rule (an address, an id with odd characters): the function
//! logs them, and a log line must hold nothing a catalog could smuggle in.

use std::collections::BTreeMap;

use super::{body_limit, Catalog, MAX_BODY_LIMIT};
use crate::lang::Lang;
use crate::site::Site;
use crate::{Location, Problem, ProblemKind};

/// The longest `max_length` a text field may have, in characters.
pub const MAX_TEXT_LENGTH: u32 = 5_000;

/// The longest name of a territory, in characters.
pub const MAX_TERRITORY_LENGTH: usize = 100;

/// Where the stylesheet of the function's pages must be.
const ASSETS: &str = "/assets/";

/// One rule a catalog breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error(
        "the form id {id} is not one: a form id starts with a lowercase letter, then up to \
         39 lowercase letters, digits or `-` (it is the file name of the form)"
    )]
    FormId { id: String },
    #[error(
        "form `{form}`: its `endpoint` {endpoint} is not one: it starts with a lowercase \
         letter, then up to 39 lowercase letters, digits or `-`"
    )]
    Endpoint { form: String, endpoint: String },
    #[error("forms `{form}` and `{other}` have the same `endpoint`: give each its own")]
    SharedEndpoint { form: String, other: String },
    #[error(
        "form `{form}`: the field name {field} is not one: it starts with a lowercase letter, \
         then up to 39 lowercase letters, digits or `_`"
    )]
    FieldName { form: String, field: String },
    #[error("form `{form}`: {reason}")]
    Form { form: String, reason: String },
    #[error(
        "form `{form}`, field `{field}`: a `max_length` of {max_length} characters is more \
         than the {MAX_TEXT_LENGTH} a field may take"
    )]
    TooLong {
        form: String,
        field: String,
        max_length: u32,
    },
    #[error(
        "form `{form}`: a submission at its longest would take {limit} bytes, more than the \
         {MAX_BODY_LIMIT} the function takes; lower some `max_length`s"
    )]
    BodyTooLarge { form: String, limit: usize },
    #[error(
        "the region slug {slug} (in `{list}`) is not one: it starts with a lowercase letter, \
         then up to 62 lowercase letters, digits or `-`"
    )]
    RegionSlug { slug: String, list: &'static str },
    #[error(
        "region `{region}`: territory {number} is empty or longer than \
         {MAX_TERRITORY_LENGTH} characters"
    )]
    Territory { region: String, number: usize },
    #[error("`pages` names the form `{form}`, which the catalog does not have")]
    PageForm { form: String },
    #[error("`pages` names the region `{region}`, which the catalog does not have")]
    PageRegion { region: String },
    #[error(
        "the {which} of form `{form}` for region `{region}` ({lang}) is not an address on \
         the site: it must start with a single `/` and hold no `\\`, space or control \
         character"
    )]
    Address {
        form: String,
        region: String,
        lang: Lang,
        which: &'static str,
    },
    #[error(
        "the stylesheet is not an address on the site under {ASSETS}: it must start with \
         {ASSETS}, leave it by no `..`, and hold no `\\`, space or control character"
    )]
    Stylesheet,
    #[error(
        "the {lang} strings have no `validation` messages (the function's error messages): \
         the theme's i18n/{lang}.yaml needs its `validation:` texts"
    )]
    Strings { lang: Lang },
    #[error(
        "the {lang} `validation` message {key} is not text, or has no translation in the \
         other language"
    )]
    StringKey { lang: Lang, key: String },
    #[error("{0}; build the catalog again with `eclaireurs build`")]
    Theme(#[from] super::ThemeError),
    #[error(
        "the page of form `{form}` for region `{region}` ({lang}) has a context that is not a \
         map of values, or a context without the theme's templates"
    )]
    Context {
        form: String,
        region: String,
        lang: Lang,
    },
}

impl CheckError {
    /// The problem in the content folder of `site`, located in the file that makes it: the
    /// form's definition, the region's `region.yaml`, the theme's strings, else the folder.
    pub fn problem(&self, site: &Site) -> Problem {
        let path = match self {
            CheckError::FormId { id: form }
            | CheckError::Endpoint { form, .. }
            | CheckError::SharedEndpoint { form, .. }
            | CheckError::FieldName { form, .. }
            | CheckError::Form { form, .. }
            | CheckError::TooLong { form, .. }
            | CheckError::BodyTooLarge { form, .. }
            | CheckError::PageForm { form } => site.root.join("forms").join(format!("{form}.yaml")),
            CheckError::RegionSlug { slug: region, .. }
            | CheckError::Territory { region, .. }
            | CheckError::PageRegion { region }
            | CheckError::Address { region, .. } => match site.region(region) {
                Some(region) => region.file.clone(),
                // A page naming a region the site does not have: its folder.
                None => site.root.join("regions").join(region),
            },
            CheckError::Strings { lang } | CheckError::StringKey { lang, .. } => {
                site.theme.join("i18n").join(format!("{lang}.yaml"))
            }
            CheckError::Stylesheet => site.theme.join("assets"),
            CheckError::Theme(_) => site.theme.join("templates"),
            CheckError::Context { region, .. } => match site.region(region) {
                Some(region) => region.file.clone(),
                None => site.root.join("regions").join(region),
            },
        };
        Problem::new(
            Location::file(path),
            ProblemKind::Invalid(format!("the function's catalog: {self}")),
        )
    }
}

/// `value` as an error may show it: in backquotes when it is short and made only of
/// letters, digits, `-`, `_` and `.`, otherwise only its length (it could be anything).
fn shown(value: &str) -> String {
    let plain = value.len() <= 60
        && !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    match plain {
        true => format!("`{value}`"),
        false => format!("({} characters)", value.chars().count()),
    }
}

/// A lowercase letter, then up to `rest` lowercase letters, digits or `joiner`.
fn is_name(value: &str, rest: usize, joiner: char) -> bool {
    let mut chars = value.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && value.len() <= rest + 1
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == joiner)
}

fn is_id(value: &str) -> bool {
    is_name(value, 39, '-')
}

fn is_field_name(value: &str) -> bool {
    is_name(value, 39, '_')
}

fn is_region_slug(value: &str) -> bool {
    is_name(value, 62, '-')
}

/// An address on the site, whatever origin it is put under: one leading `/` (so no scheme
/// and no `//host`), no `\` (which browsers read as `/`), and no space or control character
/// (a tab or line break is dropped by browsers, so `/\t/evil.example` is `//evil.example`).
pub fn is_site_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

impl Catalog {
    /// Whether the catalog keeps the rules above (the first rule it breaks, if any).
    pub fn check(&self) -> Result<(), CheckError> {
        self.check_forms()?;
        self.check_regions()?;
        self.check_pages()?;
        if let Some(stylesheet) = &self.stylesheet {
            let leaves = stylesheet.split(['/', '?', '#']).any(|part| part == "..");
            if !is_site_path(stylesheet) || !stylesheet.starts_with(ASSETS) || leaves {
                return Err(CheckError::Stylesheet);
            }
        }
        if let Some(theme) = &self.theme {
            theme.check()?;
        }
        self.check_strings()
    }

    fn check_forms(&self) -> Result<(), CheckError> {
        let territory = self
            .regions
            .values()
            .flatten()
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0);
        let region = self
            .regions
            .keys()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        let mut endpoints: BTreeMap<&str, &str> = BTreeMap::new();
        for (id, form) in &self.forms {
            if !is_id(id) {
                return Err(CheckError::FormId { id: shown(id) });
            }
            if !is_id(&form.endpoint) {
                return Err(CheckError::Endpoint {
                    form: id.clone(),
                    endpoint: shown(&form.endpoint),
                });
            }
            if let Some(other) = endpoints.insert(&form.endpoint, id) {
                return Err(CheckError::SharedEndpoint {
                    form: other.to_string(),
                    other: id.clone(),
                });
            }
            for field in &form.fields {
                if !is_field_name(&field.name) {
                    return Err(CheckError::FieldName {
                        form: id.clone(),
                        field: shown(&field.name),
                    });
                }
                if let Some(max_length) = field.max_length.filter(|m| *m > MAX_TEXT_LENGTH) {
                    return Err(CheckError::TooLong {
                        form: id.clone(),
                        field: field.name.clone(),
                        max_length,
                    });
                }
            }
            form.rules().map_err(|reason| CheckError::Form {
                form: id.clone(),
                reason,
            })?;
            // What the function takes of this form: its lengths, choices and territories
            // (`rules` made sure every text field has a `max_length`).
            let limit = body_limit(form, territory, region);
            if limit > MAX_BODY_LIMIT {
                return Err(CheckError::BodyTooLarge {
                    form: id.clone(),
                    limit,
                });
            }
        }
        Ok(())
    }

    fn check_regions(&self) -> Result<(), CheckError> {
        let lists = [
            ("regions", self.regions.keys().collect::<Vec<_>>()),
            ("region_names", self.region_names.keys().collect()),
            ("choices", self.choices.keys().collect()),
            ("roles_held", self.roles_held.iter().collect()),
        ];
        for (list, slugs) in lists {
            if let Some(slug) = slugs.into_iter().find(|s| !is_region_slug(s)) {
                return Err(CheckError::RegionSlug {
                    slug: shown(slug),
                    list,
                });
            }
        }
        for (region, territories) in &self.regions {
            let bad = territories
                .iter()
                .position(|t| t.trim().is_empty() || t.chars().count() > MAX_TERRITORY_LENGTH);
            if let Some(index) = bad {
                return Err(CheckError::Territory {
                    region: region.clone(),
                    number: index + 1,
                });
            }
        }
        Ok(())
    }

    fn check_pages(&self) -> Result<(), CheckError> {
        for pages in &self.pages {
            if !self.forms.contains_key(&pages.form) {
                return Err(CheckError::PageForm {
                    form: shown(&pages.form),
                });
            }
            if !self.regions.contains_key(&pages.region) {
                return Err(CheckError::PageRegion {
                    region: shown(&pages.region),
                });
            }
            let context_ok = match &pages.context {
                None => true,
                Some(context) => context.is_object() && self.theme.is_some(),
            };
            if !context_ok {
                return Err(CheckError::Context {
                    form: pages.form.clone(),
                    region: pages.region.clone(),
                    lang: pages.lang,
                });
            }
            for (which, address) in [("page", &pages.page), ("thank-you page", &pages.thanks)] {
                if address.as_deref().is_some_and(|a| !is_site_path(a)) {
                    return Err(CheckError::Address {
                        form: pages.form.clone(),
                        region: pages.region.clone(),
                        lang: pages.lang,
                        which,
                    });
                }
            }
        }
        Ok(())
    }

    /// Both languages have the function's error messages, each text, with the same keys.
    fn check_strings(&self) -> Result<(), CheckError> {
        let messages = |lang: Lang| {
            self.strings
                .get(lang)
                .get("validation")
                .and_then(|v| v.as_object())
                .filter(|m| !m.is_empty())
                .ok_or(CheckError::Strings { lang })
        };
        let (fr, en) = (messages(Lang::Fr)?, messages(Lang::En)?);
        for (lang, mine, other) in [(Lang::Fr, fr, en), (Lang::En, en, fr)] {
            for (key, text) in mine {
                if !text.is_string() || !other.get(key).is_some_and(|t| t.is_string()) {
                    return Err(CheckError::StringKey {
                        lang,
                        key: shown(key),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::catalog::CatalogError;
    use crate::Assets;

    fn real() -> Catalog {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let site =
            Site::load(&root, crate::LoadOptions::PUBLISHED).expect("the real content loads");
        let assets = Assets::collect(&site).expect("assets");
        Catalog::from_site(&site, &assets).expect("the real catalog")
    }

    /// The real catalog, changed by `edit`, then checked.
    fn checked(edit: impl FnOnce(&mut Catalog)) -> Result<(), CheckError> {
        let mut catalog = real();
        edit(&mut catalog);
        catalog.check()
    }

    fn thanks(catalog: &mut Catalog) -> &mut Option<String> {
        &mut catalog
            .pages
            .iter_mut()
            .find(|p| p.thanks.is_some())
            .expect("a thank-you page")
            .thanks
    }

    #[test]
    fn the_real_catalog_keeps_every_rule() {
        assert_eq!(real().check(), Ok(()));
    }

    #[test]
    fn a_thank_you_page_off_the_site_is_refused_without_repeating_it() {
        for address in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "evil.example",
            "javascript:alert(1)",
            "/fr/merci /",
        ] {
            let err = checked(|c| *thanks(c) = Some(address.into())).expect_err(address);
            assert!(
                matches!(
                    err,
                    CheckError::Address {
                        which: "thank-you page",
                        ..
                    }
                ),
                "{address}: {err}"
            );
            assert!(!err.to_string().contains("evil"), "{err}");
        }
        assert_eq!(
            checked(|c| *thanks(c) = Some("/fr/ailleurs/".into())),
            Ok(())
        );
    }

    #[test]
    fn ids_endpoints_field_names_and_region_slugs_keep_their_patterns() {
        let err = checked(|c| {
            let form = c.forms.remove("registration").expect("form");
            c.forms.insert("../etc".into(), form);
        })
        .expect_err("id");
        assert_eq!(
            err,
            CheckError::FormId {
                id: "(6 characters)".into()
            }
        );
        let err =
            checked(|c| c.forms.get_mut("registration").expect("form").endpoint = "a/../b".into())
                .expect_err("endpoint");
        assert!(matches!(err, CheckError::Endpoint { .. }), "{err}");
        let err = checked(|c| {
            let need = c.forms["need-report"].endpoint.clone();
            c.forms.get_mut("registration").expect("form").endpoint = need;
        })
        .expect_err("shared endpoint");
        assert!(matches!(err, CheckError::SharedEndpoint { .. }), "{err}");
        let err = checked(|c| {
            c.forms.get_mut("registration").expect("form").fields[0].name = "Région".into()
        })
        .expect_err("field name");
        assert!(matches!(err, CheckError::FieldName { .. }), "{err}");
        let err = checked(|c| {
            let names = c.regions.remove("bas-saint-laurent").expect("region");
            c.regions.insert("Bas Saint-Laurent".into(), names);
        })
        .expect_err("slug");
        assert!(
            matches!(
                err,
                CheckError::RegionSlug {
                    list: "regions",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_limit_that_would_make_the_body_limit_pass_the_functions_maximum_is_refused() {
        let err = checked(|c| {
            let form = c.forms.get_mut("need-report").expect("form");
            let field = form
                .fields
                .iter_mut()
                .find(|f| f.max_length == Some(4000))
                .expect("field");
            field.max_length = Some(u32::MAX);
        })
        .expect_err("enormous");
        assert!(matches!(err, CheckError::TooLong { .. }), "{err}");
        // Each field under its own cap, but together more than the function takes.
        let err = checked(|c| {
            let form = c.forms.get_mut("need-report").expect("form");
            for field in form.fields.iter_mut().filter(|f| f.max_length.is_some()) {
                field.max_length = Some(MAX_TEXT_LENGTH);
            }
        })
        .expect_err("too large together");
        match err {
            CheckError::BodyTooLarge { limit, .. } => assert!(limit > MAX_BODY_LIMIT),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn the_stylesheet_stays_under_assets_and_both_languages_keep_their_messages() {
        for stylesheet in [
            "https://evil.example/x.css",
            "/assets/../secret",
            "/style.css",
            "//evil.example/assets/x.css",
        ] {
            let err = checked(|c| c.stylesheet = Some(stylesheet.into())).expect_err(stylesheet);
            assert_eq!(err, CheckError::Stylesheet, "{stylesheet}");
        }
        let err = checked(|c| {
            c.strings
                .en
                .as_object_mut()
                .expect("map")
                .remove("validation");
        })
        .expect_err("no messages");
        assert_eq!(err, CheckError::Strings { lang: Lang::En });
        let err = checked(|c| {
            c.strings.fr["validation"]
                .as_object_mut()
                .expect("map")
                .remove("required");
        })
        .expect_err("one missing");
        assert_eq!(
            err,
            CheckError::StringKey {
                lang: Lang::En,
                key: "`required`".into()
            }
        );
    }

    /// The real catalog with a theme made from the default theme's files.
    fn themed() -> Catalog {
        use crate::catalog::theme::{ASSETS, TEMPLATES};
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default/templates");
        let mut catalog = real();
        catalog.theme = Some(crate::catalog::Theme {
            templates: TEMPLATES
                .iter()
                .map(|n| {
                    let source = std::fs::read_to_string(root.join(n)).expect("template");
                    (n.to_string(), source)
                })
                .collect(),
            assets: ASSETS
                .iter()
                .map(|n| (n.to_string(), format!("/{n}")))
                .collect(),
            base: crate::lang::Localized {
                fr: serde_json::json!({"regions_url": "/fr/"}),
                en: serde_json::json!({"regions_url": "/en/"}),
            },
        });
        catalog
    }

    fn theme(catalog: &mut Catalog) -> &mut crate::catalog::Theme {
        catalog.theme.as_mut().expect("a theme")
    }

    #[test]
    fn a_catalog_whose_templates_are_missing_or_broken_is_refused_in_plain_words() {
        assert_eq!(themed().check(), Ok(()));
        let mut missing = themed();
        theme(&mut missing).templates.remove("answer.html");
        let err = missing.check().expect_err("missing");
        assert_eq!(
            err.to_string(),
            "the template `answer.html` the function's pages need is missing; build the \
             catalog again with `eclaireurs build`"
        );
        let mut broken = themed();
        theme(&mut broken)
            .templates
            .insert("base.html".into(), "{% block main %}<p>secret-value".into());
        let err = broken.check().expect_err("broken");
        assert!(
            err.to_string()
                .starts_with("the templates of the function's pages do not compile"),
            "{err}"
        );
        assert!(!err.to_string().contains("secret-value"), "{err}");
        let mut extra = themed();
        theme(&mut extra)
            .templates
            .insert("../../etc/passwd".into(), String::new());
        assert!(extra.check().is_err());
    }

    #[test]
    fn the_theme_s_files_stay_under_assets_and_its_contexts_are_maps() {
        for address in [
            "https://evil.example/style.css",
            "/assets/../secret",
            "//evil.example/assets/x.css",
        ] {
            let mut catalog = themed();
            theme(&mut catalog)
                .assets
                .insert("assets/style.css".into(), address.into());
            let err = catalog.check().expect_err(address);
            assert!(
                matches!(err, CheckError::Theme(crate::catalog::ThemeError::Asset(_))),
                "{address}: {err}"
            );
            assert!(!err.to_string().contains("evil"), "{err}");
        }
        let mut catalog = themed();
        theme(&mut catalog).base.en = serde_json::json!("text");
        assert!(catalog.check().is_err(), "a base that is not a map");
        let mut catalog = themed();
        catalog.pages[0].context = Some(serde_json::json!([1, 2]));
        assert!(matches!(catalog.check(), Err(CheckError::Context { .. })));
        let mut catalog = real();
        catalog.pages[0].context = Some(serde_json::json!({}));
        assert!(
            matches!(catalog.check(), Err(CheckError::Context { .. })),
            "a page's context without the templates"
        );
    }

    #[test]
    fn a_form_that_breaks_the_form_rules_is_refused() {
        let err = checked(|c| {
            let form = c.forms.get_mut("registration").expect("form");
            form.fields
                .retain(|f| f.kind != crate::form::FieldKind::Honeypot);
        })
        .expect_err("no trap");
        assert!(err.to_string().contains("honeypot"), "{err}");
    }

    #[test]
    fn parse_refuses_what_is_too_large_hostile_or_resealed_and_says_why_without_content() {
        let mut hostile = real();
        *thanks(&mut hostile) = Some("https://evil.example/".into());
        hostile.seal().expect("sealed");
        let err = Catalog::parse(&hostile.to_json().expect("json"), "s3://b/catalog.json")
            .expect_err("refused");
        assert!(matches!(err, CatalogError::Refused { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("the catalog s3://b/catalog.json is refused"),
            "{err}"
        );
        assert!(!err.to_string().contains("evil"), "{err}");

        let mut big = real().to_json().expect("json");
        big.resize(crate::catalog::MAX_SIZE + 1, b' ');
        let err = Catalog::parse(&big, "x").expect_err("too large");
        assert!(matches!(err, CatalogError::TooLarge { .. }), "{err}");

        let unsealed = String::from_utf8(real().to_json().expect("json"))
            .expect("utf-8")
            .replacen("Rimouski", "Rimouskj", 1);
        let err = Catalog::parse(unsealed.as_bytes(), "x").expect_err("version");
        assert!(matches!(err, CatalogError::Version { .. }), "{err}");

        let shaped = br#"{"version":"secret-value","forms":{},"extra":"secret-value"}"#;
        let err = Catalog::parse(shaped, "x").expect_err("shape");
        assert!(matches!(err, CatalogError::Format { .. }), "{err}");
        assert!(!err.to_string().contains("secret-value"), "{err}");

        assert!(Catalog::parse(&real().to_json().expect("json"), "x").is_ok());
    }
}
