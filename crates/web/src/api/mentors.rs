//! `/api/v1` for mentoring: preferences and matches, requests, relationships, the mentor
//! profile, and the moderators' offers to approve.

use crate::AppState;
use crate::api::contract::ErrorResponse;
use crate::api::contract::at;
use crate::api::contract::renamed;
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
use mutual_app::AppError;
use mutual_app::people::mentors::{self, KeepingInput, MentorshipRow, ProfileInput, WishInput};
use mutual_domain::people::mentors::{self as rules, DAYS, Gender, MAX_CAPACITY, PARTS};
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};
use utoipa_axum::routes;
use uuid::Uuid;

/// A string schema that takes one of `values`.
fn one_of<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> ObjectBuilder {
    let values: Vec<&str> = values.into_iter().collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.clone()))
        .examples(values.first().copied())
        .description(Some(description))
}

fn gender_schema() -> Object {
    one_of(
        Gender::ALL.map(Gender::as_str),
        "How the member describes their gender, for matching only (`unsaid`: they would rather not say, and match only where nobody asked for the same gender).",
    )
    .build()
}

fn slots_schema() -> ArrayBuilder {
    let slots: Vec<String> = DAYS
        .iter()
        .flat_map(|(day, _)| PARTS.iter().map(move |(part, ..)| format!("{day}-{part}")))
        .collect();
    ArrayBuilder::new().items(
        one_of(
            slots.iter().map(String::as_str),
            "A time of the week in the member's own zone: a day and a part of it (morning 08-12, afternoon 12-17, evening 17-22).",
        )
        .examples(["mon-evening"]),
    )
}

fn availability_schema() -> ArrayBuilder {
    slots_schema().description(Some(
        "When the member is free, each slot once; an unknown slot is refused.",
    ))
}

fn preferences_wants_schema() -> Object {
    one_of(
        ["same", "any"],
        "`same`: only a mentor of the member's own gender; `any`: anyone.",
    )
    .build()
}

fn profile_mentors_schema() -> Object {
    one_of(
        ["same", "any"],
        "Whom the mentor mentors: `same`, members of their own gender only; `any`, anyone.",
    )
    .build()
}

fn answer_schema() -> Object {
    one_of(["accept", "decline"], "The mentor's answer.").build()
}

fn decision_schema() -> Object {
    one_of(["approve", "decline"], "The moderator's decision.").build()
}

fn time_in_recovery_schema() -> Object {
    one_of(
        [0, 365, 730, 1826, 3652].map(rules::recovery_range),
        "The mentor's time in recovery as a range (never a date), from their longest current clock.",
    )
    .build()
}

/// What the member looks for in a mentor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorPreferencesRequest {
    /// Programme codes (as `GET /api/v1/programs` lists them); an unknown code is refused.
    #[serde(default)]
    #[schema(example = json!(["AA"]))]
    programs: Vec<String>,
    /// Languages the mentor should speak; stored lower-cased, each once.
    #[serde(default)]
    #[schema(example = json!(["english"]))]
    languages: Vec<String>,
    /// Topics to be mentored on; stored lower-cased, each once.
    #[serde(default)]
    #[schema(example = json!(["early recovery"]))]
    topics: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = availability_schema)]
    availability: Vec<String>,
    /// The member's IANA time zone; availability is read in it.
    #[schema(example = "Europe/London")]
    time_zone: String,
    #[schema(schema_with = gender_schema)]
    gender: String,
    #[schema(schema_with = preferences_wants_schema)]
    wants: String,
}

/// The preferences were saved.
#[derive(Serialize, ToSchema)]
struct MentorPreferencesResponse {
    /// Always true.
    #[schema(example = true)]
    saved: bool,
}

/// Save what the viewer looks for in a mentor
///
/// Programmes, languages, topics, availability, time zone, gender and whether the mentor must
/// share it; the matches are ranked from these.
#[utoipa::path(put, path = "/api/v1/mentors/preferences", tag = "mentors",
    request_body = MentorPreferencesRequest,
    responses((status = 200, description = "Saved", body = MentorPreferencesResponse)))]
pub async fn save_preferences(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<MentorPreferencesRequest>,
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
    Ok(Json(MentorPreferencesResponse { saved: true }).into_response())
}

/// An approved mentor who fits the viewer's preferences.
#[derive(Serialize, ToSchema)]
struct MentorMatch {
    /// The mentor's pseudonym, to ask them with `POST /api/v1/mentor-requests`.
    #[schema(example = "steady_oak")]
    username: String,
    #[schema(schema_with = time_in_recovery_schema)]
    time_in_recovery: &'static str,
    /// The names of the mentor's programmes.
    #[schema(example = json!(["Alcoholics Anonymous"]))]
    programs: Vec<String>,
    /// How the mentor works, in their words (may be empty).
    #[schema(example = "Step work, and a weekly call")]
    approach: String,
    /// Lower case.
    #[schema(example = json!(["english"]))]
    languages: Vec<String>,
    /// Lower case.
    #[schema(example = json!(["early recovery"]))]
    topics: Vec<String>,
    /// The mentor's IANA time zone.
    #[schema(example = "Europe/London")]
    time_zone: String,
    #[schema(example = "Sober since 2019; glad to walk with you.")]
    about: String,
    /// Higher is a better fit; the list is sorted by it.
    #[schema(example = 12)]
    score: u32,
    /// Why this mentor fits, in the order the member reads them.
    #[schema(example = json!(["Shares your programme: Alcoholics Anonymous", "Free when you are: Mon evening (your time)", "1 place left"]))]
    reasons: Vec<String>,
}

/// The viewer's matches.
#[derive(Serialize, ToSchema)]
struct MentorMatchesResponse {
    /// False until the viewer saves preferences (and then there are no matches).
    has_preferences: bool,
    /// Best fit first.
    matches: Vec<MentorMatch>,
}

/// Approved mentors who fit the saved preferences, best first
///
/// Each with the reasons; gender preferences of both sides are hard constraints, and full
/// mentors and members with a block either way are left out.
#[utoipa::path(get, path = "/api/v1/mentors/matches", tag = "mentors",
    responses((status = 200, description = "The matches", body = MentorMatchesResponse)))]
pub async fn matches(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let has_preferences = mentors::preferences(&state.app, &viewer).await?.is_some();
    let found: Vec<MentorMatch> = mentors::matches(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|m| {
            let p = m.profile;
            MentorMatch {
                username: p.username,
                time_in_recovery: m.recovery,
                programs: m.program_names,
                approach: p.approach,
                languages: list(&p.languages),
                topics: list(&p.topics),
                time_zone: p.time_zone,
                about: p.about,
                score: m.fit.score,
                reasons: m.fit.reasons,
            }
        })
        .collect();
    Ok(Json(MentorMatchesResponse {
        has_preferences,
        matches: found,
    })
    .into_response())
}

/// The items of a stored comma-separated list.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Asking a mentor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorRequest {
    /// The mentor's pseudonym, from the viewer's matches.
    #[schema(example = "steady_oak")]
    mentor: String,
    /// A few words to the mentor (not blank; at most 2000 characters once trimmed).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "I am three weeks in and would love a mentor."
    )]
    note: String,
}

/// Where a mentoring relationship stands.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum MentorshipState {
    /// Asked, not answered yet.
    Requested,
    Active,
    Declined,
    Ended,
}

impl MentorshipState {
    fn parse(state: &str) -> Result<MentorshipState, AppError> {
        match state {
            "requested" => Ok(MentorshipState::Requested),
            "active" => Ok(MentorshipState::Active),
            "declined" => Ok(MentorshipState::Declined),
            "ended" => Ok(MentorshipState::Ended),
            other => Err(AppError::Internal(format!("mentorship state {other}"))),
        }
    }
}

/// The request that was made.
#[derive(Serialize, ToSchema)]
struct MentorRequestResponse {
    /// The relationship's id, for `GET /api/v1/mentorships/{id}`.
    id: Uuid,
    /// `requested`.
    #[schema(example = "requested")]
    state: MentorshipState,
}

/// Ask a mentor, with a note
///
/// Refused (422, with the reason) when the viewer has no preferences saved, a gender
/// preference of either side rules it out, the mentor is full or not an approved mentor.
#[utoipa::path(post, path = "/api/v1/mentor-requests", tag = "mentors",
    request_body = MentorRequest,
    responses(
        (status = 201, description = "Asked; the mentor is told", body = MentorRequestResponse),
        (status = 409, description = "The viewer has asked this mentor already, or they mentor the viewer now", body = ErrorResponse),
    ))]
pub async fn request(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<MentorRequest>,
) -> Result<Response, ApiError> {
    let id = mentors::request(&state.app, &viewer, &request.mentor, &request.note).await?;
    let body = MentorRequestResponse {
        id,
        state: MentorshipState::Requested,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The viewer's side of a relationship.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum MentorshipRole {
    Mentor,
    Mentee,
}

/// What the mentee lets the mentor know of.
#[derive(Serialize, ToSchema)]
struct MentorshipShares {
    /// The mentee's warning signs.
    warning_signs: bool,
    /// The mentee's Reach out alerts.
    reach_out: bool,
}

/// A mentoring relationship, with only the viewer's own private notes.
#[derive(Serialize, ToSchema)]
struct MentorshipResponse {
    id: Uuid,
    /// The mentor's pseudonym.
    #[schema(example = "steady_oak")]
    mentor: String,
    /// The mentee's pseudonym.
    #[schema(example = "quiet_harbour")]
    mentee: String,
    state: MentorshipState,
    /// The viewer's side.
    role: MentorshipRole,
    /// The mentee's words when asking.
    #[schema(example = "I am three weeks in and would love a mentor.")]
    request_note: String,
    /// The mentor's words when answering (empty when none).
    answer: String,
    /// How often they keep in touch (empty until set).
    #[schema(example = "Sunday calls")]
    cadence: String,
    /// Goals both sides see (empty until set).
    #[schema(example = "Ninety meetings in ninety days")]
    goals: String,
    /// The viewer's private notes; the other side's are never shown.
    my_notes: String,
    shares: MentorshipShares,
    /// When the mentee asked.
    #[schema(format = DateTime, example = "2026-03-01T18:30:00Z")]
    created_at: String,
    /// When the mentor answered (null until then).
    #[schema(required = true, format = DateTime, example = "2026-03-02T09:00:00Z")]
    answered_at: Option<String>,
    /// When it ended (null until then).
    #[schema(required = true, format = DateTime, example = "2026-09-01T17:00:00Z")]
    ended_at: Option<String>,
}

fn mentorship_response(viewer: Uuid, r: MentorshipRow) -> Result<MentorshipResponse, AppError> {
    let mentor_side = r.mentor_id == viewer;
    Ok(MentorshipResponse {
        id: r.id,
        state: MentorshipState::parse(&r.state)?,
        role: if mentor_side {
            MentorshipRole::Mentor
        } else {
            MentorshipRole::Mentee
        },
        request_note: r.request_note,
        answer: r.answer,
        cadence: r.cadence,
        goals: r.goals,
        my_notes: if mentor_side {
            r.mentor_notes
        } else {
            r.mentee_notes
        },
        shares: MentorshipShares {
            warning_signs: r.share_warnings,
            reach_out: r.share_reach_out,
        },
        created_at: at(r.created_at),
        answered_at: r.answered_at.map(at),
        ended_at: r.ended_at.map(at),
        mentor: r.mentor_name,
        mentee: r.mentee_name,
    })
}

/// The viewer's relationships.
#[derive(Serialize, ToSchema)]
struct MentorshipsResponse {
    /// Newest first, as mentor and as mentee.
    mentorships: Vec<MentorshipResponse>,
}

/// The viewer's mentoring relationships, as mentor or mentee
#[utoipa::path(get, path = "/api/v1/mentorships", tag = "mentors",
    responses((status = 200, description = "The relationships", body = MentorshipsResponse)))]
pub async fn list_mentorships(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let mentorships = mentors::mentorships(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|r| mentorship_response(viewer.user_id.0, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(MentorshipsResponse { mentorships }).into_response())
}

/// One relationship, with only the viewer's own private notes
#[utoipa::path(get, path = "/api/v1/mentorships/{id}", tag = "mentors",
    params(IdPath),
    responses((status = 200, description = "The relationship", body = MentorshipResponse)))]
pub async fn show_mentorship(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let row = mentors::mentorship(&state.app, &viewer, id).await?;
    Ok(Json(mentorship_response(viewer.user_id.0, row)?).into_response())
}

/// The mentor's answer to a request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorAnswerRequest {
    #[schema(schema_with = answer_schema)]
    answer: String,
    /// Words for the member; a decline without them sends a kind standard message.
    #[serde(default)]
    #[schema(max_length = 2000, example = "Happy to: let's talk on Sunday.")]
    message: String,
}

/// Where the relationship stands now.
#[derive(Serialize, ToSchema)]
struct MentorshipStateResponse {
    state: MentorshipState,
}

/// The mentor accepts or kindly declines a request
///
/// Only the mentor asked may answer (anyone else: 404); the member is told.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/answer", tag = "mentors",
    params(IdPath),
    request_body = MentorAnswerRequest,
    responses(
        (status = 200, description = "Answered: `active` or `declined`", body = MentorshipStateResponse),
        (status = 409, description = "Answered already, or accepting would go over the mentor's capacity", body = ErrorResponse),
    ))]
pub async fn answer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<MentorAnswerRequest>,
) -> Result<Response, ApiError> {
    let accept = parse_answer(&request.answer)?;
    mentors::answer(&state.app, &viewer, id, accept, &request.message).await?;
    let state = if accept {
        MentorshipState::Active
    } else {
        MentorshipState::Declined
    };
    Ok(Json(MentorshipStateResponse { state }).into_response())
}

/// What either side keeps up to date in an active relationship.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepMentorshipRequest {
    /// How often they keep in touch (shared; empty when absent).
    #[serde(default)]
    #[schema(max_length = 100, example = "Sunday calls")]
    cadence: String,
    /// Goals both sides see (empty when absent).
    #[serde(default)]
    #[schema(max_length = 2000, example = "Ninety meetings in ninety days")]
    goals: String,
    /// The viewer's own private notes (empty when absent); the other side never sees them.
    #[serde(default)]
    #[schema(max_length = 2000)]
    notes: String,
    /// Mentee only (ignored from the mentor): tell the mentor of warning signs. False when absent.
    #[serde(default)]
    share_warning_signs: bool,
    /// Mentee only (ignored from the mentor): tell the mentor of Reach out alerts. True when absent.
    #[serde(default = "yes")]
    #[schema(default = true)]
    share_reach_out: bool,
}

fn yes() -> bool {
    true
}

/// Update an active relationship
///
/// Cadence, shared goals, the viewer's private notes and (mentee) what the mentor is told;
/// every field is replaced, an absent one by its default.
#[utoipa::path(put, path = "/api/v1/mentorships/{id}", tag = "mentors",
    params(IdPath),
    request_body = KeepMentorshipRequest,
    responses(
        (status = 200, description = "The relationship", body = MentorshipResponse),
        (status = 409, description = "The relationship is not active", body = ErrorResponse),
    ))]
pub async fn keep(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<KeepMentorshipRequest>,
) -> Result<Response, ApiError> {
    let input = KeepingInput {
        cadence: &request.cadence,
        goals: &request.goals,
        notes: &request.notes,
        shares: (request.share_warning_signs, request.share_reach_out),
    };
    mentors::keep(&state.app, &viewer, id, &input).await?;
    let row = mentors::mentorship(&state.app, &viewer, id).await?;
    Ok(Json(mentorship_response(viewer.user_id.0, row)?).into_response())
}

/// Ending a relationship.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndMentorshipRequest {
    /// Another approved mentor's pseudonym to suggest to the mentee (empty or absent: none).
    #[serde(default)]
    #[schema(example = "steady_oak")]
    handover: String,
}

/// End the relationship (either side), optionally suggesting another mentor
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/end", tag = "mentors",
    params(IdPath),
    request_body = EndMentorshipRequest,
    responses(
        (status = 200, description = "Ended: `ended`; the other side is told", body = MentorshipStateResponse),
        (status = 409, description = "The relationship is not active", body = ErrorResponse),
    ))]
pub async fn end(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<EndMentorshipRequest>,
) -> Result<Response, ApiError> {
    mentors::end(&state.app, &viewer, id, &request.handover).await?;
    Ok(Json(MentorshipStateResponse {
        state: MentorshipState::Ended,
    })
    .into_response())
}

/// The viewer's offer to mentor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorProfileRequest {
    /// Programme codes (as `GET /api/v1/programs` lists them); an unknown code is refused.
    #[schema(example = json!(["AA"]))]
    programs: Vec<String>,
    /// How the mentor works (at most 200 characters once trimmed; empty when absent).
    #[serde(default)]
    #[schema(max_length = 200, example = "Step work, and a weekly call")]
    approach: String,
    /// At least one language the mentor can mentor in; stored lower-cased, each once.
    #[schema(min_items = 1, example = json!(["English"]))]
    languages: Vec<String>,
    /// The mentor's IANA time zone; availability is read in it.
    #[schema(example = "Europe/London")]
    time_zone: String,
    #[serde(default)]
    #[schema(schema_with = availability_schema)]
    availability: Vec<String>,
    #[schema(schema_with = gender_schema)]
    gender: String,
    #[schema(schema_with = profile_mentors_schema)]
    mentors: String,
    /// Topics the mentor mentors on; stored lower-cased, each once.
    #[serde(default)]
    #[schema(example = json!(["early recovery"]))]
    topics: Vec<String>,
    /// How many mentees at once.
    #[schema(minimum = 1, maximum = 10, example = 2)]
    capacity: u32,
    /// About the mentor, for the members who read the profile (not blank; at most 1000
    /// characters once trimmed).
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Sober since 2019; glad to walk with you."
    )]
    about: String,
    /// Must be true: the mentor read and agrees to the mentor code of conduct.
    agreed_to_code_of_conduct: bool,
}

/// Where an offer to mentor stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum MentorProfileStatus {
    /// Waiting for a moderator's approval.
    Pending,
    /// Members looking for a mentor can find them.
    Approved,
    /// Approved, taking no new requests for now.
    Paused,
}

impl MentorProfileStatus {
    fn parse(status: &str) -> Result<MentorProfileStatus, AppError> {
        match status {
            "pending" => Ok(MentorProfileStatus::Pending),
            "approved" => Ok(MentorProfileStatus::Approved),
            "paused" => Ok(MentorProfileStatus::Paused),
            other => Err(AppError::Internal(format!("mentor profile status {other}"))),
        }
    }
}

/// The offer after saving it.
#[derive(Serialize, ToSchema)]
struct MentorProfileResponse {
    /// `pending` for a new offer; an approved (or paused) mentor's edits keep their status.
    #[schema(example = "pending")]
    status: MentorProfileStatus,
}

/// Offer to mentor (or update the offer)
///
/// Needs the configured time on the longest current clock (otherwise 422 on `form`) and
/// agreement to the code of conduct; a moderator approves new offers.
#[utoipa::path(put, path = "/api/v1/mentors/profile", tag = "mentors",
    request_body = MentorProfileRequest,
    responses((status = 200, description = "Saved", body = MentorProfileResponse)))]
pub async fn offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<MentorProfileRequest>,
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
    mentors::offer(&state.app, &viewer, &input)
        .await
        .map_err(|e| renamed(e, &[("agreed", "agreed_to_code_of_conduct")]))?;
    let profile = mentors::my_profile(&state.app, &viewer)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = MentorProfileStatus::parse(&profile.status)?;
    Ok(Json(MentorProfileResponse { status }).into_response())
}

const _: () = assert!(
    MAX_CAPACITY == 10,
    "MentorProfileRequest.capacity's maximum"
);

/// An offer to mentor waiting for approval.
#[derive(Serialize, ToSchema)]
struct MentorOffer {
    /// The member's pseudonym, for `POST /api/v1/moderation/mentors/{username}`.
    #[schema(example = "steady_oak")]
    username: String,
    #[schema(schema_with = time_in_recovery_schema)]
    time_in_recovery: String,
    /// Programme codes.
    #[schema(example = json!(["AA"]))]
    programs: Vec<String>,
    #[schema(example = "Sober since 2019; glad to walk with you.")]
    about: String,
    /// How many mentees at once.
    #[schema(minimum = 1, maximum = 10, example = 2)]
    capacity: i64,
}

/// The offers waiting.
#[derive(Serialize, ToSchema)]
struct MentorOffersResponse {
    /// Oldest first.
    offers: Vec<MentorOffer>,
}

/// Mentor offers waiting for approval (moderators)
#[utoipa::path(get, path = "/api/v1/moderation/mentors", tag = "mentors",
    responses((status = 200, description = "The offers", body = MentorOffersResponse)))]
pub async fn list_offers(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let offers = mentors::pending_offers(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|(p, range)| MentorOffer {
            username: p.username,
            time_in_recovery: range,
            programs: list(&p.programs),
            about: p.about,
            capacity: p.capacity,
        })
        .collect();
    Ok(Json(MentorOffersResponse { offers }).into_response())
}

/// A moderator's decision on an offer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferDecisionRequest {
    #[schema(schema_with = decision_schema)]
    decision: String,
}

/// The decision made.
#[derive(Serialize, ToSchema)]
struct OfferDecisionResponse {
    /// True when the member is a mentor now.
    approved: bool,
}

/// Approve or decline a mentor offer (moderators)
///
/// The member is told either way.
#[utoipa::path(post, path = "/api/v1/moderation/mentors/{username}", tag = "mentors",
    params(("username" = String, Path, description = "The pseudonym of the member who offered")),
    request_body = OfferDecisionRequest,
    responses(
        (status = 200, description = "Decided", body = OfferDecisionResponse),
        (status = 409, description = "This offer was decided already", body = ErrorResponse),
    ))]
pub async fn decide_offer(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(username): Path<String>,
    ApiJson(request): ApiJson<OfferDecisionRequest>,
) -> Result<Response, ApiError> {
    let approve = parse_decision(&request.decision)?;
    mentors::decide_offer(&state.app, &viewer, &username, approve).await?;
    Ok(Json(OfferDecisionResponse { approved: approve }).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Member, routes!(save_preferences))
        .api(Member, routes!(matches))
        .api(Member, routes!(request))
        .api(Member, routes!(offer))
        .api(Member, routes!(list_mentorships))
        .api(Member, routes!(show_mentorship))
        .api(Member, routes!(answer))
        .api(Member, routes!(keep))
        .api(Member, routes!(end))
        .api(Moderator, routes!(list_offers))
        .api(Moderator, routes!(decide_offer))
}
