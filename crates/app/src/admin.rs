//! Administration: members and roles, suspensions, registration mode and invites, the audit
//! log, and creating the first admin (from the command line or the one-time setup link).

use crate::accounts::{Viewer, parse_new_account, set_registration_mode as store_mode, taken};
use crate::audit::{Action, record};
use crate::bus::{self, Change};
use crate::tokens::{hash_token, new_token};
use crate::{App, AppError};
use mutual_domain::accounts::{AccountStatus, RegistrationMode, Username};
use mutual_domain::permissions::Role;
use mutual_domain::{InviteId, UserId};
use mutual_store::accounts::{self as store, InviteRecord, NewUser, UserRecord};
use mutual_store::audit::{AuditEvent, list_audit_events};
use mutual_store::sessions;
use std::time::Duration;

/// Members per page of the admin list.
pub const MEMBERS_PAGE: i64 = 50;

/// One page of members ordered by pseudonym, after the canonical pseudonym `after`.
pub async fn list_members(
    app: &App,
    after: &str,
    status: Option<AccountStatus>,
) -> Result<Vec<UserRecord>, AppError> {
    Ok(store::list_users(&app.db, &after.to_ascii_lowercase(), status, MEMBERS_PAGE).await?)
}

async fn target(app: &App, id: UserId) -> Result<UserRecord, AppError> {
    match store::find_user_by_id(&app.db, id).await? {
        Some(user) if user.status != AccountStatus::Deleted => Ok(user),
        _ => Err(AppError::NotFound),
    }
}

async fn ensure_another_admin_remains(app: &App, target: &UserRecord) -> Result<(), AppError> {
    if target.role == Role::Admin && store::count_active_admins(&app.db).await? <= 1 {
        return Err(AppError::Forbidden(
            "There must always be at least one active admin.",
        ));
    }
    Ok(())
}

/// Gives a member another role.
pub async fn change_role(
    app: &App,
    actor: &Viewer,
    id: UserId,
    role: Role,
) -> Result<(), AppError> {
    let user = target(app, id).await?;
    if user.role == role {
        return Ok(());
    }
    if role != Role::Admin {
        ensure_another_admin_remains(app, &user).await?;
    }
    store::update_role(&app.db, id, role, app.clock.now()).await?;
    bus::changed(app, Change::Member(id)).await;
    record(
        app,
        Some(actor.user_id),
        Some(id),
        Action::RoleChanged,
        format!("{}->{}", user.role, role),
    )
    .await
}

/// Suspends a member with a reason they will be shown (a sanction, so it is on their standing
/// page and can be appealed); their sessions end at once.
pub async fn suspend(app: &App, actor: &Viewer, id: UserId, reason: &str) -> Result<(), AppError> {
    crate::community::standing::impose(
        app,
        actor,
        id,
        crate::community::standing::Kind::Suspend,
        None,
        reason,
        None,
    )
    .await
}

/// Closes an account for a suspension: sign-in is refused with the reason and every session
/// ends. The last active admin cannot be closed out.
pub(crate) async fn close_account(
    app: &App,
    user: &UserRecord,
    reason: &str,
) -> Result<(), AppError> {
    ensure_another_admin_remains(app, user).await?;
    store::update_status(
        &app.db,
        user.id,
        AccountStatus::Suspended,
        Some(reason),
        app.clock.now(),
    )
    .await?;
    sessions::delete_sessions_by_user(&app.db, user.id, None).await?;
    bus::changed(app, Change::Member(user.id)).await;
    Ok(())
}

/// Reopens a suspended account.
pub(crate) async fn reopen_account(app: &App, id: UserId) -> Result<(), AppError> {
    store::update_status(&app.db, id, AccountStatus::Active, None, app.clock.now()).await?;
    Ok(())
}

/// Lifts a suspension.
pub async fn unsuspend(app: &App, actor: &Viewer, id: UserId) -> Result<(), AppError> {
    let user = target(app, id).await?;
    if user.status != AccountStatus::Suspended {
        return Err(AppError::NotFound);
    }
    reopen_account(app, id).await?;
    crate::community::standing::lift_suspensions(app, id).await?;
    record(app, Some(actor.user_id), Some(id), Action::Unsuspended, "").await
}

/// Approves an account that registered while registration needed approval.
pub async fn approve(app: &App, actor: &Viewer, id: UserId) -> Result<(), AppError> {
    let user = target(app, id).await?;
    if user.status != AccountStatus::Pending {
        return Err(AppError::NotFound);
    }
    store::update_status(&app.db, id, AccountStatus::Active, None, app.clock.now()).await?;
    record(app, Some(actor.user_id), Some(id), Action::Approved, "").await
}

/// Changes how people register.
pub async fn set_registration_mode(
    app: &App,
    actor: &Viewer,
    mode: RegistrationMode,
) -> Result<(), AppError> {
    store_mode(app, mode).await?;
    record(
        app,
        Some(actor.user_id),
        None,
        Action::RegistrationModeChanged,
        mode.as_str(),
    )
    .await
}

/// A new invite, with its secret token (shown once).
pub struct NewInvite {
    pub invite: InviteRecord,
    pub token: String,
}

/// Creates an invite link valid for `days` days.
pub async fn create_invite(
    app: &App,
    actor: &Viewer,
    note: &str,
    days: u64,
) -> Result<NewInvite, AppError> {
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(AppError::field(
            "note",
            "Keep the note under 200 characters.",
        ));
    }
    if !(1..=90).contains(&days) {
        return Err(AppError::field(
            "days",
            "An invite can last from 1 to 90 days.",
        ));
    }
    let now = app.clock.now();
    let token = new_token();
    let invite = InviteRecord {
        id: InviteId::new(),
        note: note.to_owned(),
        created_by: actor.user_id,
        created_at: now,
        expires_at: now.plus(Duration::from_secs(days * 24 * 3600)),
        used_by: None,
        used_at: None,
    };
    store::insert_invite(&app.db, &invite, &hash_token(&token)).await?;
    record(app, Some(actor.user_id), None, Action::InviteCreated, "").await?;
    Ok(NewInvite { invite, token })
}

/// The most recent invites.
pub async fn list_invites(app: &App) -> Result<Vec<InviteRecord>, AppError> {
    Ok(store::list_invites(&app.db, 50).await?)
}

/// The most recent audit events.
pub async fn recent_audit_events(app: &App) -> Result<Vec<AuditEvent>, AppError> {
    Ok(list_audit_events(&app.db, 100).await?)
}

/// Creates an active admin directly (the `mutual admin create` command).
pub async fn create_admin(app: &App, username: &str, password: &str) -> Result<UserId, AppError> {
    let (username, password, _) = parse_new_account(username, password, "")?;
    let hash = app.hasher.hash(password.expose()).await?;
    crate::privacy::ensure_not_retired(app, &username).await?;
    let id = UserId::new();
    let user = admin_user(id, &username, &hash, app);
    store::insert_user(&app.db, &user).await.map_err(taken)?;
    record(app, None, Some(id), Action::AdminCreated, "command line").await?;
    Ok(id)
}

fn admin_user<'a>(id: UserId, username: &'a Username, hash: &'a str, app: &App) -> NewUser<'a> {
    NewUser {
        id,
        username,
        password_hash: hash,
        email: None,
        role: Role::Admin,
        status: AccountStatus::Active,
        now: app.clock.now(),
    }
}

/// While there is no active admin, makes a new one-time setup token (replacing any unused
/// one) and returns it; `None` once an admin exists.
pub async fn ensure_setup_token(app: &App) -> Result<Option<String>, AppError> {
    if store::count_active_admins(&app.db).await? > 0 {
        return Ok(None);
    }
    let token = new_token();
    store::replace_setup_token(&app.db, &hash_token(&token), app.clock.now()).await?;
    Ok(Some(token))
}

/// Whether a setup token is still good.
pub async fn setup_token_is_valid(app: &App, token: &str) -> Result<bool, AppError> {
    Ok(store::setup_token_is_unused(&app.db, &hash_token(token)).await?)
}

/// Creates the first admin through the setup link; the token is spent in the same transaction.
pub async fn complete_setup(
    app: &App,
    token: &str,
    username: &str,
    password: &str,
) -> Result<UserId, AppError> {
    let (username, password, _) = parse_new_account(username, password, "")?;
    if !setup_token_is_valid(app, token).await? {
        return Err(AppError::NotFound);
    }
    let hash = app.hasher.hash(password.expose()).await?;
    crate::privacy::ensure_not_retired(app, &username).await?;
    let id = UserId::new();
    let user = admin_user(id, &username, &hash, app);
    store::insert_user_with_setup_token(&app.db, &user, &hash_token(token))
        .await
        .map_err(taken)?;
    record(app, None, Some(id), Action::AdminCreated, "setup link").await?;
    Ok(id)
}
