//! The event bus between servers that share one database: when something a server keeps in
//! memory changes (a session ends, a member's account or standing changes, the spaces change, a
//! message is sent), every server hears of it at once and forgets what it held. On PostgreSQL
//! the bus is `LISTEN`/`NOTIFY` (no extra service); on SQLite, one server, it stays in-process.
//! Events carry ids only, never content. A server that loses the bus falls back to the caches'
//! time-to-live, says so in `/readyz` and the log, and forgets everything when it is back,
//! since it may have missed events.

use crate::App;
use crate::community::cached;
use mutual_domain::{SessionId, UserId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// What changed: each names the ids whose cached state is no longer true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Change {
    /// One session ended (log out, ended from settings, expired).
    Session(SessionId),
    /// A member's account changed: every session ended, the role, the status, the password,
    /// recovery, erasure.
    Member(UserId),
    /// A member's reading context changed: a sanction, a block, a space's member list.
    Reader(UserId),
    /// The spaces changed.
    Spaces,
    /// A message was sent in a conversation.
    Conversation(Uuid),
    /// An admin changed the crisis lines.
    CrisisLines,
}

/// One event on the wire: which server sent it, and the change.
#[derive(Serialize, Deserialize)]
struct Envelope {
    from: Uuid,
    #[serde(flatten)]
    change: Change,
}

/// This server's place on the bus.
pub(crate) struct BusState {
    /// Which server this is: its own events come back on PostgreSQL and are skipped.
    origin: Uuid,
    /// Whether events from the other servers are arriving (always on SQLite).
    connected: AtomicBool,
}

impl BusState {
    pub(crate) fn new() -> Arc<BusState> {
        Arc::new(BusState {
            origin: Uuid::now_v7(),
            connected: AtomicBool::new(true),
        })
    }
}

/// What `/readyz` says of the bus: its kind, and whether it is connected.
pub fn status(app: &App) -> (&'static str, bool) {
    let kind = match app.db.backend() {
        mutual_store::Backend::Postgres => "postgres",
        mutual_store::Backend::Sqlite => "in_process",
    };
    (kind, app.bus.connected.load(Ordering::Relaxed))
}

/// Tells this server and every other one that `change` happened; call it once the change is
/// in the database. A bus that cannot be reached is logged, not refused: the other servers'
/// caches then expire within their time-to-live.
pub async fn changed(app: &App, change: Change) {
    apply(app, change);
    let envelope = Envelope {
        from: app.bus.origin,
        change,
    };
    let payload = serde_json::to_string(&envelope).expect("an envelope is plain JSON");
    if let Err(error) = mutual_store::bus::publish(&app.db, &payload).await {
        tracing::warn!(%error, ?change, "the bus did not take an event: other servers catch up within the cache time-to-live");
    }
}

/// [`changed`] for the reading context of each of `users`.
pub(crate) async fn readers_changed(app: &App, users: &[UserId]) {
    for user in users {
        changed(app, Change::Reader(*user)).await;
    }
}

/// Forgets what `change` makes untrue on this server. (A message's sender has already
/// forgotten its members' places in the conversation; see [`receive`].)
fn apply(app: &App, change: Change) {
    match change {
        Change::Session(session) => app.sessions.forget_session(session),
        Change::Member(user) => {
            app.sessions.forget_user(user);
            cached::forget_readers(app, &[user]);
        }
        Change::Reader(user) => cached::forget_readers(app, &[user]),
        Change::Spaces => cached::forget_spaces(app),
        Change::Conversation(id) => {
            let _ = app.people.live.send(id);
        }
        Change::CrisisLines => reload_crisis_lines(app),
    }
}

/// Forgets everything every change could have touched: after the bus was lost for a while.
fn forget_everything(app: &App) {
    app.sessions.forget_all();
    cached::forget_all_readers(app);
    cached::forget_spaces(app);
    app.people.places.forget_where(|_| true);
    app.people.members.forget_where(|_| true);
    reload_crisis_lines(app);
}

/// Reads the admins' crisis lines again, in the background (the bus's work goes on).
fn reload_crisis_lines(app: &App) {
    let app = app.clone();
    tokio::spawn(async move { crate::crisis::editing::load(&app).await });
}

/// How long to wait before listening again after the bus was lost.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Listens to the other servers' events until the process ends (nothing to do on SQLite),
/// reading what the admins set before this server started (their crisis lines) once it
/// listens, so that no change falls between that read and the first event.
pub async fn listen(app: App) {
    let mut first = true;
    loop {
        match mutual_store::bus::subscribe(&app.db).await {
            Ok(None) => return crate::crisis::editing::load(&app).await,
            Ok(Some(mut subscription)) => {
                if std::mem::take(&mut first) {
                    crate::crisis::editing::load(&app).await;
                }
                if !app.bus.connected.swap(true, Ordering::Relaxed) {
                    tracing::info!("the bus is back: this server forgot what it had cached");
                    forget_everything(&app);
                }
                loop {
                    match subscription.next().await {
                        Ok(Some(payload)) => receive(&app, &payload),
                        Ok(None) => {
                            lost(&app, "the connection was lost");
                            break;
                        }
                        Err(error) => {
                            lost(&app, &error.to_string());
                            break;
                        }
                    }
                }
            }
            Err(error) => lost(&app, &error.to_string()),
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

fn lost(app: &App, why: &str) {
    if app.bus.connected.swap(false, Ordering::Relaxed) {
        tracing::warn!(
            why,
            "the bus is lost: caches fall back to their time-to-live until it is back"
        );
    }
}

/// Applies another server's event; this server's own, and anything unreadable, are skipped.
/// A message sent elsewhere also makes this server's places in that conversation stale: the
/// sender forgot its own by member, but the event names no members, so they are found by key.
fn receive(app: &App, payload: &str) {
    match serde_json::from_str::<Envelope>(payload) {
        Ok(envelope) if envelope.from != app.bus.origin => {
            if let Change::Conversation(id) = envelope.change {
                app.people
                    .places
                    .forget_keys_where(|(conversation, _)| *conversation == id);
            }
            apply(app, envelope.change)
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "an event on the bus could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_ids_and_nothing_else() {
        let user = UserId::new();
        let envelope = Envelope {
            from: Uuid::nil(),
            change: Change::Member(user),
        };
        let text = serde_json::to_string(&envelope).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"from":"00000000-0000-0000-0000-000000000000","kind":"member","id":"{user}"}}"#
            )
        );
        let spaces = serde_json::to_string(&Envelope {
            from: Uuid::nil(),
            change: Change::Spaces,
        })
        .unwrap();
        let back: Envelope = serde_json::from_str(&spaces).unwrap();
        assert_eq!(back.change, Change::Spaces);
    }
}
