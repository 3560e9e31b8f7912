//! The recovery journey's use cases: clocks, milestones and resets, daily and weekly check-ins,
//! trends, warning signs and the dashboard summary. Everything here is the member's own.

use crate::accounts::Viewer;
use crate::people::circles::Event as CircleEvent;
use crate::{App, AppError, FieldError};
use jiff::ToSpan;
use jiff::civil::Date;
use mutual_domain::local::{self, LocalError, Zone};
use mutual_domain::recovery::checkins::{self, CheckinInput};
use mutual_domain::recovery::clocks::{self, CleanTime, History, MilestoneSchedule};
use mutual_domain::recovery::warnings::{self, DayPoint, Rule};
use mutual_domain::recovery::weekly::{WeeklyAnswers, WeeklyScores};
use mutual_domain::{Timestamp, UserId};
use mutual_store::recovery as store;
pub use mutual_store::recovery::{AttemptRow, CheckinRow, ClockRow, EventRow, WeeklyRow};
use mutual_store::settings;
use uuid::Uuid;

pub(crate) mod snapshot;
pub(crate) use snapshot::Snapshot;

const SETTING_MILESTONES: &str = "milestones";

/// The milestone schedule in force (admins can change it).
pub async fn milestone_schedule(app: &App) -> Result<MilestoneSchedule, AppError> {
    let stored = settings::find_setting(&app.db, SETTING_MILESTONES).await?;
    Ok(stored
        .and_then(|text| MilestoneSchedule::parse(&text).ok())
        .unwrap_or_default())
}

/// Sets the milestone schedule from the admin's text ("24h, 7d, 30d, ...").
pub async fn set_milestone_schedule(app: &App, text: &str) -> Result<(), AppError> {
    let schedule = MilestoneSchedule::parse(text).map_err(|e| AppError::field("milestones", e))?;
    settings::upsert_setting(
        &app.db,
        SETTING_MILESTONES,
        &schedule.to_text(),
        app.clock.now(),
    )
    .await?;
    snapshot::forget_all(app);
    Ok(())
}

fn local_error(field: &'static str) -> impl Fn(LocalError) -> FieldError {
    move |e| FieldError::new(field, e.to_string())
}

/// The member's local date today.
pub fn today(app: &App, viewer: &Viewer) -> Date {
    viewer.zone.date_of(app.clock.now())
}

/// The days a check-in can be written for today: today first, then up to a week back.
pub fn writable_days(app: &App, viewer: &Viewer) -> Vec<Date> {
    let today = today(app, viewer);
    (0..=checkins::BACKFILL_DAYS)
        .filter_map(|back| today.checked_sub(back.days()).ok())
        .collect()
}

/// The time zone the member chose, if any (the viewer's zone falls back to the server's).
pub async fn chosen_time_zone(app: &App, viewer: &Viewer) -> Result<Option<String>, AppError> {
    let account = mutual_store::accounts::find_user_by_id(&app.db, viewer.user_id).await?;
    Ok(account.and_then(|a| a.time_zone))
}

/// Changes the member's time zone.
pub async fn set_time_zone(app: &App, viewer: &Viewer, name: &str) -> Result<Zone, AppError> {
    let zone = Zone::parse(name).map_err(|e| AppError::field("time_zone", e.to_string()))?;
    store::update_time_zone(&app.db, viewer.user_id, zone.name(), app.clock.now()).await?;
    snapshot::forget(app, viewer.user_id);
    crate::bus::changed(app, crate::bus::Change::Member(viewer.user_id)).await;
    crate::reminders::reschedule_after_zone_change(app, viewer.user_id, &zone).await?;
    Ok(zone)
}

/// A clock as the member sees it.
#[derive(Clone, Debug)]
pub struct ClockView {
    pub row: ClockRow,
    pub zone: Zone,
    /// When the view was made (dates are written relative to it).
    pub now: Timestamp,
    pub clean: CleanTime,
    pub next_label: String,
    pub next_at: Timestamp,
    /// Whole local days until the next milestone.
    pub days_to_next: i64,
    /// The milestone to celebrate now, if one was reached since the member last looked.
    pub celebrate: Option<String>,
    /// The latest milestone reached on this clock (what the member may choose to share).
    pub latest: Option<String>,
    pub reached: usize,
    pub history: History,
    pub attempts: Vec<AttemptRow>,
    pub money_saved_cents: Option<i64>,
    pub minutes_saved: Option<i64>,
}

impl ClockView {
    pub fn started_at(&self) -> Timestamp {
        Timestamp(self.row.started_at)
    }
}

fn view_clock(
    row: ClockRow,
    attempts: Vec<AttemptRow>,
    schedule: &MilestoneSchedule,
    now: Timestamp,
) -> ClockView {
    let zone = Zone::parse(&row.time_zone).unwrap_or_else(|_| Zone::utc());
    let start = Timestamp(row.started_at);
    let clean = clocks::clean_time(start, now, &zone);
    let reached = schedule.reached(start, now, &zone);
    let (next, next_at) = schedule.next(start, now, &zone);
    let latest = (reached > 0).then(|| schedule.get(reached - 1).label());
    let celebrate = latest
        .clone()
        .filter(|_| i64::try_from(reached).unwrap_or(i64::MAX) > row.celebrated_milestones);
    let earlier: Vec<(Timestamp, Timestamp)> = attempts
        .iter()
        .map(|a| (Timestamp(a.started_at), Timestamp(a.ended_at)))
        .collect();
    let history = clocks::history(&earlier, start, now, &zone);
    ClockView {
        now,
        // Calendar days from today to the milestone's date: "in 20 days" means on the 20th day.
        days_to_next: zone
            .date_of(now)
            .until(zone.date_of(next_at))
            .map_or(0, |span| i64::from(span.get_days())),
        money_saved_cents: row.money_per_day_cents.map(|cents| cents * clean.days),
        minutes_saved: row.minutes_per_day.map(|minutes| minutes * clean.days),
        next_label: next.label(),
        next_at,
        celebrate,
        latest,
        reached,
        clean,
        history,
        attempts,
        zone,
        row,
    }
}

/// The member's clocks.
pub async fn list_clocks(app: &App, viewer: &Viewer) -> Result<Vec<ClockView>, AppError> {
    let snapshot = snapshot::snapshot(app, viewer).await?;
    Ok(clock_views(&snapshot, app.clock.now()))
}

fn clock_views(snapshot: &Snapshot, now: Timestamp) -> Vec<ClockView> {
    snapshot
        .clocks
        .iter()
        .map(|row| {
            let mine = snapshot
                .attempts
                .iter()
                .filter(|a| a.clock_id == row.id)
                .cloned()
                .collect();
            view_clock(row.clone(), mine, &snapshot.schedule, now)
        })
        .collect()
}

/// The clocks of a member that anyone else may learn anything from: a hidden clock never counts
/// or shows outside the member's own pages (not in milestones, not as time in recovery).
async fn shown_clocks(app: &App, user: UserId) -> Result<Vec<store::ClockRow>, AppError> {
    let mut clocks = store::list_clocks_by_user(&app.db, user).await?;
    clocks.retain(|row| !row.hidden);
    Ok(clocks)
}

/// The latest milestone each of a member's shown clocks has reached ("90 days"), without what
/// the clock is for or when it started, for the people they chose to share milestones with.
pub(crate) async fn latest_milestones(app: &App, user: UserId) -> Result<Vec<String>, AppError> {
    let schedule = milestone_schedule(app).await?;
    let attempts = store::list_attempts_by_user(&app.db, user).await?;
    let now = app.clock.now();
    Ok(shown_clocks(app, user)
        .await?
        .into_iter()
        .filter_map(|row| {
            let mine = attempts
                .iter()
                .filter(|a| a.clock_id == row.id)
                .cloned()
                .collect();
            view_clock(row, mine, &schedule, now).latest
        })
        .collect())
}

/// The days on a member's longest current shown clock (0 without one): their self-reported
/// time in recovery, as mentoring shows and counts it.
pub(crate) async fn longest_clock_days(app: &App, user: UserId) -> Result<i64, AppError> {
    let now = app.clock.now().millis();
    Ok(shown_clocks(app, user)
        .await?
        .iter()
        .map(|clock| (now - clock.started_at).max(0) / (24 * 3600 * 1000))
        .max()
        .unwrap_or(0))
}

/// One of the member's clocks; `NotFound` for anyone else's.
pub async fn find_clock(app: &App, viewer: &Viewer, id: Uuid) -> Result<ClockView, AppError> {
    list_clocks(app, viewer)
        .await?
        .into_iter()
        .find(|c| c.row.id == id)
        .ok_or(AppError::NotFound)
}

/// A clock's details as submitted.
#[derive(Debug, Default)]
pub struct ClockInput<'a> {
    pub label: &'a str,
    pub start_date: &'a str,
    /// "HH:MM", or blank for the start of the day.
    pub start_time: &'a str,
    pub money_per_day: &'a str,
    pub minutes_per_day: &'a str,
    pub hidden: bool,
}

/// A local date and optional time, in `zone`, not in the future and not before 1900.
fn parse_moment(
    app: &App,
    zone: &Zone,
    date: &str,
    time: &str,
    date_field: &'static str,
    time_field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<Timestamp> {
    let now = app.clock.now();
    let date = local::parse_past_date(date, zone.date_of(now))
        .map_err(|e| errors.push(local_error(date_field)(e)))
        .ok()?;
    let at = if time.trim().is_empty() {
        zone.start_of(date)
    } else {
        let time = local::parse_time(time)
            .map_err(|e| errors.push(local_error(time_field)(e)))
            .ok()?;
        zone.instant(date, time)
            .map_err(|e| errors.push(local_error(time_field)(e)))
            .ok()?
    };
    if at > now {
        errors.push(FieldError::new(
            time_field,
            "That time is still to come. Please choose a time that has passed.",
        ));
        return None;
    }
    Some(at)
}

/// A clock's details, parsed.
struct ParsedClock {
    label: String,
    start: Timestamp,
    money: Option<i64>,
    minutes: Option<i64>,
    hidden: bool,
}

impl ParsedClock {
    /// A new row for `user` with these details, kept in `zone`, written at `now`.
    fn into_row(self, user: Uuid, zone: &Zone, now: Timestamp) -> ClockRow {
        ClockRow {
            id: Uuid::now_v7(),
            user_id: user,
            label: self.label,
            started_at: self.start.millis(),
            time_zone: zone.name().to_owned(),
            money_per_day_cents: self.money,
            minutes_per_day: self.minutes,
            hidden: self.hidden,
            celebrated_milestones: 0,
            created_at: now.millis(),
            updated_at: now.millis(),
        }
    }
}

/// How many milestones are already behind a clock started at `start`: those are not "new"
/// to celebrate when a clock is entered or corrected after the fact.
fn milestones_behind(
    schedule: &MilestoneSchedule,
    start: Timestamp,
    now: Timestamp,
    zone: &Zone,
) -> i64 {
    i64::try_from(schedule.reached(start, now, zone)).unwrap_or(0)
}

fn parse_clock(
    app: &App,
    viewer: &Viewer,
    input: &ClockInput<'_>,
) -> Result<ParsedClock, AppError> {
    let mut errors = Vec::new();
    let label = clocks::parse_label(input.label)
        .map_err(|e| errors.push(FieldError::new("label", e.to_string())))
        .ok();
    let start = parse_moment(
        app,
        &viewer.zone,
        input.start_date,
        input.start_time,
        "start_date",
        "start_time",
        &mut errors,
    );
    let money = clocks::parse_money(input.money_per_day)
        .map_err(|e| errors.push(FieldError::new("money_per_day", e.to_string())))
        .ok();
    let minutes = clocks::parse_minutes(input.minutes_per_day)
        .map_err(|e| errors.push(FieldError::new("minutes_per_day", e.to_string())))
        .ok();
    match (label, start, money, minutes) {
        (Some(label), Some(start), Some(money), Some(minutes)) if errors.is_empty() => {
            Ok(ParsedClock {
                label,
                start,
                money,
                minutes,
                hidden: input.hidden,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// The most clocks one member keeps.
pub const MAX_CLOCKS: usize = 20;

/// Starts a new clock.
pub async fn create_clock(
    app: &App,
    viewer: &Viewer,
    input: &ClockInput<'_>,
) -> Result<ClockView, AppError> {
    let parsed = parse_clock(app, viewer, input)?;
    if store::list_clocks_by_user(&app.db, viewer.user_id)
        .await?
        .len()
        >= MAX_CLOCKS
    {
        return Err(AppError::field(
            "label",
            format!("You can keep up to {MAX_CLOCKS} clocks."),
        ));
    }
    let now = app.clock.now();
    let schedule = milestone_schedule(app).await?;
    let celebrated = milestones_behind(&schedule, parsed.start, now, &viewer.zone);
    let row = ClockRow {
        celebrated_milestones: celebrated,
        ..parsed.into_row(viewer.user_id.0, &viewer.zone, now)
    };
    store::insert_clock(&app.db, &row).await?;
    snapshot::forget(app, viewer.user_id);
    Ok(view_clock(row, Vec::new(), &schedule, now))
}

/// Changes a clock's details (a corrected start keeps its history).
pub async fn update_clock(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    input: &ClockInput<'_>,
) -> Result<(), AppError> {
    let current = store::find_clock(&app.db, viewer.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parsed = parse_clock(app, viewer, input)?;
    let schedule = milestone_schedule(app).await?;
    let now = app.clock.now();
    // A corrected start does not celebrate the milestones it moves behind the clock.
    let celebrated = if parsed.start.millis() == current.started_at {
        current.celebrated_milestones
    } else {
        milestones_behind(&schedule, parsed.start, now, &viewer.zone)
    };
    let row = ClockRow {
        id: current.id,
        created_at: current.created_at,
        celebrated_milestones: celebrated,
        ..parsed.into_row(current.user_id, &viewer.zone, now)
    };
    store::update_clock(&app.db, &row).await?;
    snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// Records a slip: the attempt so far stays in the history, and the clock starts again at the
/// slip's date (and time, if given; today without a time means now).
pub async fn reset_clock(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    date: &str,
    time: &str,
    note: &str,
) -> Result<(), AppError> {
    let clock = store::find_clock(&app.db, viewer.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let now = app.clock.now();
    let today_text = viewer.zone.date_of(now).to_string();
    let at = if time.trim().is_empty() && date.trim() == today_text {
        Some(now)
    } else {
        parse_moment(
            app,
            &viewer.zone,
            date,
            time,
            "slip_date",
            "slip_time",
            &mut errors,
        )
    };
    let note = clocks::parse_note(note)
        .map_err(|e| errors.push(FieldError::new("note", e.to_string())))
        .ok()
        .flatten();
    let Some(at) = at.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if at.millis() < clock.started_at {
        return Err(AppError::field(
            "slip_date",
            "That is before this clock started. Please check the date.",
        ));
    }
    store::reset_clock(
        &app.db,
        viewer.user_id,
        id,
        at.millis(),
        at.millis(),
        note.as_deref(),
        now.millis(),
    )
    .await?;
    snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// Deletes a clock and its history.
pub async fn delete_clock(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    store::delete_clock(&app.db, viewer.user_id, id).await?;
    snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// The member has seen the celebration of every milestone reached so far on a clock; the
/// milestone is recorded as an event the member may later choose to share (never automatically).
pub async fn acknowledge_milestones(app: &App, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    let view = find_clock(app, viewer, id).await?;
    if let Some(label) = &view.celebrate {
        // A hidden clock's milestones are the member's alone.
        let circles = (!view.row.hidden).then_some(CircleEvent::Milestone);
        record_event(
            app,
            viewer,
            ("milestone", &format!("{}:{label}", view.row.id)),
            label,
            circles,
        )
        .await?;
    }
    let row = ClockRow {
        celebrated_milestones: i64::try_from(view.reached).unwrap_or(0),
        updated_at: app.clock.now().millis(),
        ..view.row
    };
    store::update_clock(&app.db, &row).await?;
    snapshot::forget(app, viewer.user_id);
    Ok(())
}

/// Records a recovery event once a day per (kind, rule); the first time, the member's circles
/// that they share `circles` with are told.
async fn record_event(
    app: &App,
    viewer: &Viewer,
    (kind, rule): (&str, &str),
    detail: &str,
    circles: Option<CircleEvent>,
) -> Result<bool, AppError> {
    let event = EventRow {
        id: Uuid::now_v7(),
        user_id: viewer.user_id.0,
        kind: kind.to_owned(),
        rule: rule.to_owned(),
        day: today(app, viewer).to_string(),
        detail: detail.to_owned(),
        created_at: app.clock.now().millis(),
    };
    let recorded = store::insert_event(&app.db, &event).await?;
    if let Some(what) = circles.filter(|_| recorded) {
        // Those told read a warning sign about the member, not in the member's own words.
        let told = match what {
            CircleEvent::WarningSign => Rule::told_of(rule, detail),
            CircleEvent::Milestone => detail,
        };
        crate::people::circles::tell(app, viewer, what, told).await?;
    }
    Ok(recorded)
}

/// Parses a check-in's local date and checks it may be written today.
pub fn parse_checkin_day(app: &App, viewer: &Viewer, text: &str) -> Result<Date, AppError> {
    let day = local::parse_date(text).map_err(|e| AppError::field("date", e.to_string()))?;
    checkins::writable(day, today(app, viewer))
        .map_err(|message| AppError::field("date", message))?;
    Ok(day)
}

/// Creates or replaces the check-in of one local day (today or up to 7 days back); returns the
/// stored check-in and whether it was new. Warning signs are evaluated at once, so a sign is
/// recorded even if the member never opens the dashboard.
pub async fn record_checkin(
    app: &App,
    viewer: &Viewer,
    day: &str,
    input: &CheckinInput<'_>,
) -> Result<(CheckinRow, bool), AppError> {
    let day = parse_checkin_day(app, viewer, day)?;
    let checkin = checkins::parse_checkin(day, input).map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect(),
        )
    })?;
    let now = app.clock.now().millis();
    let mut row = CheckinRow {
        user_id: viewer.user_id.0,
        day: day.to_string(),
        mood: i64::from(checkin.mood),
        craving: i64::from(checkin.craving),
        sleep_hours_tenths: i64::from(checkin.sleep_tenths),
        sleep_quality: i64::from(checkin.sleep_quality),
        exercised: checkin.exercised,
        regular_meals: checkin.regular_meals,
        support_contact: checkin.support_contact,
        pledged: checkin.pledged,
        triggers: checkin.triggers.join(","),
        trigger_note: checkin.trigger_note,
        gratitude: checkin.gratitude,
        journal: checkin.journal,
        created_at: now,
        updated_at: now,
    };
    let (created, created_at) = store::upsert_checkin(&app.db, &row).await?;
    row.created_at = created_at;
    snapshot::forget(app, viewer.user_id);
    record_fresh_signs(app, viewer, false).await?;
    Ok((row, created))
}

/// Evaluates the warning rules over freshly written data and records any that fire (once per
/// rule per day: the store ignores repeats). A daily check-in cannot change the weekly rule, so
/// the weekly scores are read only after a weekly check-in.
async fn record_fresh_signs(
    app: &App,
    viewer: &Viewer,
    weekly_changed: bool,
) -> Result<(), AppError> {
    let today = today(app, viewer);
    let from = today.checked_sub(30.days()).unwrap_or(today).to_string();
    let small = |n: i64| u8::try_from(n).unwrap_or(u8::MAX);
    let points: Vec<DayPoint> =
        store::list_checkin_points(&app.db, viewer.user_id, &from, &today.to_string())
            .await?
            .into_iter()
            .filter_map(|(day, mood, craving, sleep)| {
                Some(DayPoint {
                    day: local::parse_date(&day).ok()?,
                    mood: small(mood),
                    craving: small(craving),
                    sleep_hours: sleep as f64 / 10.0,
                })
            })
            .collect();
    let weekly: Vec<WeeklyScores> = if weekly_changed {
        store::list_recent_weekly_scores(&app.db, viewer.user_id, 2)
            .await?
            .into_iter()
            .map(|(use_days, risk, protective)| WeeklyScores {
                use_days: small(use_days),
                risk: small(risk),
                protective: small(protective),
            })
            .collect()
    } else {
        Vec::new()
    };
    for rule in warnings::evaluate(&points, &weekly, today, &app.config.warning_signs) {
        record_event(
            app,
            viewer,
            ("warning_sign", rule.code()),
            rule.title(),
            Some(CircleEvent::WarningSign),
        )
        .await?;
    }
    Ok(())
}

/// The most days one check-in listing covers.
pub const MAX_RANGE_DAYS: i64 = 731;

/// The member's check-ins between two local dates (inclusive).
pub async fn list_checkins(
    app: &App,
    viewer: &Viewer,
    from: &str,
    to: &str,
) -> Result<Vec<CheckinRow>, AppError> {
    let mut errors = Vec::new();
    let from = local::parse_date(from)
        .map_err(|e| errors.push(FieldError::new("from", e.to_string())))
        .ok();
    let to = local::parse_date(to)
        .map_err(|e| errors.push(FieldError::new("to", e.to_string())))
        .ok();
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Invalid(errors));
    };
    if from > to {
        return Err(AppError::field(
            "from",
            "Choose a start date on or before the end date.",
        ));
    }
    if from
        .until(to)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(i64::MAX)
        > MAX_RANGE_DAYS
    {
        return Err(AppError::field(
            "to",
            format!("Ask for at most {MAX_RANGE_DAYS} days at a time."),
        ));
    }
    Ok(store::list_checkins(&app.db, viewer.user_id, &from.to_string(), &to.to_string()).await?)
}

/// The member's check-in of one day, if any.
pub async fn find_checkin(
    app: &App,
    viewer: &Viewer,
    day: Date,
) -> Result<Option<CheckinRow>, AppError> {
    let text = day.to_string();
    Ok(store::list_checkins(&app.db, viewer.user_id, &text, &text)
        .await?
        .into_iter()
        .next())
}

/// The Monday of the week holding `day`.
pub fn week_start(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(back.days()).unwrap_or(day)
}

/// Records this week's weekly check-in (replacing an earlier one of the same week).
pub async fn record_weekly(
    app: &App,
    viewer: &Viewer,
    answers: &WeeklyAnswers,
) -> Result<WeeklyScores, AppError> {
    let scores = answers.scores();
    let row = WeeklyRow {
        id: Uuid::now_v7(),
        user_id: viewer.user_id.0,
        week_start: week_start(today(app, viewer)).to_string(),
        answers: serde_json::to_string(answers).map_err(|e| AppError::Internal(e.to_string()))?,
        use_score: i64::from(scores.use_days),
        risk_score: i64::from(scores.risk),
        protective_score: i64::from(scores.protective),
        created_at: app.clock.now().millis(),
    };
    store::upsert_weekly(&app.db, &row).await?;
    snapshot::forget(app, viewer.user_id);
    record_fresh_signs(app, viewer, true).await?;
    Ok(scores)
}

/// The member's weekly check-ins, oldest first.
pub async fn list_weekly(app: &App, viewer: &Viewer) -> Result<Vec<WeeklyRow>, AppError> {
    Ok(store::list_weekly(&app.db, viewer.user_id).await?)
}

fn scores_of(row: &WeeklyRow) -> WeeklyScores {
    let small = |n: i64| u8::try_from(n).unwrap_or(u8::MAX);
    WeeklyScores {
        use_days: small(row.use_score),
        risk: small(row.risk_score),
        protective: small(row.protective_score),
    }
}

fn day_point(row: &CheckinRow) -> Option<DayPoint> {
    Some(DayPoint {
        day: local::parse_date(&row.day).ok()?,
        mood: u8::try_from(row.mood).ok()?,
        craving: u8::try_from(row.craving).ok()?,
        sleep_hours: row.sleep_hours_tenths as f64 / 10.0,
    })
}

/// A warning sign that fired, with its rule spelled out.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FiredSign {
    pub rule: Rule,
    pub title: &'static str,
    pub explanation: String,
}

/// The warning signs firing today. Each fired sign is recorded once a day as a `warning_sign`
/// event, which later features deliver only to the people the member opted in for.
pub async fn warning_signs(app: &App, viewer: &Viewer) -> Result<Vec<FiredSign>, AppError> {
    let snapshot = snapshot::snapshot(app, viewer).await?;
    let today = snapshot.day;
    let from = today.checked_sub(30.days()).unwrap_or(today).to_string();
    let points: Vec<DayPoint> = snapshot
        .recent
        .iter()
        .filter(|r| r.day >= from)
        .filter_map(day_point)
        .collect();
    let weekly: Vec<WeeklyScores> = snapshot.weekly.iter().map(scores_of).collect();
    let thresholds = &app.config.warning_signs;
    let mut fired = Vec::new();
    let mut recorded = false;
    for rule in warnings::evaluate(&points, &weekly, today, thresholds) {
        if !snapshot
            .recorded_today
            .iter()
            .any(|key| key == &format!("warning_sign:{}", rule.code()))
        {
            record_event(
                app,
                viewer,
                ("warning_sign", rule.code()),
                rule.title(),
                Some(CircleEvent::WarningSign),
            )
            .await?;
            recorded = true;
        }
        fired.push(FiredSign {
            rule,
            title: rule.title(),
            explanation: rule.explain(thresholds),
        });
    }
    if recorded {
        snapshot::forget(app, viewer.user_id);
    }
    Ok(fired)
}

/// Every rule with its thresholds, for the page that explains them.
pub fn warning_rules(app: &App) -> Vec<(Rule, &'static str, String)> {
    Rule::ALL
        .iter()
        .map(|rule| (*rule, rule.title(), rule.explain(&app.config.warning_signs)))
        .collect()
}

/// One day of the trend charts.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TrendDay {
    pub day: String,
    pub mood: Option<i64>,
    pub craving: Option<i64>,
    pub sleep_hours: Option<f64>,
    /// Clean days at the end of the day on the member's longest-running clock.
    pub sober_days: Option<i64>,
}

/// The trend data for the last `days` days (7 to 366), and the weekly scores.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Trends {
    pub days: Vec<TrendDay>,
    pub weekly: Vec<WeeklyRow>,
}

/// Trend data for the last `days` local days: from the snapshot when it covers them, else read.
pub async fn trends(app: &App, viewer: &Viewer, days: i64) -> Result<Trends, AppError> {
    if !(7..=366).contains(&days) {
        return Err(AppError::field("days", "Choose from 7 to 366 days."));
    }
    let snapshot = snapshot::snapshot(app, viewer).await?;
    let today = snapshot.day;
    let first = today.checked_sub((days - 1).days()).unwrap_or(today);
    let older;
    let rows: &[CheckinRow] = if days <= snapshot::SNAPSHOT_DAYS {
        &snapshot.recent
    } else {
        older = store::list_checkins(
            &app.db,
            viewer.user_id,
            &first.to_string(),
            &today.to_string(),
        )
        .await?;
        &older
    };
    let first_text = first.to_string();
    let mut rows = rows.iter().filter(|r| r.day >= first_text).peekable();
    let sober = sober_days_by_day(&snapshot, &viewer.zone, first, days, app.clock.now());
    let mut out = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
    for (offset, sober_days) in (0..days).zip(sober) {
        let Ok(day) = first.checked_add(offset.days()) else {
            break;
        };
        let text = day.to_string();
        let row = match rows.peek() {
            Some(row) if row.day == text => rows.next(),
            _ => None,
        };
        out.push(TrendDay {
            day: text,
            mood: row.map(|r| r.mood),
            craving: row.map(|r| r.craving),
            sleep_hours: row.map(|r| r.sleep_hours_tenths as f64 / 10.0),
            sober_days,
        });
    }
    Ok(Trends {
        days: out,
        weekly: snapshot.weekly.clone(),
    })
}

/// Clean days at the end of each of `days` local days from `first` (today: now) on whichever
/// clock or earlier attempt was running then and longest. Whole calendar days from a start at
/// local date S and time T to the midnight that ends day D are `D + 1 - S`, less one if T is
/// after midnight; so each day costs integer arithmetic, not a time-zone calculation. Only today,
/// still running, is counted exactly up to now.
fn sober_days_by_day(
    snapshot: &Snapshot,
    zone: &Zone,
    first: Date,
    days: i64,
    now: Timestamp,
) -> Vec<Option<i64>> {
    let mut best = vec![None::<i64>; usize::try_from(days).unwrap_or(0)];
    let offset_of = |date: Date| {
        first
            .until(date)
            .map_or(0, |span| i64::from(span.get_days()))
    };
    let today = offset_of(zone.date_of(now));
    for clock in &snapshot.clocks {
        let spans = snapshot
            .attempts
            .iter()
            .filter(|a| a.clock_id == clock.id)
            .map(|a| (a.started_at, Some(a.ended_at)))
            .chain(std::iter::once((clock.started_at, None)));
        for (start, end) in spans {
            let start_at = Timestamp(start);
            let start_day = offset_of(zone.date_of(start_at));
            let after_midnight = i64::from(zone.start_of(zone.date_of(start_at)) != start_at);
            // The last day whose closing midnight falls before the end of the span.
            let last_full = match end {
                None => i64::MAX,
                Some(end) => {
                    let end_at = Timestamp(end);
                    let end_day = offset_of(zone.date_of(end_at));
                    if zone.start_of(zone.date_of(end_at)) == end_at {
                        end_day - 2
                    } else {
                        end_day - 1
                    }
                }
            };
            for (i, slot) in best.iter_mut().enumerate() {
                let i = i as i64;
                let days = if i == today {
                    // Today, still running: the exact count up to now.
                    (start <= now.millis() && end.is_none_or(|end| now.millis() < end))
                        .then(|| clocks::clean_time(start_at, now, zone).days)
                } else {
                    let midnight_covered = start_day + after_midnight <= i + 1 && i <= last_full;
                    midnight_covered.then(|| i + 1 - start_day - after_midnight)
                };
                if let Some(days) = days {
                    *slot = Some(slot.map_or(days, |b| b.max(days)));
                }
            }
        }
    }
    best
}

/// What the dashboard shows.
pub struct Dashboard {
    pub coming_up: ComingUp,
    pub clocks: Vec<ClockView>,
    pub checked_in_today: bool,
    pub streak: u32,
    pub warnings: Vec<FiredSign>,
    pub notifications: Vec<crate::notifications::NotificationRow>,
}

/// What is next for the member: their next saved meeting, and their mentors with the check-in
/// rhythm agreed with each.
#[derive(Clone, Debug, Default)]
pub struct ComingUp {
    /// The saved meeting that comes soonest: its id, name and start.
    pub next_meeting: Option<(Uuid, String, Timestamp)>,
    pub saved_meetings: usize,
    pub mentors: Vec<MentorLine>,
}

/// A mentoring relationship in force, as the dashboard names it.
#[derive(Clone, Debug)]
pub struct MentorLine {
    pub id: Uuid,
    /// The other person's pseudonym.
    pub with: String,
    /// Whether the viewer is the one mentored.
    pub my_mentor: bool,
    /// The rhythm they agreed, in their words (empty when none yet).
    pub cadence: String,
}

fn coming_up(snapshot: &snapshot::Snapshot, viewer: &Viewer, now: Timestamp) -> ComingUp {
    let next_meeting = snapshot
        .saved
        .iter()
        .filter_map(|(row, listing)| {
            listing
                .schedule()
                .next(now)
                .map(|o| (row.id, listing.name.clone(), o.start))
        })
        .min_by_key(|(_, _, start)| start.millis());
    let mentors = snapshot
        .mentorships
        .iter()
        .filter(|m| m.state == "active")
        .map(|m| {
            let my_mentor = m.mentee_id == viewer.user_id.0;
            MentorLine {
                id: m.id,
                with: if my_mentor {
                    &m.mentor_name
                } else {
                    &m.mentee_name
                }
                .clone(),
                my_mentor,
                cadence: m.cadence.trim().to_owned(),
            }
        })
        .collect();
    ComingUp {
        next_meeting,
        saved_meetings: snapshot.saved.len(),
        mentors,
    }
}

/// Everything the dashboard needs, from the member's snapshot.
pub async fn dashboard(app: &App, viewer: &Viewer) -> Result<Dashboard, AppError> {
    let warnings = warning_signs(app, viewer).await?;
    let snapshot = snapshot::snapshot(app, viewer).await?;
    let today = snapshot.day.to_string();
    Ok(Dashboard {
        coming_up: coming_up(&snapshot, viewer, app.clock.now()),
        checked_in_today: snapshot.recent.last().is_some_and(|r| r.day == today),
        streak: snapshot.streak,
        clocks: clock_views(&snapshot, app.clock.now()),
        warnings,
        notifications: snapshot.unread.clone(),
    })
}

/// The member's check-ins as CSV, oldest first, for sharing with a counsellor by hand.
pub async fn checkins_csv(app: &App, viewer: &Viewer) -> Result<String, AppError> {
    let rows = store::list_checkins(&app.db, viewer.user_id, "1900-01-01", "9999-12-31").await?;
    let mut csv = String::from(
        "date,mood,craving,sleep_hours,sleep_quality,exercised,regular_meals,support_contact,pledged,triggers,trigger_note,gratitude,journal\r\n",
    );
    for row in rows {
        let fields = [
            row.day.clone(),
            row.mood.to_string(),
            row.craving.to_string(),
            format!("{:.1}", row.sleep_hours_tenths as f64 / 10.0),
            row.sleep_quality.to_string(),
            row.exercised.to_string(),
            row.regular_meals.to_string(),
            row.support_contact.to_string(),
            row.pledged.to_string(),
            row.triggers.replace(',', ";"),
            row.trigger_note.unwrap_or_default(),
            row.gratitude.unwrap_or_default(),
            row.journal.unwrap_or_default(),
        ];
        csv.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// One CSV field, quoted when needed; a leading = + - @ is neutralised so spreadsheets do not
/// run it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Everything of the recovery journey stored about a member, by table, for their export.
pub async fn export(
    app: &App,
    user: UserId,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    fn table(rows: impl serde::Serialize) -> Result<serde_json::Value, AppError> {
        serde_json::to_value(rows).map_err(|e| AppError::Internal(e.to_string()))
    }
    let reminder: Vec<_> = store::find_reminder(&app.db, user)
        .await?
        .into_iter()
        .collect();
    Ok(serde_json::Map::from_iter([
        (
            "clocks".into(),
            table(store::list_clocks_by_user(&app.db, user).await?)?,
        ),
        (
            "clock_attempts".into(),
            table(store::list_attempts_by_user(&app.db, user).await?)?,
        ),
        (
            "checkins".into(),
            table(store::list_checkins(&app.db, user, "1900-01-01", "9999-12-31").await?)?,
        ),
        (
            "weekly_checkins".into(),
            table(store::list_weekly(&app.db, user).await?)?,
        ),
        (
            "recovery_events".into(),
            table(store::list_events(&app.db, user).await?)?,
        ),
        ("reminders".into(), table(reminder)?),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    #[test]
    fn clean_days_per_day_match_the_calendar_count_across_a_dst_change() {
        let zone = Zone::parse("America/New_York").unwrap();
        let at = |y, m, d, h, mi| {
            zone.instant(
                Date::new(y, m, d).unwrap(),
                jiff::civil::Time::new(h, mi, 0, 0).unwrap(),
            )
            .unwrap()
        };
        let start = at(2024, 3, 9, 23, 30);
        let slip_start = at(2024, 2, 1, 0, 0);
        let clock = ClockRow {
            id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            label: "alcohol".into(),
            started_at: start.millis(),
            time_zone: zone.name().into(),
            money_per_day_cents: None,
            minutes_per_day: None,
            hidden: false,
            celebrated_milestones: 0,
            created_at: 0,
            updated_at: 0,
        };
        let attempt = AttemptRow {
            id: Uuid::now_v7(),
            clock_id: clock.id,
            user_id: clock.user_id,
            started_at: slip_start.millis(),
            ended_at: start.millis(),
            note: None,
        };
        let snapshot = Snapshot {
            day: Date::new(2024, 4, 9).unwrap(),
            schedule: MilestoneSchedule::default(),
            clocks: vec![clock],
            attempts: vec![attempt],
            recent: Vec::new(),
            streak: 0,
            weekly: Vec::new(),
            unread: Vec::new(),
            recorded_today: Vec::new(),
            saved: Vec::new(),
            mentorships: Vec::new(),
        };
        let first = Date::new(2024, 3, 1).unwrap();
        let now = at(2024, 4, 9, 12, 0);
        let got = sober_days_by_day(&snapshot, &zone, first, 40, now);
        for (i, value) in got.iter().enumerate() {
            let day = first.checked_add((i as i64).days()).unwrap();
            let end = zone.start_of(day.tomorrow().unwrap()).min(now);
            let (from, _) = if end < start {
                (slip_start, start)
            } else {
                (start, Timestamp(i64::MAX))
            };
            let expected = clocks::clean_time(from, end, &zone).days;
            assert_eq!(*value, Some(expected), "{day}");
        }
        assert_eq!(got[7], Some(37), "8 March: 37 days on the earlier attempt");
        assert_eq!(got[8], Some(0), "9 March: the new start at 23:30");
        assert_eq!(
            got[9],
            Some(1),
            "10 March had 23 hours, and still counts as a day"
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        let saturday = Date::new(2026, 11, 21).unwrap();
        assert_eq!(week_start(saturday), Date::new(2026, 11, 16).unwrap());
        assert_eq!(
            week_start(Date::new(2026, 11, 16).unwrap()),
            Date::new(2026, 11, 16).unwrap()
        );
    }
}
