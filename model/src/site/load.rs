//! Reading a content folder into a [`Site`]: configuration, theme strings, forms, regions
//! and pages, then every cross-file rule ([`super::rules`]), every problem collected.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{drafts, rules, symlinks, walk, Drafts, LoadOptions, Loaded, Region, Site, Unloaded};
use crate::config::Config;
use crate::error::Problem;
use crate::form::FormDef;
use crate::page::{check_slug, Page};
use crate::placeholder;
use crate::region::RegionData;
use crate::strings::Strings;

pub(super) struct Loader {
    root: PathBuf,
    options: LoadOptions,
    problems: Vec<Problem>,
    /// Forms whose definition has a problem (pages naming them are not reported again),
    /// pages and regions that did not load.
    unloaded: Unloaded,
}

impl Loader {
    pub(super) fn new(root: &Path, options: LoadOptions) -> Self {
        Loader {
            root: root.to_path_buf(),
            options,
            problems: Vec::new(),
            unloaded: Unloaded::default(),
        }
    }

    pub(super) fn run(mut self) -> Loaded {
        if !self.root.is_dir() {
            return Loaded {
                site: None,
                problems: vec![Problem::invalid(
                    &self.root,
                    "this content folder does not exist (use --content to name another one)",
                )],
                unloaded: Unloaded::default(),
            };
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
        self.problems
            .extend(symlinks::check(&self.root, theme.as_deref()));
        let forms = self.load_forms();
        let mut regions = self.load_regions();
        self.problems.extend(rules::region_choices(
            &regions,
            &forms,
            self.unloaded.forms.is_empty(),
        ));
        let mut pages = Vec::new();
        let mut missing_translations = Vec::new();
        let mut drafts = Vec::new();
        let mut missing_contacts = Vec::new();
        if !self.options.pages {
            for region in regions.iter().filter(|r| r.data.draft) {
                drafts.push(drafts::region_draft(region));
            }
            if self.options.drafts == Drafts::LeftOut {
                regions.retain(|r| !r.data.draft);
            }
        } else {
            self.load_pages(&mut regions, &mut pages);
            let left_out =
                drafts::set_aside(&mut regions, &mut pages, &mut drafts, self.options.drafts);
            missing_translations.extend(rules::translations(
                &pages,
                &self.root.join("pages"),
                &left_out,
            ));
            for region in &regions {
                missing_translations.extend(rules::translations(
                    &region.pages,
                    region.dir(),
                    &left_out,
                ));
            }
            let every_page = || pages.iter().chain(regions.iter().flat_map(|r| &r.pages));
            let duplicates = rules::unique_urls(every_page());
            // A page whose address is taken is reported for that alone.
            let taken = rules::paths(&duplicates);
            self.problems.extend(duplicates);
            self.problems.extend(rules::page_forms(
                every_page().filter(|p| !taken.contains(&p.path)),
                &regions,
                &forms,
                &self.unloaded.forms,
                &left_out,
            ));
            self.problems
                .extend(rules::region_homes(&regions, &left_out));
            self.problems.extend(rules::registration_paths(&regions));
            self.problems.extend(rules::placeholders(&pages, &regions));
            missing_contacts = rules::missing_contacts(&regions, &forms);
        }
        let site = match (config, strings) {
            (Some(config), Some(strings)) => Some(Site {
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
            _ => None,
        };
        Loaded {
            site,
            problems: self.problems,
            unloaded: self.unloaded,
        }
    }

    /// Every page of every region at once, so both cores stay busy.
    fn load_pages(&mut self, regions: &mut [Region], pages: &mut Vec<Page>) {
        let mut files = Vec::new();
        for (path, lang) in walk::page_files(&self.root.join("pages"), &mut self.problems) {
            files.push((None, path, lang));
        }
        for (i, region) in regions.iter().enumerate() {
            for (path, lang) in walk::page_files(region.dir(), &mut self.problems) {
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
        for ((_, path, _), (group, result)) in files.iter().zip(loaded) {
            match (result, group) {
                (Ok(page), None) => pages.push(page),
                (Ok(page), Some(i)) => regions[i].pages.push(page),
                (Err(problem), _) => {
                    let key = path.file_stem().unwrap_or_default().to_string_lossy();
                    let region = group.map(|i| regions[i].slug.clone());
                    self.unloaded.pages.push((region, key.into_owned()));
                    self.problems.push(problem);
                }
            }
        }
    }

    fn load_forms(&mut self) -> Vec<FormDef> {
        let dir = self.root.join("forms");
        let mut forms = Vec::new();
        for path in walk::list(&dir, "yaml", &mut self.problems) {
            match FormDef::load(&path) {
                Ok(form) => forms.push(form),
                Err(p) => {
                    let id = path.file_stem().unwrap_or_default().to_string_lossy();
                    self.unloaded.forms.push(id.into_owned());
                    self.problems.push(p);
                }
            }
        }
        forms
    }

    fn load_regions(&mut self) -> Vec<Region> {
        let dir = self.root.join("regions");
        let mut regions = Vec::new();
        for path in walk::list(&dir, "", &mut self.problems) {
            let slug = path
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            match load_region(&path, &slug) {
                Ok(region) => regions.push(region),
                Err(problem) => {
                    self.unloaded.pages.push((Some(slug), String::new()));
                    self.problems.push(problem);
                }
            }
        }
        regions
    }
}

/// Reads `regions/<slug>/region.yaml` (its folder is `dir`).
fn load_region(dir: &Path, slug: &str) -> Result<Region, Problem> {
    check_slug(slug).map_err(|why| {
        Problem::invalid(dir, format!("a region folder's name is its address: {why}"))
    })?;
    let file = dir.join("region.yaml");
    if !file.is_file() {
        return Err(Problem::invalid(
            &file,
            "every region needs a region.yaml file with its name, territories and contacts \
             (`eclaireurs new-region` writes one)",
        ));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| Problem::read(&file, &e))?;
    let data = crate::yaml::parse::<RegionData>(&text, &file, 1)?;
    Ok(Region {
        slug: slug.to_string(),
        placeholders: placeholder::in_yaml(&text),
        key_lines: rules::top_level_lines(&text),
        file,
        data,
        pages: Vec::new(),
    })
}
