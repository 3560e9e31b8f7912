//! Finding meetings: an in-memory directory of active meetings with a grid over the map, the
//! search filters (text, programme, group attributes, mode, type codes, day and time window in
//! the viewer's zone, starting soon, in progress, distance), and the guided finder's ranking
//! with the reasons for each suggestion in plain words.

use super::catalog::{self, Mode};
use super::geo::Point;
use super::listing::DAY_NAMES;
use super::{Occurrence, Recurrence, Schedule};
use crate::Timestamp;
use crate::local::Zone;
use jiff::civil::{Time, Weekday};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// One active meeting as the directory searches it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub group_name: String,
    pub program: String,
    pub approach: String,
    pub mode: Mode,
    pub types: Vec<String>,
    pub tags: Vec<String>,
    pub size: String,
    pub structure: String,
    pub facilitation: String,
    pub audience: Vec<String>,
    pub languages: Vec<String>,
    pub accessibility: Vec<String>,
    pub schedule: Schedule,
    pub point: Option<Point>,
    pub location: String,
    pub city: String,
    /// Lower-case text searched by `q`: names, place, programme, notes.
    pub haystack: String,
}

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    NextOccurrence,
    Distance,
}

/// A search, already checked.
#[derive(Clone, Debug)]
pub struct Query {
    /// Lower-case words that must all appear.
    pub words: Vec<String>,
    pub program: Option<String>,
    pub tags: Vec<String>,
    pub size: Option<String>,
    pub structure: Option<String>,
    pub facilitation: Option<String>,
    pub audience: Vec<String>,
    pub language: Option<String>,
    pub accessibility: Vec<String>,
    pub mode: Option<Mode>,
    /// Every one must be on the meeting.
    pub types: Vec<String>,
    /// In the viewer's zone.
    pub day: Option<Weekday>,
    pub after: Option<Time>,
    pub before: Option<Time>,
    pub viewer_zone: Zone,
    pub near: Option<(Point, f64)>,
    pub starting_within: Option<Duration>,
    pub in_progress: bool,
    pub limit: usize,
    pub order: Order,
}

impl Query {
    /// A query with no filters, seen from `zone`.
    pub fn new(zone: Zone) -> Query {
        Query {
            words: Vec::new(),
            program: None,
            tags: Vec::new(),
            size: None,
            structure: None,
            facilitation: None,
            audience: Vec::new(),
            language: None,
            accessibility: Vec::new(),
            mode: None,
            types: Vec::new(),
            day: None,
            after: None,
            before: None,
            viewer_zone: zone,
            near: None,
            starting_within: None,
            in_progress: false,
            limit: 50,
            order: Order::NextOccurrence,
        }
    }

    fn has_time_filter(&self) -> bool {
        self.day.is_some()
            || self.after.is_some()
            || self.before.is_some()
            || self.starting_within.is_some()
            || self.in_progress
    }
}

/// One result: the meeting, the occurrence that matched, and how far it is.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub index: usize,
    pub next: Occurrence,
    pub distance_km: Option<f64>,
}

/// Grid cells of a quarter degree: a 25 km search looks at a dozen cells.
const CELL_DEGREES: f64 = 0.25;

fn cell(point: Point) -> (i32, i32) {
    (
        (point.lat / CELL_DEGREES).floor() as i32,
        (point.lng / CELL_DEGREES).floor() as i32,
    )
}

/// Every active meeting, with a map grid for distance searches.
#[derive(Debug, Default)]
pub struct Directory {
    pub entries: Vec<Entry>,
    grid: HashMap<(i32, i32), Vec<u32>>,
}

impl Directory {
    pub fn new(entries: Vec<Entry>) -> Directory {
        let mut grid: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            if let (Some(point), Ok(i)) = (entry.point, u32::try_from(i)) {
                grid.entry(cell(point)).or_default().push(i);
            }
        }
        Directory { entries, grid }
    }

    /// Indexes of the entries that may lie within `km` of `center` (a superset).
    fn around(&self, center: Point, km: f64) -> Vec<usize> {
        let (lat_span, lng_span) = center.degrees_around(km);
        let low = cell(Point {
            lat: (center.lat - lat_span).max(-90.0),
            lng: center.lng - lng_span,
        });
        let high = cell(Point {
            lat: (center.lat + lat_span).min(90.0),
            lng: center.lng + lng_span,
        });
        let mut found = Vec::new();
        let lng_cells = 360.0 / CELL_DEGREES;
        let wrap = |x: i32| {
            let half = (lng_cells / 2.0) as i32;
            (x + half).rem_euclid(lng_cells as i32) - half
        };
        let columns: Vec<i32> = if high.1 - low.1 >= lng_cells as i32 {
            (-(lng_cells as i32) / 2..(lng_cells as i32) / 2).collect()
        } else {
            (low.1..=high.1).map(wrap).collect()
        };
        for lat in low.0..=high.0 {
            for lng in &columns {
                if let Some(list) = self.grid.get(&(lat, *lng)) {
                    found.extend(list.iter().map(|i| *i as usize));
                }
            }
        }
        found
    }

    /// The meetings matching `query` at `now`, ordered as asked, at most `query.limit`.
    pub fn search(&self, query: &Query, now: Timestamp) -> Vec<Hit> {
        let mut hits: Vec<Hit> = match query.near {
            Some((center, km)) => self
                .around(center, km)
                .into_iter()
                .filter_map(|i| self.hit(i, query, now))
                .collect(),
            None => (0..self.entries.len())
                .filter_map(|i| self.hit(i, query, now))
                .collect(),
        };
        let key = |hit: &Hit| (hit.next.start, hit.index);
        match query.order {
            Order::Distance if query.near.is_some() => hits.sort_by(|a, b| {
                a.distance_km
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                    .then(key(a).cmp(&key(b)))
            }),
            _ => {
                if hits.len() > query.limit && query.limit > 0 {
                    hits.select_nth_unstable_by_key(query.limit - 1, key);
                    hits.truncate(query.limit);
                }
                hits.sort_by_key(key);
            }
        }
        hits.truncate(query.limit);
        hits
    }

    fn hit(&self, index: usize, query: &Query, now: Timestamp) -> Option<Hit> {
        let entry = &self.entries[index];
        if !attributes_match(entry, query) {
            return None;
        }
        let distance_km = match (query.near, entry.point) {
            (Some((center, km)), Some(point)) => {
                let d = center.distance_km(point);
                if d > km {
                    return None;
                }
                Some(d)
            }
            (Some(_), None) => return None,
            (None, _) => None,
        };
        if let Some(day) = query.day
            && !could_fall_on(&entry.schedule.recurrence, day)
        {
            return None;
        }
        let next = timing(&entry.schedule, query, now)?;
        Some(Hit {
            index,
            next,
            distance_km,
        })
    }
}

fn contains(list: &[String], wanted: &str) -> bool {
    list.iter().any(|item| item == wanted)
}

fn attributes_match(entry: &Entry, query: &Query) -> bool {
    query.types.iter().all(|t| contains(&entry.types, t))
        && query.mode.is_none_or(|mode| entry.mode == mode)
        && query.program.as_deref().is_none_or(|p| entry.program == p)
        && query.tags.iter().all(|t| contains(&entry.tags, t))
        && query.size.as_deref().is_none_or(|s| entry.size == s)
        && query
            .structure
            .as_deref()
            .is_none_or(|s| entry.structure == s)
        && query
            .facilitation
            .as_deref()
            .is_none_or(|f| entry.facilitation == f)
        && query.audience.iter().all(|a| contains(&entry.audience, a))
        && query
            .language
            .as_deref()
            .is_none_or(|l| contains(&entry.languages, l))
        && query
            .accessibility
            .iter()
            .all(|a| contains(&entry.accessibility, a))
        && query
            .words
            .iter()
            .all(|w| entry.haystack.contains(w.as_str()))
}

/// Whether any occurrence could start on `day` in some zone: the meeting's own day, or one
/// either side (zones are less than a day apart).
fn could_fall_on(recurrence: &Recurrence, day: Weekday) -> bool {
    recurrence
        .weekdays()
        .iter()
        .any(|d| *d == day || d.next() == day || d.previous() == day)
}

/// The first occurrence, from `now`, that satisfies the query's time filters (the next one
/// when there are none).
fn timing(schedule: &Schedule, query: &Query, now: Timestamp) -> Option<Occurrence> {
    if !query.has_time_filter() {
        return schedule.next(now);
    }
    let days = match (
        &schedule.recurrence,
        query.starting_within,
        query.in_progress,
    ) {
        (_, _, true) => 1,
        (_, Some(within), _) => within.as_secs() / 86_400 + 2,
        (Recurrence::Weekly(_), None, false) => 8,
        _ => 62,
    };
    let until = now.plus(Duration::from_secs(days * 86_400));
    let tz = query.viewer_zone.tz();
    schedule.between(now, until).into_iter().find(|o| {
        if query.in_progress && !(o.start <= now && now < o.end) {
            return false;
        }
        if let Some(within) = query.starting_within
            && !(o.start >= now && o.start <= now.plus(within))
        {
            return false;
        }
        if !query.in_progress && query.starting_within.is_none() && o.start < now {
            return false;
        }
        let Ok(at) = jiff::Timestamp::from_millisecond(o.start.millis()) else {
            return false;
        };
        let local = at.to_zoned(tz.clone()).datetime();
        if query.day.is_some_and(|day| local.weekday() != day) {
            return false;
        }
        in_window(local.time(), query.after, query.before)
    })
}

/// Whether `time` is at or after `after` and before `before`; a window whose end is earlier
/// than its start runs past midnight.
fn in_window(time: Time, after: Option<Time>, before: Option<Time>) -> bool {
    match (after, before) {
        (None, None) => true,
        (Some(a), None) => time >= a,
        (None, Some(b)) => time < b,
        (Some(a), Some(b)) if a <= b => time >= a && time < b,
        (Some(a), Some(b)) => time >= a || time < b,
    }
}

/// Parts of the day, in the viewer's zone, for the guided finder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub const ALL: [DayPart; 3] = [DayPart::Morning, DayPart::Afternoon, DayPart::Evening];

    pub fn as_str(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::Evening => "evening",
        }
    }

    pub fn parse(text: &str) -> Option<DayPart> {
        DayPart::ALL.into_iter().find(|p| p.as_str() == text)
    }

    fn of(time: Time) -> DayPart {
        match time.hour() {
            5..=11 => DayPart::Morning,
            12..=16 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }
}

/// How someone wants to attend, in the guided finder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attend {
    InPerson,
    Online,
    Either,
}

/// The guided finder's answers. Every answer is optional.
#[derive(Clone, Debug)]
pub struct Answers {
    /// Programme approaches or value tags the person is drawn to.
    pub approaches: Vec<String>,
    pub size: Option<String>,
    pub structure: Option<String>,
    pub audience: Vec<String>,
    pub days: Vec<Weekday>,
    pub parts: Vec<DayPart>,
    pub attend: Attend,
    pub near: Option<(Point, f64)>,
    pub language: Option<String>,
    pub viewer_zone: Zone,
}

/// One suggestion: a meeting, its next time, a score, and why.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub hit: Hit,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// Ranks meetings for the guided finder. How one attends and how far one travels are firm;
/// everything else adds to the score with a reason in plain words. At most `limit`.
pub fn suggest(
    directory: &Directory,
    answers: &Answers,
    now: Timestamp,
    limit: usize,
) -> Vec<Suggestion> {
    let horizon = now.plus(Duration::from_secs(8 * 86_400));
    let mut found: Vec<Suggestion> = Vec::new();
    for (index, entry) in directory.entries.iter().enumerate() {
        let mut reasons = Vec::new();
        let mut score = 0;
        let distance_km = match answers.attend {
            Attend::Online if !entry.mode.remote() => continue,
            Attend::Online => {
                reasons.push(format!("{}: join from anywhere", entry.mode.label()));
                None
            }
            Attend::InPerson | Attend::Either => {
                match (answers.near, entry.point, entry.mode.in_person()) {
                    (Some((center, km)), Some(point), true) => {
                        let d = center.distance_km(point);
                        if d > km {
                            if answers.attend == Attend::InPerson {
                                continue;
                            }
                        } else {
                            score += 3;
                            reasons.push(format!("In person, {d:.1} km from you"));
                        }
                        Some(d)
                    }
                    _ if answers.attend == Attend::InPerson && !entry.mode.in_person() => continue,
                    (None, _, true) if answers.attend == Attend::InPerson => {
                        reasons.push(format!("In person in {}", entry.city));
                        None
                    }
                    _ if entry.mode.remote() => {
                        reasons.push(format!("{}: join from anywhere", entry.mode.label()));
                        None
                    }
                    _ => continue,
                }
            }
        };
        let Some(next) = entry.schedule.next(now) else {
            continue;
        };
        for wanted in &answers.approaches {
            if entry.approach == *wanted {
                score += 3;
                reasons.push(format!(
                    "{} ({})",
                    catalog::label(catalog::APPROACHES, wanted),
                    entry.program
                ));
            } else if contains(&entry.tags, wanted) {
                score += 3;
                reasons.push(format!(
                    "{}, as you asked",
                    catalog::label(catalog::VALUE_TAGS, wanted)
                ));
            }
        }
        if answers.size.as_deref().is_some_and(|s| entry.size == s) {
            score += 2;
            reasons.push(format!(
                "{} group",
                catalog::label(catalog::SIZES, &entry.size)
            ));
        }
        if answers
            .structure
            .as_deref()
            .is_some_and(|s| entry.structure == s)
        {
            score += 2;
            reasons.push(format!(
                "Format: {}",
                catalog::label(catalog::STRUCTURES, &entry.structure).to_lowercase()
            ));
        }
        for wanted in &answers.audience {
            if contains(&entry.audience, wanted) {
                score += 2;
                reasons.push(format!(
                    "For {}",
                    catalog::label(catalog::AUDIENCES, wanted).to_lowercase()
                ));
            }
        }
        if let Some(language) = &answers.language
            && contains(&entry.languages, language)
        {
            score += 2;
            reasons.push(format!("In {language}"));
        }
        if !answers.days.is_empty() || !answers.parts.is_empty() {
            let tz = answers.viewer_zone.tz();
            let fits = entry.schedule.between(now, horizon).into_iter().find(|o| {
                let Ok(at) = jiff::Timestamp::from_millisecond(o.start.millis()) else {
                    return false;
                };
                let local = at.to_zoned(tz.clone()).datetime();
                (answers.days.is_empty() || answers.days.contains(&local.weekday()))
                    && (answers.parts.is_empty()
                        || answers.parts.contains(&DayPart::of(local.time())))
            });
            if let Some(o) = fits {
                score += 3;
                let at = jiff::Timestamp::from_millisecond(o.start.millis())
                    .map(|t| t.to_zoned(tz.clone()).datetime())
                    .ok();
                if let Some(local) = at {
                    let day = DAY_NAMES
                        [usize::try_from(local.weekday().to_sunday_zero_offset()).unwrap_or(0)];
                    reasons.push(format!(
                        "Meets {day} {} at {:02}:{:02}, when you said you can go",
                        DayPart::of(local.time()).as_str(),
                        local.hour(),
                        local.minute()
                    ));
                }
            }
        }
        if score == 0 && !answers_are_empty(answers) {
            continue;
        }
        found.push(Suggestion {
            hit: Hit {
                index,
                next,
                distance_km,
            },
            score,
            reasons,
        });
    }
    found.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.hit.next.start.cmp(&b.hit.next.start))
    });
    found.truncate(limit);
    found
}

fn answers_are_empty(answers: &Answers) -> bool {
    answers.approaches.is_empty()
        && answers.size.is_none()
        && answers.structure.is_none()
        && answers.audience.is_empty()
        && answers.days.is_empty()
        && answers.parts.is_empty()
        && answers.language.is_none()
        && answers.near.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;

    fn entry(name: &str, mode: Mode, day: Weekday, hour: i8, point: Option<Point>) -> Entry {
        Entry {
            id: Uuid::now_v7(),
            group_id: Uuid::now_v7(),
            name: name.into(),
            group_name: name.into(),
            program: "AA".into(),
            approach: "twelve-step".into(),
            mode,
            types: vec!["O".into(), "D".into()],
            tags: vec!["spiritual".into()],
            size: "medium".into(),
            structure: "sharing".into(),
            facilitation: "peer".into(),
            audience: vec![],
            languages: vec!["EN".into()],
            accessibility: vec![],
            schedule: Schedule::new(
                Zone::parse("America/Chicago").unwrap(),
                Time::new(hour, 0, 0, 0).unwrap(),
                Time::new((hour + 1) % 24, 0, 0, 0).unwrap(),
                Recurrence::Weekly(vec![day]),
            )
            .unwrap(),
            point,
            location: String::new(),
            city: "Chicago".into(),
            haystack: name.to_lowercase(),
        }
    }

    fn chicago() -> Zone {
        Zone::parse("America/Chicago").unwrap()
    }

    /// Saturday 21 November 2026, 10:00 in Chicago.
    fn now() -> Timestamp {
        chicago()
            .instant(
                Date::new(2026, 11, 21).unwrap(),
                Time::new(10, 0, 0, 0).unwrap(),
            )
            .unwrap()
    }

    fn names(directory: &Directory, query: &Query) -> Vec<String> {
        directory
            .search(query, now())
            .iter()
            .map(|h| directory.entries[h.index].name.clone())
            .collect()
    }

    fn sample() -> Directory {
        let loop_ = Point::new(41.8781, -87.6298).ok();
        let evanston = Point::new(42.0451, -87.6877).ok();
        let milwaukee = Point::new(43.0389, -87.9065).ok();
        let mut women = entry(
            "Women in the Loop",
            Mode::InPerson,
            Weekday::Tuesday,
            19,
            loop_,
        );
        women.types.push("W".into());
        women.audience.push("women".into());
        let mut secular = entry(
            "Secular Evanston",
            Mode::Hybrid,
            Weekday::Saturday,
            11,
            evanston,
        );
        secular.approach = "secular".into();
        secular.tags = vec!["secular".into()];
        secular.size = "small".into();
        secular.program = "LIFERING".into();
        Directory::new(vec![
            women,
            secular,
            entry("Online Sunday", Mode::Online, Weekday::Sunday, 8, None),
            entry(
                "Milwaukee Monday",
                Mode::InPerson,
                Weekday::Monday,
                7,
                milwaukee,
            ),
        ])
    }

    #[test]
    fn every_filter_narrows_the_results() {
        let d = sample();
        let mut q = Query::new(chicago());
        assert_eq!(
            names(&d, &q),
            [
                "Secular Evanston",
                "Online Sunday",
                "Milwaukee Monday",
                "Women in the Loop"
            ],
            "ordered by next occurrence"
        );
        q.types = vec!["O".into(), "W".into()];
        assert_eq!(names(&d, &q), ["Women in the Loop"]);
        let mut q = Query::new(chicago());
        q.mode = Some(Mode::Online);
        assert_eq!(names(&d, &q), ["Online Sunday"]);
        let mut q = Query::new(chicago());
        q.near = Some((Point::new(41.88, -87.63).unwrap(), 25.0));
        q.order = Order::Distance;
        assert_eq!(names(&d, &q), ["Women in the Loop", "Secular Evanston"]);
        let mut q = Query::new(chicago());
        q.words = vec!["evanston".into()];
        assert_eq!(names(&d, &q), ["Secular Evanston"]);
        let mut q = Query::new(chicago());
        q.program = Some("LIFERING".into());
        q.size = Some("small".into());
        q.tags = vec!["secular".into()];
        assert_eq!(names(&d, &q), ["Secular Evanston"]);
        let mut q = Query::new(chicago());
        q.audience = vec!["women".into()];
        assert_eq!(names(&d, &q), ["Women in the Loop"]);
        let mut q = Query::new(chicago());
        q.starting_within = Some(Duration::from_secs(2 * 3600));
        assert_eq!(
            names(&d, &q),
            ["Secular Evanston"],
            "11:00, an hour from now"
        );
        let mut q = Query::new(chicago());
        q.in_progress = true;
        assert!(names(&d, &q).is_empty());
    }

    #[test]
    fn day_and_time_are_the_viewers() {
        let d = sample();
        let mut q = Query::new(Zone::parse("Europe/London").unwrap());
        // Tuesday 19:00 in Chicago is Wednesday 01:00 in London.
        q.day = Weekday::Wednesday.into();
        q.after = Time::new(0, 30, 0, 0).ok();
        q.before = Time::new(2, 0, 0, 0).ok();
        assert_eq!(names(&d, &q), ["Women in the Loop"]);
        q.day = Some(Weekday::Tuesday);
        assert!(names(&d, &q).is_empty());
        let mut late = Query::new(chicago());
        late.after = Time::new(18, 0, 0, 0).ok();
        late.before = Time::new(6, 0, 0, 0).ok();
        assert_eq!(names(&late_dir(), &late), ["Late", "Women in the Loop"]);
    }

    fn late_dir() -> Directory {
        let mut d = sample();
        d.entries
            .push(entry("Late", Mode::Online, Weekday::Saturday, 23, None));
        Directory::new(d.entries)
    }

    #[test]
    fn windows_may_run_past_midnight() {
        let t = |h| Time::new(h, 0, 0, 0).unwrap();
        assert!(in_window(t(23), Some(t(22)), Some(t(2))));
        assert!(in_window(t(1), Some(t(22)), Some(t(2))));
        assert!(!in_window(t(12), Some(t(22)), Some(t(2))));
    }

    #[test]
    fn the_guided_finder_ranks_by_fit_and_says_why() {
        let d = sample();
        let answers = Answers {
            approaches: vec!["secular".into()],
            size: Some("small".into()),
            structure: None,
            audience: vec![],
            days: vec![Weekday::Saturday],
            parts: vec![DayPart::Morning],
            attend: Attend::Either,
            near: Some((Point::new(41.88, -87.63).unwrap(), 30.0)),
            language: None,
            viewer_zone: chicago(),
        };
        let found = suggest(&d, &answers, now(), 10);
        let first = &found[0];
        assert_eq!(d.entries[first.hit.index].name, "Secular Evanston");
        assert!(
            first.reasons.iter().any(|r| r.starts_with("Secular")),
            "{:?}",
            first.reasons
        );
        assert!(first.reasons.iter().any(|r| r.contains("Small")));
        assert!(first.reasons.iter().any(|r| r.contains("Saturday morning")));
        assert!(
            !found
                .iter()
                .any(|s| d.entries[s.hit.index].name == "Milwaukee Monday"),
            "too far, and nothing else fits"
        );
        let online = Answers {
            attend: Attend::Online,
            ..answers
        };
        assert!(
            suggest(&d, &online, now(), 10)
                .iter()
                .all(|s| d.entries[s.hit.index].mode.remote())
        );
    }
}
