//! The demo's people: two approved mentors (`steady_oak` mentoring `new_leaf`, with a cadence and shared
//! goals), a member's saved mentor preferences, an accountability circle whose members share
//! different things, encouragement on its page, and a Reach out from two days ago that two
//! people responded to, with the conversation that followed. All fictional.

use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::people::circles::Sharing;
use mutual_store::people::circles as circles_store;
use mutual_store::people::mentors::{self as mentors_store, Keeping, PreferencesRow, ProfileRow};
use mutual_store::people::messages::{self as messages_store, State};
use mutual_store::people::reach_out::{self as reach_out_store, ReachOutRow};
use uuid::Uuid;

const HOUR: i64 = 3600 * 1000;

/// A mentor profile: (member, gender, same gender only, programmes, time zone, availability,
/// topics, capacity, about).
type DemoMentor = (
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
);

const MENTORS: &[DemoMentor] = &[
    (
        "steady_oak",
        "man",
        false,
        "AA,SMART",
        "America/New_York",
        "mon-evening,wed-evening,sun-afternoon",
        "early recovery,family,gambling",
        3,
        "Eleven years in, with a few stumbles early on. I like practical, one-day-at-a-time support and I am a good listener at the end of a long day.",
    ),
    (
        "demo_moderator",
        "woman",
        true,
        "AA",
        "Europe/London",
        "tue-morning,thu-morning,sat-morning",
        "early recovery,dual diagnosis",
        2,
        "Six years sober. I mentor women only. Mornings are my best time: a walk, a coffee, a call.",
    ),
];

/// A circle member's choices: (member, checkin, streak, milestones, warning signs, reach out,
/// quiet days).
type DemoShare = (&'static str, bool, bool, bool, bool, bool, Option<u32>);

/// What each circle member shares.
const CIRCLE: &[DemoShare] = &[
    ("quiet_river", true, true, false, true, true, Some(2)),
    ("steady_oak", true, true, true, true, true, None),
    ("new_leaf", true, false, false, false, true, None),
    ("morning_tide", true, false, true, false, true, Some(3)),
];

pub(super) async fn seed_people(
    app: &App,
    users: &[(&'static str, UserId)],
) -> Result<(), AppError> {
    let id = |name: &str| {
        users
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| AppError::Internal(format!("no demo member {name}")))
    };
    let now = app.clock.now().millis();
    // The moderator's own clock (members' clocks are seeded with their recovery data).
    let moderator = id("demo_moderator")?;
    mutual_store::recovery::insert_clock(
        &app.db,
        &mutual_store::recovery::ClockRow {
            id: Uuid::now_v7(),
            user_id: moderator.0,
            label: "alcohol".into(),
            started_at: now - 6 * 365 * 24 * HOUR,
            time_zone: "Europe/London".into(),
            money_per_day_cents: None,
            minutes_per_day: None,
            hidden: false,
            celebrated_milestones: 0,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    for (name, gender, same_only, programs, zone, availability, topics, capacity, about) in MENTORS
    {
        mentors_store::upsert_profile(
            &app.db,
            &ProfileRow {
                user_id: id(name)?.0,
                username: String::new(),
                programs: (*programs).into(),
                approach: "step work and practical support".into(),
                languages: "english".into(),
                time_zone: (*zone).into(),
                availability: (*availability).into(),
                gender: (*gender).into(),
                same_gender_only: *same_only,
                topics: (*topics).into(),
                capacity: *capacity,
                about: (*about).into(),
                status: "approved".into(),
                agreed_at: now - 40 * 24 * HOUR,
                created_at: now - 40 * 24 * HOUR,
                updated_at: now - 40 * 24 * HOUR,
            },
        )
        .await?;
    }
    let (oak, leaf, river) = (id("steady_oak")?, id("new_leaf")?, id("quiet_river")?);
    let mentorship = Uuid::now_v7();
    mentors_store::insert_request(&app.db, mentorship, oak, leaf, "I slipped a while back and I would like someone steady to check in with. Evenings suit me.", now - 20 * 24 * HOUR).await?;
    mentors_store::update_mentorship_state(
        &app.db,
        mentorship,
        "requested",
        "active",
        "Happy to. Let's talk Sunday.",
        now - 19 * 24 * HOUR,
    )
    .await?;
    mentors_store::update_mentorship(
        &app.db,
        mentorship,
        &Keeping {
            cadence: "A call every Sunday evening, texts any time",
            goals: "Ninety days. One meeting a week. Tell someone before a hard weekend, not after.",
            notes: "",
            mentor_side: false,
            shares: Some((true, true)),
        },
    )
    .await?;
    mentors_store::upsert_preferences(
        &app.db,
        &PreferencesRow {
            user_id: river.0,
            programs: "AA".into(),
            languages: "english".into(),
            topics: "early recovery".into(),
            availability: "mon-evening,wed-evening".into(),
            time_zone: "America/New_York".into(),
            gender: "unsaid".into(),
            same_gender_only: false,
            updated_at: now - 3 * 24 * HOUR,
        },
    )
    .await?;

    let circle = Uuid::now_v7();
    let first = id(CIRCLE[0].0)?;
    circles_store::insert_circle(
        &app.db,
        circle,
        "Evening circle",
        first,
        Sharing::default(),
        now - 30 * 24 * HOUR,
    )
    .await?;
    for (name, checkin, streak, milestones, warning_signs, reach_out, quiet) in CIRCLE {
        let member = id(name)?;
        if member != first {
            let at = now - 30 * 24 * HOUR;
            circles_store::insert_invites(&app.db, circle, first, &[member], 12, (12, at), at)
                .await?
                .map_err(|_| AppError::Internal("the demo circle is full".into()))?;
            circles_store::join_circle(
                &app.db,
                circle,
                member,
                Sharing::default(),
                true,
                12,
                now - 29 * 24 * HOUR,
            )
            .await?;
        }
        let sharing = Sharing {
            checkin: *checkin,
            streak: *streak,
            milestones: *milestones,
            warning_signs: *warning_signs,
            reach_out: *reach_out,
        };
        circles_store::update_sharing(&app.db, circle, member, sharing, *quiet).await?;
    }
    circles_store::insert_note(
        &app.db,
        circle,
        id("morning_tide")?,
        "Proud of every one of you this week. One day at a time.",
        now - 4 * 24 * HOUR,
    )
    .await?;
    circles_store::insert_note(
        &app.db,
        circle,
        oak,
        "River, I'm around all evening if you want to talk.",
        now - 2 * 24 * HOUR + 2 * HOUR,
    )
    .await?;

    // Two days ago quiet_river reached out; steady_oak and new_leaf responded.
    let alert = ReachOutRow {
        id: Uuid::now_v7(),
        user_id: river.0,
        message: "Bad night. Cravings are loud and I don't want to be alone with them.".into(),
        created_at: now - 2 * 24 * HOUR,
        follow_up_at: None,
        claimed_until: 0,
    };
    let told: Vec<Uuid> = CIRCLE
        .iter()
        .filter(|c| c.0 != "quiet_river")
        .map(|c| id(c.0))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|u| u.0)
        .collect();
    reach_out_store::insert_reach_out(&app.db, &alert, &told).await?;
    reach_out_store::mark_responded(&app.db, alert.id, oak, alert.created_at + 6 * 60 * 1000)
        .await?;
    reach_out_store::mark_responded(&app.db, alert.id, leaf, alert.created_at + 15 * 60 * 1000)
        .await?;
    let conversation = Uuid::now_v7();
    messages_store::insert_conversation(
        &app.db,
        conversation,
        Some(&messages_store::pair_key(oak.0, river.0)),
        &[(oak.0, State::Active), (river.0, State::Active)],
        oak,
        (
            Uuid::now_v7(),
            "I saw you reached out. I'm here: do you want to talk? I can call in five minutes.",
        ),
        None,
        alert.created_at + 6 * 60 * 1000,
    )
    .await?;
    for (author, body, minutes) in [
        (river, "Yes please. Thank you for answering so fast.", 8),
        (oak, "Calling now. Put the kettle on.", 9),
        (
            river,
            "That helped more than I can say. Going to sleep. See you at the Tuesday meeting?",
            70,
        ),
        (oak, "See you Tuesday. Proud of you for reaching out.", 72),
    ] {
        messages_store::insert_message(
            &app.db,
            conversation,
            Uuid::now_v7(),
            author,
            body,
            alert.created_at + minutes * 60 * 1000,
        )
        .await?;
    }
    Ok(())
}
