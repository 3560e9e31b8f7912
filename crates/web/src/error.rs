//! How a failed use case becomes a response: an HTML page for the site, the JSON envelope
//! `{"error": {"code", "message"}}` for the API. Server errors are logged once with the
//! request id and never shown in detail.

use crate::layout::Layout;
use crate::middleware::request_id;
use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mutual_app::AppError;

/// Status, machine code and human message for an error.
pub fn describe(error: &AppError) -> (StatusCode, &'static str, String) {
    match error {
        AppError::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            field_summary(fields),
        ),
        AppError::BadCredentials => (
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "That pseudonym and password don't match. Please check both and try again.".into(),
        ),
        AppError::Throttled(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!(
                "Too many attempts. For your account's safety, please wait {} and try again.",
                human_wait(wait.as_secs())
            ),
        ),
        AppError::TooOften(field, _) => (
            StatusCode::TOO_MANY_REQUESTS,
            "too_often",
            field_summary(std::slice::from_ref(field)),
        ),
        AppError::PendingApproval => (
            StatusCode::FORBIDDEN,
            "pending_approval",
            "Your account is waiting for an admin's approval. Please try again later.".into(),
        ),
        AppError::Suspended(reason) => (
            StatusCode::FORBIDDEN,
            "suspended",
            match reason {
                Some(reason) => format!(
                    "Your account is suspended. The reason given: {reason} If you think this is wrong, you can appeal at /appeal."
                ),
                None => "Your account is suspended. If you think this is wrong, you can appeal at /appeal.".into(),
            },
        ),
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", (*why).into()),
        AppError::Conflict(why) => (StatusCode::CONFLICT, "conflict", (*why).into()),
        AppError::SignInRequired => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "This part of the community is open to members only. Please log in.".into(),
        ),
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing here, or it is not yours to see.".into(),
        ),
        AppError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The server can't reach its database right now. Please try again in a minute.".into(),
        ),
        AppError::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!(
                "Something went wrong on our side. If it keeps happening, tell an admin the reference {}.",
                request_id()
            ),
        ),
    }
}

/// The envelope's `message` for errors that name fields: each "field: message", in order.
fn field_summary(fields: &[mutual_app::FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to show on a form for an error the form itself can explain: the field messages of bad
/// input, or a refusal's message as one form-wide message. Anything else comes back as the error,
/// for a full error page.
pub fn form_errors(error: AppError) -> Result<Vec<mutual_app::FieldError>, AppError> {
    match error {
        AppError::Invalid(errors) => Ok(errors),
        AppError::TooOften(field, _) => Ok(vec![field]),
        refusal @ (AppError::Forbidden(_) | AppError::Conflict(_)) => {
            Ok(vec![mutual_app::FieldError::new(
                "form",
                describe(&refusal).2,
            )])
        }
        other => Err(other),
    }
}

fn human_wait(seconds: u64) -> String {
    match seconds {
        0..=59 => "a minute".into(),
        60..=119 => "about 2 minutes".into(),
        _ => format!("about {} minutes", seconds.div_ceil(60)),
    }
}

fn log_if_server_error(error: &AppError) {
    match error {
        AppError::Internal(detail) => tracing::error!(detail = %detail, "internal error"),
        AppError::Unavailable => tracing::warn!("database unavailable"),
        _ => {}
    }
}

/// How many seconds a 503 (database unavailable, request timed out, not ready) asks a client to
/// wait before trying again.
pub(crate) const RETRY_AFTER_SECONDS: u64 = 5;

/// `Retry-After` on the answers that are worth retrying: throttling and limits (after their wait) and an
/// unavailable database.
fn with_retry_after(mut response: Response, error: &AppError) -> Response {
    let seconds = match error {
        AppError::Throttled(wait) | AppError::TooOften(_, wait) => wait.as_secs().max(1),
        AppError::Unavailable => RETRY_AFTER_SECONDS,
        _ => return response,
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// An error answered with an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError(error)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
}

/// A plain page with a heading and a message, for errors outside any form.
pub fn message_page(status: StatusCode, heading: &'static str, message: String) -> Response {
    let page = ErrorPage {
        layout: Layout::bare(heading),
        heading,
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, heading).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_server_error(&self.0);
        let (status, _, message) = describe(&self.0);
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not available",
            StatusCode::CONFLICT => "Already done",
            StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
            StatusCode::UNPROCESSABLE_ENTITY => "Please check what you entered",
            StatusCode::UNAUTHORIZED => "Please sign in",
            StatusCode::SERVICE_UNAVAILABLE => "Temporarily unavailable",
            _ => "Something went wrong",
        };
        with_retry_after(message_page(status, heading, message), &self.0)
    }
}

/// An error answered with the JSON envelope.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

/// The JSON error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_if_server_error(&self.0);
        let (status, code, message) = describe(&self.0);
        let fields = match &self.0 {
            AppError::Invalid(fields) => Some(fields.as_slice()),
            AppError::TooOften(field, _) => Some(std::slice::from_ref(field)),
            _ => None,
        };
        let mut response = if let Some(fields) = fields {
            let body = serde_json::json!({
                "error": { "code": code, "message": message, "fields": fields }
            });
            (status, Json(body)).into_response()
        } else {
            envelope(status, code, &message)
        };
        response = with_retry_after(response, &self.0);
        response
    }
}

/// 401 for an API call without a valid session.
pub fn unauthenticated_json() -> Response {
    let mut response = envelope(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Sign in first: send 'Authorization: Bearer <token>' from POST /api/v1/sessions, or the session cookie.",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// 405 for a method the path does not serve, naming those it does in `Allow`.
pub fn method_not_allowed(api: bool, allow: HeaderValue) -> Response {
    let message = format!(
        "This address does not take that method. It takes: {}.",
        allow.to_str().unwrap_or("")
    );
    let mut response = if api {
        envelope(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &message,
        )
    } else {
        message_page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Not available this way",
            message,
        )
    };
    response.headers_mut().insert(header::ALLOW, allow);
    response
}

/// 404 for an address nothing is registered at: the JSON envelope under `/api/`, else a page.
pub fn nothing_here(api: bool) -> Response {
    if api {
        envelope(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no such API address; GET /api/v1/openapi.json lists them all.",
        )
    } else {
        message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing at this address. It may have moved, or the link may be mistyped."
                .into(),
        )
    }
}
