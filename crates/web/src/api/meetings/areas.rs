//! The directory's areas over the API: the tree that searches, the finder and listings name
//! an area from (by its path, "Chicago > Portage Park").

use crate::AppState;
use crate::auth::MaybeViewer;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use mutual_app::meetings::{self, areas};
use serde::Serialize;
use utoipa::ToSchema;

/// One area of the directory.
#[derive(Serialize, ToSchema)]
struct DirectoryArea {
    id: uuid::Uuid,
    /// Its own name.
    #[schema(example = "Portage Park")]
    name: String,
    /// Its path from the region down, as searches and listings name it.
    #[schema(example = "Chicago > Portage Park")]
    path: String,
    /// `region`, `sub-region` or `district`.
    #[schema(example = "sub-region")]
    level: &'static str,
    /// The zone its meetings take when a feed names none (its own or from above); null when
    /// none is set.
    #[schema(example = "America/Chicago")]
    time_zone: Option<String>,
    /// Meetings in it or in an area under it.
    meetings: i64,
}

/// Every area.
#[derive(Serialize, ToSchema)]
struct AreasResponse {
    /// In tree order: each area followed by those under it, siblings by name.
    areas: Vec<DirectoryArea>,
}

/// The directory's areas
#[utoipa::path(get, path = "/api/v1/areas", tag = "meetings",
    responses((status = 200, description = "The areas", body = AreasResponse)))]
pub async fn list_areas(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
) -> Result<Response, ApiError> {
    meetings::directory_for(&state.app, viewer.as_ref()).await?;
    let areas = areas::summaries(&state.app)
        .await?
        .into_iter()
        .map(|a| DirectoryArea {
            id: a.id,
            level: mutual_domain::meetings::areas::LEVELS[a.level.min(2)],
            time_zone: Some(a.zone.clone())
                .filter(|z| !z.is_empty())
                .or(a.inherited_zone),
            name: a.name,
            path: a.label,
            meetings: a.meetings,
        })
        .collect();
    Ok(Json(AreasResponse { areas }).into_response())
}
