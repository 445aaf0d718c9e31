//! What the whole site needs to know of a page's Markdown, read once when the page loads so
//! its text need not stay in memory: the top-level headings (a mistake), the links with
//! where they are (checked against the other pages once all have loaded), and what its parts
//! are called (heading ids, explicit ids), for the links that point inside it. The generator
//! renders the text itself, read again from the file ([`crate::Page::text`]).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::video::Video;

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
    /// A picture: its file as written and its description (`![description](file)`).
    Image { dest: String, alt: String },
    /// A paragraph holding only a link to a video ([`video_paragraph`]): its address and its
    /// title, the link's text (a still's description left out).
    Video { address: String, title: String },
}

/// A paragraph that holds only a link to a video: `[Title](https://youtu.be/ID)`, or with a
/// still, `[![décoratif](still.jpg) Title](https://youtu.be/ID)`. Found the same way by the
/// checks and the renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoParagraph {
    pub video: Video,
    /// The index of the paragraph's end in the events.
    pub end: usize,
    /// The link's text, the still's description left out, trimmed.
    pub title: String,
    /// The still's file as written, and its description.
    pub still: Option<(String, String)>,
}

/// The video paragraph starting at `events[start]` (a paragraph's start), if it is one.
pub fn video_paragraph(events: &[Event], start: usize) -> Option<VideoParagraph> {
    if !matches!(events.get(start), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    let Some(Event::Start(Tag::Link { dest_url, .. })) = events.get(start + 1) else {
        return None;
    };
    let video = Video::parse(dest_url)?;
    let mut title = String::new();
    let mut still = None;
    let mut in_image: Option<(String, String)> = None;
    let mut i = start + 2;
    loop {
        match events.get(i)? {
            Event::End(TagEnd::Link) => break,
            Event::Start(Tag::Image { dest_url, .. })
                if still.is_none() && title.trim().is_empty() =>
            {
                in_image = Some((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Image) => still = in_image.take(),
            Event::Text(text) | Event::Code(text) => match in_image.as_mut() {
                Some((_, alt)) => alt.push_str(text),
                None => title.push_str(text),
            },
            Event::SoftBreak | Event::HardBreak => title.push(' '),
            // Emphasis and the like inside the title: their text is read above.
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {}
            _ => return None,
        }
        i += 1;
    }
    // Nothing else in the paragraph but blanks.
    let mut end = i + 1;
    loop {
        match events.get(end)? {
            Event::End(TagEnd::Paragraph) => break,
            Event::Text(text) if text.trim().is_empty() => {}
            Event::SoftBreak | Event::HardBreak => {}
            _ => return None,
        }
        end += 1;
    }
    Some(VideoParagraph {
        video,
        end,
        title: title.split_whitespace().collect::<Vec<_>>().join(" "),
        still,
    })
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
    let (events, ranges): (Vec<Event>, Vec<std::ops::Range<usize>>) =
        Parser::new_ext(body, options()).into_offset_iter().unzip();
    let mut image: Option<(usize, String, String)> = None;
    for (i, (event, range)) in events.iter().zip(&ranges).enumerate() {
        if let Some(paragraph) = video_paragraph(&events, i) {
            mark(
                &mut facts,
                range.start,
                MarkKind::Video {
                    address: paragraph.video.page_url(),
                    title: paragraph.title,
                },
            );
        }
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
                    heading.push_str(text);
                }
                if let Some((_, _, alt)) = image.as_mut() {
                    alt.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading.take() {
                    facts.ids.push(slugify(&text));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => facts.ids.extend(html_ids(html)),
            Event::Start(Tag::Link { dest_url, .. }) => mark(
                &mut facts,
                range.start,
                MarkKind::Link(dest_url.to_string()),
            ),
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((range.start, dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((start, dest, alt)) = image.take() {
                    mark(&mut facts, start, MarkKind::Image { dest, alt });
                }
            }
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

    #[test]
    fn pictures_are_found_with_their_descriptions_and_lines() {
        let facts = scan(
            "Texte.\n\n![Des éclaireurs à *Alma*](alma.jpg)\n\n![](sans.png)\n",
            3,
        );
        let images: Vec<_> = facts
            .marks
            .iter()
            .filter_map(|m| match &m.kind {
                MarkKind::Image { dest, alt } => Some((m.line, dest.as_str(), alt.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            images,
            [
                (5, "alma.jpg", "Des éclaireurs à Alma"),
                (7, "sans.png", "")
            ]
        );
    }

    #[test]
    fn a_paragraph_that_is_only_a_video_link_is_a_video() {
        let facts = scan(
            "[Capsule 1 : le rôle](https://youtu.be/aqz-KE-bpKQ)\n\n\
             [![décoratif](still.jpg) Capsule 2](https://vimeo.com/76979871)\n\n\
             Voir [la capsule](https://youtu.be/aqz-KE-bpKQ) en ligne.\n",
            1,
        );
        let videos: Vec<_> = facts
            .marks
            .iter()
            .filter_map(|m| match &m.kind {
                MarkKind::Video { address, title } => {
                    Some((m.line, address.as_str(), title.as_str()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            videos,
            [
                (
                    1,
                    "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                    "Capsule 1 : le rôle"
                ),
                (3, "https://vimeo.com/76979871", "Capsule 2"),
            ],
            "a video link inside a sentence stays a link"
        );
        let events: Vec<Event> = Parser::new_ext(
            "[![décoratif](still.jpg) Capsule 2](https://vimeo.com/76979871)",
            options(),
        )
        .collect();
        let paragraph = video_paragraph(&events, 0).expect("a video paragraph");
        assert_eq!(
            paragraph.still,
            Some(("still.jpg".to_string(), "décoratif".to_string()))
        );
        assert_eq!(paragraph.end, events.len() - 1);
    }
}
