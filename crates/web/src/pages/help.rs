//! `/help`: crisis resources, rendered from configuration held in memory so that the page works
//! without signing in, without JavaScript, and with the database down.

use crate::AppState;
use crate::layout::{Layout, PageContext};
use crate::pages::render;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::config::CrisisResource;

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage<'a> {
    layout: Layout,
    region: &'a str,
    resources: &'a [CrisisResource],
    note: &'a str,
}

/// `GET /help`
pub async fn show_help(State(state): State<AppState>, ctx: PageContext) -> Response {
    let crisis = &state.app.config.crisis;
    render(
        StatusCode::OK,
        &HelpPage {
            layout: ctx.layout("Need help now?"),
            region: &crisis.region,
            resources: &crisis.resources,
            note: &crisis.note,
        },
    )
}
