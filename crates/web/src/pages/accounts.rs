//! Joining, logging in and logging out.

use crate::AppState;
use crate::auth::{MaybeViewer, SignedIn, is_local_path, presented_token};
use crate::client::Client;
use crate::error::PageError;
use crate::forms::FormData;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{query_param, redirect_with_session, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use mutual_app::accounts::{self, Credentials, Registration, SessionKind};
use mutual_domain::accounts::{AccountStatus, Password, RegistrationMode, Username};

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    form: FormView,
    invite_required: bool,
    already_signed_in: bool,
    warnings: Vec<&'static str>,
}

async fn invite_required(state: &AppState) -> Result<bool, PageError> {
    Ok(accounts::registration_mode(&state.app).await? == RegistrationMode::Invite)
}

/// `GET /register`
pub async fn show_register(
    State(state): State<AppState>,
    ctx: PageContext,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, PageError> {
    let invite = query_param(&query, "invite").unwrap_or_default();
    let page = RegisterPage {
        layout: ctx.layout("Join"),
        form: FormView::default().keep("invite", &invite),
        invite_required: invite_required(&state).await?,
        already_signed_in: viewer.is_some(),
        warnings: Vec::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

const REGISTER_FIELDS: &[&str] = &[
    "username",
    "password",
    "email",
    "invite",
    "keep_name",
    "time_zone",
];

/// `POST /register`
pub async fn register(
    State(state): State<AppState>,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = form.unknown_fields(REGISTER_FIELDS);
    let keep_name = form.checkbox("keep_name", &mut errors);
    let (username, password) = (form.get("username"), form.get("password"));
    let parsed_name = Username::parse(username).ok();
    // Keep the password in the re-shown form only when it was acceptable, so a taken
    // pseudonym doesn't cost the person their password too.
    let password_ok = Password::parse(password, parsed_name.as_ref()).is_ok();
    let mut view = FormView::default()
        .keep("username", username)
        .keep("email", form.get("email"))
        .keep("invite", form.get("invite"))
        .keep("time_zone", form.get("time_zone"));
    if password_ok {
        view = view.keep("password", password);
    }
    let warnings: Vec<&'static str> = parsed_name
        .as_ref()
        .map(|name| name.warnings().into_iter().map(|w| w.message()).collect())
        .unwrap_or_default();
    let page = |view: FormView, warnings: Vec<&'static str>, invite_required: bool| RegisterPage {
        layout: ctx.layout("Join"),
        form: view,
        invite_required,
        already_signed_in: false,
        warnings,
    };
    let needs_invite = invite_required(&state).await?;
    if !errors.is_empty() {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(view.with_errors(errors), warnings, needs_invite),
        ));
    }
    if !warnings.is_empty() && !keep_name {
        return Ok(render(StatusCode::OK, &page(view, warnings, needs_invite)));
    }
    let registration = Registration {
        username,
        password,
        email: form.get("email"),
        invite: Some(form.get("invite")),
        client: &client.address,
        time_zone: form.get("time_zone"),
    };
    let registered = match accounts::register(&state.app, registration).await {
        Ok(registered) => registered,
        Err(AppError::Invalid(errors)) => {
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(view.with_errors(errors), Vec::new(), needs_invite),
            ));
        }
        Err(error @ AppError::Throttled(_)) => {
            let (status, _, message) = crate::error::describe(&error);
            let view = view.with_errors(vec![mutual_app::FieldError::new("form", message)]);
            return Ok(render(status, &page(view, Vec::new(), needs_invite)));
        }
        Err(other) => return Err(other.into()),
    };
    if registered.status == AccountStatus::Pending {
        return Ok(crate::pages::account_recovery::codes_page(
            &ctx,
            registered.recovery_codes,
            Some(
                "Thank you for joining. On this server an admin approves each new account before \
                 it can be used; please come back and log in a little later.",
            ),
            "/help",
        ));
    }
    let signed_in = accounts::sign_in_registered(&state.app, &registered, &client.device).await?;
    let mut response = crate::pages::page_with_session(
        &state,
        crate::pages::account_recovery::codes_page(
            &ctx,
            registered.recovery_codes,
            None,
            "/dashboard",
        ),
        &signed_in.token,
    );
    let lines = accounts::crisis_lines(&state.app, Some(&signed_in.viewer), None);
    crate::pages::help::remember_country(&state, &mut response, &lines);
    Ok(response)
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: &'static str,
    paragraphs: Vec<String>,
    link: Option<(&'static str, &'static str)>,
}

/// A page with a heading, a few paragraphs and an optional link onward.
pub(crate) fn message(
    ctx: &PageContext,
    heading: &'static str,
    paragraphs: Vec<String>,
    link: Option<(&'static str, &'static str)>,
) -> Response {
    render(
        StatusCode::OK,
        &MessagePage {
            layout: ctx.layout(heading),
            heading,
            paragraphs,
            link,
        },
    )
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    form: FormView,
    next: String,
    problem: Option<String>,
    /// Just back from account recovery: the new password is set.
    recovered: bool,
}

/// `GET /login`
pub async fn show_login(ctx: PageContext, query: RawQuery) -> Response {
    let next = query_param(&query, "next")
        .filter(|n| is_local_path(n))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &LoginPage {
            layout: ctx.layout("Log in"),
            form: FormView::default(),
            next,
            problem: None,
            recovered: query_param(&query, "recovered").is_some(),
        },
    )
}

/// `POST /login`
pub async fn log_in(
    State(state): State<AppState>,
    ctx: PageContext,
    client: Client,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = form.unknown_fields(&["username", "password", "remember", "next"]);
    let remember = form.checkbox("remember", &mut errors);
    let next = Some(form.get("next"))
        .filter(|n| is_local_path(n))
        .unwrap_or("")
        .to_owned();
    let view = FormView::default()
        .keep("username", form.get("username"))
        .keep("remember", if remember { "on" } else { "" });
    let page = |view: FormView, problem: Option<String>| LoginPage {
        layout: ctx.layout("Log in"),
        form: view,
        next: next.clone(),
        problem,
        recovered: false,
    };
    if !errors.is_empty() {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(view.with_errors(errors), None),
        ));
    }
    let credentials = Credentials {
        username: form.get("username"),
        password: form.get("password"),
        remember,
        kind: SessionKind::Browser,
        client: &client.address,
        device: &client.device,
    };
    match accounts::log_in(&state.app, credentials).await {
        Ok(signed_in) => {
            // Rotate: the session this browser held before (if any) ends now.
            if let Some(old) = presented_token(&headers, state.web.secure_cookies)
                && let Ok(Some(previous)) = accounts::authenticate(&state.app, old).await
            {
                accounts::log_out(&state.app, &previous).await.ok();
            }
            let to = if next.is_empty() {
                "/dashboard"
            } else {
                next.as_str()
            };
            let mut response = redirect_with_session(&state, to, Some(&signed_in.token), remember);
            let lines = accounts::crisis_lines(&state.app, Some(&signed_in.viewer), None);
            crate::pages::help::remember_country(&state, &mut response, &lines);
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(view.with_errors(errors), None),
        )),
        Err(
            error @ (AppError::BadCredentials
            | AppError::Throttled(_)
            | AppError::PendingApproval
            | AppError::Suspended(_)),
        ) => {
            let (status, _, message) = crate::error::describe(&error);
            let mut response = render(status, &page(view, Some(message)));
            if let AppError::Throttled(wait) = error
                && let Ok(value) = wait.as_secs().max(1).to_string().parse()
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /logout`
pub async fn log_out(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    _form: FormData,
) -> Result<Response, PageError> {
    accounts::log_out(&state.app, &viewer).await?;
    Ok(redirect_with_session(&state, "/", None, false).into_response())
}
