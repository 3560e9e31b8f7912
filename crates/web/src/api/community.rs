//! `/api/v1` for the community: spaces, threads, replies, reactions, flags, search,
//! notifications and moderation. Anonymous posts carry no author in any answer.

use crate::AppState;
use crate::api::contract::CrisisResourceResponse;
use crate::api::contract::ErrorResponse;
use crate::api::contract::at;
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
use mutual_app::community::{self, ComposeInput, Posted, ReactionCount, SearchInput};
use mutual_app::notifications;
use mutual_domain::community::posts::{self, Visibility};
use mutual_domain::permissions::Access::{Anyone, Member, Moderator};
use serde::{Deserialize, Serialize};
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

/// A string schema taking one of `values` (code, meaning), each explained in the description.
pub(crate) fn one_of(what: &str, values: &[(&'static str, &str)]) -> Object {
    let meanings: Vec<String> = values
        .iter()
        .map(|(code, meaning)| format!("`{code}` ({meaning})"))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!("{what}: {}.", meanings.join(", "))))
        .enum_values(Some(values.iter().map(|(code, _)| *code)))
        .examples(values.first().map(|(code, _)| *code))
        .build()
}

fn reaction_kind() -> Object {
    one_of("A reaction", posts::REACTIONS)
}

fn flag_reason() -> Object {
    one_of("Why the post is flagged", posts::FLAG_REASONS)
}

fn space_visibility() -> Object {
    let values: Vec<(&'static str, &str)> = Visibility::ALL
        .into_iter()
        .map(|v| (v.as_str(), v.label()))
        .collect();
    one_of("Who can see the space", &values)
}

/// The states a post can be in, as the store keeps them.
const POST_STATES: &[(&str, &str)] = &[
    ("published", "shown to everyone who can see the space"),
    ("pending", "held until a moderator approves it"),
    ("hidden", "hidden by moderators or by members' flags"),
    ("deleted", "deleted; its content is gone"),
];

fn post_state() -> Object {
    one_of("The post's state", POST_STATES)
}

/// What a moderator can do about a post, as `Decision::parse` reads it.
const MODERATION_ACTIONS: &[(&str, &str)] = &[
    ("approve", "publish a held post and its thread"),
    (
        "dismiss",
        "close the flags with no action, restoring a post hidden by flags",
    ),
    ("hide", "hide the post; needs a reason"),
    ("restore", "publish a hidden or held post again"),
    (
        "delete",
        "delete the post (an opening post takes its thread); needs a reason",
    ),
    ("lock", "close the thread to new replies"),
    ("unlock", "open the thread to replies again"),
    ("move", "move the thread to the space given in `space`"),
    (
        "edit",
        "replace the body with `body`; the reason is the note the author reads",
    ),
    (
        "warn_author",
        "record a warning for the author; needs a reason",
    ),
    (
        "silence_author",
        "stop the author posting for `days`; needs a reason",
    ),
    (
        "suspend_author",
        "close the author's account until lifted; needs a reason",
    ),
    (
        "ban_author",
        "remove the author from the community until lifted; needs a reason",
    ),
];

fn moderation_action() -> Object {
    one_of("What to do", MODERATION_ACTIONS)
}

/// A space of the community.
#[derive(Serialize, ToSchema)]
struct SpaceResponse {
    /// Pass to `GET /api/v1/spaces/{id}/threads` and `POST /api/v1/spaces/{id}/threads`.
    id: Uuid,
    /// Its short name in addresses.
    #[schema(example = "daily-check-in")]
    slug: String,
    #[schema(example = "Daily check-in")]
    name: String,
    #[schema(example = "How is today going? A line is enough.")]
    description: String,
    #[schema(schema_with = space_visibility)]
    visibility: String,
    /// How many open threads it has.
    #[schema(example = 12)]
    threads: i64,
    /// What the composer shows above the text (such as safe-messaging guidance); null for none.
    #[schema(example = "Share what helps. Please don't describe methods of self-harm.")]
    guidance: Option<String>,
}

/// The spaces the viewer may see, in order.
#[derive(Serialize, ToSchema)]
struct SpaceListResponse {
    spaces: Vec<SpaceResponse>,
}

pub(crate) fn none_if_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The spaces the viewer may see
///
/// Visitors see the public spaces only; members also those open to all members and the private
/// groups they belong to.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "community",
    responses(
        (status = 200, description = "The spaces, in order", body = SpaceListResponse),
        (status = 403, description = "The moderators have removed the member from the community", body = ErrorResponse),
    ))]
pub async fn list_spaces(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
) -> Result<Response, ApiError> {
    let spaces = community::spaces(&state.app, viewer.as_ref()).await?;
    let spaces = spaces
        .into_iter()
        .filter(|s| s.visible)
        .map(|s| SpaceResponse {
            id: s.space.id,
            guidance: none_if_empty(&s.space.guidance),
            slug: s.space.slug,
            name: s.space.name,
            description: s.space.description,
            visibility: s.space.visibility,
            threads: s.threads,
        })
        .collect();
    Ok(Json(SpaceListResponse { spaces }).into_response())
}

/// `GET /api/v1/spaces/{id}/threads` query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ThreadListQuery {
    /// Where the page starts: the `next` value of the previous page (absent for the first).
    #[param(example = "1718000000000_0191c0de-0000-7000-8000-000000000002")]
    before: Option<String>,
}

impl ThreadListQuery {
    fn parse(query: &RawQuery) -> Result<ThreadListQuery, AppError> {
        let fields = query_fields(query, &["before"], &[])?;
        let before = fields.get("before");
        Ok(ThreadListQuery {
            before: (!before.is_empty()).then(|| before.to_owned()),
        })
    }

    /// The cursor `before` stands for.
    fn cursor(&self) -> Result<Option<(i64, Uuid)>, AppError> {
        let Some(text) = &self.before else {
            return Ok(None);
        };
        text.split_once('_')
            .and_then(|(at, id)| Some((at.parse().ok()?, Uuid::try_parse(id).ok()?)))
            .map(Some)
            .ok_or_else(|| AppError::field("before", "Use the `next` value of the previous page."))
    }
}

/// The space a list or page belongs to.
#[derive(Serialize, ToSchema)]
struct SpaceRefResponse {
    id: Uuid,
    #[schema(example = "Daily check-in")]
    name: String,
}

/// A thread in a space's list.
#[derive(Serialize, ToSchema)]
struct ThreadSummaryResponse {
    /// Pass to `GET /api/v1/threads/{id}`.
    id: Uuid,
    #[schema(example = "Day 12")]
    title: String,
    /// The opening post's author: a pseudonym, or "Anonymous member"; null once the account is
    /// deleted.
    #[schema(example = "river_stone")]
    author: Option<String>,
    anonymous: bool,
    /// Closed to new replies by a moderator.
    locked: bool,
    /// Replies after the opening post.
    #[schema(example = 4)]
    replies: i64,
    #[schema(format = DateTime, example = "2025-06-10T08:15:00Z")]
    created_at: String,
    /// When the latest post was written.
    #[schema(format = DateTime, example = "2025-06-10T19:40:00Z")]
    last_post_at: String,
    /// Posts the viewer has not read yet; null when they never opened the thread (and for
    /// visitors).
    #[schema(example = 2)]
    unread: Option<i64>,
}

/// A page of a space's threads.
#[derive(Serialize, ToSchema)]
struct ThreadListResponse {
    space: SpaceRefResponse,
    /// Up to 30, most recently active first.
    threads: Vec<ThreadSummaryResponse>,
    /// Pass as `before` for the next page; null on the last page.
    #[schema(example = "1718000000000_0191c0de-0000-7000-8000-000000000002")]
    next: Option<String>,
}

/// A page of a space's threads, most recently active first
///
/// Threads from members on the other side of a block are left out.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/threads", tag = "community",
    params(IdPath, ThreadListQuery),
    responses(
        (status = 200, description = "Up to 30 threads", body = ThreadListResponse),
        (status = 401, description = "The space is open to members only: sign in", body = ErrorResponse),
        (status = 403, description = "The moderators have removed the member from the community", body = ErrorResponse),
    ))]
pub async fn list_threads(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let before = ThreadListQuery::parse(&query)?.cursor()?;
    let page = community::space_page(&state.app, viewer.as_ref(), id, before).await?;
    let threads = page
        .threads
        .iter()
        .map(|t| ThreadSummaryResponse {
            id: t.id,
            title: t.title.clone(),
            author: match t.author() {
                community::Author::Erased => None,
                author => Some(author.shown().to_owned()),
            },
            anonymous: t.anonymous,
            locked: t.locked,
            replies: t.post_count - 1,
            created_at: at(t.created_at),
            last_post_at: at(t.last_post_at),
            unread: t.last_read.map(|read| t.post_count - read),
        })
        .collect();
    Ok(Json(ThreadListResponse {
        space: SpaceRefResponse {
            id: page.space.id,
            name: page.space.name,
        },
        threads,
        next: page.next.map(|(at, id)| format!("{at}_{id}")),
    })
    .into_response())
}

/// `POST /api/v1/spaces/{id}/threads` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadRequest {
    /// One line: runs of spaces and line breaks become one space, and 3 to 150 characters must
    /// be left.
    #[schema(min_length = 3, max_length = 150, example = "Day 12")]
    title: String,
    /// Markdown, trimmed: 1 to 20,000 characters. New members cannot post links yet.
    #[schema(
        min_length = 1,
        max_length = 20000,
        example = "Rough morning, **better** now."
    )]
    body: String,
    /// Shown as "Anonymous member" to everyone, moderators included.
    #[serde(default)]
    #[schema(default = false)]
    anonymous: bool,
    /// A few words readers see before opening the post (empty for none), up to 80 characters.
    #[serde(default)]
    #[schema(max_length = 80, example = "relapse details")]
    content_warning: String,
}

/// `POST /api/v1/threads/{id}/replies` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Markdown, trimmed: 1 to 20,000 characters. New members cannot post links yet.
    #[schema(
        min_length = 1,
        max_length = 20000,
        example = "Proud of you @river_stone"
    )]
    body: String,
    /// Shown as "Anonymous member" to everyone, moderators included.
    #[serde(default)]
    #[schema(default = false)]
    anonymous: bool,
    /// A few words readers see before opening the post (empty for none), up to 80 characters.
    #[serde(default)]
    #[schema(max_length = 80, example = "relapse details")]
    content_warning: String,
    /// A published post of the same thread that this reply quotes (its author is told); any
    /// other post is ignored.
    #[serde(default)]
    quoted_post: Option<Uuid>,
}

/// A new post, and what happened to it.
#[derive(Serialize, ToSchema)]
struct PostedResponse {
    /// The thread it is in (a new one when a thread was started).
    thread_id: Uuid,
    post_id: Uuid,
    /// Its place in the thread, from 1 (the opening post).
    #[schema(example = 2)]
    seq: i64,
    /// Where it is read on the site.
    #[schema(example = "/threads/0191c0de-0000-7000-8000-00000000000a#p2")]
    url: String,
    /// Held until a moderator approves it (watched words asked for that).
    held_for_review: bool,
    /// Crisis language was found: the post is published, the moderators are told, and the
    /// author is shown `crisis_resources`.
    crisis_resources_shown: bool,
    /// The crisis lines to show the author now; empty unless `crisis_resources_shown`.
    crisis_resources: Vec<CrisisResourceResponse>,
}

fn posted_response(
    state: &AppState,
    viewer: &mutual_app::accounts::Viewer,
    posted: &Posted,
) -> Response {
    let crisis_resources = if posted.crisis_resources_shown {
        CrisisResourceResponse::for_viewer(&state.app, viewer)
    } else {
        Vec::new()
    };
    let body = PostedResponse {
        thread_id: posted.thread_id,
        post_id: posted.post_id,
        seq: posted.seq,
        url: community::post_link(posted.thread_id, posted.seq),
        held_for_review: posted.held_for_review,
        crisis_resources_shown: posted.crisis_resources_shown,
        crisis_resources,
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Start a thread
///
/// The answer says whether the post was held for review and whether crisis resources were
/// shown (crisis language is published, never held, and the moderators are told at once).
#[utoipa::path(post, path = "/api/v1/spaces/{id}/threads", tag = "community",
    params(IdPath),
    request_body = ThreadRequest,
    responses(
        (status = 201, description = "Posted", body = PostedResponse),
        (status = 403, description = "Not allowed: silenced or removed from the community, suspended, or waiting for approval", body = ErrorResponse),
        (status = 429, description = "The member's hourly posting limit is reached: `fields` says when they can post again; see Retry-After", body = ErrorResponse),
    ))]
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
    Ok(posted_response(&state, &viewer, &posted))
}

/// `POST /api/v1/clocks/{id}/share` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareMilestoneRequest {
    /// The member's words, Markdown up to 20,000 characters; when empty, "I have reached 30
    /// days. Thank you all for being part of it." (with the milestone reached).
    #[serde(default)]
    #[schema(max_length = 20000, example = "Quietly proud today.")]
    body: String,
    /// Shown as "Anonymous member" to everyone, moderators included.
    #[serde(default)]
    #[schema(default = false)]
    anonymous: bool,
}

/// Share a clock's latest milestone
///
/// Only when the member asks: a thread in Wins and milestones titled with how long ("Milestone:
/// 30 days"), never the clock's start date or what it is for.
#[utoipa::path(post, path = "/api/v1/clocks/{id}/share", tag = "community",
    params(IdPath),
    request_body = ShareMilestoneRequest,
    responses(
        (status = 201, description = "Posted", body = PostedResponse),
        (status = 403, description = "The clock has not reached its first milestone, there is no milestones space, or the member may not post (silenced, removed, suspended, waiting for approval)", body = ErrorResponse),
        (status = 429, description = "The member's hourly posting limit is reached: `fields` says when they can post again; see Retry-After", body = ErrorResponse),
    ))]
pub async fn share_milestone(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ShareMilestoneRequest>,
) -> Result<Response, ApiError> {
    let posted =
        community::milestones::share(&state.app, &viewer, id, &request.body, request.anonymous)
            .await?;
    Ok(posted_response(&state, &viewer, &posted))
}

/// Reply to a thread
///
/// Refused while the thread is locked or waiting for a moderator.
#[utoipa::path(post, path = "/api/v1/threads/{id}/replies", tag = "community",
    params(IdPath),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "Posted", body = PostedResponse),
        (status = 403, description = "The thread is locked or waiting for a moderator, or the member may not post (silenced, removed, suspended, waiting for approval)", body = ErrorResponse),
        (status = 429, description = "The member's hourly posting limit is reached: `fields` says when they can post again; see Retry-After", body = ErrorResponse),
    ))]
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
    Ok(posted_response(&state, &viewer, &posted))
}

/// `GET /api/v1/threads/{id}` query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ThreadPageQuery {
    /// The page of 50 posts, from 1 to `pages` (a page past the end is not found).
    #[param(minimum = 1, default = 1, example = 2)]
    page: Option<i64>,
}

impl ThreadPageQuery {
    fn parse(query: &RawQuery) -> Result<ThreadPageQuery, AppError> {
        let fields = query_fields(query, &["page"], &[])?;
        let page =
            match fields.get("page") {
                "" => None,
                text => Some(text.parse().map_err(|_| {
                    AppError::field("page", "Give the page as a whole number from 1.")
                })?),
            };
        Ok(ThreadPageQuery { page })
    }
}

/// The thread a page belongs to.
#[derive(Serialize, ToSchema)]
struct ThreadResponse {
    id: Uuid,
    #[schema(example = "Day 12")]
    title: String,
    /// Closed to new replies by a moderator.
    locked: bool,
    space_id: Uuid,
    /// Posts so far, the opening post included.
    #[schema(example = 5)]
    posts: i64,
}

/// The space a thread is in.
#[derive(Serialize, ToSchema)]
struct ThreadSpaceResponse {
    id: Uuid,
    #[schema(example = "Struggles and slips")]
    name: String,
    /// What the composer shows above the text (such as safe-messaging guidance); null for none.
    #[schema(example = "Share what helps. Please don't describe methods of self-harm.")]
    guidance: Option<String>,
}

/// How many gave one reaction, and whether the viewer did.
#[derive(Serialize, ToSchema)]
struct ReactionCountResponse {
    #[schema(example = 3)]
    count: i64,
    /// Whether the viewer gave it (false for visitors).
    mine: bool,
}

/// A post's reactions, each kind counted.
#[derive(Serialize, ToSchema)]
struct ReactionCountsResponse {
    /// Sending support.
    support: ReactionCountResponse,
    /// Me too.
    me_too: ReactionCountResponse,
    /// Congratulations.
    congrats: ReactionCountResponse,
    /// Thank you.
    thanks: ReactionCountResponse,
}

fn reaction_counts(counts: &[ReactionCount]) -> ReactionCountsResponse {
    let of = |kind: &str| {
        counts.iter().find(|c| c.kind == kind).map_or(
            ReactionCountResponse {
                count: 0,
                mine: false,
            },
            |c| ReactionCountResponse {
                count: c.count,
                mine: c.mine,
            },
        )
    };
    ReactionCountsResponse {
        support: of("support"),
        me_too: of("me_too"),
        congrats: of("congrats"),
        thanks: of("thanks"),
    }
}

/// A post as the viewer sees it.
#[derive(Serialize, ToSchema)]
struct PostResponse {
    /// Pass to the reactions and flags routes.
    id: Uuid,
    /// Its place in the thread, from 1 (the opening post).
    #[schema(example = 1)]
    seq: i64,
    /// A pseudonym, "Anonymous member", or "Deleted member" once the account is gone.
    #[schema(example = "river_stone")]
    author: String,
    anonymous: bool,
    /// Whether the viewer wrote it (also for their anonymous posts).
    own: bool,
    #[schema(schema_with = post_state)]
    state: String,
    /// Shown instead of the content (deleted, hidden, held, or by a member the viewer blocked);
    /// null when the content is shown.
    #[schema(example = "This post was hidden by the moderators.")]
    placeholder: Option<&'static str>,
    /// The Markdown as written; null when a placeholder is shown.
    #[schema(example = "Rough morning, **better** now.")]
    body: Option<String>,
    /// The body rendered to safe HTML; null when a placeholder is shown.
    #[schema(example = "<p>Rough morning, <strong>better</strong> now.</p>")]
    html: Option<String>,
    /// Null for none.
    #[schema(example = "relapse details")]
    content_warning: Option<String>,
    /// The post this one quotes; null for none.
    quoted_post: Option<Uuid>,
    #[schema(format = DateTime, example = "2025-06-10T08:15:00Z")]
    created_at: String,
    /// When the body was last edited; null if never.
    #[schema(format = DateTime, example = "2025-06-10T09:02:00Z")]
    edited_at: Option<String>,
    reactions: ReactionCountsResponse,
    /// The reactions a member may give this post (no `congrats` on a post with crisis language or
    /// in a space for struggles and slips).
    #[schema(example = json!(["support", "me_too", "congrats", "thanks"]))]
    reactions_offered: Vec<&'static str>,
}

/// A page of a thread.
#[derive(Serialize, ToSchema)]
struct ThreadPageResponse {
    thread: ThreadResponse,
    space: ThreadSpaceResponse,
    /// This page, from 1.
    #[schema(example = 1)]
    page: i64,
    /// How many pages of 50 posts the thread has.
    #[schema(example = 2)]
    pages: i64,
    /// Whether the viewer follows the thread (false for visitors).
    subscribed: bool,
    /// Whether the viewer may reply now: signed in, and the thread open and not locked.
    can_reply: bool,
    /// Up to 50, in order. A member who blocked the viewer is simply not there.
    posts: Vec<PostResponse>,
}

/// A page of a thread (50 posts)
///
/// Anonymous posts name no author. Reading a page moves the viewer's read marker on.
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "community",
    params(IdPath, ThreadPageQuery),
    responses(
        (status = 200, description = "The page", body = ThreadPageResponse),
        (status = 401, description = "The thread's space is open to members only: sign in", body = ErrorResponse),
        (status = 403, description = "The moderators have removed the member from the community", body = ErrorResponse),
    ))]
pub async fn show_thread(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let page = ThreadPageQuery::parse(&query)?.page.unwrap_or(1);
    let found = community::thread_page(&state.app, viewer.as_ref(), id, page).await?;
    let posts = found
        .posts
        .iter()
        .map(|p| {
            let post = &p.row.post;
            let shown = p.placeholder.is_none();
            PostResponse {
                id: post.id,
                seq: post.seq,
                author: p.author.shown().to_owned(),
                anonymous: post.anonymous,
                own: p.own,
                state: post.state.clone(),
                placeholder: p.placeholder,
                body: shown.then(|| post.body.clone()),
                html: shown.then(|| post.html.clone()),
                content_warning: none_if_empty(&post.content_warning),
                quoted_post: post.quoted_post,
                created_at: at(post.created_at),
                edited_at: post.edited_at.map(at),
                reactions: reaction_counts(&p.reactions),
                reactions_offered: p.reactions.iter().map(|r| r.kind).collect(),
            }
        })
        .collect();
    let thread = &found.thread;
    Ok(Json(ThreadPageResponse {
        thread: ThreadResponse {
            id: thread.id,
            title: thread.title.clone(),
            locked: thread.locked,
            space_id: thread.space_id,
            posts: thread.post_count,
        },
        space: ThreadSpaceResponse {
            id: found.space.id,
            guidance: none_if_empty(&found.space.guidance),
            name: found.space.name,
        },
        page: found.page,
        pages: found.pages,
        subscribed: found.subscribed,
        can_reply: found.can_reply,
        posts,
    })
    .into_response())
}

/// `POST /api/v1/posts/{id}/flags` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagRequest {
    #[schema(schema_with = flag_reason)]
    reason: String,
    /// Anything the moderators should know, up to 1,000 characters (trimmed).
    #[serde(default)]
    #[schema(
        max_length = 1000,
        example = "Offers pills for sale in the last paragraph."
    )]
    note: String,
}

/// A flag recorded.
#[derive(Serialize, ToSchema)]
struct FlagResponse {
    /// Always true.
    #[schema(example = true)]
    flagged: bool,
}

/// Flag a post for the moderators
///
/// A flag weighs by the member's trust level; members' flags together can hide the post until a
/// moderator looks. A crisis flag goes to the top of the queue and tells the moderators at once.
#[utoipa::path(post, path = "/api/v1/posts/{id}/flags", tag = "community",
    params(IdPath),
    request_body = FlagRequest,
    responses(
        (status = 201, description = "Flagged", body = FlagResponse),
        (status = 403, description = "The post is the member's own, or the member is suspended or waiting for approval", body = ErrorResponse),
        (status = 409, description = "The member has flagged this post already", body = ErrorResponse),
    ))]
pub async fn flag_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<FlagRequest>,
) -> Result<Response, ApiError> {
    moderation::flag(&state.app, &viewer, id, &request.reason, &request.note).await?;
    Ok((StatusCode::CREATED, Json(FlagResponse { flagged: true })).into_response())
}

/// `POST /api/v1/posts/{id}/reactions` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactionRequest {
    #[schema(schema_with = reaction_kind)]
    kind: String,
}

/// A reaction given.
#[derive(Serialize, ToSchema)]
struct ReactionResponse {
    #[schema(schema_with = reaction_kind)]
    kind: String,
}

/// React to a post
///
/// The author is told (unless there is a block between the two).
#[utoipa::path(post, path = "/api/v1/posts/{id}/reactions", tag = "community",
    params(IdPath),
    request_body = ReactionRequest,
    responses(
        (status = 201, description = "Given", body = ReactionResponse),
        (status = 403, description = "The member may not react now (silenced, removed, suspended, waiting for approval)", body = ErrorResponse),
        (status = 409, description = "The member gave this reaction already", body = ErrorResponse),
    ))]
pub async fn react(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ReactionRequest>,
) -> Result<Response, ApiError> {
    community::react(&state.app, &viewer, id, &request.kind).await?;
    let body = ReactionResponse { kind: request.kind };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `DELETE /api/v1/posts/{id}/reactions/{kind}` path: the post, and the reaction to take back.
struct ReactionPath {
    id: Uuid,
    kind: String,
}

impl IntoParams for ReactionPath {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = IdPath::into_params(parameter_in);
        params.push(
            ParameterBuilder::new()
                .name("kind")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "The reaction to take back; a word that is not a reaction is refused (422)",
                ))
                .schema(Some(reaction_kind()))
                .build(),
        );
        params
    }
}

/// Take a reaction back
///
/// Answers 204 whether or not the member had given it.
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "community",
    params(ReactionPath),
    responses((status = 204, description = "Taken back")))]
pub async fn unreact(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path((id, kind)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let path = ReactionPath {
        id: parse_id(&id)?,
        kind,
    };
    community::unreact(&state.app, &viewer, path.id, &path.kind).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How search results are ordered.
#[derive(Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
enum SearchOrder {
    /// The best matches first (titles weigh most).
    Relevance,
    /// The newest posts first.
    Newest,
}

/// `GET /api/v1/search` query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words (all must appear), "quoted phrases" and prefix* terms, up to 200 characters;
    /// other characters are ignored, and at least one word is needed.
    #[param(min_length = 1, max_length = 200, example = "first step")]
    q: String,
    /// Only this space (one the viewer can see).
    #[param(format = Uuid)]
    space: Option<String>,
    /// Only posts by this pseudonym (anonymous posts never match).
    #[param(example = "river_stone")]
    author: Option<String>,
    /// `relevance` (the default) or `newest` first.
    #[param(inline)]
    order: Option<SearchOrder>,
    /// The page of 20 results, from 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 1)]
    page: Option<i64>,
}

impl SearchQuery {
    fn parse(query: &RawQuery) -> Result<SearchQuery, AppError> {
        let fields = query_fields(query, &["q", "space", "author", "order", "page"], &[])?;
        let order = match fields.get("order") {
            "" => None,
            "relevance" => Some(SearchOrder::Relevance),
            "newest" => Some(SearchOrder::Newest),
            _ => {
                return Err(AppError::field(
                    "order",
                    "Use order=newest or order=relevance.",
                ));
            }
        };
        let page = match fields.get("page") {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .ok()
                    .filter(|p| (1..=500).contains(p))
                    .ok_or_else(|| {
                        AppError::field("page", "Give the page as a whole number from 1 to 500.")
                    })?,
            ),
        };
        let given = |name: &str| {
            Some(fields.get(name))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(SearchQuery {
            q: fields.get("q").to_owned(),
            space: given("space"),
            author: given("author"),
            order,
            page,
        })
    }
}

/// A post that matched.
#[derive(Serialize, ToSchema)]
struct PostSearchResultResponse {
    post_id: Uuid,
    thread_id: Uuid,
    /// The thread's title.
    #[schema(example = "Step work")]
    title: String,
    space_id: Uuid,
    /// The space's name.
    #[schema(example = "Program talk")]
    space: String,
    /// A pseudonym, or "Anonymous member".
    #[schema(example = "writer_wyn")]
    author: String,
    /// A short plain-text excerpt, or the content warning when the post has one.
    #[schema(example = "Working the first step with my sponsor")]
    excerpt: String,
    /// Where the post is read on the site.
    #[schema(example = "/threads/0191c0de-0000-7000-8000-00000000000a#p1")]
    url: String,
    #[schema(format = DateTime, example = "2025-06-10T08:15:00Z")]
    created_at: String,
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
struct PostSearchResponse {
    #[schema(example = 1)]
    page: i64,
    /// Up to 20.
    results: Vec<PostSearchResultResponse>,
}

/// Full-text search over the posts the viewer may see
///
/// Never a deleted or hidden post, a space the viewer cannot see, a member on the other side of
/// a block, or who wrote an anonymous post.
#[utoipa::path(get, path = "/api/v1/search", tag = "community",
    params(SearchQuery),
    responses(
        (status = 200, description = "The results", body = PostSearchResponse),
        (status = 403, description = "The moderators have removed the member from the community", body = ErrorResponse),
    ))]
pub async fn search(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let query = SearchQuery::parse(&query)?;
    let page = query.page.unwrap_or(1);
    let input = SearchInput {
        q: &query.q,
        space: query.space.as_deref().unwrap_or(""),
        author: query.author.as_deref().unwrap_or(""),
        newest: query.order == Some(SearchOrder::Newest),
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
    let results = hits
        .into_iter()
        .map(|h| PostSearchResultResponse {
            post_id: h.row.post_id,
            thread_id: h.row.thread_id,
            title: h.row.title,
            space_id: h.row.space_id,
            space: h.space_name,
            author: h.author,
            excerpt: h.excerpt,
            url: h.link,
            created_at: at(h.row.created_at),
        })
        .collect();
    Ok(Json(PostSearchResponse { page, results }).into_response())
}

/// A notification.
#[derive(Serialize, ToSchema)]
struct NotificationResponse {
    id: Uuid,
    /// What it is about, such as `reply`, `mention`, `quote`, `reaction`, `moderation`,
    /// `sanction`, `appeal_answered`, `crisis`, `message` or `reach_out`.
    #[schema(example = "reply")]
    kind: String,
    #[schema(example = "sam_k replied in \"Day 12\"")]
    body: String,
    /// A path on the site to go to.
    #[schema(example = "/threads/0191c0de-0000-7000-8000-00000000000a#p2")]
    link: String,
    #[schema(format = DateTime, example = "2025-06-10T19:40:00Z")]
    created_at: String,
    read: bool,
}

/// The member's notifications.
#[derive(Serialize, ToSchema)]
struct NotificationListResponse {
    /// How many are unread.
    #[schema(example = 2)]
    unread: i64,
    /// The latest 100, newest first.
    notifications: Vec<NotificationResponse>,
}

/// The member's notifications, newest first, and the unread count
#[utoipa::path(get, path = "/api/v1/notifications", tag = "community",
    responses((status = 200, description = "The notifications", body = NotificationListResponse)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let unread = notifications::unread_count(&state.app, viewer.user_id).await?;
    let list = notifications::recent(&state.app, &viewer, 100)
        .await?
        .into_iter()
        .map(|n| NotificationResponse {
            id: n.id,
            kind: n.kind,
            body: n.body,
            link: n.link,
            created_at: at(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Json(NotificationListResponse {
        unread,
        notifications: list,
    })
    .into_response())
}

/// How urgently a queued post needs a moderator.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum QueuePriority {
    /// Crisis language or a crisis flag: someone may need support now.
    Crisis,
    /// Everything else.
    Normal,
}

/// A post waiting for review.
#[derive(Serialize, ToSchema)]
struct QueueItemResponse {
    /// Pass to `POST /api/v1/moderation/posts/{id}`.
    post_id: Uuid,
    thread_id: Uuid,
    /// The thread's title.
    #[schema(example = "Great deals")]
    title: String,
    /// The space's name.
    #[schema(example = "Off topic")]
    space: String,
    /// A pseudonym, or "Anonymous member" (moderators act without seeing who).
    #[schema(example = "poster_pat")]
    author: String,
    #[schema(schema_with = post_state)]
    state: String,
    priority: QueuePriority,
    /// Why it is here, in words (such as "Spam or advertising" or "Watched words").
    reasons: Vec<String>,
    /// Open flags on it, the server's own included.
    #[schema(example = 3)]
    flags: i64,
    /// The members' flags weighed together by their trust levels.
    #[schema(example = 5)]
    weight: i64,
    /// The post's Markdown.
    #[schema(example = "Buy cheap watches now")]
    body: String,
    /// Where the post is read on the site.
    #[schema(example = "/threads/0191c0de-0000-7000-8000-00000000000a#p1")]
    url: String,
}

/// The review queue.
#[derive(Serialize, ToSchema)]
struct ReviewQueueResponse {
    /// Up to 100: crisis first, then held posts, then by weight and age.
    items: Vec<QueueItemResponse>,
}

/// Posts waiting for review, crisis first (moderators)
#[utoipa::path(get, path = "/api/v1/moderation/queue", tag = "community",
    responses((status = 200, description = "The queue", body = ReviewQueueResponse)))]
pub async fn review_queue(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let items = moderation::review_queue(&state.app, &viewer)
        .await?
        .into_iter()
        .map(|item| QueueItemResponse {
            post_id: item.post.id,
            thread_id: item.thread.id,
            title: item.thread.title,
            space: item.space.name,
            author: item.author.to_string(),
            state: item.post.state,
            priority: if item.queue.priority == 0 {
                QueuePriority::Crisis
            } else {
                QueuePriority::Normal
            },
            reasons: item.reasons,
            flags: item.queue.flags,
            weight: item.queue.weight,
            body: item.post.body,
            url: item.link,
        })
        .collect();
    Ok(Json(ReviewQueueResponse { items }).into_response())
}

/// `POST /api/v1/moderation/posts/{id}` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    #[schema(schema_with = moderation_action)]
    action: String,
    /// Why, up to 500 characters (trimmed): the author reads it and the public moderation log
    /// shows it. Needed for hide, delete, edit and the actions on the author.
    #[serde(default)]
    #[schema(max_length = 500, example = "Advertising is not allowed here")]
    reason: String,
    /// For `move`: the space to move the thread to.
    #[serde(default)]
    #[schema(format = Uuid)]
    space: String,
    /// For `edit`: the new body, Markdown of 1 to 20,000 characters.
    #[serde(default)]
    #[schema(max_length = 20000)]
    body: String,
    /// For `silence_author`: how many days, 1 to 90.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 90, example = 3)]
    days: Option<u32>,
}

/// A decision carried out.
#[derive(Serialize, ToSchema)]
struct ModerationResponse {
    /// The action, as asked.
    #[schema(schema_with = moderation_action)]
    done: String,
    /// Where to go next on the site: the post, or the space when its thread is gone.
    #[schema(example = "/threads/0191c0de-0000-7000-8000-00000000000a#p1")]
    url: String,
}

/// A moderator's decision on a post (moderators)
///
/// Approve, dismiss the flags, hide, restore, delete, lock or unlock the thread, move it, edit
/// the post, or a sanction on its author (warn, silence for some days, suspend, remove from the
/// community) without learning who they are. The post's flags are closed, the decision is
/// logged for members without naming anyone, and the author is told.
#[utoipa::path(post, path = "/api/v1/moderation/posts/{id}", tag = "community",
    params(IdPath),
    request_body = ModerationRequest,
    responses(
        (status = 200, description = "Done", body = ModerationResponse),
        (status = 403, description = "Not allowed: not a moderator, a sanction on oneself, or on a moderator by someone who is not an admin", body = ErrorResponse),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ModerationRequest>,
) -> Result<Response, ApiError> {
    let days = request.days.map(|d| d.to_string()).unwrap_or_default();
    let decision = Decision::parse(&request.action, &request.space, &request.body, &days)?;
    let link = moderation::decide(&state.app, &viewer, id, decision, &request.reason).await?;
    Ok(Json(ModerationResponse {
        done: request.action,
        url: link,
    })
    .into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    let limit = crate::POST_BODY_BYTES;
    routes
        .api(Anyone, routes!(list_spaces))
        .api(Anyone, routes!(list_threads))
        .api_limited(Member, limit, routes!(create_thread))
        .api(Anyone, routes!(show_thread))
        .api_limited(Member, limit, routes!(create_reply))
        .api(Member, routes!(flag_post))
        .api(Member, routes!(react))
        .api(Member, routes!(unreact))
        .api(Anyone, routes!(search))
        .api(Member, routes!(list_notifications))
        .api(Moderator, routes!(review_queue))
        .api_limited(Moderator, limit, routes!(decide))
        .api_limited(Member, limit, routes!(share_milestone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reaction_has_its_count_and_nothing_else() {
        let counts = serde_json::to_value(reaction_counts(&[])).unwrap();
        let mut named: Vec<&str> = counts
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut kinds: Vec<&str> = posts::REACTIONS.iter().map(|(kind, _)| *kind).collect();
        named.sort();
        kinds.sort();
        assert_eq!(named, kinds);
    }

    #[test]
    fn the_documented_actions_are_the_ones_the_use_case_takes() {
        let space = Uuid::now_v7().to_string();
        for (action, _) in MODERATION_ACTIONS {
            assert!(
                Decision::parse(action, &space, "new words", "3").is_ok(),
                "{action}"
            );
        }
        assert!(Decision::parse("shout", &space, "", "3").is_err());
    }
}
