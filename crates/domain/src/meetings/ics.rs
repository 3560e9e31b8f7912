//! iCalendar (RFC 5545) output for meetings: one VEVENT per meeting with its recurrence rule,
//! cancelled dates and zone, and a VTIMEZONE for every zone used, folded and escaped as the
//! standard requires.

use super::{Recurrence, Schedule};
use crate::Timestamp;
use jiff::civil::{Date, Time};
use std::collections::BTreeMap;

/// One meeting for the calendar.
pub struct CalendarEvent<'a> {
    /// Stable across downloads, so calendar programs update instead of duplicating.
    pub uid: String,
    pub summary: &'a str,
    pub schedule: &'a Schedule,
    pub location: String,
    pub description: String,
    pub url: String,
}

/// A calendar being written.
pub struct Calendar {
    name: String,
    events: Vec<String>,
    zones: BTreeMap<String, jiff::tz::TimeZone>,
    stamp: String,
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub(super) fn local(date: Date, time: Time) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute()
    )
}

fn utc(at: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(at.millis())
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| "19700101T000000Z".into())
}

/// A weekday as iCalendar writes it in `BYDAY`.
pub fn weekday_code(day: jiff::civil::Weekday) -> &'static str {
    use jiff::civil::Weekday;
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

pub(super) fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

impl Calendar {
    pub fn new(name: &str, now: Timestamp) -> Calendar {
        Calendar {
            name: name.to_owned(),
            events: Vec::new(),
            zones: BTreeMap::new(),
            stamp: utc(now),
        }
    }

    /// Adds a meeting. `from` picks the first occurrence shown (the series starts there).
    pub fn add(&mut self, event: &CalendarEvent<'_>, from: Timestamp) {
        let schedule = event.schedule;
        let zone = schedule.zone.name().to_owned();
        self.zones
            .entry(zone.clone())
            .or_insert_with(|| schedule.zone.tz().clone());
        let first = match &schedule.recurrence {
            Recurrence::Once(date) => Some(*date),
            _ => schedule
                .next(from)
                .map(|o| o.date)
                .or_else(|| schedule.between(from, from).first().map(|o| o.date)),
        };
        let Some(first) = first else { return };
        let end_date = if schedule.end <= schedule.start {
            first.tomorrow().unwrap_or(first)
        } else {
            first
        };
        let mut lines = vec![
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", event.uid),
            format!("DTSTAMP:{}", self.stamp),
            format!("DTSTART;TZID={zone}:{}", local(first, schedule.start)),
            format!("DTEND;TZID={zone}:{}", local(end_date, schedule.end)),
        ];
        if let Some(rule) = schedule.rrule() {
            lines.push(format!("RRULE:{rule}"));
        }
        for date in &schedule.cancelled {
            lines.push(format!(
                "EXDATE;TZID={zone}:{}",
                local(*date, schedule.start)
            ));
        }
        lines.push(format!("SUMMARY:{}", escape(event.summary)));
        if !event.location.is_empty() {
            lines.push(format!("LOCATION:{}", escape(&event.location)));
        }
        if !event.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&event.description)));
        }
        if !event.url.is_empty() {
            lines.push(format!("URL:{}", event.url));
        }
        lines.push("END:VEVENT".into());
        self.events.push(lines.join("\n"));
    }

    /// The finished calendar text (CRLF line endings, folded).
    pub fn finish(self, around: Timestamp) -> String {
        let mut out = String::new();
        let mut push = |line: &str| fold(line, &mut out);
        push("BEGIN:VCALENDAR");
        push("VERSION:2.0");
        push("PRODID:-//Mutual//Meetings//EN");
        push("CALSCALE:GREGORIAN");
        push(&format!("X-WR-CALNAME:{}", escape(&self.name)));
        for (name, tz) in &self.zones {
            for line in super::zone_rules::vtimezone(name, tz, around) {
                push(&line);
            }
        }
        for event in &self.events {
            for line in event.split('\n') {
                push(line);
            }
        }
        push("END:VCALENDAR");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Zone;
    use jiff::civil::Weekday;

    #[test]
    fn lines_are_folded_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(60))
        );
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn a_weekly_meeting_has_its_rule_zone_and_cancellations() {
        let zone = Zone::parse("America/Chicago").unwrap();
        let mut schedule = Schedule::new(
            zone.clone(),
            Time::new(19, 0, 0, 0).unwrap(),
            Time::new(20, 0, 0, 0).unwrap(),
            Recurrence::Weekly(vec![Weekday::Tuesday]),
        )
        .unwrap();
        schedule.cancelled.insert(Date::new(2026, 12, 29).unwrap());
        let now = zone.start_of(Date::new(2026, 11, 21).unwrap());
        let mut calendar = Calendar::new("Meetings", now);
        calendar.add(
            &CalendarEvent {
                uid: "m1@example.org".into(),
                summary: "Hope, Tuesday",
                schedule: &schedule,
                location: "1 Main St, Chicago".into(),
                description: String::new(),
                url: String::new(),
            },
            now,
        );
        let text = calendar.finish(now);
        assert!(text.contains("DTSTART;TZID=America/Chicago:20261124T190000\r\n"));
        assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU\r\n"));
        assert!(text.contains("EXDATE;TZID=America/Chicago:20261229T190000\r\n"));
        assert!(text.contains("LOCATION:1 Main St\\, Chicago\r\n"));
        assert!(text.contains("TZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500"));
    }
}
