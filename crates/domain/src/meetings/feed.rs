//! The Meeting Guide JSON format, both ways: reading one row of a real-world feed tolerantly
//! (day as a number or a list, missing end time or zone, either address style, numeric slugs,
//! the retired `ONL` type, unknown fields kept), and writing a listing back as a feed object.

use super::catalog::{LEGACY_ONLINE_TYPE, Mode};
use super::geo::Point;
use super::listing::{Listing, Status, day_number, weekday};
use super::{Recurrence, Schedule};
use crate::Timestamp;
use crate::local::{Zone, parse_time};
use jiff::civil::{Time, Weekday};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The fields this module reads; anything else in a row is kept as it came.
const KNOWN: &[&str] = &[
    "slug",
    "name",
    "day",
    "time",
    "end_time",
    "timezone",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "approximate",
    "region",
    "sub_region",
    "regions",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "notes",
    "location",
    "location_notes",
    "group",
    "group_notes",
    "updated",
    "url",
    MEETING_SLUG,
];

/// Our own field on the rows of a meeting held on several days: the feed gives it one row per
/// day (TSML UI, the reference web client, shows nothing of a feed with a list in `day`), each
/// with the slug `{slug}-{day}` and the meeting's own slug here, so an import of the feed puts
/// the days back together ([`merge_split_rows`]).
pub const MEETING_SLUG: &str = "meeting_slug";

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
}

/// Why a row was refused, with the row's slug when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub slug: Option<String>,
    pub reason: String,
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

/// Reads one row. `default_zone` is used when the row has no `timezone`.
pub fn read_row(row: &Value, default_zone: &Zone) -> Result<FeedMeeting, RowError> {
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
    let days: Vec<Weekday> = match object.get("day") {
        None | Some(Value::Null) => {
            return Err(fail(
                "it has no day (meetings by appointment cannot be scheduled here)".into(),
            ));
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|d| number(d).and_then(|n| weekday(n as i64).filter(|_| n.fract() == 0.0)))
            .collect::<Option<Vec<_>>>()
            .filter(|days| !days.is_empty())
            .ok_or_else(|| fail("\"day\" should be 0 (Sunday) to 6 (Saturday)".into()))?,
        Some(value) => vec![
            number(value)
                .filter(|n| n.fract() == 0.0)
                .and_then(|n| weekday(n as i64))
                .ok_or_else(|| fail("\"day\" should be 0 (Sunday) to 6 (Saturday)".into()))?,
        ],
    };
    let clock = |key: &str| -> Result<Option<Time>, RowError> {
        let value = text(key)?;
        if value.is_empty() {
            return Ok(None);
        }
        // Some feeds write seconds ("19:00:00").
        let short = if value.len() == 8 && value.ends_with(":00") {
            &value[..5]
        } else {
            value.as_str()
        };
        parse_time(short)
            .map(Some)
            .map_err(|_| fail(format!("\"{key}\" should be HH:MM, not \"{value}\"")))
    };
    let start = clock("time")?.ok_or_else(|| fail("it has no time".into()))?;
    let end = match clock("end_time")? {
        Some(end) => end,
        None => start.wrapping_add(jiff::SignedDuration::from_mins(60)),
    };
    let zone = match text("timezone")? {
        name if name.is_empty() => default_zone.clone(),
        name => Zone::parse(&name)
            .map_err(|_| fail(format!("\"{name}\" is not a time zone name we know")))?,
    };
    let recurrence = Recurrence::Weekly(days);
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
        Some(Value::Array(items)) => {
            for item in items {
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

/// Formats a time as Meeting Guide's `updated`.
pub fn format_updated(at: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(at.millis())
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// What a feed row needs beyond the listing.
pub struct FeedExtras<'a> {
    pub group: Option<&'a str>,
    pub group_notes: &'a str,
    pub url: &'a str,
    /// `None` leaves `updated` out (for the stored part of a row; see [`with_group`]).
    pub updated: Option<Timestamp>,
    pub extra: &'a Map<String, Value>,
}

/// A row's fields that belong to the meeting alone, as a JSON object: what storage keeps with
/// each meeting so the feed is written without re-reading every column.
pub fn meeting_part(listing: &Listing, extra: &Map<String, Value>) -> Option<String> {
    let extras = FeedExtras {
        group: None,
        group_notes: "",
        url: "",
        updated: None,
        extra,
    };
    write_row(listing, &extras).and_then(|row| serde_json::to_string(&row).ok())
}

/// What completes a stored [`meeting_part`] into feed rows.
pub struct Completion<'a> {
    pub group: Option<&'a str>,
    pub group_notes: &'a str,
    pub url: &'a str,
    pub updated: Timestamp,
    /// `approximate` for a part that has none (the stored part carries it when the source
    /// said); every row says one or the other, or clients guess from the address's shape.
    pub approximate: Option<bool>,
}

/// The feed rows of a stored [`meeting_part`]: one, or one per day for a meeting held on
/// several days (see [`MEETING_SLUG`]), each completed with its group, page address, update
/// time and `approximate`. Appends them to `out`, separated by commas.
pub fn with_group(meeting_part: &str, completion: &Completion, out: &mut Vec<u8>) {
    // Only a meeting on several days has a list here; one on a single day is spliced as stored.
    if meeting_part.contains("\"day\":[")
        && let Ok(Value::Object(row)) = serde_json::from_str::<Value>(meeting_part)
        && let (Some(Value::Array(days)), Some(Value::String(slug))) = (row.get("day"), row.get("slug"))
    {
        for (at, day) in days.iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            let mut one = row.clone();
            one.insert("slug".into(), Value::String(format!("{slug}-{day}")));
            one.insert("day".into(), day.clone());
            one.insert(MEETING_SLUG.into(), Value::String(slug.clone()));
            splice(&Value::Object(one).to_string(), completion, out);
        }
        return;
    }
    splice(meeting_part, completion, out);
}

/// Appends one stored object with the completion's fields added before its closing brace.
fn splice(object: &str, completion: &Completion, out: &mut Vec<u8>) {
    let Some(open) = object.strip_suffix('}') else {
        return;
    };
    out.extend_from_slice(open.as_bytes());
    let mut put = |key: &str, value: &str| {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        let _ = serde_json::to_writer(&mut *out, value);
    };
    if !completion.group_notes.is_empty() {
        put("group_notes", completion.group_notes);
    }
    if !completion.url.is_empty() {
        put("url", completion.url);
    }
    if let Some(group) = completion.group {
        put("group", group);
    }
    if let Some(approximate) = completion.approximate {
        put("approximate", yes_no(approximate));
    }
    put("updated", &format_updated(completion.updated));
    out.push(b'}');
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
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

/// Why a meeting of a stored recurrence kind cannot be written as a feed row (`None` for
/// weekly meetings, which it can).
pub fn inexpressible(kind: &str) -> Option<&'static str> {
    match kind {
        "weekly" => None,
        "biweekly" => Some("meets every other week, which the Meeting Guide format cannot express"),
        "monthly" => Some("meets monthly, which the Meeting Guide format cannot express"),
        _ => Some("meets on a single date, which the Meeting Guide format cannot express"),
    }
}

/// A weekly listing as a feed object, serialised field by field (`None` for what the format
/// cannot express). Kept fields come first; no known field is taken from them.
pub fn write_row<'a>(listing: &'a Listing, extras: &'a FeedExtras<'a>) -> Option<FeedObject<'a>> {
    let Recurrence::Weekly(days) = &listing.recurrence else {
        return None;
    };
    let mut numbers: Vec<i8> = days.iter().map(|d| day_number(*d)).collect();
    numbers.sort_unstable();
    numbers.dedup();
    Some(FeedObject {
        listing,
        extras,
        days: numbers,
    })
}

/// A coordinate to the 1 cm that feeds give at most, without the binary noise of arithmetic on
/// it (`-3.7706000000000004` is written `-3.7706`).
fn as_given(degrees: f64) -> f64 {
    (degrees * 1e7).round() / 1e7
}

/// One feed row, ready to serialise.
pub struct FeedObject<'a> {
    listing: &'a Listing,
    extras: &'a FeedExtras<'a>,
    days: Vec<i8>,
}

impl serde::Serialize for FeedObject<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (l, x) = (self.listing, self.extras);
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in x.extra {
            if !KNOWN.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.serialize_entry("slug", &l.slug)?;
        map.serialize_entry("name", &l.name)?;
        match self.days.as_slice() {
            [one] => map.serialize_entry("day", one)?,
            many => map.serialize_entry("day", many)?,
        }
        let hhmm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        map.serialize_entry("time", &hhmm(l.start))?;
        map.serialize_entry("end_time", &hhmm(l.end))?;
        map.serialize_entry("timezone", &l.zone)?;
        let texts = [
            ("formatted_address", l.formatted_address.as_str()),
            ("address", &l.address),
            ("city", &l.city),
            ("state", &l.state),
            ("postal_code", &l.postal_code),
            ("country", &l.country),
            ("region", &l.region),
            ("sub_region", &l.sub_region),
            ("conference_url", &l.conference_url),
            ("conference_url_notes", &l.conference_url_notes),
            ("conference_phone", &l.conference_phone),
            ("conference_phone_notes", &l.conference_phone_notes),
            ("notes", &l.notes),
            ("location", &l.location),
            ("location_notes", &l.location_notes),
            ("group_notes", x.group_notes),
            ("url", x.url),
        ];
        for (key, value) in texts {
            if !value.is_empty() {
                map.serialize_entry(key, value)?;
            }
        }
        if !l.regions.is_empty() {
            map.serialize_entry("regions", &l.regions)?;
        }
        if let Some(point) = l.point {
            map.serialize_entry("latitude", &as_given(point.lat))?;
            map.serialize_entry("longitude", &as_given(point.lng))?;
        }
        if let Some(approximate) = l.approximate {
            map.serialize_entry("approximate", yes_no(approximate))?;
        }
        map.serialize_entry("types", &l.types)?;
        if let Some(group) = x.group {
            map.serialize_entry("group", group)?;
        }
        if let Some(updated) = x.updated {
            map.serialize_entry("updated", &format_updated(updated))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(row: Value) -> Result<FeedMeeting, RowError> {
        read_row(&row, &Zone::parse("America/Chicago").unwrap())
    }

    #[test]
    fn a_full_row_reads_and_writes_back_field_for_field() {
        let row = json!({
            "slug": "wicker-park-hope", "name": "Hope at Noon", "day": [1, 3], "time": "12:00",
            "end_time": "13:00", "timezone": "America/Chicago",
            "formatted_address": "4953 W Addison St, Chicago, IL 60641, USA",
            "latitude": 41.94612, "longitude": -87.75158, "approximate": "no",
            "region": "Chicago", "sub_region": "Wicker Park", "regions": ["Illinois", "Chicago"],
            "conference_url": "https://zoom.us/j/123", "conference_url_notes": "Password: hope",
            "conference_phone": "+13125551212,,123#", "conference_phone_notes": "Passcode 123",
            "types": ["O", "D", "QUIET"], "notes": "Side door", "location": "St. Mark's",
            "location_notes": "Parking behind", "group": "Hope Group", "group_notes": "Since 1990",
            "updated": "2024-03-01 12:30:00", "url": "https://example.org/meetings/hope",
            "venmo": "@HopeGroup", "entity": "Chicago Area Service"
        });
        let read = read(row.clone()).unwrap();
        assert_eq!(read.listing.mode, Mode::Hybrid);
        assert_eq!(read.extra.len(), 2, "venmo and entity kept");
        let extras = FeedExtras {
            group: read.group.as_deref(),
            group_notes: &read.group_notes,
            url: &read.url,
            updated: read.updated,
            extra: &read.extra,
        };
        let written = write_row(&read.listing, &extras).unwrap();
        assert_eq!(serde_json::to_value(written).unwrap(), row);
        let mut spliced = vec![b'['];
        let completion = Completion {
            group: read.group.as_deref(),
            group_notes: &read.group_notes,
            url: &read.url,
            updated: read.updated.unwrap(),
            approximate: None,
        };
        with_group(
            &meeting_part(&read.listing, &read.extra).unwrap(),
            &completion,
            &mut spliced,
        );
        spliced.push(b']');
        let rows: Vec<Value> = serde_json::from_slice(&spliced).unwrap();
        let one_per_day = |day: i64| {
            let mut one = row.clone();
            one["day"] = json!(day);
            one["slug"] = json!(format!("wicker-park-hope-{day}"));
            one[MEETING_SLUG] = json!("wicker-park-hope");
            one
        };
        assert_eq!(rows, [one_per_day(1), one_per_day(3)], "one row a day");
        assert_eq!(merge_split_rows(rows), [row], "and together again on import");
    }

    #[test]
    fn single_day_rows_are_spliced_as_stored_and_say_whether_they_are_approximate() {
        let read = read(json!({"slug": "lone", "name": "Lone", "day": 0, "time": "19:00",
            "address": "1 High St", "city": "Leeds", "latitude": 53.79648000000001, "longitude": -1.5478,
            "extra": {"day": [9]}}))
        .unwrap();
        let mut out = Vec::new();
        let completion = Completion {
            group: None,
            group_notes: "",
            url: "",
            updated: Timestamp(0),
            approximate: Some(false),
        };
        with_group(&meeting_part(&read.listing, &read.extra).unwrap(), &completion, &mut out);
        let row: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(row["slug"], "lone", "{row}");
        assert_eq!(row["day"], 0);
        assert_eq!(row["approximate"], "no");
        assert_eq!(row["latitude"], json!(53.79648), "no binary noise");
        assert_eq!(row["extra"], json!({"day": [9]}), "a nested list named day is not split");
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
        let no_day = reason(json!({"slug": "a", "name": "N", "time": "19:00"}));
        assert_eq!(no_day.slug.as_deref(), Some("a"));
        assert!(no_day.reason.contains("no day"));
        assert!(
            reason(json!({"slug": "a", "name": "N", "day": 7, "time": "19:00"}))
                .reason
                .contains("0 (Sunday)")
        );
        assert!(
            reason(json!({"slug": "a", "name": "N", "day": 1, "time": "25:00"}))
                .reason
                .contains("HH:MM")
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
