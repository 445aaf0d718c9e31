//! The table's keys and indexes, shared by `create-table` and checked against the deployment
//! template (`template.yaml`) by the tests, so the two cannot drift.
//!
//! - `region` (partition key): the region's slug. IAM limits each region's staff to their
//!   own items with `dynamodb:LeadingKeys`.
//! - `entry` (sort key): `<kind>#<submitted_at>#<id>`, so a region's registrations list
//!   newest first (`begins_with registration#`, descending) and its need reports by date
//!   range (`between need-report#2026-11-01 and need-report#2026-11-30~`).
//! - index `status-index` (`status`, `submitted_at`): every `new` item, newest first.
//!   `status` moves `new` → `in-progress` → `done` (see [`STATUSES`]).
//! - index `email-index` (`email_hash`, `submitted_at`), keys only: a person's submissions
//!   for a privacy request, without a scan. Sparse: only submissions with an email have
//!   `email_hash`, a hash of the normalized address (never the address itself).
//! - `expires_at`: the TTL attribute.
//! - the table's stream carries keys only (no personal information): the notification
//!   function reads it.

pub const PARTITION_KEY: &str = "region";
pub const SORT_KEY: &str = "entry";
pub const STATUS_INDEX: &str = "status-index";
pub const STATUS_INDEX_PARTITION_KEY: &str = "status";
pub const STATUS_INDEX_SORT_KEY: &str = "submitted_at";
pub const TTL_ATTRIBUTE: &str = "expires_at";
pub const EMAIL_INDEX: &str = "email-index";
pub const EMAIL_HASH: &str = "email_hash";
/// On an idempotency marker: the hash of the answers its key was first used for.
pub const ANSWERS_HASH: &str = "answers_hash";
/// When a daily reminder last named the item (ISO 8601): each item is reminded once.
pub const REMINDED_AT: &str = "reminded_at";

/// The handling states, in order. Staff change `status` in the console.
pub const STATUSES: [&str; 3] = ["new", "in-progress", "done"];
/// The status of a submission nobody has handled yet.
pub const NEW: &str = "new";

/// The attributes that are the table's bookkeeping rather than a person's answers.
pub const BOOKKEEPING: [&str; 5] = [
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
    EMAIL_HASH,
    REMINDED_AT,
];

/// The sort key of a submission.
pub fn entry(kind: &str, submitted_at: &str, id: &str) -> String {
    format!("{kind}#{submitted_at}#{id}")
}

/// The kind (form id) of a sort key, unless it is an idempotency marker's.
pub fn kind_of_entry(entry: &str) -> Option<&str> {
    let (kind, rest) = entry.split_once('#')?;
    (kind != "idempotency" && rest.contains('#')).then_some(kind)
}

/// The lookup key of an email address: the hex SHA-256 of the address trimmed and in lower
/// case, so `Julie@Exemple.ca ` and `julie@exemple.ca` find the same submissions. The items
/// hold the address itself; the index holds only this.
pub fn email_hash(email: &str) -> String {
    use sha2::{Digest, Sha256};
    let normalized = email_lookup(email);
    eclaireurs_model::hex(&Sha256::digest(
        format!("eclaireurs-email:{normalized}").as_bytes(),
    ))
}

/// An address as [`email_hash`] compares it: trimmed, in lower case (what the staff's
/// commands say they searched).
pub fn email_lookup(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The sort key of the marker that records an idempotency key.
pub fn idempotency_entry(kind: &str, key: &str) -> String {
    format!("idempotency#{kind}#{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_found_whatever_its_case_or_surrounding_spaces() {
        assert_eq!(
            email_hash(" Julie@Exemple.CA "),
            email_hash("julie@exemple.ca")
        );
        assert_ne!(
            email_hash("julie@exemple.ca"),
            email_hash("julia@exemple.ca")
        );
        assert_eq!(email_hash("a@b.ca").len(), 64);
        assert!(!email_hash("julie@exemple.ca").contains("julie"));
    }

    #[test]
    fn submissions_are_told_from_markers_by_their_sort_key() {
        let entry = entry("need-report", "2026-12-01T16:00:00.000Z", "0193");
        assert_eq!(kind_of_entry(&entry), Some("need-report"));
        assert_eq!(
            kind_of_entry(&idempotency_entry("need-report", "abc")),
            None
        );
        assert_eq!(kind_of_entry("garbage"), None);
    }
}
