//! The daily check-in: what it asks, the limits of each answer, the window in which a day can
//! be written, and the streak of days checked in.

use jiff::ToSpan;
use jiff::civil::Date;

/// Triggers a member can pick: (stored code, label).
pub const TRIGGERS: &[(&str, &str)] = &[
    ("stress", "Stress"),
    ("anxiety", "Anxiety or worry"),
    ("low_mood", "Feeling low"),
    ("loneliness", "Loneliness"),
    ("boredom", "Boredom"),
    ("tiredness", "Tiredness"),
    ("anger", "Anger or conflict"),
    ("pain", "Physical pain"),
    ("celebration", "A celebration or social event"),
    ("people_places", "People or places linked to using"),
    ("money", "Money worries"),
    ("cues", "Seeing, smelling or hearing about it"),
];

/// How many days back a member may fill in a missed check-in.
pub const BACKFILL_DAYS: i64 = 7;

/// One day's check-in, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkin {
    pub day: Date,
    /// 1 (very low) to 5 (very good).
    pub mood: u8,
    /// 0 (none) to 10 (overwhelming).
    pub craving: u8,
    /// Hours slept, in tenths of an hour (0–240).
    pub sleep_tenths: u16,
    /// 1 (very poor) to 5 (very good).
    pub sleep_quality: u8,
    pub exercised: bool,
    pub regular_meals: bool,
    pub support_contact: bool,
    pub pledged: bool,
    /// Codes from [`TRIGGERS`].
    pub triggers: Vec<String>,
    pub trigger_note: Option<String>,
    pub gratitude: Option<String>,
    pub journal: Option<String>,
}

impl Checkin {
    /// Hours slept as a number.
    pub fn sleep_hours(&self) -> f64 {
        f64::from(self.sleep_tenths) / 10.0
    }
}

/// A check-in as submitted, every answer still text.
#[derive(Debug, Default)]
pub struct CheckinInput<'a> {
    pub mood: &'a str,
    pub craving: &'a str,
    pub sleep_hours: &'a str,
    pub sleep_quality: &'a str,
    pub exercised: bool,
    pub regular_meals: bool,
    pub support_contact: bool,
    pub pledged: bool,
    pub triggers: Vec<&'a str>,
    pub trigger_note: &'a str,
    pub gratitude: &'a str,
    pub journal: &'a str,
}

fn whole(text: &str, range: std::ops::RangeInclusive<u8>) -> Option<u8> {
    text.trim().parse::<u8>().ok().filter(|n| range.contains(n))
}

fn optional_text(
    text: &str,
    max: usize,
    field: &'static str,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > max {
        errors.push((field, format!("Keep this under {max} characters.")));
        return None;
    }
    (!text.is_empty()).then(|| text.to_owned())
}

/// Parses a check-in for `day`, collecting a message for every field that needs fixing.
pub fn parse_checkin(
    day: Date,
    input: &CheckinInput<'_>,
) -> Result<Checkin, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let mood = whole(input.mood, 1..=5);
    if mood.is_none() {
        errors.push((
            "mood",
            "Choose your mood from 1 (very low) to 5 (very good).".into(),
        ));
    }
    let craving = whole(input.craving, 0..=10);
    if craving.is_none() {
        errors.push((
            "craving",
            "Choose a craving level from 0 (none) to 10 (overwhelming).".into(),
        ));
    }
    let sleep = input
        .sleep_hours
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && (0.0..=24.0).contains(h))
        .map(|h| (h * 10.0).round() as u16);
    if sleep.is_none() {
        errors.push((
            "sleep_hours",
            "Enter the hours you slept, from 0 to 24 (for example 7.5).".into(),
        ));
    }
    let sleep_quality = whole(input.sleep_quality, 1..=5);
    if sleep_quality.is_none() {
        errors.push((
            "sleep_quality",
            "Choose how well you slept, from 1 (very poorly) to 5 (very well).".into(),
        ));
    }
    let mut triggers = Vec::new();
    for code in &input.triggers {
        match TRIGGERS.iter().find(|(known, _)| known == code) {
            Some((known, _)) if !triggers.iter().any(|t: &String| t == known) => {
                triggers.push((*known).to_owned())
            }
            Some(_) => {}
            None => errors.push((
                "triggers",
                "Pick triggers from the list, or describe yours in your own words.".into(),
            )),
        }
    }
    let trigger_note = optional_text(input.trigger_note, 200, "trigger_note", &mut errors);
    let gratitude = optional_text(input.gratitude, 500, "gratitude", &mut errors);
    let journal = optional_text(input.journal, 4000, "journal", &mut errors);
    match (mood, craving, sleep, sleep_quality) {
        (Some(mood), Some(craving), Some(sleep_tenths), Some(sleep_quality))
            if errors.is_empty() =>
        {
            Ok(Checkin {
                day,
                mood,
                craving,
                sleep_tenths,
                sleep_quality,
                exercised: input.exercised,
                regular_meals: input.regular_meals,
                support_contact: input.support_contact,
                pledged: input.pledged,
                triggers,
                trigger_note,
                gratitude,
                journal,
            })
        }
        _ => Err(errors),
    }
}

/// Whether a check-in for `day` may be written on `today`: today or up to a week back.
pub fn writable(day: Date, today: Date) -> Result<(), &'static str> {
    if day > today {
        return Err("That day hasn't come yet. You can check in for today or the past 7 days.");
    }
    match today.checked_sub(BACKFILL_DAYS.days()) {
        Ok(oldest) if day < oldest => Err("You can fill in check-ins for the past 7 days only."),
        _ => Ok(()),
    }
}

/// Consecutive days checked in, ending today (or yesterday, while today is still open).
/// `days` may be in any order.
pub fn streak(days: &[Date], today: Date) -> u32 {
    let set: std::collections::BTreeSet<Date> = days.iter().copied().collect();
    let mut day = if set.contains(&today) {
        today
    } else {
        match today.yesterday() {
            Ok(d) => d,
            Err(_) => return 0,
        }
    };
    let mut count = 0;
    while set.contains(&day) {
        count += 1;
        day = match day.yesterday() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i8) -> Date {
        Date::new(2026, 11, d).unwrap()
    }

    fn input<'a>() -> CheckinInput<'a> {
        CheckinInput {
            mood: "4",
            craving: "2",
            sleep_hours: "7.5",
            sleep_quality: "3",
            ..CheckinInput::default()
        }
    }

    #[test]
    fn a_good_check_in_parses_and_keeps_the_chosen_triggers_once() {
        let mut answers = input();
        answers.triggers = vec!["stress", "boredom", "stress"];
        answers.gratitude = " my sister called ";
        let checkin = parse_checkin(day(21), &answers).unwrap();
        assert_eq!(checkin.sleep_tenths, 75);
        assert_eq!(checkin.triggers, ["stress", "boredom"]);
        assert_eq!(checkin.gratitude.as_deref(), Some("my sister called"));
        assert_eq!(checkin.journal, None);
    }

    #[test]
    fn every_bad_answer_is_reported_with_its_field() {
        let answers = CheckinInput {
            mood: "6",
            craving: "ten",
            sleep_hours: "25",
            sleep_quality: "",
            triggers: vec!["<script>"],
            journal: &"j".repeat(4001),
            ..CheckinInput::default()
        };
        let errors = parse_checkin(day(21), &answers).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "mood",
                "craving",
                "sleep_hours",
                "sleep_quality",
                "triggers",
                "journal"
            ]
        );
        let nan = CheckinInput {
            sleep_hours: "NaN",
            ..input()
        };
        assert!(parse_checkin(day(21), &nan).is_err());
    }

    #[test]
    fn check_ins_can_be_written_for_today_and_the_past_week_only() {
        assert!(writable(day(21), day(21)).is_ok());
        assert!(writable(day(14), day(21)).is_ok());
        assert!(writable(day(13), day(21)).is_err());
        assert!(writable(day(22), day(21)).is_err());
    }

    #[test]
    fn the_streak_counts_back_from_today_or_yesterday() {
        assert_eq!(streak(&[day(21), day(20), day(19), day(17)], day(21)), 3);
        assert_eq!(
            streak(&[day(20), day(19)], day(21)),
            2,
            "today is still open"
        );
        assert_eq!(streak(&[day(19)], day(21)), 0);
        assert_eq!(streak(&[], day(21)), 0);
    }
}
