//! The function's catalog: what the submission function needs to know of a built site, in one
//! JSON file written by `eclaireurs build` beside the pages it built (uploaded by
//! `eclaireurs publish` to the stack's catalog bucket, which the function reads while it runs;
//! the function's package carries the one reviewed with its code), so the function validates
//! with exactly the form definitions of the published pages. Whoever reads one checks it
//! first ([`Catalog::parse`], [`Catalog::check`]): a catalog is data, never trusted.
//!
//! It holds the forms, each region's territories, the UI strings the function shows, the
//! addresses of each form's page and thank-you page, and the theme's share ([`theme`]): the
//! templates, static files and page contexts the function renders its own pages with, so
//! they are the site's pages. Its `version` is a hash of all that; every form carries it in a hidden field
//! (`catalog_version`), so a page built from another catalog is noticed when it posts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::assets::Assets;
use crate::error::Problem;
use crate::form::{Choice, FormDef};
use crate::lang::{Lang, Localized};
use crate::site::Site;

mod check;
mod lookup;
pub mod theme;
pub use check::{is_site_path, CheckError, MAX_TERRITORY_LENGTH, MAX_TEXT_LENGTH};
pub use lookup::FormAddresses;
pub use theme::{Theme, ThemeError};

/// The file name of the catalog, in the build output and in the function's package.
pub const FILE_NAME: &str = "catalog.json";

/// The subtrees of the UI strings that the function shows: its messages, and what the theme's
/// templates of its pages read (`t.skip`, `t.form`, …).
const FUNCTION_STRINGS: &[&str] = &[
    "validation",
    "crisis",
    "notifications",
    "export",
    "skip",
    "nav",
    "footer",
    "form",
    "region",
    "preview",
];

/// The stylesheet the function's pages link to.
const STYLESHEET: &str = "/assets/style.css";

/// The largest catalog the function reads. The real one (two regions, with the theme's
/// pages) is about 80 KB; each region adds about 25 KB, most of it its four form pages'
/// text and forms.
pub const MAX_SIZE: usize = 1024 * 1024;

/// The body limit of a form is never under this, whatever its definition.
pub const MIN_BODY_LIMIT: usize = 16 * 1024;

/// The largest body limit a form may derive ([`body_limit`]): a catalog whose form would take
/// more is refused, so no catalog can make the function read large bodies. 1 MiB: the need
/// report's 4,484 characters at their longest ([`BYTES_PER_CHARACTER`]) take about 580 KiB;
/// a mebibyte is still far under what Lambda takes (6 MB) and what one request may hold in
/// the function's memory, and a form must stay well under it.
pub const MAX_BODY_LIMIT: usize = 1024 * 1024;

/// The most code points one character of an answer (a grapheme cluster, what the server
/// counts as one) may hold: the longest emoji, a family of four with skin tones, is 11.
/// Validation refuses more (`too_many_marks`), so the lengths a form states bound its body.
pub const MAX_CODE_POINTS_PER_CHARACTER: usize = 11;

/// The most combining marks (accents, vowel signs, points) one character may carry: real
/// writing needs up to four or five (an Indic conjunct with its vowel sign and nasal, a Hebrew
/// letter with its points and cantillation); a letter under hundreds of accents is refused.
pub const MAX_MARKS_PER_CHARACTER: usize = 6;

/// The most bytes one code point takes in a body: up to four UTF-8 bytes are 12
/// percent-encoded (`%F0%9F%98%80`), and at most 12 escaped in JSON (`\ud83d\ude00`).
pub const BYTES_PER_CODE_POINT: usize = 12;

/// The most bytes one character of an answer takes in a body: its code points at most
/// ([`MAX_CODE_POINTS_PER_CHARACTER`]), each at its longest ([`BYTES_PER_CODE_POINT`]). A
/// family emoji (7 code points) is 75 bytes in a form post, 66 escaped in JSON.
pub const BYTES_PER_CHARACTER: usize = MAX_CODE_POINTS_PER_CHARACTER * BYTES_PER_CODE_POINT;

/// Room for what the page adds (`submission_id`, `catalog_version`), the bots' trap, and the
/// punctuation and spacing of JSON.
pub const BODY_ALLOWANCE: usize = 4 * 1024;

/// The largest body a form takes: every field at its longest (each text field's
/// `max_length`, every choice, the longest territory and region slug, in characters), each
/// character at its longest encoding ([`BYTES_PER_CHARACTER`]), plus [`BODY_ALLOWANCE`]; at
/// least [`MIN_BODY_LIMIT`]. So any answer the definition allows fits, however it is written
/// and encoded.
pub fn body_limit(form: &FormDef, longest_territory: usize, longest_region: usize) -> usize {
    use crate::form::FieldKind;
    let fields: usize = form
        .fields
        .iter()
        .map(|field| {
            // `name=` and `&`, or in JSON its quotes, colon and comma.
            let name = field.name.len() + 4;
            // A person's text counts characters; a value taken from a list (a choice, a
            // territory, a region, a language) is those very code points.
            let (characters, bytes) = match field.kind {
                FieldKind::Text | FieldKind::Email | FieldKind::Tel | FieldKind::Textarea => {
                    (field.max_length.unwrap_or(0) as usize, BYTES_PER_CHARACTER)
                }
                FieldKind::Choices => {
                    return field
                        .choices
                        .iter()
                        .map(|c| name + c.value.chars().count() * BYTES_PER_CODE_POINT)
                        .fold(0usize, usize::saturating_add);
                }
                FieldKind::Territory => (longest_territory, BYTES_PER_CODE_POINT),
                FieldKind::Region => (longest_region, BYTES_PER_CODE_POINT),
                FieldKind::Language => (2, BYTES_PER_CODE_POINT),
                FieldKind::Consent => ("true".len(), BYTES_PER_CODE_POINT),
                FieldKind::Honeypot => (0, 0),
            };
            name.saturating_add(characters.saturating_mul(bytes))
        })
        .fold(0usize, usize::saturating_add);
    fields.saturating_add(BODY_ALLOWANCE).max(MIN_BODY_LIMIT)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// A hash of everything below (hex).
    pub version: String,
    /// By form id (`registration`, `need-report`).
    pub forms: BTreeMap<String, FormDef>,
    /// Region slug → the names of its territories.
    pub regions: BTreeMap<String, Vec<String>>,
    /// Region slug → its display name, for what the function sends staff.
    pub region_names: BTreeMap<String, Localized>,
    /// Region slug → field name → the region's wording of its choices (the four roles), for
    /// what the function shows or sends staff.
    pub choices: BTreeMap<String, BTreeMap<String, Vec<Choice>>>,
    /// The regions whose éclaireurs hold every role (`roles: held`): their form does not ask
    /// for roles, which are then optional.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub roles_held: BTreeSet<String>,
    pub strings: Localized<serde_json::Value>,
    pub pages: Vec<FormLocation>,
    /// The published address of the stylesheet (fingerprinted), if the site has one.
    pub stylesheet: Option<String>,
    /// The templates and what the pages share, for the function's own pages; made by
    /// `eclaireurs build` (a catalog made from the content folder alone has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// The lookup indexes ([`lookup`]): not in the file, built from the above. A program that
    /// changes the fields above calls [`Catalog::seal`], which also renews them.
    #[serde(skip)]
    index: lookup::IndexSlot,
}

/// Where a form lives for one region and language (its addresses for readers:
/// [`FormAddresses`], from [`Catalog::addresses`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormLocation {
    /// The form's id.
    pub form: String,
    pub region: String,
    pub lang: Lang,
    /// The page that shows the form.
    pub page: Option<String>,
    /// The page shown after a successful post.
    pub thanks: Option<String>,
    /// What the page's template saw beside the language's shared values (`page`, `switch`,
    /// `alternates`, `nav`, `region`, `form`), so the function can show the same page again;
    /// with the [`Theme`], made by `eclaireurs build`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the catalog {path} is not one this version can read ({reason}); build it again with \
         `eclaireurs build`"
    )]
    Format { path: String, reason: String },
    #[error("the catalog {path} is {size} bytes, more than the {MAX_SIZE} a catalog may be")]
    TooLarge { path: String, size: usize },
    #[error(
        "the catalog {path} does not match its version: it was edited by hand or cut short; \
         build it again with `eclaireurs build`"
    )]
    Version { path: String },
    #[error("the catalog {path} is refused: {problem}")]
    Refused { path: String, problem: CheckError },
    /// Part of the catalog has no JSON form (such as a UI string under a key that is not
    /// text): the catalog cannot be written or hashed.
    #[error("cannot write the catalog's {what} as JSON: {reason}")]
    Serialize { what: &'static str, reason: String },
}

impl CatalogError {
    /// The error as a problem of the site the catalog was made from, for the build's report.
    pub fn problem(&self, site: &Site) -> Problem {
        match self {
            CatalogError::Refused { problem, .. } => problem.problem(site),
            other => Problem::invalid(&site.root, other.to_string()),
        }
    }

    fn serialize(what: &'static str) -> impl FnOnce(serde_json::Error) -> CatalogError {
        move |e| CatalogError::Serialize {
            what,
            reason: e.to_string(),
        }
    }
}

/// Why a catalog could not be made from a content folder or read ([`Catalog::from_content`],
/// [`Catalog::read`]).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the content folder has problems (run `eclaireurs check`):\n{}", crate::error::lines(.0))]
    Content(Vec<Problem>),
    #[error(transparent)]
    File(#[from] CatalogError),
}

impl Catalog {
    /// The catalog of a loaded site whose static files are `assets`; an error if one of the
    /// UI strings the function shows has no JSON form.
    pub fn from_site(site: &Site, assets: &Assets) -> Result<Catalog, CatalogError> {
        let mut pages = Vec::new();
        for form in &site.forms {
            for region in &site.regions {
                // A region that registers elsewhere has no registration page here: the
                // function takes no registration for it.
                if form.id == crate::region::REGISTRATION_FORM
                    && region.data.external_registration().is_some()
                {
                    continue;
                }
                for lang in Lang::ALL {
                    let page = region
                        .pages
                        .iter()
                        .find(|p| p.lang == lang && p.meta.form.as_deref() == Some(&form.id))
                        .map(|p| p.url().to_string());
                    pages.push(FormLocation {
                        form: form.id.clone(),
                        region: region.slug.clone(),
                        lang,
                        page,
                        thanks: region
                            .page(&form.thanks_page, lang)
                            .map(|p| p.url().to_string()),
                        context: None,
                    });
                }
            }
        }
        let strings = |lang: Lang| -> Result<serde_json::Value, CatalogError> {
            let table = site.strings.table(lang);
            let mut kept = serde_json::Map::new();
            for key in FUNCTION_STRINGS {
                if let Some(value) = table.get(*key) {
                    let value =
                        serde_json::to_value(value).map_err(CatalogError::serialize("strings"))?;
                    kept.insert((*key).to_string(), value);
                }
            }
            Ok(serde_json::Value::Object(kept))
        };
        let mut catalog = Catalog {
            version: String::new(),
            forms: site
                .forms
                .iter()
                .map(|f| (f.id.clone(), f.clone()))
                .collect(),
            regions: site
                .regions
                .iter()
                .map(|r| {
                    let names = r.data.territories.iter().map(|t| t.name.clone()).collect();
                    (r.slug.clone(), names)
                })
                .collect(),
            region_names: site
                .regions
                .iter()
                .map(|r| (r.slug.clone(), r.data.name.clone()))
                .collect(),
            choices: site
                .regions
                .iter()
                .map(|r| (r.slug.clone(), r.data.choices.clone()))
                .collect(),
            roles_held: site
                .regions
                .iter()
                .filter(|r| r.data.roles == crate::region::Roles::Held)
                .map(|r| r.slug.clone())
                .collect(),
            strings: Localized {
                fr: strings(Lang::Fr)?,
                en: strings(Lang::En)?,
            },
            pages,
            stylesheet: assets.url(STYLESHEET).map(str::to_string),
            theme: None,
            index: lookup::IndexSlot::default(),
        };
        catalog.seal()?;
        Ok(catalog)
    }

    /// Makes the catalog from a content folder, as `eclaireurs build` would (and refuses it
    /// where the build would).
    pub fn from_content(content: &Path) -> Result<Catalog, LoadError> {
        let site =
            Site::load(content, crate::LoadOptions::PUBLISHED).map_err(LoadError::Content)?;
        let assets = Assets::collect(&site).map_err(|p| LoadError::Content(vec![p]))?;
        let catalog = Catalog::from_site(&site, &assets)
            .map_err(|e| LoadError::Content(vec![e.problem(&site)]))?;
        catalog
            .check()
            .map_err(|e| LoadError::Content(vec![e.problem(&site)]))?;
        Ok(catalog)
    }

    /// The catalog as its file holds it: compact, since most of it is the theme's templates
    /// and pages (text, not lines to read), and its size counts against [`MAX_SIZE`].
    pub fn to_json(&self) -> Result<Vec<u8>, CatalogError> {
        serde_json::to_vec(self).map_err(CatalogError::serialize("file"))
    }

    pub fn from_json(bytes: &[u8], path: &Path) -> Result<Catalog, CatalogError> {
        Catalog::parse(bytes, &path.display().to_string())
    }

    /// A catalog read from `bytes` (`source` names where they come from, for the errors), if
    /// it is whole and keeps the rules: at most [`MAX_SIZE`] bytes, of the catalog's shape
    /// (nothing unknown), its version the hash of its contents, and [`Catalog::check`]. The
    /// errors never quote the bytes.
    pub fn parse(bytes: &[u8], source: &str) -> Result<Catalog, CatalogError> {
        let path = source.to_string();
        if bytes.len() > MAX_SIZE {
            return Err(CatalogError::TooLarge {
                path,
                size: bytes.len(),
            });
        }
        let mut catalog: Catalog = serde_json::from_slice(bytes).map_err(|e| {
            // serde's own message may quote the value it stumbled on: say only what and where.
            let what = match e.classify() {
                serde_json::error::Category::Syntax => "not well-formed JSON",
                serde_json::error::Category::Eof => "cut short",
                serde_json::error::Category::Data => {
                    "an entry is missing, unknown or of the wrong type"
                }
                serde_json::error::Category::Io => "unreadable",
            };
            CatalogError::Format {
                path: path.clone(),
                reason: format!("{what}, at line {} column {}", e.line(), e.column()),
            }
        })?;
        for (id, form) in &mut catalog.forms {
            form.id = id.clone();
        }
        if catalog.version != catalog.hash()? {
            return Err(CatalogError::Version { path });
        }
        catalog
            .check()
            .map_err(|problem| CatalogError::Refused { path, problem })?;
        catalog.build_index();
        Ok(catalog)
    }

    /// Sets `version` to what the catalog's contents hash to and renews the lookup indexes
    /// (for a catalog made or changed by a program, such as a test's).
    pub fn seal(&mut self) -> Result<(), CatalogError> {
        self.version = self.hash()?;
        self.index.reset();
        self.build_index();
        Ok(())
    }

    pub fn read(path: &Path) -> Result<Catalog, CatalogError> {
        let bytes = std::fs::read(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_json(&bytes, path)
    }

    /// 16 hex digits of the SHA-256 of the catalog without its version.
    fn hash(&self) -> Result<String, CatalogError> {
        let unversioned = Catalog {
            version: String::new(),
            index: lookup::IndexSlot::default(),
            ..self.clone()
        };
        let bytes = serde_json::to_vec(&unversioned).map_err(CatalogError::serialize("version"))?;
        Ok(crate::hex(&Sha256::digest(&bytes)[..8]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (Site, Assets) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let site =
            Site::load(&root, crate::LoadOptions::PUBLISHED).expect("the real content loads");
        let assets = Assets::collect(&site).expect("assets");
        (site, assets)
    }

    #[test]
    fn the_catalog_survives_its_file_and_keeps_its_version() {
        let (site, assets) = site();
        let catalog = Catalog::from_site(&site, &assets).expect("catalog");
        assert_eq!(catalog.version.len(), 16);
        let again =
            Catalog::from_json(&catalog.to_json().expect("json"), Path::new("catalog.json"))
                .expect("reads back");
        assert_eq!(again.version, catalog.version);
        assert_eq!(again.forms["registration"].id, "registration");
        assert_eq!(
            again.forms["need-report"].fields.len(),
            site.form("need-report").expect("form").fields.len()
        );
        assert!(again.regions["bas-saint-laurent"].len() >= 8);
        let bsl_roles = &again.choices["bas-saint-laurent"]["roles"];
        assert_eq!(bsl_roles[2].value, "watch");
        assert_eq!(
            bsl_roles[2].label.fr, "Reconnaître",
            "each region's own wording"
        );
        let stylesheet = again.stylesheet.as_deref().expect("a stylesheet");
        assert!(
            stylesheet.starts_with("/assets/style.") && stylesheet != STYLESHEET,
            "{stylesheet}"
        );
    }

    #[test]
    fn the_version_changes_with_a_form_definition() {
        let (mut site, assets) = site();
        let before = Catalog::from_site(&site, &assets).expect("catalog").version;
        site.forms[0].submit.fr.push('!');
        assert_ne!(
            Catalog::from_site(&site, &assets).expect("catalog").version,
            before
        );
    }

    #[test]
    fn a_catalog_edited_by_hand_is_refused_with_its_name() {
        let (site, assets) = site();
        let json = String::from_utf8(
            Catalog::from_site(&site, &assets)
                .expect("catalog")
                .to_json()
                .expect("json"),
        )
        .expect("utf-8");
        let edited = json.replacen("bas-saint-laurent", "bas-saint-laurant", 1);
        let err = Catalog::from_json(edited.as_bytes(), Path::new("pkg/catalog.json"))
            .expect_err("refused");
        assert!(err.to_string().contains("pkg/catalog.json"), "{err}");
        let err = Catalog::from_json(b"{", Path::new("pkg/catalog.json")).expect_err("refused");
        assert!(err.to_string().contains("eclaireurs build"), "{err}");
    }

    #[test]
    fn a_catalog_that_cannot_be_written_is_a_problem_of_its_site() {
        let (site, _) = site();
        let err = CatalogError::Serialize {
            what: "strings",
            reason: "key must be a string".into(),
        };
        let problem = err.problem(&site).to_string();
        assert!(
            problem.contains("cannot write the catalog's strings as JSON: key must be a string"),
            "{problem}"
        );
    }

    #[test]
    fn only_the_strings_the_function_shows_are_kept() {
        let (site, assets) = site();
        let catalog = Catalog::from_site(&site, &assets).expect("catalog");
        let fr = catalog.strings.fr.as_object().expect("a map");
        assert!(fr.contains_key("validation"));
        assert!(
            fr.contains_key("form"),
            "what the theme's form templates read"
        );
        assert!(!fr.contains_key("notice"), "page-only strings stay out");
        assert!(!fr.contains_key("inventory"), "page-only strings stay out");
    }
}
