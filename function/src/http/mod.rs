//! The API as an axum router: the same router runs under Lambda, as a local HTTP server,
//! and inside `eclaireurs serve`.

mod audience;
mod body;
pub mod fields;
pub mod live;
pub mod origin;
pub mod page;
mod request;
pub mod respond;
pub mod security;
pub mod server;

use audience::{accepts_json, content_type, preferred_language, Audience};
pub use body::{body_limit, BODY_ALLOWANCE, BYTES_PER_CHARACTER, MIN_BODY_LIMIT};
use body::{read_body, BodyError};
pub use fields::{Fields, Input, Malformed};
use request::RequestError;
use request::{check_request_id, method_not_allowed, no_such_address, RequestIds, REQUEST_ID};

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::store::{Store, Stored};
use crate::submission::{self, Receipt};
use respond::Format;

/// Beyond this, a store call is abandoned and the client told to retry.
const STORE_DEADLINE: Duration = Duration::from_secs(5);

pub struct AppState {
    pub catalog: Catalog,
    /// Shared, so `eclaireurs serve` can renew the catalog while keeping the one store.
    pub store: Arc<Store>,
    pub settings: Settings,
}

/// The API's routes without their `/api` prefix: `/<endpoint>` for each form, `/health`.
pub fn api_router(state: Arc<AppState>) -> Router {
    let mut router = Router::new().route("/health", get(health));
    for form in state.catalog.forms.values() {
        let id = form.id.clone();
        router = router.route(
            &format!("/{}", form.endpoint),
            post(move |state, headers, body| submit(state, id.clone(), headers, body)),
        );
    }
    let request_id = HeaderName::from_static(REQUEST_ID);
    let mut router = router
        .fallback(no_such_address)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RequestIds))
        .layer(tower::util::MapRequestLayer::new(check_request_id));
    if !state.settings.allowed_origins.is_empty() {
        let origins: Vec<HeaderValue> = state
            .settings
            .allowed_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    HeaderName::from_static("idempotency-key"),
                ])
                .max_age(Duration::from_secs(3600)),
        );
    }
    // Outermost: a request without the distribution's secret gets nothing else, not even
    // a CORS answer.
    router.layer(axum::middleware::from_fn_with_state(state, origin::check))
}

/// The answer to a request whose body came too slowly (`408`, `timeout`), in the language
/// its headers prefer: what the local servers send before they disconnect such a client.
pub fn too_slow(catalog: &Catalog, headers: &HeaderMap) -> Response {
    RequestError::TooSlow.answer(catalog, headers)
}

/// The whole application: the API under `/api`, as deployed.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new().nest("/api", api_router(state))
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let store = state.store.kind();
    match tokio::time::timeout(STORE_DEADLINE, state.store.health()).await {
        Ok(Ok(())) => respond::json(
            StatusCode::OK,
            &serde_json::json!({"status": "ok", "store": store}),
        ),
        outcome => {
            let reason = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => "timed out".into(),
            };
            tracing::warn!(store, reason = %reason, "health check failed");
            let mut response = respond::json(
                StatusCode::SERVICE_UNAVAILABLE,
                &serde_json::json!({"status": "unavailable", "store": store}),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(respond::RETRY_AFTER_SECS),
            );
            response
        }
    }
}

/// A form post: parse (format, body, fields, key) → [`submission::accept`] (the form's rules,
/// then the submission's) → store → respond. Every answer goes to the [`Audience`] worked
/// out from the headers and settled by the body.
async fn submit(
    State(state): State<Arc<AppState>>,
    form_id: String,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let catalog = &state.catalog;
    let Some(form) = catalog.form(&form_id) else {
        return RequestError::NotFound.answer(catalog, &headers);
    };
    let mut audience = Audience::from_headers(&state, &form_id, &headers);
    let log = |status: StatusCode, outcome: &str, region: Option<&str>, id: Option<&str>| {
        // Never the fields: no names, emails, phones or free text in the logs.
        tracing::info!(
            request_id = %request_id,
            form = %form_id,
            region = region.unwrap_or(""),
            submission_id = id.unwrap_or(""),
            outcome,
            status = status.as_u16(),
            "submission"
        );
    };
    let refuse = |audience: &Audience, status: StatusCode, code: &str| {
        log(status, code, None, None);
        audience.problem(status, code)
    };

    let Some(format) = content_type(&headers) else {
        return refuse(
            &audience,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    };
    audience.format = format;
    let limit = body_limit(catalog, form);
    let too_large = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > limit);
    let bytes = match too_large {
        true => Err(BodyError::TooLarge),
        false => read_body(body, limit).await,
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            return refuse(&audience, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        }
        Err(BodyError::Unreadable) => {
            return refuse(&audience, StatusCode::BAD_REQUEST, "malformed");
        }
    };
    let fields = match format {
        Format::Form => Fields::from_form(&bytes),
        Format::Json => Fields::from_json(&bytes),
    };
    let Ok(fields) = fields else {
        return refuse(&audience, StatusCode::BAD_REQUEST, "malformed");
    };
    audience.read(&fields);
    let header_key = headers.get("idempotency-key").map(|v| v.to_str().ok());
    let Ok(key) = submission::client_key(header_key, &fields) else {
        return refuse(&audience, StatusCode::BAD_REQUEST, "malformed");
    };

    check_catalog_version(catalog, &fields, &request_id, &form_id);

    let now = time::OffsetDateTime::now_utc();
    let accepted =
        match submission::accept(catalog, &state.settings, form, &fields, key.as_deref(), now) {
            Ok(accepted) => accepted,
            Err(invalid) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                log(status, "invalid", invalid.region.as_deref(), None);
                let codes: Vec<String> = invalid
                    .errors
                    .iter()
                    .map(|e| format!("{}:{}", e.field, e.code.key()))
                    .collect();
                tracing::debug!(request_id = %request_id, errors = ?codes, "invalid fields");
                audience.settle(invalid.language, invalid.region);
                return respond::invalid(&audience.reader(), format, &fields, &invalid.errors);
            }
        };

    let record = &accepted.record;
    let (kind, submitted_at) = (record.kind.clone(), record.submitted_at.clone());
    let region = record.region.clone();
    let trap = accepted.is_trap();
    audience.settle(accepted.language, Some(region.clone()));
    match tokio::time::timeout(STORE_DEADLINE, accepted.store(&state.store)).await {
        Ok(Ok(Stored::Conflict)) => {
            // IETF draft "The Idempotency-Key HTTP Header Field": a key reused with another
            // payload is 422. The first answers are kept; these are not.
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            log(status, "key_reused", Some(&region), None);
            audience.problem(status, "idempotency_key_reused")
        }
        Ok(Ok(stored)) => {
            let receipt = Receipt::new(trap, &stored);
            // A person's form post seen before (a double click, a reload of the answer): a
            // page that says so. A script keeps its `201` with the same id; a bot its `303`.
            let repeat = matches!(
                (format, &stored, trap),
                (Format::Form, Stored::Duplicate(_), false)
            );
            let status = match (format, repeat) {
                (Format::Json, _) => StatusCode::CREATED,
                (Format::Form, true) => StatusCode::OK,
                (Format::Form, false) => StatusCode::SEE_OTHER,
            };
            log(status, receipt.outcome, Some(&region), receipt.logged_id);
            if let (true, Some(id)) = (receipt.announce, stored.id()) {
                state.store.announce(&kind, &region, &submitted_at, id);
            }
            if repeat {
                return respond::repeat(&audience.reader(), &audience.thanks());
            }
            respond::stored(format, stored.id().unwrap_or_default(), &audience.thanks())
        }
        outcome => {
            let reason = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => "the store did not answer in time".into(),
            };
            let status = StatusCode::SERVICE_UNAVAILABLE;
            tracing::warn!(request_id = %request_id, form = %form_id, region = %region, reason = %reason, "store unavailable");
            log(status, "unavailable", Some(&region), None);
            audience.problem(status, "unavailable")
        }
    }
}

/// A page built from another catalog than the function's (a page cached from before a
/// publish, or a function not yet updated) is still validated against the function's current
/// form definitions, which decide; the mismatch is logged so it can be seen, never refused.
fn check_catalog_version(catalog: &Catalog, fields: &Fields, request_id: &str, form: &str) {
    let Some(page_version) = fields.text("catalog_version").filter(|v| !v.is_empty()) else {
        return;
    };
    if page_version == catalog.version {
        return;
    }
    // Only a version-shaped value is logged: the field comes from the client.
    let shown = if page_version.len() <= 64 && page_version.chars().all(|c| c.is_ascii_hexdigit()) {
        page_version
    } else {
        "unrecognized"
    };
    tracing::warn!(
        request_id = %request_id,
        form = %form,
        page_catalog = shown,
        function_catalog = %catalog.version,
        "catalog_mismatch: the page was built from other form definitions; validated against the current ones"
    );
}
