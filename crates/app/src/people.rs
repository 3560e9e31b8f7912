//! People: private messages between members, accountability circles and the Reach out button.
//! Each is a module; what they share (who knows whom, the export) is here.

pub mod care;
pub mod circles;
pub mod mentors;
pub mod messages;
pub mod reach_out;

use crate::cache::TtlCache;
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::people::messages::{Delivery, Party};
use std::time::Duration;
use uuid::Uuid;

/// Conversation pages kept at most (200 messages are some tens of kilobytes).
const PAGES_KEPT: usize = 2_000;
/// How long a member's place in a conversation is kept: a conversation page then reads the
/// database at most ten times a second, and a message sent through another server shows within
/// this long (one sent through this server, at once).
const PLACE_TTL: Duration = Duration::from_millis(100);

/// What this server keeps in memory for people: each member's unread conversation count, the
/// conversation pages' rows (checked against the conversation's version), each member's place
/// in a conversation (a tenth of a second), who is in each conversation (for sending; for the
/// session cache's seconds), and
/// the channel on which it announces conversations with a new message (for live pages).
#[derive(Clone)]
pub(crate) struct PeopleState {
    pub unread: TtlCache<UserId, i64>,
    pub pages: TtlCache<Uuid, std::sync::Arc<messages::PageRows>>,
    pub members: TtlCache<Uuid, std::sync::Arc<Vec<mutual_store::people::messages::MemberRow>>>,
    /// Each member's place in a conversation, for [`PLACE_TTL`] at most: every change made
    /// through this server forgets it at once.
    pub places: TtlCache<(Uuid, UserId), mutual_store::people::messages::PlaceRow>,
    pub live: tokio::sync::broadcast::Sender<Uuid>,
}

impl PeopleState {
    pub fn new(ttl: Duration) -> PeopleState {
        PeopleState {
            unread: TtlCache::new(ttl),
            pages: TtlCache::with_capacity(ttl, PAGES_KEPT),
            members: TtlCache::new(ttl),
            places: TtlCache::new(ttl.min(PLACE_TTL)),
            live: tokio::sync::broadcast::channel(1024).0,
        }
    }
}

/// Whether two members know each other here: they are in a circle together, one mentors the
/// other, or both are in a conversation one of them started and the other accepted.
pub(crate) async fn know_each_other(app: &App, a: UserId, b: UserId) -> Result<bool, AppError> {
    use mutual_store::people::{circles, mentors, messages};
    Ok(circles::share_a_circle(&app.db, a, b).await?
        || mentors::in_mentorship(&app.db, a, b).await?
        || messages::have_talked(&app.db, a, b).await?)
}

/// The pseudonyms typed into one field (commas, spaces, semicolons or lines between, a leading
/// `@` allowed), once each whatever their case.
pub(crate) fn split_pseudonyms(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for name in text
        .split([',', ' ', '\n', ';'])
        .map(|n| n.trim().trim_start_matches('@'))
    {
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    names
}

/// What a member tried to do with someone named by pseudonym, for [`unreachable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    Write,
    Invite,
    Block,
}

/// The one answer for a pseudonym that cannot be reached: nobody goes by it, there is a block
/// either way, or they cannot take this from the viewer now (a new member's requests for the day
/// are used up). Each of these answers in exactly these words, so
/// none can be told from another: not which pseudonyms exist, nor who blocked the viewer, nor who
/// is new.
pub(crate) fn unreachable(field: &'static str, name: &str, reach: Reach) -> AppError {
    let verb = match reach {
        Reach::Write => "write to",
        Reach::Invite => "invite",
        Reach::Block => "block",
    };
    AppError::field(
        field,
        format!("No member you can {verb} goes by “{name}”; check the spelling."),
    )
}

/// The members going by `names`. A pseudonym nobody has, and a member on either side of a block
/// with the viewer, get [`unreachable`] on `field`. The viewer may be among those returned;
/// callers say why that does not work.
pub(crate) async fn members_named(
    app: &App,
    viewer: &crate::accounts::Viewer,
    names: &[&str],
    field: &'static str,
    reach: Reach,
) -> Result<Vec<mutual_store::accounts::UserRecord>, AppError> {
    let blocked = crate::community::blocks::Blocked::around(app, Some(viewer.user_id)).await?;
    let mut users = Vec::with_capacity(names.len());
    for name in names {
        let user = crate::accounts::member_named(app, name)
            .await?
            .filter(|user| !blocked.contains(user.id.0))
            .ok_or_else(|| unreachable(field, name, reach))?;
        users.push(user);
    }
    Ok(users)
}

/// One side of a message, as the newcomer protections see them.
pub(crate) async fn party(
    app: &App,
    user: UserId,
    role: mutual_domain::permissions::Role,
    since: mutual_domain::Timestamp,
) -> Result<Party, AppError> {
    use mutual_domain::community::trust::TrustLevel;
    Ok(Party {
        newcomer: crate::community::trust_level_of(app, user, role, since).await?
            == TrustLevel::New,
        staff: role.can_moderate(),
    })
}

/// How something from the viewer (who is `sender`) reaches `recipient` under the newcomer
/// protections of private messages.
pub(crate) async fn delivery(
    app: &App,
    viewer: &crate::accounts::Viewer,
    sender: Party,
    recipient: &mutual_store::accounts::UserRecord,
) -> Result<Delivery, AppError> {
    let them = party(app, recipient.id, recipient.role, recipient.created_at).await?;
    let known = know_each_other(app, viewer.user_id, recipient.id).await?;
    Ok(mutual_domain::people::messages::delivery(
        sender, them, known,
    ))
}

/// Whether a new member can take one more request from someone they do not know today: message
/// requests and waiting circle invites together stay within
/// [`REQUESTS_PER_DAY`](mutual_domain::people::messages::REQUESTS_PER_DAY).
pub(crate) async fn takes_another_request(app: &App, newcomer: UserId) -> Result<bool, AppError> {
    let since = app.clock.now().millis() - 24 * 3600 * 1000;
    let requests = mutual_store::people::messages::count_requests_since(&app.db, newcomer, since)
        .await?
        + mutual_store::people::circles::count_invites_since(&app.db, newcomer, since).await?;
    Ok(requests < mutual_domain::people::messages::REQUESTS_PER_DAY)
}

/// Who hears of something of `user`'s: those in their circles who were granted `shared`, and
/// (when `mentors` says which choice: `true` for warning signs, `false` for Reach out) their
/// mentors who were granted it; once each, and nobody on the other side of a block.
pub(crate) async fn audience(
    app: &App,
    user: UserId,
    shared: mutual_store::people::circles::Shared,
    mentors: Option<bool>,
) -> Result<Vec<UserId>, AppError> {
    let mut told = mutual_store::people::circles::list_shared_with(&app.db, user, shared).await?;
    if let Some(warnings) = mentors {
        for mentor in
            mutual_store::people::mentors::list_mentors_shared_with(&app.db, user, warnings).await?
        {
            if !told.contains(&mentor) {
                told.push(mentor);
            }
        }
    }
    let blocked = crate::community::blocks::Blocked::around(app, Some(user)).await?;
    Ok(told
        .into_iter()
        .filter(|id| !blocked.contains(*id))
        .map(UserId)
        .collect())
}

/// The member's people data for their export.
pub async fn export(
    app: &App,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    Ok(mutual_store::people::export_member(&app.db, user).await?)
}
