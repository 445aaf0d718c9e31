//! SVG pictures, published as they are once checked: an SVG opened on its own in the site's
//! origin is a document, so anything in it that could run or fetch something is refused.

/// An SVG's intrinsic size, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvgSize {
    pub width: f64,
    pub height: f64,
}

/// What is wrong in an SVG, and where.
#[derive(Debug, thiserror::Error)]
#[error("line {line}, column {column}: {what}")]
pub struct SvgProblem {
    pub line: usize,
    pub column: usize,
    pub what: String,
}

/// Elements that run code or load another document.
const REFUSED_ELEMENTS: [&str; 6] = [
    "script",
    "foreignObject",
    "iframe",
    "embed",
    "object",
    "handler",
];

/// The SVG's size (from width/height, unitless or px, else the viewBox), after refusing what
/// could run or fetch something when the file is opened on its own in the site's origin.
pub fn check(bytes: &[u8]) -> Result<SvgSize, SvgProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        problem_at(
            line,
            1,
            "the file is not UTF-8 text: save the SVG again from its editor (UTF-8)",
        )
    })?;
    // roxmltree refuses a DTD too, but this says why and where.
    if let Some(at) = find_ignore_case(text, "<!DOCTYPE") {
        let (line, column) = line_column(text, at);
        return Err(problem_at(
            line,
            column,
            "a DOCTYPE (its entities can pull in other content): remove the <!DOCTYPE …> line",
        ));
    }
    let document = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        problem_at(
            pos.row as usize,
            pos.col as usize,
            &format!(
                "this is not a well-formed SVG ({e}): export it again from its editor as plain SVG"
            ),
        )
    })?;
    let at = |pos: usize| {
        let p = document.text_pos_at(pos);
        (p.row as usize, p.col as usize)
    };
    let refuse = |pos: usize, what: String| {
        let (line, column) = at(pos);
        SvgProblem { line, column, what }
    };
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return Err(refuse(
            root.range().start,
            format!(
                "the file's root element is <{}>, not <svg>: export it again as SVG",
                root.tag_name().name()
            ),
        ));
    }
    for node in document.descendants() {
        if node.is_pi() {
            return Err(refuse(
                node.range().start,
                "a processing instruction (<?…?>, it can load a style sheet): remove it".into(),
            ));
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        if REFUSED_ELEMENTS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            return Err(refuse(
                node.range().start,
                format!("a <{name}> element (it can run code or load another page): remove it"),
            ));
        }
        if name == "style" {
            let css: String = node
                .children()
                .filter_map(|c| c.text())
                .collect::<Vec<_>>()
                .concat();
            if let Some(what) = css_problem(&css) {
                return Err(refuse(node.range().start, format!("in <style>, {what}")));
            }
        }
        for attribute in node.attributes() {
            let key = attribute.name();
            let value = attribute.value();
            let start = attribute.range().start;
            if key.len() > 2 && key[..2].eq_ignore_ascii_case("on") {
                return Err(refuse(
                    start,
                    format!("an event attribute {key}=\"…\" (it runs code): remove it"),
                ));
            }
            if matches!(key, "href" | "src") {
                if let Some(what) = reference_problem(key, value) {
                    return Err(refuse(start, what));
                }
            }
            // <set>/<animate> can give an attribute any value once the picture is shown.
            if key == "attributeName"
                && matches!(name, "set" | "animate")
                && (value.ends_with("href") || value.to_ascii_lowercase().starts_with("on"))
            {
                return Err(refuse(
                    start,
                    format!("an animation of {value} (it can add a link or code): remove it"),
                ));
            }
            if let Some(what) = css_problem(value) {
                return Err(refuse(start, format!("in {key}=\"…\", {what}")));
            }
        }
    }
    size(&root).ok_or_else(|| {
        refuse(
            root.range().start,
            "the SVG has no size: add a viewBox to its <svg> element, for example viewBox=\"0 0 200 100\" for a picture 200 wide and 100 high".into(),
        )
    })
}

fn problem_at(line: usize, column: usize, what: &str) -> SvgProblem {
    SvgProblem {
        line,
        column,
        what: what.to_string(),
    }
}

fn find_ignore_case(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(at, |i| at - i - 1) + 1;
    (line, column)
}

/// Why an `href`/`src` is refused: anything but a `#id` in the file or an embedded picture.
fn reference_problem(key: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.starts_with('#') {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if ["data:image/png", "data:image/jpeg", "data:image/webp"]
        .iter()
        .any(|p| lower.starts_with(p) && matches!(lower.as_bytes().get(p.len()), Some(b';' | b',')))
    {
        return None;
    }
    if lower.starts_with("javascript:") {
        return Some(format!(
            "a javascript: address in {key}=\"…\" (it runs code): remove it"
        ));
    }
    Some(format!(
        "a reference to another file or site, {key}=\"{value}\" (the picture must hold everything it shows): embed it or remove it"
    ))
}

/// Why a piece of CSS is refused: an `@import` or a `url(…)` that is not `url(#…)`.
fn css_problem(css: &str) -> Option<String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Some("an @import (it loads another file): remove it".into());
    }
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let target = rest.trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return Some(
                "a url(…) to another file or site (the picture must hold everything it shows): use url(#id) or remove it"
                    .into(),
            );
        }
    }
    None
}

/// The size from width and height (unitless or px), else the viewBox (scaled by the one of
/// width/height given, if any).
fn size(root: &roxmltree::Node) -> Option<SvgSize> {
    let length = |name: &str| root.attribute(name).and_then(pixels);
    let view_box = root.attribute("viewBox").and_then(|v| {
        let numbers: Vec<f64> = v
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().ok())
            .collect::<Option<_>>()?;
        match numbers[..] {
            [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
            _ => None,
        }
    });
    match (length("width"), length("height"), view_box) {
        (Some(width), Some(height), _) => Some(SvgSize { width, height }),
        (Some(width), None, Some((w, h))) => Some(SvgSize {
            width,
            height: width * h / w,
        }),
        (None, Some(height), Some((w, h))) => Some(SvgSize {
            width: height * w / h,
            height,
        }),
        (_, _, Some((width, height))) => Some(SvgSize { width, height }),
        _ => None,
    }
}

/// A length in CSS pixels: a plain number or one in px; other units are ignored.
fn pixels(value: &str) -> Option<f64> {
    let value = value.trim();
    let number = value.strip_suffix("px").unwrap_or(value).trim_end();
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An SVG whose second line is `inner`.
    fn with_line_2(inner: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\n{inner}\n</svg>\n"
        )
    }

    fn refused(inner: &str) -> SvgProblem {
        match check(with_line_2(inner).as_bytes()) {
            Err(problem) => problem,
            Ok(size) => panic!("{inner} was accepted ({size:?})"),
        }
    }

    #[test]
    fn what_could_run_or_fetch_something_is_refused_at_its_line() {
        let cases = [
            ("<script>alert(1)</script>", "<script>"),
            (
                "<foreignObject><p>hi</p></foreignObject>",
                "<foreignObject>",
            ),
            ("<iframe src=\"#a\"/>", "<iframe>"),
            ("<embed src=\"#a\"/>", "<embed>"),
            ("<object data=\"x.swf\"/>", "<object>"),
            (
                "<rect width=\"1\" height=\"1\" onclick=\"steal()\"/>",
                "onclick",
            ),
            (
                "<rect width=\"1\" height=\"1\" ONLOAD=\"steal()\"/>",
                "ONLOAD",
            ),
            (
                "<image href=\"https://tracker.example/p.png\"/>",
                "https://tracker.example",
            ),
            ("<use xlink:href=\"other.svg#icon\"/>", "other.svg#icon"),
            (
                "<image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/>",
                "data:image/svg+xml",
            ),
            ("<a href=\"javascript:steal()\"><rect/></a>", "javascript:"),
            (
                "<a href=\"https://example.com\"><rect/></a>",
                "another file or site",
            ),
            (
                "<rect style=\"fill: url(https://x.example/f.svg#g)\"/>",
                "url(",
            ),
            ("<rect fill=\"url('http://x.example/#g')\"/>", "url("),
            (
                "<style>rect { fill: url(paint.svg#p) }</style>",
                "in <style>",
            ),
            ("<style>@import url(#x);</style>", "@import"),
            (
                "<set attributeName=\"href\" to=\"javascript:steal()\"/>",
                "animation of href",
            ),
            (
                "<?xml-stylesheet href=\"s.css\"?>",
                "processing instruction",
            ),
        ];
        for (inner, what) in cases {
            let problem = refused(inner);
            assert_eq!(problem.line, 2, "{inner}: {problem}");
            assert!(problem.what.contains(what), "{inner}: {problem}");
        }
    }

    #[test]
    fn a_problem_says_its_line_and_column() {
        let problem = refused("  <script/>");
        assert_eq!((problem.line, problem.column), (2, 3));
        assert_eq!(
            problem.to_string(),
            "line 2, column 3: a <script> element (it can run code or load another page): remove it"
        );
    }

    #[test]
    fn a_doctype_is_refused_for_its_entities() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY x \"y\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>";
        let problem = check(svg.as_bytes()).unwrap_err();
        assert_eq!((problem.line, problem.column), (2, 1));
        assert!(problem.what.contains("DOCTYPE"), "{problem}");
    }

    #[test]
    fn local_references_and_embedded_pictures_are_kept() {
        let svg = with_line_2(
            "<defs><linearGradient id=\"g\"/><path id=\"p\"/></defs>\
             <use href=\"#p\"/><use xlink:href=\"#p\"/><rect fill=\"url(#g)\" style=\"fill: url( '#g' )\"/>\
             <image href=\"data:image/png;base64,iVBORw0KGgo=\"/><style>rect { fill: url(#g) }</style>",
        );
        assert_eq!(
            check(svg.as_bytes()).unwrap(),
            SvgSize {
                width: 10.0,
                height: 10.0
            }
        );
    }

    #[test]
    fn the_size_comes_from_width_and_height_else_from_the_view_box() {
        let size = |attributes: &str| {
            check(format!("<svg xmlns=\"http://www.w3.org/2000/svg\" {attributes}/>").as_bytes())
        };
        let wh = |width, height| SvgSize { width, height };
        assert_eq!(size("viewBox=\"0 0 200 100\"").unwrap(), wh(200.0, 100.0));
        assert_eq!(size("viewBox=\"-5,-5,40.5,20\"").unwrap(), wh(40.5, 20.0));
        assert_eq!(
            size("width=\"120\" height=\"60px\"").unwrap(),
            wh(120.0, 60.0)
        );
        assert_eq!(
            size("width=\"400\" height=\"200\" viewBox=\"0 0 20 10\"").unwrap(),
            wh(400.0, 200.0)
        );
        assert_eq!(
            size("width=\"400\" viewBox=\"0 0 20 10\"").unwrap(),
            wh(400.0, 200.0)
        );
        assert_eq!(
            size("width=\"100%\" height=\"100%\" viewBox=\"0 0 20 10\"").unwrap(),
            wh(20.0, 10.0)
        );
    }

    #[test]
    fn an_svg_without_a_size_is_refused_saying_to_add_a_view_box() {
        let problem =
            check(b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\"/>").unwrap_err();
        assert_eq!(problem.line, 1);
        assert!(problem.what.contains("add a viewBox"), "{problem}");
    }

    #[test]
    fn a_file_that_is_not_an_svg_is_refused() {
        let not_xml =
            check(b"<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect>\n</svg>").unwrap_err();
        assert!(not_xml.what.contains("not a well-formed SVG"), "{not_xml}");
        assert_eq!(not_xml.line, 3);
        let html = check(b"<html><body/></html>").unwrap_err();
        assert!(html.what.contains("<html>, not <svg>"), "{html}");
        let binary = check(&[0x89, b'P', b'N', b'G', 0xFF]).unwrap_err();
        assert!(binary.what.contains("not UTF-8"), "{binary}");
    }
}
