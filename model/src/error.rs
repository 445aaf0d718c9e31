//! Content problems, located in a file (and line and column where known) and worded for the
//! regional staff who edit the content, not for programmers.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::lang::Lang;
use crate::placeholder::Placeholders;

/// Where a problem is: a file, and the line and column in it when known (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// A link to a part of a page (`roles.md#le-role`) that names no heading or id of it.
    #[error("{0}")]
    BrokenAnchor(Box<MissingAnchor>),
    #[error(
        "two pages have the URL {url}; the other one is {other}: give one of them another `slug`"
    )]
    DuplicateUrl { url: String, other: String },
    /// Text `eclaireurs new-region` wrote for the region's own, in a page or `region.yaml`
    /// that is not a draft.
    #[error("{0}")]
    Placeholder(Box<Unfinished>),
    /// A symbolic link that leads out of the content folder and the theme: what it points
    /// to would be read, and perhaps published, from anywhere.
    #[error(
        "this is a symbolic link to {target}, outside the content folder and the theme: the \
         build reads only what is inside them, so that nothing from elsewhere is published \
         by mistake; put a copy of the file here instead"
    )]
    OutsideLink { target: String },
    /// A symbolic link to a folder that holds it: following it would never end.
    #[error("this is a symbolic link to {target}, a folder that holds it: remove it")]
    LinkLoop { target: String },
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

/// Problems one per line, as `check` and `build` print them.
pub fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
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

    /// The error of a published file (at `path`, a `page` or a `region`) that holds the
    /// placeholders `found`.
    pub fn unfinished(path: &Path, found: &Placeholders, what: &'static str) -> Self {
        Problem::new(
            Location::at(path, found.line, found.column),
            ProblemKind::Placeholder(Box::new(Unfinished {
                found: found.clone(),
                what,
            })),
        )
    }
}

/// A published file (page or `region.yaml`) that still holds placeholders: what `check`
/// says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub found: Placeholders,
    /// `page` or `region`.
    pub what: &'static str,
}

impl fmt::Display for Unfinished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = &self.found;
        write!(
            f,
            "{} still {} the placeholder `{}` that `eclaireurs new-region` wrote",
            found.holders_list(),
            if found.holders.len() > 1 {
                "hold"
            } else {
                "holds"
            },
            found.marker
        )?;
        if found.count > 1 {
            write!(f, " ({} in this file)", found.count)?;
        }
        write!(
            f,
            ": write the region's own text there, or keep the {} a draft (`draft: true`) until \
             it is ready",
            self.what
        )
    }
}

/// A link to a part of a page that the page does not have (`roles.md#le-role`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAnchor {
    /// The link as written.
    pub target: String,
    /// The address of the page it leads to.
    pub page: String,
    pub fragment: String,
    /// The ids the page has, or what to do.
    pub hint: String,
}

impl fmt::Display for MissingAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the link `{}` leads to {}, which has no heading or id `{}`{}",
            self.target, self.page, self.fragment, self.hint
        )
    }
}

/// A page that exists in one language and not the other. The site still builds: the
/// language switcher leads to the nearest page that exists, and `eclaireurs check` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingTranslation {
    /// The page that exists.
    pub present: PathBuf,
    /// The file that would hold the translation.
    pub expected: PathBuf,
    pub missing: Lang,
    /// Whether that file exists but is a draft (left out of the published site).
    pub draft: bool,
}

impl fmt::Display for MissingTranslation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let language = match self.missing {
            Lang::Fr => "French",
            Lang::En => "English",
        };
        if self.draft {
            return write!(
                f,
                "{}: its {language} translation {} is a draft, left out of the published \
                 site; until it is published, visitors switching language are sent to the \
                 nearest page that exists",
                self.present.display(),
                self.expected.display()
            );
        }
        write!(
            f,
            "{}: no {language} translation yet (expected {}); visitors switching language are \
             sent to the nearest page that exists",
            self.present.display(),
            self.expected.display()
        )
    }
}

/// A region or page marked `draft: true`: `serve` shows it, `build` and `publish` leave it
/// out (and out of the sitemap, the region lists, the language links and the function's
/// catalog). `eclaireurs check` lists every one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    /// The page, or the region's `region.yaml` for a whole region.
    pub path: PathBuf,
    /// The region's slug; `None` for a site page.
    pub region: Option<String>,
    /// The page's key and language; `None` for a whole region.
    pub page: Option<(String, Lang)>,
    /// How many pages it leaves out (those of a region, or 1).
    pub pages: usize,
}

impl fmt::Display for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(_) => write!(
                f,
                "{}: a draft page (`draft: true`): `serve` shows it, `build` and `publish` \
                 leave it out; remove that line to publish it",
                self.path.display()
            ),
            None => write!(
                f,
                "{}: a draft region (`draft: true`): `serve` shows it, `build` and `publish` \
                 leave out its {} pages and every mention of it; remove that line to publish it",
                self.path.display(),
                self.pages
            ),
        }
    }
}

/// Who a region that shows a form has not named yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unnamed {
    /// No relay-team channel (`contact:` phone, voicemail or email).
    RelayTeam,
    /// No person in charge of personal information (`privacy_officer:`).
    PrivacyOfficer,
    /// A `privacy_officer` with a title but no way to reach the person.
    PrivacyOfficerChannel,
}

/// A region that shows a form while nobody is named to answer: the site still builds (a
/// region may wait for its body to name someone, and must not make contact data up), and
/// `eclaireurs check` and `eclaireurs publish` list it, with the keys to fill.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingContact {
    /// The region's `region.yaml`, at the key's line when it is written.
    pub at: Location,
    pub region: String,
    /// The forms its pages show (`registration`, `need-report`).
    pub forms: Vec<String>,
    pub unnamed: Unnamed,
}

impl fmt::Display for MissingContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let forms = self
            .forms
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let shows = format!(
            "{}: the region shows the form{} {forms}",
            self.at,
            if self.forms.len() == 1 { "" } else { "s" }
        );
        match self.unnamed {
            Unnamed::RelayTeam => write!(
                f,
                "{shows} but gives no way to reach its relay team: fill `contact.phone`, \
                 `contact.voicemail` or `contact.email` once the team has one"
            ),
            Unnamed::PrivacyOfficer => write!(
                f,
                "{shows} but names no person in charge of personal information: fill \
                 `privacy_officer.title` and one of `privacy_officer.email`, \
                 `privacy_officer.phone` or `privacy_officer.url` once the body has named one"
            ),
            Unnamed::PrivacyOfficerChannel => write!(
                f,
                "{shows} but gives no way to reach its person in charge of personal \
                 information: fill `privacy_officer.email`, `privacy_officer.phone` or \
                 `privacy_officer.url`"
            ),
        }
    }
}
