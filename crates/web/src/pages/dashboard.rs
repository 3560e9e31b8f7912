//! The member's dashboard: today's check-in, clocks and milestones to celebrate, warning signs
//! with next steps, and notifications.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::layout::{Layout, PageContext};
use crate::pages::recovery::ClockCard;
use crate::pages::render;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::notifications::NotificationRow;
use mutual_app::recovery::{self, FiredSign};
use mutual_domain::recovery::warnings::NEXT_STEPS;
use uuid::Uuid;

struct Celebration {
    clock_id: Uuid,
    label: String,
    milestone: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    name: String,
    celebrations: Vec<Celebration>,
    warnings: Vec<FiredSign>,
    next_steps: [&'static str; 4],
    notifications: Vec<NotificationRow>,
    checked_in_today: bool,
    streak: u32,
    clocks: Vec<ClockCard>,
}

/// `GET /dashboard`
pub async fn show_dashboard(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let summary = recovery::dashboard(&state.app, &viewer).await?;
    let celebrations = summary
        .clocks
        .iter()
        .filter_map(|c| {
            c.celebrate.as_ref().map(|m| Celebration {
                clock_id: c.row.id,
                label: c.row.label.clone(),
                milestone: m.clone(),
            })
        })
        .collect();
    let page = DashboardPage {
        layout: ctx.layout("Dashboard"),
        name: viewer.username.as_str().to_owned(),
        celebrations,
        warnings: summary.warnings,
        next_steps: NEXT_STEPS,
        notifications: summary.notifications,
        checked_in_today: summary.checked_in_today,
        streak: summary.streak,
        clocks: summary.clocks.iter().map(ClockCard::from_view).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
