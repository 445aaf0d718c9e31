//! The rules that span several files, one function each: the loader applies them all, and
//! `serve`'s partial rebuild the ones a page's edit can break.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::drafts::LeftOut;
use super::Region;
use crate::error::{Location, MissingContact, MissingTranslation, Problem, ProblemKind, Unnamed};
use crate::form::FormDef;
use crate::lang::Lang;
use crate::page::{Page, INDEX};

/// Each region words every choice of the shared forms in its own terms, with the same
/// values as the form (the values are what is stored). `forms_complete` is false when a
/// form did not load: a list of choices may belong to it, and that is reported already.
pub fn region_choices(regions: &[Region], forms: &[FormDef], forms_complete: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let choice_fields: Vec<_> = forms
        .iter()
        .flat_map(|f| f.fields.iter().filter(|x| !x.choices.is_empty()))
        .collect();
    for region in regions {
        let file = &region.file;
        for (name, choices) in &region.data.choices {
            let Some(field) = choice_fields.iter().find(|f| &f.name == name) else {
                if !forms_complete {
                    continue;
                }
                let known: Vec<_> = choice_fields.iter().map(|f| f.name.as_str()).collect();
                problems.push(Problem::invalid(
                    file,
                    format!(
                        "`choices`: no form has a list of choices named `{name}` (lists: {})",
                        known.join(", ")
                    ),
                ));
                continue;
            };
            let expected: Vec<&str> = field.choices.iter().map(|c| c.value.as_str()).collect();
            let given: Vec<&str> = choices.iter().map(|c| c.value.as_str()).collect();
            if expected != given {
                problems.push(Problem::invalid(
                    file,
                    format!(
                        "`choices.{name}`: give exactly the values {} in this order, each \
                         with its labels (found {})",
                        expected.join(", "),
                        given.join(", ")
                    ),
                ));
            }
        }
        for field in &choice_fields {
            if !region.data.choices.contains_key(&field.name) {
                problems.push(Problem::invalid(
                    file,
                    format!(
                        "`choices.{0}` is missing: word the {1} choices of `{0}` ({2}) for \
                         this region, in French and English, so its form shows its own \
                         wording",
                        field.name,
                        field.choices.len(),
                        field
                            .choices
                            .iter()
                            .map(|c| c.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    problems
}

/// The pages of one folder (`dir`: `pages` or `regions/<slug>`) that have no translation.
pub fn translations(pages: &[Page], dir: &Path, left_out: &LeftOut) -> Vec<MissingTranslation> {
    let keys: BTreeMap<Lang, BTreeSet<&str>> = Lang::ALL
        .iter()
        .map(|&lang| {
            let keys = pages
                .iter()
                .filter(|p| p.lang == lang)
                .map(|p| p.key.as_str());
            (lang, keys.collect())
        })
        .collect();
    let mut missing = Vec::new();
    for page in pages {
        let other = page.lang.other();
        if !keys[&other].contains(page.key.as_str()) {
            let draft = left_out.page(page.region.as_deref(), &page.key, other);
            missing.push(MissingTranslation {
                present: page.path.clone(),
                expected: draft
                    .cloned()
                    .unwrap_or_else(|| dir.join(other.code()).join(format!("{}.md", page.key))),
                missing: other,
                draft: draft.is_some(),
            });
        }
    }
    missing
}

/// Two pages may not share an address: each page after the first with an address is
/// reported, at its file.
pub fn unique_urls<'a>(pages: impl IntoIterator<Item = &'a Page>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut urls: HashMap<&str, &Path> = HashMap::new();
    for page in pages {
        if let Some(other) = urls.get(page.url()) {
            problems.push(Problem::new(
                Location::file(&page.path),
                ProblemKind::DuplicateUrl {
                    url: page.url().to_string(),
                    other: other.display().to_string(),
                },
            ));
            continue;
        }
        urls.insert(page.url(), &page.path);
    }
    problems
}

/// A page that shows a form names a form that exists, is a region's page, and that region
/// has (published) the form's thank-you page. Pages naming one of `broken_forms` (which
/// did not load, and are reported) are left alone.
pub fn page_forms<'a>(
    pages: impl IntoIterator<Item = &'a Page>,
    regions: &[Region],
    forms: &[FormDef],
    broken_forms: &[String],
    left_out: &LeftOut,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for page in pages {
        let Some(form_id) = &page.meta.form else {
            continue;
        };
        if broken_forms.contains(form_id) {
            continue;
        }
        let Some(form) = forms.iter().find(|f| &f.id == form_id) else {
            let known: Vec<_> = forms.iter().map(|f| format!("`{}`", f.id)).collect();
            problems.push(Problem::invalid(
                &page.path,
                format!(
                    "`form`: there is no form `{form_id}` (forms: {})",
                    known.join(", ")
                ),
            ));
            continue;
        };
        let region = page
            .region
            .as_deref()
            .and_then(|slug| regions.iter().find(|r| r.slug == slug));
        let Some(region) = region else {
            problems.push(Problem::invalid(
                &page.path,
                "`form`: forms belong on a region's pages, which say which region receives \
                 the submission",
            ));
            continue;
        };
        let thanks = region.page(&form.thanks_page, page.lang).is_some();
        let draft = left_out.page(page.region.as_deref(), &form.thanks_page, page.lang);
        if let (false, Some(draft)) = (thanks, draft) {
            problems.push(Problem::invalid(
                &page.path,
                format!(
                    "the form `{form_id}` leads to the thank-you page {}, which is a draft: \
                     publish it too (remove its `draft: true`), or make this page a draft as \
                     well",
                    draft.display()
                ),
            ));
        } else if !region.pages.iter().any(|p| p.key == form.thanks_page) {
            problems.push(Problem::invalid(
                &page.path,
                format!(
                    "the form `{form_id}` leads to the thank-you page `{}.md`, which this \
                     region does not have yet",
                    form.thanks_page
                ),
            ));
        }
    }
    problems
}

/// The template of a region's page that links its own registration form elsewhere.
pub const EXTERNAL_REGISTRATION_TEMPLATE: &str = "external-registration.html";

/// One way to register per region: a region that registers through its own form elsewhere
/// (`registration: { external: … }`) shows no page with the site's registration form, and
/// only such a region has a page that links one (`template: external-registration.html`).
pub fn registration_paths(regions: &[Region]) -> Vec<Problem> {
    use crate::region::REGISTRATION_FORM;
    let mut problems = Vec::new();
    for region in regions {
        let external = region.data.external_registration().is_some();
        let declared = match region.key_lines.get("registration") {
            Some(line) => format!("{}:{line}", region.file.display()),
            None => region.file.display().to_string(),
        };
        for page in &region.pages {
            if external && page.meta.form.as_deref() == Some(REGISTRATION_FORM) {
                problems.push(Problem::new(
                    setting_location(&page.path, "form"),
                    ProblemKind::Invalid(format!(
                        "this page shows the site's registration form, but the region registers \
                         through its own form elsewhere ({declared}, \
                         `registration.external`): a person could fill in both. Keep one: \
                         replace `form: registration` with `template: \
                         {EXTERNAL_REGISTRATION_TEMPLATE}` (the page then links that form), \
                         or remove `registration` from region.yaml (the site's form)"
                    )),
                ));
            }
            if !external && page.meta.template.as_deref() == Some(EXTERNAL_REGISTRATION_TEMPLATE) {
                problems.push(Problem::new(
                    setting_location(&page.path, "template"),
                    ProblemKind::Invalid(format!(
                        "`template: {EXTERNAL_REGISTRATION_TEMPLATE}` links the region's own \
                         registration form, but {declared} names none: add `registration: \
                         {{ external: https://… }}` there, or show the site's form with \
                         `form: registration`"
                    )),
                ));
            }
        }
    }
    problems
}

/// Where a page's setting `key` is written (its front matter starts on line 2), or the
/// file if it cannot be read again.
fn setting_location(path: &Path, key: &str) -> Location {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let prefix = format!("{key}:");
    text.lines()
        .skip(1)
        .take_while(|line| line.trim_end() != "---")
        .position(|line| line.starts_with(&prefix))
        .map_or_else(|| Location::file(path), |at| Location::at(path, at + 2, 1))
}

/// Every region has a (published) home page, `index.md`.
pub fn region_homes(regions: &[Region], left_out: &LeftOut) -> Vec<Problem> {
    let mut problems = Vec::new();
    for region in regions {
        if region.pages.iter().any(|p| p.key == INDEX) {
            continue;
        }
        let draft = Lang::ALL
            .iter()
            .find_map(|&lang| left_out.page(Some(&region.slug), INDEX, lang));
        problems.push(match draft {
            Some(draft) => Problem::invalid(
                draft,
                "this is the region's home page, and a draft: publish it (remove its \
                 `draft: true`), or make the whole region a draft (`draft: true` in its \
                 region.yaml)",
            ),
            None => Problem::invalid(
                region.dir(),
                "this region has no home page: add fr/index.md",
            ),
        });
    }
    problems
}

/// A published page (`published`: not a draft, nor of a draft region) may not hold the
/// scaffold's placeholders.
pub fn unfinished_page(page: &Page, published: bool) -> Option<Problem> {
    let found = page.placeholders.as_ref().filter(|_| published)?;
    Some(Problem::unfinished(&page.path, found, "page"))
}

/// A published region's `region.yaml` may not hold the scaffold's placeholders.
pub fn unfinished_region(region: &Region) -> Option<Problem> {
    let found = region
        .placeholders
        .as_ref()
        .filter(|_| !region.data.draft)?;
    Some(Problem::unfinished(&region.file, found, "region"))
}

/// [`unfinished_page`] and [`unfinished_region`] over a site's published files.
pub fn placeholders(site_pages: &[Page], regions: &[Region]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = site_pages
        .iter()
        .filter_map(|page| unfinished_page(page, !page.meta.draft))
        .collect();
    for region in regions.iter().filter(|r| !r.data.draft) {
        problems.extend(unfinished_region(region));
        problems.extend(
            region
                .pages
                .iter()
                .filter_map(|page| unfinished_page(page, !page.meta.draft)),
        );
    }
    problems
}

/// Each published region that shows a form with nobody named to answer it.
pub fn missing_contacts(regions: &[Region], forms: &[FormDef]) -> Vec<MissingContact> {
    let mut missing = Vec::new();
    for region in regions.iter().filter(|r| !r.data.draft) {
        let shown: Vec<String> = forms
            .iter()
            .filter(|form| {
                region
                    .pages
                    .iter()
                    .any(|p| !p.meta.draft && p.meta.form.as_deref() == Some(&form.id))
            })
            .map(|form| form.id.clone())
            .collect();
        if shown.is_empty() {
            continue;
        }
        let at = |key: &str| match region.key_lines.get(key) {
            Some(&line) => Location::at(&region.file, line, 1),
            None => Location::file(&region.file),
        };
        let mut unnamed = Vec::new();
        if !region.data.contact.has_channel() {
            unnamed.push((at("contact"), Unnamed::RelayTeam));
        }
        match &region.data.privacy_officer {
            None => unnamed.push((at("privacy_officer"), Unnamed::PrivacyOfficer)),
            Some(officer)
                if officer.title.fr.trim().is_empty() || officer.title.en.trim().is_empty() =>
            {
                unnamed.push((at("privacy_officer"), Unnamed::PrivacyOfficer))
            }
            Some(officer) if !officer.has_channel() => {
                unnamed.push((at("privacy_officer"), Unnamed::PrivacyOfficerChannel))
            }
            Some(_) => {}
        }
        for (at, unnamed) in unnamed {
            missing.push(MissingContact {
                at,
                region: region.slug.clone(),
                forms: shown.clone(),
                unnamed,
            });
        }
    }
    missing
}

/// The line of each key written at the start of a line (`contact:`), the first time it is.
pub(super) fn top_level_lines(text: &str) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, _)) = line.split_once(':') {
            lines.entry(key.trim_end().to_string()).or_insert(i + 1);
        }
    }
    lines
}

/// A problem's file, to tell which pages it is about.
pub(super) fn paths(problems: &[Problem]) -> Vec<PathBuf> {
    problems.iter().map(|p| p.at.path.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placeholder;
    use crate::region::RegionData;

    /// A content folder to write test files in.
    struct Folder(tempfile::TempDir);

    impl Folder {
        fn new() -> Folder {
            Folder(tempfile::tempdir().expect("temp dir"))
        }

        fn path(&self) -> &Path {
            self.0.path()
        }

        /// A page of `region` (a site page for `None`), with `front` added to its title and
        /// description.
        fn page(&self, region: Option<&str>, lang: Lang, key: &str, front: &str) -> Page {
            let dir = match region {
                Some(slug) => self.path().join("regions").join(slug),
                None => self.path().join("pages"),
            }
            .join(lang.code());
            std::fs::create_dir_all(&dir).expect("mkdir");
            let path = dir.join(format!("{key}.md"));
            let text = format!("---\ntitle: T\ndescription: D\n{front}---\nTexte.\n");
            std::fs::write(&path, text).expect("write");
            Page::load(&path, lang, region).expect("loads")
        }

        /// A region whose `region.yaml` is the minimum and `extra`.
        fn region(&self, slug: &str, extra: &str, pages: Vec<Page>) -> Region {
            let dir = self.path().join("regions").join(slug);
            std::fs::create_dir_all(&dir).expect("mkdir");
            let file = dir.join("region.yaml");
            let text = format!(
                "name: {{ fr: R, en: R }}\norganization: {{ fr: O, en: O }}\n\
                 territory_label: {{ fr: MRC, en: RCM }}\n{extra}"
            );
            std::fs::write(&file, &text).expect("write");
            Region {
                slug: slug.to_string(),
                data: crate::yaml::parse::<RegionData>(&text, &file, 1).expect("parses"),
                placeholders: placeholder::in_yaml(&text),
                key_lines: top_level_lines(&text),
                file,
                pages,
            }
        }
    }

    /// The real forms: `registration` (with the list of choices `roles`) and `need-report`.
    fn forms() -> Vec<FormDef> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/forms");
        ["need-report", "registration"]
            .iter()
            .map(|id| FormDef::load(&dir.join(format!("{id}.yaml"))).expect("loads"))
            .collect()
    }

    fn messages(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(|p| p.kind.to_string()).collect()
    }

    #[test]
    fn a_region_words_every_list_of_choices_with_the_form_s_values() {
        let folder = Folder::new();
        let forms = forms();
        let none = folder.region("a", "", Vec::new());
        let found = messages(&region_choices(&[none], &forms, true));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("`choices.roles` is missing"),
            "{found:?}"
        );

        let other = folder.region(
            "b",
            "choices:\n  roles:\n    - { value: promote, label: { fr: P, en: P } }\n  \
             colours: []\n",
            Vec::new(),
        );
        let found = messages(&region_choices(std::slice::from_ref(&other), &forms, true));
        assert!(
            found[0].starts_with("`choices`: no form has a list of choices named `colours`"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("`choices.roles`: give exactly the values promote, mobilize"),
            "{found:?}"
        );
        let found = messages(&region_choices(&[other], &forms, false));
        assert_eq!(
            found.len(),
            1,
            "a list may belong to a form that did not load: {found:?}"
        );
    }

    #[test]
    fn a_page_without_its_translation_is_listed_with_the_file_expected() {
        let folder = Folder::new();
        let dir = folder.path().join("pages");
        let pages = vec![
            folder.page(None, Lang::Fr, "index", ""),
            folder.page(None, Lang::En, "index", ""),
            folder.page(None, Lang::Fr, "privacy", ""),
        ];
        let missing = translations(&pages, &dir, &LeftOut::default());
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].expected, dir.join("en/privacy.md"));
        assert!(!missing[0].draft);
    }

    #[test]
    fn two_pages_with_one_address_are_reported_at_the_second() {
        let folder = Folder::new();
        let pages = [
            folder.page(Some("a"), Lang::Fr, "roles", ""),
            folder.page(Some("a"), Lang::Fr, "other", "slug: roles\n"),
        ];
        let problems = unique_urls(&pages);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].at.path, pages[1].path);
        assert!(problems[0]
            .to_string()
            .contains("two pages have the URL /fr/a/roles/"));
    }

    #[test]
    fn a_form_is_shown_on_a_region_s_page_that_has_its_thank_you_page() {
        let folder = Folder::new();
        let forms = forms();
        let register = folder.page(Some("a"), Lang::Fr, "register", "form: registration\n");
        let region = folder.region("a", "", vec![register.clone()]);
        let found = messages(&page_forms(
            [&register],
            std::slice::from_ref(&region),
            &forms,
            &[],
            &LeftOut::default(),
        ));
        assert_eq!(
            found,
            [
                "the form `registration` leads to the thank-you page `thanks-registration.md`, \
              which this region does not have yet"
            ]
        );

        let unknown = folder.page(None, Lang::Fr, "x", "form: inscription\n");
        let found = messages(&page_forms(
            [&unknown],
            &[],
            &forms,
            &[],
            &LeftOut::default(),
        ));
        assert_eq!(
            found,
            ["`form`: there is no form `inscription` (forms: `need-report`, `registration`)"]
        );
        let broken = ["inscription".to_string()];
        assert!(
            page_forms([&unknown], &[], &forms, &broken, &LeftOut::default()).is_empty(),
            "a form that did not load is reported once, at its file"
        );

        let on_site_page = folder.page(None, Lang::Fr, "y", "form: registration\n");
        let found = messages(&page_forms(
            [&on_site_page],
            &[],
            &forms,
            &[],
            &LeftOut::default(),
        ));
        assert!(
            found[0].contains("forms belong on a region's pages"),
            "{found:?}"
        );
    }

    #[test]
    fn every_region_has_a_published_home_page() {
        let folder = Folder::new();
        let without = folder.region("a", "", vec![folder.page(Some("a"), Lang::Fr, "roles", "")]);
        let with = folder.region("b", "", vec![folder.page(Some("b"), Lang::Fr, "index", "")]);
        let problems = region_homes(&[without, with], &LeftOut::default());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].at.path, folder.path().join("regions/a"));
        assert!(problems[0].to_string().contains("add fr/index.md"));

        let draft = folder.path().join("regions/c/fr/index.md");
        let mut left_out = LeftOut::default();
        left_out
            .pages
            .insert((Some("c".into()), INDEX.into(), Lang::Fr), draft.clone());
        let problems = region_homes(&[folder.region("c", "", Vec::new())], &left_out);
        assert_eq!(problems[0].at.path, draft);
        assert!(problems[0].to_string().contains("and a draft"));
    }

    #[test]
    fn a_published_page_or_region_may_not_hold_placeholders() {
        let folder = Folder::new();
        let unfinished = folder.page(Some("a"), Lang::Fr, "roles", "menu_title: \"À RÉDIGER\"\n");
        assert!(unfinished_page(&unfinished, false).is_none(), "a draft may");
        let problem = unfinished_page(&unfinished, true).expect("reported");
        assert_eq!((problem.at.line, problem.at.column), (Some(4), Some(14)));
        let region = folder.region("a", "# TO BE WRITTEN, in a comment only\n", Vec::new());
        assert!(unfinished_region(&region).is_none());
        let region = folder.region(
            "b",
            "territories:\n  - name: TO BE WRITTEN\n",
            vec![unfinished],
        );
        let problem = unfinished_region(&region).expect("reported");
        assert_eq!(problem.at.path, region.file);
        assert_eq!(
            placeholders(&[], &[region]).len(),
            2,
            "the region's file and its page"
        );
    }

    #[test]
    fn a_region_showing_a_form_names_who_answers_it_at_the_key_s_line() {
        let folder = Folder::new();
        let forms = forms();
        let register = folder.page(Some("a"), Lang::Fr, "register", "form: registration\n");
        let region = folder.region(
            "a",
            "contact:\n  email: equipe@example.org\n",
            vec![register],
        );
        let missing = missing_contacts(std::slice::from_ref(&region), &forms);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(missing[0].unnamed, Unnamed::PrivacyOfficer);
        assert_eq!(missing[0].forms, ["registration"]);
        assert_eq!(
            missing[0].at,
            Location::file(&region.file),
            "no key written"
        );

        let silent = folder.region("b", "contact: {}\n", vec![]);
        assert!(
            missing_contacts(&[silent], &forms).is_empty(),
            "a region that shows no form needs nobody named"
        );
    }

    #[test]
    fn top_level_keys_are_located_by_line() {
        let lines = top_level_lines("# note\nname: x\ncontact:\n  phone: 1\n- item\nlinks: []\n");
        assert_eq!(lines.get("contact"), Some(&3));
        assert_eq!(lines.get("links"), Some(&6));
        assert_eq!(lines.get("phone"), None);
    }
}
