//! Reach out alerts: who pressed, with what words, whom it told and who responded, and the
//! follow-up an hour later, claimed by one worker at a time like the reminders.

use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A Reach out alert.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ReachOutRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub message: String,
    pub created_at: i64,
    /// When to ask how they are doing; `None` once asked.
    pub follow_up_at: Option<i64>,
    pub claimed_until: i64,
}

pub(crate) const COLUMNS: &str = "id, user_id, message, created_at, follow_up_at, claimed_until";

/// Someone told of an alert, and when they responded.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RecipientRow {
    pub user_id: Uuid,
    pub username: String,
    pub responded_at: Option<i64>,
}

/// Stores an alert and whom it tells.
pub async fn insert_reach_out(
    db: &Db,
    row: &ReachOutRow,
    recipients: &[Uuid],
) -> Result<(), StoreError> {
    let insert = format!("INSERT INTO reach_outs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
    const RECIPIENT: &str = "INSERT INTO reach_out_recipients (reach_out_id, user_id, responded_at) \
         VALUES ($1, $2, NULL)";
    write_tx!(db, tx => {
        sqlx::query(&insert)
            .bind(row.id)
            .bind(row.user_id)
            .bind(&row.message)
            .bind(row.created_at)
            .bind(row.follow_up_at)
            .bind(row.claimed_until)
            .execute(&mut *tx)
            .await?;
        for user in recipients {
            sqlx::query(RECIPIENT).bind(row.id).bind(user).execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// A member's alerts since `since`, newest first.
pub async fn list_reach_outs_since(
    db: &Db,
    user: UserId,
    since: i64,
) -> Result<Vec<ReachOutRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reach_outs WHERE user_id = $1 AND created_at >= $2 \
         ORDER BY created_at DESC, id DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).bind(since).fetch_all(pool).await?))
}

/// One of a member's alerts with how many it told and how many of those responded.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReachOutCounts {
    pub id: Uuid,
    pub created_at: i64,
    pub told: i64,
    pub responded: i64,
}

/// A member's alerts since `since`, newest first, each with its counts (in one query).
pub async fn list_reach_out_counts_since(
    db: &Db,
    user: UserId,
    since: i64,
) -> Result<Vec<ReachOutCounts>, StoreError> {
    const SQL: &str = "SELECT r.id, r.created_at, COUNT(t.reach_out_id) AS told, \
         COUNT(t.responded_at) AS responded FROM reach_outs r \
         LEFT JOIN (SELECT t.reach_out_id, t.responded_at FROM reach_out_recipients t \
         JOIN users u ON u.id = t.user_id) t ON t.reach_out_id = r.id \
         WHERE r.user_id = $1 AND r.created_at >= $2 GROUP BY r.id, r.created_at \
         ORDER BY r.created_at DESC, r.id DESC";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(since).fetch_all(pool).await?))
}

/// One alert.
pub async fn find_reach_out(db: &Db, id: Uuid) -> Result<Option<ReachOutRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM reach_outs WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// Whom an alert told, those who responded first (in the order they did).
pub async fn list_recipients(db: &Db, id: Uuid) -> Result<Vec<RecipientRow>, StoreError> {
    const SQL: &str = "SELECT r.user_id, u.username, r.responded_at FROM reach_out_recipients r \
         JOIN users u ON u.id = r.user_id WHERE r.reach_out_id = $1 \
         ORDER BY CASE WHEN r.responded_at IS NULL THEN 1 ELSE 0 END, r.responded_at, u.username_lower";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await?))
}

/// Records that a recipient responded (the first time only).
pub async fn mark_responded(db: &Db, id: Uuid, user: UserId, now: i64) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE reach_out_recipients SET responded_at = $1 \
         WHERE reach_out_id = $2 AND user_id = $3 AND responded_at IS NULL";
    on_write!(db, pool => sqlx::query(SQL).bind(now).bind(id).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Claims up to `limit` alerts whose follow-up is due, as [`crate::recovery::claim_due_reminders`]
/// claims reminders (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite).
pub async fn claim_due_follow_ups(
    db: &Db,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<ReachOutRow>, StoreError> {
    let pick = "SELECT id FROM reach_outs WHERE follow_up_at <= $2 AND claimed_until <= $2 \
                ORDER BY follow_up_at LIMIT $3";
    let lock = match db.backend() {
        crate::Backend::Sqlite => "",
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE reach_outs SET claimed_until = $1 WHERE id IN ({pick}{lock}) RETURNING {COLUMNS}"
    );
    Ok(write_tx!(db, tx => {
        sqlx::query_as(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?
    }))
}

/// Marks an alert's follow-up done.
pub async fn finish_follow_up(db: &Db, id: Uuid) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE reach_outs SET follow_up_at = NULL, claimed_until = 0 WHERE id = $1";
    on_write!(db, pool => sqlx::query(SQL).bind(id).execute(pool).await?.rows_affected());
    Ok(())
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct RecipientExport {
    reach_out_id: Uuid,
    user_id: Uuid,
    responded_at: Option<i64>,
}
