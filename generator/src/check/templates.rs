//! Each page's template exists, in the theme or in the site's own `templates/` folder.

use eclaireurs_model::page::INDEX;
use eclaireurs_model::{Page, Problem, Site};

/// The template a page is rendered with: its `template`, or the default for its kind.
pub fn of(page: &Page) -> &str {
    let default = if page.region.is_none() && page.key == INDEX {
        "regions.html"
    } else {
        "page.html"
    };
    page.meta.template.as_deref().unwrap_or(default)
}

/// Whether the template `name` is in the site's `templates/` folder or the theme's.
pub fn exists(site: &Site, name: &str) -> bool {
    [site.root.join("templates"), site.theme.join("templates")]
        .iter()
        .any(|dir| dir.join(name).is_file())
}

/// The problem of a page whose template `name` is in neither folder.
pub fn missing(page: &Page, name: &str) -> Problem {
    Problem::invalid(
        &page.path,
        format!(
            "`template`: there is no template `{name}` in the theme or in the site's templates \
             folder"
        ),
    )
}
