//! Accounts: users, invites and the one-time setup link for the first admin.

use crate::{Db, StoreError};
use mutual_domain::accounts::{AccountStatus, Email, Username};
use mutual_domain::permissions::Role;
use mutual_domain::{InviteId, Timestamp, UserId};
use uuid::Uuid;

/// A stored account.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub username: Username,
    pub password_hash: String,
    pub email: Option<Email>,
    pub role: Role,
    pub status: AccountStatus,
    pub status_reason: Option<String>,
    /// The member's IANA time zone, if they chose one.
    pub time_zone: Option<String>,
    /// The country whose crisis lines they are shown, if they chose one.
    pub country: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An account about to be stored.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a Username,
    pub password_hash: &'a str,
    pub email: Option<&'a Email>,
    pub role: Role,
    pub status: AccountStatus,
    pub now: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    username: String,
    password_hash: String,
    email: Option<String>,
    role: String,
    status: String,
    status_reason: Option<String>,
    time_zone: Option<String>,
    country: Option<String>,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const USER_COLUMNS: &str = "users.id, users.username, users.password_hash, users.email, \
     users.role, users.status, users.status_reason, users.time_zone, users.country, users.created_at, \
     users.updated_at";

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(UserRecord {
            id: UserId(row.id),
            username: Username::from_trusted(row.username),
            password_hash: row.password_hash,
            email: row.email.map(Email::from_trusted),
            role: Role::parse(&row.role).ok_or(StoreError::Corrupt("users.role"))?,
            status: AccountStatus::parse(&row.status).ok_or(StoreError::Corrupt("users.status"))?,
            status_reason: row.status_reason,
            time_zone: row.time_zone,
            country: row.country,
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

const INSERT_USER: &str = "INSERT INTO users (id, username, username_lower, password_hash, email, \
     role, status, status_reason, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)";

macro_rules! insert_user_query {
    ($user:expr) => {
        sqlx::query(INSERT_USER)
            .bind($user.id.0)
            .bind($user.username.as_str())
            .bind($user.username.canonical())
            .bind($user.password_hash)
            .bind($user.email.map(Email::as_str))
            .bind($user.role.as_str())
            .bind($user.status.as_str())
            .bind($user.now.millis())
    };
}

/// Stores a new account; `Conflict` when the pseudonym is taken (in any case).
pub async fn insert_user(db: &Db, user: &NewUser<'_>) -> Result<(), StoreError> {
    on_write!(db, pool => insert_user_query!(user).execute(pool).await?.rows_affected());
    Ok(())
}

/// Stores a new account and marks the invite used, atomically. `NotFound` when the invite is
/// unknown, used or expired; `Conflict` when the pseudonym is taken.
pub async fn insert_user_with_invite(
    db: &Db,
    user: &NewUser<'_>,
    invite_token_hash: &[u8],
) -> Result<(), StoreError> {
    const USE_INVITE: &str = "UPDATE invites SET used_by = $1, used_at = $2 \
         WHERE token_hash = $3 AND used_at IS NULL AND expires_at > $2";
    write_tx!(db, tx => {
        insert_user_query!(user).execute(&mut *tx).await?;
        let used = sqlx::query(USE_INVITE)
            .bind(user.id.0)
            .bind(user.now.millis())
            .bind(invite_token_hash)
            .execute(&mut *tx)
            .await?;
        if used.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
    });
    Ok(())
}

/// Stores the first admin and spends the setup token, atomically. `NotFound` when the token is
/// unknown or already used.
pub async fn insert_user_with_setup_token(
    db: &Db,
    user: &NewUser<'_>,
    setup_token_hash: &[u8],
) -> Result<(), StoreError> {
    const USE_TOKEN: &str =
        "UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL";
    write_tx!(db, tx => {
        let used = sqlx::query(USE_TOKEN)
            .bind(user.now.millis())
            .bind(setup_token_hash)
            .execute(&mut *tx)
            .await?;
        if used.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        insert_user_query!(user).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Every active admin.
pub async fn list_admins(db: &Db) -> Result<Vec<Uuid>, StoreError> {
    const SQL: &str = "SELECT id FROM users WHERE role = 'admin' AND status = 'active'";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).fetch_all(pool).await?))
}

/// The account with this canonical (lower-case) pseudonym.
pub async fn find_user_by_username(
    db: &Db,
    canonical: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_lower = $1");
    let row: Option<UserRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(canonical).fetch_optional(pool).await?);
    row.map(UserRecord::try_from).transpose()
}

/// The pseudonyms of the accounts with these ids, by id, in no order.
pub async fn list_usernames(db: &Db, ids: &[UserId]) -> Result<Vec<(Uuid, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, username FROM users WHERE id IN ({})",
        crate::db::placeholders(1, ids.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id.0);
        }
        query.fetch_all(pool).await?
    }))
}

/// Sets the country whose crisis lines a member is shown (`None`: suggested by their zone).
pub async fn update_country(
    db: &Db,
    id: UserId,
    country: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET country = $1, updated_at = $2 WHERE id = $3";
    on_write!(db, pool => sqlx::query(SQL).bind(country).bind(now.millis()).bind(id.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// The active accounts with `email` on file (any case), for reset links.
pub async fn list_active_users_with_email(
    db: &Db,
    email: &Email,
) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1) AND status = 'active'"
    );
    let rows: Vec<UserRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(email.as_str()).fetch_all(pool).await?);
    rows.into_iter().map(UserRecord::try_from).collect()
}

/// The ids of the accounts (not deleted) with these canonical pseudonyms, in no order.
pub async fn list_user_ids_named(db: &Db, canonical: &[String]) -> Result<Vec<Uuid>, StoreError> {
    if canonical.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM users WHERE status <> 'deleted' AND username_lower IN ({})",
        crate::db::placeholders(1, canonical.len())
    );
    on_db!(db, pool => {
        let mut query = sqlx::query_scalar(&sql);
        for name in canonical {
            query = query.bind(name);
        }
        Ok(query.fetch_all(pool).await?)
    })
}

/// The account with this id.
pub async fn find_user_by_id(db: &Db, id: UserId) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?);
    row.map(UserRecord::try_from).transpose()
}

/// One page of accounts for the admin list, ordered by pseudonym, starting after `after`
/// (a canonical pseudonym), optionally only those with `status`. Erased accounts are left out.
pub async fn list_users(
    db: &Db,
    after: &str,
    status: Option<AccountStatus>,
    limit: i64,
) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username_lower > $1 AND status <> 'deleted' \
         AND ($2 = '' OR status = $2) ORDER BY username_lower LIMIT $3"
    );
    let status = status.map(AccountStatus::as_str).unwrap_or("");
    let rows: Vec<UserRow> = on_db!(db, pool => sqlx::query_as(&sql)
        .bind(after)
        .bind(status)
        .bind(limit)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(UserRecord::try_from).collect()
}

/// How many active admins there are (the first-admin setup link exists while this is 0).
pub async fn count_active_admins(db: &Db) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'";
    let count: i64 = on_db!(db, pool => sqlx::query_scalar(SQL).fetch_one(pool).await?);
    Ok(count)
}

/// Replaces the stored password hash.
pub async fn update_password_hash(
    db: &Db,
    id: UserId,
    hash: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(hash).bind(now.millis()).bind(id.0).execute(pool).await?.rows_affected());
    expect_one(done)
}

/// Changes an account's role.
pub async fn update_role(
    db: &Db,
    id: UserId,
    role: Role,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND status <> 'deleted'";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(role.as_str()).bind(now.millis()).bind(id.0).execute(pool).await?.rows_affected());
    expect_one(done)
}

/// Changes an account's status, with the reason shown to the member (for suspensions).
pub async fn update_status(
    db: &Db,
    id: UserId,
    status: AccountStatus,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET status = $1, status_reason = $2, updated_at = $3 \
         WHERE id = $4 AND status <> 'deleted'";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(status.as_str())
        .bind(reason)
        .bind(now.millis())
        .bind(id.0)
        .execute(pool)
        .await?
        .rows_affected());
    expect_one(done)
}

/// Sets (or with `None` removes) a member's e-mail address.
pub async fn update_email(
    db: &Db,
    id: UserId,
    email: Option<&Email>,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET email = $1, updated_at = $2 WHERE id = $3";
    on_write!(db, pool => sqlx::query(SQL).bind(email.map(Email::as_str)).bind(now.millis()).bind(id.0).execute(pool).await?.rows_affected());
    Ok(())
}

pub(crate) fn expect_one(rows: u64) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// A stored invite (the token itself is never stored, only its hash).
#[derive(Clone, Debug, serde::Serialize)]
pub struct InviteRecord {
    pub id: InviteId,
    pub note: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_by: Option<UserId>,
    pub used_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: Uuid,
    note: String,
    created_by: Uuid,
    created_at: i64,
    expires_at: i64,
    used_by: Option<Uuid>,
    used_at: Option<i64>,
}

impl From<InviteRow> for InviteRecord {
    fn from(row: InviteRow) -> Self {
        InviteRecord {
            id: InviteId(row.id),
            note: row.note,
            created_by: UserId(row.created_by),
            created_at: Timestamp(row.created_at),
            expires_at: Timestamp(row.expires_at),
            used_by: row.used_by.map(UserId),
            used_at: row.used_at.map(Timestamp),
        }
    }
}

const INVITE_COLUMNS: &str = "id, note, created_by, created_at, expires_at, used_by, used_at";

/// Stores a new invite.
pub async fn insert_invite(
    db: &Db,
    invite: &InviteRecord,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO invites (id, token_hash, note, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(invite.id.0)
        .bind(token_hash)
        .bind(&invite.note)
        .bind(invite.created_by.0)
        .bind(invite.created_at.millis())
        .bind(invite.expires_at.millis())
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// The invite whose token hashes to `token_hash`.
pub async fn find_invite_by_token_hash(
    db: &Db,
    token_hash: &[u8],
) -> Result<Option<InviteRecord>, StoreError> {
    let sql = format!("SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = $1");
    let row: Option<InviteRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?);
    Ok(row.map(InviteRecord::from))
}

/// The most recent invites, newest first.
pub async fn list_invites(db: &Db, limit: i64) -> Result<Vec<InviteRecord>, StoreError> {
    let sql = format!("SELECT {INVITE_COLUMNS} FROM invites ORDER BY created_at DESC LIMIT $1");
    let rows: Vec<InviteRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?);
    Ok(rows.into_iter().map(InviteRecord::from).collect())
}

/// Invites that a member created or used, for their data export.
pub async fn list_invites_by_user(db: &Db, id: UserId) -> Result<Vec<InviteRecord>, StoreError> {
    let sql = format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE created_by = $1 OR used_by = $1 ORDER BY created_at"
    );
    let rows: Vec<InviteRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(id.0).fetch_all(pool).await?);
    Ok(rows.into_iter().map(InviteRecord::from).collect())
}

/// Replaces any unused setup token with a new one (only its hash is stored).
pub async fn replace_setup_token(
    db: &Db,
    token_hash: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    write_tx!(db, tx => {
        sqlx::query("DELETE FROM setup_tokens WHERE used_at IS NULL").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(now.millis())
            .execute(&mut *tx)
            .await?;
    });
    Ok(())
}

/// Whether an unused setup token with this hash exists.
pub async fn setup_token_is_unused(db: &Db, token_hash: &[u8]) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL";
    let count: i64 =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(token_hash).fetch_one(pool).await?);
    Ok(count > 0)
}

/// How many accounts exist, erased ones included (so a used database is never "empty").
pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    let count: i64 =
        on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?);
    Ok(count)
}
