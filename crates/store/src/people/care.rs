//! Moderators' check-ins on a member they wrote to: when to remind the moderator, claimed by
//! one worker at a time and deleted once the reminder is sent.

use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A check-in a moderator asked to be reminded of.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CheckInRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub moderator_id: Uuid,
    pub due_at: i64,
    /// Who the moderator wrote to, as the moderator is shown them.
    pub shown_as: Option<String>,
}

const COLUMNS: &str = "k.id, k.conversation_id, k.moderator_id, k.due_at, c.masked_as AS shown_as";

/// Asks for a reminder to check in on a conversation at `due_at`.
pub async fn insert_check_in(
    db: &Db,
    conversation: Uuid,
    moderator: UserId,
    due_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO care_check_ins (id, conversation_id, moderator_id, due_at, \
         claimed_until, created_at) VALUES ($1, $2, $3, $4, 0, $5)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(Uuid::now_v7())
        .bind(conversation)
        .bind(moderator.0)
        .bind(due_at)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// A moderator's check-ins still to come, soonest first.
pub async fn list_check_ins(db: &Db, moderator: UserId) -> Result<Vec<CheckInRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM care_check_ins k JOIN conversations c ON c.id = k.conversation_id \
         WHERE k.moderator_id = $1 ORDER BY k.due_at LIMIT 100"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(moderator.0).fetch_all(pool).await?))
}

/// Claims up to `limit` check-ins due by `now` for `lease_until` (another worker takes over a
/// claim that lapses).
pub async fn claim_due_check_ins(
    db: &Db,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<CheckInRow>, StoreError> {
    let lock = match db.backend() {
        crate::Backend::Sqlite => "",
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let claim = format!(
        "UPDATE care_check_ins SET claimed_until = $1 WHERE id IN (SELECT id FROM care_check_ins \
         WHERE due_at <= $2 AND claimed_until <= $2 ORDER BY due_at LIMIT $3{lock}) RETURNING id"
    );
    Ok(write_tx!(db, tx => {
        let claimed: Vec<Uuid> = sqlx::query_scalar(&claim)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        if claimed.is_empty() {
            Vec::new()
        } else {
            let read = format!(
                "SELECT {COLUMNS} FROM care_check_ins k \
                 JOIN conversations c ON c.id = k.conversation_id \
                 WHERE k.id IN ({}) ORDER BY k.due_at",
                crate::db::placeholders(1, claimed.len())
            );
            let mut query = sqlx::query_as(&read);
            for id in &claimed {
                query = query.bind(*id);
            }
            query.fetch_all(&mut *tx).await?
        }
    }))
}

/// Removes a check-in (reminded, or called off by its moderator).
pub async fn delete_check_in(db: &Db, id: Uuid, moderator: UserId) -> Result<bool, StoreError> {
    const SQL: &str = "DELETE FROM care_check_ins WHERE id = $1 AND moderator_id = $2";
    let deleted = on_write!(db, pool => sqlx::query(SQL).bind(id).bind(moderator.0).execute(pool).await?.rows_affected());
    Ok(deleted == 1)
}

/// A moderator's check-in, for their export.
#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct CheckInExport {
    id: Uuid,
    conversation_id: Uuid,
    moderator_id: Uuid,
    due_at: i64,
    created_at: i64,
}
