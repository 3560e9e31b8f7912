//! One meeting's listing: its schedule, how to attend, where, the type codes and notes, checked
//! once whether it comes from a form, the API or a Meeting Guide feed; and the compact text
//! form of its recurrence that storage keeps.

use super::catalog::{Mode, split_list};
use super::geo::Point;
use super::{Nth, Recurrence, Schedule, ScheduleError};
use crate::local::{Zone, parse_date, parse_time};
use jiff::civil::{Date, Time, Weekday};
use std::collections::BTreeSet;

/// Whether a meeting is being held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    /// Temporarily not meeting; kept in the directory's admin views, left out of searches.
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text.trim() {
            "active" => Some(Status::Active),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// A meeting's listing. Empty strings mean "not given".
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub slug: String,
    pub name: String,
    pub zone: String,
    pub start: Time,
    pub end: Time,
    pub recurrence: Recurrence,
    pub cancelled: BTreeSet<Date>,
    pub mode: Mode,
    pub status: Status,
    pub location: String,
    pub location_notes: String,
    pub formatted_address: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub region: String,
    pub sub_region: String,
    pub district: String,
    /// General to specific, e.g. ["Illinois", "Chicago", "Wicker Park"].
    pub regions: Vec<String>,
    pub point: Option<Point>,
    /// `Some(true)` when the address is only an area (an online meeting's home).
    pub approximate: Option<bool>,
    pub conference_url: String,
    pub conference_url_notes: String,
    pub conference_phone: String,
    pub conference_phone_notes: String,
    pub types: Vec<String>,
    pub notes: String,
}

impl Listing {
    /// The schedule, with its zone. The zone was checked when the listing was made.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            zone: Zone::parse(&self.zone).unwrap_or_else(|_| Zone::utc()),
            start: self.start,
            end: self.end,
            recurrence: self.recurrence.clone(),
            cancelled: self.cancelled.clone(),
        }
    }

    /// The start and end as HH:MM, or `None` for a meeting by appointment, which has neither.
    pub fn clock_times(&self) -> Option<(String, String)> {
        let hhmm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        (self.recurrence != Recurrence::ByAppointment).then(|| (hhmm(self.start), hhmm(self.end)))
    }

    /// The area's path as a search names it: "Chicago > Portage Park" (empty: none).
    pub fn area_label(&self) -> String {
        [&self.region, &self.sub_region, &self.district]
            .into_iter()
            .filter(|n| !n.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" > ")
    }

    /// The address on one line, however it was given.
    pub fn address_line(&self) -> String {
        if !self.formatted_address.is_empty() {
            return self.formatted_address.clone();
        }
        [
            &self.address,
            &self.city,
            &self.state,
            &self.postal_code,
            &self.country,
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Sunday 0 … Saturday 6, as Meeting Guide numbers days.
pub fn day_number(day: Weekday) -> i8 {
    day.to_sunday_zero_offset()
}

/// The weekday for a Meeting Guide day number.
pub fn weekday(number: i64) -> Option<Weekday> {
    i8::try_from(number)
        .ok()
        .filter(|n| (0..=6).contains(n))
        .and_then(|n| Weekday::from_sunday_zero_offset(n).ok())
}

/// English day names, Sunday first.
pub const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A recurrence as storage keeps it: kind, days ("0,3"), nth, and a date (the anchor week of an
/// every-other-week meeting, or the single date).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecurrence {
    pub kind: String,
    pub days: String,
    pub nth: Option<i64>,
    pub date: Option<String>,
}

fn days_text(days: &[Weekday]) -> String {
    let mut numbers: Vec<i8> = days.iter().map(|d| day_number(*d)).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_days(text: &str) -> Option<Vec<Weekday>> {
    split_list(text)
        .map(|d| d.parse::<i64>().ok().and_then(weekday))
        .collect()
}

impl Recurrence {
    /// The storage form.
    pub fn stored(&self) -> StoredRecurrence {
        let (kind, days, nth, date) = match self {
            Recurrence::Weekly(days) => ("weekly", days_text(days), None, None),
            Recurrence::EveryOtherWeek { days, anchor } => {
                ("biweekly", days_text(days), None, Some(anchor.to_string()))
            }
            Recurrence::Monthly { nth, day } => (
                "monthly",
                days_text(&[*day]),
                Some(i64::from(nth.as_i8())),
                None,
            ),
            Recurrence::Once(date) => ("once", String::new(), None, Some(date.to_string())),
            Recurrence::ByAppointment => ("appointment", String::new(), None, None),
        };
        StoredRecurrence {
            kind: kind.into(),
            days,
            nth,
            date,
        }
    }

    /// Back from storage; `None` if the stored form is damaged.
    pub fn from_stored(stored: &StoredRecurrence) -> Option<Recurrence> {
        let date = || stored.date.as_deref().and_then(|d| parse_date(d).ok());
        Some(match stored.kind.as_str() {
            "weekly" => Recurrence::Weekly(parse_days(&stored.days)?),
            "biweekly" => Recurrence::EveryOtherWeek {
                days: parse_days(&stored.days)?,
                anchor: date()?,
            },
            "monthly" => Recurrence::Monthly {
                nth: Nth::from_i64(stored.nth?)?,
                day: *parse_days(&stored.days)?.first()?,
            },
            "once" => Recurrence::Once(date()?),
            "appointment" => Recurrence::ByAppointment,
            _ => return None,
        })
    }

    /// The days of the week it can fall on.
    pub fn weekdays(&self) -> Vec<Weekday> {
        match self {
            Recurrence::Weekly(days) | Recurrence::EveryOtherWeek { days, .. } => days.clone(),
            Recurrence::Monthly { day, .. } => vec![*day],
            Recurrence::Once(date) => vec![date.weekday()],
            Recurrence::ByAppointment => Vec::new(),
        }
    }

    /// In plain words: "Every week on Tuesday and Thursday", "First Saturday of the month".
    pub fn describe(&self) -> String {
        let names = |days: &[Weekday]| {
            let mut sorted: Vec<i8> = days.iter().map(|d| day_number(*d)).collect();
            sorted.sort_unstable();
            let names: Vec<&str> = sorted
                .iter()
                .map(|n| DAY_NAMES[usize::try_from(*n).unwrap_or(0)])
                .collect();
            match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => names.join(""),
            }
        };
        match self {
            Recurrence::Weekly(days) => format!("Every {}", names(days)),
            Recurrence::EveryOtherWeek { days, .. } => format!("Every other {}", names(days)),
            Recurrence::Monthly { nth, day } => {
                format!("{} {} of the month", nth.label(), names(&[*day]))
            }
            Recurrence::Once(date) => format!("Once, on {} {date}", names(&[date.weekday()])),
            Recurrence::ByAppointment => "By appointment".into(),
        }
    }
}

impl Nth {
    /// From its stored number (1–4, or -1 for the last).
    pub fn from_i64(n: i64) -> Option<Nth> {
        Some(match n {
            1 => Nth::First,
            2 => Nth::Second,
            3 => Nth::Third,
            4 => Nth::Fourth,
            -1 => Nth::Last,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Nth::First => "First",
            Nth::Second => "Second",
            Nth::Third => "Third",
            Nth::Fourth => "Fourth",
            Nth::Last => "Last",
        }
    }
}

/// A meeting as typed into the form or sent to the API: every field as text.
#[derive(Clone, Debug, Default)]
pub struct ListingInput<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub start_time: &'a str,
    pub end_time: &'a str,
    /// `weekly`, `biweekly`, `monthly`, `once` or `appointment` (no day or times).
    pub recurrence: &'a str,
    /// Day numbers, Sunday 0.
    pub days: Vec<&'a str>,
    /// For monthly: 1–4 or -1.
    pub nth: &'a str,
    /// For once: the date; for every other week: a date in an "on" week (default: the next day).
    pub date: &'a str,
    /// Cancelled dates, comma or newline separated.
    pub cancelled: &'a str,
    pub mode: &'a str,
    pub status: &'a str,
    pub location: &'a str,
    pub location_notes: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
    pub latitude: &'a str,
    pub longitude: &'a str,
    pub approximate: bool,
    pub conference_url: &'a str,
    pub conference_url_notes: &'a str,
    pub conference_phone: &'a str,
    pub conference_phone_notes: &'a str,
    pub types: &'a str,
    pub notes: &'a str,
    /// The area's path, "Region > Sub-region > District" (empty: none).
    pub area: &'a str,
}

/// The fields of a listing form, in order (also the keys of a suggested change).
pub const LISTING_FIELDS: &[&str] = &[
    "name",
    "time_zone",
    "start_time",
    "end_time",
    "recurrence",
    "days",
    "nth",
    "date",
    "cancelled",
    "mode",
    "status",
    "location",
    "location_notes",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "approximate",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "notes",
    "area",
];

impl<'a> ListingInput<'a> {
    /// An input read field by field (`days` comma-separated, `approximate` non-empty for yes).
    pub fn from_fields(get: impl Fn(&str) -> &'a str) -> ListingInput<'a> {
        ListingInput {
            name: get("name"),
            time_zone: get("time_zone"),
            start_time: get("start_time"),
            end_time: get("end_time"),
            recurrence: get("recurrence"),
            days: get("days").split(',').collect(),
            nth: get("nth"),
            date: get("date"),
            cancelled: get("cancelled"),
            mode: get("mode"),
            status: get("status"),
            location: get("location"),
            location_notes: get("location_notes"),
            address: get("address"),
            city: get("city"),
            state: get("state"),
            postal_code: get("postal_code"),
            country: get("country"),
            latitude: get("latitude"),
            longitude: get("longitude"),
            approximate: !get("approximate").trim().is_empty(),
            conference_url: get("conference_url"),
            conference_url_notes: get("conference_url_notes"),
            conference_phone: get("conference_phone"),
            conference_phone_notes: get("conference_phone_notes"),
            types: get("types"),
            notes: get("notes"),
            area: get("area"),
        }
    }
}

/// A listing as the values of its form, in [`LISTING_FIELDS`] order: what an edit or a
/// suggestion starts from, and what a change is compared by.
pub fn listing_fields(listing: &Listing) -> Vec<(&'static str, String)> {
    let (start_time, end_time) = listing.clock_times().unwrap_or_default();
    let stored = listing.recurrence.stored();
    let date = match &listing.recurrence {
        Recurrence::Weekly(_) | Recurrence::Monthly { .. } => String::new(),
        _ => stored.date.clone().unwrap_or_default(),
    };
    let address = if listing.address.is_empty() {
        listing.formatted_address.clone()
    } else {
        listing.address.clone()
    };
    let number = |n: Option<f64>| n.map(|v| v.to_string()).unwrap_or_default();
    vec![
        ("name", listing.name.clone()),
        ("time_zone", listing.zone.clone()),
        ("start_time", start_time),
        ("end_time", end_time),
        ("recurrence", stored.kind),
        ("days", stored.days),
        ("nth", stored.nth.map(|n| n.to_string()).unwrap_or_default()),
        ("date", date),
        (
            "cancelled",
            listing
                .cancelled
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("mode", listing.mode.as_str().into()),
        ("status", listing.status.as_str().into()),
        ("location", listing.location.clone()),
        ("location_notes", listing.location_notes.clone()),
        ("address", address),
        ("city", listing.city.clone()),
        ("state", listing.state.clone()),
        ("postal_code", listing.postal_code.clone()),
        ("country", listing.country.clone()),
        ("latitude", number(listing.point.map(|p| p.lat))),
        ("longitude", number(listing.point.map(|p| p.lng))),
        (
            "approximate",
            if listing.approximate == Some(true) {
                "yes"
            } else {
                ""
            }
            .into(),
        ),
        ("conference_url", listing.conference_url.clone()),
        ("conference_url_notes", listing.conference_url_notes.clone()),
        ("conference_phone", listing.conference_phone.clone()),
        (
            "conference_phone_notes",
            listing.conference_phone_notes.clone(),
        ),
        ("types", listing.types.join(", ")),
        ("notes", listing.notes.clone()),
        ("area", listing.area_label()),
    ]
}

/// Carries over what a form does not show from the listing being edited: the feed's address
/// style and list of regions, and an unchanged `approximate: no`.
pub fn keep_unshown(edited: &mut Listing, current: &Listing) {
    if !current.formatted_address.is_empty()
        && current.address.is_empty()
        && edited.address == current.formatted_address
    {
        edited.formatted_address = std::mem::take(&mut edited.address);
    }
    edited.regions.clone_from(&current.regions);
    if edited.approximate.is_none() && current.approximate == Some(false) {
        edited.approximate = Some(false);
    }
}

/// The fields that differ between two listings: (field, before, after).
pub fn diff(before: &Listing, after: &Listing) -> Vec<(&'static str, String, String)> {
    listing_fields(before)
        .into_iter()
        .zip(listing_fields(after))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| (field, a, b))
        .collect()
}

/// Longest accepted text per field.
const SHORT: usize = 255;
const LONG: usize = 4000;

fn text(
    value: &str,
    field: &'static str,
    limit: usize,
    errors: &mut Vec<(&'static str, String)>,
) -> String {
    let value = value.trim();
    if value.chars().count() > limit {
        errors.push((field, format!("Please keep this under {limit} characters.")));
    }
    value.to_owned()
}

/// Type codes from "O, D, W": trimmed, de-duplicated, each up to 20 characters. Unknown codes
/// are kept as custom types.
pub fn parse_types(text: &str) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for code in text
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if code.chars().count() > 20 || code.chars().any(|c| c.is_control()) {
            return Err(format!(
                "Type codes are short, like O, D or 12x12; \"{}…\" is too long.",
                code.chars().take(20).collect::<String>()
            ));
        }
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    if codes.len() > 40 {
        return Err("Please choose at most 40 type codes.".into());
    }
    Ok(codes)
}

/// An area's path ("Chicago > Portage Park") as its region, sub-region and district names.
pub fn parse_area(label: &str) -> Result<[String; 3], String> {
    let mut names: [String; 3] = Default::default();
    let given: Vec<&str> = label
        .split('>')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if given.len() > names.len() {
        return Err("An area is a region, a sub-region and a district at most.".into());
    }
    if given.iter().any(|n| n.chars().count() > 100) {
        return Err("Please keep each area's name under 100 characters.".into());
    }
    for (slot, name) in names.iter_mut().zip(given) {
        *slot = name.to_owned();
    }
    Ok(names)
}

/// Checks a listing typed into a form or sent to the API. `slug` is kept from the existing
/// listing (or made by the caller for a new one).
pub fn parse_listing(
    input: &ListingInput<'_>,
    slug: String,
    today: Date,
) -> Result<Listing, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let name = text(input.name, "name", SHORT, &mut errors);
    if name.is_empty() {
        errors.push(("name", "Give the meeting a name.".into()));
    }
    let zone = match Zone::parse(input.time_zone) {
        Ok(zone) => zone.name().to_owned(),
        Err(e) => {
            errors.push(("time_zone", e.to_string()));
            String::new()
        }
    };
    // A meeting by appointment has no day or times: whatever the form still holds is ignored.
    let by_appointment = input.recurrence.trim() == "appointment";
    let mut time = |value: &str, field: &'static str| match parse_time(value) {
        _ if by_appointment => Some(Time::midnight()),
        Ok(t) => Some(t),
        Err(e) => {
            errors.push((field, e.to_string()));
            None
        }
    };
    let start = time(input.start_time, "start_time");
    let end = time(input.end_time, "end_time");
    let days: Option<Vec<Weekday>> = input
        .days
        .iter()
        .filter(|d| !d.trim().is_empty() && !by_appointment)
        .map(|d| d.trim().parse::<i64>().ok().and_then(weekday))
        .collect();
    let days = days.unwrap_or_else(|| {
        errors.push((
            "days",
            "Days are numbers from 0 (Sunday) to 6 (Saturday).".into(),
        ));
        Vec::new()
    });
    let date = if input.date.trim().is_empty() {
        None
    } else {
        match parse_date(input.date) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(("date", e.to_string()));
                None
            }
        }
    };
    let nth_text = input.nth.trim();
    if !nth_text.is_empty()
        && nth_text
            .parse::<i64>()
            .ok()
            .and_then(Nth::from_i64)
            .is_none()
    {
        errors.push((
            "nth",
            "The week of the month is 1 to 4, or -1 for the last.".into(),
        ));
    }
    let recurrence = match input.recurrence.trim() {
        "" | "weekly" => Some(Recurrence::Weekly(days.clone())),
        "biweekly" => Some(Recurrence::EveryOtherWeek {
            days: days.clone(),
            anchor: date.unwrap_or(today),
        }),
        "monthly" => match (
            input.nth.trim().parse::<i64>().ok().and_then(Nth::from_i64),
            days.as_slice(),
        ) {
            (Some(nth), [day]) => Some(Recurrence::Monthly { nth, day: *day }),
            (None, _) => {
                errors.push((
                    "nth",
                    "Choose which week of the month: first, second, third, fourth or last.".into(),
                ));
                None
            }
            _ => {
                errors.push((
                    "days",
                    "A monthly meeting falls on one day of the week: choose exactly one.".into(),
                ));
                None
            }
        },
        "once" => match date {
            Some(d) => Some(Recurrence::Once(d)),
            None => {
                errors.push(("date", "Give the date of this one-time meeting.".into()));
                None
            }
        },
        "appointment" => Some(Recurrence::ByAppointment),
        _ => {
            errors.push((
                "recurrence",
                "Choose how often it meets: weekly, every other week, monthly, once or by \
                 appointment."
                    .into(),
            ));
            None
        }
    };
    let mut cancelled = BTreeSet::new();
    for item in input
        .cancelled
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match parse_date(item) {
            Ok(d) => {
                cancelled.insert(d);
            }
            Err(_) => errors.push(("cancelled", format!("\"{}\" is not a date: list cancelled dates as YYYY-MM-DD, separated by commas.", item.chars().take(20).collect::<String>()))),
        }
    }
    let area = parse_area(input.area).unwrap_or_else(|e| {
        errors.push(("area", e));
        Default::default()
    });
    let mode = Mode::parse(input.mode).unwrap_or_else(|| {
        errors.push((
            "mode",
            "Choose how people attend: in person, online, hybrid or by phone.".into(),
        ));
        Mode::InPerson
    });
    let status = if input.status.trim().is_empty() {
        Status::Active
    } else {
        Status::parse(input.status).unwrap_or_else(|| {
            errors.push(("status", "Status is active or closed.".into()));
            Status::Active
        })
    };
    let point = match (input.latitude.trim(), input.longitude.trim()) {
        ("", "") => None,
        (lat, lng) => {
            let parsed = lat
                .parse::<f64>()
                .map_err(|_| ("latitude", super::geo::PointError::Latitude))
                .and_then(|lat| {
                    lng.parse::<f64>()
                        .map(|lng| (lat, lng))
                        .map_err(|_| ("longitude", super::geo::PointError::Longitude))
                })
                .and_then(|(lat, lng)| {
                    Point::new(lat, lng).map_err(|e| {
                        (
                            if e == super::geo::PointError::Latitude {
                                "latitude"
                            } else {
                                "longitude"
                            },
                            e,
                        )
                    })
                });
            match parsed {
                Ok(p) => Some(p),
                Err((field, e)) => {
                    errors.push((field, e.to_string()));
                    None
                }
            }
        }
    };
    let types = parse_types(input.types).unwrap_or_else(|e| {
        errors.push(("types", e));
        Vec::new()
    });
    let conference_url = text(input.conference_url, "conference_url", SHORT, &mut errors);
    if !conference_url.is_empty()
        && !conference_url.starts_with("https://")
        && !conference_url.starts_with("http://")
    {
        errors.push(("conference_url", "A join link starts with https://".into()));
    }
    let conference_phone = text(input.conference_phone, "conference_phone", 64, &mut errors);
    if !conference_phone
        .chars()
        .all(|c| c.is_ascii_digit() || "+,*#- ()".contains(c))
    {
        errors.push(("conference_phone", "A phone number has digits, and + , * # for international numbers and one-tap passcodes.".into()));
    }
    if mode.remote() && conference_url.is_empty() && conference_phone.is_empty() {
        errors.push((
            "conference_url",
            "An online, hybrid or phone meeting needs a join link or a phone number.".into(),
        ));
    }
    let address = text(input.address, "address", SHORT, &mut errors);
    let city = text(input.city, "city", SHORT, &mut errors);
    if mode.in_person() && address.is_empty() && city.is_empty() {
        errors.push((
            "address",
            "An in-person meeting needs an address or at least a city.".into(),
        ));
    }
    let listing = Listing {
        slug,
        name,
        zone,
        start: start.unwrap_or(Time::midnight()),
        end: end.unwrap_or(Time::midnight()),
        recurrence: recurrence.clone().unwrap_or(Recurrence::Weekly(Vec::new())),
        cancelled,
        mode,
        status,
        location: text(input.location, "location", SHORT, &mut errors),
        location_notes: text(input.location_notes, "location_notes", LONG, &mut errors),
        formatted_address: String::new(),
        address,
        city,
        state: text(input.state, "state", SHORT, &mut errors),
        postal_code: text(input.postal_code, "postal_code", 32, &mut errors),
        country: text(input.country, "country", SHORT, &mut errors),
        region: area[0].clone(),
        sub_region: area[1].clone(),
        district: area[2].clone(),
        regions: Vec::new(),
        point,
        approximate: input.approximate.then_some(true),
        conference_url,
        conference_url_notes: text(
            input.conference_url_notes,
            "conference_url_notes",
            SHORT,
            &mut errors,
        ),
        conference_phone,
        conference_phone_notes: text(
            input.conference_phone_notes,
            "conference_phone_notes",
            SHORT,
            &mut errors,
        ),
        types,
        notes: text(input.notes, "notes", LONG, &mut errors),
    };
    if let (Some(start), Some(end), Some(recurrence)) = (start, end, recurrence)
        && let Err(e) = Schedule::new(Zone::utc(), start, end, recurrence)
    {
        errors.push(match e {
            ScheduleError::NoDays => ("days", e.to_string()),
            _ => ("end_time", "The end time must differ from the start time. (A meeting may run past midnight: an end before the start means the next day.)".into()),
        });
    }
    if errors.is_empty() {
        Ok(listing)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ListingInput<'static> {
        ListingInput {
            name: "Tuesday Night Hope",
            time_zone: "America/Chicago",
            start_time: "19:00",
            end_time: "20:00",
            recurrence: "weekly",
            days: vec!["2"],
            mode: "in_person",
            address: "1 Main St",
            city: "Chicago",
            ..ListingInput::default()
        }
    }

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    fn fields(input: &ListingInput<'_>) -> Vec<&'static str> {
        parse_listing(input, "s".into(), today())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn a_good_listing_parses_and_keeps_custom_types() {
        let mut input = base();
        input.types = "O, D, QUIET, O";
        let listing = parse_listing(&input, "tuesday-night-hope".into(), today()).unwrap();
        assert_eq!(listing.types, ["O", "D", "QUIET"]);
        assert_eq!(
            listing.recurrence,
            Recurrence::Weekly(vec![Weekday::Tuesday])
        );
        assert_eq!(listing.address_line(), "1 Main St, Chicago");
    }

    #[test]
    fn bad_fields_are_each_named() {
        let mut input = base();
        input.time_zone = "Mars/Olympus";
        input.start_time = "25:00";
        input.latitude = "200";
        input.longitude = "0";
        assert_eq!(fields(&input), ["time_zone", "start_time", "latitude"]);
        let mut same = base();
        same.end_time = "19:00";
        assert_eq!(fields(&same), ["end_time"]);
        let mut online = base();
        online.mode = "online";
        assert_eq!(fields(&online), ["conference_url"]);
        let mut monthly = base();
        monthly.recurrence = "monthly";
        assert_eq!(fields(&monthly), ["nth"]);
        monthly.nth = "1";
        monthly.days = vec!["6"];
        assert!(fields(&monthly).is_empty());
        let mut weekly_with_week = base();
        weekly_with_week.nth = "0";
        assert_eq!(
            fields(&weekly_with_week),
            ["nth"],
            "a week of the month that is none is refused, whatever the recurrence"
        );
    }

    #[test]
    fn a_listing_survives_its_own_form_and_a_diff_names_what_changed() {
        let listing = parse_listing(&base(), "s".into(), today()).unwrap();
        let fields = listing_fields(&listing);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(f, _)| *f == name)
                .map_or("", |(_, v)| v.as_str())
        };
        let again = parse_listing(&ListingInput::from_fields(get), "s".into(), today()).unwrap();
        assert!(diff(&listing, &again).is_empty());
        let mut later = again.clone();
        later.start = Time::new(19, 30, 0, 0).unwrap();
        assert_eq!(
            diff(&listing, &later),
            [("start_time", "19:00".to_owned(), "19:30".to_owned())]
        );
    }

    #[test]
    fn a_meeting_by_appointment_needs_no_day_or_times_and_keeps_none() {
        let mut input = base();
        input.recurrence = "appointment";
        input.start_time = "";
        input.end_time = "not a time";
        input.days = vec!["9"];
        let listing = parse_listing(&input, "s".into(), today()).unwrap();
        assert_eq!(listing.recurrence, Recurrence::ByAppointment);
        assert_eq!(listing.recurrence.describe(), "By appointment");
        let values = listing_fields(&listing);
        let get = |name: &str| {
            values
                .iter()
                .find(|(f, _)| *f == name)
                .map_or("", |(_, v)| v.as_str())
        };
        assert_eq!((get("start_time"), get("days")), ("", ""));
        let again = parse_listing(&ListingInput::from_fields(get), "s".into(), today()).unwrap();
        assert!(diff(&listing, &again).is_empty());
        input.recurrence = "weekly";
        assert_eq!(fields(&input), ["start_time", "end_time", "days"]);
    }

    #[test]
    fn a_meeting_past_midnight_is_valid() {
        let mut input = base();
        input.start_time = "23:00";
        input.end_time = "00:30";
        assert_eq!(
            parse_listing(&input, "s".into(), today())
                .unwrap()
                .schedule()
                .minutes(),
            90
        );
    }

    #[test]
    fn recurrences_round_trip_through_storage() {
        let all = [
            Recurrence::Weekly(vec![Weekday::Monday, Weekday::Sunday]),
            Recurrence::EveryOtherWeek {
                days: vec![Weekday::Friday],
                anchor: today(),
            },
            Recurrence::Monthly {
                nth: Nth::Last,
                day: Weekday::Saturday,
            },
            Recurrence::Once(today()),
            Recurrence::ByAppointment,
        ];
        for recurrence in all {
            let back = Recurrence::from_stored(&recurrence.stored()).unwrap();
            assert_eq!(back.stored(), recurrence.stored());
        }
        assert_eq!(
            Recurrence::Monthly {
                nth: Nth::First,
                day: Weekday::Saturday
            }
            .describe(),
            "First Saturday of the month"
        );
        assert_eq!(
            Recurrence::Weekly(vec![Weekday::Thursday, Weekday::Tuesday]).describe(),
            "Every Tuesday and Thursday"
        );
    }
}
