//! `/api/v1` for the community: spaces, threads, replies, reactions, flags, search,
//! notifications and moderation. Anonymous posts carry no author in any answer.

use crate::AppState;
use crate::api::meetings::query_fields;
use crate::auth::{MaybeViewer, SignedIn};
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::pages::parse_id;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use mutual_app::community::moderation::{self, Decision};
use mutual_app::community::{self, ComposeInput, Posted, SearchInput};
use mutual_app::notifications;
use mutual_domain::Timestamp;
use mutual_domain::permissions::Access::{Anyone, Member, Moderator};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

fn at(millis: i64) -> String {
    Timestamp(millis).to_rfc3339()
}

/// `GET /api/v1/spaces`: the spaces the viewer may see.
pub async fn list_spaces(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
) -> Result<Response, ApiError> {
    let spaces = community::spaces(&state.app, viewer.as_ref()).await?;
    let spaces: Vec<Value> = spaces
        .into_iter()
        .filter(|s| s.visible)
        .map(|s| {
            json!({
                "id": s.space.id, "slug": s.space.slug, "name": s.space.name,
                "description": s.space.description, "visibility": s.space.visibility,
                "threads": s.threads, "guidance": s.space.guidance,
            })
        })
        .collect();
    Ok(Json(json!({ "spaces": spaces })).into_response())
}

/// `GET /api/v1/spaces/{id}/threads` (`before` from the previous page's `next`)
pub async fn list_threads(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, &["before"])?;
    let before = match params.get("before") {
        "" => None,
        text => Some(
            text.split_once('_')
                .and_then(|(at, id)| Some((at.parse().ok()?, Uuid::try_parse(id).ok()?)))
                .ok_or_else(|| {
                    AppError::field("before", "Use the `next` value of the previous page.")
                })?,
        ),
    };
    let page = community::space_page(&state.app, viewer.as_ref(), id, before).await?;
    let threads: Vec<Value> = page
        .threads
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "title": t.title,
                "author": if t.anonymous { Some(community::ANONYMOUS_NAME.to_owned()) } else { t.author_name.clone() },
                "anonymous": t.anonymous, "locked": t.locked, "replies": t.post_count - 1,
                "created_at": at(t.created_at), "last_post_at": at(t.last_post_at),
                "unread": t.last_read.map(|read| t.post_count - read),
            })
        })
        .collect();
    Ok(Json(json!({
        "space": { "id": page.space.id, "name": page.space.name },
        "threads": threads,
        "next": page.next.map(|(at, id)| format!("{at}_{id}")),
    }))
    .into_response())
}

/// `POST /api/v1/spaces/{id}/threads` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadRequest {
    title: String,
    body: String,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    content_warning: String,
}

/// `POST /api/v1/threads/{id}/replies` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    body: String,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    content_warning: String,
    /// The post this reply quotes (its author is told).
    #[serde(default)]
    quoted_post: Option<Uuid>,
}

fn posted_response(state: &AppState, posted: &Posted) -> Response {
    let resources = if posted.crisis_resources_shown {
        serde_json::to_value(&state.app.config.crisis.resources).unwrap_or(Value::Null)
    } else {
        Value::Array(Vec::new())
    };
    (
        StatusCode::CREATED,
        Json(json!({
            "thread_id": posted.thread_id,
            "post_id": posted.post_id,
            "seq": posted.seq,
            "url": community::post_link(posted.thread_id, posted.seq),
            "held_for_review": posted.held_for_review,
            "crisis_resources_shown": posted.crisis_resources_shown,
            "crisis_resources": resources,
        })),
    )
        .into_response()
}

/// `POST /api/v1/spaces/{id}/threads`
pub async fn create_thread(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ThreadRequest>,
) -> Result<Response, ApiError> {
    let input = ComposeInput {
        title: &request.title,
        body: &request.body,
        anonymous: request.anonymous,
        content_warning: &request.content_warning,
        quoted: None,
    };
    let posted = community::start_thread(&state.app, &viewer, id, &input).await?;
    Ok(posted_response(&state, &posted))
}

/// `POST /api/v1/clocks/{id}/share` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The member's words (the default ones when empty).
    #[serde(default)]
    body: String,
    #[serde(default)]
    anonymous: bool,
}

/// `POST /api/v1/clocks/{id}/share`: the clock's latest milestone as a thread in the milestones
/// space (never its start date).
pub async fn share_milestone(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ShareRequest>,
) -> Result<Response, ApiError> {
    let posted =
        community::milestones::share(&state.app, &viewer, id, &request.body, request.anonymous)
            .await?;
    Ok(posted_response(&state, &posted))
}

/// `POST /api/v1/threads/{id}/replies`
pub async fn create_reply(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> Result<Response, ApiError> {
    let input = ComposeInput {
        title: "",
        body: &request.body,
        anonymous: request.anonymous,
        content_warning: &request.content_warning,
        quoted: request.quoted_post,
    };
    let posted = community::reply(&state.app, &viewer, id, &input).await?;
    Ok(posted_response(&state, &posted))
}

/// `GET /api/v1/threads/{id}` (`page` from 1)
pub async fn show_thread(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, &["page"])?;
    let page = match params.get("page") {
        "" => 1,
        text => text
            .parse()
            .map_err(|_| AppError::field("page", "Give the page as a whole number from 1."))?,
    };
    let found = community::thread_page(&state.app, viewer.as_ref(), id, page).await?;
    let posts: Vec<Value> = found
        .posts
        .iter()
        .map(|p| {
            let post = &p.row.post;
            let shown = p.placeholder.is_none();
            let reactions: serde_json::Map<String, Value> = p
                .reactions
                .iter()
                .map(|r| (r.kind.to_owned(), json!({ "count": r.count, "mine": r.mine })))
                .collect();
            json!({
                "id": post.id, "seq": post.seq, "author": p.author, "anonymous": post.anonymous,
                "own": p.own, "state": post.state,
                "placeholder": p.placeholder,
                "body": shown.then(|| post.body.clone()),
                "html": shown.then(|| post.html.clone()),
                "content_warning": (!post.content_warning.is_empty()).then(|| post.content_warning.clone()),
                "quoted_post": post.quoted_post,
                "created_at": at(post.created_at),
                "edited_at": post.edited_at.map(at),
                "reactions": reactions,
            })
        })
        .collect();
    let thread = &found.thread;
    Ok(Json(json!({
        "thread": {
            "id": thread.id, "title": thread.title, "locked": thread.locked,
            "space_id": thread.space_id, "posts": thread.post_count,
        },
        "space": { "id": found.space.id, "name": found.space.name, "guidance": found.space.guidance },
        "page": found.page, "pages": found.pages, "subscribed": found.subscribed,
        "can_reply": found.can_reply, "posts": posts,
    }))
    .into_response())
}

/// `POST /api/v1/posts/{id}/flags` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagRequest {
    reason: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/posts/{id}/flags`
pub async fn flag_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<FlagRequest>,
) -> Result<Response, ApiError> {
    moderation::flag(&state.app, &viewer, id, &request.reason, &request.note).await?;
    Ok((StatusCode::CREATED, Json(json!({ "flagged": true }))).into_response())
}

/// `POST /api/v1/posts/{id}/reactions` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReactionRequest {
    kind: String,
}

/// `POST /api/v1/posts/{id}/reactions`: 409 when given already.
pub async fn react(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReactionRequest>,
) -> Result<Response, ApiError> {
    community::react(&state.app, &viewer, id, &request.kind).await?;
    Ok((StatusCode::CREATED, Json(json!({ "kind": request.kind }))).into_response())
}

/// `DELETE /api/v1/posts/{id}/reactions/{kind}`
pub async fn unreact(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path((id, kind)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    community::unreact(&state.app, &viewer, parse_id(&id)?, &kind).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/search?q=` (`space`, `author`, `order=newest`, `page`)
pub async fn search(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let params = query_fields(&query, &["q", "space", "author", "order", "page"])?;
    let order = params.get("order");
    if !matches!(order, "" | "newest" | "relevance") {
        return Err(AppError::field("order", "Use order=newest or order=relevance.").into());
    }
    let page = match params.get("page") {
        "" => 1,
        text => text
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=500).contains(p))
            .ok_or_else(|| {
                AppError::field("page", "Give the page as a whole number from 1 to 500.")
            })?,
    };
    let input = SearchInput {
        q: params.get("q"),
        space: params.get("space"),
        author: params.get("author"),
        newest: order == "newest",
        page,
    };
    let hits = community::search(&state.app, viewer.as_ref(), &input)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "q",
                "Give at least one word to look for (letters or numbers).",
            )
        })?;
    let results: Vec<Value> = hits
        .iter()
        .map(|h| {
            json!({
                "post_id": h.row.post_id, "thread_id": h.row.thread_id, "title": h.row.title,
                "space_id": h.row.space_id, "space": h.space_name, "author": h.author,
                "excerpt": h.excerpt, "url": h.link, "created_at": at(h.row.created_at),
            })
        })
        .collect();
    Ok(Json(json!({ "page": page, "results": results })).into_response())
}

/// `GET /api/v1/notifications`
pub async fn list_notifications(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let unread = notifications::unread_count(&state.app, viewer.user_id).await?;
    let list: Vec<Value> = notifications::recent(&state.app, &viewer, 100)
        .await?
        .into_iter()
        .map(|n| {
            json!({
                "id": n.id, "kind": n.kind, "body": n.body, "link": n.link,
                "created_at": at(n.created_at), "read": n.read_at.is_some(),
            })
        })
        .collect();
    Ok(Json(json!({ "unread": unread, "notifications": list })).into_response())
}

/// `GET /api/v1/moderation/queue`
pub async fn review_queue(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let items: Vec<Value> = moderation::review_queue(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|item| {
            json!({
                "post_id": item.post.id, "thread_id": item.thread.id, "title": item.thread.title,
                "space": item.space.name, "author": item.author, "state": item.post.state,
                "priority": if item.queue.priority == 0 { "crisis" } else { "normal" },
                "reasons": item.reasons, "flags": item.queue.flags, "weight": item.queue.weight,
                "body": item.post.body, "url": item.link,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

/// `POST /api/v1/moderation/posts/{id}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    action: String,
    #[serde(default)]
    reason: String,
    /// For `move`.
    #[serde(default)]
    space: String,
    /// For `edit`.
    #[serde(default)]
    body: String,
    /// For `silence_author`: how many days (1 to 90).
    #[serde(default)]
    days: Option<u32>,
}

/// `POST /api/v1/moderation/posts/{id}`
pub async fn decide(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let days = request.days.map(|d| d.to_string()).unwrap_or_default();
    let decision = Decision::parse(&request.action, &request.space, &request.body, &days)?;
    let link = moderation::decide(&state.app, &viewer, id, decision, &request.reason).await?;
    Ok(Json(json!({ "done": request.action, "url": link })).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/spaces", Anyone, list_spaces)
        .get("/api/v1/spaces/{id}/threads", Anyone, list_threads)
        .post_limited(
            "/api/v1/spaces/{id}/threads",
            Member,
            crate::POST_BODY_BYTES,
            create_thread,
        )
        .get("/api/v1/threads/{id}", Anyone, show_thread)
        .post_limited(
            "/api/v1/threads/{id}/replies",
            Member,
            crate::POST_BODY_BYTES,
            create_reply,
        )
        .post("/api/v1/posts/{id}/flags", Member, flag_post)
        .post("/api/v1/posts/{id}/reactions", Member, react)
        .delete("/api/v1/posts/{id}/reactions/{kind}", Member, unreact)
        .get("/api/v1/search", Anyone, search)
        .get("/api/v1/notifications", Member, list_notifications)
        .get("/api/v1/moderation/queue", Moderator, review_queue)
        .post_limited(
            "/api/v1/moderation/posts/{id}",
            Moderator,
            crate::POST_BODY_BYTES,
            decide,
        )
        .post_limited(
            "/api/v1/clocks/{id}/share",
            Member,
            crate::POST_BODY_BYTES,
            share_milestone,
        )
}
