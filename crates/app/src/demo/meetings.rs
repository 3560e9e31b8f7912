//! The demo directory: a few hundred fictional meetings in a dozen cities and their zones,
//! across programmes, attendance modes, recurrences and group styles.

use super::Wobble;
use crate::meetings::{RowParts, directory, row_of};
use crate::{App, AppError};
use jiff::civil::{Date, Time, Weekday};
use mutual_domain::meetings::catalog::Mode;
use mutual_domain::meetings::geo::Point;
use mutual_domain::meetings::listing::{Listing, Status};
use mutual_domain::meetings::{Nth, Recurrence};
use mutual_store::meetings::{self as store, GroupRow, ImportRow};
use std::collections::BTreeSet;
use uuid::Uuid;

/// (city, state or region, country, latitude, longitude, zone)
const CITIES: &[(&str, &str, &str, f64, f64, &str)] = &[
    ("Chicago", "IL", "USA", 41.8781, -87.6298, "America/Chicago"),
    (
        "New York",
        "NY",
        "USA",
        40.7128,
        -74.0060,
        "America/New_York",
    ),
    (
        "Los Angeles",
        "CA",
        "USA",
        34.0522,
        -118.2437,
        "America/Los_Angeles",
    ),
    (
        "Toronto",
        "ON",
        "Canada",
        43.6532,
        -79.3832,
        "America/Toronto",
    ),
    (
        "Mexico City",
        "CDMX",
        "Mexico",
        19.4326,
        -99.1332,
        "America/Mexico_City",
    ),
    ("London", "", "UK", 51.5074, -0.1278, "Europe/London"),
    ("Manchester", "", "UK", 53.4808, -2.2426, "Europe/London"),
    ("Dublin", "", "Ireland", 53.3498, -6.2603, "Europe/Dublin"),
    ("Berlin", "", "Germany", 52.5200, 13.4050, "Europe/Berlin"),
    ("Madrid", "", "Spain", 40.4168, -3.7038, "Europe/Madrid"),
    (
        "Sydney",
        "NSW",
        "Australia",
        -33.8688,
        151.2093,
        "Australia/Sydney",
    ),
    (
        "Auckland",
        "",
        "New Zealand",
        -36.8485,
        174.7633,
        "Pacific/Auckland",
    ),
];

const GROUP_WORDS: &[&str] = &[
    "Hope",
    "Serenity",
    "Fresh Start",
    "Lakeside",
    "Morning Light",
    "Open Door",
    "Common Ground",
    "Harbour",
    "Steady Steps",
    "New Dawn",
    "Lantern",
    "Bridge",
    "Riverside",
    "Clear Sky",
    "Daybreak",
    "Anchor",
    "Kindred",
    "Evergreen",
    "Northstar",
    "Wellspring",
];

const PLACES: &[&str] = &[
    "Community Centre",
    "St. Brigid's Hall",
    "Library Meeting Room",
    "Friends Meeting House",
    "Recovery Café",
    "Civic Hall",
    "Park Pavilion",
    "Health Centre Room 2",
];

/// (programme, value tags, structure, facilitation, types)
const STYLES: &[(&str, &str, &str, &str, &[&str])] = &[
    ("AA", "spiritual", "sharing", "peer", &["O", "D"]),
    ("AA", "spiritual", "study", "peer", &["C", "B"]),
    ("AA", "secular", "sharing", "peer", &["O", "A", "D"]),
    ("NA", "spiritual", "sharing", "peer", &["O", "D", "BE"]),
    ("NA", "spiritual", "speaker", "peer", &["O", "SP"]),
    ("CA", "spiritual", "sharing", "peer", &["C", "D"]),
    ("CMA", "spiritual", "topics", "peer", &["O", "D"]),
    ("AL-ANON", "spiritual", "topics", "peer", &["C", "D"]),
    ("SMART", "science-based,secular", "skills", "peer", &["O"]),
    (
        "SMART",
        "science-based,secular,harm-reduction",
        "skills",
        "professional",
        &["O", "XT"],
    ),
    ("DHARMA", "mindfulness", "meditation", "peer", &["O", "MED"]),
    (
        "REFUGE",
        "mindfulness",
        "meditation",
        "peer",
        &["O", "MED", "11"],
    ),
    ("LIFERING", "secular", "sharing", "peer", &["O", "A"]),
    ("WFS", "secular", "topics", "peer", &["C", "W"]),
    ("CR", "faith-based", "study", "peer", &["O"]),
];

const SIZES: &[&str] = &["small", "medium", "large"];
const AUDIENCES: &[&str] = &[
    "newcomers",
    "women",
    "men",
    "young",
    "lgbtq",
    "family",
    "seniors",
];
const WEEKDAYS: [Weekday; 7] = [
    Weekday::Sunday,
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
];

fn pick<'a, T>(wobble: &mut Wobble, items: &'a [T]) -> &'a T {
    &items[wobble.next(items.len() as u64) as usize]
}

/// Adds the demo groups and meetings (about 300) and returns how many meetings.
pub(super) async fn seed_meetings(app: &App) -> Result<usize, AppError> {
    let mut wobble = Wobble(42);
    let now = app.clock.now().millis();
    let today = mutual_domain::local::Zone::utc().date_of(app.clock.now());
    let mut rows = Vec::new();
    for (g, word) in (0..120).map(|g| (g, GROUP_WORDS[g % GROUP_WORDS.len()])) {
        let (city, state, country, lat, lng, zone) = *pick(&mut wobble, CITIES);
        let (program, tags, structure, facilitation, types) = *pick(&mut wobble, STYLES);
        let audience = if wobble.next(3) == 0 {
            *pick(&mut wobble, AUDIENCES)
        } else {
            "newcomers"
        };
        let group = GroupRow {
            id: Uuid::now_v7(),
            name: format!(
                "{word} {} Group",
                ["", "Circle", "Fellowship", "Collective"][g / GROUP_WORDS.len() % 4]
            )
            .replace("  ", " "),
            program_code: program.into(),
            description: format!(
                "A fictional demo group in {city}. Everyone is welcome to come early for tea."
            ),
            tags: tags.into(),
            size: (*pick(&mut wobble, SIZES)).into(),
            structure: structure.into(),
            facilitation: facilitation.into(),
            atmosphere: (*pick(
                &mut wobble,
                &[
                    "Warm and unhurried.",
                    "Lively, with plenty of laughter.",
                    "Quiet and reflective.",
                    "Friendly; newcomers get a welcome pack.",
                ],
            ))
            .into(),
            languages: if city == "Mexico City" || city == "Madrid" {
                "S".into()
            } else if city == "Berlin" {
                "DE,EN".into()
            } else {
                "EN".into()
            },
            accessibility: if wobble.next(2) == 0 {
                "wheelchair,accessible-bathroom".into()
            } else {
                String::new()
            },
            audience: audience.into(),
            closed: types.contains(&"C"),
            contact_name: (*pick(&mut wobble, &["Sam", "Alex", "Jo", "Robin", "Kai", ""])).into(),
            contact_email: String::new(),
            contact_phone: String::new(),
            join_members_only: wobble.next(4) == 0,
            notes: String::new(),
            implicit: false,
            area: String::new(),
            created_at: now,
            updated_at: now,
        };
        for m in 0..(1 + wobble.next(4) as usize) {
            let mode = [
                Mode::InPerson,
                Mode::InPerson,
                Mode::Online,
                Mode::Hybrid,
                Mode::Phone,
            ][wobble.next(5) as usize];
            let hour = [7, 8, 10, 12, 17, 18, 19, 19, 20, 21][wobble.next(10) as usize];
            let start = Time::new(hour, [0, 0, 15, 30][wobble.next(4) as usize], 0, 0)
                .unwrap_or(Time::midnight());
            let length = [60, 60, 90, 75][wobble.next(4) as usize];
            let end = start.wrapping_add(jiff::SignedDuration::from_mins(length));
            let day = *pick(&mut wobble, &WEEKDAYS);
            let recurrence = match wobble.next(12) {
                0 => Recurrence::Monthly {
                    nth: [Nth::First, Nth::Last][wobble.next(2) as usize],
                    day,
                },
                1 => Recurrence::EveryOtherWeek {
                    days: vec![day],
                    anchor: today,
                },
                2 => Recurrence::Once(
                    today
                        .checked_add(jiff::Span::new().days(wobble.next(60) as i64 + 1))
                        .unwrap_or(today),
                ),
                3 => Recurrence::Weekly(vec![
                    day,
                    WEEKDAYS[(day.to_sunday_zero_offset() as usize + 2) % 7],
                ]),
                _ => Recurrence::Weekly(vec![day]),
            };
            let jitter = |w: &mut Wobble| (w.next(2000) as f64 - 1000.0) / 10_000.0;
            let point = Point::new(lat + jitter(&mut wobble), lng + jitter(&mut wobble)).ok();
            let when = match hour {
                5..=11 => "Morning",
                12..=16 => "Afternoon",
                _ => "Evening",
            };
            let slug = format!("demo-{g}-{m}");
            let remote = mode.remote();
            let mut meeting_types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
            if audience == "women" {
                meeting_types.push("W".into());
            }
            if audience == "young" {
                meeting_types.push("Y".into());
            }
            let listing = Listing {
                slug: slug.clone(),
                name: format!("{word} {when}"),
                zone: zone.into(),
                start,
                end,
                recurrence,
                cancelled: BTreeSet::<Date>::new(),
                mode,
                status: if wobble.next(40) == 0 {
                    Status::Closed
                } else {
                    Status::Active
                },
                location: if mode.in_person() {
                    (*pick(&mut wobble, PLACES)).into()
                } else {
                    String::new()
                },
                location_notes: String::new(),
                formatted_address: String::new(),
                address: if mode.in_person() {
                    format!("{} Example Street", 1 + wobble.next(300))
                } else {
                    String::new()
                },
                city: city.into(),
                state: state.into(),
                postal_code: String::new(),
                country: country.into(),
                region: String::new(),
                sub_region: String::new(),
                district: String::new(),
                regions: Vec::new(),
                point,
                approximate: (!mode.in_person()).then_some(true),
                conference_url: if remote && mode != Mode::Phone {
                    format!("https://meet.example.org/{slug}")
                } else {
                    String::new()
                },
                conference_url_notes: if remote && mode != Mode::Phone {
                    "Passcode: serenity".into()
                } else {
                    String::new()
                },
                conference_phone: if mode == Mode::Phone || mode == Mode::Hybrid {
                    "+15555550100,,1234#".into()
                } else {
                    String::new()
                },
                conference_phone_notes: String::new(),
                types: meeting_types,
                notes: "Fictional demo meeting.".into(),
            };
            let meeting = row_of(
                &listing,
                RowParts {
                    id: Uuid::now_v7(),
                    group_id: group.id,
                    source_url: String::new(),
                    extra: serde_json::Map::new(),
                    created_at: now,
                    updated_at: now,
                },
            );
            rows.push(ImportRow {
                meeting,
                group: group.clone(),
            });
        }
    }
    store::import_meetings(&app.db, &rows).await?;
    directory::changed(app).await?;
    Ok(rows.len())
}
