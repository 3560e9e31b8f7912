//! Getting back into an account: the recovery page (a recovery code, or a reset link by e-mail),
//! the reset link's page, and the recovery codes shown once (after joining, or renewed in
//! settings). Works without JavaScript.

use crate::AppState;
use crate::client::Client;
use crate::error::PageError;
use crate::forms::FormData;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::accounts::message;
use crate::pages::{form_outcome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::{AppError, account_recovery};

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub(crate) struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    /// Said first, when there is more to say (an account waiting for approval).
    note: Option<&'static str>,
    /// Where "continue" goes.
    next: &'static str,
}

/// The page that shows `codes` once.
pub(crate) fn codes_page(
    ctx: &PageContext,
    codes: Vec<String>,
    note: Option<&'static str>,
    next: &'static str,
) -> Response {
    render(
        StatusCode::OK,
        &CodesPage {
            layout: ctx.layout("Your recovery codes"),
            codes,
            note,
            next,
        },
    )
}

#[derive(Template)]
#[template(path = "account_recovery.html")]
struct RecoveryPage {
    layout: Layout,
    form: FormView,
    email_form: FormView,
    reset_links: bool,
}

fn recovery_page(
    state: &AppState,
    ctx: &PageContext,
    form: FormView,
    email_form: FormView,
) -> RecoveryPage {
    RecoveryPage {
        layout: ctx.layout("Get back into your account"),
        form,
        email_form,
        reset_links: account_recovery::reset_links_offered(&state.app),
    }
}

/// `GET /account-recovery`
pub async fn show_recovery(State(state): State<AppState>, ctx: PageContext) -> Response {
    render(
        StatusCode::OK,
        &recovery_page(&state, &ctx, FormView::default(), FormView::default()),
    )
}

/// `POST /account-recovery/code`: a recovery code and a new password.
pub async fn recover_with_code(
    State(state): State<AppState>,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["username", "code", "new_password"])?;
        account_recovery::recover_with_code(
            &state.app,
            form.get("username"),
            form.get("code"),
            form.get("new_password"),
            &client.address,
        )
        .await
    }
    .await;
    // The pseudonym is kept; a code and a password are typed again, never echoed back.
    form_outcome(
        result.map(|()| "/login?recovered=1".to_owned()),
        form.kept(&["username"]),
        async |view| Ok(recovery_page(&state, &ctx, view, FormView::default())),
    )
    .await
}

/// `POST /account-recovery/email`: a reset link to the address, if an account has it; the
/// answer is the same either way.
pub async fn request_reset(
    State(state): State<AppState>,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["email"])?;
        account_recovery::request_reset(&state.app, form.get("email"), &client.address).await
    }
    .await;
    match result {
        Ok(()) => Ok(message(
            &ctx,
            "Check your e-mail",
            vec![
                "If an account here has that address, a link to choose a new password is on its \
                 way. It works once, for 30 minutes. Nothing arrived? Look in your spam folder, \
                 or use a recovery code."
                    .into(),
            ],
            Some(("/account-recovery", "Back to getting back in")),
        )),
        Err(error) => {
            let view = form
                .kept(&["email"])
                .with_errors(crate::error::form_errors(error)?);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &recovery_page(&state, &ctx, FormView::default(), view),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    form: FormView,
}

fn link_gone(ctx: &PageContext) -> Response {
    let mut page = message(
        ctx,
        "This link no longer works",
        vec![
            "A reset link works once, for 30 minutes. Ask for a new one, or use a recovery code."
                .into(),
        ],
        Some(("/account-recovery", "Get back into your account")),
    );
    *page.status_mut() = StatusCode::NOT_FOUND;
    page
}

/// `GET /account-recovery/reset/{token}`
pub async fn show_reset(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !account_recovery::reset_link_works(&state.app, &token).await? {
        return Ok(link_gone(&ctx));
    }
    Ok(render(
        StatusCode::OK,
        &ResetPage {
            layout: ctx.layout("Choose a new password"),
            token,
            form: FormView::default(),
        },
    ))
}

/// `POST /account-recovery/reset/{token}`
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["new_password"])?;
        account_recovery::reset_password(&state.app, &token, form.get("new_password")).await
    }
    .await;
    if matches!(result, Err(AppError::NotFound)) {
        return Ok(link_gone(&ctx));
    }
    form_outcome(
        result.map(|()| "/login?recovered=1".to_owned()),
        FormView::default(),
        async |view| {
            Ok(ResetPage {
                layout: ctx.layout("Choose a new password"),
                token: token.clone(),
                form: view,
            })
        },
    )
    .await
}
