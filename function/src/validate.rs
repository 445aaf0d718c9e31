//! Validation of a submission against its form definition, the same definition that rendered
//! the form, so the page and the function cannot disagree on a field, a limit or a choice.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use eclaireurs_model::{FieldKind, FormDef, Lang};

use crate::catalog::Catalog;

/// A value as it arrived, from a form post or a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text(String),
    List(Vec<String>),
    Bool(bool),
    /// A JSON number, object or null where text was expected.
    Other,
}

/// The fields of a request body, by name.
#[derive(Debug, Default)]
pub struct Fields(pub HashMap<String, Input>);

impl Fields {
    /// `a=1&b=2&roles=x&roles=y`: a repeated name becomes a list.
    pub fn from_form(body: &[u8]) -> Fields {
        let mut fields: HashMap<String, Input> = HashMap::new();
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match fields.remove(key.as_ref()) {
                None => fields.insert(key.into_owned(), Input::Text(value)),
                Some(Input::Text(first)) => {
                    fields.insert(key.into_owned(), Input::List(vec![first, value]))
                }
                Some(Input::List(mut list)) => {
                    list.push(value);
                    fields.insert(key.into_owned(), Input::List(list))
                }
                Some(other) => fields.insert(key.into_owned(), other),
            };
        }
        Fields(fields)
    }

    /// A JSON object; anything else is malformed.
    pub fn from_json(body: &[u8]) -> Result<Fields, String> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
        let serde_json::Value::Object(map) = value else {
            return Err("the body must be a JSON object of fields".into());
        };
        let fields = map
            .into_iter()
            .map(|(k, v)| {
                let input = match v {
                    serde_json::Value::String(s) => Input::Text(s),
                    serde_json::Value::Bool(b) => Input::Bool(b),
                    serde_json::Value::Array(items) => {
                        let texts: Option<Vec<String>> = items
                            .into_iter()
                            .map(|i| match i {
                                serde_json::Value::String(s) => Some(s),
                                _ => None,
                            })
                            .collect();
                        texts.map_or(Input::Other, Input::List)
                    }
                    _ => Input::Other,
                };
                (k, input)
            })
            .collect();
        Ok(Fields(fields))
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(Input::Text(s)) => Some(s.trim()),
            _ => None,
        }
    }
}

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
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: Code,
    pub message: String,
}

/// A stored value: text, or the chosen values of a list of choices.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    List(Vec<String>),
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
    pub values: BTreeMap<String, Value>,
}

#[derive(Debug)]
pub enum Outcome {
    Valid(Submission),
    /// The honeypot was filled: a bot. Nothing is stored, and the answer looks like success.
    Trap {
        language: Lang,
        region: Option<String>,
    },
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
    let mut values = BTreeMap::new();
    let mut trapped = false;
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
            FieldKind::Honeypot => match input {
                None => {}
                Some(Input::Text(text)) => trapped = !text.trim().is_empty(),
                Some(_) => error(name, Code::InvalidType, &[]),
            },
            FieldKind::Region => match fields.text(name) {
                None | Some("") => error(name, Code::Required, &[]),
                Some(_) if region.is_none() => error(name, Code::InvalidChoice, &[]),
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
                if chosen.is_empty() {
                    if field.required {
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
                    if territories.iter().any(|t| t == s.trim()) {
                        values.insert(name.to_string(), Value::Text(s.trim().to_string()));
                    } else if region.is_some() {
                        error(name, Code::InvalidChoice, &[]);
                    }
                }
                Some(_) => error(name, Code::InvalidType, &[]),
            },
            FieldKind::Text | FieldKind::Email | FieldKind::Tel | FieldKind::Textarea => {
                // Form posts send line breaks as CRLF, scripts as LF; the browser's
                // `maxlength` counts either as one character, and so does this.
                let text = match input {
                    None => String::new(),
                    Some(Input::Text(s)) => s.trim().replace("\r\n", "\n"),
                    Some(_) => {
                        error(name, Code::InvalidType, &[]);
                        continue;
                    }
                };
                let text = text.as_str();
                let length = text.chars().count() as u32;
                if text.is_empty() {
                    if field.required {
                        error(name, Code::Required, &[]);
                    }
                    continue;
                }
                if let Some(max) = field.max_length.filter(|max| length > *max) {
                    error(name, Code::TooLong, &[("max", max)]);
                } else if let Some(min) = field.min_length.filter(|min| length < *min) {
                    error(name, Code::TooShort, &[("min", min)]);
                } else if field.kind == FieldKind::Email && !is_email(text) {
                    error(name, Code::InvalidEmail, &[]);
                } else if field.kind == FieldKind::Tel && !is_phone(text) {
                    error(name, Code::InvalidPhone, &[]);
                } else {
                    values.insert(name.to_string(), Value::Text(text.to_string()));
                }
            }
        }
    }
    // A bot that filled the trap is answered like a person: the errors if any, otherwise a
    // success that stores nothing.
    if trapped && errors.is_empty() {
        return Outcome::Trap { language, region };
    }
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

/// A plausible address: something, one `@`, a domain with a dot, no spaces. Deliverability
/// is the relay team's business; this catches typing slips.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// 7 to 15 digits with the usual separators, and optionally an extension:
/// `418 555-0123`, `+1 (418) 555-0123`, `1 877 669-2007, poste 6006`.
pub fn is_phone(text: &str) -> bool {
    let lower = text.to_lowercase();
    let (number, extension) = ["poste", "ext.", "ext", " x"]
        .iter()
        .find_map(|word| lower.split_once(word))
        .unwrap_or((lower.as_str(), ""));
    let number = number.trim_end_matches([',', ' ']);
    let digits = number.chars().filter(char::is_ascii_digit).count();
    number
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && (7..=15).contains(&digits)
        && extension.trim().chars().all(|c| c.is_ascii_digit())
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
        ] {
            assert!(is_phone(good), "{good}");
        }
        for bad in [
            "call me",
            "555",
            "418 555-0123 poste abc",
            "1234567890123456",
            "418/555/0123",
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
        match validate(&catalog, form, &Fields::from_form(body.as_bytes())) {
            Outcome::Valid(s) => assert_eq!(
                s.values["description"],
                Value::Text(lines.replace("\r\n", "\n"))
            ),
            other => panic!("expected a valid report, got {other:?}"),
        }
    }

    #[test]
    fn form_posts_repeat_a_name_for_each_checked_box() {
        let fields = Fields::from_form(b"roles=promote&roles=watch&first_name=Julie+T%C3%A9");
        assert_eq!(
            fields.0["roles"],
            Input::List(vec!["promote".into(), "watch".into()])
        );
        assert_eq!(fields.text("first_name"), Some("Julie Té"));
    }

    #[test]
    fn json_bodies_must_be_objects_and_keep_their_types() {
        assert!(Fields::from_json(b"[]").is_err());
        assert!(Fields::from_json(b"{").is_err());
        let fields =
            Fields::from_json(br#"{"consent":true,"roles":["watch"],"age":3}"#).expect("object");
        assert_eq!(fields.0["consent"], Input::Bool(true));
        assert_eq!(fields.0["roles"], Input::List(vec!["watch".into()]));
        assert_eq!(fields.0["age"], Input::Other);
    }
}
