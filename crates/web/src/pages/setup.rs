//! The one-time setup link that creates the first admin in the browser.

use crate::AppState;
use crate::error::PageError;
use crate::forms::FormData;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::accounts::message;
use crate::pages::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mutual_app::AppError;
use mutual_app::admin;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    form: FormView,
}

fn spent(ctx: &PageContext) -> Response {
    let mut response = message(
        ctx,
        "This setup link has been used",
        vec!["The first admin already exists, so this link no longer works. Please log in.".into()],
        Some(("/login", "Log in")),
    );
    *response.status_mut() = StatusCode::GONE;
    response
}

/// `GET /setup/{token}`
pub async fn show_setup(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !admin::setup_token_is_valid(&state.app, &token).await? {
        return Ok(spent(&ctx));
    }
    let page = SetupPage {
        layout: ctx.layout("Set up"),
        token,
        form: FormView::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /setup/{token}`
pub async fn complete_setup(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let unknown = form.unknown_fields(&["username", "password"]);
    let result = if unknown.is_empty() {
        admin::complete_setup(
            &state.app,
            &token,
            form.get("username"),
            form.get("password"),
        )
        .await
    } else {
        Err(AppError::Invalid(unknown))
    };
    match result {
        Ok(_) => Ok(message(
            &ctx,
            "Your admin account is ready",
            vec!["Log in with the pseudonym and password you just chose.".into()],
            Some(("/login", "Log in")),
        )),
        Err(AppError::Invalid(errors)) => {
            let view = FormView::default()
                .keep("username", form.get("username"))
                .with_errors(errors);
            let page = SetupPage {
                layout: ctx.layout("Set up"),
                token,
                form: view,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AppError::NotFound) => Ok(spent(&ctx)),
        Err(other) => Err(other.into()),
    }
}
