//! Accountability circles: creating one, inviting by pseudonym or link (never past twelve),
//! each member's sharing choices, the circle page (what each member lets the circle see, the
//! quiet notice, encouragement, nudges), and telling circles of milestones and warning signs
//! their members chose to share.

use super::Reach;
use crate::accounts::{Viewer, member_zone};
use crate::{App, AppError, FieldError};
use jiff::ToSpan;
use mutual_domain::UserId;
use mutual_domain::community::posts::has_link;
use mutual_domain::local::{self, Zone};
use mutual_domain::people::circles::{
    self as rules, Facts, MAX_MEMBERS, NUDGE_EVERY_MILLIS, Seen, Sharing,
};
use mutual_domain::people::messages::Delivery;
use mutual_domain::recovery::checkins;
use mutual_store::people::circles::{
    self as store, CircleMemberRow, CircleRow, InvitesRefused, NoteRow, Shared,
};

const DAY_MILLIS: i64 = 24 * 3600 * 1000;
use uuid::Uuid;

/// A circle in the viewer's list.
#[derive(Clone, Debug)]
pub struct CircleSummary {
    pub id: Uuid,
    pub name: String,
}

/// The viewer's circles and the invites waiting for them.
pub async fn my_circles(
    app: &App,
    viewer: &Viewer,
) -> Result<(Vec<CircleSummary>, Vec<CircleSummary>), AppError> {
    let summary = |(id, name)| CircleSummary { id, name };
    let circles = store::list_circles_of(&app.db, viewer.user_id)
        .await?
        .into_iter()
        .map(|c| summary((c.id, c.name)))
        .collect();
    let invites = store::list_invites_for(&app.db, viewer.user_id)
        .await?
        .into_iter()
        .map(summary)
        .collect();
    Ok((circles, invites))
}

/// Creates a circle with the viewer in it (sharing the defaults) and invites the members named
/// in `invite`, if any.
pub async fn create(
    app: &App,
    viewer: &Viewer,
    name: &str,
    invite: &str,
) -> Result<Uuid, AppError> {
    let name = circle_name(app, name).await?;
    let invitees = invitees(app, viewer, invite, 1).await?;
    let id = Uuid::now_v7();
    let now = app.clock.now().millis();
    store::insert_circle(&app.db, id, &name, viewer.user_id, Sharing::default(), now).await?;
    if !invitees.is_empty()
        && let Err(refused) = send_invites(app, viewer, id, &name, &invitees).await
    {
        // Refused invites (the day's are used up) leave no circle behind: the form comes back.
        store::leave_circle(&app.db, id, viewer.user_id).await?;
        return Err(refused);
    }
    Ok(id)
}

/// A circle's name, checked as the community's posts are: an invite shows it to people outside
/// the circle, so it holds no link and nothing the watched words catch (contact details, moving
/// people to private channels, dealing), whatever those words do to a post: a name has no
/// moderators' queue to wait in.
async fn circle_name(app: &App, text: &str) -> Result<String, AppError> {
    let name = rules::parse_name(text)?;
    if has_link(&name) || crate::community::watched(app).await?.check(&name).is_some() {
        return Err(AppError::field(
            "name",
            "Everyone invited sees a circle's name, so it cannot hold a link, contact details or words this community watches for. Please choose another name.",
        ));
    }
    Ok(name)
}

/// The members named in `text` (commas or spaces between), checked: known pseudonyms, not the
/// viewer, no block either way (which gets the answer of an unknown pseudonym), and room for
/// them beside the `headcount` already in the circle or invited.
async fn invitees(
    app: &App,
    viewer: &Viewer,
    text: &str,
    headcount: usize,
) -> Result<Vec<UserId>, AppError> {
    let names = super::split_pseudonyms(text);
    if names.len() > MAX_MEMBERS.saturating_sub(headcount) {
        return Err(full(headcount, names.len()));
    }
    let users = super::members_named(app, viewer, &names, "invite", Reach::Invite).await?;
    if users.iter().any(|user| user.id == viewer.user_id) {
        return Err(AppError::field("invite", "You are in this circle already."));
    }
    let sender = super::party(app, viewer.user_id, viewer.role, viewer.member_since).await?;
    for user in &users {
        match super::delivery(app, viewer, sender, user).await? {
            Delivery::Direct => {}
            Delivery::Refused => {
                return Err(AppError::field(
                    "invite",
                    format!(
                        "New members can invite their circle, their mentor, moderators and people who have written to them. To invite {} now, give them the circle's invite link.",
                        user.username.as_str()
                    ),
                ));
            }
            // An invite to a new member from a stranger is a request: it counts with their
            // message requests, and a full day answers as a pseudonym nobody has.
            Delivery::Request if !super::takes_another_request(app, user.id).await? => {
                return Err(super::unreachable(
                    "invite",
                    user.username.as_str(),
                    Reach::Invite,
                ));
            }
            Delivery::Request => {}
        }
    }
    Ok(users.into_iter().map(|user| user.id).collect())
}

fn full(headcount: usize, asked: usize) -> AppError {
    let room = MAX_MEMBERS.saturating_sub(headcount);
    AppError::field(
        "invite",
        format!(
            "A circle holds up to {MAX_MEMBERS} people, pending invites included. This one has {headcount}, so you can invite {room} more, not {asked}."
        ),
    )
}

/// Writes the invites (within the circle's size and the viewer's daily limit) and tells those
/// invited.
async fn send_invites(
    app: &App,
    viewer: &Viewer,
    circle: Uuid,
    name: &str,
    users: &[UserId],
) -> Result<(), AppError> {
    let now = app.clock.now().millis();
    let per_day = i64::from(app.config.people.circle_invites_per_day);
    let refused = store::insert_invites(
        &app.db,
        circle,
        viewer.user_id,
        users,
        MAX_MEMBERS,
        (per_day, now - DAY_MILLIS),
        now,
    )
    .await?;
    match refused {
        Ok(()) => {}
        Err(InvitesRefused::Full(headcount)) => {
            return Err(full(
                usize::try_from(headcount).unwrap_or(MAX_MEMBERS),
                users.len(),
            ));
        }
        Err(InvitesRefused::DailyLimit(sent)) => {
            return Err(AppError::field(
                "invite",
                format!(
                    "You can send {per_day} circle invites a day and have sent {sent} since this time yesterday. Please invite the others tomorrow, or give them the circle's invite link."
                ),
            ));
        }
    }
    crate::notifications::notify(
        app,
        users,
        "circle_invite",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(&format!(
                " invited you to the accountability circle “{name}”."
            )),
        "/circles",
    )
    .await
}

/// The circle, if the viewer is in it (`NotFound` for anyone else), and its members.
async fn membership(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(CircleRow, Vec<CircleMemberRow>), AppError> {
    let circle = store::find_circle(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = store::list_circle_members(&app.db, id).await?;
    if !members.iter().any(|m| m.user_id == viewer.user_id.0) {
        return Err(AppError::NotFound);
    }
    Ok((circle, members))
}

/// Invites members by pseudonym to a circle the viewer is in; returns how many.
pub async fn invite(app: &App, viewer: &Viewer, id: Uuid, text: &str) -> Result<usize, AppError> {
    let (circle, members) = membership(app, viewer, id).await?;
    let pending = store::list_pending_invites(&app.db, id).await?;
    let users = invitees(app, viewer, text, members.len() + pending.len()).await?;
    if users.is_empty() {
        return Err(AppError::field(
            "invite",
            "Write the pseudonym of at least one member to invite.",
        ));
    }
    let users: Vec<UserId> = users
        .into_iter()
        .filter(|u| !members.iter().any(|m| m.user_id == u.0))
        .collect();
    send_invites(app, viewer, id, &circle.name, &users).await?;
    Ok(users.len())
}

/// A new invite link for a circle the viewer is in (any earlier link stops working). Only its
/// hash is stored: the token is shown once.
pub async fn new_invite_link(app: &App, viewer: &Viewer, id: Uuid) -> Result<String, AppError> {
    membership(app, viewer, id).await?;
    let token = crate::tokens::new_token();
    store::update_invite_hash(&app.db, id, Some(&hash(&token))).await?;
    Ok(token)
}

fn hash(token: &str) -> String {
    crate::tokens::hash_token(token)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Joins the circle an invite link belongs to, while it has room; returns the circle.
pub async fn join_by_link(app: &App, viewer: &Viewer, token: &str) -> Result<Uuid, AppError> {
    let circle = store::find_circle_by_invite(&app.db, &hash(token.trim()))
        .await?
        .ok_or(AppError::NotFound)?;
    let members = store::list_circle_members(&app.db, circle.id).await?;
    if members.iter().any(|m| m.user_id == viewer.user_id.0) {
        return Ok(circle.id);
    }
    let now = app.clock.now().millis();
    if !store::join_circle(
        &app.db,
        circle.id,
        viewer.user_id,
        Sharing::default(),
        false,
        MAX_MEMBERS,
        now,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "This circle is full: it holds twelve people.",
        ));
    }
    Ok(circle.id)
}

/// Accepts (joining, sharing the defaults) or declines an invite to a circle.
pub async fn answer_invite(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    accept: bool,
) -> Result<(), AppError> {
    if !accept {
        return Ok(store::delete_invite(&app.db, id, viewer.user_id).await?);
    }
    let now = app.clock.now().millis();
    if store::join_circle(
        &app.db,
        id,
        viewer.user_id,
        Sharing::default(),
        true,
        MAX_MEMBERS,
        now,
    )
    .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Leaves a circle (a circle nobody is left in is deleted).
pub async fn leave(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    membership(app, viewer, id).await?;
    Ok(store::leave_circle(&app.db, id, viewer.user_id).await?)
}

/// Saves what the viewer shares with a circle (`chosen` are [`Sharing::CHOICES`] names) and
/// after how many days without a check-in the circle is told (`quiet_days`, empty for never).
pub async fn update_sharing<'a>(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    chosen: impl IntoIterator<Item = &'a str>,
    quiet_days: &str,
) -> Result<(), AppError> {
    membership(app, viewer, id).await?;
    let sharing = Sharing::from_names(chosen).map_err(|name| {
        AppError::field(
            "share",
            format!("“{name}” is not something a circle can be shown."),
        )
    })?;
    let quiet = rules::parse_quiet_days(quiet_days)?;
    Ok(store::update_sharing(&app.db, id, viewer.user_id, sharing, quiet).await?)
}

/// A member as the circle page shows them to the viewer.
#[derive(Clone, Debug)]
pub struct MemberView {
    pub name: String,
    pub is_viewer: bool,
    pub seen: Seen,
}

/// The circle page.
#[derive(Clone, Debug)]
pub struct CircleView {
    pub id: Uuid,
    pub name: String,
    pub members: Vec<MemberView>,
    pub pending: Vec<String>,
    pub notes: Vec<NoteRow>,
    pub sharing: Sharing,
    pub quiet_days: Option<u32>,
}

/// The most recent days a member's facts look back over.
const FACT_DAYS: i64 = 400;

/// What is true of a member today that a circle could be shown, in their own time zone.
async fn facts(app: &App, member: &CircleMemberRow, sharing: Sharing) -> Result<Facts, AppError> {
    let zone: Zone = member_zone(app, member.time_zone.as_deref());
    let user = UserId(member.user_id);
    let today = zone.date_of(app.clock.now());
    let from = today.checked_sub(FACT_DAYS.days()).unwrap_or(today);
    let days: Vec<jiff::civil::Date> =
        mutual_store::recovery::list_checkin_days(&app.db, user, &from.to_string())
            .await?
            .iter()
            .filter_map(|d| local::parse_date(d).ok())
            .collect();
    let week_ago = today.checked_sub(7.days()).unwrap_or(today).to_string();
    let warning_signs = if sharing.warning_signs {
        let mut signs: Vec<String> = Vec::new();
        for event in mutual_store::recovery::list_events(&app.db, user).await? {
            if event.kind != "warning_sign" || event.day < week_ago {
                continue;
            }
            // About the member, in the third person (the stored detail is in their own words).
            let sign = mutual_domain::recovery::warnings::Rule::told_of(&event.rule, &event.detail);
            if !signs.iter().any(|seen| seen == sign) {
                signs.push(sign.to_owned());
            }
        }
        signs
    } else {
        Vec::new()
    };
    let milestones = if sharing.milestones {
        crate::recovery::latest_milestones(app, user).await?
    } else {
        Vec::new()
    };
    Ok(Facts {
        checked_in_today: days.first() == Some(&today),
        streak: checkins::streak(&days, today),
        milestones,
        warning_signs,
        days_since_checkin: days
            .first()
            .and_then(|last| u32::try_from((today - *last).get_days()).ok()),
    })
}

/// The circle page for a member of it: each member as they chose to be seen.
pub async fn circle(app: &App, viewer: &Viewer, id: Uuid) -> Result<CircleView, AppError> {
    let (circle, members) = membership(app, viewer, id).await?;
    let mut views = Vec::with_capacity(members.len());
    let mut mine = (Sharing::default(), None);
    for member in &members {
        let sharing = member.sharing();
        let quiet = member.quiet_days.and_then(|d| u32::try_from(d).ok());
        let is_viewer = member.user_id == viewer.user_id.0;
        if is_viewer {
            mine = (sharing, quiet);
        }
        let facts = facts(app, member, sharing).await?;
        views.push(MemberView {
            name: member.username.clone(),
            is_viewer,
            seen: rules::seen(&facts, sharing, quiet),
        });
    }
    Ok(CircleView {
        id,
        name: circle.name,
        members: views,
        pending: store::list_pending_invites(&app.db, id).await?,
        notes: store::list_notes(&app.db, id, 50).await?,
        sharing: mine.0,
        quiet_days: mine.1,
    })
}

/// Writes an encouragement note on the circle's page; the others are told.
pub async fn write_note(app: &App, viewer: &Viewer, id: Uuid, body: &str) -> Result<(), AppError> {
    let body = rules::parse_note(body)?;
    let (circle, members) = membership(app, viewer, id).await?;
    store::insert_note(&app.db, id, viewer.user_id, &body, app.clock.now().millis()).await?;
    let others: Vec<UserId> = members
        .iter()
        .filter(|m| m.user_id != viewer.user_id.0)
        .map(|m| UserId(m.user_id))
        .collect();
    crate::notifications::notify(
        app,
        &others,
        "circle_note",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(&format!(" wrote some encouragement in “{}”.", circle.name)),
        &format!("/circles/{id}"),
    )
    .await
}

/// Sends a "thinking of you" nudge to another member of the circle, at most once a day to the
/// same person.
pub async fn nudge(app: &App, viewer: &Viewer, id: Uuid, username: &str) -> Result<(), AppError> {
    let (_, members) = membership(app, viewer, id).await?;
    let member = members
        .iter()
        .find(|m| m.username.eq_ignore_ascii_case(username.trim()) && m.user_id != viewer.user_id.0)
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now().millis();
    let recipient = UserId(member.user_id);
    if !store::insert_nudge(
        &app.db,
        viewer.user_id,
        recipient,
        now - NUDGE_EVERY_MILLIS,
        now,
    )
    .await?
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "nudge",
            format!(
                "You sent {} a nudge in the last day already; it is still with them.",
                member.username
            ),
        )]));
    }
    crate::notifications::notify(
        app,
        &[recipient],
        "nudge",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(" is thinking of you."),
        &format!("/circles/{id}"),
    )
    .await
}

/// Something from a member's recovery their circles may be told of.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    Milestone,
    WarningSign,
}

/// Tells those in the viewer's circles who were granted `event`'s kind, and for a warning sign
/// the mentors the viewer shares warning signs with (and nobody else), of a milestone or
/// warning sign just recorded. No block crosses it.
pub(crate) async fn tell(
    app: &App,
    viewer: &Viewer,
    event: Event,
    detail: &str,
) -> Result<(), AppError> {
    let what = match event {
        Event::Milestone => Shared::Milestones,
        Event::WarningSign => Shared::WarningSigns,
    };
    let mentors = matches!(event, Event::WarningSign).then_some(true);
    let recipients = super::audience(app, viewer.user_id, what, mentors).await?;
    let (kind, text) = match event {
        Event::Milestone => (
            "circle_milestone",
            format!(" reached a milestone: {detail}."),
        ),
        Event::WarningSign => (
            "circle_warning_sign",
            format!(" may be having a harder time ({detail}). A kind word could help."),
        ),
    };
    let body = crate::notifications::Message::default()
        .actor(viewer.user_id)
        .text(&text);
    crate::notifications::notify(app, &recipients, kind, body, "/circles").await
}
