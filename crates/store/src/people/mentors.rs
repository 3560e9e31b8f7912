//! Mentors: profiles and their approval, the preferences of members looking for a mentor, and
//! mentoring relationships.

use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A mentor's profile, with their pseudonym.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ProfileRow {
    pub user_id: Uuid,
    #[sqlx(default)]
    #[serde(skip)]
    pub username: String,
    /// Programme codes, comma-separated.
    pub programs: String,
    pub approach: String,
    /// Comma-separated, lower case.
    pub languages: String,
    pub time_zone: String,
    /// Slots such as `mon-evening`, comma-separated.
    pub availability: String,
    pub gender: String,
    pub same_gender_only: bool,
    pub topics: String,
    pub capacity: i64,
    pub about: String,
    pub status: String,
    pub agreed_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const PROFILE_COLUMNS: &str = "p.user_id, u.username, p.programs, p.approach, p.languages, \
     p.time_zone, p.availability, p.gender, p.same_gender_only, p.topics, p.capacity, p.about, \
     p.status, p.agreed_at, p.created_at, p.updated_at";

/// Creates or replaces a member's mentor profile.
pub async fn upsert_profile(db: &Db, row: &ProfileRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO mentor_profiles (user_id, programs, approach, languages, \
         time_zone, availability, gender, same_gender_only, topics, capacity, about, status, \
         agreed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
         ON CONFLICT (user_id) DO UPDATE SET programs = $2, approach = $3, languages = $4, \
         time_zone = $5, availability = $6, gender = $7, same_gender_only = $8, topics = $9, \
         capacity = $10, about = $11, status = $12, agreed_at = $13, updated_at = $14";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(row.user_id)
        .bind(&row.programs)
        .bind(&row.approach)
        .bind(&row.languages)
        .bind(&row.time_zone)
        .bind(&row.availability)
        .bind(&row.gender)
        .bind(row.same_gender_only)
        .bind(&row.topics)
        .bind(row.capacity)
        .bind(&row.about)
        .bind(&row.status)
        .bind(row.agreed_at)
        .bind(row.updated_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// A member's mentor profile.
pub async fn find_profile(db: &Db, user: UserId) -> Result<Option<ProfileRow>, StoreError> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
         WHERE p.user_id = $1"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_optional(pool).await?))
}

/// Profiles in one status, oldest first, with each mentor's active mentees counted.
pub async fn list_profiles(db: &Db, status: &str) -> Result<Vec<(ProfileRow, i64)>, StoreError> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS}, (SELECT COUNT(*) FROM mentorships m WHERE m.mentor_id = \
         p.user_id AND m.state = 'active') AS active FROM mentor_profiles p \
         JOIN users u ON u.id = p.user_id WHERE p.status = $1 AND u.status = 'active' \
         ORDER BY p.created_at"
    );
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        profile: ProfileRow,
        active: i64,
    }
    let rows: Vec<Counted> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(status).fetch_all(pool).await?);
    Ok(rows.into_iter().map(|r| (r.profile, r.active)).collect())
}

/// Sets a profile's status; `false` when the member has none.
pub async fn update_profile_status(
    db: &Db,
    user: UserId,
    status: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE mentor_profiles SET status = $1, updated_at = $2 WHERE user_id = $3";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(status).bind(now).bind(user.0).execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// What a member looking for a mentor asked for.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PreferencesRow {
    pub user_id: Uuid,
    pub programs: String,
    pub languages: String,
    pub topics: String,
    pub availability: String,
    pub time_zone: String,
    pub gender: String,
    pub same_gender_only: bool,
    pub updated_at: i64,
}

/// Saves a member's mentor preferences.
pub async fn upsert_preferences(db: &Db, row: &PreferencesRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO mentor_preferences (user_id, programs, languages, topics, \
         availability, time_zone, gender, same_gender_only, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id) DO UPDATE SET \
         programs = $2, languages = $3, topics = $4, availability = $5, time_zone = $6, \
         gender = $7, same_gender_only = $8, updated_at = $9";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(row.user_id)
        .bind(&row.programs)
        .bind(&row.languages)
        .bind(&row.topics)
        .bind(&row.availability)
        .bind(&row.time_zone)
        .bind(&row.gender)
        .bind(row.same_gender_only)
        .bind(row.updated_at)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// A member's mentor preferences.
pub async fn find_preferences(db: &Db, user: UserId) -> Result<Option<PreferencesRow>, StoreError> {
    const SQL: &str = "SELECT user_id, programs, languages, topics, availability, time_zone, \
         gender, same_gender_only, updated_at FROM mentor_preferences WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_optional(pool).await?))
}

/// A mentoring relationship with both pseudonyms.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MentorshipRow {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub state: String,
    pub request_note: String,
    pub answer: String,
    pub cadence: String,
    pub goals: String,
    pub mentor_notes: String,
    pub mentee_notes: String,
    pub share_warnings: bool,
    pub share_reach_out: bool,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
}

const MENTORSHIP_COLUMNS: &str = "m.id, m.mentor_id, a.username AS mentor_name, m.mentee_id, \
     b.username AS mentee_name, m.state, m.request_note, m.answer, m.cadence, m.goals, \
     m.mentor_notes, m.mentee_notes, m.share_warnings, m.share_reach_out, m.created_at, \
     m.answered_at, m.ended_at";
const MENTORSHIP_FROM: &str =
    "FROM mentorships m JOIN users a ON a.id = m.mentor_id JOIN users b ON b.id = m.mentee_id";

/// Records a request for mentoring, unless one between the two is open (requested or active):
/// then nothing is written and `false` is returned.
pub async fn insert_request(
    db: &Db,
    id: Uuid,
    mentor: UserId,
    mentee: UserId,
    note: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const OPEN: &str = "SELECT COUNT(*) FROM mentorships WHERE mentor_id = $1 AND mentee_id = $2 \
         AND state IN ('requested', 'active')";
    const INSERT: &str = "INSERT INTO mentorships (id, mentor_id, mentee_id, state, request_note, \
         answer, cadence, goals, mentor_notes, mentee_notes, share_warnings, share_reach_out, \
         created_at, answered_at, ended_at) VALUES ($1, $2, $3, 'requested', $4, '', '', '', '', \
         '', FALSE, TRUE, $5, NULL, NULL)";
    Ok(write_tx!(db, tx => {
        let open: i64 = sqlx::query_scalar(OPEN).bind(mentor.0).bind(mentee.0).fetch_one(&mut *tx).await?;
        if open == 0 {
            sqlx::query(INSERT).bind(id).bind(mentor.0).bind(mentee.0).bind(note).bind(now).execute(&mut *tx).await?;
        }
        open == 0
    }))
}

/// One relationship.
pub async fn find_mentorship(db: &Db, id: Uuid) -> Result<Option<MentorshipRow>, StoreError> {
    let sql = format!("SELECT {MENTORSHIP_COLUMNS} {MENTORSHIP_FROM} WHERE m.id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// A member's relationships either side, newest first.
pub async fn list_mentorships_of(db: &Db, user: UserId) -> Result<Vec<MentorshipRow>, StoreError> {
    let sql = format!(
        "SELECT {MENTORSHIP_COLUMNS} {MENTORSHIP_FROM} WHERE m.mentor_id = $1 OR m.mentee_id = $1 \
         ORDER BY m.created_at DESC"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?))
}

/// Moves a relationship from `from` to `to`, with the answer given; `false` when it was not in
/// `from`.
pub async fn update_mentorship_state(
    db: &Db,
    id: Uuid,
    from: &str,
    to: &str,
    answer: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE mentorships SET state = $1, answer = CASE WHEN $2 = '' THEN answer \
         ELSE $2 END, answered_at = CASE WHEN $3 = 'requested' THEN $4 ELSE answered_at END, \
         ended_at = CASE WHEN $1 = 'ended' THEN $4 ELSE ended_at END WHERE id = $5 AND state = $3";
    let done = on_write!(db, pool => sqlx::query(SQL).bind(to).bind(answer).bind(from).bind(now).bind(id).execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// What either side keeps up to date in an active relationship; the notes written are the
/// writer's own (`mentor_side` says which column).
#[derive(Clone, Debug)]
pub struct Keeping<'a> {
    pub cadence: &'a str,
    pub goals: &'a str,
    pub notes: &'a str,
    pub mentor_side: bool,
    /// What the mentee shares with the mentor (only the mentee sets it).
    pub shares: Option<(bool, bool)>,
}

/// Saves the cadence, goals, the writer's private notes and (from the mentee) what they share.
pub async fn update_mentorship(db: &Db, id: Uuid, keeping: &Keeping<'_>) -> Result<(), StoreError> {
    let notes = if keeping.mentor_side {
        "mentor_notes"
    } else {
        "mentee_notes"
    };
    let sql = format!(
        "UPDATE mentorships SET cadence = $1, goals = $2, {notes} = $3, \
         share_warnings = CASE WHEN $4 THEN $5 ELSE share_warnings END, \
         share_reach_out = CASE WHEN $4 THEN $6 ELSE share_reach_out END WHERE id = $7"
    );
    let (warnings, reach_out) = keeping.shares.unwrap_or_default();
    on_write!(db, pool => sqlx::query(&sql)
        .bind(keeping.cadence)
        .bind(keeping.goals)
        .bind(keeping.notes)
        .bind(keeping.shares.is_some())
        .bind(warnings)
        .bind(reach_out)
        .bind(id)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// How many mentees a mentor has now.
pub async fn count_active_mentees(db: &Db, mentor: UserId) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM mentorships WHERE mentor_id = $1 AND state = 'active'";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(mentor.0).fetch_one(pool).await?))
}

/// Whether one of two members mentors the other now.
pub async fn in_mentorship(db: &Db, a: UserId, b: UserId) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM mentorships WHERE state = 'active' AND \
         ((mentor_id = $1 AND mentee_id = $2) OR (mentor_id = $2 AND mentee_id = $1))";
    let count: i64 =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(a.0).bind(b.0).fetch_one(pool).await?);
    Ok(count > 0)
}

/// The mentors of a mentee who are shared warning signs (`warnings`) or Reach out alerts.
pub async fn list_mentors_shared_with(
    db: &Db,
    mentee: UserId,
    warnings: bool,
) -> Result<Vec<Uuid>, StoreError> {
    let column = if warnings {
        "share_warnings"
    } else {
        "share_reach_out"
    };
    let sql = format!(
        "SELECT mentor_id FROM mentorships WHERE mentee_id = $1 AND state = 'active' AND {column}"
    );
    Ok(on_db!(db, pool => sqlx::query_scalar(&sql).bind(mentee.0).fetch_all(pool).await?))
}

/// A relationship in a member's export: the other side's private notes are left out.
#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct MentorshipExport {
    id: Uuid,
    mentor_id: Uuid,
    mentee_id: Uuid,
    state: String,
    request_note: String,
    answer: String,
    cadence: String,
    goals: String,
    my_notes: String,
    share_warnings: bool,
    share_reach_out: bool,
    created_at: i64,
    answered_at: Option<i64>,
    ended_at: Option<i64>,
}

/// The export's query for a member's relationships (their id as `$1`).
pub(crate) const EXPORT_MENTORSHIPS: &str = "SELECT id, mentor_id, mentee_id, state, \
     request_note, answer, cadence, goals, CASE WHEN mentor_id = $1 THEN mentor_notes \
     ELSE mentee_notes END AS my_notes, share_warnings, share_reach_out, created_at, answered_at, \
     ended_at FROM mentorships WHERE mentor_id = $1 OR mentee_id = $1 ORDER BY created_at";
