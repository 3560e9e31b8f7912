//! `/help`: crisis resources for the person's country (picked here, remembered in a cookie with
//! no account needed; a member's settings or time zone otherwise), rendered from lists held in
//! memory so that the page works without signing in, without JavaScript, and with the database
//! down; and the crisis offer other pages open on after crisis language.

use crate::AppState;
use crate::layout::{Layout, PageContext};
use crate::pages::render;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::crisis::CountryLines;
use std::sync::Arc;

/// The cookie that remembers the country picked on `/help`.
pub(crate) const COUNTRY_COOKIE: &str = "mutual_country";

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage<'a> {
    layout: Layout,
    lines: &'a CountryLines,
    countries: &'a [Arc<CountryLines>],
}

/// `GET /help`, and `GET /help?country=GB` (or `other`), which remembers the choice.
pub async fn show_help(
    State(state): State<AppState>,
    ctx: PageContext,
    query: RawQuery,
) -> Response {
    let picked = crate::pages::query_param(&query, "country")
        .map(|code| code.trim().to_ascii_uppercase())
        .filter(|code| !code.is_empty());
    let crisis = state.app.crisis.now();
    let lines = match &picked {
        Some(code) => crisis.for_person(Some(code), None, None),
        None => &ctx.crisis,
    };
    let mut response = render(
        StatusCode::OK,
        &HelpPage {
            layout: ctx.layout("Need help now?"),
            lines,
            countries: crisis.countries(),
        },
    );
    if picked.is_some() {
        remember_country(&state, &mut response, lines);
    }
    response
}

/// Remembers `lines`' country in the country cookie for a year ("OTHER" for somewhere else):
/// at a pick on `/help`, and at sign-in and in settings for a member, so that `/help`, which
/// reads no session (it works with the database down), shows a member their own lines too.
pub(crate) fn remember_country(state: &AppState, response: &mut Response, lines: &CountryLines) {
    use crate::cookies::{SameSite, set, site_cookie};
    let value = if lines.code.is_empty() {
        "OTHER"
    } else {
        lines.code.as_str()
    };
    let cookie = site_cookie(
        COUNTRY_COOKIE,
        value,
        SameSite::Lax,
        state.web.secure_cookies,
    )
    .max_age(::cookie::time::Duration::days(365));
    set(response, &cookie.build());
}

/// The query parameter that asks a page for the crisis offer at its top.
pub(crate) const CRISIS_OFFER_PARAM: &str = "support";

/// The crisis lines and a Reach out offer, shown at the very top of the page the member lands
/// on after their own words had crisis language (`crisis_offer.html`): reached at `#support`,
/// announced as an alert, and focused (by the page's script) before their post or message.
pub(crate) struct CrisisOffer {
    /// What has just happened, said first ("Your post is up.").
    pub done: &'static str,
    pub lines: Arc<CountryLines>,
}

impl CrisisOffer {
    /// The offer with the lines for the page's viewer.
    pub(crate) fn new(ctx: &PageContext, done: &'static str) -> CrisisOffer {
        CrisisOffer {
            done,
            lines: ctx.crisis.clone(),
        }
    }

    /// The offer when `query` asks for it (the redirect from [`with_crisis_offer`]).
    pub(crate) fn asked(
        ctx: &PageContext,
        query: &RawQuery,
        done: &'static str,
    ) -> Option<CrisisOffer> {
        crate::pages::query_param(query, CRISIS_OFFER_PARAM).map(|_| CrisisOffer::new(ctx, done))
    }
}

/// `path` (a path with an optional query, no `#anchor`) as the page that opens on the crisis
/// offer.
pub(crate) fn with_crisis_offer(path: &str) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}{CRISIS_OFFER_PARAM}=1#support")
}
