//! The other directories this one syncs from, as stored: each source with its schedule (claimed
//! by one server at a time), and each run with its report.

use crate::{Db, StoreError};
use uuid::Uuid;

/// A source; `kind` is `meeting_guide`, `bmlt` or `csv`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SourceRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub program_code: String,
    pub every_hours: i64,
    pub auto_apply: bool,
    pub next_run_at: i64,
    pub claimed_until: i64,
    pub created_at: i64,
}

const SOURCE_COLUMNS: &str = "id, name, kind, url, program_code, every_hours, auto_apply, \
     next_run_at, claimed_until, created_at";

/// One run of a source; `body` (what was fetched) is kept only while the run is held.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RunRow {
    pub id: Uuid,
    pub source_id: Uuid,
    pub started_at: i64,
    /// `applied`, `held`, `unchanged`, `failed` or `discarded`.
    pub status: String,
    pub error: String,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    /// JSON list of the changes.
    pub report: String,
    pub body: Option<Vec<u8>>,
}

const RUN_COLUMNS: &str =
    "id, source_id, started_at, status, error, added, changed, removed, report, body";

pub async fn insert_source(db: &Db, source: &SourceRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO meeting_sources ({SOURCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(source.id)
        .bind(&source.name)
        .bind(&source.kind)
        .bind(&source.url)
        .bind(&source.program_code)
        .bind(source.every_hours)
        .bind(source.auto_apply)
        .bind(source.next_run_at)
        .bind(source.claimed_until)
        .bind(source.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// Every source, by name.
pub async fn list_sources(db: &Db) -> Result<Vec<SourceRow>, StoreError> {
    let sql = format!("SELECT {SOURCE_COLUMNS} FROM meeting_sources ORDER BY name, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

pub async fn find_source(db: &Db, id: Uuid) -> Result<Option<SourceRow>, StoreError> {
    let sql = format!("SELECT {SOURCE_COLUMNS} FROM meeting_sources WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// Removes a source and its runs; its meetings stay, no longer tied to it.
pub async fn delete_source(db: &Db, id: Uuid) -> Result<u64, StoreError> {
    const SQL: &str = "DELETE FROM meeting_sources WHERE id = $1";
    Ok(on_write!(db, pool => sqlx::query(SQL).bind(id).execute(pool).await?.rows_affected()))
}

/// Claims one source due at `now` until `lease_until` (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL, the write lock on SQLite), so one server runs it.
pub async fn claim_due_source(
    db: &Db,
    now: i64,
    lease_until: i64,
) -> Result<Option<SourceRow>, StoreError> {
    let lock = match db.backend() {
        crate::Backend::Sqlite => "",
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE meeting_sources SET claimed_until = $1 WHERE id IN (SELECT id FROM meeting_sources \
         WHERE next_run_at <= $2 AND claimed_until <= $2 ORDER BY next_run_at LIMIT 1{lock}) \
         RETURNING {SOURCE_COLUMNS}"
    );
    Ok(write_tx!(db, tx => {
        sqlx::query_as(&sql).bind(lease_until).bind(now).fetch_optional(&mut *tx).await?
    }))
}

/// Sets when a source runs next and releases its claim.
pub async fn schedule_source(db: &Db, id: Uuid, next_run_at: i64) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE meeting_sources SET next_run_at = $1, claimed_until = 0 WHERE id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(next_run_at).bind(id).execute(pool).await?.rows_affected());
    Ok(())
}

pub async fn insert_run(db: &Db, run: &RunRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO meeting_source_runs ({RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(run.id)
        .bind(run.source_id)
        .bind(run.started_at)
        .bind(&run.status)
        .bind(&run.error)
        .bind(run.added)
        .bind(run.changed)
        .bind(run.removed)
        .bind(&run.report)
        .bind(&run.body)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// A source's latest runs, newest first, without what they fetched.
pub async fn list_runs(db: &Db, source: Uuid, limit: i64) -> Result<Vec<RunRow>, StoreError> {
    const SQL: &str = "SELECT id, source_id, started_at, status, error, added, changed, removed, \
         report, NULL AS body FROM meeting_source_runs WHERE source_id = $1 \
         ORDER BY started_at DESC, id DESC LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(source).bind(limit).fetch_all(pool).await?))
}

pub async fn find_run(db: &Db, id: Uuid) -> Result<Option<RunRow>, StoreError> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM meeting_source_runs WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// Settles a held run (`applied` or `discarded`) and drops what it fetched; `false` when it
/// was not held (settled already).
pub async fn settle_run(db: &Db, id: Uuid, status: &str) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE meeting_source_runs SET status = $1, body = NULL \
         WHERE id = $2 AND status = 'held'";
    let settled = on_write!(db, pool => sqlx::query(SQL).bind(status).bind(id).execute(pool).await?.rows_affected());
    Ok(settled == 1)
}

/// Ties imported meetings to the source they came from.
pub async fn tie_meetings(db: &Db, source: Uuid, slugs: &[String]) -> Result<(), StoreError> {
    for chunk in slugs.chunks(500) {
        let list = crate::db::placeholders(2, chunk.len());
        let sql = format!("UPDATE meetings SET source_id = $1 WHERE slug IN ({list})");
        on_write!(db, pool => {
            let mut query = sqlx::query(&sql).bind(source);
            for slug in chunk {
                query = query.bind(slug);
            }
            query.execute(pool).await?.rows_affected()
        });
    }
    Ok(())
}

/// Removes the meetings a source no longer lists.
pub async fn delete_meetings(db: &Db, ids: &[Uuid]) -> Result<u64, StoreError> {
    let mut deleted = 0;
    for chunk in ids.chunks(500) {
        let list = crate::db::placeholders(1, chunk.len());
        let sql = format!("DELETE FROM meetings WHERE id IN ({list})");
        deleted += on_write!(db, pool => {
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(pool).await?.rows_affected()
        });
    }
    Ok(deleted)
}
