//! The database handle: one enum over the SQLite and PostgreSQL pools, the dispatch macros
//! that run a query written once on whichever is live, connecting and migrating.

use crate::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// A connection pool to one of the two supported databases.
///
/// SQLite has one writer at a time. Its write transactions take turns on an in-process lock
/// before `BEGIN IMMEDIATE`: waiting on the lock is a cheap async wait, whereas many
/// connections racing for SQLite's own lock each sleep in its busy handler for milliseconds,
/// which collapses write throughput under load.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, SqliteWriter),
    Postgres(PgPool),
}

/// How SQLite writes are ordered in this process: write transactions take turns, and the
/// hottest writes go through the group-commit batcher (which takes the same turn per batch).
#[derive(Clone, Debug)]
pub struct SqliteWriter {
    pub(crate) turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    pub(crate) batcher: crate::batch::WriteBatcher,
    pub(crate) refusals: crate::refusals::WriteRefusals,
}

/// Which database is behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// PostgreSQL only: the schema to work in (tests isolate themselves this way).
    pub postgres_schema: Option<String>,
    /// The longest a statement waits for a connection (a free one, or a new one while the
    /// database refuses) before failing as unavailable.
    pub acquire_timeout: Duration,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 16,
            postgres_schema: None,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Runs `$body` with `$pool` bound to the live pool; the body is compiled once per backend,
/// so a query or type that one backend does not support is a compile error.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Like [`on_db!`] for a single writing statement: on SQLite it first takes this process's write
/// turn, so that it queues behind other writes instead of sleeping in SQLite's busy handler
/// (which, under load, can outlast the busy timeout and fail the request). Its outcome is noted in
/// the pool's `WriteRefusals`, for `/readyz`.
macro_rules! on_write {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, writer) => {
                let _turn = writer.turn.lock().await;
                let done = async { Ok::<_, $crate::StoreError>($body) }.await;
                writer.refusals.note(done.as_ref().err());
                done?
            }
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx` (`BEGIN IMMEDIATE` on SQLite, so a
/// read-then-write transaction never fails to upgrade its lock) and commits it. An early return
/// with `?` drops the transaction, which rolls it back. On SQLite a refusal (of the `BEGIN`, a
/// statement or the commit) is noted in the pool's `WriteRefusals`, for `/readyz`.
macro_rules! write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool, writer) => {
                let _turn = writer.turn.lock().await;
                let done = async {
                    let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                    let out = $body;
                    $tx.commit().await?;
                    Ok::<_, $crate::StoreError>(out)
                }
                .await;
                writer.refusals.note(done.as_ref().err());
                done?
            }
            $crate::db::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// Runs `$body` (a `Result`, with `$conn` bound to a connection inside a write transaction)
/// as one job of a group commit on SQLite, or in a transaction of its own on PostgreSQL. The
/// body is compiled once per backend and must own what it uses (SQLite runs it on the writer
/// task).
macro_rules! batched_write {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(_, writer) => {
                writer
                    .batcher
                    .run($crate::batch::Kind::Ordinary, move |$conn| {
                        Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::db::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let $conn = &mut *tx;
                let result: Result<_, $crate::StoreError> = async move { $body }.await;
                if result.is_ok() {
                    tx.commit().await?;
                }
                result
            }
        }
    };
}

impl Db {
    /// Opens a pool for the URL's scheme; other schemes are refused with a clear message.
    /// SQLite files (and their folder) are created if missing.
    pub async fn connect(config: &DbConfig) -> Result<Db, StoreError> {
        let url = config.url.as_str();
        if let Some(path) = sqlite_path(url) {
            if path.is_empty() {
                return Err(StoreError::Config(
                    "a sqlite:// URL needs a file path".into(),
                ));
            }
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Config(format!(
                        "cannot create the folder {}: {e}",
                        parent.display()
                    ))
                })?;
            }
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("temp_store", "memory")
                // Deleted and overwritten content is zeroed, not left in free pages where an
                // erased member's words could be read back from the file.
                .pragma("secure_delete", "ON");
            let pool = SqlitePoolOptions::new()
                .max_connections(config.max_connections)
                .acquire_timeout(config.acquire_timeout)
                .before_acquire(|conn, _| Box::pin(async move { Ok(outside_transaction(conn)) }))
                .connect_with(options)
                .await?;
            let turn = std::sync::Arc::new(tokio::sync::Mutex::new(()));
            let refusals = crate::refusals::WriteRefusals::default();
            let batcher =
                crate::batch::WriteBatcher::start(pool.clone(), turn.clone(), refusals.clone());
            Ok(Db::Sqlite(
                pool,
                SqliteWriter {
                    turn,
                    batcher,
                    refusals,
                },
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
            if let Some(schema) = &config.postgres_schema {
                options = options.options([("search_path", schema.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections)
                .acquire_timeout(config.acquire_timeout)
                .before_acquire(|conn, _| Box::pin(async move { Ok(outside_transaction(conn)) }))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL scheme in {:?}: use sqlite://PATH or postgres://...",
                url.split(':').next().unwrap_or(url)
            )))
        }
    }

    /// Brings the schema up to date with the migrations for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool, _) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits a write to the one-row `heartbeat` table, the way every write goes (on SQLite
    /// as one job of a group commit): whether the database takes writes now. A transaction
    /// that is rolled back would not do: SQLite writes nothing to disk for it, so it cannot
    /// notice a full disk.
    ///
    /// On SQLite the update is done in place, which a full disk may still allow, so the answer is
    /// also the refusal of the latest ordinary write when none has succeeded since (see
    /// `refusals`).
    pub async fn heartbeat(&self, now_millis: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE heartbeat SET beat_at = $1 WHERE id = 1";
        match self {
            Db::Sqlite(_, writer) => {
                writer
                    .batcher
                    .run(crate::batch::Kind::Probe, move |conn| {
                        Box::pin(async move {
                            sqlx::query(SQL).bind(now_millis).execute(conn).await?;
                            Ok(())
                        })
                    })
                    .await?;
                writer.refusals.refusing().map_or(Ok(()), Err)
            }
            Db::Postgres(pool) => {
                sqlx::query(SQL).bind(now_millis).execute(pool).await?;
                Ok(())
            }
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }

    /// Table name → column names of the live schema (migration bookkeeping excluded, and the
    /// full-text index, whose shape is the one deliberate difference: see the dialect module).
    pub async fn schema_columns(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
        let rows: Vec<(String, String)> =
            match self {
                Db::Sqlite(pool, _) => {
                    sqlx::query_as(
                        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                     AND m.name NOT LIKE '_sqlx%' AND m.name NOT LIKE 'post_search%'",
                    )
                    .fetch_all(pool)
                    .await?
                }
                Db::Postgres(pool) => sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                     AND table_name NOT LIKE 'post_search%'",
                )
                .fetch_all(pool)
                .await?,
            };
        let mut tables = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (table, column) in rows {
            tables.entry(table).or_default().push(column);
        }
        for columns in tables.values_mut() {
            columns.sort();
        }
        Ok(tables)
    }

    /// Every (table, column) whose column is a foreign key to `users`: where member data lives.
    pub async fn columns_referencing_users(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut rows: Vec<(String, String)> = match self {
            Db::Sqlite(pool, _) => {
                sqlx::query_as(
                    "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
                     WHERE m.type = 'table' AND f.\"table\" = 'users'",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT kcu.table_name::text, kcu.column_name::text \
                     FROM information_schema.table_constraints tc \
                     JOIN information_schema.key_column_usage kcu \
                       ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
                     JOIN information_schema.constraint_column_usage ccu \
                       ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema \
                     WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'users' \
                       AND tc.table_schema = current_schema()",
                )
                .fetch_all(pool)
                .await?
            }
        };
        rows.sort();
        Ok(rows)
    }
}

/// Whether a pooled connection is outside any transaction, as a connection must be when it is
/// handed out (checked after the pool's ping, which runs any rollback still queued). One whose
/// transaction could not be ended (SQLite after a full disk may roll the transaction back
/// itself, so the driver's own ROLLBACK then fails and it counts the transaction as open) is
/// closed instead of refusing every `BEGIN` it is given until a restart.
fn outside_transaction<C: sqlx::Connection>(conn: &C) -> bool {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("closing a database connection left inside a transaction");
    }
    clean
}

/// The file path of a `sqlite://PATH` (or `sqlite:PATH`) URL, without its parameters; `None`
/// for any other URL.
pub(crate) fn sqlite_path(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(path.split('?').next().unwrap_or_default())
}

/// `$first, $first+1, ...` for `count` values bound in a statement.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
