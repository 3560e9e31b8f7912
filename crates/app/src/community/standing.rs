//! A member's standing: moderators warn, silence for a period, suspend or remove a member from
//! the community with a reason the member reads; what is in force stops posting or reading;
//! the member appeals by writing to the moderators, who answer and may lift it.

use crate::accounts::Viewer;
use crate::audit::{Action as Audit, record};
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::accounts::AccountStatus;
use mutual_domain::community::sanctions;
pub use mutual_domain::community::sanctions::Kind;
use mutual_store::community::PostRow;
use mutual_store::standing::{self as store, AppealRow, SanctionRow};
use std::time::Duration;
use uuid::Uuid;

/// Where a member reads their standing.
pub const STANDING_LINK: &str = "/community/standing";

const SILENCED: &str = "A moderator has paused your posting for a while. You can still read and flag posts; your standing page (Community → Your standing) says why, until when, and lets you appeal.";
const REMOVED: &str = "The moderators have removed you from the community. Your own recovery tools and data stay yours; your standing page (Community → Your standing) says why and lets you appeal.";

/// A sanction as its member or a moderator reads it.
#[derive(Clone, Debug)]
pub struct SanctionView {
    pub row: SanctionRow,
    pub kind: Kind,
    /// Whether it stops something now.
    pub in_force: bool,
}

fn view(app: &App, row: SanctionRow) -> SanctionView {
    let kind = Kind::parse(&row.kind).unwrap_or(Kind::Warn);
    let in_force = kind.in_force(
        row.lifted_at.is_some(),
        row.ends_at,
        app.clock.now().millis(),
    );
    SanctionView {
        row,
        kind,
        in_force,
    }
}

/// A moderator's reason, as the member will read it.
pub(crate) fn parse_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Give a reason: the member will see it.",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Keep the reason under 500 characters.",
        ));
    }
    Ok(reason)
}

/// Gives a member a sanction (moderators; only admins sanction moderators). `from` is the post
/// that led to it: when it was anonymous, neither the audit log nor an appeal names the member.
pub async fn impose(
    app: &App,
    actor: &Viewer,
    user: UserId,
    kind: Kind,
    days: Option<u32>,
    reason: &str,
    from: Option<&PostRow>,
) -> Result<(), AppError> {
    if !actor.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let reason = parse_reason(reason)?;
    if user == actor.user_id {
        return Err(AppError::Forbidden("You cannot sanction yourself."));
    }
    let target = mutual_store::accounts::find_user_by_id(&app.db, user)
        .await?
        .filter(|u| u.status != AccountStatus::Deleted)
        .ok_or(AppError::NotFound)?;
    if target.role.can_moderate() && actor.role != mutual_domain::permissions::Role::Admin {
        return Err(AppError::Forbidden("Only admins can sanction moderators."));
    }
    let now = app.clock.now();
    let ends_at = match (kind, days) {
        (Kind::Silence, Some(days)) => Some(
            now.plus(Duration::from_secs(u64::from(days) * 24 * 3600))
                .millis(),
        ),
        (Kind::Silence, None) => {
            return Err(AppError::field(
                "days",
                format!(
                    "Give the length of the silence in days, from 1 to {}.",
                    sanctions::MAX_SILENCE_DAYS
                ),
            ));
        }
        _ => None,
    };
    if kind == Kind::Suspend {
        crate::admin::close_account(app, &target, reason).await?;
    }
    let row = SanctionRow {
        id: Uuid::now_v7(),
        user_id: user.0,
        kind: kind.as_str().to_owned(),
        reason: reason.to_owned(),
        post_id: from.map(|p| p.id),
        created_at: now.millis(),
        ends_at,
        lifted_at: None,
        appeal: String::new(),
        appealed_at: None,
        answer: String::new(),
        answered_at: None,
    };
    store::insert_sanction(&app.db, &row).await?;
    crate::bus::readers_changed(app, &[user]).await;
    let subject = (!from.is_some_and(|p| p.anonymous)).then_some(user);
    let action = if kind == Kind::Suspend {
        Audit::Suspended
    } else {
        Audit::Sanctioned
    };
    record(
        app,
        Some(actor.user_id),
        subject,
        action,
        format!("{} {}", kind.as_str(), row.id),
    )
    .await?;
    crate::notifications::notify(
        app,
        &[user],
        "sanction",
        &format!(
            "The moderators have given you a sanction: {}. Your standing page says why, and you can appeal there.",
            kind.label().to_lowercase()
        ),
        STANDING_LINK,
    )
    .await
}

/// Lifts a member's suspension records (an admin lifted the suspension itself).
pub(crate) async fn lift_suspensions(app: &App, user: UserId) -> Result<(), AppError> {
    store::lift_sanctions(
        &app.db,
        user,
        Kind::Suspend.as_str(),
        app.clock.now().millis(),
    )
    .await?;
    crate::bus::readers_changed(app, &[user]).await;
    Ok(())
}

/// Refused while a sanction stops the member posting (a silence or a removal).
pub async fn ensure_may_post(app: &App, viewer: &Viewer) -> Result<(), AppError> {
    let reader = super::cached::reader(app, viewer.user_id).await?;
    let now = app.clock.now().millis();
    ensure_may_read(&reader, now)?;
    if reader.in_force(now).any(Kind::stops_posting) {
        return Err(AppError::Forbidden(SILENCED));
    }
    Ok(())
}

/// Refused while the member is removed from the community.
pub(crate) fn ensure_may_read(reader: &super::cached::Reader, now: i64) -> Result<(), AppError> {
    if reader.in_force(now).any(Kind::stops_reading) {
        return Err(AppError::Forbidden(REMOVED));
    }
    Ok(())
}

/// The member's own sanctions, newest first.
pub async fn standing(app: &App, viewer: &Viewer) -> Result<Vec<SanctionView>, AppError> {
    Ok(store::list_sanctions(&app.db, viewer.user_id)
        .await?
        .into_iter()
        .map(|row| view(app, row))
        .collect())
}

/// The member appeals one of their sanctions: their words go to the moderators (once per
/// sanction).
pub async fn appeal(app: &App, viewer: &Viewer, id: Uuid, text: &str) -> Result<(), AppError> {
    let text = sanctions::parse_message("appeal", text)?;
    let sanction = store::find_sanction(&app.db, id)
        .await?
        .filter(|s| s.user_id == viewer.user_id.0)
        .ok_or(AppError::NotFound)?;
    if sanction.lifted_at.is_some() {
        return Err(AppError::Conflict(
            "This sanction has already been lifted; there is nothing to appeal.",
        ));
    }
    let now = app.clock.now().millis();
    if !store::insert_appeal(&app.db, sanction.id, viewer.user_id, &text, now).await? {
        return Err(AppError::Conflict(
            "You have already appealed this; the moderators will answer on your standing page.",
        ));
    }
    let staff: Vec<UserId> = super::moderation::staff(app)
        .await?
        .into_iter()
        .filter(|u| *u != viewer.user_id)
        .collect();
    crate::notifications::notify(
        app,
        &staff,
        "appeal",
        "A member has appealed a sanction.",
        "/moderation/appeals",
    )
    .await
}

/// A suspended member, who cannot sign in, appeals their suspension by giving their pseudonym
/// and password with their words (checked and throttled as a sign-in is).
pub async fn appeal_suspension(
    app: &App,
    username: &str,
    password: &str,
    client: &str,
    text: &str,
) -> Result<(), AppError> {
    let text = sanctions::parse_message("appeal", text)?;
    let user = crate::accounts::check_password(app, username, password, client).await?;
    if user.status != AccountStatus::Suspended {
        return Err(AppError::Conflict(
            "Your account is not suspended: sign in, and appeal anything else on your standing page.",
        ));
    }
    let now = app.clock.now().millis();
    let suspension = store::list_in_force(&app.db, user.id, now)
        .await?
        .into_iter()
        .find(|s| s.kind == Kind::Suspend.as_str())
        .ok_or(AppError::Conflict(
            "There is no suspension on record to appeal here; please write to the admins.",
        ))?;
    if !store::insert_appeal(&app.db, suspension.id, user.id, &text, now).await? {
        return Err(AppError::Conflict(
            "You have already appealed this suspension; the moderators will answer, and you will see it when it is lifted.",
        ));
    }
    crate::notifications::notify(
        app,
        &super::moderation::staff(app).await?,
        "appeal",
        "A suspended member has appealed.",
        "/moderation/appeals",
    )
    .await
}

/// An appeal as moderators read it.
#[derive(Clone, Debug)]
pub struct AppealView {
    pub sanction: SanctionView,
    /// The member's pseudonym, or "Anonymous member" when the sanction came from an anonymous
    /// post.
    pub member: String,
}

/// Appeals for moderators: waiting ones first, then the latest answered.
pub async fn appeals(app: &App, viewer: &Viewer) -> Result<Vec<AppealView>, AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    Ok(store::list_appeals(&app.db, 100)
        .await?
        .into_iter()
        .map(
            |AppealRow {
                 sanction,
                 member_name,
             }| AppealView {
                sanction: view(app, sanction),
                member: member_name.unwrap_or_else(|| super::ANONYMOUS_NAME.to_owned()),
            },
        )
        .collect())
}

/// A moderator answers an appeal, upholding the sanction or lifting it (a lifted suspension
/// reopens the account); the member reads the answer on their standing page.
pub async fn answer(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    text: &str,
    lift: bool,
) -> Result<(), AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let text = sanctions::parse_message("answer", text)?;
    let sanction = store::find_sanction(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if sanction.user_id == viewer.user_id.0 {
        return Err(AppError::Forbidden(
            "Another moderator must answer an appeal of your own sanction.",
        ));
    }
    let now = app.clock.now().millis();
    if !store::answer_appeal(&app.db, sanction.id, &text, lift, now).await? {
        return Err(AppError::Conflict(
            "This appeal has already been answered (or there is none to answer).",
        ));
    }
    let user = UserId(sanction.user_id);
    crate::bus::readers_changed(app, &[user]).await;
    if lift && sanction.kind == Kind::Suspend.as_str() {
        crate::admin::reopen_account(app, user).await?;
    }
    let anonymous = match sanction.post_id {
        Some(post) => mutual_store::community::find_post(&app.db, post)
            .await?
            .is_some_and(|p| p.anonymous),
        None => false,
    };
    record(
        app,
        Some(viewer.user_id),
        (!anonymous).then_some(user),
        Audit::AppealAnswered,
        format!("{} {}", if lift { "lifted" } else { "upheld" }, sanction.id),
    )
    .await?;
    crate::notifications::notify(
        app,
        &[user],
        "appeal_answered",
        if lift {
            "The moderators have answered your appeal and lifted the sanction."
        } else {
            "The moderators have answered your appeal."
        },
        STANDING_LINK,
    )
    .await
}
