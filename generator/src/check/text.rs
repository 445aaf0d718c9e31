//! What a page's Markdown says that can be wrong: top-level headings and links that lead
//! nowhere; and the links that point inside pages, checked once every page's ids are known.
//! The text was read when the page loaded ([`eclaireurs_model::markdown::scan`]): what it
//! found is on the page (`Page::facts`), which this checks against the whole site.

use eclaireurs_model::markdown::MarkKind;
use eclaireurs_model::{Location, Page, Problem, ProblemKind, Unloaded};

use crate::links::{has_scheme, linked_page, LinkIndex};

/// What checking a page's text found.
#[derive(Debug, Default)]
pub struct Scan {
    pub problems: Vec<Problem>,
    /// The links that point inside a page, checked once every page's ids are known.
    pub fragments: Vec<Fragment>,
}

/// A link to a part of a page.
#[derive(Debug)]
pub struct Fragment {
    pub at: Location,
    /// As written.
    pub target: String,
    /// The address of the page it leads to.
    pub url: String,
    pub fragment: String,
}

/// What to check the links against.
pub struct Links<'a> {
    pub index: &'a LinkIndex,
    /// What did not load: a link to it is not reported again.
    pub unloaded: &'a Unloaded,
}

/// Checks what `page`'s text holds, in the order of the text.
pub fn scan(page: &Page, links: &Links) -> Scan {
    let mut scan = Scan::default();
    for mark in &page.facts.marks {
        let at = Location::at(&page.path, mark.line, mark.column);
        match &mark.kind {
            MarkKind::TopHeading => scan.problems.push(Problem::new(
                at,
                ProblemKind::Invalid(
                    "use `##` for headings in the text: the page title is its only top-level \
                     heading"
                        .into(),
                ),
            )),
            // Documents, pictures and videos: checked with the files they name
            // (`crate::media::collect`).
            MarkKind::Link(dest) if crate::media::is_document_link(dest) => {}
            MarkKind::Link(dest) => link(page, dest, at, links, &mut scan),
            MarkKind::Image { .. } | MarkKind::Video { .. } => {}
        }
    }
    scan
}

/// Checks one link: that it leads somewhere, and notes it if it points inside a page.
fn link(page: &Page, dest: &str, at: Location, links: &Links, scan: &mut Scan) {
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    let url = match links.index.resolve(page, dest) {
        Err(hint) => {
            let unloaded = linked_page(page, path)
                .is_some_and(|(region, key)| links.unloaded.page(region, key));
            if !unloaded {
                scan.problems.push(Problem::new(
                    at,
                    ProblemKind::BrokenLink {
                        target: dest.to_string(),
                        hint,
                    },
                ));
            }
            return;
        }
        Ok(Some(url)) => url.split('#').next().unwrap_or_default().to_string(),
        Ok(None) if path.is_empty() => page.url().to_string(),
        Ok(None) if path.starts_with('/') && !path.starts_with("//") && !has_scheme(path) => {
            path.split('?').next().unwrap_or_default().to_string()
        }
        Ok(None) => return,
    };
    if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
        scan.fragments.push(Fragment {
            at,
            target: dest.to_string(),
            url,
            fragment: fragment.to_string(),
        });
    }
}
