//! The community pages: spaces, a space's threads with the composer, a thread page by page
//! with reactions, quotes, flags and the reply form, editing and deleting one's own posts, and
//! search. Moderation pages live in `moderation`.

use crate::AppState;
use crate::auth::{MaybeViewer, SignedIn};
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::help::{CRISIS_OFFER_PARAM, CrisisOffer, with_crisis_offer};
use crate::pages::{form_outcome, query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::accounts::Viewer;
use mutual_app::community::{
    self, ComposeInput, PostView, SearchHit, SearchInput, SpaceRow, SpaceSummary, ThreadListRow,
};
use mutual_app::{AppError, FieldError};
use mutual_domain::community::posts::{FLAG_REASONS, SUGGESTED_WARNINGS};
use uuid::Uuid;

/// The fields of the composer.
pub(crate) const COMPOSE_FIELDS: &[&str] =
    &["title", "body", "anonymous", "content_warning", "quoted"];

/// Reads the composer, keeping everything typed for a re-shown form.
pub(crate) fn compose_input<'a>(
    form: &'a FormData,
    errors: &mut Vec<FieldError>,
) -> (ComposeInput<'a>, FormView) {
    errors.extend(form.unknown_fields(COMPOSE_FIELDS));
    let anonymous = form.checkbox("anonymous", errors);
    let quoted = match form.get("quoted") {
        "" => None,
        text => Uuid::try_parse(text).ok(),
    };
    let view = form.kept(COMPOSE_FIELDS);
    (
        ComposeInput {
            title: form.get("title"),
            body: form.get("body"),
            anonymous,
            content_warning: form.get("content_warning"),
            quoted,
        },
        view,
    )
}

/// `link` (a path with an optional `#anchor`) with `param` added to its query string.
fn with_param(link: &str, param: &str) -> String {
    let (path, anchor) = link.split_once('#').unwrap_or((link, ""));
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}{param}#{anchor}")
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    layout: Layout,
    spaces: Vec<SpaceSummary>,
    signed_in: bool,
    search: FormView,
    spaces_for_search: Vec<(String, String)>,
    hits: Option<Vec<HitView>>,
    next_page: Option<String>,
}

struct HitView {
    hit: SearchHit,
    when: String,
}

/// `GET /community`: the spaces, and search when a query is given.
pub async fn show_community(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let viewer = viewer.as_ref();
    let dates = Dates::of(&state.app, viewer);
    let spaces = community::spaces(&state.app, viewer).await?;
    let params = FormData::from_query(query.0.as_deref()).unwrap_or(FormData::from_fields(vec![]));
    let search_fields = ["q", "space", "author", "order", "page"];
    let mut search = params.kept(&search_fields);
    let mut status = StatusCode::OK;
    let mut hits = None;
    let mut next_page = None;
    if !params.get("q").is_empty() {
        let page: i64 = params.get("page").parse().unwrap_or(1).clamp(1, 500);
        let input = SearchInput {
            q: params.get("q"),
            space: params.get("space"),
            author: params.get("author"),
            newest: params.get("order") == "newest",
            page,
        };
        let outcome = async {
            params.only(&search_fields)?;
            community::search(&state.app, viewer, &input).await
        }
        .await;
        match outcome {
            Ok(Some(found)) => {
                if found.len() as i64 == community::RESULTS_PER_PAGE {
                    next_page = Some(
                        serde_urlencoded::to_string([
                            ("q", input.q),
                            ("space", input.space),
                            ("author", input.author),
                            ("order", params.get("order")),
                            ("page", &(page + 1).to_string()),
                        ])
                        .unwrap_or_default(),
                    );
                }
                hits = Some(
                    found
                        .into_iter()
                        .map(|hit| HitView {
                            when: dates.at(&hit.row.created_at),
                            hit,
                        })
                        .collect(),
                );
            }
            Ok(None) => {
                search = search.with_errors(vec![FieldError::new(
                    "q",
                    "Type a word or two to look for (letters or numbers).",
                )]);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(error) => {
                search = search.with_errors(form_errors(error)?);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    }
    let spaces_for_search = spaces
        .iter()
        .filter(|s| s.visible)
        .map(|s| (s.space.id.to_string(), s.space.name.clone()))
        .collect();
    let page = CommunityPage {
        layout: ctx.layout("Community"),
        signed_in: viewer.is_some(),
        spaces,
        search,
        spaces_for_search,
        hits,
        next_page,
    };
    Ok(render(status, &page))
}

struct ThreadItem {
    row: ThreadListRow,
    last_active: String,
    unread: i64,
    replies: i64,
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    layout: Layout,
    space: SpaceRow,
    threads: Vec<ThreadItem>,
    next: Option<String>,
    signed_in: bool,
    form: FormView,
    warnings: &'static [&'static str],
}

fn parse_cursor(text: &str) -> Option<(i64, Uuid)> {
    let (at, id) = text.split_once('_')?;
    Some((at.parse().ok()?, Uuid::try_parse(id).ok()?))
}

async fn space_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    ctx: &PageContext,
    id: Uuid,
    before: Option<(i64, Uuid)>,
    form: FormView,
) -> Result<SpacePage, AppError> {
    let page = community::space_page(&state.app, viewer, id, before).await?;
    let dates = Dates::of(&state.app, viewer);
    Ok(SpacePage {
        layout: ctx.layout(&page.space.name),
        threads: page
            .threads
            .into_iter()
            .map(|row| ThreadItem {
                last_active: dates.at(&row.last_post_at),
                unread: row.last_read.map_or(0, |read| row.post_count - read),
                replies: row.post_count - 1,
                row,
            })
            .collect(),
        next: page.next.map(|(at, id)| format!("{at}_{id}")),
        signed_in: viewer.is_some(),
        space: page.space,
        form,
        warnings: SUGGESTED_WARNINGS,
    })
}

/// Turns "sign in first" into a redirect to the login page for pages.
fn or_log_in(error: AppError, back: &str) -> Result<Response, PageError> {
    match error {
        AppError::SignInRequired => Ok(Redirect::to(&format!(
            "/login?next={}",
            serde_urlencoded::to_string([("n", back)])
                .unwrap_or_default()
                .trim_start_matches("n=")
        ))
        .into_response()),
        other => Err(other.into()),
    }
}

/// `GET /spaces/{id}`
pub async fn show_space(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, PageError> {
    let before = query_param(&query, "before").and_then(|c| parse_cursor(&c));
    let outcome = async {
        space_page(
            &state,
            viewer.as_ref(),
            &ctx,
            id,
            before,
            FormView::default(),
        )
        .await
    }
    .await;
    match outcome {
        Ok(page) => Ok(render(StatusCode::OK, &page)),
        Err(error) => or_log_in(error, &format!("/spaces/{id}")),
    }
}

/// Where to go after posting: the post, or with crisis language the crisis offer at the top of
/// the post's page (not the post itself, which would scroll the offer out of sight), or the
/// held notice.
pub(crate) fn after_post(posted: &community::Posted) -> String {
    let link = community::post_link(posted.thread_id, posted.seq);
    if posted.crisis_resources_shown {
        let page = link.split_once('#').map_or(link.as_str(), |(page, _)| page);
        with_crisis_offer(page)
    } else if posted.held_for_review {
        with_param(&link, "held=1")
    } else {
        link
    }
}

/// `POST /spaces/{id}/threads`
pub async fn create_thread(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (input, view) = compose_input(&form, &mut errors);
    let result = if errors.is_empty() {
        community::start_thread(&state.app, &viewer, id, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    form_outcome(
        result.map(|posted| after_post(&posted)),
        view,
        async |view| space_page(&state, Some(&viewer), &ctx, id, None, view).await,
    )
    .await
}

/// What a thread page shows after the viewer's own action (from the redirect's query string).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Nothing,
    /// Their post had crisis language: the crisis resources.
    Support,
    /// Their post is held for a moderator.
    Held,
    /// Their flag was received.
    Flagged,
}

impl Shown {
    fn from_query(query: &RawQuery) -> Shown {
        [
            (CRISIS_OFFER_PARAM, Shown::Support),
            ("held", Shown::Held),
            ("flagged", Shown::Flagged),
        ]
        .into_iter()
        .find(|(name, _)| query_param(query, name).is_some())
        .map_or(Shown::Nothing, |(_, shown)| shown)
    }
}

struct PostItem {
    view: PostView,
    when: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    layout: Layout,
    page: community::ThreadPage,
    space: SpaceRow,
    posts: Vec<PostItem>,
    form: FormView,
    signed_in: bool,
    is_admin: bool,
    /// The viewer's post had crisis language: the crisis lines and Reach out, first.
    crisis_offer: Option<CrisisOffer>,
    /// A short confirmation after the viewer's last action, if any.
    notice: Option<&'static str>,
    warnings: &'static [&'static str],
    move_targets: Vec<(String, String)>,
}

async fn thread_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    ctx: &PageContext,
    id: Uuid,
    page: i64,
    form: FormView,
    shown: Shown,
) -> Result<ThreadPage, AppError> {
    let found = community::thread_page(&state.app, viewer, id, page).await?;
    let dates = Dates::of(&state.app, viewer);
    let last_read = found.last_read;
    let posts = found
        .posts
        .iter()
        .map(|view| PostItem {
            when: dates.at(&view.row.post.created_at),
            unread: viewer.is_some() && last_read > 0 && view.row.post.seq > last_read,
            view: view.clone(),
        })
        .collect();
    let move_targets = if found.moderator {
        community::spaces(&state.app, viewer)
            .await?
            .into_iter()
            .filter(|s| s.visible && s.space.id != found.space.id)
            .map(|s| (s.space.id.to_string(), s.space.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ThreadPage {
        layout: ctx.layout(&found.thread.title),
        space: found.space.clone(),
        posts,
        form,
        signed_in: viewer.is_some(),
        is_admin: viewer.is_some_and(|v| v.role == mutual_domain::permissions::Role::Admin),
        crisis_offer: (shown == Shown::Support).then(|| CrisisOffer::new(ctx, "Your post is up.")),
        notice: match shown {
            Shown::Held => Some(
                "Your post is waiting for a moderator to look at it, and will appear to others once approved.",
            ),
            Shown::Flagged => Some("Thank you. The moderators will look at the post you flagged."),
            Shown::Support | Shown::Nothing => None,
        },
        warnings: SUGGESTED_WARNINGS,
        move_targets,
        page: found,
    })
}

/// The reply form prefilled with a quote of `post`, when it is in this thread and readable.
async fn quote_form(state: &AppState, viewer: &Viewer, quoted: &str) -> FormView {
    let Ok(id) = Uuid::try_parse(quoted) else {
        return FormView::default();
    };
    match community::post_for(&state.app, viewer, id).await {
        Ok((_, _, post)) if post.state == "published" && post.content_warning.is_empty() => {
            let quoted_text: String = post
                .body
                .lines()
                .take(12)
                .map(|line| format!("> {line}\n"))
                .collect();
            FormView::default()
                .keep("body", &format!("{quoted_text}\n"))
                .keep("quoted", &post.id.to_string())
        }
        _ => FormView::default(),
    }
}

/// `GET /threads/{id}`
pub async fn show_thread(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    ctx: PageContext,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, PageError> {
    let page: i64 = match query_param(&query, "page") {
        None => 1,
        Some(text) => text.parse().map_err(|_| PageError(AppError::NotFound))?,
    };
    let shown = Shown::from_query(&query);
    let form = match (&viewer, query_param(&query, "quote")) {
        (Some(viewer), Some(quoted)) => quote_form(&state, viewer, &quoted).await,
        _ => FormView::default(),
    };
    let outcome =
        async { thread_page(&state, viewer.as_ref(), &ctx, id, page, form, shown).await }.await;
    match outcome {
        Ok(page) => Ok(render(StatusCode::OK, &page)),
        Err(error) => or_log_in(error, &format!("/threads/{id}")),
    }
}

/// `POST /threads/{id}/replies`
pub async fn create_reply(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (input, view) = compose_input(&form, &mut errors);
    if !input.title.is_empty() {
        errors.push(FieldError::new("form", "Replies have no title."));
    }
    let result = if errors.is_empty() {
        community::reply(&state.app, &viewer, id, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    form_outcome(
        result.map(|posted| after_post(&posted)),
        view,
        async |view| {
            // Show the last page, where the reply form is, with what was typed.
            let (_, thread) = community::thread_for(&state.app, Some(&viewer), id).await?;
            let last = community::page_count(&thread);
            thread_page(&state, Some(&viewer), &ctx, id, last, view, Shown::Nothing).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "post_form.html")]
struct PostFormPage {
    layout: Layout,
    /// `edit` (the author's own post) or `flag`.
    mode: &'static str,
    post_id: Uuid,
    back: String,
    form: FormView,
    reasons: &'static [(&'static str, &'static str)],
}

async fn post_form_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    mode: &'static str,
    form: Option<FormView>,
) -> Result<PostFormPage, AppError> {
    let (_, thread, post) = community::post_for(&state.app, viewer, id).await?;
    if mode == "edit" && post.author_id != Some(viewer.user_id.0) {
        return Err(AppError::NotFound);
    }
    let form = form.unwrap_or_else(|| {
        if mode == "edit" {
            FormView::default().keep("body", &post.body)
        } else {
            FormView::default()
        }
    });
    Ok(PostFormPage {
        layout: ctx.layout(if mode == "edit" {
            "Edit your post"
        } else {
            "Flag a post"
        }),
        mode,
        post_id: post.id,
        back: community::post_link(thread.id, post.seq),
        form,
        reasons: FLAG_REASONS,
    })
}

/// `GET /posts/{id}/edit`
pub async fn show_edit_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let page = post_form_page(&state, &viewer, &ctx, id, "edit", None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /posts/{id}/edit`
pub async fn edit_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["body"])?;
        community::edit_own_post(&state.app, &viewer, id, form.get("body")).await
    }
    .await;
    form_outcome(result, form.kept(&["body"]), async |view| {
        post_form_page(&state, &viewer, &ctx, id, "edit", Some(view)).await
    })
    .await
}

/// `POST /posts/{id}/delete`
pub async fn delete_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let link = community::delete_own_post(&state.app, &viewer, id).await?;
    Ok(Redirect::to(&link).into_response())
}

/// `GET /posts/{id}/flag`
pub async fn show_flag(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let page = post_form_page(&state, &viewer, &ctx, id, "flag", None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /posts/{id}/flag`
pub async fn flag_post(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["reason", "note"])?;
        let (reason, note) = (form.get("reason"), form.get("note"));
        community::moderation::flag(&state.app, &viewer, id, reason, note).await
    }
    .await;
    let to = result.map(|link| with_param(&link, "flagged=1"));
    form_outcome(to, form.kept(&["reason", "note"]), async |view| {
        post_form_page(&state, &viewer, &ctx, id, "flag", Some(view)).await
    })
    .await
}

/// `POST /posts/{id}/reactions`: `kind` gives a reaction, `remove` takes one back
pub async fn react(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["kind", "remove"])?;
    let link = match form.get("remove") {
        "" => community::react(&state.app, &viewer, id, form.get("kind")).await?,
        kind => community::unreact(&state.app, &viewer, id, kind).await?,
    };
    Ok(Redirect::to(&link).into_response())
}

/// `POST /threads/{id}/subscription` (`follow` = on or empty)
pub async fn set_subscription(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["follow"])?;
    community::set_subscribed(&state.app, &viewer, id, form.get("follow") == "on").await?;
    Ok(Redirect::to(&format!("/threads/{id}")).into_response())
}
