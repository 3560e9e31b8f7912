//! Sanctions moderators give members and the rules around them: the four kinds and what each
//! stops, how long a silence may last, and what an appeal or its answer may hold.

use super::posts::PostProblem;

/// The longest silence a moderator can give, in days (longer than that is a ban).
pub const MAX_SILENCE_DAYS: u32 = 90;
/// The longest appeal or answer, in characters.
pub const MAX_APPEAL_CHARS: usize = 2_000;

/// What a moderator did to a member's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A recorded warning: nothing is stopped.
    Warn,
    /// No posting, replying or reacting until the silence ends (reading and flagging go on).
    Silence,
    /// The whole account is closed until lifted (sign-in refused with the reason).
    Suspend,
    /// Removed from the community until lifted; the member keeps their own recovery tools and
    /// data.
    Ban,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Warn, Kind::Silence, Kind::Suspend, Kind::Ban];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Warn => "warn",
            Kind::Silence => "silence",
            Kind::Suspend => "suspend",
            Kind::Ban => "ban",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How the member reads it on their standing page.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Warn => "Warning",
            Kind::Silence => "Silenced",
            Kind::Suspend => "Account suspended",
            Kind::Ban => "Removed from the community",
        }
    }

    /// Whether it stops the member posting while it is in force.
    pub fn stops_posting(self) -> bool {
        self != Kind::Warn
    }

    /// Whether it stops the member reading the community while it is in force.
    pub fn stops_reading(self) -> bool {
        matches!(self, Kind::Ban | Kind::Suspend)
    }

    /// Whether a sanction of this kind, lifted or not, ending at `ends_at` (`None`: until
    /// lifted), stops anything at `now`. A warning never does.
    pub fn in_force(self, lifted: bool, ends_at: Option<i64>, now: i64) -> bool {
        self != Kind::Warn && !lifted && ends_at.is_none_or(|ends| ends > now)
    }
}

/// The length of a silence, in whole days from 1 to [`MAX_SILENCE_DAYS`].
pub fn parse_silence_days(text: &str) -> Result<u32, PostProblem> {
    match text.trim().parse::<u32>() {
        Ok(days) if (1..=MAX_SILENCE_DAYS).contains(&days) => Ok(days),
        _ => Err(PostProblem {
            field: "days",
            message: format!(
                "Give the length of the silence in days, from 1 to {MAX_SILENCE_DAYS}."
            ),
        }),
    }
}

/// An appeal's or an answer's text: trimmed, not empty, within [`MAX_APPEAL_CHARS`].
pub fn parse_message(field: &'static str, text: &str) -> Result<String, PostProblem> {
    crate::text::parse_text(
        field,
        text,
        MAX_APPEAL_CHARS,
        "Please write a few words: moderators read them before they decide.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_say_what_they_stop() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("kick"), None);
        assert!(!Kind::Warn.stops_posting());
        assert!(Kind::Silence.stops_posting() && !Kind::Silence.stops_reading());
        assert!(Kind::Ban.stops_reading());
        assert!(Kind::Silence.in_force(false, Some(10), 9));
        assert!(!Kind::Silence.in_force(false, Some(10), 10), "ended");
        assert!(!Kind::Ban.in_force(true, None, 0), "lifted");
        assert!(!Kind::Warn.in_force(false, None, 0));
    }

    #[test]
    fn silences_last_one_to_ninety_days() {
        assert_eq!(parse_silence_days(" 7 "), Ok(7));
        assert_eq!(parse_silence_days("90"), Ok(90));
        for bad in ["0", "91", "-1", "seven", "", "1.5", "99999999999"] {
            assert_eq!(parse_silence_days(bad).unwrap_err().field, "days", "{bad}");
        }
    }

    #[test]
    fn appeals_are_trimmed_and_bounded() {
        assert_eq!(
            parse_message("appeal", "  I was quoting  ").unwrap(),
            "I was quoting"
        );
        assert!(parse_message("appeal", "   ").is_err());
        assert!(parse_message("appeal", &"é".repeat(MAX_APPEAL_CHARS)).is_ok());
        let long = parse_message("answer", &"é".repeat(MAX_APPEAL_CHARS + 1)).unwrap_err();
        assert_eq!(long.field, "answer");
        assert!(parse_message("appeal", "a\0b").is_err());
    }
}
