//! Daily check-in reminders: jobs in the database, claimed safely by whichever server gets there
//! first, delivered as in-app notifications at the member's chosen local time.

use crate::accounts::{Viewer, member_zone};
use crate::{App, AppError};
use jiff::civil::Time;
use mutual_domain::local::{self, Zone};
use mutual_domain::{Timestamp, UserId};
use mutual_store::accounts::find_user_by_id;
use mutual_store::recovery as store;
use std::time::Duration;

/// How long a server holds a claimed reminder before another may take it over.
const LEASE: Duration = Duration::from_secs(300);

/// The next instant after `after` when it is `time` in `zone` (a time the clocks skip that day
/// falls just after the change).
pub fn next_run(zone: &Zone, time: Time, after: Timestamp) -> Timestamp {
    let mut day = zone.date_of(after);
    for _ in 0..3 {
        let at = zone.instant_or_later(day, time);
        if at > after {
            return at;
        }
        day = day.tomorrow().unwrap_or(day);
    }
    after.plus(Duration::from_secs(24 * 3600))
}

/// The member's reminder time ("HH:MM"), if set.
pub async fn reminder(app: &App, viewer: &Viewer) -> Result<Option<String>, AppError> {
    Ok(store::find_reminder(&app.db, viewer.user_id)
        .await?
        .map(|r| r.local_time))
}

/// Sets the daily reminder to a local time ("HH:MM"), or turns it off with a blank.
pub async fn set_reminder(app: &App, viewer: &Viewer, text: &str) -> Result<(), AppError> {
    if text.trim().is_empty() {
        store::delete_reminder(&app.db, viewer.user_id).await?;
        return Ok(());
    }
    let time =
        local::parse_time(text).map_err(|e| AppError::field("reminder_time", e.to_string()))?;
    let next = next_run(&viewer.zone, time, app.clock.now());
    let shown = format!("{:02}:{:02}", time.hour(), time.minute());
    store::upsert_reminder(&app.db, viewer.user_id, &shown, next.millis()).await?;
    Ok(())
}

pub(crate) async fn reschedule_after_zone_change(
    app: &App,
    user: UserId,
    zone: &Zone,
) -> Result<(), AppError> {
    if let Some(reminder) = store::find_reminder(&app.db, user).await?
        && let Ok(time) = local::parse_time(&reminder.local_time)
    {
        let next = next_run(zone, time, app.clock.now());
        store::upsert_reminder(&app.db, user, &reminder.local_time, next.millis()).await?;
    }
    Ok(())
}

/// Claims the reminders that are due, notifies each member who has not checked in yet today,
/// and schedules the next day's run. Returns how many notifications were sent.
pub async fn run_due_reminders(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let claimed =
        store::claim_due_reminders(&app.db, now.millis(), now.plus(LEASE).millis(), 100).await?;
    let mut sent = 0;
    for reminder in claimed {
        let user = UserId(reminder.user_id);
        let Some(account) = find_user_by_id(&app.db, user).await? else {
            continue;
        };
        let zone = member_zone(app, account.time_zone.as_deref());
        let today = zone.date_of(now).to_string();
        let done = !store::list_checkins(&app.db, user, &today, &today)
            .await?
            .is_empty();
        if !done {
            crate::notifications::notify(
                app,
                &[user],
                "checkin_reminder",
                "Time for your daily check-in: it takes less than a minute.",
                "/checkin",
            )
            .await?;
            sent += 1;
        }
        let time = local::parse_time(&reminder.local_time).unwrap_or(Time::midnight());
        store::reschedule_reminder(
            &app.db,
            reminder.user_id,
            next_run(&zone, time, now).millis(),
        )
        .await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;

    #[test]
    fn the_next_run_is_today_if_still_ahead_else_tomorrow_at_the_same_local_time() {
        let new_york = Zone::parse("America/New_York").unwrap();
        let nine = Time::new(21, 0, 0, 0).unwrap();
        let morning = new_york
            .instant(
                Date::new(2024, 3, 9).unwrap(),
                Time::new(8, 0, 0, 0).unwrap(),
            )
            .unwrap();
        assert_eq!(
            next_run(&new_york, nine, morning),
            new_york
                .instant(Date::new(2024, 3, 9).unwrap(), nine)
                .unwrap()
        );
        let late = new_york
            .instant(
                Date::new(2024, 3, 9).unwrap(),
                Time::new(22, 0, 0, 0).unwrap(),
            )
            .unwrap();
        let next = next_run(&new_york, nine, late);
        assert_eq!(
            new_york.display(next),
            "2024-03-10 21:00",
            "21:00 local across the DST change"
        );
    }

    #[test]
    fn a_reminder_in_a_skipped_hour_runs_just_after_the_change() {
        let new_york = Zone::parse("America/New_York").unwrap();
        let half_two = Time::new(2, 30, 0, 0).unwrap();
        let before = new_york
            .instant(
                Date::new(2024, 3, 10).unwrap(),
                Time::new(0, 0, 0, 0).unwrap(),
            )
            .unwrap();
        assert_eq!(
            new_york.display(next_run(&new_york, half_two, before)),
            "2024-03-10 03:30"
        );
    }
}
