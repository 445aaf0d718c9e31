//! Answers in the submitter's format and language: JSON for scripts, the site's own pages
//! ([`super::page`]) and redirects for plain form posts. No answer ever carries internals,
//! and personal data only in the form given back to the person who typed it.

use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use eclaireurs_model::{FormDef, Lang};

use super::fields::Fields;
use super::page::{self, Answer, Given, Link, PageError};
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
    fn link(&self, catalog: &Catalog, lang: Lang) -> Link {
        let label = match self.to_form {
            true => "validation.back",
            false => "validation.home",
        };
        Link {
            url: self.url.clone(),
            label: catalog.text(lang, label),
        }
    }
}

/// Whom a page answers: the language, and the form and region when known (its page can
/// then be shown again), and where the page leads back.
pub struct Reader<'a> {
    pub catalog: &'a Catalog,
    /// The site's address (`SITE_URL`), before the paths of its pages and files.
    pub site_url: &'a str,
    pub lang: Lang,
    pub form: Option<&'a FormDef>,
    pub region: Option<&'a str>,
    pub back: WayBack,
}

impl Reader<'_> {
    /// The form's page given back, if the catalog can show it.
    fn form_page(&self, given: &Given) -> Option<Result<String, PageError>> {
        page::form_page(
            self.catalog,
            self.site_url,
            self.form?,
            self.region?,
            self.lang,
            given,
        )
    }

    fn answer(&self, status: StatusCode, answer: Answer) -> Response {
        let form_and_region = self.form.map(|f| f.id.as_str()).zip(self.region);
        let html = page::answer_page(
            self.catalog,
            self.site_url,
            self.lang,
            form_and_region,
            &answer,
        );
        page_or_text(status, html, || {
            let mut text = format!("{}\n\n{}\n", answer.title, answer.message);
            for (label, message) in &answer.items {
                text.push_str(&format!("- {label}: {message}\n"));
            }
            text.push_str(&format!("\n{}: {}\n", answer.back.label, answer.back.url));
            text
        })
    }
}

/// A request-level error (not about a field): malformed, too large, unsupported, unavailable.
/// For a browser, a page in the site's shell: the form's own page (its message at the top,
/// the form empty) for a body too large or unreadable when that page is known, otherwise a
/// short answer leading back.
pub fn problem(reader: &Reader, format: Format, status: StatusCode, code: &str) -> Response {
    let catalog = reader.catalog;
    let lang = reader.lang;
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
            let refilled = matches!(
                status,
                StatusCode::PAYLOAD_TOO_LARGE | StatusCode::BAD_REQUEST
            );
            let given = Given {
                fields: None,
                errors: &[],
                intro: message.clone(),
            };
            match refilled.then(|| reader.form_page(&given)).flatten() {
                Some(html) => page_or_text(status, html, || message.clone()),
                None => reader.answer(
                    status,
                    Answer {
                        title: catalog.text(lang, "validation.title"),
                        message,
                        items: Vec::new(),
                        back: reader.back.link(catalog, lang),
                    },
                ),
            }
        }
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    response
}

/// Field errors: JSON `422 {"errors": [...]}`, or for a browser the form's own page again
/// (`422`), filled in with `fields`, each error beside its field and summed up at the top.
/// Without that page, a short answer listing what to fix.
pub fn invalid(
    reader: &Reader,
    format: Format,
    fields: &Fields,
    errors: &[FieldError],
) -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
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
            json(status, &ErrorBody { errors: &errors })
        }
        Format::Form => {
            let (catalog, lang) = (reader.catalog, reader.lang);
            let intro = catalog.text(lang, "validation.intro");
            let given = Given {
                fields: Some(fields),
                errors,
                intro: intro.clone(),
            };
            if let Some(html) = reader.form_page(&given) {
                return page_or_text(status, html, || intro.clone());
            }
            let items = errors
                .iter()
                .map(|error| {
                    let label = reader
                        .form
                        .and_then(|form| form.field(&error.field))
                        .and_then(|f| f.label.as_ref())
                        .map_or(error.field.clone(), |l| l.get(lang).clone());
                    (label, error.message.clone())
                })
                .collect();
            reader.answer(
                status,
                Answer {
                    title: catalog.text(lang, "validation.title"),
                    message: intro,
                    items,
                    back: reader.back.link(catalog, lang),
                },
            )
        }
    }
}

/// A browser's post recognised as a repeat of answers already stored: a page that says so
/// (`200`) and leads to the thank-you page, rather than a second thank-you as if new.
pub fn repeat(reader: &Reader, thanks_url: &str) -> Response {
    let (catalog, lang) = (reader.catalog, reader.lang);
    reader.answer(
        StatusCode::OK,
        Answer {
            title: catalog.text(lang, "validation.repeat_title"),
            message: catalog.text(lang, "validation.repeat"),
            items: Vec::new(),
            back: Link {
                url: thanks_url.to_string(),
                label: catalog.text(lang, "validation.repeat_thanks"),
            },
        },
    )
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

/// The page, or when the catalog cannot render it (no theme: a catalog made from a content
/// folder), the same words as plain text; the failure is logged, never shown.
fn page_or_text(
    status: StatusCode,
    html: Result<String, PageError>,
    text: impl FnOnce() -> String,
) -> Response {
    match html {
        Ok(html) => page_response(status, html),
        Err(error) => {
            if !matches!(error, PageError::NoTheme) {
                tracing::warn!(reason = %error, "the function's page could not be rendered");
            }
            let mut response = (status, text()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            no_store(headers);
            response
        }
    }
}

/// An HTML page of the function, with the site's own security headers (the page loads the
/// site's stylesheet, icon and script), never cached.
fn page_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for (name, value) in super::security::site_headers() {
        headers.insert(name.clone(), value.clone());
    }
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
