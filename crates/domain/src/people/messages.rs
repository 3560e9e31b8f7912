//! Private messages: how long a message may be, how many people a conversation holds, and who
//! may write to whom. New members are protected from strangers: a stranger's first message to
//! them waits as a request they may accept, and they cannot start conversations with strangers
//! themselves until they reach the next trust level.

use crate::community::posts::PostProblem;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;
/// The most people in one conversation, the one who starts it included.
pub const MAX_PARTICIPANTS: usize = 12;
/// How many new message requests a new member receives a day; more wait until tomorrow.
pub const REQUESTS_PER_DAY: i64 = 3;

/// A message's text.
pub fn parse_body(text: &str) -> Result<String, PostProblem> {
    crate::text::parse_text(
        "body",
        text,
        MAX_MESSAGE_CHARS,
        "Please write something before sending.",
    )
}

/// One side of a conversation, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    /// At the lowest trust level.
    pub newcomer: bool,
    /// A moderator or admin.
    pub staff: bool,
}

/// How a message from a sender to a recipient goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Straight into the recipient's conversations.
    Direct,
    /// As a message request the (new) recipient may accept or decline.
    Request,
    /// Not at all: a new member may not start a conversation with a stranger.
    Refused,
}

/// How a message from `sender` reaches `recipient`. `known` is true when they already know each
/// other here: they share a circle, one mentors the other, or the recipient has written to the
/// sender (or accepted their request) before.
pub fn delivery(sender: Party, recipient: Party, known: bool) -> Delivery {
    if known || sender.staff || recipient.staff {
        Delivery::Direct
    } else if sender.newcomer {
        Delivery::Refused
    } else if recipient.newcomer {
        Delivery::Request
    } else {
        Delivery::Direct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: Party = Party {
        newcomer: true,
        staff: false,
    };
    const SETTLED: Party = Party {
        newcomer: false,
        staff: false,
    };
    const STAFF: Party = Party {
        newcomer: false,
        staff: true,
    };

    #[test]
    fn strangers_reach_new_members_only_as_requests() {
        assert_eq!(delivery(SETTLED, NEW, false), Delivery::Request);
        assert_eq!(
            delivery(SETTLED, NEW, true),
            Delivery::Direct,
            "circle, mentor or they wrote first"
        );
        assert_eq!(delivery(STAFF, NEW, false), Delivery::Direct);
        assert_eq!(delivery(SETTLED, SETTLED, false), Delivery::Direct);
    }

    #[test]
    fn new_members_write_only_to_people_they_know_and_to_staff() {
        assert_eq!(delivery(NEW, SETTLED, false), Delivery::Refused);
        assert_eq!(delivery(NEW, NEW, false), Delivery::Refused);
        assert_eq!(delivery(NEW, SETTLED, true), Delivery::Direct);
        assert_eq!(delivery(NEW, STAFF, false), Delivery::Direct);
    }

    #[test]
    fn messages_are_not_empty_and_not_huge() {
        assert_eq!(parse_body(" hello "), Ok("hello".into()));
        assert!(parse_body("   ").is_err());
        assert!(parse_body(&"x".repeat(MAX_MESSAGE_CHARS)).is_ok());
        let long = parse_body(&"x".repeat(MAX_MESSAGE_CHARS + 1)).unwrap_err();
        assert_eq!(long.field, "body");
    }
}
