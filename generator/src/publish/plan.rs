//! What a publish must do, decided by comparing the build with what is online: the catalog
//! is put into the catalog's bucket when its MD5 differs from the object's ETag, and so is
//! each file of the site's bucket (as `hugo deploy` does); a key no longer built is deleted,
//! and the CDN forgets only what existed and changed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use md5::{Digest, Md5};
use rayon::prelude::*;

use super::media;

/// More paths than this, and one `/*` is cheaper and simpler than a long list.
pub const MAX_INVALIDATION_PATHS: usize = 25;

/// A file of the built site.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Its key in the bucket: the path in the site, `/`-separated, no leading `/`.
    pub key: String,
    pub bytes: Arc<Vec<u8>>,
    pub md5: [u8; 16],
}

impl LocalFile {
    pub fn new(key: String, bytes: Vec<u8>) -> LocalFile {
        LocalFile {
            md5: Md5::digest(&bytes).into(),
            key,
            bytes: Arc::new(bytes),
        }
    }

    pub fn md5_hex(&self) -> String {
        eclaireurs_model::hex(&self.md5)
    }

    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// The files of a build to publish, with their MD5 (computed in parallel), sorted by key:
/// every file whose path has no part starting with `.` (a build's marker stays home, and the
/// catalog goes to its own bucket, never to the site's).
pub fn local_files(files: Vec<(String, Vec<u8>)>) -> Vec<LocalFile> {
    let mut local: Vec<LocalFile> = files
        .into_par_iter()
        .filter(|(key, _)| !key.split('/').any(|part| part.starts_with('.')))
        .map(|(key, bytes)| LocalFile::new(key, bytes))
        .collect();
    local.sort_by(|a, b| a.key.cmp(&b.key));
    local
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    None,
    Paths(Vec<String>),
    Everything,
}

/// What the catalog's bucket holds at `catalog.json` before a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogOnline {
    /// No object yet: a stack just deployed, whose functions run on their package's catalog.
    Missing,
    /// The object's ETag.
    ETag(String),
    /// S3 would not say (a HEAD refused: without `s3:ListBucket`, S3 answers a missing key
    /// with 403, not 404). Sent again: the worst case is one needless upload, and a real
    /// refusal is then said by the upload itself.
    Unknown,
}

#[derive(Debug)]
pub struct Plan {
    /// The catalog, when it differs from the one online: sent first, before any page, so a
    /// page never posts to a form the function does not know yet.
    pub catalog: Option<LocalFile>,
    /// New and changed files, in upload order: fingerprinted assets, then other files, then
    /// pages, so an uploaded page never refers to a file that is not online yet.
    pub uploads: Vec<LocalFile>,
    /// How many of the uploads replace an object that was there.
    pub changed: usize,
    /// Keys online that the build no longer has, deleted after every upload.
    pub deletes: Vec<String>,
    pub unchanged: usize,
    pub invalidation: Invalidation,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.catalog.is_none() && self.uploads.is_empty() && self.deletes.is_empty()
    }
}

/// `local`: the site's files; `remote`: the site's bucket, key → ETag, as ListObjectsV2
/// gives them; `catalog`: the build's catalog, and what the catalog's bucket holds.
pub fn plan(
    local: &[LocalFile],
    remote: &HashMap<String, String>,
    catalog: &LocalFile,
    catalog_online: &CatalogOnline,
) -> Plan {
    let catalog = match catalog_online {
        CatalogOnline::ETag(etag) if same_content(etag, &catalog.md5_hex()) => None,
        _ => Some(catalog.clone()),
    };
    let mut uploads = Vec::new();
    let mut invalidate = Vec::new();
    let mut unchanged = 0;
    for file in local {
        match remote.get(&file.key) {
            Some(etag) if same_content(etag, &file.md5_hex()) => unchanged += 1,
            Some(_) => {
                // One path per file, the key itself: CloudFront runs the viewer-request
                // function (`/fr/x/` → `/fr/x/index.html`) "before checking to see whether
                // the requested object is in the CloudFront cache", then looks the returned
                // request up (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/
                // function-code-choose-purpose.html), so a page is cached under its
                // rewritten URI. The invalidation guide (…/invalidation-specifying-objects
                // .html) recommends naming the viewer's URI too when a function rewrites;
                // that matters only for objects cached before the function was attached,
                // and the template attaches it from the distribution's first deployment.
                invalidate.push(format!("/{}", file.key));
                uploads.push(file.clone());
            }
            None => uploads.push(file.clone()),
        }
    }
    let changed = invalidate.len();
    let built: BTreeMap<&str, ()> = local.iter().map(|f| (f.key.as_str(), ())).collect();
    let mut deletes: Vec<String> = remote
        .keys()
        .filter(|k| !built.contains_key(k.as_str()))
        .cloned()
        .collect();
    deletes.sort();
    invalidate.extend(deletes.iter().map(|k| format!("/{k}")));
    uploads.sort_by_key(|f| (upload_rank(&f.key), f.key.clone()));
    let invalidation = match invalidate.len() {
        0 => Invalidation::None,
        n if n > MAX_INVALIDATION_PATHS => Invalidation::Everything,
        _ => Invalidation::Paths(invalidate),
    };
    Plan {
        catalog,
        uploads,
        changed,
        deletes,
        unchanged,
        invalidation,
    }
}

/// Fingerprinted assets (0), then other files (1), then pages (2).
pub fn upload_rank(key: &str) -> u8 {
    if media::is_fingerprinted(key) {
        0
    } else if media::is_page(key) {
        2
    } else {
        1
    }
}

/// A simple upload's ETag is the hex MD5 of the object, in quotes, with the buckets' SSE-S3
/// encryption (template.yaml); a multipart upload's (`"…-3"`) is not, nor is one under
/// SSE-KMS: those count as different, so the worst case is a needless upload.
fn same_content(etag: &str, md5_hex: &str) -> bool {
    etag.trim_matches('"').eq_ignore_ascii_case(md5_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, body: &str) -> LocalFile {
        LocalFile::new(key.into(), body.as_bytes().to_vec())
    }

    fn etag(body: &str) -> String {
        let md5: [u8; 16] = Md5::digest(body.as_bytes()).into();
        format!("\"{}\"", eclaireurs_model::hex(&md5))
    }

    /// The bucket's listing once `files` are all online, as ListObjectsV2 gives it.
    fn online(files: &[LocalFile]) -> HashMap<String, String> {
        files
            .iter()
            .map(|f| (f.key.clone(), format!("\"{}\"", f.md5_hex())))
            .collect()
    }

    fn catalog(version: &str) -> LocalFile {
        file("catalog.json", &format!("{{\"version\":\"{version}\"}}"))
    }

    /// The plan of a publish whose catalog is already online.
    fn site_plan(local: &[LocalFile], remote: &HashMap<String, String>) -> Plan {
        let catalog = catalog("1");
        let online = CatalogOnline::ETag(format!("\"{}\"", catalog.md5_hex()));
        plan(local, remote, &catalog, &online)
    }

    fn site() -> Vec<LocalFile> {
        vec![
            file("fr/index.html", "accueil"),
            file("assets/style.0123456789.css", "body{}"),
            file("robots.txt", "User-agent: *"),
            file("en/index.html", "home"),
        ]
    }

    #[test]
    fn a_first_publish_uploads_everything_assets_first_and_pages_last() {
        let plan = site_plan(&site(), &HashMap::new());
        let order: Vec<&str> = plan.uploads.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            order,
            [
                "assets/style.0123456789.css",
                "robots.txt",
                "en/index.html",
                "fr/index.html"
            ]
        );
        assert_eq!(plan.changed, 0);
        assert!(plan.deletes.is_empty());
        assert_eq!(
            plan.invalidation,
            Invalidation::None,
            "nothing new is cached yet"
        );
    }

    #[test]
    fn an_unchanged_site_needs_nothing() {
        let remote = online(&site());
        let plan = site_plan(&site(), &remote);
        assert!(plan.is_empty());
        assert_eq!(plan.unchanged, 4);
        assert_eq!(plan.invalidation, Invalidation::None);
    }

    #[test]
    fn an_edited_page_is_uploaded_and_invalidated_alone() {
        let mut remote = online(&site());
        remote.insert("fr/index.html".into(), etag("ancien accueil"));
        let plan = site_plan(&site(), &remote);
        assert_eq!(plan.uploads.len(), 1);
        assert_eq!(plan.changed, 1);
        assert_eq!(
            plan.invalidation,
            Invalidation::Paths(vec!["/fr/index.html".into()])
        );
    }

    #[test]
    fn a_removed_page_is_deleted_and_invalidated() {
        let mut remote = online(&site());
        remote.insert("fr/old/index.html".into(), etag("old"));
        let plan = site_plan(&site(), &remote);
        assert!(plan.uploads.is_empty());
        assert_eq!(plan.deletes, ["fr/old/index.html"]);
        assert_eq!(
            plan.invalidation,
            Invalidation::Paths(vec!["/fr/old/index.html".into()])
        );
    }

    #[test]
    fn a_multipart_etag_counts_as_changed() {
        let mut remote = HashMap::new();
        remote.insert(
            "robots.txt".to_string(),
            "\"9b2cf535f27731c974343645a3985328-2\"".to_string(),
        );
        let plan = site_plan(&[file("robots.txt", "User-agent: *")], &remote);
        assert_eq!(plan.uploads.len(), 1);
    }

    #[test]
    fn many_changes_are_invalidated_with_one_wildcard() {
        let local: Vec<LocalFile> = (0..30)
            .map(|i| file(&format!("fr/p{i}/index.html"), "new"))
            .collect();
        let remote: HashMap<String, String> =
            local.iter().map(|f| (f.key.clone(), etag("old"))).collect();
        assert_eq!(
            site_plan(&local, &remote).invalidation,
            Invalidation::Everything
        );
    }

    #[test]
    fn dot_files_of_the_build_stay_home() {
        let files = vec![
            (".eclaireurs-build".to_string(), Vec::new()),
            (".eclaireurs-catalog.json".to_string(), b"{}".to_vec()),
            ("fr/.hidden/x.html".to_string(), b"x".to_vec()),
            ("fr/x/index.html".to_string(), b"page".to_vec()),
        ];
        let keys: Vec<String> = local_files(files).into_iter().map(|f| f.key).collect();
        assert_eq!(keys, ["fr/x/index.html"]);
    }

    #[test]
    fn the_catalog_is_sent_only_when_it_differs_from_the_one_online() {
        let remote = online(&site());
        let new = catalog("2");
        let same = CatalogOnline::ETag(format!("\"{}\"", new.md5_hex()));
        assert!(plan(&site(), &remote, &new, &same).is_empty());
        let older = CatalogOnline::ETag(etag("{\"version\":\"1\"}"));
        let plan = plan(&site(), &remote, &new, &older);
        assert_eq!(
            plan.catalog.as_ref().map(|c| c.key.as_str()),
            Some("catalog.json")
        );
        assert!(plan.uploads.is_empty(), "the pages did not change");
        assert!(!plan.is_empty());
        assert_eq!(
            plan.invalidation,
            Invalidation::None,
            "the catalog is not behind the CDN"
        );
    }

    #[test]
    fn a_missing_or_unreadable_catalog_is_sent() {
        let new = catalog("1");
        for online in [CatalogOnline::Missing, CatalogOnline::Unknown] {
            let plan = plan(&[], &HashMap::new(), &new, &online);
            let sent = plan.catalog.expect("sent");
            assert_eq!(sent.bytes, new.bytes, "{online:?}");
        }
    }
}
