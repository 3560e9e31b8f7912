//! `/api/v1` for a member's standing: their sanctions and appeals, the members they blocked, and
//! the moderators' appeals to answer.

use crate::AppState;
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
use mutual_app::community::standing::{self, SanctionView};
use mutual_domain::Timestamp;
use mutual_domain::permissions::Access::{Member, Moderator};
use serde::Deserialize;
use serde_json::{Value, json};

fn at(millis: Option<i64>) -> Option<String> {
    millis.map(|m| Timestamp(m).to_rfc3339())
}

fn sanction_json(s: &SanctionView) -> Value {
    json!({
        "id": s.row.id, "kind": s.kind.as_str(), "label": s.kind.label(), "reason": s.row.reason,
        "in_force": s.in_force, "given_at": at(Some(s.row.created_at)), "ends_at": at(s.row.ends_at),
        "lifted_at": at(s.row.lifted_at), "appeal": s.row.appeal, "appealed_at": at(s.row.appealed_at),
        "answer": s.row.answer, "answered_at": at(s.row.answered_at),
    })
}

/// `GET /api/v1/standing`: the member's sanctions, newest first.
pub async fn show_standing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let sanctions: Vec<Value> = standing::standing(&state.app, &viewer)
        .await?
        .iter()
        .map(sanction_json)
        .collect();
    Ok(Json(json!({ "sanctions": sanctions })).into_response())
}

/// `POST /api/v1/sanctions/{id}/appeal` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    appeal: String,
}

/// `POST /api/v1/sanctions/{id}/appeal`: 409 when appealed already.
pub async fn appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AppealRequest>,
) -> Result<Response, ApiError> {
    standing::appeal(&state.app, &viewer, id, &request.appeal).await?;
    Ok((StatusCode::CREATED, Json(json!({ "appealed": true }))).into_response())
}

/// `GET /api/v1/blocks`: the members the viewer blocked.
pub async fn list_blocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let blocked: Vec<Value> = blocks::blocked_by(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|(_, username, since)| json!({ "username": username, "since": at(Some(since)) }))
        .collect();
    Ok(Json(json!({ "blocked": blocked })).into_response())
}

/// `POST /api/v1/blocks` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    username: String,
}

/// `POST /api/v1/blocks`
pub async fn block(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<BlockRequest>,
) -> Result<Response, ApiError> {
    let username = blocks::block(&state.app, &viewer, &request.username).await?;
    Ok((StatusCode::CREATED, Json(json!({ "blocked": username }))).into_response())
}

/// `DELETE /api/v1/blocks/{username}`
pub async fn unblock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(username): Path<String>,
) -> Result<Response, ApiError> {
    blocks::unblock(&state.app, &viewer, &username).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/moderation/appeals`: waiting appeals first (moderators).
pub async fn list_appeals(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let appeals: Vec<Value> = standing::appeals(&state.app, &viewer)
        .await?
        .iter()
        .map(|a| {
            let mut item = sanction_json(&a.sanction);
            item["member"] = json!(a.member);
            item["post_id"] = json!(a.sanction.row.post_id);
            item
        })
        .collect();
    Ok(Json(json!({ "appeals": appeals })).into_response())
}

/// `POST /api/v1/moderation/appeals/{id}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    answer: String,
    /// `lift` or `uphold`.
    outcome: String,
}

/// `POST /api/v1/moderation/appeals/{id}`
pub async fn answer_appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let lift = parse_outcome(&request.outcome)?;
    standing::answer(&state.app, &viewer, id, &request.answer, lift).await?;
    Ok(Json(json!({ "answered": true, "lifted": lift })).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/standing", Member, show_standing)
        .post("/api/v1/sanctions/{id}/appeal", Member, appeal)
        .get("/api/v1/blocks", Member, list_blocks)
        .post("/api/v1/blocks", Member, block)
        .delete("/api/v1/blocks/{username}", Member, unblock)
        .get("/api/v1/moderation/appeals", Moderator, list_appeals)
        .post("/api/v1/moderation/appeals/{id}", Moderator, answer_appeal)
}
