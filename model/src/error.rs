//! Content problems, located in a file (and line and column where known) and worded for the
//! regional staff who edit the content, not for programmers.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::lang::Lang;

/// Where a problem is: a file, and the line and column in it when known (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    pub fn at(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// What is wrong, one variant per class of mistake so tests and tools can tell them apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("cannot read this file or folder: {0}")]
    Read(String),
    /// YAML that is not well-formed, or that does not fit the expected shape.
    #[error("{0}")]
    Yaml(String),
    #[error("unknown key `{key}`: check its spelling (allowed keys here: {allowed})")]
    UnknownKey { key: String, allowed: String },
    #[error("the key `{0}` is required here but is missing")]
    MissingKey(String),
    #[error(
        "this page has no front matter: it must start with a line `---`, then `title:` and \
         `description:` lines, then a closing `---` line"
    )]
    MissingFrontMatter,
    #[error("the front matter that starts on line 1 is never closed: add a line `---` after it")]
    UnclosedFrontMatter,
    #[error("the link `{target}` leads to no page{hint}")]
    BrokenLink { target: String, hint: String },
    #[error(
        "two pages have the URL {url}; the other one is {other}: give one of them another `slug`"
    )]
    DuplicateUrl { url: String, other: String },
    #[error("{0}")]
    Invalid(String),
}

/// A content error: the build stops and the previous output stays as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {kind}")]
pub struct Problem {
    pub at: Location,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(at: Location, kind: ProblemKind) -> Self {
        Problem { at, kind }
    }

    pub fn invalid(path: &Path, message: impl Into<String>) -> Self {
        Problem::new(Location::file(path), ProblemKind::Invalid(message.into()))
    }

    pub fn read(path: &Path, err: &std::io::Error) -> Self {
        Problem::new(Location::file(path), ProblemKind::Read(err.to_string()))
    }
}

/// A page that exists in one language and not the other. The site still builds: the
/// language switcher leads to the nearest page that exists, and `eclaireurs check` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTranslation {
    /// The page that exists.
    pub present: PathBuf,
    /// The file that would hold the translation.
    pub expected: PathBuf,
    pub missing: Lang,
}

impl fmt::Display for MissingTranslation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let language = match self.missing {
            Lang::Fr => "French",
            Lang::En => "English",
        };
        write!(
            f,
            "{}: no {language} translation yet (expected {}); visitors switching language are \
             sent to the nearest page that exists",
            self.present.display(),
            self.expected.display()
        )
    }
}
