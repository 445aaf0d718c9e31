//! Regions and pages marked `draft: true`: listed, and left out of what is published.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Drafts, Region};
use crate::error::Draft;
use crate::lang::Lang;
use crate::page::Page;

/// The draft pages left out of a site, to say so when a published page needs one.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// (region, key, language) → the page's file.
    pub pages: HashMap<(Option<String>, String, Lang), PathBuf>,
}

impl LeftOut {
    /// The file of a draft page left out, if that page is one.
    pub fn page(&self, region: Option<&str>, key: &str, lang: Lang) -> Option<&PathBuf> {
        self.pages
            .get(&(region.map(str::to_string), key.to_string(), lang))
    }
}

/// A whole draft region, as listed.
pub(super) fn region_draft(region: &Region) -> Draft {
    Draft {
        path: region.file.clone(),
        region: Some(region.slug.clone()),
        page: None,
        pages: region.pages.len(),
    }
}

/// Lists the drafts and, unless they are shown, takes them out of the site.
pub(super) fn set_aside(
    regions: &mut Vec<Region>,
    pages: &mut Vec<Page>,
    drafts: &mut Vec<Draft>,
    shown: Drafts,
) -> LeftOut {
    let mut left_out = LeftOut::default();
    for region in regions.iter().filter(|r| r.data.draft) {
        drafts.push(region_draft(region));
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
    if shown == Drafts::Shown {
        return LeftOut::default();
    }
    regions.retain(|r| !r.data.draft);
    pages.retain(|p| !p.meta.draft);
    for region in regions.iter_mut() {
        region.pages.retain(|p| !p.meta.draft);
    }
    left_out
}
