//! A text answer as a person sees it: one Unicode normalization form (NFC, so `é` typed as
//! one character or as `e` and an accent is the same answer), no character that shows
//! nothing where it could hide or reorder what is shown (controls, bidirectional controls,
//! zero-width characters), and a length counted in what a person sees as one character
//! (grapheme clusters: `é`, `👍🏽` or `👨‍👩‍👧` count one each).
//!
//! - **Blank** characters show nothing: white space, controls, and the default-ignorable
//!   characters of the Basic Multilingual Plane (zero-width spaces and joiners, bidirectional
//!   controls, variation selectors, the soft hyphen, Hangul fillers…). An answer made only of
//!   them is an empty answer.
//! - **Hidden** characters are never part of a visible text: controls (line breaks
//!   included), the line and paragraph separators, and the default-ignorable characters that
//!   do not attach to a visible one (bidirectional controls, zero-width space, word joiner,
//!   byte order mark, soft hyphen…). A one-line answer (a name, an email, a phone) holding
//!   one is refused (`invalid_characters`); a several-line answer keeps its line breaks and
//!   drops the others.
//! - **Attached** characters belong to the visible character they follow: the zero-width
//!   joiner of emoji sequences, the zero-width non-joiner of Persian or Indic words, variation
//!   selectors, emoji tag characters, and combining marks (accents, vowel signs). Where they
//!   follow no visible character they are hidden.
//! - **Overloaded** characters hold more than [`MAX_MARKS_PER_CHARACTER`] combining marks or
//!   more than [`MAX_CODE_POINTS_PER_CHARACTER`] code points: a letter under a pile of 500
//!   accents counts as one character, so without a cap neither what is stored nor the body a
//!   form takes would be bounded by the lengths the form states.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

pub use eclaireurs_model::catalog::{MAX_CODE_POINTS_PER_CHARACTER, MAX_MARKS_PER_CHARACTER};

/// `text` in Normalization Form C.
pub fn nfc(text: String) -> String {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    }
}

/// Shows nothing by itself: white space, a control, a default-ignorable character of the
/// Basic Multilingual Plane, a format character (the Arabic number signs that stand before
/// digits, the interlinear annotation characters…) or the blank Braille pattern (U+2800,
/// which looks like a space but is none).
pub fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || (is_default_ignorable(c) && u32::from(c) <= 0xFFFF)
        || is_format(c)
        || c == '\u{2800}'
}

/// The format characters (General_Category Cf) of the Basic Multilingual Plane that are not
/// default-ignorable: they show nothing by themselves, some change how the next characters
/// look. (As for the default-ignorable ones, those beyond it are left to the other rules: the
/// API document's patterns are written in the plane's characters.)
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// The Unicode property Default_Ignorable_Code_Point (DerivedCoreProperties.txt).
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A default-ignorable character that extends the grapheme cluster before it (joiners,
/// variation selectors, tags, the combining grapheme joiner): part of what is seen when it
/// follows a visible character.
fn is_attached(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{200C}'..='\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0020}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Never part of a visible text, wherever it stands: controls, separators of lines, the
/// default-ignorable characters that attach to nothing, and the interlinear annotation
/// characters (for use inside a program only, never in text people exchange).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}')
        || (is_default_ignorable(c) && !is_attached(c))
}

/// Belongs to the visible character before it: an attached default-ignorable character or a
/// combining mark.
fn is_dependent(c: char) -> bool {
    is_attached(c) || is_combining_mark(c)
}

/// Whether a character of `text` (a grapheme cluster) holds more than
/// [`MAX_MARKS_PER_CHARACTER`] combining marks or [`MAX_CODE_POINTS_PER_CHARACTER`] code
/// points. The longest emoji (a family or a kiss with skin tones: 10 or 11 code points, the
/// variation selector being one mark) and the written forms of real languages (an Indic
/// conjunct with its vowel sign, a Hebrew letter with its points and cantillation: up to four
/// or five marks) are within both.
pub fn overloaded(text: &str) -> bool {
    text.graphemes(true).any(|cluster| {
        let mut points = 0;
        let mut marks = 0;
        for c in cluster.chars() {
            points += 1;
            marks += usize::from(is_combining_mark(c));
        }
        points > MAX_CODE_POINTS_PER_CHARACTER || marks > MAX_MARKS_PER_CHARACTER
    })
}

/// Names something a person can read: a letter (Unicode Alphabetic: any script's letters,
/// ideographs and syllables) or an emoji picture (a nickname may be one). Digits, punctuation
/// and what shows nothing do not.
pub fn names_something(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() || is_pictograph(c))
}

/// The emoji pictures: the blocks of Unicode's Extended_Pictographic property (symbols,
/// pictographs, emoticons, transport, supplemental symbols), not the keycap digits.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}')
}

/// Holds a character that shows nothing by itself, even one attached to a visible character
/// (an email address has no use for a joiner or a variation selector).
pub fn has_ignorable(text: &str) -> bool {
    text.chars().any(is_default_ignorable)
}

/// How many characters a person sees: grapheme clusters.
pub fn length(text: &str) -> usize {
    text.graphemes(true).count()
}

/// A one-line answer, trimmed: empty if it shows nothing; `None` if it holds a hidden
/// character (a control, a line break, a bidirectional control, a zero-width space…) or an
/// attached one or a combining mark that follows no visible character.
pub fn single_line(text: &str) -> Option<&str> {
    let text = text.trim();
    if text.chars().all(is_blank) {
        return Some("");
    }
    for cluster in text.graphemes(true) {
        let mut visible = false;
        for c in cluster.chars() {
            if is_hidden(c) || (is_dependent(c) && !visible) {
                return None;
            }
            visible |= !is_blank(c);
        }
    }
    Some(text)
}

/// A several-line answer, trimmed: line breaks (CR LF, CR, LF, U+2028, U+2029, NEL) become
/// one LF, a tab a space, and other hidden characters are dropped; empty if it shows nothing.
pub fn multi_line(text: &str) -> String {
    let unified = text.replace("\r\n", "\n");
    let mut kept = String::with_capacity(unified.len());
    // Whether the last character kept shows something, so that what attaches to a character
    // (a joiner, an accent) is kept after it, even across a hidden character dropped between.
    let mut visible = false;
    for c in unified.chars() {
        match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => {
                kept.push('\n');
                visible = false;
            }
            '\t' => {
                kept.push(' ');
                visible = false;
            }
            c if is_hidden(c) => {}
            c if is_dependent(c) => {
                if visible {
                    kept.push(c);
                }
            }
            c => {
                kept.push(c);
                visible = !is_blank(c);
            }
        }
    }
    // Dropping a character may have brought an accent next to its letter again.
    let kept = nfc(kept);
    let trimmed = kept.trim();
    if trimmed.chars().all(is_blank) {
        String::new()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_typed_composed_or_decomposed_is_one_text() {
        assert_eq!(nfc("Ge\u{301}rard".into()), "G\u{e9}rard");
        assert_eq!(nfc("Gérard".into()), "Gérard");
    }

    #[test]
    fn lengths_count_what_a_person_sees() {
        assert_eq!(length("Gérard"), 6);
        assert_eq!(length("Ge\u{301}rard"), 6);
        assert_eq!(length("👨\u{200d}👩\u{200d}👧"), 1);
        assert_eq!(length("👍🏽"), 1);
        assert_eq!(length("a\nb"), 3);
    }

    #[test]
    fn one_line_answers_refuse_what_hides_or_reorders_text() {
        for refused in [
            "Julie\u{0}",
            "Julie\nTremblay",
            "Julie\rTremblay",
            "Ju\u{1b}[31mlie",
            "Julie\u{202e}yelbmerT",
            "Ju\u{200b}lie",
            "Ju\u{2060}lie",
            "\u{feff}Julie",
            "Julie\u{2066}x\u{2069}",
            "Ju\u{ad}lie",
            "Julie\tTremblay",
            "Julie \u{200d}",
            "\u{fe0f}Julie",
            "Julie\u{e0001}",
            "Ju\u{2028}lie",
        ] {
            assert_eq!(single_line(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn one_line_answers_keep_joiners_and_selectors_that_belong_to_a_character() {
        for kept in [
            "Gérard",
            "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}",
            "Julie 👨\u{200d}👩\u{200d}👧",
            "❤\u{fe0f}",
            "Jean\u{a0}Tremblay",
            "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
        ] {
            assert_eq!(single_line(kept), Some(kept), "{kept:?}");
        }
    }

    #[test]
    fn an_answer_of_invisible_characters_only_is_empty() {
        for blank in [
            "",
            "   ",
            "\u{200b}",
            " \u{200b}\u{feff} ",
            "\u{202e}",
            "\u{3164}",
            "\u{0}\t",
        ] {
            assert_eq!(single_line(blank), Some(""), "{blank:?}");
            assert_eq!(multi_line(blank), "", "{blank:?}");
        }
        assert_eq!(single_line("  Julie  "), Some("Julie"));
    }

    #[test]
    fn several_line_answers_keep_line_breaks_and_drop_other_controls() {
        assert_eq!(
            multi_line("Ligne 1\r\nLigne\u{0} 2\rLigne\t3\u{2028}fin\u{202e}\u{200b}."),
            "Ligne 1\nLigne 2\nLigne 3\nfin."
        );
        assert_eq!(
            multi_line("e\u{200b}\u{301}"),
            "\u{e9}",
            "recomposed once the space is gone"
        );
        assert_eq!(multi_line("\u{200d}mot \u{200c}x"), "mot x");
        assert_eq!(multi_line("  \n texte \n "), "texte");
    }

    #[test]
    fn what_shows_nothing_by_itself_is_blank() {
        for blank in [
            "\u{2800}",
            "\u{0600}",
            "\u{FFF9}\u{FFFB}",
            " \u{2800} \u{06DD}",
        ] {
            assert_eq!(single_line(blank), Some(""), "{blank:?}");
            assert_eq!(multi_line(blank), "", "{blank:?}");
        }
        assert_eq!(
            multi_line("\u{0600}\u{0661}\u{0662}"),
            "\u{0600}\u{0661}\u{0662}"
        );
    }

    #[test]
    fn marks_on_nothing_are_hidden_and_a_pile_of_marks_is_overloaded() {
        assert_eq!(single_line("\u{301}\u{301}"), None);
        assert_eq!(single_line("\u{301}Julie"), None);
        assert_eq!(single_line("Ju\u{FFF9}lie"), None);
        assert_eq!(multi_line("\u{301}mot \u{301}x"), "mot x");
        assert!(overloaded(&format!("a{}", "\u{301}".repeat(500))));
        assert!(overloaded(&format!("a{}", "\u{301}".repeat(7))));
        assert!(!overloaded(&format!("a{}", "\u{301}".repeat(6))));
        // Eleven code points (a family with skin tones) is the most a character holds.
        let family = "\u{1F9D1}\u{1F3FB}\u{200D}\u{1F9D1}\u{1F3FB}\u{200D}\u{1F9D2}\u{1F3FB}\u{200D}\u{1F9D2}\u{1F3FB}";
        assert_eq!(length(family), 1);
        assert!(!overloaded(family));
        assert!(overloaded(&format!("{family}\u{200D}\u{1F9D2}")));
        for real in [
            "क्षत्रिय",
            "שָׁלוֹם",
            "Nguyễn",
            "👨\u{200d}👩\u{200d}👧\u{200d}👦",
            "1\u{fe0f}\u{20e3}",
        ] {
            assert!(!overloaded(real), "{real:?}");
        }
    }

    #[test]
    fn a_name_holds_a_letter_of_any_script_or_an_emoji() {
        for named in [
            "Julie",
            "李",
            "Ōtautahi",
            "ᐃᓄᒃᑎᑐᑦ",
            "J👨\u{200d}👩\u{200d}👧",
            "👨\u{200d}👩\u{200d}👧",
            "🌻",
        ] {
            assert!(names_something(named), "{named:?}");
        }
        for none in [
            "1234",
            "-- !",
            "1\u{fe0f}\u{20e3}",
            "\u{0600}123",
            "\u{2800}",
        ] {
            assert!(!names_something(none), "{none:?}");
        }
    }
}
