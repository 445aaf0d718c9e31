//! The site configuration, `config.yaml` at the top of the content folder.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Problem;
use crate::lang::{Lang, Localized};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's name, shown in every page header.
    pub title: Localized,
    /// Where the site is published, e.g. `https://eclaireurs.example.ca`; used for the sitemap
    /// and canonical links.
    pub base_url: String,
    /// Where the forms post: `/api` when the function is served on the same origin.
    pub api_url: String,
    /// The theme folder, relative to the content folder.
    pub theme: PathBuf,
    /// The site's languages, default first. Both French and English are required.
    pub languages: Vec<Lang>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, Problem> {
        let mut config: Config = crate::yaml::read(path)?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.api_url = config.api_url.trim_end_matches('/').to_string();
        if !(config.base_url.starts_with("https://") || config.base_url.starts_with("http://")) {
            return Err(Problem::invalid(
                path,
                format!(
                    "`base_url` must be the full address of the site, starting with https:// \
                     (found `{}`)",
                    config.base_url
                ),
            ));
        }
        let mut sorted = config.languages.clone();
        sorted.sort();
        if sorted != [Lang::Fr, Lang::En] {
            return Err(Problem::invalid(
                path,
                "`languages` must list `fr` and `en` once each, the default first (e.g. [fr, en])",
            ));
        }
        Ok(config)
    }

    pub fn default_lang(&self) -> Lang {
        self.languages[0]
    }
}
