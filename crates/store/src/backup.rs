//! Backing up a SQLite database while the server writes to it, and restoring a backup. A backup
//! is one consistent snapshot (`VACUUM INTO` reads in one transaction, so every write committed
//! before it began is in it and none half-done), checked with `PRAGMA integrity_check` before it
//! gets its name. A restore checks the backup the same way, refuses to replace a database that a
//! running server (or another program) has open unless forced, keeps the replaced files beside
//! it, and brings the restored schema up to date. PostgreSQL is backed up with its own tools
//! (`pg_dump`; see the README).

use crate::{Db, DbConfig, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a backup or restore did nothing.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already; a backup never overwrites a file, so choose a new name")]
    Exists(PathBuf),
    #[error(
        "this is not a SQLite database: back PostgreSQL up with pg_dump and restore it with \
         pg_restore (see the README)"
    )]
    NotSqlite,
    #[error("{path} is not a sound Mutual database, so nothing was changed: {problem}")]
    Damaged { path: PathBuf, problem: String },
    #[error(
        "the database {0} is open in a running Mutual server or another program: stop it first \
         (or pass --force, and restart every server on it at once)"
    )]
    InUse(PathBuf),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = format!("{what} {}", path.display());
    move |e| BackupError::Io(format!("cannot {what}: {e}"))
}

/// The file beside `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes a rename or a new file in `path`'s folder survive a power cut.
fn sync_folder(path: &Path) -> Result<(), BackupError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io("sync the folder", folder))
}

/// Writes a consistent copy of the SQLite database at `url` to `to` (which must not exist) while
/// it stays in use, checks it, and only then gives it its name.
pub async fn backup(url: &str, to: &Path) -> Result<(), BackupError> {
    let database = sqlite_file(url)?;
    if !database.is_file() {
        return Err(BackupError::Io(format!(
            "there is no database at {}",
            database.display()
        )));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let db = Db::connect(&DbConfig {
        max_connections: 1,
        ..DbConfig::new(url)
    })
    .await?;
    let written = write_backup(&db, to).await;
    db.close().await;
    written
}

async fn write_backup(db: &Db, to: &Path) -> Result<(), BackupError> {
    let Db::Sqlite(pool, _) = db else {
        return Err(BackupError::NotSqlite);
    };
    let partial = beside(to, ".partial");
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .ok_or_else(|| BackupError::Io(format!("{} is not a UTF-8 path", partial.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|e| BackupError::Io(format!("cannot write {}: {e}", partial.display())))?;
    let checked = integrity_check(&partial).await;
    if checked.is_err() {
        let _ = std::fs::remove_file(&partial);
        return checked;
    }
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io("sync", &partial))?;
    std::fs::rename(&partial, to).map_err(io("name the backup", to))?;
    sync_folder(to)
}

/// Opens one connection to an existing SQLite file (nothing is created).
async fn open(path: &Path, locking: SqliteLockingMode) -> Result<SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .locking_mode(locking)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
}

/// Whether the file at `path` is a sound SQLite database made by Mutual: `PRAGMA
/// integrity_check` says "ok" and the migrations table is there.
pub async fn integrity_check(path: &Path) -> Result<(), BackupError> {
    let damaged = |problem: String| BackupError::Damaged {
        path: path.to_owned(),
        problem,
    };
    if !path.is_file() {
        return Err(damaged("there is no such file".into()));
    }
    let mut conn = open(path, SqliteLockingMode::Normal)
        .await
        .map_err(|e| damaged(e.to_string()))?;
    let checked: Result<(Vec<String>, i64), sqlx::Error> = async {
        let problems = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await?;
        let migrated = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await?;
        Ok((problems, migrated))
    }
    .await;
    let _ = conn.close().await;
    match checked {
        Ok((problems, _)) if problems != ["ok"] => Err(damaged(problems.join("; "))),
        Ok((_, 0)) => Err(damaged("it holds no Mutual schema".into())),
        Ok(_) => Ok(()),
        Err(e) => Err(damaged(e.to_string())),
    }
}

/// The file of a `sqlite://PATH` URL.
fn sqlite_file(url: &str) -> Result<PathBuf, BackupError> {
    crate::db::sqlite_path(url)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .ok_or(BackupError::NotSqlite)
}

/// The lock a running server holds on its SQLite database (shared: several servers may run on
/// one file), so that a restore can tell. It is a file of its own beside the database: a second
/// descriptor on the database file would drop SQLite's own locks when closed.
#[derive(Debug)]
pub struct Serving {
    _lock: Option<File>,
}

fn lock_file(database: &Path) -> Result<File, BackupError> {
    let path = beside(database, ".lock");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io("open the lock file", &path))
}

/// Marks the database at `url` as in use by this server until the value is dropped (nothing for
/// PostgreSQL). Refused while a restore is replacing it.
pub fn hold(url: &str) -> Result<Serving, BackupError> {
    let Ok(database) = sqlite_file(url) else {
        return Ok(Serving { _lock: None });
    };
    let file = lock_file(&database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(Serving { _lock: Some(file) }),
        Err(TryLockError::WouldBlock) => Err(BackupError::Io(format!(
            "{} is being restored; start the server once the restore has finished",
            database.display()
        ))),
        Err(TryLockError::Error(e)) => Err(io("lock", &database)(e)),
    }
}

/// Whether something has the database open: a server's lock, or any SQLite connection that has
/// read it (each keeps a shared lock, so an exclusive one cannot be had).
async fn ensure_unused(database: &Path, lock: &File) -> Result<(), BackupError> {
    let in_use = || BackupError::InUse(database.to_owned());
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(in_use()),
        Err(TryLockError::Error(e)) => return Err(io("lock", database)(e)),
    }
    let mut conn = open(database, SqliteLockingMode::Exclusive)
        .await
        .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", database.display())))?;
    let exclusive = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
    if exclusive.is_ok() {
        sqlx::query("COMMIT").execute(&mut conn).await.ok();
    }
    let _ = conn.close().await;
    exclusive.map(|_| ()).map_err(|_| in_use())
}

/// Replaces the SQLite database at `url` with the backup `from`: checked first, refused while
/// the database is in use unless `force`, the replaced database (with its WAL) kept beside it
/// under a `.before-restore-<seconds>` name (returned), and the schema migrated. A missing
/// database is simply created from the backup.
pub async fn restore(from: &Path, url: &str, force: bool) -> Result<Option<PathBuf>, BackupError> {
    let database = sqlite_file(url)?;
    integrity_check(from).await?;
    if let Some(parent) = database.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(io("create the folder", parent))?;
    }
    let lock = lock_file(&database)?;
    if database.exists() && !force {
        ensure_unused(&database, &lock).await?;
    }
    let incoming = beside(&database, ".restoring");
    std::fs::copy(from, &incoming).map_err(io("copy the backup to", &incoming))?;
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(io("sync", &incoming))?;
    let kept = if database.exists() {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = beside(&database, &format!(".before-restore-{seconds}"));
        std::fs::rename(&database, &aside).map_err(io("move aside", &database))?;
        Some(aside)
    } else {
        None
    };
    // The old WAL belongs to the old database: left in place it would be replayed into the new.
    for suffix in ["-wal", "-shm"] {
        let old = beside(&database, suffix);
        if old.exists() {
            match &kept {
                Some(aside) => std::fs::rename(&old, beside(aside, suffix)),
                None => std::fs::remove_file(&old),
            }
            .map_err(io("move aside", &old))?;
        }
    }
    std::fs::rename(&incoming, &database).map_err(io("put the backup in place as", &database))?;
    sync_folder(&database)?;
    drop(lock);
    let db = Db::connect(&DbConfig {
        max_connections: 1,
        ..DbConfig::new(url)
    })
    .await?;
    let migrated = db.migrate().await;
    db.close().await;
    migrated?;
    Ok(kept)
}
