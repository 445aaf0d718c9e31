//! What the function needs to answer a browser with the site's own pages, put into its
//! catalog ([`eclaireurs_model::catalog::Theme`]): the templates, the static files they name,
//! what each language's pages share, and for each form's page the values its template saw
//! (made by the same code that renders the page), less the catalog's version, which the
//! function puts itself.

use serde::Serialize;

use eclaireurs_model::catalog::theme::{ASSETS, TEMPLATES};
use eclaireurs_model::catalog::Theme;
use eclaireurs_model::{Assets, Catalog, Lang, Localized, Problem, Site};

use super::views::{self, FormView};
use std::sync::Arc;

use super::{templates, to_value, Renderer, SiteView};
use crate::links::LinkIndex;
use crate::media::Media;

/// The region as the function's pages show it (the header's name and link).
#[derive(Serialize)]
struct RegionBrief<'a> {
    slug: &'a str,
    name: &'a str,
    url: Option<&'a str>,
}

/// Adds the theme's share to `catalog` and seals it again (its version changes); hands back
/// the site's addresses, which it rendered the pages' text with, and the site's templates,
/// compiled (for the build's renderer: [`Renderer::with_templates`]).
pub fn add_theme(
    catalog: &mut Catalog,
    site: &Site,
    assets: &Assets,
    links: LinkIndex,
    media: &Arc<Media>,
) -> Result<(LinkIndex, tera::Tera), Vec<Problem>> {
    let renderer = Renderer::new(site, assets, links, "")
        .map_err(|p| vec![p])?
        .with_media(media.clone());
    let templates = templates::sources(site, TEMPLATES).map_err(|p| vec![p])?;
    let mut urls = std::collections::BTreeMap::new();
    for name in ASSETS {
        let url = assets.url(&format!("/{name}")).ok_or_else(|| {
            vec![Problem::invalid(
                &site.theme,
                format!("the static file `{name}` is missing: the function's pages need it"),
            )]
        })?;
        urls.insert(name.to_string(), url.to_string());
    }
    let base = |lang: Lang| {
        serde_json::json!({
            "site": SiteView {
                title: site.config.title.get(lang),
                base_url: &site.config.base_url,
            },
            "regions_url": renderer.links.url(None, eclaireurs_model::page::INDEX, lang).unwrap_or("/"),
            "privacy_url": renderer.links.url_or_fallback(None, "privacy", lang),
        })
    };
    catalog.theme = Some(Theme {
        templates,
        assets: urls,
        base: Localized {
            fr: base(Lang::Fr),
            en: base(Lang::En),
        },
    });
    let mut problems = Vec::new();
    for location in &mut catalog.pages {
        let page = location.page.as_deref().and_then(|url| {
            site.region(&location.region)?
                .pages
                .iter()
                .find(|p| p.lang == location.lang && p.url() == url)
        });
        let (Some(page), Some(region), Some(form)) = (
            page,
            site.region(&location.region),
            site.form(&location.form),
        ) else {
            continue;
        };
        let text = match page.text() {
            Ok(text) => text,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let content = renderer.markdown(page, &text);
        let keys = renderer.page_keys(page, content);
        let form = FormView::new(
            form,
            region,
            page.lang,
            &site.config.api_url,
            &renderer.links,
            None,
        );
        location.context = Some(serde_json::json!({
            "page": keys.page,
            "switch": keys.switch,
            "alternates": keys.alternates,
            "nav": to_value(&views::nav(region, page.lang)),
            "region": RegionBrief {
                slug: &region.slug,
                name: region.data.name.get(page.lang),
                url: renderer.links.url_or_fallback(Some(&region.slug), "index", page.lang),
            },
            "form": to_value(&form),
        }));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    catalog.seal().map_err(|e| vec![e.problem(site)])?;
    Ok((renderer.links, renderer.tera))
}
