//! Validation of a submission against its form definition, the same definition that rendered
//! the form, so the page and the function cannot disagree on a field, a limit or a choice.

use serde::Serialize;

use eclaireurs_model::{Field, FieldKind, FormDef, Lang};

use crate::answer::{Answers, Value};
use crate::catalog::Catalog;
use crate::http::fields::{Fields, Input};

pub mod text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    TooShort,
    TooLong,
    InvalidEmail,
    InvalidPhone,
    InvalidChoice,
    InvalidType,
    ConsentRequired,
    /// A control character, line break, bidirectional control or zero-width character in a
    /// one-line answer.
    InvalidCharacters,
    /// A name (a one-line text field) without a single letter: only digits, symbols, or
    /// characters that show nothing.
    NoLetter,
    /// A character carrying more combining marks or code points than one character takes
    /// ([`text::overloaded`]).
    TooManyMarks,
}

impl Code {
    pub fn key(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooShort => "too_short",
            Code::TooLong => "too_long",
            Code::InvalidEmail => "invalid_email",
            Code::InvalidPhone => "invalid_phone",
            Code::InvalidChoice => "invalid_choice",
            Code::InvalidType => "invalid_type",
            Code::ConsentRequired => "consent_required",
            Code::InvalidCharacters => "invalid_characters",
            Code::NoLetter => "no_letter",
            Code::TooManyMarks => "too_many_marks",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: Code,
    pub message: String,
}

/// A valid submission, ready to store.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The form's id: `registration` or `need-report`.
    pub kind: String,
    pub region: String,
    pub language: Lang,
    pub consent_version: String,
    /// The answers of the visible fields that were filled in.
    pub values: Answers,
}

#[derive(Debug)]
pub enum Outcome {
    /// Every field keeps its rules (whether a bot filled the trap is not validation's
    /// business: [`crate::submission`] decides that).
    Valid(Submission),
    Invalid {
        language: Lang,
        region: Option<String>,
        errors: Vec<FieldError>,
    },
}

pub fn validate(catalog: &Catalog, form: &FormDef, fields: &Fields) -> Outcome {
    let language = fields
        .text("language")
        .and_then(Lang::from_code)
        .unwrap_or(Lang::Fr);
    let region = fields
        .text("region")
        .filter(|r| catalog.regions.contains_key(*r))
        .map(str::to_string);
    let territories: &[String] = region
        .as_deref()
        .and_then(|r| catalog.regions.get(r))
        .map_or(&[], Vec::as_slice);

    let mut errors = Vec::new();
    let mut values = Answers::new();
    let mut error = |field: &str, code: Code, vars: &[(&str, u32)]| {
        let mut message = catalog.text(language, &format!("validation.{}", code.key()));
        for (name, value) in vars {
            message = message.replace(&format!("{{{name}}}"), &value.to_string());
        }
        errors.push(FieldError {
            field: field.to_string(),
            code,
            message,
        });
    };

    for field in &form.fields {
        let name = field.name.as_str();
        let input = fields.0.get(name);
        match field.kind {
            // Never named in an error, whatever it holds: a trap that is not text is a bot's,
            // and [`crate::submission`] answers it as a filled one.
            FieldKind::Honeypot => {}
            FieldKind::Region => match fields.text(name) {
                None | Some("") => error(name, Code::Required, &[]),
                Some(_) if region.is_none() => error(name, Code::InvalidChoice, &[]),
                // A region that takes this form elsewhere (its own registration form).
                Some(r) if !catalog.takes(&form.id, r) => error(name, Code::InvalidChoice, &[]),
                Some(_) => {}
            },
            FieldKind::Language => match fields.text(name) {
                None | Some("") => error(name, Code::Required, &[]),
                Some(code) if Lang::from_code(code).is_none() => {
                    error(name, Code::InvalidChoice, &[])
                }
                Some(_) => {}
            },
            FieldKind::Consent => {
                let given = match input {
                    Some(Input::Bool(b)) => *b,
                    Some(Input::Text(s)) => {
                        matches!(
                            s.trim().to_ascii_lowercase().as_str(),
                            "true" | "on" | "yes" | "1"
                        )
                    }
                    _ => false,
                };
                if !given {
                    error(name, Code::ConsentRequired, &[]);
                }
            }
            FieldKind::Choices => {
                let chosen: Vec<String> = match input {
                    None => Vec::new(),
                    Some(Input::Text(s)) if s.trim().is_empty() => Vec::new(),
                    Some(Input::Text(s)) => vec![s.trim().to_string()],
                    Some(Input::List(list)) => list.iter().map(|s| s.trim().to_string()).collect(),
                    Some(_) => {
                        error(name, Code::InvalidType, &[]);
                        continue;
                    }
                };
                // Where every éclaireur holds the roles, the form does not ask for them.
                let asked = region.as_deref().is_none_or(|r| catalog.asks(r, name));
                if chosen.is_empty() {
                    if field.required && asked {
                        error(name, Code::Required, &[]);
                    }
                } else if chosen
                    .iter()
                    .any(|c| !field.choices.iter().any(|f| &f.value == c))
                {
                    error(name, Code::InvalidChoice, &[]);
                } else {
                    // Stored in the order of the definition, each once.
                    let ordered = field
                        .choices
                        .iter()
                        .filter(|c| chosen.contains(&c.value))
                        .map(|c| c.value.clone())
                        .collect();
                    values.insert(name.to_string(), Value::List(ordered));
                }
            }
            FieldKind::Territory => match input {
                None => {}
                Some(Input::Text(s)) if s.trim().is_empty() => {}
                Some(Input::Text(s)) => {
                    // The region's file may have been written in another normalization form.
                    if territories.iter().any(|t| text::nfc(t.clone()) == s.trim()) {
                        values.insert(name.to_string(), Value::Text(s.trim().to_string()));
                    } else if region.is_some() {
                        error(name, Code::InvalidChoice, &[]);
                    }
                }
                Some(_) => error(name, Code::InvalidType, &[]),
            },
            FieldKind::Text | FieldKind::Email | FieldKind::Tel | FieldKind::Textarea => {
                let answer = match input {
                    None => text_answer(field, ""),
                    Some(Input::Text(s)) => text_answer(field, s),
                    Some(_) => Err(Refusal::of(Code::InvalidType)),
                };
                match answer {
                    Ok(Some(text)) => {
                        values.insert(name.to_string(), Value::Text(text));
                    }
                    Ok(None) if field.required => error(name, Code::Required, &[]),
                    Ok(None) => {}
                    Err(refusal) => error(name, refusal.code, refusal.var().as_slice()),
                }
            }
        }
    }
    // A list of boxes is not filled in but checked: its own words, the same code.
    for e in errors.iter_mut().filter(|e| e.code == Code::Required) {
        if form
            .fields
            .iter()
            .any(|f| f.name == e.field && f.kind == FieldKind::Choices)
        {
            e.message = catalog.text(language, "validation.choose_one");
        }
    }
    // A bot that filled the trap gets the same errors as a person would.
    match (errors.is_empty(), region) {
        (true, Some(region)) => Outcome::Valid(Submission {
            kind: form.id.clone(),
            region,
            language,
            consent_version: form.consent_version.clone(),
            values,
        }),
        (_, region) => Outcome::Invalid {
            language,
            region,
            errors,
        },
    }
}

/// Why a text answer is refused: its code, and the limit the message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: Code,
    /// The `max_length` a `too_long` names, the `min_length` a `too_short` does.
    pub limit: Option<u32>,
}

impl Refusal {
    fn of(code: Code) -> Refusal {
        Refusal { code, limit: None }
    }

    /// The variable its message names: `{max}` or `{min}`.
    pub fn var(&self) -> Option<(&'static str, u32)> {
        match (self.code, self.limit) {
            (Code::TooLong, Some(max)) => Some(("max", max)),
            (Code::TooShort, Some(min)) => Some(("min", min)),
            _ => None,
        }
    }
}

/// A text answer (a `text`, `email`, `tel` or `textarea` field) as the form reads it, the
/// one reading the API and the staff's commands share (`privacy --email` reads an address
/// through the form's email field): Normalization Form C; trimmed; a one-line answer with a
/// hidden character refused, an email with any character that shows nothing by itself
/// (even a joiner) refused too; a several-line answer loses its hidden characters. Then
/// `None` if nothing is left (what shows nothing is no answer); otherwise its characters
/// carry a bounded number of marks ([`text::overloaded`]), its length (in what a person sees
/// as characters) is within the field's, a name holds a letter, an email or phone number
/// has its shape.
pub fn text_answer(field: &Field, raw: &str) -> Result<Option<String>, Refusal> {
    let raw = text::nfc(raw.to_string());
    // Several lines keep their line breaks (CRLF from form posts, LF from scripts, one
    // character either way) and lose other hidden characters; one line refuses them.
    let cleaned = match field.kind {
        FieldKind::Textarea => text::multi_line(&raw),
        _ => match text::single_line(&raw) {
            Some(line) if !(field.kind == FieldKind::Email && text::has_ignorable(line)) => {
                line.to_string()
            }
            _ => return Err(Refusal::of(Code::InvalidCharacters)),
        },
    };
    if cleaned.is_empty() {
        return Ok(None);
    }
    if text::overloaded(&cleaned) {
        return Err(Refusal::of(Code::TooManyMarks));
    }
    let length = u32::try_from(text::length(&cleaned)).unwrap_or(u32::MAX);
    if let Some(max) = field.max_length.filter(|max| length > *max) {
        return Err(Refusal {
            code: Code::TooLong,
            limit: Some(max),
        });
    }
    if let Some(min) = field.min_length.filter(|min| length < *min) {
        return Err(Refusal {
            code: Code::TooShort,
            limit: Some(min),
        });
    }
    let refused = match field.kind {
        FieldKind::Text if !text::names_something(&cleaned) => Some(Code::NoLetter),
        FieldKind::Email if !is_email(&cleaned) => Some(Code::InvalidEmail),
        FieldKind::Tel if !is_phone(&cleaned) => Some(Code::InvalidPhone),
        _ => None,
    };
    match refused {
        Some(code) => Err(Refusal::of(code)),
        None => Ok(Some(cleaned)),
    }
}

/// A plausible address: something, one `@`, a domain with a dot, nothing that shows no
/// character (a space, a control, a blank Braille pattern…). Deliverability is the relay
/// team's business; this catches typing slips.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(text::is_blank)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// A phone number, the one rule of the API document's `Phone` pattern (the tests hold the
/// two together): an optional `+`, then 7 to 15 digits among spaces (a no-break space, as
/// copied from a French page, too), `-` or another dash, `.`, `(` and `)`; then optionally an
/// extension: an optional comma, `poste`, `p.`, `ext`, `ext.`, `x` or `#` (any case), and 1
/// to 6 digits, spaces allowed around the word. `418 555-0123`, `+1 (418) 555-0123`,
/// `1 877 669-2007, poste 6006`, `4185550123x12`.
pub fn is_phone(text: &str) -> bool {
    let is_separator = |c: char| {
        matches!(
            c,
            ' ' | '(' | ')' | '.' | '-' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2010}'
                ..='\u{2013}' | '\u{2212}'
        )
    };
    let number_ok = |number: &str| {
        let number = number.strip_prefix('+').unwrap_or(number);
        let digits = number.chars().filter(char::is_ascii_digit).count();
        number
            .chars()
            .all(|c| c.is_ascii_digit() || is_separator(c))
            && (7..=15).contains(&digits)
    };
    if number_ok(text) {
        return true;
    }
    // Otherwise an extension at the end: its digits, its word, what comes before.
    let extension = text.len() - text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if !(1..=6).contains(&extension) {
        return false;
    }
    let before = text[..text.len() - extension].trim_end_matches(' ');
    let lower = before.to_ascii_lowercase();
    let Some(word) = ["poste", "p.", "ext.", "ext", "x", "#"]
        .into_iter()
        .find(|word| lower.ends_with(word))
    else {
        return false;
    };
    let number = before[..before.len() - word.len()].trim_end_matches(' ');
    number_ok(number.strip_suffix(',').unwrap_or(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails_pass_and_slips_do_not() {
        for good in [
            "a@b.ca",
            "julie.tremblay+eclaireurs@cisss.gouv.qc.ca",
            "02.ciuss.leseclaireurs@ssss.gouv.qc.ca",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "", "julie", "julie@", "@b.ca", "a@b", "a b@c.ca", "a@b..ca", "a@.b.ca", "a@b@c.ca",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn quebec_phone_numbers_pass_with_or_without_extension() {
        for good in [
            "418 555-0123",
            "+1 (418) 555-0123",
            "1 877 669-2007, poste 6006",
            "4185550123",
            "819-555-0199 ext. 12",
            "4185550123x12",
            "418 555\u{2011}0123",
            "418\u{a0}555-0123 #12",
            "418-555-0123 P. 4",
        ] {
            assert!(is_phone(good), "{good}");
        }
        for bad in [
            "call me",
            "555",
            "418 555-0123 poste abc",
            "418 555-0123 poste",
            "418 555-0123 x 1234567",
            "1234567890123456",
            "418/555/0123",
            "41+8 555-0123",
            "418 555-0123,, poste 2",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn line_breaks_count_as_one_character_whichever_way_they_come() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let catalog = Catalog::from_content(&dir).expect("catalog");
        let form = catalog.form("need-report").expect("form");
        let lines = vec!["0123456789"; 360].join("\r\n");
        let body = format!(
            "region=bas-saint-laurent&language=en&consent=true&description={}",
            lines.replace("\r\n", "%0D%0A")
        );
        // 360 × 10 characters and 359 line breaks: 3,959 counted as one each, 4,318 with CRLF as two.
        let fields = Fields::from_form(body.as_bytes()).expect("UTF-8");
        match validate(&catalog, form, &fields) {
            Outcome::Valid(s) => assert_eq!(
                s.values["description"],
                Value::Text(lines.replace("\r\n", "\n"))
            ),
            other => panic!("expected a valid report, got {other:?}"),
        }
    }
}
