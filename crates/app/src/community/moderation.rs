//! Moderation: members' flags weighed by trust, the server's own queue items (crisis language,
//! watched words), the review queue, what moderators do to posts and threads, the public
//! moderation log that outs no one, and an admin's audit-logged reveal of an anonymous author.

use super::{HIDE_WEIGHT, post_for, post_link, set_post_state, space_for, trust_level};
use crate::accounts::Viewer;
use crate::audit::{Action as Audit, record};
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::community::posts::{self, Visibility};
use mutual_domain::community::sanctions::{self, Kind};
use mutual_domain::permissions::Role;
use mutual_store::community::{
    self as store, FlagRow, ModerationLogRow, PostEditRow, PostRow, QueueRow, SpaceRow, ThreadRow,
};
use uuid::Uuid;

/// Every active moderator and admin (who hear about crisis posts at once).
pub async fn staff(app: &App) -> Result<Vec<UserId>, AppError> {
    Ok(store::list_staff(&app.db)
        .await?
        .into_iter()
        .map(UserId)
        .collect())
}

/// A new open flag.
fn open_flag(
    app: &App,
    post: Uuid,
    reporter: Option<UserId>,
    reason: &str,
    note: &str,
    weight: i64,
    priority: i64,
) -> FlagRow {
    FlagRow {
        id: Uuid::now_v7(),
        post_id: post,
        reporter_id: reporter.map(|r| r.0),
        reason: reason.to_owned(),
        note: note.to_owned(),
        weight,
        priority,
        created_at: app.clock.now().millis(),
        resolved_at: None,
        resolved_by: None,
        outcome: None,
    }
}

/// Puts a post in the review queue on the server's own account (no reporter, no weight).
pub(crate) async fn raise(
    app: &App,
    post: Uuid,
    reason: &str,
    priority: i64,
) -> Result<(), AppError> {
    store::insert_flag(
        &app.db,
        &open_flag(app, post, None, reason, "", 0, priority),
    )
    .await?;
    Ok(())
}

/// A member flags a post. Their flag weighs by their trust level; when members' flags together
/// weigh enough the post is hidden until a moderator looks. A crisis flag goes to the top of the
/// queue and tells the moderators at once. Answers the link to the post.
pub async fn flag(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
    note: &str,
) -> Result<String, AppError> {
    let reason = posts::parse_flag_reason(reason).ok_or_else(|| {
        AppError::field(
            "reason",
            "Choose a reason: spam, harassment, selling, unsafe_advice, crisis or other.",
        )
    })?;
    let note = note.trim();
    if note.chars().count() > 1000 {
        return Err(AppError::field(
            "note",
            "Keep the note under 1,000 characters.",
        ));
    }
    let (space, thread, post) = post_for(app, viewer, id).await?;
    if post.state != "published" {
        return Err(AppError::NotFound);
    }
    if post.author_id == Some(viewer.user_id.0) {
        return Err(AppError::Forbidden(
            "You cannot flag your own post; you can edit or delete it.",
        ));
    }
    let weight = trust_level(app, viewer).await?.limits().flag_weight as i64;
    let priority = if reason == "crisis" { 0 } else { 2 };
    let flag = open_flag(
        app,
        post.id,
        Some(viewer.user_id),
        reason,
        note,
        weight,
        priority,
    );
    let stored = store::insert_flag(&app.db, &flag).await?;
    if !stored {
        return Err(AppError::Conflict(
            "You have already flagged this post; a moderator will look at it.",
        ));
    }
    if reason == "crisis" {
        crate::notifications::notify(
            app,
            &staff(app).await?,
            "crisis",
            "A member thinks someone may be in crisis. Please look now.",
            "/moderation",
        )
        .await?;
    } else if store::open_flag_weight(&app.db, post.id).await? >= HIDE_WEIGHT {
        store::set_post_state(&app.db, &post, "hidden").await?;
        log(
            app,
            None,
            "hidden_pending_review",
            &space,
            &thread,
            &post,
            "flagged by several members",
        )
        .await?;
    }
    Ok(post_link(thread.id, post.seq))
}

/// A post waiting for review, as moderators see it.
#[derive(Clone, Debug)]
pub struct QueueItem {
    pub queue: QueueRow,
    pub post: PostRow,
    pub thread: ThreadRow,
    pub space: SpaceRow,
    /// Who wrote it, as anyone sees it (moderators act on an anonymous author without
    /// learning who they are).
    pub author: super::Author,
    pub reasons: Vec<String>,
    pub notes: Vec<String>,
    pub link: String,
}

fn ensure_moderator(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.role.can_moderate() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The words moderators read for a queue reason code.
fn reason_label(code: &str) -> String {
    match code {
        "held" => "Held for approval (watched words)".to_owned(),
        "watched" => "Watched words".to_owned(),
        "crisis" => "Crisis language: someone may need support now".to_owned(),
        other => posts::flag_reason_label(other).to_owned(),
    }
}

/// The review queue, crisis first: the queue, its posts, threads, spaces and notes read in one
/// query each.
pub async fn review_queue(app: &App, viewer: &Viewer) -> Result<Vec<QueueItem>, AppError> {
    ensure_moderator(viewer)?;
    let queue = store::list_review_queue(&app.db, 100).await?;
    let post_ids: Vec<Uuid> = queue.iter().map(|q| q.post_id).collect();
    let posts = store::list_posts_by_ids(&app.db, &post_ids).await?;
    let thread_ids: Vec<Uuid> = posts.iter().map(|p| p.post.thread_id).collect();
    let threads = store::list_threads_by_ids(&app.db, &thread_ids).await?;
    let spaces = super::cached::spaces(app).await?;
    let notes = store::list_open_flag_notes(&app.db, &post_ids).await?;
    let mut items = Vec::new();
    for queue in queue {
        let Some(post) = posts.iter().find(|p| p.post.id == queue.post_id) else {
            continue;
        };
        let Some(thread) = threads.iter().find(|t| t.id == post.post.thread_id) else {
            continue;
        };
        let Some(space) = spaces.iter().find(|s| s.id == thread.space_id) else {
            continue;
        };
        items.push(QueueItem {
            link: post_link(thread.id, post.post.seq),
            author: post.author(),
            reasons: queue.reasons.split(',').map(reason_label).collect(),
            notes: notes
                .iter()
                .filter(|(id, _)| *id == post.post.id)
                .map(|(_, note)| note.clone())
                .collect(),
            queue,
            post: post.post.clone(),
            thread: thread.clone(),
            space: space.clone(),
        });
    }
    Ok(items)
}

/// What a moderator does about a post (or its thread).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Publish a held post (and its thread).
    Approve,
    /// Close the flags with no action (restoring a post hidden by flags).
    Dismiss,
    Hide,
    Restore,
    Delete,
    Lock,
    Unlock,
    /// Move the thread to another space.
    Move(Uuid),
    /// Replace the body, with a note the author sees.
    Edit(String),
    /// Warn, silence (for so many days), suspend or remove the post's author, without learning
    /// who they are.
    Sanction(Kind, Option<u32>),
}

impl Decision {
    /// A decision from a form's `action` (and `space`, `body` or `days` where it needs one).
    pub fn parse(action: &str, space: &str, body: &str, days: &str) -> Result<Decision, AppError> {
        Ok(match action {
            "approve" => Decision::Approve,
            "dismiss" => Decision::Dismiss,
            "hide" => Decision::Hide,
            "restore" => Decision::Restore,
            "delete" => Decision::Delete,
            "lock" => Decision::Lock,
            "unlock" => Decision::Unlock,
            "warn_author" => Decision::Sanction(Kind::Warn, None),
            "silence_author" => {
                Decision::Sanction(Kind::Silence, Some(sanctions::parse_silence_days(days)?))
            }
            "suspend_author" => Decision::Sanction(Kind::Suspend, None),
            "ban_author" => Decision::Sanction(Kind::Ban, None),
            "move" => Decision::Move(Uuid::try_parse(space).map_err(|_| {
                AppError::field("space", "Choose the space to move the thread to.")
            })?),
            "edit" => Decision::Edit(body.to_owned()),
            _ => {
                return Err(AppError::field(
                    "action",
                    "Choose what to do: approve, dismiss, hide, restore, delete, lock, unlock, move, edit, warn_author, silence_author, suspend_author or ban_author.",
                ));
            }
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Dismiss => "dismissed_flags",
            Decision::Hide => "hidden",
            Decision::Restore => "restored",
            Decision::Delete => "deleted",
            Decision::Lock => "locked",
            Decision::Unlock => "unlocked",
            Decision::Move(_) => "moved",
            Decision::Edit(_) => "edited",
            Decision::Sanction(Kind::Warn, _) => "warned_author",
            Decision::Sanction(Kind::Silence, _) => "silenced_author",
            Decision::Sanction(Kind::Suspend, _) => "suspended_author",
            Decision::Sanction(Kind::Ban, _) => "removed_author",
        }
    }

    /// Whether it agrees with the flags (counting against the author's trust); these act
    /// against the author and need a reason.
    fn upholds(&self) -> bool {
        matches!(
            self,
            Decision::Hide | Decision::Delete | Decision::Edit(_) | Decision::Sanction(..)
        )
    }
}

/// Carries out a moderator's decision, logs it for members, closes the post's flags and tells
/// the author; answers where to go next.
pub async fn decide(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    decision: Decision,
    reason: &str,
) -> Result<String, AppError> {
    ensure_moderator(viewer)?;
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Keep the reason under 500 characters.",
        ));
    }
    let post = store::find_post(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut thread = store::find_thread(&app.db, post.thread_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let space = space_for(app, Some(viewer), thread.space_id).await?;
    // What acts against the author needs a reason they and the log can read.
    if decision.upholds() && reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Give a short reason: the author sees it, and members see it in the moderation log.",
        ));
    }
    let mut link = post_link(thread.id, post.seq);
    match &decision {
        Decision::Approve => {
            if post.state == "pending" {
                set_post_state(app, &post, &mut thread, "published").await?;
            }
        }
        Decision::Dismiss | Decision::Restore => {
            if post.state == "hidden" || post.state == "pending" {
                set_post_state(app, &post, &mut thread, "published").await?;
            }
        }
        Decision::Hide => set_post_state(app, &post, &mut thread, "hidden").await?,
        Decision::Delete => {
            set_post_state(app, &post, &mut thread, "deleted").await?;
            if post.seq == 1 {
                link = format!("/spaces/{}", space.id);
            }
        }
        Decision::Lock | Decision::Unlock => {
            thread.locked = decision == Decision::Lock;
            store::update_thread(&app.db, &thread).await?;
        }
        Decision::Move(target) => {
            let target = space_for(app, Some(viewer), *target).await?;
            thread.space_id = target.id;
            store::update_thread(&app.db, &thread).await?;
        }
        Decision::Edit(body) => {
            let body = posts::parse_body(body)?;
            super::store_edit(app, &post, viewer.user_id, &body, reason).await?;
        }
        Decision::Sanction(kind, days) => {
            let author = post.author_id.ok_or(AppError::NotFound)?;
            super::standing::impose(
                app,
                viewer,
                UserId(author),
                *kind,
                *days,
                reason,
                Some(&post),
            )
            .await?;
        }
    }
    let outcome = if decision.upholds() {
        "upheld"
    } else {
        "dismissed"
    };
    store::resolve_flags(
        &app.db,
        post.id,
        viewer.user_id,
        outcome,
        app.clock.now().millis(),
    )
    .await?;
    if !matches!(decision, Decision::Dismiss) {
        log(
            app,
            Some(viewer),
            decision.name(),
            &space,
            &thread,
            &post,
            reason,
        )
        .await?;
    }
    if let Some(author) = post.author_id
        && author != viewer.user_id.0
        && !matches!(decision, Decision::Dismiss | Decision::Sanction(..))
    {
        let because = if reason.is_empty() {
            String::new()
        } else {
            format!(" Reason: {reason}")
        };
        crate::notifications::notify(
            app,
            &[UserId(author)],
            "moderation",
            crate::notifications::Message::default()
                .text(&format!(
                    "A moderator {} your post in \"",
                    decision.name().replace('_', " ")
                ))
                .thread(thread.id)
                .text(&format!("\".{because}")),
            &link,
        )
        .await?;
    }
    Ok(link)
}

/// Appends to the public moderation log: a private space is not named, and nothing says who
/// wrote the post.
async fn log(
    app: &App,
    moderator: Option<&Viewer>,
    action: &str,
    space: &SpaceRow,
    thread: &ThreadRow,
    post: &PostRow,
    reason: &str,
) -> Result<(), AppError> {
    let public = Visibility::parse(&space.visibility).is_some_and(|v| !v.needs_membership());
    store::insert_moderation_log(
        &app.db,
        &ModerationLogRow {
            id: Uuid::now_v7(),
            action: action.to_owned(),
            space_name: if public {
                space.name.clone()
            } else {
                "a private space".to_owned()
            },
            thread_id: public.then_some(thread.id),
            post_id: public.then_some(post.id),
            moderator_id: moderator.map(|m| m.user_id.0),
            reason: reason.to_owned(),
            created_at: app.clock.now().millis(),
        },
    )
    .await?;
    Ok(())
}

/// The moderation log as members read it, newest first.
pub async fn public_log(app: &App) -> Result<Vec<ModerationLogRow>, AppError> {
    Ok(store::list_moderation_log(&app.db, 200).await?)
}

/// A post's earlier versions (moderators), each with who made it as anyone sees it: an
/// anonymous author's own edits stay anonymous.
pub async fn edit_history(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(PostRow, Vec<PostEditRow>), AppError> {
    ensure_moderator(viewer)?;
    let (_, _, post) = post_for(app, viewer, id).await?;
    Ok((
        post.clone(),
        store::list_post_edits(&app.db, post.id).await?,
    ))
}

/// An admin learns who wrote an anonymous post; the reveal is written to the audit log first.
/// It is the one way to an anonymous author's identity: every other view goes through
/// [`super::Author::of`], which never names them.
pub async fn reveal_author(app: &App, viewer: &Viewer, id: Uuid) -> Result<String, AppError> {
    if viewer.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let (_, _, post) = post_for(app, viewer, id).await?;
    let Some(author) = post.author_id else {
        return Ok(super::Author::Erased.shown().to_owned());
    };
    record(
        app,
        Some(viewer.user_id),
        Some(UserId(author)),
        Audit::AuthorRevealed,
        format!("post {}", post.id),
    )
    .await?;
    let user = mutual_store::accounts::find_user_by_id(&app.db, UserId(author)).await?;
    Ok(user
        .filter(|u| u.status != mutual_domain::accounts::AccountStatus::Deleted)
        .map_or(super::Author::Erased, |u| {
            super::Author::Named(u.username.as_str().to_owned())
        })
        .shown()
        .to_owned())
}
