//! Markdown to HTML, with links between pages written by file name (`roles.md`) resolved to
//! their addresses, and heading anchors so those links can point inside a page. What is
//! wrong in the text (`crate::check`) was found before.

use pulldown_cmark::{html, CowStr, Event, Parser, Tag, TagEnd};

use eclaireurs_model::markdown::{options, slugify};
use eclaireurs_model::Page;

use crate::links::LinkIndex;

/// Renders a page's Markdown, `text` ([`Page::text`]). The page was checked before
/// (`crate::check`): a link that does not resolve is kept as written.
pub fn render(page: &Page, text: &str, links: &LinkIndex) -> String {
    let mut events: Vec<Event> = Vec::with_capacity(256);
    let mut heading: Option<usize> = None;
    for event in Parser::new_ext(text, options()) {
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
    let mut out = String::with_capacity(text.len() * 3 / 2);
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
