//! Ways back into an account: recovery codes (hashes, each used once) and e-mailed reset links
//! (hashes, short-lived, used once). Using either is one atomic statement, so a code or a link
//! cannot be spent twice by concurrent requests.

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};
use uuid::Uuid;

/// Replaces a member's recovery codes with new ones (their hashes): the old ones stop working.
pub async fn replace_recovery_codes(
    db: &Db,
    user: UserId,
    hashes: &[Vec<u8>],
    now: Timestamp,
) -> Result<(), StoreError> {
    const CLEAR: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
    const ADD: &str =
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)";
    write_tx!(db, tx => {
        sqlx::query(CLEAR).bind(user.0).execute(&mut *tx).await?;
        for hash in hashes {
            sqlx::query(ADD)
                .bind(user.0)
                .bind(hash.as_slice())
                .bind(now.millis())
                .execute(&mut *tx)
                .await?;
        }
    });
    Ok(())
}

/// Spends one of a member's unused recovery codes; `false` when it is not one of theirs or was
/// used already.
pub async fn use_recovery_code(
    db: &Db,
    user: UserId,
    hash: &[u8],
    now: Timestamp,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).bind(user.0).bind(hash).execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// How many of a member's recovery codes are still unused.
pub async fn count_unused_recovery_codes(db: &Db, user: UserId) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).fetch_one(pool).await?))
}

/// Stores a reset link's hash for a member, valid until `expires_at`.
pub async fn insert_password_reset(
    db: &Db,
    token_hash: &[u8],
    user: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)";
    on_write!(db, pool => sqlx::query(SQL).bind(token_hash).bind(user.0).bind(now.millis()).bind(expires_at.millis()).execute(pool).await?.rows_affected());
    Ok(())
}

/// The member a reset link is for, while it is unused and unexpired.
pub async fn find_password_reset(
    db: &Db,
    token_hash: &[u8],
    now: Timestamp,
) -> Result<Option<UserId>, StoreError> {
    const SQL: &str = "SELECT user_id FROM password_resets \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    let found: Option<Uuid> = on_db!(db, pool => sqlx::query_scalar(SQL).bind(token_hash).bind(now.millis()).fetch_optional(pool).await?);
    Ok(found.map(UserId))
}

/// Spends a reset link, and every other link of the same member with it; the member it was for,
/// or `None` when it was unknown, used or expired.
pub async fn use_password_reset(
    db: &Db,
    token_hash: &[u8],
    now: Timestamp,
) -> Result<Option<UserId>, StoreError> {
    const SPEND: &str = "UPDATE password_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id";
    const OTHERS: &str =
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL";
    let user = write_tx!(db, tx => {
        let user: Option<Uuid> = sqlx::query_scalar(SPEND)
            .bind(now.millis())
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(user) = user {
            sqlx::query(OTHERS).bind(now.millis()).bind(user).execute(&mut *tx).await?;
        }
        user
    });
    Ok(user.map(UserId))
}

#[derive(serde::Serialize, sqlx::FromRow)]
struct CodeExport {
    user_id: Uuid,
    created_at: i64,
    used_at: Option<i64>,
}

#[derive(serde::Serialize, sqlx::FromRow)]
struct ResetExport {
    user_id: Uuid,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

/// A member's recovery codes and reset links for their export: when each was made and used,
/// never a hash.
pub async fn export_member(
    db: &Db,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    use crate::community::member_rows;
    let codes = member_rows::<CodeExport>(
        db,
        "SELECT user_id, created_at, used_at FROM recovery_codes WHERE user_id = $1 \
         ORDER BY created_at",
        user,
    )
    .await?;
    let resets = member_rows::<ResetExport>(
        db,
        "SELECT user_id, created_at, expires_at, used_at FROM password_resets \
         WHERE user_id = $1 ORDER BY created_at",
        user,
    )
    .await?;
    Ok(serde_json::Map::from_iter([
        ("recovery_codes".to_owned(), codes),
        ("password_resets".to_owned(), resets),
    ]))
}
