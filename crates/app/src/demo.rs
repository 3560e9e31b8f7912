//! The demo community: a small, clearly fictional set of pseudonymous members, a moderator and
//! an admin, their conversations in the community, mentors, a circle and a past Reach out, and a
//! directory of fictional meetings, so
//! that a newcomer running `mutual serve --demo` sees a living system.

mod community;
mod meetings;
mod people;

use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::accounts::{AccountStatus, Username};
use mutual_domain::permissions::Role;
use mutual_store::accounts::{self as store, NewUser};

/// The password every demo account shares. Demo data is for trying Mutual out, never for use.
pub const DEMO_PASSWORD: &str = "demo lantern harbour";

/// The demo accounts: (pseudonym, role). All fictional.
pub const DEMO_ACCOUNTS: &[(&str, Role)] = &[
    ("demo_admin", Role::Admin),
    ("demo_moderator", Role::Moderator),
    ("morning_tide", Role::Member),
    ("quiet_river", Role::Member),
    ("steady_oak", Role::Member),
    ("new_leaf", Role::Member),
];

/// Fills an empty database with the demo community and returns the logins to print;
/// `None` (and no change) when the database already has accounts.
pub async fn seed_demo(app: &App) -> Result<Option<Vec<(&'static str, Role)>>, AppError> {
    if store::count_users(&app.db).await? > 0 {
        return Ok(None);
    }
    let hash = app.hasher.hash(DEMO_PASSWORD).await?;
    let mut ids = Vec::new();
    for (name, role) in DEMO_ACCOUNTS {
        let username = Username::parse(name).map_err(|e| AppError::Internal(e.to_string()))?;
        let user = NewUser {
            id: UserId::new(),
            username: &username,
            password_hash: &hash,
            email: None,
            role: *role,
            status: AccountStatus::Active,
            now: app.clock.now(),
        };
        store::insert_user(&app.db, &user).await?;
        ids.push((*name, user.id));
        if *role == Role::Member {
            seed_recovery(app, user.id, name).await?;
        }
    }
    community::seed_community(app, &ids).await?;
    people::seed_people(app, &ids).await?;
    meetings::seed_meetings(app).await?;
    Ok(Some(DEMO_ACCOUNTS.to_vec()))
}

/// A small deterministic pseudo-random sequence, so the demo looks lived-in yet is the same
/// every time.
struct Wobble(u64);

impl Wobble {
    fn next(&mut self, range: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % range.max(1)
    }
}

/// Clocks (one with a slip in its history), 90 days of check-ins and 12 weekly check-ins for a
/// demo member; `quiet_river` is having a hard few days, so a warning sign shows.
async fn seed_recovery(app: &App, user: UserId, name: &str) -> Result<(), AppError> {
    use mutual_store::recovery::{self as recovery_store, CheckinRow, ClockRow, WeeklyRow};
    let zone_name = if name == "morning_tide" {
        "Europe/London"
    } else {
        "America/New_York"
    };
    let zone = mutual_domain::local::Zone::parse(zone_name)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = app.clock.now();
    recovery_store::update_time_zone(&app.db, user, zone_name, now).await?;
    let day_ms: i64 = 24 * 3600 * 1000;
    let mut wobble = Wobble(name.bytes().map(u64::from).sum());
    // steady_oak is the demo's long-time member and mentor.
    let clock_days = if name == "steady_oak" {
        4_000
    } else {
        40 + wobble.next(400) as i64
    };
    let clock = ClockRow {
        id: uuid::Uuid::now_v7(),
        user_id: user.0,
        label: if name == "steady_oak" {
            "gambling".into()
        } else {
            "alcohol".into()
        },
        started_at: now.millis() - clock_days * day_ms,
        time_zone: zone_name.into(),
        money_per_day_cents: Some(1200),
        minutes_per_day: None,
        hidden: false,
        celebrated_milestones: 0,
        created_at: now.millis(),
        updated_at: now.millis(),
    };
    recovery_store::insert_clock(&app.db, &clock).await?;
    if name == "new_leaf" {
        // An earlier attempt, ended by a slip: the history keeps it.
        let slip = clock.started_at;
        recovery_store::update_clock(
            &app.db,
            &ClockRow {
                started_at: slip - 60 * day_ms,
                ..clock.clone()
            },
        )
        .await?;
        recovery_store::reset_clock(
            &app.db,
            user,
            clock.id,
            slip,
            slip,
            Some("A hard weekend. Back at it."),
            now.millis(),
        )
        .await?;
    }
    let today = zone.date_of(now);
    for back in 0..90_i64 {
        let Ok(day) = today.checked_sub(jiff::Span::new().days(back)) else {
            continue;
        };
        if back > 2 && wobble.next(10) == 0 {
            continue; // the odd missed day
        }
        let hard = name == "quiet_river" && back < 3;
        let row = CheckinRow {
            user_id: user.0,
            day: day.to_string(),
            mood: if hard { 2 } else { 3 + wobble.next(3) as i64 },
            craving: if hard {
                7 + wobble.next(3) as i64
            } else {
                wobble.next(5) as i64
            },
            sleep_hours_tenths: if hard {
                45
            } else {
                60 + wobble.next(25) as i64
            },
            sleep_quality: 2 + wobble.next(4) as i64,
            exercised: wobble.next(2) == 0,
            regular_meals: wobble.next(4) != 0,
            support_contact: wobble.next(3) != 0,
            pledged: wobble.next(2) == 0,
            triggers: if hard {
                "stress,loneliness".into()
            } else {
                String::new()
            },
            trigger_note: None,
            gratitude: (wobble.next(3) == 0).then(|| "A quiet cup of tea in the morning".into()),
            journal: None,
            created_at: now.millis(),
            updated_at: now.millis(),
        };
        recovery_store::upsert_checkin(&app.db, &row).await?;
    }
    for week in 0..12_i64 {
        let Ok(day) = today.checked_sub(jiff::Span::new().days(7 * week)) else {
            continue;
        };
        let answers = mutual_domain::recovery::weekly::WeeklyAnswers {
            days_used: 0,
            risk: [(); 6].map(|()| wobble.next(3) as u8),
            protective: [(); 6].map(|()| 2 + wobble.next(3) as u8),
        };
        let scores = answers.scores();
        let row = WeeklyRow {
            id: uuid::Uuid::now_v7(),
            user_id: user.0,
            week_start: crate::recovery::week_start(day).to_string(),
            answers: serde_json::to_string(&answers)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            use_score: i64::from(scores.use_days),
            risk_score: i64::from(scores.risk),
            protective_score: i64::from(scores.protective),
            created_at: now.millis(),
        };
        recovery_store::upsert_weekly(&app.db, &row).await?;
    }
    Ok(())
}
