//! The recovery journey's storage: clocks and their attempts, daily and weekly check-ins,
//! recovery events and reminder jobs.

use crate::{Db, StoreError};
use mutual_domain::{Timestamp, UserId};
use serde::Serialize;
use uuid::Uuid;

/// A stored clock.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ClockRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub label: String,
    pub started_at: i64,
    pub time_zone: String,
    pub money_per_day_cents: Option<i64>,
    pub minutes_per_day: Option<i64>,
    pub hidden: bool,
    /// How many milestones the member has already seen celebrated.
    pub celebrated_milestones: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const CLOCK_COLUMNS: &str = "id, user_id, label, started_at, time_zone, money_per_day_cents, \
     minutes_per_day, hidden, celebrated_milestones, created_at, updated_at";

/// Stores a new clock.
pub async fn insert_clock(db: &Db, clock: &ClockRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO clocks ({CLOCK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(clock.id)
        .bind(clock.user_id)
        .bind(&clock.label)
        .bind(clock.started_at)
        .bind(&clock.time_zone)
        .bind(clock.money_per_day_cents)
        .bind(clock.minutes_per_day)
        .bind(clock.hidden)
        .bind(clock.celebrated_milestones)
        .bind(clock.created_at)
        .bind(clock.updated_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// A member's clocks, oldest first.
pub async fn list_clocks_by_user(db: &Db, user: UserId) -> Result<Vec<ClockRow>, StoreError> {
    let sql =
        format!("SELECT {CLOCK_COLUMNS} FROM clocks WHERE user_id = $1 ORDER BY created_at, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// One of a member's clocks (`None` when it is not theirs).
pub async fn find_clock(db: &Db, user: UserId, id: Uuid) -> Result<Option<ClockRow>, StoreError> {
    let sql = format!("SELECT {CLOCK_COLUMNS} FROM clocks WHERE id = $1 AND user_id = $2");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(user.0).fetch_optional(pool).await?))
}

/// Replaces a clock's editable details (label, start, savings, hidden).
pub async fn update_clock(db: &Db, clock: &ClockRow) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE clocks SET label = $1, started_at = $2, time_zone = $3, \
         money_per_day_cents = $4, minutes_per_day = $5, hidden = $6, celebrated_milestones = $7, \
         updated_at = $8 WHERE id = $9 AND user_id = $10";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(&clock.label)
        .bind(clock.started_at)
        .bind(&clock.time_zone)
        .bind(clock.money_per_day_cents)
        .bind(clock.minutes_per_day)
        .bind(clock.hidden)
        .bind(clock.celebrated_milestones)
        .bind(clock.updated_at)
        .bind(clock.id)
        .bind(clock.user_id)
        .execute(pool)
        .await?
        .rows_affected());
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// An earlier attempt on a clock, ended by a slip.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: Uuid,
    pub clock_id: Uuid,
    pub user_id: Uuid,
    pub started_at: i64,
    pub ended_at: i64,
    /// The member's private note about the slip.
    pub note: Option<String>,
}

/// Records a slip: the current attempt is kept in the history and the clock starts again at
/// `restart_at`, atomically.
pub async fn reset_clock(
    db: &Db,
    user: UserId,
    clock: Uuid,
    ended_at: i64,
    restart_at: i64,
    note: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    const ARCHIVE: &str = "INSERT INTO clock_attempts (id, clock_id, user_id, started_at, ended_at, note) \
         SELECT $1, id, user_id, started_at, $2, $3 FROM clocks WHERE id = $4 AND user_id = $5";
    const RESTART: &str = "UPDATE clocks SET started_at = $1, celebrated_milestones = 0, updated_at = $2 \
         WHERE id = $3 AND user_id = $4";
    write_tx!(db, tx => {
        let archived = sqlx::query(ARCHIVE)
            .bind(Uuid::now_v7())
            .bind(ended_at)
            .bind(note)
            .bind(clock)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        if archived.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(RESTART).bind(restart_at).bind(now).bind(clock).bind(user.0).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Deletes a clock with its history.
pub async fn delete_clock(db: &Db, user: UserId, clock: Uuid) -> Result<(), StoreError> {
    write_tx!(db, tx => {
        sqlx::query("DELETE FROM clock_attempts WHERE clock_id = $1 AND user_id = $2")
            .bind(clock)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM clocks WHERE id = $1 AND user_id = $2")
            .bind(clock)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
    });
    Ok(())
}

/// A member's earlier attempts on all clocks, oldest first.
pub async fn list_attempts_by_user(db: &Db, user: UserId) -> Result<Vec<AttemptRow>, StoreError> {
    const SQL: &str = "SELECT id, clock_id, user_id, started_at, ended_at, note FROM clock_attempts \
         WHERE user_id = $1 ORDER BY started_at";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// A stored daily check-in. `day` is the member's local date, `YYYY-MM-DD`.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CheckinRow {
    pub user_id: Uuid,
    pub day: String,
    pub mood: i64,
    pub craving: i64,
    pub sleep_hours_tenths: i64,
    pub sleep_quality: i64,
    pub exercised: bool,
    pub regular_meals: bool,
    pub support_contact: bool,
    pub pledged: bool,
    /// Trigger codes, comma-separated.
    pub triggers: String,
    pub trigger_note: Option<String>,
    pub gratitude: Option<String>,
    pub journal: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const CHECKIN_COLUMNS: &str = "user_id, day, mood, craving, sleep_hours_tenths, sleep_quality, \
     exercised, regular_meals, support_contact, pledged, triggers, trigger_note, gratitude, \
     journal, created_at, updated_at";

/// Creates or replaces the check-in of one local day; returns whether it was new and when the
/// day's check-in was first created. On SQLite
/// this is a group-committed write (see the batch module), as check-ins are the busiest write.
pub async fn upsert_checkin(db: &Db, row: &CheckinRow) -> Result<(bool, i64), StoreError> {
    // Insert-or-nothing, then update: unlike a check followed by an upsert, this tells a new
    // check-in from a replaced one correctly even when two arrive at once.
    const INSERT: &str = "INSERT INTO checkins (user_id, day, mood, craving, sleep_hours_tenths, \
         sleep_quality, exercised, regular_meals, support_contact, pledged, triggers, trigger_note, \
         gratitude, journal, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $15) ON CONFLICT (user_id, day) DO NOTHING RETURNING created_at";
    const UPDATE: &str = "UPDATE checkins SET mood = $3, craving = $4, sleep_hours_tenths = $5, \
         sleep_quality = $6, exercised = $7, regular_meals = $8, support_contact = $9, pledged = $10, \
         triggers = $11, trigger_note = $12, gratitude = $13, journal = $14, updated_at = $15 \
         WHERE user_id = $1 AND day = $2 RETURNING created_at";
    let row = row.clone();
    batched_write!(db, |conn| {
        let inserted: Option<i64> = bind_checkin(sqlx::query_scalar(INSERT), &row)
            .fetch_optional(&mut *conn)
            .await?;
        match inserted {
            Some(created_at) => Ok((true, created_at)),
            None => {
                let created_at: i64 = bind_checkin(sqlx::query_scalar(UPDATE), &row)
                    .fetch_one(&mut *conn)
                    .await?;
                Ok((false, created_at))
            }
        }
    })
}

/// Binds a check-in's fields as $1 to $15 (user, day, answers, then the write time).
fn bind_checkin<'q, DB, O>(
    query: sqlx::query::QueryScalar<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    row: &'q CheckinRow,
) -> sqlx::query::QueryScalar<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.user_id)
        .bind(row.day.as_str())
        .bind(row.mood)
        .bind(row.craving)
        .bind(row.sleep_hours_tenths)
        .bind(row.sleep_quality)
        .bind(row.exercised)
        .bind(row.regular_meals)
        .bind(row.support_contact)
        .bind(row.pledged)
        .bind(row.triggers.as_str())
        .bind(row.trigger_note.as_deref())
        .bind(row.gratitude.as_deref())
        .bind(row.journal.as_deref())
        .bind(row.updated_at)
}

/// A member's check-ins from `from` to `to` (inclusive local dates), oldest first.
pub async fn list_checkins(
    db: &Db,
    user: UserId,
    from: &str,
    to: &str,
) -> Result<Vec<CheckinRow>, StoreError> {
    let sql = format!(
        "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = $1 AND day >= $2 AND day <= $3 ORDER BY day"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).bind(from).bind(to).fetch_all(pool).await?),
    )
}

/// (day, mood, craving, sleep in tenths) of a member's check-ins between two local dates,
/// oldest first: just what the warning rules read.
pub async fn list_checkin_points(
    db: &Db,
    user: UserId,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
    const SQL: &str = "SELECT day, mood, craving, sleep_hours_tenths FROM checkins \
         WHERE user_id = $1 AND day >= $2 AND day <= $3 ORDER BY day";
    Ok(
        on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(from).bind(to).fetch_all(pool).await?),
    )
}

/// The scores (use, risk, protective) of a member's latest weekly check-ins, oldest first.
pub async fn list_recent_weekly_scores(
    db: &Db,
    user: UserId,
    limit: i64,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    const SQL: &str = "SELECT use_score, risk_score, protective_score FROM \
         (SELECT week_start, use_score, risk_score, protective_score FROM weekly_checkins \
          WHERE user_id = $1 ORDER BY week_start DESC LIMIT $2) latest ORDER BY week_start";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(limit).fetch_all(pool).await?))
}

/// A stored weekly check-in; `answers` is JSON.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct WeeklyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The Monday of the week, `YYYY-MM-DD`.
    pub week_start: String,
    pub answers: String,
    pub use_score: i64,
    pub risk_score: i64,
    pub protective_score: i64,
    pub created_at: i64,
}

/// Creates or replaces a member's weekly check-in for a week.
pub async fn upsert_weekly(db: &Db, row: &WeeklyRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO weekly_checkins (id, user_id, week_start, answers, use_score, \
         risk_score, protective_score, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (user_id, week_start) DO UPDATE SET answers = excluded.answers, \
         use_score = excluded.use_score, risk_score = excluded.risk_score, \
         protective_score = excluded.protective_score, created_at = excluded.created_at";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(row.id)
        .bind(row.user_id)
        .bind(&row.week_start)
        .bind(&row.answers)
        .bind(row.use_score)
        .bind(row.risk_score)
        .bind(row.protective_score)
        .bind(row.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// A member's weekly check-ins, oldest first.
pub async fn list_weekly(db: &Db, user: UserId) -> Result<Vec<WeeklyRow>, StoreError> {
    const SQL: &str = "SELECT id, user_id, week_start, answers, use_score, risk_score, \
         protective_score, created_at FROM weekly_checkins WHERE user_id = $1 ORDER BY week_start";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// Something that happened on a member's journey (a milestone reached, a warning sign fired),
/// kept for the features that deliver it to the people the member chose.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// "warning_sign" or "milestone".
    pub kind: String,
    /// The rule or milestone.
    pub rule: String,
    /// The local date it happened on.
    pub day: String,
    pub detail: String,
    pub created_at: i64,
}

/// Records an event once per (member, kind, rule, day); returns whether it was new.
pub async fn insert_event(db: &Db, event: &EventRow) -> Result<bool, StoreError> {
    const SQL: &str = "INSERT INTO recovery_events (id, user_id, kind, rule, day, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, kind, rule, day) DO NOTHING";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(event.id)
        .bind(event.user_id)
        .bind(&event.kind)
        .bind(&event.rule)
        .bind(&event.day)
        .bind(&event.detail)
        .bind(event.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// A member's events, newest first.
pub async fn list_events(db: &Db, user: UserId) -> Result<Vec<EventRow>, StoreError> {
    const SQL: &str = "SELECT id, user_id, kind, rule, day, detail, created_at FROM recovery_events \
         WHERE user_id = $1 ORDER BY created_at DESC";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// A member's daily check-in reminder: a job that runs at `next_run_at`.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ReminderRow {
    pub user_id: Uuid,
    /// "HH:MM" in the member's zone.
    pub local_time: String,
    pub next_run_at: i64,
    /// A server that claimed the job holds it until then.
    pub claimed_until: i64,
}

/// Sets (or replaces) a member's reminder.
pub async fn upsert_reminder(
    db: &Db,
    user: UserId,
    local_time: &str,
    next_run_at: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO reminders (user_id, local_time, next_run_at, claimed_until) \
         VALUES ($1, $2, $3, 0) ON CONFLICT (user_id) DO UPDATE SET local_time = excluded.local_time, \
         next_run_at = excluded.next_run_at, claimed_until = 0";
    on_write!(db, pool => sqlx::query(SQL).bind(user.0).bind(local_time).bind(next_run_at).execute(pool).await?.rows_affected());
    Ok(())
}

/// A member's reminder, if set.
pub async fn find_reminder(db: &Db, user: UserId) -> Result<Option<ReminderRow>, StoreError> {
    const SQL: &str =
        "SELECT user_id, local_time, next_run_at, claimed_until FROM reminders WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_optional(pool).await?))
}

/// Removes a member's reminder.
pub async fn delete_reminder(db: &Db, user: UserId) -> Result<(), StoreError> {
    on_write!(db, pool => sqlx::query("DELETE FROM reminders WHERE user_id = $1").bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Claims up to `limit` reminders due at `now`, holding each until `lease_until` so that no
/// other server runs it meanwhile. On PostgreSQL rows another server is claiming are skipped
/// (`FOR UPDATE SKIP LOCKED`); on SQLite the write lock makes the claim exclusive.
pub async fn claim_due_reminders(
    db: &Db,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<ReminderRow>, StoreError> {
    let rows: Vec<ReminderRow> = match db {
        Db::Sqlite(pool, writer) => {
            let _turn = writer.turn.lock().await;
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let rows = sqlx::query_as(
                "UPDATE reminders SET claimed_until = $1 WHERE user_id IN (SELECT user_id FROM reminders \
                 WHERE next_run_at <= $2 AND claimed_until <= $2 ORDER BY next_run_at LIMIT $3) \
                 RETURNING user_id, local_time, next_run_at, claimed_until",
            )
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            rows
        }
        Db::Postgres(pool) => {
            sqlx::query_as(
                "UPDATE reminders SET claimed_until = $1 WHERE user_id IN (SELECT user_id FROM reminders \
                 WHERE next_run_at <= $2 AND claimed_until <= $2 ORDER BY next_run_at LIMIT $3 \
                 FOR UPDATE SKIP LOCKED) RETURNING user_id, local_time, next_run_at, claimed_until",
            )
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(rows)
}

/// Schedules a claimed reminder's next run and releases the claim.
pub async fn reschedule_reminder(db: &Db, user: Uuid, next_run_at: i64) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE reminders SET next_run_at = $1, claimed_until = 0 WHERE user_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(next_run_at).bind(user).execute(pool).await?.rows_affected());
    Ok(())
}

/// Sets a member's time zone.
pub async fn update_time_zone(
    db: &Db,
    user: UserId,
    zone: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET time_zone = $1, updated_at = $2 WHERE id = $3";
    on_write!(db, pool => sqlx::query(SQL).bind(zone).bind(now.millis()).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Tables holding recovery data, emptied for a member when their account is erased.
pub(crate) const MEMBER_TABLES: &[&str] = &[
    "clock_attempts",
    "clocks",
    "checkins",
    "weekly_checkins",
    "recovery_events",
    "reminders",
];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: &[],
    tables: MEMBER_TABLES,
    not_exported: &[],
    not_member_data: &[],
};

/// The local dates a member checked in on, from `from` on, newest first (for streaks).
pub async fn list_checkin_days(
    db: &Db,
    user: UserId,
    from: &str,
) -> Result<Vec<String>, StoreError> {
    const SQL: &str = "SELECT day FROM checkins WHERE user_id = $1 AND day >= $2 ORDER BY day DESC";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).bind(from).fetch_all(pool).await?))
}

/// The kinds and rules of a member's events recorded on one local day ("kind:rule").
pub async fn list_event_keys_on(
    db: &Db,
    user: UserId,
    day: &str,
) -> Result<Vec<String>, StoreError> {
    const SQL: &str = "SELECT kind, rule FROM recovery_events WHERE user_id = $1 AND day = $2";
    let rows: Vec<(String, String)> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(day).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|(kind, rule)| format!("{kind}:{rule}"))
        .collect())
}
