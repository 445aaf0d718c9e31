//! The API as an axum router: the same router runs under Lambda, as a local HTTP server,
//! and inside `eclaireurs serve`.

pub mod respond;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use eclaireurs_model::Lang;

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::store::{schema, Record, Store, Stored};
use crate::validate::{validate, Fields, Outcome};
use respond::Format;

/// The largest body accepted. The longest form is well under 8 KiB even with every field full.
pub const BODY_LIMIT: usize = 16 * 1024;

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
    for form in &state.catalog.forms {
        let id = form.id.clone();
        router = router.route(
            &format!("/{}", form.endpoint),
            post(move |state, headers, body| submit(state, id.clone(), headers, body)),
        );
    }
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = router
        .fallback(not_found)
        .with_state(state.clone())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
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
    router
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

async fn not_found() -> Response {
    respond::json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({"errors": [{"field": null, "code": "not_found", "message": "No such address in this API."}]}),
    )
}

async fn submit(
    State(state): State<Arc<AppState>>,
    form_id: String,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let catalog = &state.catalog;
    let Some(form) = catalog.form(&form_id) else {
        return not_found().await;
    };
    let accept_lang = preferred_language(&headers);
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

    let format = match content_type(&headers) {
        Some(format) => format,
        None => {
            let format = if accepts_json(&headers) {
                Format::Json
            } else {
                Format::Form
            };
            let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
            log(status, "unsupported_media_type", None, None);
            return respond::problem(
                catalog,
                format,
                accept_lang,
                status,
                "unsupported_media_type",
            );
        }
    };
    let too_large = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > BODY_LIMIT);
    let bytes = match too_large {
        true => None,
        false => axum::body::to_bytes(body, BODY_LIMIT).await.ok(),
    };
    let Some(bytes) = bytes else {
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        log(status, "too_large", None, None);
        return respond::problem(catalog, format, accept_lang, status, "too_large");
    };
    let fields = match format {
        Format::Form => match std::str::from_utf8(&bytes) {
            Ok(_) => Ok(Fields::from_form(&bytes)),
            Err(_) => Err("the form is not UTF-8".to_string()),
        },
        Format::Json => Fields::from_json(&bytes),
    };
    let fields = match fields {
        Ok(fields) => fields,
        Err(_) => {
            let status = StatusCode::BAD_REQUEST;
            log(status, "malformed", None, None);
            return respond::problem(catalog, format, accept_lang, status, "malformed");
        }
    };
    // An empty key (header or field) counts as none; any other must be well-formed.
    let header_key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(key)) if key.trim().is_empty() => Ok(None),
        Some(Ok(key)) => Ok(Some(key.to_string())),
        Some(Err(_)) => Err(()),
    };
    let client_key = header_key.map(|key| {
        key.or_else(|| {
            fields
                .text("submission_id")
                .filter(|k| !k.is_empty())
                .map(str::to_string)
        })
    });
    let field_key_is_text = matches!(
        fields.0.get("submission_id"),
        None | Some(crate::validate::Input::Text(_))
    );
    let client_key = match client_key {
        Ok(key) if field_key_is_text && key.as_deref().is_none_or(valid_key) => key,
        _ => {
            let status = StatusCode::BAD_REQUEST;
            log(status, "malformed", None, None);
            return respond::problem(catalog, format, accept_lang, status, "malformed");
        }
    };

    check_catalog_version(catalog, &fields, &request_id, &form_id);

    let submission = match validate(catalog, form, &fields) {
        Outcome::Valid(submission) => submission,
        Outcome::Trap { language, region } => {
            // Looks like success, so the bot learns nothing; nothing is stored.
            let id = uuid::Uuid::now_v7().to_string();
            let thanks = thanks_url(&state, &form_id, region.as_deref(), language);
            let status = match format {
                Format::Json => StatusCode::CREATED,
                Format::Form => StatusCode::SEE_OTHER,
            };
            log(status, "trap", region.as_deref(), None);
            return respond::stored(format, &id, &thanks);
        }
        Outcome::Invalid {
            language,
            region,
            errors,
        } => {
            let form_page = region
                .as_deref()
                .and_then(|r| catalog.pages(&form_id, r, language).form);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            log(status, "invalid", region.as_deref(), None);
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code.key()))
                .collect();
            tracing::debug!(request_id = %request_id, errors = ?codes, "invalid fields");
            return respond::invalid(
                catalog,
                format,
                form,
                language,
                form_page.as_deref(),
                &state.settings.site_url,
                &errors,
            );
        }
    };

    let now = time::OffsetDateTime::now_utc();
    let submitted_at = iso(now);
    let idempotency_key = match &client_key {
        Some(key) => hash(&[&form_id, "client", key]),
        None => {
            // Without a key, the same answers sent again are the same submission.
            let values = serde_json::to_string(&submission.values).unwrap_or_default();
            hash(&[
                &form_id,
                &submission.region,
                submission.language.code(),
                &values,
            ])
        }
    };
    let record = Record {
        id: uuid::Uuid::now_v7().to_string(),
        kind: submission.kind.clone(),
        region: submission.region.clone(),
        submitted_at: submitted_at.clone(),
        status: "new".into(),
        language: submission.language.code().into(),
        consent_version: submission.consent_version.clone(),
        consent_at: submitted_at,
        expires_at: state
            .settings
            .retention_days
            .map(|days| now.unix_timestamp() + i64::from(days) * 86_400),
        idempotency_key,
        email_hash: match submission.values.get("email") {
            Some(crate::validate::Value::Text(email)) => Some(schema::email_hash(email)),
            _ => None,
        },
        values: submission.values,
    };
    let announced = (record.kind.clone(), record.submitted_at.clone());
    let region = record.region.clone();
    let language = submission.language;
    match tokio::time::timeout(STORE_DEADLINE, state.store.put(record)).await {
        Ok(Ok(stored)) => {
            let outcome = match &stored {
                Stored::New(_) => "stored",
                Stored::Duplicate(_) => "duplicate",
            };
            let status = match format {
                Format::Json => StatusCode::CREATED,
                Format::Form => StatusCode::SEE_OTHER,
            };
            log(status, outcome, Some(&region), Some(stored.id()));
            if let Stored::New(id) = &stored {
                state
                    .store
                    .announce(&announced.0, &region, &announced.1, id);
            }
            let thanks = thanks_url(&state, &form_id, Some(&region), language);
            respond::stored(format, stored.id(), &thanks)
        }
        outcome => {
            let reason = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => "the store did not answer in time".into(),
            };
            let status = StatusCode::SERVICE_UNAVAILABLE;
            tracing::warn!(request_id = %request_id, form = %form_id, region = %region, reason = %reason, "store unavailable");
            log(status, "unavailable", Some(&region), None);
            respond::problem(catalog, format, language, status, "unavailable")
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

fn thanks_url(state: &AppState, form: &str, region: Option<&str>, lang: Lang) -> String {
    let site = &state.settings.site_url;
    let path = region
        .and_then(|r| state.catalog.pages(form, r, lang).thanks)
        .unwrap_or_else(|| format!("/{lang}/"));
    format!("{site}{path}")
}

fn content_type(headers: &HeaderMap) -> Option<Format> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Some(Format::Form),
        "application/json" => Some(Format::Json),
        _ => None,
    }
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// For errors that come before the form's `language` field is read.
fn preferred_language(headers: &HeaderMap) -> Lang {
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

/// Idempotency keys made by pages and clients: 8 to 100 letters, digits, `-` or `_`.
fn valid_key(key: &str) -> bool {
    (8..=100).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `2026-11-23T18:55:01.123Z`: ISO 8601 in UTC, to the millisecond, so it sorts as text.
pub fn iso(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}
