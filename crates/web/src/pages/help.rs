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

/// The query parameter that asks a page for the crisis offer at its top.
pub(crate) const CRISIS_OFFER_PARAM: &str = "support";

/// The crisis lines and a Reach out offer, shown at the very top of the page the member lands
/// on after their own words had crisis language (`crisis_offer.html`): reached at `#support`,
/// announced as an alert, and focused (by the page's script) before their post or message.
pub(crate) struct CrisisOffer {
    /// What has just happened, said first ("Your post is up.").
    pub done: &'static str,
    pub resources: Vec<CrisisResource>,
}

impl CrisisOffer {
    pub(crate) fn new(state: &AppState, done: &'static str) -> CrisisOffer {
        CrisisOffer {
            done,
            resources: state.app.config.crisis.resources.clone(),
        }
    }

    /// The offer when `query` asks for it (the redirect from [`with_crisis_offer`]).
    pub(crate) fn asked(
        state: &AppState,
        query: &axum::extract::RawQuery,
        done: &'static str,
    ) -> Option<CrisisOffer> {
        crate::pages::query_param(query, CRISIS_OFFER_PARAM).map(|_| CrisisOffer::new(state, done))
    }
}

/// `path` (a path with an optional query, no `#anchor`) as the page that opens on the crisis
/// offer.
pub(crate) fn with_crisis_offer(path: &str) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}{CRISIS_OFFER_PARAM}=1#support")
}
