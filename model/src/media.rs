//! The files a page may show or link besides other pages: pictures and documents, kept beside
//! the page, in its region's `static/` folder or in the site's.

/// A region's folder of the pictures and documents its pages share, in both languages (the
/// site's `static/` is at the content folder's root).
pub const REGION_STATIC: &str = "static";

/// The pictures the build reads (`![description](file)`), by extension.
pub const PICTURES: [&str; 5] = ["jpg", "jpeg", "png", "webp", "svg"];

/// The documents a page may link (`[Dépliant](depliant.pdf)`), by extension, with the kind the
/// link names.
const DOCUMENTS: [(&str, &str); 12] = [
    ("pdf", "PDF"),
    ("doc", "Word"),
    ("docx", "Word"),
    ("xls", "Excel"),
    ("xlsx", "Excel"),
    ("ppt", "PowerPoint"),
    ("pptx", "PowerPoint"),
    ("odt", "OpenDocument"),
    ("ods", "OpenDocument"),
    ("odp", "OpenDocument"),
    ("rtf", "RTF"),
    ("epub", "EPUB"),
];

fn extension(name: &str) -> Option<String> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

/// Whether `name` (a file name or path) is a picture the build reads.
pub fn is_picture(name: &str) -> bool {
    extension(name).is_some_and(|ext| PICTURES.contains(&ext.as_str()))
}

/// The kind of document `name` is (`PDF`, `Word`), if it is one.
pub fn document_kind(name: &str) -> Option<&'static str> {
    let ext = extension(name)?;
    DOCUMENTS
        .iter()
        .find(|(known, _)| *known == ext)
        .map(|(_, kind)| *kind)
}

/// Whether a file may sit beside the pages: a picture or a document.
pub fn is_media(name: &str) -> bool {
    is_picture(name) || document_kind(name).is_some()
}

/// What belongs beside the pages, for the message about a file that does not.
pub fn belongs_beside_pages() -> String {
    let documents: Vec<&str> = DOCUMENTS.iter().map(|(ext, _)| *ext).collect();
    format!(
        "only pages (.md), pictures (.{}) and documents (.{}) belong in this folder",
        PICTURES.join(", ."),
        documents.join(", .")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_extension_in_any_case() {
        assert!(is_picture("Photo Été.JPG"));
        assert!(is_picture("images\\logo.svg"));
        assert!(!is_picture("photo.heic"));
        assert_eq!(document_kind("Dépliant.PDF"), Some("PDF"));
        assert_eq!(document_kind("rapport.docx"), Some("Word"));
        assert_eq!(document_kind("notes.txt"), None);
        assert!(is_media("a.ods") && !is_media("a.md"));
    }
}
