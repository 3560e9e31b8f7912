//! HTML pages, one module per feature area, and what they share: rendering, cookies, redirects.

pub mod account_recovery;
pub mod accounts;
pub mod admin;
pub mod care;
pub mod circles;
pub mod community;
pub mod crisis;
pub mod dashboard;
pub mod directory_admin;
pub mod help;
pub mod home;
pub mod meeting_editing;
pub mod meetings;
pub mod mentors;
pub mod messages;
pub mod milestones;
pub mod moderation;
pub mod notifications;
pub mod reach_out;
pub mod recovery;
pub mod settings;
pub mod setup;
pub mod standing;

use crate::AppState;
use crate::auth::session_cookie_name;
use crate::error::PageError;
use askama::Template;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use mutual_app::AppError;

/// Renders a template with a status.
pub(crate) fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => PageError(AppError::Internal(format!("template: {error}"))).into_response(),
    }
}

/// What a submitted form comes to: a redirect to where the use case says when it went through,
/// or the form's page again (422) with what was typed (`kept`) and every problem when it was
/// refused. Any other error becomes the error page.
pub(crate) async fn form_outcome<P: Template>(
    result: Result<String, AppError>,
    kept: crate::layout::FormView,
    page: impl AsyncFnOnce(crate::layout::FormView) -> Result<P, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(error) => {
            let view = kept.with_errors(crate::error::form_errors(error)?);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(view).await?))
        }
    }
}

/// The 404 answer for any path nothing is registered at (the JSON envelope under `/api/`).
pub async fn not_found(uri: axum::http::Uri) -> Response {
    crate::error::nothing_here(crate::auth::is_api(uri.path()))
}

/// An id from the path; anything that is not one is simply not found.
pub(crate) fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::try_parse(id).map_err(|_| AppError::NotFound)
}

/// An `answer` field of `accept` or `decline` (invites and message requests): whether accepted.
pub(crate) fn parse_answer(answer: &str) -> Result<bool, AppError> {
    match answer {
        "accept" => Ok(true),
        "decline" => Ok(false),
        _ => Err(AppError::field("answer", "Choose accept or decline.")),
    }
}

/// One value from the query string.
pub(crate) fn query_param(query: &RawQuery, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.0.as_deref().unwrap_or("")).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A `303 See Other` to `to` that also sets (or, with `None`, clears) the session cookie, and
/// replaces the visitor's CSRF token.
pub(crate) fn redirect_with_session(
    state: &AppState,
    to: &str,
    token: Option<&str>,
    remember: bool,
) -> Response {
    let secure = state.web.secure_cookies;
    use crate::cookies::{SameSite, set, site_cookie};
    let cookie = site_cookie(
        session_cookie_name(secure),
        token.unwrap_or(""),
        SameSite::Lax,
        secure,
    );
    // A session kept for the member's remembered days, else until the browser closes; none at
    // all (an empty value that expires at once) when signing out.
    let lifetime = match token {
        Some(_) if remember => {
            let days = state.app.config.sessions.remember_idle_days;
            Some(i64::try_from(days.saturating_mul(24 * 3600)).unwrap_or(i64::MAX))
        }
        Some(_) => None,
        None => Some(0),
    };
    let cookie = match lifetime {
        Some(seconds) => cookie.max_age(::cookie::time::Duration::seconds(seconds)),
        None => cookie,
    };
    let mut response = Redirect::to(to).into_response();
    set(&mut response, &cookie.build());
    crate::csrf::rotate(&mut response, secure);
    response
}

/// `page` as the first answer of a new browser session (`token`): the session cookie set and
/// the CSRF token rotated, as [`redirect_with_session`] does for a redirect.
pub(crate) fn page_with_session(state: &AppState, page: Response, token: &str) -> Response {
    let secure = state.web.secure_cookies;
    use crate::cookies::{SameSite, set, site_cookie};
    let cookie = site_cookie(session_cookie_name(secure), token, SameSite::Lax, secure);
    let mut response = page;
    set(&mut response, &cookie.build());
    crate::csrf::rotate(&mut response, secure);
    response
}
