//! Pages: Markdown files that start with YAML front matter.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Location, Problem, ProblemKind};
use crate::lang::Lang;
use crate::markdown::{self, TextFacts};
use crate::placeholder::{self, Placeholders};

/// The key of a region's home page and of each language's region list.
pub const INDEX: &str = "index";

/// A page's keys. Every key but `description` (which only the page itself shows) places the
/// page among the others: in menus, addresses, forms, drafts. See [`FrontMatter::places_alike`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    /// One or two sentences for search engines and link previews.
    pub description: String,
    /// The last part of the page's address; defaults to the file name. Translations may have
    /// their own (e.g. `objectifs` and `objectives`).
    #[serde(default)]
    pub slug: Option<String>,
    /// Position in the menu, smallest first.
    #[serde(default)]
    pub order: i32,
    /// Whether the page is listed in the region's menu.
    #[serde(default = "yes")]
    pub menu: bool,
    /// A shorter title for the menu.
    #[serde(default)]
    pub menu_title: Option<String>,
    /// A form to show under the text: `registration` or `need-report`.
    #[serde(default)]
    pub form: Option<String>,
    /// A template of the theme (or of the site's `templates/` folder) other than `page.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// A page still being written: `serve` shows it, `build` and `publish` leave it out.
    #[serde(default)]
    pub draft: bool,
}

fn yes() -> bool {
    true
}

impl FrontMatter {
    /// Whether a page with `other` would sit among the others as one with these keys: a
    /// change to nothing else is seen only on the page itself. Derived from the whole
    /// struct, so a new key counts unless [`FrontMatter::placing`] blanks it.
    pub fn places_alike(&self, other: &FrontMatter) -> bool {
        self.placing() == other.placing()
    }

    /// These keys, those that are only the page's own blanked.
    fn placing(&self) -> FrontMatter {
        FrontMatter {
            description: String::new(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    /// The file name without `.md`; a page and its translation share it.
    pub key: String,
    pub lang: Lang,
    /// The region's slug, or `None` for a site page (privacy notice, region list).
    pub region: Option<String>,
    pub path: PathBuf,
    pub meta: FrontMatter,
    /// The byte of the file where the Markdown text starts. The text is not kept: the
    /// renderer reads it again ([`Page::text`]), what the checks need is in `facts`.
    pub body_offset: usize,
    /// The line of the file where the text starts, to locate problems found in it.
    pub body_line: usize,
    /// What the checks across pages need of the text, read when the page loaded.
    pub facts: TextFacts,
    /// The placeholders of `eclaireurs new-region` the file still holds, if any.
    pub placeholders: Option<Placeholders>,
    /// Its address, made once from the language, region and slug (see [`Page::url`]).
    url: String,
}

impl Page {
    /// Reads and parses one page. `region` is `None` for site pages.
    pub fn load(path: &Path, lang: Lang, region: Option<&str>) -> Result<Page, Problem> {
        let text = std::fs::read_to_string(path).map_err(|e| Problem::read(path, &e))?;
        let key = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let (front, body, body_line) = split_front_matter(&text, path)?;
        let meta: FrontMatter = crate::yaml::parse(front, path, 2)?;
        if meta.title.trim().is_empty() {
            return Err(Problem::invalid(
                path,
                "`title` is empty: give the page a title",
            ));
        }
        if let Some(slug) = &meta.slug {
            if key == INDEX {
                return Err(Problem::invalid(
                    path,
                    "an `index.md` page is the home of its folder and takes no `slug`",
                ));
            }
            check_slug(slug).map_err(|why| Problem::invalid(path, format!("`slug`: {why}")))?;
        } else if key != INDEX {
            check_slug(&key).map_err(|why| {
                Problem::invalid(
                    path,
                    format!(
                        "the file name makes a bad address: {why}; rename the file or add a `slug`"
                    ),
                )
            })?;
        }
        let placeholders = placeholder::in_page(front, body, body_line);
        let facts = markdown::scan(body, body_line);
        let body_offset = text.len() - body.len();
        let mut page = Page {
            key,
            lang,
            region: region.map(str::to_string),
            path: path.to_path_buf(),
            meta,
            body_offset,
            body_line,
            facts,
            placeholders,
            url: String::new(),
        };
        page.url = page.address();
        Ok(page)
    }

    /// The page's Markdown text (what follows the front matter), read again from its file.
    pub fn text(&self) -> Result<String, Problem> {
        let mut text =
            std::fs::read_to_string(&self.path).map_err(|e| Problem::read(&self.path, &e))?;
        if !text.is_char_boundary(self.body_offset) {
            return Err(Problem::new(
                Location::file(&self.path),
                ProblemKind::Read("the file changed while the site was built: build again".into()),
            ));
        }
        text.drain(..self.body_offset);
        Ok(text)
    }

    /// The last part of the address, empty for an index page.
    pub fn slug(&self) -> &str {
        if self.key == INDEX {
            ""
        } else {
            self.meta.slug.as_deref().unwrap_or(&self.key)
        }
    }

    /// The page's address on the site, e.g. `/fr/bas-saint-laurent/objectifs/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn address(&self) -> String {
        let mut url = format!("/{}/", self.lang);
        if let Some(region) = &self.region {
            url.push_str(region);
            url.push('/');
        }
        if !self.slug().is_empty() {
            url.push_str(self.slug());
            url.push('/');
        }
        url
    }
}

/// Splits `---\n<yaml>\n---\n<body>`, returning the YAML, the body and the body's first line.
pub(crate) fn split_front_matter<'a>(
    text: &'a str,
    path: &Path,
) -> Result<(&'a str, &'a str, usize), Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Err(Problem::new(
            Location::at(path, 1, 1),
            ProblemKind::MissingFrontMatter,
        ));
    };
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            // Line 1 is the opening `---`, the YAML starts on line 2, `i` lines later the close.
            return Ok((front, body, i + 3));
        }
        offset += line.len();
    }
    Err(Problem::new(
        Location::at(path, 1, 1),
        ProblemKind::UnclosedFrontMatter,
    ))
}

/// Slugs and region folder names become addresses: keep them plain.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("it is empty".into());
    }
    if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || slug.starts_with('-')
        || slug.ends_with('-')
    {
        return Err(format!(
            "`{slug}` may only contain lowercase letters without accents, digits and hyphens \
             (e.g. `devenir-eclaireur`)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, name: &str) -> Result<Page, Problem> {
        let dir = tempfile::tempdir().expect("temp");
        load_in(&dir, text, name)
    }

    fn load_in(dir: &tempfile::TempDir, text: &str, name: &str) -> Result<Page, Problem> {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        Page::load(&path, Lang::Fr, Some("bas-saint-laurent"))
    }

    #[test]
    fn a_page_gets_its_address_from_its_slug_region_and_language() {
        let dir = tempfile::tempdir().expect("temp");
        let page = load_in(
            &dir,
            "---\ntitle: Rôles\ndescription: Les rôles\nslug: les-roles\n---\nTexte\n",
            "roles.md",
        )
        .expect("loads");
        assert_eq!(page.url(), "/fr/bas-saint-laurent/les-roles/");
        assert_eq!(page.key, "roles");
        assert_eq!(page.text().expect("reads"), "Texte\n");
        assert_eq!(
            page.body_line, 6,
            "the body starts on the line after the closing ---"
        );
    }

    #[test]
    fn the_file_name_is_the_default_slug_and_index_is_the_folder_home() {
        let page = load("---\ntitle: A\ndescription: B\n---\n", "objectives.md").expect("loads");
        assert_eq!(page.url(), "/fr/bas-saint-laurent/objectives/");
        let home = load("---\ntitle: A\ndescription: B\n---\n", "index.md").expect("loads");
        assert_eq!(home.url(), "/fr/bas-saint-laurent/");
    }

    #[test]
    fn windows_line_endings_and_a_byte_order_mark_are_accepted() {
        let dir = tempfile::tempdir().expect("temp");
        let page = load_in(
            &dir,
            "\u{feff}---\r\ntitle: A\r\ndescription: B\r\n---\r\nTexte\r\n",
            "a.md",
        )
        .expect("loads");
        assert_eq!(page.meta.title, "A");
        assert_eq!(page.text().expect("reads"), "Texte\r\n");
    }

    #[test]
    fn a_page_that_cannot_be_read_again_is_a_located_problem() {
        let dir = tempfile::tempdir().expect("temp");
        let page =
            load_in(&dir, "---\ntitle: A\ndescription: B\n---\nTexte\n", "a.md").expect("loads");
        std::fs::remove_file(&page.path).expect("remove");
        let err = page.text().expect_err("gone");
        assert!(matches!(err.kind, ProblemKind::Read(_)), "{err}");
        assert_eq!(err.at.path, page.path);
    }

    #[test]
    fn an_unclosed_front_matter_is_explained() {
        let err = load("---\ntitle: A\n", "a.md").expect_err("fails");
        assert_eq!(err.kind, ProblemKind::UnclosedFrontMatter);
    }

    #[test]
    fn slugs_with_accents_or_capitals_are_refused() {
        let err =
            load("---\ntitle: A\ndescription: B\nslug: Rôles\n---\n", "a.md").expect_err("fails");
        assert!(
            err.to_string()
                .contains("lowercase letters without accents"),
            "{err}"
        );
        let err = load("---\ntitle: A\ndescription: B\n---\n", "Mes Rôles.md").expect_err("fails");
        assert!(
            err.to_string().contains("rename the file or add a `slug`"),
            "{err}"
        );
    }

    #[test]
    fn only_the_description_is_a_page_s_own_key() {
        let front = "---\ntitle: A\ndescription: B\norder: 2\n---\n";
        let page = load(front, "a.md").expect("loads");
        let reworded = load(&front.replace("B", "Autre"), "a.md").expect("loads");
        assert!(page.meta.places_alike(&reworded.meta));
        for other in ["title: C", "order: 3", "menu: false", "form: registration"] {
            let key = other.split(':').next().expect("key");
            let text = match front.lines().find(|l| l.starts_with(key)) {
                Some(line) => front.replace(line, other),
                None => front.replace("order: 2", &format!("order: 2\n{other}")),
            };
            let moved = load(&text, "a.md").expect("loads");
            assert!(!page.meta.places_alike(&moved.meta), "{other}");
        }
    }

    #[test]
    fn an_empty_title_is_refused() {
        let err = load("---\ntitle: \"\"\ndescription: B\n---\n", "a.md").expect_err("fails");
        assert!(err.to_string().contains("`title` is empty"), "{err}");
    }
}
