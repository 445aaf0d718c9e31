//! The function's settings, from the environment (names fixed by PRODUCT.md).

use std::path::PathBuf;

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
    /// `CONTENT_DIR`: the content folder with the form definitions (default `content`; under
    /// Lambda, relative to the deployment package's folder).
    pub content_dir: PathBuf,
    /// `RETENTION_DAYS`: when set, each item gets an `expires_at` that many days ahead.
    pub retention_days: Option<u32>,
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
        let allowed_origins: Vec<String> = var("ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
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
            content_dir: content_dir(var("CONTENT_DIR"), var("LAMBDA_TASK_ROOT")),
            retention_days,
        })
    }
}

/// Under Lambda, a relative content folder is inside the package (`LAMBDA_TASK_ROOT`), not
/// wherever the process happens to start.
fn content_dir(configured: Option<String>, task_root: Option<String>) -> PathBuf {
    let dir = PathBuf::from(configured.unwrap_or_else(|| "content".into()));
    match task_root {
        Some(root) if dir.is_relative() => PathBuf::from(root).join(dir),
        _ => dir,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_folder_is_found_in_the_lambda_package() {
        assert_eq!(content_dir(None, None), PathBuf::from("content"));
        assert_eq!(
            content_dir(None, Some("/var/task".into())),
            PathBuf::from("/var/task/content")
        );
        assert_eq!(
            content_dir(Some("/srv/site".into()), Some("/var/task".into())),
            PathBuf::from("/srv/site")
        );
    }
}
