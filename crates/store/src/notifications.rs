//! In-app notifications, shared by every feature: stored per member, listed newest first,
//! counted while unread and marked read; each member's delivery settings; and the queue of
//! e-mail deliveries (single notifications and digests), claimed by one worker at a time.

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};
use serde::Serialize;
use uuid::Uuid;

/// An in-app notification. Stored, `body` is a template naming the member who acted and the
/// thread by reference (`mutual_domain::notifications::template`); read back, it is rendered
/// with their current pseudonym and title.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub body: String,
    /// A local path to go to.
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The member who acted, named in `body` as `{actor}`; left out of the recipient's
    /// export (it is another member's id; the body names them as they are now).
    #[serde(skip)]
    pub actor_id: Option<Uuid>,
    /// The thread named in `body` as `{thread}`.
    pub thread_id: Option<Uuid>,
}

/// A stored notification with what its template refers to, as read.
#[derive(sqlx::FromRow)]
struct StoredNotification {
    #[sqlx(flatten)]
    row: NotificationRow,
    actor_name: Option<String>,
    thread_title: Option<String>,
}

impl From<StoredNotification> for NotificationRow {
    fn from(stored: StoredNotification) -> Self {
        let body = mutual_domain::notifications::template::render(
            &stored.row.body,
            stored.actor_name.as_deref(),
            stored.thread_title.as_deref(),
        );
        NotificationRow { body, ..stored.row }
    }
}

/// The notifications matching `filter` (over `n`), rendered, in `order`.
const SELECT_RENDERED: &str = "SELECT n.id, n.user_id, n.kind, n.body, n.link, n.created_at, \
     n.read_at, n.actor_id, n.thread_id, \
     CASE WHEN a.status = 'deleted' THEN NULL ELSE a.username END AS actor_name, \
     t.title AS thread_title FROM notifications n LEFT JOIN users a ON a.id = n.actor_id \
     LEFT JOIN threads t ON t.id = n.thread_id";

fn rendered(rows: Vec<StoredNotification>) -> Vec<NotificationRow> {
    rows.into_iter().map(NotificationRow::from).collect()
}

/// A member's most recent notifications, newest first.
pub async fn list_notifications(
    db: &Db,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let sql = format!(
        "{SELECT_RENDERED} WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2"
    );
    let rows: Vec<StoredNotification> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).bind(limit).fetch_all(pool).await?);
    Ok(rendered(rows))
}

/// Marks all of a member's notifications read.
pub async fn mark_notifications_read(
    db: &Db,
    user: UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
    on_write!(db, pool => sqlx::query(SQL).bind(now.millis()).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Stores several notifications at once (one per recipient of an event) with the deliveries
/// they start, in one transaction.
pub async fn insert_notifications(
    db: &Db,
    rows: &[NotificationRow],
    deliveries: &[DeliveryRow],
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO notifications (id, user_id, kind, body, link, created_at, \
         read_at, actor_id, thread_id) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)";
    // A digest already waiting for the member takes the notification in when it runs.
    let delivery = format!(
        "INSERT INTO deliveries ({DELIVERY_COLUMNS}) SELECT $1, $2, $3, $4, $5, 0, 0, '', $6, NULL \
         WHERE $3 = 'email' OR NOT EXISTS (SELECT 1 FROM deliveries WHERE user_id = $2 \
         AND channel = 'digest' AND sent_at IS NULL)"
    );
    if rows.is_empty() {
        return Ok(());
    }
    write_tx!(db, tx => {
        for row in rows {
            sqlx::query(SQL)
                .bind(row.id)
                .bind(row.user_id)
                .bind(&row.kind)
                .bind(&row.body)
                .bind(&row.link)
                .bind(row.created_at)
                .bind(row.actor_id)
                .bind(row.thread_id)
                .execute(&mut *tx)
                .await?;
        }
        for row in deliveries {
            sqlx::query(&delivery)
                .bind(row.id)
                .bind(row.user_id)
                .bind(&row.channel)
                .bind(row.notification_id)
                .bind(row.run_at)
                .bind(row.created_at)
                .execute(&mut *tx)
                .await?;
        }
    });
    Ok(())
}

/// How many of a member's notifications are unread.
pub async fn count_unread_notifications(db: &Db, user: UserId) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).fetch_one(pool).await?))
}

/// Marks one of a member's notifications read; returns its link (`None` when it is not theirs).
pub async fn mark_notification_read(
    db: &Db,
    user: UserId,
    id: Uuid,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    const SQL: &str = "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
         WHERE id = $2 AND user_id = $3 RETURNING link";
    Ok(
        on_write!(db, pool => sqlx::query_scalar(SQL).bind(now.millis()).bind(id).bind(user.0).fetch_optional(pool).await?),
    )
}

/// Tables holding a member's notifications, settings and deliveries, emptied when their account
/// is erased (deliveries first: they point at notifications).
pub(crate) const MEMBER_TABLES: &[&str] = &["deliveries", "notifications", "notification_settings"];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    // Others' notifications that name the member by reference read "A former member" from now on.
    erase: &["UPDATE notifications SET actor_id = NULL WHERE actor_id = $1"],
    tables: MEMBER_TABLES,
    not_exported: &[(
        "notifications",
        "actor_id",
        "another member's id; the text names them as they are now",
    )],
    not_member_data: &[],
};

/// A member's delivery choices.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SettingsRow {
    pub user_id: Uuid,
    /// Categories e-mailed at once, comma-separated.
    pub email_kinds: String,
    /// Categories gathered into the daily digest.
    pub digest_kinds: String,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub discreet: bool,
    pub updated_at: i64,
}

const SETTINGS_COLUMNS: &str =
    "user_id, email_kinds, digest_kinds, quiet_start, quiet_end, discreet, updated_at";

/// A member's delivery settings, if they saved any.
pub async fn find_settings(db: &Db, user: UserId) -> Result<Option<SettingsRow>, StoreError> {
    let sql = format!("SELECT {SETTINGS_COLUMNS} FROM notification_settings WHERE user_id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_optional(pool).await?))
}

/// Saves a member's delivery settings.
pub async fn upsert_settings(db: &Db, row: &SettingsRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO notification_settings ({SETTINGS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id) DO UPDATE SET email_kinds = $2, digest_kinds = $3, quiet_start = $4, \
         quiet_end = $5, discreet = $6, updated_at = $7"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(row.user_id)
        .bind(&row.email_kinds)
        .bind(&row.digest_kinds)
        .bind(&row.quiet_start)
        .bind(&row.quiet_end)
        .bind(row.discreet)
        .bind(row.updated_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// Where and how to reach a member: their e-mail address, time zone and settings.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TargetRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub email_kinds: Option<String>,
    pub digest_kinds: Option<String>,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub discreet: Option<bool>,
}

/// The delivery targets of some members who have an e-mail address, in one query.
pub async fn list_targets(db: &Db, users: &[UserId]) -> Result<Vec<TargetRow>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.id, u.email, u.time_zone, s.email_kinds, s.digest_kinds, s.quiet_start, \
         s.quiet_end, s.discreet FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id \
         WHERE u.id IN ({}) AND u.email IS NOT NULL AND u.status = 'active'",
        crate::db::placeholders(1, users.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for user in users {
            query = query.bind(user.0);
        }
        query.fetch_all(pool).await?
    }))
}

/// A delivery to make: one notification by e-mail, or a digest.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// `email` or `digest`.
    pub channel: String,
    pub notification_id: Option<Uuid>,
    pub run_at: i64,
    pub attempts: i64,
    pub claimed_until: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "id, user_id, channel, notification_id, run_at, attempts, \
     claimed_until, last_error, created_at, sent_at";

/// Claims up to `limit` deliveries due at `now` until `lease_until`, as reminders are claimed
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite).
pub async fn claim_due_deliveries(
    db: &Db,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let lock = match db.backend() {
        crate::Backend::Sqlite => "",
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE deliveries SET claimed_until = $1 WHERE id IN (SELECT id FROM deliveries \
         WHERE sent_at IS NULL AND run_at <= $2 AND claimed_until <= $2 ORDER BY run_at \
         LIMIT $3{lock}) RETURNING {DELIVERY_COLUMNS}"
    );
    Ok(write_tx!(db, tx => {
        sqlx::query_as(&sql).bind(lease_until).bind(now).bind(limit).fetch_all(&mut *tx).await?
    }))
}

/// Records a delivery sent.
pub async fn mark_delivered(db: &Db, id: Uuid, now: i64) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE deliveries SET sent_at = $1, claimed_until = 0 WHERE id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(now).bind(id).execute(pool).await?.rows_affected());
    Ok(())
}

/// Records a failed attempt and when to try again (`None`: never; the error stays for admins).
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, \
         run_at = $2, claimed_until = 0 WHERE id = $3";
    on_write!(db, pool => sqlx::query(SQL).bind(error).bind(retry_at.unwrap_or(i64::MAX)).bind(id).execute(pool).await?.rows_affected());
    Ok(())
}

/// When a member's last digest went out.
pub async fn find_last_digest(db: &Db, user: Uuid) -> Result<Option<i64>, StoreError> {
    const SQL: &str =
        "SELECT MAX(sent_at) FROM deliveries WHERE user_id = $1 AND channel = 'digest'";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user).fetch_one(pool).await?))
}

/// A member's notifications since `since` that are still unread, oldest first.
pub async fn list_unread_since(
    db: &Db,
    user: Uuid,
    since: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let sql = format!(
        "{SELECT_RENDERED} WHERE n.user_id = $1 AND n.created_at > $2 AND n.read_at IS NULL \
         ORDER BY n.created_at, n.id"
    );
    let rows: Vec<StoredNotification> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(user).bind(since).fetch_all(pool).await?);
    Ok(rendered(rows))
}

/// One notification (for its delivery).
pub async fn find_notification(db: &Db, id: Uuid) -> Result<Option<NotificationRow>, StoreError> {
    let sql = format!("{SELECT_RENDERED} WHERE n.id = $1");
    let row: Option<StoredNotification> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
    Ok(row.map(NotificationRow::from))
}

/// A member's delivery settings and deliveries, for their export.
pub async fn export_member(
    db: &Db,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    use crate::community::member_rows;
    let settings =
        format!("SELECT {SETTINGS_COLUMNS} FROM notification_settings WHERE user_id = $1");
    let deliveries =
        format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE user_id = $1 ORDER BY created_at");
    Ok(serde_json::Map::from_iter([
        (
            "notification_settings".to_owned(),
            member_rows::<SettingsRow>(db, &settings, user).await?,
        ),
        (
            "deliveries".to_owned(),
            member_rows::<DeliveryRow>(db, &deliveries, user).await?,
        ),
    ]))
}
