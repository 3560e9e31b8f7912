//! What the community keeps in memory on each server. The spaces, and a member's reading
//! context (private spaces' lists they are on, sanctions in force, blocks either way), live for
//! the session cache's seconds and are forgotten at once on this server when any of it changes
//! (another server sees the change within those seconds, as with sessions and roles). A thread
//! page's posts and reactions, a space's thread list and the spaces' thread counts are kept
//! with the thread's or spaces' versions and used only while the versions in the database are
//! the same, so they are never stale.

use crate::cache::TtlCache;
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::community::phrases::Phrases;
use mutual_domain::community::sanctions::Kind;
use mutual_domain::community::watched::Watched;
use mutual_store::community::{
    self as store, PostViewRow, SpaceRow, ThreadCursor, ThreadListRow, ThreadRow,
};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use uuid::Uuid;

/// Thread pages kept at most (a page of 50 posts is some tens of kilobytes).
const PAGES_KEPT: usize = 2_000;

/// A member's reading context.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    /// Private spaces' lists they are on: (space, `member` or `requested`).
    pub memberships: Vec<(Uuid, String)>,
    /// Sanctions that stop something, with when each ends (`None`: until lifted).
    pub restrictions: Vec<(Kind, Option<i64>)>,
    /// Everyone on the other side of a block: (id, pseudonym, whether this member placed it).
    pub blocked: Vec<(Uuid, String, bool)>,
}

impl Reader {
    /// Whether they are on a private space's list with `status` (`member` or `requested`).
    pub fn on_list(&self, space: Uuid, status: &str) -> bool {
        self.memberships
            .iter()
            .any(|(id, s)| *id == space && s == status)
    }

    /// The kinds of sanction in force at `now`.
    pub fn in_force(&self, now: i64) -> impl Iterator<Item = Kind> + '_ {
        self.restrictions
            .iter()
            .filter(move |(kind, ends)| kind.in_force(false, *ends, now))
            .map(|(kind, _)| *kind)
    }
}

/// A thread page's rows as every viewer shares them.
#[derive(Debug)]
pub(crate) struct PageRows {
    pub version: i64,
    pub posts: Vec<PostViewRow>,
    /// (post, reaction, who gave it).
    pub reactions: Vec<(Uuid, String, Vec<Uuid>)>,
}

/// A page of a space's thread list as every viewer shares it.
#[derive(Debug)]
pub(crate) struct ListRows {
    pub version: i64,
    pub threads: Vec<ThreadListRow>,
}

/// The community's caches.
#[derive(Clone)]
pub(crate) struct CommunityCache {
    spaces: TtlCache<(), Arc<Vec<SpaceRow>>>,
    readers: TtlCache<UserId, Arc<Reader>>,
    pages: TtlCache<(Uuid, i64), Arc<PageRows>>,
    lists: TtlCache<(Uuid, Option<ThreadCursor>), Arc<ListRows>>,
    /// Kept until a space's version moves on (a recount reads every thread).
    counts: Arc<Mutex<Option<Arc<ThreadCounts>>>>,
    /// The crisis phrases ready to match, with the list text they were made from.
    crisis: MadeFrom<Phrases>,
    /// The watched words ready to check, with the list text they were made from.
    watched: MadeFrom<Watched>,
}

/// Open threads per space, with the spaces' versions they were counted at.
#[derive(Debug)]
pub(crate) struct ThreadCounts {
    versions: Vec<(Uuid, i64)>,
    pub counts: Vec<(Uuid, i64)>,
}

impl CommunityCache {
    pub fn new(ttl: Duration) -> CommunityCache {
        CommunityCache {
            spaces: TtlCache::new(ttl),
            readers: TtlCache::new(ttl),
            pages: TtlCache::with_capacity(ttl, PAGES_KEPT),
            lists: TtlCache::with_capacity(ttl, PAGES_KEPT),
            counts: Arc::default(),
            crisis: MadeFrom::default(),
            watched: MadeFrom::default(),
        }
    }
}

impl CommunityCache {
    fn counts(&self) -> MutexGuard<'_, Option<Arc<ThreadCounts>>> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A list made ready from its text (an admin-edited setting), with the text it was made from:
/// made again only when the text in force differs, so an edit on any server holds at once.
pub(crate) struct MadeFrom<T>(Arc<Mutex<Option<Made<T>>>>);

/// The text a list was made from, and what was made.
type Made<T> = (String, Arc<T>);

impl<T> Clone for MadeFrom<T> {
    fn clone(&self) -> Self {
        MadeFrom(self.0.clone())
    }
}

impl<T> Default for MadeFrom<T> {
    fn default() -> Self {
        MadeFrom(Arc::default())
    }
}

impl<T> MadeFrom<T> {
    fn get(&self, text: &str, make: impl FnOnce(&str) -> T) -> Arc<T> {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*held {
            Some((made_from, made)) if made_from == text => made.clone(),
            _ => {
                let made = Arc::new(make(text));
                *held = Some((text.to_owned(), made.clone()));
                made
            }
        }
    }
}

/// The crisis phrases of `text` (the list in force) ready to match.
pub(crate) fn crisis_phrases(app: &App, text: &str) -> Arc<Phrases> {
    app.community
        .crisis
        .get(text, |text| Phrases::new(text.lines()))
}

/// The watched words of `text` (the list in force) ready to check. Saved lists were checked
/// when saved; an unreadable one falls back to the defaults.
pub(crate) fn watched_words(app: &App, text: &str) -> Arc<Watched> {
    app.community.watched.get(text, |text| {
        Watched::from_lines(text).unwrap_or_else(|_| Watched::defaults())
    })
}

/// Every space, in order, from memory when this server read them lately.
pub(crate) async fn spaces(app: &App) -> Result<Arc<Vec<SpaceRow>>, AppError> {
    let now = app.clock.now();
    if let Some(spaces) = app.community.spaces.get(&(), now) {
        return Ok(spaces);
    }
    let spaces = Arc::new(store::list_spaces(&app.db).await?);
    app.community.spaces.put((), spaces.clone(), now);
    Ok(spaces)
}

/// Forgets every member's reading context.
pub(crate) fn forget_all_readers(app: &App) {
    app.community.readers.forget_where(|_| true);
}

/// Forgets the spaces after an admin changed one.
pub(crate) fn forget_spaces(app: &App) {
    app.community.spaces.forget(&());
}

/// The member's reading context, from memory when this server read it lately.
pub(crate) async fn reader(app: &App, user: UserId) -> Result<Arc<Reader>, AppError> {
    let now = app.clock.now();
    if let Some(reader) = app.community.readers.get(&user, now) {
        return Ok(reader);
    }
    let restrictions = mutual_store::standing::list_in_force(&app.db, user, now.millis())
        .await?
        .into_iter()
        .filter_map(|row| Kind::parse(&row.kind).map(|kind| (kind, row.ends_at)))
        .collect();
    let reader = Arc::new(Reader {
        memberships: store::list_memberships(&app.db, user).await?,
        restrictions,
        blocked: mutual_store::standing::list_blocked_either_way(&app.db, user).await?,
    });
    app.community.readers.put(user, reader.clone(), now);
    Ok(reader)
}

/// Forgets members' reading contexts after something in them changed.
pub(crate) fn forget_readers(app: &App, users: &[UserId]) {
    for user in users {
        app.community.readers.forget(user);
    }
}

/// The posts (from `first` to `last`) and reactions of a thread page, from memory while the
/// thread's version is the one cached. `thread` must have been read before the rows are.
pub(crate) async fn page_rows(
    app: &App,
    thread: &ThreadRow,
    page: i64,
    first: i64,
    last: i64,
) -> Result<Arc<PageRows>, AppError> {
    let now = app.clock.now();
    let key = (thread.id, page);
    if let Some(rows) = app.community.pages.get(&key, now)
        && rows.version == thread.version
    {
        return Ok(rows);
    }
    let posts = store::list_posts(&app.db, thread.id, first, last).await?;
    let mut reactions: Vec<(Uuid, String, Vec<Uuid>)> = Vec::new();
    for (post, kind, user) in store::list_reactions(&app.db, thread.id, first, last).await? {
        match reactions
            .iter_mut()
            .find(|(p, k, _)| *p == post && *k == kind)
        {
            Some((_, _, who)) => who.push(user),
            None => reactions.push((post, kind, vec![user])),
        }
    }
    let rows = Arc::new(PageRows {
        version: thread.version,
        posts,
        reactions,
    });
    app.community.pages.put(key, rows.clone(), now);
    Ok(rows)
}

/// A page of a space's thread list (`limit` threads after `before`), from memory while the
/// space's version is the one cached.
pub(crate) async fn list_rows(
    app: &App,
    space: Uuid,
    before: Option<ThreadCursor>,
    limit: i64,
) -> Result<Arc<ListRows>, AppError> {
    let now = app.clock.now();
    let version = store::find_space_version(&app.db, space)
        .await?
        .ok_or(AppError::NotFound)?;
    let key = (space, before);
    if let Some(rows) = app.community.lists.get(&key, now)
        && rows.version == version
    {
        return Ok(rows);
    }
    let rows = Arc::new(ListRows {
        version,
        threads: store::list_threads(&app.db, space, before, limit).await?,
    });
    app.community.lists.put(key, rows.clone(), now);
    Ok(rows)
}

/// Open threads per space, counted again only when a space's version has moved on.
pub(crate) async fn thread_counts(app: &App) -> Result<Arc<ThreadCounts>, AppError> {
    let versions = store::list_space_versions(&app.db).await?;
    let kept = app.community.counts().clone();
    if let Some(counts) = kept
        && counts.versions == versions
    {
        return Ok(counts);
    }
    let counts = Arc::new(ThreadCounts {
        versions,
        counts: store::count_threads_by_space(&app.db).await?,
    });
    *app.community.counts() = Some(counts.clone());
    Ok(counts)
}
