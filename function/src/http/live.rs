//! The API of the current catalog: its routes are made from the catalog's forms, so a new
//! catalog brings new routes. Lambda and `eclaireurs-function --listen` route every request
//! through the current one (a form newly published is taken with no restart), as
//! `eclaireurs serve` does after each build.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use axum::Router;
use tower::ServiceExt;

use super::request::{canonical_uuid, RequestError, REQUEST_ID};
use super::{api_router, origin, AppState};
use crate::live_catalog::LiveCatalog;

/// One catalog's API: its state (catalog, store, settings) and its routes (without the
/// `/api` prefix).
pub struct Api {
    pub state: Arc<AppState>,
    pub router: Router,
}

impl Api {
    pub fn new(state: Arc<AppState>) -> Api {
        Api {
            router: api_router(state.clone()),
            state,
        }
    }
}

/// The API, its catalog renewed from the bucket.
pub type LiveApi = LiveCatalog<Api>;

/// The whole application under `/api`, as deployed, through the current catalog. Any other
/// address is answered as one the API does not have (`404`, `not_found`), in its error shape.
pub fn app(live: Arc<LiveApi>) -> Router {
    Router::new()
        .nest_service("/api", axum::routing::any(forward).with_state(live.clone()))
        .fallback(move |headers: HeaderMap| {
            let live = live.clone();
            async move {
                let mut response =
                    RequestError::NotFound.answer(&live.current().state.catalog, &headers);
                // The id the API's own layers would give it.
                let id = headers
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .and_then(canonical_uuid)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                if let Ok(id) = HeaderValue::from_str(&id) {
                    response.headers_mut().insert(REQUEST_ID, id);
                }
                response
            }
        })
}

async fn forward(State(live): State<Arc<LiveApi>>, request: Request) -> Response {
    // A request the API will refuse (`403`, see `origin`) never makes the function read
    // the bucket: only the distribution's requests do.
    let secret = live.current().state.settings.origin_secret.clone();
    if origin::allowed(secret.as_deref(), request.headers()) {
        live.refresh_if_due().await;
    }
    let router = live.current().router.clone();
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
