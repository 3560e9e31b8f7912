//! Login throttling counters, shared by every server through the database.

use crate::{Db, StoreError};
use mutual_domain::Timestamp;

/// Until when `key` is locked out, if it is locked at `now`.
pub async fn find_lock(
    db: &Db,
    key: &str,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    const SQL: &str =
        "SELECT locked_until FROM login_throttle WHERE key = $1 AND locked_until > $2";
    let until: Option<i64> = on_db!(db, pool => sqlx::query_scalar(SQL)
        .bind(key)
        .bind(now.millis())
        .fetch_optional(pool)
        .await?);
    Ok(until.map(Timestamp))
}

/// Counts a failed attempt for `key` in the window that started after `window_start`
/// (older failures are forgotten). When the count reaches `limit`, the key is locked until
/// `lock_until` and the count starts again. Returns whether this failure caused a lock.
pub async fn record_failure(
    db: &Db,
    key: &str,
    now: Timestamp,
    window_start: Timestamp,
    limit: i64,
    lock_until: Timestamp,
) -> Result<bool, StoreError> {
    const COUNT: &str = "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, 0) ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_throttle.window_started_at <= $3 THEN 1 \
                         ELSE login_throttle.failures + 1 END, \
         window_started_at = CASE WHEN login_throttle.window_started_at <= $3 THEN $2 \
                                  ELSE login_throttle.window_started_at END \
         RETURNING failures";
    const LOCK: &str = "UPDATE login_throttle SET failures = 0, window_started_at = $1, \
         locked_until = $2 WHERE key = $3";
    let locked = write_tx!(db, tx => {
        let failures: i64 = sqlx::query_scalar(COUNT)
            .bind(key)
            .bind(now.millis())
            .bind(window_start.millis())
            .fetch_one(&mut *tx)
            .await?;
        if failures >= limit {
            sqlx::query(LOCK)
                .bind(now.millis())
                .bind(lock_until.millis())
                .bind(key)
                .execute(&mut *tx)
                .await?;
            true
        } else {
            false
        }
    });
    Ok(locked)
}

/// Forgets the failures counted for `key` (after a successful login).
pub async fn delete_throttle(db: &Db, key: &str) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM login_throttle WHERE key = $1";
    on_write!(db, pool => sqlx::query(SQL).bind(key).execute(pool).await?.rows_affected());
    Ok(())
}

/// Forgets counters that are neither locked nor recent (housekeeping).
pub async fn delete_stale_throttles(
    db: &Db,
    before: Timestamp,
    now: Timestamp,
) -> Result<u64, StoreError> {
    const SQL: &str =
        "DELETE FROM login_throttle WHERE window_started_at < $1 AND locked_until <= $2";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(before.millis()).bind(now.millis()).execute(pool).await?.rows_affected());
    Ok(done)
}
