//! The function's dates: how a moment is written in records, notifications and exports, and
//! the retention's deadline. One place, so every date the function writes sorts the same way.
//! Records keep UTC; what staff read (exports, notifications) is in Quebec's time, converted
//! here only ([`quebec`]).

use jiff::tz::TimeZone;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Quebec's time (Eastern, daylight saving included), compiled into the binary from the time
/// zone database: the Lambda image may have no `/usr/share/zoneinfo` to read.
static QUEBEC: TimeZone = jiff::tz::get!("America/Toronto");

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

/// The wall-clock time in Quebec at the moment `at`.
pub fn quebec(at: OffsetDateTime) -> PrimitiveDateTime {
    let offset = jiff::Timestamp::from_second(at.unix_timestamp())
        .map(|moment| QUEBEC.to_offset(moment).seconds())
        .ok()
        .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        // Only past the years either library holds: then the moment is shown as it is.
        .unwrap_or(UtcOffset::UTC);
    let local = at.to_offset(offset);
    PrimitiveDateTime::new(local.date(), local.time())
}

/// A moment as records write it ([`iso`], or any RFC 3339 time) in Quebec's time; `None` if
/// it is not one.
pub fn quebec_iso(text: &str) -> Option<PrimitiveDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(quebec)
}

/// The first and last moment (as [`iso`] writes them, both included) of the day `day`
/// (`YYYY-MM-DD`) in Quebec: the days staff filter by are the days their exports show.
/// `None` if `day` is not a day.
pub fn quebec_day(day: &str) -> Option<(String, String)> {
    let date: jiff::civil::Date = day.parse().ok()?;
    let start = |date: jiff::civil::Date| -> Option<OffsetDateTime> {
        let midnight = date.to_datetime(jiff::civil::Time::midnight());
        let second = QUEBEC
            .to_ambiguous_timestamp(midnight)
            .compatible()
            .ok()?
            .as_second();
        OffsetDateTime::from_unix_timestamp(second).ok()
    };
    let first = start(date)?;
    let next = start(date.tomorrow().ok()?)?;
    Some((iso(first), iso(next - time::Duration::milliseconds(1))))
}

/// `2026-06-30 23:30`: a wall-clock time to the minute, as staff read it.
pub fn minute(at: PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_in_quebec_runs_from_its_midnight_to_the_next_in_utc() {
        assert_eq!(
            quebec_day("2026-06-30"),
            Some((
                "2026-06-30T04:00:00.000Z".to_string(),
                "2026-07-01T03:59:59.999Z".to_string()
            )),
            "UTC-4 in summer"
        );
        assert_eq!(
            quebec_day("2026-12-03").map(|(first, _)| first),
            Some("2026-12-03T05:00:00.000Z".to_string()),
            "UTC-5 in winter"
        );
        // The day the clocks fall back has 25 hours.
        assert_eq!(
            quebec_day("2026-11-01"),
            Some((
                "2026-11-01T04:00:00.000Z".to_string(),
                "2026-11-02T04:59:59.999Z".to_string()
            ))
        );
        assert_eq!(quebec_day("2026-02-30"), None);
    }

    #[test]
    fn a_summer_night_in_utc_is_the_evening_before_in_quebec() {
        let at = quebec_iso("2026-07-01T03:30:00.000Z").expect("a moment");
        assert_eq!(minute(at), "2026-06-30 23:30", "UTC-4 in summer");
    }

    #[test]
    fn winter_is_five_hours_behind_utc() {
        let at = quebec_iso("2026-12-01T16:40:05.120Z").expect("a moment");
        assert_eq!(minute(at), "2026-12-01 11:40");
        assert_eq!(at.second(), 5);
    }

    #[test]
    fn the_clocks_change_on_the_days_the_law_says() {
        // 2026: forward on 8 March at 2:00, back on 1 November at 2:00 (local time).
        let before = quebec_iso("2026-03-08T06:59:00Z").expect("a moment");
        let after = quebec_iso("2026-03-08T07:00:00Z").expect("a moment");
        assert_eq!(
            (minute(before), minute(after)),
            (
                "2026-03-08 01:59".to_string(),
                "2026-03-08 03:00".to_string()
            )
        );
        let summer = quebec_iso("2026-11-01T05:59:00Z").expect("a moment");
        let winter = quebec_iso("2026-11-01T06:00:00Z").expect("a moment");
        assert_eq!(
            (minute(summer), minute(winter)),
            (
                "2026-11-01 01:59".to_string(),
                "2026-11-01 01:00".to_string()
            )
        );
    }

    #[test]
    fn what_is_not_a_moment_has_no_quebec_time() {
        assert_eq!(quebec_iso("2026-11-23"), None);
        assert_eq!(quebec_iso(""), None);
    }

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
