//! Private conversations: who is in each (and whether a new member has accepted it yet), the
//! messages in order, what each member has read, and reports that carry chosen messages.

use crate::db::placeholders;
use crate::{Db, StoreError};
use mutual_domain::UserId;
use serde::Serialize;
use uuid::Uuid;

/// A member's place in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Active,
    /// A stranger's first message to a new member, waiting for them to accept it.
    Request,
    /// A request the new member declined: the sender is not told.
    Declined,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Request => "request",
            State::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> State {
        match text {
            "request" => State::Request,
            "declined" => State::Declined,
            _ => State::Active,
        }
    }
}

/// A member's place in a conversation, with what tells whether a kept page is current.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PlaceRow {
    /// Set for a one-to-one conversation.
    pub pair_key: Option<String>,
    pub last_seq: i64,
    pub version: i64,
    pub state: String,
    pub read_seq: i64,
}

/// Someone in a conversation, with their pseudonym.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub state: String,
    pub read_seq: i64,
    pub joined_at: i64,
    /// What the conversation's other members are shown instead of this member's pseudonym
    /// (a moderator writing to an anonymous author), if anything.
    pub masked_as: Option<String>,
}

/// A message with its author's pseudonym (`None` once the author's account is erased).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub seq: i64,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// What the other members are shown instead of the author's pseudonym, if anything.
    pub masked_as: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// The key of the one-to-one conversation between two members, the same either way round.
pub fn pair_key(a: Uuid, b: Uuid) -> String {
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    format!("{}:{}", first.simple(), second.simple())
}

/// Who a conversation hides behind a description from its other members: a moderator
/// writing to the anonymous author of a post sees "The author of …", never the pseudonym.
#[derive(Clone, Copy, Debug)]
pub struct Mask<'a> {
    pub member: UserId,
    pub shown_as: &'a str,
}

/// Starts a conversation with its members (each with their state) and its first message from
/// `author`, one member masked if `mask` says so. A one-to-one conversation that exists
/// already is a [`StoreError::Conflict`].
#[allow(clippy::too_many_arguments)]
pub async fn insert_conversation(
    db: &Db,
    id: Uuid,
    pair_key: Option<&str>,
    members: &[(Uuid, State)],
    author: UserId,
    first_message: (Uuid, &str),
    mask: Option<Mask<'_>>,
    now: i64,
) -> Result<(), StoreError> {
    const CONVERSATION: &str = "INSERT INTO conversations (id, pair_key, created_at, last_seq, \
         last_message_at, masked_member_id, masked_as) VALUES ($1, $2, $3, 1, $3, $4, $5)";
    const MEMBER: &str = "INSERT INTO conversation_members (conversation_id, user_id, state, \
         read_seq, joined_at) VALUES ($1, $2, $3, $4, $5)";
    const MESSAGE: &str = "INSERT INTO messages (id, conversation_id, seq, author_id, body, \
         created_at) VALUES ($1, $2, 1, $3, $4, $5)";
    write_tx!(db, tx => {
        sqlx::query(CONVERSATION)
            .bind(id)
            .bind(pair_key)
            .bind(now)
            .bind(mask.map(|m| m.member.0))
            .bind(mask.map(|m| m.shown_as))
            .execute(&mut *tx)
            .await?;
        for (user, state) in members {
            let read = i64::from(*user == author.0);
            sqlx::query(MEMBER)
                .bind(id)
                .bind(user)
                .bind(state.as_str())
                .bind(read)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(MESSAGE)
            .bind(first_message.0)
            .bind(id)
            .bind(author.0)
            .bind(first_message.1)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    });
    Ok(())
}

/// The one-to-one conversation with this [`pair_key`], if there is one.
pub async fn find_conversation_by_pair(db: &Db, key: &str) -> Result<Option<Uuid>, StoreError> {
    const SQL: &str = "SELECT id FROM conversations WHERE pair_key = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(key).fetch_optional(pool).await?))
}

/// A member's place in a conversation (`None` when they are not in it), in one read.
pub async fn find_place(
    db: &Db,
    conversation: Uuid,
    user: UserId,
) -> Result<Option<PlaceRow>, StoreError> {
    const SQL: &str = "SELECT c.pair_key, c.last_seq, c.version, m.state, m.read_seq \
         FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id \
         WHERE c.id = $1 AND m.user_id = $2";
    Ok(
        on_db!(db, pool => sqlx::query_as(SQL).bind(conversation).bind(user.0).fetch_optional(pool).await?),
    )
}

/// A member's columns, from `conversation_members m`, `users u` and `conversations c`.
const MEMBER_COLUMNS: &str = "m.conversation_id, m.user_id, u.username, m.state, m.read_seq, \
     m.joined_at, CASE WHEN c.masked_member_id = m.user_id THEN c.masked_as END AS masked_as";
/// The tables [`MEMBER_COLUMNS`] reads.
const MEMBER_TABLES: &str = "conversation_members m JOIN users u ON u.id = m.user_id \
     JOIN conversations c ON c.id = m.conversation_id";

/// Everyone in a conversation, in the order they joined.
pub async fn list_members(db: &Db, conversation: Uuid) -> Result<Vec<MemberRow>, StoreError> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM {MEMBER_TABLES} WHERE m.conversation_id = $1 ORDER BY m.joined_at, u.username_lower"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(conversation).fetch_all(pool).await?))
}

/// A conversation as its list shows it to one member.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListedRow {
    pub id: Uuid,
    pub pair_key: Option<String>,
    pub last_seq: i64,
    pub last_message_at: i64,
    pub state: String,
    pub read_seq: i64,
}

/// A member's conversations (requests and declined ones included), latest message first.
pub async fn list_conversations(
    db: &Db,
    user: UserId,
    limit: i64,
) -> Result<(Vec<ListedRow>, Vec<MemberRow>), StoreError> {
    const SQL: &str = "SELECT c.id, c.pair_key, c.last_seq, c.last_message_at, m.state, m.read_seq \
         FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.user_id = $1 ORDER BY c.last_message_at DESC, c.id LIMIT $2";
    let listed: Vec<ListedRow> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(user.0).bind(limit).fetch_all(pool).await?);
    if listed.is_empty() {
        return Ok((listed, Vec::new()));
    }
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM {MEMBER_TABLES} WHERE m.conversation_id IN ({}) ORDER BY m.joined_at, u.username_lower",
        placeholders(1, listed.len())
    );
    let members: Vec<MemberRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for row in &listed {
            query = query.bind(row.id);
        }
        query.fetch_all(pool).await?
    });
    Ok((listed, members))
}

/// Appends a message; returns its number in the conversation. The author has read up to it.
/// On SQLite this is a group-committed write (see the batch module): sending is the busiest
/// write of a conversation.
pub async fn insert_message(
    db: &Db,
    conversation: Uuid,
    id: Uuid,
    author: UserId,
    body: &str,
    now: i64,
) -> Result<i64, StoreError> {
    const NEXT: &str = "UPDATE conversations SET last_seq = last_seq + 1, \
         version = version + 1, last_message_at = $1 WHERE id = $2 RETURNING last_seq";
    const MESSAGE: &str = "INSERT INTO messages (id, conversation_id, seq, author_id, body, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    const READ: &str =
        "UPDATE conversation_members SET read_seq = $1 WHERE conversation_id = $2 AND user_id = $3";
    let body = body.to_owned();
    batched_write!(db, |conn| {
        let seq: i64 = sqlx::query_scalar(NEXT)
            .bind(now)
            .bind(conversation)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query(MESSAGE)
            .bind(id)
            .bind(conversation)
            .bind(seq)
            .bind(author.0)
            .bind(body.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?;
        sqlx::query(READ)
            .bind(seq)
            .bind(conversation)
            .bind(author.0)
            .execute(&mut *conn)
            .await?;
        Ok(seq)
    })
}

/// The latest `limit` messages numbered below `before`, oldest first.
pub async fn list_messages(
    db: &Db,
    conversation: Uuid,
    before: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    const SQL: &str = "SELECT id, seq, author_id, author_name, masked_as, body, created_at FROM \
         (SELECT m.id, m.seq, m.author_id, u.username AS author_name, \
          CASE WHEN c.masked_member_id = m.author_id THEN c.masked_as END AS masked_as, \
          m.body, m.created_at \
          FROM messages m JOIN conversations c ON c.id = m.conversation_id \
          LEFT JOIN users u ON u.id = m.author_id \
          WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3) latest \
         ORDER BY seq";
    Ok(
        on_db!(db, pool => sqlx::query_as(SQL).bind(conversation).bind(before).bind(limit).fetch_all(pool).await?),
    )
}

/// Marks a conversation read up to `seq` for one member (never backwards).
pub async fn mark_read(
    db: &Db,
    conversation: Uuid,
    user: UserId,
    seq: i64,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE conversation_members SET read_seq = $1 \
         WHERE conversation_id = $2 AND user_id = $3 AND read_seq < $1";
    on_write!(db, pool => sqlx::query(SQL).bind(seq).bind(conversation).bind(user.0).execute(pool).await?.rows_affected());
    Ok(())
}

/// Sets a member's state in a conversation (accepting or declining a request).
pub async fn update_member_state(
    db: &Db,
    conversation: Uuid,
    user: UserId,
    state: State,
) -> Result<(), StoreError> {
    const SQL: &str =
        "UPDATE conversation_members SET state = $1 WHERE conversation_id = $2 AND user_id = $3";
    const BUMP: &str = "UPDATE conversations SET version = version + 1 WHERE id = $1";
    write_tx!(db, tx => {
        sqlx::query(SQL).bind(state.as_str()).bind(conversation).bind(user.0).execute(&mut *tx).await?;
        sqlx::query(BUMP).bind(conversation).execute(&mut *tx).await?;
    });
    Ok(())
}

/// How many of a member's active conversations hold a message they have not read from someone
/// with no block between them.
pub async fn count_unread_conversations(db: &Db, user: UserId) -> Result<i64, StoreError> {
    let blocks = crate::standing::BLOCKS_IN_FORCE;
    let sql = format!(
        "SELECT COUNT(*) FROM conversation_members m \
         JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.user_id = $1 AND m.state = 'active' AND c.last_seq > m.read_seq \
         AND EXISTS (SELECT 1 FROM messages g WHERE g.conversation_id = c.id \
             AND g.seq > m.read_seq AND g.author_id <> $1 \
             AND g.author_id NOT IN (SELECT blocked_id FROM {blocks} b WHERE blocker_id = $1) \
             AND g.author_id NOT IN (SELECT blocker_id FROM {blocks} b WHERE blocked_id = $1))"
    );
    Ok(on_db!(db, pool => sqlx::query_scalar(&sql).bind(user.0).fetch_one(pool).await?))
}

/// How many message requests a member received since `since`.
pub async fn count_requests_since(db: &Db, user: UserId, since: i64) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM conversation_members WHERE user_id = $1 \
         AND state <> 'active' AND joined_at >= $2";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user.0).bind(since).fetch_one(pool).await?))
}

/// Whether two members are both active in some conversation (one wrote to the other, or a
/// request between them was accepted).
pub async fn have_talked(db: &Db, a: UserId, b: UserId) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM conversation_members x \
         JOIN conversation_members y ON y.conversation_id = x.conversation_id \
         WHERE x.user_id = $1 AND y.user_id = $2 AND x.state = 'active' AND y.state = 'active'";
    let count: i64 =
        on_db!(db, pool => sqlx::query_scalar(SQL).bind(a.0).bind(b.0).fetch_one(pool).await?);
    Ok(count > 0)
}

/// A report from a conversation.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub reporter_name: Option<String>,
    pub reason: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: String,
}

/// Stores a report carrying the chosen messages of one conversation.
pub async fn insert_report(
    db: &Db,
    id: Uuid,
    conversation: Uuid,
    reporter: UserId,
    reason: &str,
    messages: &[Uuid],
    now: i64,
) -> Result<(), StoreError> {
    const REPORT: &str = "INSERT INTO message_reports (id, conversation_id, reporter_id, reason, \
         created_at, resolved_at, resolution) VALUES ($1, $2, $3, $4, $5, NULL, '')";
    const ITEM: &str = "INSERT INTO message_report_items (report_id, message_id) VALUES ($1, $2)";
    write_tx!(db, tx => {
        sqlx::query(REPORT)
            .bind(id)
            .bind(conversation)
            .bind(reporter.0)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for message in messages {
            sqlx::query(ITEM).bind(id).bind(message).execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// Reports, open ones first, then the latest answered.
pub async fn list_reports(db: &Db, limit: i64) -> Result<Vec<ReportRow>, StoreError> {
    const SQL: &str = "SELECT r.id, r.conversation_id, u.username AS reporter_name, r.reason, \
         r.created_at, r.resolved_at, r.resolution FROM message_reports r \
         LEFT JOIN users u ON u.id = r.reporter_id \
         ORDER BY CASE WHEN r.resolved_at IS NULL THEN 0 ELSE 1 END, r.created_at DESC LIMIT $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?))
}

/// The messages reports carry, each with its report's id first.
pub async fn list_reported_messages(
    db: &Db,
    reports: &[Uuid],
) -> Result<Vec<(Uuid, MessageRow)>, StoreError> {
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT i.report_id, m.id, m.seq, m.author_id, u.username AS author_name, \
         CASE WHEN c.masked_member_id = m.author_id THEN c.masked_as END AS masked_as, m.body, \
         m.created_at FROM message_report_items i JOIN messages m ON m.id = i.message_id \
         JOIN conversations c ON c.id = m.conversation_id \
         LEFT JOIN users u ON u.id = m.author_id WHERE i.report_id IN ({}) ORDER BY m.seq",
        placeholders(1, reports.len())
    );
    #[derive(sqlx::FromRow)]
    struct Item {
        report_id: Uuid,
        #[sqlx(flatten)]
        message: MessageRow,
    }
    let items: Vec<Item> = on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for id in reports {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await?
    });
    Ok(items
        .into_iter()
        .map(|i| (i.report_id, i.message))
        .collect())
}

/// Records a moderator's resolution of a report; `false` when it was resolved already.
pub async fn resolve_report(
    db: &Db,
    id: Uuid,
    resolution: &str,
    now: i64,
) -> Result<bool, StoreError> {
    const SQL: &str = "UPDATE message_reports SET resolved_at = $1, resolution = $2 \
         WHERE id = $3 AND resolved_at IS NULL";
    let changed = on_write!(db, pool => sqlx::query(SQL).bind(now).bind(resolution).bind(id).execute(pool).await?.rows_affected());
    Ok(changed == 1)
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct MembershipExport {
    conversation_id: Uuid,
    user_id: Uuid,
    state: String,
    read_seq: i64,
    joined_at: i64,
}

/// A conversation in which the member is shown to a moderator under a description.
#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct MaskExport {
    id: Uuid,
    masked_member_id: Option<Uuid>,
    masked_as: Option<String>,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct MessageExport {
    id: Uuid,
    conversation_id: Uuid,
    seq: i64,
    author_id: Option<Uuid>,
    body: String,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct ReportExport {
    id: Uuid,
    conversation_id: Uuid,
    reporter_id: Option<Uuid>,
    reason: String,
    created_at: i64,
    resolved_at: Option<i64>,
    resolution: String,
}
