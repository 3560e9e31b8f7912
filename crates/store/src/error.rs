//! The store's one error type, and which database failures mean "the database is unavailable"
//! (answered 503 with `Retry-After` above) rather than a fault in the request.

/// What went wrong talking to the database, in terms the layers above can act on.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// A row the operation needs does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write (for example a taken pseudonym).
    #[error("conflict with an existing row")]
    Conflict,
    /// The database cannot be reached, is overloaded, full, read-only, starting or stopping:
    /// worth trying again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The URL or configuration cannot work.
    #[error("{0}")]
    Config(String),
    /// A stored value does not parse back into its domain type.
    #[error("corrupt stored value in {0}")]
    Corrupt(&'static str),
    /// Any other database failure.
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::Database(db) if refuses(db.as_ref()) => {
                StoreError::Unavailable(error.to_string())
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
            _ => StoreError::Other(error.to_string()),
        }
    }
}

/// Whether a database's error says it cannot take work now, whatever the statement: the
/// server refusing or dropping connections, out of space or resources, read-only, or locked
/// past the busy timeout.
fn refuses(error: &(dyn sqlx::error::DatabaseError + 'static)) -> bool {
    if let Some(pg) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return postgres_refuses(pg.code());
    }
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        return error
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(sqlite_refuses);
    }
    false
}

/// PostgreSQL SQLSTATEs of refusal: class 08 (connection exception), class 53 (insufficient
/// resources: disk full, out of memory, too many connections), class 57P (operator
/// intervention: admin or crash shutdown, cannot connect now, database dropped), 55000 (object
/// not in prerequisite state, seen while a server shuts down) and 25006 (read-only
/// transaction: a standby after a failover).
fn postgres_refuses(sqlstate: &str) -> bool {
    sqlstate.starts_with("08")
        || sqlstate.starts_with("53")
        || sqlstate.starts_with("57P")
        || matches!(sqlstate, "55000" | "25006")
}

/// SQLite primary result codes of refusal (the low byte of the extended code): BUSY and
/// LOCKED (still locked after the busy timeout), NOMEM, READONLY, IOERR, FULL, CANTOPEN and
/// PROTOCOL.
fn sqlite_refuses(extended: i32) -> bool {
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const NOMEM: i32 = 7;
    const READONLY: i32 = 8;
    const IOERR: i32 = 10;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    const PROTOCOL: i32 = 15;
    matches!(
        extended & 0xff,
        BUSY | LOCKED | NOMEM | READONLY | IOERR | FULL | CANTOPEN | PROTOCOL
    )
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(format!("migration failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_from_faults_by_their_codes() {
        for refusal in [
            "57P01", "57P03", "55000", "53300", "53100", "08006", "08001", "25006",
        ] {
            assert!(postgres_refuses(refusal), "{refusal}");
        }
        for fault in ["42601", "23503", "22P02", "40001"] {
            assert!(!postgres_refuses(fault), "{fault}");
        }
        // SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_WRITE (778), SQLITE_CANTOPEN, SQLITE_READONLY.
        for refusal in [5, 13, 778, 14, 8] {
            assert!(sqlite_refuses(refusal), "{refusal}");
        }
        // SQLITE_ERROR, SQLITE_CONSTRAINT_FOREIGNKEY (787), SQLITE_CORRUPT.
        for fault in [1, 787, 11] {
            assert!(!sqlite_refuses(fault), "{fault}");
        }
    }
}
