//! The directory pages: search, the guided finder, the printable schedule, a meeting's and a
//! group's page (and a meeting's `.ics`), and the member's own meetings and attendance log.

use crate::AppState;
use crate::api::meetings::query_fields;
use crate::auth::{MaybeViewer, SignedIn};
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::{parse_id, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::meetings::{self, MeetingSummary, calendar};
use mutual_domain::meetings::catalog::{self, Mode, Term};
use mutual_domain::meetings::listing::DAY_NAMES;
use mutual_domain::meetings::search::DayPart;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// A result card.
pub(crate) struct Card {
    id: Uuid,
    name: String,
    weekday: &'static str,
    starts_local: String,
    in_progress: bool,
    meeting_local: Option<String>,
    schedule: String,
    mode_label: &'static str,
    program_name: String,
    place: String,
    distance_km: Option<f64>,
    types: Vec<(String, String)>,
}

impl Card {
    fn of(m: MeetingSummary) -> Card {
        let (facts, timing) = (m.facts, m.timing);
        Card {
            id: facts.id,
            weekday: timing.weekday,
            starts_local: timing
                .starts_local
                .split_once(' ')
                .map_or(timing.starts_local.clone(), |(d, t)| format!("{t}, {d}")),
            in_progress: timing.in_progress,
            meeting_local: timing.meeting_local,
            schedule: facts.schedule.to_string(),
            mode_label: Mode::parse(facts.mode).map_or("", Mode::label),
            program_name: facts.program_name.to_string(),
            place: [&*facts.location, &*facts.city]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            distance_km: timing.distance_km,
            types: facts
                .types
                .iter()
                .map(|t| (t.clone(), catalog::type_name(t).to_owned()))
                .collect(),
            name: facts.name.to_string(),
        }
    }
}

/// A meeting by appointment as the directory lists it: no time, a way to arrange one.
struct AppointmentCard {
    id: Uuid,
    name: String,
    mode_label: &'static str,
    program_name: String,
    place: String,
}

impl AppointmentCard {
    fn of(facts: meetings::MeetingFacts) -> AppointmentCard {
        AppointmentCard {
            id: facts.id,
            name: facts.name.to_string(),
            mode_label: Mode::parse(facts.mode).map_or("", Mode::label),
            program_name: facts.program_name.to_string(),
            place: [&*facts.location, &*facts.city]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Vocabulary as template options.
pub(crate) fn options(terms: &[Term]) -> Vec<(String, String)> {
    terms
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

pub(crate) fn mode_options() -> Vec<(String, String)> {
    Mode::ALL
        .iter()
        .map(|m| (m.as_str().to_owned(), m.label().to_owned()))
        .collect()
}

pub(crate) fn day_options() -> Vec<(String, String)> {
    DAY_NAMES
        .iter()
        .enumerate()
        .map(|(i, d)| (i.to_string(), (*d).to_owned()))
        .collect()
}

/// The directory's areas as options, each valued by its path ("Chicago > Portage Park") and
/// shown indented under the one above it; `current` is kept as an option when the tree has
/// no such area (a listing from before the areas were kept).
pub(crate) async fn area_options(
    state: &AppState,
    current: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let mut options = meetings::directory::snapshot(&state.app)
        .await?
        .area_choices
        .clone();
    if !current.is_empty() && !options.iter().any(|(label, _)| label == current) {
        options.push((current.to_owned(), current.to_owned()));
    }
    Ok(options)
}

async fn program_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(meetings::directory::snapshot(&state.app)
        .await?
        .programs
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect())
}

/// A form kept from query parameters (lists joined by commas).
fn kept(params: &FormData, fields: &[&'static str]) -> FormView {
    fields.iter().fold(FormView::default(), |view, name| {
        view.keep(name, &params.all(name).join(","))
    })
}

fn page_zone(viewer: Option<&Viewer>, state: &AppState, params: &FormData) -> String {
    meetings::viewer_zone(&state.app, viewer, params.get("tz"))
        .map(|z| z.name().to_owned())
        .unwrap_or_else(|_| "UTC".into())
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct SearchPage {
    layout: Layout,
    form: FormView,
    fields: &'static [&'static str],
    zone: String,
    /// What the page lists, as HTML (before any search, the same for everyone there and then).
    listings_html: Arc<str>,
    /// The filters and the feeds' addresses, as HTML (before any search, likewise).
    filters_html: Arc<str>,
}

/// The search page's filters, and the feeds' addresses.
#[derive(Template)]
#[template(path = "meetings_filters.html")]
struct Filters<'a> {
    form: &'a FormView,
    programs: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    /// The fixed vocabularies of the filters, made once.
    choices: &'static SearchChoices,
    more_open: bool,
    /// The server's public address, for the feeds' addresses.
    feed_base: String,
}

/// The filters as HTML, for the values kept in `form`.
async fn filters_of(
    state: &AppState,
    form: &FormView,
    area: &str,
    more_open: bool,
) -> Result<Arc<str>, AppError> {
    Filters {
        form,
        programs: program_options(state).await?,
        areas: area_options(state, area).await?,
        choices: &SEARCH_CHOICES,
        more_open,
        feed_base: state.app.config.public_url.trim_end_matches('/').to_owned(),
    }
    .render()
    .map(Arc::from)
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The search page's fixed vocabularies as template options.
struct SearchChoices {
    modes: Vec<(String, String)>,
    days: Vec<(String, String)>,
    whens: Vec<(String, String)>,
    sizes: Vec<(String, String)>,
    structures: Vec<(String, String)>,
    facilitation: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    audiences: Vec<(String, String)>,
    accessibility: Vec<(String, String)>,
    orders: Vec<(String, String)>,
}

static SEARCH_CHOICES: std::sync::LazyLock<SearchChoices> =
    std::sync::LazyLock::new(|| SearchChoices {
        modes: mode_options(),
        days: day_options(),
        whens: vec![
            ("now".into(), "Now (in progress or within the hour)".into()),
            ("tonight".into(), "Tonight (today from 17:00)".into()),
        ],
        sizes: options(catalog::SIZES),
        structures: options(catalog::STRUCTURES),
        facilitation: options(catalog::FACILITATION),
        tags: options(catalog::VALUE_TAGS),
        audiences: options(catalog::AUDIENCES),
        accessibility: options(catalog::ACCESSIBILITY),
        orders: vec![
            ("next".into(), "Next to start".into()),
            ("distance".into(), "Nearest (with a location)".into()),
        ],
    });

/// Meetings shown as coming up on the page before any search.
const COMING_UP: usize = 12;
/// Meetings looked at for the page before any search: those in progress, then those coming up.
const OPENING: usize = 2 * COMING_UP;

/// `GET /meetings`: the search page; searching is a GET, so results can be bookmarked. Before
/// any search it opens, like the meeting finders people know, on the meetings in progress now
/// and those starting soonest in the viewer's zone, above the filters.
pub async fn show_search(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let params = FormData::from_query(query.0.as_deref())
        .unwrap_or_else(|| FormData::from_fields(Vec::new()));
    // The zone alone (which the page's script fills in) is not a search.
    let searched = params
        .pairs()
        .iter()
        .any(|(name, value)| name != "tz" && !value.is_empty());
    let mut form = kept(&params, meetings::SEARCH_PARAMS);
    let mut listings_html: Arc<str> = Arc::from("");
    let mut status = StatusCode::OK;
    let outcome = async {
        let params = query_fields(&query, meetings::SEARCH_PARAMS, &[])?;
        let parsed = meetings::parse_search(&state.app, viewer.as_ref(), |n| params.get(n))?;
        if searched {
            return listings_of(&state, viewer.as_ref(), parsed, false).await;
        }
        // The page as it opens is the same for everyone in a zone in the same minute.
        let snapshot = meetings::directory_for(&state.app, viewer.as_ref()).await?;
        let key = OpeningKey::now(&state, &snapshot, parsed.viewer_zone.name().to_owned());
        if let Some(cached) = state.opening.get(&key) {
            return Ok(cached);
        }
        let opening = listings_of(&state, viewer.as_ref(), parsed, true).await?;
        state.opening.put(key, opening.clone());
        Ok::<_, AppError>(opening)
    }
    .await;
    match outcome {
        Ok(found) => listings_html = found,
        Err(AppError::SignInRequired) => {
            return Ok(Redirect::to("/login?next=%2Fmeetings").into_response());
        }
        Err(error) => {
            form = form.with_errors(form_errors(error)?);
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    let more_open = [
        "types",
        "size",
        "structure",
        "facilitation",
        "tags",
        "audience",
        "accessibility",
        "language",
        "order",
    ]
    .iter()
    .any(|f| !params.get(f).is_empty());
    // Before any search the filters are empty but for the zone: the same for everyone who
    // gives that zone, until the directory (its programmes, its areas) changes.
    let filters_html = if !searched && status == StatusCode::OK {
        let snapshot = meetings::directory::snapshot(&state.app).await?;
        let key = OpeningKey::now(
            &state,
            &snapshot,
            format!("filters for tz={}", params.get("tz")),
        );
        match state.opening.get(&key) {
            Some(cached) => cached,
            None => {
                let filters = filters_of(&state, &form, "", false).await?;
                state.opening.put(key, filters.clone());
                filters
            }
        }
    } else {
        filters_of(&state, &form, params.get("area"), more_open).await?
    };
    let page = SearchPage {
        layout: ctx.layout("Find a meeting"),
        fields: meetings::SEARCH_PARAMS,
        zone: page_zone(viewer.as_ref(), &state, &params),
        form,
        listings_html,
        filters_html,
    };
    Ok(render(status, &page))
}

/// What a directory page lists: the meetings found (before any search, those in progress apart
/// and the next to start), and those by appointment.
#[derive(Template)]
#[template(path = "meetings_listings.html")]
struct Listings {
    searched: bool,
    zone: String,
    in_progress: Vec<Card>,
    results: Vec<Card>,
    by_appointment: Vec<AppointmentCard>,
}

/// The listings of a search, or (`opening`) of the page before any search, as HTML.
async fn listings_of(
    state: &AppState,
    viewer: Option<&Viewer>,
    mut parsed: mutual_domain::meetings::search::Query,
    opening: bool,
) -> Result<Arc<str>, AppError> {
    if opening {
        // Those in progress come first (they started soonest), then the next to start.
        parsed.limit = OPENING;
    }
    let mut results: Vec<Card> = meetings::search(&state.app, viewer, &parsed)
        .await?
        .into_iter()
        .map(Card::of)
        .collect();
    parsed.limit = COMING_UP;
    let by_appointment = meetings::by_appointment(&state.app, viewer, &parsed)
        .await?
        .into_iter()
        .map(AppointmentCard::of)
        .collect();
    let mut in_progress = Vec::new();
    if opening {
        (in_progress, results) = results.into_iter().partition(|card| card.in_progress);
        results.truncate(COMING_UP);
    }
    let listings = Listings {
        searched: !opening,
        zone: parsed.viewer_zone.name().to_owned(),
        in_progress,
        results,
        by_appointment,
    };
    listings
        .render()
        .map(Arc::from)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Which part of the opening page: the directory's version, the viewer's zone (or, for the
/// filters, the zone as given) and the minute.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct OpeningKey {
    directory: String,
    zone: String,
    minute: i64,
}

impl OpeningKey {
    /// The key of a part for `zone` in this minute, of this state of the directory.
    fn now(state: &AppState, snapshot: &meetings::DirectorySnapshot, zone: String) -> OpeningKey {
        OpeningKey {
            directory: snapshot.version().to_owned(),
            zone,
            minute: state.app.clock.now().millis().div_euclid(60_000),
        }
    }
}

/// The opening page's parts as HTML, worked out once a minute for each zone (and again
/// whenever the directory changes).
#[derive(Default)]
pub struct OpeningCache(Mutex<HashMap<OpeningKey, Arc<str>>>);

impl OpeningCache {
    fn get(&self, key: &OpeningKey) -> Option<Arc<str>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: OpeningKey, listings: Arc<str>) {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Another minute's or an older directory's listings are of no more use.
        cache.retain(|k, _| k.minute == key.minute && k.directory == key.directory);
        if cache.len() < 256 {
            cache.insert(key, listings);
        }
    }
}

#[derive(Template)]
#[template(path = "finder.html")]
struct FinderPage {
    layout: Layout,
    form: FormView,
    fields: &'static [&'static str],
    approaches: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    sizes: Vec<(String, String)>,
    structures: Vec<(String, String)>,
    audiences: Vec<(String, String)>,
    days: Vec<(String, String)>,
    parts: Vec<(String, String)>,
    attend: Vec<(String, String)>,
    asked: bool,
    suggestions: Vec<(Card, Vec<String>)>,
}

/// `GET /meetings/find`: the guided finder.
pub async fn show_finder(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let params = FormData::from_query(query.0.as_deref())
        .unwrap_or_else(|| FormData::from_fields(Vec::new()));
    let asked = query.0.as_deref().is_some_and(|q| !q.is_empty());
    let mut form = kept(&params, meetings::FINDER_FIELDS);
    let mut suggestions = Vec::new();
    let mut status = StatusCode::OK;
    if asked {
        let outcome = async {
            let params = query_fields(
                &query,
                meetings::FINDER_FIELDS,
                crate::api::meetings::FINDER_LISTS,
            )?;
            meetings::find_my_group(&state.app, viewer.as_ref(), viewer.as_ref(), |n| {
                params.all(n)
            })
            .await
        }
        .await;
        match outcome {
            Ok(found) => {
                suggestions = found
                    .into_iter()
                    .map(|f| (Card::of(f.meeting), f.reasons))
                    .collect();
            }
            Err(AppError::SignInRequired) => {
                return Ok(Redirect::to("/login?next=%2Fmeetings%2Ffind").into_response());
            }
            Err(error) => {
                form = form.with_errors(form_errors(error)?);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    }
    let mut approaches = options(catalog::APPROACHES);
    approaches.retain(|(c, _)| c != "other");
    let tags: Vec<(String, String)> = options(catalog::VALUE_TAGS)
        .into_iter()
        .filter(|(c, _)| !approaches.iter().any(|(a, _)| a == c))
        .collect();
    approaches.extend(tags);
    let page = FinderPage {
        layout: ctx.layout("Find my group"),
        form,
        fields: meetings::FINDER_FIELDS,
        approaches,
        areas: area_options(&state, params.get("area")).await?,
        sizes: options(catalog::SIZES),
        structures: options(catalog::STRUCTURES),
        audiences: options(catalog::AUDIENCES),
        days: day_options(),
        parts: DayPart::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), capitalise(p.as_str())))
            .collect(),
        attend: vec![
            ("in_person".into(), "In person".into()),
            ("online".into(), "Online or by phone".into()),
            ("either".into(), "Either".into()),
        ],
        asked,
        suggestions,
    };
    Ok(render(status, &page))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

struct ScheduleRow {
    time: String,
    name: String,
    program: String,
    place: String,
    types: String,
}

#[derive(Template)]
#[template(path = "schedule.html")]
struct SchedulePage {
    layout: Layout,
    zone: String,
    days: Vec<(&'static str, Vec<ScheduleRow>)>,
    legend: Vec<(String, String)>,
}

/// `GET /meetings/schedule`: every weekly meeting by weekday in the viewer's zone, with a legend
/// of the types, laid out for printing.
pub async fn show_schedule(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let params = query_fields(&query, &["tz"], &[])?;
    let zone = meetings::viewer_zone(&state.app, viewer.as_ref(), params.get("tz"))?;
    let snapshot = meetings::directory_for(&state.app, viewer.as_ref()).await?;
    let week = meetings::weekly_schedule(&state.app, &snapshot, &zone);
    let mut used: Vec<String> = Vec::new();
    let days = week
        .into_iter()
        .enumerate()
        .map(|(i, rows)| {
            let rows = rows
                .into_iter()
                .map(|r| {
                    for t in &r.types {
                        if !used.contains(t) {
                            used.push(t.clone());
                        }
                    }
                    ScheduleRow {
                        time: r.time,
                        name: r.name,
                        program: r.program,
                        place: r.place,
                        types: r.types.join(" "),
                    }
                })
                .collect();
            (DAY_NAMES[i], rows)
        })
        .collect();
    used.sort();
    let page = SchedulePage {
        layout: ctx.layout("Weekly schedule"),
        zone: zone.name().to_owned(),
        days,
        legend: used
            .into_iter()
            .map(|c| {
                let name = catalog::type_name(&c).to_owned();
                (c, name)
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

struct HistoryView {
    at: String,
    by: String,
    summary: String,
    changes: Vec<meetings::FieldChange>,
}

/// Whom to contact about a group, on one line: "Sam, sam@example.org, 555 0100".
fn contact_of(g: &meetings::GroupRow) -> String {
    [
        g.contact_name.as_str(),
        g.contact_email.as_str(),
        g.contact_phone.as_str(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

struct MeetingDetail {
    id: Uuid,
    name: String,
    group_id: Uuid,
    group: String,
    program: String,
    mode: &'static str,
    closed: bool,
    schedule: String,
    /// `None` for a meeting by appointment, which has no times.
    time: Option<String>,
    /// For a meeting by appointment: whom to contact to arrange it.
    appointment_contact: String,
    zone: String,
    yours: Option<String>,
    upcoming: Vec<String>,
    cancelled: String,
    place: String,
    location_notes: String,
    join_hidden: bool,
    join: Vec<(&'static str, String)>,
    types: Vec<(String, String)>,
    notes: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    flash: Option<&'static str>,
    meeting: MeetingDetail,
    viewer_zone: String,
    signed_in: bool,
    saved: bool,
    editable: bool,
    attendance_form: FormView,
    history: Vec<HistoryView>,
}

async fn meeting_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    ctx: &PageContext,
    id: Uuid,
    flash: Option<&'static str>,
    attendance_form: FormView,
) -> Result<MeetingPage, AppError> {
    let app = &state.app;
    let view = meetings::find_meeting(app, viewer, id).await?;
    let zone = mutual_app::accounts::zone_for(app, viewer);
    let dates = Dates::new(zone.clone(), app.clock.now());
    let l = &view.listing;
    let upcoming = meetings::upcoming(app, &view, 4);
    let meeting_zone = l.schedule().zone;
    let yours = upcoming
        .first()
        .filter(|_| meeting_zone.name() != zone.name())
        .map(|o| dates.instant(o.start));
    let mut join = Vec::new();
    if view.join_visible {
        for (label, value) in [
            ("Join link", &l.conference_url),
            ("Join link notes", &l.conference_url_notes),
            ("Phone", &l.conference_phone),
            ("Phone notes", &l.conference_phone_notes),
        ] {
            if !value.is_empty() {
                join.push((label, value.clone()));
            }
        }
    }
    let has_join = !l.conference_url.is_empty() || !l.conference_phone.is_empty();
    let (saved, history) = match viewer {
        Some(v) => (
            meetings::is_saved(app, v, id).await?,
            if view.editable {
                meetings::history(app, v, id).await?
            } else {
                Vec::new()
            },
        ),
        None => (false, Vec::new()),
    };
    let attendance_form =
        if attendance_form.value("day").is_empty() && attendance_form.errors.is_empty() {
            attendance_form.keep("day", &zone.date_of(app.clock.now()).to_string())
        } else {
            attendance_form
        };
    Ok(MeetingPage {
        layout: ctx.layout(&l.name),
        flash,
        meeting: MeetingDetail {
            id,
            name: l.name.clone(),
            group_id: view.group.id,
            group: view.group.name.clone(),
            program: view
                .program
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            mode: l.mode.label(),
            closed: l.status != mutual_domain::meetings::listing::Status::Active,
            schedule: l.recurrence.describe(),
            time: l
                .clock_times()
                .map(|(start, end)| format!("{start} to {end}")),
            appointment_contact: if l.clock_times().is_none() {
                contact_of(&view.group)
            } else {
                String::new()
            },
            zone: l.zone.clone(),
            yours,
            upcoming: upcoming
                .iter()
                .map(|o| format!("{} ({})", dates.instant(o.start), zone.name()))
                .collect(),
            cancelled: l
                .cancelled
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            place: [l.location.clone(), l.address_line()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            location_notes: l.location_notes.clone(),
            join_hidden: !view.join_visible && has_join,
            join,
            types: l
                .types
                .iter()
                .map(|t| (t.clone(), catalog::type_name(t).to_owned()))
                .collect(),
            notes: l.notes.clone(),
        },
        viewer_zone: zone.name().to_owned(),
        signed_in: viewer.is_some(),
        saved,
        editable: view.editable,
        attendance_form,
        history: history
            .into_iter()
            .map(|h| HistoryView {
                at: h.at,
                by: h.by,
                summary: h.summary,
                changes: h.changes,
            })
            .collect(),
    })
}

/// `GET /meetings/{id}` (the page) and `GET /meetings/{id}.ics` (the calendar file).
pub async fn show_meeting(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    Path(id): Path<String>,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = match crate::pages::query_param(&query, "done").as_deref() {
        Some("saved") => Some("Saved to your meetings."),
        Some("unsaved") => Some("Removed from your meetings."),
        Some("logged") => Some("Added to your private attendance log."),
        Some("suggested") => Some("Thank you. Moderators will review your suggestion."),
        Some("edited") => Some("The listing is updated."),
        _ => None,
    };
    let outcome = async {
        if let Some(id) = id.strip_suffix(".ics") {
            let view = meetings::find_meeting(&state.app, viewer.as_ref(), parse_id(id)?).await?;
            let body = calendar::meeting_ics(&state.app, &view)?;
            let file = format!("{}.ics", view.listing.slug);
            return Ok(crate::feeds::readable_anywhere(ics_response(body, &file)));
        }
        let page = meeting_page(
            &state,
            viewer.as_ref(),
            &ctx,
            parse_id(&id)?,
            flash,
            FormView::default(),
        )
        .await?;
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    match outcome {
        Err(AppError::SignInRequired) => Ok(Redirect::to("/login").into_response()),
        other => other.map_err(PageError::from),
    }
}

/// An iCalendar body, offered as a download named `file`.
pub(crate) fn ics_response(body: String, file: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    let safe: String = file
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `POST /meetings/{id}/save`
pub async fn save_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    meetings::save(&state.app, &viewer, id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=saved")).into_response())
}

/// `POST /meetings/{id}/unsave`
pub async fn unsave_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    meetings::unsave(&state.app, &viewer, id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=unsaved")).into_response())
}

/// `POST /meetings/{id}/attended`
pub async fn log_attended(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let view = FormView::default()
        .keep("day", form.get("day"))
        .keep("note", form.get("note"));
    let result = async {
        form.only(&["day", "note"])?;
        let (day, note) = (form.get("day"), form.get("note"));
        meetings::log_attendance(&state.app, &viewer, Some(id), "", day, note).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?done=logged")).into_response()),
        Err(error) => {
            let errors = form_errors(error)?;
            let page = meeting_page(
                &state,
                Some(&viewer),
                &ctx,
                id,
                None,
                view.with_errors(errors),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

struct GroupDetail {
    id: Uuid,
    name: String,
    program: String,
    closed: bool,
    description: String,
    facts: Vec<(&'static str, String)>,
    meetings: Vec<(Uuid, String, String)>,
}

#[derive(Template)]
#[template(path = "group.html")]
pub(crate) struct GroupPage {
    layout: Layout,
    flash: Option<&'static str>,
    group: GroupDetail,
    editable: bool,
    moderator: bool,
    facilitators: Vec<(Uuid, String)>,
    form: FormView,
}

fn labels(terms: &[Term], stored: &str) -> String {
    catalog::split_list(stored)
        .map(|c| catalog::label(terms, c).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn group_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    ctx: &PageContext,
    id: Uuid,
    flash: Option<&'static str>,
    form: FormView,
) -> Result<GroupPage, AppError> {
    let view = meetings::find_group(&state.app, viewer, id).await?;
    let g = &view.group;
    let mut facts: Vec<(&'static str, String)> = vec![
        ("Values and approach", labels(catalog::VALUE_TAGS, &g.tags)),
        ("Size", labels(catalog::SIZES, &g.size)),
        ("Format", labels(catalog::STRUCTURES, &g.structure)),
        ("Led by", labels(catalog::FACILITATION, &g.facilitation)),
        ("Atmosphere", g.atmosphere.clone()),
        (
            "Languages",
            catalog::split_list(&g.languages)
                .map(catalog::type_name)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("For", labels(catalog::AUDIENCES, &g.audience)),
        (
            "Accessibility",
            labels(catalog::ACCESSIBILITY, &g.accessibility),
        ),
        ("Contact", contact_of(g)),
        ("Notes", g.notes.clone()),
        ("Area", g.area.clone()),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    Ok(GroupPage {
        layout: ctx.layout(&g.name),
        flash,
        group: GroupDetail {
            id,
            name: g.name.clone(),
            program: view
                .program
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            closed: g.closed,
            description: g.description.clone(),
            facts,
            meetings: view
                .meetings
                .iter()
                .map(|(row, l)| {
                    (
                        row.id,
                        l.name.clone(),
                        format!(
                            "{}, {:02}:{:02} {} · {}",
                            l.recurrence.describe(),
                            l.start.hour(),
                            l.start.minute(),
                            l.zone,
                            l.mode.label()
                        ),
                    )
                })
                .collect(),
        },
        editable: view.editable,
        moderator: viewer.is_some_and(|v| v.role.can_moderate()),
        facilitators: view.facilitators,
        form,
    })
}

/// `GET /groups/{id}`
pub async fn show_group(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    match group_page(&state, viewer.as_ref(), &ctx, id, None, FormView::default()).await {
        Ok(page) => Ok(render(StatusCode::OK, &page)),
        Err(AppError::SignInRequired) => Ok(Redirect::to("/login").into_response()),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "my_meetings.html")]
struct MyMeetingsPage {
    layout: Layout,
    flash: Option<&'static str>,
    saved: Vec<(Uuid, String, String)>,
    calendar_link: Option<String>,
    has_calendar: bool,
    form: FormView,
    log: Vec<meetings::AttendanceRow>,
}

async fn my_meetings_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    flash: Option<&'static str>,
    calendar_link: Option<String>,
    form: FormView,
) -> Result<MyMeetingsPage, AppError> {
    let app = &state.app;
    let dates = Dates::of(app, Some(viewer));
    let saved = meetings::saved(app, viewer)
        .await?
        .into_iter()
        .map(|(row, l, next)| {
            let when = match next {
                Some(o) => format!(
                    "{}; next {}",
                    l.recurrence.describe(),
                    dates.instant(o.start)
                ),
                None => format!("{}; no upcoming date", l.recurrence.describe()),
            };
            (row.id, l.name, when)
        })
        .collect();
    let form = if form.value("day").is_empty() && form.errors.is_empty() {
        form.keep("day", &viewer.zone.date_of(app.clock.now()).to_string())
    } else {
        form
    };
    Ok(MyMeetingsPage {
        layout: ctx.layout("My meetings"),
        flash,
        saved,
        has_calendar: calendar::has_feed(app, viewer).await?,
        calendar_link,
        form,
        log: meetings::attendance(app, viewer).await?,
    })
}

/// `GET /my/meetings`
pub async fn show_my_meetings(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = match crate::pages::query_param(&query, "done").as_deref() {
        Some("logged") => Some("Added to your attendance log."),
        Some("deleted") => Some("Deleted from your attendance log."),
        _ => None,
    };
    let page = my_meetings_page(&state, &viewer, &ctx, flash, None, FormView::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /my/meetings/calendar`: a new private calendar address, shown once.
pub async fn new_calendar(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    _form: FormData,
) -> Result<Response, PageError> {
    let token = calendar::new_feed_token(&state.app, &viewer).await?;
    let link = format!(
        "{}/calendar/{token}.ics",
        state.app.config.public_url.trim_end_matches('/')
    );
    let page =
        my_meetings_page(&state, &viewer, &ctx, None, Some(link), FormView::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /my/attendance`
pub async fn add_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let fields = ["name", "day", "note"];
    let view = fields
        .iter()
        .fold(FormView::default(), |v, f| v.keep(f, form.get(f)));
    let result = async {
        form.only(&fields)?;
        let (name, day, note) = (form.get("name"), form.get("day"), form.get("note"));
        meetings::log_attendance(&state.app, &viewer, None, name, day, note).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/my/meetings?done=logged").into_response()),
        Err(error) => {
            let errors = form_errors(error)?;
            let page =
                my_meetings_page(&state, &viewer, &ctx, None, None, view.with_errors(errors))
                    .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// `POST /my/attendance/{id}/delete`
pub async fn delete_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    meetings::delete_attendance(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/my/meetings?done=deleted").into_response())
}
