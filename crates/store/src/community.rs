//! The community's storage: spaces and their members, threads, posts with edit history,
//! reactions, subscriptions and read markers, flags, the moderation log, members' community
//! activity, and full-text search (whose two dialects live in [`crate::dialect`]).

use crate::db::placeholders;
use crate::dialect;
use crate::{Db, StoreError};
use mutual_domain::UserId;
use mutual_domain::community::author::Author;
use serde::Serialize;
use uuid::Uuid;

/// The SQL for the pseudonym of work that may be anonymous (`$anonymous` its flag, `$user` the
/// joined `users` alias): NULL for anonymous work, so no query reads who wrote it. Every query
/// naming a post's, thread's or edit's author goes through this; the app decides what is shown
/// with `mutual_domain::community::author::Author::of`. Only the admin's audited reveal reads
/// an anonymous author's id.
macro_rules! author_name_sql {
    ($anonymous:literal, $user:literal) => {
        concat!(
            "CASE WHEN ",
            $anonymous,
            " THEN NULL ELSE ",
            $user,
            ".username END"
        )
    };
}

/// A space (category).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SpaceRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
    /// `members`, `private`, `supporters` or `public`.
    pub visibility: String,
    /// `general`, `milestones` (where shared milestones go) or `struggles` (safe-messaging guidance).
    pub purpose: String,
    /// Shown above the composer (empty for none).
    pub guidance: String,
    pub created_at: i64,
}

const SPACE_COLUMNS: &str =
    "id, slug, name, description, position, visibility, purpose, guidance, created_at";

/// Every space, in order.
pub async fn list_spaces(db: &Db) -> Result<Vec<SpaceRow>, StoreError> {
    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces ORDER BY position, name");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

/// Stores a new space or replaces one's details.
pub async fn upsert_space(db: &Db, space: &SpaceRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO spaces ({SPACE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, \
         description = excluded.description, position = excluded.position, \
         visibility = excluded.visibility, purpose = excluded.purpose, guidance = excluded.guidance"
    );
    on_write!(db, pool => sqlx::query(&sql)
        .bind(space.id)
        .bind(&space.slug)
        .bind(&space.name)
        .bind(&space.description)
        .bind(space.position)
        .bind(&space.visibility)
        .bind(&space.purpose)
        .bind(&space.guidance)
        .bind(space.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// One space.
pub async fn find_space(db: &Db, id: Uuid) -> Result<Option<SpaceRow>, StoreError> {
    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// The member lists `user` is on: (space, `member` or `requested`).
pub async fn list_memberships(db: &Db, user: UserId) -> Result<Vec<(Uuid, String)>, StoreError> {
    const SQL: &str = "SELECT space_id, status FROM space_members WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_all(pool).await?))
}

/// A member of a private space, or someone who asked to be.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SpaceMemberRow {
    pub space_id: Uuid,
    pub user_id: Uuid,
    /// `member` or `requested`.
    pub status: String,
    pub created_at: i64,
}

/// Someone's standing in a space's member list, if any.
pub async fn find_space_member(
    db: &Db,
    space: Uuid,
    user: UserId,
) -> Result<Option<SpaceMemberRow>, StoreError> {
    const SQL: &str = "SELECT space_id, user_id, status, created_at FROM space_members \
         WHERE space_id = $1 AND user_id = $2";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(space).bind(user.0).fetch_optional(pool).await?))
}

/// Sets someone's standing in a space's member list.
pub async fn upsert_space_member(db: &Db, row: &SpaceMemberRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO space_members (space_id, user_id, status, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (space_id, user_id) DO UPDATE SET status = excluded.status";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(row.space_id)
        .bind(row.user_id)
        .bind(&row.status)
        .bind(row.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// Takes someone off a space's member list (or turns down their request).
pub async fn delete_space_member(db: &Db, space: Uuid, user: UserId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM space_members WHERE space_id = $1 AND user_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(space).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// A space's member list with pseudonyms, requests first.
pub async fn list_space_members(
    db: &Db,
    space: Uuid,
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    const SQL: &str = "SELECT m.user_id, u.username, m.status FROM space_members m \
         JOIN users u ON u.id = m.user_id WHERE m.space_id = $1 ORDER BY m.status DESC, u.username_lower";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(space).fetch_all(pool).await?))
}

/// A thread.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ThreadRow {
    pub id: Uuid,
    pub space_id: Uuid,
    /// `None` once the author's account is deleted.
    pub author_id: Option<Uuid>,
    pub anonymous: bool,
    pub title: String,
    /// `open`, `pending` (held for approval), `hidden` or `deleted`.
    pub state: String,
    pub locked: bool,
    /// Posts so far, the opening post included (the next post's `seq` is one more).
    pub post_count: i64,
    pub created_at: i64,
    pub last_post_at: i64,
    /// Moves on with every change to what the thread's pages show (posts, edits, states,
    /// reactions, lock, space), so a cached page knows when it is stale.
    pub version: i64,
}

const THREAD_COLUMNS: &str = "id, space_id, author_id, anonymous, title, state, locked, \
     post_count, created_at, last_post_at, version";

/// Moves a thread's version on (the thread as `$1`); run after the change it stands for.
const BUMP_THREAD: &str = "UPDATE threads SET version = version + 1 WHERE id = $1";
/// Moves on the version of a thread's space (the thread as `$1`).
const BUMP_SPACE_OF_THREAD: &str = "UPDATE spaces SET version = version + 1 WHERE id = (SELECT space_id FROM threads WHERE id = $1)";
/// Moves on the version of a post's thread (the post as `$1`).
const BUMP_THREAD_OF_POST: &str = "UPDATE threads SET version = version + 1 WHERE id = (SELECT thread_id FROM posts WHERE id = $1)";

/// A thread.
pub async fn find_thread(db: &Db, id: Uuid) -> Result<Option<ThreadRow>, StoreError> {
    let sql = format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// A thread in a space's list, with its author's pseudonym (never for anonymous threads) and
/// how far the viewer has read.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ThreadListRow {
    pub id: Uuid,
    pub title: String,
    pub author_name: Option<String>,
    pub anonymous: bool,
    pub locked: bool,
    pub post_count: i64,
    pub created_at: i64,
    pub last_post_at: i64,
    /// The last post the viewer has seen (`None` when never opened).
    pub last_read: Option<i64>,
}

impl ThreadListRow {
    /// Who the thread is shown as started by.
    pub fn author(&self) -> Author {
        Author::of(self.anonymous, self.author_name.as_deref())
    }
}

/// Where a page of a thread list starts: after the thread with this activity time and id.
pub type ThreadCursor = (i64, Uuid);

/// A page of a space's open threads, most recently active first, starting after `before`:
/// keyset paging, so a far page costs what the first does. The same for every viewer
/// (`last_read` is `None`; [`list_last_reads`] gives a viewer's).
pub async fn list_threads(
    db: &Db,
    space: Uuid,
    before: Option<ThreadCursor>,
    limit: i64,
) -> Result<Vec<ThreadListRow>, StoreError> {
    const SQL: &str = concat!(
        "SELECT t.id, t.title, ",
        author_name_sql!("t.anonymous", "u"),
        " AS author_name, t.anonymous, t.locked, \
         t.post_count, t.created_at, t.last_post_at, \
         CAST(NULL AS BIGINT) AS last_read \
         FROM threads t LEFT JOIN users u ON u.id = t.author_id \
         WHERE t.space_id = $1 AND t.state = 'open' \
           AND (t.last_post_at < $2 OR (t.last_post_at = $2 AND t.id < $3)) \
         ORDER BY t.last_post_at DESC, t.id DESC LIMIT $4"
    );
    let (at, id) = before.unwrap_or((i64::MAX, Uuid::max()));
    Ok(on_db!(db, pool => sqlx::query_as(SQL)
        .bind(space)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// How far a member has read each of these threads: (thread, last post seen).
pub async fn list_last_reads(
    db: &Db,
    user: UserId,
    threads: &[Uuid],
) -> Result<Vec<(Uuid, i64)>, StoreError> {
    list_in(
        db,
        "SELECT thread_id, last_seq FROM thread_reads WHERE user_id = $1 AND thread_id IN",
        Some(user.0),
        threads,
    )
    .await
}

/// A space's version: it moves on with every change to its thread list.
pub async fn find_space_version(db: &Db, space: Uuid) -> Result<Option<i64>, StoreError> {
    const SQL: &str = "SELECT version FROM spaces WHERE id = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(space).fetch_optional(pool).await?))
}

/// Every space's version, which moves on with every change to its thread list.
pub async fn list_space_versions(db: &Db) -> Result<Vec<(Uuid, i64)>, StoreError> {
    const SQL: &str = "SELECT id, version FROM spaces ORDER BY id";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
}

/// Open threads per space, for the spaces page.
pub async fn count_threads_by_space(db: &Db) -> Result<Vec<(Uuid, i64)>, StoreError> {
    const SQL: &str =
        "SELECT space_id, COUNT(*) FROM threads WHERE state = 'open' GROUP BY space_id";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
}

/// A post.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PostRow {
    pub id: Uuid,
    pub thread_id: Uuid,
    /// Its place in the thread, from 1 (the opening post).
    pub seq: i64,
    /// `None` once the author's account is deleted.
    pub author_id: Option<Uuid>,
    pub anonymous: bool,
    /// The Markdown as written (emptied when the post is deleted).
    pub body: String,
    /// The body rendered to safe HTML.
    pub html: String,
    /// Empty for none.
    pub content_warning: String,
    /// Whether crisis language was found in it.
    pub crisis: bool,
    /// `published`, `pending` (held for approval), `hidden` or `deleted`.
    pub state: String,
    /// The post this one quotes, if any.
    pub quoted_post: Option<Uuid>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

const POST_COLUMNS: &str = "id, thread_id, seq, author_id, anonymous, body, html, \
     content_warning, crisis, state, quoted_post, created_at, edited_at";

/// A post as shown in a thread: with its author's pseudonym, which is `None` for anonymous
/// posts (the query never reads it for them) and for deleted accounts.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PostViewRow {
    #[sqlx(flatten)]
    pub post: PostRow,
    pub author_name: Option<String>,
}

impl PostViewRow {
    /// Who the post is shown as written by.
    pub fn author(&self) -> Author {
        Author::of(self.post.anonymous, self.author_name.as_deref())
    }
}

/// A post.
pub async fn find_post(db: &Db, id: Uuid) -> Result<Option<PostRow>, StoreError> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

const POST_VIEW_SELECT: &str = concat!(
    "SELECT p.id, p.thread_id, p.seq, p.author_id, p.anonymous, p.body, \
     p.html, p.content_warning, p.crisis, p.state, p.quoted_post, p.created_at, p.edited_at, ",
    author_name_sql!("p.anonymous", "u"),
    " AS author_name FROM posts p LEFT JOIN users u ON u.id = p.author_id"
);

/// The rows of `query_in` (a query ending in `... IN`) for the values `ids`, after `first` as
/// `$1` when the query takes one.
async fn list_in<T>(
    db: &Db,
    query_in: &str,
    first: Option<Uuid>,
    ids: &[Uuid],
) -> Result<Vec<T>, StoreError>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let start = if first.is_some() { 2 } else { 1 };
    let sql = format!("{query_in} ({})", placeholders(start, ids.len()));
    on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        if let Some(first) = first {
            query = query.bind(first);
        }
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_all(pool).await?)
    })
}

/// Posts by id, with their authors' pseudonyms (never for anonymous posts), in no order.
pub async fn list_posts_by_ids(db: &Db, ids: &[Uuid]) -> Result<Vec<PostViewRow>, StoreError> {
    list_in(db, &format!("{POST_VIEW_SELECT} WHERE p.id IN"), None, ids).await
}

/// Threads by id, in no order.
pub async fn list_threads_by_ids(db: &Db, ids: &[Uuid]) -> Result<Vec<ThreadRow>, StoreError> {
    list_in(
        db,
        &format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id IN"),
        None,
        ids,
    )
    .await
}

/// The posts of a thread from `first` to `last` (by `seq`), in order: one index range, so
/// page 1,000 costs what page 1 does.
pub async fn list_posts(
    db: &Db,
    thread: Uuid,
    first: i64,
    last: i64,
) -> Result<Vec<PostViewRow>, StoreError> {
    let sql = format!(
        "{POST_VIEW_SELECT} WHERE p.thread_id = $1 AND p.seq BETWEEN $2 AND $3 ORDER BY p.seq"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(thread).bind(first).bind(last).fetch_all(pool).await?),
    )
}

/// A new post's parts; its `seq` is given by the store.
#[derive(Clone, Debug)]
pub struct NewPost {
    pub id: Uuid,
    pub author_id: Uuid,
    pub anonymous: bool,
    pub body: String,
    pub html: String,
    pub content_warning: String,
    pub crisis: bool,
    pub state: String,
    pub quoted_post: Option<Uuid>,
    pub created_at: i64,
}

const INSERT_POST: &str = "INSERT INTO posts (id, thread_id, seq, author_id, anonymous, body, \
     html, content_warning, crisis, state, quoted_post, created_at, edited_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL) RETURNING num";

/// Runs one statement binding a new post (with its thread and seq) and returns the stored `num`.
macro_rules! insert_post {
    ($tx:expr, $post:expr, $thread:expr, $seq:expr) => {
        sqlx::query_scalar::<_, i64>(INSERT_POST)
            .bind($post.id)
            .bind($thread)
            .bind($seq)
            .bind($post.author_id)
            .bind($post.anonymous)
            .bind(&$post.body)
            .bind(&$post.html)
            .bind(&$post.content_warning)
            .bind($post.crisis)
            .bind(&$post.state)
            .bind($post.quoted_post)
            .bind($post.created_at)
            .fetch_one(&mut *$tx)
            .await?
    };
}

/// Whether a post in this state belongs in the search index.
fn searchable(state: &str) -> bool {
    state == "published"
}

/// Stores a new thread with its opening post (and indexes it), in one transaction.
pub async fn insert_thread(db: &Db, thread: &ThreadRow, first: &NewPost) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO threads ({THREAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, 0)"
    );
    let index = dialect::search_insert(db.backend());
    write_tx!(db, tx => {
        sqlx::query(&sql)
            .bind(thread.id)
            .bind(thread.space_id)
            .bind(thread.author_id)
            .bind(thread.anonymous)
            .bind(&thread.title)
            .bind(&thread.state)
            .bind(thread.locked)
            .bind(thread.created_at)
            .execute(&mut *tx)
            .await?;
        let num = insert_post!(tx, first, thread.id, 1_i64);
        if searchable(&first.state) {
            sqlx::query(index).bind(num).bind(&thread.title).bind(&first.body).execute(&mut *tx).await?;
        }
        sqlx::query(BUMP_SPACE_OF_THREAD).bind(thread.id).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Why a reply could not be added.
#[derive(Debug, PartialEq, Eq)]
pub enum ReplyRefused {
    /// No open thread with that id.
    Gone,
    /// The thread is locked.
    Locked,
}

/// Adds a reply at the end of a thread (and indexes it); returns its `seq`. Refused when the
/// thread was deleted, hidden or locked meanwhile.
pub async fn insert_reply(
    db: &Db,
    thread: Uuid,
    post: &NewPost,
) -> Result<Result<i64, ReplyRefused>, StoreError> {
    const CLAIM: &str = "UPDATE threads SET post_count = post_count + 1, last_post_at = $1, \
         version = version + 1 WHERE id = $2 AND state = 'open' AND NOT locked RETURNING post_count";
    const WHY: &str = "SELECT locked FROM threads WHERE id = $1 AND state = 'open'";
    let index = dialect::search_insert(db.backend());
    Ok(write_tx!(db, tx => {
        let seq: Option<i64> = sqlx::query_scalar(CLAIM)
            .bind(post.created_at)
            .bind(thread)
            .fetch_optional(&mut *tx)
            .await?;
        match seq {
            None => {
                let locked: Option<bool> = sqlx::query_scalar(WHY).bind(thread).fetch_optional(&mut *tx).await?;
                Err(if locked == Some(true) { ReplyRefused::Locked } else { ReplyRefused::Gone })
            }
            Some(seq) => {
                let num = insert_post!(tx, post, thread, seq);
                if searchable(&post.state) {
                    sqlx::query(index).bind(num).bind("").bind(&post.body).execute(&mut *tx).await?;
                }
                sqlx::query(BUMP_SPACE_OF_THREAD).bind(thread).execute(&mut *tx).await?;
                Ok(seq)
            }
        }
    }))
}

/// A thread's title, for the search index of its opening post.
async fn title_for_index(db: &Db, post: &PostRow) -> Result<String, StoreError> {
    if post.seq != 1 {
        return Ok(String::new());
    }
    Ok(find_thread(db, post.thread_id)
        .await?
        .map(|t| t.title)
        .unwrap_or_default())
}

/// Replaces a post's body, keeping the previous one in its edit history (with who and why),
/// and re-indexes it.
pub async fn update_post_body(
    db: &Db,
    post: &PostRow,
    body: &str,
    html: &str,
    editor: UserId,
    note: &str,
    now: i64,
) -> Result<(), StoreError> {
    const HISTORY: &str = "INSERT INTO post_edits (id, post_id, editor_id, previous_body, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    const UPDATE: &str = "UPDATE posts SET body = $1, html = $2, edited_at = $3 WHERE id = $4 AND state <> 'deleted' RETURNING num";
    let title = title_for_index(db, post).await?;
    let (unindex, index) = (
        dialect::search_delete(db.backend()),
        dialect::search_insert(db.backend()),
    );
    write_tx!(db, tx => {
        sqlx::query(HISTORY)
            .bind(Uuid::now_v7())
            .bind(post.id)
            .bind(editor.0)
            .bind(&post.body)
            .bind(note)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let num: Option<i64> = sqlx::query_scalar(UPDATE).bind(body).bind(html).bind(now).bind(post.id).fetch_optional(&mut *tx).await?;
        let num = num.ok_or(StoreError::NotFound)?;
        sqlx::query(unindex).bind(num).execute(&mut *tx).await?;
        if searchable(&post.state) {
            sqlx::query(index).bind(num).bind(&title).bind(body).execute(&mut *tx).await?;
        }
        sqlx::query(BUMP_THREAD).bind(post.thread_id).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Sets a post's state (publishing, hiding, restoring or deleting it) and keeps the search
/// index in step. Deleting purges the content and its edit history.
pub async fn set_post_state(db: &Db, post: &PostRow, state: &str) -> Result<(), StoreError> {
    const SET: &str = "UPDATE posts SET state = $1 WHERE id = $2 RETURNING num";
    const PURGE: &str = "UPDATE posts SET body = '', html = '', content_warning = '' WHERE id = $1";
    const PURGE_HISTORY: &str = "DELETE FROM post_edits WHERE post_id = $1";
    let title = title_for_index(db, post).await?;
    let (unindex, index) = (
        dialect::search_delete(db.backend()),
        dialect::search_insert(db.backend()),
    );
    write_tx!(db, tx => {
        let num: Option<i64> = sqlx::query_scalar(SET).bind(state).bind(post.id).fetch_optional(&mut *tx).await?;
        let num = num.ok_or(StoreError::NotFound)?;
        sqlx::query(unindex).bind(num).execute(&mut *tx).await?;
        if state == "deleted" {
            sqlx::query(PURGE).bind(post.id).execute(&mut *tx).await?;
            sqlx::query(PURGE_HISTORY).bind(post.id).execute(&mut *tx).await?;
        } else if searchable(state) {
            sqlx::query(index).bind(num).bind(&title).bind(&post.body).execute(&mut *tx).await?;
        }
        sqlx::query(BUMP_THREAD).bind(post.thread_id).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Sets a thread's state (`open`, `hidden`, `deleted`, ...), lock and space; the lists of the
/// space it leaves and the one it is in move on.
pub async fn update_thread(db: &Db, thread: &ThreadRow) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE threads SET state = $1, locked = $2, space_id = $3, title = $4, \
         version = version + 1 WHERE id = $5";
    write_tx!(db, tx => {
        sqlx::query(BUMP_SPACE_OF_THREAD).bind(thread.id).execute(&mut *tx).await?;
        sqlx::query(SQL)
            .bind(&thread.state)
            .bind(thread.locked)
            .bind(thread.space_id)
            .bind(&thread.title)
            .bind(thread.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(BUMP_SPACE_OF_THREAD).bind(thread.id).execute(&mut *tx).await?;
    });
    Ok(())
}

/// An earlier version of a post.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PostEditRow {
    pub id: Uuid,
    pub post_id: Uuid,
    pub editor_id: Option<Uuid>,
    /// Whether the edit is the anonymous author's own: then it is as anonymous as the post.
    pub anonymous: bool,
    /// The editor's pseudonym (never for [`anonymous`](Self::anonymous) edits).
    pub editor_name: Option<String>,
    pub previous_body: String,
    pub note: String,
    pub created_at: i64,
}

impl PostEditRow {
    /// Who the edit is shown as made by.
    pub fn author(&self) -> Author {
        Author::of(self.anonymous, self.editor_name.as_deref())
    }
}

/// A post's edit history, oldest first: an anonymous author's own edits name nobody (and do
/// not give their id); a moderator's edit names the moderator.
pub async fn list_post_edits(db: &Db, post: Uuid) -> Result<Vec<PostEditRow>, StoreError> {
    const SQL: &str = concat!(
        "SELECT e.id, e.post_id, \
         CASE WHEN p.anonymous AND e.editor_id = p.author_id THEN NULL ELSE e.editor_id END \
         AS editor_id, ",
        "COALESCE(p.anonymous AND e.editor_id = p.author_id, FALSE) AS anonymous, ",
        author_name_sql!("(p.anonymous AND e.editor_id = p.author_id)", "u"),
        " AS editor_name, e.previous_body, e.note, e.created_at FROM post_edits e \
         JOIN posts p ON p.id = e.post_id LEFT JOIN users u ON u.id = e.editor_id \
         WHERE e.post_id = $1 ORDER BY e.created_at, e.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(post).fetch_all(pool).await?))
}

/// When the member's posts of the last while were written (for the hourly limit).
pub async fn list_post_times_since(
    db: &Db,
    author: UserId,
    since: i64,
) -> Result<Vec<i64>, StoreError> {
    const SQL: &str = "SELECT created_at FROM posts WHERE author_id = $1 AND created_at >= $2";
    Ok(
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(author.0).bind(since).fetch_all(pool).await?),
    )
}

/// Adds a reaction; `false` when the member had already given it.
pub async fn insert_reaction(
    db: &Db,
    post: Uuid,
    user: UserId,
    kind: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "INSERT INTO post_reactions (post_id, user_id, kind, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    let added = on_write!(db, pool => sqlx::query(SQL).bind(post).bind(user.0).bind(kind).bind(now).execute(pool).await?.rows_affected());
    if added == 1 {
        on_write!(db, pool => sqlx::query(BUMP_THREAD_OF_POST).bind(post).execute(pool).await?.rows_affected());
    }
    Ok(added == 1)
}

/// Takes a reaction back.
pub async fn delete_reaction(
    db: &Db,
    post: Uuid,
    user: UserId,
    kind: &str,
) -> Result<(), StoreError> {
    const SQL: &str =
        "DELETE FROM post_reactions WHERE post_id = $1 AND user_id = $2 AND kind = $3";
    let removed = on_write!(db, pool => sqlx::query(SQL).bind(post).bind(user.0).bind(kind).execute(pool).await?.rows_affected());
    if removed > 0 {
        on_write!(db, pool => sqlx::query(BUMP_THREAD_OF_POST).bind(post).execute(pool).await?.rows_affected());
    }
    Ok(())
}

/// The reactions on a thread's posts from `first` to `last`: (post, kind, who).
pub async fn list_reactions(
    db: &Db,
    thread: Uuid,
    first: i64,
    last: i64,
) -> Result<Vec<(Uuid, String, Uuid)>, StoreError> {
    const SQL: &str = "SELECT r.post_id, r.kind, r.user_id \
         FROM posts p JOIN post_reactions r ON r.post_id = p.id \
         WHERE p.thread_id = $1 AND p.seq BETWEEN $2 AND $3 ORDER BY r.created_at";
    Ok(
        on_db!(db, pool => sqlx::query_as(SQL).bind(thread).bind(first).bind(last).fetch_all(pool).await?),
    )
}

/// Subscribes a member to a thread (idempotent).
pub async fn insert_subscription(
    db: &Db,
    thread: Uuid,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO thread_subscriptions (thread_id, user_id, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    on_write!(db, pool => sqlx::query(SQL).bind(thread).bind(user.0).bind(now).execute(pool).await?.rows_affected());
    Ok(())
}

/// Unsubscribes a member from a thread.
pub async fn delete_subscription(db: &Db, thread: Uuid, user: UserId) -> Result<(), StoreError> {
    const SQL: &str = "DELETE FROM thread_subscriptions WHERE thread_id = $1 AND user_id = $2";
    on_write!(db, pool => sqlx::query(SQL).bind(thread).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Everyone subscribed to a thread.
pub async fn list_subscribers(db: &Db, thread: Uuid) -> Result<Vec<Uuid>, StoreError> {
    const SQL: &str = "SELECT user_id FROM thread_subscriptions WHERE thread_id = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(thread).fetch_all(pool).await?))
}

/// A thread with where a member stands in it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThreadForReader {
    #[sqlx(flatten)]
    pub thread: ThreadRow,
    pub subscribed: bool,
    /// The last post they have seen (0 when never opened).
    pub last_read: i64,
}

/// A thread and, in the same read, whether `user` follows it and how far they have read.
pub async fn find_thread_for_reader(
    db: &Db,
    id: Uuid,
    user: UserId,
) -> Result<Option<ThreadForReader>, StoreError> {
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, \
         EXISTS (SELECT 1 FROM thread_subscriptions s WHERE s.thread_id = threads.id AND s.user_id = $2) \
         AS subscribed, \
         COALESCE((SELECT r.last_seq FROM thread_reads r WHERE r.thread_id = threads.id AND r.user_id = $2), 0) \
         AS last_read FROM threads WHERE id = $1"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(user.0).fetch_optional(pool).await?))
}

/// Records that a member has read a thread up to `seq`, counting the newly read posts and the
/// day's visit towards their trust level, in one transaction.
pub async fn record_reading(
    db: &Db,
    thread: Uuid,
    user: UserId,
    seq: i64,
    newly_read: i64,
    day: i64,
) -> Result<(), StoreError> {
    const READ: &str = "INSERT INTO thread_reads (thread_id, user_id, last_seq) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, thread_id) DO UPDATE SET last_seq = excluded.last_seq \
         WHERE thread_reads.last_seq < excluded.last_seq";
    const ACTIVITY: &str = "INSERT INTO community_activity (user_id, posts_read, days_visited, last_visit_day) \
         VALUES ($1, $2, 1, $3) ON CONFLICT (user_id) DO UPDATE SET \
         posts_read = community_activity.posts_read + excluded.posts_read, \
         days_visited = community_activity.days_visited + \
           CASE WHEN community_activity.last_visit_day < excluded.last_visit_day THEN 1 ELSE 0 END, \
         last_visit_day = excluded.last_visit_day";
    write_tx!(db, tx => {
        sqlx::query(READ).bind(thread).bind(user.0).bind(seq).execute(&mut *tx).await?;
        sqlx::query(ACTIVITY).bind(user.0).bind(newly_read).bind(day).execute(&mut *tx).await?;
    });
    Ok(())
}

/// A member's community activity: (posts read, days visited).
pub async fn find_activity(db: &Db, user: UserId) -> Result<(i64, i64), StoreError> {
    const SQL: &str = "SELECT posts_read, days_visited FROM community_activity WHERE user_id = $1";
    let row: Option<(i64, i64)> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).fetch_optional(pool).await?);
    Ok(row.unwrap_or((0, 0)))
}

/// How many flags against a member's posts moderators upheld since `since`.
pub async fn count_upheld_flags_against(
    db: &Db,
    user: UserId,
    since: i64,
) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(DISTINCT f.post_id) FROM flags f JOIN posts p ON p.id = f.post_id \
         WHERE p.author_id = $1 AND f.outcome = 'upheld' AND f.resolved_at >= $2";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).bind(since).fetch_one(pool).await?))
}

/// A flag on a post, from a member or (with no reporter) from the server itself.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct FlagRow {
    pub id: Uuid,
    pub post_id: Uuid,
    pub reporter_id: Option<Uuid>,
    pub reason: String,
    pub note: String,
    /// How much it counts towards hiding the post pending review.
    pub weight: i64,
    /// 0 comes first in the queue (crisis), then 1 (held posts), then 2.
    pub priority: i64,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<Uuid>,
    /// `upheld` or `dismissed`.
    pub outcome: Option<String>,
}

/// Stores a flag; `false` when this member already has an open flag on the post.
pub async fn insert_flag(db: &Db, flag: &FlagRow) -> Result<bool, StoreError> {
    const DUPLICATE: &str = "SELECT COUNT(*) FROM flags WHERE post_id = $1 AND reporter_id = $2 \
         AND resolved_at IS NULL";
    const SQL: &str = "INSERT INTO flags (id, post_id, reporter_id, reason, note, weight, priority, \
         created_at, resolved_at, resolved_by, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL)";
    Ok(write_tx!(db, tx => {
        let open: i64 = match flag.reporter_id {
            Some(reporter) => sqlx::query_scalar(DUPLICATE).bind(flag.post_id).bind(reporter).fetch_one(&mut *tx).await?,
            None => 0,
        };
        if open == 0 {
            sqlx::query(SQL)
                .bind(flag.id)
                .bind(flag.post_id)
                .bind(flag.reporter_id)
                .bind(&flag.reason)
                .bind(&flag.note)
                .bind(flag.weight)
                .bind(flag.priority)
                .bind(flag.created_at)
                .execute(&mut *tx)
                .await?;
        }
        open == 0
    }))
}

/// The total weight of members' open flags on a post.
pub async fn open_flag_weight(db: &Db, post: Uuid) -> Result<i64, StoreError> {
    // PostgreSQL sums BIGINTs as NUMERIC; the cast keeps one type on both.
    const SQL: &str = "SELECT CAST(COALESCE(SUM(weight), 0) AS BIGINT) FROM flags WHERE post_id = $1 \
         AND resolved_at IS NULL AND reporter_id IS NOT NULL";
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(SQL).bind(post).fetch_one(pool).await?))
}

/// A post waiting for review: its open flags taken together.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct QueueRow {
    pub post_id: Uuid,
    pub priority: i64,
    pub flags: i64,
    pub weight: i64,
    /// The reasons, comma-separated.
    pub reasons: String,
    pub first_flagged_at: i64,
}

/// The review queue: posts with open flags, crisis first, then held posts, then by weight and age.
pub async fn list_review_queue(db: &Db, limit: i64) -> Result<Vec<QueueRow>, StoreError> {
    let sql = format!(
        "SELECT post_id, MIN(priority) AS priority, COUNT(*) AS flags, \
         CAST(COALESCE(SUM(weight), 0) AS BIGINT) AS weight, \
         {} AS reasons, MIN(created_at) AS first_flagged_at FROM flags WHERE resolved_at IS NULL \
         GROUP BY post_id ORDER BY MIN(priority), SUM(weight) DESC, MIN(created_at) LIMIT $1",
        dialect::string_agg_distinct(db.backend(), "reason")
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?))
}

/// The notes members left with their open flags on any of `posts`: (post, note), in no order.
pub async fn list_open_flag_notes(
    db: &Db,
    posts: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    const SQL: &str = "SELECT post_id, note FROM flags WHERE resolved_at IS NULL AND note <> '' \
         AND post_id IN";
    list_in(db, SQL, None, posts).await
}

/// Closes a post's open flags with an outcome; returns the members who flagged it.
pub async fn resolve_flags(
    db: &Db,
    post: Uuid,
    by: UserId,
    outcome: &str,
    now: i64,
) -> Result<Vec<Uuid>, StoreError> {
    const SQL: &str = "UPDATE flags SET resolved_at = $1, resolved_by = $2, outcome = $3 \
         WHERE post_id = $4 AND resolved_at IS NULL RETURNING reporter_id";
    let reporters: Vec<Option<Uuid>> = on_write!(db, pool => sqlx::query_scalar(SQL)
        .bind(now)
        .bind(by.0)
        .bind(outcome)
        .bind(post)
        .fetch_all(pool)
        .await?);
    let mut reporters: Vec<Uuid> = reporters.into_iter().flatten().collect();
    reporters.sort();
    reporters.dedup();
    Ok(reporters)
}

/// One entry of the moderation log.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ModerationLogRow {
    pub id: Uuid,
    pub action: String,
    /// The space's name, or "a private space".
    pub space_name: String,
    pub thread_id: Option<Uuid>,
    pub post_id: Option<Uuid>,
    pub moderator_id: Option<Uuid>,
    pub reason: String,
    pub created_at: i64,
}

/// Appends to the moderation log.
pub async fn insert_moderation_log(db: &Db, row: &ModerationLogRow) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO moderation_log (id, action, space_name, thread_id, post_id, \
         moderator_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(row.id)
        .bind(&row.action)
        .bind(&row.space_name)
        .bind(row.thread_id)
        .bind(row.post_id)
        .bind(row.moderator_id)
        .bind(&row.reason)
        .bind(row.created_at)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(())
}

/// The moderation log, newest first.
pub async fn list_moderation_log(db: &Db, limit: i64) -> Result<Vec<ModerationLogRow>, StoreError> {
    const SQL: &str = "SELECT id, action, space_name, thread_id, post_id, moderator_id, reason, \
         created_at FROM moderation_log ORDER BY created_at DESC, id DESC LIMIT $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?))
}

/// Every active moderator and admin.
pub async fn list_staff(db: &Db) -> Result<Vec<Uuid>, StoreError> {
    const SQL: &str =
        "SELECT id FROM users WHERE role IN ('moderator', 'admin') AND status = 'active'";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).fetch_all(pool).await?))
}

/// What a search looks in, and which of its matches (newest first) to return.
#[derive(Clone, Debug)]
pub struct SearchFilter<'a> {
    /// The query in the backend's syntax (from `SearchQuery::to_fts5` or `to_tsquery`).
    pub query: &'a str,
    /// The spaces the viewer may see; nothing outside them is ever returned.
    pub spaces: &'a [Uuid],
    /// Only posts signed by this member (anonymous posts never match an author).
    pub author: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

/// A search result.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SearchRow {
    pub post_id: Uuid,
    pub thread_id: Uuid,
    pub seq: i64,
    pub title: String,
    pub space_id: Uuid,
    pub body: String,
    pub content_warning: String,
    pub anonymous: bool,
    /// `None` for anonymous posts: the query never reads the author for them.
    pub author_name: Option<String>,
    pub created_at: i64,
}

impl SearchRow {
    /// Who the post is shown as written by.
    pub fn author(&self) -> Author {
        Author::of(self.anonymous, self.author_name.as_deref())
    }
}

/// Full-text search over published posts in open threads of the given spaces, newest first.
pub async fn search_posts(
    db: &Db,
    filter: &SearchFilter<'_>,
) -> Result<Vec<SearchRow>, StoreError> {
    if filter.spaces.is_empty() {
        return Ok(Vec::new());
    }
    let first_space = if filter.author.is_some() { 5 } else { 4 };
    let author = if filter.author.is_some() {
        "AND p.author_id = $4 AND NOT p.anonymous"
    } else {
        ""
    };
    let sql = dialect::search_select(
        db.backend(),
        &format!(
            "p.state = 'published' AND t.state = 'open' AND t.space_id IN ({}) {author}",
            placeholders(first_space, filter.spaces.len())
        ),
    );
    on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql)
            .bind(filter.query)
            .bind(filter.limit)
            .bind(filter.offset);
        if let Some(author) = filter.author {
            query = query.bind(author);
        }
        for space in filter.spaces {
            query = query.bind(*space);
        }
        Ok(query.fetch_all(pool).await?)
    })
}

macro_rules! erased_thread_title {
    () => {
        "Erased: its author deleted their account"
    };
}

/// The title a thread keeps once its author's account is erased.
pub const ERASED_THREAD_TITLE: &str = erased_thread_title!();

/// Tables of a member's own community data keyed by `user_id`, deleted when their account is
/// erased. Their posts stay as "deleted" placeholders so others' replies keep their place:
/// [`ERASE_AUTHORED`] purges them.
pub(crate) const MEMBER_TABLES: &[&str] = &[
    "space_members",
    "post_reactions",
    "thread_subscriptions",
    "thread_reads",
    "community_activity",
];

/// What this feature holds about a member, for [`crate::privacy`].
pub(crate) const MEMBER_DATA: crate::privacy::MemberData = crate::privacy::MemberData {
    erase: ERASE_AUTHORED,
    tables: MEMBER_TABLES,
    not_exported: &[("posts", "num", "the search index's internal key")],
    not_member_data: &[("spaces", "the community's spaces, set up by admins")],
};

/// Statements (each taking the member's id as `$1`) that purge what a member wrote and unlink
/// them from what they did, run when their account is erased, after the search index is purged.
pub(crate) const ERASE_AUTHORED: &[&str] = &[
    // Pages showing what they wrote or reacted to, and lists naming them, are stale from here on.
    "UPDATE threads SET version = version + 1 WHERE id IN (SELECT thread_id FROM posts \
     WHERE author_id = $1 OR id IN (SELECT post_id FROM post_reactions WHERE user_id = $1))",
    "UPDATE spaces SET version = version + 1 WHERE id IN (SELECT space_id FROM threads \
     WHERE author_id = $1)",
    "DELETE FROM post_edits WHERE post_id IN (SELECT id FROM posts WHERE author_id = $1)",
    "UPDATE post_edits SET editor_id = NULL WHERE editor_id = $1",
    "UPDATE posts SET body = '', html = '', content_warning = '', state = 'deleted', author_id = NULL \
     WHERE author_id = $1",
    // Their threads' titles are their words too: others' replies stay readable under a stub.
    concat!(
        "UPDATE threads SET author_id = NULL, title = '",
        erased_thread_title!(),
        "' WHERE author_id = $1"
    ),
    "UPDATE flags SET reporter_id = NULL, note = '' WHERE reporter_id = $1",
    "UPDATE flags SET resolved_by = NULL WHERE resolved_by = $1",
    "UPDATE moderation_log SET moderator_id = NULL WHERE moderator_id = $1",
];

/// A member's rows of one table (the query binds their id as `$1`), as JSON for their export.
pub(crate) async fn member_rows<T>(
    db: &Db,
    sql: &str,
    user: UserId,
) -> Result<serde_json::Value, StoreError>
where
    T: Serialize
        + Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let rows: Vec<T> = on_db!(db, pool => sqlx::query_as(sql).bind(user.0).fetch_all(pool).await?);
    Ok(serde_json::to_value(rows).unwrap_or(serde_json::Value::Null))
}

#[derive(Serialize, sqlx::FromRow)]
struct ReactionExport {
    post_id: Uuid,
    user_id: Uuid,
    kind: String,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
struct SubscriptionExport {
    thread_id: Uuid,
    user_id: Uuid,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
struct ReadExport {
    thread_id: Uuid,
    user_id: Uuid,
    last_seq: i64,
}

#[derive(Serialize, sqlx::FromRow)]
struct ActivityExport {
    user_id: Uuid,
    posts_read: i64,
    days_visited: i64,
    last_visit_day: i64,
}

/// The member's own community rows for their data export: what they wrote (anonymous posts
/// included: it is their own data), reacted, flagged, and did as a moderator. Flags they only
/// resolved do not name who raised them.
pub async fn export_member(
    db: &Db,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    let threads =
        format!("SELECT {THREAD_COLUMNS} FROM threads WHERE author_id = $1 ORDER BY created_at");
    let posts =
        format!("SELECT {POST_COLUMNS} FROM posts WHERE author_id = $1 ORDER BY created_at");
    Ok(serde_json::Map::from_iter([
        ("threads".to_owned(), member_rows::<ThreadRow>(db, &threads, user).await?),
        ("posts".to_owned(), member_rows::<PostRow>(db, &posts, user).await?),
        (
            "post_edits".to_owned(),
            member_rows::<PostEditRow>(
                db,
                "SELECT id, post_id, editor_id, FALSE AS anonymous, NULL AS editor_name, previous_body, \
                 note, created_at FROM post_edits WHERE editor_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "post_reactions".to_owned(),
            member_rows::<ReactionExport>(
                db,
                "SELECT post_id, user_id, kind, created_at FROM post_reactions WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "thread_subscriptions".to_owned(),
            member_rows::<SubscriptionExport>(
                db,
                "SELECT thread_id, user_id, created_at FROM thread_subscriptions WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "thread_reads".to_owned(),
            member_rows::<ReadExport>(
                db,
                "SELECT thread_id, user_id, last_seq FROM thread_reads WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "flags".to_owned(),
            member_rows::<FlagRow>(
                db,
                "SELECT id, post_id, CASE WHEN reporter_id = $1 THEN reporter_id END AS reporter_id, \
                 reason, note, weight, priority, created_at, resolved_at, resolved_by, outcome \
                 FROM flags WHERE reporter_id = $1 OR resolved_by = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "moderation_log".to_owned(),
            member_rows::<ModerationLogRow>(
                db,
                "SELECT id, action, space_name, thread_id, post_id, moderator_id, reason, created_at \
                 FROM moderation_log WHERE moderator_id = $1 ORDER BY created_at",
                user,
            )
            .await?,
        ),
        (
            "space_members".to_owned(),
            member_rows::<SpaceMemberRow>(
                db,
                "SELECT space_id, user_id, status, created_at FROM space_members WHERE user_id = $1",
                user,
            )
            .await?,
        ),
        (
            "community_activity".to_owned(),
            member_rows::<ActivityExport>(
                db,
                "SELECT user_id, posts_read, days_visited, last_visit_day FROM community_activity \
                 WHERE user_id = $1",
                user,
            )
            .await?,
        ),
    ]))
}
