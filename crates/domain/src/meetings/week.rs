//! Weekly meetings in whole minutes: a zone's offset around "now" (valid until its next
//! change), and a weekly schedule as a day mask and minutes, so a search can place thousands of
//! meetings in the viewer's week with integer arithmetic. Anything near a daylight-saving change
//! is left to the exact calendar code.

use super::{Recurrence, Schedule};
use crate::Timestamp;
use jiff::tz::TimeZone;

const MINUTE_MS: i64 = 60_000;
const DAY_MINUTES: i64 = 24 * 60;

/// A zone's offset from UTC over a stretch of time with no change in it.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    offset_minutes: i64,
    from_ms: i64,
    until_ms: i64,
}

impl Span {
    /// The stretch around `now`: from the zone's last change to its next.
    pub fn around(tz: &TimeZone, now: Timestamp) -> Span {
        let empty = Span {
            offset_minutes: 0,
            from_ms: 0,
            until_ms: 0,
        };
        let Ok(at) = jiff::Timestamp::from_millisecond(now.millis()) else {
            return empty;
        };
        let offset = i64::from(tz.to_offset(at).seconds());
        if offset % 60 != 0 {
            return empty;
        }
        let from_ms = tz
            .preceding(at)
            .next()
            .map_or(i64::MIN / 2, |t| t.timestamp().as_millisecond());
        let until_ms = tz
            .following(at)
            .next()
            .map_or(i64::MAX / 2, |t| t.timestamp().as_millisecond());
        let same = |ms: i64| {
            jiff::Timestamp::from_millisecond(ms)
                .is_ok_and(|t| i64::from(tz.to_offset(t).seconds()) == offset)
        };
        let year = 400 * 86_400_000;
        if !(same(from_ms.max(now.millis() - year)) && same(until_ms.min(now.millis() + year) - 1))
        {
            return empty;
        }
        Span {
            offset_minutes: offset / 60,
            from_ms,
            until_ms,
        }
    }

    fn covers(&self, ms: i64) -> bool {
        self.from_ms <= ms && ms < self.until_ms
    }

    /// The local day number (days since 1970-01-01) and minute of the day of an instant.
    pub fn local(&self, ms: i64) -> Option<(i64, i64)> {
        if !self.covers(ms) {
            return None;
        }
        let minutes = ms.div_euclid(MINUTE_MS) + self.offset_minutes;
        Some((
            minutes.div_euclid(DAY_MINUTES),
            minutes.rem_euclid(DAY_MINUTES),
        ))
    }

    /// The instant of a local day and minute, when it falls in this stretch.
    pub fn instant(&self, day: i64, minute: i64) -> Option<i64> {
        let ms = ((day * DAY_MINUTES + minute) - self.offset_minutes) * MINUTE_MS;
        self.covers(ms).then_some(ms)
    }
}

/// The (year, month, day) of a day number (days since 1970-01-01), by H. Hinnant's
/// days-to-civil algorithm.
pub fn civil(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day number of a civil date (the inverse of [`civil`]).
pub fn day_number(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "YYYY-MM-DD HH:MM" for a day number and minute of the day.
pub fn local_text(day: i64, minute: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", minute / 60, minute % 60)
}

/// Sunday 0 … Saturday 6 of a day number (1970-01-01 was a Thursday).
pub fn weekday_of(day: i64) -> u8 {
    (day + 4).rem_euclid(7) as u8
}

/// A weekly schedule without cancellations, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weekly {
    /// Bit n set: meets on weekday n (Sunday 0).
    pub days: u8,
    pub start: i64,
    pub length: i64,
}

impl Weekly {
    /// The compact form, for weekly schedules with no cancelled dates.
    pub fn of(schedule: &Schedule) -> Option<Weekly> {
        let Recurrence::Weekly(days) = &schedule.recurrence else {
            return None;
        };
        if !schedule.cancelled.is_empty() {
            return None;
        }
        Some(Weekly {
            days: days
                .iter()
                .fold(0, |mask, d| mask | 1 << d.to_sunday_zero_offset()),
            start: i64::from(schedule.start.hour()) * 60 + i64::from(schedule.start.minute()),
            length: schedule.minutes(),
        })
    }

    /// Whether it meets on weekday `n` (Sunday 0).
    pub fn meets_on(&self, weekday: u8) -> bool {
        self.days & (1 << weekday) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Zone;
    use jiff::civil::{Date, Time, Weekday};

    #[test]
    fn day_numbers_and_civil_dates_convert_both_ways() {
        for (day, text) in [
            (0, "1970-01-01 00:00"),
            (-1, "1969-12-31 00:00"),
            (20_717, "2026-09-21 00:00"),
            (11_016, "2000-02-29 00:00"),
        ] {
            assert_eq!(local_text(day, 0), text);
            let (y, m, d) = civil(day);
            assert_eq!(day_number(y, m, d), day);
        }
        assert_eq!(local_text(0, 19 * 60 + 5), "1970-01-01 19:05");
    }

    #[test]
    fn spans_agree_with_the_calendar_and_stop_at_the_next_change() {
        let zone = Zone::parse("America/Chicago").unwrap();
        let now = zone.start_of(Date::new(2026, 10, 28).unwrap());
        let span = Span::around(zone.tz(), now);
        let tuesday = zone
            .instant(
                Date::new(2026, 10, 27).unwrap(),
                Time::new(19, 0, 0, 0).unwrap(),
            )
            .unwrap();
        let (day, minute) = span.local(tuesday.millis()).unwrap();
        assert_eq!(weekday_of(day), 2);
        assert_eq!(minute, 19 * 60);
        assert_eq!(span.instant(day, minute), Some(tuesday.millis()));
        let after_change = zone.start_of(Date::new(2026, 11, 2).unwrap());
        assert_eq!(
            span.local(after_change.millis()),
            None,
            "1 November changes the offset"
        );
        let utc = Span::around(Zone::utc().tz(), now);
        assert_eq!(
            utc.local(0),
            Some((0, 0)),
            "a zone that never changes is one long stretch"
        );
        let schedule = Schedule::new(
            zone,
            Time::new(23, 0, 0, 0).unwrap(),
            Time::new(0, 30, 0, 0).unwrap(),
            Recurrence::Weekly(vec![Weekday::Sunday, Weekday::Tuesday]),
        )
        .unwrap();
        assert_eq!(
            Weekly::of(&schedule),
            Some(Weekly {
                days: 0b101,
                start: 23 * 60,
                length: 90
            })
        );
    }
}
