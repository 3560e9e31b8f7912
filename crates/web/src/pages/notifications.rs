//! The notifications page: everything the member was told, newest first, with the unread ones
//! marked; opening one marks it read. And the settings of how they are delivered: e-mail at
//! once or in a digest per category, quiet hours, discreet mode.

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
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::notifications::{self, NotificationRow, delivery};
use mutual_domain::notifications::Category;

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
    let dates = Dates::of(&state.app, Some(&viewer));
    let notifications = notifications::recent(&state.app, &viewer, 100)
        .await?
        .into_iter()
        .map(|n| {
            let at = dates.at(&n.created_at);
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
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let link = notifications::open(&state.app, &viewer, id).await?;
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

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsPage {
    layout: Layout,
    form: FormView,
    categories: Vec<(&'static str, &'static str)>,
    mail_configured: bool,
    saved: bool,
}

const SETTINGS_FIELDS: &[&str] = &[
    "address",
    "email",
    "digest",
    "quiet_start",
    "quiet_end",
    "discreet",
];

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: Option<FormView>,
) -> Result<SettingsPage, AppError> {
    let form = match form {
        Some(form) => form,
        None => {
            let settings = delivery::settings(&state.app, viewer).await?;
            let (start, end) = settings.quiet.map(|q| q.text()).unwrap_or_default();
            let view = FormView::default()
                .keep(
                    "address",
                    &delivery::address(&state.app, viewer)
                        .await?
                        .unwrap_or_default(),
                )
                .keep("email", &Category::join(&settings.email))
                .keep("digest", &Category::join(&settings.digest))
                .keep("quiet_start", &start)
                .keep("quiet_end", &end);
            if settings.discreet {
                view.keep("discreet", "on")
            } else {
                view
            }
        }
    };
    Ok(SettingsPage {
        layout: ctx.layout("Notification settings"),
        form,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        mail_configured: delivery::mail_configured(&state.app),
        saved: false,
    })
}

/// `GET /settings/notifications`
pub async fn show_settings(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let mut page = settings_page(&state, &viewer, &ctx, None).await?;
    page.saved = query_param(&query, "saved").is_some();
    Ok(render(StatusCode::OK, &page))
}

/// `POST /settings/notifications`
pub async fn save_settings(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(SETTINGS_FIELDS)?;
        let input = delivery::SettingsInput {
            address: form.get("address"),
            email: form.all("email"),
            digest: form.all("digest"),
            quiet_start: form.get("quiet_start"),
            quiet_end: form.get("quiet_end"),
            discreet: !form.get("discreet").is_empty(),
        };
        delivery::save_settings(&state.app, &viewer, &input).await
    }
    .await;
    let to = result.map(|()| "/settings/notifications?saved=1".to_owned());
    let kept = form.kept_lists(SETTINGS_FIELDS);
    form_outcome(to, kept, async |view| {
        settings_page(&state, &viewer, &ctx, Some(view)).await
    })
    .await
}
