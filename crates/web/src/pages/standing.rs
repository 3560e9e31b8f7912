//! A member's standing pages: their sanctions with reasons and an appeal form, the appeal form
//! of a suspended member (who cannot sign in), the members they blocked, and the moderators'
//! page of appeals to answer.

use crate::AppState;
use crate::auth::SignedIn;
use crate::client::Client;
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::{form_outcome, query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::community::blocks;
use mutual_app::community::standing::{self, AppealView, SanctionView};
use uuid::Uuid;

/// A sanction with its times in the viewer's zone: (sanction, given, ends, appealed, answered).
pub struct Dated {
    pub sanction: SanctionView,
    pub given: String,
    pub ends: Option<String>,
    pub appealed: Option<String>,
    pub answered: Option<String>,
}

fn dated(dates: &Dates, sanction: SanctionView) -> Dated {
    let at = |millis: Option<i64>| millis.map(|m| dates.at(&m));
    Dated {
        given: dates.at(&sanction.row.created_at),
        ends: at(sanction.row.ends_at),
        appealed: at(sanction.row.appealed_at),
        answered: at(sanction.row.answered_at),
        sanction,
    }
}

#[derive(Template)]
#[template(path = "standing.html")]
struct StandingPage {
    layout: Layout,
    sanctions: Vec<Dated>,
    /// The sanction whose appeal form holds `form`.
    appealing: Option<Uuid>,
    form: FormView,
    appealed: bool,
}

async fn standing_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    appealing: Option<Uuid>,
    form: FormView,
    appealed: bool,
) -> Result<StandingPage, AppError> {
    let dates = Dates::of(&state.app, Some(viewer));
    Ok(StandingPage {
        layout: ctx.layout("Your standing"),
        sanctions: standing::standing(&state.app, viewer)
            .await?
            .into_iter()
            .map(|s| dated(&dates, s))
            .collect(),
        appealing,
        form,
        appealed,
    })
}

/// `GET /community/standing`
pub async fn show_standing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let appealed = query_param(&query, "appealed").is_some();
    let page = standing_page(&state, &viewer, &ctx, None, FormView::default(), appealed).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /community/standing/{id}/appeal`: the member's words to the moderators.
pub async fn appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["appeal"])?;
        standing::appeal(&state.app, &viewer, id, form.get("appeal")).await
    }
    .await;
    let to = result.map(|()| "/community/standing?appealed=1".to_owned());
    form_outcome(to, form.kept(&["appeal"]), async |view| {
        standing_page(&state, &viewer, &ctx, Some(id), view, false).await
    })
    .await
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct SuspensionAppealPage {
    layout: Layout,
    form: FormView,
    problem: Option<String>,
    sent: bool,
}

/// `GET /appeal`
pub async fn show_suspension_appeal(ctx: PageContext, query: RawQuery) -> Response {
    let page = SuspensionAppealPage {
        layout: ctx.layout("Appeal a suspension"),
        form: FormView::default(),
        problem: None,
        sent: query_param(&query, "sent").is_some(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /appeal`: a suspended member's appeal, with their pseudonym and password.
pub async fn appeal_suspension(
    State(state): State<AppState>,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["username", "password", "appeal"])?;
        standing::appeal_suspension(
            &state.app,
            form.get("username"),
            form.get("password"),
            &client.address,
            form.get("appeal"),
        )
        .await
    }
    .await;
    let error = match result {
        Ok(()) => return Ok(Redirect::to("/appeal?sent=1").into_response()),
        Err(error) => error,
    };
    let view = form.kept(&["username", "appeal"]);
    let (view, problem) = match error {
        error @ (AppError::BadCredentials | AppError::Throttled(_) | AppError::Conflict(_)) => {
            (view, Some(crate::error::describe(&error).2))
        }
        other => (view.with_errors(form_errors(other)?), None),
    };
    let page = SuspensionAppealPage {
        layout: ctx.layout("Appeal a suspension"),
        form: view,
        problem,
        sent: false,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "blocks.html")]
struct BlocksPage {
    layout: Layout,
    /// (pseudonym, since).
    blocked: Vec<(String, String)>,
    form: FormView,
    done: Option<&'static str>,
}

async fn blocks_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
    done: Option<&'static str>,
) -> Result<BlocksPage, AppError> {
    let dates = Dates::of(&state.app, Some(viewer));
    Ok(BlocksPage {
        layout: ctx.layout("Blocked members"),
        blocked: blocks::blocked_by(&state.app, viewer)
            .await?
            .into_iter()
            .map(|(_, name, since)| (name, dates.at(&since)))
            .collect(),
        form,
        done,
    })
}

/// `GET /community/blocked` (`?username=` fills in the pseudonym to block).
pub async fn show_blocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let done = match query_param(&query, "done").as_deref() {
        Some("blocked") => Some(
            "Blocked. You will no longer see each other's posts, and neither of you will hear of the other's replies, mentions or reactions.",
        ),
        Some("unblocked") => Some("Block lifted."),
        _ => None,
    };
    let form = FormView::default().keep(
        "username",
        &query_param(&query, "username").unwrap_or_default(),
    );
    let page = blocks_page(&state, &viewer, &ctx, form, done).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /community/blocked`: blocks a member by pseudonym.
pub async fn block_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["username"])?;
        blocks::block(&state.app, &viewer, form.get("username")).await
    }
    .await;
    let to = result.map(|_| "/community/blocked?done=blocked".to_owned());
    form_outcome(to, form.kept(&["username"]), async |view| {
        blocks_page(&state, &viewer, &ctx, view, None).await
    })
    .await
}

/// `POST /community/blocked/remove`: lifts a block.
pub async fn unblock_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["username"])?;
    blocks::unblock(&state.app, &viewer, form.get("username")).await?;
    Ok(Redirect::to("/community/blocked?done=unblocked").into_response())
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct AppealsPage {
    layout: Layout,
    appeals: Vec<(AppealView, Dated)>,
    answering: Option<Uuid>,
    form: FormView,
    done: bool,
}

async fn appeals_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    answering: Option<Uuid>,
    form: FormView,
    done: bool,
) -> Result<AppealsPage, AppError> {
    let dates = Dates::of(&state.app, Some(viewer));
    Ok(AppealsPage {
        layout: ctx.layout("Appeals"),
        appeals: standing::appeals(&state.app, viewer)
            .await?
            .into_iter()
            .map(|a| {
                let times = dated(&dates, a.sanction.clone());
                (a, times)
            })
            .collect(),
        answering,
        form,
        done,
    })
}

/// `GET /moderation/appeals`
pub async fn show_appeals(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let done = query_param(&query, "done").is_some();
    let page = appeals_page(&state, &viewer, &ctx, None, FormView::default(), done).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/appeals/{id}`: an answer (`answer`) upholding or lifting (`outcome`).
pub async fn answer_appeal(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["answer", "outcome"])?;
        let lift = parse_outcome(form.get("outcome"))?;
        standing::answer(&state.app, &viewer, id, form.get("answer"), lift).await
    }
    .await;
    let to = result.map(|()| "/moderation/appeals?done=1".to_owned());
    form_outcome(to, form.kept(&["answer"]), async |view| {
        appeals_page(&state, &viewer, &ctx, Some(id), view, false).await
    })
    .await
}

/// Whether an answer lifts the sanction (`lift`) or upholds it (`uphold`).
pub(crate) fn parse_outcome(outcome: &str) -> Result<bool, AppError> {
    match outcome {
        "lift" => Ok(true),
        "uphold" => Ok(false),
        _ => Err(AppError::field(
            "outcome",
            "Choose whether to lift the sanction or uphold it.",
        )),
    }
}
