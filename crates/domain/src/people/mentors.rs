//! Mentors: who may offer (time in recovery), what a profile holds and how it is parsed, how
//! time in recovery is shown (a range, never a date), and matching: the gender preferences of
//! both sides are hard constraints; shared programmes, languages, topics and overlapping
//! availability rank the rest, each with a reason the member reads.

use crate::community::posts::PostProblem;

/// The most mentees a mentor may take on at once.
pub const MAX_CAPACITY: u32 = 10;
/// The longest "about" text, in characters.
pub const MAX_ABOUT_CHARS: usize = 1_000;
/// The longest request note, goals or private notes, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Parts of the day a member may be available in, in their own time zone: (code, label, first
/// hour, hour after the last).
pub const PARTS: [(&str, &str, i32, i32); 3] = [
    ("morning", "morning", 8, 12),
    ("afternoon", "afternoon", 12, 17),
    ("evening", "evening", 17, 22),
];
/// Days of the week: (code, label).
pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// How a member describes their gender, for matching only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gender {
    Woman,
    Man,
    NonBinary,
    /// They would rather not say: they match only where nobody asked for the same gender.
    Unsaid,
}

impl Gender {
    pub const ALL: [Gender; 4] = [
        Gender::Woman,
        Gender::Man,
        Gender::NonBinary,
        Gender::Unsaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Woman => "woman",
            Gender::Man => "man",
            Gender::NonBinary => "nonbinary",
            Gender::Unsaid => "unsaid",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Gender::Woman => "Woman",
            Gender::Man => "Man",
            Gender::NonBinary => "Non-binary",
            Gender::Unsaid => "I'd rather not say",
        }
    }

    pub fn parse(text: &str) -> Result<Gender, PostProblem> {
        Gender::ALL
            .into_iter()
            .find(|g| g.as_str() == text.trim())
            .ok_or_else(|| {
                problem(
                    "gender",
                    "Choose one of the options (or \"I'd rather not say\").",
                )
            })
    }
}

fn problem(field: &'static str, message: impl Into<String>) -> PostProblem {
    PostProblem {
        field,
        message: message.into(),
    }
}

/// Whom someone wants on the other side: their own gender only, or anyone.
pub fn parse_same_only(field: &'static str, text: &str) -> Result<bool, PostProblem> {
    match text.trim() {
        "same" => Ok(true),
        "any" => Ok(false),
        _ => Err(problem(field, "Choose \"same gender only\" or \"anyone\".")),
    }
}

/// Whether a mentor and a mentee may be matched at all: each side's "same gender only" holds,
/// and someone who would rather not say is never matched with someone who asked for the same.
pub fn genders_fit(
    mentor: Gender,
    mentor_same_only: bool,
    mentee: Gender,
    mentee_same_only: bool,
) -> bool {
    let same = mentor == mentee && mentor != Gender::Unsaid;
    same || (!mentor_same_only && !mentee_same_only)
}

/// A list typed with commas: trimmed, lower-cased, once each, empty items dropped.
pub fn parse_list(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for item in text.split(',').map(|i| i.trim().to_lowercase()) {
        if !item.is_empty() && !items.contains(&item) {
            items.push(item);
        }
    }
    items
}

/// Availability slots ("mon-evening"), checked against [`DAYS`] × [`PARTS`].
pub fn parse_slots<'a>(
    chosen: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, PostProblem> {
    let mut slots = Vec::new();
    for slot in chosen {
        let known = DAYS
            .iter()
            .any(|(d, _)| PARTS.iter().any(|(p, _, _, _)| slot == format!("{d}-{p}")));
        if !known {
            return Err(problem(
                "availability",
                format!("“{slot}” is not a time of the week."),
            ));
        }
        if !slots.iter().any(|s| s == slot) {
            slots.push(slot.to_owned());
        }
    }
    Ok(slots)
}

/// The hours of the week (0 = Monday 00:00 UTC) a slot covers, for a zone `offset_minutes`
/// ahead of UTC.
fn utc_hours(slot: &str, offset_minutes: i32) -> Vec<i32> {
    let Some((day, part)) = slot.split_once('-') else {
        return Vec::new();
    };
    let Some(d) = DAYS.iter().position(|(code, _)| *code == day) else {
        return Vec::new();
    };
    let Some((_, _, from, to)) = PARTS.iter().find(|(code, _, _, _)| *code == part) else {
        return Vec::new();
    };
    let offset_hours = offset_minutes.div_euclid(60);
    (*from..*to)
        .map(|hour| (d as i32 * 24 + hour - offset_hours).rem_euclid(7 * 24))
        .collect()
}

/// The mentee's slots (in their zone) in which the mentor is free too, given each zone's
/// offset from UTC in minutes.
pub fn overlapping(
    mentee: &[String],
    mentee_offset: i32,
    mentor: &[String],
    mentor_offset: i32,
) -> Vec<String> {
    let theirs: Vec<i32> = mentor
        .iter()
        .flat_map(|s| utc_hours(s, mentor_offset))
        .collect();
    mentee
        .iter()
        .filter(|slot| {
            utc_hours(slot, mentee_offset)
                .iter()
                .any(|h| theirs.contains(h))
        })
        .cloned()
        .collect()
}

/// "Mon evening" for "mon-evening".
pub fn slot_label(slot: &str) -> String {
    let (day, part) = slot.split_once('-').unwrap_or((slot, ""));
    let day = DAYS.iter().find(|(c, _)| *c == day).map_or(day, |(_, l)| l);
    format!("{day} {part}")
}

/// Time in recovery as a range, never a date: "1–2 years".
pub fn recovery_range(days: i64) -> &'static str {
    match days {
        ..365 => "less than a year",
        365..730 => "1–2 years",
        730..1826 => "2–5 years",
        1826..3652 => "5–10 years",
        _ => "more than 10 years",
    }
}

/// What a mentor offers, as matching reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub programs: Vec<String>,
    pub languages: Vec<String>,
    pub topics: Vec<String>,
    pub availability: Vec<String>,
    pub offset_minutes: i32,
    pub gender: Gender,
    pub same_only: bool,
    /// Places left (capacity minus active mentees).
    pub places_left: u32,
}

/// What a member looking for a mentor asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    pub programs: Vec<String>,
    pub languages: Vec<String>,
    pub topics: Vec<String>,
    pub availability: Vec<String>,
    pub offset_minutes: i32,
    pub gender: Gender,
    pub same_only: bool,
}

/// A ranked match: its score and the reasons, in the order the member reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    pub score: u32,
    pub reasons: Vec<String>,
}

/// How well an offer fits a wish, or `None` when it cannot be a match: a gender preference of
/// either side fails, or the mentor has no place left.
pub fn fit(wish: &Wish, offer: &Offer, program_name: impl Fn(&str) -> String) -> Option<Fit> {
    if !genders_fit(offer.gender, offer.same_only, wish.gender, wish.same_only)
        || offer.places_left == 0
    {
        return None;
    }
    let shared = |mine: &[String], theirs: &[String]| -> Vec<String> {
        mine.iter()
            .filter(|x| theirs.contains(x))
            .cloned()
            .collect()
    };
    let mut score = 0;
    let mut reasons = Vec::new();
    let programs = shared(&wish.programs, &offer.programs);
    if !programs.is_empty() {
        score += 4 * programs.len() as u32;
        let names: Vec<String> = programs.iter().map(|p| program_name(p)).collect();
        reasons.push(format!("Shares your programme: {}", names.join(", ")));
    }
    let languages = shared(&wish.languages, &offer.languages);
    if !languages.is_empty() {
        score += 4;
        reasons.push(format!("Speaks {}", languages.join(", ")));
    }
    let topics = shared(&wish.topics, &offer.topics);
    if !topics.is_empty() {
        score += 2 * topics.len() as u32;
        reasons.push(format!("Mentors on {}", topics.join(", ")));
    }
    let free = overlapping(
        &wish.availability,
        wish.offset_minutes,
        &offer.availability,
        offer.offset_minutes,
    );
    if !free.is_empty() {
        score += free.len().min(5) as u32;
        let labels: Vec<String> = free.iter().map(|s| slot_label(s)).collect();
        reasons.push(format!(
            "Free when you are: {} (your time)",
            labels.join(", ")
        ));
    }
    if wish.same_only || offer.same_only {
        reasons.push("Fits the gender preferences on both sides".to_owned());
    }
    score += offer.places_left.min(3);
    reasons.push(format!(
        "{} {} left",
        offer.places_left,
        if offer.places_left == 1 {
            "place"
        } else {
            "places"
        }
    ));
    Some(Fit { score, reasons })
}

/// A mentor's capacity: 1 to [`MAX_CAPACITY`] mentees.
pub fn parse_capacity(text: &str) -> Result<u32, PostProblem> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Ok(n),
        _ => Err(problem(
            "capacity",
            format!("Give a number of mentees from 1 to {MAX_CAPACITY}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(gender: Gender, same_only: bool) -> Offer {
        Offer {
            programs: vec!["aa".into()],
            languages: vec!["english".into()],
            topics: vec!["early recovery".into()],
            availability: vec!["mon-evening".into()],
            offset_minutes: 0,
            gender,
            same_only,
            places_left: 2,
        }
    }

    fn wish(gender: Gender, same_only: bool) -> Wish {
        Wish {
            programs: vec!["aa".into()],
            languages: vec!["english".into()],
            topics: vec![],
            availability: vec!["mon-evening".into()],
            offset_minutes: 0,
            gender,
            same_only,
        }
    }

    #[test]
    fn gender_preferences_of_both_sides_are_hard_constraints() {
        use Gender::*;
        for mentor in Gender::ALL {
            for mentee in Gender::ALL {
                for mentor_same in [false, true] {
                    for mentee_same in [false, true] {
                        let fits = genders_fit(mentor, mentor_same, mentee, mentee_same);
                        let same = mentor == mentee && mentor != Unsaid;
                        assert_eq!(
                            fits,
                            (!mentor_same && !mentee_same) || same,
                            "{mentor:?}/{mentee:?}"
                        );
                        let matched = fit(
                            &wish(mentee, mentee_same),
                            &offer(mentor, mentor_same),
                            str::to_owned,
                        );
                        assert_eq!(matched.is_some(), fits);
                    }
                }
            }
        }
        assert!(
            !genders_fit(Unsaid, true, Unsaid, false),
            "not saying never meets a same-only wish"
        );
    }

    #[test]
    fn more_in_common_ranks_higher_and_every_reason_is_given() {
        let mut close = offer(Gender::Woman, false);
        close.topics = vec!["early recovery".into()];
        let mut far = offer(Gender::Woman, false);
        far.programs = vec!["smart".into()];
        far.languages = vec!["spanish".into()];
        far.availability = vec!["sat-morning".into()];
        let mut want = wish(Gender::Woman, false);
        want.topics = vec!["early recovery".into()];
        let a = fit(&want, &close, |p| p.to_uppercase()).unwrap();
        let b = fit(&want, &far, |p| p.to_uppercase()).unwrap();
        assert!(a.score > b.score);
        assert!(
            a.reasons.contains(&"Shares your programme: AA".to_owned()),
            "{:?}",
            a.reasons
        );
        assert!(a.reasons.contains(&"Speaks english".to_owned()));
        assert!(
            a.reasons
                .contains(&"Free when you are: Mon evening (your time)".to_owned())
        );
        assert!(a.reasons.contains(&"2 places left".to_owned()));
        let mut full = close.clone();
        full.places_left = 0;
        assert_eq!(
            fit(&want, &full, str::to_owned),
            None,
            "a full mentor is not offered"
        );
    }

    #[test]
    fn availability_overlaps_across_time_zones() {
        // New York (UTC-5): its afternoon is London's evening, its evening is London's night.
        assert_eq!(
            overlapping(&["mon-afternoon".into()], -300, &["mon-evening".into()], 0),
            vec!["mon-afternoon".to_owned()]
        );
        assert!(overlapping(&["mon-evening".into()], -300, &["mon-evening".into()], 0).is_empty());
        // Sydney (UTC+10) Tuesday morning 8–12 is Monday 22:00–02:00 UTC; a London Monday evening ends at 22:00.
        assert!(overlapping(&["tue-morning".into()], 600, &["mon-evening".into()], 0).is_empty());
        assert_eq!(
            overlapping(&["tue-morning".into()], 600, &["mon-evening".into()], -300),
            vec!["tue-morning".to_owned()]
        );
    }

    #[test]
    fn time_in_recovery_is_a_range_and_inputs_are_checked() {
        assert_eq!(recovery_range(400), "1–2 years");
        assert_eq!(recovery_range(5000), "more than 10 years");
        assert_eq!(parse_list(" AA, aa , Smart,"), vec!["aa", "smart"]);
        assert!(parse_slots(["mon-evening", "mon-evening"]).unwrap().len() == 1);
        assert!(parse_slots(["someday-night"]).is_err());
        assert!(
            parse_capacity("0").is_err()
                && parse_capacity("11").is_err()
                && parse_capacity("3") == Ok(3)
        );
        assert_eq!(Gender::parse("nonbinary"), Ok(Gender::NonBinary));
        assert!(Gender::parse("other").is_err());
    }
}
