//! What the whole site needs to know of a page's Markdown, read once when the page loads so
//! its text need not stay in memory: the top-level headings (a mistake), the links with
//! where they are (checked against the other pages once all have loaded), and what its parts
//! are called (heading ids, explicit ids), for the links that point inside it. The generator
//! renders the text itself, read again from the file ([`crate::Page::text`]).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The Markdown the pages are written in: what the loader reads them with, and the renderer.
pub fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_SMART_PUNCTUATION);
    options
}

/// What one reading of a page's text found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextFacts {
    /// The ids a link's `#fragment` may name, sorted, each once: each heading's (as the
    /// renderer makes it) and each `id="…"` written in HTML in the text.
    pub ids: Vec<String>,
    /// The top-level headings and the links, in the order of the text.
    pub marks: Vec<Mark>,
}

impl TextFacts {
    /// Whether the text has a part called `id`.
    pub fn has_id(&self, id: &str) -> bool {
        self.ids
            .binary_search_by(|known| known.as_str().cmp(id))
            .is_ok()
    }
}

/// Something of the text the checks look at, where it starts in the file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkKind {
    /// A `#` heading: the page title is the only top-level one.
    TopHeading,
    /// A link, its destination as written.
    Link(String),
}

/// Reads `body`, which starts on line `first_line` of its file, once.
pub fn scan(body: &str, first_line: usize) -> TextFacts {
    let mut facts = TextFacts::default();
    let mut lines = LineCounter::new(body, first_line);
    let mut heading: Option<String> = None;
    let mut mark = |facts: &mut TextFacts, offset: usize, kind: MarkKind| {
        let (line, column) = lines.at(offset);
        facts.marks.push(Mark { line, column, kind });
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => mark(&mut facts, range.start, MarkKind::TopHeading),
            Event::Start(Tag::Heading { id, .. }) => match id {
                Some(id) => facts.ids.push(id.to_string()),
                None => heading = Some(String::new()),
            },
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = heading.as_mut() {
                    heading.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading.take() {
                    facts.ids.push(slugify(&text));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => facts.ids.extend(html_ids(&html)),
            Event::Start(Tag::Link { dest_url, .. }) => mark(
                &mut facts,
                range.start,
                MarkKind::Link(dest_url.to_string()),
            ),
            _ => {}
        }
    }
    facts.ids.sort_unstable();
    facts.ids.dedup();
    facts.ids.shrink_to_fit();
    facts.marks.shrink_to_fit();
    facts
}

/// Lowercase ASCII words joined by hyphens, accents removed: `Rôles de l'éclaireur` →
/// `roles-de-l-eclaireur`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'â' | 'ä' | 'á' => "a",
        'À' | 'Â' | 'Ä' | 'Á' => "a",
        'ç' | 'Ç' => "c",
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => "e",
        'î' | 'ï' | 'í' | 'Î' | 'Ï' => "i",
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => "o",
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => "u",
        'ÿ' => "y",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        _ => "",
    };
    let own = if folded.is_empty() { Some(c) } else { None };
    folded.chars().chain(own)
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

    /// The line and column (1-based) of `offset`.
    fn at(&mut self, offset: usize) -> (usize, usize) {
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
        (self.line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_written_in_html_are_found() {
        assert_eq!(
            html_ids("<a id=\"haut\"></a><span class='x' id='bas'>"),
            ["haut", "bas"]
        );
        assert!(html_ids("<div data-id=\"no\">").is_empty());
    }

    #[test]
    fn heading_anchors_drop_accents_and_punctuation() {
        assert_eq!(
            slugify("Les rôles de l'éclaireur"),
            "les-roles-de-l-eclaireur"
        );
        assert_eq!(slugify("Comment s'impliquer?"), "comment-s-impliquer");
        assert_eq!(slugify("Œuvrer ensemble"), "oeuvrer-ensemble");
    }

    #[test]
    fn headings_links_and_ids_are_found_with_their_lines() {
        let facts = scan(
            "# Titre\n\n## Les rôles\n\nVoir [là](a.md#x) et <span id=\"bas\">.\n\n## Agir\n",
            6,
        );
        assert_eq!(facts.ids, ["agir", "bas", "les-roles"]);
        assert!(facts.has_id("bas") && !facts.has_id("x"));
        assert_eq!(
            facts.marks,
            [
                Mark {
                    line: 6,
                    column: 1,
                    kind: MarkKind::TopHeading
                },
                Mark {
                    line: 10,
                    column: 6,
                    kind: MarkKind::Link("a.md#x".into())
                },
            ]
        );
    }
}
