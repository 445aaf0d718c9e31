//! `eclaireurs build` and `eclaireurs check`: load, render, and (for build) publish.

use std::path::Path;
use std::time::{Duration, Instant};

use eclaireurs_model::{MissingTranslation, Problem, Site};

use crate::output::{OutputError, Staging};
use crate::render::{Discard, Renderer};
use crate::statics;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}", list(.0))]
    Content(Vec<Problem>),
    #[error(transparent)]
    Output(#[from] OutputError),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
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
}

/// Builds the site of `content` into `out`. On any error `out` is left as it was.
pub fn build(content: &Path, out: &Path, body_end: &str) -> Result<Report, BuildError> {
    let start = Instant::now();
    let site = Site::load(content)?;
    let files = statics::collect(&site)?;
    let mut renderer = Renderer::new(&site, files.keys().cloned().collect())?;
    renderer.body_end = body_end.to_string();
    let staging = Staging::new(out)?;
    for (rel, source) in &files {
        staging.copy(source, rel.trim_start_matches('/'))?;
    }
    let pages = renderer.render_all(&staging)?;
    staging.publish()?;
    Ok(Report {
        pages,
        files: files.len(),
        elapsed: start.elapsed(),
        missing_translations: site.missing_translations,
    })
}

/// Everything `build` checks, without writing anything.
pub fn check(content: &Path) -> Result<Report, BuildError> {
    let start = Instant::now();
    let site = Site::load(content)?;
    let files = statics::collect(&site)?;
    let renderer = Renderer::new(&site, files.keys().cloned().collect())?;
    let pages = renderer.render_all(&Discard)?;
    Ok(Report {
        pages,
        files: files.len(),
        elapsed: start.elapsed(),
        missing_translations: site.missing_translations,
    })
}
