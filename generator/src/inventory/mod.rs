//! The inventory of personal information (`eclaireurs privacy-inventory`): what the privacy
//! officer hands to the privacy impact assessment (EFVP), in French and English. Generated
//! from the same truth as the privacy notice: each form's fields with their purpose, required
//! or optional and limits (the definitions in `forms/`), who can read each (the policies of
//! `template.yaml`, built into the binary), where it is stored and how long, and the
//! safeguards the template really has.

pub mod policies;
pub mod render;
pub mod safeguards;
pub mod template;

use std::path::{Path, PathBuf};

use eclaireurs_model::{Lang, Localized, Problem, Site};

use policies::Access;
use render::Facts;
use safeguards::Safeguards;
use template::{Template, TemplateError};

/// The deployment's template, as it is deployed.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Content(Vec<Problem>),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the theme has no text `{key}` in {lang}: add it to i18n/{lang}.yaml")]
    Text { key: String, lang: Lang },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The file an inventory is written to, e.g. `privacy-inventory.fr.md`.
pub fn file_name(lang: Lang) -> String {
    format!("privacy-inventory.{}.md", lang.code())
}

/// The inventory of `site` under the template whose text is `template`, in both languages.
pub fn inventory(site: &Site, template: &str) -> Result<Localized<String>, InventoryError> {
    let template = Template::parse(template)?;
    let access = Access::from_template(&template);
    let safeguards = Safeguards::from_template(
        &template,
        access.guard.clone(),
        access.projections.stream_keys_only(),
    );
    let facts = Facts {
        site,
        template: &template,
        access: &access,
        safeguards: &safeguards,
    };
    Ok(Localized {
        fr: render::render(&facts, Lang::Fr)?,
        en: render::render(&facts, Lang::En)?,
    })
}

/// Loads the content at `content` and writes both inventories into `out`, under the
/// template built into the binary. Returns the files written.
pub fn write(content: &Path, out: &Path) -> Result<Vec<PathBuf>, InventoryError> {
    let site = Site::load(content, eclaireurs_model::LoadOptions::DATA)
        .map_err(InventoryError::Content)?;
    let texts = inventory(&site, TEMPLATE)?;
    std::fs::create_dir_all(out).map_err(|source| InventoryError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for lang in Lang::ALL {
        let path = out.join(file_name(lang));
        std::fs::write(&path, texts.get(lang)).map_err(|source| InventoryError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
