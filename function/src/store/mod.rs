//! Where accepted submissions go: DynamoDB when `SUBMISSIONS_TABLE` is set, otherwise an
//! embedded store on local disk. Both store a submission once per idempotency key and say
//! "stored" only once it is durable; a key that comes back with other answers is refused
//! ([`Stored::Conflict`]), never answered as if its answers had been kept.

pub mod dynamodb;
pub mod embedded;
pub mod schema;

use serde::{Deserialize, Serialize};

use crate::answer::Answers;

/// How long a repeat of a client's idempotency key (the `Idempotency-Key` header, or the
/// `submission_id` that `forms.js` makes) is recognised as a retry: a day, so a request
/// retried after an outage still finds its first answer. The key is made once per set of
/// answers, so two people never share one.
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 24 * 60 * 60;

/// How long the same answers sent again without a key (a form post without JavaScript: the
/// key is the answers' hash) are recognised as a retry: ten minutes. A real retry comes
/// within that: a double click within milliseconds, a reload of the answer page or a resend
/// after a slow link within seconds to a couple of minutes. Past it, the same answers are
/// someone sending them again on purpose (or two people reporting a need in the same words),
/// and are stored again.
pub const KEYLESS_WINDOW_SECS: i64 = 10 * 60;

/// A stored submission, with plain attributes a person can read in the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// `registration` or `need-report`.
    pub kind: String,
    pub region: String,
    /// ISO 8601, UTC, to the millisecond: `2026-11-23T18:55:01.123Z`.
    pub submitted_at: String,
    /// `new` until the relay team changes it.
    pub status: String,
    pub language: String,
    pub consent_version: String,
    pub consent_at: String,
    /// When the store may delete the item (seconds since 1970), if retention is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// A hash of the key the client sent, or of the submission itself; never personal data.
    pub idempotency_key: String,
    /// A hash of the answers (form, region, language and values), so a key that comes back
    /// with other answers is told from a retry. Absent from submissions stored before it was
    /// kept: their retries are taken as retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers_hash: Option<String>,
    /// The lookup key of the submission's email address, if it has one (`schema::email_hash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_hash: Option<String>,
    #[serde(flatten)]
    pub values: Answers,
}

impl Record {
    /// How long a repeat of its key is a retry: [`KEYLESS_WINDOW_SECS`] when its key is its
    /// answers' hash (no client key: [`crate::submission::accept`] makes it so, a trapped
    /// bot's too), otherwise [`IDEMPOTENCY_WINDOW_SECS`]. The stores decide by the time of
    /// the key's first use, never by when an expired marker is deleted.
    pub fn retry_window(&self) -> i64 {
        retry_window(&self.idempotency_key, self.answers_hash.as_deref())
    }

    /// When it was received (seconds since 1970): the stores' "now" for its key.
    pub fn received_secs(&self) -> i64 {
        unix_secs(&self.submitted_at)
    }
}

/// [`Record::retry_window`] of a key and its answers' hash, as a record or a stored line
/// holds them.
pub(crate) fn retry_window(key: &str, answers_hash: Option<&str>) -> i64 {
    match answers_hash {
        Some(hash) if hash == key => KEYLESS_WINDOW_SECS,
        _ => IDEMPOTENCY_WINDOW_SECS,
    }
}

/// An ISO 8601 time as seconds since 1970 (0 if it is none: such a key is long past).
pub(crate) fn unix_secs(iso: &str) -> i64 {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    New(String),
    /// The same submission was already stored under this id.
    Duplicate(String),
    /// The idempotency key was already used, within the window, for other answers: nothing
    /// is stored (IETF draft "The Idempotency-Key HTTP Header Field": 422).
    Conflict,
}

impl Stored {
    /// The submission's id; none for a conflict.
    pub fn id(&self) -> Option<&str> {
        match self {
            Stored::New(id) | Stored::Duplicate(id) => Some(id),
            Stored::Conflict => None,
        }
    }
}

/// A repeat of a key: the same submission again, unless both times have an answers hash and
/// the two differ.
pub(crate) fn repeat(id: &str, first: Option<&str>, again: Option<&str>) -> Stored {
    match (first, again) {
        (Some(first), Some(again)) if first != again => Stored::Conflict,
        _ => Stored::Duplicate(id.to_string()),
    }
}

/// Which submissions of one region a listing asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub region: String,
    /// The form: `registration` or `need-report`.
    pub kind: String,
    /// First and last moment received, both included, as records write them (UTC, to the
    /// millisecond: see [`Selection::quebec_days`] for the days staff give).
    pub from: Option<String>,
    pub to: Option<String>,
    pub status: Option<String>,
}

/// Why a day given to a staff command (`--from`, `--to`) is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    #[error("write the day as YYYY-MM-DD, e.g. 2026-11-30")]
    Shape,
    #[error("no such day in the calendar")]
    NoSuchDay,
    /// A year before 2000 or after 9999: a typing slip (the program's submissions start in
    /// 2026), never a filter to ignore.
    #[error("give a year from 2000 to 9999")]
    Year,
}

/// A day as staff write it: exactly `YYYY-MM-DD` (no sign, no other number of digits), a
/// day of the calendar, in the years 2000 to 9999.
pub fn parse_day(text: &str) -> Result<String, DayError> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(DayError::Shape);
    };
    if !shaped {
        return Err(DayError::Shape);
    }
    if !(2000..=9999).contains(&year) {
        return Err(DayError::Year);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(DayError::NoSuchDay)?;
    let day = u8::try_from(day).map_err(|_| DayError::NoSuchDay)?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| DayError::NoSuchDay)?;
    Ok(text.to_string())
}

/// A listing's first day after its last: an argument error, told before any store is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--from {from} is after --to {to}: give the first day first")]
pub struct ReversedDays {
    pub from: String,
    pub to: String,
}

/// The first and last day of a listing (each from [`parse_day`]), in that order.
pub fn check_days(from: Option<&str>, to: Option<&str>) -> Result<(), ReversedDays> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(ReversedDays {
            from: from.to_string(),
            to: to.to_string(),
        }),
        _ => Ok(()),
    }
}

impl Selection {
    /// The moments from the start of the Quebec day `from` to the end of the Quebec day `to`
    /// (each `YYYY-MM-DD` from [`parse_day`]; none for an open end).
    pub fn quebec_days(
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), DayError> {
        let bounds = |day: &str| crate::clock::quebec_day(day).ok_or(DayError::NoSuchDay);
        Ok((
            from.map(bounds).transpose()?.map(|(first, _)| first),
            to.map(bounds).transpose()?.map(|(_, last)| last),
        ))
    }

    /// Whether no moment can be in it (its first after its last): nothing to read.
    pub fn is_empty(&self) -> bool {
        check_days(self.from.as_deref(), self.to.as_deref()).is_err()
    }

    /// The sort keys that bound the selection: `<kind>#<from>` to `<kind>#<to>~` (`~` sorts
    /// after every character of an id, so the last moment's submissions are in).
    pub fn entry_range(&self) -> (String, String) {
        let kind = &self.kind;
        let first = format!("{kind}#{}", self.from.as_deref().unwrap_or(""));
        let last = format!("{kind}#{}~", self.to.as_deref().unwrap_or("~"));
        (first, last)
    }

    pub fn matches(&self, record: &Record) -> bool {
        let at = record.submitted_at.as_str();
        record.region == self.region
            && record.kind == self.kind
            && self.from.as_deref().is_none_or(|from| at >= from)
            && self.to.as_deref().is_none_or(|to| at <= to)
            && self.status.as_deref().is_none_or(|s| record.status == s)
    }
}

/// The stored submissions as staff read and delete them (exports, privacy requests), on
/// either store. Unlike [`Store`], it never starts a writer: the embedded store's files are
/// read directly, and rewritten only when no server has them open.
pub enum Archive {
    Embedded {
        dir: std::path::PathBuf,
        kinds: Vec<String>,
    },
    Dynamo(dynamodb::DynamoStore),
}

impl Archive {
    fn kinds(kinds: &[String]) -> Vec<&str> {
        kinds.iter().map(String::as_str).collect()
    }

    pub async fn list(&self, selection: &Selection) -> Result<Vec<Record>, StoreError> {
        match self {
            Archive::Embedded { dir, kinds } => {
                let mut records = embedded::read_all(dir, &Self::kinds(kinds))?;
                records.retain(|r| selection.matches(r));
                records.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at));
                Ok(records)
            }
            Archive::Dynamo(store) => store.list(selection).await,
        }
    }

    pub async fn find_by_email(
        &self,
        email: &str,
        region: Option<&str>,
    ) -> Result<Vec<Record>, StoreError> {
        match self {
            Archive::Embedded { dir, kinds } => {
                let hash = schema::email_hash(email);
                let mut records = embedded::read_all(dir, &Self::kinds(kinds))?;
                records.retain(|r| {
                    r.email_hash.as_deref() == Some(hash.as_str())
                        && region.is_none_or(|region| r.region == region)
                });
                records.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at));
                Ok(records)
            }
            Archive::Dynamo(store) => store.find_by_email(email, region).await,
        }
    }

    pub async fn delete(&self, records: &[Record]) -> Result<usize, StoreError> {
        match self {
            Archive::Embedded { dir, kinds } => {
                let ids = records.iter().map(|r| r.id.clone()).collect();
                Ok(embedded::delete(dir, &Self::kinds(kinds), &ids)?)
            }
            Archive::Dynamo(store) => store.delete(records).await,
        }
    }

    /// Where the submissions are, for what the commands print.
    pub fn describe(&self) -> String {
        match self {
            Archive::Embedded { dir, .. } => format!("the embedded store in {}", dir.display()),
            Archive::Dynamo(store) => format!("the DynamoDB table {}", store.table()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Down, slow or throttling: the client may retry later. The text is for logs only.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The embedded store's files could not be read or rewritten.
    #[error(transparent)]
    Files(#[from] embedded::OpenError),
}

pub enum Store {
    Embedded(embedded::EmbeddedStore),
    Dynamo(dynamodb::DynamoStore),
}

impl Store {
    pub async fn put(&self, record: Record) -> Result<Stored, StoreError> {
        match self {
            Store::Embedded(store) => store.put(record).await,
            Store::Dynamo(store) => store.put(record).await,
        }
    }

    /// Keeps only the idempotency key of a submission that filled the bots' trap (its id is
    /// made up, its answers are dropped), for the window, so a repeat is answered with the
    /// same made-up id as a person's retry would be, and other answers with the same
    /// conflict. The key lives apart from people's keys ([`crate::submission::accept`] hashes it so): a trap
    /// never swallows a person's submission.
    pub async fn put_decoy(&self, record: Record) -> Result<Stored, StoreError> {
        match self {
            Store::Embedded(store) => store.put_decoy(record).await,
            Store::Dynamo(store) => store.put_decoy(record).await,
        }
    }

    pub async fn health(&self) -> Result<(), StoreError> {
        match self {
            Store::Embedded(store) => store.health().await,
            Store::Dynamo(store) => store.health().await,
        }
    }

    /// Tells that a submission arrived. DynamoDB's stream drives the notification function;
    /// the embedded store (local use, `eclaireurs serve`) prints one line instead. Like the
    /// notifications, it names the form, region, time and id: no personal information.
    pub fn announce(&self, kind: &str, region: &str, submitted_at: &str, id: &str) {
        if let Store::Embedded(_) = self {
            crate::console::line(format!(
                "New submission: {kind} for {region} at {submitted_at} (id {id})."
            ));
        }
    }

    /// `embedded` or `dynamodb`, for the health answer.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Embedded(_) => "embedded",
            Store::Dynamo(_) => "dynamodb",
        }
    }

    /// Where submissions go, for people starting the server.
    pub fn describe(&self) -> String {
        match self {
            Store::Embedded(store) => format!("embedded store in {}", store.dir().display()),
            Store::Dynamo(store) => format!("DynamoDB table {}", store.table()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_written_yyyy_mm_dd_and_is_one_of_the_calendar() {
        assert_eq!(parse_day("2026-11-30").as_deref(), Ok("2026-11-30"));
        assert_eq!(parse_day("2028-02-29").as_deref(), Ok("2028-02-29"));
        for shape in [
            "+2026-12-31",
            "-0001-01-01",
            "2026-1-01",
            "20261130",
            "2026-11-30 ",
            "２０２６-11-30",
            "",
        ] {
            assert_eq!(parse_day(shape), Err(DayError::Shape), "{shape:?}");
        }
        for year in ["0000-01-01", "1999-12-31"] {
            assert_eq!(parse_day(year), Err(DayError::Year), "{year}");
        }
        for day in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31"] {
            assert_eq!(parse_day(day), Err(DayError::NoSuchDay), "{day}");
        }
    }

    #[test]
    fn days_are_quebecs_so_a_summer_evening_is_in_its_own_day() {
        let (from, to) =
            Selection::quebec_days(Some("2026-06-30"), Some("2026-06-30")).expect("days");
        let selection = Selection {
            region: "bas-saint-laurent".into(),
            kind: "need-report".into(),
            from,
            to,
            status: None,
        };
        let at = |submitted_at: &str| Record {
            id: "0193a1b2".into(),
            kind: "need-report".into(),
            region: "bas-saint-laurent".into(),
            submitted_at: submitted_at.into(),
            status: "new".into(),
            language: "fr".into(),
            consent_version: "2026-12-03".into(),
            consent_at: submitted_at.into(),
            expires_at: None,
            idempotency_key: "k".into(),
            answers_hash: None,
            email_hash: None,
            values: Default::default(),
        };
        // 23:30 on June 30 in Quebec; 00:30 on June 30 in Quebec; 00:30 on July 1.
        assert!(selection.matches(&at("2026-07-01T03:30:00.000Z")));
        assert!(selection.matches(&at("2026-06-30T04:30:00.000Z")));
        assert!(!selection.matches(&at("2026-07-01T04:30:00.000Z")));
        assert!(!selection.matches(&at("2026-06-30T03:59:59.999Z")));
    }

    #[test]
    fn a_first_day_after_the_last_is_refused_and_selects_nothing() {
        assert!(check_days(Some("2026-12-31"), Some("2026-01-01")).is_err());
        assert!(check_days(Some("2026-01-01"), Some("2026-01-01")).is_ok());
        assert!(check_days(None, Some("2026-01-01")).is_ok());
        let selection = Selection {
            region: "bas-saint-laurent".into(),
            kind: "need-report".into(),
            from: Some("2026-12-31".into()),
            to: Some("2026-01-01".into()),
            status: None,
        };
        assert!(selection.is_empty());
    }
}
