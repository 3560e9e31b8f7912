//! Accountability circles: their members with what each shares, pending invites (by pseudonym
//! or by a link whose token is stored hashed), encouragement notes and "thinking of you" nudges.

use crate::{Db, StoreError};
use mutual_domain::UserId;
use mutual_domain::people::circles::Sharing;
use serde::Serialize;
use uuid::Uuid;

/// A circle.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CircleRow {
    pub id: Uuid,
    pub name: String,
    pub invite_hash: Option<String>,
    pub created_at: i64,
}

/// A member of a circle with their choices.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CircleMemberRow {
    pub circle_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub time_zone: Option<String>,
    pub joined_at: i64,
    pub share_checkin: bool,
    pub share_streak: bool,
    pub share_milestones: bool,
    pub share_warnings: bool,
    pub share_reach_out: bool,
    pub quiet_days: Option<i64>,
}

impl CircleMemberRow {
    /// What they share with this circle.
    pub fn sharing(&self) -> Sharing {
        Sharing {
            checkin: self.share_checkin,
            streak: self.share_streak,
            milestones: self.share_milestones,
            warning_signs: self.share_warnings,
            reach_out: self.share_reach_out,
        }
    }
}

/// One of a member's sharing choices, as the column that holds it.
#[derive(Clone, Copy, Debug)]
pub enum Shared {
    Milestones,
    WarningSigns,
    ReachOut,
}

impl Shared {
    fn column(self) -> &'static str {
        match self {
            Shared::Milestones => "share_milestones",
            Shared::WarningSigns => "share_warnings",
            Shared::ReachOut => "share_reach_out",
        }
    }
}

const MEMBER_INSERT: &str = "INSERT INTO circle_members (circle_id, user_id, joined_at, \
     share_checkin, share_streak, share_milestones, share_warnings, share_reach_out, quiet_days) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)";

/// The SQL counting a circle's members and pending invites (binds the circle as `$1`).
const HEADCOUNT: &str = "SELECT (SELECT COUNT(*) FROM circle_members WHERE circle_id = $1) + \
     (SELECT COUNT(*) FROM circle_invites WHERE circle_id = $1)";

/// Creates a circle with its first member, who shares `sharing`.
pub async fn insert_circle(
    db: &Db,
    id: Uuid,
    name: &str,
    creator: UserId,
    sharing: Sharing,
    now: i64,
) -> Result<(), StoreError> {
    const CIRCLE: &str =
        "INSERT INTO circles (id, name, invite_hash, created_at) VALUES ($1, $2, NULL, $3)";
    write_tx!(db, tx => {
        sqlx::query(CIRCLE).bind(id).bind(name).bind(now).execute(&mut *tx).await?;
        bind_sharing(sqlx::query(MEMBER_INSERT).bind(id).bind(creator.0).bind(now), sharing)
            .execute(&mut *tx)
            .await?;
    });
    Ok(())
}

fn bind_sharing<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    sharing: Sharing,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(sharing.checkin)
        .bind(sharing.streak)
        .bind(sharing.milestones)
        .bind(sharing.warning_signs)
        .bind(sharing.reach_out)
}

/// One circle.
pub async fn find_circle(db: &Db, id: Uuid) -> Result<Option<CircleRow>, StoreError> {
    const SQL: &str = "SELECT id, name, invite_hash, created_at FROM circles WHERE id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await?))
}

/// The circle whose invite link has this token hash.
pub async fn find_circle_by_invite(db: &Db, hash: &str) -> Result<Option<CircleRow>, StoreError> {
    const SQL: &str =
        "SELECT id, name, invite_hash, created_at FROM circles WHERE invite_hash = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(hash).fetch_optional(pool).await?))
}

/// The circles a member is in, by name.
pub async fn list_circles_of(db: &Db, user: UserId) -> Result<Vec<CircleRow>, StoreError> {
    const SQL: &str = "SELECT c.id, c.name, c.invite_hash, c.created_at FROM circles c \
         JOIN circle_members m ON m.circle_id = c.id WHERE m.user_id = $1 ORDER BY c.name, c.id";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

const MEMBER_COLUMNS: &str = "m.circle_id, m.user_id, u.username, u.time_zone, m.joined_at, \
     m.share_checkin, m.share_streak, m.share_milestones, m.share_warnings, m.share_reach_out, \
     m.quiet_days";

/// A circle's members, in the order they joined.
pub async fn list_circle_members(
    db: &Db,
    circle: Uuid,
) -> Result<Vec<CircleMemberRow>, StoreError> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM circle_members m JOIN users u ON u.id = m.user_id \
         WHERE m.circle_id = $1 ORDER BY m.joined_at, u.username_lower"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(circle).fetch_all(pool).await?))
}

/// Saves what a member shares with a circle and after how many quiet days it is told.
pub async fn update_sharing(
    db: &Db,
    circle: Uuid,
    user: UserId,
    sharing: Sharing,
    quiet_days: Option<u32>,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE circle_members SET share_checkin = $1, share_streak = $2, \
         share_milestones = $3, share_warnings = $4, share_reach_out = $5, quiet_days = $6 \
         WHERE circle_id = $7 AND user_id = $8";
    let done = on_write!(db, pool => bind_sharing(sqlx::query(SQL), sharing)
        .bind(quiet_days.map(i64::from))
        .bind(circle)
        .bind(user.0)
        .execute(pool).await?.rows_affected());
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Why [`insert_invites`] wrote nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitesRefused {
    /// The circle's members and pending invites would pass the maximum: its headcount now.
    Full(i64),
    /// The sender would pass their daily limit: how many they sent in the last day.
    DailyLimit(i64),
}

/// `sender` invites members to a circle, unless that would take its members and pending invites
/// past `max`, or the sender's invites since `day_ago` past `per_day`: then nothing is written.
/// Members already in it or invited are skipped. The circle's and the sender's rows are locked
/// for the check (PostgreSQL; SQLite writes one at a time), so concurrent invites cannot pass
/// either limit together.
pub async fn insert_invites(
    db: &Db,
    circle: Uuid,
    sender: UserId,
    users: &[UserId],
    max: usize,
    (per_day, day_ago): (i64, i64),
    now: i64,
) -> Result<Result<(), InvitesRefused>, StoreError> {
    const INVITE: &str = "INSERT INTO circle_invites (circle_id, user_id, created_at) \
         SELECT $1, $2, $3 WHERE NOT EXISTS \
         (SELECT 1 FROM circle_members WHERE circle_id = $1 AND user_id = $2) \
         ON CONFLICT (circle_id, user_id) DO NOTHING";
    const FORGET: &str = "DELETE FROM circle_invites_sent WHERE user_id = $1 AND created_at <= $2";
    const SENT: &str = "SELECT COUNT(*) FROM circle_invites_sent WHERE user_id = $1";
    const COUNT: &str = "INSERT INTO circle_invites_sent (user_id, created_at) VALUES ($1, $2)";
    let lock = crate::dialect::for_update(db.backend());
    let lock_circle = format!("SELECT id FROM circles WHERE id = $1{lock}");
    let lock_sender = format!("SELECT id FROM users WHERE id = $1{lock}");
    Ok(write_tx!(db, tx => {
        sqlx::query(&lock_circle).bind(circle).fetch_optional(&mut *tx).await?;
        sqlx::query(&lock_sender).bind(sender.0).fetch_optional(&mut *tx).await?;
        let headcount: i64 = sqlx::query_scalar(HEADCOUNT).bind(circle).fetch_one(&mut *tx).await?;
        sqlx::query(FORGET).bind(sender.0).bind(day_ago).execute(&mut *tx).await?;
        let sent: i64 = sqlx::query_scalar(SENT).bind(sender.0).fetch_one(&mut *tx).await?;
        if headcount + users.len() as i64 > max as i64 {
            Err(InvitesRefused::Full(headcount))
        } else if sent + users.len() as i64 > per_day {
            Err(InvitesRefused::DailyLimit(sent))
        } else {
            for user in users {
                sqlx::query(INVITE).bind(circle).bind(user.0).bind(now).execute(&mut *tx).await?;
                sqlx::query(COUNT).bind(sender.0).bind(now).execute(&mut *tx).await?;
            }
            Ok(())
        }
    }))
}

/// How many invites to circles are waiting for `user` that came since `since`, from anyone: an
/// invite row does not keep whether it was a request, so a member's own circle counts too.
pub async fn count_invites_since(db: &Db, user: UserId, since: i64) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM circle_invites WHERE user_id = $1 AND created_at >= $2";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).bind(since).fetch_one(pool).await?))
}

/// The circles a member is invited to: (circle, name).
pub async fn list_invites_for(db: &Db, user: UserId) -> Result<Vec<(Uuid, String)>, StoreError> {
    const SQL: &str = "SELECT c.id, c.name FROM circle_invites i JOIN circles c ON c.id = i.circle_id \
         WHERE i.user_id = $1 ORDER BY i.created_at";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// The pseudonyms of those invited to a circle and not yet in it.
pub async fn list_pending_invites(db: &Db, circle: Uuid) -> Result<Vec<String>, StoreError> {
    const SQL: &str = "SELECT u.username FROM circle_invites i JOIN users u ON u.id = i.user_id \
         WHERE i.circle_id = $1 ORDER BY i.created_at, u.username_lower";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(circle).fetch_all(pool).await?))
}

/// Takes a member into a circle with `sharing`: by their invite (`by_invite`, which it uses
/// up; `false` when there is none), or by the link (`false` when the circle is full).
pub async fn join_circle(
    db: &Db,
    circle: Uuid,
    user: UserId,
    sharing: Sharing,
    by_invite: bool,
    max: usize,
    now: i64,
) -> Result<bool, StoreError> {
    const USE_INVITE: &str = "DELETE FROM circle_invites WHERE circle_id = $1 AND user_id = $2";
    const ALREADY: &str =
        "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1 AND user_id = $2";
    Ok(write_tx!(db, tx => {
        let already: i64 = sqlx::query_scalar(ALREADY).bind(circle).bind(user.0).fetch_one(&mut *tx).await?;
        let allowed = if already > 0 {
            false
        } else if by_invite {
            sqlx::query(USE_INVITE).bind(circle).bind(user.0).execute(&mut *tx).await?.rows_affected() == 1
        } else {
            let headcount: i64 = sqlx::query_scalar(HEADCOUNT).bind(circle).fetch_one(&mut *tx).await?;
            headcount < max as i64
        };
        if allowed {
            bind_sharing(sqlx::query(MEMBER_INSERT).bind(circle).bind(user.0).bind(now), sharing)
                .execute(&mut *tx)
                .await?;
        }
        allowed
    }))
}

/// Declines (deletes) a member's invite to a circle.
pub async fn delete_invite(db: &Db, circle: Uuid, user: UserId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM circle_invites WHERE circle_id = $1 AND user_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(circle).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Sets (or with `None` removes) the hash of a circle's invite link token.
pub async fn update_invite_hash(
    db: &Db,
    circle: Uuid,
    hash: Option<&str>,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE circles SET invite_hash = $1 WHERE id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(hash).bind(circle).execute(pool).await?.rows_affected());
    Ok(())
}

/// Takes a member out of a circle; a circle nobody is left in is deleted with its notes.
pub async fn leave_circle(db: &Db, circle: Uuid, user: UserId) -> Result<(), StoreError> {
    const LEAVE: &str = "DELETE FROM circle_members WHERE circle_id = $1 AND user_id = $2";
    const EMPTY: &str = "DELETE FROM circles WHERE id = $1 AND NOT EXISTS \
         (SELECT 1 FROM circle_members WHERE circle_id = $1)";
    write_tx!(db, tx => {
        sqlx::query(LEAVE).bind(circle).bind(user.0).execute(&mut *tx).await?;
        sqlx::query(EMPTY).bind(circle).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Whether two members are in a circle together.
pub async fn share_a_circle(db: &Db, a: UserId, b: UserId) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM circle_members x JOIN circle_members y \
         ON y.circle_id = x.circle_id WHERE x.user_id = $1 AND y.user_id = $2";
    let count: i64 =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(a.0).bind(b.0).fetch_one(pool).await?);
    Ok(count > 0)
}

/// Everyone in a circle with `user` in which `user` shares `what`, once each.
pub async fn list_shared_with(
    db: &Db,
    user: UserId,
    what: Shared,
) -> Result<Vec<Uuid>, StoreError> {
    let sql = format!(
        "SELECT DISTINCT o.user_id FROM circle_members me \
         JOIN circle_members o ON o.circle_id = me.circle_id \
         WHERE me.user_id = $1 AND me.{} AND o.user_id <> $1",
        what.column()
    );
    Ok(on_db!(db, pool => sqlx::query_scalar(&sql).bind(user.0).fetch_all(pool).await?))
}

/// An encouragement note with its author's pseudonym.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

/// Writes an encouragement note on a circle's page.
pub async fn insert_note(
    db: &Db,
    circle: Uuid,
    author: UserId,
    body: &str,
    now: i64,
) -> Result<Uuid, StoreError> {
    const SQL: &str = "INSERT INTO circle_notes (id, circle_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)";
    let id = Uuid::now_v7();
    on_write!(db, pool => sqlx::query(SQL).bind(id).bind(circle).bind(author.0).bind(body).bind(now).execute(pool).await?.rows_affected());
    Ok(id)
}

/// A circle's latest notes, newest first.
pub async fn list_notes(db: &Db, circle: Uuid, limit: i64) -> Result<Vec<NoteRow>, StoreError> {
    const SQL: &str = "SELECT n.id, u.username AS author_name, n.body, n.created_at \
         FROM circle_notes n JOIN users u ON u.id = n.author_id WHERE n.circle_id = $1 \
         ORDER BY n.created_at DESC, n.id DESC LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(circle).bind(limit).fetch_all(pool).await?))
}

/// Records a nudge from `sender` to `recipient` unless one went since `since`; returns whether
/// it was recorded.
pub async fn insert_nudge(
    db: &Db,
    sender: UserId,
    recipient: UserId,
    since: i64,
    now: i64,
) -> Result<bool, StoreError> {
    const RECENT: &str = "SELECT COUNT(*) FROM nudges WHERE sender_id = $1 AND recipient_id = $2 \
         AND created_at > $3";
    const INSERT: &str =
        "INSERT INTO nudges (id, sender_id, recipient_id, created_at) VALUES ($1, $2, $3, $4)";
    Ok(write_tx!(db, tx => {
        let recent: i64 = sqlx::query_scalar(RECENT).bind(sender.0).bind(recipient.0).bind(since).fetch_one(&mut *tx).await?;
        if recent == 0 {
            sqlx::query(INSERT).bind(Uuid::now_v7()).bind(sender.0).bind(recipient.0).bind(now).execute(&mut *tx).await?;
        }
        recent == 0
    }))
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct CircleMemberExport {
    circle_id: Uuid,
    circle_name: String,
    user_id: Uuid,
    joined_at: i64,
    share_checkin: bool,
    share_streak: bool,
    share_milestones: bool,
    share_warnings: bool,
    share_reach_out: bool,
    quiet_days: Option<i64>,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct InviteExport {
    circle_id: Uuid,
    user_id: Uuid,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct InviteSentExport {
    user_id: Uuid,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct NoteExport {
    id: Uuid,
    circle_id: Uuid,
    author_id: Uuid,
    body: String,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct NudgeExport {
    id: Uuid,
    sender_id: Uuid,
    recipient_id: Uuid,
    created_at: i64,
}
