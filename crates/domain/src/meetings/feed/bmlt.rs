//! BMLT's `GetSearchResults` answer (what NA-style meeting finders read), both ways: a feed row
//! written as BMLT writes a meeting (every value text, weekdays from 1 for Sunday, start and
//! duration as HH:MM:SS, the format codes joined by commas, the venue type), and a BMLT meeting
//! read as a feed row for the same forgiving reader as a Meeting Guide feed.

use super::read::text_of;
use crate::meetings::catalog::Mode;
use serde_json::{Map, Value, json};

/// BMLT's venue types.
fn venue_type(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "1",
        Mode::Online | Mode::Phone => "2",
        Mode::Hybrid => "3",
    }
}

/// Minutes since midnight of an "HH:MM" text.
fn minutes(hhmm: &str) -> Option<i64> {
    let (h, m) = hhmm.split_once(':')?;
    Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
}

/// One meeting-day of our feed (`day` one number) as a BMLT search result, with `id` as its
/// `id_bigint`; `None` for a row without a day (by appointment), which BMLT cannot express.
pub fn search_result(id: u64, mode: Mode, row: &Map<String, Value>) -> Option<Value> {
    let text = |key: &str| text_of(row.get(key));
    let day = row.get("day")?.as_u64()?;
    let start = minutes(&text("time"))?;
    let end = minutes(&text("end_time")).unwrap_or(start + 60);
    let length = (end - start).rem_euclid(24 * 60);
    let clock = |m: i64| format!("{:02}:{:02}:00", m / 60, m % 60);
    let types: Vec<&str> = row
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let street = match text("address") {
        street if street.is_empty() => text("formatted_address"),
        street => street,
    };
    Some(json!({
        "id_bigint": id.to_string(),
        "worldid_mixed": "",
        "service_body_bigint": "1",
        "weekday_tinyint": (day + 1).to_string(),
        "venue_type": venue_type(mode),
        "start_time": clock(start),
        "duration_time": clock(if length == 0 { 24 * 60 } else { length }),
        "time_zone": text("timezone"),
        "formats": types.join(","),
        "lang_enum": "en",
        "longitude": text("longitude"),
        "latitude": text("latitude"),
        "meeting_name": text("name"),
        "location_text": text("location"),
        "location_info": text("location_notes"),
        "location_street": street,
        "location_neighborhood": text("sub_region"),
        "location_municipality": text("city"),
        "location_sub_province": text("region"),
        "location_province": text("state"),
        "location_postal_code_1": text("postal_code"),
        "location_nation": text("country"),
        "comments": text("notes"),
        "virtual_meeting_link": text("conference_url"),
        "virtual_meeting_additional_info": text("conference_url_notes"),
        "phone_meeting_number": text("conference_phone"),
        "published": "1",
    }))
}

/// Whether a JSON row is a BMLT meeting rather than a Meeting Guide one.
pub fn is_bmlt(row: &Value) -> bool {
    row.get("weekday_tinyint").is_some() && row.get("meeting_name").is_some()
}

/// A BMLT meeting as a Meeting Guide feed row: slug `bmlt-{id_bigint}`, the day from its
/// weekday, the end from its duration, its formats as types; a virtual venue is approximate.
pub fn feed_row(meeting: &Value) -> Value {
    let text = |key: &str| text_of(meeting.get(key));
    let mut row = Map::new();
    let mut put = |key: &str, value: Value| {
        if value != Value::String(String::new()) {
            row.insert(key.to_owned(), value);
        }
    };
    let id = text("id_bigint");
    put(
        "slug",
        Value::String(if id.is_empty() {
            id
        } else {
            format!("bmlt-{id}")
        }),
    );
    put("name", Value::String(text("meeting_name")));
    // A weekday BMLT does not have (0, 8, "x") is left for the reader to refuse by name.
    match text("weekday_tinyint").parse::<u64>() {
        Ok(day @ 1..=7) => put("day", json!(day - 1)),
        _ => put("day", Value::String(text("weekday_tinyint"))),
    }
    let start = text("start_time");
    let hhmm = |t: &str| t.get(..5).unwrap_or(t).to_owned();
    put("time", Value::String(hhmm(&start)));
    if let (Some(from), Some(length)) = (
        minutes(&hhmm(&start)),
        minutes(&hhmm(&text("duration_time"))),
    ) {
        let end = (from + length).rem_euclid(24 * 60);
        put(
            "end_time",
            Value::String(format!("{:02}:{:02}", end / 60, end % 60)),
        );
    }
    put("timezone", Value::String(text("time_zone")));
    let formats: Vec<Value> = text("formats")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| Value::String(f.to_owned()))
        .collect();
    put("types", Value::Array(formats));
    for (ours, theirs) in [
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("location", "location_text"),
        ("location_notes", "location_info"),
        ("address", "location_street"),
        ("city", "location_municipality"),
        ("region", "location_sub_province"),
        ("sub_region", "location_neighborhood"),
        ("state", "location_province"),
        ("postal_code", "location_postal_code_1"),
        ("country", "location_nation"),
        ("notes", "comments"),
        ("conference_url", "virtual_meeting_link"),
        ("conference_url_notes", "virtual_meeting_additional_info"),
        ("conference_phone", "phone_meeting_number"),
    ] {
        put(ours, Value::String(text(theirs)));
    }
    if text("venue_type") == "2" {
        put("approximate", Value::String("yes".into()));
    }
    Value::Object(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_row_is_written_as_bmlt_writes_a_meeting() {
        let row = json!({"slug": "late-2", "name": "Late Night", "day": 6, "time": "23:30",
            "end_time": "00:30", "timezone": "America/Chicago", "address": "1 Main St",
            "city": "Chicago", "state": "IL", "types": ["O", "D"], "latitude": 41.9,
            "longitude": -87.6, "conference_url": "https://meet.example/x"});
        let result = search_result(7, Mode::Hybrid, row.as_object().unwrap()).unwrap();
        assert_eq!(result["id_bigint"], "7");
        assert_eq!(result["weekday_tinyint"], "7", "Saturday is 7 (Sunday 1)");
        assert_eq!(
            (&result["start_time"], &result["duration_time"]),
            (&json!("23:30:00"), &json!("01:00:00")),
            "past midnight, an hour"
        );
        assert_eq!(result["formats"], "O,D");
        assert_eq!(result["venue_type"], "3");
        assert_eq!(
            (&result["location_street"], &result["location_municipality"]),
            (&json!("1 Main St"), &json!("Chicago"))
        );
        assert_eq!(result["latitude"], "41.9");
        assert!(
            result.as_object().unwrap().values().all(|v| v.is_string()),
            "BMLT answers in text"
        );
        let mut back = feed_row(&result);
        back["slug"] = json!("late-2");
        let mut expected = row.clone();
        expected["latitude"] = json!("41.9");
        expected["longitude"] = json!("-87.6");
        assert_eq!(back, expected, "read back as the row it was");
        assert!(is_bmlt(&result) && !is_bmlt(&row));
        let by_appointment = json!({"slug": "call", "name": "Call", "types": []});
        assert_eq!(
            search_result(8, Mode::InPerson, by_appointment.as_object().unwrap()),
            None
        );
    }
}
