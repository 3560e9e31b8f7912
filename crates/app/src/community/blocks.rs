//! Blocks between members: a member blocks another by pseudonym, and from then on neither sees
//! the other's posts, threads or search results, nor hears of the other's replies, mentions,
//! quotes or reactions. The one who blocked sees a placeholder where the other's posts were; the
//! one blocked sees nothing at all, so they cannot tell. Anonymous posts stay as they are both
//! ways: hiding them would tell the reader who wrote them.

use crate::accounts::{Viewer, member_named};
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_store::standing as store;
use std::sync::Arc;
use uuid::Uuid;

/// The people on the other side of a viewer's blocks (either way).
#[derive(Clone, Debug, Default)]
pub struct Blocked(Arc<super::cached::Reader>);

impl Blocked {
    /// The blocks around `user` (none for a visitor).
    pub async fn around(app: &App, user: Option<UserId>) -> Result<Blocked, AppError> {
        Ok(Blocked(match user {
            Some(user) => super::cached::reader(app, user).await?,
            None => Arc::default(),
        }))
    }

    /// Whether something shown under `author_name` (`None` for anonymous posts and deleted
    /// members) is from someone on the other side of a block.
    pub fn hides(&self, author_name: Option<&str>) -> bool {
        self.find(author_name).is_some()
    }

    /// Whether the viewer placed the block with the author shown as `author_name` (so a
    /// placeholder may say so); `false` when the block is theirs, or there is none.
    pub fn placed_by_viewer(&self, author_name: Option<&str>) -> bool {
        self.find(author_name).is_some_and(|(_, _, mine)| *mine)
    }

    fn find(&self, author_name: Option<&str>) -> Option<&(Uuid, String, bool)> {
        let name = author_name?;
        self.0
            .blocked
            .iter()
            .find(|(_, blocked, _)| blocked == name)
    }

    /// Whether `user` is on the other side of a block.
    pub fn contains(&self, user: Uuid) -> bool {
        self.0.blocked.iter().any(|(id, _, _)| *id == user)
    }
}

/// Of `recipients`, those who have no block with the author of a post. An anonymous post's
/// author is no one's business, so its notifications go to everyone.
pub(crate) async fn without_blocked(
    app: &App,
    author: &Viewer,
    anonymous: bool,
    recipients: Vec<UserId>,
) -> Result<Vec<UserId>, AppError> {
    if anonymous || recipients.is_empty() {
        return Ok(recipients);
    }
    let blocked = Blocked::around(app, Some(author.user_id)).await?;
    Ok(recipients
        .into_iter()
        .filter(|user| !blocked.contains(user.0))
        .collect())
}

/// The members the viewer blocked: (id, pseudonym, since when).
pub async fn blocked_by(app: &App, viewer: &Viewer) -> Result<Vec<(Uuid, String, i64)>, AppError> {
    Ok(store::list_blocked(&app.db, viewer.user_id).await?)
}

/// Blocks a member by pseudonym. A block on a moderator or admin is recorded like any other but
/// does nothing while they are staff (see `mutual_store::standing::BLOCKS_IN_FORCE`): refusing
/// it would tell the member who is staff.
pub async fn block(app: &App, viewer: &Viewer, username: &str) -> Result<String, AppError> {
    let user = member_named(app, username).await?.ok_or_else(|| {
        crate::people::unreachable("username", username.trim(), crate::people::Reach::Block)
    })?;
    if user.id == viewer.user_id {
        return Err(AppError::field("username", "You cannot block yourself."));
    }
    store::insert_block(&app.db, viewer.user_id, user.id, app.clock.now().millis()).await?;
    crate::bus::readers_changed(app, &[viewer.user_id, user.id]).await;
    Ok(user.username.as_str().to_owned())
}

/// Lifts a block the viewer placed.
pub async fn unblock(app: &App, viewer: &Viewer, username: &str) -> Result<(), AppError> {
    let user = member_named(app, username)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_block(&app.db, viewer.user_id, user.id).await?;
    crate::bus::readers_changed(app, &[viewer.user_id, user.id]).await;
    Ok(())
}
