//! `eclaireurs-function audit`: who read or changed which items of the submissions table in
//! a window of days, from the trail's log files in the audit bucket — what the assessment of
//! a confidentiality incident starts from.
//!
//! - [`read`]: the trail's log files in S3 (listing each day's folder, reading and
//!   un-gzipping the files, a few at a time).
//! - [`event`]: a log file's records turned into rows: the DynamoDB events on the table, in
//!   the window, by the principal asked for. Only keys are kept: CloudTrail never records the
//!   answers (non-key attribute values) of DynamoDB requests, and the rows hold nothing else.
//! - [`report`]: the rows as a table, CSV or JSON, and the summary line.

pub mod event;
pub mod read;
pub mod report;

use std::collections::BTreeSet;
use std::sync::Arc;

use time::Date;

pub use event::{Access, Filter, Row};
pub use read::LogBucket;

/// Log files read at the same time: enough to hide S3's latency, few enough for a laptop.
pub const CONCURRENT_READS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("name the audit bucket: --bucket, or AUDIT_BUCKET (the stack's output AuditBucket)")]
    NoBucket,
    #[error("name the submissions table: --table, or SUBMISSIONS_TABLE (the stack's table name)")]
    NoTable,
    #[error("--{option} {value}: write the day as YYYY-MM-DD, e.g. 2026-11-30")]
    BadDay { option: &'static str, value: String },
    #[error("--from {from} is after --to {to}: the window would be empty")]
    EmptyWindow { from: Date, to: Date },
    #[error(
        "no AWS credentials were found: sign in (`aws sso login`, or set AWS_PROFILE), then run \
         audit again"
    )]
    NoCredentials,
    #[error(
        "AWS refused your credentials ({code}): they have expired or are wrong; sign in again \
         (`aws sso login`)"
    )]
    CredentialsRefused { code: String },
    #[error(
        "there is no bucket {bucket} (in this account and region): check the stack's output \
         AuditBucket, and AWS_REGION"
    )]
    NoSuchBucket { bucket: String },
    #[error(
        "access denied to {what}: attach the stack's AuditorPolicy (the output AuditorPolicyArn) \
         to your user or role; it lets you list and read the audit bucket and decrypt its \
         files with the operations key"
    )]
    AccessDenied { what: String },
    #[error(
        "the bucket {bucket} holds the logs of several accounts ({accounts}): add --account \
         with the one to read"
    )]
    SeveralAccounts { bucket: String, accounts: String },
    #[error("{path} is not a CloudTrail log file that can be read: {reason}")]
    Malformed { path: String, reason: String },
    #[error("{action}: {message}")]
    Failed { action: String, message: String },
}

/// What `audit` is asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub bucket: String,
    /// The trail's S3 key prefix, if it has one (none in template.yaml).
    pub prefix: String,
    /// The account whose folder is read; found in the bucket when not given.
    pub account: Option<String>,
    /// The region whose folder is read (the trail is single-region: the stack's).
    pub region: String,
    pub filter: Filter,
}

/// What `audit` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The rows, by time.
    pub rows: Vec<Row>,
    /// The log files read.
    pub files: usize,
    /// Where they were read (`s3://bucket/AWSLogs/<account>/CloudTrail/<region>/`), or
    /// `None` when the bucket holds no trail log at all yet.
    pub folder: Option<String>,
}

/// The days of the window, and the day after it: CloudTrail delivers a file some minutes
/// after its events, so the last minutes of a day can sit in the next day's folder.
pub fn days_to_list(from: Date, to: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = from;
    loop {
        days.push(day);
        match day.next_day() {
            Some(next) if day <= to => day = next,
            _ => break,
        }
    }
    days
}

/// `YYYY-MM-DD` as a day.
pub fn parse_day(option: &'static str, value: &str) -> Result<Date, AuditError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format).map_err(|_| AuditError::BadDay {
        option,
        value: value.to_string(),
    })
}

/// Lists the window's log files, reads them a few at a time and keeps the rows the filter
/// lets through, sorted by time (each event once, even if delivered twice).
pub async fn run(bucket: &LogBucket, request: &Request) -> Result<Found, AuditError> {
    let filter = &request.filter;
    if filter.from > filter.to {
        return Err(AuditError::EmptyWindow {
            from: filter.from,
            to: filter.to,
        });
    }
    let account = match &request.account {
        Some(account) => account.clone(),
        None => match bucket.account(&request.prefix).await? {
            Some(account) => account,
            None => {
                return Ok(Found {
                    rows: Vec::new(),
                    files: 0,
                    folder: None,
                })
            }
        },
    };
    let folder = read::folder(&request.prefix, &account, &request.region);
    let mut keys = Vec::new();
    let mut listings = tokio::task::JoinSet::new();
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_READS));
    for day in days_to_list(filter.from, filter.to) {
        let (bucket, prefix, limit) = (
            bucket.clone(),
            read::day_prefix(&folder, day),
            limit.clone(),
        );
        listings.spawn(async move {
            let _permit = limit.acquire_owned().await;
            bucket.list(&prefix).await
        });
    }
    while let Some(listed) = listings.join_next().await {
        keys.extend(listed.map_err(join_failed)??);
    }
    keys.sort();
    keys.dedup();

    let filter = Arc::new(filter.clone());
    let mut reads = tokio::task::JoinSet::new();
    for key in &keys {
        let (bucket, key, limit, filter) =
            (bucket.clone(), key.clone(), limit.clone(), filter.clone());
        reads.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let json = bucket.read(&key).await?;
            event::rows(&json, &filter).map_err(|reason| AuditError::Malformed {
                path: bucket.describe(&key),
                reason,
            })
        });
    }
    let mut rows = Vec::new();
    while let Some(read) = reads.join_next().await {
        rows.extend(read.map_err(join_failed)??);
    }
    let mut seen = BTreeSet::new();
    rows.sort_by(|a, b| (a.at, &a.event_id).cmp(&(b.at, &b.event_id)));
    rows.retain(|row| row.event_id.is_empty() || seen.insert(row.event_id.clone()));
    Ok(Found {
        rows,
        files: keys.len(),
        folder: Some(bucket.describe(&folder)),
    })
}

fn join_failed(e: tokio::task::JoinError) -> AuditError {
    AuditError::Failed {
        action: "reading the log files".into(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_window_is_listed_with_the_day_after_it() {
        assert_eq!(
            days_to_list(date!(2026 - 11 - 30), date!(2026 - 12 - 01)),
            vec![
                date!(2026 - 11 - 30),
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 02)
            ]
        );
        assert_eq!(
            days_to_list(date!(2026 - 02 - 28), date!(2026 - 02 - 28)),
            vec![date!(2026 - 02 - 28), date!(2026 - 03 - 01)]
        );
    }

    #[test]
    fn a_day_is_written_year_month_day() {
        assert_eq!(
            parse_day("from", "2026-11-03").ok(),
            Some(date!(2026 - 11 - 03))
        );
        let error = parse_day("to", "03/11/2026").expect_err("not a day");
        assert_eq!(
            error.to_string(),
            "--to 03/11/2026: write the day as YYYY-MM-DD, e.g. 2026-11-30"
        );
    }
}
