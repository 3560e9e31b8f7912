//! The community: who may see which space, starting threads and replying (with Markdown made
//! safe, crisis language answered with resources and a moderator's attention, watched words and
//! trust-level limits applied), reading a thread page by page, reactions, subscriptions and
//! unread markers, mentions and quotes that notify, and full-text search. Moderation lives in
//! [`moderation`].

pub mod blocks;
pub(crate) mod cached;
pub mod milestones;
pub mod moderation;
pub mod standing;

use crate::accounts::Viewer;
use crate::notifications::Message;
use crate::{App, AppError, FieldError};
use mutual_domain::community::markdown;
use mutual_domain::community::phrases::Phrases;
use mutual_domain::community::posts::{self, Visibility};
use mutual_domain::community::search::{self, parse_query};
use mutual_domain::community::trust::{self, Activity, Thresholds, TrustLevel};
use mutual_domain::community::watched::{self, Action as WatchAction, Watched};
use mutual_domain::permissions::Role;
use mutual_domain::{Timestamp, UserId};
use mutual_store::community::{self as store, NewPost, ReplyRefused, SearchFilter};
pub use mutual_store::community::{
    FlagRow, ModerationLogRow, PostEditRow, PostRow, PostViewRow, SearchRow, SpaceRow,
    ThreadListRow, ThreadRow,
};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Posts per page of a thread.
pub const POSTS_PER_PAGE: i64 = 50;
/// Threads per page of a space.
pub const THREADS_PER_PAGE: i64 = 30;
/// Search results per page.
pub const RESULTS_PER_PAGE: i64 = 20;
/// How much members' flags must weigh together to hide a post until a moderator looks (two
/// trusted members, or three members at the Member level).
pub const HIDE_WEIGHT: i64 = 6;

pub use mutual_domain::community::author::{ANONYMOUS_NAME, Author};

/// The setting holding the crisis phrases (one per line), when an admin has changed them.
pub const SETTING_CRISIS_PHRASES: &str = "community.crisis_phrases";
/// The setting holding the watched words ("action: phrase" per line), when changed.
pub const SETTING_WATCHED_WORDS: &str = "community.watched_words";

fn visibility(space: &SpaceRow) -> Visibility {
    Visibility::parse(&space.visibility).unwrap_or(Visibility::Private)
}

/// Whether someone with `role` (`None` for a visitor) may see a space, given the private
/// spaces' lists they are on.
fn may_see(space: &SpaceRow, role: Option<Role>, reader: &cached::Reader) -> bool {
    match (visibility(space), role) {
        (Visibility::Public, _) => true,
        (_, None) => false,
        (Visibility::Members, Some(_)) => true,
        (_, Some(role)) => role.can_moderate() || reader.on_list(space.id, "member"),
    }
}

/// The viewer's role and reading context, for [`may_see`]; a member removed from the
/// community is refused here, before anything is read.
async fn reader(
    app: &App,
    viewer: Option<&Viewer>,
) -> Result<(Option<Role>, Arc<cached::Reader>), AppError> {
    let Some(viewer) = viewer else {
        return Ok((None, Arc::default()));
    };
    let reader = cached::reader(app, viewer.user_id).await?;
    standing::ensure_may_read(&reader, app.clock.now().millis())?;
    Ok((Some(viewer.role), reader))
}

/// A space as a viewer sees it in the list.
#[derive(Clone, Debug)]
pub struct SpaceSummary {
    pub space: SpaceRow,
    pub threads: i64,
    pub visible: bool,
    /// For private spaces the viewer cannot see: whether they asked to join.
    pub requested: bool,
}

/// Every space the viewer may see, and the private ones they could ask to join.
pub async fn spaces(app: &App, viewer: Option<&Viewer>) -> Result<Vec<SpaceSummary>, AppError> {
    let all = cached::spaces(app).await?;
    let (role, memberships) = reader(app, viewer).await?;
    let counts = cached::thread_counts(app).await?;
    let mut out = Vec::new();
    for space in all.iter() {
        let visible = may_see(space, role, &memberships);
        // Members learn that a private group exists (so they can ask to join); supporters'
        // spaces and anything for visitors stay unseen.
        let listed = visible || (viewer.is_some() && visibility(space) == Visibility::Private);
        if !listed {
            continue;
        }
        let requested = !visible && memberships.on_list(space.id, "requested");
        let threads = counts
            .counts
            .iter()
            .find(|(id, _)| *id == space.id)
            .map_or(0, |(_, n)| *n);
        out.push(SpaceSummary {
            space: space.clone(),
            threads: if visible { threads } else { 0 },
            visible,
            requested,
        });
    }
    Ok(out)
}

/// Every space the viewer may see.
async fn visible_spaces(app: &App, viewer: Option<&Viewer>) -> Result<Vec<SpaceRow>, AppError> {
    let (role, memberships) = reader(app, viewer).await?;
    Ok(cached::spaces(app)
        .await?
        .iter()
        .filter(|space| may_see(space, role, &memberships))
        .cloned()
        .collect())
}

/// A space the viewer may see; otherwise the visitor is asked to sign in (for members' spaces)
/// or nobody learns it exists.
pub async fn space_for(app: &App, viewer: Option<&Viewer>, id: Uuid) -> Result<SpaceRow, AppError> {
    let space = cached::spaces(app)
        .await?
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let (role, memberships) = reader(app, viewer).await?;
    if may_see(&space, role, &memberships) {
        Ok(space)
    } else if viewer.is_none() && visibility(&space) == Visibility::Members {
        Err(AppError::SignInRequired)
    } else {
        Err(AppError::NotFound)
    }
}

/// One page of a space's threads.
pub struct SpacePage {
    pub space: SpaceRow,
    pub threads: Vec<ThreadListRow>,
    /// Where the next page starts, when there is one.
    pub next: Option<store::ThreadCursor>,
}

/// A page of a space's threads, most recently active first.
pub async fn space_page(
    app: &App,
    viewer: Option<&Viewer>,
    id: Uuid,
    before: Option<store::ThreadCursor>,
) -> Result<SpacePage, AppError> {
    let space = space_for(app, viewer, id).await?;
    let mut threads = cached::list_rows(app, space.id, before, THREADS_PER_PAGE + 1)
        .await?
        .threads
        .clone();
    let next = if threads.len() as i64 > THREADS_PER_PAGE {
        threads.truncate(THREADS_PER_PAGE as usize);
        threads.last().map(|t| (t.last_post_at, t.id))
    } else {
        None
    };
    let blocked = blocks::Blocked::around(app, viewer.map(|v| v.user_id)).await?;
    threads.retain(|t| !blocked.hides(t.author().name()));
    if let Some(viewer) = viewer {
        let ids: Vec<Uuid> = threads.iter().map(|t| t.id).collect();
        let reads = store::list_last_reads(&app.db, viewer.user_id, &ids).await?;
        for thread in &mut threads {
            thread.last_read = reads
                .iter()
                .find(|(id, _)| *id == thread.id)
                .map(|(_, seq)| *seq);
        }
    }
    Ok(SpacePage {
        space,
        threads,
        next,
    })
}

/// A post as written in the composer.
#[derive(Clone, Debug, Default)]
pub struct ComposeInput<'a> {
    /// Only for a new thread.
    pub title: &'a str,
    pub body: &'a str,
    pub anonymous: bool,
    pub content_warning: &'a str,
    /// The post being quoted, if any.
    pub quoted: Option<Uuid>,
}

/// What happened to a new post.
#[derive(Clone, Debug)]
pub struct Posted {
    pub thread_id: Uuid,
    pub post_id: Uuid,
    pub seq: i64,
    /// Crisis language was found: the author is shown the crisis resources at once.
    pub crisis_resources_shown: bool,
    /// Held until a moderator approves it (a watched word asked for that).
    pub held_for_review: bool,
}

/// The member's trust level now.
pub async fn trust_level(app: &App, viewer: &Viewer) -> Result<TrustLevel, AppError> {
    trust_level_of(app, viewer.user_id, viewer.role, viewer.member_since).await
}

/// Any member's trust level now, from their role and when they joined.
pub async fn trust_level_of(
    app: &App,
    user: UserId,
    role: Role,
    member_since: Timestamp,
) -> Result<TrustLevel, AppError> {
    if role.can_moderate() {
        return Ok(TrustLevel::Trusted);
    }
    let now = app.clock.now();
    let (posts_read, days_visited) = store::find_activity(&app.db, user).await?;
    let quarter = now.minus(Duration::from_secs(90 * 24 * 3600)).millis();
    let upheld = store::count_upheld_flags_against(&app.db, user, quarter).await?;
    let days = (now.millis() - member_since.millis()).max(0) / (24 * 3600 * 1000);
    let activity = Activity {
        days_since_joining: days as u32,
        posts_read: posts_read as u32,
        days_visited: days_visited as u32,
        upheld_flags: upheld as u32,
    };
    Ok(TrustLevel::earned(&activity, &Thresholds::default()))
}

/// The crisis phrases in force, one per line (the defaults until an admin edits them).
pub async fn crisis_phrases(app: &App) -> Result<String, AppError> {
    Ok(
        mutual_store::settings::find_setting(&app.db, SETTING_CRISIS_PHRASES)
            .await?
            .unwrap_or_else(Phrases::crisis_default_lines),
    )
}

/// Whether `text` holds crisis language, by the phrases in force (posts, replies and private
/// messages alike).
pub async fn has_crisis_language(app: &App, text: &str) -> Result<bool, AppError> {
    let phrases = cached::crisis_phrases(app, &crisis_phrases(app).await?);
    Ok(!phrases.found_in(text).is_empty())
}

/// The watched words in force, one "action: phrase" per line.
pub async fn watched_words(app: &App) -> Result<String, AppError> {
    Ok(
        mutual_store::settings::find_setting(&app.db, SETTING_WATCHED_WORDS)
            .await?
            .unwrap_or_else(watched::default_lines),
    )
}

/// The watched words in force, ready for checking a text.
pub(crate) async fn watched(app: &App) -> Result<Arc<Watched>, AppError> {
    Ok(cached::watched_words(app, &watched_words(app).await?))
}

/// Saves the crisis phrases and watched words (admins).
pub async fn save_safety_lists(
    app: &App,
    viewer: &Viewer,
    crisis: &str,
    watched: &str,
) -> Result<(), AppError> {
    if viewer.role != Role::Admin {
        return Err(AppError::Forbidden("Only admins change the safety lists."));
    }
    let mut errors = Vec::new();
    if crisis.lines().all(|l| l.trim().is_empty()) {
        errors.push(FieldError::new(
            "crisis_phrases",
            "Keep at least one crisis phrase: an empty list would leave people in crisis unnoticed.",
        ));
    }
    for (field, text) in [("crisis_phrases", crisis), ("watched_words", watched)] {
        if text.chars().count() > 20_000 {
            errors.push(FieldError::new(
                field,
                "Keep the list under 20,000 characters.",
            ));
        }
    }
    if let Err(line) = watched::parse_lines(watched) {
        errors.push(FieldError::new(
            "watched_words",
            format!(
                "Line {line} should read \"flag: phrase\", \"require_approval: phrase\" or \"block: phrase\"."
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.clock.now();
    mutual_store::settings::upsert_setting(&app.db, SETTING_CRISIS_PHRASES, crisis.trim(), now)
        .await?;
    mutual_store::settings::upsert_setting(&app.db, SETTING_WATCHED_WORDS, watched.trim(), now)
        .await?;
    Ok(())
}

/// Refused when the member's trust level does not allow links yet and the body has one.
fn ensure_links_allowed(limits: &trust::Limits, body: &str) -> Result<(), AppError> {
    if !limits.links_allowed && posts::has_link(body) {
        return Err(AppError::field(
            "body",
            "New members can share links after their first few days here (this keeps spam out). Please post without the link for now.",
        ));
    }
    Ok(())
}

/// Why a thread takes no replies now, if it does not.
const LOCKED: &str = "This thread is locked: moderators have closed it to new replies.";

/// Checks a post against the rules (its title for a new thread, size, trust-level limits,
/// watched words), renders it, and says what the watched words ask for. Every field's problem
/// is reported at once.
async fn prepare(
    app: &App,
    viewer: &Viewer,
    input: &ComposeInput<'_>,
    title_problem: Option<posts::PostProblem>,
) -> Result<(NewPost, Option<WatchAction>), AppError> {
    standing::ensure_may_post(app, viewer).await?;
    let mut errors: Vec<FieldError> = title_problem.into_iter().map(FieldError::from).collect();
    let body = posts::parse_body(input.body).map_err(|p| errors.push(p.into()));
    let warning =
        posts::parse_content_warning(input.content_warning).map_err(|p| errors.push(p.into()));
    let (Ok(body), Ok(warning), true) = (body, warning, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let limits = trust_level(app, viewer).await?.limits();
    ensure_links_allowed(&limits, &body)?;
    let now = app.clock.now();
    let hour_ago = now.minus(Duration::from_secs(3600)).millis();
    let ages: Vec<Duration> = store::list_post_times_since(&app.db, viewer.user_id, hour_ago)
        .await?
        .into_iter()
        .map(|at| Duration::from_millis((now.millis() - at).max(0) as u64))
        .collect();
    if let Err(wait) = trust::next_post_allowed(&ages, &limits) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return Err(AppError::TooOften(
            FieldError::new(
                "body",
                format!(
                    "You have posted a lot in the last hour; at your trust level you can post {} times an hour. You can post again in {minutes} minute{}. What you wrote is still here.",
                    limits.posts_per_hour,
                    if minutes == 1 { "" } else { "s" }
                ),
            ),
            wait,
        ));
    }
    let text = format!("{}\n{}", input.title, body);
    let action = watched(app).await?.check(&text).map(|m| m.action);
    if action == Some(WatchAction::Block) {
        return Err(AppError::field(
            "body",
            "This post contains words this community does not allow. Please reword it; what you wrote is still here.",
        ));
    }
    let crisis = has_crisis_language(app, &text).await?;
    let state = if action == Some(WatchAction::RequireApproval) {
        "pending"
    } else {
        "published"
    };
    Ok((
        NewPost {
            id: Uuid::now_v7(),
            author_id: viewer.user_id.0,
            anonymous: input.anonymous,
            html: markdown::render(&body),
            body,
            content_warning: warning,
            crisis,
            state: state.to_owned(),
            quoted_post: input.quoted,
            created_at: now.millis(),
        },
        action,
    ))
}

/// Starts a thread in a space.
pub async fn start_thread(
    app: &App,
    viewer: &Viewer,
    space: Uuid,
    input: &ComposeInput<'_>,
) -> Result<Posted, AppError> {
    let space = space_for(app, Some(viewer), space).await?;
    let title = posts::parse_title(input.title);
    let (post, action) = prepare(app, viewer, input, title.clone().err()).await?;
    let thread = ThreadRow {
        id: Uuid::now_v7(),
        space_id: space.id,
        author_id: Some(viewer.user_id.0),
        anonymous: input.anonymous,
        // A bad title was refused by `prepare`, with the other fields' problems.
        title: title?,
        state: if post.state == "pending" {
            "pending"
        } else {
            "open"
        }
        .to_owned(),
        locked: false,
        post_count: 1,
        created_at: post.created_at,
        last_post_at: post.created_at,
        version: 0,
    };
    store::insert_thread(&app.db, &thread, &post).await?;
    store::insert_subscription(&app.db, thread.id, viewer.user_id, post.created_at).await?;
    let posted = Posted {
        thread_id: thread.id,
        post_id: post.id,
        seq: 1,
        crisis_resources_shown: post.crisis,
        held_for_review: post.state == "pending",
    };
    after_posting(app, viewer, &space, &thread, &post, 1, action).await?;
    Ok(posted)
}

/// A thread the viewer may see (its space visible, the thread open, or theirs while held, or
/// the viewer a moderator).
pub async fn thread_for(
    app: &App,
    viewer: Option<&Viewer>,
    id: Uuid,
) -> Result<(SpaceRow, ThreadRow), AppError> {
    let thread = store::find_thread(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_thread(app, viewer, thread).await
}

/// The thread with its space when the viewer may see it.
async fn visible_thread(
    app: &App,
    viewer: Option<&Viewer>,
    thread: ThreadRow,
) -> Result<(SpaceRow, ThreadRow), AppError> {
    let space = space_for(app, viewer, thread.space_id).await?;
    let moderator = viewer.is_some_and(|v| v.role.can_moderate());
    let own = viewer.is_some_and(|v| thread.author_id == Some(v.user_id.0));
    match thread.state.as_str() {
        "open" => Ok((space, thread)),
        "pending" if own || moderator => Ok((space, thread)),
        "hidden" if moderator => Ok((space, thread)),
        _ => Err(AppError::NotFound),
    }
}

/// Replies to a thread.
pub async fn reply(
    app: &App,
    viewer: &Viewer,
    thread: Uuid,
    input: &ComposeInput<'_>,
) -> Result<Posted, AppError> {
    let (space, thread) = thread_for(app, Some(viewer), thread).await?;
    if thread.locked {
        return Err(AppError::Forbidden(LOCKED));
    }
    if thread.state != "open" {
        return Err(AppError::Forbidden(
            "This thread is waiting for a moderator; replies open once it is approved.",
        ));
    }
    let quoted = match input.quoted {
        Some(id) => match store::find_post(&app.db, id).await? {
            Some(post) if post.thread_id == thread.id && post.state == "published" => Some(post),
            _ => None,
        },
        None => None,
    };
    let input = ComposeInput {
        quoted: quoted.as_ref().map(|p| p.id),
        ..input.clone()
    };
    let (post, action) = prepare(app, viewer, &input, None).await?;
    let seq = match store::insert_reply(&app.db, thread.id, &post).await? {
        Ok(seq) => seq,
        Err(ReplyRefused::Locked) => return Err(AppError::Forbidden(LOCKED)),
        Err(ReplyRefused::Gone) => return Err(AppError::NotFound),
    };
    store::insert_subscription(&app.db, thread.id, viewer.user_id, post.created_at).await?;
    after_posting(app, viewer, &space, &thread, &post, seq, action).await?;
    if let Some(quoted) = quoted {
        notify_quoted(app, viewer, &space, &thread, &post, seq, &quoted).await?;
    }
    Ok(Posted {
        thread_id: thread.id,
        post_id: post.id,
        seq,
        crisis_resources_shown: post.crisis,
        held_for_review: post.state == "pending",
    })
}

/// A notification that the viewer did `what` in a thread: by reference to them when the post
/// is signed, as "Anonymous member" when it is not, and by reference to the thread.
fn told_of_post(viewer: &Viewer, anonymous: bool, what: &str, thread: Uuid) -> Message {
    let author = Author::of(anonymous, Some(viewer.username.as_str()));
    Message::default()
        .author(&author, viewer.user_id)
        .text(what)
        .thread(thread)
        .text("\"")
}

/// The link to a post in its thread.
pub fn post_link(thread: Uuid, seq: i64) -> String {
    let page = (seq - 1) / POSTS_PER_PAGE + 1;
    if page == 1 {
        format!("/threads/{thread}#p{seq}")
    } else {
        format!("/threads/{thread}?page={page}#p{seq}")
    }
}

/// What follows a post: the crisis and watched-word queue items, and notifications to
/// subscribers and mentioned members (who must be able to see the space).
async fn after_posting(
    app: &App,
    viewer: &Viewer,
    space: &SpaceRow,
    thread: &ThreadRow,
    post: &NewPost,
    seq: i64,
    action: Option<WatchAction>,
) -> Result<(), AppError> {
    let link = post_link(thread.id, seq);
    if post.crisis {
        moderation::raise(app, post.id, "crisis", 0).await?;
        let staff = moderation::staff(app).await?;
        crate::notifications::notify(
            app,
            &staff,
            "crisis",
            "A post may be from someone in crisis. Please look now.",
            "/moderation",
        )
        .await?;
    }
    match action {
        Some(WatchAction::RequireApproval) => moderation::raise(app, post.id, "held", 1).await?,
        Some(WatchAction::Flag) => moderation::raise(app, post.id, "watched", 2).await?,
        _ => {}
    }
    if post.state != "published" {
        return Ok(());
    }
    let mut told: Vec<Uuid> = vec![viewer.user_id.0];
    let subscribers = store::list_subscribers(&app.db, thread.id).await?;
    let recipients: Vec<UserId> = readers_of(app, viewer, post.anonymous, space, subscribers)
        .await?
        .into_iter()
        .filter(|u| !told.contains(&u.0))
        .collect();
    told.extend(recipients.iter().map(|u| u.0));
    crate::notifications::notify(
        app,
        &recipients,
        "reply",
        told_of_post(viewer, post.anonymous, " replied in \"", thread.id),
        &link,
    )
    .await?;
    let named: Vec<Uuid> =
        mutual_store::accounts::list_user_ids_named(&app.db, &posts::mentions(&post.body))
            .await?
            .into_iter()
            .filter(|id| !told.contains(id))
            .collect();
    let mentioned = readers_of(app, viewer, post.anonymous, space, named).await?;
    crate::notifications::notify(
        app,
        &mentioned,
        "mention",
        told_of_post(viewer, post.anonymous, " mentioned you in \"", thread.id),
        &link,
    )
    .await
}

/// Of `users`, those who may still read `space` (a private group's list changes; a thread can
/// move) and have no block with the author: nobody hears of a post they cannot open or chose
/// not to see.
async fn readers_of(
    app: &App,
    author: &Viewer,
    anonymous: bool,
    space: &SpaceRow,
    users: Vec<Uuid>,
) -> Result<Vec<UserId>, AppError> {
    let users = blocks::without_blocked(
        app,
        author,
        anonymous,
        users.into_iter().map(UserId).collect(),
    )
    .await?;
    if users.is_empty() || !visibility(space).needs_membership() {
        return Ok(users);
    }
    let members = store::list_space_members(&app.db, space.id).await?;
    let staff = store::list_staff(&app.db).await?;
    Ok(users
        .into_iter()
        .filter(|user| {
            staff.contains(&user.0)
                || members
                    .iter()
                    .any(|(id, _, status)| *id == user.0 && status == "member")
        })
        .collect())
}

async fn notify_quoted(
    app: &App,
    viewer: &Viewer,
    space: &SpaceRow,
    thread: &ThreadRow,
    post: &NewPost,
    seq: i64,
    quoted: &PostRow,
) -> Result<(), AppError> {
    let Some(author) = quoted.author_id else {
        return Ok(());
    };
    if author == viewer.user_id.0 || post.state != "published" {
        return Ok(());
    }
    crate::notifications::notify(
        app,
        &readers_of(app, viewer, post.anonymous, space, vec![author]).await?,
        "quote",
        told_of_post(viewer, post.anonymous, " quoted you in \"", thread.id),
        &post_link(thread.id, seq),
    )
    .await
}

/// A reaction on a post, counted.
#[derive(Clone, Debug)]
pub struct ReactionCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub mine: bool,
}

/// A post as a viewer sees it.
#[derive(Clone, Debug)]
pub struct PostView {
    pub row: PostViewRow,
    /// Who it is shown as written by.
    pub author: Author,
    pub own: bool,
    /// Shown as a placeholder (deleted, hidden or held) instead of its content.
    pub placeholder: Option<&'static str>,
    pub reactions: Vec<ReactionCount>,
}

/// One page of a thread.
pub struct ThreadPage {
    pub space: SpaceRow,
    pub thread: ThreadRow,
    pub posts: Vec<PostView>,
    pub page: i64,
    pub pages: i64,
    pub subscribed: bool,
    /// The last post the viewer had read before this visit.
    pub last_read: i64,
    pub can_reply: bool,
    pub moderator: bool,
}

/// How many pages a thread has.
pub fn page_count(thread: &ThreadRow) -> i64 {
    ((thread.post_count - 1) / POSTS_PER_PAGE + 1).max(1)
}

/// A page of a thread (from 1), with reactions, placeholders for what the viewer may not read,
/// and the viewer's read marker moved on.
pub async fn thread_page(
    app: &App,
    viewer: Option<&Viewer>,
    id: Uuid,
    page: i64,
) -> Result<ThreadPage, AppError> {
    // The thread and where the viewer stands in it, in one read.
    let (thread, subscribed, last_read) = match viewer {
        Some(v) => {
            let found = store::find_thread_for_reader(&app.db, id, v.user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            (found.thread, found.subscribed, found.last_read)
        }
        None => (
            store::find_thread(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?,
            false,
            0,
        ),
    };
    let (space, thread) = visible_thread(app, viewer, thread).await?;
    let pages = page_count(&thread);
    if page < 1 || page > pages {
        return Err(AppError::NotFound);
    }
    let first = (page - 1) * POSTS_PER_PAGE + 1;
    let last = page * POSTS_PER_PAGE;
    let rows = cached::page_rows(app, &thread, page, first, last).await?;
    let moderator = viewer.is_some_and(|v| v.role.can_moderate());
    let blocked = blocks::Blocked::around(app, viewer.map(|v| v.user_id)).await?;
    let posts: Vec<PostView> = rows
        .posts
        .iter()
        // Someone who blocked the viewer is simply not there: the viewer cannot tell.
        .filter(|row| {
            let author = row.author();
            !blocked.hides(author.name()) || blocked.placed_by_viewer(author.name())
        })
        .map(|row| {
            let own = viewer.is_some_and(|v| row.post.author_id == Some(v.user_id.0));
            let placeholder = match row.post.state.as_str() {
                "deleted" => Some("This post was deleted."),
                "hidden" if !moderator => Some("This post was hidden by the moderators."),
                "pending" if !(moderator || own) => Some("This post is waiting for a moderator."),
                _ if blocked.hides(row.author().name()) => Some("Hidden: you blocked this member."),
                _ => None,
            };
            let author = row.author();
            let reactions = posts::reactions_for(&space.purpose, row.post.crisis)
                .map(|(kind, label)| {
                    let who = rows
                        .reactions
                        .iter()
                        .find(|(post, k, _)| *post == row.post.id && k == kind)
                        .map_or(&[][..], |(_, _, who)| who.as_slice());
                    ReactionCount {
                        kind,
                        label,
                        count: who.len() as i64,
                        mine: viewer.is_some_and(|v| who.contains(&v.user_id.0)),
                    }
                })
                .collect();
            PostView {
                own,
                placeholder,
                author,
                reactions,
                row: row.clone(),
            }
        })
        .collect();
    if let Some(viewer) = viewer {
        let seen = rows.posts.last().map_or(0, |p| p.post.seq);
        if seen > last_read {
            let day = app.clock.now().millis() / (24 * 3600 * 1000);
            store::record_reading(
                &app.db,
                thread.id,
                viewer.user_id,
                seen,
                seen - last_read,
                day,
            )
            .await?;
        }
    }
    Ok(ThreadPage {
        can_reply: viewer.is_some() && !thread.locked && thread.state == "open",
        space,
        thread,
        posts,
        page,
        pages,
        subscribed,
        last_read,
        moderator,
    })
}

/// A post the viewer may see, with its thread and space.
pub async fn post_for(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(SpaceRow, ThreadRow, PostRow), AppError> {
    let post = store::find_post(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (space, thread) = thread_for(app, Some(viewer), post.thread_id).await?;
    let own = post.author_id == Some(viewer.user_id.0);
    let visible = match post.state.as_str() {
        "published" => true,
        "pending" | "hidden" => own || viewer.role.can_moderate(),
        _ => false,
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    Ok((space, thread, post))
}

/// The author edits their post; the earlier version is kept for moderators.
pub async fn edit_own_post(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    body: &str,
) -> Result<String, AppError> {
    let (_, thread, post) = post_for(app, viewer, id).await?;
    if post.author_id != Some(viewer.user_id.0) {
        return Err(AppError::NotFound);
    }
    if thread.locked {
        return Err(AppError::Forbidden(
            "This thread is locked; its posts can no longer be edited.",
        ));
    }
    standing::ensure_may_post(app, viewer).await?;
    let body = posts::parse_body(body)?;
    ensure_links_allowed(&trust_level(app, viewer).await?.limits(), &body)?;
    store_edit(app, &post, viewer.user_id, &body, "").await?;
    Ok(post_link(thread.id, post.seq))
}

/// Replaces a post's body with a checked one, rendered, keeping the earlier version (with who
/// edited and their note) for moderators.
pub(crate) async fn store_edit(
    app: &App,
    post: &PostRow,
    editor: UserId,
    body: &str,
    note: &str,
) -> Result<(), AppError> {
    let html = markdown::render(body);
    let now = app.clock.now().millis();
    store::update_post_body(&app.db, post, body, &html, editor, note, now).await?;
    Ok(())
}

/// Sets a post's state; an opening post takes its thread with it (published opens the thread,
/// hidden, deleted or held keep it from members).
pub(crate) async fn set_post_state(
    app: &App,
    post: &PostRow,
    thread: &mut ThreadRow,
    state: &str,
) -> Result<(), AppError> {
    store::set_post_state(&app.db, post, state).await?;
    if post.seq == 1 {
        thread.state = match state {
            "published" => "open",
            other => other,
        }
        .to_owned();
        store::update_thread(&app.db, thread).await?;
    }
    Ok(())
}

/// The author deletes their post: its content is purged, a placeholder keeps its place.
pub async fn delete_own_post(app: &App, viewer: &Viewer, id: Uuid) -> Result<String, AppError> {
    let (_, thread, post) = post_for(app, viewer, id).await?;
    if post.author_id != Some(viewer.user_id.0) {
        return Err(AppError::NotFound);
    }
    let mut thread = thread;
    set_post_state(app, &post, &mut thread, "deleted").await?;
    if post.seq == 1 {
        return Ok(format!("/spaces/{}", thread.space_id));
    }
    Ok(post_link(thread.id, post.seq))
}

/// Gives a reaction; reacting twice the same way is refused with a message.
pub async fn react(app: &App, viewer: &Viewer, id: Uuid, kind: &str) -> Result<String, AppError> {
    let kind = posts::parse_reaction(kind).ok_or_else(|| {
        AppError::field(
            "kind",
            "Choose one of the reactions: support, me_too, congrats or thanks.",
        )
    })?;
    let (space, thread, post) = post_for(app, viewer, id).await?;
    if post.state != "published" {
        return Err(AppError::NotFound);
    }
    if !posts::reactions_for(&space.purpose, post.crisis).any(|(offered, _)| *offered == kind) {
        return Err(AppError::field(
            "kind",
            "That reaction is not offered here: this post or its space is about a hard time, where support helps more.",
        ));
    }
    standing::ensure_may_post(app, viewer).await?;
    let now = app.clock.now().millis();
    if !store::insert_reaction(&app.db, post.id, viewer.user_id, kind, now).await? {
        return Err(AppError::Conflict("You have already given this reaction."));
    }
    let author = post.author_id.map(UserId).filter(|a| *a != viewer.user_id);
    let recipients =
        blocks::without_blocked(app, viewer, false, author.into_iter().collect()).await?;
    if !recipients.is_empty() {
        let label = posts::REACTIONS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(kind, |(_, l)| l);
        crate::notifications::notify(
            app,
            &recipients,
            "reaction",
            told_of_post(viewer, false, " reacted to your post in \"", thread.id)
                .text(&format!(": {label}")),
            &post_link(thread.id, post.seq),
        )
        .await?;
    }
    Ok(post_link(thread.id, post.seq))
}

/// Takes a reaction back.
pub async fn unreact(app: &App, viewer: &Viewer, id: Uuid, kind: &str) -> Result<String, AppError> {
    let kind = posts::parse_reaction(kind)
        .ok_or_else(|| AppError::field("kind", "That is not one of the reactions."))?;
    let (_, thread, post) = post_for(app, viewer, id).await?;
    store::delete_reaction(&app.db, post.id, viewer.user_id, kind).await?;
    Ok(post_link(thread.id, post.seq))
}

/// Follows or stops following a thread.
pub async fn set_subscribed(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    subscribed: bool,
) -> Result<(), AppError> {
    let (_, thread) = thread_for(app, Some(viewer), id).await?;
    if subscribed {
        store::insert_subscription(&app.db, thread.id, viewer.user_id, app.clock.now().millis())
            .await?;
    } else {
        store::delete_subscription(&app.db, thread.id, viewer.user_id).await?;
    }
    Ok(())
}

/// A search as asked.
#[derive(Clone, Debug, Default)]
pub struct SearchInput<'a> {
    pub q: &'a str,
    /// A space id, or empty for all.
    pub space: &'a str,
    /// A pseudonym, or empty for anyone.
    pub author: &'a str,
    pub newest: bool,
    pub page: i64,
}

/// One search result.
#[derive(Clone, Debug)]
pub struct SearchHit {
    pub row: SearchRow,
    pub space_name: String,
    /// A short plain excerpt of the post.
    pub excerpt: String,
    pub author: String,
    pub link: String,
}

fn excerpt(body: &str) -> String {
    let plain: String = body
        .chars()
        .map(|c| {
            if matches!(c, '*' | '_' | '#' | '>' | '`' | '[' | ']') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() > 220 {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Full-text search over what the viewer may see: never a deleted or hidden post, a space they
/// cannot see, or who wrote an anonymous post. `None` when the search has no word to look for.
pub async fn search(
    app: &App,
    viewer: Option<&Viewer>,
    input: &SearchInput<'_>,
) -> Result<Option<Vec<SearchHit>>, AppError> {
    if input.q.chars().count() > 200 {
        return Err(AppError::field(
            "q",
            "Please search with fewer than 200 characters.",
        ));
    }
    let Some(query) = parse_query(input.q) else {
        return Ok(None);
    };
    let spaces = visible_spaces(app, viewer).await?;
    let mut visible: Vec<Uuid> = spaces.iter().map(|s| s.id).collect();
    if !input.space.is_empty() {
        let chosen = Uuid::try_parse(input.space)
            .ok()
            .filter(|id| visible.contains(id));
        let Some(chosen) = chosen else {
            return Err(AppError::field(
                "space",
                "Choose one of the spaces you can see.",
            ));
        };
        visible = vec![chosen];
    }
    let author = if input.author.trim().is_empty() {
        None
    } else {
        match crate::accounts::member_named(app, input.author).await? {
            Some(user) => Some(user.id.0),
            None => return Ok(Some(Vec::new())),
        }
    };
    let text = match app.db.backend() {
        mutual_store::Backend::Sqlite => query.to_fts5(),
        mutual_store::Backend::Postgres => query.to_tsquery(),
    };
    let page = input.page.max(1);
    let offset = ((page - 1) * RESULTS_PER_PAGE) as usize;
    let filter = |limit: usize, offset: usize| SearchFilter {
        query: &text,
        spaces: &visible,
        author,
        limit: limit as i64,
        offset: offset as i64,
    };
    let rows = if input.newest {
        store::search_posts(&app.db, &filter(RESULTS_PER_PAGE as usize, offset)).await?
    } else {
        // Relevance: the newest matches, scored here the same way on both backends.
        let candidates =
            store::search_posts(&app.db, &filter(search::RANKED_CANDIDATES, 0)).await?;
        let documents: Vec<(&str, &str)> = candidates
            .iter()
            .map(|row| (row.title.as_str(), row.body.as_str()))
            .collect();
        let mut ranked: Vec<(f64, SearchRow)> =
            query.rank(&documents).into_iter().zip(candidates).collect();
        // A stable sort: among equal scores the newest stays first.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked
            .into_iter()
            .skip(offset)
            .take(RESULTS_PER_PAGE as usize)
            .map(|(_, row)| row)
            .collect()
    };
    let blocked = blocks::Blocked::around(app, viewer.map(|v| v.user_id)).await?;
    Ok(Some(
        rows.into_iter()
            .filter(|row| !blocked.hides(row.author().name()))
            .map(|row| SearchHit {
                space_name: spaces
                    .iter()
                    .find(|s| s.id == row.space_id)
                    .map_or_else(String::new, |s| s.name.clone()),
                excerpt: if row.content_warning.is_empty() {
                    excerpt(&row.body)
                } else {
                    format!("Content warning: {}", row.content_warning)
                },
                author: row.author().shown().to_owned(),
                link: post_link(row.thread_id, row.seq),
                row,
            })
            .collect(),
    ))
}

/// The member's community data for their export.
pub async fn export(
    app: &App,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut rows = store::export_member(&app.db, user).await?;
    rows.extend(mutual_store::standing::export_member(&app.db, user).await?);
    Ok(rows)
}

/// A space as an admin writes it.
#[derive(Clone, Debug, Default)]
pub struct SpaceInput<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub position: &'a str,
    pub visibility: &'a str,
    pub guidance: &'a str,
}

/// Creates a space (`id` none) or changes one (admins).
pub async fn save_space(
    app: &App,
    viewer: &Viewer,
    id: Option<Uuid>,
    input: &SpaceInput<'_>,
) -> Result<Uuid, AppError> {
    if viewer.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let existing = store::list_spaces(&app.db).await?;
    let mut errors = Vec::new();
    let name: String = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() < 2 || name.chars().count() > 60 {
        errors.push(FieldError::new(
            "name",
            "Give the space a name of 2 to 60 characters.",
        ));
    }
    let description = input.description.trim();
    if description.chars().count() > 500 {
        errors.push(FieldError::new(
            "description",
            "Keep the description under 500 characters.",
        ));
    }
    let guidance = input.guidance.trim();
    if guidance.chars().count() > 2000 {
        errors.push(FieldError::new(
            "guidance",
            "Keep the guidance under 2,000 characters.",
        ));
    }
    let position = match input.position.trim() {
        "" => existing.len() as i64 + 1,
        text => text
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=1000).contains(p))
            .unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "position",
                    "Give the position as a whole number from 0 to 1000.",
                ));
                0
            }),
    };
    let visibility = Visibility::parse(input.visibility).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "visibility",
            "Choose who can see the space.",
        ));
        Visibility::Members
    });
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if existing.iter().any(|s| s.slug == slug && Some(s.id) != id) {
        errors.push(FieldError::new(
            "name",
            "Another space already has this name.",
        ));
    }
    let current = match id {
        Some(id) => Some(
            existing
                .iter()
                .find(|s| s.id == id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = SpaceRow {
        id: id.unwrap_or_else(Uuid::now_v7),
        slug,
        name,
        description: description.to_owned(),
        position,
        visibility: visibility.as_str().to_owned(),
        purpose: current.map_or_else(|| "general".to_owned(), |s| s.purpose.clone()),
        guidance: guidance.to_owned(),
        created_at: current.map_or(app.clock.now().millis(), |s| s.created_at),
    };
    store::upsert_space(&app.db, &row).await?;
    crate::bus::changed(app, crate::bus::Change::Spaces).await;
    Ok(row.id)
}

/// A member asks to join a private group.
pub async fn request_to_join(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    let space = store::find_space(&app.db, id)
        .await?
        .filter(|s| visibility(s) == Visibility::Private)
        .ok_or(AppError::NotFound)?;
    if store::find_space_member(&app.db, space.id, viewer.user_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    put_on_list(app, &space, viewer.user_id, "requested").await?;
    crate::notifications::notify(
        app,
        &moderation::staff(app).await?,
        "join_request",
        &format!("A member asked to join {}.", space.name),
        &format!("/spaces/{}/members", space.id),
    )
    .await
}

/// Puts a member on a private space's list as `member` or `requested`; their reading context
/// here changes with it.
async fn put_on_list(
    app: &App,
    space: &SpaceRow,
    user: UserId,
    status: &str,
) -> Result<(), AppError> {
    store::upsert_space_member(
        &app.db,
        &store::SpaceMemberRow {
            space_id: space.id,
            user_id: user.0,
            status: status.to_owned(),
            created_at: app.clock.now().millis(),
        },
    )
    .await?;
    crate::bus::readers_changed(app, &[user]).await;
    Ok(())
}

/// A space whose member list a moderator looks after.
async fn moderated_space(app: &App, viewer: &Viewer, id: Uuid) -> Result<SpaceRow, AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    space_for(app, Some(viewer), id).await
}

/// The member list of a private or supporters' space (moderators).
pub async fn space_members(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(SpaceRow, Vec<(Uuid, String, String)>), AppError> {
    let space = moderated_space(app, viewer, id).await?;
    let members = store::list_space_members(&app.db, space.id).await?;
    Ok((space, members))
}

/// Adds a member to a space's list by pseudonym, or approves their request (moderators).
pub async fn admit(app: &App, viewer: &Viewer, id: Uuid, username: &str) -> Result<(), AppError> {
    let space = moderated_space(app, viewer, id).await?;
    let user = crate::accounts::member_named(app, username)
        .await?
        .ok_or_else(|| AppError::field("username", "There is no member with that pseudonym."))?;
    put_on_list(app, &space, user.id, "member").await?;
    crate::notifications::notify(
        app,
        &[user.id],
        "space_joined",
        &format!("You are now a member of {}.", space.name),
        &format!("/spaces/{}", space.id),
    )
    .await
}

/// Takes a member off a space's list, or turns down their request (moderators).
pub async fn remove_member(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    user: Uuid,
) -> Result<(), AppError> {
    let space = moderated_space(app, viewer, id).await?;
    store::delete_space_member(&app.db, space.id, UserId(user)).await?;
    crate::bus::readers_changed(app, &[UserId(user)]).await;
    Ok(())
}

/// Every space, whoever may see it (admins).
pub async fn all_spaces(app: &App, viewer: &Viewer) -> Result<Vec<SpaceRow>, AppError> {
    if viewer.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    Ok(store::list_spaces(&app.db).await?)
}
