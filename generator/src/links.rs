//! Every address the site will have, so links can be resolved and checked before anything is
//! written.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use eclaireurs_model::{Assets, Lang, Page, Site};

/// Page addresses by (region, key, language), plus every other file the site publishes.
pub struct LinkIndex {
    pages: HashMap<(Option<String>, String, Lang), String>,
    urls: HashSet<String>,
    keys: HashMap<(Option<String>, Lang), BTreeSet<String>>,
    /// Static files published under another name (fingerprinted): name in the folder →
    /// published address.
    renamed: HashMap<String, String>,
    /// Drafts left out of the site: (region, key, language) of a page, or (region, "", fr)
    /// for a whole region → its file, to say why a link to one leads nowhere.
    drafts: HashMap<(Option<String>, String, Lang), PathBuf>,
}

impl LinkIndex {
    /// `assets` are the other published files (stylesheet, images).
    pub fn new(site: &Site, assets: &Assets) -> Self {
        let mut pages = HashMap::new();
        let mut keys: HashMap<_, BTreeSet<String>> = HashMap::new();
        let mut urls: HashSet<String> = HashSet::new();
        let mut renamed = HashMap::new();
        for (path, asset) in assets.iter() {
            urls.insert(asset.url.clone());
            if asset.url != path {
                renamed.insert(path.to_string(), asset.url.clone());
            }
        }
        for page in site.all_pages() {
            let url = page.url().to_string();
            urls.insert(url.clone());
            pages.insert((page.region.clone(), page.key.clone(), page.lang), url);
            keys.entry((page.region.clone(), page.lang))
                .or_default()
                .insert(page.key.clone());
        }
        for fixed in ["/", "/404.html", "/sitemap.xml", "/robots.txt"] {
            urls.insert(fixed.to_string());
        }
        let drafts = site
            .drafts
            .iter()
            .map(|d| {
                let (key, lang) = d.page.clone().unwrap_or((String::new(), Lang::Fr));
                ((d.region.clone(), key, lang), d.path.clone())
            })
            .collect();
        LinkIndex {
            pages,
            urls,
            keys,
            renamed,
            drafts,
        }
    }

    /// The address of a page in a language, if that page exists.
    pub fn url(&self, region: Option<&str>, key: &str, lang: Lang) -> Option<&str> {
        self.pages
            .get(&(region.map(str::to_string), key.to_string(), lang))
            .map(String::as_str)
    }

    /// The address of a page in `lang`, or of its version in the other language when it has
    /// no translation yet, so a link never breaks because of a missing translation.
    pub fn url_or_fallback(&self, region: Option<&str>, key: &str, lang: Lang) -> Option<&str> {
        self.url(region, key, lang)
            .or_else(|| self.url(region, key, lang.other()))
    }

    pub fn exists(&self, url: &str) -> bool {
        self.urls.contains(url)
    }

    /// Resolves a link written in `page`. `Ok(Some(url))`: a page link to rewrite;
    /// `Ok(None)`: a link to keep as written; `Err(hint)`: a broken link, with advice.
    pub fn resolve(&self, page: &Page, dest: &str) -> Result<Option<String>, String> {
        if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") || has_scheme(dest) {
            return Ok(None);
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (dest, None),
        };
        let with_fragment = |url: &str| match fragment {
            Some(f) => format!("{url}#{f}"),
            None => url.to_string(),
        };
        if let Some((region, key)) = linked_page(page, path) {
            return match self.url_or_fallback(region, key, page.lang) {
                Some(url) => Ok(Some(with_fragment(url))),
                None => Err(self.missing_page_hint(region, key, page.lang)),
            };
        }
        if path.starts_with('/') {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(published) = self.renamed.get(path) {
                return Ok(Some(with_fragment(published)));
            }
            return if self.exists(path) {
                Ok(None)
            } else {
                Err(
                    ": no page or file of this site has that address; link to pages by their \
                     file name instead, e.g. `roles.md`"
                        .into(),
                )
            };
        }
        Err(
            ": link to another page by its file name, e.g. `roles.md` (or `/privacy.md` for \
             a site page), or give a full address starting with https://"
                .into(),
        )
    }

    fn missing_page_hint(&self, region: Option<&str>, key: &str, lang: Lang) -> String {
        let draft = |key: &str, lang: Lang| {
            self.drafts
                .get(&(region.map(str::to_string), key.to_string(), lang))
        };
        if let Some(path) = draft(key, lang)
            .or_else(|| draft(key, lang.other()))
            .or_else(|| region.and_then(|_| draft("", Lang::Fr)))
        {
            return format!(
                ": it is a draft ({}), left out of the published site; publish it (remove its \
                 `draft: true`) or remove the link",
                path.display()
            );
        }
        let folder = match region {
            Some(region) => format!("regions/{region}/{lang}"),
            None => format!("pages/{lang}"),
        };
        let known = self
            .keys
            .get(&(region.map(str::to_string), lang))
            .map(|keys| {
                keys.iter()
                    .map(|k| format!("{k}.md"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "none".into());
        format!(": there is no `{key}.md` in {folder} (pages there: {known})")
    }
}

/// The page a link by file name names (`roles.md`, `/privacy.md`, `/region/roles.md`, its
/// `#fragment` cut off as `path`), as (region, key); `None` for any other link.
pub fn linked_page<'a>(page: &'a Page, path: &'a str) -> Option<(Option<&'a str>, &'a str)> {
    let target = path.strip_suffix(".md")?;
    Some(match target.strip_prefix('/') {
        Some(absolute) => match absolute.split_once('/') {
            Some((region, key)) => (Some(region), key),
            None => (None, absolute),
        },
        None => (page.region.as_deref(), target),
    })
}

/// `https:`, `mailto:`, `tel:`: anything with a scheme is an outside address.
pub fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => dest[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'),
        None => false,
    }
}
