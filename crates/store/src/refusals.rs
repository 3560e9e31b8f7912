//! What one process last saw of its SQLite writes: whether the latest ordinary write was refused
//! (a full disk, a lock held past the busy timeout) with none succeeding since. `/readyz`'s
//! heartbeat updates a row in place, which a full disk may still allow, so it asks this too.

use crate::StoreError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a refused write keeps the database reported as refusing writes, unless a later
/// write succeeds first.
const REMEMBERED: Duration = Duration::from_secs(30);

/// The latest refusal of an ordinary write, shared by every writer of one SQLite pool.
#[derive(Clone, Debug, Default)]
pub(crate) struct WriteRefusals(Arc<Mutex<Option<(Instant, StoreError)>>>);

impl WriteRefusals {
    /// Takes note of an ordinary write's outcome: a success clears the refusal, a refusal
    /// (`Unavailable`) replaces it, and any other error says nothing about the database.
    pub(crate) fn note(&self, outcome: Option<&StoreError>) {
        let mut latest = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            None => *latest = None,
            Some(error @ StoreError::Unavailable(_)) => {
                *latest = Some((Instant::now(), error.clone()));
            }
            Some(_) => {}
        }
    }

    /// The refusal of the latest ordinary write, when none has succeeded since and it came in
    /// the last [`REMEMBERED`].
    pub(crate) fn refusing(&self) -> Option<StoreError> {
        let latest = self.0.lock().unwrap_or_else(|e| e.into_inner());
        latest
            .as_ref()
            .filter(|(at, _)| at.elapsed() < REMEMBERED)
            .map(|(_, error)| error.clone())
    }
}
