//! Markdown to HTML, with links between pages written by file name (`roles.md`) resolved to
//! their addresses, heading anchors so those links can point inside a page, pictures as
//! `<picture>` with their published widths, documents linked under their published names with
//! their kind and size, and video paragraphs as a still that loads the player on a click.
//! What is wrong in the text (`crate::check`, `crate::media::collect`) was found before.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use eclaireurs_model::markdown::{options, slugify, video_paragraph};
use eclaireurs_model::{Page, Site};

use crate::links::LinkIndex;
use crate::media::{alt_text, Media};
use crate::render::media::{self as markup, Loading, VideoText, TEXT_SIZES};

/// A picture this far into the text (in bytes of Markdown), before any `##` heading, is
/// taken to be on the first screen: it loads at once rather than lazily.
const FIRST_SCREEN: usize = 1000;

/// What a page's Markdown is rendered with.
pub struct Context<'a> {
    pub site: &'a Site,
    pub links: &'a LinkIndex,
    pub media: &'a Media,
}

/// Renders a page's Markdown, `text` ([`Page::text`]). The page was checked before
/// (`crate::check`): a link that does not resolve is kept as written.
pub fn render(page: &Page, text: &str, ctx: &Context) -> String {
    let (mut events, ranges): (Vec<Event>, Vec<std::ops::Range<usize>>) =
        Parser::new_ext(text, options()).into_offset_iter().unzip();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut heading: Option<usize> = None;
    let mut pictures_seen = false;
    let mut below_heading = false;
    let mut document_label: Option<String> = None;
    let mut i = 0;
    while i < events.len() {
        if let Some(paragraph) = video_paragraph(&events, i) {
            let still = paragraph.still.as_ref().and_then(|(dest, alt)| {
                let picture = ctx.media.page_picture(ctx.site, page, dest)?;
                let html = markup::picture(picture, alt_text(alt), Loading::Lazy, TEXT_SIZES);
                Some(format!(r#"<span class="video-still">{html}</span>"#))
            });
            let text = VideoText {
                strings: &ctx.site.strings,
                lang: page.lang,
                privacy_url: ctx
                    .links
                    .url_or_fallback(None, "privacy", page.lang)
                    .map(|url| format!("{url}#videos")),
            };
            let html = markup::video(&paragraph.video, &paragraph.title, still, &text);
            out.push(Event::Html(CowStr::from(html)));
            i = paragraph.end + 1;
            continue;
        }
        let event = std::mem::replace(&mut events[i], Event::SoftBreak);
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(out.len());
                below_heading |= level != HeadingLevel::H1;
                event
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading.take() {
                    add_heading_id(&mut out, start);
                }
                event
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                let (end, alt) = image_end(&events, i);
                let on_first_screen =
                    !pictures_seen && !below_heading && ranges[i].start < FIRST_SCREEN;
                pictures_seen = true;
                if let Some(picture) = ctx.media.page_picture(ctx.site, page, dest_url) {
                    let loading = if on_first_screen {
                        Loading::First
                    } else {
                        Loading::Lazy
                    };
                    let html = markup::picture(picture, alt_text(&alt), loading, TEXT_SIZES);
                    out.push(Event::InlineHtml(CowStr::from(html)));
                    i = end + 1;
                    continue;
                }
                event
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if let Some(doc) = ctx.media.page_document(ctx.site, page, &dest_url)
                {
                    document_label = Some(doc.label(page.lang));
                    CowStr::from(doc.url.clone())
                } else {
                    match ctx.links.resolve(page, &dest_url) {
                        Ok(Some(url)) => CowStr::from(url),
                        Ok(None) | Err(_) => dest_url,
                    }
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if let Some(label) = document_label.take() {
                    out.push(Event::Text(CowStr::from(format!(" {label}"))));
                }
                Event::End(TagEnd::Link)
            }
            other => other,
        };
        out.push(event);
        i += 1;
    }
    let mut html_out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut html_out, out.into_iter());
    html_out
}

/// The index of the end of the picture that starts at `events[start]` (taken out already),
/// and its description.
fn image_end(events: &[Event], start: usize) -> (usize, String) {
    let mut alt = String::new();
    let mut depth = 1;
    for (i, event) in events.iter().enumerate().skip(start + 1) {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    return (i, alt);
                }
            }
            Event::Text(text) | Event::Code(text) => alt.push_str(text),
            _ => {}
        }
    }
    (events.len().saturating_sub(1), alt)
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
