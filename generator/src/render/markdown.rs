//! Markdown to HTML, with links between pages written by file name (`roles.md`) resolved to
//! their addresses, and heading anchors so those links can point inside a page. What is
//! wrong in the text (`crate::check`) was found before.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

use eclaireurs_model::Page;

use crate::links::LinkIndex;

/// The Markdown the pages are written in: what `check` reads them with, too.
pub fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_SMART_PUNCTUATION);
    options
}

/// Renders a page's body. The page was checked before (`crate::check`): a link that does
/// not resolve is kept as written.
pub fn render(page: &Page, links: &LinkIndex) -> String {
    let mut events: Vec<Event> = Vec::with_capacity(256);
    let mut heading: Option<usize> = None;
    for event in Parser::new_ext(&page.body, options()) {
        let event = match event {
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
            }) => {
                let dest_url = match links.resolve(page, &dest_url) {
                    Ok(Some(url)) => CowStr::from(url),
                    Ok(None) | Err(_) => dest_url,
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        events.push(event);
    }
    let mut out = String::with_capacity(page.body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
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
