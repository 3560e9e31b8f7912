//! Local time: IANA zones, local dates and times, and turning them into instants without
//! guessing across daylight-saving changes. Shared by members' clocks and meeting schedules.

use crate::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use std::fmt;

/// A member's time zone, by its IANA name ("America/New_York"). Cheap to clone: the name is
/// shared, as is the zone's data.
#[derive(Clone, Debug)]
pub struct Zone {
    name: std::sync::Arc<str>,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Why a local date, time or zone was refused; messages are for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    #[error("Use a time zone name like Europe/London or America/New_York.")]
    UnknownZone,
    #[error("Enter a date as YYYY-MM-DD, for example 2024-03-09.")]
    BadDate,
    #[error("Enter a time as HH:MM on a 24-hour clock, for example 23:30.")]
    BadTime,
    #[error("Please choose a date from 1900 onwards.")]
    TooEarly,
    #[error("That date is in the future. Please choose today or an earlier day.")]
    InFuture,
    #[error(
        "That time did not exist on that day in your time zone: the clocks went forward. Please choose a time just before or after."
    )]
    SkippedByClockChange,
}

impl Zone {
    /// Parses an IANA zone name.
    pub fn parse(name: &str) -> Result<Zone, LocalError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(LocalError::UnknownZone);
        }
        let tz = TimeZone::get(name).map_err(|_| LocalError::UnknownZone)?;
        Ok(Zone {
            name: tz.iana_name().unwrap_or(name).into(),
            tz,
        })
    }

    /// UTC, the fallback when nothing else is known.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The local calendar date of an instant in this zone.
    pub fn date_of(&self, at: Timestamp) -> Date {
        self.zoned(at).date()
    }

    /// The local date and time of an instant, "2026-11-21 04:33".
    pub fn display(&self, at: Timestamp) -> String {
        self.zoned(at).strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// The local date and time of an instant as people write it, "Thursday 3 December, 19:30",
    /// with the year when it is not the year of `now`: "Friday 1 January 2027, 08:00".
    pub fn human(&self, at: Timestamp, now: Timestamp) -> String {
        let zoned = self.zoned(at);
        let format = if zoned.year() == self.zoned(now).year() {
            "%A %-d %B, %H:%M"
        } else {
            "%A %-d %B %Y, %H:%M"
        };
        zoned.strftime(format).to_string()
    }

    /// The local time of day of an instant in this zone.
    pub fn zoned_time(&self, at: Timestamp) -> jiff::civil::Time {
        self.zoned(at).time()
    }

    /// How far ahead of UTC this zone is at an instant, in minutes.
    pub fn offset_minutes(&self, at: Timestamp) -> i32 {
        self.zoned(at).offset().seconds() / 60
    }

    pub(crate) fn zoned(&self, at: Timestamp) -> jiff::Zoned {
        jiff::Timestamp::from_millisecond(at.millis())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
    }

    /// The instant a local date and time happened in this zone. A time the clocks skipped is
    /// refused; a time that happened twice (clocks went back) means the first of the two.
    pub fn instant(&self, date: Date, time: Time) -> Result<Timestamp, LocalError> {
        let ambiguous = self.tz.to_ambiguous_zoned(DateTime::from_parts(date, time));
        if matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. }) {
            return Err(LocalError::SkippedByClockChange);
        }
        let zoned = ambiguous.earlier().map_err(|_| LocalError::BadTime)?;
        Ok(Timestamp(zoned.timestamp().as_millisecond()))
    }

    /// Like [`instant`](Self::instant), but a time the clocks skip that day moves just past the
    /// change, by the length of the gap (02:30 on a spring-forward night is 03:30), as calendar
    /// programs do for repeating events.
    pub fn instant_or_later(&self, date: Date, time: Time) -> Timestamp {
        let zoned = self
            .tz
            .to_ambiguous_zoned(DateTime::from_parts(date, time))
            .compatible();
        zoned.map_or(Timestamp(0), |z| Timestamp(z.timestamp().as_millisecond()))
    }

    /// The first instant of a local date (midnight, or the first time that existed that day).
    pub fn start_of(&self, date: Date) -> Timestamp {
        match date.to_zoned(self.tz.clone()) {
            Ok(zoned) => Timestamp(zoned.timestamp().as_millisecond()),
            Err(_) => Timestamp(0),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Every zone name the time-zone database knows, sorted, for pickers.
pub fn zone_names() -> &'static [String] {
    // Read once: the time-zone database does not change while the server runs.
    static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.to_string())
            .collect();
        names.sort();
        names
    });
    &NAMES
}

/// Parses "YYYY-MM-DD", refusing dates before 1900.
pub fn parse_date(text: &str) -> Result<Date, LocalError> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(LocalError::BadDate);
    }
    let number =
        |range: std::ops::Range<usize>| text[range].parse::<i16>().map_err(|_| LocalError::BadDate);
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if year < 1900 {
        return Err(LocalError::TooEarly);
    }
    let month = i8::try_from(month).map_err(|_| LocalError::BadDate)?;
    let day = i8::try_from(day).map_err(|_| LocalError::BadDate)?;
    Date::new(year, month, day).map_err(|_| LocalError::BadDate)
}

/// Parses a date that must not be after `today`.
pub fn parse_past_date(text: &str, today: Date) -> Result<Date, LocalError> {
    let date = parse_date(text)?;
    if date > today {
        return Err(LocalError::InFuture);
    }
    Ok(date)
}

/// Parses "HH:MM" (24-hour).
pub fn parse_time(text: &str) -> Result<Time, LocalError> {
    let text = text.trim();
    let (hours, minutes) = text.split_once(':').ok_or(LocalError::BadTime)?;
    let valid =
        |part: &str| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if !valid(hours) || minutes.len() != 2 || !valid(minutes) {
        return Err(LocalError::BadTime);
    }
    let hours: i8 = hours.parse().map_err(|_| LocalError::BadTime)?;
    let minutes: i8 = minutes.parse().map_err(|_| LocalError::BadTime)?;
    Time::new(hours, minutes, 0, 0).map_err(|_| LocalError::BadTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_dates_read_as_people_write_them() {
        let london = Zone::parse("Europe/London").unwrap();
        let at = |text: &str| Timestamp(text.parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let now = at("2026-12-01T09:00:00Z");
        assert_eq!(
            london.human(at("2026-12-03T19:30:00Z"), now),
            "Thursday 3 December, 19:30"
        );
        assert_eq!(
            london.human(at("2027-01-01T08:00:00Z"), now),
            "Friday 1 January 2027, 08:00"
        );
        assert_eq!(
            london.human(at("2026-07-04T18:05:00Z"), now),
            "Saturday 4 July, 19:05",
            "summer time"
        );
    }

    #[test]
    fn zones_parse_by_iana_name_only() {
        assert_eq!(
            Zone::parse("America/New_York").unwrap().name(),
            "America/New_York"
        );
        assert_eq!(Zone::parse("Mars/Olympus"), Err(LocalError::UnknownZone));
        assert_eq!(Zone::parse(""), Err(LocalError::UnknownZone));
        assert!(zone_names().iter().any(|n| n == "Europe/London"));
    }

    #[test]
    fn dates_and_times_are_checked_strictly() {
        assert!(parse_date("2024-03-09").is_ok());
        assert_eq!(parse_date("2024-02-30"), Err(LocalError::BadDate));
        assert_eq!(parse_date("09/03/2024"), Err(LocalError::BadDate));
        assert_eq!(parse_date("1899-12-31"), Err(LocalError::TooEarly));
        assert_eq!(parse_date("２０２４-03-09"), Err(LocalError::BadDate));
        let today = Date::new(2026, 11, 21).unwrap();
        assert_eq!(
            parse_past_date("2026-11-22", today),
            Err(LocalError::InFuture)
        );
        assert!(parse_time("23:30").is_ok());
        assert!(parse_time("7:05").is_ok());
        assert_eq!(parse_time("24:00"), Err(LocalError::BadTime));
        assert_eq!(parse_time("12:5"), Err(LocalError::BadTime));
        assert_eq!(parse_time("noon"), Err(LocalError::BadTime));
    }

    #[test]
    fn a_time_the_clocks_skipped_is_refused_and_a_repeated_one_means_the_first() {
        let new_york = Zone::parse("America/New_York").unwrap();
        let spring = Date::new(2024, 3, 10).unwrap();
        assert_eq!(
            new_york.instant(spring, Time::new(2, 30, 0, 0).unwrap()),
            Err(LocalError::SkippedByClockChange)
        );
        let autumn = Date::new(2024, 11, 3).unwrap();
        let first = new_york
            .instant(autumn, Time::new(1, 30, 0, 0).unwrap())
            .unwrap();
        // 01:30 EDT (UTC-4) is 05:30 UTC.
        assert_eq!(first.to_rfc3339(), "2024-11-03T05:30:00Z");
        assert_eq!(
            new_york.display(new_york.instant_or_later(spring, Time::new(2, 30, 0, 0).unwrap())),
            "2024-03-10 03:30"
        );
        assert_eq!(
            new_york.instant_or_later(autumn, Time::new(1, 30, 0, 0).unwrap()),
            first
        );
    }
}
