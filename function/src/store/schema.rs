//! The table's keys and indexes, shared by `create-table` and checked against the deployment
//! template (`template.yaml`) by the tests, so the two cannot drift.
//!
//! - `region` (partition key): the region's slug. IAM limits each region's staff to their
//!   own items with `dynamodb:LeadingKeys`.
//! - `entry` (sort key): `<kind>#<submitted_at>#<id>`, so a region's registrations list
//!   newest first (`begins_with registration#`, descending) and its need reports by date
//!   range (`between need-report#2026-11-01 and need-report#2026-11-30~`).
//! - index `status-index` (`status`, `submitted_at`): every `new` item, newest first.
//! - `expires_at`: the TTL attribute.

pub const PARTITION_KEY: &str = "region";
pub const SORT_KEY: &str = "entry";
pub const STATUS_INDEX: &str = "status-index";
pub const STATUS_INDEX_PARTITION_KEY: &str = "status";
pub const STATUS_INDEX_SORT_KEY: &str = "submitted_at";
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// The sort key of a submission.
pub fn entry(kind: &str, submitted_at: &str, id: &str) -> String {
    format!("{kind}#{submitted_at}#{id}")
}

/// The sort key of the marker that records an idempotency key.
pub fn idempotency_entry(kind: &str, key: &str) -> String {
    format!("idempotency#{kind}#{key}")
}
