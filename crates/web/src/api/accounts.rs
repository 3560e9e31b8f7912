//! `/api/v1` accounts and sessions: register, sign in and out, who am I, export.

use crate::AppState;
use crate::api::contract::ErrorResponse;
use crate::auth::SignedIn;
use crate::client::Client;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::accounts::{self, Credentials, Registration, SessionKind};
use mutual_app::privacy;
use mutual_domain::permissions::Access::{Anyone, Member};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

/// `POST /api/v1/accounts` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    /// A pseudonym: letters, digits, `_`, `.` and `-`, starting and ending with a letter or digit.
    #[schema(min_length = 3, max_length = 32, example = "quiet_harbour")]
    pub username: String,
    /// At least 12 characters; a passphrase of several words is best.
    #[schema(
        min_length = 12,
        max_length = 256,
        example = "lantern harbour violet tide"
    )]
    pub password: String,
    /// Optional, for notifications; never required.
    #[serde(default)]
    pub email: Option<String>,
    /// The invite token, when registration is by invitation.
    #[serde(default)]
    pub invite: Option<String>,
    /// An IANA time zone such as "Europe/London"; the server's default when absent.
    #[serde(default)]
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
}

/// Something about the chosen pseudonym worth a second thought.
#[derive(Serialize, ToSchema)]
struct WarningResponse {
    code: mutual_domain::accounts::NameWarning,
    message: &'static str,
}

/// A new account.
#[derive(Serialize, ToSchema)]
struct AccountResponse {
    id: uuid::Uuid,
    #[schema(example = "quiet_harbour")]
    username: String,
    /// `pending` when registration needs an admin's approval.
    status: mutual_domain::accounts::AccountStatus,
    warnings: Vec<WarningResponse>,
    /// Ten single-use codes that let the member choose a new password if they forget theirs
    /// (`POST /account-recovery/code` on the site). Shown only in this answer: show them to the
    /// member now, and keep no copy.
    #[schema(example = json!(["7k3m-q9xa-2b8d-hh4w"]))]
    recovery_codes: Vec<String>,
}

/// Register with a pseudonym and a password
///
/// No real name, e-mail or phone number is needed.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    request_body = CreateAccountRequest,
    responses(
        (status = 201, description = "Account created (status pending when registration needs approval)", body = AccountResponse),
        (status = 403, description = "Registration is closed or by invitation", body = ErrorResponse),
        (status = 429, description = "Too many registrations from this address; see Retry-After", body = ErrorResponse),
    ))]
pub async fn create_account(
    State(state): State<AppState>,
    client: Client,
    ApiJson(request): ApiJson<CreateAccountRequest>,
) -> Result<Response, ApiError> {
    let registered = accounts::register(
        &state.app,
        Registration {
            username: &request.username,
            password: &request.password,
            email: request.email.as_deref().unwrap_or(""),
            invite: request.invite.as_deref(),
            client: &client.address,
            time_zone: request.time_zone.as_deref().unwrap_or(""),
        },
    )
    .await?;
    let body = AccountResponse {
        id: registered.user_id.0,
        username: registered.username.as_str().to_owned(),
        status: registered.status,
        warnings: registered
            .warnings
            .into_iter()
            .map(|w| WarningResponse {
                code: w,
                message: w.message(),
            })
            .collect(),
        recovery_codes: registered.recovery_codes,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /api/v1/sessions` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    #[schema(example = "quiet_harbour")]
    pub username: String,
    #[schema(example = "lantern harbour violet tide")]
    pub password: String,
}

/// A bearer token and how long it lasts.
#[derive(Serialize, ToSchema)]
struct SessionResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// RFC 3339; the session ends then at the latest.
    #[schema(format = DateTime)]
    expires_at: String,
    /// The session ends after this long unused.
    idle_timeout_seconds: i64,
}

/// Sign in and receive a bearer token
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts",
    request_body = CreateSessionRequest,
    responses(
        (status = 201, description = "Signed in", body = SessionResponse),
        (status = 401, description = "That pseudonym and password don't match", body = ErrorResponse),
        (status = 403, description = "The account is suspended or waiting for approval", body = ErrorResponse),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorResponse),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    client: Client,
    ApiJson(request): ApiJson<CreateSessionRequest>,
) -> Result<Response, ApiError> {
    let signed_in = accounts::log_in(
        &state.app,
        Credentials {
            username: &request.username,
            password: &request.password,
            remember: true,
            kind: SessionKind::Api,
            client: &client.address,
            device: "API client",
        },
    )
    .await?;
    let body = SessionResponse {
        token: signed_in.token,
        token_type: "Bearer",
        expires_at: signed_in.session.expires_at.to_rfc3339(),
        idle_timeout_seconds: signed_in.session.idle_timeout_ms / 1000,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Sign out (end the session that made this request)
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 204, description = "Signed out")))]
pub async fn delete_current_session(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<StatusCode, ApiError> {
    accounts::log_out(&state.app, &viewer).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in member.
#[derive(Serialize, ToSchema)]
struct MeResponse {
    id: uuid::Uuid,
    #[schema(example = "quiet_harbour")]
    username: String,
    role: mutual_domain::permissions::Role,
    /// RFC 3339.
    #[schema(format = DateTime)]
    member_since: String,
}

/// The signed-in member
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The member", body = MeResponse)))]
pub async fn show_me(SignedIn(viewer): SignedIn) -> Response {
    Json(MeResponse {
        id: viewer.user_id.0,
        username: viewer.username.as_str().to_owned(),
        role: viewer.role,
        member_since: viewer.member_since.to_rfc3339(),
    })
    .into_response()
}

/// The member's export: every table that holds their data, each a list of rows, times as
/// RFC 3339, durations in seconds.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // describes the document `privacy::export_my_data` builds
struct ExportResponse {
    /// `mutual-export/1`.
    #[schema(example = "mutual-export/1")]
    format: String,
    #[schema(format = DateTime)]
    exported_at: String,
    /// The account: pseudonym, e-mail, role, status, time zone, when it was made and changed.
    users: ExportedAccount,
    /// Every other table holding the member's data (sessions, audit_log, clocks, checkins,
    /// posts, messages, ...), each a list of rows.
    #[serde(flatten)]
    tables: std::collections::BTreeMap<
        String,
        Vec<std::collections::BTreeMap<String, serde_json::Value>>,
    >,
}

/// The account's own row, less its password hash.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // describes the document `privacy::export_my_data` builds
struct ExportedAccount {
    id: uuid::Uuid,
    username: String,
    email: Option<String>,
    role: mutual_domain::permissions::Role,
    status: mutual_domain::accounts::AccountStatus,
    status_reason: Option<String>,
    time_zone: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Everything stored about the signed-in member
///
/// A download of every table holding the member's data, keyed by table name (the same file as
/// the settings page's export). Asking for it is written to the member's audit log.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts",
    responses((status = 200, description = "The export, keyed by table name", body = ExportResponse)))]
pub async fn export_me(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    Ok(Json(privacy::export_my_data(&state.app, &viewer).await?).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Anyone, routes!(create_account))
        .api(Anyone, routes!(create_session))
        .api(Member, routes!(delete_current_session))
        .api(Member, routes!(show_me))
        .api(Member, routes!(export_me))
}
