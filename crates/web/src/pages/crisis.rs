//! The admins' crisis lines page: every country's lines in force, and a form to set a
//! country's own (added, or in place of the shipped or configured ones) or remove them.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::forms::FormData;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{form_outcome, query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::crisis::CrisisLines;
use mutual_app::crisis::editing::{self, CountryInput};
use mutual_domain::permissions::Role;
use std::sync::Arc;

/// The form's fields.
const FIELDS: &[&str] = &CountryInput::FIELDS;

#[derive(Template)]
#[template(path = "admin_crisis.html")]
struct CrisisPage {
    layout: Layout,
    lines: Arc<CrisisLines>,
    form: FormView,
    fields: &'static [&'static str],
    done: bool,
}

fn crisis_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
    done: bool,
) -> Result<CrisisPage, AppError> {
    if viewer.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    Ok(CrisisPage {
        layout: ctx.layout("Crisis lines"),
        lines: state.app.crisis.now(),
        form,
        fields: FIELDS,
        done,
    })
}

fn form_of(input: &CountryInput) -> FormView {
    input
        .fields()
        .into_iter()
        .fold(FormView::default(), |view, (name, value)| {
            view.keep(name, value)
        })
}

/// `GET /admin/crisis-lines`, and `?country=GB` to change that country's lines.
pub async fn show_crisis_lines(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let lines = state.app.crisis.now();
    let form = query_param(&query, "country")
        .and_then(|code| lines.known(&code).cloned())
        .map_or_else(FormView::default, |country| {
            form_of(&CountryInput::of(&country))
        });
    let done = query_param(&query, "done").is_some();
    let page = crisis_page(&state, &viewer, &ctx, form, done)?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/crisis-lines`: a country's lines.
pub async fn save_crisis_lines(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(FIELDS)?;
        let input = CountryInput::from_fields(|name| form.get(name));
        editing::save_country(&state.app, &viewer, &input).await?;
        Ok("/admin/crisis-lines?done=1".to_owned())
    }
    .await;
    form_outcome(result, form.kept(FIELDS), async |view| {
        crisis_page(&state, &viewer, &ctx, view, false)
    })
    .await
}

/// `POST /admin/crisis-lines/remove`: `code`, a country an admin set.
pub async fn remove_crisis_lines(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["code"])?;
    editing::remove_country(&state.app, &viewer, form.get("code")).await?;
    Ok(Redirect::to("/admin/crisis-lines?done=1").into_response())
}
