//! The function's settings, from the environment (the names the README lists and
//! template.yaml sets).

use std::path::PathBuf;
use std::time::Duration;

/// Where the function reads its catalog (forms, regions, strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSource {
    /// A catalog file written by `eclaireurs build`: `CATALOG_FILE`, or under Lambda
    /// `catalog.json` in the package (beside `bootstrap`).
    File(PathBuf),
    /// A content folder, read as `eclaireurs build` would: `CONTENT_DIR` (default `content`),
    /// for local use.
    Content(PathBuf),
    /// The catalog `eclaireurs publish` puts in the stack's bucket (`CATALOG_BUCKET`, key
    /// `CATALOG_KEY`), read at start and checked again when `ttl` has passed
    /// (`CATALOG_TTL_SECONDS`); `fallback` (the package's catalog, or `CATALOG_FILE` or
    /// `CONTENT_DIR`) serves while the object is missing, unreadable or refused.
    Bucket {
        bucket: String,
        key: String,
        ttl: Duration,
        fallback: Box<CatalogSource>,
    },
}

impl CatalogSource {
    pub fn describe(&self) -> String {
        match self {
            CatalogSource::File(path) => format!("the catalog {}", path.display()),
            CatalogSource::Content(dir) => format!("the content folder {}", dir.display()),
            CatalogSource::Bucket { bucket, key, .. } => format!("s3://{bucket}/{key}"),
        }
    }

    /// Where the catalog is read from a file or folder: the source itself, or a bucket's
    /// fallback.
    pub fn local(&self) -> &CatalogSource {
        match self {
            CatalogSource::Bucket { fallback, .. } => fallback.local(),
            local => local,
        }
    }
}

/// How long the function keeps a catalog read from its bucket before it asks whether it
/// changed, unless `CATALOG_TTL_SECONDS` says otherwise.
pub const DEFAULT_CATALOG_TTL: Duration = Duration::from_secs(60);

/// Days before a need report still `new` is reminded, unless `REMINDER_DAYS` says otherwise.
pub const DEFAULT_REMINDER_DAYS: u32 = 3;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `SUBMISSIONS_TABLE`: the DynamoDB table; unset means the embedded store.
    pub table: Option<String>,
    /// `DATA_DIR`: the embedded store's folder.
    pub data_dir: PathBuf,
    /// `ALLOWED_ORIGINS`: origins allowed to call the API from a browser (comma-separated).
    pub allowed_origins: Vec<String>,
    /// `SITE_URL`: where redirects to thank-you pages point; empty means the same origin.
    pub site_url: String,
    /// Where the form definitions come from.
    pub catalog: CatalogSource,
    /// `RETENTION_DAYS`: when set, each item gets an `expires_at` that many days ahead.
    pub retention_days: Option<u32>,
    /// `NOTIFICATIONS_TOPIC`: the SNS topic's ARN (the notification function only).
    pub topic: Option<String>,
    /// `REMINDER_DAYS`: a need report still `new` after that many days is reminded (3).
    pub reminder_days: u32,
    /// `ORIGIN_SECRET`: when set, a request whose `X-Origin-Verify` header is not this secret
    /// (what the distribution sends) is refused `403`. Never logged.
    pub origin_secret: Option<String>,
}

impl Settings {
    pub fn from_env() -> Result<Settings, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let retention_days = match var("RETENTION_DAYS") {
            Some(days) => Some(days.trim().parse().map_err(|_| {
                format!("RETENTION_DAYS must be a whole number of days (found `{days}`)")
            })?),
            None => None,
        };
        let reminder_days = match var("REMINDER_DAYS") {
            Some(days) => days.trim().parse().ok().filter(|d| *d > 0).ok_or_else(|| {
                format!("REMINDER_DAYS must be a whole number of days, 1 or more (found `{days}`)")
            })?,
            None => DEFAULT_REMINDER_DAYS,
        };
        let allowed_origins: Vec<String> = var("ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let local = catalog_source(
            var("CATALOG_FILE"),
            var("CONTENT_DIR"),
            var("LAMBDA_TASK_ROOT"),
        );
        let catalog = match var("CATALOG_BUCKET") {
            Some(bucket) => CatalogSource::Bucket {
                bucket: bucket.trim().to_string(),
                key: var("CATALOG_KEY").map_or_else(
                    || eclaireurs_model::catalog::FILE_NAME.to_string(),
                    |k| k.trim().to_string(),
                ),
                ttl: match var("CATALOG_TTL_SECONDS") {
                    Some(secs) => Duration::from_secs(secs.trim().parse().map_err(|_| {
                        format!(
                            "CATALOG_TTL_SECONDS must be a whole number of seconds (found `{secs}`)"
                        )
                    })?),
                    None => DEFAULT_CATALOG_TTL,
                },
                fallback: Box::new(local),
            },
            None => local,
        };
        if allowed_origins.iter().any(|o| o == "*") {
            return Err("ALLOWED_ORIGINS lists origins, not `*`: name each site address".into());
        }
        Ok(Settings {
            table: var("SUBMISSIONS_TABLE"),
            data_dir: var("DATA_DIR")
                .map_or_else(|| PathBuf::from(".eclaireurs-data"), PathBuf::from),
            allowed_origins,
            site_url: var("SITE_URL")
                .map(|u| u.trim_end_matches('/').to_string())
                .unwrap_or_default(),
            catalog,
            retention_days,
            topic: var("NOTIFICATIONS_TOPIC"),
            reminder_days,
            // Not trimmed: the secret is compared byte for byte with what the distribution
            // sends.
            origin_secret: std::env::var("ORIGIN_SECRET")
                .ok()
                .filter(|s| !s.is_empty()),
        })
    }
}

/// `CATALOG_FILE` wins, then `CONTENT_DIR`; with neither, Lambda reads the catalog of its
/// package and a local run reads `content/`. Relative paths under Lambda are inside the
/// package (`LAMBDA_TASK_ROOT`), not wherever the process happens to start.
fn catalog_source(
    file: Option<String>,
    content: Option<String>,
    task_root: Option<String>,
) -> CatalogSource {
    let in_package = |path: PathBuf| match &task_root {
        Some(root) if path.is_relative() => PathBuf::from(root).join(path),
        _ => path,
    };
    match (file, content, &task_root) {
        (Some(file), _, _) => CatalogSource::File(in_package(file.into())),
        (None, Some(dir), _) => CatalogSource::Content(in_package(dir.into())),
        (None, None, Some(_)) => {
            CatalogSource::File(in_package(eclaireurs_model::catalog::FILE_NAME.into()))
        }
        (None, None, None) => CatalogSource::Content("content".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_reads_the_catalog_of_its_package() {
        assert_eq!(
            catalog_source(None, None, Some("/var/task".into())),
            CatalogSource::File("/var/task/catalog.json".into())
        );
    }

    #[test]
    fn a_local_run_reads_the_content_folder_unless_told_otherwise() {
        assert_eq!(
            catalog_source(None, None, None),
            CatalogSource::Content("content".into())
        );
        assert_eq!(
            catalog_source(None, Some("/srv/site".into()), Some("/var/task".into())),
            CatalogSource::Content("/srv/site".into())
        );
        assert_eq!(
            catalog_source(
                Some("public/.eclaireurs-catalog.json".into()),
                Some("c".into()),
                None
            ),
            CatalogSource::File("public/.eclaireurs-catalog.json".into())
        );
    }
}
