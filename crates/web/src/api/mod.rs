//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

pub mod account_recovery;
pub mod accounts;
pub mod care;
pub mod community;
pub mod contract;
pub mod meetings;
pub mod mentors;
pub mod openapi;
pub mod people;
pub mod recovery;
pub mod standing;

use crate::routes::Routes;
use mutual_domain::permissions::Access::Public;

/// Every API route: the document, then each part's own.
pub(crate) fn routes(routes: Routes) -> Routes {
    let routes = routes.api(Public, utoipa_axum::routes!(openapi::show_openapi));
    [
        accounts::routes,
        account_recovery::routes,
        recovery::routes,
        meetings::routes,
        community::routes,
        care::routes,
        standing::routes,
        people::routes,
        mentors::routes,
    ]
    .into_iter()
    .fold(routes, |routes, part| part(routes))
}
