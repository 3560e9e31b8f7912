//! The Reach out alert: what the circle and mentor are told, how soon a second press alerts
//! them again (never refusing the press itself), and when the member is asked how they are.

use crate::community::posts::PostProblem;
use std::time::Duration;

/// The longest optional message with an alert, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;
/// A press within this long of the last alert shows that alert again instead of sending another.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The most alerts a member sends in a day; later presses show the latest alert (and help).
pub const ALERTS_PER_DAY: usize = 6;
/// When the member is asked how they are doing.
pub const FOLLOW_UP_AFTER: Duration = Duration::from_secs(3600);

/// What the recipients are told, after the member's pseudonym.
pub const ALERT_TEXT: &str = " is having a hard time and would like to hear from someone";

/// What the recipients are told.
pub fn alert_text(pseudonym: &str) -> String {
    format!("{pseudonym}{ALERT_TEXT}")
}

/// The optional message: trimmed, possibly empty, within [`MAX_MESSAGE_CHARS`].
pub fn parse_message(text: &str) -> Result<String, PostProblem> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    crate::text::parse_text("message", text, MAX_MESSAGE_CHARS, "")
}

/// What a press does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    /// Alert the circle and mentor.
    Alert,
    /// Show the latest alert again: they were told moments ago, or the day's alerts are used up.
    ShowLatest,
}

/// What a press at `now` does, given the member's alerts of the last day (milliseconds, newest
/// first). The first press always alerts.
pub fn press(recent: &[i64], now: i64) -> Press {
    let window = REPEAT_WINDOW.as_millis() as i64;
    let day = 24 * 3600 * 1000;
    let today: Vec<&i64> = recent.iter().filter(|at| now - **at < day).collect();
    match today.first() {
        None => Press::Alert,
        Some(latest) if now - **latest < window => Press::ShowLatest,
        Some(_) if today.len() >= ALERTS_PER_DAY => Press::ShowLatest,
        Some(_) => Press::Alert,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn the_first_press_always_alerts_and_quick_repeats_do_not() {
        assert_eq!(press(&[], 0), Press::Alert);
        let mut sent = Vec::new();
        let mut alerts = 0;
        for second in 0..10 {
            let now = 1_000_000 + second * 6_000;
            if press(&sent, now) == Press::Alert {
                alerts += 1;
                sent.insert(0, now);
            }
        }
        assert_eq!(alerts, 1, "ten presses in a minute alert once");
        assert_eq!(
            press(&sent, 1_000_000 + 16 * MINUTE),
            Press::Alert,
            "a later press alerts again"
        );
    }

    #[test]
    fn a_day_holds_at_most_six_alerts_and_yesterday_does_not_count() {
        let sent: Vec<i64> = (0..6).map(|n| 1_000 * MINUTE - n * 20 * MINUTE).collect();
        assert_eq!(
            press(&sent, 1_000 * MINUTE + 30 * MINUTE),
            Press::ShowLatest
        );
        assert_eq!(
            press(&sent, 1_000 * MINUTE + 25 * 60 * MINUTE),
            Press::Alert
        );
    }

    #[test]
    fn the_message_is_optional_but_bounded() {
        assert_eq!(parse_message("  "), Ok(String::new()));
        assert_eq!(parse_message(" call me "), Ok("call me".into()));
        assert!(parse_message(&"a".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
    }
}
