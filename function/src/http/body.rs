//! How much of a request body a form takes, and reading it: the limit follows the form's
//! definition, and an unreadable body is told apart from a large one.

use axum::body::Body;

use crate::catalog::Catalog;

/// The body limit of a form is never under this, whatever its definition.
pub const MIN_BODY_LIMIT: usize = 16 * 1024;

/// The most bytes one character of an answer takes in a body: a code point of up to four
/// UTF-8 bytes is 12 percent-encoded (`%F0%9F%98%80`), and at most 12 escaped in JSON
/// (`\ud83d\ude00`); a line break is 6 (`%0D%0A`).
pub const BYTES_PER_CHARACTER: usize = 12;

/// Room for what the page adds (`submission_id`, `catalog_version`), the bots' trap, and the
/// punctuation and spacing of JSON.
pub const BODY_ALLOWANCE: usize = 4 * 1024;

/// The largest body a form takes: every field at its longest (each text field's
/// `max_length`, every choice, the longest territory), each character at its longest
/// encoding ([`BYTES_PER_CHARACTER`]), plus [`BODY_ALLOWANCE`]; at least [`MIN_BODY_LIMIT`].
/// So any answer the definition allows fits, however it is written and encoded.
pub fn body_limit(catalog: &Catalog, form: &eclaireurs_model::FormDef) -> usize {
    use eclaireurs_model::FieldKind;
    let longest = |lengths: &mut dyn Iterator<Item = usize>| lengths.max().unwrap_or(0);
    let territory = longest(
        &mut catalog
            .regions
            .values()
            .flatten()
            .map(|t| t.chars().count()),
    );
    let region = longest(&mut catalog.regions.keys().map(|r| r.chars().count()));
    let fields: usize = form
        .fields
        .iter()
        .map(|field| {
            // `name=` and `&`, or in JSON its quotes, colon and comma.
            let name = field.name.len() + 4;
            let characters = match field.kind {
                FieldKind::Text | FieldKind::Email | FieldKind::Tel | FieldKind::Textarea => {
                    field.max_length.unwrap_or(0) as usize
                }
                FieldKind::Choices => {
                    return field
                        .choices
                        .iter()
                        .map(|c| name + c.value.chars().count() * BYTES_PER_CHARACTER)
                        .sum();
                }
                FieldKind::Territory => territory,
                FieldKind::Region => region,
                FieldKind::Language => 2,
                FieldKind::Consent => "true".len(),
                FieldKind::Honeypot => 0,
            };
            name + characters * BYTES_PER_CHARACTER
        })
        .sum();
    (fields + BODY_ALLOWANCE).max(MIN_BODY_LIMIT)
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
