//! `/api/v1` for mentoring: preferences and matches, requests, relationships, the mentor
//! profile, and the moderators' offers to approve.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::pages::mentors::parse_decision;
use crate::pages::parse_answer;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::people::mentors::{self, KeepingInput, MentorshipRow, ProfileInput, WishInput};
use mutual_domain::Timestamp;
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::Deserialize;
use serde_json::{Value, json};

fn at(millis: i64) -> String {
    Timestamp(millis).to_rfc3339()
}

/// `PUT /api/v1/mentors/preferences` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesRequest {
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    availability: Vec<String>,
    time_zone: String,
    gender: String,
    /// `same` or `any`.
    wants: String,
}

/// `PUT /api/v1/mentors/preferences`: what the viewer looks for in a mentor.
pub async fn save_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<PreferencesRequest>,
) -> Result<Response, ApiError> {
    let input = WishInput {
        programs: request.programs.iter().map(String::as_str).collect(),
        languages: &request.languages.join(","),
        topics: &request.topics.join(","),
        availability: request.availability.iter().map(String::as_str).collect(),
        time_zone: &request.time_zone,
        gender: &request.gender,
        wants: &request.wants,
    };
    mentors::save_preferences(&state.app, &viewer, &input).await?;
    Ok(Json(json!({ "saved": true })).into_response())
}

/// `GET /api/v1/mentors/matches`: approved mentors who fit the saved preferences, best first.
pub async fn matches(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let has_preferences = mentors::preferences(&state.app, &viewer).await?.is_some();
    let found: Vec<Value> = mentors::matches(&state.app, &viewer)
        .await?
        .iter()
        .map(|m| {
            let p = &m.profile;
            json!({
                "username": p.username, "time_in_recovery": m.recovery, "programs": m.program_names,
                "approach": p.approach, "languages": p.languages.split(',').collect::<Vec<_>>(),
                "topics": p.topics.split(',').filter(|t| !t.is_empty()).collect::<Vec<_>>(),
                "time_zone": p.time_zone, "about": p.about, "score": m.fit.score, "reasons": m.fit.reasons,
            })
        })
        .collect();
    Ok(Json(json!({ "has_preferences": has_preferences, "matches": found })).into_response())
}

/// `POST /api/v1/mentor-requests` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorRequest {
    mentor: String,
    note: String,
}

/// `POST /api/v1/mentor-requests`: asks a mentor; 422 with the reason when it cannot be.
pub async fn request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<MentorRequest>,
) -> Result<Response, ApiError> {
    let id = mentors::request(&state.app, &viewer, &request.mentor, &request.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "state": "requested" })),
    )
        .into_response())
}

fn mentorship_json(viewer: uuid::Uuid, r: &MentorshipRow) -> Value {
    let mentor_side = r.mentor_id == viewer;
    json!({
        "id": r.id, "mentor": r.mentor_name, "mentee": r.mentee_name, "state": r.state,
        "role": if mentor_side { "mentor" } else { "mentee" },
        "request_note": r.request_note, "answer": r.answer, "cadence": r.cadence, "goals": r.goals,
        "my_notes": if mentor_side { &r.mentor_notes } else { &r.mentee_notes },
        "shares": { "warning_signs": r.share_warnings, "reach_out": r.share_reach_out },
        "created_at": at(r.created_at), "answered_at": r.answered_at.map(at), "ended_at": r.ended_at.map(at),
    })
}

/// `GET /api/v1/mentorships`: the viewer's relationships, both sides.
pub async fn list_mentorships(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let rows = mentors::mentorships(&state.app, &viewer).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| mentorship_json(viewer.user_id.0, r))
        .collect();
    Ok(Json(json!({ "mentorships": items })).into_response())
}

/// `GET /api/v1/mentorships/{id}`: one relationship, with only the viewer's own notes.
pub async fn show_mentorship(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let row = mentors::mentorship(&state.app, &viewer, id).await?;
    Ok(Json(mentorship_json(viewer.user_id.0, &row)).into_response())
}

/// `POST /api/v1/mentorships/{id}/answer` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    answer: String,
    #[serde(default)]
    message: String,
}

/// `POST /api/v1/mentorships/{id}/answer`: the mentor accepts or declines.
pub async fn answer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    mentors::answer(&state.app, &viewer, id, accept, &request.message).await?;
    Ok(Json(json!({ "state": if accept { "active" } else { "declined" } })).into_response())
}

/// `PUT /api/v1/mentorships/{id}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepRequest {
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    share_warning_signs: bool,
    #[serde(default = "yes")]
    share_reach_out: bool,
}

fn yes() -> bool {
    true
}

/// `PUT /api/v1/mentorships/{id}`: cadence, goals, the viewer's notes, the mentee's sharing.
pub async fn keep(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<KeepRequest>,
) -> Result<Response, ApiError> {
    let input = KeepingInput {
        cadence: &request.cadence,
        goals: &request.goals,
        notes: &request.notes,
        shares: (request.share_warning_signs, request.share_reach_out),
    };
    mentors::keep(&state.app, &viewer, id, &input).await?;
    let row = mentors::mentorship(&state.app, &viewer, id).await?;
    Ok(Json(mentorship_json(viewer.user_id.0, &row)).into_response())
}

/// `POST /api/v1/mentorships/{id}/end` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    #[serde(default)]
    handover: String,
}

/// `POST /api/v1/mentorships/{id}/end`
pub async fn end(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<EndRequest>,
) -> Result<Response, ApiError> {
    mentors::end(&state.app, &viewer, id, &request.handover).await?;
    Ok(Json(json!({ "state": "ended" })).into_response())
}

/// `PUT /api/v1/mentors/profile` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    programs: Vec<String>,
    #[serde(default)]
    approach: String,
    languages: Vec<String>,
    time_zone: String,
    #[serde(default)]
    availability: Vec<String>,
    gender: String,
    /// `same` or `any`.
    mentors: String,
    #[serde(default)]
    topics: Vec<String>,
    capacity: u32,
    about: String,
    agreed_to_code_of_conduct: bool,
}

/// `PUT /api/v1/mentors/profile`: offers to mentor (or updates the offer).
pub async fn offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<ProfileRequest>,
) -> Result<Response, ApiError> {
    let capacity = request.capacity.to_string();
    let input = ProfileInput {
        programs: request.programs.iter().map(String::as_str).collect(),
        approach: &request.approach,
        languages: &request.languages.join(","),
        time_zone: &request.time_zone,
        availability: request.availability.iter().map(String::as_str).collect(),
        gender: &request.gender,
        mentors: &request.mentors,
        topics: &request.topics.join(","),
        capacity: &capacity,
        about: &request.about,
        agreed: request.agreed_to_code_of_conduct,
    };
    mentors::offer(&state.app, &viewer, &input).await?;
    let status = mentors::my_profile(&state.app, &viewer)
        .await?
        .map(|p| p.status);
    Ok(Json(json!({ "status": status })).into_response())
}

/// `GET /api/v1/moderation/mentors`: offers waiting for approval (moderators).
pub async fn list_offers(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let offers: Vec<Value> = mentors::pending_offers(&state.app, &viewer)
        .await?
        .iter()
        .map(|(p, range)| json!({ "username": p.username, "time_in_recovery": range, "programs": p.programs, "about": p.about, "capacity": p.capacity }))
        .collect();
    Ok(Json(json!({ "offers": offers })).into_response())
}

/// `POST /api/v1/moderation/mentors/{username}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    decision: String,
}

/// `POST /api/v1/moderation/mentors/{username}`: approves or declines an offer.
pub async fn decide_offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(username): Path<String>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let approve = parse_decision(&request.decision)?;
    mentors::decide_offer(&state.app, &viewer, &username, approve).await?;
    Ok(Json(json!({ "approved": approve })).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .put("/api/v1/mentors/preferences", Member, save_preferences)
        .get("/api/v1/mentors/matches", Member, matches)
        .post("/api/v1/mentor-requests", Member, request)
        .put("/api/v1/mentors/profile", Member, offer)
        .get("/api/v1/mentorships", Member, list_mentorships)
        .get("/api/v1/mentorships/{id}", Member, show_mentorship)
        .post("/api/v1/mentorships/{id}/answer", Member, answer)
        .put("/api/v1/mentorships/{id}", Member, keep)
        .post("/api/v1/mentorships/{id}/end", Member, end)
        .get("/api/v1/moderation/mentors", Moderator, list_offers)
        .post(
            "/api/v1/moderation/mentors/{username}",
            Moderator,
            decide_offer,
        )
}
