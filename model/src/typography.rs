//! French typography, applied to rendered HTML so authors type plain text and every French
//! page reads the same way (Québec usage, as the Office québécois de la langue française
//! recommends):
//!
//! - a non-breaking space before `:` and inside « »;
//! - no space before `;`, `?` and `!`;
//! - no line break inside a phone number (`1 877 669-2007`, `1 866 APPELLE`, `9-8-8`) or
//!   between `poste` or `option` and its number;
//! - typographic apostrophes (’) everywhere text shows: titles, menus, labels, body text.
//!
//! Only text is changed, never a tag, an attribute or an address, and never the inside of
//! `code`, `pre`, `kbd`, `samp`, `script`, `style` or `textarea`. Text in an element marked
//! with another language (`lang="en"` on a bilingual page) is left as it is.

/// No-break space (U+00A0).
pub const NBSP: char = '\u{a0}';
/// Non-breaking hyphen (U+2011): a phone number does not break at its hyphen.
pub const NB_HYPHEN: char = '\u{2011}';

/// Elements whose content is code or raw text: never touched.
const VERBATIM: &[&str] = &["code", "pre", "kbd", "samp", "script", "style", "textarea"];

/// Elements that have no closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Applies French typography to the text of `html`, whose root language is `root_lang`
/// (`fr` or `en`): text is changed where the language in force is French.
pub fn french(html: &str, root_lang: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    // Open elements: (name, its language is French, it is verbatim).
    let mut open: Vec<(String, bool, bool)> = Vec::new();
    let mut french = root_lang == "fr";
    let mut verbatim = false;
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = tag_end(rest);
                let tag = &rest[..end];
                out.push_str(tag);
                rest = &rest[end..];
                if let Some(parsed) = parse_tag(tag) {
                    match parsed {
                        Tag::Open { name, lang } => {
                            if !VOID.contains(&name.as_str()) {
                                let is_french = lang.map_or(french, |l| l.starts_with("fr"));
                                let is_verbatim = verbatim || VERBATIM.contains(&name.as_str());
                                open.push((name, is_french, is_verbatim));
                            }
                        }
                        Tag::Close { name } => {
                            if let Some(at) = open.iter().rposition(|(n, _, _)| *n == name) {
                                open.truncate(at);
                            }
                        }
                    }
                    french = open.last().map_or(root_lang == "fr", |(_, f, _)| *f);
                    verbatim = open.last().is_some_and(|(_, _, v)| *v);
                }
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let text = &rest[..end];
                if french && !verbatim {
                    out.push_str(&french_text(text));
                } else {
                    out.push_str(text);
                }
                rest = &rest[end..];
            }
        }
    }
    out
}

enum Tag {
    Open { name: String, lang: Option<String> },
    Close { name: String },
}

/// Where the tag that starts `html` ends (after its `>`), quotes in attributes respected.
fn tag_end(html: &str) -> usize {
    if html.starts_with("<!--") {
        return html.find("-->").map_or(html.len(), |i| i + 3);
    }
    let mut quote = None;
    for (i, c) in html.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    html.len()
}

fn parse_tag(tag: &str) -> Option<Tag> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    if inner.starts_with('!') || inner.starts_with('?') {
        return None;
    }
    if let Some(name) = inner.strip_prefix('/') {
        return Some(Tag::Close {
            name: name.trim().to_ascii_lowercase(),
        });
    }
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    Some(Tag::Open {
        lang: attribute(inner, "lang"),
        name,
    })
}

/// The value of `name="…"` in a tag's inside.
fn attribute(inner: &str, name: &str) -> Option<String> {
    let mut search = inner;
    while let Some(at) = search.find(name) {
        let before = search[..at].chars().last();
        let after = &search[at + name.len()..];
        if before.is_some_and(char::is_whitespace) {
            if let Some(value) = after.trim_start().strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let value = &value[1..];
                    return value
                        .find(quote)
                        .map(|end| value[..end].to_ascii_lowercase());
                }
            }
        }
        search = after;
    }
    None
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == NBSP || c == '\u{202f}'
}

/// The rules, on one run of text (HTML-escaped, as it is in the page).
pub fn french_text(text: &str) -> String {
    let text = text
        .replace("&#39;", "’")
        .replace("&#x27;", "’")
        .replace("&apos;", "’")
        .replace('\'', "’");
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ':' => {
                // A space the author typed before `:` becomes a no-break space; `10:30` and
                // `https:` have none and stay as they are.
                if i > 0 && is_space(chars[i - 1]) {
                    trim_spaces(&mut out);
                    out.push(NBSP);
                }
                out.push(':');
            }
            ';' | '?' | '!' => {
                // `&amp;` and other references end with `;` right after a letter: no space
                // to remove there, so they are left as they are.
                trim_spaces(&mut out);
                out.push(c);
            }
            '«' => {
                out.push('«');
                out.push(NBSP);
                while i + 1 < chars.len() && is_space(chars[i + 1]) {
                    i += 1;
                }
            }
            '»' => {
                trim_spaces(&mut out);
                out.push(NBSP);
                out.push('»');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    unbreakable_numbers(&out.into_iter().collect::<String>())
}

/// Drops the spaces at the end of `out`.
fn trim_spaces(out: &mut Vec<char>) {
    while out.last().is_some_and(|c| is_space(*c)) {
        out.pop();
    }
}

/// Phone numbers and `poste 6006` / `option 2` stay on one line.
fn unbreakable_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = phone_at(&chars, i) {
            for &c in &chars[i..i + len] {
                out.push(match c {
                    ' ' => NBSP,
                    '-' => NB_HYPHEN,
                    other => other,
                });
            }
            i += len;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    for word in ["poste", "option", "Poste", "Option"] {
        out = join_number(&out, word);
    }
    out
}

/// `poste 6006` → `poste 6006` with a no-break space.
fn join_number(text: &str, word: &str) -> String {
    let pattern = format!("{word} ");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&pattern) {
        let after = &rest[at + pattern.len()..];
        let boundary = rest[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(word);
        if boundary && after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(NBSP);
        } else {
            out.push(' ');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The length of a phone number starting at `i`, in the usual formats: `1 877 669-2007`,
/// `418 545-4980`, `1 866 APPELLE`, `9-8-8`. Not inside a longer number or word.
fn phone_at(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '-') {
        return None;
    }
    let digits = |from: usize, n: usize| {
        from + n <= chars.len() && chars[from..from + n].iter().all(char::is_ascii_digit)
    };
    let space = |at: usize| at < chars.len() && (chars[at] == ' ' || chars[at] == NBSP);
    let ends = |at: usize| at >= chars.len() || !chars[at].is_alphanumeric();
    // 9-8-8
    if chars[i..].starts_with(&['9', '-', '8', '-', '8']) && ends(i + 5) {
        return Some(5);
    }
    // BBB-CCCC (a number without its area code, such as 1 866 APPELLE's 277-3553)
    if digits(i, 3) && i + 3 < chars.len() && chars[i + 3] == '-' && digits(i + 4, 4) && ends(i + 8)
    {
        return Some(8);
    }
    // [1 ]AAA BBB-CCCC or 1 AAA WORD
    let mut at = i;
    if chars[at] == '1' && space(at + 1) && digits(at + 2, 3) {
        at += 2;
    }
    if !(digits(at, 3) && space(at + 3)) {
        return None;
    }
    let local = at + 4;
    if digits(local, 3)
        && local + 3 < chars.len()
        && chars[local + 3] == '-'
        && digits(local + 4, 4)
    {
        let end = local + 8;
        return ends(end).then_some(end - i);
    }
    if at > i {
        // 1 866 APPELLE: a number spelled in letters.
        let word = chars[local..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        if word >= 4 && ends(local + word) {
            return Some(local + word - i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(html: &str) -> String {
        french(html, "fr")
            .replace(NBSP, "~")
            .replace(NB_HYPHEN, "‑")
    }

    #[test]
    fn colons_and_quotes_get_no_break_spaces() {
        assert_eq!(
            fr("<p>Par courriel : nous écrire</p>"),
            "<p>Par courriel~: nous écrire</p>"
        );
        assert_eq!(fr("<p>« Bonjour »</p>"), "<p>«~Bonjour~»</p>");
        assert_eq!(fr("<p>«Bonjour»</p>"), "<p>«~Bonjour~»</p>");
        assert_eq!(
            fr("<p><strong>Note</strong> : oui</p>"),
            "<p><strong>Note</strong>~: oui</p>"
        );
    }

    #[test]
    fn no_space_before_semicolons_question_and_exclamation_marks() {
        assert_eq!(
            fr("<p>Comment s'impliquer ?</p>"),
            "<p>Comment s’impliquer?</p>"
        );
        assert_eq!(
            fr("<li>Renforcer le tissu social ;</li>"),
            "<li>Renforcer le tissu social;</li>"
        );
        assert_eq!(fr("<p>Merci !</p>"), "<p>Merci!</p>");
        assert_eq!(
            fr("<p>A &amp; B</p>"),
            "<p>A &amp; B</p>",
            "references are kept"
        );
    }

    #[test]
    fn apostrophes_become_typographic_in_text_and_entities() {
        assert_eq!(fr("<title>L'équipe</title>"), "<title>L’équipe</title>");
        assert_eq!(
            fr("<label>d&#39;aisance</label>"),
            "<label>d’aisance</label>"
        );
    }

    #[test]
    fn phone_numbers_do_not_break() {
        assert_eq!(
            fr("<p>au 1 877 669-2007, poste 6006.</p>"),
            "<p>au 1~877~669‑2007, poste~6006.</p>"
        );
        assert_eq!(fr("<p>418 545-4980</p>"), "<p>418~545‑4980</p>");
        assert_eq!(
            fr("<p>1 866 APPELLE (277-3553)</p>"),
            "<p>1~866~APPELLE (277‑3553)</p>"
        );
        assert_eq!(
            fr("<p>le 9-8-8 ou le 811 option 2</p>"),
            "<p>le 9‑8‑8 ou le 811 option~2</p>"
        );
        assert_eq!(
            fr("<p>en 2026 452 personnes</p>"),
            "<p>en 2026 452 personnes</p>"
        );
    }

    #[test]
    fn code_attributes_addresses_and_other_languages_are_left_alone() {
        let html = "<a href=\"https://x.ca/a?b=c\" title=\"L'aide : oui\">https://x.ca/a?b</a>\
                    <code>a : b ; c'est</code><pre>x ?</pre>";
        assert_eq!(french(html, "fr"), html);
        let bilingual = "<section lang=\"en\"><p>Help : now ? It's</p></section><p>Aide ?</p>";
        assert_eq!(
            fr(bilingual),
            "<section lang=\"en\"><p>Help : now ? It's</p></section><p>Aide?</p>"
        );
        assert_eq!(french("<p>It's : ok ?</p>", "en"), "<p>It's : ok ?</p>");
    }

    #[test]
    fn void_elements_do_not_unbalance_the_languages() {
        assert_eq!(
            fr("<div lang=\"en\"><br><img alt=\"\"><p>It's</p></div><p>C'est</p>"),
            "<div lang=\"en\"><br><img alt=\"\"><p>It's</p></div><p>C’est</p>"
        );
    }
}
