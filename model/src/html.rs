//! Escaping text for HTML, shared by the generator's templates and the function's pages.

/// Escapes what HTML requires in text and attribute values, and nothing more.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    // The text between the characters to escape is copied in one piece.
    let mut copied = 0;
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&input[copied..i]);
        out.push_str(entity);
        copied = i + 1;
    }
    out.push_str(&input[copied..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(
            super::escape(r#"<a href="x">l'été & /fr/</a>"#),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; /fr/&lt;/a&gt;"
        );
        assert_eq!(super::escape("été"), "été");
        assert_eq!(super::escape("&&"), "&amp;&amp;");
        assert_eq!(super::escape(""), "");
    }
}
