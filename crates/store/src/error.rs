//! The store's one error type.

/// What went wrong talking to the database, in terms the layers above can act on.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// A row the operation needs does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write (for example a taken pseudonym).
    #[error("conflict with an existing row")]
    Conflict,
    /// The database cannot be reached or is overloaded.
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
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
            _ => StoreError::Other(error.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(format!("migration failed: {error}"))
    }
}
