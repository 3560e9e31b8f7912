//! Meetings and groups: reading listings, searching the directory, the guided finder, editing
//! by facilitators and moderators with each listing's history, suggested corrections, and a
//! member's saved meetings and private attendance log. Nothing here records who searched for
//! or looked at which meeting.

pub mod areas;
pub mod calendar;
pub mod directory;
pub mod export;
pub mod interop;
mod search;
pub mod sync;

use crate::accounts::Viewer;
use crate::{App, AppError, FieldError};
use jiff::civil::{Time, Weekday};
use mutual_domain::Timestamp;
use mutual_domain::local::{Zone, parse_date, parse_time};
use mutual_domain::meetings::catalog::{self, Mode, split_list};
use mutual_domain::meetings::feed;
use mutual_domain::meetings::geo::Point;
use mutual_domain::meetings::listing::{
    self, Listing, ListingInput, Status, StoredRecurrence, parse_listing,
};
use mutual_domain::meetings::search::{Answers, Attend, DayPart};
use mutual_domain::meetings::{Occurrence, Recurrence};
use mutual_store::meetings::{self as store};
pub use mutual_store::meetings::{
    AttendanceRow, GroupRow, HistoryRow, MeetingRow, ProgramRow, SuggestionRow,
};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

pub use directory::DirectorySnapshot;
pub use search::{
    MeetingFacts, MeetingSummary, MeetingTiming, SEARCH_PARAMS, by_appointment, parse_search,
    search, search_json,
};
use search::{area_names, one, summary};

/// A stored comma-separated list.
pub fn split(text: &str) -> Vec<String> {
    split_list(text).map(str::to_owned).collect()
}

/// A stored meeting as a listing.
pub fn listing_of(row: &MeetingRow) -> Result<Listing, AppError> {
    let corrupt = || AppError::Internal(format!("meeting {} is stored damaged", row.id));
    let recurrence = Recurrence::from_stored(&StoredRecurrence {
        kind: row.recurrence.clone(),
        days: row.days.clone(),
        nth: row.nth,
        date: row.on_date.clone(),
    })
    .ok_or_else(corrupt)?;
    let cancelled = split_list(&row.cancelled)
        .map(|d| parse_date(d).map_err(|_| corrupt()))
        .collect::<Result<_, _>>()?;
    Ok(Listing {
        slug: row.slug.clone(),
        name: row.name.clone(),
        zone: row.time_zone.clone(),
        start: parse_time(&row.start_time).map_err(|_| corrupt())?,
        end: parse_time(&row.end_time).map_err(|_| corrupt())?,
        recurrence,
        cancelled,
        mode: Mode::parse(&row.mode).ok_or_else(corrupt)?,
        status: Status::parse(&row.status).ok_or_else(corrupt)?,
        location: row.location.clone(),
        location_notes: row.location_notes.clone(),
        formatted_address: row.formatted_address.clone(),
        address: row.address.clone(),
        city: row.city.clone(),
        state: row.state.clone(),
        postal_code: row.postal_code.clone(),
        country: row.country.clone(),
        region: row.region.clone(),
        sub_region: row.sub_region.clone(),
        district: row.district.clone(),
        regions: row
            .regions
            .split('>')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        point: match (row.latitude, row.longitude) {
            (Some(lat), Some(lng)) => Point::new(lat, lng).ok(),
            _ => None,
        },
        approximate: row.approximate,
        conference_url: row.conference_url.clone(),
        conference_url_notes: row.conference_url_notes.clone(),
        conference_phone: row.conference_phone.clone(),
        conference_phone_notes: row.conference_phone_notes.clone(),
        types: split(&row.types),
        notes: row.notes.clone(),
    })
}

/// What a stored meeting keeps beyond its listing.
pub(crate) struct RowParts {
    pub id: Uuid,
    pub group_id: Uuid,
    pub source_url: String,
    /// Feed fields kept as they came (stored as a JSON object).
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The feed fields a stored meeting keeps (its `extra` column).
fn kept_fields(stored: &str) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(stored) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// A listing as a row to store.
pub(crate) fn row_of(listing: &Listing, parts: RowParts) -> MeetingRow {
    let stored = listing.recurrence.stored();
    let hhmm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
    MeetingRow {
        id: parts.id,
        group_id: parts.group_id,
        slug: listing.slug.clone(),
        name: listing.name.clone(),
        time_zone: listing.zone.clone(),
        start_time: hhmm(listing.start),
        end_time: hhmm(listing.end),
        recurrence: stored.kind,
        days: stored.days,
        nth: stored.nth,
        on_date: stored.date,
        cancelled: listing
            .cancelled
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        mode: listing.mode.as_str().into(),
        status: listing.status.as_str().into(),
        location: listing.location.clone(),
        location_notes: listing.location_notes.clone(),
        formatted_address: listing.formatted_address.clone(),
        address: listing.address.clone(),
        city: listing.city.clone(),
        state: listing.state.clone(),
        postal_code: listing.postal_code.clone(),
        country: listing.country.clone(),
        region: listing.region.clone(),
        sub_region: listing.sub_region.clone(),
        district: listing.district.clone(),
        regions: listing.regions.join(">"),
        latitude: listing.point.map(|p| p.lat),
        longitude: listing.point.map(|p| p.lng),
        approximate: listing.approximate,
        conference_url: listing.conference_url.clone(),
        conference_url_notes: listing.conference_url_notes.clone(),
        conference_phone: listing.conference_phone.clone(),
        conference_phone_notes: listing.conference_phone_notes.clone(),
        types: listing.types.join(","),
        notes: listing.notes.clone(),
        feed_json: feed::meeting_part(listing, &parts.extra).unwrap_or_default(),
        source_url: parts.source_url,
        extra: serde_json::Value::Object(parts.extra).to_string(),
        created_at: parts.created_at,
        updated_at: parts.updated_at,
    }
}

/// The zone times are shown in: the one asked for, else the member's, else the server's.
pub fn viewer_zone(app: &App, viewer: Option<&Viewer>, asked: &str) -> Result<Zone, AppError> {
    if !asked.trim().is_empty() {
        return Zone::parse(asked).map_err(|e| AppError::field("tz", e.to_string()));
    }
    Ok(crate::accounts::zone_for(app, viewer))
}

/// Whether the viewer may browse the directory (it can be closed to visitors by an admin).
pub async fn directory_for(
    app: &App,
    viewer: Option<&Viewer>,
) -> Result<std::sync::Arc<DirectorySnapshot>, AppError> {
    let snapshot = directory::snapshot(app).await?;
    if !snapshot.public && viewer.is_none() {
        return Err(AppError::SignInRequired);
    }
    Ok(snapshot)
}

/// Opens or closes the directory to people who are not signed in.
pub async fn set_directory_public(app: &App, public: bool) -> Result<(), AppError> {
    mutual_store::settings::upsert_setting(
        &app.db,
        directory::SETTING_PUBLIC,
        if public { "true" } else { "false" },
        app.clock.now(),
    )
    .await?;
    directory::changed(app).await
}

/// How far a search or the finder may reach.
const RADIUS_RULE: &str = "The distance is a number of kilometres, more than 0 and at most 500.";

/// The guided finder's fields.
pub const FINDER_FIELDS: &[&str] = &[
    "approach",
    "size",
    "structure",
    "audience",
    "days",
    "parts",
    "attend",
    "near",
    "radius_km",
    "area",
    "language",
    "tz",
];

/// A suggestion with its reasons.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FinderResult {
    pub meeting: MeetingSummary,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// Ranks meetings for the guided finder's answers (`get` returns every value of a field). Times
/// are in `tz`, else the zone of `zone_from`'s member, else the server's.
pub async fn find_my_group<'a>(
    app: &App,
    viewer: Option<&Viewer>,
    zone_from: Option<&Viewer>,
    get: impl Fn(&str) -> Vec<&'a str>,
) -> Result<Vec<FinderResult>, AppError> {
    let first = |name: &str| get(name).into_iter().next().unwrap_or("");
    let mut errors = Vec::new();
    let zone = viewer_zone(app, zone_from, first("tz"))?;
    let mut refuse = |field: &'static str, message: &str| {
        errors.push(FieldError::new(field, message.to_owned()));
    };
    let given = |name: &str| -> Vec<&'a str> {
        get(name)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    };
    let days: Vec<Weekday> = given("days")
        .into_iter()
        .map(|d| d.parse::<i64>().ok().and_then(listing::weekday))
        .collect::<Option<_>>()
        .unwrap_or_else(|| {
            refuse("days", "Days are numbers from 0 (Sunday) to 6 (Saturday).");
            Vec::new()
        });
    let parts: Vec<DayPart> = given("parts")
        .into_iter()
        .map(DayPart::parse)
        .collect::<Option<_>>()
        .unwrap_or_else(|| {
            refuse(
                "parts",
                "Parts of the day are morning, afternoon or evening.",
            );
            Vec::new()
        });
    let attend = match first("attend").trim() {
        "in_person" => Attend::InPerson,
        "online" => Attend::Online,
        "" | "either" => Attend::Either,
        _ => {
            refuse("attend", "Attend is in_person, online or either.");
            Attend::Either
        }
    };
    let radius = match first("radius_km").trim() {
        "" => 25.0,
        text => match text.parse::<f64>() {
            Ok(r) if r > 0.0 && r <= 500.0 => r,
            _ => {
                refuse("radius_km", RADIUS_RULE);
                25.0
            }
        },
    };
    let snapshot = directory_for(app, viewer).await?;
    let near = match first("near").trim() {
        "" => None,
        text => match snapshot.places.locate(text) {
            Ok(p) => Some((p, radius)),
            Err(e) => {
                refuse("near", &e.to_string());
                None
            }
        },
    };
    let approaches: Vec<String> = given("approach").into_iter().map(str::to_owned).collect();
    if let Some(unknown) = approaches.iter().find(|a| {
        !catalog::APPROACHES
            .iter()
            .chain(catalog::VALUE_TAGS)
            .any(|(code, _)| code == a)
    }) {
        refuse(
            "approach",
            &format!(
                "Approach \"{}\" is not one we know.",
                unknown.chars().take(40).collect::<String>()
            ),
        );
    }
    let audience: Vec<String> = given("audience").into_iter().map(str::to_owned).collect();
    let codes: Vec<&str> = audience.iter().map(String::as_str).collect();
    if let Err(e) = catalog::checked_list(catalog::AUDIENCES, &codes, "Audience") {
        refuse("audience", &e);
    }
    let mut single = |field: &'static str, terms: &[catalog::Term], what: &str| {
        let value = one(first(field));
        if let Some(code) = &value
            && let Err(e) = catalog::checked_list(terms, &[code.as_str()], what)
        {
            refuse(field, &e);
        }
        value
    };
    let size = single("size", catalog::SIZES, "Size");
    let structure = single("structure", catalog::STRUCTURES, "Structure");
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let answers = Answers {
        approaches,
        size,
        structure,
        audience,
        days,
        parts,
        attend,
        near,
        area: area_names(first("area")).map_err(|e| AppError::Invalid(vec![e]))?,
        language: one(first("language")),
        viewer_zone: zone.clone(),
    };
    let now = app.clock.now();
    Ok(
        mutual_domain::meetings::search::suggest(&snapshot.directory, &answers, now, 10)
            .into_iter()
            .map(|s| FinderResult {
                meeting: summary(&snapshot, &s.hit, &zone, now),
                score: s.score,
                reasons: s.reasons,
            })
            .collect(),
    )
}

/// A meeting with everything its page shows.
pub struct MeetingView {
    pub row: MeetingRow,
    pub listing: Listing,
    pub group: GroupRow,
    pub program: Option<ProgramRow>,
    /// Whether the join link, phone and passcodes may be shown to this viewer.
    pub join_visible: bool,
    /// Whether this viewer may edit it (a facilitator of its group, a moderator or an admin).
    pub editable: bool,
}

/// A meeting, as the viewer may see it (the directory can be closed to visitors, and a group
/// can keep its join details for signed-in members).
pub async fn find_meeting(
    app: &App,
    viewer: Option<&Viewer>,
    id: Uuid,
) -> Result<MeetingView, AppError> {
    let snapshot = directory_for(app, viewer).await?;
    let row = store::find_meeting(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let group = store::find_group(&app.db, row.group_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let listing = listing_of(&row)?;
    let editable = match viewer {
        Some(v) => can_edit_group(app, v, group.id).await?,
        None => false,
    };
    Ok(MeetingView {
        program: snapshot.program(&group.program_code).cloned(),
        join_visible: viewer.is_some() || !group.join_members_only,
        editable,
        row,
        listing,
        group,
    })
}

/// The next occurrences of a meeting, from now.
pub fn upcoming(app: &App, view: &MeetingView, count: usize) -> Vec<Occurrence> {
    let now = app.clock.now();
    view.listing
        .schedule()
        .between(now, now.plus(Duration::from_secs(400 * 86_400)))
        .into_iter()
        .take(count)
        .collect()
}

/// A group with its meetings and facilitators.
pub struct GroupView {
    pub group: GroupRow,
    pub program: Option<ProgramRow>,
    pub meetings: Vec<(MeetingRow, Listing)>,
    pub facilitators: Vec<(Uuid, String)>,
    pub editable: bool,
}

/// A group, as the viewer may see it.
pub async fn find_group(
    app: &App,
    viewer: Option<&Viewer>,
    id: Uuid,
) -> Result<GroupView, AppError> {
    let snapshot = directory_for(app, viewer).await?;
    let group = store::find_group(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = store::list_meetings_by_group(&app.db, id)
        .await?
        .into_iter()
        .map(|row| listing_of(&row).map(|l| (row, l)))
        .collect::<Result<Vec<_>, _>>()?;
    let editable = match viewer {
        Some(v) => can_edit_group(app, v, id).await?,
        None => false,
    };
    let facilitators = if editable {
        store::list_facilitators(&app.db, id).await?
    } else {
        Vec::new()
    };
    Ok(GroupView {
        program: snapshot.program(&group.program_code).cloned(),
        group,
        meetings,
        facilitators,
        editable,
    })
}

/// Moderators and admins edit every group; facilitators their own.
pub async fn can_edit_group(app: &App, viewer: &Viewer, group: Uuid) -> Result<bool, AppError> {
    if viewer.role.can_moderate() {
        return Ok(true);
    }
    Ok(store::is_facilitator(&app.db, group, viewer.user_id).await?)
}

async fn require_editor(app: &App, viewer: &Viewer, group: Uuid) -> Result<(), AppError> {
    if can_edit_group(app, viewer, group).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only this group's facilitators and moderators can change its listings. You can suggest a change instead.",
        ))
    }
}

fn require_moderator(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.role.can_moderate() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only moderators and admins can do this.",
        ))
    }
}

fn field_errors(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|(f, m)| FieldError::new(f, m))
            .collect(),
    )
}

/// The fields of the group form.
pub const GROUP_FIELDS: &[&str] = &[
    "name",
    "program",
    "description",
    "tags",
    "size",
    "structure",
    "facilitation",
    "atmosphere",
    "languages",
    "accessibility",
    "audience",
    "closed",
    "contact_name",
    "contact_email",
    "contact_phone",
    "join_members_only",
    "notes",
    "area",
];

/// A group as typed: (field, value) pairs, a list field once per chosen value.
pub struct GroupInput {
    pub fields: Vec<(String, String)>,
}

impl GroupInput {
    fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn text(&self, name: &str) -> String {
        self.all(name).first().unwrap_or(&"").trim().to_owned()
    }
}

async fn parse_group(app: &App, input: &GroupInput, base: GroupRow) -> Result<GroupRow, AppError> {
    let mut errors = Vec::new();
    let mut text = |name: &'static str, limit: usize| {
        let value = input.text(name);
        if value.chars().count() > limit {
            errors.push(FieldError::new(
                name,
                format!("Please keep this under {limit} characters."),
            ));
        }
        value
    };
    let name = text("name", 255);
    let description = text("description", 4000);
    let atmosphere = text("atmosphere", 2000);
    let contact_name = text("contact_name", 100);
    let contact_email = text("contact_email", 255);
    let contact_phone = text("contact_phone", 64);
    let notes = text("notes", 4000);
    let program = input.text("program");
    if name.is_empty() {
        errors.push(FieldError::new("name", "Give the group a name."));
    }
    if contact_name.split_whitespace().count() > 1 {
        errors.push(FieldError::new(
            "contact_name",
            "A first name or initial only: no last names, for the contact's anonymity.",
        ));
    }
    if !contact_email.is_empty() && !contact_email.contains('@') {
        errors.push(FieldError::new(
            "contact_email",
            "That does not look like an e-mail address.",
        ));
    }
    let programs = store::list_programs(&app.db).await?;
    if !programs.iter().any(|p| p.code == program) {
        errors.push(FieldError::new(
            "program",
            "Choose the programme or approach from the list.",
        ));
    }
    let mut list =
        |field: &'static str, terms: &[catalog::Term], what: &str| match catalog::checked_list(
            terms,
            &input.all(field),
            what,
        ) {
            Ok(v) => v,
            Err(e) => {
                errors.push(FieldError::new(field, e));
                String::new()
            }
        };
    let tags = list("tags", catalog::VALUE_TAGS, "Value");
    let size = list("size", catalog::SIZES, "Size");
    let structure = list("structure", catalog::STRUCTURES, "Structure");
    let facilitation = list("facilitation", catalog::FACILITATION, "Facilitation");
    let audience = list("audience", catalog::AUDIENCES, "Audience");
    let accessibility = list("accessibility", catalog::ACCESSIBILITY, "Accessibility");
    let languages: Vec<String> = input
        .all("languages")
        .into_iter()
        .flat_map(|l| l.split(','))
        .map(|l| l.trim().to_uppercase())
        .filter(|l| !l.is_empty())
        .collect();
    if languages
        .iter()
        .any(|l| l.len() > 8 || !l.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
    {
        errors.push(FieldError::new(
            "languages",
            "Languages are codes like EN, S (Spanish) or FR, separated by commas.",
        ));
    }
    let area = match listing::parse_area(&input.text("area")) {
        Ok(names) => names
            .iter()
            .filter(|n| !n.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" > "),
        Err(e) => {
            errors.push(FieldError::new("area", e));
            String::new()
        }
    };
    if !area.is_empty() && area != base.area && areas::areas(app).await?.by_label(&area).is_none() {
        errors.push(FieldError::new(
            "area",
            format!("There is no area \"{area}\"; choose one from the list."),
        ));
    }
    let flag = |name: &str| !input.text(name).is_empty();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(GroupRow {
        name,
        program_code: program,
        description,
        tags,
        size: size.split(',').next().unwrap_or("").to_owned(),
        structure: structure.split(',').next().unwrap_or("").to_owned(),
        facilitation: facilitation.split(',').next().unwrap_or("").to_owned(),
        atmosphere,
        languages: languages.join(","),
        accessibility,
        audience,
        closed: flag("closed"),
        contact_name,
        contact_email,
        contact_phone,
        join_members_only: flag("join_members_only"),
        notes,
        implicit: false,
        area,
        updated_at: app.clock.now().millis(),
        ..base
    })
}

/// Creates a group (moderators and admins).
pub async fn create_group(
    app: &App,
    viewer: &Viewer,
    input: &GroupInput,
) -> Result<Uuid, AppError> {
    require_moderator(viewer)?;
    let now = app.clock.now().millis();
    let blank = GroupRow::new("", "", now);
    let group = parse_group(app, input, blank).await?;
    store::save_group(&app.db, &group).await?;
    directory::changed(app).await?;
    Ok(group.id)
}

/// Changes a group's details (its facilitators, moderators, admins).
pub async fn update_group(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    input: &GroupInput,
) -> Result<(), AppError> {
    let current = store::find_group(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_editor(app, viewer, id).await?;
    let group = parse_group(app, input, current).await?;
    store::save_group(&app.db, &group).await?;
    directory::changed(app).await
}

/// A slug for a new meeting: from its name, made unique.
async fn new_slug(app: &App, name: &str) -> Result<String, AppError> {
    let base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let base: String = if base.is_empty() {
        "meeting".into()
    } else {
        base.chars().take(48).collect()
    };
    let mut slug = base.clone();
    while store::find_meeting_by_slug(&app.db, &slug).await?.is_some() {
        slug = format!("{base}-{}", &Uuid::now_v7().simple().to_string()[24..]);
    }
    Ok(slug)
}

fn changes_json(changes: &[(&'static str, String, String)]) -> String {
    serde_json::Value::Array(
        changes
            .iter()
            .map(|(f, b, a)| serde_json::json!({"field": f, "before": b, "after": a}))
            .collect(),
    )
    .to_string()
}

/// Adds a meeting to a group.
pub async fn create_meeting(
    app: &App,
    viewer: &Viewer,
    group: Uuid,
    input: &ListingInput<'_>,
) -> Result<Uuid, AppError> {
    store::find_group(&app.db, group)
        .await?
        .ok_or(AppError::NotFound)?;
    require_editor(app, viewer, group).await?;
    let today = Zone::utc().date_of(app.clock.now());
    let slug = new_slug(app, input.name).await?;
    let listing = parse_listing(input, slug, today).map_err(field_errors)?;
    areas::check_listing(app, &listing, None).await?;
    let now = app.clock.now().millis();
    let id = Uuid::now_v7();
    let row = row_of(
        &listing,
        RowParts {
            id,
            group_id: group,
            source_url: String::new(),
            extra: serde_json::Map::new(),
            created_at: now,
            updated_at: now,
        },
    );
    let history = HistoryRow {
        id: Uuid::now_v7(),
        meeting_id: id,
        actor_id: Some(viewer.user_id.0),
        summary: "Listed".into(),
        changes: "[]".into(),
        created_at: now,
    };
    store::save_meeting(&app.db, &row, &history).await?;
    directory::changed(app).await?;
    Ok(id)
}

/// The current listing with the form's values applied (what the form does not show is kept),
/// in one of the directory's areas.
async fn edited(
    app: &App,
    current: &MeetingRow,
    input: &ListingInput<'_>,
) -> Result<(Listing, Listing), AppError> {
    let before = listing_of(current)?;
    let today = Zone::utc().date_of(app.clock.now());
    let mut after = parse_listing(input, current.slug.clone(), today).map_err(field_errors)?;
    listing::keep_unshown(&mut after, &before);
    areas::check_listing(app, &after, Some(&before)).await?;
    Ok((before, after))
}

/// Changes a meeting (its group's facilitators, moderators, admins); the history records it.
pub async fn update_meeting(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    input: &ListingInput<'_>,
) -> Result<(), AppError> {
    let current = store::find_meeting(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_editor(app, viewer, current.group_id).await?;
    let (before, after) = edited(app, &current, input).await?;
    let changes = listing::diff(&before, &after);
    if changes.is_empty() {
        return Ok(());
    }
    let now = app.clock.now().millis();
    let row = row_of(
        &after,
        RowParts {
            id,
            group_id: current.group_id,
            source_url: current.source_url.clone(),
            extra: kept_fields(&current.extra),
            created_at: current.created_at,
            updated_at: now,
        },
    );
    let history = HistoryRow {
        id: Uuid::now_v7(),
        meeting_id: id,
        actor_id: Some(viewer.user_id.0),
        summary: "Edited".into(),
        changes: changes_json(&changes),
        created_at: now,
    };
    store::save_meeting(&app.db, &row, &history).await?;
    directory::changed(app).await
}

/// One entry of a listing's history, for people.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub by: String,
    pub summary: String,
    pub changes: Vec<FieldChange>,
}

/// One field's change.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

async fn pseudonym(app: &App, id: Option<Uuid>) -> Result<String, AppError> {
    Ok(match id {
        Some(id) => mutual_store::accounts::find_user_by_id(&app.db, mutual_domain::UserId(id))
            .await?
            .map_or_else(
                || "a former member".into(),
                |u| u.username.as_str().to_owned(),
            ),
        None => "an import".into(),
    })
}

/// Who changed a listing, what and when (for its editors).
pub async fn history(app: &App, viewer: &Viewer, id: Uuid) -> Result<Vec<HistoryEntry>, AppError> {
    let meeting = store::find_meeting(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_editor(app, viewer, meeting.group_id).await?;
    let mut entries = Vec::new();
    for row in store::list_history(&app.db, id).await? {
        entries.push(HistoryEntry {
            at: Timestamp(row.created_at).to_display_utc(),
            by: pseudonym(app, row.actor_id).await?,
            summary: row.summary,
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
        });
    }
    Ok(entries)
}

/// Makes a member a facilitator of a group (moderators and admins).
pub async fn add_facilitator(
    app: &App,
    viewer: &Viewer,
    group: Uuid,
    username: &str,
) -> Result<(), AppError> {
    require_moderator(viewer)?;
    store::find_group(&app.db, group)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = crate::accounts::member_named(app, username)
        .await?
        .ok_or_else(|| AppError::field("username", "There is no member with that pseudonym."))?;
    store::add_facilitator(&app.db, group, user.id, app.clock.now().millis()).await?;
    crate::audit::record(
        app,
        Some(viewer.user_id),
        Some(user.id),
        crate::audit::Action::FacilitatorAdded,
        format!("group {group}"),
    )
    .await
}

/// Ends a member's facilitation of a group.
pub async fn remove_facilitator(
    app: &App,
    viewer: &Viewer,
    group: Uuid,
    user: Uuid,
) -> Result<(), AppError> {
    require_moderator(viewer)?;
    if !store::is_facilitator(&app.db, group, mutual_domain::UserId(user)).await? {
        return Err(AppError::NotFound);
    }
    store::remove_facilitator(&app.db, group, mutual_domain::UserId(user)).await?;
    crate::audit::record(
        app,
        Some(viewer.user_id),
        Some(mutual_domain::UserId(user)),
        crate::audit::Action::FacilitatorRemoved,
        format!("group {group}"),
    )
    .await
}

/// Saves a meeting to the member's list.
pub async fn save(app: &App, viewer: &Viewer, meeting: Uuid) -> Result<(), AppError> {
    store::find_meeting(&app.db, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    store::save_for_user(&app.db, viewer.user_id, meeting, app.clock.now().millis()).await?;
    crate::recovery::snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// Takes a meeting off the member's list.
pub async fn unsave(app: &App, viewer: &Viewer, meeting: Uuid) -> Result<(), AppError> {
    store::unsave_for_user(&app.db, viewer.user_id, meeting).await?;
    crate::recovery::snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// The member's saved meetings, each with its next occurrence, soonest first.
pub async fn saved(
    app: &App,
    viewer: &Viewer,
) -> Result<Vec<(MeetingRow, Listing, Option<Occurrence>)>, AppError> {
    let now = app.clock.now();
    let mut saved = Vec::new();
    for row in store::list_saved_meetings(&app.db, viewer.user_id).await? {
        let listing = listing_of(&row)?;
        let next = listing.schedule().next(now);
        saved.push((row, listing, next));
    }
    saved.sort_by_key(|(_, _, next)| next.map_or(i64::MAX, |o| o.start.millis()));
    Ok(saved)
}

/// Whether the member saved this meeting.
pub async fn is_saved(app: &App, viewer: &Viewer, meeting: Uuid) -> Result<bool, AppError> {
    Ok(store::list_saved(&app.db, viewer.user_id)
        .await?
        .iter()
        .any(|s| s.meeting_id == meeting))
}

/// Adds an entry to the member's private attendance log.
pub async fn log_attendance(
    app: &App,
    viewer: &Viewer,
    meeting: Option<Uuid>,
    name: &str,
    day: &str,
    note: &str,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let today = viewer.zone.date_of(app.clock.now());
    let day = match mutual_domain::local::parse_past_date(day, today) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new("day", e.to_string()));
            None
        }
    };
    let meeting_name = match meeting {
        Some(id) => {
            store::find_meeting(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?
                .name
        }
        None => name.trim().to_owned(),
    };
    if meeting_name.is_empty() {
        errors.push(FieldError::new("name", "Which meeting did you go to?"));
    }
    if meeting_name.chars().count() > 255 {
        errors.push(FieldError::new(
            "name",
            "Please keep the name under 255 characters.",
        ));
    }
    if note.chars().count() > 2000 {
        errors.push(FieldError::new(
            "note",
            "Please keep the note under 2000 characters.",
        ));
    }
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = Uuid::now_v7();
    store::insert_attendance(
        &app.db,
        &AttendanceRow {
            id,
            user_id: viewer.user_id.0,
            meeting_id: meeting,
            meeting_name,
            day: day.to_string(),
            note: note.trim().to_owned(),
            created_at: app.clock.now().millis(),
        },
    )
    .await?;
    Ok(id)
}

/// The member's attendance log, newest first.
pub async fn attendance(app: &App, viewer: &Viewer) -> Result<Vec<AttendanceRow>, AppError> {
    Ok(store::list_attendance(&app.db, viewer.user_id).await?)
}

/// Deletes one entry of the member's log.
pub async fn delete_attendance(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    Ok(store::delete_attendance(&app.db, viewer.user_id, id).await?)
}

/// Suggests a change to a listing: the whole form as the member left it, and a note.
pub async fn suggest_change(
    app: &App,
    viewer: &Viewer,
    meeting: Uuid,
    fields: &BTreeMap<String, String>,
    note: &str,
) -> Result<Uuid, AppError> {
    let current = store::find_meeting(&app.db, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = ListingInput::from_fields(|name| fields.get(name).map_or("", String::as_str));
    let (before, after) = edited(app, &current, &input).await?;
    if note.chars().count() > 2000 {
        return Err(AppError::field(
            "note",
            "Please keep the note under 2000 characters.",
        ));
    }
    if listing::diff(&before, &after).is_empty() {
        return Err(AppError::field(
            "note",
            "Nothing in the listing was changed. Change the fields that are wrong, then send.",
        ));
    }
    let id = Uuid::now_v7();
    let proposed: BTreeMap<&str, String> = listing::listing_fields(&after).into_iter().collect();
    store::insert_suggestion(
        &app.db,
        &SuggestionRow {
            id,
            meeting_id: meeting,
            user_id: viewer.user_id.0,
            changes: serde_json::to_string(&proposed).unwrap_or_default(),
            note: note.trim().to_owned(),
            status: "pending".into(),
            decided_by: None,
            decision_note: String::new(),
            decided_at: None,
            created_at: app.clock.now().millis(),
        },
    )
    .await?;
    Ok(id)
}

/// A suggestion waiting for review, with its field-by-field differences from the listing now.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SuggestionView {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_name: String,
    pub by: String,
    pub note: String,
    pub at: String,
    pub changes: Vec<FieldChange>,
}

fn proposed_input(row: &SuggestionRow) -> BTreeMap<String, String> {
    serde_json::from_str(&row.changes).unwrap_or_default()
}

/// The review queue (moderators and admins).
pub async fn pending_suggestions(
    app: &App,
    viewer: &Viewer,
) -> Result<Vec<SuggestionView>, AppError> {
    require_moderator(viewer)?;
    let mut views = Vec::new();
    for row in store::list_pending_suggestions(&app.db).await? {
        let Some(meeting) = store::find_meeting(&app.db, row.meeting_id).await? else {
            continue;
        };
        let fields = proposed_input(&row);
        let current = listing_of(&meeting)?;
        let current_fields = listing::listing_fields(&current);
        let changes = current_fields
            .into_iter()
            .filter_map(|(field, before)| {
                let after = fields.get(field).cloned().unwrap_or_default();
                (after != before).then(|| FieldChange {
                    field: field.into(),
                    before,
                    after,
                })
            })
            .collect();
        views.push(SuggestionView {
            id: row.id,
            meeting_id: row.meeting_id,
            meeting_name: meeting.name,
            by: pseudonym(app, Some(row.user_id)).await?,
            note: row.note,
            at: Timestamp(row.created_at).to_display_utc(),
            changes,
        });
    }
    Ok(views)
}

/// Approves (applying the proposed values to the listing, recorded in its history) or rejects
/// a suggestion.
pub async fn decide_suggestion(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
    note: &str,
) -> Result<(), AppError> {
    require_moderator(viewer)?;
    let row = store::find_suggestion(&app.db, id)
        .await?
        .filter(|s| s.status == "pending")
        .ok_or(AppError::NotFound)?;
    if note.chars().count() > 2000 {
        return Err(AppError::field(
            "note",
            "Please keep the note under 2000 characters.",
        ));
    }
    let now = app.clock.now().millis();
    if !approve {
        store::decide_suggestion(
            &app.db,
            id,
            "rejected",
            viewer.user_id,
            note.trim(),
            now,
            None,
        )
        .await?;
        return Ok(());
    }
    let current = store::find_meeting(&app.db, row.meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = proposed_input(&row);
    let input = ListingInput::from_fields(|name| fields.get(name).map_or("", String::as_str));
    let (before, after) = edited(app, &current, &input).await?;
    let changes = listing::diff(&before, &after);
    let meeting = row_of(
        &after,
        RowParts {
            id: current.id,
            group_id: current.group_id,
            source_url: current.source_url.clone(),
            extra: kept_fields(&current.extra),
            created_at: current.created_at,
            updated_at: now,
        },
    );
    let suggester = pseudonym(app, Some(row.user_id)).await?;
    let history = HistoryRow {
        id: Uuid::now_v7(),
        meeting_id: current.id,
        actor_id: Some(viewer.user_id.0),
        summary: format!("Suggested by {suggester}, approved"),
        changes: changes_json(&changes),
        created_at: now,
    };
    store::decide_suggestion(
        &app.db,
        id,
        "approved",
        viewer.user_id,
        note.trim(),
        now,
        Some((&meeting, &history)),
    )
    .await?;
    directory::changed(app).await
}

/// Every programme.
pub async fn programs(app: &App) -> Result<Vec<ProgramRow>, AppError> {
    Ok(store::list_programs(&app.db).await?)
}

/// Adds or renames a programme (admins).
pub async fn save_program(
    app: &App,
    code: &str,
    name: &str,
    approach: &str,
) -> Result<(), AppError> {
    let code = code.trim().to_uppercase();
    let mut errors = Vec::new();
    if code.is_empty()
        || code.len() > 16
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(FieldError::new(
            "code",
            "A short code of letters, digits and dashes, like AA or SMART.",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "Give the programme's name (up to 100 characters).",
        ));
    }
    if !catalog::APPROACHES.iter().any(|(a, _)| *a == approach) {
        errors.push(FieldError::new(
            "approach",
            "Choose an approach from the list.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let existing = store::list_programs(&app.db).await?;
    let position = existing
        .iter()
        .find(|p| p.code == code)
        .map_or(existing.len() as i64, |p| p.position);
    store::upsert_program(
        &app.db,
        &ProgramRow {
            code,
            name: name.to_owned(),
            approach: approach.to_owned(),
            position,
        },
    )
    .await?;
    directory::changed(app).await
}

/// Removes a programme no group uses.
pub async fn delete_program(app: &App, code: &str) -> Result<(), AppError> {
    match store::delete_program(&app.db, code).await {
        Err(mutual_store::StoreError::Conflict) => Err(AppError::field(
            "code",
            "Groups still belong to this programme; move them first.",
        )),
        other => {
            other?;
            directory::changed(app).await
        }
    }
}

/// The member's directory data for their export.
pub async fn export(
    app: &App,
    user: mutual_domain::UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut tables = serde_json::Map::new();
    let mut put = |name: &str, value: Result<serde_json::Value, serde_json::Error>| {
        tables.insert(name.into(), value.unwrap_or_default());
    };
    put(
        "saved_meetings",
        serde_json::to_value(store::list_saved(&app.db, user).await?),
    );
    put(
        "meeting_attendance",
        serde_json::to_value(store::list_attendance(&app.db, user).await?),
    );
    put(
        "meeting_suggestions",
        serde_json::to_value(store::list_suggestions_by_user(&app.db, user).await?),
    );
    put(
        "group_facilitators",
        serde_json::to_value(store::list_facilitations_by_user(&app.db, user).await?),
    );
    put(
        "calendar_feeds",
        serde_json::to_value(
            store::find_calendar_feed(&app.db, user)
                .await?
                .into_iter()
                .collect::<Vec<_>>(),
        ),
    );
    Ok(tables)
}

/// One line of the printable weekly schedule.
pub struct ScheduleEntry {
    /// "HH:MM" in the viewer's zone.
    pub time: String,
    pub name: String,
    pub program: String,
    pub place: String,
    pub types: Vec<String>,
}

/// Every weekly meeting's coming week, by the viewer's weekday (Sunday first), each day in
/// time order.
pub fn weekly_schedule(
    app: &App,
    snapshot: &DirectorySnapshot,
    zone: &Zone,
) -> Vec<Vec<ScheduleEntry>> {
    let now = app.clock.now();
    let week = now.plus(Duration::from_secs(7 * 86_400));
    let mut days: Vec<Vec<(Time, ScheduleEntry)>> = (0..7).map(|_| Vec::new()).collect();
    for entry in &snapshot.directory.entries {
        if !matches!(entry.schedule.recurrence, Recurrence::Weekly(_)) {
            continue;
        }
        for occurrence in entry.schedule.between(now, week) {
            if occurrence.start < now {
                continue;
            }
            let Ok(at) = jiff::Timestamp::from_millisecond(occurrence.start.millis()) else {
                continue;
            };
            let local = at.to_zoned(zone.tz().clone()).datetime();
            let day = usize::try_from(local.weekday().to_sunday_zero_offset()).unwrap_or(0);
            days[day].push((
                local.time(),
                ScheduleEntry {
                    time: format!("{:02}:{:02}", local.hour(), local.minute()),
                    name: entry.name.to_string(),
                    program: entry.group.program.to_string(),
                    place: [&*entry.location, &*entry.city]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    types: entry.types.to_vec(),
                },
            ));
        }
    }
    days.into_iter()
        .map(|mut day| {
            day.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(&b.1.name)));
            day.into_iter().map(|(_, e)| e).collect()
        })
        .collect()
}
