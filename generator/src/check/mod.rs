//! Every content check, before anything is rendered: what the loader finds (files, keys,
//! forms, placeholders, drafts, the rules across files) and what the text of the pages says
//! (headings, links, the parts of pages links point to, templates), reported together so an
//! editor sees every mistake in one round. The renderer may then assume a valid site; only
//! Tera's own errors are found while rendering.

pub mod templates;
pub mod text;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use eclaireurs_model::markdown::TextFacts;
use eclaireurs_model::{
    Assets, Catalog, LoadOptions, MissingAnchor, Page, Problem, ProblemKind, Site, Unloaded,
};

use crate::links::LinkIndex;
use crate::media::{self, cache::Cache, Media};
use crate::render::notice;
use text::{Links, Scan};

/// A site that passed every check: what rendering starts from.
pub struct Checked {
    pub site: Site,
    /// Its static files.
    pub assets: Assets,
    /// The function's catalog.
    pub catalog: Catalog,
    /// Every address of the site, which the checks resolved links with: the renderer's too.
    pub links: LinkIndex,
    /// The site's templates, compiled while the function's pages were made: the renderer's.
    pub templates: tera::Tera,
    /// The pictures and documents its pages show and link, made ready to publish.
    pub media: Arc<Media>,
}

/// Loads the site of `content` as `options` say and checks everything.
pub fn site(content: &Path, options: LoadOptions) -> Result<Checked, Vec<Problem>> {
    let loaded = Site::read(content, options);
    let mut problems = loaded.problems;
    let Some(site) = loaded.site else {
        return Err(problems);
    };
    let assets = match Assets::collect(&site) {
        Ok(assets) => assets,
        Err(problem) => {
            problems.push(problem);
            return Err(problems);
        }
    };
    let mut catalog = match Catalog::from_site(&site, &assets) {
        Ok(catalog) => catalog,
        Err(e) => {
            problems.push(e.problem(&site));
            return Err(problems);
        }
    };
    if problems.is_empty() {
        // The function refuses a catalog that breaks these rules: so does the build. Its
        // rules assume the rest loaded.
        if let Err(e) = catalog.check() {
            problems.push(e.problem(&site));
        }
    }
    let links = LinkIndex::new(&site, &assets);
    problems.extend(pages(&site, &links, &loaded.unloaded));
    // Pictures are made here (from the cache when unchanged), so `check` finds what `build`
    // would: a truncated photo is found only by reading it whole.
    let media = match media::collect(&site, &assets, &Cache::in_content(content)) {
        Ok(media) => Arc::new(media),
        Err(found) => {
            problems.extend(found);
            Arc::default()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    // The function's own pages, from the checked pages and templates.
    let (links, templates) =
        crate::render::answers::add_theme(&mut catalog, &site, &assets, links, &media)?;
    if let Err(e) = catalog.check() {
        return Err(vec![e.problem(&site)]);
    }
    Ok(Checked {
        site,
        assets,
        catalog,
        links,
        templates,
        media,
    })
}

/// The text and template of every page of `site`, what each page's text holds checked in
/// parallel.
fn pages(site: &Site, links: &LinkIndex, unloaded: &Unloaded) -> Vec<Problem> {
    let links = Links {
        index: links,
        unloaded,
    };
    let all: Vec<&Page> = site.all_pages().collect();
    let scans: Vec<Scan> = all
        .par_iter()
        .map(|page| text::scan(page, &links))
        .collect();
    let ids: HashMap<&str, &TextFacts> = all.iter().map(|p| (p.url(), &p.facts)).collect();
    // A few templates serve every page: each is looked for once.
    let mut exists: HashMap<&str, bool> = HashMap::new();
    let mut problems = Vec::new();
    for (page, scan) in all.iter().zip(&scans) {
        problems.extend(scan.problems.iter().cloned());
        let template = templates::of(page);
        if !*exists
            .entry(template)
            .or_insert_with(|| templates::exists(site, template))
        {
            problems.push(templates::missing(page, template));
        }
        if unloaded.forms.is_empty() {
            // The notice names every form: once they all load.
            problems.extend(notice(site, page));
        }
        problems.extend(anchors(scan, |url| ids.get(url).copied()));
    }
    problems
}

/// Checks `edited` pages of `site` alone, as [`site`] would: what `serve`'s partial rebuild
/// asks after an edit that changed only their text.
pub fn edited(site: &Site, links: &LinkIndex, edited: &[&Page]) -> Vec<Problem> {
    let unloaded = Unloaded::default();
    let links = Links {
        index: links,
        unloaded: &unloaded,
    };
    let mut problems = Vec::new();
    for page in edited {
        let scan = text::scan(page, &links);
        problems.extend(scan.problems.iter().cloned());
        let template = templates::of(page);
        if !templates::exists(site, template) {
            problems.push(templates::missing(page, template));
        }
        problems.extend(notice(site, page));
        problems.extend(anchors(&scan, |url| {
            if url == page.url() {
                return Some(&page.facts);
            }
            site.all_pages().find(|p| p.url() == url).map(|p| &p.facts)
        }));
    }
    problems
}

/// The markers of the privacy notice (a site page with its template), which name the forms
/// whose data it lists.
fn notice(site: &Site, page: &Page) -> Vec<Problem> {
    if page.region.is_none() && page.meta.template.as_deref() == Some(notice::TEMPLATE) {
        match page.text() {
            Ok(text) => notice::problems(site, page, &text),
            Err(problem) => vec![problem],
        }
    } else {
        Vec::new()
    }
}

/// The ids of a page's text that links may point to, to tell whether an edit changed them.
pub fn ids(page: &Page) -> &[String] {
    &page.facts.ids
}

/// The links of `scan` that name a part its page does not have. `facts_of` gives what the
/// text of the page at an address holds, `None` for an address that is not a page's (a
/// file, `/`).
fn anchors<'p>(
    scan: &Scan,
    mut facts_of: impl FnMut(&str) -> Option<&'p TextFacts>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for link in &scan.fragments {
        let Some(facts) = facts_of(&link.url) else {
            continue;
        };
        if facts.has_id(&link.fragment) {
            continue;
        }
        // Sorted already.
        let known = &facts.ids;
        let hint = if known.is_empty() {
            ": it has no heading below its title".to_string()
        } else {
            format!(
                " (its headings and ids: {})",
                known
                    .iter()
                    .map(|id| format!("#{id}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        problems.push(Problem::new(
            link.at.clone(),
            ProblemKind::BrokenAnchor(Box::new(MissingAnchor {
                target: link.target.clone(),
                page: link.url.clone(),
                fragment: link.fragment.clone(),
                hint,
            })),
        ));
    }
    problems
}
