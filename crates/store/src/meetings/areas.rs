//! The directory's areas (regions, sub-regions, districts) as stored, and how many meetings
//! name each.

use crate::{Db, StoreError};
use uuid::Uuid;

/// A stored area; `time_zone` is empty when it takes its parent's.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AreaRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub time_zone: String,
    pub created_at: i64,
}

/// Every area, oldest first.
pub async fn list_areas(db: &Db) -> Result<Vec<AreaRow>, StoreError> {
    const SQL: &str = "SELECT id, parent_id, name, time_zone, created_at FROM meeting_areas ORDER BY created_at, id";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
}

/// Adds an area; `Conflict` when its parent already has one of that name.
pub async fn insert_area(db: &Db, area: &AreaRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO meeting_areas (id, parent_id, name, time_zone, created_at) \
         VALUES ($1, $2, $3, $4, $5)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(area.id)
        .bind(area.parent_id)
        .bind(&area.name)
        .bind(&area.time_zone)
        .bind(area.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// Changes an area's time zone.
pub async fn set_area_zone(db: &Db, id: Uuid, time_zone: &str) -> Result<u64, StoreError> {
    const SQL: &str = "UPDATE meeting_areas SET time_zone = $2 WHERE id = $1";
    Ok(
        on_write!(db, pool => sqlx::query(SQL).bind(id).bind(time_zone).execute(pool).await?.rows_affected()),
    )
}

/// Removes an area with no areas under it; `Conflict` when it has some.
pub async fn delete_area(db: &Db, id: Uuid) -> Result<u64, StoreError> {
    const SQL: &str = "DELETE FROM meeting_areas WHERE id = $1";
    Ok(on_write!(db, pool => sqlx::query(SQL).bind(id).execute(pool).await?.rows_affected()))
}

/// How many meetings name each region, sub-region and district path.
pub async fn count_meetings_by_area(
    db: &Db,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    const SQL: &str = "SELECT region, sub_region, district, COUNT(*) FROM meetings \
         GROUP BY region, sub_region, district";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
}
