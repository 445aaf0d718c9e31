//! Who an answer to a form post is for: the request's format, language and region as best
//! known so far, and so the way back its pages offer. Worked out once from the headers before
//! the body is read, then settled by what the body says, and carried to every answer.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

use eclaireurs_model::Lang;

use super::respond::{self, Format, WayBack};
use super::{AppState, Fields};
use crate::catalog::Catalog;

pub(super) struct Audience<'a> {
    state: &'a AppState,
    form: &'a str,
    pub format: Format,
    pub lang: Lang,
    pub region: Option<String>,
    /// The region of the page the browser posted from, if it is one of this form's pages.
    referrer: Option<String>,
}

impl<'a> Audience<'a> {
    /// Until the body is read, the page the browser posted from (if it says, and it is one of
    /// this form's pages) tells the language and the way back; else `Accept-Language`. The
    /// format is what the client accepts until its `Content-Type` says.
    pub fn from_headers(state: &'a AppState, form: &'a str, headers: &HeaderMap) -> Self {
        let referrer = referring_page(&state.catalog, form, headers);
        let lang = referrer
            .as_ref()
            .map_or_else(|| preferred_language(headers), |(_, lang)| *lang);
        let region = referrer.map(|(region, _)| region);
        Audience {
            state,
            form,
            format: match accepts_json(headers) {
                true => Format::Json,
                false => Format::Form,
            },
            lang,
            region: region.clone(),
            referrer: region,
        }
    }

    /// The form's own `region` (when the catalog knows it) and `language` fields, when they
    /// say, are the better guide back.
    pub fn read(&mut self, fields: &Fields) {
        if let Some(region) = fields
            .text("region")
            .filter(|r| self.state.catalog.regions.contains_key(*r))
        {
            self.region = Some(region.to_string());
        }
        if let Some(lang) = fields.text("language").and_then(Lang::from_code) {
            self.lang = lang;
        }
    }

    /// What validation or acceptance settled: the submission's language, and its region or
    /// else the referring page's.
    pub fn settle(&mut self, lang: Lang, region: Option<String>) {
        self.lang = lang;
        self.region = region.or_else(|| self.referrer.clone());
    }

    /// Where a page about this request leads: the form's page for the region when known, else
    /// the site's home page in the language.
    pub fn way_back(&self) -> WayBack {
        let site = &self.state.settings.site_url;
        let page = self.region.as_deref().and_then(|region| {
            self.state
                .catalog
                .addresses(self.form, region, self.lang)
                .page
        });
        match page {
            Some(page) => WayBack {
                url: format!("{site}{page}"),
                to_form: true,
            },
            None => WayBack {
                url: format!("{site}/{}/", self.lang),
                to_form: false,
            },
        }
    }

    /// The thank-you page of the form for the region, else the site's home page.
    pub fn thanks(&self) -> String {
        let site = &self.state.settings.site_url;
        let path = self
            .region
            .as_deref()
            .and_then(|region| {
                self.state
                    .catalog
                    .addresses(self.form, region, self.lang)
                    .thanks
            })
            .unwrap_or_else(|| format!("/{}/", self.lang));
        format!("{site}{path}")
    }

    /// Whom a page about this request is for: its language, form and region, its way back.
    pub fn reader(&self) -> respond::Reader<'a> {
        let catalog = &self.state.catalog;
        respond::Reader {
            catalog,
            site_url: &self.state.settings.site_url,
            lang: self.lang,
            form: catalog.form(self.form),
            region: self
                .region
                .as_deref()
                .and_then(|r| catalog.regions.get_key_value(r))
                .map(|(r, _)| r.as_str()),
            back: self.way_back(),
        }
    }

    /// An error about the whole submission (`code` of `validation.<code>`), with its way back.
    pub fn problem(&self, status: StatusCode, code: &str) -> Response {
        respond::problem(&self.reader(), self.format, status, code)
    }
}

/// The page a browser posted from, as its `Referer` says (whole on the same origin, the
/// site's referrer policy), if it is one of the pages of this form: its region and language.
/// Only its path is read, and only a path of the catalog is ever linked to.
fn referring_page(catalog: &Catalog, form: &str, headers: &HeaderMap) -> Option<(String, Lang)> {
    let referrer = headers.get(header::REFERER)?.to_str().ok()?;
    let after_scheme = referrer
        .split_once("://")
        .map_or(referrer, |(_, rest)| rest);
    let path = &after_scheme[after_scheme.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    catalog
        .form_page_at(form, path)
        .map(|(region, lang)| (region.to_string(), lang))
}

pub(super) fn content_type(headers: &HeaderMap) -> Option<Format> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Some(Format::Form),
        "application/json" => Some(Format::Json),
        _ => None,
    }
}

pub(super) fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// For errors that come before the form's `language` field is read.
pub(super) fn preferred_language(headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Fr
    }
}
