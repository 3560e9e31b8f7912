//! `/api/v1` for the meeting directory: search, the guided finder, meetings, groups and
//! programmes (identical for every viewer, except join details a group keeps for members),
//! saved meetings and the private attendance log, suggestions and their review, and editing.

mod areas;

use crate::AppState;
use crate::api::contract::ErrorResponse;
use crate::auth::{MaybeViewer, SignedIn};
use crate::error::ApiError;
use crate::forms::{ApiJson, FormData};
use crate::ids::IdPath;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::meetings::{self, GroupInput, MeetingView, interop::meeting_url};
use mutual_app::{AppError, FieldError};
use mutual_domain::meetings::catalog::{self, Term};
use mutual_domain::meetings::listing::{self, LISTING_FIELDS, ListingInput};
use mutual_domain::permissions::Access::{Anyone, Member, Moderator};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

/// The query string as fields, refusing parameters the endpoint does not know, and any but
/// those in `lists` given more than once.
pub(crate) fn query_fields(
    query: &RawQuery,
    allowed: &[&str],
    lists: &[&str],
) -> Result<FormData, AppError> {
    let fields = FormData::from_query(query.0.as_deref())
        .ok_or_else(|| AppError::field("query", "The query string could not be read."))?;
    fields.only(allowed)?;
    let repeated: Vec<FieldError> = allowed
        .iter()
        .filter(|name| !lists.contains(name) && fields.all(name).len() > 1)
        .map(|name| FieldError::new(name.to_string(), format!("Give {name} only once.")))
        .collect();
    if !repeated.is_empty() {
        return Err(AppError::Invalid(repeated));
    }
    Ok(fields)
}

// The directory's vocabularies as schemas: the catalog in the domain stays the one list of
// codes, and these types (which have no values) only name its lists in the document.

fn codes(terms: &[Term]) -> Vec<serde_json::Value> {
    terms.iter().map(|(code, _)| (*code).into()).collect()
}

fn text_of(values: Vec<serde_json::Value>, description: &str) -> RefOr<Schema> {
    text_builder(values, description).into()
}

fn text_builder(values: Vec<serde_json::Value>, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
}

/// Declares types that are only a schema: `Name => its schema;`.
macro_rules! schemas {
    ($($(#[$meta:meta])* $name:ident => $schema:expr;)*) => {$(
        $(#[$meta])*
        pub enum $name {}

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl ToSchema for $name {}
    )*};
}

schemas! {
    /// A group's size.
    SizeCode => text_of(
        codes(catalog::SIZES),
        "How many usually come: small (under 10), medium (10 to 30), large (over 30)",
    );
    /// A group's format.
    StructureCode => text_of(codes(catalog::STRUCTURES), "How the meeting is run");
    /// Who runs a group.
    FacilitationCode => text_of(
        codes(catalog::FACILITATION),
        "Peer-led or professionally facilitated",
    );
    /// A value or approach tag.
    ValueTag => text_of(
        codes(catalog::VALUE_TAGS),
        "A value or approach tag a group can carry",
    );
    /// An audience.
    AudienceCode => text_of(codes(catalog::AUDIENCES), "Who a group is for");
    /// An accessibility feature.
    AccessibilityCode => text_of(
        codes(catalog::ACCESSIBILITY),
        "An accessibility feature",
    );
    /// How a programme approaches recovery.
    ApproachCode => text_of(
        codes(catalog::APPROACHES),
        "How a programme approaches recovery",
    );
    /// An approach or a value tag, for the finder.
    FinderApproach => {
        let mut values = codes(catalog::APPROACHES);
        for tag in codes(catalog::VALUE_TAGS) {
            if !values.contains(&tag) {
                values.push(tag);
            }
        }
        text_of(values, "An approach of a programme, or a value tag of a group")
    };
    /// A part of the day.
    DayPartCode => text_of(
        ["morning", "afternoon", "evening"].map(Into::into).to_vec(),
        "Morning (5 to 12), afternoon (12 to 17) or evening (17 to midnight)",
    );
    /// How one will attend, for the finder.
    AttendChoice => text_builder(
        ["in_person", "online", "either"].map(Into::into).to_vec(),
        "In person or online only, or either",
    )
    .default(Some("either".into()))
    .into();
    /// The order of search results.
    MeetingOrder => text_builder(
        ["next", "distance"].map(Into::into).to_vec(),
        "Soonest first, or nearest first",
    )
    .default(Some("next".into()))
    .into();
    /// A shortcut for when.
    MeetingWhen => text_of(
        ["now", "tonight"].map(Into::into).to_vec(),
        "Now: in progress or starting within the hour; tonight: today from 17:00 (with neither \
         `day` nor `after`)",
    );
    /// A weekday's name.
    WeekdayName => text_of(
        listing::DAY_NAMES.map(Into::into).to_vec(),
        "A day of the week",
    );
    /// A field of a listing.
    ListingField => text_of(
        LISTING_FIELDS.iter().map(|f| (*f).into()).collect(),
        "A field of a listing, as a listing request names it",
    );
    /// A day of the week as a number.
    WeekdayNumber => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(6))
        .description(Some("A day of the week: 0 = Sunday to 6 = Saturday"))
        .into();
    /// Which week of the month.
    WeekOfMonth => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some([1, 2, 3, 4, -1]))
        .description(Some("Which week of the month: 1 to 4, or -1 for the last"))
        .into();
    /// A calendar date.
    MeetingDate => ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .description(Some("YYYY-MM-DD"))
        .into();
}

/// How people attend a meeting.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingMode {
    InPerson,
    Online,
    Hybrid,
    Phone,
}

impl MeetingMode {
    fn as_str(self) -> &'static str {
        match self {
            MeetingMode::InPerson => "in_person",
            MeetingMode::Online => "online",
            MeetingMode::Hybrid => "hybrid",
            MeetingMode::Phone => "phone",
        }
    }
}

/// Whether a meeting is being held: `closed` meetings (temporarily not meeting) stay listed
/// but are left out of searches.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    Active,
    Closed,
}

impl ListingStatus {
    fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Active => "active",
            ListingStatus::Closed => "closed",
        }
    }
}

/// How often a meeting meets: `biweekly` is every other week (anchored on `date`), `monthly`
/// once a month (on `nth` week's one day), `once` on `date` only, `appointment` at no set day
/// or time (people contact the group; days and times are then ignored).
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecurrenceKind {
    Weekly,
    Biweekly,
    Monthly,
    Once,
    Appointment,
}

impl RecurrenceKind {
    fn as_str(self) -> &'static str {
        match self {
            RecurrenceKind::Weekly => "weekly",
            RecurrenceKind::Biweekly => "biweekly",
            RecurrenceKind::Monthly => "monthly",
            RecurrenceKind::Once => "once",
            RecurrenceKind::Appointment => "appointment",
        }
    }
}

/// Codes as a list, or as one text with the codes separated by commas.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CodeList {
    /// `"O, D, W"`
    Text(String),
    /// `["O", "D", "W"]`
    List(Vec<String>),
}

impl CodeList {
    fn values(&self) -> Vec<String> {
        match self {
            CodeList::Text(text) => vec![text.clone()],
            CodeList::List(items) => items.clone(),
        }
    }
}

/// One search result or finder suggestion: the meeting and when it meets next, as the viewer
/// sees it.
#[derive(Serialize, ToSchema)]
struct MeetingResult {
    /// The meeting's id, for `GET /api/v1/meetings/{id}`.
    id: Uuid,
    /// The meeting's name.
    #[schema(example = "Tuesday Night Hope")]
    name: String,
    /// The group's id, for `GET /api/v1/groups/{id}`.
    group_id: Uuid,
    /// The group's name.
    #[schema(example = "Lakeside Group")]
    group: String,
    /// The programme's code.
    #[schema(example = "AA")]
    program: String,
    /// The programme's name; empty when the code is not a listed programme.
    #[schema(example = "Alcoholics Anonymous")]
    program_name: String,
    /// How people attend.
    #[schema(value_type = MeetingMode)]
    mode: &'static str,
    /// Meeting Guide type codes.
    #[schema(example = json!(["O", "D"]))]
    types: Vec<String>,
    /// The schedule in words.
    #[schema(example = "Every Tuesday")]
    schedule: String,
    /// The meeting's own IANA zone.
    #[schema(example = "America/Chicago")]
    time_zone: String,
    /// The place's name; empty when not given.
    #[schema(example = "St. Mark's")]
    location: String,
    /// Empty when not given.
    #[schema(example = "Chicago")]
    city: String,
    /// The next occurrence's start (RFC 3339).
    #[schema(format = DateTime, example = "2026-09-23T00:00:00Z")]
    starts_at: String,
    /// Its end (RFC 3339).
    #[schema(format = DateTime, example = "2026-09-23T01:00:00Z")]
    ends_at: String,
    /// Its start in the viewer's zone, `YYYY-MM-DD HH:MM`.
    #[schema(example = "2026-09-23 01:00")]
    starts_local: String,
    /// The weekday of `starts_local`.
    #[schema(value_type = WeekdayName, example = "Wednesday")]
    weekday: &'static str,
    /// Its start in the meeting's own zone (`YYYY-MM-DD HH:MM Zone`), when that differs from
    /// the viewer's.
    #[schema(example = "2026-09-22 19:00 America/Chicago")]
    meeting_local: Option<String>,
    /// Whether it is on now.
    in_progress: bool,
    /// How far from `near` (km, one decimal), when a place was given.
    #[schema(example = 1.2)]
    distance_km: Option<f64>,
}

impl From<meetings::MeetingSummary> for MeetingResult {
    fn from(summary: meetings::MeetingSummary) -> MeetingResult {
        let (facts, timing) = (summary.facts, summary.timing);
        MeetingResult {
            id: facts.id,
            name: facts.name.to_string(),
            group_id: facts.group_id,
            group: facts.group.to_string(),
            program: facts.program.to_string(),
            program_name: facts.program_name.to_string(),
            mode: facts.mode,
            types: facts.types.to_vec(),
            schedule: facts.schedule.to_string(),
            time_zone: facts.time_zone.to_string(),
            location: facts.location.to_string(),
            city: facts.city.to_string(),
            starts_at: timing.starts_at,
            ends_at: timing.ends_at,
            starts_local: timing.starts_local,
            weekday: timing.weekday,
            meeting_local: timing.meeting_local,
            in_progress: timing.in_progress,
            distance_km: timing.distance_km,
        }
    }
}

const MEMBERS_ONLY: &str =
    "Not signed in, and an admin opened the directory to signed-in members only";

/// The search's answer.
// Written by `mutual_app::meetings::search_json`, which keeps each result's facts as JSON per
// directory; this type describes those bytes, and the HTTP tests check that they agree.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
struct SearchResponse {
    /// The zone the times are in.
    #[schema(example = "Europe/London")]
    time_zone: String,
    /// How many meetings follow.
    #[schema(example = 1)]
    count: u32,
    /// Soonest first, or nearest first with `order=distance`.
    meetings: Vec<MeetingResult>,
}

/// The search's query string; every parameter is optional.
// Documentation only: the use case reads the query parameter by parameter, refusing each bad one
// with its own message (and unknown parameters).
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words that must all appear (name, group, place, programme); the first 10 count.
    #[param(max_length = 200, example = "hope")]
    q: Option<String>,
    /// A programme code (see `/api/v1/programs`).
    #[param(example = "AA")]
    program: Option<String>,
    /// Meeting Guide type codes, comma-separated (at most 20); a meeting must have all of them.
    #[param(style = Form, explode = false, max_items = 20, example = "O,D")]
    types: Option<Vec<String>>,
    /// How people attend.
    #[param(inline)]
    mode: Option<MeetingMode>,
    /// A weekday in the viewer's zone, 0 = Sunday to 6 = Saturday.
    #[param(minimum = 0, maximum = 6, example = 2)]
    day: Option<u8>,
    /// Starting at or after HH:MM in the viewer's zone (empty: any time).
    #[param(pattern = r"^(([01]?[0-9]|2[0-3]):[0-5][0-9])?$", example = "18:00")]
    after: Option<String>,
    /// Starting before HH:MM in the viewer's zone (earlier than `after`: past midnight; empty:
    /// any time).
    #[param(pattern = r"^(([01]?[0-9]|2[0-3]):[0-5][0-9])?$", example = "21:00")]
    before: Option<String>,
    /// The viewer's IANA zone for days and times (default: the server's).
    #[param(example = "America/Chicago")]
    tz: Option<String>,
    /// A place: a town, area or postcode where the directory lists meetings ("Evanston",
    /// "60641"), or `latitude,longitude` in degrees: only meetings within `radius_km` of it
    /// (empty: anywhere). A name the directory does not know is a 422 naming places it has.
    #[param(max_length = 100, example = "41.8781,-87.6298")]
    near: Option<String>,
    /// An area's path from the region down ("Chicago > Portage Park"): meetings in it or in
    /// an area under it (`GET /api/v1/areas` lists them).
    #[param(max_length = 320, example = "Chicago > Portage Park")]
    area: Option<String>,
    /// How far from `near`, in kilometres: more than 0, at most 500.
    #[param(exclusive_minimum = 0, maximum = 500, default = 25, example = 10)]
    radius_km: Option<f64>,
    /// Only meetings starting within this many hours: more than 0, at most 168 (a week).
    #[param(exclusive_minimum = 0, maximum = 168, example = 2)]
    starting_within_hours: Option<f64>,
    /// Only meetings in progress now (`true`/`false`; `1`, `on`, `yes` and `0` are read too);
    /// with `starting_within_hours`, those in progress or starting within it.
    in_progress: Option<bool>,
    /// A shortcut: `now` (in progress or starting within the hour) or `tonight` (today from
    /// 17:00 in the viewer's zone).
    #[param(value_type = Option<MeetingWhen>, inline)]
    when: Option<String>,
    /// At most this many results.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<u8>,
    /// `next` (soonest first) or `distance` (nearest first, with `near`).
    #[param(value_type = Option<MeetingOrder>, inline)]
    order: Option<String>,
    /// The group's value tags, comma-separated; all must match.
    #[param(value_type = Option<Vec<ValueTag>>, inline, style = Form, explode = false)]
    tags: Option<Vec<String>>,
    /// The group's size.
    #[param(value_type = Option<SizeCode>, inline)]
    size: Option<String>,
    /// The group's format.
    #[param(value_type = Option<StructureCode>, inline)]
    structure: Option<String>,
    /// Who runs the group.
    #[param(value_type = Option<FacilitationCode>, inline)]
    facilitation: Option<String>,
    /// Who the group is for, comma-separated; all must match.
    #[param(value_type = Option<Vec<AudienceCode>>, inline, style = Form, explode = false)]
    audience: Option<Vec<String>>,
    /// A language code the group meets in.
    #[param(example = "EN")]
    language: Option<String>,
    /// Accessibility features, comma-separated; all must match.
    #[param(value_type = Option<Vec<AccessibilityCode>>, inline, style = Form, explode = false)]
    accessibility: Option<Vec<String>>,
}

/// Search the directory (the same answer for every viewer)
///
/// Times are in `tz` (default: the server's zone), so the answer depends only on the request,
/// never on who asks; nothing records who searched for what.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    params(SearchQuery),
    responses(
        (status = 200, description = "The meetings found", body = SearchResponse),
        (status = 401, description = MEMBERS_ONLY, body = ErrorResponse),
    ))]
pub async fn search_meetings(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, meetings::SEARCH_PARAMS, &[])?;
    let parsed = meetings::parse_search(&state.app, None, |name| params.get(name))?;
    let body = meetings::search_json(&state.app, viewer.as_ref(), &parsed).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// The finder's parameters that take several values (comma-separated, or repeated).
pub(crate) const FINDER_LISTS: &[&str] = &["approach", "audience", "days", "parts"];

/// The guided finder's answers; every parameter is optional.
// Documentation only, like `SearchQuery`.
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct FinderQuery {
    /// Approaches or value tags, comma-separated (or repeated).
    #[param(value_type = Option<Vec<FinderApproach>>, inline, style = Form, explode = false)]
    approach: Option<Vec<String>>,
    /// The size of group.
    #[param(value_type = Option<SizeCode>, inline)]
    size: Option<String>,
    /// The format.
    #[param(value_type = Option<StructureCode>, inline)]
    structure: Option<String>,
    /// Audiences, comma-separated (or repeated).
    #[param(value_type = Option<Vec<AudienceCode>>, inline, style = Form, explode = false)]
    audience: Option<Vec<String>>,
    /// Weekdays that suit, 0 = Sunday to 6 = Saturday, comma-separated (or repeated).
    #[param(value_type = Option<Vec<WeekdayNumber>>, inline, style = Form, explode = false, example = "2,4")]
    days: Option<Vec<u8>>,
    /// Parts of the day that suit, comma-separated (or repeated).
    #[param(value_type = Option<Vec<DayPartCode>>, inline, style = Form, explode = false)]
    parts: Option<Vec<String>>,
    /// `in_person` or `online` rule the other out; `either` (the default) does not.
    #[param(value_type = Option<AttendChoice>, inline)]
    attend: Option<String>,
    /// Where one is: a town, area or postcode where the directory lists meetings, or
    /// `latitude,longitude` in degrees (empty: anywhere).
    #[param(max_length = 100, example = "41.8781,-87.6298")]
    near: Option<String>,
    /// Only meetings in this area (its path from the region down, "Chicago > Portage Park").
    #[param(max_length = 320, example = "Chicago > Portage Park")]
    area: Option<String>,
    /// How far one will travel from `near`, in kilometres: more than 0, at most 500.
    #[param(exclusive_minimum = 0, maximum = 500, default = 25, example = 10)]
    radius_km: Option<f64>,
    /// A language code.
    #[param(example = "EN")]
    language: Option<String>,
    /// The viewer's IANA zone for days and parts of the day (default: the server's).
    #[param(example = "America/Chicago")]
    tz: Option<String>,
}

/// One of the finder's suggestions.
#[derive(Serialize, ToSchema)]
struct FinderSuggestion {
    /// The meeting and when it meets next.
    meeting: MeetingResult,
    /// How well it fits: higher is better.
    #[schema(example = 8)]
    score: u32,
    /// Why it was suggested, in plain words.
    #[schema(example = json!(["Secular, as you asked", "Tuesday evening"]))]
    reasons: Vec<String>,
}

/// The finder's answer.
#[derive(Serialize, ToSchema)]
struct FinderResponse {
    /// Best first, at most 10.
    suggestions: Vec<FinderSuggestion>,
}

/// The guided finder: ranked suggestions with their reasons
///
/// How one attends and how far one travels are firm; everything else adds to the score, with
/// a reason in plain words.
#[utoipa::path(get, path = "/api/v1/finder", tag = "meetings",
    params(FinderQuery),
    responses(
        (status = 200, description = "Suggestions, best first", body = FinderResponse),
        (status = 401, description = MEMBERS_ONLY, body = ErrorResponse),
    ))]
pub async fn find_my_group(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, meetings::FINDER_FIELDS, FINDER_LISTS)?;
    let found = meetings::find_my_group(&state.app, viewer.as_ref(), None, |name| {
        let values = params.all(name);
        if FINDER_LISTS.contains(&name) {
            values.into_iter().flat_map(|v| v.split(',')).collect()
        } else {
            values
        }
    })
    .await?;
    let suggestions = found
        .into_iter()
        .map(|f| FinderSuggestion {
            meeting: f.meeting.into(),
            score: f.score,
            reasons: f.reasons,
        })
        .collect();
    Ok(Json(FinderResponse { suggestions }).into_response())
}

/// A meeting's group.
#[derive(Serialize, ToSchema)]
struct GroupRef {
    /// The group's id, for `GET /api/v1/groups/{id}`.
    id: Uuid,
    /// The group's name.
    #[schema(example = "Lakeside Group")]
    name: String,
}

/// A programme, briefly.
#[derive(Serialize, ToSchema)]
struct ProgramRef {
    /// The programme's code.
    #[schema(example = "AA")]
    code: String,
    /// The programme's name.
    #[schema(example = "Alcoholics Anonymous")]
    name: String,
}

/// A Meeting Guide type code and what it means.
#[derive(Serialize, ToSchema)]
struct MeetingTypeCode {
    /// The code.
    #[schema(example = "O")]
    code: String,
    /// The code itself for a custom type.
    #[schema(example = "Open")]
    name: String,
}

/// How to join a meeting online or by phone; empty strings when not given.
#[derive(Serialize, ToSchema)]
struct JoinDetails {
    /// The join link.
    #[schema(example = "https://zoom.us/j/1234567890")]
    conference_url: String,
    /// About the link (a password, for example).
    #[schema(example = "Password: hope")]
    conference_url_notes: String,
    /// Digits, and `+ , * #` for international numbers and one-tap passcodes.
    #[schema(example = "+13125551212,,1234567890#")]
    conference_phone: String,
    /// About the phone line (a passcode, for example).
    #[schema(example = "Passcode 1234")]
    conference_phone_notes: String,
}

/// One coming occurrence.
#[derive(Serialize, ToSchema)]
struct UpcomingOccurrence {
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-09-23T00:00:00Z")]
    starts_at: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-09-23T01:00:00Z")]
    ends_at: String,
    /// The start in the viewer's zone, `YYYY-MM-DD HH:MM`.
    #[schema(example = "2026-09-23 01:00")]
    starts_local: String,
}

/// A meeting with everything its page shows. Text fields are empty when not given.
#[derive(Serialize, ToSchema)]
struct MeetingResponse {
    /// The meeting's id.
    id: Uuid,
    /// Its short name in the Meeting Guide feed.
    #[schema(example = "tuesday-night-hope")]
    slug: String,
    /// The meeting's name.
    #[schema(example = "Tuesday Night Hope")]
    name: String,
    /// The group it belongs to.
    group: GroupRef,
    /// Null when the group's programme is not listed.
    program: Option<ProgramRef>,
    /// The meeting's own IANA zone, which `start_time` and `end_time` are in.
    #[schema(example = "America/Chicago")]
    time_zone: String,
    /// HH:MM; null for a meeting by appointment.
    #[schema(example = "19:00")]
    start_time: Option<String>,
    /// HH:MM; before `start_time` when it runs past midnight; null for a meeting by appointment.
    #[schema(example = "20:00")]
    end_time: Option<String>,
    /// How often it meets.
    #[schema(value_type = RecurrenceKind)]
    recurrence: String,
    /// The days of the week it can fall on.
    #[schema(value_type = Vec<WeekdayNumber>, example = json!([2]))]
    days: Vec<i8>,
    /// For a monthly meeting, which week of the month; null otherwise.
    #[schema(value_type = Option<WeekOfMonth>)]
    nth: Option<i64>,
    /// The date of a one-time meeting, or a date in an "on" week of a biweekly one; null
    /// otherwise.
    #[schema(format = Date, example = "2026-10-03")]
    date: Option<String>,
    /// Dates (in its zone) it does not meet on.
    #[schema(value_type = Vec<MeetingDate>, example = json!(["2026-12-25"]))]
    cancelled: Vec<String>,
    /// The schedule in words.
    #[schema(example = "Every Tuesday")]
    schedule: String,
    /// How people attend.
    #[schema(value_type = MeetingMode)]
    mode: &'static str,
    /// Whether it is being held.
    #[schema(value_type = ListingStatus)]
    status: &'static str,
    /// The place's name.
    #[schema(example = "St. Mark's")]
    location: String,
    /// About the place (parking, which door).
    #[schema(example = "Parking behind the hall")]
    location_notes: String,
    /// The address on one line.
    #[schema(example = "1 Main St, Chicago, IL 60641")]
    address: String,
    /// The city.
    #[schema(example = "Chicago")]
    city: String,
    /// Degrees; null when the listing has no point.
    #[schema(example = 41.8781)]
    latitude: Option<f64>,
    /// Degrees; null when the listing has no point.
    #[schema(example = -87.6298)]
    longitude: Option<f64>,
    /// Whether the point is only the area (an online meeting's home), not a door to go to.
    approximate: bool,
    /// Its Meeting Guide type codes, each with its meaning.
    types: Vec<MeetingTypeCode>,
    /// Anything else worth knowing.
    #[schema(example = "Use the side door")]
    notes: String,
    /// The area it belongs to, from the region down ("Chicago > Portage Park"; empty: none).
    #[schema(example = "Chicago > Portage Park")]
    area: String,
    /// Null when the group keeps its join details for signed-in members and the viewer is not
    /// signed in.
    join: Option<JoinDetails>,
    /// Whether the group keeps its join details for signed-in members.
    join_members_only: bool,
    /// The next five occurrences.
    upcoming: Vec<UpcomingOccurrence>,
    /// The zone of `upcoming[].starts_local`: `tz`, else the server's.
    #[schema(example = "Europe/London")]
    viewer_time_zone: String,
    /// The meeting's page.
    #[schema(example = "https://mutual.example/meetings/0192d4a4-6f00-7000-8000-000000000001")]
    url: String,
    /// The meeting's iCalendar file (a path on this server).
    #[schema(example = "/meetings/0192d4a4-6f00-7000-8000-000000000001.ics")]
    ics: String,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2026-09-21T14:13:00Z")]
    updated_at: String,
}

fn meeting_response(
    state: &AppState,
    view: &MeetingView,
    zone: &mutual_domain::local::Zone,
) -> MeetingResponse {
    let l = &view.listing;
    let stored = l.recurrence.stored();
    MeetingResponse {
        id: view.row.id,
        slug: l.slug.clone(),
        name: l.name.clone(),
        group: GroupRef {
            id: view.group.id,
            name: view.group.name.clone(),
        },
        program: view.program.as_ref().map(|p| ProgramRef {
            code: p.code.clone(),
            name: p.name.clone(),
        }),
        time_zone: l.zone.clone(),
        start_time: l.clock_times().map(|(start, _)| start),
        end_time: l.clock_times().map(|(_, end)| end),
        recurrence: stored.kind,
        days: l
            .recurrence
            .weekdays()
            .iter()
            .map(|d| d.to_sunday_zero_offset())
            .collect(),
        nth: stored.nth,
        date: stored.date,
        cancelled: l.cancelled.iter().map(|d| d.to_string()).collect(),
        schedule: l.recurrence.describe(),
        mode: l.mode.as_str(),
        status: l.status.as_str(),
        location: l.location.clone(),
        location_notes: l.location_notes.clone(),
        address: l.address_line(),
        city: l.city.clone(),
        latitude: l.point.map(|p| p.lat),
        longitude: l.point.map(|p| p.lng),
        approximate: l.approximate == Some(true),
        types: l
            .types
            .iter()
            .map(|t| MeetingTypeCode {
                code: t.clone(),
                name: catalog::type_name(t).to_owned(),
            })
            .collect(),
        notes: l.notes.clone(),
        area: l.area_label(),
        join: view.join_visible.then(|| JoinDetails {
            conference_url: l.conference_url.clone(),
            conference_url_notes: l.conference_url_notes.clone(),
            conference_phone: l.conference_phone.clone(),
            conference_phone_notes: l.conference_phone_notes.clone(),
        }),
        join_members_only: view.group.join_members_only,
        upcoming: meetings::upcoming(&state.app, view, 5)
            .iter()
            .map(|o| UpcomingOccurrence {
                starts_at: o.start.to_rfc3339(),
                ends_at: o.end.to_rfc3339(),
                starts_local: zone.display(o.start),
            })
            .collect(),
        viewer_time_zone: zone.name().to_owned(),
        url: meeting_url(&state.app, view.row.id),
        ics: format!("/meetings/{}.ics", view.row.id),
        updated_at: mutual_domain::Timestamp(view.row.updated_at).to_rfc3339(),
    }
}

/// The meeting's query string.
// Documentation only: read with the other parameters refused.
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct MeetingQuery {
    /// The viewer's IANA zone for `upcoming` (default: the server's).
    #[param(example = "Europe/London")]
    tz: Option<String>,
}

/// One meeting; join details are null when the group keeps them for signed-in members
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(IdPath, MeetingQuery),
    responses(
        (status = 200, description = "The meeting", body = MeetingResponse),
        (status = 401, description = MEMBERS_ONLY, body = ErrorResponse),
    ))]
pub async fn show_meeting(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, &["tz"], &[])?;
    let zone = meetings::viewer_zone(&state.app, None, params.get("tz"))?;
    let view = meetings::find_meeting(&state.app, viewer.as_ref(), id).await?;
    Ok(Json(meeting_response(&state, &view, &zone)).into_response())
}

/// A group's programme.
#[derive(Serialize, ToSchema)]
struct GroupProgram {
    /// The programme's code.
    #[schema(example = "AA")]
    code: String,
    /// The programme's name.
    #[schema(example = "Alcoholics Anonymous")]
    name: String,
    /// How the programme approaches recovery.
    #[schema(value_type = ApproachCode, example = "twelve-step")]
    approach: String,
}

/// Whom to contact about a group (a first name or initial only); empty strings when not given.
#[derive(Serialize, ToSchema)]
struct GroupContact {
    /// A first name or initial.
    #[schema(example = "Sam")]
    name: String,
    /// An e-mail address.
    #[schema(example = "lakeside@example.org")]
    email: String,
    /// A phone number.
    #[schema(example = "+1 312 555 0100")]
    phone: String,
}

/// One of a group's meetings, briefly.
#[derive(Serialize, ToSchema)]
struct GroupMeeting {
    /// The meeting's id, for `GET /api/v1/meetings/{id}`.
    id: Uuid,
    /// The meeting's name.
    #[schema(example = "Tuesday Night Hope")]
    name: String,
    /// The schedule in words.
    #[schema(example = "Every Tuesday")]
    schedule: String,
    /// HH:MM in `time_zone`; null for a meeting by appointment.
    #[schema(example = "19:00")]
    start_time: Option<String>,
    /// The meeting's own IANA zone.
    #[schema(example = "America/Chicago")]
    time_zone: String,
    /// How people attend.
    #[schema(value_type = MeetingMode)]
    mode: &'static str,
    /// Whether it is being held.
    #[schema(value_type = ListingStatus)]
    status: &'static str,
}

/// A group with its attributes and meetings. Text fields are empty when not given.
#[derive(Serialize, ToSchema)]
struct GroupResponse {
    /// The group's id.
    id: Uuid,
    /// The group's name.
    #[schema(example = "Lakeside Group")]
    name: String,
    /// Null when the group's programme is not listed.
    program: Option<GroupProgram>,
    /// The group in its own words.
    #[schema(example = "A small, friendly group by the lake.")]
    description: String,
    /// Values and approach tags.
    #[schema(value_type = Vec<ValueTag>, example = json!(["spiritual"]))]
    tags: Vec<String>,
    /// How many usually come; null when not given.
    #[schema(value_type = Option<SizeCode>, example = "small")]
    size: Option<String>,
    /// How it is run; null when not given.
    #[schema(value_type = Option<StructureCode>, example = "sharing")]
    structure: Option<String>,
    /// Who runs it; null when not given.
    #[schema(value_type = Option<FacilitationCode>, example = "peer")]
    facilitation: Option<String>,
    /// What it is like, in the group's words.
    #[schema(example = "Quiet, with tea afterwards")]
    atmosphere: String,
    /// Language codes.
    #[schema(example = json!(["EN", "S"]))]
    languages: Vec<String>,
    /// Accessibility features.
    #[schema(value_type = Vec<AccessibilityCode>, example = json!(["wheelchair"]))]
    accessibility: Vec<String>,
    /// Who it is for.
    #[schema(value_type = Vec<AudienceCode>, example = json!(["newcomers"]))]
    audience: Vec<String>,
    /// Whether it is closed to newcomers for now.
    closed: bool,
    /// Whom to contact about it.
    contact: GroupContact,
    /// Whether its meetings' join details are shown to signed-in members only.
    join_members_only: bool,
    /// Anything else worth knowing.
    #[schema(example = "Founded 1990")]
    notes: String,
    /// Its area's path from the region down (empty: none).
    #[schema(example = "Chicago > Portage Park")]
    area: String,
    /// Its meetings, closed ones included.
    meetings: Vec<GroupMeeting>,
}

/// Empty as null, for the attributes given as one code.
fn code(text: &str) -> Option<String> {
    Some(text.to_owned()).filter(|t| !t.is_empty())
}

/// A group with its attributes and meetings
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "meetings",
    params(IdPath),
    responses(
        (status = 200, description = "The group", body = GroupResponse),
        (status = 401, description = MEMBERS_ONLY, body = ErrorResponse),
    ))]
pub async fn show_group(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let view = meetings::find_group(&state.app, viewer.as_ref(), id).await?;
    let g = view.group;
    let split = meetings::split;
    Ok(Json(GroupResponse {
        id: g.id,
        program: view.program.map(|p| GroupProgram {
            code: p.code,
            name: p.name,
            approach: p.approach,
        }),
        tags: split(&g.tags),
        size: code(&g.size),
        structure: code(&g.structure),
        facilitation: code(&g.facilitation),
        languages: split(&g.languages),
        accessibility: split(&g.accessibility),
        audience: split(&g.audience),
        closed: g.closed,
        contact: GroupContact {
            name: g.contact_name,
            email: g.contact_email,
            phone: g.contact_phone,
        },
        join_members_only: g.join_members_only,
        area: g.area.clone(),
        meetings: view
            .meetings
            .iter()
            .map(|(row, l)| GroupMeeting {
                id: row.id,
                name: l.name.clone(),
                schedule: l.recurrence.describe(),
                start_time: l.clock_times().map(|(start, _)| start),
                time_zone: l.zone.clone(),
                mode: l.mode.as_str(),
                status: l.status.as_str(),
            })
            .collect(),
        name: g.name,
        description: g.description,
        atmosphere: g.atmosphere,
        notes: g.notes,
    })
    .into_response())
}

/// A programme or approach groups belong to.
#[derive(Serialize, ToSchema)]
struct DirectoryProgram {
    /// What groups and searches name it by.
    #[schema(example = "AA")]
    code: String,
    /// The programme's name.
    #[schema(example = "Alcoholics Anonymous")]
    name: String,
    /// How the programme approaches recovery.
    #[schema(value_type = ApproachCode, example = "twelve-step")]
    approach: String,
}

/// Every programme.
#[derive(Serialize, ToSchema)]
struct ProgramsResponse {
    /// In the admins' order.
    programs: Vec<DirectoryProgram>,
}

/// Programmes and approaches
#[utoipa::path(get, path = "/api/v1/programs", tag = "meetings",
    responses((status = 200, description = "The programmes", body = ProgramsResponse)))]
pub async fn list_programs(State(state): State<AppState>) -> Result<Response, ApiError> {
    let programs = meetings::programs(&state.app)
        .await?
        .into_iter()
        .map(|p| DirectoryProgram {
            code: p.code,
            name: p.name,
            approach: p.approach,
        })
        .collect();
    Ok(Json(ProgramsResponse { programs }).into_response())
}

/// A group as sent: each field replaces the stored one (absent: empty, or none chosen).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Lakeside Group", "program": "AA", "tags": ["spiritual"], "size": "small",
    "structure": "sharing", "facilitation": "peer", "audience": ["newcomers", "women"],
    "languages": ["EN"], "accessibility": ["wheelchair"], "contact_name": "Sam"
}))]
pub struct GroupRequest {
    /// The group's name.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 255,
        example = "Lakeside Group"
    )]
    name: String,
    /// A programme code from `GET /api/v1/programs`.
    #[serde(default)]
    #[schema(required = true, example = "AA")]
    program: String,
    /// The group in its own words.
    #[serde(default)]
    #[schema(max_length = 4000)]
    description: String,
    /// Values and approach tags.
    #[serde(default)]
    #[schema(value_type = Vec<ValueTag>)]
    tags: Vec<String>,
    /// How many usually come; none when null.
    #[serde(default)]
    #[schema(value_type = Option<SizeCode>)]
    size: Option<String>,
    /// How it is run; none when null.
    #[serde(default)]
    #[schema(value_type = Option<StructureCode>)]
    structure: Option<String>,
    /// Who runs it; none when null.
    #[serde(default)]
    #[schema(value_type = Option<FacilitationCode>)]
    facilitation: Option<String>,
    /// What it is like, in the group's words.
    #[serde(default)]
    #[schema(max_length = 2000)]
    atmosphere: String,
    /// Language codes such as EN, S (Spanish) or FR (letters and `-`, up to 8 each).
    #[serde(default)]
    languages: Option<CodeList>,
    /// Accessibility features.
    #[serde(default)]
    #[schema(value_type = Vec<AccessibilityCode>)]
    accessibility: Vec<String>,
    /// Who it is for.
    #[serde(default)]
    #[schema(value_type = Vec<AudienceCode>)]
    audience: Vec<String>,
    /// Closed to newcomers for now.
    #[serde(default)]
    closed: bool,
    /// A first name or initial only (one word), for the contact's anonymity.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^\s*\S*\s*$", example = "Sam")]
    contact_name: String,
    /// An e-mail address (with an `@`).
    #[serde(default)]
    #[schema(max_length = 255, example = "lakeside@example.org")]
    contact_email: String,
    /// A phone number to contact about the group.
    #[serde(default)]
    #[schema(max_length = 64)]
    contact_phone: String,
    /// Show the meetings' join details to signed-in members only.
    #[serde(default)]
    join_members_only: bool,
    /// Anything else worth knowing.
    #[serde(default)]
    #[schema(max_length = 4000)]
    notes: String,
    /// Its area's path from the region down ("Chicago > Portage Park"; `GET /api/v1/areas`);
    /// its meetings that name none are in it. Empty: none.
    #[serde(default)]
    #[schema(max_length = 320, example = "Chicago > Portage Park")]
    area: String,
}

impl GroupRequest {
    /// The group as the use case reads it: (field, value) pairs, a list once per value.
    fn input(self) -> GroupInput {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut put = |name: &str, value: String| fields.push((name.to_owned(), value));
        put("name", self.name);
        put("program", self.program);
        put("description", self.description);
        self.tags.into_iter().for_each(|v| put("tags", v));
        self.size.into_iter().for_each(|v| put("size", v));
        self.structure.into_iter().for_each(|v| put("structure", v));
        self.facilitation
            .into_iter()
            .for_each(|v| put("facilitation", v));
        put("atmosphere", self.atmosphere);
        self.languages
            .iter()
            .flat_map(CodeList::values)
            .for_each(|v| put("languages", v));
        self.accessibility
            .into_iter()
            .for_each(|v| put("accessibility", v));
        self.audience.into_iter().for_each(|v| put("audience", v));
        for (name, on) in [
            ("closed", self.closed),
            ("join_members_only", self.join_members_only),
        ] {
            if on {
                put(name, "on".into());
            }
        }
        put("contact_name", self.contact_name);
        put("contact_email", self.contact_email);
        put("contact_phone", self.contact_phone);
        put("notes", self.notes);
        put("area", self.area);
        GroupInput { fields }
    }
}

/// A new group.
#[derive(Serialize, ToSchema)]
struct GroupCreated {
    /// The group's id.
    id: Uuid,
}

/// Create a group (moderators, admins)
#[utoipa::path(post, path = "/api/v1/groups", tag = "meetings",
    request_body = GroupRequest,
    responses((status = 201, description = "Created", body = GroupCreated)))]
pub async fn create_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<GroupRequest>,
) -> Result<Response, ApiError> {
    let id = meetings::create_group(&state.app, &viewer, &request.input()).await?;
    Ok((StatusCode::CREATED, Json(GroupCreated { id })).into_response())
}

/// Change a group (its facilitators, moderators, admins)
///
/// The whole group: fields left out are emptied.
#[utoipa::path(put, path = "/api/v1/groups/{id}", tag = "meetings",
    params(IdPath),
    request_body = GroupRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Only this group's facilitators and moderators can change it", body = ErrorResponse),
    ))]
pub async fn update_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<GroupRequest>,
) -> Result<Response, ApiError> {
    meetings::update_group(&state.app, &viewer, id, &request.input()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A meeting's listing as sent: each field replaces the stored one (absent: empty). An
/// in-person or hybrid meeting needs an address or a city; an online, hybrid or phone meeting
/// a join link or a phone number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Tuesday Night Hope", "time_zone": "America/Chicago", "start_time": "19:00",
    "end_time": "20:00", "recurrence": "weekly", "days": [2], "mode": "in_person",
    "address": "1 Main St", "city": "Chicago", "latitude": 41.8781, "longitude": -87.6298,
    "types": ["O", "D"]
}))]
pub struct ListingRequest {
    /// The meeting's name.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 255,
        example = "Tuesday Night Hope"
    )]
    name: String,
    /// The meeting's IANA zone, which its times are in.
    #[serde(default)]
    #[schema(required = true, example = "America/Chicago")]
    time_zone: String,
    /// HH:MM, 24-hour.
    #[serde(default)]
    #[schema(
        required = true,
        pattern = r"^\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*$",
        example = "19:00"
    )]
    start_time: String,
    /// HH:MM, 24-hour, not the start time; before it when the meeting runs past midnight.
    #[serde(default)]
    #[schema(
        required = true,
        pattern = r"^\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*$",
        example = "20:00"
    )]
    end_time: String,
    /// Weekly when absent.
    #[serde(default)]
    recurrence: Option<RecurrenceKind>,
    /// Every day it meets on (weekly and biweekly: at least one; monthly: exactly one).
    #[serde(default)]
    #[schema(value_type = Vec<WeekdayNumber>, example = json!([2]))]
    days: Vec<i64>,
    /// Monthly: which week of the month (required then).
    #[serde(default)]
    #[schema(value_type = Option<WeekOfMonth>)]
    nth: Option<i64>,
    /// Once: its date (required); biweekly: a date in an "on" week (default: today). YYYY-MM-DD.
    #[serde(default)]
    #[schema(format = Date, example = "2026-10-03")]
    date: Option<String>,
    /// Dates (in its zone) it does not meet on.
    #[serde(default)]
    #[schema(value_type = Vec<MeetingDate>, example = json!(["2026-12-25"]))]
    cancelled: Vec<String>,
    /// How people attend.
    #[serde(default)]
    #[schema(value_type = MeetingMode, required = true)]
    mode: Option<MeetingMode>,
    /// Active when absent.
    #[serde(default)]
    status: Option<ListingStatus>,
    /// The place's name.
    #[serde(default)]
    #[schema(max_length = 255, example = "St. Mark's")]
    location: String,
    /// About the place (parking, which door).
    #[serde(default)]
    #[schema(max_length = 4000, example = "Parking behind the hall")]
    location_notes: String,
    /// The street address.
    #[serde(default)]
    #[schema(max_length = 255, example = "1 Main St")]
    address: String,
    /// The city.
    #[serde(default)]
    #[schema(max_length = 255, example = "Chicago")]
    city: String,
    /// The state, province or county.
    #[serde(default)]
    #[schema(max_length = 255, example = "IL")]
    state: String,
    /// The postal code.
    #[serde(default)]
    #[schema(max_length = 32, example = "60641")]
    postal_code: String,
    /// The country.
    #[serde(default)]
    #[schema(max_length = 255, example = "US")]
    country: String,
    /// Degrees; with `longitude`, or neither.
    #[serde(default)]
    #[schema(minimum = -90, maximum = 90, example = 41.8781)]
    latitude: Option<f64>,
    /// Degrees; with `latitude`, or neither.
    #[serde(default)]
    #[schema(minimum = -180, maximum = 180, example = -87.6298)]
    longitude: Option<f64>,
    /// The point is only the area (an online meeting's home), not a door to go to.
    #[serde(default)]
    approximate: bool,
    /// The join link.
    #[serde(default)]
    #[schema(
        max_length = 255,
        pattern = r"^(\s*https?://.*)?$",
        example = "https://zoom.us/j/1234567890"
    )]
    conference_url: String,
    /// About the link (a password, for example).
    #[serde(default)]
    #[schema(max_length = 255, example = "Password: hope")]
    conference_url_notes: String,
    /// Digits, and `+ , * # - ( )` and spaces for international numbers and one-tap passcodes.
    #[serde(default)]
    #[schema(
        max_length = 64,
        pattern = r"^[0-9+,*#() -]*$",
        example = "+13125551212,,1234567890#"
    )]
    conference_phone: String,
    /// About the phone line (a passcode, for example).
    #[serde(default)]
    #[schema(max_length = 255, example = "Passcode 1234")]
    conference_phone_notes: String,
    /// Meeting Guide type codes (at most 40, each up to 20 characters; unknown codes are kept
    /// as custom types).
    #[serde(default)]
    types: Option<CodeList>,
    /// Anything else worth knowing.
    #[serde(default)]
    #[schema(max_length = 4000, example = "Use the side door")]
    notes: String,
    /// The area it belongs to, as its path of names from the region down ("Chicago > Portage
    /// Park"); one of the directory's areas (`GET /api/v1/areas`). Empty: none.
    #[serde(default)]
    #[schema(max_length = 320, example = "Chicago > Portage Park")]
    area: String,
}

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn codes_text(codes: &CodeList) -> String {
    codes.values().join(",")
}

impl ListingRequest {
    /// The listing as the use case reads it: every field as text, lists joined by commas. A
    /// blank date is refused: the form's empty field means "none", but the API leaves a date
    /// out (or sends null) for that, and a list holds no empty entries.
    fn fields(self) -> Result<BTreeMap<String, String>, AppError> {
        if self
            .date
            .as_deref()
            .is_some_and(|date| date.trim().is_empty())
        {
            return Err(AppError::field(
                "date",
                "A date is YYYY-MM-DD; leave it out when there is none.",
            ));
        }
        if self.cancelled.iter().any(|date| date.trim().is_empty()) {
            return Err(AppError::field(
                "cancelled",
                "Each cancelled date is YYYY-MM-DD; leave out empty ones.",
            ));
        }
        let number = |n: Option<f64>| n.map(|v| v.to_string()).unwrap_or_default();
        let fields: Vec<(&str, String)> = vec![
            ("name", self.name),
            ("time_zone", self.time_zone),
            ("start_time", self.start_time),
            ("end_time", self.end_time),
            (
                "recurrence",
                self.recurrence
                    .map(RecurrenceKind::as_str)
                    .unwrap_or("")
                    .into(),
            ),
            ("days", joined(&self.days)),
            ("nth", self.nth.map(|n| n.to_string()).unwrap_or_default()),
            ("date", self.date.unwrap_or_default()),
            ("cancelled", self.cancelled.join(",")),
            (
                "mode",
                self.mode.map(MeetingMode::as_str).unwrap_or("").into(),
            ),
            (
                "status",
                self.status.map(ListingStatus::as_str).unwrap_or("").into(),
            ),
            ("location", self.location),
            ("location_notes", self.location_notes),
            ("address", self.address),
            ("city", self.city),
            ("state", self.state),
            ("postal_code", self.postal_code),
            ("country", self.country),
            ("latitude", number(self.latitude)),
            ("longitude", number(self.longitude)),
            (
                "approximate",
                if self.approximate { "on" } else { "" }.into(),
            ),
            ("conference_url", self.conference_url),
            ("conference_url_notes", self.conference_url_notes),
            ("conference_phone", self.conference_phone),
            ("conference_phone_notes", self.conference_phone_notes),
            (
                "types",
                self.types.as_ref().map(codes_text).unwrap_or_default(),
            ),
            ("notes", self.notes),
            ("area", self.area),
        ];
        Ok(by_name(fields))
    }
}

/// Fields by name (control characters were already refused by [`ApiJson`]).
fn by_name(fields: Vec<(&str, String)>) -> BTreeMap<String, String> {
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn listing_input(map: &BTreeMap<String, String>) -> ListingInput<'_> {
    ListingInput::from_fields(|name| map.get(name).map_or("", String::as_str))
}

/// The listing fields of a form or body, lists joined by commas.
pub(crate) fn listing_map(fields: &FormData) -> BTreeMap<String, String> {
    LISTING_FIELDS
        .iter()
        .map(|name| ((*name).to_owned(), fields.all(name).join(",")))
        .collect()
}

/// A new meeting.
#[derive(Serialize, ToSchema)]
struct MeetingCreated {
    /// The meeting's id.
    id: Uuid,
}

const NOT_AN_EDITOR: &str = "Only the group's facilitators and moderators can change its listings (anyone signed in can suggest a change)";

/// Add a meeting to a group (its facilitators, moderators, admins)
#[utoipa::path(post, path = "/api/v1/groups/{id}/meetings", tag = "meetings",
    params(IdPath),
    request_body = ListingRequest,
    responses(
        (status = 201, description = "Listed", body = MeetingCreated),
        (status = 403, description = NOT_AN_EDITOR, body = ErrorResponse),
    ))]
pub async fn create_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(group): IdPath,
    ApiJson(request): ApiJson<ListingRequest>,
) -> Result<Response, ApiError> {
    let map = request.fields()?;
    let id = meetings::create_meeting(&state.app, &viewer, group, &listing_input(&map)).await?;
    Ok((StatusCode::CREATED, Json(MeetingCreated { id })).into_response())
}

/// Change a meeting (its group's facilitators, moderators, admins)
///
/// The whole listing: fields left out are emptied. The change is recorded in its history.
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(IdPath),
    request_body = ListingRequest,
    responses(
        (status = 204, description = "Changed (recorded in the history), or already so"),
        (status = 403, description = NOT_AN_EDITOR, body = ErrorResponse),
    ))]
pub async fn update_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ListingRequest>,
) -> Result<Response, ApiError> {
    let map = request.fields()?;
    meetings::update_meeting(&state.app, &viewer, id, &listing_input(&map)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One listing field's change, both sides as the listing's form shows them.
#[derive(Serialize, ToSchema)]
struct ListingFieldChange {
    /// Which field.
    #[schema(value_type = ListingField, example = "start_time")]
    field: String,
    /// The value before (empty: not given).
    #[schema(example = "19:00")]
    before: String,
    /// The value after (empty: not given).
    #[schema(example = "19:30")]
    after: String,
}

impl From<meetings::FieldChange> for ListingFieldChange {
    fn from(change: meetings::FieldChange) -> ListingFieldChange {
        ListingFieldChange {
            field: change.field,
            before: change.before,
            after: change.after,
        }
    }
}

/// The RFC 3339 form of a time the use cases give as `YYYY-MM-DD HH:MM UTC` (to the minute).
fn rfc3339_of_display_utc(text: &str) -> String {
    match text.strip_suffix(" UTC").and_then(|t| t.split_once(' ')) {
        Some((date, time)) if date.len() == 10 && time.len() == 5 => format!("{date}T{time}:00Z"),
        _ => text.to_owned(),
    }
}

/// One change to a listing.
#[derive(Serialize, ToSchema)]
struct ListingHistoryEntry {
    /// When (RFC 3339, to the minute).
    #[schema(format = DateTime, example = "2026-09-21T14:13:00Z")]
    at: String,
    /// Who: a pseudonym, "a former member", or "an import".
    #[schema(example = "directory_mod")]
    by: String,
    /// What happened, in words.
    #[schema(example = "Suggested by helpful_member, approved")]
    summary: String,
    /// Each field that changed (none when it was listed).
    changes: Vec<ListingFieldChange>,
}

/// A listing's history.
#[derive(Serialize, ToSchema)]
struct ListingHistory {
    /// Newest first.
    history: Vec<ListingHistoryEntry>,
}

/// Who changed the listing, what and when (its editors)
#[utoipa::path(get, path = "/api/v1/meetings/{id}/history", tag = "meetings",
    params(IdPath),
    responses(
        (status = 200, description = "The history", body = ListingHistory),
        (status = 403, description = NOT_AN_EDITOR, body = ErrorResponse),
    ))]
pub async fn show_history(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let history = meetings::history(&state.app, &viewer, id)
        .await?
        .into_iter()
        .map(|e| ListingHistoryEntry {
            at: rfc3339_of_display_utc(&e.at),
            by: e.by,
            summary: e.summary,
            changes: e.changes.into_iter().map(Into::into).collect(),
        })
        .collect();
    Ok(Json(ListingHistory { history }).into_response())
}

/// A correction: only the fields that are wrong, as they should be (the others keep their
/// current values; null is the same as leaving a field out), and a note for the moderators.
/// Each field takes what it takes in a listing.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "start_time": "19:30", "end_time": "20:30", "note": "They moved to half past." }))]
pub struct SuggestionRequest {
    /// For the moderators.
    #[serde(default)]
    #[schema(max_length = 2000, example = "They moved to half past.")]
    note: Option<String>,
    /// The meeting's name.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 255)]
    name: Option<String>,
    /// An IANA zone.
    #[serde(default)]
    time_zone: Option<String>,
    /// HH:MM.
    #[serde(default)]
    #[schema(pattern = r"^\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*$")]
    start_time: Option<String>,
    /// HH:MM.
    #[serde(default)]
    #[schema(pattern = r"^\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*$")]
    end_time: Option<String>,
    /// How often it meets.
    #[serde(default)]
    recurrence: Option<RecurrenceKind>,
    /// Days of the week.
    #[serde(default)]
    #[schema(value_type = Option<Vec<WeekdayNumber>>)]
    days: Option<Vec<i64>>,
    /// Monthly: which week of the month.
    #[serde(default)]
    #[schema(value_type = Option<WeekOfMonth>)]
    nth: Option<i64>,
    /// YYYY-MM-DD.
    #[serde(default)]
    #[schema(format = Date)]
    date: Option<String>,
    /// Dates it does not meet on.
    #[serde(default)]
    #[schema(value_type = Option<Vec<MeetingDate>>)]
    cancelled: Option<Vec<String>>,
    /// How people attend.
    #[serde(default)]
    mode: Option<MeetingMode>,
    /// Whether it is being held.
    #[serde(default)]
    status: Option<ListingStatus>,
    /// The place's name.
    #[serde(default)]
    #[schema(max_length = 255)]
    location: Option<String>,
    /// About the place.
    #[serde(default)]
    #[schema(max_length = 4000)]
    location_notes: Option<String>,
    /// The street address.
    #[serde(default)]
    #[schema(max_length = 255)]
    address: Option<String>,
    /// The city.
    #[serde(default)]
    #[schema(max_length = 255)]
    city: Option<String>,
    /// The state, province or county.
    #[serde(default)]
    #[schema(max_length = 255)]
    state: Option<String>,
    /// The postal code.
    #[serde(default)]
    #[schema(max_length = 32)]
    postal_code: Option<String>,
    /// The country.
    #[serde(default)]
    #[schema(max_length = 255)]
    country: Option<String>,
    /// Degrees, with `longitude`.
    #[serde(default)]
    #[schema(minimum = -90, maximum = 90)]
    latitude: Option<f64>,
    /// Degrees, with `latitude`.
    #[serde(default)]
    #[schema(minimum = -180, maximum = 180)]
    longitude: Option<f64>,
    /// Whether the point is only the area.
    #[serde(default)]
    approximate: Option<bool>,
    /// The join link.
    #[serde(default)]
    #[schema(max_length = 255, pattern = r"^(\s*https?://.*)?$")]
    conference_url: Option<String>,
    /// About the link.
    #[serde(default)]
    #[schema(max_length = 255)]
    conference_url_notes: Option<String>,
    /// The phone line: digits and `+ , * # - ( )`.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[0-9+,*#() -]*$")]
    conference_phone: Option<String>,
    /// About the phone line.
    #[serde(default)]
    #[schema(max_length = 255)]
    conference_phone_notes: Option<String>,
    /// Meeting Guide type codes.
    #[serde(default)]
    types: Option<CodeList>,
    /// Anything else worth knowing.
    #[serde(default)]
    #[schema(max_length = 4000)]
    notes: Option<String>,
    /// The area's path ("Chicago > Portage Park"; empty for none).
    #[serde(default)]
    #[schema(max_length = 320)]
    area: Option<String>,
}

impl SuggestionRequest {
    /// The note, and the fields given, as text.
    fn given(self) -> (String, BTreeMap<String, String>) {
        let number = |n: f64| n.to_string();
        let fields: Vec<(&str, Option<String>)> = vec![
            ("name", self.name),
            ("time_zone", self.time_zone),
            ("start_time", self.start_time),
            ("end_time", self.end_time),
            ("recurrence", self.recurrence.map(|r| r.as_str().to_owned())),
            ("days", self.days.as_deref().map(joined)),
            ("nth", self.nth.map(|n| n.to_string())),
            ("date", self.date),
            ("cancelled", self.cancelled.map(|c| c.join(","))),
            ("mode", self.mode.map(|m| m.as_str().to_owned())),
            ("status", self.status.map(|s| s.as_str().to_owned())),
            ("location", self.location),
            ("location_notes", self.location_notes),
            ("address", self.address),
            ("city", self.city),
            ("state", self.state),
            ("postal_code", self.postal_code),
            ("country", self.country),
            ("latitude", self.latitude.map(number)),
            ("longitude", self.longitude.map(number)),
            (
                "approximate",
                self.approximate
                    .map(|a| if a { "on" } else { "" }.to_owned()),
            ),
            ("conference_url", self.conference_url),
            ("conference_url_notes", self.conference_url_notes),
            ("conference_phone", self.conference_phone),
            ("conference_phone_notes", self.conference_phone_notes),
            ("types", self.types.as_ref().map(codes_text)),
            ("notes", self.notes),
            ("area", self.area),
        ];
        let given = fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        (self.note.unwrap_or_default(), by_name(given))
    }
}

/// Always `pending` when made.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum SuggestionStatus {
    Pending,
}

/// A suggestion, waiting for review.
#[derive(Serialize, ToSchema)]
struct SuggestionCreated {
    /// For the moderators' `POST /api/v1/suggestions/{id}/decision`.
    id: Uuid,
    /// Waiting for a moderator.
    status: SuggestionStatus,
}

/// Suggest a correction: the fields as they should be, and a note
#[utoipa::path(post, path = "/api/v1/meetings/{id}/suggestions", tag = "meetings",
    params(IdPath),
    request_body = SuggestionRequest,
    responses((status = 201, description = "Waiting for review", body = SuggestionCreated)))]
pub async fn suggest_change(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<SuggestionRequest>,
) -> Result<Response, ApiError> {
    let (note, given) = request.given();
    let current = meetings::find_meeting(&state.app, Some(&viewer), id).await?;
    let mut fields: BTreeMap<String, String> = listing::listing_fields(&current.listing)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    fields.extend(given);
    let suggestion = meetings::suggest_change(&state.app, &viewer, id, &fields, &note).await?;
    Ok((
        StatusCode::CREATED,
        Json(SuggestionCreated {
            id: suggestion,
            status: SuggestionStatus::Pending,
        }),
    )
        .into_response())
}

/// A suggestion waiting for review.
#[derive(Serialize, ToSchema)]
struct PendingSuggestion {
    /// For `POST /api/v1/suggestions/{id}/decision`.
    id: Uuid,
    /// The meeting it would change.
    meeting_id: Uuid,
    /// The meeting's name now.
    #[schema(example = "Tuesday Night Hope")]
    meeting_name: String,
    /// Who suggested it: a pseudonym, or "a former member".
    #[schema(example = "helpful_member")]
    by: String,
    /// The suggester's note.
    #[schema(example = "They moved to half past.")]
    note: String,
    /// When it was made (RFC 3339, to the minute).
    #[schema(format = DateTime, example = "2026-09-21T14:13:00Z")]
    at: String,
    /// How it differs from the listing now, field by field.
    changes: Vec<ListingFieldChange>,
}

/// The review queue.
#[derive(Serialize, ToSchema)]
struct SuggestionsResponse {
    /// Oldest first.
    suggestions: Vec<PendingSuggestion>,
}

/// Suggestions waiting for review, with field-by-field differences (moderators)
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "meetings",
    responses((status = 200, description = "The queue", body = SuggestionsResponse)))]
pub async fn list_suggestions(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let suggestions = meetings::pending_suggestions(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|s| PendingSuggestion {
            id: s.id,
            meeting_id: s.meeting_id,
            meeting_name: s.meeting_name,
            by: s.by,
            note: s.note,
            at: rfc3339_of_display_utc(&s.at),
            changes: s.changes.into_iter().map(Into::into).collect(),
        })
        .collect();
    Ok(Json(SuggestionsResponse { suggestions }).into_response())
}

/// A moderator's decision on a suggestion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionDecision {
    /// `true` applies the suggested values to the listing (recorded in its history); `false`
    /// rejects it.
    approve: bool,
    /// Why, for the record.
    #[serde(default)]
    #[schema(max_length = 2000, example = "Confirmed with the group.")]
    note: String,
}

/// Approve (apply) or reject a suggestion (moderators)
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/decision", tag = "meetings",
    params(IdPath),
    request_body = SuggestionDecision,
    responses(
        (status = 204, description = "Decided"),
        (status = 404, description = "No suggestion with this id is waiting for review (none, or already decided)", body = ErrorResponse),
    ))]
pub async fn decide_suggestion(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<SuggestionDecision>,
) -> Result<Response, ApiError> {
    meetings::decide_suggestion(&state.app, &viewer, id, request.approve, &request.note).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A saved meeting and when it meets next.
#[derive(Serialize, ToSchema)]
struct SavedMeeting {
    /// The meeting's id.
    id: Uuid,
    /// The meeting's name.
    #[schema(example = "London Online")]
    name: String,
    /// The schedule in words.
    #[schema(example = "Every Monday")]
    schedule: String,
    /// The meeting's own IANA zone.
    #[schema(example = "Europe/London")]
    time_zone: String,
    /// RFC 3339; null when it meets no more.
    #[schema(format = DateTime, example = "2026-09-21T19:00:00Z")]
    next_starts_at: Option<String>,
    /// The same in the member's zone, `YYYY-MM-DD HH:MM`.
    #[schema(example = "2026-09-21 20:00")]
    next_starts_local: Option<String>,
}

/// The member's saved meetings.
#[derive(Serialize, ToSchema)]
struct SavedMeetingsResponse {
    /// Soonest first.
    meetings: Vec<SavedMeeting>,
}

/// The member's saved meetings
#[utoipa::path(get, path = "/api/v1/me/saved-meetings", tag = "meetings",
    responses((status = 200, description = "The saved meetings", body = SavedMeetingsResponse)))]
pub async fn list_saved(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let meetings = meetings::saved(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|(row, l, next)| SavedMeeting {
            id: row.id,
            schedule: l.recurrence.describe(),
            name: l.name,
            time_zone: l.zone,
            next_starts_at: next.map(|o| o.start.to_rfc3339()),
            next_starts_local: next.map(|o| viewer.zone.display(o.start)),
        })
        .collect();
    Ok(Json(SavedMeetingsResponse { meetings }).into_response())
}

/// Save a meeting
///
/// Saving one already saved changes nothing.
#[utoipa::path(put, path = "/api/v1/me/saved-meetings/{id}", tag = "meetings",
    params(IdPath),
    responses((status = 204, description = "Saved")))]
pub async fn save_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    meetings::save(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Forget a saved meeting
///
/// Forgetting one not saved changes nothing.
#[utoipa::path(delete, path = "/api/v1/me/saved-meetings/{id}", tag = "meetings",
    params(IdPath),
    responses((status = 204, description = "Not saved (any more)")))]
pub async fn unsave_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    meetings::unsave(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One entry of the attendance log.
#[derive(Serialize, ToSchema)]
struct AttendanceEntry {
    /// For `DELETE /api/v1/me/attendance/{id}`.
    id: Uuid,
    /// The directory's meeting, when the entry names one.
    meeting_id: Option<Uuid>,
    /// Which meeting.
    #[schema(example = "London Online")]
    meeting_name: String,
    /// The member's local date, YYYY-MM-DD.
    #[schema(format = Date, example = "2026-09-21")]
    day: String,
    /// The member's note.
    #[schema(example = "Felt at home")]
    note: String,
    /// When it was logged (RFC 3339).
    #[schema(format = DateTime, example = "2026-09-21T21:05:00Z")]
    logged_at: String,
}

/// The member's private attendance log.
#[derive(Serialize, ToSchema)]
struct AttendanceResponse {
    /// Newest first.
    attendance: Vec<AttendanceEntry>,
}

/// The member's private attendance log
#[utoipa::path(get, path = "/api/v1/me/attendance", tag = "meetings",
    responses((status = 200, description = "The log", body = AttendanceResponse)))]
pub async fn list_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let attendance = meetings::attendance(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|row| AttendanceEntry {
            id: row.id,
            meeting_id: row.meeting_id,
            meeting_name: row.meeting_name,
            day: row.day,
            note: row.note,
            logged_at: mutual_domain::Timestamp(row.created_at).to_rfc3339(),
        })
        .collect();
    Ok(Json(AttendanceResponse { attendance }).into_response())
}

/// Going to a meeting: one of the directory's (`meeting_id`) or any other (`meeting_name`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "meeting_id": "0192d4a4-6f00-7000-8000-000000000001", "day": "2026-09-21", "note": "Felt at home" }))]
pub struct AttendanceRequest {
    /// A meeting of the directory; its name is used.
    #[serde(default)]
    meeting_id: Option<Uuid>,
    /// Without `meeting_id`: which meeting (required then).
    #[serde(default)]
    #[schema(max_length = 255, example = "Thursday step study")]
    meeting_name: String,
    /// The member's local date, YYYY-MM-DD: today or earlier, from 1900.
    #[schema(format = Date, example = "2026-09-21")]
    day: String,
    /// Only the member sees it.
    #[serde(default)]
    #[schema(max_length = 2000, example = "Felt at home")]
    note: String,
}

/// A new log entry.
#[derive(Serialize, ToSchema)]
struct AttendanceLogged {
    /// The entry's id.
    id: Uuid,
}

/// Log going to a meeting (only the member sees it)
#[utoipa::path(post, path = "/api/v1/me/attendance", tag = "meetings",
    request_body = AttendanceRequest,
    responses(
        (status = 201, description = "Logged", body = AttendanceLogged),
        (status = 404, description = "meeting_id names no meeting", body = ErrorResponse),
    ))]
pub async fn log_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<AttendanceRequest>,
) -> Result<Response, ApiError> {
    let id = meetings::log_attendance(
        &state.app,
        &viewer,
        request.meeting_id,
        &request.meeting_name,
        &request.day,
        &request.note,
    )
    .await
    .map_err(|error| match error {
        // The use case names the form's field; the API's is `meeting_name`.
        AppError::Invalid(fields) => AppError::Invalid(
            fields
                .into_iter()
                .map(|f| match f.field.as_ref() {
                    "name" => FieldError::new("meeting_name", f.message),
                    _ => f,
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok((StatusCode::CREATED, Json(AttendanceLogged { id })).into_response())
}

/// Delete a log entry
#[utoipa::path(delete, path = "/api/v1/me/attendance/{id}", tag = "meetings",
    params(IdPath),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    meetings::delete_attendance(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Anyone, routes!(search_meetings))
        .api(Anyone, routes!(show_meeting))
        .api(Anyone, routes!(find_my_group))
        .api(Anyone, routes!(show_group))
        .api(Anyone, routes!(list_programs))
        .api(Anyone, routes!(areas::list_areas))
        .api(Moderator, routes!(create_group))
        .api(Member, routes!(update_group))
        .api(Member, routes!(create_meeting))
        .api(Member, routes!(update_meeting))
        .api(Member, routes!(show_history))
        .api(Member, routes!(suggest_change))
        .api(Moderator, routes!(list_suggestions))
        .api(Moderator, routes!(decide_suggestion))
        .api(Member, routes!(list_saved))
        .api(Member, routes!(save_meeting))
        .api(Member, routes!(unsave_meeting))
        .api(Member, routes!(list_attendance))
        .api(Member, routes!(log_attendance))
        .api(Member, routes!(delete_attendance))
}
