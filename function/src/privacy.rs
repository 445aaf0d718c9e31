//! A person's privacy requests, for the person in charge of personal information: find
//! every submission of an email address (access), export them (JSON or CSV) and delete them
//! (deletion, or consent withdrawn). On DynamoDB the address is found through the email
//! index (its hash), never by scanning the table.

use serde::Serialize;

use eclaireurs_model::FieldKind;

use crate::answer::Answers;
use crate::catalog::Catalog;
use crate::store::{schema, Archive, Record, StoreError};
use crate::validate::{self, Code};

/// Why the address a staff member typed is not searched: the forms would refuse it, so no
/// submission holds it (each is one sentence, the address shown with its invisible
/// characters written out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("--email is empty: give the person's email address")]
    Empty,
    #[error(
        "--email {0}: the address holds an invisible or control character (a zero-width \
         space, a byte order mark, a line break…) that the forms refuse, so no submission \
         has it; type the address again without it"
    )]
    InvisibleCharacter(String),
    #[error(
        "--email {0}: not an email address the forms take (something, one @, a domain with a dot)"
    )]
    NotAnAddress(String),
    #[error(
        "--email {shown}: longer than the {max} characters the forms take, so no submission has it"
    )]
    TooLong { shown: String, max: u32 },
    #[error("--email {0}: the forms refuse this address, so no submission has it")]
    Refused(String),
    #[error("the forms ask for no email address: no submission can be found by one")]
    NoEmailField,
}

/// The address staff typed as the forms read a person's (the API's own reading,
/// [`validate::text_answer`], through each form's email field: Normalization Form C, trimmed,
/// invisible characters refused), in lower case as the email index compares it: what is
/// searched. Refused, in one sentence, if every form would refuse it.
pub fn address(catalog: &Catalog, typed: &str) -> Result<String, AddressError> {
    let shown = typed.escape_debug().to_string();
    let mut refusal = None;
    for field in catalog
        .forms
        .values()
        .flat_map(|form| &form.fields)
        .filter(|field| field.kind == FieldKind::Email)
    {
        match validate::text_answer(field, typed) {
            Ok(Some(address)) => return Ok(schema::email_lookup(&address)),
            Ok(None) => return Err(AddressError::Empty),
            Err(why) => refusal = refusal.or(Some(why)),
        }
    }
    let Some(why) = refusal else {
        return Err(AddressError::NoEmailField);
    };
    Err(match (why.code, why.limit) {
        (Code::InvalidCharacters, _) => AddressError::InvisibleCharacter(shown),
        (Code::InvalidEmail, _) => AddressError::NotAnAddress(shown),
        (Code::TooLong, Some(max)) => AddressError::TooLong { shown, max },
        _ => AddressError::Refused(shown),
    })
}

/// What an access request receives: each submission with its answers, as stored.
#[derive(Debug, Serialize)]
pub struct Export<'a> {
    /// When the export was made (ISO 8601, UTC).
    pub exported_at: String,
    pub submissions: Vec<ExportedSubmission<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ExportedSubmission<'a> {
    pub id: &'a str,
    pub form: &'a str,
    pub region: &'a str,
    pub submitted_at: &'a str,
    pub status: &'a str,
    pub language: &'a str,
    pub consent_version: &'a str,
    pub consent_at: &'a str,
    /// When the submission will be deleted at the latest, if retention is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    pub answers: &'a Answers,
}

pub fn export(records: &[Record]) -> Export<'_> {
    Export {
        exported_at: crate::clock::iso(time::OffsetDateTime::now_utc()),
        submissions: records
            .iter()
            .map(|r| ExportedSubmission {
                id: &r.id,
                form: &r.kind,
                region: &r.region,
                submitted_at: &r.submitted_at,
                status: &r.status,
                language: &r.language,
                consent_version: &r.consent_version,
                consent_at: &r.consent_at,
                deleted_by: r.expires_at.and_then(crate::clock::iso_at),
                answers: &r.values,
            })
            .collect(),
    }
}

/// A person's submissions (`email` as [`address`] reads it), with a `--region` limit if given.
pub async fn find(
    archive: &Archive,
    email: &str,
    region: Option<&str>,
) -> Result<Vec<Record>, StoreError> {
    archive.find_by_email(email, region).await
}

/// One line per submission, for the terminal: no answers, only what identifies it.
pub fn summary(catalog: &Catalog, records: &[Record]) -> String {
    records
        .iter()
        .map(|r| {
            format!(
                "  {}  {:<13} {:<25} {:<12} {}",
                r.submitted_at,
                r.kind,
                catalog.region_name(&r.region, eclaireurs_model::Lang::Fr),
                r.status,
                r.id
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one log line of a privacy request: what was done and how many, never the address.
pub fn log(action: &str, found: usize, deleted: usize, store: &str) {
    tracing::info!(action, found, deleted, store, "privacy request");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        Catalog::from_content(&content).expect("the real content makes a catalog")
    }

    #[test]
    fn an_address_is_searched_as_the_forms_store_it() {
        let catalog = catalog();
        let searched = address(&catalog, "  He\u{301}le\u{300}ne@Exemple.CA ").expect("taken");
        assert_eq!(searched, "h\u{e9}l\u{e8}ne@exemple.ca");
        assert_eq!(
            schema::email_hash(&searched),
            schema::email_hash("Hélène@exemple.ca"),
            "the key the API stored"
        );
    }

    #[test]
    fn an_address_the_forms_refuse_is_refused_with_its_reason() {
        let catalog = catalog();
        assert!(matches!(
            address(&catalog, "julie\u{200b}@exemple.ca"),
            Err(AddressError::InvisibleCharacter(shown)) if shown == "julie\\u{200b}@exemple.ca"
        ));
        assert!(matches!(
            address(&catalog, "\u{feff}julie@exemple.ca"),
            Err(AddressError::InvisibleCharacter(_))
        ));
        assert!(matches!(
            address(&catalog, "julie@exemple"),
            Err(AddressError::NotAnAddress(_))
        ));
        assert_eq!(address(&catalog, " \u{200b} "), Err(AddressError::Empty));
        let long = format!("{}@exemple.ca", "a".repeat(260));
        assert!(matches!(
            address(&catalog, &long),
            Err(AddressError::TooLong { max: 254, .. })
        ));
    }
}
