//! The directory's storage: programmes, groups, meetings (written one by one with their
//! history, or imported in chunks by slug), facilitators, saved meetings and calendar feed
//! tokens, private attendance logs, and suggested corrections.

pub mod areas;
pub mod sources;

use crate::db::placeholders;
use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A programme or approach.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ProgramRow {
    pub code: String,
    pub name: String,
    pub approach: String,
    pub position: i64,
}

/// Every programme, in the admins' order.
pub async fn list_programs(db: &Db) -> Result<Vec<ProgramRow>, StoreError> {
    const SQL: &str = "SELECT code, name, approach, position FROM programs ORDER BY position, code";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
}

/// Adds a programme or renames one.
pub async fn upsert_program(db: &Db, program: &ProgramRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO programs (code, name, approach, position) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, approach = excluded.approach, \
         position = excluded.position";
    on_write!(db, pool => sqlx::query(SQL).bind(&program.code).bind(&program.name)
        .bind(&program.approach).bind(program.position).execute(pool).await?.rows_affected());
    Ok(())
}

/// Removes a programme no group uses; `Conflict` when groups still do.
pub async fn delete_program(db: &Db, code: &str) -> Result<(), StoreError> {
    const USED: &str = "SELECT COUNT(*) FROM meeting_groups WHERE program_code = $1";
    const SQL: &str = "DELETE FROM programs WHERE code = $1";
    write_tx!(db, tx => {
        let used: i64 = sqlx::query_scalar(USED).bind(code).fetch_one(&mut *tx).await?;
        if used > 0 {
            return Err(StoreError::Conflict);
        }
        let done = sqlx::query(SQL).bind(code).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
    });
    Ok(())
}

/// A stored group. List fields are comma-separated codes.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub program_code: String,
    pub description: String,
    pub tags: String,
    pub size: String,
    pub structure: String,
    pub facilitation: String,
    pub atmosphere: String,
    pub languages: String,
    pub accessibility: String,
    pub audience: String,
    pub closed: bool,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub join_members_only: bool,
    pub notes: String,
    /// Made by an import for a row that named no group; the feed leaves its name out.
    pub implicit: bool,
    /// Its area's path ("Illinois > Chicago"; empty: none).
    pub area: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl GroupRow {
    /// A new group with only a name and a programme; every attribute empty.
    pub fn new(name: &str, program_code: &str, now: i64) -> GroupRow {
        GroupRow {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            program_code: program_code.to_owned(),
            description: String::new(),
            tags: String::new(),
            size: String::new(),
            structure: String::new(),
            facilitation: String::new(),
            atmosphere: String::new(),
            languages: String::new(),
            accessibility: String::new(),
            audience: String::new(),
            closed: false,
            contact_name: String::new(),
            contact_email: String::new(),
            contact_phone: String::new(),
            join_members_only: false,
            notes: String::new(),
            implicit: false,
            area: String::new(),
            created_at: now,
            updated_at: now,
        }
    }
}

const GROUP_COLUMNS: &str = "id, name, program_code, description, tags, size, structure, \
     facilitation, atmosphere, languages, accessibility, audience, closed, contact_name, \
     contact_email, contact_phone, join_members_only, notes, implicit, area, created_at, \
     updated_at";

macro_rules! bind_group {
    ($query:expr, $g:expr) => {
        $query
            .bind($g.id)
            .bind(&$g.name)
            .bind(&$g.program_code)
            .bind(&$g.description)
            .bind(&$g.tags)
            .bind(&$g.size)
            .bind(&$g.structure)
            .bind(&$g.facilitation)
            .bind(&$g.atmosphere)
            .bind(&$g.languages)
            .bind(&$g.accessibility)
            .bind(&$g.audience)
            .bind($g.closed)
            .bind(&$g.contact_name)
            .bind(&$g.contact_email)
            .bind(&$g.contact_phone)
            .bind($g.join_members_only)
            .bind(&$g.notes)
            .bind($g.implicit)
            .bind(&$g.area)
            .bind($g.created_at)
            .bind($g.updated_at)
    };
}

/// An insert of `rows` rows that, on a conflict over `target`, replaces every column but the
/// id, the creation time, the target and those in `keep`.
fn upsert_sql(table: &str, columns: &str, target: &str, keep: &[&str], rows: usize) -> String {
    let names: Vec<&str> = columns.split(',').map(str::trim).collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|c| !["id", "created_at", target].contains(c) && !keep.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({columns}) VALUES {} ON CONFLICT ({target}) DO UPDATE SET {}",
        value_rows(rows, names.len()),
        updates.join(", ")
    )
}

/// Creates a group or replaces its details.
pub async fn save_group(db: &Db, group: &GroupRow) -> Result<(), StoreError> {
    let sql = upsert_sql("meeting_groups", GROUP_COLUMNS, "id", &[], 1);
    on_write!(db, pool => bind_group!(sqlx::query(&sql), group).execute(pool).await?.rows_affected());
    Ok(())
}

/// One group.
pub async fn find_group(db: &Db, id: Uuid) -> Result<Option<GroupRow>, StoreError> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM meeting_groups WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// Every group, by name.
pub async fn list_groups(db: &Db) -> Result<Vec<GroupRow>, StoreError> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM meeting_groups ORDER BY name, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

/// A stored meeting. See the migration for the meaning of each column; lists are
/// comma-separated, `regions` is separated by `>`, `extra` is a JSON object.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: Uuid,
    pub group_id: Uuid,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub start_time: String,
    pub end_time: String,
    pub recurrence: String,
    pub days: String,
    pub nth: Option<i64>,
    pub on_date: Option<String>,
    pub cancelled: String,
    pub mode: String,
    pub status: String,
    pub location: String,
    pub location_notes: String,
    pub formatted_address: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub region: String,
    pub sub_region: String,
    pub district: String,
    pub regions: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub approximate: Option<bool>,
    pub conference_url: String,
    pub conference_url_notes: String,
    pub conference_phone: String,
    pub conference_phone_notes: String,
    pub types: String,
    pub notes: String,
    pub source_url: String,
    pub extra: String,
    pub feed_json: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const MEETING_COLUMNS: &str = "id, group_id, slug, name, time_zone, start_time, end_time, \
     recurrence, days, nth, on_date, cancelled, mode, status, location, location_notes, \
     formatted_address, address, city, state, postal_code, country, region, sub_region, district, \
     regions, latitude, longitude, approximate, conference_url, conference_url_notes, conference_phone, \
     conference_phone_notes, types, notes, source_url, extra, feed_json, created_at, updated_at";

macro_rules! bind_meeting {
    ($query:expr, $m:expr) => {
        $query
            .bind($m.id)
            .bind($m.group_id)
            .bind(&$m.slug)
            .bind(&$m.name)
            .bind(&$m.time_zone)
            .bind(&$m.start_time)
            .bind(&$m.end_time)
            .bind(&$m.recurrence)
            .bind(&$m.days)
            .bind($m.nth)
            .bind(&$m.on_date)
            .bind(&$m.cancelled)
            .bind(&$m.mode)
            .bind(&$m.status)
            .bind(&$m.location)
            .bind(&$m.location_notes)
            .bind(&$m.formatted_address)
            .bind(&$m.address)
            .bind(&$m.city)
            .bind(&$m.state)
            .bind(&$m.postal_code)
            .bind(&$m.country)
            .bind(&$m.region)
            .bind(&$m.sub_region)
            .bind(&$m.district)
            .bind(&$m.regions)
            .bind($m.latitude)
            .bind($m.longitude)
            .bind($m.approximate)
            .bind(&$m.conference_url)
            .bind(&$m.conference_url_notes)
            .bind(&$m.conference_phone)
            .bind(&$m.conference_phone_notes)
            .bind(&$m.types)
            .bind(&$m.notes)
            .bind(&$m.source_url)
            .bind(&$m.extra)
            .bind(&$m.feed_json)
            .bind($m.created_at)
            .bind($m.updated_at)
    };
}

/// One entry of a listing's history: who changed it, a summary, and the field changes (JSON).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub summary: String,
    pub changes: String,
    pub created_at: i64,
}

/// Writes a history entry inside the transaction `$tx`.
macro_rules! insert_history {
    ($tx:ident, $h:expr) => {
        sqlx::query(
            "INSERT INTO meeting_history (id, meeting_id, actor_id, summary, changes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($h.id)
        .bind($h.meeting_id)
        .bind($h.actor_id)
        .bind(&$h.summary)
        .bind(&$h.changes)
        .bind($h.created_at)
        .execute(&mut *$tx)
        .await?
    };
}

/// Creates or replaces a meeting (by id) and records the change in its history, atomically.
/// `Conflict` when another meeting has the slug.
pub async fn save_meeting(
    db: &Db,
    meeting: &MeetingRow,
    history: &HistoryRow,
) -> Result<(), StoreError> {
    let sql = upsert_sql("meetings", MEETING_COLUMNS, "id", &[], 1);
    write_tx!(db, tx => {
        bind_meeting!(sqlx::query(&sql), meeting).execute(&mut *tx).await?;
        insert_history!(tx, history);
    });
    Ok(())
}

/// One meeting.
pub async fn find_meeting(db: &Db, id: Uuid) -> Result<Option<MeetingRow>, StoreError> {
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// One meeting by its slug.
pub async fn find_meeting_by_slug(db: &Db, slug: &str) -> Result<Option<MeetingRow>, StoreError> {
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE slug = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await?))
}

/// The meetings a source gave (see [`sources`]).
pub async fn list_meetings_of_source(db: &Db, source: Uuid) -> Result<Vec<MeetingRow>, StoreError> {
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE source_id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(source).fetch_all(pool).await?))
}

/// A group's meetings.
pub async fn list_meetings_by_group(db: &Db, group: Uuid) -> Result<Vec<MeetingRow>, StoreError> {
    let sql =
        format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE group_id = $1 ORDER BY name, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(group).fetch_all(pool).await?))
}

/// Up to `limit` meetings after `after` in id order, with `status` if given: the export
/// and the directory read the table in pages this way, never all at once.
pub async fn list_meetings_page(
    db: &Db,
    after: Option<Uuid>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<MeetingRow>, StoreError> {
    let sql = format!(
        "SELECT {MEETING_COLUMNS} FROM meetings WHERE id > $1 \
         AND ($2 IS NULL OR status = $2) ORDER BY id LIMIT $3"
    );
    let after = after.unwrap_or(Uuid::nil());
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(after).bind(status).bind(limit).fetch_all(pool).await?),
    )
}

/// How many meetings there are.
pub async fn count_meetings(db: &Db) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM meetings";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).fetch_one(pool).await?))
}

/// What the Meeting Guide feed needs of one meeting and its group.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FeedRow {
    pub id: Uuid,
    pub feed_json: String,
    pub source_url: String,
    pub updated_at: i64,
    pub group_name: String,
    pub group_notes: String,
    pub group_implicit: bool,
    /// How people attend (`in_person`, `hybrid`, `online`, `phone`).
    pub mode: String,
    /// Whether the address is only an area, where the source said.
    pub approximate: Option<bool>,
    /// The group's programme.
    pub program_code: String,
}

fn prefixed(columns: &str, table: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{table}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to `limit` active weekly meetings after `after` in id order, with their groups: one page
/// of the Meeting Guide feed.
pub async fn list_feed_page(
    db: &Db,
    after: Option<Uuid>,
    limit: i64,
    only: &FeedFilter,
) -> Result<Vec<FeedRow>, StoreError> {
    const SQL: &str = "SELECT m.id, m.feed_json, m.source_url, m.updated_at, g.name AS group_name, \
         g.notes AS group_notes, g.implicit AS group_implicit, m.mode, m.approximate, \
         g.program_code \
         FROM meetings m JOIN meeting_groups g ON g.id = m.group_id \
         WHERE m.id > $1 AND m.status = 'active' AND m.recurrence IN ('weekly', 'appointment') \
         AND ($3 IS NULL OR g.program_code = $3) AND ($4 IS NULL OR m.region = $4) \
         ORDER BY m.id LIMIT $2";
    let after = after.unwrap_or(Uuid::nil());
    Ok(on_db!(db, pool => sqlx::query_as(SQL)
        .bind(after)
        .bind(limit)
        .bind(only.program.as_deref())
        .bind(only.region.as_deref())
        .fetch_all(pool)
        .await?))
}

/// Which meetings a feed holds: all, or one programme's, or one region's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedFilter {
    /// A programme's code.
    pub program: Option<String>,
    /// A region's name, as the meetings carry it.
    pub region: Option<String>,
}

/// Active meetings the Meeting Guide format cannot express (not weekly): id, slug, name, kind.
pub async fn list_inexpressible(
    db: &Db,
    only: &FeedFilter,
) -> Result<Vec<(Uuid, String, String, String)>, StoreError> {
    const SQL: &str = "SELECT m.id, m.slug, m.name, m.recurrence FROM meetings m \
         JOIN meeting_groups g ON g.id = m.group_id \
         WHERE m.status = 'active' AND m.recurrence NOT IN ('weekly', 'appointment') \
         AND ($1 IS NULL OR g.program_code = $1) AND ($2 IS NULL OR m.region = $2) \
         ORDER BY m.slug";
    Ok(on_db!(db, pool => sqlx::query_as(SQL)
        .bind(only.program.as_deref())
        .bind(only.region.as_deref())
        .fetch_all(pool)
        .await?))
}

/// A listing's history, newest first.
pub async fn list_history(db: &Db, meeting: Uuid) -> Result<Vec<HistoryRow>, StoreError> {
    const SQL: &str = "SELECT id, meeting_id, actor_id, summary, changes, created_at FROM meeting_history \
         WHERE meeting_id = $1 ORDER BY created_at DESC, id DESC";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(meeting).fetch_all(pool).await?))
}

/// One imported row: its meeting, and the group it belongs to (found by name, or created).
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub meeting: MeetingRow,
    pub group: GroupRow,
}

/// What an import chunk did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
}

/// Imports rows in one transaction: a meeting whose slug exists is updated in place (its id,
/// group and creation time kept), others are created; named groups are matched by name and
/// programme, or created.
pub async fn import_meetings(db: &Db, rows: &[ImportRow]) -> Result<ImportCounts, StoreError> {
    use std::collections::HashMap;
    // PostgreSQL: many rows per statement spare round trips (800 rows of 39 columns stay under
    // its 65,535 parameters). SQLite runs in process, and sqlx looks up each numbered parameter
    // by name, which grows with the square of their number: one row per (cached) statement.
    let rows_per_statement = match db {
        Db::Sqlite(..) => 1,
        Db::Postgres(_) => 800,
    };
    let mut counts = ImportCounts::default();
    if rows.is_empty() {
        return Ok(counts);
    }
    let find_slugs = format!(
        "SELECT slug, group_id FROM meetings WHERE slug IN ({})",
        placeholders(1, rows.len())
    );
    let names: Vec<&str> = rows
        .iter()
        .filter(|r| !r.group.implicit)
        .map(|r| r.group.name.as_str())
        .collect();
    let find_groups = format!(
        "SELECT id, name, program_code FROM meeting_groups WHERE implicit = $1 AND name IN ({}) \
         ORDER BY created_at DESC",
        (2..names.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    write_tx!(db, tx => {
        let mut query = sqlx::query_as::<_, (String, Uuid)>(&find_slugs);
        for row in rows {
            query = query.bind(&row.meeting.slug);
        }
        let existing: HashMap<String, Uuid> = query.fetch_all(&mut *tx).await?.into_iter().collect();
        // Named groups already here, by (name, programme); the oldest wins.
        let mut groups: HashMap<(String, String), Uuid> = HashMap::new();
        if !names.is_empty() {
            let mut query = sqlx::query_as::<_, (Uuid, String, String)>(&find_groups).bind(false);
            for name in &names {
                query = query.bind(*name);
            }
            for (id, name, program) in query.fetch_all(&mut *tx).await? {
                groups.insert((name, program), id);
            }
        }
        let mut new_groups: Vec<&GroupRow> = Vec::new();
        let mut meetings: Vec<MeetingRow> = Vec::with_capacity(rows.len());
        for row in rows {
            let mut meeting = row.meeting.clone();
            if let Some(group_id) = existing.get(&row.meeting.slug) {
                counts.updated += 1;
                meeting.group_id = *group_id;
            } else {
                counts.created += 1;
                meeting.group_id = if row.group.implicit {
                    new_groups.push(&row.group);
                    row.group.id
                } else {
                    let key = (row.group.name.clone(), row.group.program_code.clone());
                    *groups.entry(key).or_insert_with(|| {
                        new_groups.push(&row.group);
                        row.group.id
                    })
                };
            }
            meetings.push(meeting);
        }
        for chunk in new_groups.chunks(rows_per_statement) {
            let sql = format!(
                "INSERT INTO meeting_groups ({GROUP_COLUMNS}) VALUES {}",
                value_rows(chunk.len(), column_count(GROUP_COLUMNS))
            );
            let mut query = sqlx::query(&sql);
            for group in chunk {
                query = bind_group!(query, group);
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in meetings.chunks(rows_per_statement) {
            // A re-imported meeting keeps its group.
            let sql = upsert_sql("meetings", MEETING_COLUMNS, "slug", &["group_id"], chunk.len());
            let mut query = sqlx::query(&sql);
            for meeting in chunk {
                query = bind_meeting!(query, meeting);
            }
            query.execute(&mut *tx).await?;
        }
    });
    Ok(counts)
}

fn column_count(columns: &str) -> usize {
    columns.split(',').count()
}

/// `($1, ..., $columns), ($columns+1, ...), ...` for `rows` rows.
fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Makes `user` a facilitator of `group`.
pub async fn add_facilitator(
    db: &Db,
    group: Uuid,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO group_facilitators (group_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (group_id, user_id) DO NOTHING";
    on_write!(db, pool => sqlx::query(SQL).bind(group).bind(user.0).bind(now).execute(pool).await?.rows_affected());
    Ok(())
}

/// Ends `user`'s facilitation of `group`.
pub async fn remove_facilitator(db: &Db, group: Uuid, user: UserId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM group_facilitators WHERE group_id = $1 AND user_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(group).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// A group's facilitators: (user id, pseudonym).
pub async fn list_facilitators(db: &Db, group: Uuid) -> Result<Vec<(Uuid, String)>, StoreError> {
    const SQL: &str = "SELECT u.id, u.username FROM group_facilitators f JOIN users u ON u.id = f.user_id \
         WHERE f.group_id = $1 ORDER BY u.username";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(group).fetch_all(pool).await?))
}

/// Whether `user` facilitates `group`.
pub async fn is_facilitator(db: &Db, group: Uuid, user: UserId) -> Result<bool, StoreError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM group_facilitators WHERE group_id = $1 AND user_id = $2";
    let n: i64 =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(group).bind(user.0).fetch_one(pool).await?);
    Ok(n > 0)
}

/// A member's facilitator rows (for their export).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct FacilitatorRow {
    pub group_id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
}

/// The groups a member facilitates.
pub async fn list_facilitations_by_user(
    db: &Db,
    user: UserId,
) -> Result<Vec<FacilitatorRow>, StoreError> {
    const SQL: &str =
        "SELECT group_id, user_id, created_at FROM group_facilitators WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// A saved meeting.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SavedRow {
    pub user_id: Uuid,
    pub meeting_id: Uuid,
    pub created_at: i64,
}

/// Saves a meeting to a member's list (again is harmless).
pub async fn save_for_user(
    db: &Db,
    user: UserId,
    meeting: Uuid,
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO saved_meetings (user_id, meeting_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, meeting_id) DO NOTHING";
    on_write!(db, pool => sqlx::query(SQL).bind(user.0).bind(meeting).bind(now).execute(pool).await?.rows_affected());
    Ok(())
}

/// Takes a meeting off a member's list.
pub async fn unsave_for_user(db: &Db, user: UserId, meeting: Uuid) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM saved_meetings WHERE user_id = $1 AND meeting_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(user.0).bind(meeting).execute(pool).await?.rows_affected());
    Ok(())
}

/// A member's saved-meeting rows.
pub async fn list_saved(db: &Db, user: UserId) -> Result<Vec<SavedRow>, StoreError> {
    const SQL: &str = "SELECT user_id, meeting_id, created_at FROM saved_meetings WHERE user_id = $1 ORDER BY created_at";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// The meetings a member saved.
pub async fn list_saved_meetings(db: &Db, user: UserId) -> Result<Vec<MeetingRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM saved_meetings s JOIN meetings m ON m.id = s.meeting_id \
         WHERE s.user_id = $1 ORDER BY m.name, m.id",
        prefixed(MEETING_COLUMNS, "m")
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// Sets the member's calendar feed token (replacing an earlier one).
pub async fn set_calendar_token(
    db: &Db,
    user: UserId,
    token_hash: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at";
    on_write!(db, pool => sqlx::query(SQL).bind(user.0).bind(token_hash).bind(now).execute(pool).await?.rows_affected());
    Ok(())
}

/// Whose calendar feed a token opens.
pub async fn find_calendar_user(db: &Db, token_hash: &[u8]) -> Result<Option<Uuid>, StoreError> {
    const SQL: &str = "SELECT user_id FROM calendar_feeds WHERE token_hash = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(token_hash).fetch_optional(pool).await?))
}

/// When a member's calendar feed was made, if they have one.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CalendarFeedRow {
    pub user_id: Uuid,
    pub created_at: i64,
}

/// The member's calendar feed (without its token).
pub async fn find_calendar_feed(
    db: &Db,
    user: UserId,
) -> Result<Option<CalendarFeedRow>, StoreError> {
    const SQL: &str = "SELECT user_id, created_at FROM calendar_feeds WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_optional(pool).await?))
}

/// One entry of a member's private attendance log.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AttendanceRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub meeting_name: String,
    pub day: String,
    pub note: String,
    pub created_at: i64,
}

/// Logs that a member went to a meeting.
pub async fn insert_attendance(db: &Db, row: &AttendanceRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO meeting_attendance (id, user_id, meeting_id, meeting_name, day, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_write!(db, pool => sqlx::query(SQL).bind(row.id).bind(row.user_id).bind(row.meeting_id)
        .bind(&row.meeting_name).bind(&row.day).bind(&row.note).bind(row.created_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// A member's attendance log, newest first.
pub async fn list_attendance(db: &Db, user: UserId) -> Result<Vec<AttendanceRow>, StoreError> {
    const SQL: &str = "SELECT id, user_id, meeting_id, meeting_name, day, note, created_at FROM meeting_attendance \
         WHERE user_id = $1 ORDER BY day DESC, created_at DESC";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// Deletes one entry of a member's log.
pub async fn delete_attendance(db: &Db, user: UserId, id: Uuid) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM meeting_attendance WHERE id = $1 AND user_id = $2";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(id).bind(user.0).execute(pool).await?.rows_affected());
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// A suggested correction: the proposed values (JSON object of field → value) and its fate.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SuggestionRow {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub user_id: Uuid,
    pub changes: String,
    pub note: String,
    /// pending, approved or rejected.
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decision_note: String,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

const SUGGESTION_COLUMNS: &str = "id, meeting_id, user_id, changes, note, status, decided_by, \
     decision_note, decided_at, created_at";

/// Stores a suggestion.
pub async fn insert_suggestion(db: &Db, row: &SuggestionRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO meeting_suggestions ({SUGGESTION_COLUMNS}) VALUES ({})",
        placeholders(1, 10)
    );
    on_write!(db, pool => sqlx::query(&sql).bind(row.id).bind(row.meeting_id).bind(row.user_id)
        .bind(&row.changes).bind(&row.note).bind(&row.status).bind(row.decided_by)
        .bind(&row.decision_note).bind(row.decided_at).bind(row.created_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// Suggestions waiting for review, oldest first.
pub async fn list_pending_suggestions(db: &Db) -> Result<Vec<SuggestionRow>, StoreError> {
    let sql = format!(
        "SELECT {SUGGESTION_COLUMNS} FROM meeting_suggestions WHERE status = 'pending' ORDER BY created_at, id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

/// One suggestion.
pub async fn find_suggestion(db: &Db, id: Uuid) -> Result<Option<SuggestionRow>, StoreError> {
    let sql = format!("SELECT {SUGGESTION_COLUMNS} FROM meeting_suggestions WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// A member's own suggestions.
pub async fn list_suggestions_by_user(
    db: &Db,
    user: UserId,
) -> Result<Vec<SuggestionRow>, StoreError> {
    let sql = format!(
        "SELECT {SUGGESTION_COLUMNS} FROM meeting_suggestions WHERE user_id = $1 ORDER BY created_at"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// Records the decision on a pending suggestion; `NotFound` if it was already decided. When
/// approved, the meeting is replaced and the history entry written in the same transaction.
pub async fn decide_suggestion(
    db: &Db,
    id: Uuid,
    status: &str,
    decided_by: UserId,
    decision_note: &str,
    now: i64,
    apply: Option<(&MeetingRow, &HistoryRow)>,
) -> Result<(), StoreError> {
    const DECIDE: &str = "UPDATE meeting_suggestions SET status = $1, decided_by = $2, decision_note = $3, \
         decided_at = $4 WHERE id = $5 AND status = 'pending'";
    let sql = upsert_sql("meetings", MEETING_COLUMNS, "id", &[], 1);
    write_tx!(db, tx => {
        let done = sqlx::query(DECIDE).bind(status).bind(decided_by.0).bind(decision_note)
            .bind(now).bind(id).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        if let Some((meeting, history)) = apply {
            bind_meeting!(sqlx::query(&sql), meeting).execute(&mut *tx).await?;
            insert_history!(tx, history);
        }
    });
    Ok(())
}

/// Tables holding a member's own directory data, emptied when their account is erased.
pub(crate) const MEMBER_TABLES: &[&str] = &[
    "saved_meetings",
    "calendar_feeds",
    "meeting_attendance",
    "meeting_suggestions",
    "group_facilitators",
];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: &[],
    tables: MEMBER_TABLES,
    not_exported: &[(
        "calendar_feeds",
        "token_hash",
        "a secret: the hash of the calendar address",
    )],
    not_member_data: &[
        ("programs", "the directory's list of programmes"),
        ("meeting_groups", "the public directory's groups"),
        ("meetings", "the public directory's listings"),
        (
            "meeting_areas",
            "the directory's regions, sub-regions and districts",
        ),
        (
            "meeting_sources",
            "the other directories this one syncs from, added by admins",
        ),
        (
            "meeting_source_runs",
            "each sync's report of the listings it changed",
        ),
        (
            "meeting_history",
            "the listings' change log; a member's proposed changes are exported as suggestions",
        ),
    ],
};
