//! The content model of an éclaireurs site, shared by the generator (which renders it) and the
//! submission function (which validates submissions against the same form definitions).
//!
//! A content folder holds:
//! - `config.yaml`: the site configuration ([`Config`]);
//! - `forms/<id>.yaml`: one definition per form ([`FormDef`]);
//! - `regions/<slug>/region.yaml` and `regions/<slug>/{fr,en}/*.md`: each region's data and pages;
//! - `pages/{fr,en}/*.md`: site pages (region list, privacy notice);
//! - optionally `templates/`: templates that replace the theme's.

/// The AWS Region of every deployment: the submissions stay in Canada (template.yaml's rule
/// `DeployInCanada` refuses any other). What the programs use when the environment names none.
pub const AWS_REGION: &str = "ca-central-1";

/// Bytes as lowercase hexadecimal, as the hashes and ETags the programs compare are written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub mod assets;
pub mod catalog;
pub mod config;
pub mod error;
pub mod form;
pub mod html;
pub mod lang;
pub mod markdown;
pub mod media;
pub mod metadata;
pub mod page;
pub mod placeholder;
pub mod region;
pub mod site;
pub mod strings;
pub mod typography;
pub mod video;
pub mod yaml;

pub use assets::Assets;
pub use catalog::Catalog;
pub use config::Config;
pub use error::{
    Draft, Location, MissingAnchor, MissingContact, MissingTranslation, Problem, ProblemKind,
    Unfinished, Unnamed,
};
pub use form::{Field, FieldKind, FormDef};
pub use lang::{Lang, Localized};
pub use page::Page;
pub use region::{PrivacyOfficer, RegionData};
pub use site::{Drafts, LoadOptions, Loaded, Region, Site, Unloaded};
pub use strings::Strings;
