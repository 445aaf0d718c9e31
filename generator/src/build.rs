//! `eclaireurs build` and `eclaireurs check`: load, render, and (for build) publish.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eclaireurs_model::markdown::MarkKind;
use eclaireurs_model::page::INDEX;
use eclaireurs_model::site::rules;
use eclaireurs_model::{
    Assets, Catalog, Draft, LoadOptions, MissingContact, MissingTranslation, Page, Problem, Site,
};

use crate::check::{self, Checked};
use crate::last_build;
use crate::links::LinkIndex;
use crate::media::{Media, MediaBytes};
use crate::output::{Changes, InPlace, Memory, Output, OutputError};
use crate::render::{Renderer, Sink};

/// Where `build` writes the function's catalog in its output folder. A dot file: it is for the
/// function's package, not for the site's host, and `publish` never uploads dot files.
pub const CATALOG_FILE: &str = ".eclaireurs-catalog.json";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}", eclaireurs_model::error::lines(.0))]
    Content(Vec<Problem>),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl From<Vec<Problem>> for BuildError {
    fn from(problems: Vec<Problem>) -> Self {
        BuildError::Content(problems)
    }
}

impl From<Problem> for BuildError {
    fn from(problem: Problem) -> Self {
        BuildError::Content(vec![problem])
    }
}

#[derive(Debug)]
pub struct Report {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub missing_translations: Vec<MissingTranslation>,
    /// The regions and pages marked `draft: true`: left out, except from a preview.
    pub drafts: Vec<Draft>,
    /// Regions that show a form with nobody named to answer it.
    pub missing_contacts: Vec<MissingContact>,
    /// The version of the function's catalog the pages were built with.
    pub catalog_version: String,
    /// What `build` changed in its output folder (nothing for `check` and `publish`).
    pub output: Changes,
    /// How many pictures were encoded, and how many taken from the cache.
    pub pictures: Pictures,
}

/// How many pictures a build encoded, and how many it took from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pictures {
    pub encoded: usize,
    pub reused: usize,
}

impl Report {
    fn new(site: &Site, pages: usize, files: usize, start: Instant, catalog: &Catalog) -> Self {
        Report {
            pages,
            files,
            elapsed: start.elapsed(),
            missing_translations: site.missing_translations.clone(),
            drafts: site.drafts.clone(),
            missing_contacts: site.missing_contacts.clone(),
            catalog_version: catalog.version.clone(),
            output: Changes::default(),
            pictures: Pictures::default(),
        }
    }
}

/// Builds the site of `content` into `out`. On any error `out` is left as it was.
/// Drafts are left out. When nothing changed since the last build into `out` (see
/// [`crate::last_build`]), renders nothing and writes nothing.
pub fn build(content: &Path, out: &Path, body_end: &str) -> Result<Report, BuildError> {
    let start = Instant::now();
    // Hashed before anything is read: a file changed during the build changes the next hash.
    let inputs = crate::inputs::hash(content);
    if let Some(report) = inputs
        .as_deref()
        .and_then(|inputs| last_build::unchanged(out, inputs, body_end, start))
    {
        return Ok(report);
    }
    let (report, _, _) = build_site(content, out, body_end, false)?;
    if let Some(inputs) = &inputs {
        last_build::save(out, inputs, body_end, &report);
    }
    Ok(report)
}

/// [`build`], drafts included when `preview`, handing back the loaded site for later
/// partial rebuilds.
fn build_site(
    content: &Path,
    out: &Path,
    body_end: &str,
    preview: bool,
) -> Result<(Report, Site, Arc<Media>), BuildError> {
    let start = Instant::now();
    let Checked {
        site,
        assets,
        catalog,
        links,
        templates,
        media,
    } = if preview {
        load_preview(content)?
    } else {
        load(content)?
    };
    let json = catalog.to_json().map_err(|e| e.problem(&site))?;
    let mut renderer = Renderer::with_templates(&site, templates, links, &catalog.version)?
        .with_media(media.clone());
    renderer.body_end = body_end.to_string();
    // See `output` for the order that keeps the folder whole for its readers.
    let output = Output::open(out)?;
    let written = write_files(&renderer, &assets, &media, &output).and_then(|pages| {
        output.write(CATALOG_FILE, &json)?;
        Ok(pages)
    });
    // A write error, not the content's problem it caused while rendering.
    if let Some(err) = output.take_error() {
        return Err(err.into());
    }
    let pages = written?;
    let changes = output.commit()?;
    let files = assets.len() + media.files().len();
    let mut report = Report::new(&site, pages, files, start, &catalog);
    report.output = changes;
    report.pictures = media.pictures();
    Ok((report, site, media))
}

/// The static files (under their published names, minified), the pictures and documents of
/// the pages, then the pages, into `sink`; the number of pages.
fn write_files(
    renderer: &Renderer,
    assets: &Assets,
    media: &Media,
    sink: &dyn Sink,
) -> Result<usize, BuildError> {
    for (_, asset) in assets.iter() {
        let bytes = asset
            .contents()
            .map_err(|e| Problem::read(&asset.source, &e))?;
        sink.write(asset.url.trim_start_matches('/'), &bytes)?;
    }
    for (url, bytes) in media.files() {
        let path = url.trim_start_matches('/');
        match bytes {
            MediaBytes::Made(bytes) => sink.write(path, bytes)?,
            MediaBytes::Source(source) => {
                let bytes = std::fs::read(source).map_err(|e| Problem::read(source, &e))?;
                sink.write(path, &bytes)?;
            }
        }
    }
    Ok(renderer.render_all(sink)?)
}

/// A site built in memory: every file to publish, and the function's catalog.
pub struct Rendered {
    pub report: Report,
    /// (path in the site, contents): pages, assets under their published names, sitemap.
    pub files: Vec<(String, Vec<u8>)>,
    /// The function's catalog (`catalog.json` of its package).
    pub catalog: Vec<u8>,
}

/// Builds the site of `content` in memory, for `publish`: the same checks and pages as
/// [`build`], without writing a folder.
pub fn render(content: &Path) -> Result<Rendered, BuildError> {
    let start = Instant::now();
    let Checked {
        site,
        assets,
        catalog,
        links,
        templates,
        media,
    } = load(content)?;
    let renderer = Renderer::with_templates(&site, templates, links, &catalog.version)?
        .with_media(media.clone());
    let memory = Memory::default();
    let pages = write_files(&renderer, &assets, &media, &memory)?;
    let files = assets.len() + media.files().len();
    let mut report = Report::new(&site, pages, files, start, &catalog);
    report.pictures = media.pictures();
    Ok(Rendered {
        report,
        files: memory.into_files(),
        catalog: catalog.to_json().map_err(|e| e.problem(&site))?,
    })
}

/// The site of `content` as published (drafts left out), its static files and the
/// function's catalog, every content check passed: what every build starts from.
fn load(content: &Path) -> Result<Checked, BuildError> {
    checked(content, LoadOptions::PUBLISHED)
}

/// [`load`], drafts included: what `serve` previews.
fn load_preview(content: &Path) -> Result<Checked, BuildError> {
    checked(content, LoadOptions::PREVIEW)
}

fn checked(content: &Path, options: LoadOptions) -> Result<Checked, BuildError> {
    Ok(check::site(content, options)?)
}

/// What a rebuild did.
#[derive(Debug)]
pub enum Rebuilt {
    /// Everything was built again.
    Site(Report),
    /// Only the text of these pages changed, and only they were written again.
    Pages(Vec<String>),
}

/// A site kept in memory between rebuilds, for `serve`: an edit that changes only the text
/// of some pages re-renders just those pages; anything else rebuilds the whole site. Drafts
/// are part of it (each says it is one), so they can be read before they are published.
pub struct Preview {
    content: PathBuf,
    out: PathBuf,
    body_end: String,
    site: Option<Site>,
    /// The pictures and documents of the last full build, which a page's partial rebuild
    /// shows again (its region's logo, its own pictures when they did not change).
    media: Arc<Media>,
}

impl Preview {
    pub fn new(content: &Path, out: &Path, body_end: &str) -> Preview {
        Preview {
            content: content.to_path_buf(),
            out: out.to_path_buf(),
            body_end: body_end.to_string(),
            site: None,
            media: Arc::default(),
        }
    }

    /// Rebuilds after `changed` files changed (all of it when the list is empty).
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Rebuilt, BuildError> {
        match self.rebuild_pages(changed) {
            Ok(Some(urls)) => return Ok(Rebuilt::Pages(urls)),
            Ok(None) => {}
            Err(err) => {
                // The pages in memory are now ahead of the output: start afresh next time.
                self.site = None;
                return Err(err);
            }
        }
        self.site = None;
        let (report, site, media) = build_site(&self.content, &self.out, &self.body_end, true)?;
        self.site = Some(site);
        self.media = media;
        Ok(Rebuilt::Site(report))
    }

    /// `Ok(None)` when the change is more than page text.
    fn rebuild_pages(&mut self, changed: &[PathBuf]) -> Result<Option<Vec<String>>, BuildError> {
        let Some(site) = self.site.as_mut() else {
            return Ok(None);
        };
        if changed.is_empty() {
            return Ok(None);
        }
        let mut edited = Vec::new();
        for path in changed {
            let real = path.canonicalize().ok();
            let found = site
                .regions
                .iter_mut()
                .flat_map(|r| r.pages.iter_mut())
                .chain(site.pages.iter_mut())
                .find(|p| real.is_some() && p.path.canonicalize().ok() == real);
            let Some(page) = found else {
                return Ok(None);
            };
            let fresh = Page::load(&page.path, page.lang, page.region.as_deref())?;
            let same_place = fresh.url() == page.url()
                && fresh.meta.places_alike(&page.meta)
                // The portal shows the site index pages' titles and descriptions.
                && !(fresh.region.is_none() && fresh.key == INDEX)
                // Links of other pages may point to its parts.
                && check::ids(&fresh) == check::ids(page)
                // Its pictures and documents were made by the last full build.
                && media_named(&fresh) == media_named(page);
            if !same_place {
                return Ok(None);
            }
            *page = fresh;
            edited.push(page.path.clone());
        }
        let site = &*site;
        let pages: Vec<&Page> = site
            .all_pages()
            .filter(|p| edited.contains(&p.path))
            .collect();
        // The text of a form's page is in the catalog (the function shows the page again):
        // its edit builds everything, the catalog and the API included.
        if pages.iter().any(|p| p.meta.form.is_some()) {
            return Ok(None);
        }
        let assets = Assets::collect(site)?;
        let links = LinkIndex::new(site, &assets);
        // What a full load and check report of these pages.
        let mut problems: Vec<Problem> = pages
            .iter()
            .filter_map(|page| rules::unfinished_page(page, !site.is_draft(page)))
            .collect();
        problems.extend(check::edited(site, &links, &pages));
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let mut catalog = Catalog::from_site(site, &assets).map_err(|e| e.problem(site))?;
        let (links, templates) =
            crate::render::answers::add_theme(&mut catalog, site, &assets, links, &self.media)?;
        let mut renderer = Renderer::with_templates(site, templates, links, &catalog.version)?
            .with_media(self.media.clone());
        renderer.body_end = self.body_end.clone();
        renderer.render_selected(&pages, &InPlace(&self.out))?;
        Ok(Some(pages.iter().map(|p| p.url().to_string()).collect()))
    }
}

/// The pictures, documents and videos a page names, as written.
fn media_named(page: &Page) -> Vec<&MarkKind> {
    page.facts
        .marks
        .iter()
        .map(|m| &m.kind)
        .filter(|kind| match kind {
            MarkKind::Image { .. } | MarkKind::Video { .. } => true,
            MarkKind::Link(dest) => crate::media::is_document_link(dest),
            MarkKind::TopHeading => false,
        })
        .collect()
}

/// Everything `build` checks, without rendering or writing anything: the content checks
/// and the templates' syntax (what Tera finds only while rendering is left to `build`).
pub fn check(content: &Path) -> Result<Report, BuildError> {
    let start = Instant::now();
    let checked = load(content)?;
    // As many as `build` renders: every page, the portal and the 404 page.
    let pages = checked.site.all_pages().count() + 2;
    let files = checked.assets.len() + checked.media.files().len();
    let mut report = Report::new(&checked.site, pages, files, start, &checked.catalog);
    report.pictures = checked.media.pictures();
    Ok(report)
}
