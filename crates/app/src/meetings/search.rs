//! Searching the directory: the search parameters checked into a query (the page's and the
//! API's alike), and the results as summaries or as the API's JSON, each result's facts written
//! once per directory.

use super::DirectorySnapshot;
use super::{RADIUS_RULE, directory_for, viewer_zone};
use crate::accounts::Viewer;
use crate::{App, AppError, FieldError};
use jiff::civil::Time;
use mutual_domain::Timestamp;
use mutual_domain::local::{Zone, parse_time};
use mutual_domain::meetings::catalog::{self, Mode};
use mutual_domain::meetings::listing;
use mutual_domain::meetings::search::{Entry, Hit, Order, Query};
use mutual_domain::meetings::week;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// What `when=now` adds to the meetings in progress: those starting within the hour.
const SOON: Duration = Duration::from_secs(3600);
/// Where `when=tonight` starts, in the viewer's zone.
const EVENING: Time = Time::constant(17, 0, 0, 0);

/// The search parameters, as given (query string or form).
pub const SEARCH_PARAMS: &[&str] = &[
    "q",
    "program",
    "tags",
    "size",
    "structure",
    "facilitation",
    "audience",
    "language",
    "accessibility",
    "mode",
    "types",
    "day",
    "after",
    "before",
    "tz",
    "near",
    "radius_km",
    "area",
    "starting_within_hours",
    "in_progress",
    "when",
    "limit",
    "order",
];

fn list_param(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) fn one(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Checks search parameters (`get` returns "" for absent ones) into a query.
pub fn parse_search<'a>(
    app: &App,
    viewer: Option<&Viewer>,
    get: impl Fn(&str) -> &'a str,
) -> Result<Query, AppError> {
    let mut errors = Vec::new();
    let zone = viewer_zone(app, viewer, get("tz")).unwrap_or_else(|e| {
        errors.push(FieldError::new("tz", error_text(e)));
        Zone::utc()
    });
    let mut query = Query::new(zone);
    let q = get("q");
    if q.chars().count() > 200 {
        errors.push(FieldError::new(
            "q",
            "Please search with fewer than 200 characters.",
        ));
    }
    query.words = q
        .split_whitespace()
        .take(10)
        .map(str::to_lowercase)
        .collect();
    query.program = one(get("program"));
    match area_names(get("area")) {
        Ok(names) => query.area = names,
        Err(e) => errors.push(e),
    }
    let mut vocabulary = |field: &'static str, terms: &[catalog::Term], what: &str, one: bool| {
        let given = list_param(get(field));
        let codes: Vec<&str> = given.iter().map(String::as_str).collect();
        if let Err(e) = catalog::checked_list(terms, &codes, what) {
            errors.push(FieldError::new(field, e));
        } else if one && given.len() > 1 {
            errors.push(FieldError::new(
                field,
                format!("Choose one {}.", what.to_lowercase()),
            ));
        }
        given
    };
    query.tags = vocabulary("tags", catalog::VALUE_TAGS, "Value", false);
    query.audience = vocabulary("audience", catalog::AUDIENCES, "Audience", false);
    query.accessibility = vocabulary(
        "accessibility",
        catalog::ACCESSIBILITY,
        "Accessibility",
        false,
    );
    query.size = vocabulary("size", catalog::SIZES, "Size", true).pop();
    query.structure = vocabulary("structure", catalog::STRUCTURES, "Structure", true).pop();
    query.facilitation =
        vocabulary("facilitation", catalog::FACILITATION, "Facilitation", true).pop();
    query.language = one(get("language"));
    query.types = list_param(get("types"));
    if query.types.len() > 20 {
        errors.push(FieldError::new("types", "Choose at most 20 types."));
    }
    match get("mode").trim() {
        "" => {}
        mode => match Mode::parse(mode) {
            Some(m) => query.mode = Some(m),
            None => errors.push(FieldError::new(
                "mode",
                "Mode is one of in_person, online, hybrid or phone.",
            )),
        },
    }
    match get("day").trim() {
        "" => {}
        day => match day.parse::<i64>().ok().and_then(listing::weekday) {
            Some(d) => query.day = Some(d),
            None => errors.push(FieldError::new(
                "day",
                "Day is a number from 0 (Sunday) to 6 (Saturday).",
            )),
        },
    }
    for (field, slot) in [("after", &mut query.after), ("before", &mut query.before)] {
        match get(field).trim() {
            "" => {}
            text => match parse_time(text) {
                Ok(t) => *slot = Some(t),
                Err(e) => errors.push(FieldError::new(field, e.to_string())),
            },
        }
    }
    let radius = match get("radius_km").trim() {
        "" => 25.0,
        text => match text.parse::<f64>() {
            Ok(r) if r > 0.0 && r <= 500.0 => r,
            _ => {
                errors.push(FieldError::new("radius_km", RADIUS_RULE));
                25.0
            }
        },
    };
    // A place name or coordinates, found among the directory's places when searching.
    match get("near").trim() {
        "" => {}
        text if text.chars().count() > 100 => errors.push(FieldError::new(
            "near",
            "Give a town, area or postcode (under 100 characters), or latitude,longitude.",
        )),
        text => query.near_place = Some((text.to_owned(), radius)),
    }
    match get("starting_within_hours").trim() {
        "" => {}
        text => match text.parse::<f64>() {
            Ok(h) if h > 0.0 && h <= 168.0 => {
                query.starting_within = Some(Duration::from_secs_f64(h * 3600.0));
            }
            _ => errors.push(FieldError::new(
                "starting_within_hours",
                "Give a number of hours from 1 to 168 (a week).",
            )),
        },
    }
    match get("in_progress").trim() {
        "" | "false" | "0" => {}
        "true" | "1" | "on" | "yes" => query.in_progress = true,
        _ => errors.push(FieldError::new(
            "in_progress",
            "in_progress is true or false.",
        )),
    }
    match get("when").trim() {
        "" => {}
        "now" => {
            query.in_progress = true;
            query.starting_within.get_or_insert(SOON);
        }
        "tonight" if query.day.is_some() || query.after.is_some() => {
            errors.push(FieldError::new(
                "when",
                "Tonight is today from 17:00: leave the day and \"Starting from\" empty, or choose \"Any time\".",
            ));
        }
        "tonight" => {
            query.day = Some(query.viewer_zone.date_of(app.clock.now()).weekday());
            query.after = Some(EVENING);
        }
        _ => errors.push(FieldError::new(
            "when",
            "When is now (in progress or starting within the hour) or tonight (today from 17:00).",
        )),
    }
    match get("limit").trim() {
        "" => {}
        text => match text.parse::<usize>() {
            Ok(n) if (1..=200).contains(&n) => query.limit = n,
            _ => errors.push(FieldError::new(
                "limit",
                "Limit is a whole number from 1 to 200.",
            )),
        },
    }
    match get("order").trim() {
        "" | "next" => {}
        "distance" => query.order = Order::Distance,
        _ => errors.push(FieldError::new("order", "Order is next or distance.")),
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn error_text(error: AppError) -> String {
    match error {
        AppError::Invalid(mut errors) if !errors.is_empty() => errors.remove(0).message,
        other => other.to_string(),
    }
}

/// What a search result says about the meeting itself: the same in every search, so its JSON
/// is written once per directory and reused.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MeetingFacts {
    pub id: Uuid,
    pub name: Arc<str>,
    pub group_id: Uuid,
    pub group: Arc<str>,
    pub program: Arc<str>,
    pub program_name: Arc<str>,
    pub mode: &'static str,
    pub types: Arc<[String]>,
    pub schedule: Arc<str>,
    pub time_zone: Arc<str>,
    pub location: Arc<str>,
    pub city: Arc<str>,
}

/// When a result meets next, as one search sees it (in the viewer's zone).
#[derive(Clone, Debug, serde::Serialize)]
pub struct MeetingTiming {
    pub starts_at: String,
    pub ends_at: String,
    /// Start in the viewer's zone, "YYYY-MM-DD HH:MM".
    pub starts_local: String,
    pub weekday: &'static str,
    /// Start in the meeting's own zone, when that differs from the viewer's.
    pub meeting_local: Option<String>,
    pub in_progress: bool,
    pub distance_km: Option<f64>,
}

/// One search result: one JSON object of the facts and the timing.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MeetingSummary {
    #[serde(flatten)]
    pub facts: MeetingFacts,
    #[serde(flatten)]
    pub timing: MeetingTiming,
}

impl MeetingSummary {
    /// How one attends, in words: "Online", or "In person in Camden".
    pub fn how_to_attend(&self) -> String {
        let mode = Mode::parse(self.facts.mode).map_or(self.facts.mode, Mode::label);
        if self.facts.city.is_empty() || !Mode::parse(self.facts.mode).is_some_and(Mode::in_person)
        {
            mode.to_owned()
        } else {
            format!("{mode} in {}", self.facts.city)
        }
    }
}

fn facts(entry: &Entry) -> MeetingFacts {
    MeetingFacts {
        id: entry.id,
        name: entry.name.clone(),
        group_id: entry.group.id,
        group: entry.group.name.clone(),
        program: entry.group.program.clone(),
        program_name: entry.group.program_name.clone(),
        mode: entry.mode.as_str(),
        types: entry.types.clone(),
        schedule: entry.schedule_text.clone(),
        time_zone: entry.zone_name.clone(),
        location: entry.location.clone(),
        city: entry.city.clone(),
    }
}

fn timing(entry: &Entry, hit: &Hit, zone: &Zone, now: Timestamp) -> MeetingTiming {
    let next = hit.next;
    let meeting_zone = &entry.schedule.zone;
    let (day, minute) = hit.local;
    MeetingTiming {
        starts_at: next.start.to_rfc3339(),
        ends_at: next.end.to_rfc3339(),
        starts_local: week::local_text(day, minute),
        weekday: listing::DAY_NAMES[usize::from(week::weekday_of(day))],
        meeting_local: (meeting_zone.name() != zone.name()).then(|| {
            format!(
                "{} {}",
                meeting_zone.display(next.start),
                meeting_zone.name()
            )
        }),
        in_progress: next.start <= now && now < next.end,
        distance_km: hit.distance_km.map(|d| (d * 10.0).round() / 10.0),
    }
}

pub(super) fn summary(
    snapshot: &DirectorySnapshot,
    hit: &Hit,
    zone: &Zone,
    now: Timestamp,
) -> MeetingSummary {
    let entry = &snapshot.directory.entries[hit.index];
    MeetingSummary {
        facts: facts(entry),
        timing: timing(entry, hit, zone, now),
    }
}

/// An area's path ("Chicago > Portage Park") as its names from the region down.
pub(super) fn area_names(label: &str) -> Result<Vec<String>, FieldError> {
    let names = listing::parse_area(label).map_err(|e| FieldError::new("area", e))?;
    Ok(names.into_iter().filter(|n| !n.is_empty()).collect())
}

/// A search's `near` found among the directory's places (a field error when it names none).
fn located<'q>(
    snapshot: &DirectorySnapshot,
    query: &'q Query,
) -> Result<std::borrow::Cow<'q, Query>, AppError> {
    query
        .located(&snapshot.places)
        .map_err(|e| AppError::field("near", e.to_string()))
}

/// Searches the directory.
pub async fn search(
    app: &App,
    viewer: Option<&Viewer>,
    query: &Query,
) -> Result<Vec<MeetingSummary>, AppError> {
    let snapshot = directory_for(app, viewer).await?;
    let query = located(&snapshot, query)?;
    let now = app.clock.now();
    Ok(snapshot
        .search(&query, now)
        .iter()
        .map(|hit| summary(&snapshot, hit, &query.viewer_zone, now))
        .collect())
}

/// The meetings by appointment that match a search apart from time (see
/// [`Directory::by_appointment`](mutual_domain::meetings::search::Directory::by_appointment)).
pub async fn by_appointment(
    app: &App,
    viewer: Option<&Viewer>,
    query: &Query,
) -> Result<Vec<MeetingFacts>, AppError> {
    let snapshot = directory_for(app, viewer).await?;
    let query = located(&snapshot, query)?;
    Ok(snapshot
        .directory
        .by_appointment(&query)
        .into_iter()
        .map(|(entry, _)| facts(entry))
        .collect())
}

/// Searches the directory and writes the API's answer: `{"time_zone", "count", "meetings"}`,
/// each meeting the JSON of [`MeetingSummary`], its facts taken from the directory's cache.
pub async fn search_json(
    app: &App,
    viewer: Option<&Viewer>,
    query: &Query,
) -> Result<Vec<u8>, AppError> {
    let snapshot = directory_for(app, viewer).await?;
    let query = located(&snapshot, query)?;
    let now = app.clock.now();
    let hits = snapshot.search(&query, now);
    let json_error = |e: serde_json::Error| AppError::Internal(e.to_string());
    let mut out = Vec::with_capacity(128 + hits.len() * 600);
    out.extend_from_slice(b"{\"time_zone\":");
    serde_json::to_writer(&mut out, query.viewer_zone.name()).map_err(json_error)?;
    out.extend_from_slice(format!(",\"count\":{},\"meetings\":[", hits.len()).as_bytes());
    for (n, hit) in hits.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let entry = &snapshot.directory.entries[hit.index];
        let facts = snapshot.facts_json(hit.index, || {
            serde_json::to_vec(&facts(entry)).unwrap_or_else(|_| b"{}".to_vec())
        });
        // The facts' object without its closing brace, then the timing's without its opening one.
        out.extend_from_slice(&facts[..facts.len() - 1]);
        let timing =
            serde_json::to_vec(&timing(entry, hit, &query.viewer_zone, now)).map_err(json_error)?;
        out.push(b',');
        out.extend_from_slice(&timing[1..]);
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}
