//! Private messages: starting one-to-one and group conversations under the newcomer
//! protections, sending, reading (a block hides messages as it hides posts), message requests,
//! unread counts, live updates (from every server, over the bus), and reports that carry chosen
//! messages.

use super::Reach;
use crate::accounts::Viewer;
use crate::community::blocks::Blocked;
use crate::{App, AppError};
use mutual_domain::local::Zone;
use mutual_domain::people::messages::{self as rules, Delivery, MAX_PARTICIPANTS, Party};
use mutual_domain::{Timestamp, UserId};
use mutual_store::accounts::UserRecord;
use mutual_store::people::messages::{self as store, MemberRow, State};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How many messages a conversation page shows at once.
pub const PAGE_MESSAGES: i64 = 200;

/// A conversation as the viewer's list shows it.
#[derive(Clone, Debug)]
pub struct Summary {
    pub id: Uuid,
    /// The other people in it, by pseudonym.
    pub with: Vec<String>,
    pub unread: bool,
    pub state: State,
    pub last_message_at: i64,
}

/// The viewer's conversations and the message requests waiting for them.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    pub conversations: Vec<Summary>,
    pub requests: Vec<Summary>,
}

/// The viewer's conversations, latest first (declined requests left out).
pub async fn inbox(app: &App, viewer: &Viewer) -> Result<Inbox, AppError> {
    let (listed, members) = store::list_conversations(&app.db, viewer.user_id, 200).await?;
    let blocked = Blocked::around(app, Some(viewer.user_id)).await?;
    let mut inbox = Inbox::default();
    for row in listed {
        let state = State::parse(&row.state);
        let others: Vec<&MemberRow> = members
            .iter()
            .filter(|m| m.conversation_id == row.id && m.user_id != viewer.user_id.0)
            .collect();
        // A one-to-one conversation with someone who blocked the viewer stays listed for the
        // viewer (they cannot tell); one the viewer blocked stays too, under its name.
        let with = others.iter().map(|m| shown_name(m).to_owned()).collect();
        let unread = row.last_seq > row.read_seq
            && !(row.pair_key.is_some() && others.iter().any(|m| blocked.contains(m.user_id)));
        let summary = Summary {
            id: row.id,
            with,
            unread,
            state,
            last_message_at: row.last_message_at,
        };
        match state {
            State::Active => inbox.conversations.push(summary),
            State::Request => inbox.requests.push(summary),
            State::Declined => {}
        }
    }
    Ok(inbox)
}

/// A message as the viewer sees it, borrowed from the conversation's shared rows.
#[derive(Clone, Copy, Debug)]
pub struct MessageView<'a> {
    pub id: Uuid,
    pub seq: i64,
    /// `None` once the author's account is erased ("deleted member").
    pub author: Option<&'a str>,
    pub mine: bool,
    /// Empty when hidden.
    pub body: &'a str,
    pub created_at: i64,
    /// The time it was sent ("21:05"), in the viewer's zone.
    pub time: &'a str,
    /// The day it was sent ("2026-11-21"), when it is not the day of the message before.
    pub new_day: Option<&'a str>,
    /// The viewer blocked the author: only a placeholder is shown.
    pub hidden: bool,
}

/// A conversation as the viewer sees it.
#[derive(Clone, Debug)]
pub struct ConversationView {
    pub id: Uuid,
    pub others: Vec<String>,
    pub group: bool,
    pub state: State,
    rows: Arc<PageRows>,
    times: Arc<Vec<String>>,
    /// The rows shown, by index, and whether each is hidden behind a placeholder.
    shown: Vec<(usize, bool)>,
    viewer: Uuid,
    pub last_seq: i64,
    /// Why the viewer cannot write here, if they cannot.
    pub closed: Option<&'static str>,
}

/// A conversation's members and latest messages as every member shares them, kept in memory
/// with the conversation's version and used only while the database has the same one.
#[derive(Debug)]
pub(crate) struct PageRows {
    version: i64,
    members: Vec<MemberRow>,
    messages: Vec<store::MessageRow>,
    /// The messages' times as shown in the zones of those who opened it: (zone, one per message).
    shown_times: Mutex<Vec<(String, Arc<Vec<String>>)>>,
}

impl PageRows {
    /// The messages' times in `zone`, formatted once per zone.
    fn times_in(&self, zone: &Zone) -> Arc<Vec<String>> {
        let mut kept = self.shown_times.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, times)) = kept.iter().find(|(name, _)| name == zone.name()) {
            return times.clone();
        }
        let times: Arc<Vec<String>> = Arc::new(
            self.messages
                .iter()
                .map(|m| zone.display(Timestamp(m.created_at)))
                .collect(),
        );
        if kept.len() < 4 {
            kept.push((zone.name().to_owned(), times.clone()));
        }
        times
    }
}

/// The viewer's place in a conversation; `NotFound` for anyone not in it.
async fn place(app: &App, viewer: &Viewer, id: Uuid) -> Result<store::PlaceRow, AppError> {
    let key = (id, viewer.user_id);
    let now = app.clock.now();
    if let Some(place) = app.people.places.get(&key, now) {
        return Ok(place);
    }
    let place = store::find_place(&app.db, id, viewer.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.people.places.put(key, place.clone(), now);
    Ok(place)
}

/// Forgets the kept places of everyone in a conversation (something in it changed).
fn forget_places(app: &App, id: Uuid, members: impl IntoIterator<Item = Uuid>) {
    for user in members {
        app.people.places.forget(&(id, UserId(user)));
    }
}

/// The viewer's place in a conversation (`NotFound` for anyone not in it) and its page's rows,
/// from memory while the conversation's version is the one kept.
async fn membership(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(store::PlaceRow, Arc<PageRows>), AppError> {
    let place = place(app, viewer, id).await?;
    let now = app.clock.now();
    if let Some(rows) = app.people.pages.get(&id, now)
        && rows.version == place.version
    {
        return Ok((place, rows));
    }
    let rows = Arc::new(PageRows {
        version: place.version,
        members: store::list_members(&app.db, id).await?,
        messages: store::list_messages(&app.db, id, i64::MAX, PAGE_MESSAGES).await?,
        shown_times: Mutex::default(),
    });
    app.people.pages.put(id, rows.clone(), now);
    Ok((place, rows))
}

/// The viewer's place in a conversation and everyone in it, for sending: the members change
/// far less often than the messages, so they are kept for the session cache's seconds (the
/// viewer's own place is always read fresh).
async fn members(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(store::PlaceRow, Arc<Vec<MemberRow>>), AppError> {
    let place = place(app, viewer, id).await?;
    let now = app.clock.now();
    if let Some(members) = app.people.members.get(&id, now) {
        return Ok((place, members));
    }
    let members = Arc::new(store::list_members(&app.db, id).await?);
    app.people.members.put(id, members.clone(), now);
    Ok((place, members))
}

/// Why the viewer cannot write in a conversation: a request they have not accepted, or a
/// one-to-one conversation with someone they blocked.
fn closed_for(
    state: State,
    one_to_one: bool,
    others: &[&MemberRow],
    blocked: &Blocked,
) -> Option<&'static str> {
    match state {
        State::Request => Some("Accept this message request to reply."),
        State::Declined => Some("You declined this message request."),
        State::Active
            if one_to_one
                && others
                    .iter()
                    .any(|m| blocked.placed_by_viewer(Some(&m.username))) =>
        {
            Some("You blocked this member. Unblock them to write to them again.")
        }
        State::Active => None,
    }
}

/// How another member of a conversation is shown: by pseudonym, or by what the conversation
/// shows instead (the anonymous author a moderator wrote to).
fn shown_name(member: &MemberRow) -> &str {
    member.masked_as.as_deref().unwrap_or(&member.username)
}

/// Opens a conversation: its latest messages (those from anyone on the other side of a block
/// left out, or a placeholder when the viewer placed it) and marks it read.
pub async fn open(app: &App, viewer: &Viewer, id: Uuid) -> Result<ConversationView, AppError> {
    let (place, rows) = membership(app, viewer, id).await?;
    let blocked = Blocked::around(app, Some(viewer.user_id)).await?;
    let shown = rows
        .messages
        .iter()
        .enumerate()
        .filter_map(|(index, row)| {
            let name = row.author_name.as_deref();
            let hidden = blocked.hides(name);
            (!hidden || blocked.placed_by_viewer(name)).then_some((index, hidden))
        })
        .collect();
    let state = State::parse(&place.state);
    if state == State::Active && place.last_seq > place.read_seq {
        store::mark_read(&app.db, id, viewer.user_id, place.last_seq).await?;
        app.people.unread.forget(&viewer.user_id);
        forget_places(app, id, [viewer.user_id.0]);
    }
    let others: Vec<&MemberRow> = rows
        .members
        .iter()
        .filter(|m| m.user_id != viewer.user_id.0)
        .collect();
    let one_to_one = place.pair_key.is_some();
    Ok(ConversationView {
        id,
        closed: closed_for(state, one_to_one, &others, &blocked),
        others: others.iter().map(|m| shown_name(m).to_owned()).collect(),
        group: !one_to_one,
        state,
        times: rows.times_in(&viewer.zone),
        rows,
        shown,
        viewer: viewer.user_id.0,
        last_seq: place.last_seq,
    })
}

impl ConversationView {
    /// The messages shown to the viewer, oldest first.
    pub fn messages(&self) -> Vec<MessageView<'_>> {
        let mut day = "";
        self.shown
            .iter()
            .map(|&(index, hidden)| {
                let row = &self.rows.messages[index];
                // "YYYY-MM-DD HH:MM", as `Zone::display` writes it.
                let when = self.times[index].as_str();
                let (this_day, time) = when.split_once(' ').unwrap_or((when, ""));
                let new_day = (this_day != day).then_some(this_day);
                let mine = row.author_id == Some(self.viewer);
                day = this_day;
                MessageView {
                    id: row.id,
                    seq: row.seq,
                    author: if mine {
                        row.author_name.as_deref()
                    } else {
                        row.masked_as.as_deref().or(row.author_name.as_deref())
                    },
                    mine,
                    body: if hidden { "" } else { &row.body },
                    created_at: row.created_at,
                    time,
                    new_day,
                    hidden,
                }
            })
            .collect()
    }
}

/// The number of the latest message in a conversation the viewer is in (for live updates).
pub async fn latest_seq(app: &App, viewer: &Viewer, id: Uuid) -> Result<i64, AppError> {
    Ok(place(app, viewer, id).await?.last_seq)
}

/// Forgets every kept place (an account was erased: the pages showing it move on).
pub(crate) fn forget_all_places(app: &App) {
    app.people.places.forget_where(|_| true);
}

/// Waits until a message is sent in the conversation, through this server or (over the bus)
/// another, or `timeout` passes; live updates look at the database after either, so a message
/// whose event was lost still arrives within `timeout`.
pub async fn wait_for_news(app: &App, conversation: Uuid, timeout: std::time::Duration) {
    let mut news = app.people.live.subscribe();
    let _ = tokio::time::timeout(timeout, async {
        loop {
            match news.recv().await {
                Ok(id) if id == conversation => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    })
    .await;
}

/// How many conversations hold messages the member has not read (in every page's header).
pub async fn unread_count(app: &App, user: UserId) -> Result<i64, AppError> {
    let now = app.clock.now();
    if let Some(count) = app.people.unread.get(&user, now) {
        return Ok(count);
    }
    let count = store::count_unread_conversations(&app.db, user).await?;
    app.people.unread.put(user, count, now);
    Ok(count)
}

/// How a message from the viewer reaches `recipient` now; refusals are field errors on `to`.
async fn delivery_to(
    app: &App,
    viewer: &Viewer,
    sender: Party,
    recipient: &UserRecord,
) -> Result<State, AppError> {
    let name = recipient.username.as_str();
    match super::delivery(app, viewer, sender, recipient).await? {
        Delivery::Direct => Ok(State::Active),
        Delivery::Refused => Err(AppError::field(
            "to",
            format!(
                "New members can write to their circle, their mentor, moderators and people who have written to them. You can write to {name} once you have been here a little longer."
            ),
        )),
        Delivery::Request => {
            if !super::takes_another_request(app, recipient.id).await? {
                // Answered as a pseudonym nobody has: a full day of requests must not tell a
                // stranger that this member exists and is new.
                return Err(super::unreachable("to", name, Reach::Write));
            }
            Ok(State::Request)
        }
    }
}

/// A message sent.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    pub conversation: Uuid,
    /// Its number in the conversation.
    pub seq: i64,
    /// It held crisis language: the sender is shown the crisis lines and Reach out at once.
    /// Nobody else is told: a private message stays between its members (unlike a post, no
    /// moderator reads it unless a member reports it).
    pub crisis_resources_shown: bool,
}

/// Starts a conversation with the members named in `to` (up to 11 others) with a first
/// message, or, for one person the viewer already has a conversation with, sends it there. A member on either side of a block with the viewer gets the same
/// answer as a pseudonym nobody has.
pub async fn start(app: &App, viewer: &Viewer, to: &str, body: &str) -> Result<Sent, AppError> {
    let names = super::split_pseudonyms(to);
    let mut problems = Vec::new();
    if names.is_empty() {
        problems.push(crate::FieldError::new(
            "to",
            "Write the pseudonym of at least one member.",
        ));
    } else if names.len() > MAX_PARTICIPANTS - 1 {
        problems.push(crate::FieldError::new(
            "to",
            format!(
                "A conversation holds up to {MAX_PARTICIPANTS} people, you included: you named {}.",
                names.len()
            ),
        ));
    }
    let body = match rules::parse_body(body) {
        Ok(body) => Some(body),
        Err(problem) => {
            problems.push(problem.into());
            None
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let body = body.unwrap_or_default();
    let recipients = super::members_named(app, viewer, &names, "to", Reach::Write).await?;
    if recipients.iter().any(|user| user.id == viewer.user_id) {
        return Err(AppError::field(
            "to",
            "You cannot start a conversation with yourself.",
        ));
    }
    let sender = super::party(app, viewer.user_id, viewer.role, viewer.member_since).await?;
    let mut members = vec![(viewer.user_id.0, State::Active)];
    for recipient in &recipients {
        members.push((
            recipient.id.0,
            delivery_to(app, viewer, sender, recipient).await?,
        ));
    }
    let pair = match recipients.as_slice() {
        [one] => Some(store::pair_key(viewer.user_id.0, one.id.0)),
        _ => None,
    };
    if let Some(key) = &pair
        && let Some(existing) = store::find_conversation_by_pair(&app.db, key).await?
    {
        return send(app, viewer, existing, &body).await;
    }
    let crisis_resources_shown = crate::community::has_crisis_language(app, &body).await?;
    let id = Uuid::now_v7();
    let now = app.clock.now().millis();
    store::insert_conversation(
        &app.db,
        id,
        pair.as_deref(),
        &members,
        viewer.user_id,
        (Uuid::now_v7(), &body),
        None,
        now,
    )
    .await?;
    for recipient in &recipients {
        app.people.unread.forget(&recipient.id);
    }
    // Those reached directly hear of it; a request waits quietly until the new member looks.
    let told: Vec<UserId> = members
        .iter()
        .filter(|(user, state)| *state == State::Active && *user != viewer.user_id.0)
        .map(|(user, _)| UserId(*user))
        .collect();
    crate::notifications::notify(
        app,
        &told,
        "message",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(" started a conversation with you."),
        &format!("/messages/{id}"),
    )
    .await?;
    Ok(Sent {
        conversation: id,
        seq: 1,
        crisis_resources_shown,
    })
}

/// Sends a message into a conversation the viewer is in.
pub async fn send(app: &App, viewer: &Viewer, id: Uuid, body: &str) -> Result<Sent, AppError> {
    let body = rules::parse_body(body)?;
    let (place, members) = members(app, viewer, id).await?;
    let blocked = Blocked::around(app, Some(viewer.user_id)).await?;
    let others: Vec<&MemberRow> = members
        .iter()
        .filter(|m| m.user_id != viewer.user_id.0)
        .collect();
    if let Some(reason) = closed_for(
        State::parse(&place.state),
        place.pair_key.is_some(),
        &others,
        &blocked,
    ) {
        return Err(AppError::Forbidden(reason));
    }
    crate::community::standing::ensure_may_post(app, viewer).await?;
    let seq = store::insert_message(
        &app.db,
        id,
        Uuid::now_v7(),
        viewer.user_id,
        &body,
        app.clock.now().millis(),
    )
    .await?;
    for other in &others {
        app.people.unread.forget(&UserId(other.user_id));
    }
    forget_places(app, id, members.iter().map(|m| m.user_id));
    crate::bus::changed(app, crate::bus::Change::Conversation(id)).await;
    Ok(Sent {
        conversation: id,
        seq,
        crisis_resources_shown: crate::community::has_crisis_language(app, &body).await?,
    })
}

/// Accepts (or declines) a message request; the sender is not told either way.
pub async fn answer_request(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    accept: bool,
) -> Result<(), AppError> {
    let (place, _) = membership(app, viewer, id).await?;
    if State::parse(&place.state) != State::Request {
        return Err(AppError::Conflict(
            "This is not a message request waiting for an answer.",
        ));
    }
    let state = if accept {
        State::Active
    } else {
        State::Declined
    };
    store::update_member_state(&app.db, id, viewer.user_id, state).await?;
    app.people.unread.forget(&viewer.user_id);
    app.people.members.forget(&id);
    forget_places(app, id, [viewer.user_id.0]);
    Ok(())
}

/// The longest reason a report may give, in characters.
const MAX_REASON_CHARS: usize = 1_000;

/// Reports chosen messages of a conversation the viewer is in to the moderators, who see those
/// messages and no others.
pub async fn report(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    messages: &[Uuid],
    reason: &str,
) -> Result<(), AppError> {
    let reason = mutual_domain::text::parse_text(
        "reason",
        reason,
        MAX_REASON_CHARS,
        "Tell the moderators in a few words what is wrong.",
    )?;
    membership(app, viewer, id).await?;
    if messages.is_empty() {
        return Err(AppError::field(
            "messages",
            "Choose the messages you are reporting.",
        ));
    }
    let shown = store::list_messages(&app.db, id, i64::MAX, i64::MAX).await?;
    if !messages.iter().all(|m| shown.iter().any(|s| s.id == *m)) {
        return Err(AppError::field(
            "messages",
            "Choose messages from this conversation.",
        ));
    }
    store::insert_report(
        &app.db,
        Uuid::now_v7(),
        id,
        viewer.user_id,
        &reason,
        messages,
        app.clock.now().millis(),
    )
    .await?;
    crate::notifications::notify(
        app,
        &crate::community::moderation::staff(app).await?,
        "message_report",
        "A member reported messages from a private conversation.",
        "/moderation/messages",
    )
    .await
}

/// A report with the messages it carries.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub report: store::ReportRow,
    pub messages: Vec<store::MessageRow>,
}

/// Reports for the moderators, open ones first; each carries only the messages it names.
pub async fn reports(app: &App, viewer: &Viewer) -> Result<Vec<ReportView>, AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let reports = store::list_reports(&app.db, 100).await?;
    let ids: Vec<Uuid> = reports.iter().map(|r| r.id).collect();
    let mut carried = store::list_reported_messages(&app.db, &ids).await?;
    // An author a moderator wrote to without learning who they are stays unnamed here too.
    for (_, message) in &mut carried {
        if let Some(masked) = message.masked_as.take() {
            message.author_name = Some(masked);
        }
    }
    Ok(reports
        .into_iter()
        .map(|report| {
            let messages = carried
                .extract_if(.., |(id, _)| *id == report.id)
                .map(|(_, m)| m)
                .collect();
            ReportView { report, messages }
        })
        .collect())
}

/// Resolves a report with a note of what was done (moderators).
pub async fn resolve_report(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    resolution: &str,
) -> Result<(), AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let resolution = mutual_domain::text::parse_text(
        "resolution",
        resolution,
        MAX_REASON_CHARS,
        "Note what you did, for the other moderators.",
    )?;
    if !store::resolve_report(&app.db, id, &resolution, app.clock.now().millis()).await? {
        return Err(AppError::Conflict("This report was resolved already."));
    }
    Ok(())
}
