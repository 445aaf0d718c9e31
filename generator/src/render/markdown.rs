//! Markdown to HTML, with links between pages written by file name (`roles.md`) resolved to
//! their addresses, and heading anchors so those links can point inside a page.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use eclaireurs_model::{Location, Page, Problem, ProblemKind};

use crate::links::LinkIndex;

/// Renders a page's body. Every broken link of the page is reported, each at its own line.
pub fn render(page: &Page, links: &LinkIndex) -> Result<String, Vec<Problem>> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_SMART_PUNCTUATION);

    let mut problems = Vec::new();
    let mut events: Vec<Event> = Vec::with_capacity(256);
    let mut heading: Option<usize> = None;
    let mut line_counter = LineCounter::new(&page.body, page.body_line);

    for (event, range) in Parser::new_ext(&page.body, options).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => {
                problems.push(Problem::new(
                    line_counter.location(&page.path, range.start),
                    ProblemKind::Invalid(
                        "use `##` for headings in the text: the page title is its only \
                         top-level heading"
                            .into(),
                    ),
                ));
                event
            }
            Event::Start(Tag::Heading { .. }) => {
                heading = Some(events.len());
                event
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading.take() {
                    add_heading_id(&mut events, start);
                }
                event
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match links.resolve(page, &dest_url) {
                Ok(Some(url)) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }),
                Ok(None) => Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
                Err(hint) => {
                    problems.push(Problem::new(
                        line_counter.location(&page.path, range.start),
                        ProblemKind::BrokenLink {
                            target: dest_url.to_string(),
                            hint,
                        },
                    ));
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
            },
            other => other,
        };
        events.push(event);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = String::with_capacity(page.body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Ok(out)
}

/// Gives the heading that starts at `events[start]` an id made from its text, unless it
/// has one, e.g. `## Les quatre rôles` gets `id="les-quatre-roles"`.
fn add_heading_id(events: &mut [Event], start: usize) {
    let text: String = events[start + 1..]
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
        if id.is_none() {
            *id = Some(CowStr::from(slugify(&text)));
        }
    }
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

    fn location(&mut self, path: &std::path::Path, offset: usize) -> Location {
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
    use super::slugify;

    #[test]
    fn heading_anchors_drop_accents_and_punctuation() {
        assert_eq!(
            slugify("Les rôles de l'éclaireur"),
            "les-roles-de-l-eclaireur"
        );
        assert_eq!(slugify("Comment s'impliquer?"), "comment-s-impliquer");
        assert_eq!(slugify("Œuvrer ensemble"), "oeuvrer-ensemble");
    }
}
