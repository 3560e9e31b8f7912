//! Meeting schedules: a start and end time in the meeting's own IANA zone, a recurrence (weekly
//! on some days, every other week, monthly on the nth weekday, a single date, or by appointment
//! with no times at all), cancelled dates, and the occurrences that follow, correct across
//! daylight-saving changes and midnight.
//! The submodules hold the directory's vocabularies, listings, the Meeting Guide format,
//! distances and search.

pub mod areas;
pub mod catalog;
pub mod feed;
pub mod geo;
pub mod ics;
pub mod listing;
pub mod places;
pub mod search;
pub mod week;
mod zone_rules;

use crate::Timestamp;
use crate::local::{LocalError, Zone};
use jiff::ToSpan;
use jiff::civil::{Date, Time, Weekday};
use std::collections::BTreeSet;

/// Which weekday of the month a monthly meeting falls on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl Nth {
    fn as_i8(self) -> i8 {
        match self {
            Nth::First => 1,
            Nth::Second => 2,
            Nth::Third => 3,
            Nth::Fourth => 4,
            Nth::Last => -1,
        }
    }
}

/// How a meeting repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// Every week on these days.
    Weekly(Vec<Weekday>),
    /// Every other week on these days, in the weeks of `anchor` (any date of an "on" week).
    EveryOtherWeek { days: Vec<Weekday>, anchor: Date },
    /// Every month on the `nth` `day` ("first Saturday", "last Friday").
    Monthly { nth: Nth, day: Weekday },
    /// Once, on this date.
    Once(Date),
    /// No set day or time: people arrange to meet with the group's contact. Never occurs.
    ByAppointment,
}

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0}")]
    Local(#[from] LocalError),
    #[error("Choose at least one day of the week.")]
    NoDays,
    #[error("The meeting cannot start and end at the same time.")]
    NoLength,
}

/// When a meeting happens, in its own zone.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub zone: Zone,
    pub start: Time,
    /// Before `start` means the meeting runs past midnight into the next day.
    pub end: Time,
    pub recurrence: Recurrence,
    /// Dates (in the meeting's zone) on which it is cancelled.
    pub cancelled: BTreeSet<Date>,
}

/// One meeting, at one time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The local date it starts on, in the meeting's zone.
    pub date: Date,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Schedule {
    /// A schedule, checked: some day to meet on, and a length.
    pub fn new(
        zone: Zone,
        start: Time,
        end: Time,
        recurrence: Recurrence,
    ) -> Result<Schedule, ScheduleError> {
        if start == end && recurrence != Recurrence::ByAppointment {
            return Err(ScheduleError::NoLength);
        }
        if let Recurrence::Weekly(days) | Recurrence::EveryOtherWeek { days, .. } = &recurrence
            && days.is_empty()
        {
            return Err(ScheduleError::NoDays);
        }
        Ok(Schedule {
            zone,
            start,
            end,
            recurrence,
            cancelled: BTreeSet::new(),
        })
    }

    /// How long one occurrence lasts, in minutes (a meeting past midnight counts on).
    pub fn minutes(&self) -> i64 {
        let minutes = |t: Time| i64::from(t.hour()) * 60 + i64::from(t.minute());
        let length = minutes(self.end) - minutes(self.start);
        if length > 0 { length } else { length + 24 * 60 }
    }

    /// Whether the meeting is held on `date` (before cancellations).
    fn meets_on(&self, date: Date) -> bool {
        match &self.recurrence {
            Recurrence::Weekly(days) => days.contains(&date.weekday()),
            Recurrence::EveryOtherWeek { days, anchor } => {
                let week = |d: Date| {
                    d.checked_sub(i64::from(d.weekday().to_monday_zero_offset()).days())
                        .unwrap_or(d)
                };
                let weeks_apart = week(*anchor)
                    .until(week(date))
                    .map_or(1, |span| i64::from(span.get_days()) / 7);
                days.contains(&date.weekday()) && weeks_apart % 2 == 0
            }
            Recurrence::Monthly { nth, day } => {
                date.nth_weekday_of_month(nth.as_i8(), *day).ok() == Some(date)
            }
            Recurrence::Once(once) => *once == date,
            Recurrence::ByAppointment => false,
        }
    }

    /// The occurrence starting on `date`, if the meeting is held that day. A start time the
    /// clocks skip that day moves to just after the change (as calendar programs do).
    pub fn on(&self, date: Date) -> Option<Occurrence> {
        if !self.meets_on(date) || self.cancelled.contains(&date) {
            return None;
        }
        let start = self.zone.instant_or_later(date, self.start);
        let end = start.plus(std::time::Duration::from_secs(
            u64::try_from(self.minutes()).unwrap_or(0) * 60,
        ));
        Some(Occurrence { date, start, end })
    }

    /// Occurrences that have not ended by `from` and start before `until`, in order. Looks at
    /// most 400 days ahead.
    pub fn between(&self, from: Timestamp, until: Timestamp) -> Vec<Occurrence> {
        if self.recurrence == Recurrence::ByAppointment {
            return Vec::new();
        }
        let mut day = self
            .zone
            .date_of(from)
            .yesterday()
            .unwrap_or_else(|_| self.zone.date_of(from));
        let last = self.zone.date_of(until);
        let mut found = Vec::new();
        for _ in 0..400 {
            if day > last {
                break;
            }
            if let Some(occurrence) = self.on(day)
                && occurrence.end > from
                && occurrence.start < until
            {
                found.push(occurrence);
            }
            day = match day.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        found
    }

    /// The next occurrence that has not ended by `at` (the one in progress, if any).
    pub fn next(&self, at: Timestamp) -> Option<Occurrence> {
        self.between(at, at.plus(std::time::Duration::from_secs(400 * 24 * 3600)))
            .into_iter()
            .next()
    }

    /// Whether the meeting is in progress at `at`.
    pub fn in_progress(&self, at: Timestamp) -> bool {
        self.next(at).is_some_and(|o| o.start <= at)
    }

    /// The iCalendar recurrence rule (RFC 5545), or `None` for a single date (or none at all).
    pub fn rrule(&self) -> Option<String> {
        let days = |days: &[Weekday]| {
            let codes: Vec<&str> = days.iter().map(|day| ics::weekday_code(*day)).collect();
            codes.join(",")
        };
        match &self.recurrence {
            Recurrence::Weekly(list) => Some(format!("FREQ=WEEKLY;BYDAY={}", days(list))),
            Recurrence::EveryOtherWeek { days: list, .. } => {
                Some(format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={}", days(list)))
            }
            Recurrence::Monthly { nth, day } => Some(format!(
                "FREQ=MONTHLY;BYDAY={}{}",
                nth.as_i8(),
                ics::weekday_code(*day)
            )),
            Recurrence::Once(_) | Recurrence::ByAppointment => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: i8, m: i8) -> Time {
        Time::new(h, m, 0, 0).unwrap()
    }

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn a_weekly_chicago_meeting_seen_from_london_moves_only_while_the_clocks_disagree() {
        let chicago = Zone::parse("America/Chicago").unwrap();
        let london = Zone::parse("Europe/London").unwrap();
        let schedule = Schedule::new(
            chicago.clone(),
            time(19, 0),
            time(20, 0),
            Recurrence::Weekly(vec![Weekday::Tuesday]),
        )
        .unwrap();
        let from = chicago.start_of(date(2024, 3, 1));
        let until = chicago.start_of(date(2024, 11, 15));
        let seen: Vec<(String, String)> = schedule
            .between(from, until)
            .into_iter()
            .map(|o| (chicago.display(o.start), london.display(o.start)))
            .collect();
        assert!(
            seen.iter().all(|(local, _)| local.ends_with("19:00")),
            "always 19:00 in Chicago"
        );
        let london_on = |chicago_date: &str| {
            seen.iter()
                .find(|(c, _)| c.starts_with(chicago_date))
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(
            london_on("2024-03-05"),
            "2024-03-06 01:00",
            "both on winter time: 6 hours apart"
        );
        assert_eq!(
            london_on("2024-03-12"),
            "2024-03-13 00:00",
            "the US changed on 10 March, the UK not yet"
        );
        assert_eq!(
            london_on("2024-04-02"),
            "2024-04-03 01:00",
            "both on summer time"
        );
        assert_eq!(
            london_on("2024-10-29"),
            "2024-10-30 00:00",
            "the UK changed back on 27 October, the US not yet"
        );
        assert_eq!(
            london_on("2024-11-05"),
            "2024-11-06 01:00",
            "both on winter time again"
        );
    }

    #[test]
    fn monthly_meetings_fall_on_the_first_saturday() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let schedule = Schedule::new(
            zone.clone(),
            time(10, 0),
            time(11, 30),
            Recurrence::Monthly {
                nth: Nth::First,
                day: Weekday::Saturday,
            },
        )
        .unwrap();
        let dates: Vec<Date> = schedule
            .between(
                zone.start_of(date(2026, 1, 1)),
                zone.start_of(date(2026, 4, 1)),
            )
            .iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(
            dates,
            [date(2026, 1, 3), date(2026, 2, 7), date(2026, 3, 7)]
        );
        let last_friday = Schedule::new(
            zone.clone(),
            time(18, 0),
            time(19, 0),
            Recurrence::Monthly {
                nth: Nth::Last,
                day: Weekday::Friday,
            },
        )
        .unwrap();
        assert_eq!(
            last_friday
                .next(zone.start_of(date(2026, 1, 1)))
                .unwrap()
                .date,
            date(2026, 1, 30)
        );
        assert_eq!(schedule.rrule().unwrap(), "FREQ=MONTHLY;BYDAY=1SA");
        assert_eq!(last_friday.rrule().unwrap(), "FREQ=MONTHLY;BYDAY=-1FR");
    }

    #[test]
    fn a_meeting_past_midnight_lasts_into_the_next_day_and_is_in_progress_there() {
        let zone = Zone::parse("America/New_York").unwrap();
        let late = Schedule::new(
            zone.clone(),
            time(23, 0),
            time(1, 0),
            Recurrence::Weekly(vec![Weekday::Friday]),
        )
        .unwrap();
        assert_eq!(late.minutes(), 120);
        let friday = late.on(date(2026, 11, 20)).unwrap();
        assert_eq!(zone.display(friday.end), "2026-11-21 01:00");
        let half_past_midnight = zone.instant(date(2026, 11, 21), time(0, 30)).unwrap();
        assert!(late.in_progress(half_past_midnight));
        assert_eq!(late.next(half_past_midnight), Some(friday));
        assert!(!late.in_progress(zone.instant(date(2026, 11, 21), time(1, 0)).unwrap()));
    }

    #[test]
    fn every_other_week_cancellations_and_single_dates() {
        let zone = Zone::utc();
        let mut fortnightly = Schedule::new(
            zone.clone(),
            time(18, 0),
            time(19, 0),
            Recurrence::EveryOtherWeek {
                days: vec![Weekday::Monday],
                anchor: date(2026, 11, 2),
            },
        )
        .unwrap();
        fortnightly.cancelled.insert(date(2026, 11, 16));
        let dates: Vec<Date> = fortnightly
            .between(
                zone.start_of(date(2026, 11, 1)),
                zone.start_of(date(2026, 12, 15)),
            )
            .iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(
            dates,
            [date(2026, 11, 2), date(2026, 11, 30), date(2026, 12, 14)],
            "16 November cancelled"
        );
        assert_eq!(
            fortnightly.rrule().unwrap(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
        );
        let once = Schedule::new(
            zone.clone(),
            time(12, 0),
            time(15, 0),
            Recurrence::Once(date(2026, 12, 31)),
        )
        .unwrap();
        assert_eq!(
            once.next(zone.start_of(date(2026, 11, 21))).unwrap().date,
            date(2026, 12, 31)
        );
        assert_eq!(once.next(zone.start_of(date(2027, 1, 1))), None);
        assert_eq!(once.rrule(), None);
    }

    #[test]
    fn a_meeting_by_appointment_has_no_times_and_never_occurs() {
        let zone = Zone::parse("Europe/London").unwrap();
        let schedule = Schedule::new(
            zone.clone(),
            Time::midnight(),
            Time::midnight(),
            Recurrence::ByAppointment,
        )
        .expect("no length is needed without times");
        assert_eq!(schedule.next(zone.start_of(date(2026, 12, 1))), None);
        assert!(!schedule.in_progress(zone.start_of(date(2026, 12, 1))));
        assert_eq!(schedule.rrule(), None);
    }

    #[test]
    fn a_start_the_clocks_skip_moves_past_the_change_and_bad_schedules_are_refused() {
        let zone = Zone::parse("America/New_York").unwrap();
        let early = Schedule::new(
            zone.clone(),
            time(2, 30),
            time(3, 30),
            Recurrence::Weekly(vec![Weekday::Sunday]),
        )
        .unwrap();
        let spring = early.on(date(2024, 3, 10)).unwrap();
        assert_eq!(zone.display(spring.start), "2024-03-10 03:30");
        assert_eq!(
            Schedule::new(
                zone.clone(),
                time(19, 0),
                time(19, 0),
                Recurrence::Weekly(vec![Weekday::Monday])
            )
            .unwrap_err(),
            ScheduleError::NoLength
        );
        assert_eq!(
            Schedule::new(zone, time(19, 0), time(20, 0), Recurrence::Weekly(vec![])).unwrap_err(),
            ScheduleError::NoDays
        );
    }
}
