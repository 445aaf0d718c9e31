//! A whole content folder as a [`Site`]: its types and queries here; loading it, collecting
//! every problem rather than stopping at the first (so `eclaireurs check` lists them all at
//! once), in [`load`]; the rules that span several files in [`rules`].

mod drafts;
mod load;
pub mod rules;
mod symlinks;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Draft, MissingContact, MissingTranslation, Problem};
use crate::form::FormDef;
use crate::lang::Lang;
use crate::page::Page;
use crate::placeholder::Placeholders;
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
    /// Its `regions/<slug>/region.yaml`: the one place that path is made.
    pub file: PathBuf,
    pub data: RegionData,
    pub pages: Vec<Page>,
    /// The placeholders of `eclaireurs new-region` its `region.yaml` still holds, if any.
    pub placeholders: Option<Placeholders>,
    /// The line of `region.yaml` where each top-level key (`contact`) is written, to
    /// locate what is said of it.
    pub key_lines: BTreeMap<String, usize>,
}

/// Whether the regions and pages marked `draft: true` are part of a loaded site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    /// What is published: `build`, `check`, `publish`, the function's catalog.
    LeftOut,
    /// What `serve` previews.
    Shown,
}

/// What [`Site::load`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Whether the pages are read (the submission function and the inventory need only the
    /// configuration, forms and regions).
    pub pages: bool,
    pub drafts: Drafts,
}

impl LoadOptions {
    /// The site as published: `build`, `check`, `publish`.
    pub const PUBLISHED: LoadOptions = LoadOptions {
        pages: true,
        drafts: Drafts::LeftOut,
    };
    /// What `serve` previews: drafts included.
    pub const PREVIEW: LoadOptions = LoadOptions {
        pages: true,
        drafts: Drafts::Shown,
    };
    /// Everything but the pages, draft regions left out: what the function needs.
    pub const DATA: LoadOptions = LoadOptions {
        pages: false,
        drafts: Drafts::LeftOut,
    };
}

/// A content folder as far as it loaded, and every problem found on the way: what the
/// generator's checks continue from, so an editor sees every mistake in one round.
#[derive(Debug)]
pub struct Loaded {
    /// `None` when the configuration or the theme's strings did not load.
    pub site: Option<Site>,
    pub problems: Vec<Problem>,
    /// What did not load (and is reported): what names it is not reported again.
    pub unloaded: Unloaded,
}

/// The files that did not load, by what names them.
#[derive(Debug, Default)]
pub struct Unloaded {
    /// Each page as (region, key), each region as (region, "").
    pub pages: Vec<(Option<String>, String)>,
    /// Each form's id (its file's name).
    pub forms: Vec<String>,
}

impl Unloaded {
    /// Whether the page `key` of `region` (or that region) did not load.
    pub fn page(&self, region: Option<&str>, key: &str) -> bool {
        self.pages.iter().any(|(r, k)| {
            r.as_deref() == region && (k == key || (k.is_empty() && region.is_some()))
        })
    }
}

impl Loaded {
    /// The site, if it loaded without a problem.
    pub fn into_result(self) -> Result<Site, Vec<Problem>> {
        match (self.site, self.problems.is_empty()) {
            (Some(site), true) => Ok(site),
            _ => Err(self.problems),
        }
    }
}

impl Site {
    /// Loads configuration, UI strings, forms, regions and (as `options` say) the pages.
    pub fn load(root: &Path, options: LoadOptions) -> Result<Site, Vec<Problem>> {
        Site::read(root, options).into_result()
    }

    /// [`Site::load`], keeping what loaded beside the problems.
    pub fn read(root: &Path, options: LoadOptions) -> Loaded {
        load::Loader::new(root, options).run()
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
    pub fn is_thanks_page(&self, page: &Page) -> bool {
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

    /// Its folder, `regions/<slug>`, which holds `region.yaml` and the pages.
    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(&self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
    }

    #[test]
    fn the_options_say_whether_pages_are_read() {
        let data = Site::load(&content(), LoadOptions::DATA).expect("loads");
        assert!(data.pages.is_empty() && data.regions.iter().all(|r| r.pages.is_empty()));
        let site = Site::load(&content(), LoadOptions::PUBLISHED).expect("loads");
        assert!(!site.pages.is_empty());
        let region = &site.regions[0];
        assert_eq!(
            region.file,
            content()
                .join("regions")
                .join(&region.slug)
                .join("region.yaml")
        );
        assert_eq!(region.dir(), content().join("regions").join(&region.slug));
    }

    #[test]
    fn a_folder_that_does_not_load_keeps_what_did_beside_its_problems() {
        let loaded = Site::read(&content().join("nowhere"), LoadOptions::PUBLISHED);
        assert!(loaded.site.is_none());
        assert_eq!(loaded.problems.len(), 1);
    }
}
