//! The notifications page: everything the member was told, newest first, with the unread ones
//! marked; opening one marks it read.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::layout::{Layout, PageContext};
use crate::pages::{parse_id, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::notifications::{self, NotificationRow};
use mutual_domain::Timestamp;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    notifications: Vec<(NotificationRow, String)>,
}

/// `GET /notifications`
pub async fn show_notifications(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let notifications = notifications::recent(&state.app, &viewer, 100)
        .await?
        .into_iter()
        .map(|n| {
            let at = viewer.zone.display(Timestamp(n.created_at));
            (n, at)
        })
        .collect();
    let page = NotificationsPage {
        layout: ctx.layout("Notifications"),
        notifications,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /notifications/{id}/open`: marks one read and goes where it leads.
pub async fn open_notification(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<String>,
    _form: FormData,
) -> Result<Response, PageError> {
    let link = notifications::open(&state.app, &viewer, parse_id(&id)?).await?;
    let link = if crate::auth::is_local_path(&link) {
        link
    } else {
        "/notifications".to_owned()
    };
    Ok(Redirect::to(&link).into_response())
}

/// `POST /notifications/read`: marks them all read.
pub async fn mark_all_read(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    let back = if form.get("back") == "notifications" {
        "/notifications"
    } else {
        "/dashboard"
    };
    notifications::mark_all_read(&state.app, &viewer).await?;
    Ok(Redirect::to(back).into_response())
}
