//! What each published file is sent with: its `Content-Type` (with `charset=utf-8` for text)
//! and its `Cache-Control`.

/// Fingerprinted assets (`assets/style.3f9a1c0be2.css`): a changed file gets a new name, so
/// browsers and the CDN may keep one for a year without asking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Everything else (pages, 404.html, sitemap.xml): browsers ask again each time (a cheap 304
/// when unchanged); the CDN may keep it 5 minutes. `publish` invalidates what it changed, and
/// the short CDN lifetime means that even a publish interrupted before its invalidation
/// heals by itself within 5 minutes.
pub const REVALIDATE: &str = "public, max-age=0, s-maxage=300, must-revalidate";

pub fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        // The documents pages may link (eclaireurs_model::media).
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "rtf" => "application/rtf",
        "epub" => "application/epub+zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "vtt" => "text/vtt; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub fn cache_control(key: &str) -> &'static str {
    if is_fingerprinted(key) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// A name part of hex digits at least this long is a content hash (the build writes 10).
const MIN_HASH_DIGITS: usize = 8;

/// `assets/…/name.<hex digits>[.ext]`, as `eclaireurs build` names them. Any length from 8
/// up: should the build's hash grow, assets keep their long cache.
pub fn is_fingerprinted(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("assets/") else {
        return false;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    name.split('.')
        .skip(1)
        .any(|part| part.len() >= MIN_HASH_DIGITS && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn is_page(key: &str) -> bool {
    key.ends_with(".html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_sent_as_utf_8_and_binaries_as_themselves() {
        assert_eq!(content_type("fr/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/style.3f9a1c0be2.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/forms.44ad57911d.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("docs/Guide.PDF"), "application/pdf");
        assert_eq!(
            content_type("assets/images/a-960.0123456789.webp"),
            "image/webp"
        );
        assert_eq!(
            content_type("assets/documents/rapport.0123456789.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn only_fingerprinted_assets_are_cached_for_good() {
        assert_eq!(cache_control("assets/style.3f9a1c0be2.css"), IMMUTABLE);
        assert_eq!(cache_control("assets/img/logo.0123456789.svg"), IMMUTABLE);
        assert_eq!(cache_control("assets/icon.0123abcd.svg"), IMMUTABLE);
        assert_eq!(
            cache_control("assets/images/groupe-960.0123456789.webp"),
            IMMUTABLE
        );
        assert_eq!(cache_control("assets/style.css"), REVALIDATE);
        assert_eq!(cache_control("assets/style.abc123.css"), REVALIDATE);
        assert_eq!(cache_control("fr/index.html"), REVALIDATE);
        assert_eq!(cache_control("favicon.0123456789.ico"), REVALIDATE);
    }
}
