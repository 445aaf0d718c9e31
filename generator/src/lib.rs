//! The éclaireurs site generator: loads a content folder (see `eclaireurs-model`), renders
//! it through a Tera theme, and publishes a static, bilingual site.

pub mod build;
pub mod check;
pub mod inputs;
pub mod inventory;
mod last_build;
pub mod links;
pub mod media;
pub mod output;
#[cfg(feature = "publish")]
pub mod package;
#[cfg(feature = "publish")]
pub mod publish;
pub mod render;
pub mod scaffold;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sitemap;
