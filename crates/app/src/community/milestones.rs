//! Sharing a milestone: only when the member chooses to, a recovery clock's latest milestone
//! becomes a thread in the space for wins and milestones, saying how long ("30 days"), never
//! the date the clock started.

use super::{ComposeInput, Posted, start_thread, visible_spaces};
use crate::accounts::Viewer;
use crate::{App, AppError};
use uuid::Uuid;

/// What a milestone post says unless the member writes their own words.
pub fn default_words(milestone: &str) -> String {
    format!("I have reached {milestone}. Thank you all for being part of it.")
}

/// The thread title a shared milestone gets.
pub fn title(milestone: &str) -> String {
    format!("Milestone: {milestone}")
}

/// The latest milestone reached on one of the member's clocks, if any.
pub async fn shareable(app: &App, viewer: &Viewer, clock: Uuid) -> Result<String, AppError> {
    crate::recovery::find_clock(app, viewer, clock)
        .await?
        .latest
        .ok_or(AppError::Forbidden(
            "This clock has not reached its first milestone yet; you can share it once it has.",
        ))
}

/// Posts the clock's latest milestone in the milestones space, with the member's words (or the
/// default ones), anonymously if they choose.
pub async fn share(
    app: &App,
    viewer: &Viewer,
    clock: Uuid,
    words: &str,
    anonymous: bool,
) -> Result<Posted, AppError> {
    let milestone = shareable(app, viewer, clock).await?;
    let space = visible_spaces(app, Some(viewer))
        .await?
        .into_iter()
        .find(|s| s.purpose == "milestones")
        .ok_or(AppError::Forbidden(
            "This community has no space for milestones at the moment; an admin can add one.",
        ))?;
    let body = if words.trim().is_empty() {
        default_words(&milestone)
    } else {
        words.to_owned()
    };
    start_thread(
        app,
        viewer,
        space.id,
        &ComposeInput {
            title: &title(&milestone),
            body: &body,
            anonymous,
            ..ComposeInput::default()
        },
    )
    .await
}
