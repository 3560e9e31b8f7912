//! A member's standing: sanctions with their appeals and answers, and the blocks members place
//! between themselves and others.

use crate::community::member_rows;
use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A sanction, with the member's appeal and the moderators' answer once there are.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SanctionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// `warn`, `silence`, `suspend` or `ban`.
    pub kind: String,
    pub reason: String,
    /// The post that led to it, if one did.
    pub post_id: Option<Uuid>,
    pub created_at: i64,
    /// When a silence ends by itself.
    pub ends_at: Option<i64>,
    pub lifted_at: Option<i64>,
    pub appeal: String,
    pub appealed_at: Option<i64>,
    pub answer: String,
    pub answered_at: Option<i64>,
}

const SANCTION_COLUMNS: &str = "id, user_id, kind, reason, post_id, created_at, ends_at, \
     lifted_at, appeal, appealed_at, answer, answered_at";

/// Stores a new sanction.
pub async fn insert_sanction(db: &Db, row: &SanctionRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO sanctions ({SANCTION_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(row.id)
        .bind(row.user_id)
        .bind(&row.kind)
        .bind(&row.reason)
        .bind(row.post_id)
        .bind(row.created_at)
        .bind(row.ends_at)
        .bind(row.lifted_at)
        .bind(&row.appeal)
        .bind(row.appealed_at)
        .bind(&row.answer)
        .bind(row.answered_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// One sanction.
pub async fn find_sanction(db: &Db, id: Uuid) -> Result<Option<SanctionRow>, StoreError> {
    let sql = format!("SELECT {SANCTION_COLUMNS} FROM sanctions WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// Every sanction a member was given, newest first.
pub async fn list_sanctions(db: &Db, user: UserId) -> Result<Vec<SanctionRow>, StoreError> {
    let sql = format!(
        "SELECT {SANCTION_COLUMNS} FROM sanctions WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// The member's sanctions that stop something and are in force at `now` (not lifted, not
/// ended).
pub async fn list_in_force(
    db: &Db,
    user: UserId,
    now: i64,
) -> Result<Vec<SanctionRow>, StoreError> {
    let sql = format!(
        "SELECT {SANCTION_COLUMNS} FROM sanctions WHERE user_id = $1 AND kind <> 'warn' \
         AND lifted_at IS NULL AND (ends_at IS NULL OR ends_at > $2) ORDER BY created_at DESC, id DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).bind(now).fetch_all(pool).await?))
}

/// Records the member's appeal of their own sanction; `false` when it is not theirs or was
/// already appealed.
pub async fn insert_appeal(
    db: &Db,
    id: Uuid,
    user: UserId,
    appeal: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE sanctions SET appeal = $1, appealed_at = $2 \
         WHERE id = $3 AND user_id = $4 AND appealed_at IS NULL";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(appeal).bind(now).bind(id).bind(user.0).execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// Answers an open appeal, lifting the sanction when `lift`; `false` when there was no open
/// appeal.
pub async fn answer_appeal(
    db: &Db,
    id: Uuid,
    answer: &str,
    lift: bool,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE sanctions SET answer = $1, answered_at = $2, \
         lifted_at = CASE WHEN $3 THEN $2 ELSE lifted_at END \
         WHERE id = $4 AND appealed_at IS NOT NULL AND answered_at IS NULL";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(answer).bind(now).bind(lift).bind(id).execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// Lifts every sanction of a kind in force on a member (an admin lifting a suspension).
pub async fn lift_sanctions(db: &Db, user: UserId, kind: &str, now: i64) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE sanctions SET lifted_at = $1 \
         WHERE user_id = $2 AND kind = $3 AND lifted_at IS NULL";
    on_write!(db, pool => sqlx::query(SQL).bind(now).bind(user.0).bind(kind).execute(pool).await?.rows_affected());
    Ok(())
}

/// An appeal as moderators read it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AppealRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub sanction: SanctionRow,
    /// The member's pseudonym, or `None` when the sanction came from an anonymous post (so an
    /// appeal does not out its author).
    pub member_name: Option<String>,
}

/// Appeals, waiting ones first (oldest first), then the latest answered.
pub async fn list_appeals(db: &Db, limit: i64) -> Result<Vec<AppealRow>, StoreError> {
    let sql = format!(
        "SELECT {}, {} AS member_name FROM sanctions s JOIN users u ON u.id = s.user_id LEFT JOIN posts p ON p.id = s.post_id \
         WHERE s.appealed_at IS NOT NULL \
         ORDER BY CASE WHEN s.answered_at IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN s.answered_at IS NULL THEN s.appealed_at ELSE -s.answered_at END LIMIT $1",
        SANCTION_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        author_name_sql!("p.anonymous", "u"),
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?))
}

/// Blocks `blocked` for `blocker` (idempotent).
pub async fn insert_block(
    db: &Db,
    blocker: UserId,
    blocked: UserId,
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING";
    on_write!(db, pool => sqlx::query(SQL).bind(blocker.0).bind(blocked.0).bind(now).execute(pool).await?.rows_affected());
    Ok(())
}

/// Lifts a block.
pub async fn delete_block(db: &Db, blocker: UserId, blocked: UserId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(blocker.0).bind(blocked.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// The members someone blocked, by pseudonym: (id, pseudonym, since).
pub async fn list_blocked(
    db: &Db,
    blocker: UserId,
) -> Result<Vec<(Uuid, String, i64)>, StoreError> {
    const SQL: &str = "SELECT u.id, u.username, b.created_at FROM blocks b \
         JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1 ORDER BY u.username_lower";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(blocker.0).fetch_all(pool).await?))
}

/// The blocks in force, as a table expression with `blocker_id` and `blocked_id`: a block never
/// stands between a member and a moderator or admin, who read everything and can be reached, so
/// while either side is staff it is kept (and shown to the one who placed it) but does nothing.
/// That is also why placing one on staff answers as for anyone: the answer tells nobody who is.
pub(crate) const BLOCKS_IN_FORCE: &str = "(SELECT b.blocker_id, b.blocked_id FROM blocks b \
     WHERE NOT EXISTS (SELECT 1 FROM users s WHERE s.id IN (b.blocker_id, b.blocked_id) \
     AND s.role IN ('moderator', 'admin')))";

/// Everyone a member has blocked or been blocked by with the block in force, as (id, pseudonym,
/// whether the member placed the block): the people whose posts and mentions no longer reach
/// them, nor theirs those people.
pub async fn list_blocked_either_way(
    db: &Db,
    user: UserId,
) -> Result<Vec<(Uuid, String, bool)>, StoreError> {
    let sql = format!(
        "SELECT u.id, u.username, b.blocker_id = $1 FROM {BLOCKS_IN_FORCE} b \
         JOIN users u ON u.id = CASE WHEN b.blocker_id = $1 THEN b.blocked_id ELSE b.blocker_id END \
         WHERE b.blocker_id = $1 OR b.blocked_id = $1"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// Tables of a member's standing keyed by `user_id`, deleted when their account is erased.
pub(crate) const MEMBER_TABLES: &[&str] = &["sanctions"];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: ERASE,
    tables: MEMBER_TABLES,
    not_exported: &[],
    not_member_data: &[],
};

/// Run when an account is erased (the member's id as `$1`): blocks either way go.
pub(crate) const ERASE: &[&str] = &["DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1"];

#[derive(Serialize, sqlx::FromRow)]
struct BlockExport {
    blocker_id: Uuid,
    blocked_id: Uuid,
    created_at: i64,
}

/// The member's sanctions (with their appeals) and the blocks they placed, for their export.
/// Who blocked them is the blocker's own data and is not in it.
pub async fn export_member(
    db: &Db,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    let sanctions =
        format!("SELECT {SANCTION_COLUMNS} FROM sanctions WHERE user_id = $1 ORDER BY created_at");
    Ok(serde_json::Map::from_iter([
        (
            "sanctions".to_owned(),
            member_rows::<SanctionRow>(db, &sanctions, user).await?,
        ),
        (
            "blocks".to_owned(),
            member_rows::<BlockExport>(
                db,
                "SELECT blocker_id, blocked_id, created_at FROM blocks WHERE blocker_id = $1 \
                 ORDER BY created_at",
                user,
            )
            .await?,
        ),
    ]))
}
