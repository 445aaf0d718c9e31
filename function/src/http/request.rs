//! What every request gets before a form is read: a trustworthy request id, and the
//! API's own errors (no such address, method not allowed, too slow) in the documented shape.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};

use super::{preferred_language, respond, AppState};
use crate::catalog::Catalog;

/// The header that carries a request's id: in the logs of its request, and in its answer.
pub(super) const REQUEST_ID: &str = "x-request-id";

/// A client's `X-Request-Id` is kept only when it is a UUID (written in lowercase), so what
/// the logs show as a request id can hold neither personal information nor a forged line;
/// any other is dropped, and [`RequestIds`] gives the request one.
pub(super) fn check_request_id<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let checked = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(canonical_uuid);
    match checked.and_then(|id| HeaderValue::from_str(&id).ok()) {
        Some(id) => {
            request.headers_mut().insert(REQUEST_ID, id);
        }
        None => {
            request.headers_mut().remove(REQUEST_ID);
        }
    }
    request
}

/// `id` as a lowercase hyphenated UUID, if it is one written that way (36 characters).
pub(super) fn canonical_uuid(id: &str) -> Option<String> {
    if id.len() != 36 {
        return None;
    }
    let uuid = uuid::Uuid::try_parse(id).ok()?;
    Some(uuid.hyphenated().to_string())
}

/// The id of a request that comes without a valid one: under Lambda the invocation's id (the
/// one of Lambda's own START and REPORT lines), otherwise a new UUID.
#[derive(Clone, Copy)]
pub(super) struct RequestIds;

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = request
            .extensions()
            .get::<lambda_http::Context>()
            .and_then(|context| canonical_uuid(&context.request_id))
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// An error of the whole request that comes before any form is read, in the documented
/// shape (`{"errors":[{"field":null,"code","message"}]}`) and the language the client
/// prefers (`Accept-Language`; French by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestError {
    /// No such address in the API (`404`, `not_found`).
    NotFound,
    /// The address does not take this method (`405`, `method_not_allowed`).
    MethodNotAllowed,
    /// The local server waited too long for the request's body (`408`, `timeout`).
    TooSlow,
    /// Not sent by the distribution (`403`, `forbidden`): see [`super::origin`].
    Forbidden,
    /// The local server does not answer for the host the request names (`421`,
    /// `misdirected`): see [`super::server::hosts`].
    Misdirected,
    /// The local server could not read the request's head: not HTTP (`400`, `malformed`),
    /// too large (`431`) or its address too long (`414`) (`too_large`).
    Unreadable(StatusCode),
}

impl RequestError {
    pub(crate) fn status(self) -> StatusCode {
        match self {
            RequestError::NotFound => StatusCode::NOT_FOUND,
            RequestError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RequestError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            RequestError::Forbidden => StatusCode::FORBIDDEN,
            RequestError::Misdirected => StatusCode::MISDIRECTED_REQUEST,
            RequestError::Unreadable(status) => status,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            RequestError::NotFound => "not_found",
            RequestError::MethodNotAllowed => "method_not_allowed",
            RequestError::TooSlow => "timeout",
            RequestError::Forbidden => "forbidden",
            RequestError::Misdirected => "misdirected",
            RequestError::Unreadable(StatusCode::BAD_REQUEST) => "malformed",
            RequestError::Unreadable(_) => "too_large",
        }
    }

    /// The error's answer, its message from the UI strings (`validation.<code>`).
    pub(crate) fn answer(self, catalog: &Catalog, headers: &HeaderMap) -> Response {
        let lang = preferred_language(headers);
        let message = catalog.text(lang, &format!("validation.{}", self.code()));
        respond::json(
            self.status(),
            &serde_json::json!({"errors": [{"field": null, "code": self.code(), "message": message}]}),
        )
    }

    /// The answer as the client talks: a short page (leading to the site's home page) for a
    /// browser's form post that does not ask for JSON, JSON otherwise.
    pub(crate) fn answer_in_kind(self, state: &AppState, headers: &HeaderMap) -> Response {
        let form_post = super::content_type(headers) == Some(respond::Format::Form);
        if !form_post || super::accepts_json(headers) {
            return self.answer(&state.catalog, headers);
        }
        let lang = preferred_language(headers);
        let site = &state.settings.site_url;
        let reader = respond::Reader {
            catalog: &state.catalog,
            site_url: site,
            lang,
            form: None,
            region: None,
            back: respond::WayBack {
                url: format!("{site}/{lang}/"),
                to_form: false,
            },
        };
        respond::problem(&reader, respond::Format::Form, self.status(), self.code())
    }
}

pub(super) async fn no_such_address(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    RequestError::NotFound.answer(&state.catalog, &headers)
}

/// Keeps the `Allow` header the router adds.
pub(super) async fn method_not_allowed(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    RequestError::MethodNotAllowed.answer(&state.catalog, &headers)
}
