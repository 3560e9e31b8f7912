//! The append-only audit log of security events (the tables refuse UPDATE and DELETE).

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};
use uuid::Uuid;

/// One security event. `detail` never holds passwords, tokens or message contents.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: Timestamp,
    /// Who did it (`None` for an anonymous visitor or the system).
    pub actor_id: Option<UserId>,
    /// Whose account it concerned, when that is someone.
    pub subject_id: Option<UserId>,
    pub action: String,
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: i64,
    actor_id: Option<Uuid>,
    subject_id: Option<Uuid>,
    action: String,
    detail: String,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        AuditEvent {
            id: row.id,
            at: Timestamp(row.at),
            actor_id: row.actor_id.map(UserId),
            subject_id: row.subject_id.map(UserId),
            action: row.action,
            detail: row.detail,
        }
    }
}

/// Appends an event.
pub async fn insert_audit_event(db: &Db, event: &AuditEvent) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO audit_log (id, at, actor_id, subject_id, action, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(event.id)
        .bind(event.at.millis())
        .bind(event.actor_id.map(|id| id.0))
        .bind(event.subject_id.map(|id| id.0))
        .bind(&event.action)
        .bind(&event.detail)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// The newest events, newest first, for the admin page.
pub async fn list_audit_events(db: &Db, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
    const SQL: &str = "SELECT id, at, actor_id, subject_id, action, detail FROM audit_log \
         ORDER BY at DESC, id DESC LIMIT $1";
    let rows: Vec<AuditRow> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?);
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// Every event a member did or that concerned them, oldest first, for their data export.
pub async fn list_audit_events_by_user(
    db: &Db,
    user: UserId,
) -> Result<Vec<AuditEvent>, StoreError> {
    const SQL: &str = "SELECT id, at, actor_id, subject_id, action, detail FROM audit_log \
         WHERE actor_id = $1 OR subject_id = $1 ORDER BY at, id";
    let rows: Vec<AuditRow> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?);
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// The audit log keeps a member's security events after erasure, de-identified (the account
/// row stays as a tombstone): nothing of it is erased, all of it is exported.
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: &[],
    tables: &[],
    not_exported: &[],
    not_member_data: &[],
};
