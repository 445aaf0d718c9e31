//! The function's pages for a browser, rendered from the site's own templates.
//!
//! Design: nothing of the theme is written here. `eclaireurs build` puts into the catalog
//! the templates (`base.html`, `page.html`, `answer.html` and their partials), the static
//! files they name, what each language's pages share, and each form page's context, the
//! one its page was rendered with ([`eclaireurs_model::catalog::Theme`]). A post that needs
//! fixing is answered with that very page (`page.html`): the answers filled in (never the
//! trap; the hidden fields keep the catalog's values, whatever the post said), each error
//! beside its field and a summary at the top of the form, which takes the focus. Any other
//! answer for a browser is `answer.html`: the site's shell, a message and a way back. The
//! footer of both holds the crisis lines. The templates are compiled for each page: these
//! are answers to mistakes, not the common path.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use eclaireurs_model::catalog::FormLocation;
use eclaireurs_model::form::FieldKind;
use eclaireurs_model::{FormDef, Lang};

use super::fields::{Fields, Input};
use crate::catalog::Catalog;
use crate::validate::FieldError;

/// Why a page could not be made: the catalog has no theme (made from a content folder,
/// not by `eclaireurs build`), or a template failed.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error(
        "the catalog has no theme for the function's pages (it was not made by `eclaireurs build`)"
    )]
    NoTheme,
    #[error("the template `{template}` failed: {reason}")]
    Template {
        template: &'static str,
        reason: String,
    },
}

/// A form given back: what the post said, and what to fix.
pub struct Given<'a> {
    /// The post's fields, to fill the form in with; none when the body could not be read.
    pub fields: Option<&'a Fields>,
    pub errors: &'a [FieldError],
    /// The summary's first sentence.
    pub intro: String,
}

/// A short answer (`answer.html`).
#[derive(Serialize)]
pub struct Answer {
    pub title: String,
    pub message: String,
    /// What to fix, when the form's page cannot be shown again: a field's name and message.
    pub items: Vec<(String, String)>,
    pub back: Link,
}

#[derive(Serialize)]
pub struct Link {
    pub url: String,
    pub label: String,
}

#[derive(Serialize)]
struct Summary<'a> {
    title: String,
    intro: &'a str,
    errors: Vec<SummaryItem<'a>>,
}

#[derive(Serialize)]
struct SummaryItem<'a> {
    /// The element of the field on the page.
    id: String,
    label: &'a str,
    message: &'a str,
}

/// The page of `form` for `region` in `lang` (or the other language's if that one is
/// missing), given back with `given`; `None` when the catalog cannot show that page.
pub fn form_page(
    catalog: &Catalog,
    site_url: &str,
    form: &FormDef,
    region: &str,
    lang: Lang,
    given: &Given,
) -> Option<Result<String, PageError>> {
    let location = catalog.location(&form.id, region, lang)?;
    Some(render_form(catalog, site_url, form, location, given))
}

fn render_form(
    catalog: &Catalog,
    site_url: &str,
    form: &FormDef,
    location: &FormLocation,
    given: &Given,
) -> Result<String, PageError> {
    let lang = location.lang;
    let (tera, mut ctx) = shell(catalog, site_url, lang)?;
    if let Some(Value::Object(keys)) = &location.context {
        for (key, value) in keys {
            if key == "form" {
                ctx.insert("form", &with_version(value, &catalog.version));
            } else {
                ctx.insert(key, value);
            }
        }
    }
    let mut errors: BTreeMap<&str, &str> = BTreeMap::new();
    let mut items = Vec::new();
    for error in given.errors {
        // One message beside a field: its first.
        if errors.contains_key(error.field.as_str()) {
            continue;
        }
        errors.insert(&error.field, &error.message);
        let label = form
            .field(&error.field)
            .and_then(|f| f.label.as_ref())
            .map_or(error.field.as_str(), |l| l.get(lang).as_str());
        items.push(SummaryItem {
            id: format!("{}-{}", form.id, error.field),
            label,
            message: &error.message,
        });
    }
    ctx.insert("errors", &errors);
    ctx.insert(
        "values",
        &given.fields.map(|f| values(form, f)).unwrap_or_default(),
    );
    ctx.insert(
        "summary",
        &Summary {
            title: catalog.text(lang, "validation.title"),
            intro: &given.intro,
            errors: items,
        },
    );
    render(&tera, "page.html", &ctx, lang)
}

/// `answer` in the site's shell, in the header the region's when `region` is known.
pub fn answer_page(
    catalog: &Catalog,
    site_url: &str,
    lang: Lang,
    form_and_region: Option<(&str, &str)>,
    answer: &Answer,
) -> Result<String, PageError> {
    let (tera, mut ctx) = shell(catalog, site_url, lang)?;
    let region = form_and_region
        .and_then(|(form, region)| catalog.location(form, region, lang))
        .filter(|location| location.lang == lang)
        .and_then(|location| location.context.as_ref()?.get("region"));
    if let Some(region) = region {
        ctx.insert("region", region);
    }
    ctx.insert("answer", answer);
    render(&tera, "answer.html", &ctx, lang)
}

/// The compiled templates, with `asset()` giving the static files' addresses on the site,
/// and what every page of `lang` shares (its footer rendered).
fn shell(
    catalog: &Catalog,
    site_url: &str,
    lang: Lang,
) -> Result<(tera::Tera, tera::Context), PageError> {
    let theme = catalog.theme.as_ref().ok_or(PageError::NoTheme)?;
    let mut tera = theme.compile().map_err(|e| PageError::Template {
        template: "base.html",
        reason: e.to_string(),
    })?;
    let assets: HashMap<String, String> = theme
        .assets
        .iter()
        .map(|(name, url)| (name.clone(), format!("{site_url}{url}")))
        .collect();
    tera.register_function("asset", move |args: &HashMap<String, Value>| {
        let path = args.get("path").and_then(Value::as_str).unwrap_or("");
        assets
            .get(path.trim_start_matches('/'))
            .map(|url| Value::String(url.clone()))
            .ok_or_else(|| tera::Error::msg("asset(): a file the catalog does not have"))
    });
    let mut ctx = tera::Context::new();
    if let Value::Object(base) = theme.base.get(lang) {
        for (key, value) in base {
            ctx.insert(key, value);
        }
    }
    ctx.insert("lang", &lang);
    ctx.insert("t", catalog.strings.get(lang));
    ctx.insert("body_end", "");
    ctx.insert("values", &Map::new());
    ctx.insert("errors", &Map::new());
    let footer = tera
        .render("partials/footer.html", &ctx)
        .map_err(|e| failed("partials/footer.html", &e))?;
    ctx.insert("footer", &footer);
    Ok((tera, ctx))
}

fn render(
    tera: &tera::Tera,
    template: &'static str,
    ctx: &tera::Context,
    lang: Lang,
) -> Result<String, PageError> {
    let html = tera
        .render(template, ctx)
        .map_err(|e| failed(template, &e))?;
    // Typography as the generator sets the site's pages (French rules where the text is
    // French; phone numbers kept on one line in both languages).
    Ok(eclaireurs_model::typography::french(&html, lang.code()))
}

fn failed(template: &'static str, err: &tera::Error) -> PageError {
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        source = inner.source();
    }
    PageError::Template { template, reason }
}

/// The form's view with the catalog's version first among its hidden fields, as the
/// site's page carries it.
fn with_version(form: &Value, version: &str) -> Value {
    let mut form = form.clone();
    if let Some(Value::Array(hidden)) = form.get_mut("hidden") {
        hidden.retain(|h| h.get(0).and_then(Value::as_str) != Some("catalog_version"));
        hidden.insert(0, serde_json::json!(["catalog_version", version]));
    }
    form
}

/// What a person answered, by field name, to fill the form in with: never the trap, nor
/// what the page adds itself (region, language, version: the catalog's values stay).
fn values(form: &FormDef, fields: &Fields) -> Map<String, Value> {
    let mut values = Map::new();
    for field in &form.fields {
        let Some(input) = fields.0.get(&field.name) else {
            continue;
        };
        let texts: Vec<&str> = match input {
            Input::Text(text) => vec![text.as_str()],
            Input::List(list) => list.iter().map(String::as_str).collect(),
            Input::Bool(true) => vec!["true"],
            Input::Bool(false) | Input::Other => Vec::new(),
        };
        let value = match field.kind {
            FieldKind::Honeypot | FieldKind::Region | FieldKind::Language => continue,
            FieldKind::Choices => Value::Array(
                texts
                    .into_iter()
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
            ),
            FieldKind::Consent => match texts.first() {
                // As the validator reads a box that is checked.
                Some(t)
                    if matches!(
                        t.trim().to_ascii_lowercase().as_str(),
                        "true" | "on" | "yes" | "1"
                    ) =>
                {
                    Value::String("true".into())
                }
                _ => continue,
            },
            _ => match texts.first() {
                Some(text) => Value::String(text.to_string()),
                None => continue,
            },
        };
        values.insert(field.name.clone(), value);
    }
    values
}
