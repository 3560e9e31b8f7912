//! The Meeting Guide JSON format, both ways: reading a real-world feed tolerantly ([`read`]),
//! and writing a listing back as feed rows, one a day, completed from storage at serve time.

pub mod bmlt;
pub mod csv_layout;
mod read;

pub use read::{FeedMeeting, RowError, merge_split_rows, read_row};

use super::Recurrence;
use super::listing::{Listing, day_number};
use crate::Timestamp;
use jiff::civil::Time;
use serde_json::{Map, Value};

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
    "district",
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
    "feedback_url",
    MEETING_SLUG,
    PROGRAM,
];

/// Our own field naming a row's programme by its code ("AA", "SMART"); an import takes it where
/// it names a programme the directory has.
pub const PROGRAM: &str = "program";

/// Our own field on the rows of a meeting held on several days: the feed gives it one row per
/// day (TSML UI, the reference web client, shows nothing of a feed with a list in `day`), each
/// with the slug `{slug}-{day}` and the meeting's own slug here, so an import of the feed puts
/// the days back together ([`merge_split_rows`]).
pub const MEETING_SLUG: &str = "meeting_slug";

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
    /// Where to tell us something is wrong: the meeting's suggest-a-change page (ours, also
    /// for meetings synced from elsewhere, since the correction workflow is ours).
    pub feedback_url: &'a str,
    /// The programme's code (ours: the format has no field for it), so a fellowship's app can
    /// tell its meetings from others'.
    pub program: &'a str,
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
        && let (Some(Value::Array(days)), Some(Value::String(slug))) =
            (row.get("day"), row.get("slug"))
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
    if !completion.feedback_url.is_empty() {
        put("feedback_url", completion.feedback_url);
    }
    if let Some(group) = completion.group {
        put("group", group);
    }
    if let Some(approximate) = completion.approximate {
        put("approximate", yes_no(approximate));
    }
    if !completion.program.is_empty() {
        put(PROGRAM, completion.program);
    }
    put("updated", &format_updated(completion.updated));
    out.push(b'}');
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

/// Why a meeting of a stored recurrence kind cannot be written as a feed row (`None` for
/// weekly meetings and those by appointment, which it can).
pub fn inexpressible(kind: &str) -> Option<&'static str> {
    match kind {
        "weekly" | "appointment" => None,
        "biweekly" => Some("meets every other week, which the Meeting Guide format cannot express"),
        "monthly" => Some("meets monthly, which the Meeting Guide format cannot express"),
        _ => Some("meets on a single date, which the Meeting Guide format cannot express"),
    }
}

/// A weekly listing as a feed object, serialised field by field, or one by appointment without
/// `day` and `time` (as the format has it); `None` for what the format cannot express. Kept
/// fields come first; no known field is taken from them.
pub fn write_row<'a>(listing: &'a Listing, extras: &'a FeedExtras<'a>) -> Option<FeedObject<'a>> {
    let days = match &listing.recurrence {
        Recurrence::Weekly(days) => {
            let mut numbers: Vec<i8> = days.iter().map(|d| day_number(*d)).collect();
            numbers.sort_unstable();
            numbers.dedup();
            Some(numbers)
        }
        Recurrence::ByAppointment => None,
        _ => return None,
    };
    Some(FeedObject {
        listing,
        extras,
        days,
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
    /// `None` for a meeting by appointment.
    days: Option<Vec<i8>>,
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
        if let Some(days) = &self.days {
            match days.as_slice() {
                [one] => map.serialize_entry("day", one)?,
                many => map.serialize_entry("day", many)?,
            }
            let hhmm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
            map.serialize_entry("time", &hhmm(l.start))?;
            map.serialize_entry("end_time", &hhmm(l.end))?;
        }
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
            ("district", &l.district),
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
    use crate::local::Zone;
    use crate::meetings::catalog::Mode;
    use serde_json::json;

    fn read(row: Value) -> Result<FeedMeeting, RowError> {
        read_row(&row, Some(&Zone::parse("America/Chicago").unwrap()))
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
            feedback_url: "",
            program: "",
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
        assert_eq!(
            merge_split_rows(rows),
            [row],
            "and together again on import"
        );
    }

    #[test]
    fn a_row_without_a_day_is_by_appointment_and_is_written_back_without_day_or_time() {
        for day in [json!(null), json!("")] {
            let read = read(json!({"slug": "call-us", "name": "Call Us", "day": day,
                "time": "19:00", "formatted_address": "Leeds", "timezone": "Europe/London"}))
            .unwrap();
            assert_eq!(read.listing.recurrence, Recurrence::ByAppointment);
            let part = meeting_part(&read.listing, &read.extra).unwrap();
            let row: Value = serde_json::from_str(&part).unwrap();
            for absent in ["day", "time", "end_time"] {
                assert!(row.get(absent).is_none(), "{absent} in {row}");
            }
            assert_eq!(row["timezone"], "Europe/London");
            let again = super::read_row(&row, None).unwrap();
            assert_eq!(again.listing, read.listing, "a round trip keeps it");
        }
        assert_eq!(inexpressible("appointment"), None);
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
            feedback_url: "https://mutual.example/meetings/1/suggest",
            program: "SMART",
            updated: Timestamp(0),
            approximate: Some(false),
        };
        with_group(
            &meeting_part(&read.listing, &read.extra).unwrap(),
            &completion,
            &mut out,
        );
        let row: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(row["slug"], "lone", "{row}");
        assert_eq!(row["day"], 0);
        assert_eq!(row["approximate"], "no");
        assert_eq!(row["program"], "SMART");
        assert_eq!(
            row["feedback_url"],
            "https://mutual.example/meetings/1/suggest"
        );
        assert_eq!(row["latitude"], json!(53.79648), "no binary noise");
        assert_eq!(
            row["extra"],
            json!({"day": [9]}),
            "a nested list named day is not split"
        );
    }
}
