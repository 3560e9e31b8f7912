//! Administration pages: members, roles, suspensions, registration mode, invites, audit log.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::registration_mode;
use mutual_app::admin::{self, MEMBERS_PAGE};
use mutual_domain::UserId;
use mutual_domain::accounts::{AccountStatus, RegistrationMode};
use mutual_domain::permissions::Role;

struct MemberView {
    id: String,
    username: String,
    role: &'static str,
    status: &'static str,
    reason: Option<String>,
    joined: String,
}

struct InviteView {
    note: String,
    created: String,
    expires: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    flash: Option<&'static str>,
    new_invite_link: Option<String>,
    form: FormView,
    modes: Vec<(&'static str, &'static str, bool)>,
    invites: Vec<InviteView>,
    members: Vec<MemberView>,
    roles: Vec<&'static str>,
    status_filters: Vec<(&'static str, &'static str)>,
    status_filter: String,
    next_page: Option<String>,
    milestones_form: FormView,
}

/// What the admin page shows besides its data.
#[derive(Default)]
struct AdminView {
    flash: Option<&'static str>,
    new_invite_link: Option<String>,
    form: FormView,
    status: String,
    after: String,
    milestones_form: Option<FormView>,
}

async fn admin_page(
    state: &AppState,
    ctx: &PageContext,
    view: AdminView,
) -> Result<AdminPage, PageError> {
    let app = &state.app;
    let status = AccountStatus::parse(&view.status);
    let members = admin::list_members(app, &view.after, status).await?;
    let next_page = (members.len() as i64 == MEMBERS_PAGE)
        .then(|| members.last().map(|m| m.username.canonical()))
        .flatten();
    let mode = registration_mode(app).await?;
    let now = app.clock.now();
    let invites = admin::list_invites(app)
        .await?
        .into_iter()
        .map(|invite| InviteView {
            note: invite.note,
            created: invite.created_at.to_display_utc(),
            expires: invite.expires_at.to_display_utc(),
            status: if invite.used_at.is_some() {
                "used"
            } else if invite.expires_at <= now {
                "expired"
            } else {
                "waiting"
            },
        })
        .collect();
    Ok(AdminPage {
        layout: ctx.layout("Administration"),
        flash: view.flash,
        new_invite_link: view.new_invite_link,
        form: view.form,
        modes: RegistrationMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.describe(), *m == mode))
            .collect(),
        invites,
        members: members
            .into_iter()
            .map(|m| MemberView {
                id: m.id.to_string(),
                username: m.username.as_str().to_owned(),
                role: m.role.as_str(),
                status: m.status.as_str(),
                reason: m.status_reason,
                joined: m.created_at.to_display_utc(),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        status_filters: vec![
            ("", "Everyone"),
            ("active", "Active"),
            ("pending", "Waiting for approval"),
            ("suspended", "Suspended"),
        ],
        status_filter: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        next_page,
        milestones_form: match view.milestones_form {
            Some(form) => form,
            None => FormView::default().keep(
                "milestones",
                &mutual_app::recovery::milestone_schedule(app)
                    .await?
                    .to_text(),
            ),
        },
    })
}

fn flash_message(code: Option<String>) -> Option<&'static str> {
    match code.as_deref() {
        Some("mode") => Some("Registration mode saved."),
        Some("role") => Some("Role changed."),
        Some("suspended") => Some("Member suspended. Their sessions have ended."),
        Some("unsuspended") => Some("Suspension lifted."),
        Some("approved") => Some("Account approved."),
        Some("milestones") => Some("Milestones saved."),
        _ => None,
    }
}

/// `GET /admin`
pub async fn show_admin(
    State(state): State<AppState>,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let view = AdminView {
        flash: flash_message(query_param(&query, "done")),
        status: query_param(&query, "status").unwrap_or_default(),
        after: query_param(&query, "after").unwrap_or_default(),
        ..AdminView::default()
    };
    Ok(render(
        StatusCode::OK,
        &admin_page(&state, &ctx, view).await?,
    ))
}

/// Redirects after a successful action, or re-shows the page with what went wrong and what the
/// admin typed (`kept`).
async fn finish(
    state: &AppState,
    ctx: &PageContext,
    result: Result<(), AppError>,
    done: &str,
    kept: FormView,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin?done={done}")).into_response()),
        Err(error) => {
            let errors = form_errors(error)?;
            let view = AdminView {
                form: kept.with_errors(errors),
                ..AdminView::default()
            };
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin_page(state, ctx, view).await?,
            ))
        }
    }
}

/// `POST /admin/registration`
pub async fn set_registration_mode(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["mode"])?;
        let mode = RegistrationMode::parse(form.get("mode"))
            .ok_or_else(|| AppError::field("mode", "Choose one of the registration modes."))?;
        admin::set_registration_mode(&state.app, &viewer, mode).await
    }
    .await;
    finish(&state, &ctx, result, "mode", FormView::default()).await
}

/// `POST /admin/invites`: shows the new link once, on the page itself.
pub async fn create_invite(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["note", "days"])?;
        let days_text = form.get("days").trim();
        let days = if days_text.is_empty() {
            7
        } else {
            days_text.parse::<u64>().map_err(|_| {
                AppError::field("days", "Enter a whole number of days from 1 to 90.")
            })?
        };
        admin::create_invite(&state.app, &viewer, form.get("note"), days).await
    }
    .await;
    match result {
        Ok(created) => {
            let base = state.app.config.public_url.trim_end_matches('/');
            let view = AdminView {
                new_invite_link: Some(format!("{base}/register?invite={}", created.token)),
                ..AdminView::default()
            };
            Ok(render(
                StatusCode::OK,
                &admin_page(&state, &ctx, view).await?,
            ))
        }
        Err(AppError::Invalid(errors)) => {
            let form_view = FormView::default()
                .keep("note", form.get("note"))
                .keep("days", form.get("days"))
                .with_errors(errors);
            let view = AdminView {
                form: form_view,
                ..AdminView::default()
            };
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin_page(&state, &ctx, view).await?,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

async fn member_action(
    state: &AppState,
    ctx: &PageContext,
    form: &FormData,
    allowed: &[&str],
    done: &str,
    kept: FormView,
    action: impl AsyncFnOnce() -> Result<(), AppError>,
) -> Result<Response, PageError> {
    let result = match form.only(allowed) {
        Ok(()) => action().await,
        Err(error) => Err(error),
    };
    finish(state, ctx, result, done, kept).await
}

/// `POST /admin/members/{id}/role`
pub async fn change_role(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let id = UserId(id);
    member_action(
        &state,
        &ctx,
        &form,
        &["role"],
        "role",
        FormView::default(),
        async || {
            let role = Role::parse(form.get("role"))
                .ok_or_else(|| AppError::field("role", "Choose member, moderator or admin."))?;
            admin::change_role(&state.app, &viewer, id, role).await
        },
    )
    .await
}

/// `POST /admin/members/{id}/suspend`
pub async fn suspend_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let id = UserId(id);
    let kept = FormView::default()
        .keep("member", &id.to_string())
        .keep("reason", form.get("reason"));
    member_action(
        &state,
        &ctx,
        &form,
        &["reason"],
        "suspended",
        kept,
        async || admin::suspend(&state.app, &viewer, id, form.get("reason")).await,
    )
    .await
}

/// `POST /admin/members/{id}/unsuspend`
pub async fn unsuspend_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let id = UserId(id);
    member_action(
        &state,
        &ctx,
        &form,
        &[],
        "unsuspended",
        FormView::default(),
        async || admin::unsuspend(&state.app, &viewer, id).await,
    )
    .await
}

/// `POST /admin/members/{id}/approve`
pub async fn approve_member(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let id = UserId(id);
    member_action(
        &state,
        &ctx,
        &form,
        &[],
        "approved",
        FormView::default(),
        async || admin::approve(&state.app, &viewer, id).await,
    )
    .await
}

struct AuditView {
    at: String,
    action: String,
    actor: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<AuditView>,
}

/// `GET /admin/audit`
pub async fn show_audit(
    State(state): State<AppState>,
    ctx: PageContext,
    SignedIn(_viewer): SignedIn,
) -> Result<Response, PageError> {
    let short = |id: Option<UserId>| id.map_or("-".to_owned(), |id| id.to_string());
    let events = admin::recent_audit_events(&state.app)
        .await?
        .into_iter()
        .map(|e| AuditView {
            at: e.at.to_display_utc(),
            action: e.action,
            actor: short(e.actor_id),
            subject: short(e.subject_id),
            detail: e.detail,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            layout: ctx.layout("Audit log"),
            events,
        },
    ))
}

/// `POST /admin/milestones`
pub async fn set_milestones(
    State(state): State<AppState>,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = match form.only(&["milestones"]) {
        Ok(()) => {
            mutual_app::recovery::set_milestone_schedule(&state.app, form.get("milestones")).await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin?done=milestones").into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::default()
                .keep("milestones", form.get("milestones"))
                .with_errors(errors);
            let view = AdminView {
                milestones_form: Some(kept),
                ..AdminView::default()
            };
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin_page(&state, &ctx, view).await?,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
