//! How much of a request body a form takes, and reading it: the limit follows the form's
//! definition, and an unreadable body is told apart from a large one.

use axum::body::Body;

use crate::catalog::Catalog;

pub use eclaireurs_model::catalog::{BODY_ALLOWANCE, BYTES_PER_CHARACTER, MIN_BODY_LIMIT};

/// The largest body a form takes ([`eclaireurs_model::catalog::body_limit`]: every field at
/// its longest, each character at its longest encoding, plus [`BODY_ALLOWANCE`]; at least
/// [`MIN_BODY_LIMIT`]), with the catalog's longest territory and region. The model's check
/// of a catalog holds it to [`eclaireurs_model::catalog::MAX_BODY_LIMIT`] (1 MiB) at most.
pub fn body_limit(catalog: &Catalog, form: &eclaireurs_model::FormDef) -> usize {
    let longest = |lengths: &mut dyn Iterator<Item = usize>| lengths.max().unwrap_or(0);
    let territory = longest(
        &mut catalog
            .regions
            .values()
            .flatten()
            .map(|t| t.chars().count()),
    );
    let region = longest(&mut catalog.regions.keys().map(|r| r.chars().count()));
    eclaireurs_model::catalog::body_limit(form, territory, region)
}

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyError {
    /// Longer than the form's limit (`413`).
    TooLarge,
    /// Cut or broken on the way (a chunked body that does not parse): `400 malformed`.
    Unreadable,
}

/// The whole body, up to `limit` bytes.
pub(super) async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, BodyError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Unreadable)?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}
