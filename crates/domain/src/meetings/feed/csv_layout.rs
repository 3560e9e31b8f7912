//! The 12 Step Meeting List plugin's CSV layout, both ways: feed rows written as its columns
//! (English headers, one row a day, the day's name, type names), and a CSV file read into feed
//! rows that the same forgiving reader as a JSON feed then checks.

use super::read::text_of;
use super::{MEETING_SLUG, PROGRAM};
use crate::meetings::catalog::{TYPE_CODES, type_name};
use crate::meetings::listing::DAY_NAMES;
use serde_json::{Map, Value};

/// The plugin's columns in its order (its header, the feed field; Author, Data Source and ID,
/// which are its own, left out), then ours: what a round trip needs without a geocoder, and the
/// split address for rows that were given one. Other fields of a row (`entity`,
/// `feedback_emails`, ...) are only in the JSON feed.
const COLUMNS: &[(&str, &str)] = &[
    ("Time", "time"),
    ("End Time", "end_time"),
    ("Day", "day"),
    ("Name", "name"),
    ("Location", "location"),
    ("Address", "formatted_address"),
    ("Region", "region"),
    ("Sub Region", "sub_region"),
    ("Types", "types"),
    ("Notes", "notes"),
    ("Location Notes", "location_notes"),
    ("Timezone", "timezone"),
    ("Group", "group"),
    ("District", "district"),
    ("Sub District", "sub_district"),
    ("Website", "website"),
    ("Website 2", "website_2"),
    ("Mailing Address", "mailing_address"),
    ("Venmo", "venmo"),
    ("Square", "square"),
    ("Paypal", "paypal"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Group Notes", "group_notes"),
    ("Contact 1 Name", "contact_1_name"),
    ("Contact 1 Email", "contact_1_email"),
    ("Contact 1 Phone", "contact_1_phone"),
    ("Contact 2 Name", "contact_2_name"),
    ("Contact 2 Email", "contact_2_email"),
    ("Contact 2 Phone", "contact_2_phone"),
    ("Contact 3 Name", "contact_3_name"),
    ("Contact 3 Email", "contact_3_email"),
    ("Contact 3 Phone", "contact_3_phone"),
    ("Last Contact", "last_contact"),
    ("Conference URL", "conference_url"),
    ("Conference URL Notes", "conference_url_notes"),
    ("Conference Phone", "conference_phone"),
    ("Conference Phone Notes", "conference_phone_notes"),
    ("Slug", "slug"),
    ("Updated", "updated"),
    ("City", "city"),
    ("State", "state"),
    ("Postal Code", "postal_code"),
    ("Country", "country"),
    ("Latitude", "latitude"),
    ("Longitude", "longitude"),
    ("Approximate", "approximate"),
    ("URL", "url"),
    ("Program", PROGRAM),
    ("Meeting Slug", MEETING_SLUG),
];

/// The header line's cells.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|(header, _)| *header).collect()
}

/// One feed row (as our feed writes it: one day, `types` a list of codes) as CSV cells in
/// [`header`] order. A street address with its city goes in the split columns, a one-line
/// address in Address.
pub fn cells(row: &Map<String, Value>) -> Vec<String> {
    let text = |key: &str| text_of(row.get(key));
    COLUMNS
        .iter()
        .map(|(_, field)| match *field {
            "day" => row
                .get("day")
                .and_then(Value::as_u64)
                .and_then(|d| DAY_NAMES.get(usize::try_from(d).ok()?))
                .map_or_else(String::new, |name| (*name).to_owned()),
            // In the listing's order (the plugin sorts them), so a round trip changes nothing.
            "types" => row
                .get("types")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(type_name)
                .collect::<Vec<_>>()
                .join(", "),
            "formatted_address" => match text("formatted_address") {
                one_line if one_line.is_empty() => text("address"),
                one_line => one_line,
            },
            other => text(other),
        })
        .collect()
}

/// Why a CSV file could not be read as meetings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error(
        "This is neither a Meeting Guide feed (a JSON list of meetings) nor a CSV in the plugin's \
         layout: there is no Name column in its first line (Time, End Time, Day, Name, Location, \
         Address, ...)."
    )]
    NoNameColumn,
    #[error("Line {line} of the CSV cannot be read: {reason}.")]
    Line { line: u64, reason: String },
}

/// A header as a feed field: "End Time" is `end_time`, "Sub-Region" is `sub_region`.
fn field_of(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// A type as a CSV gives it, by name ("Open") or code ("O"), as its code; an unknown one is
/// kept as written (a custom code).
fn type_code(given: &str) -> String {
    TYPE_CODES
        .iter()
        .find(|(code, name)| *code == given || name.eq_ignore_ascii_case(given))
        .map_or_else(|| given.to_owned(), |(code, _)| (*code).to_owned())
}

/// The rows of a CSV in the plugin's layout as feed rows: headers named as fields, empty cells
/// left out, types by name or code made codes, and Address a street address when the row
/// also names its city, state, postal code or country (else the one-line address).
pub fn rows(bytes: &[u8]) -> Result<Vec<Value>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let line_error = |e: csv::Error| CsvError::Line {
        line: e.position().map_or(1, csv::Position::line),
        reason: match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_owned(),
            _ => e.to_string(),
        },
    };
    let fields: Vec<String> = reader
        .headers()
        .map_err(line_error)?
        .iter()
        .map(field_of)
        .collect();
    if !fields.iter().any(|f| f == "name") {
        return Err(CsvError::NoNameColumn);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(line_error)?;
        let mut row = Map::new();
        for (field, value) in fields.iter().zip(record.iter()) {
            if value.is_empty() || field.is_empty() {
                continue;
            }
            let value = match field.as_str() {
                "types" => Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(type_code(t)))
                        .collect(),
                ),
                _ => Value::String(value.to_owned()),
            };
            row.insert(field.clone(), value);
        }
        let split = ["city", "state", "postal_code", "country"]
            .iter()
            .any(|f| row.contains_key(*f));
        if !split && let Some(one_line) = row.remove("address") {
            row.entry("formatted_address").or_insert(one_line);
        }
        rows.push(Value::Object(row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_plugin_export_reads_as_feed_rows() {
        let file = "Time,End Time,Day,Name,Location,Address,Region,Sub Region,Types,Notes,Location Notes,Group,District,Website,Slug,Updated\n\
            7:00 PM,8:00 pm,Tuesday,Hope,St. Mark's,\"4953 W Addison St, Chicago, IL 60641, USA\",Chicago,Portage Park,\"Open, Discussion, QUIET\",\"Side \"\"blue\"\" door\",,Hope Group,District 7,https://example.org,hope,2024-03-01 12:30:00\n\
            ,,,Call Us,,Leeds,,,,,,,,,call-us,\n";
        let rows = rows(file.as_bytes()).unwrap();
        assert_eq!(
            rows[0],
            json!({"time": "7:00 PM", "end_time": "8:00 pm", "day": "Tuesday", "name": "Hope",
                "location": "St. Mark's", "formatted_address": "4953 W Addison St, Chicago, IL 60641, USA",
                "region": "Chicago", "sub_region": "Portage Park", "types": ["O", "D", "QUIET"],
                "notes": "Side \"blue\" door", "group": "Hope Group", "district": "District 7",
                "website": "https://example.org", "slug": "hope", "updated": "2024-03-01 12:30:00"})
        );
        assert_eq!(
            rows[1],
            json!({"name": "Call Us", "formatted_address": "Leeds", "slug": "call-us"}),
            "no day: by appointment"
        );
    }

    #[test]
    fn written_cells_read_back_as_the_row() {
        let row = json!({"slug": "hope-2", "name": "Hope, \"at\" noon", "day": 2, "time": "12:00",
            "end_time": "13:00", "timezone": "America/Chicago", "address": "1 Main St", "city": "Chicago",
            "state": "IL", "types": ["O", "D"], "latitude": 41.9, "longitude": -87.6, "approximate": "no",
            "meeting_slug": "hope", "program": "AA", "updated": "2024-03-01 12:30:00"});
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(header()).unwrap();
        out.write_record(cells(row.as_object().unwrap())).unwrap();
        let bytes = out.into_inner().unwrap();
        let back = rows(&bytes).unwrap();
        let mut expected = row.clone();
        expected["day"] = json!("Tuesday");
        expected["latitude"] = json!("41.9");
        expected["longitude"] = json!("-87.6");
        assert_eq!(back, [expected]);
    }

    #[test]
    fn a_file_that_is_not_the_layout_says_so() {
        assert_eq!(rows(b"slug,day\nx,1\n"), Err(CsvError::NoNameColumn));
        let broken = rows(b"Name,Day\n\xff\xfe,1\n").unwrap_err();
        assert!(
            matches!(broken, CsvError::Line { line: 2, ref reason } if reason.contains("UTF-8")),
            "{broken:?}"
        );
    }
}
