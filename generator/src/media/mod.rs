//! Pictures, documents and videos on the pages: which files the pages show and link (found
//! beside the page, in its region's `static/` folder or in the site's), checked, and each
//! made once into what is published ([`raster`] for photos and drawings, [`svg`] kept as it
//! is once safe), in parallel, from the [`cache`] when the source did not change.

pub use eclaireurs_pictures::{cache, raster, svg};

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use eclaireurs_model::assets::fingerprinted;
use eclaireurs_model::markdown::{slugify, MarkKind};
use eclaireurs_model::media::{document_kind, is_picture, REGION_STATIC};
use eclaireurs_model::{Assets, Lang, Location, Page, Problem, ProblemKind, Region, Site};

use cache::Cache;

/// Where pictures are published: under `/assets/`, so with a name carrying their content's
/// hash and kept a year by browsers and the CDN.
const PICTURES_DIR: &str = "/assets/images";
/// Where documents are published, likewise.
const DOCUMENTS_DIR: &str = "/assets/documents";

/// A document over this is refused: a leaflet is a few megabytes at most, and a person on a
/// phone plan pays for every one.
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;

/// What an editor writes as a picture's description to say it is purely decorative: it is
/// then published with an empty `alt`, which screen readers skip.
const DECORATIVE: [&str; 3] = ["décoratif", "décorative", "decorative"];

/// One published file made from a picture.
#[derive(Debug, Clone)]
pub struct Published {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// A picture as the pages show it.
#[derive(Debug, Clone)]
pub enum Picture {
    /// A photo or drawing: WebP files by width, narrowest first, and one JPEG or PNG for
    /// browsers without WebP.
    Raster {
        modern: Vec<Published>,
        fallback: Published,
    },
    /// A drawing kept as it is.
    Svg(Published),
}

impl Picture {
    /// The size of its largest file, which the page reserves (the aspect ratio) before the
    /// picture arrives.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Picture::Raster { modern, fallback } => modern
                .last()
                .map_or((fallback.width, fallback.height), |p| (p.width, p.height)),
            Picture::Svg(file) => (file.width, file.height),
        }
    }

    fn files(&self) -> Vec<&Published> {
        match self {
            Picture::Raster { modern, fallback } => {
                modern.iter().chain(std::iter::once(fallback)).collect()
            }
            Picture::Svg(file) => vec![file],
        }
    }
}

/// A document a page links.
#[derive(Debug, Clone)]
pub struct Document {
    pub url: String,
    /// `PDF`, `Word`…
    pub kind: &'static str,
    /// Its size in bytes.
    pub size: u64,
    pub source: PathBuf,
    /// A file of the site's `static/` folder, published with the others already.
    pub in_static: bool,
}

impl Document {
    /// What the link's text gets: `(PDF, 1,2 Mo)`, `(PDF, 1.2 MB)`.
    pub fn label(&self, lang: Lang) -> String {
        format!("({}, {})", self.kind, size_text(self.size, lang))
    }
}

/// A size as people read it on their computer: `350 ko`, `1,2 Mo` (French), `350 KB`,
/// `1.2 MB` (English).
pub fn size_text(bytes: u64, lang: Lang) -> String {
    const KB: f64 = 1024.0;
    let (units, comma) = match lang {
        Lang::Fr => (["octets", "ko", "Mo"], true),
        Lang::En => (["bytes", "KB", "MB"], false),
    };
    let bytes_f = bytes as f64;
    let (value, unit) = if bytes < 1024 {
        return format!("{bytes} {}", units[0]);
    } else if bytes_f < KB * KB {
        (bytes_f / KB, units[1])
    } else {
        (bytes_f / KB / KB, units[2])
    };
    // One decimal under 10 (1,2 Mo), none above (350 ko).
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let text = if comma { text.replace('.', ",") } else { text };
    format!("{text} {unit}")
}

/// The description a picture is published with: empty for a decorative one.
pub fn alt_text(description: &str) -> &str {
    let trimmed = description.trim();
    if DECORATIVE
        .iter()
        .any(|d| trimmed.to_lowercase() == d.to_lowercase())
    {
        ""
    } else {
        trimmed
    }
}

/// Every picture and document of a site, as published, by the source file it is made from.
#[derive(Debug, Default)]
pub struct Media {
    pictures: HashMap<PathBuf, Picture>,
    documents: HashMap<PathBuf, Document>,
    /// How many pictures were encoded, and how many taken from the cache, by this build.
    pub encoded: usize,
    pub reused: usize,
}

impl Media {
    pub fn picture(&self, source: &Path) -> Option<&Picture> {
        self.pictures.get(source)
    }

    pub fn document(&self, source: &Path) -> Option<&Document> {
        self.documents.get(source)
    }

    /// A page's picture by its destination as written.
    pub fn page_picture(&self, site: &Site, page: &Page, dest: &str) -> Option<&Picture> {
        locate(site, page, dest)
            .ok()
            .and_then(|path| self.picture(&path))
    }

    /// A page's document by its link's destination as written, if that names a document.
    pub fn page_document(&self, site: &Site, page: &Page, dest: &str) -> Option<&Document> {
        if !is_document_link(dest) {
            return None;
        }
        locate(site, page, dest)
            .ok()
            .and_then(|path| self.document(&path))
    }

    /// A region's logo, if it has one.
    pub fn logo(&self, region: &Region) -> Option<&Picture> {
        let logo = region.data.logo.as_ref()?;
        locate_logo(region, &logo.file)
            .ok()
            .and_then(|path| self.picture(&path))
    }

    /// Every file to publish: (address, path of its source when its bytes are read from it,
    /// or its bytes), sorted by address.
    pub fn files(&self) -> Vec<(&str, MediaBytes<'_>)> {
        let mut files: Vec<(&str, MediaBytes)> = self
            .pictures
            .values()
            .flat_map(Picture::files)
            .map(|p| (p.url.as_str(), MediaBytes::Made(&p.bytes)))
            .chain(
                self.documents
                    .values()
                    .filter(|d| !d.in_static)
                    .map(|d| (d.url.as_str(), MediaBytes::Source(&d.source))),
            )
            .collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        files
    }

    pub fn is_empty(&self) -> bool {
        self.pictures.is_empty() && self.documents.is_empty()
    }

    /// How many pictures were encoded, and how many taken from the cache.
    pub fn pictures(&self) -> crate::build::Pictures {
        crate::build::Pictures {
            encoded: self.encoded,
            reused: self.reused,
        }
    }
}

/// The bytes of a published media file.
pub enum MediaBytes<'a> {
    /// Made by the build (a picture).
    Made(&'a [u8]),
    /// The source file's, as they are (a document).
    Source(&'a Path),
}

/// Whether a link's destination names a document (`depliant.pdf`) rather than a page or an
/// address elsewhere.
pub fn is_document_link(dest: &str) -> bool {
    !dest.starts_with('#')
        && !dest.starts_with("//")
        && !crate::links::has_scheme(dest)
        && document_kind(file_part(dest)).is_some()
}

/// The file part of a destination: without `?query` or `#fragment`.
fn file_part(dest: &str) -> &str {
    dest.split(['?', '#']).next().unwrap_or(dest)
}

/// Where the file a page names is: beside the page, then in its region's `static/` folder,
/// then in the site's `static/` (a name starting with `/` is the site's). `\` separates
/// folders as `/` does (names typed on Windows); `%20` and the like are decoded.
pub fn locate(site: &Site, page: &Page, dest: &str) -> Result<PathBuf, String> {
    let name = decoded(file_part(dest)).replace('\\', "/");
    if name.split('/').any(|part| part == "..") {
        return Err(
            "name the file without `..`: put it beside the page, in the region's \
                    `static` folder or in the site's"
                .into(),
        );
    }
    let mut places = Vec::new();
    if let Some(absolute) = name.strip_prefix('/') {
        places.push(site.root.join("static").join(absolute));
    } else {
        if let Some(dir) = page.path.parent() {
            places.push(dir.join(&name));
        }
        if let Some(region) = page.region.as_deref().and_then(|slug| site.region(slug)) {
            places.push(region.dir().join(REGION_STATIC).join(&name));
        }
        places.push(site.root.join("static").join(&name));
    }
    found(places, &name)
}

/// Where a region's logo file is: in its `static/` folder, or its own folder.
pub fn locate_logo(region: &Region, file: &str) -> Result<PathBuf, String> {
    let name = file.replace('\\', "/");
    if name.split('/').any(|part| part == "..") || name.starts_with('/') {
        return Err("name a file of the region's `static` folder, e.g. `logo.svg`".into());
    }
    found(
        vec![
            region.dir().join(REGION_STATIC).join(&name),
            region.dir().join(&name),
        ],
        &name,
    )
}

fn found(places: Vec<PathBuf>, name: &str) -> Result<PathBuf, String> {
    if let Some(path) = places.iter().find(|p| p.is_file()) {
        return Ok(path.clone());
    }
    let looked: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "there is no file `{name}` (looked for {})",
        looked.join(", then ")
    ))
}

/// `%20` and the like decoded, as a browser reads a Markdown address.
fn decoded(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| name.to_string())
}

/// What uses a source file first, to locate what is wrong with it.
struct Use {
    at: Location,
    /// The page or `region.yaml` that names it, for a problem found in the file itself.
    by: String,
}

/// Every picture, document and video the site's pages (and regions' logos) name, checked,
/// and what is published of each, made in parallel (from `cache` when unchanged). Every
/// problem is reported at once, each where it is written.
pub fn collect(site: &Site, assets: &Assets, cache: &Cache) -> Result<Media, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut pictures: BTreeMap<PathBuf, Use> = BTreeMap::new();
    let mut documents: BTreeMap<PathBuf, Use> = BTreeMap::new();
    for page in site.all_pages() {
        for mark in &page.facts.marks {
            let at = Location::at(&page.path, mark.line, mark.column);
            let by = format!("{}, line {}", page.path.display(), mark.line);
            match &mark.kind {
                MarkKind::Image { dest, alt } => {
                    if alt.trim().is_empty() {
                        problems.push(invalid(
                            at.clone(),
                            format!(
                                "the picture `{dest}` has no description: describe what it \
                                 shows for people who cannot see it, e.g. `![Des éclaireurs \
                                 à Alma]({dest})`, or write `![décoratif]({dest})` if it is \
                                 purely decorative"
                            ),
                        ));
                    }
                    if !is_picture(file_part(dest)) {
                        problems.push(invalid(
                            at,
                            format!(
                                "`{dest}` is not a picture the build reads: use a JPEG, PNG, \
                                 WebP or SVG file"
                            ),
                        ));
                        continue;
                    }
                    match locate(site, page, dest) {
                        Ok(path) => {
                            pictures.entry(path).or_insert(Use { at, by });
                        }
                        Err(why) => problems.push(invalid(
                            at,
                            format!("the picture `{dest}` cannot be shown: {why}"),
                        )),
                    }
                }
                MarkKind::Link(dest) if is_document_link(dest) => match locate(site, page, dest) {
                    Ok(path) => {
                        documents.entry(path).or_insert(Use { at, by });
                    }
                    Err(why) => problems.push(invalid(
                        at,
                        format!("the document `{dest}` cannot be linked: {why}"),
                    )),
                },
                // The link's text is its address (`<https://youtu.be/…>`): no title.
                MarkKind::Video { address, title } if title.is_empty() || title.contains("://") => {
                    problems.push(invalid(
                        at,
                        format!(
                            "give the video a title, the words its link shows: \
                             `[Capsule 1 : le rôle de l'éclaireur]({address})`"
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    for region in &site.regions {
        let Some(logo) = &region.data.logo else {
            continue;
        };
        let line = region.key_lines.get("logo").copied().unwrap_or(1);
        let at = Location::at(&region.file, line, 1);
        let by = format!("{}, line {line}", region.file.display());
        if !is_picture(&logo.file) {
            problems.push(invalid(
                at,
                format!(
                    "`logo`: `{}` is not a picture the build reads: use an SVG, PNG, JPEG or \
                     WebP file",
                    logo.file
                ),
            ));
            continue;
        }
        match locate_logo(region, &logo.file) {
            Ok(path) => {
                pictures.entry(path).or_insert(Use { at, by });
            }
            Err(why) => problems.push(invalid(at, format!("`logo`: {why}"))),
        }
    }
    let made: Vec<(PathBuf, Result<Picture, Problem>)> = pictures
        .into_par_iter()
        .map(|(path, used)| {
            let picture = make_picture(&path, cache).map_err(|(at, what)| {
                let at = at.unwrap_or(used.at);
                invalid(at, format!("{what} (shown by {})", used.by))
            });
            (path, picture)
        })
        .collect();
    let mut media = Media::default();
    for (path, picture) in made {
        match picture {
            Ok(picture) => {
                media.pictures.insert(path, picture);
            }
            Err(problem) => problems.push(problem),
        }
    }
    for (path, used) in documents {
        // A file of a `static/` folder is published already, under its own address.
        let published = assets
            .iter()
            .find(|(_, asset)| asset.source == path)
            .map(|(_, asset)| asset.url.clone());
        match make_document(&path, published) {
            Ok(document) => {
                media.documents.insert(path, document);
            }
            Err(what) => problems.push(invalid(used.at, what)),
        }
    }
    media.encoded = cache.encoded();
    media.reused = cache.reused();
    if problems.is_empty() {
        Ok(media)
    } else {
        Err(problems)
    }
}

fn invalid(at: Location, message: String) -> Problem {
    Problem::new(at, ProblemKind::Invalid(message))
}

/// The stem a published name starts with: the source's, as an address part
/// (`Photo Été.JPG` → `photo-ete`).
fn stem(path: &Path, fallback: &str) -> String {
    let stem = slugify(
        &path
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default(),
    );
    if stem.is_empty() {
        fallback.to_string()
    } else {
        stem
    }
}

/// A picture's published files. The error: where it is (in an SVG, its own line), and what.
fn make_picture(path: &Path, cache: &Cache) -> Result<Picture, (Option<Location>, String)> {
    let name = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| (None, format!("cannot read the picture {name}: {e}")))?
        .len();
    if size > raster::MAX_BYTES {
        return Err((
            None,
            format!(
                "the picture {name} is {}, over the limit of {}: export it smaller (3000 \
                 pixels wide is plenty for a page)",
                size_text(size, Lang::En),
                size_text(raster::MAX_BYTES, Lang::En)
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| (None, format!("cannot read the picture {name}: {e}")))?;
    let stem = stem(path, "image");
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let size = svg::check(&bytes).map_err(|p| {
            (
                Some(Location::at(path, p.line, p.column)),
                format!("this SVG cannot be published: {}", p.what),
            )
        })?;
        let url = fingerprinted(&format!("{PICTURES_DIR}/{stem}.svg"), &bytes);
        return Ok(Picture::Svg(Published {
            url,
            width: size.width.round().max(1.0) as u32,
            height: size.height.round().max(1.0) as u32,
            bytes,
        }));
    }
    let encoded = cache
        .raster(&bytes)
        .map_err(|e| (None, format!("the picture {name}: {e}")))?;
    let publish = |file: raster::EncodedFile| {
        let url = fingerprinted(
            &format!(
                "{PICTURES_DIR}/{stem}-{}.{}",
                file.width,
                file.format.extension()
            ),
            &file.bytes,
        );
        Published {
            url,
            width: file.width,
            height: file.height,
            bytes: file.bytes,
        }
    };
    Ok(Picture::Raster {
        modern: encoded.modern.into_iter().map(publish).collect(),
        fallback: publish(encoded.fallback),
    })
}

fn make_document(path: &Path, published: Option<String>) -> Result<Document, String> {
    let name = path.display();
    let kind = document_kind(&path.to_string_lossy()).unwrap_or("document");
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the document {name}: {e}"))?;
    let size = bytes.len() as u64;
    if size > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "the document {name} is {}, over the limit of {}: make it lighter (in Word or \
             Acrobat, save or export it \"for the web\" or with smaller pictures) or link it \
             where it is already online",
            size_text(size, Lang::En),
            size_text(MAX_DOCUMENT_BYTES, Lang::En)
        ));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let in_static = published.is_some();
    let url = published.unwrap_or_else(|| {
        fingerprinted(
            &format!("{DOCUMENTS_DIR}/{}.{ext}", stem(path, "document")),
            &bytes,
        )
    });
    Ok(Document {
        url,
        kind,
        size,
        source: path.to_path_buf(),
        in_static,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_on_a_computer_in_each_language() {
        assert_eq!(size_text(800, Lang::Fr), "800 octets");
        assert_eq!(size_text(1_258_291, Lang::Fr), "1,2 Mo");
        assert_eq!(size_text(1_258_291, Lang::En), "1.2 MB");
        assert_eq!(size_text(358_400, Lang::Fr), "350 ko");
        assert_eq!(size_text(358_400, Lang::En), "350 KB");
        assert_eq!(size_text(5_000, Lang::En), "4.9 KB");
    }

    #[test]
    fn a_decorative_picture_has_an_empty_description() {
        assert_eq!(alt_text("décoratif"), "");
        assert_eq!(alt_text(" Decorative "), "");
        assert_eq!(alt_text("Des éclaireurs à Alma"), "Des éclaireurs à Alma");
    }

    #[test]
    fn document_links_are_told_from_pages_and_addresses() {
        assert!(is_document_link("depliant.pdf"));
        assert!(is_document_link("docs/Rapport.DOCX#page=2"));
        assert!(!is_document_link("roles.md"));
        assert!(!is_document_link("https://example.org/a.pdf"));
        assert!(!is_document_link("//cdn.example/a.pdf"));
    }

    #[test]
    fn names_typed_with_spaces_are_decoded() {
        assert_eq!(decoded("Photo%20%C3%A9t%C3%A9.jpg"), "Photo été.jpg");
        assert_eq!(decoded("100%.jpg"), "100%.jpg");
    }
}
