//! Getting back into an account without giving up pseudonymity: recovery codes shown once at
//! registration (renewable in settings, stored as hashes, each used once), and, with an e-mail on
//! file, a reset link (short-lived, used once). A wrong code is throttled like a wrong password;
//! a reset request answers the same whether or not the address is known. Every recovery ends
//! every session of the account and is in the audit log.

use crate::accounts::{Viewer, confirm_password, take_attempts};
use crate::audit::{Action, record};
use crate::tokens::{
    canonical_recovery_code, hash_token, new_recovery_code, new_token, throttle_key,
};
use crate::{App, AppError, FieldError};
use mutual_domain::UserId;
use mutual_domain::accounts::{AccountStatus, Email, Password};
use mutual_store::account_recovery as store;
use mutual_store::accounts::{self as accounts_store, UserRecord};
use mutual_store::sessions as session_store;
use std::time::Duration;

/// How many recovery codes a member gets at a time.
pub const CODES: usize = 10;
/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// The hash a code is kept under: the member's id is part of it, so equal codes of two members
/// (or a table of precomputed hashes) tell nothing.
fn code_hash(user: UserId, canonical: &str) -> Vec<u8> {
    hash_token(&format!("{}:{canonical}", user.0))
}

/// Makes a member's recovery codes, replacing any they had; returns them, to be shown once.
pub async fn new_codes(app: &App, user: UserId) -> Result<Vec<String>, AppError> {
    let codes: Vec<String> = (0..CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|code| code_hash(user, &canonical_recovery_code(code)))
        .collect();
    store::replace_recovery_codes(&app.db, user, &hashes, app.clock.now()).await?;
    Ok(codes)
}

/// New recovery codes for the viewer, after their current password: the old ones stop working.
pub async fn renew_codes(
    app: &App,
    viewer: &Viewer,
    password: &str,
    client: &str,
) -> Result<Vec<String>, AppError> {
    confirm_password(app, viewer, password, client, "password").await?;
    let codes = new_codes(app, viewer.user_id).await?;
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::RecoveryCodesRenewed,
        "",
    )
    .await?;
    Ok(codes)
}

/// How many of the viewer's recovery codes are left.
pub async fn unused_codes(app: &App, viewer: &Viewer) -> Result<i64, AppError> {
    Ok(store::count_unused_recovery_codes(&app.db, viewer.user_id).await?)
}

/// A new password as typed for `user`, or the field's message.
fn new_password(user: &UserRecord, typed: &str) -> Result<Password, AppError> {
    Password::parse(typed, Some(&user.username))
        .map_err(|e| AppError::field("new_password", e.to_string()))
}

/// Sets the account's new password after a recovery, ends every session and records how.
async fn recovered(
    app: &App,
    user: &UserRecord,
    password: Password,
    how: &str,
) -> Result<(), AppError> {
    let hash = app.hasher.hash(password.expose()).await?;
    accounts_store::update_password_hash(&app.db, user.id, &hash, app.clock.now()).await?;
    session_store::delete_sessions_by_user(&app.db, user.id, None).await?;
    crate::bus::changed(app, crate::bus::Change::Member(user.id)).await;
    record(app, None, Some(user.id), Action::AccountRecovered, how).await
}

/// Signs back in with a recovery code: the code is spent, the password replaced, every session
/// of the account ended. Attempts count against the pseudonym and the client as sign-in
/// attempts do; a wrong pseudonym or code gets one answer.
pub async fn recover_with_code(
    app: &App,
    username: &str,
    code: &str,
    password: &str,
    client: &str,
) -> Result<(), AppError> {
    let canonical_name = username.trim().trim_start_matches('@').to_ascii_lowercase();
    let canonical_code = canonical_recovery_code(code);
    let mut missing = Vec::new();
    if canonical_name.is_empty() {
        missing.push(FieldError::new("username", "Enter your pseudonym."));
    }
    if canonical_code.is_empty() {
        missing.push(FieldError::new("code", "Enter one of your recovery codes."));
    }
    if password.is_empty() {
        missing.push(FieldError::new("new_password", "Choose a new password."));
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let account_key = throttle_key("account", &canonical_name);
    let client_key = throttle_key("client", client);
    let [account_limit, client_limit] = crate::accounts::sign_in_limits(app);
    take_attempts(
        app,
        &[(&account_key, account_limit), (&client_key, client_limit)],
    )
    .await?;
    let wrong = || {
        AppError::field(
            "code",
            "That pseudonym and recovery code do not go together, or the code was used already. \
             Check both and try again.",
        )
    };
    let user = accounts_store::find_user_by_username(&app.db, &canonical_name)
        .await?
        .filter(|user| {
            matches!(
                user.status,
                AccountStatus::Active | AccountStatus::Suspended
            )
        });
    let Some(user) = user else {
        record(app, None, None, Action::LoginFailed, "recovery_code").await?;
        return Err(wrong());
    };
    let password = new_password(&user, password)?;
    if !store::use_recovery_code(
        &app.db,
        user.id,
        &code_hash(user.id, &canonical_code),
        app.clock.now(),
    )
    .await?
    {
        record(
            app,
            None,
            Some(user.id),
            Action::LoginFailed,
            "recovery_code",
        )
        .await?;
        return Err(wrong());
    }
    mutual_store::throttle::delete_throttle(&app.db, &account_key).await?;
    recovered(app, &user, password, "recovery_code").await
}

/// Whether this server can send e-mail, and so offer reset links.
pub fn reset_links_offered(app: &App) -> bool {
    crate::notifications::delivery::mail_configured(app)
}

/// Sends a reset link to each active account with `email` on file. The answer is the same
/// whether or not any has it, and takes the same time: the link is sent after the answer.
/// Requests count against the address and the client (sign-in's limits).
pub async fn request_reset(app: &App, email: &str, client: &str) -> Result<(), AppError> {
    let Some(email) =
        Email::parse_optional(email).map_err(|e| AppError::field("email", e.to_string()))?
    else {
        return Err(AppError::field(
            "email",
            "Enter the e-mail address on your account.",
        ));
    };
    let address_key = throttle_key("reset", email.as_str());
    let client_key = throttle_key("client", client);
    let [account_limit, client_limit] = crate::accounts::sign_in_limits(app);
    take_attempts(
        app,
        &[(&address_key, account_limit), (&client_key, client_limit)],
    )
    .await?;
    let Some(mailer) = app.mailer.clone() else {
        return Ok(());
    };
    let now = app.clock.now();
    for user in accounts_store::list_active_users_with_email(&app.db, &email).await? {
        let token = new_token();
        store::insert_password_reset(
            &app.db,
            &hash_token(&token),
            user.id,
            now,
            now.plus(RESET_LIFETIME),
        )
        .await?;
        record(app, None, Some(user.id), Action::PasswordResetRequested, "").await?;
        let message = mutual_domain::accounts::reset_email(
            &app.config.community_name,
            &app.config.public_url,
            user.username.as_str(),
            &token,
            RESET_LIFETIME,
        );
        // The account's own spelling of the address it was found by.
        let (mailer, address) = (mailer.clone(), user.email.unwrap_or(email.clone()));
        tokio::spawn(async move {
            if let Err(error) = mailer
                .send(address.as_str(), &message.subject, &message.body)
                .await
            {
                tracing::warn!(%error, "a reset link could not be sent");
            }
        });
    }
    Ok(())
}

/// Whether a reset link still works (unused, unexpired).
pub async fn reset_link_works(app: &App, token: &str) -> Result<bool, AppError> {
    Ok(
        store::find_password_reset(&app.db, &hash_token(token), app.clock.now())
            .await?
            .is_some(),
    )
}

/// Sets a new password through a reset link: the link (and any other of the account's) is
/// spent, every session ended. `NotFound` when the link is unknown, used or expired.
pub async fn reset_password(app: &App, token: &str, password: &str) -> Result<(), AppError> {
    let now = app.clock.now();
    let hash = hash_token(token);
    let user = match store::find_password_reset(&app.db, &hash, now).await? {
        Some(id) => accounts_store::find_user_by_id(&app.db, id).await?,
        None => None,
    };
    let Some(user) = user else {
        return Err(AppError::NotFound);
    };
    let password = new_password(&user, password)?;
    if store::use_password_reset(&app.db, &hash, now).await? != Some(user.id) {
        return Err(AppError::NotFound);
    }
    recovered(app, &user, password, "reset_link").await
}
