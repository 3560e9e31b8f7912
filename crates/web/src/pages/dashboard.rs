//! The member's dashboard: what is coming up (the next saved meeting, their mentors and the
//! check-in rhythm agreed with each), today's check-in, clocks and milestones to celebrate,
//! warning signs with next steps, and notifications.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::layout::{Dates, Layout, PageContext};
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

/// One thing coming up: where it leads, what it is, and when (or how often).
struct ComingUp {
    href: String,
    what: String,
    when: String,
}

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
    coming_up: Vec<ComingUp>,
    saved_meetings: usize,
}

/// `GET /dashboard`
pub async fn show_dashboard(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let app = &state.app;
    let summary = recovery::dashboard(app, &viewer).await?;
    let soon = &summary.coming_up;
    let next_meeting = soon
        .next_meeting
        .as_ref()
        .map(|(id, name, start)| ComingUp {
            href: format!("/meetings/{id}"),
            what: name.clone(),
            when: Dates::of(app, Some(&viewer)).instant(*start),
        });
    let with_mentors = soon.mentors.iter().map(|m| ComingUp {
        href: format!("/mentoring/{}", m.id),
        what: if m.my_mentor {
            format!("Your mentor {}", m.with)
        } else {
            format!("Mentoring {}", m.with)
        },
        when: if m.cadence.is_empty() {
            "no check-in rhythm agreed yet".to_owned()
        } else {
            m.cadence.clone()
        },
    });
    let coming_up = next_meeting.into_iter().chain(with_mentors).collect();
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
        coming_up,
        saved_meetings: summary.coming_up.saved_meetings,
    };
    Ok(render(StatusCode::OK, &page))
}
