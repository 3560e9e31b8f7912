//! Calendars: a meeting's `.ics` file, and each member's private feed of their saved meetings,
//! reached by a secret address (calendar programs cannot sign in) that the member can renew.

use super::{MeetingView, interop::meeting_url, listing_of};
use crate::accounts::Viewer;
use crate::tokens::{hash_token, new_token};
use crate::{App, AppError};
use mutual_domain::meetings::ics::{Calendar, CalendarEvent};
use mutual_domain::meetings::listing::Listing;
use mutual_store::meetings as store;
use uuid::Uuid;

fn description(listing: &Listing, join_visible: bool) -> String {
    let mut parts = Vec::new();
    if !listing.notes.is_empty() {
        parts.push(listing.notes.clone());
    }
    if join_visible {
        if !listing.conference_url.is_empty() {
            parts.push(format!("Join: {}", listing.conference_url));
        }
        if !listing.conference_url_notes.is_empty() {
            parts.push(listing.conference_url_notes.clone());
        }
        if !listing.conference_phone.is_empty() {
            parts.push(format!("Phone: {}", listing.conference_phone));
        }
        if !listing.conference_phone_notes.is_empty() {
            parts.push(listing.conference_phone_notes.clone());
        }
    }
    parts.join("\n")
}

fn event<'a>(
    app: &App,
    id: Uuid,
    listing: &'a Listing,
    schedule: &'a mutual_domain::meetings::Schedule,
    join_visible: bool,
) -> CalendarEvent<'a> {
    let host = app
        .config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("mutual")
        .trim_end_matches('/')
        .to_owned();
    CalendarEvent {
        uid: format!("meeting-{id}@{host}"),
        summary: &listing.name,
        schedule,
        location: [listing.location.clone(), listing.address_line()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        description: description(listing, join_visible),
        url: meeting_url(app, id),
    }
}

/// One meeting as an iCalendar file; a meeting by appointment has none (nothing to put in it).
pub fn meeting_ics(app: &App, view: &MeetingView) -> Result<String, AppError> {
    if view.listing.clock_times().is_none() {
        return Err(AppError::NotFound);
    }
    let now = app.clock.now();
    let schedule = view.listing.schedule();
    let mut calendar = Calendar::new(&view.listing.name, now);
    calendar.add(
        &event(
            app,
            view.row.id,
            &view.listing,
            &schedule,
            view.join_visible,
        ),
        now,
    );
    Ok(calendar.finish(now))
}

/// Makes (or renews) the member's private calendar address; earlier addresses stop working.
pub async fn new_feed_token(app: &App, viewer: &Viewer) -> Result<String, AppError> {
    let token = new_token();
    store::set_calendar_token(
        &app.db,
        viewer.user_id,
        &hash_token(&token),
        app.clock.now().millis(),
    )
    .await?;
    Ok(token)
}

/// Whether the member has a calendar address.
pub async fn has_feed(app: &App, viewer: &Viewer) -> Result<bool, AppError> {
    Ok(store::find_calendar_feed(&app.db, viewer.user_id)
        .await?
        .is_some())
}

/// The saved meetings of whoever holds `token`, as a calendar.
pub async fn saved_feed(app: &App, token: &str) -> Result<String, AppError> {
    let user = store::find_calendar_user(&app.db, &hash_token(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now();
    let mut calendar = Calendar::new(&format!("{} meetings", app.config.community_name), now);
    for row in store::list_saved_meetings(&app.db, mutual_domain::UserId(user)).await? {
        let listing = listing_of(&row)?;
        let schedule = listing.schedule();
        calendar.add(&event(app, row.id, &listing, &schedule, true), now);
    }
    Ok(calendar.finish(now))
}
