//! `/api/v1` for a moderator's care: writing to the author of a post (an anonymous author stays
//! unnamed), and the check-ins they asked to be reminded of.

use crate::AppState;
use crate::api::contract::{ErrorResponse, at};
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::people::care;
use mutual_domain::permissions::Access::Moderator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// `POST /api/v1/moderation/posts/{id}/message` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteToAuthorRequest {
    /// The first message, 1 to 4,000 characters.
    #[schema(
        max_length = 4000,
        example = "Hi, I'm one of the moderators. How are you doing right now?"
    )]
    body: String,
    /// Remind the moderator to check in after this many days (0 or absent: no reminder).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 14, example = 1)]
    check_in_days: Option<u32>,
}

/// The conversation started with a post's author.
#[derive(Serialize, ToSchema)]
struct WroteToAuthorResponse {
    conversation_id: Uuid,
    /// How the moderator is shown the author: "The author of “…”" for an anonymous post.
    #[schema(example = "The author of “Rough night”")]
    shown_as: String,
    #[schema(example = "/messages/0191c0de-0000-7000-8000-00000000000a")]
    url: String,
}

/// Write to the author of a post (moderators)
///
/// Starts a new conversation with the post's author, delivered at once. An anonymous author
/// stays anonymous: the moderator sees them only as the author of the thread, here and in the
/// conversation. The author sees the moderator's pseudonym. Audit-logged without naming the
/// author.
#[utoipa::path(post, path = "/api/v1/moderation/posts/{id}/message", tag = "community",
    params(IdPath),
    request_body = WriteToAuthorRequest,
    responses(
        (status = 201, description = "Written", body = WroteToAuthorResponse),
        (status = 404, description = "No such post, not a moderator, or the moderator's own post", body = ErrorResponse),
        (status = 409, description = "The author's account is deleted", body = ErrorResponse),
    ))]
pub async fn write_to_author(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<WriteToAuthorRequest>,
) -> Result<Response, ApiError> {
    let days = request
        .check_in_days
        .map(|d| d.to_string())
        .unwrap_or_default();
    let (conversation, shown_as) =
        care::write_to_author(&state.app, &viewer, id, &request.body, &days).await?;
    let body = WroteToAuthorResponse {
        conversation_id: conversation,
        shown_as,
        url: format!("/messages/{conversation}"),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A check-in to come.
#[derive(Serialize, ToSchema)]
struct CheckIn {
    id: Uuid,
    conversation_id: Uuid,
    /// Who, as the moderator is shown them; null for a member who did not post anonymously
    /// (the conversation names them).
    shown_as: Option<String>,
    due_at: String,
}

#[derive(Serialize, ToSchema)]
struct CheckInListResponse {
    check_ins: Vec<CheckIn>,
}

/// The check-ins the moderator asked to be reminded of, soonest first (moderators)
#[utoipa::path(get, path = "/api/v1/moderation/check-ins", tag = "community",
    responses((status = 200, description = "The check-ins", body = CheckInListResponse)))]
pub async fn list_check_ins(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let check_ins = care::check_ins(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|c| CheckIn {
            id: c.id,
            conversation_id: c.conversation_id,
            shown_as: c.shown_as,
            due_at: at(c.due_at),
        })
        .collect();
    Ok(Json(CheckInListResponse { check_ins }).into_response())
}

/// Call off a check-in (moderators)
#[utoipa::path(delete, path = "/api/v1/moderation/check-ins/{id}", tag = "community",
    params(IdPath),
    responses(
        (status = 204, description = "Called off"),
        (status = 404, description = "Not one of the moderator's check-ins", body = ErrorResponse),
    ))]
pub async fn cancel_check_in(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    care::cancel_check_in(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api_limited(Moderator, crate::POST_BODY_BYTES, routes!(write_to_author))
        .api(Moderator, routes!(list_check_ins))
        .api(Moderator, routes!(cancel_check_in))
}
