//! The member's dashboard: the cards later features fill.

use crate::auth::SignedIn;
use crate::layout::{Layout, PageContext};
use crate::pages::render;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    name: String,
}

/// `GET /dashboard`
pub async fn show_dashboard(SignedIn(viewer): SignedIn, ctx: PageContext) -> Response {
    render(
        StatusCode::OK,
        &DashboardPage {
            layout: ctx.layout("Dashboard"),
            name: viewer.username.as_str().to_owned(),
        },
    )
}
