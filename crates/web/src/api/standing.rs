//! `/api/v1` for a member's standing: their sanctions and appeals, the members they blocked, and
//! the moderators' appeals to answer.

use crate::AppState;
use crate::api::community::{none_if_empty, one_of};
use crate::api::contract::ErrorResponse;
use crate::api::contract::at;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::pages::standing::parse_outcome;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::community::blocks;
use mutual_app::community::standing::{self, Kind, SanctionView};
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;
use utoipa_axum::routes;
use uuid::Uuid;

fn sanction_kind() -> Object {
    let kinds: Vec<(&'static str, &str)> = Kind::ALL
        .into_iter()
        .map(|kind| (kind.as_str(), kind.label()))
        .collect();
    one_of("What the moderators did", &kinds)
}

/// How a moderator answers an appeal, as `parse_outcome` reads it.
const OUTCOMES: &[(&str, &str)] = &[
    ("lift", "the sanction ends now; a suspended account reopens"),
    ("uphold", "the sanction stays"),
];

fn outcome() -> Object {
    one_of("The decision", OUTCOMES)
}

/// A sanction, as its member reads it.
#[derive(Serialize, ToSchema)]
struct SanctionResponse {
    /// Pass to `POST /api/v1/sanctions/{id}/appeal` (or, for moderators, to answer the appeal).
    id: Uuid,
    #[schema(schema_with = sanction_kind)]
    kind: &'static str,
    /// The kind, in words.
    #[schema(example = "Silenced")]
    label: &'static str,
    /// The moderator's reason.
    #[schema(example = "Cooling off after a heated thread")]
    reason: String,
    /// Whether it stops something now (a warning never does).
    in_force: bool,
    #[schema(format = DateTime, example = "2025-06-10T08:15:00Z")]
    given_at: String,
    /// When a silence ends by itself; null for the other kinds.
    #[schema(format = DateTime, example = "2025-06-13T08:15:00Z")]
    ends_at: Option<String>,
    /// When it was lifted; null while it stands.
    #[schema(format = DateTime, example = "2025-06-11T10:00:00Z")]
    lifted_at: Option<String>,
    /// The member's appeal; null when they have not appealed.
    #[schema(example = "I was selling a bike, not drugs.")]
    appeal: Option<String>,
    #[schema(format = DateTime, example = "2025-06-10T12:30:00Z")]
    appealed_at: Option<String>,
    /// The moderators' answer to the appeal; null until they answer.
    #[schema(example = "Thanks for explaining. Welcome back.")]
    answer: Option<String>,
    #[schema(format = DateTime, example = "2025-06-11T10:00:00Z")]
    answered_at: Option<String>,
}

fn sanction_response(s: &SanctionView) -> SanctionResponse {
    SanctionResponse {
        id: s.row.id,
        kind: s.kind.as_str(),
        label: s.kind.label(),
        reason: s.row.reason.clone(),
        in_force: s.in_force,
        given_at: at(s.row.created_at),
        ends_at: s.row.ends_at.map(at),
        lifted_at: s.row.lifted_at.map(at),
        appeal: none_if_empty(&s.row.appeal),
        appealed_at: s.row.appealed_at.map(at),
        answer: none_if_empty(&s.row.answer),
        answered_at: s.row.answered_at.map(at),
    }
}

/// The member's sanctions.
#[derive(Serialize, ToSchema)]
struct StandingResponse {
    /// Newest first; empty when the member is in good standing.
    sanctions: Vec<SanctionResponse>,
}

/// The member's sanctions
///
/// Warnings, silences, suspensions and removals from the community, newest first, with the
/// reasons, appeals and answers.
#[utoipa::path(get, path = "/api/v1/standing", tag = "standing",
    responses((status = 200, description = "The sanctions", body = StandingResponse)))]
pub async fn show_standing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let sanctions = standing::standing(&state.app, &viewer)
        .await?
        .iter()
        .map(sanction_response)
        .collect();
    Ok(Json(StandingResponse { sanctions }).into_response())
}

/// `POST /api/v1/sanctions/{id}/appeal` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// The member's words to the moderators, trimmed: 1 to 2,000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "I was selling a bike, not drugs."
    )]
    appeal: String,
}

/// An appeal sent.
#[derive(Serialize, ToSchema)]
struct AppealedResponse {
    /// Always true.
    #[schema(example = true)]
    appealed: bool,
}

/// Appeal one of the member's own sanctions
///
/// Once per sanction; the moderators are told and answer on the member's standing.
#[utoipa::path(post, path = "/api/v1/sanctions/{id}/appeal", tag = "standing",
    params(IdPath),
    request_body = AppealRequest,
    responses(
        (status = 201, description = "Appealed", body = AppealedResponse),
        (status = 409, description = "Appealed already, or the sanction has been lifted", body = ErrorResponse),
    ))]
pub async fn appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AppealRequest>,
) -> Result<Response, ApiError> {
    standing::appeal(&state.app, &viewer, id, &request.appeal).await?;
    let body = AppealedResponse { appealed: true };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A member the viewer blocked.
#[derive(Serialize, ToSchema)]
struct BlockedMemberResponse {
    #[schema(example = "birch_member")]
    username: String,
    /// When the block was placed.
    #[schema(format = DateTime, example = "2025-06-10T08:15:00Z")]
    since: String,
}

/// The members the viewer blocked.
#[derive(Serialize, ToSchema)]
struct BlockListResponse {
    blocked: Vec<BlockedMemberResponse>,
}

/// The members the viewer blocked
#[utoipa::path(get, path = "/api/v1/blocks", tag = "standing",
    responses((status = 200, description = "The blocked members", body = BlockListResponse)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let blocked = blocks::blocked_by(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|(_, username, since)| BlockedMemberResponse {
            username,
            since: at(since),
        })
        .collect();
    Ok(Json(BlockListResponse { blocked }).into_response())
}

/// `POST /api/v1/blocks` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// The member's pseudonym, in any case; a leading `@` and surrounding spaces are ignored.
    /// The viewer cannot block themselves; a block on a moderator or admin is kept but does
    /// nothing while they are staff.
    #[schema(example = "birch_member")]
    username: String,
}

/// A block placed.
#[derive(Serialize, ToSchema)]
struct BlockedResponse {
    /// The blocked member's pseudonym, as it is spelt.
    #[schema(example = "birch_member")]
    blocked: String,
}

/// Block a member by pseudonym
///
/// From then on neither sees the other's posts, threads or search results, nor hears of the
/// other's replies, mentions, quotes or reactions. Anonymous posts stay as they are both ways.
#[utoipa::path(post, path = "/api/v1/blocks", tag = "standing",
    request_body = BlockRequest,
    responses((status = 201, description = "Blocked", body = BlockedResponse)))]
pub async fn block(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<BlockRequest>,
) -> Result<Response, ApiError> {
    let username = blocks::block(&state.app, &viewer, &request.username).await?;
    let body = BlockedResponse { blocked: username };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Lift a block
///
/// Answers 204 whether or not there was one; an unknown pseudonym is not found.
#[utoipa::path(delete, path = "/api/v1/blocks/{username}", tag = "standing",
    params(("username" = String, Path, description = "The blocked member's pseudonym, in any case", example = "birch_member")),
    responses((status = 204, description = "Block lifted")))]
pub async fn unblock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    blocks::unblock(&state.app, &viewer, &username).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An appeal, as moderators read it.
#[derive(Serialize, ToSchema)]
struct AppealToAnswerResponse {
    #[serde(flatten)]
    sanction: SanctionResponse,
    /// The member's pseudonym, or "Anonymous member" when the sanction came from an anonymous
    /// post.
    #[schema(example = "Anonymous member")]
    member: String,
    /// The post that led to the sanction (for `POST /api/v1/moderation/posts/{id}`); null when
    /// none did.
    post_id: Option<Uuid>,
}

/// The appeals for moderators.
#[derive(Serialize, ToSchema)]
struct AppealListResponse {
    /// Up to 100: those waiting for an answer first, then the latest answered.
    appeals: Vec<AppealToAnswerResponse>,
}

/// Appeals, waiting ones first (moderators)
///
/// The member is not named when the sanction came from an anonymous post.
#[utoipa::path(get, path = "/api/v1/moderation/appeals", tag = "standing",
    responses((status = 200, description = "The appeals", body = AppealListResponse)))]
pub async fn list_appeals(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let appeals = standing::appeals(&state.app, &viewer)
        .await?
        .iter()
        .map(|a| AppealToAnswerResponse {
            sanction: sanction_response(&a.sanction),
            member: a.member.clone(),
            post_id: a.sanction.row.post_id,
        })
        .collect();
    Ok(Json(AppealListResponse { appeals }).into_response())
}

/// `POST /api/v1/moderation/appeals/{id}` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealAnswerRequest {
    /// The answer the member reads, trimmed: 1 to 2,000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Thanks for explaining. Welcome back."
    )]
    answer: String,
    #[schema(schema_with = outcome)]
    outcome: String,
}

/// An appeal answered.
#[derive(Serialize, ToSchema)]
struct AppealAnsweredResponse {
    /// Always true.
    #[schema(example = true)]
    answered: bool,
    /// Whether the sanction was lifted (`outcome` was `lift`).
    lifted: bool,
}

/// Answer an appeal, lifting or upholding the sanction (moderators)
///
/// The member is told and reads the answer on their standing.
#[utoipa::path(post, path = "/api/v1/moderation/appeals/{id}", tag = "standing",
    params(IdPath),
    request_body = AppealAnswerRequest,
    responses(
        (status = 200, description = "Answered", body = AppealAnsweredResponse),
        (status = 403, description = "Not allowed: not a moderator, or the sanction is the moderator's own (another moderator must answer)", body = ErrorResponse),
        (status = 409, description = "Answered already, or there is no appeal to answer", body = ErrorResponse),
    ))]
pub async fn answer_appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AppealAnswerRequest>,
) -> Result<Response, ApiError> {
    let lift = parse_outcome(&request.outcome)?;
    standing::answer(&state.app, &viewer, id, &request.answer, lift).await?;
    let body = AppealAnsweredResponse {
        answered: true,
        lifted: lift,
    };
    Ok(Json(body).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Member, routes!(show_standing))
        .api(Member, routes!(appeal))
        .api(Member, routes!(list_blocks))
        .api(Member, routes!(block))
        .api(Member, routes!(unblock))
        .api(Moderator, routes!(list_appeals))
        .api(Moderator, routes!(answer_appeal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_outcomes_are_the_ones_the_use_case_takes() {
        for (outcome, _) in OUTCOMES {
            assert!(parse_outcome(outcome).is_ok(), "{outcome}");
        }
        assert!(parse_outcome("maybe").is_err());
    }
}
