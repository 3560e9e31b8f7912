//! The Reach out button: one press tells the member's circles and mentors (those they share
//! Reach out alerts with) that they are having a hard time, shows them help at once (crisis resources,
//! meetings starting soon or online now), lets each recipient reply with one click, shows who
//! has responded, and an hour later asks the member how they are doing. A press is never
//! refused: quick repeats show the alert already sent.

use crate::accounts::Viewer;
use crate::meetings::MeetingSummary;
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::meetings::catalog::Mode;
use mutual_domain::meetings::search::Query;
use mutual_domain::people::reach_out::{self as rules, FOLLOW_UP_AFTER, Press};
use mutual_store::people::circles::Shared;
use mutual_store::people::reach_out::{self as store, ReachOutRow, RecipientRow};
use std::time::Duration;
use uuid::Uuid;

/// What a press did.
#[derive(Clone, Copy, Debug)]
pub struct Pressed {
    pub id: Uuid,
    /// `false` when the press showed an alert sent moments ago instead of sending another.
    pub sent: bool,
}

/// Presses Reach out with an optional message.
pub async fn reach_out(app: &App, viewer: &Viewer, message: &str) -> Result<Pressed, AppError> {
    let message = rules::parse_message(message)?;
    let now = app.clock.now().millis();
    let recent =
        store::list_reach_outs_since(&app.db, viewer.user_id, now - 24 * 3600 * 1000).await?;
    let times: Vec<i64> = recent.iter().map(|r| r.created_at).collect();
    if let (Press::ShowLatest, Some(latest)) = (rules::press(&times, now), recent.first()) {
        return Ok(Pressed {
            id: latest.id,
            sent: false,
        });
    }
    let told = super::audience(app, viewer.user_id, Shared::ReachOut, Some(false)).await?;
    let recipients: Vec<Uuid> = told.iter().map(|u| u.0).collect();
    let row = ReachOutRow {
        id: Uuid::now_v7(),
        user_id: viewer.user_id.0,
        message,
        created_at: now,
        follow_up_at: Some(now + FOLLOW_UP_AFTER.as_millis() as i64),
        claimed_until: 0,
    };
    store::insert_reach_out(&app.db, &row, &recipients).await?;
    crate::notifications::notify(
        app,
        &told,
        "reach_out",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(rules::ALERT_TEXT),
        &format!("/reach-out/{}", row.id),
    )
    .await?;
    Ok(Pressed {
        id: row.id,
        sent: true,
    })
}

/// Who a press would tell, by pseudonym, said before the member presses.
#[derive(Clone, Debug, Default)]
pub struct WouldTell {
    /// Members of the circles the member shares Reach out alerts with.
    pub circle_members: Vec<String>,
    /// Their mentors who get Reach out alerts.
    pub mentors: Vec<String>,
}

impl WouldTell {
    pub fn nobody(&self) -> bool {
        self.circle_members.is_empty() && self.mentors.is_empty()
    }
}

/// Who pressing Reach out would tell now: exactly the people [`reach_out`] notifies.
pub async fn would_tell(app: &App, viewer: &Viewer) -> Result<WouldTell, AppError> {
    let told = super::audience(app, viewer.user_id, Shared::ReachOut, Some(false)).await?;
    let mentors =
        mutual_store::people::mentors::list_mentors_shared_with(&app.db, viewer.user_id, false)
            .await?;
    let mut would = WouldTell::default();
    for (user, name) in mutual_store::accounts::list_usernames(&app.db, &told).await? {
        if mentors.contains(&user) {
            would.mentors.push(name);
        } else {
            would.circle_members.push(name);
        }
    }
    would.circle_members.sort();
    would.mentors.sort();
    Ok(would)
}

/// One of the member's own Reach outs: when, and how many of those told have responded.
#[derive(Clone, Debug)]
pub struct RecentAlert {
    pub id: Uuid,
    pub created_at: i64,
    pub told: i64,
    pub responded: i64,
}

/// How far back the Reach out page lists the member's own alerts.
const RECENT_DAYS: i64 = 30;

/// The member's Reach outs of the last thirty days, newest first, so they can go back to one
/// and see who answered.
pub async fn recent_alerts(app: &App, viewer: &Viewer) -> Result<Vec<RecentAlert>, AppError> {
    let since = app.clock.now().millis() - RECENT_DAYS * 24 * 3600 * 1000;
    Ok(
        store::list_reach_out_counts_since(&app.db, viewer.user_id, since)
            .await?
            .into_iter()
            .map(|row| RecentAlert {
                id: row.id,
                created_at: row.created_at,
                told: row.told,
                responded: row.responded,
            })
            .collect(),
    )
}

/// An alert as its sender or a recipient sees it.
#[derive(Clone, Debug)]
pub struct AlertView {
    pub id: Uuid,
    /// Who reached out.
    pub member: String,
    pub member_id: UserId,
    pub text: String,
    pub message: String,
    pub created_at: i64,
    /// Whom it told, those who responded first: everyone for the member who sent it; for a
    /// recipient only themselves (who else the member told, their mentor or their other
    /// circles, is the member's business).
    pub recipients: Vec<RecipientRow>,
    pub mine: bool,
    /// The viewer is a recipient who has responded.
    pub responded: bool,
}

/// An alert, for the member who sent it and those it told; `NotFound` for anyone else.
pub async fn alert(app: &App, viewer: &Viewer, id: Uuid) -> Result<AlertView, AppError> {
    let row = store::find_reach_out(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut recipients = store::list_recipients(&app.db, id).await?;
    let mine = row.user_id == viewer.user_id.0;
    if !mine {
        recipients.retain(|r| r.user_id == viewer.user_id.0);
        if recipients.is_empty() {
            return Err(AppError::NotFound);
        }
    }
    let responded = !mine && recipients.iter().any(|r| r.responded_at.is_some());
    let member = mutual_store::accounts::find_user_by_id(&app.db, UserId(row.user_id))
        .await?
        .ok_or(AppError::NotFound)?
        .username
        .as_str()
        .to_owned();
    Ok(AlertView {
        id,
        member_id: UserId(row.user_id),
        text: rules::alert_text(&member),
        member,
        message: row.message,
        created_at: row.created_at,
        recipients,
        mine,
        responded,
    })
}

/// A recipient replies: `body` goes to the member in their one-to-one conversation (started
/// if there is none), the alert shows they responded, and the member is told. Returns the
/// conversation.
pub async fn respond(app: &App, viewer: &Viewer, id: Uuid, body: &str) -> Result<Uuid, AppError> {
    let view = alert(app, viewer, id).await?;
    if view.mine {
        return Err(AppError::NotFound);
    }
    let conversation = super::messages::start(app, viewer, &view.member, body)
        .await?
        .conversation;
    store::mark_responded(&app.db, id, viewer.user_id, app.clock.now().millis()).await?;
    let row = store::find_reach_out(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::notifications::notify(
        app,
        &[UserId(row.user_id)],
        "reach_out_response",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(" responded to your Reach out and wrote to you."),
        &format!("/messages/{conversation}"),
    )
    .await?;
    Ok(conversation)
}

/// What the member is shown at once: crisis lines for the region and meetings to go to.
#[derive(Clone, Debug)]
pub struct HelpNow {
    pub starting_soon: Vec<MeetingSummary>,
    pub online_now: Vec<MeetingSummary>,
}

/// Meetings the member can reach now that start within two hours, and online meetings in
/// progress. Reachable: online, phone and hybrid meetings from anywhere; in-person ones only in
/// the member's own time zone (the directory knows no member's place, and a room in another
/// zone is too far to go to tonight).
pub async fn help_now(app: &App, viewer: &Viewer) -> Result<HelpNow, AppError> {
    const SHOWN: usize = 5;
    let mut soon = Query::new(viewer.zone.clone());
    soon.starting_within = Some(Duration::from_secs(2 * 3600));
    soon.limit = 40;
    let mut online = Query::new(viewer.zone.clone());
    online.in_progress = true;
    online.mode = Some(Mode::Online);
    online.limit = SHOWN;
    let mut starting_soon = crate::meetings::search(app, Some(viewer), &soon).await?;
    starting_soon.retain(|meeting| {
        Mode::parse(meeting.facts.mode).is_some_and(Mode::remote)
            || *meeting.facts.time_zone == *viewer.zone.name()
    });
    starting_soon.truncate(SHOWN);
    Ok(HelpNow {
        starting_soon,
        online_now: crate::meetings::search(app, Some(viewer), &online).await?,
    })
}

/// How long a worker holds a claimed follow-up before another may take it.
const LEASE: Duration = Duration::from_secs(120);

/// Asks each member who reached out an hour ago how they are doing. Returns how many were asked.
pub async fn run_due_follow_ups(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let due =
        store::claim_due_follow_ups(&app.db, now.millis(), now.plus(LEASE).millis(), 100).await?;
    for row in &due {
        crate::notifications::notify(
            app,
            &[UserId(row.user_id)],
            "reach_out_follow_up",
            "An hour ago you reached out. How are you doing now? Your circle's replies, meetings and help are here.",
            &format!("/reach-out/{}", row.id),
        )
        .await?;
        store::finish_follow_up(&app.db, row.id).await?;
    }
    Ok(due.len())
}
