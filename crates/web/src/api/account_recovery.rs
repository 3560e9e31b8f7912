//! `/api/v1` account recovery: back into an account with a recovery code, for clients that are
//! not a browser. The reset link by e-mail stays a page (it is opened from the e-mail).

use crate::AppState;
use crate::api::contract::ErrorResponse;
use crate::client::Client;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::routes::Routes;
use axum::extract::State;
use axum::http::StatusCode;
use mutual_app::account_recovery;
use mutual_domain::permissions::Access::Anyone;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// `POST /api/v1/account-recovery` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverRequest {
    #[schema(example = "quiet_harbour")]
    pub username: String,
    /// One of the account's recovery codes (case, spaces and dashes do not matter).
    #[schema(example = "7K2M-QX9P-4DRT-HV3N")]
    pub code: String,
    #[schema(example = "lantern harbour violet tide")]
    pub new_password: String,
}

/// Back into an account with a recovery code: the code is spent, the password replaced and
/// every session of the account ended; sign in with the new password next
#[utoipa::path(post, path = "/api/v1/account-recovery", tag = "accounts",
    request_body = RecoverRequest,
    responses(
        (status = 204, description = "Recovered: sign in with the new password"),
        (status = 422, description = "The pseudonym and code do not go together, the code was used, or the password is too weak", body = ErrorResponse),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorResponse),
    ))]
pub async fn recover(
    State(state): State<AppState>,
    client: Client,
    ApiJson(request): ApiJson<RecoverRequest>,
) -> Result<StatusCode, ApiError> {
    account_recovery::recover_with_code(
        &state.app,
        &request.username,
        &request.code,
        &request.new_password,
        &client.address,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn routes(routes: Routes) -> Routes {
    routes.api(Anyone, routes!(recover))
}
