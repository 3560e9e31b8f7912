//! Accountability circles: their size, their names, what each member lets the circle see of
//! them (and the defaults), and what another member therefore sees.

use crate::community::posts::PostProblem;

/// The most people in a circle, pending invites included.
pub const MAX_MEMBERS: usize = 12;
/// The longest circle name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// The longest encouragement note, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// The longest a member may choose to go quiet before the circle is told, in days.
pub const MAX_QUIET_DAYS: u32 = 30;
/// How long after a "thinking of you" nudge the same member may send another to the same person.
pub const NUDGE_EVERY_MILLIS: i64 = 24 * 3600 * 1000;

/// A circle's name.
pub fn parse_name(text: &str) -> Result<String, PostProblem> {
    crate::text::parse_text(
        "name",
        text,
        MAX_NAME_CHARS,
        "Give the circle a name its members will recognise.",
    )
}

/// An encouragement note.
pub fn parse_note(text: &str) -> Result<String, PostProblem> {
    crate::text::parse_text(
        "note",
        text,
        MAX_NOTE_CHARS,
        "Write a few words of encouragement first.",
    )
}

/// The days without a check-in after which the circle is told (empty: never).
pub fn parse_quiet_days(text: &str) -> Result<Option<u32>, PostProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(days) if (1..=MAX_QUIET_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(PostProblem {
            field: "quiet_days",
            message: format!(
                "Give a number of days from 1 to {MAX_QUIET_DAYS}, or leave it empty for no notice."
            ),
        }),
    }
}

/// What a member lets one circle see of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sharing {
    /// Whether they checked in today (yes or no, never what they wrote).
    pub checkin: bool,
    /// How many days in a row they have checked in.
    pub streak: bool,
    /// The milestones their clocks reach.
    pub milestones: bool,
    /// The warning signs their check-ins raise.
    pub warning_signs: bool,
    /// Their Reach out alerts.
    pub reach_out: bool,
}

impl Default for Sharing {
    /// Done today and Reach out only.
    fn default() -> Sharing {
        Sharing {
            checkin: true,
            streak: false,
            milestones: false,
            warning_signs: false,
            reach_out: true,
        }
    }
}

impl Sharing {
    /// Each choice's form name and how it is put to the member.
    pub const CHOICES: [(&'static str, &'static str); 5] = [
        (
            "checkin",
            "Whether I checked in today (yes or no, never what I wrote)",
        ),
        ("streak", "How many days in a row I have checked in"),
        ("milestones", "The milestones my clocks reach"),
        ("warning_signs", "Warning signs my check-ins raise"),
        ("reach_out", "My Reach out alerts"),
    ];

    /// The choices named in `chosen` (form names from [`Sharing::CHOICES`]); unknown names are
    /// returned as the error.
    pub fn from_names<'a>(chosen: impl IntoIterator<Item = &'a str>) -> Result<Sharing, String> {
        let mut sharing = Sharing {
            checkin: false,
            streak: false,
            milestones: false,
            warning_signs: false,
            reach_out: false,
        };
        for name in chosen {
            match name {
                "checkin" => sharing.checkin = true,
                "streak" => sharing.streak = true,
                "milestones" => sharing.milestones = true,
                "warning_signs" => sharing.warning_signs = true,
                "reach_out" => sharing.reach_out = true,
                other => return Err(other.to_owned()),
            }
        }
        Ok(sharing)
    }

    /// The names of what is shared, in [`Sharing::CHOICES`] order.
    pub fn names(self) -> Vec<&'static str> {
        let on = [
            self.checkin,
            self.streak,
            self.milestones,
            self.warning_signs,
            self.reach_out,
        ];
        Sharing::CHOICES
            .iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .map(|((name, _), _)| *name)
            .collect()
    }
}

/// What is true of a member today, as far as a circle could ever be told.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub checked_in_today: bool,
    pub streak: u32,
    /// Their clocks' latest reached milestones, e.g. "90 days".
    pub milestones: Vec<String>,
    /// Warning signs raised in the last week, by title.
    pub warning_signs: Vec<String>,
    /// Whole days since their last check-in (`None`: never checked in).
    pub days_since_checkin: Option<u32>,
}

/// What another circle member sees of a member: only what they chose to share.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub checked_in_today: Option<bool>,
    pub streak: Option<u32>,
    pub milestones: Option<Vec<String>>,
    pub warning_signs: Option<Vec<String>>,
    /// Set when they asked to be noticed after this many quiet days and that many have passed.
    pub quiet_for_days: Option<u32>,
}

/// What the circle sees of a member with these `facts`, given their `sharing` and the quiet
/// days they chose. The quiet notice depends on check-ins, never on their content.
pub fn seen(facts: &Facts, sharing: Sharing, quiet_days: Option<u32>) -> Seen {
    let quiet = match (quiet_days, facts.days_since_checkin) {
        (Some(limit), Some(days)) if days >= limit => Some(days),
        _ => None,
    };
    Seen {
        checked_in_today: sharing.checkin.then_some(facts.checked_in_today),
        streak: sharing.streak.then_some(facts.streak),
        milestones: sharing.milestones.then(|| facts.milestones.clone()),
        warning_signs: sharing.warning_signs.then(|| facts.warning_signs.clone()),
        quiet_for_days: quiet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_sharing() -> impl Strategy<Value = Sharing> {
        proptest::array::uniform5(any::<bool>()).prop_map(|[a, b, c, d, e]| Sharing {
            checkin: a,
            streak: b,
            milestones: c,
            warning_signs: d,
            reach_out: e,
        })
    }

    fn any_facts() -> impl Strategy<Value = Facts> {
        (
            any::<bool>(),
            0u32..400,
            proptest::collection::vec("[a-z0-9 ]{1,12}", 0..3),
            proptest::collection::vec("[a-z ]{1,20}", 0..3),
            proptest::option::of(0u32..60),
        )
            .prop_map(|(today, streak, milestones, signs, since)| Facts {
                checked_in_today: today,
                streak,
                milestones,
                warning_signs: signs,
                days_since_checkin: since,
            })
    }

    proptest! {
        #[test]
        fn a_circle_sees_exactly_what_was_granted(
            facts in any_facts(),
            sharing in any_sharing(),
            quiet in proptest::option::of(1u32..=MAX_QUIET_DAYS),
        ) {
            let view = seen(&facts, sharing, quiet);
            prop_assert_eq!(view.checked_in_today.is_some(), sharing.checkin);
            prop_assert_eq!(view.streak.is_some(), sharing.streak);
            prop_assert_eq!(view.milestones.is_some(), sharing.milestones);
            prop_assert_eq!(view.warning_signs.is_some(), sharing.warning_signs);
            if let Some(today) = view.checked_in_today { prop_assert_eq!(today, facts.checked_in_today); }
            if let Some(streak) = view.streak { prop_assert_eq!(streak, facts.streak); }
            if let Some(m) = &view.milestones { prop_assert_eq!(m, &facts.milestones); }
            if let Some(w) = &view.warning_signs { prop_assert_eq!(w, &facts.warning_signs); }
            let due = matches!((quiet, facts.days_since_checkin), (Some(q), Some(d)) if d >= q);
            prop_assert_eq!(view.quiet_for_days.is_some(), due, "only when they opted in and it is due");
            prop_assert_eq!(Sharing::from_names(sharing.names()), Ok(sharing));
        }
    }

    #[test]
    fn the_defaults_are_done_today_and_reach_out() {
        assert_eq!(Sharing::default().names(), ["checkin", "reach_out"]);
        assert_eq!(Sharing::from_names(["secrets"]), Err("secrets".into()));
    }

    #[test]
    fn quiet_days_are_one_to_thirty_or_none() {
        assert_eq!(parse_quiet_days(""), Ok(None));
        assert_eq!(parse_quiet_days(" 3 "), Ok(Some(3)));
        for bad in ["0", "31", "two", "-1"] {
            assert!(parse_quiet_days(bad).is_err(), "{bad}");
        }
    }
}
