//! Login throttling counters, shared by every server through the database.

use crate::{Db, StoreError};
use mutual_domain::Timestamp;

/// At most `limit` attempts for a key in a window that started after `window_start`; the
/// attempt past that locks the key until `lock_until`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub window_start: Timestamp,
    pub limit: i64,
    pub lock_until: Timestamp,
}

/// Counts an attempt for `key` *before* it is made, in one atomic statement, so that any number
/// of concurrent attempts cannot pass the limit between a check and a count (the `failures`
/// column counts attempts). Returns until when the key is locked when this attempt is refused:
/// it was locked already, or this attempt is the one past the limit (which locks it and starts
/// the count again).
pub async fn take_attempt(
    db: &Db,
    key: &str,
    now: Timestamp,
    rule: Limit,
) -> Result<Option<Timestamp>, StoreError> {
    const COUNT: &str = "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, 0) ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_throttle.locked_until > $2 THEN login_throttle.failures \
                         WHEN login_throttle.window_started_at <= $3 THEN 1 \
                         ELSE login_throttle.failures + 1 END, \
         window_started_at = CASE WHEN login_throttle.locked_until > $2 \
                                       THEN login_throttle.window_started_at \
                                  WHEN login_throttle.window_started_at <= $3 THEN $2 \
                                  ELSE login_throttle.window_started_at END \
         RETURNING failures, locked_until";
    const LOCK: &str = "UPDATE login_throttle SET failures = 0, window_started_at = $1, \
         locked_until = $2 WHERE key = $3";
    let refused = write_tx!(db, tx => {
        let (attempts, locked_until): (i64, i64) = sqlx::query_as(COUNT)
            .bind(key)
            .bind(now.millis())
            .bind(rule.window_start.millis())
            .fetch_one(&mut *tx)
            .await?;
        if locked_until > now.millis() {
            Some(Timestamp(locked_until))
        } else if attempts > rule.limit {
            sqlx::query(LOCK)
                .bind(now.millis())
                .bind(rule.lock_until.millis())
                .bind(key)
                .execute(&mut *tx)
                .await?;
            Some(rule.lock_until)
        } else {
            None
        }
    });
    Ok(refused)
}

/// Gives back one attempt counted for `key` that should not count against it (a correct
/// password from a shared address, a registration that did not happen).
pub async fn refund_attempt(db: &Db, key: &str) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0";
    on_write!(db, pool => sqlx::query(SQL).bind(key).execute(pool).await?.rows_affected());
    Ok(())
}

/// Forgets the attempts counted for `key` (after a successful login).
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
