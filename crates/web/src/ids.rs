//! Typed path parameters: an `{id}` that is not a UUID is simply not found, answered before the
//! handler runs with the 404 page or, under `/api/`, the JSON envelope, like any missing thing.

use crate::auth::is_api;
use crate::error::{ApiError, PageError};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{Required, schema::SchemaFormat};
use uuid::Uuid;

/// The route's one `{id}` parameter, parsed.
#[derive(Clone, Copy, Debug)]
pub struct IdPath(pub Uuid);

/// The 404 a request gets for an id that is not one.
fn not_found(parts: &Parts) -> Response {
    if is_api(parts.uri.path()) {
        ApiError(AppError::NotFound).into_response()
    } else {
        PageError(AppError::NotFound).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Ok(Path(raw)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(not_found(parts));
        };
        Uuid::try_parse(&raw)
            .map(IdPath)
            .map_err(|_| not_found(parts))
    }
}

impl utoipa::IntoParams for IdPath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The id (a UUID); anything else is not found"))
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String)
                        .format(Some(SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Uuid,
                        ))),
                ))
                .build(),
        ]
    }
}
