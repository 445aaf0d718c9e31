//! Loading a whole content folder into a [`Site`], collecting every problem rather than
//! stopping at the first, so `eclaireurs check` can list them all at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{
    Draft, Location, MissingContact, MissingTranslation, Problem, ProblemKind, Unnamed,
};
use crate::form::FormDef;
use crate::lang::Lang;
use crate::page::{check_slug, Page, INDEX};
use crate::placeholder;
use crate::region::RegionData;
use crate::strings::Strings;

/// Everything a site is made of, checked and ready to render.
#[derive(Debug)]
pub struct Site {
    /// The content folder.
    pub root: PathBuf,
    pub config: Config,
    /// The theme folder (templates, `i18n/`, `static/`).
    pub theme: PathBuf,
    pub strings: Strings,
    /// Sorted by id.
    pub forms: Vec<FormDef>,
    /// Sorted by slug.
    pub regions: Vec<Region>,
    /// Site pages (`pages/<lang>/*.md`): the region lists, the privacy notice.
    pub pages: Vec<Page>,
    pub missing_translations: Vec<MissingTranslation>,
    /// Every region and page marked `draft: true` (a page of a draft region is not listed
    /// on its own). Left out of `regions` and `pages` unless loaded for a preview.
    pub drafts: Vec<Draft>,
    /// Regions that show a form but name nobody to answer: listed by `check` and `publish`.
    pub missing_contacts: Vec<MissingContact>,
}

#[derive(Debug)]
pub struct Region {
    pub slug: String,
    pub data: RegionData,
    pub pages: Vec<Page>,
}

/// Whether the regions and pages marked `draft: true` are part of a loaded site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drafts {
    /// What is published: `build`, `check`, `publish`, the function's catalog.
    LeftOut,
    /// What `serve` previews.
    Shown,
}

impl Site {
    /// Loads configuration, UI strings, forms, regions and all pages, as they are published:
    /// drafts left out (and listed in `drafts`).
    pub fn load(root: &Path) -> Result<Site, Vec<Problem>> {
        Loader::new(root, true, Drafts::LeftOut).run()
    }

    /// [`Site::load`], drafts included: what `serve` previews.
    pub fn load_preview(root: &Path) -> Result<Site, Vec<Problem>> {
        Loader::new(root, true, Drafts::Shown).run()
    }

    /// Loads everything but the pages: what the submission function needs (draft regions
    /// left out).
    pub fn load_data(root: &Path) -> Result<Site, Vec<Problem>> {
        Loader::new(root, false, Drafts::LeftOut).run()
    }

    /// Whether a page is a draft, or belongs to a draft region (only a preview has them).
    pub fn is_draft(&self, page: &Page) -> bool {
        page.meta.draft
            || page
                .region
                .as_deref()
                .and_then(|slug| self.region(slug))
                .is_some_and(|r| r.data.draft)
    }

    pub fn form(&self, id: &str) -> Option<&FormDef> {
        self.forms.iter().find(|f| f.id == id)
    }

    pub fn region(&self, slug: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.slug == slug)
    }

    /// Whether a page is only for people who just sent a form (a form's thank-you page):
    /// kept out of search engines and of the sitemap, so nobody lands there from a search
    /// and reads "we received your report" without having sent anything.
    pub fn is_thanks_page(&self, page: &crate::page::Page) -> bool {
        page.region.is_some() && self.forms.iter().any(|f| f.thanks_page == page.key)
    }

    /// Every page, site pages first.
    pub fn all_pages(&self) -> impl Iterator<Item = &Page> {
        self.pages
            .iter()
            .chain(self.regions.iter().flat_map(|r| r.pages.iter()))
    }
}

impl Region {
    pub fn page(&self, key: &str, lang: Lang) -> Option<&Page> {
        self.pages.iter().find(|p| p.key == key && p.lang == lang)
    }
}

struct Loader {
    root: PathBuf,
    with_pages: bool,
    drafts: Drafts,
    problems: Vec<Problem>,
    /// Forms whose definition has a problem; pages naming them are not reported again.
    broken_forms: Vec<String>,
    /// Each region's `region.yaml` as written, by slug, to locate keys in it.
    region_texts: HashMap<String, String>,
}

/// The draft pages left out of a site, to say so when a published page needs one.
#[derive(Default)]
struct LeftOut {
    /// (region, key, language) → the page's file.
    pages: HashMap<(Option<String>, String, Lang), PathBuf>,
}

impl Loader {
    fn new(root: &Path, with_pages: bool, drafts: Drafts) -> Self {
        Loader {
            root: root.to_path_buf(),
            with_pages,
            drafts,
            problems: Vec::new(),
            broken_forms: Vec::new(),
            region_texts: HashMap::new(),
        }
    }

    fn run(mut self) -> Result<Site, Vec<Problem>> {
        if !self.root.is_dir() {
            return Err(vec![Problem::invalid(
                &self.root,
                "this content folder does not exist (use --content to name another one)",
            )]);
        }
        let config_path = self.root.join("config.yaml");
        let config = match Config::load(&config_path) {
            Ok(config) => Some(config),
            Err(p) => {
                self.problems.push(p);
                None
            }
        };
        let theme = config.as_ref().map(|c| self.root.join(&c.theme));
        let strings = match &theme {
            Some(theme) if !theme.is_dir() => {
                self.problems.push(Problem::invalid(
                    &config_path,
                    format!("`theme`: the folder {} does not exist", theme.display()),
                ));
                None
            }
            Some(theme) => match Strings::load(&theme.join("i18n")) {
                Ok(mut s) => {
                    s.typeset_french();
                    Some(s)
                }
                Err(ps) => {
                    self.problems.extend(ps);
                    None
                }
            },
            None => None,
        };
        self.check_symlinks(theme.as_deref());
        let forms = self.load_forms();
        let mut regions = self.load_regions();
        self.check_region_choices(&regions, &forms);
        let mut pages = Vec::new();
        let mut missing_translations = Vec::new();
        let mut drafts = Vec::new();
        let mut missing_contacts = Vec::new();
        if !self.with_pages {
            for region in regions.iter().filter(|r| r.data.draft) {
                drafts.push(self.region_draft(region));
            }
            if self.drafts == Drafts::LeftOut {
                regions.retain(|r| !r.data.draft);
            }
        } else {
            // Every page of every region at once, so both cores stay busy.
            let mut files = Vec::new();
            for (path, lang) in self.page_files(&self.root.join("pages")) {
                files.push((None, path, lang));
            }
            for (i, region) in regions.iter().enumerate() {
                let dir = self.root.join("regions").join(&region.slug);
                for (path, lang) in self.page_files(&dir) {
                    files.push((Some(i), path, lang));
                }
            }
            let loaded: Vec<(Option<usize>, Result<Page, Problem>)> = files
                .par_iter()
                .map(|(group, path, lang)| {
                    let slug = group.map(|i| regions[i].slug.as_str());
                    (*group, Page::load(path, *lang, slug))
                })
                .collect();
            for (group, result) in loaded {
                match (result, group) {
                    (Ok(page), None) => pages.push(page),
                    (Ok(page), Some(i)) => regions[i].pages.push(page),
                    (Err(problem), _) => self.problems.push(problem),
                }
            }
            let left_out = self.set_drafts_aside(&mut regions, &mut pages, &mut drafts);
            missing_translations.extend(self.check_translations(&pages, None, &left_out));
            for region in &regions {
                let dir = self.root.join("regions").join(&region.slug);
                missing_translations.extend(self.check_translations(
                    &region.pages,
                    Some(&dir),
                    &left_out,
                ));
            }
            self.check_pages(&pages, &regions, &forms, &left_out);
            self.check_placeholders(&pages, &regions);
            missing_contacts = self.missing_contacts(&regions, &forms);
        }
        match (config, strings, self.problems.is_empty()) {
            (Some(config), Some(strings), true) => Ok(Site {
                root: self.root,
                config,
                theme: theme.unwrap_or_default(),
                strings,
                forms,
                regions,
                pages,
                missing_translations,
                drafts,
                missing_contacts,
            }),
            _ => Err(self.problems),
        }
    }

    /// Each region words every choice of the shared forms in its own terms, with the same
    /// values as the form (the values are what is stored).
    fn check_region_choices(&mut self, regions: &[Region], forms: &[FormDef]) {
        let choice_fields: Vec<_> = forms
            .iter()
            .flat_map(|f| f.fields.iter().filter(|x| !x.choices.is_empty()))
            .collect();
        for region in regions {
            let file = self
                .root
                .join("regions")
                .join(&region.slug)
                .join("region.yaml");
            for (name, choices) in &region.data.choices {
                let Some(field) = choice_fields.iter().find(|f| &f.name == name) else {
                    if !self.broken_forms.is_empty() {
                        // It may belong to the form that did not load: that is reported.
                        continue;
                    }
                    let known: Vec<_> = choice_fields.iter().map(|f| f.name.as_str()).collect();
                    self.problems.push(Problem::invalid(
                        &file,
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
                    self.problems.push(Problem::invalid(
                        &file,
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
                    self.problems.push(Problem::invalid(
                        &file,
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
    }

    fn load_forms(&mut self) -> Vec<FormDef> {
        let dir = self.root.join("forms");
        let mut forms = Vec::new();
        for path in self.list(&dir, "yaml") {
            match FormDef::load(&path) {
                Ok(form) => forms.push(form),
                Err(p) => {
                    let id = path.file_stem().unwrap_or_default().to_string_lossy();
                    self.broken_forms.push(id.into_owned());
                    self.problems.push(p);
                }
            }
        }
        forms
    }

    fn load_regions(&mut self) -> Vec<Region> {
        let dir = self.root.join("regions");
        let mut regions = Vec::new();
        for path in self.list(&dir, "") {
            let slug = path
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if let Err(why) = check_slug(slug) {
                self.problems.push(Problem::invalid(
                    &path,
                    format!("a region folder's name is its address: {why}"),
                ));
                continue;
            }
            let file = path.join("region.yaml");
            if !file.is_file() {
                self.problems.push(Problem::invalid(
                    &file,
                    "every region needs a region.yaml file with its name, territories and \
                     contacts (`eclaireurs new-region` writes one)",
                ));
                continue;
            }
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) => {
                    self.problems.push(Problem::read(&file, &e));
                    continue;
                }
            };
            match crate::yaml::parse::<RegionData>(&text, &file, 1) {
                Ok(data) => {
                    self.region_texts.insert(slug.to_string(), text);
                    regions.push(Region {
                        slug: slug.to_string(),
                        data,
                        pages: Vec::new(),
                    })
                }
                Err(p) => self.problems.push(p),
            }
        }
        regions
    }

    /// The pages of a folder: `<dir>/fr/*.md` and `<dir>/en/*.md`.
    fn page_files(&mut self, dir: &Path) -> Vec<(PathBuf, Lang)> {
        let mut files = Vec::new();
        for lang in Lang::ALL {
            let lang_dir = dir.join(lang.code());
            if lang_dir.is_dir() {
                files.extend(self.list(&lang_dir, "md").into_iter().map(|p| (p, lang)));
            }
        }
        for entry in self.list(dir, "") {
            let name = entry
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if Lang::from_code(name).is_none() {
                self.problems.push(Problem::invalid(
                    &entry,
                    "unexpected folder: pages go in the `fr` and `en` folders",
                ));
            }
        }
        files
    }

    /// Lists a folder's entries: files with the extension `ext`, or folders when `ext` is
    /// empty; sorted so builds are reproducible. Hidden entries are skipped. Other files are
    /// reported, since a misnamed page would otherwise vanish silently.
    fn list(&mut self, dir: &Path, ext: &str) -> Vec<PathBuf> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems.push(Problem::read(dir, &e));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.problems.push(Problem::read(dir, &e));
                    continue;
                }
            };
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let is_dir = path.is_dir();
            if ext.is_empty() {
                // Folders only: stray files (a README, notes) beside them are harmless.
                if is_dir {
                    out.push(path);
                }
            } else if !is_dir && path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            } else if !is_dir {
                self.problems.push(Problem::invalid(
                    &path,
                    format!("unexpected file: only .{ext} files belong in this folder"),
                ));
            }
        }
        out.sort();
        out
    }

    fn check_translations(
        &self,
        pages: &[Page],
        region_dir: Option<&Path>,
        left_out: &LeftOut,
    ) -> Vec<MissingTranslation> {
        let dir = region_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.join("pages"));
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
                let draft = left_out
                    .pages
                    .get(&(page.region.clone(), page.key.clone(), other));
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

    fn check_pages(
        &mut self,
        site_pages: &[Page],
        regions: &[Region],
        forms: &[FormDef],
        left_out: &LeftOut,
    ) {
        let region_slugs: HashMap<&str, &Region> =
            regions.iter().map(|r| (r.slug.as_str(), r)).collect();
        let mut urls: HashMap<String, &Path> = HashMap::new();
        for page in site_pages
            .iter()
            .chain(regions.iter().flat_map(|r| &r.pages))
        {
            let url = page.url();
            if let Some(other) = urls.get(&url) {
                self.problems.push(Problem::new(
                    Location::file(&page.path),
                    ProblemKind::DuplicateUrl {
                        url,
                        other: other.display().to_string(),
                    },
                ));
                continue;
            }
            urls.insert(url, &page.path);
            if let Some(form_id) = &page.meta.form {
                if self.broken_forms.contains(form_id) {
                    continue;
                }
                let Some(form) = forms.iter().find(|f| &f.id == form_id) else {
                    let known: Vec<_> = forms.iter().map(|f| format!("`{}`", f.id)).collect();
                    self.problems.push(Problem::invalid(
                        &page.path,
                        format!(
                            "`form`: there is no form `{form_id}` (forms: {})",
                            known.join(", ")
                        ),
                    ));
                    continue;
                };
                match page
                    .region
                    .as_deref()
                    .and_then(|slug| region_slugs.get(slug))
                {
                    None => self.problems.push(Problem::invalid(
                        &page.path,
                        "`form`: forms belong on a region's pages, which say which region \
                         receives the submission",
                    )),
                    Some(region) => {
                        let thanks = region
                            .pages
                            .iter()
                            .any(|p| p.key == form.thanks_page && p.lang == page.lang);
                        let draft = left_out.pages.get(&(
                            page.region.clone(),
                            form.thanks_page.clone(),
                            page.lang,
                        ));
                        if let (false, Some(draft)) = (thanks, draft) {
                            self.problems.push(Problem::invalid(
                                &page.path,
                                format!(
                                    "the form `{form_id}` leads to the thank-you page {}, \
                                     which is a draft: publish it too (remove its \
                                     `draft: true`), or make this page a draft as well",
                                    draft.display()
                                ),
                            ));
                        } else if !region.pages.iter().any(|p| p.key == form.thanks_page) {
                            self.problems.push(Problem::invalid(
                                &page.path,
                                format!(
                                    "the form `{form_id}` leads to the thank-you page \
                                     `{}.md`, which this region does not have yet",
                                    form.thanks_page
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for region in regions {
            if region.pages.iter().any(|p| p.key == INDEX) {
                continue;
            }
            let draft = Lang::ALL.iter().find_map(|&lang| {
                left_out
                    .pages
                    .get(&(Some(region.slug.clone()), INDEX.to_string(), lang))
            });
            match draft {
                Some(draft) => self.problems.push(Problem::invalid(
                    draft,
                    "this is the region's home page, and a draft: publish it (remove its \
                     `draft: true`), or make the whole region a draft (`draft: true` in its \
                     region.yaml)",
                )),
                None => self.problems.push(Problem::invalid(
                    &self.root.join("regions").join(&region.slug),
                    "this region has no home page: add fr/index.md",
                )),
            }
        }
    }

    /// Lists the drafts and, unless they are shown, takes them out of the site.
    fn set_drafts_aside(
        &self,
        regions: &mut Vec<Region>,
        pages: &mut Vec<Page>,
        drafts: &mut Vec<Draft>,
    ) -> LeftOut {
        let mut left_out = LeftOut::default();
        for region in regions.iter().filter(|r| r.data.draft) {
            drafts.push(self.region_draft(region));
        }
        let pages_of = regions
            .iter()
            .filter(|r| !r.data.draft)
            .flat_map(|r| r.pages.iter());
        for page in pages.iter().chain(pages_of).filter(|p| p.meta.draft) {
            drafts.push(Draft {
                path: page.path.clone(),
                region: page.region.clone(),
                page: Some((page.key.clone(), page.lang)),
                pages: 1,
            });
            left_out.pages.insert(
                (page.region.clone(), page.key.clone(), page.lang),
                page.path.clone(),
            );
        }
        if self.drafts == Drafts::Shown {
            return LeftOut::default();
        }
        regions.retain(|r| !r.data.draft);
        pages.retain(|p| !p.meta.draft);
        for region in regions.iter_mut() {
            region.pages.retain(|p| !p.meta.draft);
        }
        left_out
    }

    fn region_draft(&self, region: &Region) -> Draft {
        Draft {
            path: self
                .root
                .join("regions")
                .join(&region.slug)
                .join("region.yaml"),
            region: Some(region.slug.clone()),
            page: None,
            pages: region.pages.len(),
        }
    }

    /// A page or `region.yaml` that is published may not hold the scaffold's placeholders.
    fn check_placeholders(&mut self, site_pages: &[Page], regions: &[Region]) {
        let published = |page: &&Page| !page.meta.draft;
        for page in site_pages.iter().filter(published) {
            if let Some(found) = &page.placeholders {
                self.problems.push(found.problem(&page.path, "page"));
            }
        }
        for region in regions.iter().filter(|r| !r.data.draft) {
            let file = self
                .root
                .join("regions")
                .join(&region.slug)
                .join("region.yaml");
            let found = self
                .region_texts
                .get(&region.slug)
                .and_then(|text| placeholder::in_yaml(text));
            if let Some(found) = found {
                self.problems.push(found.problem(&file, "region"));
            }
            for page in region.pages.iter().filter(published) {
                if let Some(found) = &page.placeholders {
                    self.problems.push(found.problem(&page.path, "page"));
                }
            }
        }
    }

    /// Each published region that shows a form with nobody named to answer it.
    fn missing_contacts(&self, regions: &[Region], forms: &[FormDef]) -> Vec<MissingContact> {
        let mut missing = Vec::new();
        for region in regions.iter().filter(|r| !r.data.draft) {
            let mut shown: Vec<String> = Vec::new();
            for form in forms {
                let on_a_page = region
                    .pages
                    .iter()
                    .any(|p| !p.meta.draft && p.meta.form.as_deref() == Some(&form.id));
                if on_a_page {
                    shown.push(form.id.clone());
                }
            }
            if shown.is_empty() {
                continue;
            }
            let file = self
                .root
                .join("regions")
                .join(&region.slug)
                .join("region.yaml");
            let text = self.region_texts.get(&region.slug).map(String::as_str);
            let at = |key: &str| match text.and_then(|t| top_level_line(t, key)) {
                Some(line) => Location::at(&file, line, 1),
                None => Location::file(&file),
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

    /// A symbolic link in the content folder or the theme that leads out of both is an
    /// error: the build would read (and, from `static/`, publish) a file from anywhere.
    fn check_symlinks(&mut self, theme: Option<&Path>) {
        let Ok(content) = self.root.canonicalize() else {
            return;
        };
        let mut roots = vec![content.clone()];
        if let Some(theme) = theme.and_then(|t| t.canonicalize().ok()) {
            if !theme.starts_with(&content) {
                roots.push(theme);
            }
        }
        for i in 0..roots.len() {
            let root = roots[i].clone();
            self.check_links_in(&root, &roots);
        }
    }

    fn check_links_in(&mut self, dir: &Path, roots: &[PathBuf]) {
        // An unreadable folder is reported by whatever reads it.
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                // A link that leads nowhere reads nothing; what reads it reports it.
                let Ok(target) = path.canonicalize() else {
                    continue;
                };
                let shown = self.shown_path(dir, &path);
                if !roots.iter().any(|root| target.starts_with(root)) {
                    self.problems.push(Problem::new(
                        Location::file(shown),
                        ProblemKind::OutsideLink {
                            target: target.display().to_string(),
                        },
                    ));
                } else if target.is_dir() && dir.starts_with(&target) {
                    self.problems.push(Problem::new(
                        Location::file(shown),
                        ProblemKind::LinkLoop {
                            target: target.display().to_string(),
                        },
                    ));
                }
            } else if kind.is_dir() {
                self.check_links_in(&path, roots);
            }
        }
    }

    /// `path` (in the real folder `dir`) as the rest of the problems name files: under the
    /// content folder as it was given, when it is in it.
    fn shown_path(&self, dir: &Path, path: &Path) -> PathBuf {
        let name = path.file_name().unwrap_or_default();
        let Ok(content) = self.root.canonicalize() else {
            return path.to_path_buf();
        };
        match dir.strip_prefix(&content) {
            Ok(rel) => self.root.join(rel).join(name),
            Err(_) => dir.join(name),
        }
    }
}

/// The line of a key written at the start of a line (`contact:`), if it is.
fn top_level_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}
