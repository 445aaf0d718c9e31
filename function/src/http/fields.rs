//! The fields of a request body, by name, as a form post or a JSON object sends them: read
//! beside the body ([`super::body`]), before any form rule applies.

use std::collections::HashMap;

use crate::validate::text;

/// A value as it arrived, from a form post or a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text(String),
    List(Vec<String>),
    Bool(bool),
    /// A JSON number, object or null where text was expected.
    Other,
}

/// The fields of a request body, by name. Every text is in Unicode Normalization Form C.
#[derive(Debug, Default)]
pub struct Fields(pub HashMap<String, Input>);

/// Why a body is not a set of fields (a `400 malformed`).
#[derive(Debug, thiserror::Error)]
pub enum Malformed {
    #[error("a name or value of the form is not UTF-8 once percent-decoded")]
    NotUtf8,
    #[error("the body is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the body must be a JSON object of fields")]
    NotAnObject,
}

/// `+` as a space and `%XX` as its byte, as browsers encode a form (a `%` not followed by two
/// hexadecimal digits stays as it is); the bytes must then be UTF-8.
fn form_decode(part: &[u8]) -> Result<String, Malformed> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut bytes = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (
                part.get(i + 1).copied().and_then(hex),
                part.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes)
        .map(text::nfc)
        .map_err(|_| Malformed::NotUtf8)
}

impl Fields {
    /// `a=1&b=2&roles=x&roles=y`: a repeated name becomes a list. A name or value that is
    /// not UTF-8 once decoded (`%E9` from a Latin-1 page) is malformed, never replaced by `�`.
    pub fn from_form(body: &[u8]) -> Result<Fields, Malformed> {
        let mut fields: HashMap<String, Input> = HashMap::new();
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            let (key, value) = (form_decode(key)?, form_decode(value)?);
            match fields.remove(&key) {
                None => fields.insert(key, Input::Text(value)),
                Some(Input::Text(first)) => fields.insert(key, Input::List(vec![first, value])),
                Some(Input::List(mut list)) => {
                    list.push(value);
                    fields.insert(key, Input::List(list))
                }
                Some(other) => fields.insert(key, other),
            };
        }
        Ok(Fields(fields))
    }

    /// A JSON object; anything else is malformed.
    pub fn from_json(body: &[u8]) -> Result<Fields, Malformed> {
        let value: serde_json::Value = serde_json::from_slice(body)?;
        let serde_json::Value::Object(map) = value else {
            return Err(Malformed::NotAnObject);
        };
        let fields = map
            .into_iter()
            .map(|(k, v)| {
                let input = match v {
                    serde_json::Value::String(s) => Input::Text(text::nfc(s)),
                    serde_json::Value::Bool(b) => Input::Bool(b),
                    serde_json::Value::Array(items) => {
                        let texts: Option<Vec<String>> = items
                            .into_iter()
                            .map(|i| match i {
                                serde_json::Value::String(s) => Some(text::nfc(s)),
                                _ => None,
                            })
                            .collect();
                        texts.map_or(Input::Other, Input::List)
                    }
                    _ => Input::Other,
                };
                (text::nfc(k), input)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_posts_repeat_a_name_for_each_checked_box() {
        let fields =
            Fields::from_form(b"roles=promote&roles=watch&first_name=Julie+T%C3%A9&x=%zz&flag")
                .expect("UTF-8");
        assert_eq!(
            fields.0["roles"],
            Input::List(vec!["promote".into(), "watch".into()])
        );
        assert_eq!(fields.text("first_name"), Some("Julie Té"));
        assert_eq!(
            fields.text("x"),
            Some("%zz"),
            "not an escape: kept as it is"
        );
        assert_eq!(fields.text("flag"), Some(""));
    }

    #[test]
    fn a_form_that_is_not_utf8_once_decoded_is_malformed() {
        for body in [
            &b"first_name=Ren%E9"[..],
            b"first_name=Ren\xe9",
            b"na%FFme=x",
            b"a=%C3",
        ] {
            assert!(
                matches!(Fields::from_form(body), Err(Malformed::NotUtf8)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn every_text_is_read_in_normalization_form_c() {
        let form = Fields::from_form(b"name=Ge%CC%81rard").expect("UTF-8");
        assert_eq!(form.text("name"), Some("G\u{e9}rard"));
        let json =
            Fields::from_json("{\"name\":\"Ge\u{301}rard\",\"roles\":[\"e\u{301}\"]}".as_bytes())
                .expect("JSON");
        assert_eq!(json.text("name"), Some("G\u{e9}rard"));
        assert_eq!(json.0["roles"], Input::List(vec!["\u{e9}".into()]));
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
