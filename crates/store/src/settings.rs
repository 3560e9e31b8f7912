//! Server settings that admins change at run time (key → text value).

use crate::{Db, StoreError};
use mutual_domain::Timestamp;

/// The stored value of a setting, if it was ever set.
pub async fn find_setting(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    const SQL: &str = "SELECT value FROM settings WHERE key = $1";
    let value: Option<String> =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await?);
    Ok(value)
}

/// Sets a setting, replacing any earlier value.
pub async fn upsert_setting(
    db: &Db,
    key: &str,
    value: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
    on_write!(db, pool => sqlx::query(SQL).bind(key).bind(value).bind(now.millis()).execute(pool).await?.rows_affected());
    Ok(())
}
