//! The submission's rules, apart from HTTP: what a valid submission becomes once accepted
//! (its record, the hash of its answers, the idempotency key it is kept under, its
//! retention, the lookup key of its email) and the bots' trap, in one place.
//! [`crate::http`] parses the request and answers; [`accept`] decides; the store keeps.

use eclaireurs_model::{FieldKind, FormDef, Lang};
use sha2::{Digest, Sha256};

use crate::answer::{Answers, Value};
use crate::catalog::Catalog;
use crate::clock;
use crate::config::Settings;
use crate::http::fields::{Fields, Input};
use crate::store::{schema, Record, Store, StoreError, Stored};
use crate::validate::{self, FieldError, Outcome};

/// Why an idempotency key is refused (a `400 malformed`): a header that is not text, a
/// `submission_id` that is not one string, or a key not of the shape [`valid_key`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the idempotency key is not 8 to 100 letters, digits, `-` or `_`")]
pub struct BadKey;

/// The client's idempotency key: the `Idempotency-Key` header's (`header`: `None` when the
/// request has none, `Some(None)` when its value is not text), else the form's
/// `submission_id`. An empty one (header or field) counts as none; any other must be
/// well-formed.
pub fn client_key(header: Option<Option<&str>>, fields: &Fields) -> Result<Option<String>, BadKey> {
    let header = match header {
        None => None,
        Some(Some(key)) if key.trim().is_empty() => None,
        Some(Some(key)) => Some(key.to_string()),
        Some(None) => return Err(BadKey),
    };
    if !matches!(fields.0.get("submission_id"), None | Some(Input::Text(_))) {
        return Err(BadKey);
    }
    let key = header.or_else(|| {
        fields
            .text("submission_id")
            .filter(|k| !k.is_empty())
            .map(str::to_string)
    });
    match key {
        Some(key) if !valid_key(&key) => Err(BadKey),
        key => Ok(key),
    }
}

/// Idempotency keys made by pages and clients: 8 to 100 letters, digits, `-` or `_`.
fn valid_key(key: &str) -> bool {
    (8..=100).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A submission whose fields break the form's rules: what the answer needs.
#[derive(Debug)]
pub struct Invalid {
    /// The form's `language` field, French when it says none.
    pub language: Lang,
    /// The form's `region` field, if the catalog knows it.
    pub region: Option<String>,
    pub errors: Vec<FieldError>,
}

/// A submission accepted: its record, and whether a person or a bot sent it.
#[derive(Debug)]
pub struct Accepted {
    pub record: Record,
    pub language: Lang,
    /// A bot filled the trap: it is answered like a person, and only its key is kept.
    trap: bool,
}

/// What the answer to an accepted submission says and does, once the store has kept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt<'a> {
    /// For the log: `stored`, `duplicate` or `trap`.
    pub outcome: &'static str,
    /// The id the log shows: none for a bot's (its id is made up).
    pub logged_id: Option<&'a str>,
    /// Whether to announce a new submission (never a bot's).
    pub announce: bool,
}

impl Accepted {
    pub fn is_trap(&self) -> bool {
        self.trap
    }

    /// Keeps it: a person's record, or only the key of a bot's ([`Store::put_decoy`]).
    pub async fn store(self, store: &Store) -> Result<Stored, StoreError> {
        match self.trap {
            true => store.put_decoy(self.record).await,
            false => store.put(self.record).await,
        }
    }
}

impl<'a> Receipt<'a> {
    /// What to log and do for what the store said of a submission, a bot's if `trap` (a
    /// conflict is answered apart).
    pub fn new(trap: bool, stored: &'a Stored) -> Receipt<'a> {
        Receipt {
            outcome: match (stored, trap) {
                (_, true) => "trap",
                (Stored::New(_), false) => "stored",
                (_, false) => "duplicate",
            },
            logged_id: stored.id().filter(|_| !trap),
            announce: matches!(stored, Stored::New(_)) && !trap,
        }
    }
}

/// The submission of `fields` to `form`, received at `now` with the client's idempotency
/// `key` (see [`client_key`]), if it keeps the form's rules: the record to store.
///
/// - Its answers' hash covers the form, region, language and the answers as validated
///   (normalized, trimmed, in the definition's order): the same answers typed or sent again
///   have the same hash, so a key that comes back with other answers is told from a retry.
/// - A key is one submission of one form in one region; without one, the same answers sent
///   again are the same submission.
/// - It expires after the retention the settings give, if any.
/// - Its email, if any, is kept as a lookup key for privacy requests.
/// - A bot that filled the trap (a honeypot field with visible text, or that is not one
///   text) is accepted like a person, but its keys live apart from people's and its answers
///   and email are dropped.
pub fn accept(
    catalog: &Catalog,
    settings: &Settings,
    form: &FormDef,
    fields: &Fields,
    key: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<Accepted, Invalid> {
    let submission = match validate::validate(catalog, form, fields) {
        Outcome::Valid(submission) => submission,
        Outcome::Invalid {
            language,
            region,
            errors,
        } => {
            return Err(Invalid {
                language,
                region,
                errors,
            })
        }
    };
    let trap = filled_trap(form, fields);
    let form_id = form.id.as_str();
    let region = submission.region.as_str();
    let answers_hash = hash(&[
        form_id,
        region,
        submission.language.code(),
        &answers_json(&submission.values),
    ]);
    let idempotency_key = match (key, trap) {
        (Some(key), false) => hash(&[form_id, region, "client", key]),
        (Some(key), true) => hash(&[form_id, region, "trap", key]),
        (None, false) => answers_hash.clone(),
        (None, true) => hash(&[form_id, "trap", &answers_hash]),
    };
    // Without a client key, the key is the hash the record carries: that is how the stores
    // know its repeats get minutes, not a day ([`Record::retry_window`]). A bot's key without
    // a client key is its own hash too (other answers are another key: no conflict to tell).
    let answers_hash = match (key, trap) {
        (None, true) => idempotency_key.clone(),
        _ => answers_hash,
    };
    let email_hash = match submission.values.get("email") {
        Some(Value::Text(email)) if !trap => Some(schema::email_hash(email)),
        _ => None,
    };
    let submitted_at = clock::iso(now);
    let record = Record {
        id: uuid::Uuid::now_v7().to_string(),
        kind: submission.kind,
        region: submission.region,
        submitted_at: submitted_at.clone(),
        status: "new".into(),
        language: submission.language.code().into(),
        consent_version: submission.consent_version,
        consent_at: submitted_at,
        expires_at: settings
            .retention_days
            .map(|days| clock::after_days(now, days)),
        idempotency_key,
        answers_hash: Some(answers_hash),
        email_hash,
        values: match trap {
            true => Answers::new(),
            false => submission.values,
        },
    };
    Ok(Accepted {
        record,
        language: submission.language,
        trap,
    })
}

/// Whether a bot filled the trap: a honeypot field with visible text, or with anything that
/// is not one text (`website=a&website=b`, `"website": null` or `0`): no page sends that, so
/// it is answered as a filled trap, never named in an error a bot could learn from.
fn filled_trap(form: &FormDef, fields: &Fields) -> bool {
    form.fields
        .iter()
        .filter(|field| field.kind == FieldKind::Honeypot)
        .any(|field| match fields.0.get(&field.name) {
            None => false,
            Some(Input::Text(text)) => !text.chars().all(validate::text::is_blank),
            Some(_) => true,
        })
}

/// The answers as compact JSON, keys in order: the bytes their hash has always covered
/// (`serde_json`'s writing of the map), made without a fallible serializer.
fn answers_json(answers: &Answers) -> String {
    let value: serde_json::Map<String, serde_json::Value> = answers
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Value::Text(text) => serde_json::Value::String(text.clone()),
                Value::List(items) => items
                    .iter()
                    .cloned()
                    .map(serde_json::Value::String)
                    .collect(),
            };
            (name.clone(), value)
        })
        .collect();
    serde_json::Value::Object(value).to_string()
}

/// 32 hex digits of the SHA-256 of `parts`, each ended by a zero byte (so no two lists of
/// parts hash alike by moving a boundary).
fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    eclaireurs_model::hex(&hasher.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use super::*;

    fn catalog() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
            Catalog::from_content(&content).expect("the real content makes a catalog")
        })
    }

    fn settings(retention_days: Option<u32>) -> Settings {
        Settings {
            table: None,
            data_dir: "unused".into(),
            allowed_origins: Vec::new(),
            site_url: String::new(),
            catalog: crate::config::CatalogSource::File("unused".into()),
            retention_days,
            topic: None,
            reminder_days: 3,
            origin_secret: None,
        }
    }

    fn now() -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(1_795_460_101).expect("a moment")
    }

    /// A need report's fields, with `extra` on top (a name given twice: the later wins).
    fn report(extra: &[(&str, &str)]) -> Fields {
        let mut body = serde_json::json!({
            "region": "bas-saint-laurent", "language": "en", "consent": true,
            "description": "Seniors without a ride to the food bank.",
            "email": "Julie@Example.ca",
        });
        for (name, value) in extra {
            body[*name] = serde_json::Value::String((*value).to_string());
        }
        Fields::from_json(body.to_string().as_bytes()).expect("JSON")
    }

    fn accepted(fields: &Fields, key: Option<&str>) -> Accepted {
        let form = catalog().form("need-report").expect("form");
        accept(catalog(), &settings(None), form, fields, key, now()).expect("accepted")
    }

    fn honeypot() -> String {
        let form = catalog().form("need-report").expect("form");
        let field = form.fields.iter().find(|f| f.kind == FieldKind::Honeypot);
        field.expect("the form has a trap").name.clone()
    }

    #[test]
    fn the_record_holds_the_answers_as_validated_at_the_time_received() {
        let accepted = accepted(&report(&[]), None);
        let record = &accepted.record;
        assert!(!accepted.is_trap());
        assert_eq!(accepted.language, Lang::En);
        assert_eq!(record.kind, "need-report");
        assert_eq!(record.region, "bas-saint-laurent");
        assert_eq!(record.language, "en");
        assert_eq!(record.status, "new");
        assert_eq!(record.submitted_at, "2026-11-23T18:55:01.000Z");
        assert_eq!(record.consent_at, record.submitted_at);
        assert_eq!(record.expires_at, None, "no retention set");
        assert_eq!(
            record.values["description"],
            Value::Text("Seniors without a ride to the food bank.".into())
        );
        assert!(uuid::Uuid::try_parse(&record.id).is_ok(), "{}", record.id);
    }

    #[test]
    fn invalid_fields_are_refused_with_their_errors() {
        let form = catalog().form("need-report").expect("form");
        let fields = report(&[("description", "")]);
        let invalid = accept(catalog(), &settings(None), form, &fields, None, now())
            .expect_err("no description");
        assert_eq!(invalid.language, Lang::En);
        assert_eq!(invalid.region.as_deref(), Some("bas-saint-laurent"));
        assert!(invalid.errors.iter().any(|e| e.field == "description"));
    }

    #[test]
    fn the_same_answers_hash_alike_however_they_are_typed() {
        let first = accepted(&report(&[]), None);
        let spaced = report(&[("description", "  Seniors without a ride to the food bank. ")]);
        let again = accepted(&spaced, None);
        assert_eq!(first.record.answers_hash, again.record.answers_hash);
        let other = accepted(&report(&[("description", "Another need.")]), None);
        assert_ne!(first.record.answers_hash, other.record.answers_hash);
        assert_eq!(first.record.answers_hash.as_deref().map(str::len), Some(32));
    }

    #[test]
    fn without_a_key_the_answers_are_the_key_and_with_one_the_key_is() {
        let fields = report(&[]);
        let keyless = accepted(&fields, None);
        assert_eq!(
            Some(&keyless.record.idempotency_key),
            keyless.record.answers_hash.as_ref()
        );
        let keyed = accepted(&fields, Some("key-12345"));
        let other_answers = accepted(
            &report(&[("description", "Another need.")]),
            Some("key-12345"),
        );
        assert_eq!(
            keyed.record.idempotency_key, other_answers.record.idempotency_key,
            "one key, whatever the answers: the store tells a retry from a reuse by the hash"
        );
        assert_ne!(keyed.record.answers_hash, other_answers.record.answers_hash);
        assert_ne!(keyed.record.idempotency_key, keyless.record.idempotency_key);
        let elsewhere = accepted(
            &report(&[("region", "saguenay-lac-saint-jean")]),
            Some("key-12345"),
        );
        assert_ne!(
            keyed.record.idempotency_key, elsewhere.record.idempotency_key,
            "a key is one submission in one region"
        );
    }

    #[test]
    fn retention_sets_when_the_record_expires() {
        let form = catalog().form("need-report").expect("form");
        let fields = report(&[]);
        let accepted =
            accept(catalog(), &settings(Some(30)), form, &fields, None, now()).expect("accepted");
        assert_eq!(
            accepted.record.expires_at,
            Some(now().unix_timestamp() + 30 * 86_400)
        );
    }

    #[test]
    fn the_email_is_kept_as_its_lookup_key() {
        let record = accepted(&report(&[]), None).record;
        assert_eq!(
            record.email_hash,
            Some(schema::email_hash("Julie@Example.ca"))
        );
        let without = accepted(&report(&[("email", "")]), None).record;
        assert_eq!(without.email_hash, None);
    }

    #[test]
    fn a_filled_trap_keeps_nothing_of_the_answers_and_its_keys_apart() {
        let name = honeypot();
        let person = accepted(&report(&[]), Some("key-12345"));
        let bot = accepted(
            &report(&[(&name, "http://spam.example")]),
            Some("key-12345"),
        );
        assert!(bot.is_trap());
        assert!(bot.record.values.is_empty(), "no answers kept");
        assert_eq!(bot.record.email_hash, None, "nor the email's key");
        assert_ne!(
            bot.record.idempotency_key, person.record.idempotency_key,
            "a trap never swallows a person's submission"
        );
        let keyless_person = accepted(&report(&[]), None);
        let keyless_bot = accepted(&report(&[(&name, "spam")]), None);
        assert_ne!(
            keyless_bot.record.idempotency_key,
            keyless_person.record.idempotency_key
        );
        let blank = accepted(&report(&[(&name, " \u{200b} ")]), None);
        assert!(!blank.is_trap(), "invisible characters fill no trap");
    }

    #[test]
    fn a_bot_is_logged_and_announced_as_none() {
        let new = Stored::New("id-1".into());
        let again = Stored::Duplicate("id-1".into());
        let person = Receipt::new(false, &new);
        assert_eq!(
            person,
            Receipt {
                outcome: "stored",
                logged_id: Some("id-1"),
                announce: true
            }
        );
        assert_eq!(Receipt::new(false, &again).outcome, "duplicate");
        assert!(!Receipt::new(false, &again).announce);
        let bot = Receipt::new(true, &new);
        assert_eq!(
            bot,
            Receipt {
                outcome: "trap",
                logged_id: None,
                announce: false
            }
        );
    }

    #[test]
    fn a_key_comes_from_the_header_or_the_form_and_must_be_well_formed() {
        let fields = |key: &str| report(&[("submission_id", key)]);
        assert_eq!(client_key(None, &report(&[])), Ok(None));
        assert_eq!(
            client_key(None, &fields("form-key-1")),
            Ok(Some("form-key-1".into()))
        );
        assert_eq!(
            client_key(Some(Some("header-key")), &fields("form-key-1")),
            Ok(Some("header-key".into())),
            "the header first"
        );
        assert_eq!(
            client_key(Some(Some("  ")), &fields("form-key-1")),
            Ok(Some("form-key-1".into())),
            "an empty header counts as none"
        );
        assert_eq!(client_key(None, &fields("")), Ok(None));
        assert_eq!(client_key(Some(None), &report(&[])), Err(BadKey));
        assert_eq!(client_key(None, &fields("short")), Err(BadKey));
        assert_eq!(client_key(None, &fields("not a key!")), Err(BadKey));
        assert_eq!(client_key(None, &fields(&"k".repeat(101))), Err(BadKey));
        let listed =
            Fields::from_form(b"submission_id=key-12345&submission_id=key-67890").expect("UTF-8");
        assert_eq!(client_key(Some(Some("header-key")), &listed), Err(BadKey));
    }

    #[test]
    fn the_answers_hash_covers_what_serde_json_wrote() {
        let mut answers = Answers::new();
        answers.insert("b".into(), Value::Text("é \"q\" \n".into()));
        answers.insert("a".into(), Value::List(vec!["x".into(), "y".into()]));
        assert_eq!(
            answers_json(&answers),
            serde_json::to_string(&answers).expect("JSON")
        );
    }
}
