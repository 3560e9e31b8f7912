//! Accountability circles: the list with invites and a form to start one, the circle page
//! (who checked in, what each member shares, quiet notices, encouragement, nudges, invites and
//! the invite link, the viewer's own sharing choices), and joining by link.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::{form_outcome, parse_answer, query_param, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::people::circles::{self, CircleSummary, CircleView};
use mutual_domain::people::circles::Sharing;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "circles.html")]
struct CirclesPage {
    layout: Layout,
    circles: Vec<CircleSummary>,
    invites: Vec<CircleSummary>,
    form: FormView,
}

async fn circles_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
) -> Result<CirclesPage, AppError> {
    let (circles, invites) = circles::my_circles(&state.app, viewer).await?;
    Ok(CirclesPage {
        layout: ctx.layout("Circles"),
        circles,
        invites,
        form,
    })
}

/// `GET /circles`
pub async fn show_circles(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &circles_page(&state, &viewer, &ctx, FormView::default()).await?,
    ))
}

/// `POST /circles`: starts a circle, inviting whoever is named.
pub async fn create_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["name", "invite"])?;
        circles::create(&state.app, &viewer, form.get("name"), form.get("invite")).await
    }
    .await;
    let to = result.map(|id| format!("/circles/{id}"));
    form_outcome(to, form.kept(&["name", "invite"]), async |view| {
        circles_page(&state, &viewer, &ctx, view).await
    })
    .await
}

/// `POST /circles/{id}/answer`: `answer` is `accept` or `decline` for an invite.
pub async fn answer_invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["answer"])?;
    let accept = parse_answer(form.get("answer"))?;
    circles::answer_invite(&state.app, &viewer, id, accept).await?;
    let to = if accept {
        format!("/circles/{id}")
    } else {
        "/circles".to_owned()
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "circle.html")]
struct CirclePage {
    layout: Layout,
    circle: CircleView,
    dates: Dates,
    form: FormView,
    /// A fresh invite link's token, shown once.
    link: Option<String>,
    done: Option<&'static str>,
    choices: [(&'static str, &'static str); 5],
}

impl CirclePage {
    fn shares(&self, name: &&str) -> bool {
        if self.form.errors.is_empty() {
            self.circle.sharing.names().contains(name)
        } else {
            self.form.has("share", name)
        }
    }

    /// The quiet days as saved, or as typed when the form came back.
    fn quiet_value(&self) -> String {
        if self.form.errors.is_empty() {
            self.circle
                .quiet_days
                .map(|d| d.to_string())
                .unwrap_or_default()
        } else {
            self.form.value("quiet_days").to_owned()
        }
    }
}

/// The fields of the circle page's forms.
const FIELDS: &[&str] = &["invite", "note", "quiet_days", "nudge"];

async fn circle_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: FormView,
) -> Result<CirclePage, AppError> {
    let circle = circles::circle(&state.app, viewer, id).await?;
    Ok(CirclePage {
        layout: ctx.layout(&circle.name),
        circle,
        dates: Dates::of(&state.app, Some(viewer)),
        form,
        link: None,
        done: None,
        choices: Sharing::CHOICES,
    })
}

/// `GET /circles/{id}` (`?link=` shows a new invite link once; `?done=` what just happened).
pub async fn show_circle(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = circle_page(&state, &viewer, &ctx, id, FormView::default()).await?;
    page.link = query_param(&query, "link");
    page.done = match query_param(&query, "done").as_deref() {
        Some("invited") => Some("Invited. They will find the invite under Circles."),
        Some("shared") => Some("Saved. The circle sees what you chose, from now on."),
        Some("note") => Some("Your encouragement is on the page."),
        Some("nudged") => Some("Sent: they will see that you are thinking of them."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Runs one of the circle page's forms: redirect with `done` when it went through, else the
/// page again with what was typed.
async fn circle_form(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: &FormData,
    done: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    let to = result.map(|()| format!("/circles/{id}?done={done}"));
    let kept = form
        .kept(FIELDS)
        .keep_owned("share".into(), &form.all("share").join(","));
    form_outcome(to, kept, async |view| {
        circle_page(state, viewer, ctx, id, view).await
    })
    .await
}

/// `POST /circles/{id}/invites`: invites members by pseudonym.
pub async fn invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["invite"])?;
        circles::invite(&state.app, &viewer, id, form.get("invite"))
            .await
            .map(|_| ())
    }
    .await;
    circle_form(&state, &viewer, &ctx, id, &form, "invited", result).await
}

/// `POST /circles/{id}/sharing`: the viewer's sharing choices (`share`, repeated) and quiet days.
pub async fn update_sharing(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["share", "quiet_days"])?;
        circles::update_sharing(
            &state.app,
            &viewer,
            id,
            form.all("share"),
            form.get("quiet_days"),
        )
        .await
    }
    .await;
    circle_form(&state, &viewer, &ctx, id, &form, "shared", result).await
}

/// `POST /circles/{id}/notes`: encouragement on the circle's page.
pub async fn write_note(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["note"])?;
        circles::write_note(&state.app, &viewer, id, form.get("note")).await
    }
    .await;
    circle_form(&state, &viewer, &ctx, id, &form, "note", result).await
}

/// `POST /circles/{id}/nudge`: "thinking of you" to the member named in `nudge`.
pub async fn nudge(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["nudge"])?;
        circles::nudge(&state.app, &viewer, id, form.get("nudge")).await
    }
    .await;
    circle_form(&state, &viewer, &ctx, id, &form, "nudged", result).await
}

/// `POST /circles/{id}/link`: a new invite link (the old one stops working).
pub async fn new_link(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let token = circles::new_invite_link(&state.app, &viewer, id).await?;
    Ok(Redirect::to(&format!("/circles/{id}?link={token}")).into_response())
}

/// `POST /circles/{id}/leave`
pub async fn leave(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    circles::leave(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/circles").into_response())
}

#[derive(Template)]
#[template(path = "circle_join.html")]
struct JoinPage {
    layout: Layout,
    token: String,
}

/// `GET /circles/join/{token}`: asks before joining by link.
pub async fn show_join(
    ctx: PageContext,
    SignedIn(_viewer): SignedIn,
    Path(token): Path<String>,
) -> Response {
    render(
        StatusCode::OK,
        &JoinPage {
            layout: ctx.layout("Join a circle"),
            token,
        },
    )
}

/// `POST /circles/join/{token}`
pub async fn join(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = circles::join_by_link(&state.app, &viewer, &token).await?;
    Ok(Redirect::to(&format!("/circles/{id}")).into_response())
}
