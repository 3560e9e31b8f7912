//! In-app notifications, shared by every feature: stored per member, listed newest first,
//! counted while unread and marked read.

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};
use serde::Serialize;
use uuid::Uuid;

/// An in-app notification.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub body: String,
    /// A local path to go to.
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A member's most recent notifications, newest first.
pub async fn list_notifications(
    db: &Db,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    const SQL: &str = "SELECT id, user_id, kind, body, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(limit).fetch_all(pool).await?))
}

/// Marks all of a member's notifications read.
pub async fn mark_notifications_read(
    db: &Db,
    user: UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
    on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Stores several notifications at once (one per recipient of an event).
pub async fn insert_notifications(db: &Db, rows: &[NotificationRow]) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO notifications (id, user_id, kind, body, link, created_at, read_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)";
    if rows.is_empty() {
        return Ok(());
    }
    write_tx!(db, tx => {
        for row in rows {
            sqlx::query(SQL)
                .bind(row.id)
                .bind(row.user_id)
                .bind(&row.kind)
                .bind(&row.body)
                .bind(&row.link)
                .bind(row.created_at)
                .execute(&mut *tx)
                .await?;
        }
    });
    Ok(())
}

/// How many of a member's notifications are unread.
pub async fn count_unread_notifications(db: &Db, user: UserId) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).fetch_one(pool).await?))
}

/// Marks one of a member's notifications read; returns its link (`None` when it is not theirs).
pub async fn mark_notification_read(
    db: &Db,
    user: UserId,
    id: Uuid,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    const SQL: &str = "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
         WHERE id = $2 AND user_id = $3 RETURNING link";
    Ok(
        on_write!(db, pool => sqlx::query_scalar(SQL).bind(now.millis()).bind(id).bind(user.0).fetch_optional(pool).await?),
    )
}

/// Tables holding a member's notifications, emptied when their account is erased.
pub(crate) const MEMBER_TABLES: &[&str] = &["notifications"];
