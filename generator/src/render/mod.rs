//! Rendering every page of a site through the theme, in parallel. Pages are handed to a
//! sink as soon as they are rendered, so rendered pages never pile up in memory; nor do the
//! Markdown sources, each read again from its file when its page is rendered
//! ([`Page::text`]).

pub mod answers;
pub mod markdown;
pub mod media;
pub mod notice;
pub mod templates;
pub mod views;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use tera::{Context, Tera};

use eclaireurs_model::page::INDEX;
use eclaireurs_model::{Assets, Lang, Page, Problem, Region, Site};

use crate::links::LinkIndex;
use crate::media::Media;
use crate::sitemap;
use views::{FormView, RegionView};

const FOOTER: &str = "partials/footer.html";

/// What the markup of a video carries ([`media::video`]), which `assets/video.js` looks for.
const VIDEO_MARK: &str = "data-video-player=";

/// Receives each rendered file: its path in the output folder and its contents.
pub trait Sink: Sync {
    fn write(&self, path: &str, contents: &[u8]) -> Result<(), Problem>;
}

pub struct Renderer<'a> {
    site: &'a Site,
    tera: Tera,
    links: LinkIndex,
    /// Extra markup at the end of every page's `<body>`; `serve` puts its reload script here.
    pub body_end: String,
    /// `partials/footer.html`, the same on every page of a language: rendered once per
    /// language rather than once per page.
    footers: Vec<(Lang, String)>,
    /// The version of the function's catalog, carried by every form.
    catalog_version: String,
    /// The pictures and documents the pages show and link, as published.
    media: Arc<Media>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    base_url: &'a str,
}

/// A page's own values; its rendered Markdown (`content`) is added beside them by
/// [`Renderer::render_html`], moved rather than copied.
#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    key: &'a str,
    url: &'a str,
    canonical: String,
    /// Kept out of search engines (a form's thank-you page, a draft).
    noindex: bool,
    /// A draft, which only `serve` shows: the page says so.
    draft: bool,
    /// A form's thank-you page: it shows how to reach the relay team.
    thanks: bool,
    /// It shows a video: it loads the script that loads a player on a click.
    videos: bool,
}

/// What [`Renderer::page_keys`] makes of a page.
struct PageKeys {
    page: Value,
    switch: Value,
    alternates: Value,
}

#[derive(Serialize)]
struct Alternate<'a> {
    lang: Lang,
    url: &'a str,
}

#[derive(Serialize)]
struct Switch<'a> {
    lang: Lang,
    url: &'a str,
    /// The link's text, in the language it leads to (`switch.label`).
    label: &'a str,
    /// Said when the page has no translation and the link leads to the nearest page
    /// (`switch.nearest`).
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct LangView<'a> {
    lang: Lang,
    title: &'a str,
    description: &'a str,
    url: &'a str,
    privacy_url: Option<&'a str>,
    t: &'a serde_yaml::Value,
    regions: Vec<RegionView<'a>>,
}

impl<'a> Renderer<'a> {
    /// `assets` are the static files, which templates (`asset(path=…)`) and links may point
    /// to; `links` are the site's addresses (the checks'); `catalog_version` is the version
    /// of the function's catalog built with the pages.
    pub fn new(
        site: &'a Site,
        assets: &Assets,
        links: LinkIndex,
        catalog_version: &str,
    ) -> Result<Self, Problem> {
        Self::with_templates(site, templates::load(site, assets)?, links, catalog_version)
    }

    /// [`Renderer::new`] with the site's templates already compiled ([`templates::load`]):
    /// compiling them is most of a small site's check, so a build compiles them once.
    pub fn with_templates(
        site: &'a Site,
        tera: Tera,
        links: LinkIndex,
        catalog_version: &str,
    ) -> Result<Self, Problem> {
        let mut renderer = Renderer {
            site,
            tera,
            links,
            body_end: String::new(),
            footers: Vec::new(),
            catalog_version: catalog_version.to_string(),
            media: Arc::default(),
        };
        if renderer.tera.get_template(FOOTER).is_ok() {
            for lang in Lang::ALL {
                let footer = renderer
                    .tera
                    .render(FOOTER, &renderer.base_context(lang))
                    .map_err(|e| renderer.template_problem(FOOTER, &site.theme, &e))?;
                renderer.footers.push((lang, footer));
            }
        }
        Ok(renderer)
    }

    /// The pictures and documents the pages show and link, as published (none by default).
    pub fn with_media(mut self, media: Arc<Media>) -> Self {
        self.media = media;
        self
    }

    /// A page's Markdown as HTML.
    pub(crate) fn markdown(&self, page: &Page, text: &str) -> String {
        markdown::render(
            page,
            text,
            &markdown::Context {
                site: self.site,
                links: &self.links,
                media: &self.media,
            },
        )
    }

    /// Renders every page into `sink` and returns how many pages there were.
    pub fn render_all(&self, sink: &dyn Sink) -> Result<usize, Vec<Problem>> {
        let count = AtomicUsize::new(0);
        // What every page of a language shares, made once: each worker takes a copy and sets
        // the region's and the page's keys on it, so the interface strings (`t`) are not
        // turned into template values again for every region.
        let bases = Lang::ALL.map(|lang| self.base_context(lang));
        let problems: Vec<Problem> = [None]
            .into_par_iter()
            .chain(self.site.regions.par_iter().map(Some))
            .map_init(
                || bases.clone(),
                |bases, region| match region {
                    None => self.render_site_pages(sink),
                    Some(region) => self.render_region(region, bases, sink),
                },
            )
            .flat_map_iter(|result| match result {
                Ok(n) => {
                    count.fetch_add(n, Ordering::Relaxed);
                    Vec::new()
                }
                Err(problems) => problems,
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let sitemap = sitemap::sitemap(self.site, &self.links);
        let robots = sitemap::robots(self.site);
        sink.write("sitemap.xml", sitemap.as_bytes())
            .map_err(|p| vec![p])?;
        sink.write("robots.txt", robots.as_bytes())
            .map_err(|p| vec![p])?;
        Ok(count.into_inner())
    }

    fn base_context(&self, lang: Lang) -> Context {
        let site = self.site;
        let mut ctx = Context::new();
        ctx.insert(
            "site",
            &SiteView {
                title: site.config.title.get(lang),
                base_url: &site.config.base_url,
            },
        );
        ctx.insert("lang", &lang);
        ctx.insert("t", site.strings.table(lang));
        ctx.insert(
            "regions_url",
            self.links.url(None, INDEX, lang).unwrap_or("/"),
        );
        ctx.insert(
            "privacy_url",
            &self.links.url_or_fallback(None, "privacy", lang),
        );
        ctx.insert("body_end", &self.body_end);
        // A form's answers and errors: none on the site's pages; the function's pages fill
        // them in (partials/field.html).
        ctx.insert("values", &serde_json::Map::new());
        ctx.insert("errors", &serde_json::Map::new());
        let footer = self.footers.iter().find(|(l, _)| *l == lang);
        ctx.insert("footer", footer.map_or("", |(_, html)| html.as_str()));
        ctx
    }

    fn render_site_pages(&self, sink: &dyn Sink) -> Result<usize, Vec<Problem>> {
        let site = self.site;
        let mut problems = Vec::new();
        let mut count = 0;
        for lang in Lang::ALL {
            // Made for each use rather than kept: 700 regions' views are tens of megabytes.
            let mut base = self.base_context(lang);
            base.insert("regions", &self.region_list(lang));
            for page in site.pages.iter().filter(|p| p.lang == lang) {
                match self.render_site_page(page, &mut base) {
                    Ok(html) => match sink.write(&output_path(page.url()), html.as_bytes()) {
                        Ok(()) => count += 1,
                        Err(p) => problems.push(p),
                    },
                    Err(ps) => problems.extend(ps),
                }
            }
        }
        // The portal and the 404 page speak both languages at once.
        let langs: Vec<LangView> = Lang::ALL
            .iter()
            .map(|&lang| {
                let index = site.pages.iter().find(|p| p.lang == lang && p.key == INDEX);
                LangView {
                    lang,
                    title: index.map_or(site.config.title.get(lang), |p| &p.meta.title),
                    description: index.map_or("", |p| &p.meta.description),
                    url: self.links.url(None, INDEX, lang).unwrap_or("/"),
                    privacy_url: self.links.url_or_fallback(None, "privacy", lang),
                    t: site.strings.table(lang),
                    regions: self.region_list(lang),
                }
            })
            .collect();
        let mut ctx = self.base_context(site.config.default_lang());
        ctx.insert("langs", &langs);
        for (template, path) in [("portal.html", "index.html"), ("404.html", "404.html")] {
            match self.tera.render(template, &ctx) {
                Ok(html) => {
                    match sink.write(path, typeset(html, site.config.default_lang()).as_bytes()) {
                        Ok(()) => count += 1,
                        Err(p) => problems.push(p),
                    }
                }
                Err(e) => problems.push(self.template_problem(template, &site.root, &e)),
            }
        }
        if problems.is_empty() {
            Ok(count)
        } else {
            Err(problems)
        }
    }

    /// `bases` holds the context of each language (in [`Lang::ALL`]'s order), whose region
    /// and page keys are replaced here.
    fn render_region(
        &self,
        region: &Region,
        bases: &mut [Context; 2],
        sink: &dyn Sink,
    ) -> Result<usize, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut count = 0;
        for (lang, base) in Lang::ALL.into_iter().zip(bases.iter_mut()) {
            self.set_region(base, region, lang);
            for page in region.pages.iter().filter(|p| p.lang == lang) {
                match self.render_region_page(region, page, base) {
                    Ok(html) => match sink.write(&output_path(page.url()), html.as_bytes()) {
                        Ok(()) => count += 1,
                        Err(p) => problems.push(p),
                    },
                    Err(ps) => problems.extend(ps),
                }
            }
        }
        if problems.is_empty() {
            Ok(count)
        } else {
            Err(problems)
        }
    }

    /// Renders only `pages` (of this renderer's site), for `serve` when an edit changed
    /// nothing but their text: no other page's output depends on it.
    pub fn render_selected(&self, pages: &[&Page], sink: &dyn Sink) -> Result<usize, Vec<Problem>> {
        let mut problems = Vec::new();
        for page in pages {
            let html = match page
                .region
                .as_deref()
                .and_then(|slug| self.site.region(slug))
            {
                Some(region) => {
                    let mut base = self.region_context(region, page.lang);
                    self.render_region_page(region, page, &mut base)
                }
                None => {
                    let mut base = self.base_context(page.lang);
                    base.insert("regions", &self.region_list(page.lang));
                    self.render_site_page(page, &mut base)
                }
            };
            match html {
                Ok(html) => {
                    if let Err(p) = sink.write(&output_path(page.url()), html.as_bytes()) {
                        problems.push(p);
                    }
                }
                Err(ps) => problems.extend(ps),
            }
        }
        if problems.is_empty() {
            Ok(pages.len())
        } else {
            Err(problems)
        }
    }

    /// What every page of a region in one language shares: the region and its menu.
    fn region_context(&self, region: &Region, lang: Lang) -> Context {
        let mut base = self.base_context(lang);
        self.set_region(&mut base, region, lang);
        base
    }

    /// Sets (or replaces) the region and its menu on a language's context.
    fn set_region(&self, ctx: &mut Context, region: &Region, lang: Lang) {
        ctx.insert("region", &RegionView::new(region, lang, &self.links));
        ctx.insert("nav", &views::nav(region, lang));
        // Set for every region, so a region without one does not keep the previous one's.
        let logo = match (self.media.logo(region), &region.data.logo) {
            (Some(picture), Some(logo)) => media::picture(
                picture,
                logo.alt.get(lang),
                media::Loading::First,
                media::LOGO_SIZES,
            ),
            _ => String::new(),
        };
        ctx.insert("region_logo", &logo);
    }

    fn render_region_page(
        &self,
        region: &Region,
        page: &Page,
        base: &mut Context,
    ) -> Result<String, Vec<Problem>> {
        let form = page.meta.form.as_deref().and_then(|id| self.site.form(id));
        let form = form.map(|f| {
            FormView::new(
                f,
                region,
                page.lang,
                &self.site.config.api_url,
                &self.links,
                Some(&self.catalog_version),
            )
        });
        self.render_page(page, base, "page.html", form)
    }

    fn render_site_page(&self, page: &Page, base: &mut Context) -> Result<String, Vec<Problem>> {
        let default = if page.key == INDEX {
            "regions.html"
        } else {
            "page.html"
        };
        // The privacy notice: its lists come from the forms and regions (notice.rs), its
        // text is the page's Markdown, rendered once for both.
        if page.meta.template.as_deref() != Some(notice::TEMPLATE) {
            return self.render_page(page, base, default, None);
        }
        let text = page.text().map_err(|p| vec![p])?;
        let content = self.markdown(page, &text);
        base.insert(
            "notice",
            &notice::NoticeView::new(self.site, page, &text, &content, &self.links)?,
        );
        let html = self.render_html(page, content, base, default, None);
        base.remove("notice");
        html
    }

    /// Renders a page with the context its group shares. The page's own keys (`page`,
    /// `switch`, `alternates`, `form`) are set on that context, replacing the previous
    /// page's, rather than on a copy: copying the context cost more than rendering.
    fn render_page(
        &self,
        page: &Page,
        ctx: &mut Context,
        default_template: &str,
        form: Option<FormView>,
    ) -> Result<String, Vec<Problem>> {
        let text = page.text().map_err(|p| vec![p])?;
        let content = self.markdown(page, &text);
        drop(text);
        self.render_html(page, content, ctx, default_template, form)
    }

    /// [`Renderer::render_page`] once the page's Markdown is rendered (`content`).
    fn render_html(
        &self,
        page: &Page,
        content: String,
        ctx: &mut Context,
        default_template: &str,
        form: Option<FormView>,
    ) -> Result<String, Vec<Problem>> {
        let keys = self.page_keys(page, content);
        set(ctx, "page", keys.page);
        set(ctx, "switch", keys.switch);
        set(ctx, "alternates", keys.alternates);
        ctx.insert("form", &form);
        let template = page.meta.template.as_deref().unwrap_or(default_template);
        self.tera
            .render(template, ctx)
            .map(|html| typeset(html, page.lang))
            .map_err(|e| vec![self.template_problem(template, &page.path, &e)])
    }

    /// The keys a page sets on its group's context, as template values: `page` (with its
    /// rendered Markdown, `content`), `switch` and `alternates`.
    fn page_keys(&self, page: &Page, content: String) -> PageKeys {
        let url = page.url();
        let region = page.region.as_deref();
        let other = page.lang.other();
        let translation = self.links.url(region, &page.key, other);
        let strings = &self.site.strings;
        let switch = Switch {
            lang: other,
            url: translation
                .or_else(|| region.and_then(|r| self.links.url(Some(r), INDEX, other)))
                .or_else(|| self.links.url(None, INDEX, other))
                .unwrap_or("/"),
            label: strings.get(other, "switch.label").unwrap_or(other.code()),
            note: match translation {
                Some(_) => None,
                None => strings.get(other, "switch.nearest"),
            },
        };
        let alternates: Vec<Alternate> = match translation {
            Some(other_url) => {
                let mut both = vec![
                    Alternate {
                        lang: page.lang,
                        url,
                    },
                    Alternate {
                        lang: other,
                        url: other_url,
                    },
                ];
                both.sort_by_key(|a| a.lang);
                both
            }
            None => Vec::new(),
        };
        let mut view = to_value(&PageView {
            title: &page.meta.title,
            description: &page.meta.description,
            key: &page.key,
            url,
            canonical: format!("{}{}", self.site.config.base_url, url),
            noindex: self.site.is_thanks_page(page) || self.site.is_draft(page),
            draft: self.site.is_draft(page),
            thanks: self.site.is_thanks_page(page),
            videos: content.contains(VIDEO_MARK),
        });
        if let Value::Object(fields) = &mut view {
            fields.insert("content".into(), Value::String(content));
        }
        PageKeys {
            page: view,
            switch: to_value(&switch),
            alternates: to_value(&alternates),
        }
    }

    fn region_list(&self, lang: Lang) -> Vec<RegionView<'_>> {
        self.site
            .regions
            .iter()
            .map(|r| RegionView::new(r, lang, &self.links))
            .collect()
    }

    fn template_problem(
        &self,
        template: &str,
        page: &std::path::Path,
        err: &tera::Error,
    ) -> Problem {
        Problem::invalid(
            page,
            format!(
                "the template `{template}` failed for this page: {}",
                templates::message(err)
            ),
        )
    }
}

/// Sets `key` to a value already made for templates, moving it rather than copying it as
/// [`Context::insert`] would.
fn set(ctx: &mut Context, key: &str, value: Value) {
    let mut one = serde_json::Map::new();
    one.insert(key.to_string(), value);
    if let Ok(values) = Context::from_value(Value::Object(one)) {
        ctx.extend(values);
    }
}

/// A view as a template value, as [`Context::insert`] makes it (and, like it, never failing:
/// views hold only text, numbers, lists and maps with text keys).
fn to_value<T: Serialize>(view: &T) -> Value {
    serde_json::to_value(view).expect("views are text, numbers, lists and maps with text keys")
}

/// French typography where the text is French (a French page, or text marked `lang="fr"`);
/// elsewhere only phone numbers kept on one line.
fn typeset(html: String, lang: Lang) -> String {
    eclaireurs_model::typography::french(&html, lang.code())
}

/// `/fr/region/` → `fr/region/index.html`.
pub fn output_path(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{output_path, set, Context, Value};

    #[test]
    fn a_value_set_on_a_context_replaces_the_previous_pages() {
        let mut ctx = Context::new();
        ctx.insert("page", &"previous");
        ctx.insert("t", &"kept");
        set(&mut ctx, "page", Value::String("next".into()));
        assert_eq!(ctx.get("page"), Some(&Value::String("next".into())));
        assert_eq!(ctx.get("t"), Some(&Value::String("kept".into())));
    }

    #[test]
    fn page_addresses_become_index_files() {
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(
            output_path("/fr/bas-saint-laurent/"),
            "fr/bas-saint-laurent/index.html"
        );
        assert_eq!(output_path("/404.html"), "404.html");
    }
}
