//! A zone's VTIMEZONE (RFC 5545 §3.6.5): its recent offset changes one by one, and its current
//! yearly rule as RRULEs, so that a weekly meeting keeps its local time in every later year in
//! a calendar program that trusts our zone rather than its own.

use super::ics::{escape, local, offset, weekday_code};
use crate::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

/// How far ahead the zone's changes are read to find its yearly rule, and listed one by one
/// when they follow none.
const YEARS_AHEAD: i64 = 10;
const YEAR_SECONDS: i64 = 365 * 24 * 3600;

/// One change of offset, with the wall time it happens at (in the offset before it).
struct Change {
    at: jiff::Timestamp,
    wall: DateTime,
    from: i32,
    to: i32,
    daylight: bool,
    name: String,
}

/// A change that recurs every year: the same month, weekday, wall time and offsets, on a day
/// of the month the RRULE names (`BYDAY=2SU`, `BYDAY=-1SU`, or "the Sunday on or after the 2nd",
/// `BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=SU`).
struct Yearly {
    month: i8,
    days: String,
}

/// The VTIMEZONE for `tz`: the changes from a year before `around` listed one by one up to
/// `around`, then one sub-component with an open-ended RRULE for each change of the current rule.
/// A zone whose next ten years of changes follow no yearly rule (a few zones move theirs by
/// decree or by a lunar calendar) gets those ten years listed one by one instead.
pub(super) fn vtimezone(name: &str, tz: &TimeZone, around: Timestamp) -> Vec<String> {
    let now =
        jiff::Timestamp::from_second(around.millis() / 1000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let since = jiff::Timestamp::from_second(now.as_second() - YEAR_SECONDS)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let until = jiff::Timestamp::from_second(now.as_second() + YEARS_AHEAD * YEAR_SECONDS)
        .unwrap_or(jiff::Timestamp::MAX);
    let changes = changes(tz, since, until);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{name}")];
    let (past, ahead): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|change| change.at < now);
    match yearly_rules(&ahead) {
        Some(rules) => {
            for change in past {
                component(&mut lines, change, None);
            }
            for (first, rule) in rules {
                component(&mut lines, first, Some(&rule));
            }
        }
        None => {
            for change in &changes {
                component(&mut lines, change, None);
            }
        }
    }
    if changes.is_empty() {
        let fixed = offset(tz.to_offset(now).seconds());
        lines.push("BEGIN:STANDARD".into());
        lines.push("DTSTART:19700101T000000".into());
        lines.push(format!("TZOFFSETFROM:{fixed}"));
        lines.push(format!("TZOFFSETTO:{fixed}"));
        lines.push("END:STANDARD".into());
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

fn changes(tz: &TimeZone, since: jiff::Timestamp, until: jiff::Timestamp) -> Vec<Change> {
    let mut from = tz.to_offset(since).seconds();
    let mut changes = Vec::new();
    for transition in tz.following(since) {
        if transition.timestamp() > until {
            break;
        }
        let to = transition.offset().seconds();
        let before = TimeZone::fixed(Offset::from_seconds(from).unwrap_or(Offset::UTC));
        changes.push(Change {
            at: transition.timestamp(),
            wall: transition.timestamp().to_zoned(before).datetime(),
            from,
            to,
            daylight: transition.dst().is_dst(),
            name: transition.abbreviation().to_owned(),
        });
        from = to;
    }
    changes
}

/// The yearly rules the changes follow, each with its first change, or `None` when they follow
/// none: every change must belong to a rule that recurs in each year of the span.
fn yearly_rules<'c>(ahead: &[&'c Change]) -> Option<Vec<(&'c Change, Yearly)>> {
    let mut groups: Vec<Vec<&Change>> = Vec::new();
    for change in ahead {
        let same = |other: &&Change| {
            let (a, b) = (change.wall, other.wall);
            (a.month(), a.weekday(), a.time()) == (b.month(), b.weekday(), b.time())
                && (change.from, change.to, change.daylight)
                    == (other.from, other.to, other.daylight)
        };
        match groups.iter_mut().find(|group| same(&group[0])) {
            Some(group) => group.push(change),
            None => groups.push(vec![change]),
        }
    }
    let span = YEARS_AHEAD as usize - 1;
    let mut rules = Vec::new();
    for group in &groups {
        let years: Vec<i16> = group.iter().map(|change| change.wall.year()).collect();
        if years.len() < span || years.windows(2).any(|pair| pair[1] != pair[0] + 1) {
            return None;
        }
        let first = group[0].wall.date();
        let weekday = weekday_code(first.weekday());
        let days: Vec<i8> = group.iter().map(|change| change.wall.day()).collect();
        let (lowest, highest) = (*days.iter().min()?, *days.iter().max()?);
        let week = (lowest - 1) / 7;
        let last = group
            .iter()
            .all(|change| change.wall.day() + 7 > change.wall.date().days_in_month());
        let days = if (highest - 1) / 7 == week {
            format!("BYDAY={}{weekday}", week + 1)
        } else if last {
            format!("BYDAY=-1{weekday}")
        } else if highest - lowest <= 6 {
            let window: Vec<String> = (lowest..lowest + 7).map(|day| day.to_string()).collect();
            format!("BYMONTHDAY={};BYDAY={weekday}", window.join(","))
        } else {
            return None;
        };
        rules.push((
            group[0],
            Yearly {
                month: first.month(),
                days,
            },
        ));
    }
    (!rules.is_empty()).then_some(rules)
}

/// One STANDARD or DAYLIGHT sub-component: a single change, or the first of a yearly rule.
fn component(lines: &mut Vec<String>, change: &Change, rule: Option<&Yearly>) {
    let kind = if change.daylight {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    lines.push(format!("BEGIN:{kind}"));
    lines.push(format!(
        "DTSTART:{}",
        local(change.wall.date(), change.wall.time())
    ));
    if let Some(rule) = rule {
        lines.push(format!(
            "RRULE:FREQ=YEARLY;BYMONTH={};{}",
            rule.month, rule.days
        ));
    }
    lines.push(format!("TZOFFSETFROM:{}", offset(change.from)));
    lines.push(format!("TZOFFSETTO:{}", offset(change.to)));
    lines.push(format!("TZNAME:{}", escape(&change.name)));
    lines.push(format!("END:{kind}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Date, Weekday};

    fn around(year: i16) -> Timestamp {
        crate::local::Zone::parse("UTC")
            .unwrap()
            .start_of(Date::new(year, 6, 1).unwrap())
    }

    /// The offset the zone itself has at a wall time, as a VTIMEZONE writes it.
    fn real_offset(tz: &TimeZone, wall: DateTime) -> String {
        let zoned = tz.to_ambiguous_zoned(wall).compatible().unwrap();
        offset(zoned.offset().seconds())
    }

    /// The offset the VTIMEZONE says applies at `at`, expanding its RRULEs by hand (an
    /// independent reading of the text, not of the rules above).
    fn offset_in(text: &[String], at: DateTime) -> String {
        let mut best: Option<(DateTime, String)> = None;
        let mut blocks = text
            .split(|line| line.starts_with("BEGIN:STANDARD") || line.starts_with("BEGIN:DAYLIGHT"));
        blocks.next();
        for block in blocks {
            let field = |name: &str| {
                block
                    .iter()
                    .find_map(|line| line.strip_prefix(name))
                    .map(str::to_owned)
            };
            let start = DateTime::strptime("%Y%m%dT%H%M%S", field("DTSTART:").unwrap()).unwrap();
            let to = field("TZOFFSETTO:").unwrap();
            let mut starts = vec![start];
            if let Some(rule) = field("RRULE:") {
                let part = |key: &str| {
                    rule.split(';')
                        .find_map(|p| p.strip_prefix(key))
                        .map(str::to_owned)
                };
                let month: i8 = part("BYMONTH=").unwrap().parse().unwrap();
                let byday = part("BYDAY=").unwrap();
                let (nth, day) = byday.split_at(byday.len() - 2);
                let weekday = (1..=7)
                    .map(|n| Weekday::from_monday_one_offset(n).unwrap())
                    .find(|w| weekday_code(*w) == day)
                    .unwrap();
                let monthdays: Option<Vec<i8>> = part("BYMONTHDAY=")
                    .map(|list| list.split(',').map(|d| d.parse().unwrap()).collect());
                for year in start.year() + 1..=at.year() {
                    let first = Date::new(year, month, 1).unwrap();
                    let date = match &monthdays {
                        Some(days) => days
                            .iter()
                            .map(|d| first.with().day(*d).build().unwrap())
                            .find(|d| d.weekday() == weekday)
                            .unwrap(),
                        None => first
                            .nth_weekday_of_month(nth.parse().unwrap(), weekday)
                            .unwrap(),
                    };
                    starts.push(date.to_datetime(start.time()));
                }
            }
            for start in starts {
                if start <= at && best.as_ref().is_none_or(|(b, _)| start > *b) {
                    best = Some((start, to.clone()));
                }
            }
        }
        best.map(|(_, to)| to).unwrap_or_default()
    }

    #[test]
    fn a_zone_with_a_yearly_rule_keeps_it_open_ended_and_is_right_in_any_later_year() {
        for name in [
            "America/Chicago",
            "Europe/Berlin",
            "Australia/Sydney",
            "America/Santiago",
            "Pacific/Auckland",
        ] {
            let tz = TimeZone::get(name).unwrap();
            let text = vtimezone(name, &tz, around(2026));
            assert_eq!(
                text.iter().filter(|l| l.starts_with("RRULE:")).count(),
                2,
                "{name}: {text:#?}"
            );
            assert!(
                !text.iter().any(|l| l.starts_with("DTSTART:2028")),
                "{name} listed changes past the rule"
            );
            // Every Tuesday at 19:00 until 2060: the offset the VTIMEZONE gives is the zone's own.
            let mut day = Date::new(2026, 6, 2).unwrap();
            while day.year() < 2060 {
                let wall = day.to_datetime(jiff::civil::time(19, 0, 0, 0));
                assert_eq!(
                    offset_in(&text, wall),
                    real_offset(&tz, wall),
                    "{name} on {day}"
                );
                day = day.checked_add(jiff::Span::new().days(7)).unwrap();
            }
        }
    }

    #[test]
    fn the_last_weekday_of_a_month_is_a_rule_of_its_own() {
        let tz = TimeZone::get("Europe/London").unwrap();
        let text = vtimezone("Europe/London", &tz, around(2026));
        assert!(
            text.contains(&"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU".to_owned()),
            "{text:#?}"
        );
        assert!(
            text.contains(&"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".to_owned()),
            "{text:#?}"
        );
        let us = vtimezone(
            "America/New_York",
            &TimeZone::get("America/New_York").unwrap(),
            around(2026),
        );
        assert!(
            us.contains(&"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU".to_owned()),
            "{us:#?}"
        );
        assert!(
            us.contains(&"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU".to_owned()),
            "{us:#?}"
        );
    }

    #[test]
    fn zones_without_changes_or_rules_are_still_complete() {
        let tokyo = vtimezone(
            "Asia/Tokyo",
            &TimeZone::get("Asia/Tokyo").unwrap(),
            around(2026),
        );
        assert!(tokyo.contains(&"TZOFFSETTO:+0900".to_owned()), "{tokyo:#?}");
        assert!(!tokyo.iter().any(|l| l.starts_with("RRULE:")));
        // Morocco's changes follow Ramadan: no yearly rule, so ten years listed one by one, each
        // matching the zone.
        let tz = TimeZone::get("Africa/Casablanca").unwrap();
        let text = vtimezone("Africa/Casablanca", &tz, around(2026));
        assert!(!text.iter().any(|l| l.starts_with("RRULE:")), "{text:#?}");
        let wall = DateTime::new(2034, 6, 1, 12, 0, 0, 0).unwrap();
        assert_eq!(offset_in(&text, wall), real_offset(&tz, wall));
    }
}
