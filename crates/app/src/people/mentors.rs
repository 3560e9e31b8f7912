//! Mentoring: offering to mentor (enough time in recovery, the code of conduct, a moderator's
//! approval), a member's preferences and their ranked matches with reasons, requests answered
//! kindly, and the relationship itself (cadence, shared goals, each side's private notes, what
//! the mentee shares, ending it with an optional handover).

use crate::accounts::{Viewer, member_named};
use crate::community::blocks::Blocked;
use crate::{App, AppError, FieldError};
use mutual_domain::UserId;
use mutual_domain::local::Zone;
use mutual_domain::people::mentors::{self as rules, Fit, Gender, Offer, Wish};
use mutual_domain::text::parse_text;
use mutual_store::people::mentors::{self as store, Keeping};
pub use mutual_store::people::mentors::{MentorshipRow, PreferencesRow, ProfileRow};
use uuid::Uuid;

/// The words of a mentor profile as typed.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput<'a> {
    pub programs: Vec<&'a str>,
    pub approach: &'a str,
    pub languages: &'a str,
    pub time_zone: &'a str,
    pub availability: Vec<&'a str>,
    pub gender: &'a str,
    pub mentors: &'a str,
    pub topics: &'a str,
    pub capacity: &'a str,
    pub about: &'a str,
    pub agreed: bool,
}

/// The programme codes chosen, each checked against the programme list.
async fn programs(app: &App, chosen: &[&str]) -> Result<Vec<String>, FieldError> {
    let known = crate::meetings::programs(app)
        .await
        .map_err(|_| FieldError::new("programs", "The programme list cannot be read right now."))?;
    let mut codes = Vec::new();
    for code in chosen {
        if !known.iter().any(|p| p.code == *code) {
            return Err(FieldError::new(
                "programs",
                format!("“{code}” is not one of the programmes here."),
            ));
        }
        codes.push((*code).to_owned());
    }
    Ok(codes)
}

fn collect<T>(
    result: Result<T, impl Into<FieldError>>,
    problems: &mut Vec<FieldError>,
) -> Option<T> {
    result.map_err(|p| problems.push(p.into())).ok()
}

/// Offers to mentor (or updates the offer): the member needs the configured time on their
/// longest current clock (hidden clocks never count) and must agree to the code of conduct. A new offer waits for a
/// moderator; an approved mentor's edits keep them approved.
pub async fn offer(app: &App, viewer: &Viewer, input: &ProfileInput<'_>) -> Result<(), AppError> {
    let days = crate::recovery::longest_clock_days(app, viewer.user_id).await?;
    let needed = i64::from(app.config.people.mentor_min_days);
    if days < needed {
        return Err(AppError::field(
            "form",
            format!(
                "Mentors here have at least {needed} days on a recovery clock; your longest current clock has {days} (a clock you hide never counts or shows). Thank you for wanting to help: you can offer once you get there."
            ),
        ));
    }
    let mut problems = Vec::new();
    let programs = collect(programs(app, &input.programs).await, &mut problems);
    let approach = if input.approach.trim().is_empty() {
        Some(String::new())
    } else {
        collect(
            parse_text("approach", input.approach, 200, ""),
            &mut problems,
        )
    };
    let languages = rules::parse_list(input.languages);
    if languages.is_empty() {
        problems.push(FieldError::new(
            "languages",
            "Name at least one language you can mentor in.",
        ));
    }
    let zone = collect(
        Zone::parse(input.time_zone.trim())
            .map_err(|_| FieldError::new("time_zone", "Choose your time zone from the list.")),
        &mut problems,
    );
    let availability = collect(
        rules::parse_slots(input.availability.iter().copied()),
        &mut problems,
    );
    let gender = collect(Gender::parse(input.gender), &mut problems);
    let same_only = collect(
        rules::parse_same_only("mentors", input.mentors),
        &mut problems,
    );
    let capacity = collect(rules::parse_capacity(input.capacity), &mut problems);
    let about = collect(
        parse_text(
            "about",
            input.about,
            rules::MAX_ABOUT_CHARS,
            "Write a few words about yourself for the members who read your profile.",
        ),
        &mut problems,
    );
    if !input.agreed {
        problems.push(FieldError::new(
            "agreed",
            "Please read and agree to the mentor code of conduct.",
        ));
    }
    let (
        Some(programs),
        Some(approach),
        Some(zone),
        Some(availability),
        Some(gender),
        Some(same_only),
        Some(capacity),
        Some(about),
        true,
    ) = (
        programs,
        approach,
        zone,
        availability,
        gender,
        same_only,
        capacity,
        about,
        problems.is_empty(),
    )
    else {
        return Err(AppError::Invalid(problems));
    };
    let now = app.clock.now().millis();
    let existing = store::find_profile(&app.db, viewer.user_id).await?;
    let status = match existing.as_ref().map(|p| p.status.as_str()) {
        Some("approved") => "approved",
        Some("paused") => "paused",
        _ => "pending",
    };
    store::upsert_profile(
        &app.db,
        &ProfileRow {
            user_id: viewer.user_id.0,
            username: String::new(),
            programs: programs.join(","),
            approach,
            languages: languages.join(","),
            time_zone: zone.name().to_owned(),
            availability: availability.join(","),
            gender: gender.as_str().to_owned(),
            same_gender_only: same_only,
            topics: rules::parse_list(input.topics).join(","),
            capacity: i64::from(capacity),
            about,
            status: status.to_owned(),
            agreed_at: now,
            created_at: existing.map_or(now, |p| p.created_at),
            updated_at: now,
        },
    )
    .await?;
    if status == "pending" {
        crate::notifications::notify(
            app,
            &crate::community::moderation::staff(app).await?,
            "mentor_offer",
            crate::notifications::Message::default()
                .actor(viewer.user_id)
                .text(" offered to mentor and is waiting for approval."),
            "/moderation/mentors",
        )
        .await?;
    }
    Ok(())
}

/// The viewer's own mentor profile, if they offered.
pub async fn my_profile(app: &App, viewer: &Viewer) -> Result<Option<ProfileRow>, AppError> {
    Ok(store::find_profile(&app.db, viewer.user_id).await?)
}

/// Pauses (no new requests) or resumes an approved mentor's profile.
pub async fn set_paused(app: &App, viewer: &Viewer, paused: bool) -> Result<(), AppError> {
    let profile = store::find_profile(&app.db, viewer.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(profile.status.as_str(), "approved" | "paused") {
        return Err(AppError::Conflict("Your offer has not been approved yet."));
    }
    let status = if paused { "paused" } else { "approved" };
    store::update_profile_status(&app.db, viewer.user_id, status, app.clock.now().millis()).await?;
    Ok(())
}

/// Offers waiting for a moderator, oldest first.
pub async fn pending_offers(
    app: &App,
    viewer: &Viewer,
) -> Result<Vec<(ProfileRow, String)>, AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let mut offers = Vec::new();
    for (profile, _) in store::list_profiles(&app.db, "pending").await? {
        let days = crate::recovery::longest_clock_days(app, UserId(profile.user_id)).await?;
        offers.push((profile, rules::recovery_range(days).to_owned()));
    }
    Ok(offers)
}

/// A moderator approves (the member becomes a mentor) or declines an offer; the member is told.
pub async fn decide_offer(
    app: &App,
    viewer: &Viewer,
    username: &str,
    approve: bool,
) -> Result<(), AppError> {
    if !viewer.role.can_moderate() {
        return Err(AppError::NotFound);
    }
    let member = member_named(app, username)
        .await?
        .ok_or(AppError::NotFound)?;
    let profile = store::find_profile(&app.db, member.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if profile.status != "pending" {
        return Err(AppError::Conflict("This offer was decided already."));
    }
    let status = if approve { "approved" } else { "declined" };
    store::update_profile_status(&app.db, member.id, status, app.clock.now().millis()).await?;
    let body = if approve {
        "You are now a mentor here: members looking for a mentor can find you. Thank you."
    } else {
        "Thank you for offering to mentor. The moderators are not adding you as a mentor for now; you are welcome to ask them why."
    };
    crate::notifications::notify(app, &[member.id], "mentor_decision", body, "/mentors/offer").await
}

/// A member's mentor preferences as typed.
#[derive(Clone, Debug, Default)]
pub struct WishInput<'a> {
    pub programs: Vec<&'a str>,
    pub languages: &'a str,
    pub topics: &'a str,
    pub availability: Vec<&'a str>,
    pub time_zone: &'a str,
    pub gender: &'a str,
    pub wants: &'a str,
}

/// Saves what the viewer looks for in a mentor.
pub async fn save_preferences(
    app: &App,
    viewer: &Viewer,
    input: &WishInput<'_>,
) -> Result<(), AppError> {
    let mut problems = Vec::new();
    let programs = collect(programs(app, &input.programs).await, &mut problems);
    let zone = collect(
        Zone::parse(input.time_zone.trim())
            .map_err(|_| FieldError::new("time_zone", "Choose your time zone from the list.")),
        &mut problems,
    );
    let availability = collect(
        rules::parse_slots(input.availability.iter().copied()),
        &mut problems,
    );
    let gender = collect(Gender::parse(input.gender), &mut problems);
    let same_only = collect(rules::parse_same_only("wants", input.wants), &mut problems);
    let (Some(programs), Some(zone), Some(availability), Some(gender), Some(same_only)) =
        (programs, zone, availability, gender, same_only)
    else {
        return Err(AppError::Invalid(problems));
    };
    store::upsert_preferences(
        &app.db,
        &PreferencesRow {
            user_id: viewer.user_id.0,
            programs: programs.join(","),
            languages: rules::parse_list(input.languages).join(","),
            topics: rules::parse_list(input.topics).join(","),
            availability: availability.join(","),
            time_zone: zone.name().to_owned(),
            gender: gender.as_str().to_owned(),
            same_gender_only: same_only,
            updated_at: app.clock.now().millis(),
        },
    )
    .await?;
    Ok(())
}

/// The viewer's saved preferences.
pub async fn preferences(app: &App, viewer: &Viewer) -> Result<Option<PreferencesRow>, AppError> {
    Ok(store::find_preferences(&app.db, viewer.user_id).await?)
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn offset(app: &App, zone: &str) -> i32 {
    Zone::parse(zone).map_or(0, |z| z.offset_minutes(app.clock.now()))
}

fn wish_of(app: &App, row: &PreferencesRow) -> Wish {
    Wish {
        programs: split(&row.programs),
        languages: split(&row.languages),
        topics: split(&row.topics),
        availability: split(&row.availability),
        offset_minutes: offset(app, &row.time_zone),
        gender: Gender::parse(&row.gender).unwrap_or(Gender::Unsaid),
        same_only: row.same_gender_only,
    }
}

fn offer_of(app: &App, row: &ProfileRow, active: i64) -> Offer {
    Offer {
        programs: split(&row.programs),
        languages: split(&row.languages),
        topics: split(&row.topics),
        availability: split(&row.availability),
        offset_minutes: offset(app, &row.time_zone),
        gender: Gender::parse(&row.gender).unwrap_or(Gender::Unsaid),
        same_only: row.same_gender_only,
        places_left: u32::try_from(row.capacity - active).unwrap_or(0),
    }
}

/// A mentor as the matches list shows them.
#[derive(Clone, Debug)]
pub struct Match {
    pub profile: ProfileRow,
    /// Their time in recovery as a range.
    pub recovery: &'static str,
    pub program_names: Vec<String>,
    pub fit: Fit,
}

/// The approved mentors who fit the viewer's saved preferences, best first, each with the
/// reasons; mentors whose gender preference (or the viewer's) rules them out, who are full,
/// or who have a block with the viewer are not listed.
pub async fn matches(app: &App, viewer: &Viewer) -> Result<Vec<Match>, AppError> {
    let Some(preferences) = store::find_preferences(&app.db, viewer.user_id).await? else {
        return Ok(Vec::new());
    };
    let wish = wish_of(app, &preferences);
    let blocked = Blocked::around(app, Some(viewer.user_id)).await?;
    let programs = crate::meetings::programs(app).await?;
    let name = |code: &str| {
        programs
            .iter()
            .find(|p| p.code == code)
            .map_or(code.to_owned(), |p| p.name.clone())
    };
    let mut found = Vec::new();
    for (profile, active) in store::list_profiles(&app.db, "approved").await? {
        if profile.user_id == viewer.user_id.0 || blocked.contains(profile.user_id) {
            continue;
        }
        let Some(fit) = rules::fit(&wish, &offer_of(app, &profile, active), name) else {
            continue;
        };
        let days = crate::recovery::longest_clock_days(app, UserId(profile.user_id)).await?;
        found.push(Match {
            recovery: rules::recovery_range(days),
            program_names: split(&profile.programs).iter().map(|c| name(c)).collect(),
            profile,
            fit,
        });
    }
    found.sort_by(|a, b| {
        b.fit
            .score
            .cmp(&a.fit.score)
            .then(a.profile.username.cmp(&b.profile.username))
    });
    Ok(found)
}

/// Asks a mentor for mentoring, with a note. Refused with a clear message when the viewer has
/// no preferences yet, when either side's gender preference rules it out, when the mentor is
/// full or paused, or when a request between them is open. A mentor with a block either way
/// gets the answer an unknown pseudonym gets.
pub async fn request(
    app: &App,
    viewer: &Viewer,
    mentor: &str,
    note: &str,
) -> Result<Uuid, AppError> {
    let note = parse_text(
        "note",
        note,
        rules::MAX_NOTE_CHARS,
        "Write a few words to the mentor: what you hope for, and how you would like to keep in touch.",
    )?;
    let unknown = || {
        AppError::field(
            "mentor",
            "No mentor goes by that pseudonym; pick one from your matches.",
        )
    };
    let blocked = Blocked::around(app, Some(viewer.user_id)).await?;
    let user = member_named(app, mentor)
        .await?
        .filter(|u| !blocked.contains(u.id.0))
        .ok_or_else(unknown)?;
    let profile = store::find_profile(&app.db, user.id)
        .await?
        .filter(|p| p.status == "approved")
        .ok_or_else(unknown)?;
    if user.id == viewer.user_id {
        return Err(AppError::field("mentor", "You cannot be your own mentor."));
    }
    let preferences = store::find_preferences(&app.db, viewer.user_id).await?.ok_or_else(|| {
        AppError::field("mentor", "Fill in what you are looking for first, so the mentor knows you fit each other's preferences.")
    })?;
    let wish = wish_of(app, &preferences);
    let offer = offer_of(
        app,
        &profile,
        store::count_active_mentees(&app.db, user.id).await?,
    );
    if !rules::genders_fit(offer.gender, offer.same_only, wish.gender, wish.same_only) {
        let why = if offer.same_only {
            "This mentor mentors members of their own gender only, so they are not a match for you. Your matches list shows the mentors who are."
        } else {
            "You asked for a mentor of your own gender, and this mentor is not. Change your preferences if you would like them as a mentor."
        };
        return Err(AppError::field("mentor", why));
    }
    if offer.places_left == 0 {
        return Err(AppError::field(
            "mentor",
            "This mentor has no place for a new mentee right now; please choose another from your matches.",
        ));
    }
    let id = Uuid::now_v7();
    if !store::insert_request(
        &app.db,
        id,
        user.id,
        viewer.user_id,
        &note,
        app.clock.now().millis(),
    )
    .await?
    {
        return Err(AppError::Conflict(
            "You have already asked this mentor, or they mentor you now.",
        ));
    }
    crate::notifications::notify(
        app,
        &[user.id],
        "mentor_request",
        crate::notifications::Message::default()
            .actor(viewer.user_id)
            .text(" would like you as their mentor."),
        &format!("/mentoring/{id}"),
    )
    .await?;
    Ok(id)
}

/// The words a decline carries unless the mentor writes their own.
pub const KIND_DECLINE: &str = "Thank you for asking me. I can't take this on right now, but please ask another mentor: you deserve support, and someone will be glad to walk with you.";

/// One of the viewer's relationships; `NotFound` for anyone else's.
pub async fn mentorship(app: &App, viewer: &Viewer, id: Uuid) -> Result<MentorshipRow, AppError> {
    let row = store::find_mentorship(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.mentor_id != viewer.user_id.0 && row.mentee_id != viewer.user_id.0 {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// The viewer's relationships, both sides, newest first.
pub async fn mentorships(app: &App, viewer: &Viewer) -> Result<Vec<MentorshipRow>, AppError> {
    Ok(store::list_mentorships_of(&app.db, viewer.user_id).await?)
}

/// The mentor accepts or (kindly) declines a request; the member is told.
pub async fn answer(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    accept: bool,
    message: &str,
) -> Result<(), AppError> {
    let row = mentorship(app, viewer, id).await?;
    if row.mentor_id != viewer.user_id.0 {
        return Err(AppError::NotFound);
    }
    let message = message.trim();
    if message.chars().count() > rules::MAX_NOTE_CHARS {
        return Err(AppError::field(
            "message",
            format!("Keep it to {} characters.", rules::MAX_NOTE_CHARS),
        ));
    }
    let words = if message.is_empty() && !accept {
        KIND_DECLINE
    } else {
        message
    };
    if accept {
        let active = store::count_active_mentees(&app.db, viewer.user_id).await?;
        let capacity = store::find_profile(&app.db, viewer.user_id)
            .await?
            .map_or(0, |p| p.capacity);
        if active >= capacity {
            return Err(AppError::Conflict(
                "You are at your capacity; raise it on your mentor profile or end a relationship first.",
            ));
        }
    }
    let to = if accept { "active" } else { "declined" };
    if !store::update_mentorship_state(
        &app.db,
        id,
        "requested",
        to,
        words,
        app.clock.now().millis(),
    )
    .await?
    {
        return Err(AppError::Conflict("This request was answered already."));
    }
    forget_dashboards(app, &row);
    let body = crate::notifications::Message::default()
        .actor(viewer.user_id)
        .text(&if accept {
            " accepted: they are your mentor now.".to_owned()
        } else {
            format!(" can't be your mentor right now: “{words}”")
        });
    crate::notifications::notify(
        app,
        &[UserId(row.mentee_id)],
        "mentor_answer",
        body,
        &format!("/mentoring/{id}"),
    )
    .await
}

/// What either side keeps up to date, as typed.
#[derive(Clone, Debug, Default)]
pub struct KeepingInput<'a> {
    pub cadence: &'a str,
    pub goals: &'a str,
    pub notes: &'a str,
    /// The mentee's sharing choices: (warning signs, Reach out alerts).
    pub shares: (bool, bool),
}

/// Saves an active relationship's cadence, goals and the viewer's own notes (and, for the
/// mentee, what the mentor is told of).
pub async fn keep(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    input: &KeepingInput<'_>,
) -> Result<(), AppError> {
    let row = mentorship(app, viewer, id).await?;
    if row.state != "active" {
        return Err(AppError::Conflict(
            "Only an active mentoring relationship can be updated.",
        ));
    }
    let mut problems = Vec::new();
    let limit = |field, text: &str, max| {
        if text.chars().count() > max {
            Some(FieldError::new(
                field,
                format!("Keep it to {max} characters."),
            ))
        } else {
            None
        }
    };
    problems.extend(limit("cadence", input.cadence, 100));
    problems.extend(limit("goals", input.goals, rules::MAX_NOTE_CHARS));
    problems.extend(limit("notes", input.notes, rules::MAX_NOTE_CHARS));
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mentor_side = row.mentor_id == viewer.user_id.0;
    store::update_mentorship(
        &app.db,
        id,
        &Keeping {
            cadence: input.cadence.trim(),
            goals: input.goals.trim(),
            notes: input.notes.trim(),
            mentor_side,
            shares: (!mentor_side).then_some(input.shares),
        },
    )
    .await?;
    forget_dashboards(app, &row);
    Ok(())
}

/// Both sides' dashboards name the relationship and its rhythm ("coming up").
fn forget_dashboards(app: &App, row: &MentorshipRow) {
    for user in [row.mentor_id, row.mentee_id] {
        crate::recovery::snapshot::forget(app, UserId(user));
    }
}

/// Ends a relationship (either side, at any time). The mentor may hand over to another
/// approved mentor: the mentee is told who, and asks them only if they want to.
pub async fn end(app: &App, viewer: &Viewer, id: Uuid, handover: &str) -> Result<(), AppError> {
    let row = mentorship(app, viewer, id).await?;
    let handover = handover.trim();
    let next = if handover.is_empty() {
        None
    } else {
        let user = member_named(app, handover)
            .await?
            .ok_or_else(|| AppError::field("handover", "No mentor goes by that pseudonym."))?;
        store::find_profile(&app.db, user.id)
            .await?
            .filter(|p| p.status == "approved" && p.user_id != row.mentee_id)
            .ok_or_else(|| AppError::field("handover", "Hand over only to an approved mentor."))?;
        Some(user.username.as_str().to_owned())
    };
    if !store::update_mentorship_state(&app.db, id, "active", "ended", "", app.clock.now().millis())
        .await?
    {
        return Err(AppError::Conflict(
            "Only an active mentoring relationship can be ended.",
        ));
    }
    forget_dashboards(app, &row);
    let other = if row.mentor_id == viewer.user_id.0 {
        row.mentee_id
    } else {
        row.mentor_id
    };
    let mut body = crate::notifications::Message::default()
        .actor(viewer.user_id)
        .text(" ended your mentoring relationship. Thank you both for the time you gave it.");
    if let Some(next) = &next {
        body = body.text(&format!(
            " They suggest {next} as your next mentor; you can ask them from Find a mentor."
        ));
    }
    crate::notifications::notify(app, &[UserId(other)], "mentor_ended", body, "/mentors").await
}
