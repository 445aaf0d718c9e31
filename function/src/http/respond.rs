//! Answers in the submitter's format and language: JSON for scripts, HTML pages and
//! redirects for plain form posts. No answer ever carries internals or personal data.

use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use eclaireurs_model::html::escape;
use eclaireurs_model::{FormDef, Lang};

use crate::catalog::Catalog;
use crate::validate::FieldError;

/// How the client talks: a browser's form post, or a script sending JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Form,
    Json,
}

/// How long a client should wait before retrying when the store is unavailable.
pub const RETRY_AFTER_SECS: u32 = 5;

#[derive(Serialize)]
struct ErrorBody<'a> {
    errors: &'a [JsonError],
}

#[derive(Serialize)]
pub struct JsonError {
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// Where a page of the function leads back to (an absolute address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WayBack {
    pub url: String,
    /// The form's page; otherwise the site's home page in the language.
    pub to_form: bool,
}

impl WayBack {
    fn link(&self, catalog: &Catalog, lang: Lang) -> String {
        let label = match self.to_form {
            true => "validation.back",
            false => "validation.home",
        };
        format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(&self.url),
            escape(&catalog.text(lang, label))
        )
    }
}

/// A request-level error (not about a field): malformed, too large, unsupported, unavailable.
pub fn problem(
    catalog: &Catalog,
    format: Format,
    lang: Lang,
    status: StatusCode,
    code: &str,
) -> Response {
    problem_page(catalog, format, lang, status, code, "", None)
}

/// [`problem`], its page linking back (to the form when known) and styled with the site's
/// stylesheet under `site_url`.
pub fn problem_page(
    catalog: &Catalog,
    format: Format,
    lang: Lang,
    status: StatusCode,
    code: &str,
    site_url: &str,
    back: Option<&WayBack>,
) -> Response {
    let message = catalog.text(lang, &format!("validation.{code}"));
    let mut response = match format {
        Format::Json => json(
            status,
            &ErrorBody {
                errors: &[JsonError {
                    field: None,
                    code: code.to_string(),
                    message,
                }],
            },
        ),
        Format::Form => {
            let title = catalog.text(lang, "validation.title");
            let back = back.map(|b| b.link(catalog, lang)).unwrap_or_default();
            let body = format!("<p>{}</p>\n{back}", escape(&message));
            let stylesheet = catalog
                .stylesheet
                .as_ref()
                .map(|css| format!("{site_url}{css}"));
            html(
                status,
                &page(catalog, lang, &title, &body, stylesheet.as_deref()),
            )
        }
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    response
}

/// Field errors: JSON `422 {"errors": [...]}`, or a short page listing what to fix, each
/// item linking to its field on the form page when the way back is the form.
pub fn invalid(
    catalog: &Catalog,
    format: Format,
    form: &FormDef,
    lang: Lang,
    back: Option<&WayBack>,
    site_url: &str,
    errors: &[FieldError],
) -> Response {
    match format {
        Format::Json => {
            let errors: Vec<JsonError> = errors
                .iter()
                .map(|e| JsonError {
                    field: Some(e.field.clone()),
                    code: e.code.key().to_string(),
                    message: e.message.clone(),
                })
                .collect();
            json(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ErrorBody { errors: &errors },
            )
        }
        Format::Form => {
            let form_url = back.filter(|b| b.to_form).map(|b| b.url.clone());
            let mut items = String::new();
            for error in errors {
                let label = form
                    .field(&error.field)
                    .and_then(|f| f.label.as_ref())
                    .map_or(error.field.as_str(), |l| l.get(lang).as_str());
                let label = match &form_url {
                    Some(url) => format!(
                        "<a href=\"{}#{}-{}\">{}</a>",
                        escape(url),
                        escape(&form.id),
                        escape(&error.field),
                        escape(label)
                    ),
                    None => format!("<strong>{}</strong>", escape(label)),
                };
                items.push_str(&format!("<li>{label} – {}</li>\n", escape(&error.message)));
            }
            let body = format!(
                "<p>{}</p>\n<ul>\n{items}</ul>\n{}",
                escape(&catalog.text(lang, "validation.intro")),
                back.map(|b| b.link(catalog, lang)).unwrap_or_default()
            );
            let title = catalog.text(lang, "validation.title");
            let stylesheet = catalog
                .stylesheet
                .as_ref()
                .map(|css| format!("{site_url}{css}"));
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(catalog, lang, &title, &body, stylesheet.as_deref()),
            )
        }
    }
}

/// Success: `201 {"id": ...}` for scripts, `303` to the thank-you page for form posts.
pub fn stored(format: Format, id: &str, thanks_url: &str) -> Response {
    match format {
        Format::Json => json(
            StatusCode::CREATED,
            &serde_json::json!({ "id": id, "status": "stored" }),
        ),
        Format::Form => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(thanks_url) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            no_store(response.headers_mut());
            response
        }
    }
}

pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    no_store(response.headers_mut());
    response
}

fn html(status: StatusCode, text: &str) -> Response {
    let mut response = (status, text.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    no_store(headers);
    response
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The crisis lines, as every page of the site shows them (the theme's
/// `partials/crisis-lines.html`, from the same strings): whoever lands on one of the
/// function's pages may need them.
fn crisis_lines(catalog: &Catalog, lang: Lang) -> String {
    let text = |key: &str| escape(&catalog.text(lang, &format!("crisis.{key}")));
    format!(
        "<section class=\"crisis\" aria-labelledby=\"crisis-{lang}\">\n\
         <h2 id=\"crisis-{lang}\">{title}</h2>\n<ul class=\"crisis-lines\">\n\
         <li><a href=\"tel:911\"><strong>911</strong></a> – {emergency}</li>\n\
         <li><a href=\"tel:811\"><strong>811</strong></a> – {info_social}</li>\n\
         <li><a href=\"tel:+18662773553\"><strong>1 866 APPELLE</strong> (1 866 277-3553)</a> \
         – {suicide}</li>\n\
         <li><a href=\"tel:988\"><strong>9-8-8</strong></a> – {crisis_line}</li>\n</ul>\n\
         </section>\n",
        title = text("title"),
        emergency = text("emergency"),
        info_social = text("info_social"),
        suicide = text("suicide"),
        crisis_line = text("crisis_line"),
    )
}

/// A short page in the site's look: the site's stylesheet (its published, fingerprinted
/// address, from the catalog) when there is one.
fn page(
    catalog: &Catalog,
    lang: Lang,
    title: &str,
    body: &str,
    stylesheet: Option<&str>,
) -> String {
    let css = stylesheet
        .map(|href| format!("<link rel=\"stylesheet\" href=\"{}\">\n", escape(href)))
        .unwrap_or_default();
    let page = format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{css}\
         </head>\n<body>\n<main id=\"main\" class=\"wrap\">\n<h1>{title}</h1>\n{body}\n</main>\n\
         <footer class=\"site-footer\">\n{crisis}</footer>\n</body>\n</html>\n",
        title = escape(title),
        crisis = crisis_lines(catalog, lang),
    );
    // French typography, as on the site's pages (labels come from the form definitions).
    match lang {
        Lang::Fr => eclaireurs_model::typography::french(&page, "fr"),
        Lang::En => page,
    }
}
