//! `/api/v1` for the meeting directory: search, the guided finder, meetings, groups and
//! programmes (identical for every viewer, except join details a group keeps for members),
//! saved meetings and the private attendance log, suggestions and their review, and editing.

use crate::AppState;
use crate::auth::{MaybeViewer, SignedIn};
use crate::error::ApiError;
use crate::forms::{ApiJson, FormData};
use crate::ids::IdPath;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::accounts::Viewer;
use mutual_app::meetings::{self, GroupInput, MeetingView, interop::meeting_url};
use mutual_app::{AppError, FieldError};
use mutual_domain::meetings::catalog;
use mutual_domain::meetings::listing::{LISTING_FIELDS, ListingInput};
use mutual_domain::permissions::Access::{Anyone, Member, Moderator};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The query string as fields, refusing parameters the endpoint does not know.
pub(crate) fn query_fields(query: &RawQuery, allowed: &[&str]) -> Result<FormData, AppError> {
    let fields = FormData::from_query(query.0.as_deref())
        .ok_or_else(|| AppError::field("query", "The query string could not be read."))?;
    fields.only(allowed)?;
    Ok(fields)
}

/// `GET /api/v1/meetings`: the search. Times are in `tz` (default: the server's zone), so the
/// answer depends only on the request, never on who asks.
pub async fn search_meetings(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, meetings::SEARCH_PARAMS)?;
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

/// `GET /api/v1/finder`: the guided finder's ranked suggestions with their reasons.
pub async fn find_my_group(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, meetings::FINDER_FIELDS)?;
    let found = meetings::find_my_group(&state.app, viewer.as_ref(), None, |name| {
        params
            .all(name)
            .into_iter()
            .flat_map(|v| v.split(','))
            .collect()
    })
    .await?;
    Ok(Json(json!({ "suggestions": found })).into_response())
}

fn meeting_json(state: &AppState, view: &MeetingView, zone: &mutual_domain::local::Zone) -> Value {
    let l = &view.listing;
    let upcoming: Vec<Value> = meetings::upcoming(&state.app, view, 5)
        .iter()
        .map(|o| {
            json!({
                "starts_at": o.start.to_rfc3339(),
                "ends_at": o.end.to_rfc3339(),
                "starts_local": zone.display(o.start),
            })
        })
        .collect();
    let join = if view.join_visible {
        json!({
            "conference_url": l.conference_url,
            "conference_url_notes": l.conference_url_notes,
            "conference_phone": l.conference_phone,
            "conference_phone_notes": l.conference_phone_notes,
        })
    } else {
        Value::Null
    };
    let stored = l.recurrence.stored();
    json!({
        "id": view.row.id,
        "slug": l.slug,
        "name": l.name,
        "group": { "id": view.group.id, "name": view.group.name },
        "program": view.program.as_ref().map(|p| json!({"code": p.code, "name": p.name})),
        "time_zone": l.zone,
        "start_time": format!("{:02}:{:02}", l.start.hour(), l.start.minute()),
        "end_time": format!("{:02}:{:02}", l.end.hour(), l.end.minute()),
        "recurrence": stored.kind,
        "days": l.recurrence.weekdays().iter().map(|d| d.to_sunday_zero_offset()).collect::<Vec<_>>(),
        "nth": stored.nth,
        "date": stored.date,
        "schedule": l.recurrence.describe(),
        "cancelled": l.cancelled.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "mode": l.mode.as_str(),
        "status": l.status.as_str(),
        "location": l.location,
        "location_notes": l.location_notes,
        "address": l.address_line(),
        "city": l.city,
        "latitude": l.point.map(|p| p.lat),
        "longitude": l.point.map(|p| p.lng),
        "approximate": l.approximate == Some(true),
        "types": l.types.iter().map(|t| json!({"code": t, "name": catalog::type_name(t)})).collect::<Vec<_>>(),
        "notes": l.notes,
        "join": join,
        "join_members_only": view.group.join_members_only,
        "upcoming": upcoming,
        "viewer_time_zone": zone.name(),
        "url": meeting_url(&state.app, view.row.id),
        "ics": format!("/meetings/{}.ics", view.row.id),
        "updated_at": mutual_domain::Timestamp(view.row.updated_at).to_rfc3339(),
    })
}

/// `GET /api/v1/meetings/{id}`.
pub async fn show_meeting(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, &["tz"])?;
    let zone = meetings::viewer_zone(&state.app, None, params.get("tz"))?;
    let view = meetings::find_meeting(&state.app, viewer.as_ref(), id).await?;
    Ok(Json(meeting_json(&state, &view, &zone)).into_response())
}

/// `GET /api/v1/groups/{id}`.
pub async fn show_group(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let view = meetings::find_group(&state.app, viewer.as_ref(), id).await?;
    let g = &view.group;
    let split = meetings::split;
    Ok(Json(json!({
        "id": g.id,
        "name": g.name,
        "program": view.program.as_ref().map(|p| json!({"code": p.code, "name": p.name, "approach": p.approach})),
        "description": g.description,
        "tags": split(&g.tags),
        "size": g.size,
        "structure": g.structure,
        "facilitation": g.facilitation,
        "atmosphere": g.atmosphere,
        "languages": split(&g.languages),
        "accessibility": split(&g.accessibility),
        "audience": split(&g.audience),
        "closed": g.closed,
        "contact": { "name": g.contact_name, "email": g.contact_email, "phone": g.contact_phone },
        "join_members_only": g.join_members_only,
        "notes": g.notes,
        "meetings": view.meetings.iter().map(|(row, l)| json!({
            "id": row.id, "name": l.name, "schedule": l.recurrence.describe(),
            "start_time": format!("{:02}:{:02}", l.start.hour(), l.start.minute()),
            "time_zone": l.zone, "mode": l.mode.as_str(), "status": l.status.as_str(),
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `GET /api/v1/programs`.
pub async fn list_programs(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(json!({ "programs": meetings::programs(&state.app).await? })).into_response())
}

/// A JSON object's fields as lists of text (arrays give several values, `true` gives "on").
fn json_fields(body: Map<String, Value>, allowed: &[&str]) -> Result<FormData, AppError> {
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    for (key, value) in body {
        if !allowed.contains(&key.as_str()) {
            errors.push(FieldError::new(
                "form",
                format!(
                    "Unknown field \"{}\".",
                    key.chars().take(40).collect::<String>()
                ),
            ));
            continue;
        }
        let mut push = |v: &Value| match v {
            Value::String(s) => fields.push((key.clone(), s.clone())),
            Value::Number(n) => fields.push((key.clone(), n.to_string())),
            Value::Bool(true) => fields.push((key.clone(), "on".into())),
            Value::Bool(false) | Value::Null => {}
            _ => errors.push(FieldError::new(
                key.clone(),
                "Give text, a number, true/false, or a list of those.",
            )),
        };
        match &value {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
    }
    if errors.is_empty() {
        Ok(FormData::from_fields(fields))
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The listing fields of a form or body, lists joined by commas.
pub(crate) fn listing_map(fields: &FormData) -> BTreeMap<String, String> {
    LISTING_FIELDS
        .iter()
        .map(|name| ((*name).to_owned(), fields.all(name).join(",")))
        .collect()
}

fn listing_input(map: &BTreeMap<String, String>) -> ListingInput<'_> {
    ListingInput::from_fields(|name| map.get(name).map_or("", String::as_str))
}

/// `POST /api/v1/groups` (moderators and admins).
pub async fn create_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let fields = json_fields(body, meetings::GROUP_FIELDS)?;
    let id = meetings::create_group(
        &state.app,
        &viewer,
        &GroupInput {
            fields: fields.pairs(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `PUT /api/v1/groups/{id}` (its facilitators, moderators, admins).
pub async fn update_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let fields = json_fields(body, meetings::GROUP_FIELDS)?;
    meetings::update_group(
        &state.app,
        &viewer,
        id,
        &GroupInput {
            fields: fields.pairs(),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/groups/{id}/meetings`.
pub async fn create_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(group): IdPath,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let map = listing_map(&json_fields(body, LISTING_FIELDS)?);
    let id = meetings::create_meeting(&state.app, &viewer, group, &listing_input(&map)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `PUT /api/v1/meetings/{id}`.
pub async fn update_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let map = listing_map(&json_fields(body, LISTING_FIELDS)?);
    meetings::update_meeting(&state.app, &viewer, id, &listing_input(&map)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/meetings/{id}/history`.
pub async fn show_history(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let entries = meetings::history(&state.app, &viewer, id).await?;
    Ok(Json(json!({ "history": entries })).into_response())
}

/// `POST /api/v1/meetings/{id}/suggestions`: the fields that are wrong, as they should be (the
/// others keep their current values), and a note.
pub async fn suggest_change(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(mut body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let note = match body.remove("note") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => return Err(AppError::field("note", "The note is text.").into()),
    };
    let given = json_fields(body, LISTING_FIELDS)?;
    let current = meetings::find_meeting(&state.app, Some(&viewer), id).await?;
    let mut fields: BTreeMap<String, String> =
        mutual_domain::meetings::listing::listing_fields(&current.listing)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    for (key, _) in given.pairs() {
        let value = given.all(&key).join(",");
        fields.insert(key, value);
    }
    let suggestion = meetings::suggest_change(&state.app, &viewer, id, &fields, &note).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": suggestion, "status": "pending" })),
    )
        .into_response())
}

/// `GET /api/v1/suggestions` (moderators): the review queue.
pub async fn list_suggestions(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let pending = meetings::pending_suggestions(&state.app, &viewer).await?;
    Ok(Json(json!({ "suggestions": pending })).into_response())
}

/// `POST /api/v1/suggestions/{id}/decision` body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    approve: bool,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/suggestions/{id}/decision` (moderators).
pub async fn decide_suggestion(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    meetings::decide_suggestion(&state.app, &viewer, id, request.approve, &request.note).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn saved_json(
    rows: &[(
        meetings::MeetingRow,
        mutual_domain::meetings::listing::Listing,
        Option<mutual_domain::meetings::Occurrence>,
    )],
    viewer: &Viewer,
) -> Value {
    Value::Array(
        rows.iter()
            .map(|(row, l, next)| {
                json!({
                    "id": row.id,
                    "name": l.name,
                    "schedule": l.recurrence.describe(),
                    "time_zone": l.zone,
                    "next_starts_at": next.map(|o| o.start.to_rfc3339()),
                    "next_starts_local": next.map(|o| viewer.zone.display(o.start)),
                })
            })
            .collect(),
    )
}

/// `GET /api/v1/me/saved-meetings`.
pub async fn list_saved(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let saved = meetings::saved(&state.app, &viewer).await?;
    Ok(Json(json!({ "meetings": saved_json(&saved, &viewer) })).into_response())
}

/// `PUT /api/v1/me/saved-meetings/{id}`.
pub async fn save_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    meetings::save(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/me/saved-meetings/{id}`.
pub async fn unsave_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    meetings::unsave(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/me/attendance`.
pub async fn list_attendance(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let log = meetings::attendance(&state.app, &viewer).await?;
    Ok(Json(json!({ "attendance": log })).into_response())
}

/// `POST /api/v1/me/attendance` body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    #[serde(default)]
    meeting_id: Option<Uuid>,
    #[serde(default)]
    meeting_name: String,
    /// `YYYY-MM-DD`, in the member's zone.
    day: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/me/attendance`.
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
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `DELETE /api/v1/me/attendance/{id}`.
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
        .get("/api/v1/meetings", Anyone, search_meetings)
        .get("/api/v1/meetings/{id}", Anyone, show_meeting)
        .get("/api/v1/finder", Anyone, find_my_group)
        .get("/api/v1/groups/{id}", Anyone, show_group)
        .get("/api/v1/programs", Anyone, list_programs)
        .post("/api/v1/groups", Moderator, create_group)
        .put("/api/v1/groups/{id}", Member, update_group)
        .post("/api/v1/groups/{id}/meetings", Member, create_meeting)
        .put("/api/v1/meetings/{id}", Member, update_meeting)
        .get("/api/v1/meetings/{id}/history", Member, show_history)
        .post("/api/v1/meetings/{id}/suggestions", Member, suggest_change)
        .get("/api/v1/suggestions", Moderator, list_suggestions)
        .post(
            "/api/v1/suggestions/{id}/decision",
            Moderator,
            decide_suggestion,
        )
        .get("/api/v1/me/saved-meetings", Member, list_saved)
        .put("/api/v1/me/saved-meetings/{id}", Member, save_meeting)
        .delete("/api/v1/me/saved-meetings/{id}", Member, unsave_meeting)
        .get("/api/v1/me/attendance", Member, list_attendance)
        .post("/api/v1/me/attendance", Member, log_attendance)
        .delete("/api/v1/me/attendance/{id}", Member, delete_attendance)
}
