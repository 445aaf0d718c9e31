//! French typography, applied to rendered HTML so authors type plain text and every French
//! page reads the same way (Québec usage, as the Office québécois de la langue française
//! recommends):
//!
//! - a non-breaking space before `:` and inside « »;
//! - no space before `;`, `?` and `!`;
//! - no line break inside a phone number (`1 877 669-2007`, `1 866 APPELLE`, `9-8-8`): in
//!   HTML it is kept as typed inside `<span class="nowrap">` (the theme's `white-space:
//!   nowrap`), so a search of the page for `669-2007` finds it; in plain strings (attributes,
//!   the function's messages) it is left as typed;
//! - a no-break space between `poste` or `option` and its number;
//! - typographic apostrophes (’) everywhere text shows: titles, menus, labels, body text.
//!
//! Only text is changed, never a tag, an attribute or an address, and never the inside of
//! `code`, `pre`, `kbd`, `samp`, `script`, `style` or `textarea`. Text in another language
//! (an English page, or `lang="en"` on a bilingual page) keeps its own typography: only its
//! phone numbers are kept on one line.

/// No-break space (U+00A0).
pub const NBSP: char = '\u{a0}';
/// The class of the element that keeps a phone number on one line (the theme's stylesheet
/// gives it `white-space: nowrap`).
pub const NOWRAP_CLASS: &str = "nowrap";

/// Elements whose text cannot hold markup (RCDATA, or a select's options): phone numbers
/// there are left as typed.
const TEXT_ONLY: &[&str] = &["title", "option"];

/// Elements whose content is code or raw text: never touched.
const VERBATIM: &[&str] = &["code", "pre", "kbd", "samp", "script", "style", "textarea"];

/// Elements that have no closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Applies French typography to the text of `html`, whose root language is `root_lang`
/// (`fr` or `en`): text is changed where the language in force is French; elsewhere only
/// phone numbers are kept on one line.
pub fn french(html: &str, root_lang: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    // Open elements: (name, its language is French, it is verbatim, phone numbers in it
    // stay as they are: already on one line, or no markup possible).
    let mut open: Vec<(&str, bool, bool, bool)> = Vec::new();
    let mut french = root_lang == "fr";
    let mut verbatim = false;
    let mut plain_numbers = false;
    let bytes = html.as_bytes();
    // `<` is ASCII: every position the loop stops at is a character boundary.
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'<' => {
                let end = at + tag_end(&html[at..]);
                let tag = &html[at..end];
                out.push_str(tag);
                at = end;
                if let Some(parsed) = parse_tag(tag) {
                    match parsed {
                        Tag::Open { name, lang, nowrap } => {
                            if !is_one_of(name, VOID) {
                                let is_french = lang.map_or(french, is_french_tag);
                                let is_verbatim = verbatim || is_one_of(name, VERBATIM);
                                let is_plain =
                                    plain_numbers || nowrap || is_one_of(name, TEXT_ONLY);
                                open.push((name, is_french, is_verbatim, is_plain));
                            }
                        }
                        Tag::Close { name } => {
                            if let Some(at) = open
                                .iter()
                                .rposition(|(n, _, _, _)| n.eq_ignore_ascii_case(name))
                            {
                                open.truncate(at);
                            }
                        }
                    }
                    french = open.last().map_or(root_lang == "fr", |(_, f, _, _)| *f);
                    verbatim = open.last().is_some_and(|(_, _, v, _)| *v);
                    plain_numbers = open.last().is_some_and(|(_, _, _, p)| *p);
                }
            }
            _ => {
                // A run of text, read once: to find where it ends and what the rules may
                // change in it.
                let start = at;
                let mut found = 0;
                while at < bytes.len() && bytes[at] != b'<' {
                    found |= BYTE_CLASS[bytes[at] as usize];
                    at += 1;
                }
                let text = &html[start..at];
                let numbers = if plain_numbers {
                    Numbers::AsTyped
                } else {
                    Numbers::Span
                };
                if verbatim {
                    out.push_str(text);
                } else if french {
                    push_classified_text(&mut out, text, found, numbers);
                } else if numbers == Numbers::Span
                    && found & DIGIT != 0
                    && may_hold_unbreakable_numbers(text)
                {
                    // Text in another language keeps its typography, but a phone number
                    // never breaks there either.
                    push_phones(&mut out, text);
                } else {
                    out.push_str(text);
                }
            }
        }
    }
    out
}

/// A tag's name and language, as written (HTML names are case-insensitive).
enum Tag<'a> {
    Open {
        name: &'a str,
        lang: Option<&'a str>,
        /// It has the class [`NOWRAP_CLASS`].
        nowrap: bool,
    },
    Close {
        name: &'a str,
    },
}

fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// `fr`, `fr-CA`, `FR`…
fn is_french_tag(lang: &str) -> bool {
    lang.get(..2).is_some_and(|l| l.eq_ignore_ascii_case("fr"))
}

/// Where the tag that starts `html` ends (after its `>`), quotes in attributes respected.
fn tag_end(html: &str) -> usize {
    if html.starts_with("<!--") {
        return html.find("-->").map_or(html.len(), |i| i + 3);
    }
    let bytes = html.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            quote @ (b'"' | b'\'') => match bytes[i + 1..].iter().position(|&b| b == quote) {
                Some(length) => i += length + 2,
                None => return html.len(),
            },
            _ => i += 1,
        }
    }
    html.len()
}

fn parse_tag(tag: &str) -> Option<Tag<'_>> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    if inner.starts_with('!') || inner.starts_with('?') {
        return None;
    }
    if let Some(name) = inner.strip_prefix('/') {
        return Some(Tag::Close { name: name.trim() });
    }
    let length = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
        .count();
    if length == 0 {
        return None;
    }
    Some(Tag::Open {
        name: &inner[..length],
        lang: attribute(inner, "lang"),
        nowrap: attribute(inner, "class")
            .is_some_and(|class| class.split_ascii_whitespace().any(|c| c == NOWRAP_CLASS)),
    })
}

/// The value of `name="…"` (the name in any case) in a tag's inside.
fn attribute<'a>(inner: &'a str, name: &str) -> Option<&'a str> {
    let bytes = inner.as_bytes();
    let starts = (1..bytes.len().saturating_sub(name.len())).filter(|&at| {
        bytes[at - 1].is_ascii_whitespace()
            && bytes[at..at + name.len()].eq_ignore_ascii_case(name.as_bytes())
    });
    for at in starts {
        // `at + name.len()` follows ASCII bytes: a character boundary.
        let after = &inner[at + name.len()..];
        if let Some(value) = after.trim_start().strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let value = &value[1..];
                return value.find(quote).map(|end| &value[..end]);
            }
        }
    }
    None
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == NBSP || c == '\u{202f}'
}

/// What becomes of a phone number in a run of text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// Wrapped, as typed, in `<span class="nowrap">`: text of an HTML page.
    Span,
    /// Left as typed: a plain string (an attribute, the function's messages), or text where
    /// markup cannot go or the number is already kept on one line.
    AsTyped,
}

/// The rules, on one run of text (HTML-escaped, as it is in the page), as a plain string:
/// phone numbers are left as typed (no markup, no special character), since the string may
/// end up in an attribute or a message.
pub fn french_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_french_text(&mut out, text);
    out
}

/// [`french_text`], written at the end of `out`. Most runs of text have nothing to change
/// (no punctuation the rules touch, no number): they are copied as they are, which is what
/// keeps a 12,000-page build fast.
fn push_french_text(out: &mut String, text: &str) {
    // Every phone number and `poste 6006` holds a digit; the punctuation rules need one of
    // these bytes (« and » end in 0xAB and 0xBB).
    let found = text
        .bytes()
        .fold(0, |found, b| found | BYTE_CLASS[b as usize]);
    push_classified_text(out, text, found, Numbers::AsTyped);
}

/// [`push_french_text`], given the [`BYTE_CLASS`]es of the text's bytes put together.
fn push_classified_text(out: &mut String, text: &str, found: u8, phones: Numbers) {
    let punctuation = found & PUNCTUATION != 0;
    let numbers = found & DIGIT != 0 && may_hold_unbreakable_numbers(text);
    match (punctuation, numbers) {
        (false, false) => out.push_str(text),
        (true, false) => push_punctuation(out, text),
        (false, true) => push_unbreakable_numbers(out, text, phones),
        (true, true) => {
            let mut spaced = String::with_capacity(text.len() + 8);
            push_punctuation(&mut spaced, text);
            push_unbreakable_numbers(out, &spaced, phones);
        }
    }
}

const PUNCTUATION: u8 = 1;
const DIGIT: u8 = 2;
/// A byte where [`push_punctuation`] stops: the punctuation, and the first byte of « and ».
const STOP: u8 = 4;

/// What each byte may start or end for the rules: one table lookup per byte, without
/// branches, to find the many runs of text that have nothing to change.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = DIGIT;
        b += 1;
    }
    let punctuation = [b'\'', b'&', b':', b';', b'?', b'!', 0xAB, 0xBB];
    let mut i = 0;
    while i < punctuation.len() {
        table[punctuation[i] as usize] = PUNCTUATION;
        i += 1;
    }
    let stops = [b'\'', b'&', b':', b';', b'?', b'!', 0xC2];
    let mut i = 0;
    while i < stops.len() {
        table[stops[i] as usize] |= STOP;
        i += 1;
    }
    table
};

/// Whether [`push_unbreakable_numbers`] could change `text`: every phone number it knows
/// holds a group of exactly three digits or is `9-8-8`, and the other rule needs a digit
/// right after `poste ` or `option `. Years, counts and the like have neither, and are
/// copied as they are.
fn may_hold_unbreakable_numbers(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let before = &bytes[..i];
        if bytes[i..].starts_with(b"9-8-8")
            || [b"poste ".as_slice(), b"option ", b"Poste ", b"Option "]
                .iter()
                .any(|word| before.ends_with(word))
        {
            return true;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 3 {
            return true;
        }
    }
    false
}

/// Typographic apostrophes, then the spaces around `:`, `;`, `?`, `!` and « ». The text
/// between the characters these rules touch is copied in one piece.
fn push_punctuation(out: &mut String, text: &str) {
    // Spaces are trimmed back to here, never into what `out` held before this text.
    let start = out.len();
    let bytes = text.as_bytes();
    // Copied up to here.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // All the characters the rules touch start with one of these bytes; « and » are
        // C2 AB and C2 BB, and 0xC2 never continues a character, so it cannot be mistaken.
        let b = bytes[i];
        if BYTE_CLASS[b as usize] & STOP == 0 {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let apostrophe = match b {
            b'\'' => Some(1),
            b'&' => ["&#39;", "&#x27;", "&apos;"]
                .iter()
                .find(|entity| rest.starts_with(*entity))
                .map(|entity| entity.len()),
            _ => None,
        };
        if let Some(len) = apostrophe {
            out.push_str(&text[copied..i]);
            out.push('’');
            i += len;
            copied = i;
            continue;
        }
        match b {
            b':' => {
                out.push_str(&text[copied..i]);
                // A space the author typed before `:` becomes a no-break space; `10:30` and
                // `https:` have none and stay as they are.
                if text[..i].chars().next_back().is_some_and(is_space) {
                    trim_spaces(out, start);
                    out.push(NBSP);
                }
                out.push(':');
            }
            b';' | b'?' | b'!' => {
                out.push_str(&text[copied..i]);
                // `&amp;` and other references end with `;` right after a letter: no space
                // to remove there, so they are left as they are.
                trim_spaces(out, start);
                out.push(b as char);
            }
            _ if rest.starts_with('«') => {
                out.push_str(&text[copied..i]);
                out.push('«');
                out.push(NBSP);
                let after = &rest['«'.len_utf8()..];
                let spaces = after.len() - after.trim_start_matches(is_space).len();
                i += '«'.len_utf8() + spaces;
                copied = i;
                continue;
            }
            _ if rest.starts_with('»') => {
                out.push_str(&text[copied..i]);
                trim_spaces(out, start);
                out.push(NBSP);
                out.push('»');
                i += '»'.len_utf8();
                copied = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 1;
        copied = i;
    }
    out.push_str(&text[copied..]);
}

/// Drops the spaces at the end of `out`, back to `start` at most.
fn trim_spaces(out: &mut String, start: usize) {
    let kept = out[start..].trim_end_matches(is_space).len();
    out.truncate(start + kept);
}

/// Phone numbers alone wrapped in `<span class="nowrap">`, the rest as it is.
fn push_phones(out: &mut String, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = phone_at(&chars, i) {
            push_phone(out, &chars[i..i + len], Numbers::Span);
            i += len;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
}

/// One phone number, as typed, wrapped or not as `phones` says.
fn push_phone(out: &mut String, number: &[char], phones: Numbers) {
    if phones == Numbers::Span {
        out.push_str("<span class=\"");
        out.push_str(NOWRAP_CLASS);
        out.push_str("\">");
    }
    out.extend(number);
    if phones == Numbers::Span {
        out.push_str("</span>");
    }
}

/// Phone numbers (as `phones` says) and `poste 6006` / `option 2` stay on one line.
fn push_unbreakable_numbers(out: &mut String, text: &str, phones: Numbers) {
    const WORDS: [&[char]; 4] = [
        &['p', 'o', 's', 't', 'e'],
        &['o', 'p', 't', 'i', 'o', 'n'],
        &['P', 'o', 's', 't', 'e'],
        &['O', 'p', 't', 'i', 'o', 'n'],
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = phone_at(&chars, i) {
            // The characters as typed, so that searching the page for `669-2007` finds it.
            push_phone(out, &chars[i..i + len], phones);
            i += len;
            continue;
        }
        // `poste 6006` → `poste 6006` with a no-break space, the word not inside another.
        let word = WORDS
            .iter()
            .find(|word| chars[i..].starts_with(word) && chars.get(i + word.len()) == Some(&' '));
        if let Some(word) = word {
            let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
            let number = chars
                .get(i + word.len() + 1)
                .is_some_and(char::is_ascii_digit);
            out.extend(word.iter());
            out.push(if boundary && number { NBSP } else { ' ' });
            i += word.len() + 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
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
            .replace("<span class=\"nowrap\">", "[")
            .replace("</span>", "]")
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
    fn phone_numbers_do_not_break_and_keep_the_characters_typed() {
        assert_eq!(
            fr("<p>au 1 877 669-2007, poste 6006.</p>"),
            "<p>au [1 877 669-2007], poste~6006.</p>"
        );
        assert_eq!(fr("<p>418 545-4980</p>"), "<p>[418 545-4980]</p>");
        assert_eq!(
            fr("<p>1 866 APPELLE (277-3553)</p>"),
            "<p>[1 866 APPELLE] ([277-3553])</p>"
        );
        assert_eq!(
            fr("<p>le 9-8-8 ou le 811 option 2</p>"),
            "<p>le [9-8-8] ou le 811 option~2</p>"
        );
        assert_eq!(
            fr("<p>en 2026 452 personnes</p>"),
            "<p>en 2026 452 personnes</p>"
        );
        assert!(
            !french("<p>1 877 669-2007</p>", "fr").contains('\u{2011}'),
            "no non-breaking hyphen: a search for 669-2007 finds the number"
        );
    }

    #[test]
    fn a_phone_number_is_wrapped_once_and_never_where_markup_cannot_go() {
        let once = french(
            "<p><a href=\"tel:+18776692007\">1 877 669-2007</a></p>",
            "fr",
        );
        assert_eq!(
            once,
            "<p><a href=\"tel:+18776692007\"><span class=\"nowrap\">1 877 669-2007</span></a></p>"
        );
        assert_eq!(
            french(&once, "fr"),
            once,
            "typesetting twice changes nothing"
        );
        assert_eq!(
            french("<title>Appelez le 418 545-4980</title>", "fr"),
            "<title>Appelez le 418 545-4980</title>"
        );
        assert_eq!(
            french("<select><option>418 545-4980</option></select>", "fr"),
            "<select><option>418 545-4980</option></select>"
        );
        assert_eq!(
            french("<p class=\"a nowrap\">418 545-4980</p>", "fr"),
            "<p class=\"a nowrap\">418 545-4980</p>"
        );
    }

    #[test]
    fn english_text_keeps_phone_numbers_on_one_line_and_nothing_else_changes() {
        let unbreakable_phones = |html: &str| french(html, "en");
        assert_eq!(
            unbreakable_phones(
                "<title>Call 418 545-4980</title><p>Call 1 877 669-2007, extension 6006 : it's <code>418 545-4980</code></p>"
            ),
            "<title>Call 418 545-4980</title><p>Call <span class=\"nowrap\">1 877 669-2007</span>, extension 6006 : it's <code>418 545-4980</code></p>"
        );
        let once = unbreakable_phones("<p>9-8-8</p>");
        assert_eq!(once, "<p><span class=\"nowrap\">9-8-8</span></p>");
        assert_eq!(unbreakable_phones(&once), once);
    }

    #[test]
    fn plain_strings_keep_phone_numbers_as_typed() {
        assert_eq!(
            french_text("Appelez le 1 877 669-2007, poste 6006 : merci"),
            "Appelez le 1 877 669-2007, poste\u{a0}6006\u{a0}: merci"
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
    fn tags_and_languages_are_read_whatever_their_case() {
        assert_eq!(
            fr("<DIV LANG=\"EN-ca\"><P>It's : ok</P></DIV><p>C'est : oui</p><CODE>a : b</CODE>"),
            "<DIV LANG=\"EN-ca\"><P>It's : ok</P></DIV><p>C’est~: oui</p><CODE>a : b</CODE>"
        );
        assert_eq!(
            fr("<p lang=\"FR-CA\">L'aide</p>"),
            "<p lang=\"FR-CA\">L’aide</p>"
        );
    }

    #[test]
    fn every_rule_applies_within_one_run_and_never_past_its_tag() {
        // Punctuation and numbers in the same run: both passes apply.
        assert_eq!(
            fr("<p>Appelez : 418 545-4980, poste 12 ; merci !</p>"),
            "<p>Appelez~: [418 545-4980], poste~12; merci!</p>"
        );
        // A run that starts with `;` does not remove the space that ends the previous one.
        assert_eq!(
            fr("<p>Note <em>x</em>; oui</p>"),
            "<p>Note <em>x</em>; oui</p>"
        );
        assert_eq!(fr("<p>« : »</p>"), "<p>«~:~»</p>");
        assert_eq!(
            french_text("Texte sans rien à changer"),
            "Texte sans rien à changer"
        );
    }

    #[test]
    fn only_text_that_may_hold_a_phone_number_or_a_poste_is_searched_for_one() {
        for text in [
            "au 418 545-4980",
            "1 866 APPELLE",
            "le 9-8-8",
            "poste 6",
            "Option 2",
            "277-3553",
        ] {
            assert!(may_hold_unbreakable_numbers(text), "{text}");
        }
        for text in [
            "en 2026",
            "Région 0001",
            "12 34",
            "le 5 mai",
            "&#39;",
            "poste",
        ] {
            assert!(!may_hold_unbreakable_numbers(text), "{text}");
            let mut out = String::new();
            push_unbreakable_numbers(&mut out, text, Numbers::Span);
            assert_eq!(out, text, "nothing to change in {text}");
        }
    }

    #[test]
    fn text_between_the_characters_the_rules_touch_is_kept_whole() {
        assert_eq!(
            fr("<p>Été © ! « été » : d'où, à 10:30 ; fin</p>"),
            "<p>Été ©! «~été~»~: d’où, à 10:30; fin</p>"
        );
        assert_eq!(fr("<p>x&#x27;y&apos;z&amp;</p>"), "<p>x’y’z&amp;</p>");
    }

    #[test]
    fn void_elements_do_not_unbalance_the_languages() {
        assert_eq!(
            fr("<div lang=\"en\"><br><img alt=\"\"><p>It's</p></div><p>C'est</p>"),
            "<div lang=\"en\"><br><img alt=\"\"><p>It's</p></div><p>C’est</p>"
        );
    }
}
