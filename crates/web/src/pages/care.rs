//! A moderator's care pages: writing to the author of a post in the review queue (an anonymous
//! author stays unnamed), and calling off a check-in they asked to be reminded of.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{form_outcome, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::people::care::{self, Recipient};
use uuid::Uuid;

/// The form's fields.
const FIELDS: &[&str] = &["body", "check_in_days"];

/// What a moderator might say first; theirs to change.
const OPENING: &str = "Hi, I'm one of the moderators here. I read your post and wanted to ask how you are doing right now. You don't have to answer, but I'm here if you want to talk. If you might act on thoughts of ending your life, please call one of the crisis lines on the Help page now.";

#[derive(Template)]
#[template(path = "care_message.html")]
struct MessagePage {
    layout: Layout,
    recipient: Recipient,
    form: FormView,
    fields: &'static [&'static str],
    days: Vec<(String, String)>,
}

async fn message_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    post: Uuid,
    form: FormView,
) -> Result<MessagePage, AppError> {
    let recipient = care::recipient(&state.app, viewer, post).await?;
    let days = [1, 2, 3, 7, care::MAX_CHECK_IN_DAYS]
        .map(|d| {
            let text = if d == 1 {
                "Tomorrow".to_owned()
            } else {
                format!("In {d} days")
            };
            (d.to_string(), text)
        })
        .to_vec();
    Ok(MessagePage {
        layout: ctx.layout(&format!("Write to {}", recipient.mid_sentence())),
        recipient,
        form,
        fields: FIELDS,
        days,
    })
}

/// `GET /moderation/posts/{id}/message`
pub async fn show_message(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(post): IdPath,
) -> Result<Response, PageError> {
    let form = FormView::default()
        .keep("body", OPENING)
        .keep("check_in_days", "1");
    let page = message_page(&state, &viewer, &ctx, post, form).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /moderation/posts/{id}/message`: `body`, and `check_in_days` ("" for no reminder).
pub async fn write_to_author(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(post): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(FIELDS)?;
        let (id, _) = care::write_to_author(
            &state.app,
            &viewer,
            post,
            form.get("body"),
            form.get("check_in_days"),
        )
        .await?;
        Ok(format!("/messages/{id}"))
    }
    .await;
    form_outcome(result, form.kept(FIELDS), async |view| {
        message_page(&state, &viewer, &ctx, post, view).await
    })
    .await
}

/// `POST /moderation/check-ins/{id}/cancel`
pub async fn cancel_check_in(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&[])?;
    care::cancel_check_in(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/moderation").into_response())
}
