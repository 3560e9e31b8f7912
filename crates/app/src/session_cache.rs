//! The cache of authenticated sessions, so that a signed-in request does not need a database
//! round trip every time (see [`crate::cache`] for the consistency rules).

use crate::accounts::Viewer;
use crate::cache::TtlCache;
use mutual_domain::{SessionId, Timestamp, UserId};
use mutual_store::sessions::SessionRecord;
use std::time::Duration;

/// A session as last read from the database, with the viewer it authenticates.
#[derive(Clone)]
pub(crate) struct CachedSession {
    pub viewer: Viewer,
    pub session: SessionRecord,
    /// When it was read from the database: the entry expires a time-to-live after this,
    /// however often it is used, so a session ended on another server stops working here
    /// within that window.
    pub read_at: Timestamp,
}

/// Authenticated sessions by token hash.
#[derive(Clone)]
pub struct SessionCache(TtlCache<Vec<u8>, CachedSession>);

impl SessionCache {
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache(TtlCache::new(ttl))
    }

    pub(crate) fn get(&self, token_hash: &[u8], now: Timestamp) -> Option<CachedSession> {
        self.0.get(&token_hash.to_vec(), now)
    }

    /// Stores a session, expiring a time-to-live after it was read from the database (not
    /// after it was stored: storing a cached entry again must not extend its life).
    pub(crate) fn put(&self, token_hash: Vec<u8>, session: CachedSession) {
        let read_at = session.read_at;
        self.0.put(token_hash, session, read_at);
    }

    /// Forgets one session.
    pub(crate) fn forget_session(&self, session: SessionId) {
        self.0
            .forget_where(|entry| entry.viewer.session_id == session);
    }

    /// Forgets every session of one member.
    pub(crate) fn forget_user(&self, user: UserId) {
        self.0.forget_where(|entry| entry.viewer.user_id == user);
    }

    /// Forgets every session.
    pub(crate) fn forget_all(&self) {
        self.0.forget_where(|_| true);
    }
}
