//! A short-lived, in-process cache of authenticated sessions, so that a signed-in request does
//! not need a database round trip every time. The database stays the authority: entries live at
//! most `sessions.cache_seconds`, and every revocation made through this process (log out, end a
//! session, password change, suspension, role change, deletion) removes them at once. Another
//! server sharing the database sees such a revocation within `cache_seconds`.

use crate::accounts::Viewer;
use mutual_domain::{SessionId, Timestamp, UserId};
use mutual_store::sessions::SessionRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Entries kept at most; past this the cache starts again empty (cheap, and rare).
const MAX_ENTRIES: usize = 50_000;

/// A session as last read from the database, with the viewer it authenticates.
#[derive(Clone)]
pub(crate) struct CachedSession {
    pub viewer: Viewer,
    pub session: SessionRecord,
    pub cached_at: Timestamp,
}

/// Authenticated sessions by token hash.
#[derive(Clone)]
pub struct SessionCache {
    ttl: Duration,
    entries: Arc<Mutex<HashMap<Vec<u8>, CachedSession>>>,
}

impl SessionCache {
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache {
            ttl,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, CachedSession>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached session for a token hash, if cached within the time-to-live.
    pub(crate) fn get(&self, token_hash: &[u8], now: Timestamp) -> Option<CachedSession> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let entry = entries.get(token_hash)?;
        (now.since(entry.cached_at) < self.ttl && now >= entry.cached_at).then(|| entry.clone())
    }

    pub(crate) fn put(&self, token_hash: Vec<u8>, session: CachedSession) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token_hash, session);
    }

    /// Forgets one session.
    pub(crate) fn forget_session(&self, session: SessionId) {
        self.entries()
            .retain(|_, entry| entry.viewer.session_id != session);
    }

    /// Forgets every session of one member.
    pub(crate) fn forget_user(&self, user: UserId) {
        self.entries()
            .retain(|_, entry| entry.viewer.user_id != user);
    }
}
