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
    /// `CONTENT_DIR`: the content folder with the form definitions (default `content`).
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
            content_dir: var("CONTENT_DIR").map_or_else(|| PathBuf::from("content"), PathBuf::from),
            retention_days,
        })
    }
}
