//! Finding meetings: an in-memory directory of active meetings with a grid over the map, the
//! search filters (text, programme, group attributes, mode, type codes, day and time window in
//! the viewer's zone, starting soon, in progress, distance), and the guided finder's ranking
//! with the reasons for each suggestion in plain words.

use super::catalog::{self, Mode};
use super::geo::{Around, Point};
use super::listing::DAY_NAMES;
use super::places::{PlaceError, Places};
use super::week::{self, Span, Weekly};
use super::{Occurrence, Recurrence, Schedule};
use crate::Timestamp;
use crate::local::Zone;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// What the directory searches by of a group, shared by its meetings.
#[derive(Clone, Debug, Default)]
pub struct GroupFacts {
    pub id: Uuid,
    pub name: Arc<str>,
    pub program: Arc<str>,
    pub program_name: Arc<str>,
    pub approach: String,
    pub tags: Vec<String>,
    pub size: String,
    pub structure: String,
    pub facilitation: String,
    pub audience: Vec<String>,
    pub languages: Vec<String>,
    pub accessibility: Vec<String>,
}

/// One active meeting as the directory searches it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: Uuid,
    pub name: Arc<str>,
    pub group: Arc<GroupFacts>,
    pub mode: Mode,
    pub types: Arc<[String]>,
    pub schedule: Schedule,
    /// The schedule in words ("Every Tuesday"), written once.
    pub schedule_text: Arc<str>,
    /// The meeting's zone name, shared by the meetings of that zone.
    pub zone_name: Arc<str>,
    pub point: Option<Point>,
    pub location: Arc<str>,
    pub city: Arc<str>,
    /// Its area's region, sub-region and district names (empty below its level).
    pub area: [Arc<str>; 3],
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
    /// An area's names from the region down: meetings in it or in an area under it.
    pub area: Vec<String>,
    /// In the viewer's zone.
    pub day: Option<Weekday>,
    pub after: Option<Time>,
    pub before: Option<Time>,
    pub viewer_zone: Zone,
    pub near: Option<(Point, f64)>,
    /// Where `near` is, as typed (a place name or coordinates) with its radius, until
    /// [`Query::located`] finds it among the directory's places.
    pub near_place: Option<(String, f64)>,
    /// Starting within this long from now (with `in_progress`: or in progress).
    pub starting_within: Option<Duration>,
    /// In progress now (with `starting_within`: or starting within it).
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
            area: Vec::new(),
            day: None,
            after: None,
            before: None,
            viewer_zone: zone,
            near: None,
            near_place: None,
            starting_within: None,
            in_progress: false,
            limit: 50,
            order: Order::NextOccurrence,
        }
    }

    /// The query with [`Query::near_place`] found among `places` (a copy only when there is one).
    pub fn located(&self, places: &Places) -> Result<Cow<'_, Query>, PlaceError> {
        let Some((text, km)) = &self.near_place else {
            return Ok(Cow::Borrowed(self));
        };
        let mut located = self.clone();
        located.near = Some((places.locate(text)?, *km));
        located.near_place = None;
        Ok(Cow::Owned(located))
    }

    /// Whether it asks for nothing but the next meetings to start (in some zone): the same
    /// answer for everyone in that zone in the same minute.
    pub fn is_unfiltered(&self) -> bool {
        !self.filters_attributes()
            && !self.has_time_filter()
            && self.types.is_empty()
            && self.near.is_none()
            && self.near_place.is_none()
            && self.order == Order::NextOccurrence
    }

    /// Whether any filter reads the group's attributes, the mode or the text.
    fn filters_attributes(&self) -> bool {
        !self.words.is_empty()
            || self.program.is_some()
            || !self.tags.is_empty()
            || self.size.is_some()
            || self.structure.is_some()
            || self.facilitation.is_some()
            || !self.audience.is_empty()
            || self.language.is_some()
            || !self.accessibility.is_empty()
            || self.mode.is_some()
            || !self.area.is_empty()
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub index: usize,
    pub next: Occurrence,
    pub distance_km: Option<f64>,
    /// The start in the viewer's zone: (day number, minute of the day).
    pub local: (i64, i64),
}

/// Grid cells of a twentieth of a degree (about 5 km): a 25 km search looks at about a hundred
/// cells and few meetings outside its circle.
const CELL_DEGREES: f64 = 0.05;

fn cell(point: Point) -> (i32, i32) {
    (
        (point.lat / CELL_DEGREES).floor() as i32,
        (point.lng / CELL_DEGREES).floor() as i32,
    )
}

/// Every active meeting, with a map grid for distance searches and each meeting's zone and
/// weekly schedule in compact form for fast timing.
#[derive(Debug, Default)]
pub struct Directory {
    pub entries: Vec<Entry>,
    /// Meetings by appointment: never a search result (they have no times), listed apart.
    pub by_appointment: Vec<Entry>,
    grid: Grid,
    zones: Vec<Zone>,
    compact: Vec<Compact>,
}

/// A meeting on the map, with what the first pass of a distance search checks, kept together
/// in its grid cell so that pass reads memory in order.
#[derive(Clone, Copy, Debug)]
struct Placed {
    index: u32,
    point: Point,
    compact: Compact,
}

/// The placed meetings sorted by grid cell (row by row), with each occupied cell's range, so
/// the cells of one row of a search are one run of memory found by two binary searches.
#[derive(Debug, Default)]
struct Grid {
    points: Vec<Placed>,
    cells: Vec<((i32, i32), usize)>,
}

impl Grid {
    fn new(mut points: Vec<Placed>) -> Grid {
        points.sort_by_key(|p| (cell(p.point), p.index));
        let mut cells: Vec<((i32, i32), usize)> = Vec::new();
        for (at, placed) in points.iter().enumerate() {
            let key = cell(placed.point);
            if cells.last().is_none_or(|(last, _)| *last != key) {
                cells.push((key, at));
            }
        }
        Grid { points, cells }
    }

    /// The meetings in row `lat` with cell columns `from..=to`.
    fn row(&self, lat: i32, from: i32, to: i32) -> &[Placed] {
        let first = self.cells.partition_point(|(key, _)| *key < (lat, from));
        let last = self.cells.partition_point(|(key, _)| *key <= (lat, to));
        let start = self
            .cells
            .get(first)
            .map_or(self.points.len(), |(_, at)| *at);
        let end = self
            .cells
            .get(last)
            .map_or(self.points.len(), |(_, at)| *at);
        &self.points[start..end.max(start)]
    }
}

/// What fast filtering and timing need of one entry.
#[derive(Clone, Copy, Debug)]
struct Compact {
    zone: u32,
    weekly: Option<Weekly>,
    /// Bit n: the meeting has standard type code n (of [`catalog::TYPE_CODES`]).
    types: u128,
}

/// The bits of standard type codes; `None` if one is a custom code.
fn type_bits<'a>(codes: impl IntoIterator<Item = &'a String>) -> Option<u128> {
    codes.into_iter().try_fold(0u128, |bits, code| {
        let at = catalog::TYPE_CODES.iter().position(|(c, _)| c == code)?;
        Some(bits | 1u128.checked_shl(u32::try_from(at).ok()?)?)
    })
}

/// Per-search state: each zone's offset around now, found once.
struct Clocks<'a> {
    now: Timestamp,
    zones: &'a [Zone],
    spans: Vec<Option<Span>>,
    viewer_tz: TimeZone,
    viewer: Span,
}

impl Clocks<'_> {
    fn span(&mut self, zone: usize) -> Span {
        if let Some(span) = self.spans[zone] {
            return span;
        }
        let span = Span::around(self.zones[zone].tz(), self.now);
        self.spans[zone] = Some(span);
        span
    }

    /// The day number and minute of the day of an instant in the viewer's zone.
    fn viewer_local(&self, at: Timestamp) -> (i64, i64) {
        if let Some(local) = self.viewer.local(at.millis()) {
            return local;
        }
        let local = jiff::Timestamp::from_millisecond(at.millis())
            .map(|t| t.to_zoned(self.viewer_tz.clone()).datetime())
            .unwrap_or_default();
        (
            week::day_number(
                i64::from(local.year()),
                i64::from(local.month()),
                i64::from(local.day()),
            ),
            i64::from(local.hour()) * 60 + i64::from(local.minute()),
        )
    }
}

fn epoch_date(day: i64) -> Option<jiff::civil::Date> {
    let (y, m, d) = week::civil(day);
    jiff::civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

impl Directory {
    pub fn new(entries: Vec<Entry>) -> Directory {
        let (by_appointment, entries): (Vec<Entry>, Vec<Entry>) = entries
            .into_iter()
            .partition(|e| e.schedule.recurrence == Recurrence::ByAppointment);
        let mut placed = Vec::new();
        let mut zones: Vec<Zone> = Vec::new();
        let mut compact = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let standard = entry.types.iter().filter(|t| !catalog::is_custom_type(t));
            let types = type_bits(standard).unwrap_or(0);
            let zone = match zones.iter().position(|z| *z == entry.schedule.zone) {
                Some(at) => at,
                None => {
                    zones.push(entry.schedule.zone.clone());
                    zones.len() - 1
                }
            } as u32;
            let record = Compact {
                zone,
                weekly: Weekly::of(&entry.schedule),
                types,
            };
            compact.push(record);
            if let (Some(point), Ok(index)) = (entry.point, u32::try_from(i)) {
                placed.push(Placed {
                    index,
                    point,
                    compact: record,
                });
            }
        }
        Directory {
            entries,
            by_appointment,
            grid: Grid::new(placed),
            zones,
            compact,
        }
    }

    /// The meetings by appointment that match `query` apart from time, with their distance when
    /// it is near somewhere: nearest first, else by name. A query about when matches none.
    pub fn by_appointment(&self, query: &Query) -> Vec<(&Entry, Option<f64>)> {
        if query.has_time_filter() {
            return Vec::new();
        }
        let mut found: Vec<(&Entry, Option<f64>)> = self
            .by_appointment
            .iter()
            .filter(|entry| {
                query.types.iter().all(|t| contains(&entry.types, t))
                    && attributes_match(entry, query)
            })
            .filter_map(|entry| match query.near {
                None => Some((entry, None)),
                Some((center, km)) => {
                    let distance = center.distance_km(entry.point?);
                    (distance <= km).then_some((entry, Some(distance)))
                }
            })
            .collect();
        found.sort_by(|(a, da), (b, db)| {
            da.unwrap_or(0.0)
                .total_cmp(&db.unwrap_or(0.0))
                .then_with(|| a.name.cmp(&b.name))
        });
        found.truncate(query.limit);
        found
    }

    fn clocks(&self, viewer: &Zone, now: Timestamp) -> Clocks<'_> {
        Clocks {
            now,
            zones: &self.zones,
            spans: vec![None; self.zones.len()],
            viewer_tz: viewer.tz().clone(),
            viewer: Span::around(viewer.tz(), now),
        }
    }

    /// Indexes of the entries that may lie within `km` of `center` and have the wanted standard
    /// type codes (a superset: the rest of the search checks exactly).
    fn around(&self, center: Point, km: f64, wanted_types: Option<u128>) -> Vec<(usize, Compact)> {
        let (lat_span, lng_span) = center.degrees_around(km);
        let low = cell(Point {
            lat: (center.lat - lat_span).max(-90.0),
            lng: center.lng - lng_span,
        });
        let high = cell(Point {
            lat: (center.lat + lat_span).min(90.0),
            lng: center.lng + lng_span,
        });
        let around = Around::new(center, km);
        let keep = |placed: &&Placed| {
            wanted_types.is_none_or(|bits| placed.compact.types & bits == bits)
                && !around.surely_excludes(placed.point)
        };
        let lng_cells = (360.0 / CELL_DEGREES) as i32;
        let half = lng_cells / 2;
        let wrap = |x: i32| (x + half).rem_euclid(lng_cells) - half;
        let columns: Vec<(i32, i32)> = if high.1 - low.1 + 1 >= lng_cells {
            vec![(-half, half)]
        } else if wrap(low.1) <= wrap(high.1) {
            vec![(wrap(low.1), wrap(high.1))]
        } else {
            vec![(wrap(low.1), half), (-half, wrap(high.1))]
        };
        let mut found = Vec::new();
        for lat in low.0..=high.0 {
            for (from, to) in &columns {
                found.extend(
                    self.grid
                        .row(lat, *from, *to)
                        .iter()
                        .filter(keep)
                        .map(|p| (p.index as usize, p.compact)),
                );
            }
        }
        found
    }

    /// The meetings matching `query` at `now`, ordered as asked, at most `query.limit`.
    pub fn search(&self, query: &Query, now: Timestamp) -> Vec<Hit> {
        let mut clocks = self.clocks(&query.viewer_zone, now);
        let wanted_types = type_bits(&query.types);
        let mut hits: Vec<Hit> = Vec::new();
        let mut consider = |index: usize, compact: Compact| {
            if let Some(hit) = self.hit(index, compact, query, wanted_types, &mut clocks) {
                hits.push(hit);
            }
        };
        match query.near {
            Some((center, km)) => {
                for (index, compact) in self.around(center, km, wanted_types) {
                    consider(index, compact);
                }
            }
            None => {
                for (index, compact) in self.compact.iter().enumerate() {
                    consider(index, *compact);
                }
            }
        }
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

    fn hit(
        &self,
        index: usize,
        compact: Compact,
        query: &Query,
        wanted_types: Option<u128>,
        clocks: &mut Clocks<'_>,
    ) -> Option<Hit> {
        // Only the compact record is read until a meeting is a hit (near searches come from
        // the grid, where every meeting has a point and the right type codes).
        let types_match = match wanted_types {
            Some(bits) => compact.types & bits == bits,
            None => query
                .types
                .iter()
                .all(|t| contains(&self.entries[index].types, t)),
        };
        if !types_match
            || (query.filters_attributes() && !attributes_match(&self.entries[index], query))
        {
            return None;
        }
        if let Some(day) = query.day {
            let wanted = day.to_sunday_zero_offset() as u8;
            let possible = match compact.weekly {
                Some(weekly) => (0..7).any(|d| weekly.meets_on(d) && could_fall_on(d, wanted)),
                None => self.entries[index]
                    .schedule
                    .recurrence
                    .weekdays()
                    .iter()
                    .any(|d| could_fall_on(d.to_sunday_zero_offset() as u8, wanted)),
            };
            if !possible {
                return None;
            }
        }
        let next = self.timing(index, compact, query, clocks)?;
        let distance_km = match (query.near, self.entries[index].point) {
            (Some((center, km)), Some(point)) => {
                let d = center.distance_km(point);
                if d > km {
                    return None;
                }
                Some(d)
            }
            _ => None,
        };
        Some(Hit {
            index,
            next,
            distance_km,
            local: clocks.viewer_local(next.start),
        })
    }

    /// The first occurrence, from now, that satisfies the query's time filters (the next one
    /// when there are none).
    fn timing(
        &self,
        index: usize,
        compact: Compact,
        query: &Query,
        clocks: &mut Clocks<'_>,
    ) -> Option<Occurrence> {
        let now = clocks.now;
        let days = match (
            compact.weekly.is_some(),
            query.starting_within,
            query.in_progress,
        ) {
            _ if !query.has_time_filter() => 400,
            (_, Some(within), _) => within.as_secs() / 86_400 + 2,
            (_, _, true) => 1,
            (true, None, false) => 8,
            _ => 62,
        };
        let day = query.day.map(|d| d.to_sunday_zero_offset() as u8);
        let after = query.after.map(minute_of);
        let before = query.before.map(minute_of);
        self.first_occurrence(
            index,
            compact,
            days,
            clocks,
            |start, end, weekday, minute| {
                // In progress, starting within a while, or (both asked) either.
                let in_progress = start <= now && now < end;
                let starting = query
                    .starting_within
                    .map(|within| start >= now && start <= now.plus(within));
                match (query.in_progress, starting) {
                    (true, Some(starting)) if !(in_progress || starting) => return false,
                    (true, None) if !in_progress => return false,
                    (false, Some(false)) => return false,
                    _ => {}
                }
                if query.has_time_filter()
                    && !query.in_progress
                    && query.starting_within.is_none()
                    && start < now
                {
                    return false;
                }
                day.is_none_or(|d| d == weekday) && in_window(minute, after, before)
            },
        )
    }

    /// The first occurrence not ended by now and starting within `days` days that `accept`
    /// takes, given its start, end, and its start's weekday (Sunday 0) and minute of the day in
    /// the viewer's zone.
    fn first_occurrence(
        &self,
        index: usize,
        compact: Compact,
        days: u64,
        clocks: &mut Clocks<'_>,
        accept: impl Fn(Timestamp, Timestamp, u8, i64) -> bool,
    ) -> Option<Occurrence> {
        let now = clocks.now;
        let until = now.plus(Duration::from_secs(days * 86_400));
        if let Some(weekly) = compact.weekly
            && let Some(found) =
                self.first_weekly(weekly, compact.zone as usize, until, clocks, &accept)
        {
            return found;
        }
        self.entries[index]
            .schedule
            .between(now, until)
            .into_iter()
            .find(|o| {
                let (day, minute) = clocks.viewer_local(o.start);
                accept(o.start, o.end, week::weekday_of(day), minute)
            })
    }

    /// The integer-arithmetic path for a weekly meeting; `None` when some occurrence on the
    /// way falls outside the stretches with no clock change (the exact path decides then).
    fn first_weekly(
        &self,
        weekly: Weekly,
        zone: usize,
        until: Timestamp,
        clocks: &mut Clocks<'_>,
        accept: &impl Fn(Timestamp, Timestamp, u8, i64) -> bool,
    ) -> Option<Option<Occurrence>> {
        let now = clocks.now.millis();
        let span = clocks.span(zone);
        let (today, _) = span.local(now)?;
        let last_day = span.local(until.millis()).map_or(today + 8, |(d, _)| d);
        for day in today - 1..=last_day {
            if !weekly.meets_on(week::weekday_of(day)) {
                continue;
            }
            let start = span.instant(day, weekly.start)?;
            let end = start + weekly.length * 60_000;
            if end <= now {
                continue;
            }
            if start >= until.millis() {
                break;
            }
            let (weekday, minute) = match clocks.viewer.local(start) {
                Some((d, m)) => (week::weekday_of(d), m),
                None => return None,
            };
            if accept(Timestamp(start), Timestamp(end), weekday, minute) {
                return Some(Some(Occurrence {
                    date: epoch_date(day)?,
                    start: Timestamp(start),
                    end: Timestamp(end),
                }));
            }
        }
        Some(None)
    }
}

fn minute_of(time: Time) -> i64 {
    i64::from(time.hour()) * 60 + i64::from(time.minute())
}

fn contains(list: &[String], wanted: &str) -> bool {
    list.iter().any(|item| item == wanted)
}

/// Everything but the type codes (checked first, by bits).
fn attributes_match(entry: &Entry, query: &Query) -> bool {
    in_area(entry, &query.area)
        && query.mode.is_none_or(|mode| entry.mode == mode)
        && query
            .program
            .as_deref()
            .is_none_or(|p| &*entry.group.program == p)
        && query.tags.iter().all(|t| contains(&entry.group.tags, t))
        && query.size.as_deref().is_none_or(|s| entry.group.size == s)
        && query
            .structure
            .as_deref()
            .is_none_or(|s| entry.group.structure == s)
        && query
            .facilitation
            .as_deref()
            .is_none_or(|f| entry.group.facilitation == f)
        && query
            .audience
            .iter()
            .all(|a| contains(&entry.group.audience, a))
        && query
            .language
            .as_deref()
            .is_none_or(|l| contains(&entry.group.languages, l))
        && query
            .accessibility
            .iter()
            .all(|a| contains(&entry.group.accessibility, a))
        && query
            .words
            .iter()
            .all(|w| entry.haystack.contains(w.as_str()))
}

/// Whether a meeting is in the area named from the region down (or in one under it); any
/// meeting is in no area at all.
fn in_area(entry: &Entry, wanted: &[String]) -> bool {
    wanted.len() <= entry.area.len()
        && wanted
            .iter()
            .zip(&entry.area)
            .all(|(wanted, theirs)| **theirs == **wanted)
}

/// Whether a meeting on weekday `own` (Sunday 0) could start on weekday `wanted` in some
/// zone: the same day, or one either side (zones are less than a day apart).
fn could_fall_on(own: u8, wanted: u8) -> bool {
    own == wanted || (own + 1) % 7 == wanted || (wanted + 1) % 7 == own
}

/// Whether a minute of the day is at or after `after` and before `before`; a window whose end
/// is earlier than its start runs past midnight.
fn in_window(minute: i64, after: Option<i64>, before: Option<i64>) -> bool {
    match (after, before) {
        (None, None) => true,
        (Some(a), None) => minute >= a,
        (None, Some(b)) => minute < b,
        (Some(a), Some(b)) if a <= b => minute >= a && minute < b,
        (Some(a), Some(b)) => minute >= a || minute < b,
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

    /// The part of the day a minute falls in; the small hours (midnight to five) are none.
    fn of(minute: i64) -> Option<DayPart> {
        match minute / 60 {
            5..=11 => Some(DayPart::Morning),
            12..=16 => Some(DayPart::Afternoon),
            17..=23 => Some(DayPart::Evening),
            _ => None,
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
    /// An area's names from the region down: firm, like the way one attends.
    pub area: Vec<String>,
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
    let mut clocks = directory.clocks(&answers.viewer_zone, now);
    let mut found: Vec<Suggestion> = Vec::new();
    for (index, entry) in directory.entries.iter().enumerate() {
        if !in_area(entry, &answers.area) {
            continue;
        }
        let mut reasons = Vec::new();
        let mut score = 0;
        if !answers.area.is_empty() {
            score += 1;
            reasons.push(format!("In {}", answers.area.join(" > ")));
        }
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
        let Some(next) = directory.first_occurrence(
            index,
            directory.compact[index],
            400,
            &mut clocks,
            |_, _, _, _| true,
        ) else {
            continue;
        };
        for wanted in &answers.approaches {
            if entry.group.approach == *wanted {
                score += 3;
                reasons.push(format!(
                    "{} ({})",
                    catalog::label(catalog::APPROACHES, wanted),
                    entry.group.program
                ));
            } else if contains(&entry.group.tags, wanted) {
                score += 3;
                reasons.push(format!(
                    "{}, as you asked",
                    catalog::label(catalog::VALUE_TAGS, wanted)
                ));
            }
        }
        if answers
            .size
            .as_deref()
            .is_some_and(|s| entry.group.size == s)
        {
            score += 2;
            reasons.push(format!(
                "{} group",
                catalog::label(catalog::SIZES, &entry.group.size)
            ));
        }
        if answers
            .structure
            .as_deref()
            .is_some_and(|s| entry.group.structure == s)
        {
            score += 2;
            reasons.push(format!(
                "Format: {}",
                catalog::label(catalog::STRUCTURES, &entry.group.structure).to_lowercase()
            ));
        }
        for wanted in &answers.audience {
            if contains(&entry.group.audience, wanted) {
                score += 2;
                reasons.push(format!(
                    "For {}",
                    catalog::label(catalog::AUDIENCES, wanted).to_lowercase()
                ));
            }
        }
        if let Some(language) = &answers.language
            && contains(&entry.group.languages, language)
        {
            score += 2;
            reasons.push(format!("In {language}"));
        }
        if !answers.days.is_empty() || !answers.parts.is_empty() {
            let days: Vec<u8> = answers
                .days
                .iter()
                .map(|d| d.to_sunday_zero_offset() as u8)
                .collect();
            let fits = directory.first_occurrence(
                index,
                directory.compact[index],
                8,
                &mut clocks,
                |_, _, weekday, minute| {
                    (days.is_empty() || days.contains(&weekday))
                        && (answers.parts.is_empty()
                            || DayPart::of(minute)
                                .is_some_and(|part| answers.parts.contains(&part)))
                },
            );
            if let Some(o) = fits {
                score += 3;
                let (day, minute) = clocks.viewer_local(o.start);
                reasons.push(format!(
                    "Meets {} {} at {:02}:{:02}, when you said you can go",
                    DAY_NAMES[usize::from(week::weekday_of(day))],
                    DayPart::of(minute).map_or("night", DayPart::as_str),
                    minute / 60,
                    minute % 60
                ));
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
                local: clocks.viewer_local(next.start),
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
            name: name.into(),
            group: Arc::new(GroupFacts {
                id: Uuid::now_v7(),
                name: name.into(),
                program: "AA".into(),
                program_name: "Alcoholics Anonymous".into(),
                approach: "twelve-step".into(),
                tags: vec!["spiritual".into()],
                size: "medium".into(),
                structure: "sharing".into(),
                facilitation: "peer".into(),
                audience: vec![],
                languages: vec!["EN".into()],
                accessibility: vec![],
            }),
            mode,
            types: vec!["O".to_owned(), "D".to_owned()].into(),
            schedule: Schedule::new(
                Zone::parse("America/Chicago").unwrap(),
                Time::new(hour, 0, 0, 0).unwrap(),
                Time::new((hour + 1) % 24, 0, 0, 0).unwrap(),
                Recurrence::Weekly(vec![day]),
            )
            .unwrap(),
            schedule_text: "".into(),
            zone_name: "America/Chicago".into(),
            point,
            location: "".into(),
            city: "Chicago".into(),
            area: ["Illinois".into(), "Chicago".into(), "".into()],
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
            .map(|h| directory.entries[h.index].name.to_string())
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
        women.types = vec!["O".to_owned(), "D".to_owned(), "W".to_owned()].into();
        Arc::make_mut(&mut women.group)
            .audience
            .push("women".into());
        let mut secular = entry(
            "Secular Evanston",
            Mode::Hybrid,
            Weekday::Saturday,
            11,
            evanston,
        );
        let group = Arc::make_mut(&mut secular.group);
        group.approach = "secular".into();
        group.tags = vec!["secular".into()];
        group.size = "small".into();
        group.program = "LIFERING".into();
        let mut milwaukee_monday = entry(
            "Milwaukee Monday",
            Mode::InPerson,
            Weekday::Monday,
            7,
            milwaukee,
        );
        milwaukee_monday.area = ["Wisconsin".into(), "Milwaukee".into(), "Bay View".into()];
        Directory::new(vec![
            women,
            secular,
            entry("Online Sunday", Mode::Online, Weekday::Sunday, 8, None),
            milwaukee_monday,
        ])
    }

    #[test]
    fn meetings_by_appointment_are_listed_apart_and_filtered_except_by_time() {
        let appointment = |name: &str, point: Option<Point>| {
            let mut e = entry(name, Mode::InPerson, Weekday::Monday, 9, point);
            e.schedule = Schedule::new(
                chicago(),
                Time::midnight(),
                Time::midnight(),
                Recurrence::ByAppointment,
            )
            .unwrap();
            e
        };
        let mut entries = sample().entries;
        entries.push(appointment("Call Sam", Point::new(41.88, -87.63).ok()));
        entries.push(appointment("Ask at the Desk", None));
        let d = Directory::new(entries);
        let listed = |q: &Query| -> Vec<String> {
            d.by_appointment(q)
                .iter()
                .map(|(e, _)| e.name.to_string())
                .collect()
        };
        let mut q = Query::new(chicago());
        assert_eq!(names(&d, &q).len(), 4, "never a timed result");
        assert_eq!(listed(&q), ["Ask at the Desk", "Call Sam"]);
        q.words = vec!["sam".into()];
        assert_eq!(listed(&q), ["Call Sam"]);
        q.words.clear();
        q.near = Some((Point::new(41.8781, -87.6298).unwrap(), 5.0));
        assert_eq!(listed(&q), ["Call Sam"], "only those with a place near");
        q.near = None;
        q.types = vec!["W".into()];
        assert!(listed(&q).is_empty());
        q.types.clear();
        q.in_progress = true;
        assert!(listed(&q).is_empty(), "a question about when matches none");
    }

    #[test]
    fn only_a_query_for_the_next_meetings_anywhere_is_unfiltered() {
        let mut q = Query::new(chicago());
        assert!(q.is_unfiltered(), "the directory page as it opens");
        q.limit = 12;
        assert!(q.is_unfiltered(), "whatever the limit");
        for narrowed in [
            Query {
                words: vec!["hope".into()],
                ..Query::new(chicago())
            },
            Query {
                in_progress: true,
                ..Query::new(chicago())
            },
            Query {
                types: vec!["O".into()],
                ..Query::new(chicago())
            },
            Query {
                area: vec!["Illinois".into()],
                ..Query::new(chicago())
            },
            Query {
                near_place: Some(("Evanston".into(), 5.0)),
                ..Query::new(chicago())
            },
            Query {
                order: Order::Distance,
                ..Query::new(chicago())
            },
        ] {
            assert!(!narrowed.is_unfiltered(), "{narrowed:?}");
        }
    }

    #[test]
    fn an_area_holds_the_meetings_of_the_areas_under_it() {
        let d = sample();
        let mut q = Query::new(chicago());
        let area = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        q.area = area(&["Wisconsin"]);
        assert_eq!(names(&d, &q), ["Milwaukee Monday"]);
        q.area = area(&["Wisconsin", "Milwaukee", "Bay View"]);
        assert_eq!(names(&d, &q), ["Milwaukee Monday"]);
        q.area = area(&["Illinois", "Chicago"]);
        assert_eq!(names(&d, &q).len(), 3);
        q.area = area(&["Chicago"]);
        assert!(
            names(&d, &q).is_empty(),
            "a sub-region is named with its region"
        );
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
    fn in_progress_with_starting_within_is_either() {
        let mut d = sample();
        // Saturday 09:00 to 10:30 in Chicago: in progress at 10:00.
        let mut morning = entry("Saturday Morning", Mode::Online, Weekday::Saturday, 9, None);
        morning.schedule = Schedule::new(
            chicago(),
            Time::new(9, 0, 0, 0).unwrap(),
            Time::new(10, 30, 0, 0).unwrap(),
            Recurrence::Weekly(vec![Weekday::Saturday]),
        )
        .unwrap();
        d.entries.push(morning);
        let d = Directory::new(d.entries);
        let mut q = Query::new(chicago());
        q.in_progress = true;
        assert_eq!(names(&d, &q), ["Saturday Morning"]);
        q.starting_within = Some(Duration::from_secs(3600));
        assert_eq!(
            names(&d, &q),
            ["Saturday Morning", "Secular Evanston"],
            "in progress, or starting by 11:00"
        );
        q.in_progress = false;
        assert_eq!(names(&d, &q), ["Secular Evanston"]);
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
        let t = |h: i64| h * 60;
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
            area: vec![],
            language: None,
            viewer_zone: chicago(),
        };
        let found = suggest(&d, &answers, now(), 10);
        let first = &found[0];
        assert_eq!(&*d.entries[first.hit.index].name, "Secular Evanston");
        assert!(
            first.reasons.iter().any(|r| r.starts_with("Secular")),
            "{:?}",
            first.reasons
        );
        assert!(first.reasons.iter().any(|r| r.contains("Small")));
        assert!(first.reasons.iter().any(|r| r.contains("Saturday morning")));
        assert_eq!(DayPart::of(4 * 60), None, "04:00 is not evening");
        assert_eq!(DayPart::of(19 * 60), Some(DayPart::Evening));
        assert_eq!(DayPart::of(7 * 60), Some(DayPart::Morning));
        assert!(
            !found
                .iter()
                .any(|s| &*d.entries[s.hit.index].name == "Milwaukee Monday"),
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
