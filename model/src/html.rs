//! Escaping text for HTML, shared by the generator's templates and the function's pages.

/// Escapes what HTML requires in text and attribute values, and nothing more.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
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
    }
}
