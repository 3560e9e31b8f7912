//! `/api/v1` accounts and sessions: register, sign in and out, who am I, export.

use crate::AppState;
use crate::auth::SignedIn;
use crate::client::Client;
use crate::error::ApiError;
use crate::forms::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::accounts::{self, Credentials, Registration, SessionKind};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/accounts` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub invite: Option<String>,
    /// An IANA time zone such as "Europe/London"; the server's default when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Serialize)]
struct WarningResponse {
    code: mutual_domain::accounts::NameWarning,
    message: &'static str,
}

#[derive(Serialize)]
struct AccountResponse {
    id: String,
    username: String,
    status: mutual_domain::accounts::AccountStatus,
    warnings: Vec<WarningResponse>,
}

/// `POST /api/v1/accounts`
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
        id: registered.user_id.to_string(),
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
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /api/v1/sessions` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize)]
struct SessionResponse {
    token: String,
    token_type: &'static str,
    expires_at: String,
    idle_timeout_seconds: i64,
}

/// `POST /api/v1/sessions`: a bearer token for API clients.
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

/// `DELETE /api/v1/sessions/current`
pub async fn delete_current_session(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<StatusCode, ApiError> {
    accounts::log_out(&state.app, &viewer).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct MeResponse {
    id: String,
    username: String,
    role: mutual_domain::permissions::Role,
    member_since: String,
}

/// `GET /api/v1/me`
pub async fn show_me(SignedIn(viewer): SignedIn) -> Response {
    Json(MeResponse {
        id: viewer.user_id.to_string(),
        username: viewer.username.as_str().to_owned(),
        role: viewer.role,
        member_since: viewer.member_since.to_rfc3339(),
    })
    .into_response()
}

/// `GET /api/v1/me/export`
pub async fn export_me(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    Ok(Json(accounts::export_my_data(&state.app, &viewer).await?).into_response())
}
