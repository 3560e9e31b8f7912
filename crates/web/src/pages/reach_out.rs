//! The Reach out button: a confirmation page (with help already on it), the alert page the
//! member lands on (who was told, who responded, crisis lines, meetings soon, a breathing
//! exercise) and the page recipients open to reply with one click. Works without JavaScript.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{Dates, FormView, Layout, PageContext};
use crate::pages::{form_outcome, query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::crisis::CountryLines;
use mutual_app::people::reach_out::{self, AlertView, HelpNow, RecentAlert, WouldTell};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "reach_out.html")]
struct ConfirmPage {
    layout: Layout,
    crisis: Arc<CountryLines>,
    help: HelpNow,
    would: WouldTell,
    recent: Vec<RecentAlert>,
    dates: Dates,
    form: FormView,
}

impl ConfirmPage {
    fn crisis(&self) -> &CountryLines {
        &self.crisis
    }

    /// Whom a press tells, in words: "ana, ben and cy (your circles) and dee (your mentor)".
    fn told(&self) -> String {
        let group = |names: &[String], whose: &str| {
            (!names.is_empty()).then(|| format!("{} ({whose})", and_list(names)))
        };
        let mentor = if self.would.mentors.len() == 1 {
            "your mentor"
        } else {
            "your mentors"
        };
        let parts: Vec<String> = [
            group(&self.would.circle_members, "your circles"),
            group(&self.would.mentors, mentor),
        ]
        .into_iter()
        .flatten()
        .collect();
        and_list(&parts)
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

async fn confirm_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
) -> Result<ConfirmPage, AppError> {
    Ok(ConfirmPage {
        layout: ctx.layout("Reach out"),
        crisis: ctx.crisis.clone(),
        help: reach_out::help_now(&state.app, viewer).await?,
        would: reach_out::would_tell(&state.app, viewer).await?,
        recent: reach_out::recent_alerts(&state.app, viewer).await?,
        dates: Dates::of(&state.app, Some(viewer)),
        form,
    })
}

/// `GET /reach-out`: what pressing does, a message box, and help already.
pub async fn show_reach_out(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &confirm_page(&state, &viewer, &ctx, FormView::default()).await?,
    ))
}

/// `POST /reach-out`: tells the circle (or shows the alert sent moments ago).
pub async fn press(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["message"])?;
        reach_out::reach_out(&state.app, &viewer, form.get("message")).await
    }
    .await;
    let to = result.map(|pressed| {
        let again = if pressed.sent { "" } else { "?again=1" };
        format!("/reach-out/{}{again}", pressed.id)
    });
    form_outcome(to, form.kept(&["message"]), async |view| {
        confirm_page(&state, &viewer, &ctx, view).await
    })
    .await
}

#[derive(Template)]
#[template(path = "reach_out_alert.html")]
struct AlertPage {
    layout: Layout,
    alert: AlertView,
    crisis: Arc<CountryLines>,
    help: HelpNow,
    dates: Dates,
    again: bool,
    form: FormView,
}

impl AlertPage {
    fn crisis(&self) -> &CountryLines {
        &self.crisis
    }

    fn responded(&self) -> Vec<&str> {
        self.alert
            .recipients
            .iter()
            .filter(|r| r.responded_at.is_some())
            .map(|r| r.username.as_str())
            .collect()
    }
}

/// The words a recipient's reply starts with; they can change them.
const REPLY: &str = "I saw you reached out. I'm here: do you want to talk?";

async fn alert_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: FormView,
) -> Result<AlertPage, AppError> {
    let alert = reach_out::alert(&state.app, viewer, id).await?;
    let help = if alert.mine {
        reach_out::help_now(&state.app, viewer).await?
    } else {
        HelpNow {
            starting_soon: Vec::new(),
            online_now: Vec::new(),
        }
    };
    Ok(AlertPage {
        layout: ctx.layout(if alert.mine {
            "You reached out"
        } else {
            "Reach out"
        }),
        alert,
        crisis: ctx.crisis.clone(),
        help,
        dates: Dates::of(&state.app, Some(viewer)),
        again: false,
        form,
    })
}

/// `GET /reach-out/{id}`
pub async fn show_alert(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = alert_page(
        &state,
        &viewer,
        &ctx,
        id,
        FormView::default().keep("body", REPLY),
    )
    .await?;
    page.again = query_param(&query, "again").is_some();
    Ok(render(StatusCode::OK, &page))
}

/// `POST /reach-out/{id}/reply`: a recipient's reply, in their conversation with the member.
pub async fn reply(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["body"])?;
        reach_out::respond(&state.app, &viewer, id, form.get("body")).await
    }
    .await;
    let to = result.map(|conversation| format!("/messages/{conversation}"));
    form_outcome(to, form.kept(&["body"]), async |view| {
        alert_page(&state, &viewer, &ctx, id, view).await
    })
    .await
}
