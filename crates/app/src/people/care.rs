//! A moderator's care for the author of a post in the review queue (crisis language, most
//! often): a conversation with "the author of this post" that keeps an anonymous author's
//! pseudonym from the moderator, and a reminder to check in on them later.

use crate::accounts::Viewer;
use crate::audit::{Action as Audit, record};
use crate::{App, AppError, FieldError};
use mutual_domain::UserId;
use mutual_domain::people::messages as rules;
use mutual_store::people::care::{self as store, CheckInRow};
use mutual_store::people::messages::{self as messages_store, Mask, State};
use std::time::Duration;
use uuid::Uuid;

/// A check-in reminder is at most this many days away.
pub const MAX_CHECK_IN_DAYS: u32 = 14;
/// How long a worker holds a claimed check-in before another may take it.
const LEASE: Duration = Duration::from_secs(120);

/// Who a moderator is writing to, as the form shows them.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub post: Uuid,
    /// "The author of “Rough night”" for an anonymous post, else the pseudonym.
    pub shown_as: String,
    pub anonymous: bool,
    pub thread_title: String,
    /// The post, as HTML, to quote on the form.
    pub post_html: String,
}

impl Recipient {
    /// Who, as it reads mid-sentence ("Write to the author of …").
    pub fn mid_sentence(&self) -> String {
        lower_first(&self.shown_as)
    }
}

/// What a moderator is shown an anonymous author as.
fn masked_name(thread_title: &str) -> String {
    format!("The author of “{thread_title}”")
}

/// The author of a post a moderator may write to: `NotFound` for anyone but moderators, a post
/// they cannot see, or their own post's author; a post whose author's account is gone has no
/// one to write to.
pub async fn recipient(app: &App, viewer: &Viewer, post: Uuid) -> Result<Recipient, AppError> {
    Ok(author_of(app, viewer, post).await?.0)
}

async fn author_of(
    app: &App,
    viewer: &Viewer,
    post: Uuid,
) -> Result<(Recipient, UserId), AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let (_, thread, row) = crate::community::post_for(app, viewer, post).await?;
    let author = row
        .author_id
        .map(UserId)
        .filter(|author| *author != viewer.user_id)
        .ok_or(AppError::NotFound)?;
    let user = mutual_store::accounts::find_user_by_id(&app.db, author)
        .await?
        .filter(|u| u.status != mutual_domain::accounts::AccountStatus::Deleted)
        .ok_or(AppError::Conflict(
            "The author of this post has deleted their account.",
        ))?;
    let shown_as = if row.anonymous {
        masked_name(&thread.title)
    } else {
        user.username.as_str().to_owned()
    };
    Ok((
        Recipient {
            post,
            shown_as,
            anonymous: row.anonymous,
            thread_title: thread.title,
            post_html: row.html,
        },
        author,
    ))
}

/// Reads "remind me in so many days" ("" or "0": no reminder).
pub fn parse_check_in_days(text: &str) -> Result<Option<u32>, FieldError> {
    match text.trim() {
        "" | "0" => Ok(None),
        text => match text.parse::<u32>() {
            Ok(days) if (1..=MAX_CHECK_IN_DAYS).contains(&days) => Ok(Some(days)),
            _ => Err(FieldError::new(
                "check_in_days",
                format!(
                    "Choose when to check in: a number of days from 1 to {MAX_CHECK_IN_DAYS}, or none."
                ),
            )),
        },
    }
}

/// A moderator writes to the author of a post: a new conversation (never one they already
/// have, which would name the author), delivered at once, in which an anonymous author is shown
/// to the moderator only as the author of the thread. With `check_in_days` the moderator is
/// reminded then to check in. Audit-logged without naming the author. Answers the conversation
/// and who the moderator wrote to, as they are shown them.
pub async fn write_to_author(
    app: &App,
    viewer: &Viewer,
    post: Uuid,
    body: &str,
    check_in_days: &str,
) -> Result<(Uuid, String), AppError> {
    let (recipient, author) = author_of(app, viewer, post).await?;
    let mut problems = Vec::new();
    let body = rules::parse_body(body).map_err(|p| problems.push(p.into()));
    let days = parse_check_in_days(check_in_days).map_err(|p| problems.push(p));
    let (Ok(body), Ok(days)) = (body, days) else {
        return Err(AppError::Invalid(problems));
    };
    let id = Uuid::now_v7();
    let now = app.clock.now();
    let mask = recipient.anonymous.then_some(Mask {
        member: author,
        shown_as: &recipient.shown_as,
    });
    messages_store::insert_conversation(
        &app.db,
        id,
        None,
        &[(viewer.user_id.0, State::Active), (author.0, State::Active)],
        viewer.user_id,
        (Uuid::now_v7(), &body),
        mask,
        now.millis(),
    )
    .await?;
    app.people.unread.forget(&author);
    if let Some(days) = days {
        let due = now.plus(Duration::from_secs(u64::from(days) * 24 * 3600));
        store::insert_check_in(&app.db, id, viewer.user_id, due.millis(), now.millis()).await?;
    }
    crate::notifications::notify(
        app,
        &[author],
        "message",
        crate::notifications::Message::default()
            .text("A moderator, ")
            .actor(viewer.user_id)
            .text(&format!(
                ", wrote to you about your post in “{}”.",
                recipient.thread_title
            )),
        &format!("/messages/{id}"),
    )
    .await?;
    record(
        app,
        Some(viewer.user_id),
        None,
        Audit::WroteToAuthor,
        format!("post {post}, conversation {id}"),
    )
    .await?;
    Ok((id, recipient.shown_as))
}

/// The check-ins the moderator asked to be reminded of, soonest first.
pub async fn check_ins(app: &App, viewer: &Viewer) -> Result<Vec<CheckInRow>, AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    Ok(store::list_check_ins(&app.db, viewer.user_id).await?)
}

/// Calls off one of the moderator's check-ins.
pub async fn cancel_check_in(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    if store::delete_check_in(&app.db, id, viewer.user_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Reminds each moderator whose check-in is due to look in on the person they wrote to.
/// Returns how many were reminded.
pub async fn run_due_check_ins(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let due =
        store::claim_due_check_ins(&app.db, now.millis(), now.plus(LEASE).millis(), 100).await?;
    for row in &due {
        let whom = row.shown_as.as_deref().unwrap_or("the member you wrote to");
        crate::notifications::notify(
            app,
            &[UserId(row.moderator_id)],
            "care_check_in",
            format!("Time to check in with {}.", lower_first(whom)).as_str(),
            &format!("/messages/{}", row.conversation_id),
        )
        .await?;
        store::delete_check_in(&app.db, row.id, UserId(row.moderator_id)).await?;
    }
    Ok(due.len())
}

/// "The author of …" as it reads mid-sentence.
fn lower_first(text: &str) -> String {
    match text.strip_prefix("The ") {
        Some(rest) => format!("the {rest}"),
        None => text.to_owned(),
    }
}
