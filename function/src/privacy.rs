//! A person's privacy requests, for the person in charge of personal information: find
//! every submission of an email address (access), export them (JSON or CSV) and delete them
//! (deletion, or consent withdrawn). On DynamoDB the address is found through the email
//! index (its hash), never by scanning the table.

use serde::Serialize;

use crate::answer::Answers;
use crate::catalog::Catalog;
use crate::store::{Archive, Record, StoreError};

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

/// A person's submissions, with a `--region` limit if given.
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
