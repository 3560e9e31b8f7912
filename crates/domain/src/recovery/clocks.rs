//! Recovery clocks: clean time counted in the member's own calendar, the milestone schedule,
//! and the history that a reset keeps (total sober days, longest streak).

use crate::Timestamp;
use crate::local::Zone;
use jiff::{Span, Unit};

/// Clean time on a clock: whole local calendar days, plus hours for the first days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanTime {
    pub days: i64,
    pub hours: i64,
}

/// Clean time from `start` to `now`, counted in `zone`'s calendar: a day is from one local
/// time to the same local time the next day, whether that day had 23, 24 or 25 hours.
pub fn clean_time(start: Timestamp, now: Timestamp, zone: &Zone) -> CleanTime {
    if now <= start {
        return CleanTime { days: 0, hours: 0 };
    }
    let (from, to) = (zone.zoned(start), zone.zoned(now));
    match from.until((Unit::Day, &to)) {
        Ok(span) => CleanTime {
            days: i64::from(span.get_days()),
            hours: i64::from(span.get_hours()),
        },
        Err(_) => CleanTime { days: 0, hours: 0 },
    }
}

/// A unit of the milestone schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepUnit {
    Hours,
    Days,
    Months,
    Years,
}

/// One milestone: an amount of clean time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub amount: u32,
    pub unit: StepUnit,
}

impl Milestone {
    fn span(self) -> Span {
        let amount = i64::from(self.amount);
        match self.unit {
            StepUnit::Hours => Span::new().hours(amount),
            StepUnit::Days => Span::new().days(amount),
            StepUnit::Months => Span::new().months(amount),
            StepUnit::Years => Span::new().years(amount),
        }
    }

    /// Roughly how many months this is, for ordering and "then yearly".
    fn approximate_days(self) -> u64 {
        let amount = u64::from(self.amount);
        match self.unit {
            StepUnit::Hours => amount / 24,
            StepUnit::Days => amount,
            StepUnit::Months => amount * 30,
            StepUnit::Years => amount * 365,
        }
    }

    /// "24 hours", "1 week", "30 days", "6 months", "1 year", "18 months", "2 years".
    pub fn label(self) -> String {
        let plural =
            |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match self.unit {
            StepUnit::Hours => plural(self.amount, "hour", "hours"),
            StepUnit::Days if self.amount.is_multiple_of(7) && self.amount < 28 => {
                plural(self.amount / 7, "week", "weeks")
            }
            StepUnit::Days => plural(self.amount, "day", "days"),
            StepUnit::Months if self.amount.is_multiple_of(12) => {
                plural(self.amount / 12, "year", "years")
            }
            StepUnit::Months => plural(self.amount, "month", "months"),
            StepUnit::Years => plural(self.amount, "year", "years"),
        }
    }

    /// The instant this milestone is reached on a clock started at `start`.
    pub fn reached_at(self, start: Timestamp, zone: &Zone) -> Timestamp {
        match zone.zoned(start).checked_add(self.span()) {
            Ok(at) => Timestamp(at.timestamp().as_millisecond()),
            Err(_) => Timestamp(i64::MAX),
        }
    }
}

/// The milestones a clock celebrates: a configurable list, then every year after its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneSchedule {
    steps: Vec<Milestone>,
}

/// The default schedule, as an admin would write it.
pub const DEFAULT_MILESTONES: &str = "24h, 7d, 30d, 60d, 90d, 6m, 9m, 1y, 18m";

impl Default for MilestoneSchedule {
    fn default() -> Self {
        MilestoneSchedule::parse(DEFAULT_MILESTONES).expect("the default schedule parses")
    }
}

impl MilestoneSchedule {
    /// Parses "24h, 7d, 30d, 6m, 1y": amounts with h (hours), d (days), m (months) or y (years),
    /// in increasing order.
    pub fn parse(text: &str) -> Result<MilestoneSchedule, String> {
        let mut steps = Vec::new();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (amount, unit) = item.split_at(item.len() - 1);
            let unit = match unit {
                "h" => StepUnit::Hours,
                "d" => StepUnit::Days,
                "m" => StepUnit::Months,
                "y" => StepUnit::Years,
                _ => return Err(format!("\"{item}\": end each milestone with h, d, m or y")),
            };
            let amount: u32 = amount
                .trim()
                .parse()
                .map_err(|_| format!("\"{item}\": start with a whole number"))?;
            if amount == 0 || amount > 1200 {
                return Err(format!("\"{item}\": use an amount from 1 to 1200"));
            }
            steps.push(Milestone { amount, unit });
        }
        if steps.is_empty() {
            return Err("List at least one milestone, for example 24h, 30d, 1y.".into());
        }
        if steps.windows(2).any(|pair| {
            pair[0].approximate_days() >= pair[1].approximate_days()
                && pair[0].unit != StepUnit::Hours
        }) {
            return Err("List the milestones from shortest to longest.".into());
        }
        Ok(MilestoneSchedule { steps })
    }

    /// The schedule as text, the way [`parse`](Self::parse) reads it.
    pub fn to_text(&self) -> String {
        let code = |m: &Milestone| match m.unit {
            StepUnit::Hours => 'h',
            StepUnit::Days => 'd',
            StepUnit::Months => 'm',
            StepUnit::Years => 'y',
        };
        self.steps
            .iter()
            .map(|m| format!("{}{}", m.amount, code(m)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The `n`th milestone (0-based): the listed ones, then one a year after the last.
    pub fn get(&self, n: usize) -> Milestone {
        match self.steps.get(n) {
            Some(step) => *step,
            None => {
                let last_years = self.steps.last().map_or(0, |m| m.approximate_days() / 365) as u32;
                let extra =
                    u32::try_from(n - self.steps.len()).unwrap_or(u32::MAX - last_years - 1);
                Milestone {
                    amount: last_years.saturating_add(1).saturating_add(extra),
                    unit: StepUnit::Years,
                }
            }
        }
    }

    /// How many milestones a clock started at `start` has reached by `now`.
    pub fn reached(&self, start: Timestamp, now: Timestamp, zone: &Zone) -> usize {
        let mut n = 0;
        while n < 1000 && self.get(n).reached_at(start, zone) <= now {
            n += 1;
        }
        n
    }

    /// The next milestone after `now`, with when it falls.
    pub fn next(&self, start: Timestamp, now: Timestamp, zone: &Zone) -> (Milestone, Timestamp) {
        let n = self.reached(start, now, zone);
        let milestone = self.get(n);
        (milestone, milestone.reached_at(start, zone))
    }
}

/// What a clock's history adds up to across attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct History {
    pub total_days: i64,
    pub longest_days: i64,
    pub attempts: usize,
}

/// Totals over earlier attempts (start, end) and the current one (start to `now`).
pub fn history(
    earlier: &[(Timestamp, Timestamp)],
    current: Timestamp,
    now: Timestamp,
    zone: &Zone,
) -> History {
    let days: Vec<i64> = earlier
        .iter()
        .map(|(start, end)| clean_time(*start, *end, zone).days)
        .chain(std::iter::once(clean_time(current, now, zone).days))
        .collect();
    History {
        total_days: days.iter().sum(),
        longest_days: days.iter().copied().max().unwrap_or(0),
        attempts: days.len(),
    }
}

/// Why a clock's details were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("Give the clock a name of 1 to 40 characters, for example \"alcohol\".")]
    BadLabel,
    #[error("Enter an amount like 12.50 (up to 100000).")]
    BadMoney,
    #[error("Enter whole minutes from 0 to 1440.")]
    BadMinutes,
    #[error("Keep the note under 2000 characters.")]
    NoteTooLong,
}

/// A clock's name: 1–40 characters, no control characters.
pub fn parse_label(text: &str) -> Result<String, ClockError> {
    let label = text.trim();
    let count = label.chars().count();
    if count == 0 || count > 40 || label.chars().any(char::is_control) {
        return Err(ClockError::BadLabel);
    }
    Ok(label.to_owned())
}

/// Money saved per day, "12.50" → 1250 cents; blank is none.
pub fn parse_money(text: &str) -> Result<Option<i64>, ClockError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 6
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return Err(ClockError::BadMoney);
    }
    let whole: i64 = whole.parse().map_err(|_| ClockError::BadMoney)?;
    let cents: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| ClockError::BadMoney)?;
    let total = whole * 100 + cents;
    if total > 10_000_000 {
        Err(ClockError::BadMoney)
    } else {
        Ok(Some(total))
    }
}

/// Minutes saved per day; blank is none.
pub fn parse_minutes(text: &str) -> Result<Option<i64>, ClockError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(minutes) if (0..=1440).contains(&minutes) => Ok(Some(minutes)),
        _ => Err(ClockError::BadMinutes),
    }
}

/// An optional private note, up to 2000 characters.
pub fn parse_note(text: &str) -> Result<Option<String>, ClockError> {
    let note = text.trim();
    if note.chars().count() > 2000 {
        return Err(ClockError::NoteTooLong);
    }
    Ok((!note.is_empty()).then(|| note.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Date, Time};

    fn at(zone: &Zone, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        zone.instant(
            Date::new(y, mo, d).unwrap(),
            Time::new(h, mi, 0, 0).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_day_is_a_local_calendar_day_even_across_a_dst_change() {
        let new_york = Zone::parse("America/New_York").unwrap();
        // Clocks went forward at 02:00 on 2024-03-10: that day had 23 hours.
        let start = at(&new_york, 2024, 3, 9, 23, 30);
        let next_evening = at(&new_york, 2024, 3, 10, 23, 30);
        assert_eq!(next_evening.since(start).as_secs(), 23 * 3600);
        assert_eq!(
            clean_time(start, next_evening, &new_york),
            CleanTime { days: 1, hours: 0 }
        );
        let just_before = at(&new_york, 2024, 3, 10, 23, 29);
        assert_eq!(clean_time(start, just_before, &new_york).days, 0);
        assert_eq!(
            clean_time(start, at(&new_york, 2024, 4, 8, 23, 30), &new_york).days,
            30
        );
    }

    #[test]
    fn the_same_instant_counts_by_each_members_own_calendar() {
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        let utc = Zone::utc();
        let start = at(&utc, 2024, 1, 1, 12, 0);
        let now = at(&utc, 2024, 1, 2, 11, 0);
        assert_eq!(
            clean_time(start, now, &utc),
            CleanTime { days: 0, hours: 23 }
        );
        assert_eq!(
            clean_time(start, now, &tokyo),
            CleanTime { days: 0, hours: 23 }
        );
        assert_eq!(
            clean_time(now, start, &tokyo),
            CleanTime { days: 0, hours: 0 }
        );
    }

    #[test]
    fn the_default_milestones_run_from_24_hours_to_yearly() {
        let schedule = MilestoneSchedule::default();
        let labels: Vec<String> = (0..12).map(|n| schedule.get(n).label()).collect();
        assert_eq!(
            labels,
            [
                "24 hours",
                "1 week",
                "30 days",
                "60 days",
                "90 days",
                "6 months",
                "9 months",
                "1 year",
                "18 months",
                "2 years",
                "3 years",
                "4 years"
            ]
        );
    }

    #[test]
    fn milestones_fall_on_calendar_dates_in_the_members_zone() {
        let london = Zone::parse("Europe/London").unwrap();
        let schedule = MilestoneSchedule::default();
        let start = at(&london, 2024, 1, 31, 20, 0);
        assert_eq!(schedule.reached(start, start, &london), 0);
        let (next, when) = schedule.next(start, start, &london);
        assert_eq!(next.label(), "24 hours");
        assert_eq!(when, at(&london, 2024, 2, 1, 20, 0));
        let six_months = schedule.get(5).reached_at(start, &london);
        assert_eq!(
            six_months,
            at(&london, 2024, 7, 31, 20, 0),
            "across the spring DST change, still 20:00 local"
        );
        let later = at(&london, 2025, 3, 1, 0, 0);
        assert_eq!(
            schedule.reached(start, later, &london),
            8,
            "a year reached, 18 months not yet"
        );
        assert_eq!(schedule.next(start, later, &london).0.label(), "18 months");
    }

    #[test]
    fn admins_can_write_their_own_schedule_and_bad_ones_are_explained() {
        let custom = MilestoneSchedule::parse("1d, 3d, 2w").unwrap_err();
        assert!(custom.contains("h, d, m or y"), "{custom}");
        assert!(
            MilestoneSchedule::parse("30d, 7d")
                .unwrap_err()
                .contains("shortest to longest")
        );
        assert!(MilestoneSchedule::parse("").is_err());
        let schedule = MilestoneSchedule::parse("1d, 100d, 2y").unwrap();
        assert_eq!(schedule.get(3).label(), "3 years");
        assert_eq!(schedule.to_text(), "1d, 100d, 2y");
    }

    #[test]
    fn a_reset_keeps_the_total_and_the_longest_streak() {
        let utc = Zone::utc();
        let day = |d: i8| at(&utc, 2024, 1, d, 9, 0);
        let earlier = [(day(1), day(11)), (day(12), day(15))];
        let totals = history(&earlier, day(16), day(22), &utc);
        assert_eq!(
            totals,
            History {
                total_days: 10 + 3 + 6,
                longest_days: 10,
                attempts: 3
            }
        );
    }

    #[test]
    fn clock_details_are_parsed_with_clear_limits() {
        assert_eq!(parse_label("  alcohol "), Ok("alcohol".into()));
        assert_eq!(parse_label(""), Err(ClockError::BadLabel));
        assert_eq!(parse_label(&"x".repeat(41)), Err(ClockError::BadLabel));
        assert_eq!(parse_money("12.5"), Ok(Some(1250)));
        assert_eq!(parse_money("7"), Ok(Some(700)));
        assert_eq!(parse_money(""), Ok(None));
        assert_eq!(parse_money("-3"), Err(ClockError::BadMoney));
        assert_eq!(parse_money("1.234"), Err(ClockError::BadMoney));
        assert_eq!(parse_minutes("90"), Ok(Some(90)));
        assert_eq!(parse_minutes("2000"), Err(ClockError::BadMinutes));
        assert_eq!(parse_note(&"n".repeat(2001)), Err(ClockError::NoteTooLong));
    }
}
