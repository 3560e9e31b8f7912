//! The community's moderation pages: the review queue with a decision form per post, a post's
//! edit history, an admin's reveal of an anonymous author, private spaces' member lists, the
//! public moderation log, and the admin page for spaces and safety lists.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::{form_outcome, parse_id, query_param, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::community::moderation::{self, Decision, QueueItem};
use mutual_app::community::{self, ModerationLogRow, PostEditRow, SpaceInput, SpaceRow};
use mutual_domain::community::posts::Visibility;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    layout: Layout,
    items: Vec<QueueItem>,
    /// The viewer's check-ins to come, soonest first.
    check_ins: Vec<CheckInView>,
    form: FormView,
    done: bool,
}

/// A check-in the moderator asked for, as the queue lists it.
struct CheckInView {
    id: Uuid,
    conversation: Uuid,
    /// Who, as the moderator is shown them.
    whom: String,
    /// When, in the moderator's words ("Thursday 3 December, 19:30").
    when: String,
}

async fn queue_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
    done: bool,
) -> Result<QueuePage, AppError> {
    Ok(QueuePage {
        layout: ctx.layout("Review queue"),
        items: moderation::review_queue(&state.app, viewer).await?,
        check_ins: {
            let dates = Dates::of(&state.app, Some(viewer));
            mutual_app::people::care::check_ins(&state.app, viewer)
                .await?
                .into_iter()
                .map(|c| CheckInView {
                    id: c.id,
                    conversation: c.conversation_id,
                    when: dates.at(&c.due_at),
                    whom: c.shown_as.unwrap_or_else(|| "A member you wrote to".into()),
                })
                .collect()
        },
        form,
        done,
    })
}

/// `GET /moderation`
pub async fn show_queue(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let done = query_param(&query, "done").is_some();
    let page = queue_page(&state, &viewer, &ctx, FormView::default(), done).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/posts/{id}`: a decision (`action`, `reason`, and `space` or `body`).
pub async fn decide(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["action", "reason", "space", "body", "days", "back"])?;
        let decision = Decision::parse(
            form.get("action"),
            form.get("space"),
            form.get("body"),
            form.get("days"),
        )?;
        moderation::decide(&state.app, &viewer, id, decision, form.get("reason")).await
    }
    .await;
    let to = result.map(|link| {
        if form.get("back") == "thread" {
            link
        } else {
            "/moderation?done=1".to_owned()
        }
    });
    form_outcome(to, form.kept(&["reason", "body", "days"]), async |view| {
        queue_page(&state, &viewer, &ctx, view, false).await
    })
    .await
}

#[derive(Template)]
#[template(path = "post_history.html")]
struct HistoryPage {
    layout: Layout,
    current: String,
    edits: Vec<(PostEditRow, String)>,
    revealed: Option<String>,
    post_id: Uuid,
    is_admin: bool,
}

async fn history_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    revealed: Option<String>,
) -> Result<HistoryPage, AppError> {
    let (post, edits) = moderation::edit_history(&state.app, viewer, id).await?;
    let dates = Dates::of(&state.app, Some(viewer));
    Ok(HistoryPage {
        layout: ctx.layout("Post history"),
        current: post.body,
        edits: edits
            .into_iter()
            .map(|e| {
                let at = dates.at(&e.created_at);
                (e, at)
            })
            .collect(),
        revealed,
        post_id: post.id,
        is_admin: viewer.role == mutual_domain::permissions::Role::Admin,
    })
}

/// `GET /moderation/posts/{id}/history`
pub async fn show_history(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let page = history_page(&state, &viewer, &ctx, id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/posts/{id}/reveal`: an admin learns who wrote an anonymous post.
pub async fn reveal_author(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let name = moderation::reveal_author(&state.app, &viewer, id).await?;
    let page = history_page(&state, &viewer, &ctx, id, Some(name)).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    layout: Layout,
    entries: Vec<(ModerationLogRow, String)>,
}

/// `GET /moderation/log`: what moderators did, as every member may read it.
pub async fn show_log(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let dates = Dates::of(&state.app, Some(&viewer));
    let entries = moderation::public_log(&state.app)
        .await?
        .into_iter()
        .map(|row| {
            let at = dates.at(&row.created_at);
            (row, at)
        })
        .collect();
    let page = LogPage {
        layout: ctx.layout("Moderation log"),
        entries,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "space_members.html")]
struct MembersPage {
    layout: Layout,
    space: SpaceRow,
    members: Vec<(Uuid, String, String)>,
    form: FormView,
}

async fn members_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: FormView,
) -> Result<MembersPage, AppError> {
    let (space, members) = community::space_members(&state.app, viewer, id).await?;
    Ok(MembersPage {
        layout: ctx.layout(&format!("Members of {}", space.name)),
        space,
        members,
        form,
    })
}

/// `GET /spaces/{id}/members`
pub async fn show_members(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let page = members_page(&state, &viewer, &ctx, id, FormView::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /spaces/{id}/members` (`username`): adds or approves a member.
pub async fn admit_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["username"])?;
        community::admit(&state.app, &viewer, id, form.get("username")).await
    }
    .await;
    let to = result.map(|()| format!("/spaces/{id}/members"));
    form_outcome(to, form.kept(&["username"]), async |view| {
        members_page(&state, &viewer, &ctx, id, view).await
    })
    .await
}

/// `POST /spaces/{id}/members/{user}/remove`
pub async fn remove_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path((id, user)): Path<(String, String)>,
    _form: FormData,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    community::remove_member(&state.app, &viewer, id, parse_id(&user)?).await?;
    Ok(Redirect::to(&format!("/spaces/{id}/members")).into_response())
}

/// `POST /spaces/{id}/join`: asks to join a private group.
pub async fn request_to_join(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    community::request_to_join(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/community?requested=1").into_response())
}

#[derive(Template)]
#[template(path = "admin_community.html")]
struct AdminPage {
    layout: Layout,
    spaces: Vec<SpaceRow>,
    safety: FormView,
    space_form: FormView,
    visibilities: Vec<(String, String)>,
    done: bool,
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    safety: Option<FormView>,
    space_form: FormView,
    done: bool,
) -> Result<AdminPage, AppError> {
    let safety = match safety {
        Some(form) => form,
        None => FormView::default()
            .keep(
                "crisis_phrases",
                &community::crisis_phrases(&state.app).await?,
            )
            .keep(
                "watched_words",
                &community::watched_words(&state.app).await?,
            ),
    };
    Ok(AdminPage {
        layout: ctx.layout("Community settings"),
        spaces: community::all_spaces(&state.app, viewer).await?,
        safety,
        space_form,
        visibilities: Visibility::ALL
            .iter()
            .map(|v| (v.as_str().to_owned(), v.label().to_owned()))
            .collect(),
        done,
    })
}

/// `GET /admin/community`
pub async fn show_admin(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let done = query_param(&query, "done").is_some();
    let page = admin_page(&state, &viewer, &ctx, None, FormView::default(), done).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/community/safety`: the crisis phrases and watched words.
pub async fn save_safety(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["crisis_phrases", "watched_words"])?;
        let (crisis, watched) = (form.get("crisis_phrases"), form.get("watched_words"));
        community::save_safety_lists(&state.app, &viewer, crisis, watched).await
    }
    .await;
    let to = result.map(|()| "/admin/community?done=1".to_owned());
    form_outcome(
        to,
        form.kept(&["crisis_phrases", "watched_words"]),
        async |safety| {
            admin_page(
                &state,
                &viewer,
                &ctx,
                Some(safety),
                FormView::default(),
                false,
            )
            .await
        },
    )
    .await
}

const SPACE_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "position",
    "visibility",
    "guidance",
];

/// `POST /admin/spaces`: creates a space, or changes one when `id` is given.
pub async fn save_space(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(SPACE_FIELDS)?;
        let id = match form.get("id") {
            "" => None,
            text => Some(parse_id(text)?),
        };
        let input = SpaceInput {
            name: form.get("name"),
            description: form.get("description"),
            position: form.get("position"),
            visibility: form.get("visibility"),
            guidance: form.get("guidance"),
        };
        community::save_space(&state.app, &viewer, id, &input).await
    }
    .await;
    let to = result.map(|_| "/admin/community?done=1".to_owned());
    form_outcome(to, form.kept(SPACE_FIELDS), async |view| {
        admin_page(&state, &viewer, &ctx, None, view, false).await
    })
    .await
}
