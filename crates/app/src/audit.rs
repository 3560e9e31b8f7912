//! Writing security events to the append-only audit log.

use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_store::audit::{AuditEvent, insert_audit_event};

/// Security events, by the name stored in the log.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Action {
    Registered,
    LoggedIn,
    LoginFailed,
    LoggedOut,
    LoggedOutEverywhere,
    SessionEnded,
    PasswordChanged,
    RecoveryCodesRenewed,
    PasswordResetRequested,
    AccountRecovered,
    Exported,
    AccountDeleted,
    RoleChanged,
    Suspended,
    Unsuspended,
    Approved,
    RegistrationModeChanged,
    InviteCreated,
    AdminCreated,
    FacilitatorAdded,
    FacilitatorRemoved,
    AuthorRevealed,
    /// A moderator wrote to a post's author (who stays unnamed).
    WroteToAuthor,
    Sanctioned,
    AppealAnswered,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Registered => "registered",
            Action::LoggedIn => "logged_in",
            Action::LoginFailed => "login_failed",
            Action::LoggedOut => "logged_out",
            Action::LoggedOutEverywhere => "logged_out_everywhere",
            Action::SessionEnded => "session_ended",
            Action::PasswordChanged => "password_changed",
            Action::RecoveryCodesRenewed => "recovery_codes_renewed",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::AccountRecovered => "account_recovered",
            Action::Exported => "exported",
            Action::AccountDeleted => "account_deleted",
            Action::RoleChanged => "role_changed",
            Action::Suspended => "suspended",
            Action::Unsuspended => "unsuspended",
            Action::Approved => "approved",
            Action::RegistrationModeChanged => "registration_mode_changed",
            Action::InviteCreated => "invite_created",
            Action::AdminCreated => "admin_created",
            Action::FacilitatorAdded => "facilitator_added",
            Action::FacilitatorRemoved => "facilitator_removed",
            Action::AuthorRevealed => "anonymous_author_revealed",
            Action::WroteToAuthor => "wrote_to_author",
            Action::Sanctioned => "sanctioned",
            Action::AppealAnswered => "appeal_answered",
        }
    }
}

/// Appends one event. `detail` must never carry a password, token, pseudonym or content.
pub(crate) async fn record(
    app: &App,
    actor: Option<UserId>,
    subject: Option<UserId>,
    action: Action,
    detail: impl Into<String>,
) -> Result<(), AppError> {
    let event = AuditEvent {
        id: uuid::Uuid::now_v7(),
        at: app.clock.now(),
        actor_id: actor,
        subject_id: subject,
        action: action.as_str().to_owned(),
        detail: detail.into(),
    };
    insert_audit_event(&app.db, &event).await?;
    Ok(())
}
