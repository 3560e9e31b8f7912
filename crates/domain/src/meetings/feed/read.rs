//! Reading one row of a real-world Meeting Guide feed, as forgivingly as the plugin's importer
//! and never silently wrong: day as a number, a name (English or Spanish) or a list, 12-hour
//! times, types as a list or a comma-separated string, numbers as strings, a missing end time or
//! zone, either address style, numeric slugs, the retired `ONL` type, unknown fields kept.

use super::{KNOWN, MEETING_SLUG};
use crate::Timestamp;
use crate::local::Zone;
use crate::meetings::catalog::{LEGACY_ONLINE_TYPE, Mode};
use crate::meetings::geo::Point;
use crate::meetings::listing::{Listing, Status, weekday};
use crate::meetings::{Recurrence, Schedule};
use jiff::civil::{Time, Weekday};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One feed row, read.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedMeeting {
    pub listing: Listing,
    /// The group's name, when the row names one.
    pub group: Option<String>,
    pub group_notes: String,
    /// The meeting's page on the source site.
    pub url: String,
    pub updated: Option<Timestamp>,
    /// Fields this format reader does not use, kept so a re-export does not lose them.
    pub extra: Map<String, Value>,
    /// The row named no zone and was given the default one.
    pub zone_defaulted: bool,
    /// The programme code the row names ([`super::PROGRAM`]), as given.
    pub program: Option<String>,
}

/// Why a row was refused, with the row's slug when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub slug: Option<String>,
    pub reason: String,
}

/// A field's value as text: "" when absent or neither text, a number nor a yes/no.
pub(super) fn text_of(value: Option<&Value>) -> String {
    value.and_then(string).unwrap_or_default()
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if !s.trim().is_empty() => s.trim().parse().ok(),
        _ => None,
    }
}

/// The days in English and Spanish, Sunday first, without accents.
const DAY_NAMES: [[&str; 2]; 7] = [
    ["sunday", "domingo"],
    ["monday", "lunes"],
    ["tuesday", "martes"],
    ["wednesday", "miercoles"],
    ["thursday", "jueves"],
    ["friday", "viernes"],
    ["saturday", "sabado"],
];

/// A day as feeds write it: 0 to 6 from Sunday, as a number or text, or its name in English or
/// Spanish, whole or from its first three letters ("Tue", "miércoles", "SÁB").
fn day_of(value: &Value) -> Option<Weekday> {
    if let Some(n) = number(value) {
        return weekday(n as i64).filter(|_| n.fract() == 0.0);
    }
    let name: String = value
        .as_str()?
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            other => other,
        })
        .collect();
    let name = name.trim_end_matches('.');
    let matches = |full: &str| full == name || (name.len() >= 3 && full.starts_with(name));
    DAY_NAMES
        .iter()
        .position(|names| names.iter().any(|full| matches(full)))
        .and_then(|at| weekday(at as i64))
}

/// A time as feeds write it: "19:00", "19:00:00", "7:00 PM", "7pm", "7.30 p.m.", "12 AM".
/// Seconds other than :00 are refused rather than dropped.
fn clock_of(text: &str) -> Option<Time> {
    let compact: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (body, afternoon) = [
        ("p.m.", Some(true)),
        ("a.m.", Some(false)),
        ("pm", Some(true)),
        ("am", Some(false)),
    ]
    .iter()
    .find_map(|(suffix, afternoon)| compact.strip_suffix(suffix).map(|body| (body, *afternoon)))
    .unwrap_or((compact.as_str(), None));
    let mut parts = body.split([':', '.']);
    let digits = |part: &str, widths: std::ops::RangeInclusive<usize>| {
        (widths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i8>().ok())
            .flatten()
    };
    let hours = digits(parts.next()?, 1..=2)?;
    let minutes = match parts.next() {
        Some(part) => digits(part, 2..=2)?,
        // "7pm" names its hour; a bare "7" could be morning or evening.
        None if afternoon.is_some() => 0,
        None => return None,
    };
    if parts.next().is_some_and(|seconds| seconds != "00") || parts.next().is_some() {
        return None;
    }
    let hours = match afternoon {
        None => hours,
        Some(_) if !(1..=12).contains(&hours) => return None,
        Some(false) => hours % 12,
        Some(true) => hours % 12 + 12,
    };
    Time::new(hours, minutes, 0, 0).ok()
}

/// Reads one row. `default_zone` is used when the row has no `timezone`; without one, such a
/// row is refused (never put in UTC by accident).
pub fn read_row(row: &Value, default_zone: Option<&Zone>) -> Result<FeedMeeting, RowError> {
    let object = row.as_object().ok_or_else(|| RowError {
        slug: None,
        reason: "this row is not a JSON object".into(),
    })?;
    let slug = object
        .get("slug")
        .and_then(string)
        .filter(|s| !s.is_empty());
    let fail = |reason: String| RowError {
        slug: slug.clone(),
        reason,
    };
    let text = |key: &str| -> Result<String, RowError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(value) => string(value)
                .ok_or_else(|| fail(format!("\"{key}\" should be text")))
                .and_then(|s| {
                    if s.chars().count() > 4000 {
                        Err(fail(format!("\"{key}\" is longer than 4000 characters")))
                    } else {
                        Ok(s)
                    }
                }),
        }
    };
    let Some(slug) = slug.clone() else {
        return Err(fail(
            "it has no slug (every meeting needs a unique slug)".into(),
        ));
    };
    if slug.chars().count() > 255 {
        return Err(fail("the slug is longer than 255 characters".into()));
    }
    let name = text("name")?;
    if name.is_empty() {
        return Err(fail("it has no name".into()));
    }
    if name.chars().count() > 255 {
        return Err(fail("the name is longer than 255 characters".into()));
    }
    let day_error = || {
        fail(
            "\"day\" should be 0 (Sunday) to 6 (Saturday) or a day's name, as one or a list".into(),
        )
    };
    // No day means by appointment, as the format has it: any time given is then meaningless.
    let days: Option<Vec<Weekday>> = match object.get("day") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items.iter().map(day_of).collect::<Option<Vec<_>>>()),
        // "1,3" or "Monday, Wednesday" as one text.
        Some(Value::String(list)) if list.trim().is_empty() => None,
        Some(Value::String(list)) => Some(
            list.split(',')
                .map(|day| day_of(&Value::String(day.into())))
                .collect::<Option<Vec<_>>>(),
        ),
        Some(value) => Some(day_of(value).map(|day| vec![day])),
    }
    .map(|days| days.filter(|days| !days.is_empty()).ok_or_else(day_error))
    .transpose()?;
    let clock = |key: &str| -> Result<Option<Time>, RowError> {
        let value = text(key)?;
        if value.is_empty() {
            return Ok(None);
        }
        clock_of(&value).map(Some).ok_or_else(|| {
            fail(format!(
                "\"{key}\" should be a time such as 19:00 or 7:00 PM, not \"{value}\""
            ))
        })
    };
    let (start, end, recurrence) = match days {
        None => (
            Time::midnight(),
            Time::midnight(),
            Recurrence::ByAppointment,
        ),
        Some(days) => {
            let start = clock("time")?.ok_or_else(|| {
                fail(
                    "it has a day but no time (leave both out for a meeting by appointment)".into(),
                )
            })?;
            let end = match clock("end_time")? {
                Some(end) => end,
                None => start.wrapping_add(jiff::SignedDuration::from_mins(60)),
            };
            (start, end, Recurrence::Weekly(days))
        }
    };
    let zone_defaulted = text("timezone")?.is_empty();
    let zone = match text("timezone")? {
        name if name.is_empty() => default_zone.cloned().ok_or_else(|| {
            fail(
                "it names no time zone, and neither its area nor the import gives one: choose \
                 the import's zone (or give its area one)"
                    .into(),
            )
        })?,
        name => Zone::parse(&name)
            .map_err(|_| fail(format!("\"{name}\" is not a time zone name we know")))?,
    };
    Schedule::new(zone.clone(), start, end, recurrence.clone()).map_err(|e| fail(e.to_string()))?;
    let point = match (object.get("latitude"), object.get("longitude")) {
        (None | Some(Value::Null), None | Some(Value::Null)) => None,
        (lat, lng) => {
            let lat = lat
                .and_then(number)
                .ok_or_else(|| fail("\"latitude\" should be a number".into()))?;
            let lng = lng
                .and_then(number)
                .ok_or_else(|| fail("\"longitude\" should be a number".into()))?;
            Some(Point::new(lat, lng).map_err(|e| fail(e.to_string()))?)
        }
    };
    let approximate = match text("approximate")?.to_ascii_lowercase().as_str() {
        "" => None,
        "yes" | "true" | "1" => Some(true),
        "no" | "false" | "0" => Some(false),
        other => {
            return Err(fail(format!(
                "\"approximate\" should be \"yes\" or \"no\", not \"{other}\""
            )));
        }
    };
    let mut legacy_online = false;
    let mut types: Vec<String> = Vec::new();
    match object.get("types") {
        None | Some(Value::Null) => {}
        Some(listed @ (Value::Array(_) | Value::String(_))) => {
            // A list, or one text of codes separated by commas ("O,D").
            let items: Vec<Value> = match listed {
                Value::String(codes) => codes.split(',').map(|c| Value::String(c.into())).collect(),
                other => other.as_array().cloned().unwrap_or_default(),
            };
            for item in &items {
                let code = string(item)
                    .ok_or_else(|| fail("\"types\" should be a list of codes".into()))?;
                if code == LEGACY_ONLINE_TYPE {
                    legacy_online = true;
                } else if !code.is_empty() && !types.contains(&code) {
                    if code.chars().count() > 20 {
                        return Err(fail(format!(
                            "type code \"{}…\" is too long",
                            code.chars().take(20).collect::<String>()
                        )));
                    }
                    types.push(code);
                }
            }
        }
        Some(_) => return Err(fail("\"types\" should be a list of codes".into())),
    }
    let regions = match object.get("regions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(string)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| fail("\"regions\" should be a list of names".into()))?,
        Some(_) => return Err(fail("\"regions\" should be a list of names".into())),
    };
    let updated = match text("updated")? {
        u if u.is_empty() => None,
        u => Some(parse_updated(&u).ok_or_else(|| {
            fail(format!(
                "\"updated\" should be YYYY-MM-DD HH:MM:SS, not \"{u}\""
            ))
        })?),
    };
    let mut listing = Listing {
        slug,
        name,
        zone: zone.name().to_owned(),
        start,
        end,
        recurrence,
        cancelled: BTreeSet::new(),
        mode: Mode::InPerson,
        status: Status::Active,
        location: text("location")?,
        location_notes: text("location_notes")?,
        formatted_address: text("formatted_address")?,
        address: text("address")?,
        city: text("city")?,
        state: text("state")?,
        postal_code: text("postal_code")?,
        country: text("country")?,
        region: text("region")?,
        sub_region: text("sub_region")?,
        district: text("district")?,
        regions,
        point,
        approximate,
        conference_url: text("conference_url")?,
        conference_url_notes: text("conference_url_notes")?,
        conference_phone: text("conference_phone")?,
        conference_phone_notes: text("conference_phone_notes")?,
        types,
        notes: text("notes")?,
    };
    listing.mode = infer_mode(&listing, legacy_online);
    let extra: Map<String, Value> = object
        .iter()
        .filter(|(key, _)| !KNOWN.contains(&key.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let group = Some(text("group")?).filter(|g| !g.is_empty());
    Ok(FeedMeeting {
        zone_defaulted,
        program: Some(text(super::PROGRAM)?.to_uppercase()).filter(|p| !p.is_empty()),
        group,
        group_notes: text("group_notes")?,
        url: text("url")?,
        updated,
        extra,
        listing,
    })
}

/// How people attend, as Meeting Guide consumers infer it: online with a join link (or the
/// retired `ONL` type), by phone with a phone number, in person at an exact address whose
/// location is not temporarily closed (`TC`).
fn infer_mode(listing: &Listing, legacy_online: bool) -> Mode {
    let online = !listing.conference_url.is_empty() || legacy_online;
    let phone = !listing.conference_phone.is_empty();
    let has_address = !listing.address_line().is_empty();
    let approximate = listing.approximate.unwrap_or_else(|| {
        // TSML UI: a formatted address with fewer than four parts is only an area.
        !listing.formatted_address.is_empty() && listing.formatted_address.split(',').count() < 4
    });
    let in_person = has_address && !approximate && !listing.types.iter().any(|t| t == "TC");
    match (in_person, online, phone) {
        (true, true, _) | (true, false, true) => Mode::Hybrid,
        (true, false, false) => Mode::InPerson,
        (false, true, _) => Mode::Online,
        (false, false, true) => Mode::Phone,
        (false, false, false) => Mode::InPerson,
    }
}

/// Parses Meeting Guide's `updated` ("YYYY-MM-DD HH:MM:SS", UTC).
fn parse_updated(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.trim().replace('T', " ").parse().ok()?;
    let at = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(Timestamp(at.as_millisecond()))
}

/// A feed's rows with those split by day from one meeting ([`MEETING_SLUG`]) joined again under
/// the meeting's slug, each at the place of its first row. Other rows pass as they are.
pub fn merge_split_rows(rows: Vec<Value>) -> Vec<Value> {
    let mut merged: Vec<Value> = Vec::with_capacity(rows.len());
    let mut first_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for mut row in rows {
        let Some(object) = row.as_object_mut() else {
            merged.push(row);
            continue;
        };
        let Some(Value::String(slug)) = object.remove(MEETING_SLUG) else {
            merged.push(row);
            continue;
        };
        let day = object.remove("day").unwrap_or(Value::Null);
        match first_of.get(&slug) {
            Some(&at) => {
                if let Some(Value::Array(days)) = merged[at].get_mut("day") {
                    days.push(day);
                }
            }
            None => {
                object.insert("slug".into(), Value::String(slug.clone()));
                object.insert("day".into(), Value::Array(vec![day]));
                first_of.insert(slug, merged.len());
                merged.push(row);
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(row: Value) -> Result<FeedMeeting, RowError> {
        read_row(&row, Some(&Zone::parse("America/Chicago").unwrap()))
    }

    #[test]
    fn days_times_and_types_are_read_in_the_shapes_real_feeds_use() {
        let days = |day: Value| {
            read(json!({"slug": "s", "name": "N", "day": day, "time": "19:00"}))
                .map(|row| row.listing.recurrence.weekdays())
        };
        use Weekday::*;
        for (day, expected) in [
            (json!(2), vec![Tuesday]),
            (json!("2"), vec![Tuesday]),
            (json!("Tuesday"), vec![Tuesday]),
            (json!("tue"), vec![Tuesday]),
            (json!("Tues."), vec![Tuesday]),
            (json!("martes"), vec![Tuesday]),
            (json!("Miércoles"), vec![Wednesday]),
            (json!("SÁB"), vec![Saturday]),
            (json!(["Domingo", 6]), vec![Sunday, Saturday]),
            (json!("1,3"), vec![Monday, Wednesday]),
            (json!("Monday, Thursday"), vec![Monday, Thursday]),
        ] {
            assert_eq!(days(day.clone()), Ok(expected), "{day}");
        }
        for day in [
            json!("T"),
            json!("Someday"),
            json!(7),
            json!(1.5),
            json!([]),
            json!("mo"),
        ] {
            assert!(
                days(day.clone()).unwrap_err().reason.contains("day's name"),
                "{day}"
            );
        }
        let time = |text: &str| clock_of(text).map(|t| (t.hour(), t.minute()));
        for (text, expected) in [
            ("19:00", (19, 0)),
            ("07:30", (7, 30)),
            ("19:00:00", (19, 0)),
            ("7:00 PM", (19, 0)),
            ("7pm", (19, 0)),
            ("7.30 p.m.", (19, 30)),
            ("12 AM", (0, 0)),
            ("12:15 pm", (12, 15)),
            ("6:45am", (6, 45)),
        ] {
            assert_eq!(time(text), Some(expected), "{text}");
        }
        for text in [
            "7",
            "13 PM",
            "0 am",
            "19:00:30",
            "25:00",
            "7:5 pm",
            "noon",
            "19:00:00:00",
        ] {
            assert_eq!(time(text), None, "{text}");
        }
        let types =
            read(json!({"slug": "s", "name": "N", "day": 1, "time": "7 PM", "types": "O, D,ONL"}))
                .unwrap();
        assert_eq!(
            types.listing.types,
            ["O", "D"],
            "codes as one text, ONL only a hint"
        );
        assert_eq!(types.listing.start, Time::new(19, 0, 0, 0).unwrap());
    }

    #[test]
    fn real_feeds_are_read_tolerantly() {
        let row = read(
            json!({"slug": 42, "name": "Early Birds", "day": "2", "time": "07:00:00",
            "address": "1 Main St", "city": "Evanston", "types": ["ONL", "O"]}),
        )
        .unwrap();
        assert_eq!(row.listing.slug, "42");
        assert_eq!(row.listing.zone, "America/Chicago", "the default zone");
        assert_eq!(
            row.listing.end,
            Time::new(8, 0, 0, 0).unwrap(),
            "an hour by default"
        );
        assert_eq!(row.listing.types, ["O"], "ONL is only a hint");
        assert_eq!(
            row.listing.mode,
            Mode::Hybrid,
            "in person, and online by the hint"
        );
        let online = read(
            json!({"slug": "x", "name": "N", "day": 0, "time": "23:30", "end_time": "00:30",
            "formatted_address": "Chicago, IL", "conference_url": "https://meet.example/x"}),
        )
        .unwrap();
        assert_eq!(
            online.listing.mode,
            Mode::Online,
            "an approximate address is only an area"
        );
    }

    #[test]
    fn bad_rows_say_why_with_their_slug() {
        let reason = |row: Value| read(row).unwrap_err();
        assert_eq!(reason(json!([])).slug, None);
        let no_time = reason(json!({"slug": "a", "name": "N", "day": 2}));
        assert_eq!(no_time.slug.as_deref(), Some("a"));
        assert!(no_time.reason.contains("a day but no time"));
        assert!(
            reason(json!({"slug": "a", "name": "N", "day": 7, "time": "19:00"}))
                .reason
                .contains("0 (Sunday)")
        );
        assert!(
            reason(json!({"slug": "a", "name": "N", "day": 1, "time": "25:00"}))
                .reason
                .contains("such as 19:00 or 7:00 PM")
        );
        assert!(reason(json!({"slug": "a", "name": "N", "day": 1, "time": "19:00", "timezone": "Nowhere/Land"})).reason.contains("time zone"));
        assert!(reason(json!({"slug": "a", "name": "N", "day": 1, "time": "19:00", "latitude": 200, "longitude": 1})).reason.contains("Latitude"));
        assert!(
            reason(json!({"name": "N", "day": 1, "time": "19:00"}))
                .reason
                .contains("slug")
        );
    }
}
