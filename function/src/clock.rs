//! The function's dates: how a moment is written in records, notifications and exports, and
//! the retention's deadline. One place, so every date the function writes sorts the same way.

use time::{OffsetDateTime, UtcOffset};

/// Seconds in a day, for retention counted in days.
const DAY_SECS: i64 = 86_400;

/// `2026-11-23T18:55:01.123Z`: ISO 8601 in UTC, to the millisecond, so it sorts as text.
pub fn iso(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The moment `at` (seconds since 1970) as [`iso`] writes it, if it is one `time` can hold.
pub fn iso_at(at: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(at).ok().map(iso)
}

/// When something made at `now` may be deleted after `days` (seconds since 1970).
pub fn after_days(now: OffsetDateTime, days: u32) -> i64 {
    now.unix_timestamp() + i64::from(days) * DAY_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_written_in_utc_to_the_millisecond() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_460_101).expect("a moment")
            + time::Duration::milliseconds(7);
        assert_eq!(iso(at), "2026-11-23T18:55:01.007Z");
        let elsewhere = at.to_offset(UtcOffset::from_hms(-5, 0, 0).expect("offset"));
        assert_eq!(iso(elsewhere), iso(at), "whatever the offset it comes in");
        assert_eq!(
            iso_at(1_795_460_101).as_deref(),
            Some("2026-11-23T18:55:01.000Z")
        );
        assert_eq!(iso_at(i64::MAX), None);
    }

    #[test]
    fn retention_counts_whole_days() {
        let now = OffsetDateTime::from_unix_timestamp(1_000).expect("a moment");
        assert_eq!(after_days(now, 0), 1_000);
        assert_eq!(after_days(now, 2), 1_000 + 2 * 86_400);
    }
}
