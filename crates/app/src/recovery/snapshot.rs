//! A member's recovery data as the dashboard, clocks and trends read it (with the saved
//! meetings and mentors the dashboard's "coming up" names), loaded in a few queries and kept
//! briefly (see [`crate::cache`]); any change the member makes through this
//! server drops it.

use super::milestone_schedule;
use crate::accounts::Viewer;
use crate::{App, AppError};
use jiff::ToSpan;
use jiff::civil::Date;
use mutual_domain::UserId;
use mutual_domain::local;
use mutual_domain::recovery::checkins;
use mutual_domain::recovery::clocks::MilestoneSchedule;
use mutual_store::recovery::{self as store, AttemptRow, CheckinRow, ClockRow, WeeklyRow};
use std::sync::Arc;

/// How many days of check-ins a snapshot holds (enough for the 90-day trends).
pub const SNAPSHOT_DAYS: i64 = 92;

/// The data behind the member's dashboard, clocks and recent trends.
pub(crate) struct Snapshot {
    /// The member's local day when it was loaded (a new day loads afresh).
    pub day: Date,
    pub schedule: MilestoneSchedule,
    pub clocks: Vec<ClockRow>,
    pub attempts: Vec<AttemptRow>,
    /// Check-ins of the last [`SNAPSHOT_DAYS`] days, oldest first.
    pub recent: Vec<CheckinRow>,
    /// Consecutive days checked in, ending today or yesterday.
    pub streak: u32,
    pub weekly: Vec<WeeklyRow>,
    pub unread: Vec<mutual_store::notifications::NotificationRow>,
    /// Events recorded today, as "kind:rule".
    pub recorded_today: Vec<String>,
    /// The member's saved meetings, for "coming up" (each one's next date is worked out when
    /// shown).
    pub saved: Vec<(
        mutual_store::meetings::MeetingRow,
        mutual_domain::meetings::listing::Listing,
    )>,
    /// The member's mentoring relationships, both sides.
    pub mentorships: Vec<mutual_store::people::mentors::MentorshipRow>,
}

/// The member's snapshot: cached when fresh, else loaded.
pub(crate) async fn snapshot(app: &App, viewer: &Viewer) -> Result<Arc<Snapshot>, AppError> {
    let now = app.clock.now();
    let today = viewer.zone.date_of(now);
    if let Some(cached) = app.snapshots.get(&viewer.user_id, now)
        && cached.day == today
    {
        return Ok(cached);
    }
    let user = viewer.user_id;
    let since = today
        .checked_sub((SNAPSHOT_DAYS - 1).days())
        .unwrap_or(today);
    let recent =
        store::list_checkins(&app.db, user, &since.to_string(), &today.to_string()).await?;
    let days: Vec<Date> = recent
        .iter()
        .filter_map(|r| local::parse_date(&r.day).ok())
        .collect();
    let mut streak = checkins::streak(&days, today);
    if i64::from(streak) >= SNAPSHOT_DAYS - 1 {
        // The run reaches past the window: count it over the longer history.
        let far = today.checked_sub(2000.days()).unwrap_or(today).to_string();
        let all: Vec<Date> = store::list_checkin_days(&app.db, user, &far)
            .await?
            .iter()
            .filter_map(|d| local::parse_date(d).ok())
            .collect();
        streak = checkins::streak(&all, today);
    }
    let clocks = store::list_clocks_by_user(&app.db, user).await?;
    let attempts = if clocks.is_empty() {
        Vec::new()
    } else {
        store::list_attempts_by_user(&app.db, user).await?
    };
    let snapshot = Arc::new(Snapshot {
        day: today,
        schedule: milestone_schedule(app).await?,
        clocks,
        attempts,
        recent,
        streak,
        weekly: store::list_weekly(&app.db, user).await?,
        unread: mutual_store::notifications::list_notifications(&app.db, user, 5)
            .await?
            .into_iter()
            .filter(|n| n.read_at.is_none())
            .collect(),
        recorded_today: store::list_event_keys_on(&app.db, user, &today.to_string()).await?,
        saved: mutual_store::meetings::list_saved_meetings(&app.db, user)
            .await?
            .into_iter()
            .map(|row| crate::meetings::listing_of(&row).map(|listing| (row, listing)))
            .collect::<Result<_, _>>()?,
        mentorships: mutual_store::people::mentors::list_mentorships_of(&app.db, user).await?,
    });
    app.snapshots.put(user, snapshot.clone(), now);
    Ok(snapshot)
}

/// Drops a member's snapshot after a change to their data.
pub(crate) fn forget(app: &App, user: UserId) {
    app.snapshots.forget(&user);
}

/// Drops every snapshot (after a server-wide change such as the milestone schedule, or an
/// erasure that other members' notifications may name).
pub(crate) fn forget_all(app: &App) {
    app.snapshots.forget_where(|_| true);
}
