//! What a page's Markdown says that can be wrong: top-level headings and links that lead
//! nowhere; and what its parts are called (heading ids, explicit ids), for the links that
//! point inside it.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use eclaireurs_model::{Location, Page, Problem, ProblemKind, Unloaded};

use crate::links::{has_scheme, linked_page, LinkIndex};
use crate::render::markdown::{options, slugify};

/// What one reading of a page's text found.
#[derive(Debug, Default)]
pub struct Scan {
    /// The ids a link's `#fragment` may name: each heading's (as the renderer makes it) and
    /// each `id="…"` written in HTML in the text.
    pub ids: HashSet<String>,
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

/// What to check the links against; without it only the ids are gathered.
pub struct Links<'a> {
    pub index: &'a LinkIndex,
    /// What did not load: a link to it is not reported again.
    pub unloaded: &'a Unloaded,
}

/// Reads `page`'s text once.
pub fn scan(page: &Page, links: Option<&Links>) -> Scan {
    let mut scan = Scan::default();
    let mut lines = LineCounter::new(&page.body, page.body_line);
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new_ext(&page.body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => scan.problems.push(Problem::new(
                lines.location(&page.path, range.start),
                ProblemKind::Invalid(
                    "use `##` for headings in the text: the page title is its only top-level \
                     heading"
                        .into(),
                ),
            )),
            Event::Start(Tag::Heading { id, .. }) => match id {
                Some(id) => {
                    scan.ids.insert(id.to_string());
                }
                None => heading = Some(String::new()),
            },
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = heading.as_mut() {
                    heading.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading.take() {
                    scan.ids.insert(slugify(&text));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => scan.ids.extend(html_ids(&html)),
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(links) = links {
                    let at = lines.location(&page.path, range.start);
                    link(page, &dest_url, at, links, &mut scan);
                }
            }
            _ => {}
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

/// The values of `id="…"` (or `id='…'`) in a piece of HTML.
fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("id=") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 3..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            ids.push(rest[1..1 + end].to_string());
            rest = &rest[1 + end..];
        }
    }
    ids
}

/// Turns byte offsets of the body into file lines, scanning forward only (offsets arrive in
/// order), so locating every link of a page stays linear.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: first_line,
            line_start: 0,
        }
    }

    fn location(&mut self, path: &Path, offset: usize) -> Location {
        if offset < self.offset {
            // Offsets of nested events can step back; rescan from the start.
            self.line -= self.text[..self.offset].matches('\n').count();
            self.offset = 0;
            self.line_start = 0;
        }
        for (i, b) in self.text.as_bytes()[self.offset..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        let column = self.text[self.line_start..offset].chars().count() + 1;
        Location::at(path, self.line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::html_ids;

    #[test]
    fn ids_written_in_html_are_found() {
        assert_eq!(
            html_ids("<a id=\"haut\"></a><span class='x' id='bas'>"),
            ["haut", "bas"]
        );
        assert!(html_ids("<div data-id=\"no\">").is_empty());
    }
}
