//! Only the distribution reaches the API: it sends the stack's secret in `X-Origin-Verify`,
//! and when `ORIGIN_SECRET` is set a request without it, or with another value, is answered
//! `403` (`forbidden`) before anything else, health included. The regional WAF refuses such
//! requests before they reach API Gateway; this is the same rule again, in the function. The
//! header is never logged.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::request::RequestError;
use super::AppState;

/// The header the distribution sends to its API origin.
pub const HEADER: &str = "x-origin-verify";

/// Whether a request with `headers` may be answered: always when no secret is set.
pub fn allowed(secret: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(secret) = secret else {
        return true;
    };
    headers
        .get(HEADER)
        .is_some_and(|sent| same(sent.as_bytes(), secret.as_bytes()))
}

/// Equal bytes, compared in a time that depends only on the length (the secret's length is
/// no secret: the template makes it 48 characters).
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// The layer in front of every route.
pub(super) async fn check(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if allowed(state.settings.origin_secret.as_deref(), request.headers()) {
        return next.run(request).await;
    }
    tracing::info!(
        outcome = "forbidden",
        status = StatusCode::FORBIDDEN.as_u16(),
        "a request without the distribution's secret: refused"
    );
    RequestError::Forbidden.answer_in_kind(&state, request.headers())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_bytes_are_the_same() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3creT"));
        assert!(!same(b"s3cret", b"s3cret "));
        assert!(!same(b"", b"s3cret"));
    }

    #[test]
    fn without_a_secret_every_request_is_allowed_and_with_one_only_its_holder() {
        let mut headers = HeaderMap::new();
        assert!(allowed(None, &headers));
        assert!(!allowed(Some("abc"), &headers));
        headers.insert(HEADER, "abd".parse().expect("value"));
        assert!(!allowed(Some("abc"), &headers));
        headers.insert(HEADER, "abc".parse().expect("value"));
        assert!(allowed(Some("abc"), &headers));
    }
}
