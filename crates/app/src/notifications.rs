//! Notifications, the one mechanism every feature tells members things through: replies,
//! mentions, reactions, moderation decisions, reminders, circles, mentoring, Reach out. Each is
//! in-app first; `delivery` e-mails them (at once or in a digest) as each member chose.

pub mod delivery;
pub mod mail;

use crate::accounts::Viewer;
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::community::author::Author;
use mutual_domain::notifications::template;
use mutual_store::notifications as store;
pub use mutual_store::notifications::NotificationRow;
use uuid::Uuid;

/// What a notification says, naming the member who acted and the thread by reference (never
/// as stored text): read later, it shows their pseudonym and title as they are then, and "A
/// former member" once the member erased their account.
#[derive(Clone, Debug, Default)]
pub struct Message {
    template: String,
    actor: Option<UserId>,
    thread: Option<Uuid>,
}

impl Message {
    /// Plain words.
    pub fn text(mut self, text: &str) -> Self {
        self.template.push_str(&template::escape(text));
        self
    }

    /// The member who acted, by their current pseudonym.
    pub fn actor(mut self, actor: UserId) -> Self {
        self.template.push_str("{actor}");
        self.actor = Some(actor);
        self
    }

    /// The author of work that may be anonymous: by reference when signed, else as shown.
    pub fn author(self, author: &Author, id: UserId) -> Self {
        match author {
            Author::Named(_) => self.actor(id),
            other => self.text(other.shown()),
        }
    }

    /// A thread, by its current title.
    pub fn thread(mut self, thread: Uuid) -> Self {
        self.template.push_str("{thread}");
        self.thread = Some(thread);
        self
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::default().text(text)
    }
}

impl From<&String> for Message {
    fn from(text: &String) -> Self {
        Message::from(text.as_str())
    }
}

/// Tells each of `recipients` something, with a local link to follow. Never fails the action
/// that caused it for a reason of its own beyond the database being unavailable.
pub async fn notify(
    app: &App,
    recipients: &[UserId],
    kind: &str,
    body: impl Into<Message>,
    link: &str,
) -> Result<(), AppError> {
    let body = body.into();
    let now = app.clock.now().millis();
    let rows: Vec<NotificationRow> = recipients
        .iter()
        .map(|user| NotificationRow {
            id: Uuid::now_v7(),
            user_id: user.0,
            kind: kind.to_owned(),
            body: body.template.clone(),
            link: link.to_owned(),
            created_at: now,
            read_at: None,
            actor_id: body.actor.map(|a| a.0),
            thread_id: body.thread,
        })
        .collect();
    let deliveries = delivery::plan(app, &rows).await?;
    store::insert_notifications(&app.db, &rows, &deliveries).await?;
    for user in recipients {
        crate::recovery::snapshot::forget(app, *user);
        app.unread.forget(user);
    }
    Ok(())
}

/// The member's most recent notifications, newest first.
pub async fn recent(
    app: &App,
    viewer: &Viewer,
    limit: i64,
) -> Result<Vec<NotificationRow>, AppError> {
    Ok(store::list_notifications(&app.db, viewer.user_id, limit).await?)
}

/// How many of the member's notifications are unread.
/// Kept in memory for the session cache's seconds (forgotten at once on this server when a
/// notification arrives or is read): every page's header shows it.
pub async fn unread_count(app: &App, user: UserId) -> Result<i64, AppError> {
    let now = app.clock.now();
    if let Some(count) = app.unread.get(&user, now) {
        return Ok(count);
    }
    let count = store::count_unread_notifications(&app.db, user).await?;
    app.unread.put(user, count, now);
    Ok(count)
}

/// Marks all of the member's notifications read.
pub async fn mark_all_read(app: &App, viewer: &Viewer) -> Result<(), AppError> {
    store::mark_notifications_read(&app.db, viewer.user_id, app.clock.now()).await?;
    crate::recovery::snapshot::forget(app, viewer.user_id);
    app.unread.forget(&viewer.user_id);
    Ok(())
}

/// Opens one notification: marks it read and answers where it leads.
pub async fn open(app: &App, viewer: &Viewer, id: Uuid) -> Result<String, AppError> {
    let link = store::mark_notification_read(&app.db, viewer.user_id, id, app.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    crate::recovery::snapshot::forget(app, viewer.user_id);
    app.unread.forget(&viewer.user_id);
    Ok(link)
}

/// The member's notifications, delivery settings and deliveries for their data export.
pub async fn export(
    app: &App,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut tables = store::export_member(&app.db, user).await?;
    let notifications =
        serde_json::to_value(store::list_notifications(&app.db, user, i64::MAX).await?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    tables.insert("notifications".to_owned(), notifications);
    Ok(tables)
}
