//! Sharing a milestone: a short form (the member's words, anonymous or not) that posts a
//! clock's latest milestone in the milestones space, never its start date.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::community::after_post;
use crate::pages::{form_outcome, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::community::milestones;
use uuid::Uuid;

const FIELDS: &[&str] = &["body", "anonymous"];

#[derive(Template)]
#[template(path = "share_milestone.html")]
struct SharePage {
    layout: Layout,
    clock_id: Uuid,
    title: String,
    form: FormView,
}

fn share_page(ctx: &PageContext, clock_id: Uuid, milestone: &str, form: FormView) -> SharePage {
    SharePage {
        layout: ctx.layout("Share a milestone"),
        clock_id,
        title: milestones::title(milestone),
        form,
    }
}

/// `GET /clocks/{id}/share`
pub async fn show_share(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let milestone = milestones::shareable(&state.app, &viewer, id).await?;
    let form = FormView::default().keep("body", &milestones::default_words(&milestone));
    Ok(render(
        StatusCode::OK,
        &share_page(&ctx, id, &milestone, form),
    ))
}

/// `POST /clocks/{id}/share`
pub async fn share(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(FIELDS)?;
        let mut errors = Vec::new();
        let anonymous = form.checkbox("anonymous", &mut errors);
        if !errors.is_empty() {
            return Err(mutual_app::AppError::Invalid(errors));
        }
        milestones::share(&state.app, &viewer, id, form.get("body"), anonymous).await
    }
    .await;
    let to = result.map(|posted| after_post(&posted));
    form_outcome(to, form.kept(FIELDS), async |view| {
        let milestone = milestones::shareable(&state.app, &viewer, id).await?;
        Ok(share_page(&ctx, id, &milestone, view))
    })
    .await
}
