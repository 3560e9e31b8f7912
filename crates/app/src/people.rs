//! People: private messages between members, accountability circles and the Reach out button.
//! Each is a module; what they share (who knows whom, the export) is here.

pub mod circles;
pub mod mentors;
pub mod messages;
pub mod reach_out;

use crate::cache::TtlCache;
use crate::{App, AppError};
use mutual_domain::UserId;
use std::time::Duration;
use uuid::Uuid;

/// What this server keeps in memory for people: each member's unread conversation count, and
/// the channel on which it announces conversations with a new message (for live pages).
#[derive(Clone)]
pub(crate) struct PeopleState {
    pub unread: TtlCache<UserId, i64>,
    pub live: tokio::sync::broadcast::Sender<Uuid>,
}

impl PeopleState {
    pub fn new(ttl: Duration) -> PeopleState {
        PeopleState {
            unread: TtlCache::new(ttl),
            live: tokio::sync::broadcast::channel(1024).0,
        }
    }
}

/// Whether two members know each other here: they are in a circle together, one mentors the
/// other, or both are in a conversation one of them started and the other accepted.
pub(crate) async fn know_each_other(app: &App, a: UserId, b: UserId) -> Result<bool, AppError> {
    use mutual_store::people::{circles, mentors, messages};
    Ok(circles::share_a_circle(&app.db, a, b).await?
        || mentors::in_mentorship(&app.db, a, b).await?
        || messages::have_talked(&app.db, a, b).await?)
}

/// Who hears of something of `user`'s: those in their circles who were granted `shared`, and
/// (when `mentors` says which choice: `true` for warning signs, `false` for Reach out) their
/// mentors who were granted it; once each, and nobody on the other side of a block.
pub(crate) async fn audience(
    app: &App,
    user: UserId,
    shared: mutual_store::people::circles::Shared,
    mentors: Option<bool>,
) -> Result<Vec<UserId>, AppError> {
    let mut told = mutual_store::people::circles::list_shared_with(&app.db, user, shared).await?;
    if let Some(warnings) = mentors {
        for mentor in
            mutual_store::people::mentors::list_mentors_shared_with(&app.db, user, warnings).await?
        {
            if !told.contains(&mentor) {
                told.push(mentor);
            }
        }
    }
    let blocked = crate::community::blocks::Blocked::around(app, Some(user)).await?;
    Ok(told
        .into_iter()
        .filter(|id| !blocked.contains(*id))
        .map(UserId)
        .collect())
}

/// The member's people data for their export.
pub async fn export(
    app: &App,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    Ok(mutual_store::people::export_member(&app.db, user).await?)
}
