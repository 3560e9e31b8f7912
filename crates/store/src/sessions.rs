//! Sessions: signed-in browsers and API tokens, stored by the hash of their token.

use crate::accounts::{USER_COLUMNS, UserRecord, UserRow};
use crate::{Db, StoreError};
use mutual_domain::{SessionId, Timestamp, UserId};
use uuid::Uuid;

/// A stored session.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    /// "browser" or "api".
    pub kind: String,
    /// A coarse description of the device ("Firefox on Android"), never an address.
    pub device: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub idle_timeout_ms: i64,
    pub expires_at: Timestamp,
}

impl SessionRecord {
    /// Whether the session has lapsed at `now`, by idleness or by its absolute limit.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at || now.millis() - self.last_seen_at.millis() >= self.idle_timeout_ms
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    user_id: Uuid,
    kind: String,
    device: String,
    created_at: i64,
    last_seen_at: i64,
    idle_timeout_ms: i64,
    expires_at: i64,
}

impl From<SessionRow> for SessionRecord {
    fn from(row: SessionRow) -> Self {
        SessionRecord {
            id: SessionId(row.id),
            user_id: UserId(row.user_id),
            kind: row.kind,
            device: row.device,
            created_at: Timestamp(row.created_at),
            last_seen_at: Timestamp(row.last_seen_at),
            idle_timeout_ms: row.idle_timeout_ms,
            expires_at: Timestamp(row.expires_at),
        }
    }
}

const SESSION_COLUMNS: &str = "sessions.id, sessions.user_id, sessions.kind, sessions.device, \
     sessions.created_at, sessions.last_seen_at, sessions.idle_timeout_ms, sessions.expires_at";

/// Stores a new session under the hash of its token.
pub async fn insert_session(
    db: &Db,
    session: &SessionRecord,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO sessions (id, user_id, token_hash, kind, device, created_at, \
         last_seen_at, idle_timeout_ms, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(session.id.0)
        .bind(session.user_id.0)
        .bind(token_hash)
        .bind(&session.kind)
        .bind(&session.device)
        .bind(session.created_at.millis())
        .bind(session.last_seen_at.millis())
        .bind(session.idle_timeout_ms)
        .bind(session.expires_at.millis())
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// The session whose token hashes to `token_hash`, with its account, in one query.
pub async fn find_session_by_token_hash(
    db: &Db,
    token_hash: &[u8],
) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
    // Both tables have `id` and `created_at`: the session's columns are aliased.
    let sql = format!(
        "SELECT sessions.id AS session_id, sessions.kind, sessions.device, \
         sessions.created_at AS session_created_at, sessions.last_seen_at, \
         sessions.idle_timeout_ms, sessions.expires_at, {USER_COLUMNS} FROM sessions \
         JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = $1"
    );
    #[derive(sqlx::FromRow)]
    struct Joined {
        session_id: Uuid,
        kind: String,
        device: String,
        session_created_at: i64,
        last_seen_at: i64,
        idle_timeout_ms: i64,
        expires_at: i64,
        #[sqlx(flatten)]
        user: UserRow,
    }
    let row: Option<Joined> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?);
    let Some(row) = row else { return Ok(None) };
    let user = UserRecord::try_from(row.user)?;
    let session = SessionRecord {
        id: SessionId(row.session_id),
        user_id: user.id,
        kind: row.kind,
        device: row.device,
        created_at: Timestamp(row.session_created_at),
        last_seen_at: Timestamp(row.last_seen_at),
        idle_timeout_ms: row.idle_timeout_ms,
        expires_at: Timestamp(row.expires_at),
    };
    Ok(Some((session, user)))
}

/// Records activity on a session (callers do this at most once a minute per session); `false`
/// when the session no longer exists (ended elsewhere).
pub async fn update_session_seen(
    db: &Db,
    id: SessionId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2";
    let updated = on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).bind(id.0).execute(pool).await?.rows_affected());
    Ok(updated > 0)
}

/// A member's sessions, most recently used first.
pub async fn list_sessions_by_user(
    db: &Db,
    user: UserId,
) -> Result<Vec<SessionRecord>, StoreError> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC"
    );
    let rows: Vec<SessionRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?);
    Ok(rows.into_iter().map(SessionRecord::from).collect())
}

/// Ends one of a member's sessions; `NotFound` if it is not theirs.
pub async fn delete_session(db: &Db, user: UserId, id: SessionId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM sessions WHERE id = $1 AND user_id = $2";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(id.0).bind(user.0).execute(pool).await?.rows_affected());
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Ends all of a member's sessions except `keep`; returns how many ended.
pub async fn delete_sessions_by_user(
    db: &Db,
    user: UserId,
    keep: Option<SessionId>,
) -> Result<u64, StoreError> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
    let keep = keep.map(|id| id.0).unwrap_or(Uuid::nil());
    let done = on_write!(db, pool => sqlx::query(SQL).bind(user.0).bind(keep).execute(pool).await?.rows_affected());
    Ok(done)
}

/// Removes sessions that have lapsed by `now` (housekeeping).
pub async fn delete_expired_sessions(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    const SQL: &str =
        "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at + idle_timeout_ms <= $1";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).execute(pool).await?.rows_affected());
    Ok(done)
}
