//! Short-lived, in-process caches with a time-to-live, used to spare the database repeated reads
//! of the same member's data. The database stays the authority: an entry lives at most the
//! configured seconds, and every change made through this process removes the entries it
//! affects at once. Another server sharing the database sees a change within the time-to-live.

use mutual_domain::Timestamp;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Entries kept at most unless a cache says otherwise; past this the cache starts again empty
/// (cheap, and rare).
const MAX_ENTRIES: usize = 50_000;

struct Entry<V> {
    value: V,
    cached_at: Timestamp,
}

/// A map whose entries expire `ttl` after they were stored. A zero `ttl` caches nothing.
pub(crate) struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Arc<Mutex<HashMap<K, Entry<V>>>>,
}

impl<K, V> Clone for TtlCache<K, V> {
    fn clone(&self) -> Self {
        TtlCache {
            ttl: self.ttl,
            capacity: self.capacity,
            entries: self.entries.clone(),
        }
    }
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        TtlCache::with_capacity(ttl, MAX_ENTRIES)
    }

    /// A cache holding at most `capacity` entries (for large values).
    pub fn with_capacity(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<K, Entry<V>>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value cached for `key`, if stored less than `ttl` before `now`.
    pub fn get(&self, key: &K, now: Timestamp) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let entry = entries.get(key)?;
        (now >= entry.cached_at && now.since(entry.cached_at) < self.ttl)
            .then(|| entry.value.clone())
    }

    /// Stores a value read from the database at `now`.
    pub fn put(&self, key: K, value: V, now: Timestamp) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                value,
                cached_at: now,
            },
        );
    }

    /// Forgets every entry whose value matches.
    pub fn forget_where(&self, matches: impl Fn(&V) -> bool) {
        self.entries().retain(|_, entry| !matches(&entry.value));
    }

    /// Forgets every entry whose key matches.
    pub fn forget_keys_where(&self, matches: impl Fn(&K) -> bool) {
        self.entries().retain(|key, _| !matches(key));
    }

    /// Forgets one key.
    pub fn forget(&self, key: &K) {
        self.entries().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl_and_can_be_forgotten() {
        let cache = TtlCache::new(Duration::from_secs(10));
        cache.put("a", 1, Timestamp(0));
        assert_eq!(cache.get(&"a", Timestamp(9_999)), Some(1));
        assert_eq!(cache.get(&"a", Timestamp(10_000)), None);
        cache.put("b", 2, Timestamp(0));
        cache.forget_where(|v| *v == 2);
        assert_eq!(cache.get(&"b", Timestamp(1)), None);
        let off = TtlCache::new(Duration::ZERO);
        off.put("c", 3, Timestamp(0));
        assert_eq!(off.get(&"c", Timestamp(0)), None);
    }
}
