//! The database's own message channel between servers: PostgreSQL's `LISTEN`/`NOTIFY` on one
//! channel per schema. SQLite has none (a SQLite database has one server), so there publishing
//! does nothing and there is nothing to subscribe to. Payloads are the caller's text (ids, never
//! content).

use crate::{Db, StoreError};
use sqlx::postgres::PgListener;

/// The channel every server on one schema listens on, named after the schema (by a digest, as
/// a channel name has at most 63 bytes), so that installations sharing a database in schemas of
/// their own do not hear each other.
const CHANNEL_OF_SCHEMA: &str = "'mutual_bus_' || left(md5(current_schema()), 20)";

/// Sends `payload` to every server listening on this database (including this one).
pub async fn publish(db: &Db, payload: &str) -> Result<(), StoreError> {
    if let Db::Postgres(pool) = db {
        sqlx::query(&format!("SELECT pg_notify({CHANNEL_OF_SCHEMA}, $1)"))
            .bind(payload)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// A server's subscription to the channel, on a connection of its own.
pub struct Subscription(PgListener);

/// Listens on the channel; `None` on SQLite.
pub async fn subscribe(db: &Db) -> Result<Option<Subscription>, StoreError> {
    let Db::Postgres(pool) = db else {
        return Ok(None);
    };
    let channel: String = sqlx::query_scalar(&format!("SELECT {CHANNEL_OF_SCHEMA}"))
        .fetch_one(pool)
        .await?;
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(&channel).await?;
    Ok(Some(Subscription(listener)))
}

impl Subscription {
    /// The next payload; `Ok(None)` when the connection was lost, so whatever was sent meanwhile
    /// is missed (the caller subscribes again).
    pub async fn next(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .try_recv()
            .await?
            .map(|notification| notification.payload().to_owned()))
    }
}
