//! The start page: what Mutual is, and the way in.

use crate::layout::{Layout, PageContext};
use crate::pages::render;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

/// `GET /`
pub async fn show_home(ctx: PageContext) -> Response {
    render(
        StatusCode::OK,
        &HomePage {
            layout: ctx.layout("Welcome"),
        },
    )
}
